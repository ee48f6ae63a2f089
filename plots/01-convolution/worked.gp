# worked.gp: chapter 01, a worked conv2d with every number shown: N = 1,
# 2 input channels of 4×4, 2 filters of 2×3×3 with a bias, padding 1,
# stride 2, so a (1, 2, 2, 2) output (eq. 1.7: floor((4 + 2 - 3)/2) + 1 = 2).
#   gnuplot -e "outdir='DIR2'" plots/01-convolution/worked.gp   (writes DIR2/worked.svg)
# The data are inline. The outputs Y were computed by the course's own code,
#   build/bin/cnn op conv2d --stride 2 --padding 1 x.npy w.npy b.npy -o y.npy
# (the lesson shows how to make the .npy files), and agree with
# torch.nn.functional.conv2d; this script recomputes them from eq. (1.6) and
# stops if they differ, so the figure cannot show a wrong number.
if (!exists("outdir")) outdir = "."

# x[0][c][r][q], c = 0..1, 4×4 each, row-major
array X[32] = [1, 2, 0, 1,   0, 1, 3, 1,   2, 0, 1, 0,   1, 1, 0, 2, \
               0, 1, 1, 0,   2, 0, 0, 1,   1, 1, 2, 0,   0, 2, 1, 1]
# w[o][c][u][v], OIHW
array Wt[36] = [0, 1, 0,   1, -1, 2,   0, 0, 1, \
                1, 0, 0,   0, 1, 0,   -1, 0, 1, \
               -1, 0, 1,   0, 0, 2,   1, 0, 0, \
                0, 2, 0,   1, 0, -1,  0, 1, 0]
array B[2] = [1, -2]
# y[0][o][i][j] from `cnn op conv2d` (see above)
array Y[8] = [5, 8,   3, 6, \
              3, 2,   2, 1]

HI = 4; WI = 4; S = 2; PAD = 1
xv(c, r, q) = (r < 0 || r >= HI || q < 0 || q >= WI) ? 0 : X[(c*HI + r)*WI + q + 1]
wv(o, c, u, v) = Wt[((o*2 + c)*3 + u)*3 + v + 1]

# the check: eq. (1.6) in gnuplot, against the numbers shown
do for [o = 0:1] { do for [i = 0:1] { do for [j = 0:1] {
    acc = B[o + 1]
    do for [c = 0:1] { do for [u = 0:2] { do for [v = 0:2] {
        acc = acc + xv(c, i*S - PAD + u, j*S - PAD + v) * wv(o, c, u, v)
    } } }
    if (acc != Y[(o*2 + i)*2 + j + 1]) {
        print sprintf("worked.gp: y[0][%d][%d][%d] is %g by eq. (1.6) but the figure says %g: recompute Y with cnn.", o, i, j, acc, Y[(o*2 + i)*2 + j + 1])
        exit status 1
    }
} } }

# Shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,510 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/worked.svg'

orange = '#e69f00'; blue = '#0072b2'
unset key; unset border; unset tics
set size ratio -1
set xrange [-1.2:22.7]
set yrange [15.5:-2.9]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set label 999 "conv2d with every number: 2 input channels 4×4, 2 filters 2×3×3 with bias, padding 1, stride 2" at 10.75, -2.3 center

n = 0
num(v) = v < 0 ? sprintf("−%g", -v) : sprintf("%g", v)   # a true minus sign

# ---- the inputs, with the ring of zeros ----
array GX[2] = [0, 7.6]
do for [c = 0:1] {
    gx = GX[c + 1]; gy = 1
    do for [r = -1:HI] { do for [q = -1:WI] {
        n = n + 1
        pad = (r < 0 || r >= HI || q < 0 || q >= WI)
        set object n rect center gx + q + 1, gy + r + 1 size 1, 1 fc rgb (pad ? '#e4e4e4' : 'white') fs solid 1.0 border rgb '#9a9a9a' lw 0.8 back
        set label n num(xv(c, r, q)) at gx + q + 1, gy + r + 1 center tc rgb (pad ? '#8a8a8a' : 'black')
    } }
    set label 900 + c sprintf("x[0][%d]  (input channel c = %d)", c, c) at gx + 2.5, gy - 1.3 center
}

# ---- the weights and biases ----
array WX[4] = [0, 3.8, 11.2, 15.0]
do for [o = 0:1] { do for [c = 0:1] {
    gx = WX[o*2 + c + 1]; gy = 10
    do for [u = 0:2] { do for [v = 0:2] {
        n = n + 1
        set object n rect center gx + v, gy + u size 1, 1 fc rgb 'white' fs solid 1.0 border rgb '#9a9a9a' lw 0.8 back
        set label n num(wv(o, c, u, v)) at gx + v, gy + u center
    } }
    set label 920 + o*2 + c sprintf("w[%d][%d]", o, c) at gx + 1, gy - 1.1 center
} }
set label 930 "b[0] = 1" at 7.6, 11 left
set label 931 "b[1] = −2" at 18.8, 11 left
set label 932 "filter o = 0" at 4.3, 8.0 center tc rgb orange
set label 933 "filter o = 1" at 15.5, 8.0 center tc rgb blue

# ---- the outputs ----
array YX[2] = [17.2, 20.2]
do for [o = 0:1] {
    gx = YX[o + 1]; gy = 2.5
    do for [i = 0:1] { do for [j = 0:1] {
        n = n + 1
        set object n rect center gx + j, gy + i size 1, 1 fc rgb 'white' fs solid 1.0 border rgb '#9a9a9a' lw 0.8 back
        set label n num(Y[(o*2 + i)*2 + j + 1]) at gx + j, gy + i center font ',12:Bold'
    } }
    set label 940 + o sprintf("y[0][%d]", o) at gx + 0.5, gy - 1.3 center
}
set arrow 1 from 14.4, 4 to 16.2, 4 lw 1.5 lc rgb '#555555'
set label 945 "stride 2" at 15.3, 3.4 center font ',11'

# ---- two outputs traced: y[0][0][0][1] (orange) and y[0][1][1][1] (blue) ----
# window of output (i, j): input rows i*S - PAD .. +2, columns j*S - PAD .. +2
do for [c = 0:1] {
    gx = GX[c + 1]; gy = 1
    # orange: i = 0, j = 1 -> rows -1..1, columns 1..3
    set object 100 + c rect from gx + 1 + 1 - 0.5, gy - 1 + 1 - 0.5 to gx + 3 + 1 + 0.5, gy + 1 + 1 + 0.5 fs empty border rgb orange lw 3 front
    # blue: i = 1, j = 1 -> rows 1..3, columns 1..3
    set object 110 + c rect from gx + 1 + 1 - 0.45, gy + 1 + 1 - 0.45 to gx + 3 + 1 + 0.45, gy + 3 + 1 + 0.45 fs empty border rgb blue lw 3 dt 2 front
}
do for [c = 0:1] {
    set object 120 + c rect from WX[c + 1] - 0.5, 9.5 to WX[c + 1] + 2.5, 12.5 fs empty border rgb orange lw 3 front
    set object 130 + c rect from WX[2 + c + 1] - 0.5, 9.5 to WX[2 + c + 1] + 2.5, 12.5 fs empty border rgb blue lw 3 dt 2 front
}
set object 140 rect center YX[1] + 1, 2.5 size 1, 1 fs empty border rgb orange lw 3 front
set object 141 rect center YX[2] + 1, 3.5 size 0.9, 0.9 fs empty border rgb blue lw 3 dt 2 front

set label 950 "orange (solid): y[0][0][0][1] = 5 (channel c = 0) + 2 (channel c = 1) + 1 (bias b[0]) = 8" at -0.5, 14.0 left tc rgb '#b07400'
set label 951 "blue (dashed): y[0][1][1][1] = 1 (channel c = 0) + 2 (channel c = 1) − 2 (bias b[1]) = 1" at -0.5, 15.0 left tc rgb blue

plot NaN notitle

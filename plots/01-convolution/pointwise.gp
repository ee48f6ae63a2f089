# pointwise.gp: chapter 01, diagram "a 1×1 convolution mixes the channels of
# each pixel": with K_H = K_W = 1, eq. (1.5) reads
#   y[n][o][i][j] = b[o] + sum_c w[o][c][0][0] x[n][c][i][j],
# the same C_out × C_in matrix applied to the channel vector of every pixel.
# Three input channels, two output channels, 4×4 pixels, no bias; one pixel
# traced with its numbers. No data file.
#   gnuplot -e "outdir='DIR2'" plots/01-convolution/pointwise.gp   (writes DIR2/pointwise.svg)
if (!exists("outdir")) outdir = "."

array XP[3] = [2, 1, 3]               # x[0][c][1][2], c = 0..2
array Wm[6] = [1, 0, -1,   0.5, 0.5, 0]   # w[o][c][0][0], o = 0..1
PI = 1; PJ = 2                        # the pixel traced
yv(o) = Wm[o*3 + 1]*XP[1] + Wm[o*3 + 2]*XP[2] + Wm[o*3 + 3]*XP[3]
num(v) = v < 0 ? sprintf("−%g", -v) : sprintf("%g", v)

# Shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,490 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/pointwise.svg'

unset key; unset border; unset tics
set size ratio -1
set xrange [-1.0:22.4]
set yrange [16.8:-1.9]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0

array CIN[3] = ['#f4cccc', '#d9ead3', '#cfe2f3']     # input channels: red, green, blue tints
array CINd[3] = ['#c0392b', '#38761d', '#1f5fa8']
array COUT[2] = ['#e6d5f0', '#fde3c8']                # output channels
array COUTd[2] = ['#7b3fa0', '#c46a00']

set label 999 "A 1×1 convolution: at every pixel, y = W x mixes the C_{in} = 3 channels into C_{out} = 2" at 10.7, -1.35 center

n = 0
# ---- input: three 4×4 channels ----
do for [c = 0:2] {
    gy = c*4.9
    do for [r = 0:3] { do for [q = 0:3] {
        n = n + 1
        set object n rect center q, gy + r size 1, 1 fc rgb CIN[c + 1] fs solid 1.0 border rgb '#9a9a9a' lw 0.8 back
    } }
    n = n + 1
    set object n rect center PJ, gy + PI size 1, 1 fc rgb 'white' fs solid 1.0 border rgb CINd[c + 1] lw 3 front
    set label n num(XP[c + 1]) at PJ, gy + PI center front
    set label 900 + c sprintf("x[0][%d]", c) at -0.9, gy + 1.5 center rotate by 90 tc rgb CINd[c + 1]
    # gather: the pixel's value goes to entry c of the vector x
    set arrow 10 + c from PJ + 0.55, gy + PI to 6.5, 5.9 + c lw 1.2 lc rgb CINd[c + 1]
}
set label 950 "input x: C_{in} = 3 channels, 4×4" at 1.5, 14.0 center font ',11'

# ---- the channel vector of the pixel ----
do for [c = 0:2] {
    n = n + 1
    set object n rect center 7, 5.9 + c size 1, 1 fc rgb 'white' fs solid 1.0 border rgb CINd[c + 1] lw 2 front
    set label n num(XP[c + 1]) at 7, 5.9 + c center front
}
set label 951 sprintf("x[0][:][%d][%d]", PI, PJ) at 7, 4.6 center font ',11'

# ---- W and the product ----
do for [o = 0:1] { do for [c = 0:2] {
    n = n + 1
    set object n rect center 9.5 + c, 1.4 + o size 1, 1 fc rgb 'white' fs solid 1.0 border rgb '#9a9a9a' lw 0.8 front
    set label n num(Wm[o*3 + c + 1]) at 9.5 + c, 1.4 + o center front
} }
set label 952 "W = w[o][c][0][0]  (2×3)" at 10.5, 0.0 center font ',11'
set label 953 "the same W at all 16 pixels" at 10.5, 3.4 center font ',11'
set arrow 20 from 7.8, 6.9 to 13.3, 6.9 lw 2 lc rgb '#444444'
set label 954 "y = W x" at 10.5, 6.4 center
set label 955 sprintf("%s = 1·%g + 0·%g − 1·%g", num(yv(0)), XP[1], XP[2], XP[3]) at 10.5, 8.4 center font ',11' tc rgb COUTd[1]
set label 956 sprintf("%s = 0.5·%g + 0.5·%g + 0·%g", num(yv(1)), XP[1], XP[2], XP[3]) at 10.5, 9.4 center font ',11' tc rgb COUTd[2]

# ---- the output vector and the two output channels ----
do for [o = 0:1] {
    n = n + 1
    set object n rect center 14, 6.4 + o size 1, 1 fc rgb 'white' fs solid 1.0 border rgb COUTd[o + 1] lw 2 front
    set label n num(yv(o)) at 14, 6.4 + o center front
    gy = 2.3 + o*6.0
    do for [r = 0:3] { do for [q = 0:3] {
        n = n + 1
        set object n rect center 17 + q, gy + r size 1, 1 fc rgb COUT[o + 1] fs solid 1.0 border rgb '#9a9a9a' lw 0.8 back
    } }
    n = n + 1
    set object n rect center 17 + PJ, gy + PI size 1, 1 fc rgb 'white' fs solid 1.0 border rgb COUTd[o + 1] lw 3 front
    set label n num(yv(o)) at 17 + PJ, gy + PI center front
    set label 960 + o sprintf("y[0][%d]", o) at 21.2, gy + 1.5 center rotate by -90 tc rgb COUTd[o + 1]
    # scatter: entry o of the vector goes to output channel o
    set arrow 30 + o from 14.55, 6.4 + o to 17 + PJ - 0.55, gy + PI lw 1.2 lc rgb COUTd[o + 1]
}
set label 980 "output y: C_{out} = 2 channels, 4×4" at 18.5, 12.4 center font ',11'
set label 970 "As one matrix product: Y (2 × 16) = W (2 × 3) · X (3 × 16), one column per pixel;" at 10.7, 15.3 center font ',11'
set label 971 "parameters: C_{out} · C_{in} weights (+ C_{out} biases); no pixel sees its neighbours." at 10.7, 16.2 center font ',11'

plot NaN notitle

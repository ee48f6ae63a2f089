# taps.gp: chapter 01, diagram "where each tap lands" (lesson, eqs. 1.6-1.7).
# Four settings of a 3×3 kernel on a 5×5 input: the input cells (white), the
# ring of zero padding (grey, "0"), the cells one output reads (coloured; an
# input cell is labelled uv for the weight w[u][v] that reads it) and, on the
# right, the output grid, its size from eq. (1.7). The tap positions are computed here from eq. (1.6):
# tap (u, v) of output (i, j) reads input row i·s − p + u·d, column
# j·s − p + v·d. No data file.
#   gnuplot -e "outdir='DIR2'" plots/01-convolution/taps.gp   (writes DIR2/taps.svg)
if (!exists("outdir")) outdir = "."

# Shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,540 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/taps.svg'

H = 5; W = 5; K = 3
# the four settings: padding, stride, dilation, and the outputs drawn
array P[4]  = [0, 1, 1, 0]
array S[4]  = [1, 1, 2, 1]
array D[4]  = [1, 1, 1, 2]
array NO[4] = [1, 1, 2, 1]          # outputs drawn: 1 or 2
array I1[4] = [1, 0, 0, 0]; array J1[4] = [2, 0, 0, 0]
array I2[4] = [0, 0, 0, 0]; array J2[4] = [0, 0, 1, 0]
array TXT[4] = ["(a) no padding, stride 1: one output reads a 3×3 block", \
                "(b) padding 1: output (0, 0) hangs over the border", \
                "(c) stride 2: outputs (0, 0) and (0, 1) start 2 apart", \
                "(d) dilation 2: 9 taps spread over 5×5"]

out_size(n, p, s, d) = (n + 2*p - d*(K - 1) - 1 < 0) ? 0 : int((n + 2*p - d*(K - 1) - 1) / s) + 1   # eq. (1.7)
col1 = '#e69f00'; col2 = '#0072b2'
fill1 = '#60e69f00'; fill2 = '#600072b2'   # (alpha: 0x60 of 0xff transparent)
XO = W + 2.6                               # x of the output grid's first column

unset key; unset border; unset tics
set size ratio -1
set xrange [-1.7:XO + 5.7]
set yrange [7.4:-1.7]

set multiplot layout 2,2 margins 0.01,0.99,0.0,0.90 spacing 0.02,0.04 \
    title "A 3×3 kernel on a 5×5 input: label uv = the weight w[u][v] that reads the cell;\ngrey = zero padding (a tap there reads 0); right: the output grid, eq. (1.7)"

do for [k = 1:4] {
    unset object; unset label; unset arrow
    p = P[k]; s = S[k]; d = D[k]
    OH = out_size(H, p, s, d); OW = out_size(W, p, s, d)
    n = 0
    # input cells and the padding ring
    do for [r = -p:H + p - 1] {
        do for [q = -p:W + p - 1] {
            n = n + 1
            pad = (r < 0 || r >= H || q < 0 || q >= W)
            if (pad) {
                set object n rect center q, r size 1, 1 fc rgb '#dcdcdc' fs solid 1.0 border rgb '#b0b0b0' lw 0.8 back
                set label n "0" at q, r center tc rgb '#666666' font ',11' front
            } else {
                set object n rect center q, r size 1, 1 fc rgb 'white' fs solid 1.0 border rgb '#808080' lw 0.8 back
            }
        }
    }
    # the taps of each output drawn, eq. (1.6)
    do for [o = 1:NO[k]] {
        i = (o == 1 ? I1[k] : I2[k]); j = (o == 1 ? J1[k] : J2[k])
        do for [u = 0:K - 1] {
            do for [v = 0:K - 1] {
                r = i*s - p + u*d; q = j*s - p + v*d
                n = n + 1
                set object n rect center q, r size 0.92, 0.92 fc rgb (o == 1 ? fill1 : fill2) fs solid 1.0 noborder front
                inside = (r >= 0 && r < H && q >= 0 && q < W)
                if (o == 1 && inside) { set label 200 + n sprintf("%d%d", u, v) at q, r center front font ',11' }
            }
        }
        # the window's span, d(K-1)+1 cells on each side
        n = n + 1
        dash = (o == 1 ? 1 : 2)
        set object n rect from j*s - p - 0.5, i*s - p - 0.5 to j*s - p + d*(K - 1) + 0.5, i*s - p + d*(K - 1) + 0.5 \
            fs empty border rgb (o == 1 ? col1 : col2) lw 2.5 dt dash front
        # the output cell it computes
        n = n + 1
        set object n rect center XO + j, i size 1, 1 fc rgb (o == 1 ? col1 : col2) fs solid 1.0 border rgb '#808080' lw 0.8 front
    }
    # the output grid
    do for [i = 0:OH - 1] {
        do for [j = 0:OW - 1] {
            n = n + 1
            set object n rect center XO + j, i size 1, 1 fc rgb 'white' fs solid 1.0 border rgb '#808080' lw 0.8 back
        }
    }
    set label 1001 sprintf("input 5×5, p = %d, s = %d, d = %d", p, s, d) at W/2.0 - 0.5, H + p + 0.9 center font ',11'
    set label 1002 sprintf("output %d×%d", OH, OW) at XO + (OW - 1)/2.0, OH - 0.5 + 1.4 center font ',11'
    set arrow 1 from W + p - 0.2, 1 to XO - 0.8, 1 lw 1.5 lc rgb '#555555'
    set title TXT[k] font ',11' offset 0,-0.8
    plot NaN notitle
}
unset multiplot

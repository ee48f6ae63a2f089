# im2col_diagram.gp: chapter 05, diagram of eq. (5.8): how im2col turns the
# windows of a 2-channel 4 x 4 input under a 3 x 3 kernel (stride 1, no
# padding, 2 x 2 outputs) into an 18 x 4 matrix, one column per output
# pixel, so that the layer becomes one matrix product. Inline data only.
#   gnuplot -e "outdir='DIR2'" plots/05-fast-convolution/im2col_diagram.gp
# writes DIR2/im2col_diagram.svg.
if (!exists("outdir")) outdir = "."

set terminal svg size 700,560 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/im2col_diagram.svg'

unset border; unset tics; unset key
set size ratio -1
set xrange [-1.5:24.5]
set yrange [-19.2:2.6]
set style fill solid 1.0 border lc rgb '#444444'

# The highlighted output pixel q = 1, i.e. (i, j) = (0, 1): its window.
qi = 0; qj = 1; q = qi * 2 + qj
inwin(c, r, col) = (r >= qi && r <= qi + 2 && col >= qj && col <= qj + 2)
# value of input cell (channel c, row r, column col): numbered 1..32
val(c, r, col) = 1 + 16 * c + 4 * r + col
# row R of cols = (c, u, v), column Q = (i, j) = (Q / 2, Q % 2)
cc(R) = int(R / 9); uu(R) = int(R / 3) % 3; vv(R) = int(R) % 3
colval(R, Q) = val(cc(R), int(Q / 2) + uu(R), Q % 2 + vv(R))

# input channel c drawn with its top-left cell at (0, -9c)
ix(k) = int(k) % 4
iy(c, k) = -9 * c - int(k / 4)
# cols drawn with its top-left cell at (10, 0)
cx(k) = 10 + int(k) % 4
cy(k) = -int(k / 4)

set label 1 "x[0]" at 1.5, 1.5 center font 'sans,13'
set label 2 "x[1]" at 1.5, -7.5 center font 'sans,13'
set label 3 "cols: K = 2·3·3 = 18 rows, P = 4 columns" at 11.5, 2.0 center font 'sans,12'
set label 4 "q =" at 9.4, 1.05 right font 'sans,12'
set for [k = 0:3] label 20 + k sprintf("%d", k) at 10 + k, 1.05 center font 'sans,12'
set label 5 "c,u,v" at 7.9, 1.05 center font 'sans,12'
set label 6 "Y = W · cols" at 19.5, -6 center font 'sans,14'
set label 7 "(C_{out}  × 4)  =  (C_{out}  × 18) · (18 × 4)" at 19.5, -7.3 center font 'sans,12'
set label 8 "y[o][q]  =  Σ_{r}  W[o][r] · cols[r][q]" at 19.5, -8.6 center font 'sans,12'
set label 9 "the window of output pixel q = 1\n(i, j) = (0, 1) becomes column 1" at 19.5, -1.5 center font 'sans,12' tc rgb '#d95f02'
set label 10 "each input value appears up to 9 times" at 19.5, -12 center font 'sans,12'
set label 11 "(about k_{h} k_{w} / s^{2}  times the memory of x)" at 19.5, -13.2 center font 'sans,12'
set arrow 1 from 4.3, -1 to 9.7, -1 lw 2 lc rgb '#d95f02' filled
set arrow 2 from 4.3, -10 to 9.7, -10 lw 2 lc rgb '#d95f02' filled
set object 1 rect from qj - 0.5, 0.5 - qi to qj + 2.5, -2.5 - qi fs empty border lc rgb '#d95f02' lw 3 front
set object 2 rect from qj - 0.5, -8.5 - qi to qj + 2.5, -11.5 - qi fs empty border lc rgb '#d95f02' lw 3 front
set object 3 rect from 10 + q - 0.5, 0.5 to 10 + q + 0.5, -17.5 fs empty border lc rgb '#d95f02' lw 3 front

# '+' with a range [a:b:1] yields k = a, a+1, ..., b as $1
plot for [c = 0:1] [0:15:1] '+' using (ix($1)):(iy(c, $1)):(ix($1) - 0.5):(ix($1) + 0.5):(iy(c, $1) - 0.5):(iy(c, $1) + 0.5):(inwin(c, int($1 / 4), int($1) % 4) ? 0xfdcda6 : (c ? 0xd6e6f4 : 0xe5f2dc)) with boxxyerror lc rgb variable, \
     for [c = 0:1] [0:15:1] '+' using (ix($1)):(iy(c, $1)):(sprintf("%d", val(c, int($1 / 4), int($1) % 4))) with labels font 'sans,12', \
     [0:71:1] '+' using (cx($1)):(cy($1)):(cx($1) - 0.5):(cx($1) + 0.5):(cy($1) - 0.5):(cy($1) + 0.5):(int($1) % 4 == q ? 0xfdcda6 : (cc(int($1 / 4)) ? 0xd6e6f4 : 0xe5f2dc)) with boxxyerror lc rgb variable, \
     [0:71:1] '+' using (cx($1)):(cy($1)):(sprintf("%d", colval(int($1 / 4), int($1) % 4))) with labels font 'sans,12', \
     [0:17:1] '+' using (7.9):(-$1):(sprintf("%d,%d,%d", cc($1), uu($1), vv($1))) with labels font 'sans,12'

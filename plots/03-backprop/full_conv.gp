# full_conv.gp: chapter 03, diagram "dx is a full convolution of dy with the
# flipped kernel" (lesson, eqs. 3.7-3.10), for stride 1 and stride 2.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/03-backprop/full_conv.gp
# reads DIR/diagram.dat (blocks of "col row value kind highlight", written by
# the chapter's experiment with the code under test: the dx grids are what
# conv2d_backward returned); writes DIR2/full_conv.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/diagram.dat'

set encoding utf8
set terminal svg size 720,760 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/full_conv.svg'

unset border; unset xtics; unset ytics; unset key
set size ratio -1
set xrange [-0.9:22.4]
set yrange [-22.6:3.2]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0

# fill colour of a cell by kind: 0 zero padding, 1 dy, 2 zero inserted
# between dy's values (stride), 3 dx, 4 kernel weight
fill(k) = k == 0 ? 0xeeeeee : k == 1 ? 0x9ecae1 : k == 2 ? 0xfff0a0 : k == 3 ? 0xb8e0a8 : 0xfdc98e
ink(k, v) = (k == 0 || k == 2) ? 0x999999 : 0x000000

# Where each block goes: x0, y0 of its top-left cell centre.
# example 1 (stride 1): blocks 0 w, 1 w flipped, 2 padded dy (6x6), 3 dx (4x4)
# example 2 (stride 2): blocks 4 w, 5 w flipped, 6 dilated+padded dy (8x8), 7 dx (6x6)
X(b, c) = c + (b % 4 == 0 || b % 4 == 1 ? 0 : b % 4 == 2 ? 5 : 16)
Y(b, r) = -r + (b < 4 ? 0 : -11) + (b % 4 == 1 ? -5 : b % 4 == 3 ? -1 : 0)

set label 1 "(a) stride 1: x 4×4, 3×3 kernel, y 2×2" at -0.6, 2.4 left font 'sans,12'
set label 2 "w" at 1, 1.1 center font 'sans,11'
set label 3 "w rotated 180°" at 1, -3.9 center font 'sans,11'
set label 4 "dy with k−1 = 2 zeros around" at 7.5, 1.1 center font 'sans,11'
set label 5 "dx (conv2d\\_backward)" at 17.5, 0.1 center font 'sans,11'
set label 6 "(b) stride 2: x 6×6, 3×3 kernel, y 2×2" at -0.6, -8.6 left font 'sans,12'
set label 7 "w" at 1, -9.9 center font 'sans,11'
set label 8 "w rotated 180°" at 1, -14.9 center font 'sans,11'
set label 9 "dy with s−1 = 1 zero between values,\n2 zeros around, 1 unread row and column" at 8.5, -9.5 center font 'sans,11'
set label 10 "dx (conv2d\\_backward)" at 18.5, -10.9 center font 'sans,11'
set label 11 "dx[1][1] = Σ window ⊙ rotated w = 9" at 17.5, -5.6 center font 'sans,11'
set label 12 "dx[2][2] = 3; row 5 and column 5\nare read by no window: 0" at 18.5, -19.3 center font 'sans,11'
set label 13 "grey: zero padding    yellow: zeros inserted by the stride    blue: dy    green: dx    orange: weights" \
    at 10.7, -22.1 center font 'sans,10'

# arrows from the highlighted window to the highlighted dx cell
set arrow 1 from 10.65, -2 to 15.35, -2 front head filled size screen 0.02,25 lw 2 lc rgb '#d62728'
set arrow 2 from 12.7, -14 to 15.35, -14 front head filled size screen 0.02,25 lw 2 lc rgb '#d62728'

box = 0.48
plot for [b=0:7] f index b using (X(b, $1)):(Y(b, $2)):(box):(box):(fill($4)) \
         with boxxyerror fs solid 1.0 border lc rgb '#666666' lc rgb variable, \
     for [b=0:7] f index b using (X(b, $1)):(Y(b, $2)):(sprintf("%g", $3)):(ink($4, $3)) \
         with labels tc rgb variable font 'sans,11', \
     for [b=0:7] f index b using ($5 > 0 ? X(b, $1) : 1/0):(Y(b, $2)):(box):(box) \
         with boxxyerror fs empty border lc rgb '#d62728' lw 2.5 lc rgb '#d62728'

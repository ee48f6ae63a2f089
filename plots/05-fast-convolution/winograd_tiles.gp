# winograd_tiles.gp: chapter 05, diagram "how F(2x2,3x3) tiles a layer": a
# 7x9 input with padding 1, the 4x4 input windows of two neighbouring output
# tiles (they overlap by two columns), and the 7x9 output cut into 2x2
# tiles, the last row and column of tiles partial. Inline data only.
#   gnuplot -e "outdir='DIR'" plots/05-fast-convolution/winograd_tiles.gp
# writes DIR/winograd_tiles.svg.
if (!exists("outdir")) outdir = "."

set terminal svg size 760,400 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/winograd_tiles.svg'

H = 7; W = 9; P = 1            # input, padding
OH = 7; OW = 9                 # output (3x3, stride 1, padding 1)
unset border; unset tics; unset key
set size ratio -1

set multiplot layout 1,2 title "F(2×2, 3×3) on a 7×9 input with padding 1: 4×4 windows in, 2×2 tiles out" font 'sans,12'

# ---- (a) the padded input; cell (r, c) is the square [c, c+1] x [-r-1, -r]
set title "(a) input, padded: the windows of tiles (1, 2) and (1, 3)" font 'sans,11'
set xrange [-1.6:W+2*P+0.6]
set yrange [-(H+2*P)-2.2:1.2]
o = 1
do for [r=0:H+2*P-1] { do for [c=0:W+2*P-1] {
    pad = (r < P || r >= H+P || c < P || c >= W+P)
    set object o rect from c, -r-1 to c+1, -r fc rgb (pad ? '#eeeeee' : '#ffffff') fs solid 1 border lc rgb '#bbbbbb' lw 0.5
    o = o + 1
} }
# tile (ti, tj) reads padded rows 2ti .. 2ti+3, columns 2tj .. 2tj+3
set object o rect from 4, -2 to 8, -6 fc rgb '#377eb8' fs transparent solid 0.25 border lc rgb '#377eb8' lw 3; o = o + 1
set object o rect from 6, -2 to 10, -6 fs empty border lc rgb '#e41a1c' lw 3 dt 2; o = o + 1
set label 1 "window of tile (1, 2)" at 4, -7 left tc rgb '#377eb8' font 'sans,11'
set label 2 "window of tile (1, 3)" at 6, 0.45 left tc rgb '#e41a1c' font 'sans,11'
set label 3 "grey: zero padding" at 0, -(H+2*P)-1.2 left font 'sans,11'
set label 4 "the windows overlap by 2 columns (α − m = 2)" at 0, -(H+2*P)-2.0 left font 'sans,11'
plot NaN
unset label 1; unset label 2; unset label 3; unset label 4
do for [i=1:o] { unset object i }

# ---- (b) the output, cut into 2x2 tiles
set title "(b) output 7×9: ⌈7/2⌉ × ⌈9/2⌉ = 4 × 5 tiles" font 'sans,11'
set xrange [-1.6:W+2*P+0.6]
set yrange [-(H+2*P)-2.2:1.2]
o = 1
do for [r=0:OH-1] { do for [c=0:OW-1] {
    set object o rect from c+1, -r-2 to c+2, -r-1 fc rgb '#ffffff' fs solid 1 border lc rgb '#bbbbbb' lw 0.5
    o = o + 1
} }
do for [ti=0:3] { do for [tj=0:4] {
    r1 = 2*ti + 2 > OH ? OH : 2*ti + 2
    c1 = 2*tj + 2 > OW ? OW : 2*tj + 2
    part = (2*ti + 2 > OH || 2*tj + 2 > OW)
    set object o rect from 2*tj+1, -2*ti-1 to c1+1, -r1-1 fc rgb '#ff7f00' fs transparent solid (part ? 0.35 : 0.0) border lc rgb '#333333' lw 2
    o = o + 1
} }
set object o rect from 5, -3 to 7, -5 fc rgb '#377eb8' fs transparent solid 0.35 border lc rgb '#377eb8' lw 3; o = o + 1
set label 1 "blue: tile (1, 2), outputs rows 2–3, columns 4–5" at 0, -(H+2*P)-0.4 left tc rgb '#377eb8' font 'sans,11'
set label 2 "orange: partial tiles, only the outputs" at 0, -(H+2*P)-1.2 left font 'sans,11'
set label 3 "that exist are written" at 0, -(H+2*P)-2.0 left font 'sans,11'
plot NaN
unset multiplot

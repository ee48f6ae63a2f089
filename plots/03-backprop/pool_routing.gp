# pool_routing.gp: chapter 03, diagram "max pooling routes, average pooling
# spreads" (lesson, eqs. 3.13 and 3.14): a 4x4 input, four overlapping 3x3
# windows (stride 1), the output gradient dy, and dx of both layers.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/03-backprop/pool_routing.gp
# reads DIR/pool_diagram.dat (blocks x, dy, dx max, dx avg as "col row
# value", written by the chapter's experiment with the code under test);
# writes DIR2/pool_routing.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/pool_diagram.dat'

set encoding utf8
set terminal svg size 720,330 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/pool_routing.svg'

unset border; unset xtics; unset ytics; unset key
set size ratio -1
set xrange [-0.8:21.3]
set yrange [-5.4:1.7]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0

# block b's top-left cell centre: x at 0, dy at 6, dx (max) at 10, dx (avg) at 16
X0(b) = b == 0 ? 0 : b == 1 ? 6 : b == 2 ? 10.5 : 16.5
Y0(b) = b == 1 ? -1 : 0
# window (i, j) of the 3x3 kernel: one colour each, drawn on x and on dy
wcol(i, j) = i == 0 ? (j == 0 ? 0xd62728 : 0x1f77b4) : (j == 0 ? 0x2ca02c : 0xff7f0e)
# the same colours, light, to fill dy's cells
lcol(i, j) = i == 0 ? (j == 0 ? 0xf4b6b6 : 0xb3d1ec) : (j == 0 ? 0xb9e4b9 : 0xffd2a8)
fill(b, c, r, v) = b == 0 ? (v == 9 ? 0xfde0a0 : 0xf4f4f4) : b == 1 ? lcol(r, c) : \
                   (v != 0 ? 0xb8e0a8 : 0xf4f4f4)

set label 1 "x, four 3×3 windows (stride 1)" at -0.6, 1.1 left font 'sans,11'
set label 2 "dy" at 6.5, 1.1 center font 'sans,11'
set label 3 "dx, max pooling" at 12, 1.1 center font 'sans,11'
set label 4 "dx, average pooling" at 18, 1.1 center font 'sans,11'
set label 5 "every window holds two 9s: each routes its dy to the first (row-major)" at 12, -4.35 center font 'sans,10'
set label 6 "dx[1][1] = 1 + 2 + 3 + 4; the other 9 gets nothing.  Average: each window gives dy/9 to all nine cells." at 10.5, -5.0 center font 'sans,10'
do for [i=0:1] {
    do for [j=0:1] {
        k = 2 * i + j
        inset = 0.06 + 0.07 * k
        set object 10 + k rect from j - 0.5 + inset, -(i + 2) - 0.5 + inset to j + 2.5 - inset, -i + 0.5 - inset \
            front fs empty border lc rgb wcol(i, j) lw 2.5
    }
}
set arrow 1 from 7.75, -1.5 to 9.8, -1.5 head filled size screen 0.012,25 lw 2 lc rgb '#555555'
box = 0.48
plot for [b=0:3] f index b using (X0(b) + $1):(Y0(b) - $2):(box):(box):(fill(b, $1, $2, $3)) \
         with boxxyerror fs solid 1.0 border lc rgb '#888888' lc rgb variable, \
     for [b=0:3] f index b using (X0(b) + $1):(Y0(b) - $2):(b == 3 ? sprintf("%.2f", $3) : sprintf("%g", $3)) \
         with labels font 'sans,11'

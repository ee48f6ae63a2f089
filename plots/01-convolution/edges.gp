# edges.gp: chapter 01, figure "an edge detector at work": the scene, the
# Sobel kernel and its response (conv2d_forward, stride 1, padding 1).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/edges.gp
# reads DIR/scene.dat, DIR/kernel.dat, DIR/response.dat; writes DIR2/edges.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."

set terminal svg size 1000,340 dynamic enhanced font 'sans,11' background rgb 'white'
set output outdir.'/edges.svg'

stats datadir.'/response.dat' matrix using 3 nooutput
r = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)

set multiplot layout 1,3 margins 0.06,0.94,0.17,0.86 spacing 0.12,0 title "An edge detector: y = x ⋆ k (cross-correlation, stride 1, zero padding 1)" font 'sans,12'
set size ratio -1
unset key
set tics out nomirror
set xlabel "column j (pixels)"
set ylabel "row i (pixels)"
set xrange [-0.5:63.5]
set yrange [63.5:-0.5]
set xtics 0,16,63
set ytics 0,16,63

set title "(a) input x: 64×64 scene"
set palette gray
set cbrange [0:1]
set colorbox user origin graph 1.03, graph 0 size graph 0.04, graph 1
plot datadir.'/scene.dat' matrix with image pixels

set title "(b) Sobel kernel k[u][v]"
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-2:2]
set xrange [-0.5:2.5]
set yrange [2.5:-0.5]
set xtics 0,1,2
set ytics 0,1,2
set xlabel "v"
set ylabel "u" offset 1,0
plot datadir.'/kernel.dat' matrix with image pixels, \
     '' matrix using 1:2:(sprintf("%g", $3)) with labels font 'sans,14'

set title sprintf("(c) response y, %.2f to %.2f", STATS_min, STATS_max)
set cbrange [-r:r]
set xrange [-0.5:63.5]
set yrange [63.5:-0.5]
set xtics 0,16,63
set ytics 0,16,63
set xlabel "column j (pixels)"
set ylabel "row i" offset 1,0
plot datadir.'/response.dat' matrix with image pixels

unset multiplot

# edges.gp: chapter 01, figure "an edge detector at work": the scene, the
# Sobel kernel and its response (conv2d_forward, stride 1, padding 1).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/edges.gp
# reads DIR/scene.dat, DIR/kernel.dat, DIR/response.dat; writes DIR2/edges.png.
# A heatmap is a PNG: as SVG every pixel becomes an element (about 1 MB here),
# while a PNG drawn `with image` stays crisp and small.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."

set terminal pngcairo size 1500,510 enhanced font 'sans,16' background rgb 'white'
set output outdir.'/edges.png'

stats datadir.'/response.dat' matrix using 3 nooutput
r = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)

set multiplot layout 1,3 margins 0.075,0.95,0.17,0.86 spacing 0.135,0 title "An edge detector: y = x ⋆ k (cross-correlation, stride 1, zero padding 1)" font 'sans,18'
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
plot datadir.'/scene.dat' matrix with image

set title "(b) Sobel kernel k[u][v]"
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-2:2]
set xrange [-0.5:2.5]
set yrange [2.5:-0.5]
set xtics 0,1,2
set ytics 0,1,2
set xlabel "v"
set ylabel "u" offset 1,0
plot datadir.'/kernel.dat' matrix with image, \
     '' matrix using 1:2:(sprintf("%g", $3)) with labels font 'sans,20'

set title sprintf("(c) response y, %.2f to %.2f", STATS_min, STATS_max)
set cbrange [-r:r]
set xrange [-0.5:63.5]
set yrange [63.5:-0.5]
set xtics 0,16,63
set ytics 0,16,63
set xlabel "column j (pixels)"
set ylabel "row i" offset 1,0
plot datadir.'/response.dat' matrix with image

unset multiplot

# edges.gp: chapter 01, figure "an edge detector at work": the scene with its
# ring of zero padding, the Sobel kernel, the response (conv2d_forward,
# stride 1, padding 1) and one row of both, where the frame that the padding
# paints shows as two edges as strong as the real ones.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/edges.gp
# reads DIR/scene.dat, DIR/kernel.dat, DIR/response.dat; writes DIR2/edges.png.
# A heatmap is a PNG: as SVG every pixel becomes an element (about 1 MB here).
# Drawn at twice the size it is shown (about 700 px wide): a font of 18 here
# reads as 12 px on the page.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
scene = datadir.'/scene.dat'
resp = datadir.'/response.dat'
row = 46     # the row of (d): it crosses the bar, the stroke and both borders
orange = '#e69f00'

set terminal pngcairo size 1400,1100 enhanced font 'sans,18' background rgb 'white'
set output outdir.'/edges.png'

stats resp matrix using 3 nooutput
r = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)
ymin = STATS_min; ymax = STATS_max

set multiplot
set label 99 "An edge detector: y = x ⋆ k (cross-correlation, stride 1, zero padding 1)" \
    at screen 0.5, screen 0.97 center font 'sans,19'
unset key
set tics out nomirror scale 0.7
set xlabel offset 0,0.6
set ylabel offset 0.8,0

# ---- (a) the input, with the ring of zeros the padding adds ----
set size ratio -1
set lmargin at screen 0.07
set rmargin at screen 0.33
set tmargin at screen 0.895
set bmargin at screen 0.555
set colorbox user origin graph 1.04, graph 0 size character 1.2, graph 1
set title "(a) input x and its zero padding" offset 0,-0.3
set xlabel "column j"
set ylabel "row i"
set xrange [-3.5:66.5]
set yrange [66.5:-3.5]
set xtics 0,16,63
set ytics 0,16,63
set palette gray
set cbrange [0:1]
set cbtics 0,0.5,1
set object 1 rect from -1.5,-1.5 to 64.5,64.5 fc rgb 'black' fs solid 1.0 noborder behind
set arrow 1 from -3.5,row to 66.5,row nohead dt 2 lw 2.5 lc rgb orange front
plot scene matrix with image
unset object 1

# ---- (b) the kernel ----
set lmargin at screen 0.47
set rmargin at screen 0.565
set tmargin at screen 0.79
set bmargin at screen 0.64
set title "(b) kernel k"
set xlabel "v"
set ylabel "u" offset 0,0
set xrange [-0.5:2.5]
set yrange [2.5:-0.5]
set xtics 0,1,2
set ytics 0,1,2
set palette defined (-1 '#2166ac', -0.5 '#92c5de', 0 '#f7f7f7', 0.5 '#f4a582', 1 '#b2182b')
set cbrange [-2:2]
unset colorbox
unset arrow 1
plot datadir.'/kernel.dat' matrix with image, \
     '' matrix using 1:2:(sprintf("%g", $3)) with labels font 'sans,19'

# ---- (c) the response ----
set colorbox user origin graph 1.04, graph 0 size character 1.2, graph 1
set lmargin at screen 0.655
set rmargin at screen 0.905
set tmargin at screen 0.895
set bmargin at screen 0.555
set title sprintf("(c) response y, %.2f to %.2f", ymin, ymax)
set xlabel "column j"
set ylabel "row i"
set xrange [-3.5:66.5]
set yrange [66.5:-3.5]
set xtics 0,16,63
set ytics 0,16,63
set cbrange [-r:r]
set cbtics 1
set object 2 rect from -0.5,-0.5 to 63.5,63.5 fs empty border rgb '#aaaaaa' lw 1 behind
set arrow 2 from -3.5,row to 66.5,row nohead dt 2 lw 2.5 lc rgb orange front
plot resp matrix with image
unset object 2
unset arrow 2
unset colorbox

# ---- (d) one row of the input and of the response ----
set size noratio
set lmargin at screen 0.07
set rmargin at screen 0.95
set xrange [-1.5:64.5]
set xtics 0,4,63
set grid ytics lc rgb '#e5e5e5'

# top strip: x along the row, with the padded zeros at j = -1 and j = 64
set tmargin at screen 0.42
set bmargin at screen 0.33
set title sprintf("(d) along row i = %d (dashed in (a) and (c)): input x, then response y", row)
set format x ""
unset xlabel
set ylabel "x"
set yrange [-0.1:1.1]
set ytics 0,1,1
set object 3 rect from -1.5,-0.1 to -0.5,1.1 fc rgb '#dddddd' fs solid 1.0 noborder behind
set object 4 rect from 63.5,-0.1 to 64.5,1.1 fc rgb '#dddddd' fs solid 1.0 noborder behind
set label 5 "0" at -1,0.3 center font 'sans,16'
set label 6 "0" at 64,0.3 center font 'sans,16'
stats scene matrix using ($1 == 0 && $2 == row ? $3 : NaN) name "FIRST" nooutput
stats scene matrix using ($1 == 63 && $2 == row ? $3 : NaN) name "LAST" nooutput
set arrow 5 from -1,0 to 0,FIRST_max nohead lw 2.5 lc rgb '#777777'
set arrow 6 from 63,LAST_max to 64,0 nohead lw 2.5 lc rgb '#777777'
plot '+' using (-1):(0) with points pt 7 ps 0.9 lc rgb 'black', \
     '+' using (64):(0) with points pt 7 ps 0.9 lc rgb 'black', \
     scene matrix using 1:($2 == row ? $3 : NaN) with linespoints lw 2.5 pt 7 ps 0.9 lc rgb '#777777'
unset object 3
unset object 4
unset label 5
unset label 6
unset arrow 5
unset arrow 6
unset title

# bottom: y along the row
set tmargin at screen 0.32
set bmargin at screen 0.08
set format x "%g"
set xlabel "column j"
set ylabel "y"
set yrange [-2.9:2.9]
set ytics -2,1,2
set arrow 3 from -1.5,0 to 64.5,0 nohead lc rgb '#888888' lw 1 back
set label 3 "frame edge: padding 0 → x" at 1.2,2.35 left font 'sans,17' tc rgb '#b2182b'
set label 4 "frame edge: x → padding 0" at 62.2,-2.4 right font 'sans,17' tc rgb '#2166ac'
set arrow 7 from 1.2,2.1 to 0.3,1.6 head size 0.6,25 lw 2 lc rgb '#b2182b'
set arrow 8 from 62.4,-2.3 to 62.9,-2.0 head size 0.6,25 lw 2 lc rgb '#2166ac'
plot resp matrix using 1:($2 == row ? $3 : NaN) with linespoints lw 2.5 pt 7 ps 0.9 lc rgb 'black'

unset multiplot

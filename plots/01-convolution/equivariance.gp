# equivariance.gp: chapter 01, figure "translation equivariance measured".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/equivariance.gp
# reads DIR/equivariance.dat (columns named in its header); writes
# DIR2/equivariance.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/equivariance.dat'

# Sized to be shown about 700 px wide: every text is 11-12 px on the page.
# The legends sit above 0.9 in each panel, where no error reaches (all are < 0.7).
set terminal svg size 700,610 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/equivariance.svg'

set multiplot title "Translation equivariance of 3×3 Sobel layers on a 64×64 view\nerror = ‖conv(T_δ x) − T_{δ/S} conv(x)‖ / ‖T_{δ/S} conv(x)‖" font 'sans,12'
set xlabel "shift δ of the input (pixels)" offset 0,0.3
set ylabel "relative error"
set xrange [-0.3:8.3]
set yrange [-0.03:1.38]
set xtics 0,1,8
set ytics 0,0.2,1
set grid ytics lc rgb '#dddddd'
set key top left reverse Left samplen 2 width -2 spacing 1.1 maxrows 4 font 'sans,11' opaque
set lmargin at screen 0.10
set rmargin at screen 0.98

# columns: 1 delta; 2,3 valid; 4,5 pad1; 6,7 two_layers; 8 roll_zero_pad;
# 9 roll_circ_pad; 10,11 stride2; 12,13 stride2_x2 (whole, interior)
set tmargin at screen 0.85
set bmargin at screen 0.565
set title "(a) stride 1: exact inside, broken only where padding is seen" offset 0,-0.4
set label 1 "four curves lie at exactly 0 for every δ" at 4, 0.11 center font 'sans,11'
plot f using 1:8 with linespoints lw 2 pt 9 ps 1.2 lc rgb '#984ea3' title "roll, zero padding (whole)", \
     f using 1:4 with linespoints lw 2 pt 7 ps 1.0 lc rgb '#e41a1c' title "pan, zero padding (whole)", \
     f using 1:6 with linespoints lw 2 pt 5 ps 1.0 lc rgb '#ff7f00' title "pan, conv-ReLU-conv (whole)", \
     f using 1:2 with linespoints lw 2 pt 13 ps 1.0 lc rgb '#377eb8' title "pan, no padding", \
     f using 1:5 with linespoints lw 2 dt 2 pt 6 ps 1.4 lc rgb '#e41a1c' title "pan, zero padding (interior)", \
     f using 1:7 with linespoints lw 2 dt 2 pt 4 ps 1.8 lc rgb '#ff7f00' title "pan, conv-ReLU-conv (interior)", \
     f using 1:9 with linespoints lw 2 dt 3 pt 2 ps 1.2 lc rgb '#4daf4a' title "roll, circular padding"
unset label 1

set tmargin at screen 0.41
set bmargin at screen 0.115
set key maxrows 2
set title "(b) stride S: equivariant only for shifts that are multiples of S"
plot f using 1:10 with linespoints lw 2 pt 7 ps 1.0 lc rgb '#e41a1c' title "stride 2 (whole)", \
     f using 1:12 with linespoints lw 2 pt 5 ps 1.0 lc rgb '#377eb8' title "two stride-2 layers, S = 4 (whole)", \
     f using 1:11 with linespoints lw 2 dt 2 pt 6 ps 1.4 lc rgb '#e41a1c' title "stride 2 (interior)", \
     f using 1:13 with linespoints lw 2 dt 2 pt 4 ps 1.6 lc rgb '#377eb8' title "two stride-2 layers, S = 4 (interior)"

unset multiplot

# equivariance.gp: chapter 01, figure "translation equivariance measured".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/equivariance.gp
# reads DIR/equivariance.dat (columns named in its header); writes
# DIR2/equivariance.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/equivariance.dat'

set terminal svg size 820,900 dynamic enhanced font 'sans,11' background rgb 'white'
set output outdir.'/equivariance.svg'

set multiplot layout 2,1 title "Translation equivariance measured on a 64×64 view, 3×3 Sobel layers\nerror = ‖conv(T_δ x) − T_{δ/S} conv(x)‖ / ‖T_{δ/S} conv(x)‖" font 'sans,13'
set xlabel "shift δ of the input (pixels)"
set ylabel "relative error"
set xrange [-0.3:8.3]
set yrange [-0.03:1.0]
set xtics 0,1,8
set grid ytics lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.1 font 'sans,10'
set ylabel "relative error"

# columns: 1 delta; 2,3 valid; 4,5 pad1; 6,7 two_layers; 8 roll_zero_pad;
# 9 roll_circ_pad; 10,11 stride2; 12,13 stride2_x2 (whole, interior)
set title "(a) stride 1: exact inside, broken only where padding is seen"
set label 1 "four curves lie at exactly 0 for every δ" at 4, 0.06 center font 'sans,10'
plot f using 1:8 with linespoints lw 2 pt 9 ps 1.2 lc rgb '#984ea3' title "circular shift, zero padding 1 (whole)", \
     f using 1:4 with linespoints lw 2 pt 7 ps 1.0 lc rgb '#e41a1c' title "pan, zero padding 1 (whole)", \
     f using 1:6 with linespoints lw 2 pt 5 ps 1.0 lc rgb '#ff7f00' title "pan, two layers conv-ReLU-conv, padding 1 (whole)", \
     f using 1:5 with linespoints lw 2 dt 2 pt 6 ps 1.4 lc rgb '#e41a1c' title "pan, zero padding 1 (interior)", \
     f using 1:7 with linespoints lw 2 dt 2 pt 4 ps 1.8 lc rgb '#ff7f00' title "pan, two layers (interior)", \
     f using 1:2 with linespoints lw 2 pt 13 ps 1.0 lc rgb '#377eb8' title "pan, no padding (whole = interior)", \
     f using 1:9 with linespoints lw 2 dt 3 pt 2 ps 1.2 lc rgb '#4daf4a' title "circular shift, circular padding (whole)"

unset label 1
set title "(b) stride S: equivariant only for shifts that are multiples of S"
plot f using 1:10 with linespoints lw 2 pt 7 ps 1.0 lc rgb '#e41a1c' title "stride 2, padding 1 (whole)", \
     f using 1:11 with linespoints lw 2 dt 2 pt 6 ps 1.4 lc rgb '#e41a1c' title "stride 2, padding 1 (interior)", \
     f using 1:12 with linespoints lw 2 pt 5 ps 1.0 lc rgb '#377eb8' title "two stride-2 layers, S = 4 (whole)", \
     f using 1:13 with linespoints lw 2 dt 2 pt 4 ps 1.6 lc rgb '#377eb8' title "two stride-2 layers, S = 4 (interior)"

unset multiplot

# rf_depth.gp: chapter 04, figure "the theoretical receptive field against
# depth" for four kinds of stack.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/04-receptive-fields/rf_depth.gp
# reads DIR/rf_depth.dat (columns: l conv3 conv3_s2 conv3_dilated vgg16
# vgg16_is_pool); writes DIR2/rf_depth.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/rf_depth.dat'

set terminal svg size 720,470 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/rf_depth.svg'

set title "The theoretical receptive field against depth" font 'sans,13'
set xlabel "layers l"
set ylabel "receptive field (input pixels)"
set logscale y 2
set format y "2^{%L}"
set xrange [-0.3:18.3]
set yrange [1:2**20]
set xtics 0,2,18
set ytics 1,4
set grid ytics xtics lc rgb '#e5e5e5'
set key top left reverse Left samplen 2 spacing 1.2 font 'sans,11' box opaque
set arrow 1 from graph 0, first 224 to graph 1, first 224 nohead dt 2 lc rgb '#888888'
set label 1 "a 224×224 image" at 0.4, 224 * 1.4 left font 'sans,10' tc rgb '#666666'

plot f using 1:3 with linespoints lw 2 pt 5 ps 0.8 lc rgb '#e31a1c' title "conv3 stride 2: 2^{l+1} − 1", \
     f using 1:4 with linespoints lw 2 dt 2 pt 2 ps 1.3 lc rgb '#6a3d9a' title "conv3 stride 1, dilation 2^{l−1}: the same", \
     f using 1:5 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#1f78b4' title "VGG-16 (13 conv3, 5 max pools)", \
     f using 1:($6 == 1 ? $5 : 1/0) with points pt 6 ps 1.8 lc rgb '#1f78b4' title "VGG-16: after a pool", \
     f using 1:2 with linespoints lw 2 pt 9 ps 0.9 lc rgb '#33a02c' title "conv3 stride 1: 2l + 1"

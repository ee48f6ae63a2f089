# int8.gp: chapter 06, figure "int8 inference of the trained modern net".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/int8.gp
# reads DIR/int8.dat (name, accuracy %); writes DIR2/int8.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/int8.dat'
set terminal svg size 500,320 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/int8.svg'
set title "Test accuracy of the trained modern LeNet-5\nwith its convolutions in float32 and in int8" font 'sans,12'
set ylabel "accuracy (%)"
stats f using 2 nooutput
set yrange [STATS_min - 1.5 : 100]
set xrange [-0.6:1.6]
set style fill solid 0.8 noborder
set boxwidth 0.6
set grid ytics lc rgb '#dddddd'
plot f using 0:2:xtic(1) with boxes lc rgb '#08519c' notitle, \
     f using 0:2:(sprintf("%.2f%%", $2)) with labels offset 0,0.8 font 'sans,12' notitle

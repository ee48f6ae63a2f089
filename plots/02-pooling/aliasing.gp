# aliasing.gp: chapter 02, figure "a stride-2 stage and one-pixel shifts".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/02-pooling/aliasing.gp
# reads DIR/aliasing.dat (columns: delta conv subsample2 max2 avg2
# maxblur2); writes DIR2/aliasing.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/aliasing.dat'

set terminal svg size 700,460 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/aliasing.svg'

set title "Equivariance error of a stride-2 stage after the conv layer\neven shifts are exact, odd shifts alias" font 'sans,12'
set xlabel "shift δ of the input (pixels)"
set ylabel "‖f(T_δ x) − T_{δ/2} f(x)‖ / ‖f(x)‖"
set xrange [-0.2:8.2]
set yrange [0:0.55]
set xtics 0,1,8
set ytics 0,0.1,0.5
set grid ytics lc rgb '#dddddd'
set key outside right center vertical Left reverse samplen 2 spacing 1.2 font 'sans,11'
set rmargin 26

plot f using 1:3 with linespoints lw 2 pt 7 lc rgb '#000000' title "subsample (1×1, s 2)", \
     f using 1:4 with linespoints lw 2 pt 5 lc rgb '#e31a1c' title "max pool 2×2, s 2", \
     f using 1:5 with linespoints lw 2 dt 2 pt 4 lc rgb '#ff7f00' title "avg pool 2×2, s 2", \
     f using 1:6 with linespoints lw 2 pt 9 lc rgb '#1f78b4' title "max s 1 + blur s 2", \
     f using 1:2 with linespoints lw 2 dt 3 pt 6 lc rgb '#33a02c' title "no stride (conv alone)"

# curves.gp: chapter 06, figure "training curves of the two LeNet-5s".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/curves.gp
# reads DIR/steps_lenet5-modern.dat, steps_lenet5.dat (step, loss, accuracy)
# and epochs_*.dat (epoch, train loss, train accuracy, test
# loss, test accuracy, seconds, images/s); writes DIR2/curves.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
sm = datadir.'/steps_lenet5-modern.dat'
so = datadir.'/steps_lenet5.dat'
em = datadir.'/epochs_lenet5-modern.dat'
eo = datadir.'/epochs_lenet5.dat'
# steps per epoch, from the two files' lengths
stats sm using 1 nooutput
steps = STATS_max
stats em using 1 nooutput
epochs = STATS_max
per = steps / epochs

set terminal svg size 700,620 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/curves.svg'
set multiplot title "LeNet-5 on MNIST: the 1998 net and the modern one, same data, seed and schedule" font 'sans,12'
set lmargin at screen 0.11
set rmargin at screen 0.97
set grid lc rgb '#dddddd'

set tmargin at screen 0.90
set bmargin at screen 0.55
set title "(a) training loss, every step (thin) and its running mean (thick)" offset 0,-0.4
unset xlabel
set ylabel "cross-entropy loss"
set logscale y
set yrange [0.001:5]
set xrange [0:epochs]
set key top right font 'sans,11' samplen 2 opaque
# running mean: an exponential average over about 50 steps
ema(first, v) = (m = first ? v : 0.98 * m + 0.02 * v)
m = 0
plot sm using ($1/per):2 with lines lw 0.5 lc rgb '#9ecae1' notitle, \
     so using ($1/per):2 with lines lw 0.5 lc rgb '#fdae6b' notitle, \
     sm using ($1/per):(ema($1 == 1, $2)) with lines lw 2.5 lc rgb '#08519c' title "modern (ReLU, max-pool, linear output)", \
     so using ($1/per):(ema($1 == 1, $2)) with lines lw 2.5 lc rgb '#d94801' title "1998 (scaled tanh, subsampling, RBF)"
unset logscale y

set tmargin at screen 0.44
set bmargin at screen 0.09
set title "(b) accuracy after each epoch"
set xlabel "epoch"
set ylabel "accuracy (%)"
set yrange [85:100.3]
set xrange [0.5:epochs+0.5]
set xtics 1,1,epochs
set key bottom right maxrows 2 font 'sans,11' opaque
plot em using 1:(100*$3) with linespoints lw 2 pt 6 dt 2 lc rgb '#08519c' title "modern, training", \
     em using 1:(100*$5) with linespoints lw 2 pt 7 lc rgb '#08519c' title "modern, test", \
     eo using 1:(100*$3) with linespoints lw 2 pt 4 dt 2 lc rgb '#d94801' title "1998, training", \
     eo using 1:(100*$5) with linespoints lw 2 pt 5 lc rgb '#d94801' title "1998, test"
unset multiplot

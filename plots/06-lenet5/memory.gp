# memory.gp: chapter 06, figure "memory of training, counted and measured".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/memory.gp
# reads DIR/memory.dat (batch; MB of parameters+gradients+velocity,
# activations, scratch, workspace; counted total; measured); writes
# DIR2/memory.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/memory.dat'
set terminal svg size 700,430 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/memory.svg'
set title "Training memory of the modern LeNet-5 against batch size" font 'sans,12'
set xlabel "batch size B"
set ylabel "MB (10^{6} bytes)"
set logscale xy
set xrange [0.7:1500]
set yrange [0.1:2000]
set grid lc rgb '#dddddd'
set key top left font 'sans,11' samplen 2 opaque
plot f using 1:2 with linespoints lw 2 pt 5 lc rgb '#4daf4a' title "weights + gradients + velocity (fixed)", \
     f using 1:3 with linespoints lw 2 pt 7 lc rgb '#377eb8' title "activations kept for backward", \
     f using 1:4 with linespoints lw 2 pt 9 lc rgb '#984ea3' title "gradient scratch (2 buffers)", \
     f using 1:5 with linespoints lw 2 pt 3 lc rgb '#ff7f00' title "convolution workspace (upper bound)", \
     f using 1:6 with linespoints lw 3 pt 6 ps 1.5 lc rgb '#000000' title "counted total, eq. (6.30)", \
     f using 1:7 with linespoints lw 2 dt 2 pt 4 ps 1.5 lc rgb '#e41a1c' title "measured: peak RSS of a training process"

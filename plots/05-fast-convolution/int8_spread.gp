# int8_spread.gp: chapter 05, figure "why one scale per output channel":
# the mean relative rms error of the output channels when the channels'
# weight magnitudes spread over a growing factor.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/int8_spread.gp
# reads DIR/int8_spread.dat (spread rms_per_channel rms_per_tensor); writes
# DIR2/int8_spread.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/int8_spread.dat'

set terminal svg size 760,460 dynamic enhanced font 'sans,13' background rgb 'white'
set output outdir.'/int8_spread.svg'

set title "int8 weights: one scale per output channel or one per tensor\n(64→64 channels, 3×3; channel o's weights × spread^{o/63})" font 'sans,13'
set xlabel "spread of the channels' weight magnitudes (largest / smallest)"
set ylabel "mean over channels of the relative rms error"
set logscale xy
set format y "10^{%L}"
set xrange [0.8:1300]
set yrange [5e-3:1.5]
set grid lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.2 font 'sans,13'

plot f using 1:3 with linespoints lw 2 pt 7 lc rgb '#ff7f00' title "one scale per tensor", \
     f using 1:2 with linespoints lw 2 pt 5 lc rgb '#377eb8' title "one scale per output channel (eq. 5.44)"

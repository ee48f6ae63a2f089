# fft_error.gp: chapter 05, figure "how accurate is the float FFT": the error
# of fft_radix2 against the DFT in double, and of the round trip, against n.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/fft_error.gp
# reads DIR/fft_error.dat (n log2n err_fwd_max err_fwd_rms err_roundtrip_max);
# writes DIR2/fft_error.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/fft_error.dat'

set terminal svg size 760,480 dynamic enhanced font 'sans,13' background rgb 'white'
set output outdir.'/fft_error.svg'

set title "Float radix-2 FFT against the DFT in double (random complex data)" font 'sans,13'
set xlabel "n (log scale)"
set ylabel "relative error"
set logscale xy 2
set logscale y 10
set format y "10^{%L}"
set xrange [1.5:6000]
set yrange [1e-8:2e-6]
set xtics (2, 8, 32, 128, 512, 2048)
set grid lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.2 font 'sans,13'
u = 2.0**-24

plot f using 1:3 with linespoints lw 2 pt 7 lc rgb '#e41a1c' title "forward, worst |X_k − X_k^{ref}| / rms |X^{ref}|", \
     f using 1:4 with linespoints lw 2 pt 5 lc rgb '#377eb8' title "forward, rms error / rms |X^{ref}|", \
     f using 1:5 with linespoints lw 2 pt 9 lc rgb '#4daf4a' title "inverse(forward(x)) vs x, worst / max |x|", \
     u*log(x)/log(2) with lines lw 1.5 dt 2 lc rgb '#000000' title "u log_2 n", \
     u*sqrt(log(x)/log(2)) with lines lw 1.5 dt 3 lc rgb '#666666' title "u √(log_2 n)"

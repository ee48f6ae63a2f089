# crossover.gp: chapter 05, which algorithm for which kernel size: the time
# of direct loops, im2col + GEMM, FFT and Winograd F(2x2, 3x3) on one layer
# (N = 1, 16 -> 16 channels, 64 x 64, "same" padding) as the kernel grows.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/crossover.gp
# reads DIR/crossover.dat (k direct im2col fft winograd, in ms) and
# DIR/machine.txt; writes DIR2/crossover.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/crossover.dat'
machine = system("head -1 '".datadir."/machine.txt'")

set terminal svg size 700,450 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/crossover.svg'

unset title
set label 10 "One layer, kernel k × k: N = 1, 16 → 16 channels, 64 × 64, padding (k−1)/2, 1 thread" at screen 0.5, screen 0.965 center font 'sans,12'
set label 11 machine at screen 0.5, screen 0.915 center noenhanced font 'sans,12'
set tmargin 4.5
set xlabel "kernel size k"
set ylabel "milliseconds per forward pass (logarithmic)"
set logscale y
set format y "%g"
set xrange [0:16]
set xtics 1,2,15
set grid lc rgb '#dddddd'
set key bottom right reverse Left samplen 2 spacing 1.2 font 'sans,12' box opaque

plot f using 1:2 with linespoints lw 2 pt 5 lc rgb '#000000' title "direct loops (chapter 01), grows as k^2", \
     f using 1:3 with linespoints lw 2 pt 7 lc rgb '#377eb8' title "im2col + GEMM, grows as k^2", \
     f using 1:4 with linespoints lw 2 pt 9 lc rgb '#4daf4a' title "FFT (own radix-2), about flat", \
     f using 1:5 with points pt 11 ps 1.8 lc rgb '#e41a1c' title "Winograd F(2×2, 3×3), 3×3 only"

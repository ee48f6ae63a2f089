# gemm_sizes.gp: chapter 05, GFLOP/s of gemm_blocked (scalar, your code) and
# of the engine's SIMD GEMM on 1 and 2 threads against the size n of a
# square product, beside the measured peak.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/gemm_sizes.gp
# reads DIR/ladder_sizes.dat (n blocked simd simd2), DIR/ladder.dat (for the
# peak) and DIR/machine.txt; writes DIR2/gemm_sizes.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/ladder_sizes.dat'
machine = system("head -1 '".datadir."/machine.txt'")
peak = real(system("awk '/peak_one_core/ {print $3}' '".datadir."/ladder.dat'"))

set terminal svg size 700,450 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/gemm_sizes.svg'

unset title
set label 10 "GEMM speed against the size of a square product, float32" at screen 0.5, screen 0.965 center font 'sans,12'
set label 11 machine at screen 0.5, screen 0.915 center noenhanced font 'sans,11'
set tmargin 4.5
set xlabel "n (C = A B, all n × n)"
set ylabel "GFLOP/s"
set logscale x 2
set xrange [28:1200]
set yrange [0:2.2 * peak]
set xtics (32, 64, 128, 256, 512, 1024)
set grid lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.2 font 'sans,11' box opaque

plot peak with lines lw 2 dt 2 lc rgb '#e41a1c' title "measured peak, 1 core", \
     2 * peak with lines lw 2 dt 3 lc rgb '#e41a1c' title "2 cores", \
     f using 1:4 with linespoints lw 2 pt 9 lc rgb '#984ea3' title "SIMD micro-kernel, 2 threads", \
     f using 1:3 with linespoints lw 2 pt 7 lc rgb '#377eb8' title "SIMD micro-kernel, 1 thread", \
     f using 1:2 with linespoints lw 2 pt 5 lc rgb '#4daf4a' title "gemm\\_blocked (scalar C, 4×8 tile)"

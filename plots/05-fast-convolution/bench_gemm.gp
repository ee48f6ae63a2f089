# bench_gemm.gp: chapter 05, the recorded `./build.sh bench` run: the
# engine's GEMM against OpenBLAS's sgemm on square n x n x n products, on 1
# and 2 threads, beside the measured peak.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/bench_gemm.gp
# reads DIR/bench_gemm.dat (rows: n threads own openblas, threads 1 and 2
# alternating) when it exists, otherwise the recorded run,
# plots/05-fast-convolution/bench_record_gemm.dat; writes DIR2/bench_gemm.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/bench_gemm.dat'
if (system("test -f '".f."' && echo 1 || echo 0") + 0 == 0) \
    f = 'plots/05-fast-convolution/bench_record_gemm.dat'
machine = system("sed -n 's/^# .\\/build.sh bench on //p' '".f."' | head -1")
peak = real(system("awk '/peak_gflops_one_core/ {print $3}' '".f."'"))

set terminal svg size 700,450 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/bench_gemm.svg'

unset title
set label 10 "The engine's GEMM against OpenBLAS sgemm, square products" at screen 0.5, screen 0.965 center font 'sans,12'
set label 11 machine at screen 0.5, screen 0.915 center noenhanced font 'sans,11'
set tmargin 4.5
set xlabel "n (C = A B, all n × n)"
set ylabel "GFLOP/s (median of interleaved runs)"
set logscale x 2
set xrange [200:2600]
set xtics (256, 512, 1024, 2048)
set yrange [0:2.3 * peak]
set grid lc rgb '#dddddd'
set key bottom right reverse Left samplen 2 spacing 1.15 font 'sans,11' box opaque maxrows 3

plot peak with lines lw 2 dt 2 lc rgb '#e41a1c' title "peak, 1 core", \
     2 * peak with lines lw 2 dt 3 lc rgb '#e41a1c' title "2 cores", \
     f every 2::0 using 1:3 with linespoints lw 2 pt 7 lc rgb '#377eb8' title "own GEMM, 1 thread", \
     f every 2::1 using 1:3 with linespoints lw 2 pt 5 lc rgb '#377eb8' dt 2 title "own GEMM, 2 threads", \
     f every 2::0 using 1:4 with linespoints lw 2 pt 9 lc rgb '#000000' title "OpenBLAS, 1 thread", \
     f every 2::1 using 1:4 with linespoints lw 2 pt 11 lc rgb '#000000' dt 2 title "OpenBLAS, 2 threads"

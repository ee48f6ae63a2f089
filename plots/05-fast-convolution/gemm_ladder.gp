# gemm_ladder.gp: chapter 05, the main figure: GFLOP/s of each step from the
# triple loop to the engine's threaded SIMD GEMM (n = 512), beside the
# measured float32 peak of one core and of two.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/gemm_ladder.gp
# reads DIR/ladder.dat (rung gflops seconds "label") and DIR/machine.txt;
# writes DIR2/gemm_ladder.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/ladder.dat'
machine = system("head -1 '".datadir."/machine.txt'")
peak = real(system("awk '/peak_one_core/ {print $3}' '".f."'"))

set terminal svg size 700,430 dynamic noenhanced font 'sans,12' background rgb 'white'
set output outdir.'/gemm_ladder.svg'

unset title
set label 10 "The GEMM ladder: C = A B, 512 x 512 x 512, float32" at screen 0.5, screen 0.96 center font 'sans,13'
set label 11 machine at screen 0.5, screen 0.91 center font 'sans,11'
set tmargin 4.5
set xlabel "GFLOP/s (logarithmic)"
set logscale x
set xrange [0.3:3 * peak]
set yrange [6.7:-0.7]
set ytics scale 0 font 'sans,11'
set xtics (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
set grid xtics lc rgb '#dddddd'
unset key
set style fill solid 0.85 border lc rgb '#555555'
set arrow 1 from peak, graph 0 to peak, graph 1 nohead lw 2 dt 2 lc rgb '#e41a1c'
set arrow 2 from 2 * peak, graph 0 to 2 * peak, graph 1 nohead lw 2 dt 3 lc rgb '#e41a1c'
set label 1 sprintf("peak, 1 core: %.0f ", peak) at peak, 0.1 right font 'sans,11' tc rgb '#e41a1c'
set label 2 sprintf(" 2 cores: %.0f", 2 * peak) at 2 * peak, 0.9 right font 'sans,11' tc rgb '#e41a1c'
set lmargin 34
set rmargin 3

# rungs 0-4: the exercises (your code); 5-6: the engine's SIMD path
plot f using (sqrt(0.3 * $2)):1:(0.3):2:($1 - 0.35):($1 + 0.35):ytic(4) \
       with boxxyerror lc rgb '#377eb8' notitle, \
     f using 2:1:(sprintf(" %.1f", $2)) with labels left font 'sans,11' notitle

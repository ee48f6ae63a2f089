# tile_budget.gp: chapter 05, bounded memory: the im2col path's speed
# against the budget of its column buffers, on a layer whose untiled columns
# take 27.6 MiB (N = 1, 64 -> 64, 112 x 112, 3 x 3).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/tile_budget.gp
# reads DIR/tile_budget.dat (budget_bytes tile_pixels workspace_bytes ms
# gflops) and DIR/machine.txt; writes DIR2/tile_budget.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/tile_budget.dat'
machine = system("head -1 '".datadir."/machine.txt'")
untiled = real(system("awk '/untiled columns/ {print $(NF-1)}' '".f."'"))

set terminal svg size 700,450 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/tile_budget.svg'

unset title
set label 10 "im2col + GEMM, N = 1, 64 → 64 channels, 112 × 112, 3 × 3, 1 thread" at screen 0.5, screen 0.965 center font 'sans,12'
set label 11 machine at screen 0.5, screen 0.915 center noenhanced font 'sans,11'
set tmargin 4.5
set xlabel "budget of the column buffers (logarithmic)"
set ylabel "GFLOP/s"
set logscale x 2
set xrange [16*1024:64*1048576]
set xtics ("32 KiB" 32768, "256 KiB" 262144, "1 MiB" 1048576, "4 MiB" 4194304, "32 MiB" 33554432)
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid lc rgb '#dddddd'
set key top left samplen 2 font 'sans,11' box opaque
set arrow 1 from 4194304, graph 0 to 4194304, graph 1 nohead lw 2 dt 2 lc rgb '#e41a1c'
set label 1 "the engine's budget (4 MiB)" at 4194304, graph 0.06 right offset -0.5,0 font 'sans,11' tc rgb '#e41a1c'
set arrow 2 from untiled, graph 0 to untiled, graph 1 nohead lw 2 dt 3 lc rgb '#555555'
set label 2 "untiled" at untiled, graph 0.14 right offset -0.5,0 font 'sans,11' tc rgb '#555555'

plot f using 1:5 with linespoints lw 2 pt 7 lc rgb '#377eb8' title "conv2d\\_forward\\_im2col", \
     f using 1:5:(sprintf("%d px", $2)) every 2 with labels offset 0,1.2 font 'sans,11' notitle

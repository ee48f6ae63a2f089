# bench_memory.gp: chapter 05, the recorded `./build.sh bench` run: the
# workspace each algorithm asks for on six layers (bars) and the peak
# resident memory of a process that runs the layer once (points).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/bench_memory.gp
# reads DIR/bench_memory.dat when it exists, otherwise the recorded run,
# plots/05-fast-convolution/bench_record_memory.dat; writes
# DIR2/bench_memory.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/bench_memory.dat'
if (system("test -f '".f."' && echo 1 || echo 0") + 0 == 0) \
    f = 'plots/05-fast-convolution/bench_record_memory.dat'
machine = system("sed -n 's/^# .\\/build.sh bench on //p' '".f."' | head -1")

set terminal svg size 700,470 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/bench_memory.svg'

set title "Workspace of each algorithm (the tensors x, w, y come on top)" font 'sans,12'
set style data histogram
set style histogram clustered gap 1.4
set style fill solid 0.9 border lc rgb '#444444'
set boxwidth 1.0
set logscale y
set yrange [0.01:5000]
set ytics ("10 kB" 0.01, "100 kB" 0.1, "1 MiB" 1, "10 MiB" 10, "100 MiB" 100, "1 GiB" 1024) font 'sans,11'
set grid ytics lc rgb '#dddddd'
set xtics scale 0 font 'sans,11' noenhanced
set ylabel "workspace (logarithmic; direct needs none)"
set key top left samplen 1.5 font 'sans,11' maxrows 2 width -1
set arrow 1 from graph 0, first 4 to graph 1, first 4 nohead lw 1.5 dt 2 lc rgb '#377eb8'
set label 1 "dashed: im2col's column budget, 4 MiB" at graph 0.02, first 150 left font 'sans,11' tc rgb '#377eb8'

colors = "#377eb8 #e41a1c #4daf4a #984ea3"
cols = "3 4 5 6"
names = "im2col winograd fft int8"
plot for [k = 1:4] f using (column(word(cols, k) + 0) > 0 ? column(word(cols, k) + 0) : NaN):xtic(1) \
         lc rgb word(colors, k) title word(names, k)

# bench_speed.gp: chapter 05, the recorded `./build.sh bench` run: effective
# GFLOP/s (direct convolution's 2 x MACs per second) of every algorithm on
# six layers, on 1 and 2 threads, beside PyTorch and the measured peak.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/bench_speed.gp
# reads DIR/bench_speed.dat when it exists (./build.sh bench draws its own
# run: DIR = build/bench), otherwise the recorded run the lesson quotes,
# plots/05-fast-convolution/bench_record_speed.dat (run from the repository's
# root, as build.sh does); writes DIR2/bench_speed.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/bench_speed.dat'
if (system("test -f '".f."' && echo 1 || echo 0") + 0 == 0) \
    f = 'plots/05-fast-convolution/bench_record_speed.dat'
machine = system("sed -n 's/^# .\\/build.sh bench on //p' '".f."' | head -1")
peak = real(system("awk '/peak_gflops_one_core/ {print $3}' '".f."'"))

set terminal svg size 700,720 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/bench_speed.svg'

set style data histogram
set style histogram clustered gap 1.4
set style fill solid 0.9 border lc rgb '#444444'
set boxwidth 1.0
set logscale y
set yrange [0.3:3 * peak]
set ytics (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) font 'sans,12'
set grid ytics lc rgb '#dddddd'
set xtics scale 0 font 'sans,12' noenhanced
set ylabel "GFLOP/s (logarithmic)"
set key outside top center horizontal samplen 1.5 font 'sans,12' maxcols 5 width -1

colors = "#000000 #377eb8 #e41a1c #fb9a99 #4daf4a #984ea3 #ff7f00 #a6a6a6"
cols = "2 3 4 5 6 7 8 9"
names = "direct im2col winograd winograd4 fft int8 auto PyTorch"

set multiplot layout 2,1 title "./build.sh bench, forward pass, medians of interleaved runs\n{/=12 ".machine."}" font 'sans,12'
do for [t = 0:1] {
    set title sprintf("%d thread%s", t + 1, t ? "s" : "") font 'sans,12'
    if (t == 1) { unset key }
    plot for [k = 1:8] f index t using (column(word(cols, k) + 0) > 0 ? column(word(cols, k) + 0) : NaN):xtic(1) \
             lc rgb word(colors, k) title word(names, k), \
         (t + 1) * peak with lines lw 2 dt 2 lc rgb '#e41a1c' title "measured peak"
}
unset multiplot

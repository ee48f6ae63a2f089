# erf_growth.gp: chapter 04, figure "theoretical against effective
# receptive field".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/04-receptive-fields/erf_growth.gp
# reads DIR/erf_growth.dat (columns: n rf_size sigma_uniform sigma_random
# sigma_relu r95_uniform r95_random r95_relu sigma_uniform_theory
# sigma_random_model) and DIR/erf_fit.dat (rows uniform, random, relu,
# model: name a b); writes DIR2/erf_growth.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/erf_growth.dat'
fit = datadir.'/erf_fit.dat'

# the fitted exponents, row by row
stats fit using 3 every ::0::0 nooutput
b_uni = STATS_min
stats fit using 3 every ::1::1 nooutput
b_rnd = STATS_min
stats fit using 3 every ::2::2 nooutput
b_relu = STATS_min
stats fit using 3 every ::3::3 nooutput
b_model = STATS_min

set terminal svg size 760,900 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/erf_growth.svg'
set multiplot layout 2,1 title "The effective receptive field of the centre unit of n stacked 3×3 layers" font 'sans,13'
set grid xtics ytics lc rgb '#e5e5e5'

# ---- (a) sizes, linear axes ------------------------------------------------------
set title "(a) the theoretical field grows like n, the effective one like √n"
set xlabel "layers n"
set ylabel "width (input pixels)"
set xrange [0:33]
set yrange [0:70]
set key top left reverse Left samplen 2 spacing 1.15 font 'sans,11' box opaque
plot f using 1:2 with linespoints lw 2 pt 9 ps 0.9 lc rgb '#33a02c' title "theoretical RF, 2n + 1", \
     f using 1:(2 * $7 + 1) with linespoints lw 2 pt 5 ps 0.8 lc rgb '#e31a1c' title "95% of the gradient mass: random weights", \
     f using 1:(2 * $8 + 1) with linespoints lw 2 dt 2 pt 4 ps 1.1 lc rgb '#ff7f00' title "95% of the gradient mass: random weights + ReLU", \
     f using 1:(2 * $6 + 1) with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f78b4' title "95% of the gradient mass: uniform weights"

# ---- (b) spread, log-log -------------------------------------------------------------
set title "(b) spread σ of the gradient map (erf\\_spread), log–log"
set logscale xy
set xrange [0.9:36]
set yrange [0.5:40]
set xtics (1, 2, 4, 8, 16, 32)
set ytics (0.5, 1, 2, 4, 8, 16, 32)
set ylabel "σ, or half the RF (input pixels)"
set key top left reverse Left samplen 2 spacing 1.15 font 'sans,11' box opaque
plot f using 1:(($2 - 1) / 2) with lines lw 2 lc rgb '#33a02c' title "half the theoretical RF: n (slope 1)", \
     f using 1:10 with lines lw 1.5 dt 2 lc rgb '#e31a1c' title sprintf("model √(T_n) for random weights (fit b = %.2f)", b_model), \
     f using 1:4 with points pt 5 ps 0.9 lc rgb '#e31a1c' title sprintf("random weights: fit n^{%.2f}", b_rnd), \
     f using 1:5 with points pt 4 ps 1.3 lc rgb '#ff7f00' title sprintf("random weights + ReLU: fit n^{%.2f}", b_relu), \
     f using 1:9 with lines lw 1.5 dt 3 lc rgb '#1f78b4' title "√(2n/3), exact for uniform weights", \
     f using 1:3 with points pt 7 ps 0.9 lc rgb '#1f78b4' title sprintf("uniform weights: fit n^{%.2f}", b_uni)
unset multiplot

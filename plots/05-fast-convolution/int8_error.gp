# int8_error.gp: chapter 05, figure "what int8 costs in accuracy": relative
# error of the int8 layer against a double-precision fp32 layer for the
# bench's layer shapes, with per-channel and per-tensor weight scales, beside
# the prediction of eq. (5.47).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/int8_error.gp
# reads DIR/int8_error.dat (idx name K rel_err_max rel_err_rms rms_per_tensor
# predicted_rms); writes DIR2/int8_error.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/int8_error.dat'

set terminal svg size 760,470 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/int8_error.svg'

set title "int8 layers against fp32 (x uniform in [0, 1), He-initialised weights, N = 1)" font 'sans,12' noenhanced
set ylabel "relative error of y"
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.9
set bmargin 4.5
set logscale y
set format y "%g"
set ytics (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
set yrange [1e-3:1e-1]
set grid ytics lc rgb '#dddddd'
set key top right samplen 1.5 spacing 1.15 font 'sans,11'
set xtics scale 0 font 'sans,11' noenhanced

plot f using 5:xtic(sprintf("%s\nK = %d", strcol(2), int($3))) title "rms error, per-channel weight scales" lc rgb '#377eb8', \
     '' using 6 title "rms error, one weight scale per tensor" lc rgb '#ff7f00', \
     '' using 7 title "rms predicted by eq. (5.47)" lc rgb '#bbbbbb', \
     '' using 4 title "worst element / max |y|" lc rgb '#e41a1c'

# winograd_error.gp: chapter 05, figure "how accurate is Winograd": the
# error of im2col (plain float sums), F(2x2,3x3) and F(4x4,3x3) against a
# double-precision sum, as the number of products per output grows.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/05-fast-convolution/winograd_error.gp
# reads DIR/winograd_error.dat (c_in K err_im2col err_f2 err_f4 rms_im2col
# rms_f2 rms_f4); writes DIR2/winograd_error.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/winograd_error.dat'

set terminal svg size 760,500 dynamic enhanced font 'sans,13' background rgb 'white'
set output outdir.'/winograd_error.svg'

set title "Error against a double-precision sum (16×16 images, 3×3, padding 1, U(−1,1) data)" font 'sans,13'
set xlabel "K, products per output (9 × C_{in})"
set ylabel "error (relative to the output's scale)"
set logscale xy
set format y "10^{%L}"
set xrange [6:3500]
set yrange [1e-8:1e-1]
set xtics (9, 36, 144, 576, 2304)
set grid lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.15 font 'sans,13' maxrows 5 width -3

plot 1e-3 with lines lw 1.5 dt 2 lc rgb '#984ea3' title "tests' tolerance for F(4×4)", \
     1e-4 with lines lw 1.5 dt 2 lc rgb '#000000' title "tests' tolerance for F(2×2), FFT, im2col", \
     f using 2:5 with linespoints lw 2 pt 9 ps 1.1 lc rgb '#984ea3' title "F(4×4, 3×3), worst element", \
     f using 2:4 with linespoints lw 2 pt 7 ps 1.0 lc rgb '#e41a1c' title "F(2×2, 3×3), worst element", \
     f using 2:3 with linespoints lw 2 pt 5 ps 1.0 lc rgb '#377eb8' title "im2col + GEMM, worst element", \
     f using 2:8 with linespoints lw 1.5 dt 3 pt 8 ps 1.0 lc rgb '#984ea3' title "F(4×4), rms", \
     f using 2:7 with linespoints lw 1.5 dt 3 pt 6 ps 1.0 lc rgb '#e41a1c' title "F(2×2), rms", \
     f using 2:6 with linespoints lw 1.5 dt 3 pt 4 ps 1.0 lc rgb '#377eb8' title "im2col, rms"

# accuracy.gp: chapter 01, figure "how exact is exact": the largest relative
# error of float accumulation against a double-precision sum, as a function of
# the number K of products per output, beside the tests' tolerance.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/01-convolution/accuracy.gp
# reads DIR/accuracy.dat; writes DIR2/accuracy.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/accuracy.dat'

# Sized to be shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,470 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/accuracy.svg'

set title "Float accumulation vs a double-precision sum\n(random 3×3 layers, data uniform in (−1, 1))" font 'sans,12'
set xlabel "K, products summed per output (C_{in} × 3 × 3)"
set ylabel "|y_{float} − y_{double}| / max(|y|, floor · max|y|)"
set logscale xy
set format y "10^{%L}"
set xrange [6:450]
set yrange [1e-8:1e-1]
set xtics (9, 18, 36, 72, 144, 288)
set grid lc rgb '#dddddd'
set key top left reverse Left samplen 2 spacing 1.25 font 'sans,11'
u = 2.0**-24

plot 1e-4 with lines lw 2 dt 2 lc rgb '#000000' title "the tests' tolerance (rtol 10^{-4}, floor 1%)", \
     f using 1:2 with linespoints lw 2 pt 7 lc rgb '#e41a1c' title "worst element, floor 0.1% of max|y|", \
     f using 1:3 with linespoints lw 2 pt 5 lc rgb '#377eb8' title "worst element, floor 1% of max|y| (as in the tests)", \
     f using 1:4 with linespoints lw 2 pt 9 lc rgb '#4daf4a' title "root-mean-square, floor 1%", \
     u with lines lw 1 dt 3 lc rgb '#666666' title "unit roundoff u = 2^{−24}"

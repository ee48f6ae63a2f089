# invariance.gp: chapter 02, figure "how much invariance pooling buys".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/02-pooling/invariance.gp
# reads DIR/invariance.dat (columns: delta conv max2 avg2 max4 avg4 gap) and
# DIR/unchanged.dat (columns: delta, then measured and theory for k = 2, 3,
# 4); writes DIR2/invariance.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/invariance.dat'
u = datadir.'/unchanged.dat'

set terminal svg size 700,800 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/invariance.svg'

set multiplot
set lmargin at screen 0.11
set rmargin at screen 0.66
set xlabel "shift δ of the input (pixels)" offset 0,0.3
set grid ytics lc rgb '#dddddd'
set key at screen 0.995, graph 0.5 right center vertical Left reverse samplen 2 spacing 1.2 font 'sans,11'

# ---- (a) conv features ----------------------------------------------------------
set tmargin at screen 0.93
set bmargin at screen 0.56
set title "(a) relative change of the output when the input pans by δ\nrandom 5×5 conv + ReLU (8 channels), 48×48 views, 24 scenes" font 'sans,12'
set ylabel "‖f(T_δ x) − f(x)‖ / ‖f(x)‖"
set xrange [-0.2:8.2]
set yrange [0:1.25]
set xtics 0,1,8
set ytics 0,0.2,1.2
plot f using 1:2 with linespoints lw 2 pt 7 lc rgb '#000000' title "conv alone", \
     f using 1:3 with linespoints lw 2 pt 5 lc rgb '#e31a1c' title "+ max pool 2×2, s 2", \
     f using 1:4 with linespoints lw 2 dt 2 pt 4 lc rgb '#e31a1c' title "+ avg pool 2×2, s 2", \
     f using 1:5 with linespoints lw 2 pt 9 lc rgb '#1f78b4' title "+ max pool 4×4, s 4", \
     f using 1:6 with linespoints lw 2 dt 2 pt 8 lc rgb '#1f78b4' title "+ avg pool 4×4, s 4", \
     f using 1:7 with linespoints lw 2 pt 13 lc rgb '#33a02c' title "+ global avg pool"

# ---- (b) i.i.d. pixels, against eq. (2.9) ------------------------------------------
set tmargin at screen 0.42
set bmargin at screen 0.07
set title "(b) i.i.d. pixels: share of k×k max-pool outputs a pan leaves unchanged" font 'sans,12'
set ylabel "fraction unchanged"
set xrange [-0.2:4.2]
set yrange [0:1.05]
set xtics 0,1,4
set ytics 0,0.2,1
plot u using 1:3 with lines lw 1.5 dt 2 lc rgb '#e31a1c' title "(k−δ)/(k+δ), k = 2", \
     u using 1:2 with points pt 7 ps 1.2 lc rgb '#e31a1c' title "measured, k = 2", \
     u using 1:5 with lines lw 1.5 dt 2 lc rgb '#ff7f00' title "(k−δ)/(k+δ), k = 3", \
     u using 1:4 with points pt 5 ps 1.2 lc rgb '#ff7f00' title "measured, k = 3", \
     u using 1:7 with lines lw 1.5 dt 2 lc rgb '#1f78b4' title "(k−δ)/(k+δ), k = 4", \
     u using 1:6 with points pt 9 ps 1.3 lc rgb '#1f78b4' title "measured, k = 4"
unset multiplot

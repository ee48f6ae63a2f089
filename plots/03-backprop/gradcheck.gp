# gradcheck.gp: chapter 03, figure "gradient checks against the step h":
# the error of eq. (3.16) between each backward pass and central differences
# of the forward pass, (a) with the loss computed in float, (b) in double.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/03-backprop/gradcheck.gp
# reads DIR/gradcheck.dat and DIR/gradcheck_gap.dat (written by the chapter's
# experiment); writes DIR2/gradcheck.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/gradcheck.dat'
gap = real(system("grep -v '^#' ".datadir."/gradcheck_gap.dat | head -n 1"))

set encoding utf8
set terminal svg size 720,800 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/gradcheck.svg'
set datafile missing 'nan'

set multiplot title "Gradient checks: backward pass vs central differences of the forward pass\nerror of eq. (3.16), largest over the components" font 'sans,12'
set logscale xy
set xrange [5e-8:0.2]
set yrange [1e-9:30]
set format x "10^{%L}"
set format y "10^{%L}"
set xtics 1e-7,10,0.1
set ytics 1e-9,100,10
set mytics 2
set grid xtics ytics lc rgb '#dddddd'
set ylabel "error (3.16)"
set lmargin at screen 0.12
set rmargin at screen 0.97

c_dx = '#e41a1c'; c_dw = '#377eb8'; c_db = '#4daf4a'
c_mp = '#984ea3'; c_ap = '#ff7f00'; c_th = '#333333'

set arrow 1 from gap, 1e-9 to gap, 30 nohead dt 2 lw 1.5 lc rgb c_mp
set label 1 sprintf("smallest gap in a max-pool window: %.1e", gap) at gap/1.2, 3e-9 right tc rgb c_mp font 'sans,10'

# columns: 1 h; float: 2 conv_dx 3 conv_dw 4 conv_db 5 maxpool 6 avgpool
# 7 conv_dx_tanh; double: 8..13 in the same order
set tmargin at screen 0.88
set bmargin at screen 0.575
set title "(a) loss computed in float (the course's forward passes)" offset 0,-0.5
set format x ""
unset xlabel
set key at screen 0.97, screen 0.095 right maxrows 2 width -1 samplen 2 spacing 1.1 font 'sans,11'
plot f using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb c_dx title "conv dx", \
     f using 1:3 with linespoints lw 2 pt 5 ps 0.8 lc rgb c_dw title "conv dweight", \
     f using 1:4 with linespoints lw 2 pt 9 ps 0.9 lc rgb c_db title "conv dbias", \
     f using 1:5 with linespoints lw 2 pt 13 ps 0.9 lc rgb c_mp title "max pool dx", \
     f using 1:6 with linespoints lw 2 pt 11 ps 0.9 lc rgb c_ap title "avg pool dx", \
     f using 1:7 with linespoints lw 2 dt 4 pt 6 ps 0.8 lc rgb c_th title "conv dx, tanh head"

set tmargin at screen 0.52
set bmargin at screen 0.185
set title "(b) loss computed in double (the analytic gradient is still float)" offset 0,-0.5
set format x "10^{%L}"
set xlabel "finite-difference step h" offset 0,0.3
unset key
plot f using 1:8 with linespoints lw 2 pt 7 ps 0.8 lc rgb c_dx, \
     f using 1:9 with linespoints lw 2 pt 5 ps 0.8 lc rgb c_dw, \
     f using 1:10 with linespoints lw 2 pt 9 ps 0.9 lc rgb c_db, \
     f using 1:11 with linespoints lw 2 pt 13 ps 0.9 lc rgb c_mp, \
     f using 1:12 with linespoints lw 2 pt 11 ps 0.9 lc rgb c_ap, \
     f using 1:13 with linespoints lw 2 dt 4 pt 6 ps 0.8 lc rgb c_th

unset multiplot

# numgrad_error.gp: chapter 00's figure of the relative error of numerical
# gradients against the step h (the truncation vs round-off "V").
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" numgrad_error.gp
# reads DIR/numgrad_error.dat and DIR/numgrad_optima.dat (written by the
# chapter's experiment) and writes DIR2/numgrad_error.svg. (numgrad_optima.dat
# never holds a NaN: gnuplot 5.4 crashes on a label at a NaN point.)
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
data = datadir."/numgrad_error.dat"
optima = datadir."/numgrad_optima.dat"

set encoding utf8
# Sized to be shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,600 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir."/numgrad_error.svg"

set title "Numerical gradient of a logistic-regression loss (16 weights)"
set xlabel "step h (same units as the weights w)"
set ylabel "relative error  ||g_{num} - g|| / ||g||"
set logscale xy
set xrange [1e-12:0.1]
set yrange [1e-11:10]
set format x "10^{%L}"
set format y "10^{%L}"
set grid xtics ytics lt 1 dt 1 lc rgb "#dddddd" lw 0.8
set key below center horizontal maxrows 2 width -1 samplen 2.5 spacing 1.15 font ",11"
set border lw 1

red = "#c0392b"; blue = "#1f5fa8"; grey = "#444444"
best(h, e) = sprintf("h = %.1e\nerror %.1e", h, e)

# The slopes of the error model's branches, eqs. (0.7), (0.9), (0.10).
set label 1 "slope 1: truncation (h/2)|f''|" at 2e-5,4e-5 right tc rgb red font ",11"
set label 2 "slope 2: truncation\n(h^2/6)|f'''|" at 0.08,1e-9 right tc rgb blue font ",11"
set label 3 "slope -1: round-off ε|f|/h, float" at 2e-5,1.5 left tc rgb grey font ",11"
set label 4 "slope -1: round-off, double" at 1.5e-12,2e-2 left tc rgb grey font ",11"

# >>> plot
plot \
  data using 1:6 with lines dt 2 lw 1.2 lc rgb red notitle, \
  data using 1:7 with lines dt 2 lw 1.2 lc rgb blue notitle, \
  data using 1:8 with lines dt 2 lw 1.2 lc rgb red notitle, \
  data using 1:9 with lines dt 2 lw 1.2 lc rgb blue notitle, \
  data using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb red  title "forward, float", \
  data using 1:3 with linespoints lw 2 pt 7 ps 0.8 lc rgb blue title "central, float", \
  data using 1:4 with linespoints lw 2 pt 6 ps 0.8 lc rgb red  title "forward, double", \
  data using 1:5 with linespoints lw 2 pt 6 ps 0.8 lc rgb blue title "central, double", \
  NaN with lines dt 2 lw 1.2 lc rgb red  title "model, forward", \
  NaN with lines dt 2 lw 1.2 lc rgb blue title "model, central", \
  optima using 2:3 with points pt 4 ps 2.2 lw 2 lc rgb "black" title "measured best h", \
  optima using 2:($1 == 0 ? $3 : 1/0):(best($2, $3)) \
      with labels offset 0,3 font ",11" notitle, \
  optima using 2:($1 == 1 ? $3 : 1/0):(best($2, $3)) \
      with labels offset -8,0 font ",11" notitle, \
  optima using 2:($1 == 2 ? $3 : 1/0):(best($2, $3)) \
      with labels offset -1,-2.4 font ",11" notitle, \
  optima using 2:($1 == 3 ? $3 : 1/0):(best($2, $3)) \
      with labels offset 7,0 font ",11" notitle
# <<< plot

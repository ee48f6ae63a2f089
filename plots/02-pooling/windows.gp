# windows.gp: chapter 02, figure "which cells each output reads" (one axis).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/02-pooling/windows.gp
# reads DIR/windows_cells.dat, windows_bars.dat, windows_geom.dat (written by
# the experiment from pool_out_size and eqs. (2.3)-(2.6)); writes
# DIR2/windows.svg. One panel per geometry: the padded axis on top (pixels
# numbered, padding grey), below it one bar per output j spanning its window;
# the part of a window past the padded input is cut off (dashed), a window
# dropped by eq. (2.6) is drawn dashed in red. D = divisor of eq. (2.3) with
# count_include_pad = 1 | 0.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
fc = datadir.'/windows_cells.dat'
fb = datadir.'/windows_bars.dat'
fg = datadir.'/windows_geom.dat'

set terminal svg size 700,1000 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/windows.svg'

unset key
unset border
unset tics
set xrange [-2.2:11.8]
set yrange [-3.45:1.75]
set style fill solid 1.0 border lc rgb '#444444'
bar(j) = -0.8 * (j + 1)
npanels = 5
ptop(p) = 0.955 - p * 0.178
pbot(p) = ptop(p) - 0.155
letters = "abcde"

set label 10 "dark: pixels the window reads; light: padding it reads; dashed grey: cut off past the padded input.\nD = divisor of eq. (2.3), with count\\_include\\_pad = 1 | 0. Max pooling reads the same cells (padding = -∞)." \
    at screen 0.02, screen 0.04 left font 'sans,11'
set multiplot title "Pooling windows along one axis: the cells each output reads" font 'sans,13'
set lmargin at screen 0.02
set rmargin at screen 0.98
do for [p = 0:npanels - 1] {
    if (p == 1) { unset label 10 }  # a screen label is drawn by every plot: once is enough
    set tmargin at screen ptop(p)
    set bmargin at screen pbot(p)
    plot \
      fg using (-2.1):(1.45):(($1 == p) ? sprintf("(%s) in = %d, kernel %d, stride %d, padding %d, %s mode: %d outputs", \
            substr(letters, p + 1, p + 1), $2, $3, $4, $5, ($6 == 1 ? "ceil" : "floor"), $7) : "") \
            with labels left font 'sans,12', \
      fc using (($1 == p) ? $2 + 0.5 : 1/0):(0.4):($2 + 0.05):($2 + 0.95):(0.05):(0.75):($3 == 1 ? 0xc8c8c8 : 0xffffff) \
            with boxxyerror fc rgb variable, \
      fc using (($1 == p) ? $2 + 0.5 : 1/0):(0.4):($3 == 1 ? "pad" : sprintf("%d", $2)) with labels font 'sans,11', \
      fb using (($1 == p && $4 > $5 && $10 == 0) ? ($4 + $5) / 2.0 : 1/0):(0.4):($5 + 0.05):($4 - 0.05):(0.05):(0.75) \
            with boxxyerror fs empty lc rgb '#888888' dt 2, \
      fb using (($1 == p && $4 > $5 && $10 == 0) ? ($4 + $5) / 2.0 : 1/0):(0.4):("past") with labels font 'sans,10' tc rgb '#888888', \
      fb using (($1 == p && $10 == 0) ? ($3 + $5) / 2.0 : 1/0):(bar($2)):($3 + 0.05):($5 - 0.05):(bar($2) - 0.25):(bar($2) + 0.25) \
            with boxxyerror fc rgb '#a6cee3', \
      fb using (($1 == p && $10 == 0 && $7 > $6) ? ($6 + $7) / 2.0 : 1/0):(bar($2)):($6 + 0.05):($7 - 0.05):(bar($2) - 0.25):(bar($2) + 0.25) \
            with boxxyerror fc rgb '#1f78b4', \
      fb using (($1 == p && $10 == 0 && $4 > $5) ? ($4 + $5) / 2.0 : 1/0):(bar($2)):($5 + 0.05):($4 - 0.05):(bar($2) - 0.25):(bar($2) + 0.25) \
            with boxxyerror fs empty lc rgb '#888888' dt 2, \
      fb using (($1 == p && $10 == 1) ? ($3 + $4) / 2.0 : 1/0):(bar($2)):($3 + 0.05):($4 - 0.05):(bar($2) - 0.25):(bar($2) + 0.25) \
            with boxxyerror fs empty lc rgb '#e31a1c' lw 1.5 dt 2, \
      fb using (($1 == p) ? -2.1 : 1/0):(bar($2)):(sprintf("y_%d", $2)) with labels left font 'sans,12', \
      fb using (($1 == p && $10 == 0) ? 8.6 : 1/0):(bar($2)):(sprintf("D = %d | %d", $8, $9)) \
            with labels left font 'sans,11', \
      fb using (($1 == p && $10 == 1) ? 8.6 : 1/0):(bar($2)):("dropped, eq. (2.6)") \
            with labels left font 'sans,11' tc rgb '#e31a1c'
}
unset multiplot

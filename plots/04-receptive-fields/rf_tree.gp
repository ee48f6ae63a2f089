# rf_tree.gp: chapter 04, diagram "what one unit sees, layer by layer".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/04-receptive-fields/rf_tree.gp
# reads DIR/rf_tree_nodes.dat (layer unit x read), DIR/rf_tree_edges.dat
# (x_top layer_top x_bottom layer_bottom) and DIR/rf_tree_layers.dat (layer
# size jump first lo hi name); writes DIR2/rf_tree.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
nodes = datadir.'/rf_tree_nodes.dat'
edges = datadir.'/rf_tree_edges.dat'
layers = datadir.'/rf_tree_layers.dat'

set terminal svg size 760,440 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/rf_tree.svg'

# the window of the top unit, and the top layer's jump
stats layers using 5 every ::4::4 nooutput
lo = STATS_min
stats layers using 6 every ::4::4 nooutput
hi = STATS_min
stats layers using 2 every ::4::4 nooutput
rf = STATS_min
stats layers using 3 every ::4::4 nooutput
jump = STATS_min
stats nodes using 3 every ::0 nooutput
stats nodes using ($1 == 4 && $2 == 0 ? $3 : 1/0) nooutput
x0 = STATS_min
stats nodes using ($1 == 4 && $2 == 1 ? $3 : 1/0) nooutput
x1 = STATS_min

set title "Unit 0 of the top layer and every unit it depends on\n(each unit drawn at the centre of its own window, in input pixels)" font 'sans,13'
unset key
unset border
unset ytics
set xtics 0,2,22 nomirror out
set xlabel "input position (pixels)"
set xrange [-1:37.5]
set yrange [-1.35:4.75]

# the receptive field of the top unit, under the input row
set object 1 rect from lo - 0.45, -0.95 to hi + 0.45, -0.7 fc rgb '#fdd0a2' fs solid 1.0 noborder
set label 1 sprintf("the top unit's receptive field:\npositions %d..%d, RF = %d", lo, hi, rf) \
    at hi + 1.2, -0.82 left font 'sans,11'
# the jump between neighbouring units of the top layer
set arrow 1 from x0, 4.38 to x1, 4.38 heads size 0.25,30 lw 1.5 lc rgb '#444444'
set label 2 sprintf("jump %d", jump) at (x0 + x1) / 2.0, 4.6 center font 'sans,11'

plot edges using 3:4:($1 - $3):($2 - $4) with vectors nohead lw 1.2 lc rgb '#9ecae1', \
     nodes using 3:($4 == 0 ? $1 : 1/0) with points pt 6 ps 0.9 lc rgb '#bbbbbb', \
     nodes using 3:($4 == 1 ? $1 : 1/0) with points pt 7 ps 1.1 lc rgb '#2171b5', \
     nodes using 3:($1 == 4 && $2 == 0 ? $1 : 1/0) with points pt 7 ps 1.9 lc rgb '#d94801', \
     layers using (25.3):1:(sprintf("%s: RF %d, jump %d", stringcolumn(7), $2, $3)) \
            with labels left font 'sans,11' tc rgb '#222222'

# memory_layout.gp: chapter 00's figure of where each element of a small
# (N, C, H, W) = (1, 3, 2, 3) tensor lives in memory, in NCHW and in NHWC order.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" memory_layout.gp
# reads DIR/memory_layout.dat (written by the chapter's experiment, with the
# offsets computed by nchw_index and nhwc_index) and writes
# DIR2/memory_layout.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
data = datadir."/memory_layout.dat"

set encoding utf8
set terminal svg size 900,330 dynamic enhanced font 'sans,11' background rgb 'white'
set output outdir."/memory_layout.svg"

set title "One (N, C, H, W) = (1, 3, 2, 3) tensor, two memory orders; each cell is labelled with its (c, h, w)"
set xlabel "offset in memory (elements of 4 bytes)"
set xrange [-0.6:17.6]
set yrange [-0.7:1.7]
set xtics 0,1,17 nomirror scale 0
set ytics ("NHWC\n(channel last)" 0, "NCHW\n(PyTorch, this course)" 1) scale 0
set border 1
set key outside right top vertical spacing 1.3 font ",10"
unset grid

# channel 0, 1, 2: red, green, blue, as the planes of an RGB image
channel_rgb(c) = c == 0 ? 0xe06666 : c == 1 ? 0x6aa84f : 0x5b8bd6
label(c, h, w) = sprintf("%d,%d,%d", c, h, w)

plot \
  data using 4:(1):(0.47):(0.36):(channel_rgb($1)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
  data using 5:(0):(0.47):(0.36):(channel_rgb($1)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
  data using 4:(1):(label($1, $2, $3)) with labels font ",10" tc rgb "white" notitle, \
  data using 5:(0):(label($1, $2, $3)) with labels font ",10" tc rgb "white" notitle, \
  NaN with boxes fs solid 1.0 lc rgb "#e06666" title "channel c = 0", \
  NaN with boxes fs solid 1.0 lc rgb "#6aa84f" title "channel c = 1", \
  NaN with boxes fs solid 1.0 lc rgb "#5b8bd6" title "channel c = 2"

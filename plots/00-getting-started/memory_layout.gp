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
# Sized to be shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,320 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir."/memory_layout.svg"

set label 1 "A (1, 3, 2, 3) tensor in two memory orders; each cell is labelled (c, h, w)" at screen 0.5, screen 0.93 center
set xlabel "offset in memory (elements of 4 bytes)"
set xrange [-0.55:17.55]
set yrange [-0.6:1.6]
set xtics 0,1,17 nomirror scale 0
set ytics ("NHWC\n(channel last)" 0, "NCHW\n(PyTorch)" 1) scale 0
set border 1
set lmargin 11
set rmargin 1.5
set tmargin 5
set key at screen 0.5, screen 0.82 center center horizontal samplen 1.5 width 1 font ",12"
unset grid

# channel 0, 1, 2: red, green, blue, as the planes of an RGB image
channel_rgb(c) = c == 0 ? 0xd05050 : c == 1 ? 0x4f8a36 : 0x3f73c4
label(c, h, w) = sprintf("%d,%d,%d", c, h, w)

plot \
  data using 4:(1):(0.47):(0.40):(channel_rgb($1)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
  data using 5:(0):(0.47):(0.40):(channel_rgb($1)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
  data using 4:(1):(label($1, $2, $3)) with labels font ",11" tc rgb "white" notitle, \
  data using 5:(0):(label($1, $2, $3)) with labels font ",11" tc rgb "white" notitle, \
  NaN with boxes fs solid 1.0 lc rgb "#d05050" title "channel c = 0", \
  NaN with boxes fs solid 1.0 lc rgb "#4f8a36" title "channel c = 1", \
  NaN with boxes fs solid 1.0 lc rgb "#3f73c4" title "channel c = 2"

# window2d.gp: chapter 02, figure "a worked example in 2-D".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/02-pooling/window2d.gp
# reads DIR/window2d_x.dat (the 5x5 input) and window2d_max.dat,
# window2d_avg1.dat, window2d_avg0.dat (its 3x3 outputs, computed by
# maxpool2d_forward and avgpool2d_forward with a 3x3 kernel, stride 2,
# padding 1); writes DIR2/window2d.svg. Three windows and the outputs they
# make are outlined in the same colour.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."

set terminal svg size 700,620 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/window2d.svg'

unset key
unset border
unset tics
set size ratio -1
set style fill solid 1.0 border lc rgb '#666666'
cell(v) = abs(v - floor(v)) < 1e-6 ? sprintf("%d", v) : sprintf("%.2f", v)

# The three windows: output (i, j) reads rows 2i-1 .. 2i+1, columns 2j-1 .. 2j+1.
array wi[3] = [0, 1, 2]
array wj[3] = [0, 1, 2]
array wc[3] = ['#e31a1c', '#1f78b4', '#33a02c']

set multiplot title "3×3 windows, stride 2, padding 1, on a 5×5 input: max and average pooling" font 'sans,13'

# ---- the padded input -----------------------------------------------------
set lmargin at screen 0.02
set rmargin at screen 0.50
set tmargin at screen 0.80
set bmargin at screen 0.16
set xrange [-1.6:5.6]
set yrange [5.6:-1.6]
set title "x, padded (grey: padding, -∞ for max, 0 for avg)" font 'sans,12' offset 0,-0.6
set object 1 rect from -1.5,-1.5 to 5.5,5.5 fc rgb '#d0d0d0' fs solid 1.0 border lc rgb '#666666' behind
do for [k = 1:3] {
    set object 10 + k rect from 2 * wj[k] - 1.5 + 0.06 * k, 2 * wi[k] - 1.5 + 0.06 * k \
        to 2 * wj[k] + 1.5 - 0.06 * k, 2 * wi[k] + 1.5 - 0.06 * k \
        fs empty border lc rgb wc[k] lw 3 front
}
plot datadir.'/window2d_x.dat' matrix using 1:2:(0.5):(0.5) with boxxyerror fc rgb 'white', \
     '' matrix using 1:2:(cell($3)) with labels font 'sans,13'
do for [k = 1:3] { unset object 10 + k }
unset object 1

# ---- the three outputs ------------------------------------------------------
set xrange [-0.6:2.6]
set yrange [2.6:-0.6]
files = "window2d_max.dat window2d_avg1.dat window2d_avg0.dat"
do for [f = 1:3] {
    set lmargin at screen 0.60
    set rmargin at screen 0.98
    set tmargin at screen 0.89 - (f - 1) * 0.30
    set bmargin at screen 0.89 - (f - 1) * 0.30 - 0.23
    t = f == 1 ? "max pooling" : f == 2 ? "average, count\\_include\\_pad = 1: ÷ 9" : "average, count\\_include\\_pad = 0: ÷ pixels"
    set title t font 'sans,12' offset 0,-0.6
    do for [k = 1:3] {
        set object 20 + k rect from wj[k] - 0.47, wi[k] - 0.47 to wj[k] + 0.47, wi[k] + 0.47 \
            fs empty border lc rgb wc[k] lw 3 front
    }
    plot datadir.'/'.word(files, f) matrix using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#f4f4f4', \
         '' matrix using 1:2:(cell($3)) with labels font 'sans,13'
}
unset multiplot

# diagram_architecture.gp: chapter 06, diagram "LeNet-5, layer by layer".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/diagram_architecture.gp
# Reads nothing (the shapes are LeNet-5's, inline below; datadir is unused);
# writes DIR2/diagram_architecture.svg. Each layer is drawn as a stack of its
# feature maps (at most 6 drawn, side to scale) or, for a vector, one bar
# whose height grows with its length; under it its name, its output shape,
# and its trainable parameters in the 1998 net and in the modern net (the
# counts `cnn params lenet5` and `cnn params lenet5-modern` print).
if (!exists("outdir")) outdir = "."

set terminal svg size 780,420 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/diagram_architecture.svg'

# maps: left edge, side drawn, maps drawn, colour, name, shape,
# parameters 1998, parameters modern
$L << EOD
0.0   3.20  1  "#d9d9d9"  "input"  "1@32x32"   "-"      "-"
5.1   2.80  6  "#9ecae1"  "C1"     "6@28x28"   "156"    "156"
10.6  1.40  6  "#c7e9c0"  "S2"     "6@14x14"   "12"     "0"
14.7  1.00  6  "#9ecae1"  "C3"     "16@10x10"  "1,516"  "2,416"
18.4  0.50  6  "#c7e9c0"  "S4"     "16@5x5"    "32"     "0"
EOD
# vectors: left edge, height drawn, colour, name, shape, parameters
$V << EOD
21.6  3.00  "#9ecae1"  "C5"      "120"  "48,120"  "48,120"
24.1  2.10  "#fdd0a2"  "F6"      "84"   "10,164"  "10,164"
26.6  0.45  "#fcbba1"  "output"  "10"   "0"       "850"
EOD
# arrows: from, to, the operation between the layers (two words, two lines)
$A << EOD
3.3    5.0   "conv"  "5x5"
8.8    10.5  "pool"  "2x2"
12.9   14.6  "conv"  "5x5"
16.6   18.3  "pool"  "2x2"
19.8   21.5  "conv"  "5x5"
22.15  24.0  "full"  ""
24.65  26.5  "RBF |" "full"
EOD

set xrange [-1.4:28.0]
set yrange [-4.3:3.6]
unset key
unset border
unset tics
set lmargin 0
set rmargin 0

dx = 0.16   # offset between stacked maps
dy = 0.16
ymid = 0.7  # vertical centre of the drawings
ycap = -1.75

n = 0
do for [r = 1:5] {
    x0 = real(word($L[r], 1)); s = real(word($L[r], 2)); nd = int(word($L[r], 3))
    col = word($L[r], 4)
    do for [k = nd - 1:0:-1] {
        n = n + 1
        xa = x0 + k * dx; ya = ymid - s / 2 + k * dy
        set object n rect from xa, ya to xa + s, ya + s fc rgb col fs solid 1.0 border lc rgb '#444444' front
    }
    xc = x0 + (s + (nd - 1) * dx) / 2
    set label 100 + r word($L[r], 5) at xc, ycap center font 'sans,12' noenhanced front
    set label 110 + r word($L[r], 6) at xc, ycap - 0.6 center font 'sans,11' noenhanced front
    if (r > 1) {
        set label 120 + r word($L[r], 7) at xc, ycap - 1.35 center font 'sans,11' tc rgb '#08519c' noenhanced front
        set label 130 + r word($L[r], 8) at xc, ycap - 1.95 center font 'sans,11' tc rgb '#a63603' noenhanced front
    }
}
do for [r = 1:3] {
    x0 = real(word($V[r], 1)); h = real(word($V[r], 2)); col = word($V[r], 3)
    n = n + 1
    set object n rect from x0, ymid - h / 2 to x0 + 0.45, ymid + h / 2 fc rgb col fs solid 1.0 border lc rgb '#444444' front
    xc = x0 + 0.22
    set label 140 + r word($V[r], 4) at xc, ycap center font 'sans,12' noenhanced front
    set label 150 + r word($V[r], 5) at xc, ycap - 0.6 center font 'sans,11' noenhanced front
    set label 160 + r word($V[r], 6) at xc, ycap - 1.35 center font 'sans,11' tc rgb '#08519c' noenhanced front
    set label 170 + r word($V[r], 7) at xc, ycap - 1.95 center font 'sans,11' tc rgb '#a63603' noenhanced front
}
do for [r = 1:7] {
    xa = real(word($A[r], 1)); xb = real(word($A[r], 2))
    set arrow r from xa, ymid to xb, ymid head size 0.3,25 lw 1.4 lc rgb '#444444' front
    set label 180 + r word($A[r], 3) at (xa + xb) / 2, ymid + 1.0 center font 'sans,11' noenhanced front
    set label 190 + r word($A[r], 4) at (xa + xb) / 2, ymid + 0.45 center font 'sans,11' noenhanced front
}

# the 28x28 digit inside the 32x32 input: padding 2 on each side
n = n + 1
set object n rect from 0.2, ymid - 1.4 to 3.0, ymid + 1.4 fs empty border lc rgb '#d94801' lw 1.5 dt 2 front
set label 1 "28x28 digit\ninside: padding 2" at 1.6, ymid + 2.25 center font 'sans,11' tc rgb '#d94801' front
set label 2 "parameters, 1998" at -1.3, ycap - 1.35 left font 'sans,11' tc rgb '#08519c' front
set label 3 "parameters, modern" at -1.3, ycap - 1.95 left font 'sans,11' tc rgb '#a63603' front

set title "LeNet-5: the 1998 net and the modern variant share every shape\n1998: scaled tanh, trainable subsampling, C3 through Table 1, RBF output (fixed codes)\nmodern: ReLU, 2x2 max-pooling, C3 reading all 6 maps, linear output" font 'sans,12'

# an empty plot: everything is drawn by the objects, arrows and labels
plot NaN notitle

# erf_maps.gp: chapter 04, figure "effective receptive fields as maps".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/04-receptive-fields/erf_maps.gp
# reads DIR/erf_map_{uniform,random,relu}_n{4,16,32}.dat (73 x 73 matrices,
# peak 1); writes DIR2/erf_maps.png (a PNG: every pixel of a heatmap as an
# SVG element would make a large, blurred file).
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."

set terminal pngcairo size 1400,1420 enhanced font 'sans,17' background rgb 'white'
set output outdir.'/erf_maps.png'

S = 73          # the maps are S x S, centre at (S-1)/2
c = (S - 1) / 2.0
configs = "uniform random relu"
titles = "'uniform weights' 'random weights' 'random weights + ReLU'"
depths = "4 16 32"

set multiplot layout 3,3 margins 0.09,0.88,0.07,0.9 spacing 0.035,0.06 \
    title "|∂y/∂x| of the centre unit of layer n, averaged over networks (peak = 1);\nthe square is the theoretical receptive field, 2n + 1 pixels wide" font 'sans,20'
set size ratio -1
unset key
set xrange [-0.5:S - 0.5]
set yrange [S - 0.5:-0.5]
set tics out nomirror scale 0.6
set xtics 0,24,72
set ytics 0,24,72
set palette defined (0 '#ffffff', 0.15 '#c6dbef', 0.4 '#6baed6', 0.7 '#2171b5', 1 '#08306b')
set cbrange [0:1]
unset colorbox

do for [r = 1:3] {
    do for [k = 1:3] {
        n = word(depths, k) + 0
        if (r == 1) { set title sprintf("n = %d", n) font 'sans,18' } else { unset title }
        set xlabel (r == 3 ? "column (pixels)" : "")
        set ylabel (k == 1 ? word(titles, r)."\nrow (pixels)" : "") font 'sans,17'
        if (k == 3) { set colorbox user origin screen 0.9, screen 0.1 size screen 0.02, screen 0.7 } else { unset colorbox }
        set object 1 rect from c - n - 0.5, c - n - 0.5 to c + n + 0.5, c + n + 0.5 \
            fs empty border lc rgb '#e31a1c' lw 2 front
        plot sprintf("%s/erf_map_%s_n%d.dat", datadir, word(configs, r), n) matrix with image pixels
    }
}
unset multiplot

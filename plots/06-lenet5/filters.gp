# filters.gp: chapter 06, figure "the learned conv1 filters".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/filters.gp
# reads DIR/filters_lenet5-modern.dat and filters_lenet5.dat (the six 5x5
# filters side by side, NaN between them); writes DIR2/filters.png.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
set terminal pngcairo size 700,360 enhanced font 'sans,12' background rgb 'white'
set output outdir.'/filters.png'
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
unset xtics; unset ytics; unset border
set size ratio -1
set multiplot layout 2,1 title "The six 5×5 conv1 filters after training\n(blue < 0 < red; one colour scale per net, its largest |weight|)" font "sans,12"
do for [f in "lenet5-modern lenet5"] {
    file = datadir.'/filters_'.f.'.dat'
    stats file matrix using 3 nooutput
    m = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)
    set cbrange [-m:m]
    unset colorbox
    set title (f eq "lenet5" ? "1998 net" : "modern net") offset 0,-0.6
    plot file matrix using 1:(-$2):3 with image notitle
}
unset multiplot

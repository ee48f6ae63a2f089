# feature_maps.gp: chapter 06, figure "one digit through the modern net".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/feature_maps.gp
# (PNG: heatmaps drawn `with image`, which pngcairo renders as a bitmap)
# reads DIR/fmap_input.dat, fmap_c1.dat, fmap_s2.dat, fmap_c3.dat,
# fmap_s4.dat, fmap_c5.dat, fmap_f6.dat (matrices; NaN between maps) and
# fmap_out.dat (class, probability); writes DIR2/feature_maps.png.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
set terminal pngcairo size 700,900 enhanced font 'sans,11' background rgb 'white'
set output outdir.'/feature_maps.png'
unset xtics; unset ytics; unset border; unset colorbox
set palette gray
set multiplot title "A test digit through the trained modern LeNet-5: every layer's output\n(each panel scaled from 0, black, to its largest value, white)" font 'sans,12'
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set size ratio -1

# panel NAME FILE X Y W H: a matrix in the box (x, y, w, h) of the screen
panel(x, y, w, h) = sprintf("set origin %f,%f; set size %f,%f", x, y, w, h)

eval panel(0.02, 0.70, 0.26, 0.20)
set title "input 1@32×32" offset 0,-0.5 noenhanced
plot datadir.'/fmap_input.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.30, 0.74, 0.68, 0.14)
set title "C1 + ReLU: 6@28×28 (the filters' responses)" noenhanced
plot datadir.'/fmap_c1.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.30, 0.60, 0.68, 0.12)
set title "S2, max-pool: 6@14×14" noenhanced
plot datadir.'/fmap_s2.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.02, 0.36, 0.96, 0.22)
set title "C3 + ReLU: 16@10×10" noenhanced
plot datadir.'/fmap_c3.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.02, 0.20, 0.50, 0.14)
set title "S4, max-pool: 16@5×5" noenhanced
plot datadir.'/fmap_s4.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.56, 0.255, 0.42, 0.09)
set title "C5 + ReLU: 120 units"
plot datadir.'/fmap_c5.dat' matrix using 1:(-$2):3 with image notitle

eval panel(0.56, 0.135, 0.42, 0.08)
set title "F6 + ReLU: 84 units"
plot datadir.'/fmap_f6.dat' matrix using 1:(-$2):3 with image notitle

unset size
set size noratio
set origin 0.08, 0.01
set size 0.88, 0.11
set lmargin 6; set bmargin 1.5; set tmargin 1.2
set border 3
set xtics 0,1,9 nomirror scale 0
set ytics 0,0.5,1 nomirror
set yrange [0:1.05]
set xrange [-0.6:9.6]
set title "output: softmax probabilities of the ten classes"
set style fill solid 0.8 noborder
set boxwidth 0.7
plot datadir.'/fmap_out.dat' using 1:2 with boxes lc rgb '#08519c' notitle
unset multiplot

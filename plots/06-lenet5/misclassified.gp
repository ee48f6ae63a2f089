# misclassified.gp: chapter 06, figure "test digits the modern net gets wrong".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/misclassified.gp
# reads DIR/misclassified.dat (24 digits of 28x28, 8 per row, gaps of 4)
# and misclassified_labels.dat (slot, index, true, predicted); writes
# DIR2/misclassified.png.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
set terminal pngcairo size 700,330 enhanced font 'sans,12' background rgb 'white'
set output outdir.'/misclassified.png'
unset xtics; unset ytics; unset border; unset colorbox
set palette gray negative
set cbrange [0:1]
set size ratio -1
set lmargin 1; set rmargin 1; set bmargin 0.5; set tmargin 2.5
set title "The first misclassified test digits: true → predicted (modern net)" font 'sans,12'
set yrange [-100:4]
# slot s sits at column (s % 8) * 32, row (s / 8) * 32, in the mosaic
plot datadir.'/misclassified.dat' matrix using 1:(-$2):3 with image notitle, \
     datadir.'/misclassified_labels.dat' using ((int($1) % 8) * 32 + 13.5):(-(int($1) / 8) * 32 - 29.5):(sprintf("%d → %d", $3, $4)) \
        with labels font 'sans,10' tc rgb '#b2182b' notitle

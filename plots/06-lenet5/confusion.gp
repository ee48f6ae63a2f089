# confusion.gp: chapter 06, figure "confusion matrix of the modern net".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/confusion.gp
# reads DIR/confusion.dat (true class, predicted class, count; blank line
# after each true class); writes DIR2/confusion.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
f = datadir.'/confusion.dat'
# each true class's total, for the shares (before any range is set: stats
# filters by the ranges)
array tot[10]
do for [k=1:10] { tot[k] = 0 }
stats f using (tot[int($1)+1] = tot[int($1)+1] + $3) nooutput

set terminal svg size 640,580 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/confusion.svg'
set title "Confusion matrix of the modern LeNet-5 on the MNIST test digits\n(counts; an off-diagonal cell's colour is its share of its true class)" font 'sans,12'
set xlabel "predicted class"
set ylabel "true class"
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 0,1,9 scale 0
set ytics 0,1,9 scale 0
set size ratio -1
set palette defined (0 '#ffffff', 0.1 '#fee0d2', 0.4 '#fc9272', 1 '#cb181d')
set cbrange [0:0.05]
set cblabel "share of the true class (the diagonal is white)"
set cbtics format "%.0f%%" scale 0
set cbtics ("0%%" 0, "1%%" 0.01, "2%%" 0.02, "3%%" 0.03, "4%%" 0.04, "≥5%%" 0.05)
plot f using 2:1:($1 == $2 ? 0 : $3 / tot[int($1)+1]) with image pixels notitle, \
     f using 2:1:($3 > 0 ? sprintf("%d", $3) : "") with labels font 'sans,10' tc rgb '#333333' notitle

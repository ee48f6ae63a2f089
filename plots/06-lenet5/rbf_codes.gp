# rbf_codes.gp: chapter 06, diagram "the output codes of the 1998 net".
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/rbf_codes.gp
# reads DIR/rbf_codes.dat (ten 7x12 bitmaps side by side, +1 ink, -1 paper,
# NaN between); writes DIR2/rbf_codes.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
set terminal svg size 700,180 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/rbf_codes.svg'
set title "The ten RBF codes: each class is a 7×12 bitmap, +1 for ink (dark), −1 for paper" font 'sans,12'
unset xtics; unset ytics; unset border; unset colorbox
set size ratio -1
set palette defined (-1 '#f7f7f7', 1 '#252525')
set cbrange [-1:1]
set lmargin 1; set rmargin 1
plot datadir.'/rbf_codes.dat' matrix using 1:(-$2):3 with image pixels notitle

# diagram_c3_table.gp: chapter 06, diagram "C3's connection table" (Table 1
# of LeCun et al. 1998, the table lenet_c3_table in lenet_given.c holds).
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/06-lenet5/diagram_c3_table.gp
# Reads nothing (the table is inline below; datadir is unused); writes
# DIR2/diagram_c3_table.svg. Rows: S2's 6 maps; columns: C3's 16 maps; a
# filled cell: that C3 map reads that S2 map through a 5x5 kernel.
if (!exists("outdir")) outdir = "."

set terminal svg size 760,380 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/diagram_c3_table.svg'

# one line per S2 map (row of Table 1), one character per C3 map
$T << EOD
X...XXX..XXXX.XX
XX...XXX..XXXX.X
XXX...XXX..X.XXX
.XXX..XXXX..X.XX
..XXX..XXXX.XX.X
...XXX..XXXX.XXX
EOD

unset key
unset border
set xrange [-2.2:16.2]
set yrange [8.1:-2.2]
unset xtics
set ytics 0,1,5 scale 0 font 'sans,11'
set lmargin 9
set rmargin 2

# cells
n = 0
do for [r = 0:5] {
    line = $T[r + 1]
    do for [c = 0:15] {
        n = n + 1
        on = line[c + 1:c + 1] eq "X"
        set object n rect from c - 0.45, r - 0.45 to c + 0.45, r + 0.45 \
            fc rgb (on ? '#2171b5' : '#f0f0f0') fs solid 1.0 border lc rgb (on ? '#08306b' : '#d9d9d9') front
    }
}
# the four groups of columns
set arrow 1 from 5.5, -1.9 to 5.5, 6.7 nohead lw 1.2 dt 2 lc rgb '#555555' front
set arrow 2 from 11.5, -1.9 to 11.5, 6.7 nohead lw 1.2 dt 2 lc rgb '#555555' front
set arrow 3 from 14.5, -1.9 to 14.5, 6.7 nohead lw 1.2 dt 2 lc rgb '#555555' front
set label 1 "3 neighbouring maps" at 2.5, -1.3 center font 'sans,11' front
set label 2 "4 neighbouring maps" at 8.5, -1.3 center font 'sans,11' front
set label 3 "4: two pairs" at 13.0, -1.3 center font 'sans,11' front
set label 4 "all 6" at 15.0, -1.3 center font 'sans,11' front

# the weights each C3 map holds (5x5 per map it reads, plus a bias)
do for [c = 0:15] {
    k = 0
    do for [r = 0:5] { k = k + ($T[r + 1][c + 1:c + 1] eq "X") }
    set label 10 + c sprintf("%d", 25 * k + 1) at c, 6.85 center font 'sans,10' tc rgb '#555555' front
}
set label 30 "parameters" at -0.7, 6.85 right font 'sans,10' tc rgb '#555555' front
set label 31 "60 of the 96 (map, map) pairs connected: 60 x 25 + 16 = 1,516 parameters (full C3: 2,416)" \
    at 7.5, 7.75 center font 'sans,11' front

do for [c = 0:15] { set label 50 + c sprintf("%d", c) at c, 5.95 center font 'sans,11' front }
set label 49 "C3 map" at -0.7, 5.95 right font 'sans,11' front
set ylabel "S2 map (input)"
set title "C3's connection table (LeCun et al. 1998, Table 1): which S2 maps each C3 map reads" font 'sans,12'
plot NaN notitle

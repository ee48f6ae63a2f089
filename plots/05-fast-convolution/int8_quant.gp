# int8_quant.gp: chapter 05, diagram "rounding and saturation": the
# symmetric quantizer q = clamp(round(x/s), qmin, qmax) of eq. (5.43), drawn
# for 3 bits (range -4 .. 3) so that its steps are visible; int8 has the
# same shape with range -128 .. 127. Ties (x/s = k + 1/2) go to the even
# neighbour. Inline data only.
#   gnuplot -e "outdir='DIR'" plots/05-fast-convolution/int8_quant.gp
# writes DIR/int8_quant.svg.
if (!exists("outdir")) outdir = "."

set terminal svg size 760,480 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/int8_quant.svg'

qmin = -4; qmax = 3
set title "Symmetric quantization, drawn for 3 bits: s·clamp(round(x/s), −4, 3)\n(round to nearest, ties to even; int8 is the same with −128 .. 127)" font 'sans,12'
set xlabel "x / s"
set ylabel "dequantized value s·q, in units of s"
set xrange [-6.5:6.5]
set yrange [-5.5:5.5]
set xtics -6,1,6
set ytics -5,1,5
set grid lc rgb '#e4e4e4'
set key outside right top reverse Left samplen 2 spacing 1.3 font 'sans,11'
set size ratio -1

# saturation regions
set object 1 rect from qmax+0.5, -5.5 to 6.5, 5.5 fc rgb '#fde0c5' fs solid 0.6 noborder behind
set object 2 rect from -6.5, -5.5 to qmin-0.5, 5.5 fc rgb '#fde0c5' fs solid 0.6 noborder behind
set label 1 "saturates\nat 3" at 5.0, -3.0 center font 'sans,11'
set label 2 "saturates\nat −4" at -5.5, 3.0 center font 'sans,11'

# the steps: q = k on (k - 1/2, k + 1/2), extended flat beyond the range
do for [k=qmin:qmax] {
    lo = (k == qmin) ? -6.5 : k - 0.5
    hi = (k == qmax) ? 6.5 : k + 0.5
    set arrow 10+k-qmin from lo, k to hi, k nohead lw 3 lc rgb '#377eb8'
}

# ties: at x/s = k + 1/2 the value goes to the even neighbour
$ties << EOD
# x/s  q(even)  other
-3.5  -4  -3
-2.5  -2  -3
-1.5  -2  -1
-0.5   0  -1
 0.5   0   1
 1.5   2   1
 2.5   2   3
EOD

plot x with lines lw 1.5 dt 2 lc rgb '#777777' title "x (no quantization)", \
     NaN with lines lw 3 lc rgb '#377eb8' title "s·q", \
     $ties using 1:2 with points pt 7 ps 1.3 lc rgb '#e41a1c' title "a tie goes to the even q", \
     $ties using 1:3 with points pt 6 ps 1.3 lc rgb '#e41a1c' title "not to the odd one", \
     '+' using (0):(0) with points pt 0 notitle

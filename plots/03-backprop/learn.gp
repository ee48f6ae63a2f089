# learn.gp: chapter 03, figure "learning a kernel from data": (a) the loss of
# gradient descent against the step, on white-noise and on smooth inputs;
# (b) the true Sobel kernel, the kernels learned from smooth inputs after 10,
# 100 and 2000 steps, and the Hessian's eigenvector of smallest eigenvalue.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" plots/03-backprop/learn.gp
# reads DIR/learn_loss.dat and DIR/learn_kernels.dat (written by the
# chapter's experiment); writes DIR2/learn.svg.
if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
fl = datadir.'/learn_loss.dat'
fk = datadir.'/learn_kernels.dat'

set encoding utf8
set terminal svg size 720,640 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/learn.svg'

set multiplot title "Learning the Sobel kernel by gradient descent (16 images 20×20, step 1/λ_{max})" font 'sans,12'

# ---- (a) loss -------------------------------------------------------------
set lmargin at screen 0.12
set rmargin at screen 0.96
set tmargin at screen 0.9
set bmargin at screen 0.51
set logscale xy
set xrange [1:2001]
set yrange [1e-15:10]
set format x "10^{%L}"
set format y "10^{%L}"
set ytics 1e-15,100,10
set grid xtics ytics lc rgb '#dddddd'
set xlabel "gradient-descent step + 1" offset 0,0.4
set ylabel "loss (3.18)"
# the Hessian's condition numbers, from the data file's header
cond_white = real(system("sed -n 's/^# white noise:.*condition //p' ".fl))
cond_smooth = real(system("sed -n 's/^# smooth:.*condition //p' ".fl))
set title sprintf("(a) loss: the Hessian's condition number is %.3g for white noise, %.3g for smooth images", cond_white, cond_smooth) offset 0,-0.4 font 'sans,11'
set key at 1.25, 1e-9 left bottom reverse Left samplen 2 spacing 1.2 font 'sans,11'
plot fl using ($1 + 1):2 with lines lw 2.5 lc rgb '#377eb8' title "white-noise inputs", \
     fl using ($1 + 1):3 with lines lw 2.5 lc rgb '#e41a1c' title "smooth inputs (noise blurred twice)"

# ---- (b) kernels ------------------------------------------------------------
unset logscale; unset grid; unset key; unset xlabel; unset ylabel
unset border; unset xtics; unset ytics; unset colorbox
set format x "%g"; set format y "%g"
set size ratio -1
set xrange [-0.55:2.55]
set yrange [-2.55:0.55]
set palette defined (-1 '#2166ac', 0 '#ffffff', 1 '#b2182b')
set tmargin at screen 0.33
set bmargin at screen 0.04
titles(k) = k == 0 ? "true Sobel" : k == 1 ? "smooth, step 10" : k == 2 ? "smooth, step 100" : \
            k == 3 ? "smooth, step 2000" : "eigenvector, λ_{min}"
block(k) = k < 4 ? k : 5
scale(k) = k < 4 ? 2.2 : 0.65
set label 1 "(b) kernels learned from smooth inputs, and the direction learned slowest (the Hessian's eigenvector of λ_{min})" \
    at screen 0.5, screen 0.33 center font 'sans,11'
do for [k=0:4] {
    set lmargin at screen 0.03 + 0.194 * k
    set rmargin at screen 0.03 + 0.194 * k + 0.17
    set title titles(k) offset 0,-0.6 font 'sans,11'
    set cbrange [-scale(k):scale(k)]
    plot fk index block(k) using 1:(-$2):(0.5):(0.5):3 with boxxyerror fs solid 1.0 border lc rgb '#888888' lc palette, \
         fk index block(k) using 1:(-$2):(sprintf("%.2f", $3)) with labels font 'sans,11'
    unset label 1
}
unset multiplot

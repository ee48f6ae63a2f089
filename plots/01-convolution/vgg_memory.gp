# vgg_memory.gp: chapter 01, figure "where the memory of a CNN goes": for
# VGG-16 (configuration D) on one 224×224 RGB image, float32, the size of each
# layer's output (the activation a training step keeps for the backward pass)
# beside the size of its weights and biases. Computed here from the lesson's
# formulas, no data file: an output holds C_out·O_H·O_W floats (eq. 1.7 gives
# O_H = O_W; every conv is 3×3, padding 1, stride 1, every pool 2×2 stride 2);
# a conv layer has C_out·C_in·9 + C_out parameters (eq. 1.9), a fully
# connected one n_in·n_out + n_out. 1 MB = 10^6 bytes.
#   gnuplot -e "outdir='DIR2'" plots/01-convolution/vgg_memory.gp   (writes DIR2/vgg_memory.svg)
if (!exists("outdir")) outdir = "."

# name, kind (0 input, 1 conv, 2 pool, 3 fully connected), C_in (or n_in),
# C_out (or n_out), output height = width
$VGG << EOD
input    0     0     3  224
conv1_1  1     3    64  224
conv1_2  1    64    64  224
pool1    2    64    64  112
conv2_1  1    64   128  112
conv2_2  1   128   128  112
pool2    2   128   128   56
conv3_1  1   128   256   56
conv3_2  1   256   256   56
conv3_3  1   256   256   56
pool3    2   256   256   28
conv4_1  1   256   512   28
conv4_2  1   512   512   28
conv4_3  1   512   512   28
pool4    2   512   512   14
conv5_1  1   512   512   14
conv5_2  1   512   512   14
conv5_3  1   512   512   14
pool5    2   512   512    7
fc6      3 25088  4096    1
fc7      3  4096  4096    1
fc8      3  4096  1000    1
EOD

MB = 1e6
act(cout, h) = 4.0 * cout * h * h / MB
par(kind, cin, cout) = kind == 1 ? 4.0 * (cout * cin * 9 + cout) / MB : \
                       kind == 3 ? 4.0 * (cin * cout + cout) / MB : 0

stats $VGG using (act($4, $5)) name "A" nooutput
stats $VGG using (par($2, $3, $4)) name "P" nooutput

# Shown about 700 px wide: every text is 11-12 px on the page.
set terminal svg size 700,470 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/vgg_memory.svg'

set title sprintf("VGG-16 on one 224×224 image, float32: %.0f MB of layer outputs, %.0f MB of weights", A_sum, P_sum)
set ylabel "MB (10^6 bytes), log scale"
set logscale y
set yrange [1e-3:3000]
set format y "10^{%L}"
set xrange [-0.7:21.7]
set xtics rotate by -60 left scale 0 font ',11' offset -0.6,0 noenhanced
set grid ytics lc rgb '#e0e0e0'
set key top left reverse Left samplen 1.5 spacing 1.15 font ',11' opaque
set style fill solid 1.0 noborder
bw = 0.38
ybot = 1e-3

# one pair of bars per layer: its output (left) and its parameters (right)
plot $VGG using ($0 - bw/2):(sqrt(ybot * act($4, $5))):($0 - bw):($0):(ybot):(act($4, $5)):xtic(1) \
         with boxxyerror lc rgb '#1f5fa8' title "output of the layer (activations, kept for backprop)", \
     $VGG using ($0 + bw/2):(1):($0):($0 + bw):(ybot):(par($2, $3, $4) > 0 ? par($2, $3, $4) : ybot) \
         with boxxyerror lc rgb '#e69f00' title "weights and biases of the layer", \
     $VGG using ($0 - bw/2):(act($4, $5) > 10 ? act($4, $5) : NaN):(sprintf("%.1f", act($4, $5))) \
         with labels offset 0,0.7 font ',11' notitle, \
     $VGG using ($0 + bw/2):(par($2, $3, $4) > 50 ? par($2, $3, $4) : NaN):(sprintf("%.0f", par($2, $3, $4))) \
         with labels offset 0,0.7 font ',11' notitle

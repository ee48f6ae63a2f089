# fft_wrap.gp: chapter 05, diagram "why the FFT needs room after the image":
# one row of an image placed at the start of a period of P samples, as the
# DFT sees it (repeated forever), and the windows of the first and last
# outputs of a 3-tap kernel with padding 1. (a) P = 8 >= H + pad: the
# windows read zeros where eq. (1.6) reads padding. (b) P = H = 8: the
# window of y[0] reads x[7], the other end of the image. Inline data only.
#   gnuplot -e "outdir='DIR'" plots/05-fast-convolution/fft_wrap.gp
# writes DIR/fft_wrap.svg.
if (!exists("outdir")) outdir = "."

set terminal svg size 760,470 dynamic enhanced font 'sans,13' background rgb 'white'
set output outdir.'/fft_wrap.svg'
unset border; unset tics; unset key
set xrange [-4.3:13.3]
set yrange [-2.0:2.0]

# cell(j, H, P): the label of position j of the periodic row: x_k or 0
lab(j, H, P) = (j % P + P) % P < H ? sprintf("x_%d", (j % P + P) % P) : "0"
isx(j, H, P) = (j % P + P) % P < H

set multiplot layout 2,1 title "One image row in an FFT of length P (bold box): the transform sees it repeated with period P" font 'sans,13'

do for [panel=1:2] {
    H = panel == 1 ? 6 : 8
    P = 8
    ptitle = (panel == 1 ? "(a) H = 6, pad = 1, P = 8 ≥ H + pad: y[0] and y[5] read zeros beyond the image, as padding must" \
                          : "(b) H = 8, pad = 1, P = 8 = H: the window of y[0] reads x_{7}  from the other end (circular wrap-around)")
    set title ptitle font 'sans,13'
    o = 1
    do for [j=-4:12] {
        inper = (j >= 0 && j < P)
        set object o rect from j, -0.5 to j+1, 0.5 fc rgb (isx(j, H, P) ? (inper ? '#cfe0f0' : '#e8eef4') : (inper ? '#ffffff' : '#f6f6f6')) fs solid 1 border lc rgb (inper ? '#333333' : '#aaaaaa') lw (inper ? 1.2 : 0.6)
        set label o lab(j, H, P) at j+0.5, 0 center font 'sans,13' tc rgb (inper ? '#000000' : '#888888')
        o = o + 1
    }
    # the period
    set object o rect from 0, -0.56 to P, 0.56 fs empty border lc rgb '#000000' lw 2.5; o = o + 1
    set object o rect from P-1, 0.56 to P, 0.6 fs empty border lc rgb '#e41a1c' lw 2; o = o + 1
    # windows: output i reads positions i - 1 .. i + 1 (pad 1, 3 taps)
    last = H + 2 - 3     # OH - 1 with pad 1, k 3
    set object o rect from -1, 0.65 to 2, 1.0 fc rgb '#e41a1c' fs transparent solid 0.35 border lc rgb '#e41a1c' lw 2; o = o + 1
    set label o "window of y[0]: positions −1, 0, 1" at -1, 1.35 left tc rgb '#e41a1c' font 'sans,13'; o = o + 1
    set object o rect from last-1, -1.0 to last+2, -0.65 fc rgb '#4daf4a' fs transparent solid 0.35 border lc rgb '#4daf4a' lw 2; o = o + 1
    set label o sprintf("window of y[%d]: positions %d .. %d", last, last-1, last+1) at last-1, -1.35 left tc rgb '#4daf4a' font 'sans,13'; o = o + 1
    # where position -1 comes from
    wraptext = panel == 1 ? "position −1 ≡ 7 (mod 8): a zero" : "position −1 ≡ 7 (mod 8): x_7, not a zero"
    set label o wraptext at P-1, 1.35 left tc rgb '#e41a1c' font 'sans,13'; o = o + 1
    plot NaN
    do for [i=1:o] { unset object i; unset label i }
}
unset multiplot

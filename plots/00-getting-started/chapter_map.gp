# chapter_map.gp: chapter 00's map of the course: every chapter, planned or
# written, in five parts, with an arrow from each chapter to the chapters
# that build on it. A diagram: its data is inline, it reads no datadir.
#   gnuplot -e "datadir='DIR'; outdir='DIR2'" chapter_map.gp
# writes DIR2/chapter_map.svg.
if (!exists("outdir")) outdir = "."

set encoding utf8
# Sized to be shown about 720 px wide: chapter names are 13 px on the page.
set terminal svg size 720,560 dynamic enhanced font 'sans,13' background rgb 'white'
set output outdir."/chapter_map.svg"

unset border; unset tics; unset key
set margins 0, 0, 0, 0
set xrange [0:720]
set yrange [0:560]

# One box per chapter: number, name, centre (x, y), part (colour).
# part 1 foundations, 2 the layers, 3 speed, 4 the classical networks,
# 5 beyond the classics.
array num[12]  = ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]
array name[12] = ["getting started", "convolution", "pooling", "backpropagation", \
                  "receptive fields", "fast convolution", "LeNet-5", "AlexNet", "VGG", \
                  "normalization", "conv variants", "comparison"]
array bx[12] = [360, 360, 200, 200, 520, 560, 200, 92, 326, 560, 560, 326]
array by[12] = [520, 440, 360, 270, 270, 360, 180, 90, 90, 90, 180, 20]
array part[12] = [1, 2, 2, 2, 2, 3, 4, 4, 4, 5, 5, 5]
part_rgb(p) = p == 1 ? 0xdfe7f2 : p == 2 ? 0xd9ecd4 : p == 3 ? 0xf6e3c6 : p == 4 ? 0xe6dcf2 : 0xf5d9d9
bw = 164; bh = 44

do for [i=1:12] {
    set object i rect center bx[i], by[i] size bw, bh \
        fc rgb part_rgb(part[i]) fs solid 1.0 border rgb '#5a6270' lw 1 front
    set label 2*i-1 num[i] at bx[i] - bw/2 + 10, by[i] left font 'sans-Bold,13' front
    set label 2*i name[i] at bx[i] - bw/2 + 38, by[i] left front
}

# arrow FROM TO: chapter TO builds on chapter FROM (indices 1-based).
array af[14] = [1, 2, 2, 3, 3, 4, 4, 7, 7, 7, 5, 8, 9, 10]
array at[14] = [2, 3, 6, 4, 5, 5, 7, 8, 9, 10, 11, 12, 12, 12]
n_arrows = 14
do for [k=1:n_arrows] {
    f = af[k]; t = at[k]
    # leave the bottom edge of the source box, enter the top edge of the target
    x0 = bx[f]; y0 = by[f] - bh/2
    x1 = bx[t]; y1 = by[t] + bh/2
    if (by[f] == by[t]) { x0 = bx[f] + (bx[t] > bx[f] ? bw/2 : -bw/2); y0 = by[f]; \
                          x1 = bx[t] - (bx[t] > bx[f] ? bw/2 : -bw/2); y1 = by[t] }
    set arrow 100+k from x0, y0 to x1, y1 head filled size 8,20 lw 1.3 lc rgb '#4a5360' back
}

# the parts, as a legend at the left
set label 200 "parts of the course" at 10, 535 left font 'sans-Bold,13'
array pname[5] = ["foundations", "the layers", "speed", "the classical networks", "beyond the classics"]
do for [p=1:5] {
    set object 20+p rect from 10, 535 - 22*p - 7 to 28, 535 - 22*p + 7 \
        fc rgb part_rgb(p) fs solid 1.0 border rgb '#5a6270'
    set label 200+p pname[p] at 34, 535 - 22*p left
}

plot NaN notitle

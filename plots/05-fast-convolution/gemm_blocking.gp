# gemm_blocking.gp: chapter 05, diagram of the blocked GEMM, eq. (5.7): the
# panel of op(B), the block of op(A) and the register tile of C that each
# loop level works on, where each lives in the memory hierarchy, and the
# loop nest. Inline geometry only.
#   gnuplot -e "outdir='DIR2'" plots/05-fast-convolution/gemm_blocking.gp
# writes DIR2/gemm_blocking.svg.
if (!exists("outdir")) outdir = "."

set terminal svg size 700,600 dynamic enhanced font 'sans,12' background rgb 'white'
set output outdir.'/gemm_blocking.svg'

unset border; unset tics; unset key
set size ratio -1
set xrange [-3.6:23.5]
set yrange [-7.9:12.0]

light = '#d6e6f4'; mid = '#7fb2dc'; dark = '#d95f02'; grey = '#f2f2f2'
# whole matrices
set object 1 rect from 5, 6.5 to 13, 10.5 fc rgb grey fs solid border lc rgb '#444444' lw 1.5
set object 2 rect from 0, 0 to 4, 6 fc rgb grey fs solid border lc rgb '#444444' lw 1.5
set object 3 rect from 5, 0 to 13, 6 fc rgb grey fs solid border lc rgb '#444444' lw 1.5
# the kc x nc panel of op(B), its kc x nr micro-panel
set object 4 rect from 5, 7.5 to 11, 9.5 fc rgb light fs solid border lc rgb '#2b6ca3' lw 1.5
set object 5 rect from 7, 7.5 to 9, 9.5 fc rgb mid fs solid border lc rgb '#2b6ca3' lw 1.5
# the mc x kc block of op(A), its mr x kc micro-panel
set object 6 rect from 1, 1 to 3, 5 fc rgb light fs solid border lc rgb '#2b6ca3' lw 1.5
set object 7 rect from 1, 2 to 3, 3 fc rgb mid fs solid border lc rgb '#2b6ca3' lw 1.5
# the mc x nc block of C and its mr x nr tile
set object 8 rect from 5, 1 to 11, 5 fc rgb '#fbe3cf' fs solid border lc rgb '#d95f02' lw 1.5
set object 9 rect from 7, 2 to 9, 3 fc rgb dark fs solid border lc rgb '#a23c00' lw 1.5

set label 1 "op(B): K × N" at 13.3, 10.2 left font 'sans,12'
set label 2 "op(A): M × K" at 2, -0.6 center font 'sans,12'
set label 3 "C: M × N" at 9, -0.6 center font 'sans,12'
set label 4 "k_{c}  × n_{c}  panel of op(B):\npacked once, reused by every\nblock of op(A) (L3 / L2)" at 13.3, 8.6 left font 'sans,12'
set label 5 "k_{c}  × n_{r}  micro-panel (L1)" at 8, 11.2 center font 'sans,12' tc rgb '#2b6ca3'
set arrow 1 from 8, 10.9 to 8, 9.6 lw 1.5 lc rgb '#2b6ca3' filled
set label 6 "m_{c}  × k_{c}  block of op(A):\npacked, stays in L2" at -3.4, 7.4 left font 'sans,12'
set label 7 "m_{r}  × n_{r}  tile of C,\nin registers" at 13.3, 2.5 left font 'sans,12' tc rgb '#a23c00'
set arrow 2 from 13.2, 2.5 to 9.1, 2.5 lw 1.5 lc rgb '#a23c00' filled
set label 8 "m_{r}  × k_c\nmicro-panel" at -0.3, 2.5 right font 'sans,12' tc rgb '#2b6ca3'

set label 20 "for jc = 0, n_c, 2n_c, ... < N            panels of op(B)\n  for pc = 0, k_c, 2k_c, ... < K          slices of the sum\n    pack op(B)[pc.., jc..] into k_c × n_c\n    for ic = 0, m_c, 2m_c, ... < M        blocks of op(A)\n      pack op(A)[ic.., pc..] into m_c × k_c\n      for jr = 0, n_r, ... < n_c\n        for ir = 0, m_r, ... < m_c\n          micro-kernel: m_r × n_r tile of C += k_c rank-1 updates" at 0, -2.2 left noenhanced font 'monospace,11'
plot NaN

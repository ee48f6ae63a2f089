/* fft.c: chapter 05, the exercises on the fast Fourier transform and
 * convolution through the convolution theorem. Implement the functions
 * marked TODO in the order they appear (the lesson's "Your turn" section)
 * and check each with `./build.sh check 05`. The contracts are in fft.h;
 * equation numbers refer to lesson.md. Nothing here allocates memory. */
#include "fft.h"

#include <math.h>

/* pi, for the twiddle factors (C11 has no M_PI). */
static const double PI = 3.14159265358979323846;

/* >>> fft_todo */
/* In-place radix-2 FFT, eqs. (5.33)-(5.35). */
void fft_radix2(float *re, float *im, int n, int inverse)
{
    /* TODO:
     * 1. Bit reversal, eq. (5.35): swap x[j] and x[rev(j)] for every j with
     *    j < rev(j), where rev reverses the log2(n) bits of j.
     * 2. For len = 2, 4, ..., n: for each k < len/2, the twiddle
     *    w = e^{-2 pi i k / len} (e^{+...} when inverse), computed as
     *    cos/sin in double and rounded to float; then for every block start
     *    s = 0, len, 2 len, ...: the butterfly of eq. (5.34) on a = s + k and
     *    b = s + k + len/2:  t = w x[b];  x[b] = x[a] - t;  x[a] = x[a] + t.
     *    (Complex product: (wr + i wi)(br + i bi) = (wr br - wi bi) +
     *    i (wr bi + wi br).)
     * 3. If inverse, divide every element by n. */
    (void)re;
    (void)im;
    (void)n;
    (void)inverse;
    (void)PI;
}
/* <<< fft_todo */

/* 2-D FFT, eq. (5.39): rows, then columns; col holds 2p floats. */
void fft2d(float *re, float *im, int p, int q, int inverse, float *col)
{
    /* TODO: fft_radix2 on each row (q elements from re + r*q, im + r*q);
     * then for each column c: copy it into col (re in col[0..p-1], im in
     * col[p..2p-1]), transform it, copy it back. */
    (void)re;
    (void)im;
    (void)p;
    (void)q;
    (void)inverse;
    (void)col;
}

/* >>> fft_todo_conv */
/* The layer through the convolution theorem, eqs. (5.36)-(5.40). */
int conv2d_forward_fft(const Conv2dGeom *g, const float *x, const float *w,
                       const float *bias, float *y, void *ws)
{
    /* TODO:
     * 0. If fft_unsupported(g) is not NULL, return -1 (write nothing).
     * 1. P = fft_conv_size(h, kh, pad_h, dil_h), Q likewise for the width.
     *    Carve ws into complex P x Q arrays (a re plane of P*Q floats then
     *    an im plane): one per kernel (C_out * Cg of them, Cg =
     *    C_in/groups), one per input channel, one accumulator; and 2*max(P,Q)
     *    floats for fft2d's column. (fft.h says how much room there is.)
     * 2. Each kernel's spectrum: zero the array, put w[o][c][u][v] at row
     *    u*dil_h, column v*dil_w (the dilated kernel at the origin), fft2d.
     * 3. For each image n:
     *    a. each input channel's spectrum: zero the array, copy x[n][c]
     *       into its top-left H x W corner, fft2d;
     *    b. for each output channel o (group gi = o / (C_out/groups), input
     *       channels gi*Cg .. gi*Cg + Cg - 1): S = sum_c X_c * conj(W_oc),
     *       element by element, eq. (5.40); inverse fft2d of S;
     *    c. y[n][o][i][j] = s[(i - pad_h) mod P][(j - pad_w) mod Q] (real
     *       part) + bias[o], eq. (5.38). Careful: C's % of a negative number
     *       is negative; ((a % P) + P) % P is the true modulo.
     * 4. Return 0. */
    (void)g;
    (void)x;
    (void)w;
    (void)bias;
    (void)y;
    (void)ws;
    return 0;
}
/* <<< fft_todo_conv */

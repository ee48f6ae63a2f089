/* fft.h: chapter 05, convolution by the fast Fourier transform, with the
 * course's own radix-2 complex FFT. The contract between the exercise
 * skeleton (chapters/05-fast-convolution/fft.c), the reference solution and
 * the tests. Equation numbers refer to chapters/05-fast-convolution/lesson.md.
 *
 * A complex array is kept as two float arrays, re and im, of the same
 * length ("split" storage). 2-D arrays are row-major: element (r, c) of a
 * p x q array is at [r*q + c]. Layer tensors as in chapter 01 (PyTorch):
 * x (N, C_in, H, W), weight (C_out, C_in/groups, KH, KW), bias (C_out) or
 * NULL, y (N, C_out, OH, OW). The caller allocates every output and the
 * workspace; nothing here allocates memory or keeps state.
 */
#ifndef FFT_H
#define FFT_H

#include <stddef.h>

#include "01-convolution/conv.h"

/* >>> fft_api */
/* In-place radix-2 FFT of the n complex numbers (re[k], im[k]), n a power
 * of two (n = 1 included), eq. (5.33):
 *   forward (inverse == 0):  X[k] = sum_{j<n} x[j] e^{-2 pi i jk/n}
 *   inverse (inverse != 0):  x[j] = (1/n) sum_{k<n} X[k] e^{+2 pi i jk/n}
 * so that the inverse undoes the forward transform. Iterative: the bit-
 * reversal permutation, eq. (5.35), then log2(n) stages of butterflies,
 * eq. (5.34). Twiddle factors are computed in double and rounded to float
 * once each. Allocates nothing. */
void fft_radix2(float *re, float *im, int n, int inverse);

/* In-place 2-D FFT of a p x q complex array, p and q powers of two,
 * eq. (5.39): fft_radix2 on each of the p rows, then on each of the q
 * columns (in either order: the result is the same), forward or inverse as
 * above (the inverse scales by 1/(p q)). col is scratch for one column,
 * 2p floats. */
void fft2d(float *re, float *im, int p, int q, int inverse, float *col);
/* <<< fft_api */

/* >>> fft_conv */
/* The smallest power of two >= n (n >= 1). Given code. */
int fft_next_pow2(int n);

/* Transform length along one axis of conv2d_forward_fft, eq. (5.38): the
 * smallest power of two P with P >= in + pad and P >= dil*(k-1) + 1.
 * Every window of the stride-1 layer then reads, in the periodic extension
 * of period P of the image placed at the origin of a zero P-array, exactly
 * the pixels (and padding zeros) that eq. (1.6) reads. Given code. */
int fft_conv_size(int in, int k, int pad, int dil);

/* Which layers conv2d_forward_fft computes: stride 1 along both axes, any
 * kernel size, padding, dilation, groups, batch. NULL for such a layer,
 * otherwise one sentence saying why not. Given code. */
const char *fft_unsupported(const Conv2dGeom *g);

/* Bytes of workspace conv2d_forward_fft needs for layer g, with
 * P = fft_conv_size(h, kh, pad_h, dil_h), Q = fft_conv_size(w, kw, pad_w,
 * dil_w): a multiple of 64, at least
 *   8 * P * Q * (C_out * C_in/groups + C_in + C_out)  +  8 * max(P, Q)
 * bytes: a complex P x Q spectrum for every kernel, for every input channel
 * of one image and for every output channel of one image, plus a column of
 * scratch.
 * Given code. */
size_t fft_conv_workspace_bytes(const Conv2dGeom *g);

/* The conv2d layer of chapter 01 (eq. 1.6; stride 1) computed through the
 * convolution theorem, eqs. (5.36)-(5.40): for every image n and output
 * channel o, the spectrum
 *   S = sum_{c in o's group} FFT2(x[n][c]) * conj(FFT2(w_d[o][c]))
 * of P x Q arrays (x[n][c] and the dilated kernel w_d placed at the origin,
 * zeros elsewhere), then s = IFFT2(S) and
 *   y[n][o][i][j] = s[(i - pad_h) mod P][(j - pad_w) mod Q] + bias[o].
 * bias may be NULL. ws: fft_conv_workspace_bytes(g) bytes, 64-byte aligned,
 * contents on entry irrelevant. Returns 0, or -1 without writing y when
 * fft_unsupported(g) is not NULL. Agrees with conv2d_forward to a relative
 * error below 1e-4. */
int conv2d_forward_fft(const Conv2dGeom *g, const float *x, const float *w,
                       const float *bias, float *y, void *ws);
/* <<< fft_conv */

/* >>> fft_cost */
/* Floating-point operations of FFT convolution, eq. (5.41), counted as the
 * textbook algorithm does them: 5 n log2 n per complex FFT of n points, for
 * the N C_in input transforms, C_out C_in/groups kernel transforms and
 * N C_out inverse transforms of P x Q points, plus 8 per complex
 * multiply-add of the N C_out C_in/groups P Q spectral products.
 * Given code. */
double fft_flops(const Conv2dGeom *g);
/* <<< fft_cost */

#endif

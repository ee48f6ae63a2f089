/* oracle_05b.h: the double-precision references the chapter 05 tests of
 * Winograd's algorithm, the FFT and int8 quantization compare against, and
 * the outputs of typical mistakes (for the hints).
 *
 * Written independently of the solution: the Winograd matrices are typed in
 * again and checked against their defining property (the transformed
 * product equals the direct correlation, ob_wino_self_check); the FFT is
 * compared with the naive DFT sum in double; convolutions are the plain
 * sums of eq. (1.6) in double with a test of every tap against the image;
 * quantization follows eq. (5.43) with its own rounding code. A "mistake"
 * computes what a typical wrong implementation returns.
 */
#ifndef ORACLE_05B_H
#define ORACLE_05B_H

#include <stddef.h>
#include <stdint.h>

#include "01-convolution/conv.h"
#include "fft.h"
#include "grade.h"
#include "quant.h"
#include "winograd.h"

/* Tolerances, lesson section on accuracy: relative error against the double
 * reference with the floor at 1% of max |y| (grade.h). F(2x2,3x3) and FFT
 * convolution: 1e-4, like every fp32 convolution of the course; F(4x4,3x3):
 * 1e-3, eq. (5.31) (its transforms amplify rounding errors about ten times
 * more). The FFT itself: 1e-5 of the largest |X| (float twiddles, log2 n
 * stages). int8: the integer sum is exact, only the final float scaling
 * rounds, so 1e-5. */
#define OB_RTOL 1e-4
#define OB_RTOL_F4 1e-3
#define OB_RTOL_FFT 1e-5
#define OB_RTOL_INT8 1e-5
#define OB_FLOOR 1e-2

/* ---- test helpers -------------------------------------------------------- */

/* A Conv2dGeom with the given shapes, stride 1, no padding, dilation 1 and
 * one group; tests then set what they exercise. */
Conv2dGeom bgeom(int n, int c_in, int h, int w, int c_out, int kh, int kw);

/* "N=2 C_in=3 H=7 W=5, C_out=4 KH=3 KW=3, stride=(1,1) pad=(1,0) dil=(1,1)
 * groups=1, bias" into buf. */
void ob_format_geom(char *buf, size_t len, const Conv2dGeom *g, int has_bias);

/* A new array of n floats uniform in [lo, hi) from seed (free it). */
float *ob_random(size_t n, unsigned long long seed, float lo, float hi);

/* 64-byte aligned memory for a workspace of `bytes` (at least 64), so that
 * AddressSanitizer catches a write past the size the header promises. */
void *ob_workspace(size_t bytes);

/* ---- Winograd --------------------------------------------------------------- */

/* The matrices of F(m x m, 3x3) (m = 2 or 4), eqs. (5.25) and (5.30), with
 * alpha = m + 2: B^T is alpha x alpha, G alpha x 3, A^T m x alpha. */
typedef struct {
    int m, alpha;
    double BT[6][6], G[6][3], AT[4][6];
} ObWinoMats;

typedef enum {
    WM_RIGHT,
    WM_BT_SIGN,    /* last row of B^T negated: (0, -1, 0, 1) */
    WM_G_HALF,     /* G's middle rows without their 1/2 */
    WM_AT_SIGN,    /* A^T's second row ends in +1 instead of -1 */
    WM_B_NOT_T,    /* input transform B d B^T instead of B^T d B */
    WM_N_MISTAKES
} WinoMistake;

/* The matrices of F(m x m, 3x3), or (for m == 2) a mistake's version. */
void ob_wino_mats(int m, WinoMistake mk, ObWinoMats *M);
const char *ob_wino_hint(WinoMistake mk);

/* Fails the current test unless A^T[(G g G^T) . (B^T d B)]A equals the direct
 * 2-D correlation of eq. (5.20) in double for random d and g: the oracle's
 * own matrices are right. */
void ob_wino_self_check(int m);

/* The three transforms of one F(2x2,3x3) tile in double with the matrices
 * of M: u = G g G^T (4x4), v = B^T d B (B d B^T when transposed), y = A^T m A
 * (2x2). */
void ob_filter_transform(const ObWinoMats *M, const float *g, double *u);
void ob_input_transform(const ObWinoMats *M, const float *d, int transposed,
                        double *v);
void ob_output_transform(const ObWinoMats *M, const float *mm, double *y);

/* Runs winograd_filter_transform / winograd_input_transform /
 * winograd_output_transform on n_cases random inputs (seeded) and fails the
 * current test with a full message at the first wrong output, naming the
 * mistake it recognises. which: 0 filter, 1 input, 2 output. */
void check_wino_transform(int which, int n_cases, unsigned long long seed);

/* ---- convolutions --------------------------------------------------------- */

/* Typical mistakes of a fast convolution, each computed in double. */
typedef enum {
    CM_RIGHT,
    CM_FLIP,          /* true convolution: the kernel rotated by 180 degrees */
    CM_NO_BIAS,       /* bias forgotten */
    CM_PAD_IGNORED,   /* tap rows i + u*dil instead of i - pad + u*dil */
    CM_WINO_BT_SIGN,  /* Winograd with a wrong B^T, G or A^T (m of the call) */
    CM_WINO_G_HALF,
    CM_WINO_AT_SIGN,
    CM_FFT_NO_CONJ,   /* FFT: S = X W instead of X conj(W), x and w at the origin */
    CM_FFT_WRAP,      /* FFT: period next_pow2(max(H, span)): the pad forgotten */
    CM_N_MISTAKES
} ConvMistake05;

/* y = the layer (eq. 1.6) in double, or a mistake's output. m is the
 * Winograd tile size for the CM_WINO_* mistakes (2 or 4). b may be NULL. */
void ob_conv(const Conv2dGeom *g, const float *x, const float *w,
             const float *b, ConvMistake05 mk, int m, double *y);
const char *ob_conv_hint(ConvMistake05 mk);

/* Which fast convolution a check runs. */
typedef enum { ALG_WINO2, ALG_WINO4, ALG_FFT } FastAlg;

/* Runs the algorithm on random x, w (and b unless no_bias) from seed, with
 * a workspace of exactly the size its header states and y filled with NaN,
 * and fails the current test unless it returns 0 and y matches the double
 * reference to the algorithm's tolerance. Every mistake in `mistakes` (a
 * list ended by CM_RIGHT) whose output differs from the right one is
 * offered as a hint. */
void check_fast_conv(FastAlg alg, const Conv2dGeom *g, int no_bias,
                     unsigned long long seed, const ConvMistake05 *mistakes);

/* Fails the current test unless the algorithm returns -1 for g and leaves y
 * untouched (g is a layer the header says it does not compute). */
void check_fast_conv_rejects(FastAlg alg, const Conv2dGeom *g,
                             const char *why);

/* ---- FFT -------------------------------------------------------------------- */

/* The DFT of n complex numbers in double, eq. (5.33), forward or inverse
 * (with the 1/n), by the O(n^2) sum. */
void ob_dft(const double *re, const double *im, int n, int inverse,
            double *out_re, double *out_im);

/* Runs fft_radix2 on random data (seeded) for each n in ns and fails the
 * current test at the first wrong output (compared with ob_dft, tolerance
 * OB_RTOL_FFT of the largest |X|), naming the mistake it recognises. */
void check_fft_1d(const int *ns, int count, int inverse, unsigned long long seed);

/* The same for fft2d on a p x q array. */
void check_fft_2d(int p, int q, int inverse, unsigned long long seed);

/* ---- int8 ------------------------------------------------------------------- */

/* quantize_int8 by eq. (5.43): the float quotient x / scale, rounded to
 * nearest with ties to even (computed here without rintf), saturated. */
int ob_quantize(float x, float scale);

/* Checks quant_scale on v (n values) against max|v| / 127 (1 when all are
 * zero); `what` describes the case. */
void check_quant_scale(const float *v, size_t n, const char *what);

/* Checks quantize_int8(x, n, scale) element by element against
 * ob_quantize, naming the mistake it recognises. */
void check_quantize(const float *x, size_t n, float scale, const char *what);

/* Checks quantize_weights_int8 on random weights of layer g whose output
 * channels have magnitudes spread over a factor 100 (seeded). */
void check_quantize_weights(const Conv2dGeom *g, unsigned long long seed);

/* Runs conv2d_forward_int8 on random int8 x and w (full range, -128
 * included) with random positive scales, and fails the current test unless
 * y matches the exact integer sum scaled as eq. (5.45), to OB_RTOL_INT8. */
void check_int8_conv(const Conv2dGeom *g, int no_bias, unsigned long long seed);

/* The int32 accumulator near its limit: a 1x1 layer with C_in = 131071 and
 * every x and w at -128 (and a second channel with mixed signs), so the sum
 * is 2^31 - 2^14: it must come out exactly. */
void check_int8_conv_int32_limit(void);

/* The float-in, float-out call of chapter 06 (conv2d_forward_int8_f32, given
 * code calling quantize_int8 and conv2d_forward_int8) on random x >= 0 and
 * weights quantized by the oracle, against the exact integer result. */
void check_int8_hook(const Conv2dGeom *g, unsigned long long seed);

#endif

/* oracle_01.h: the double-precision reference the chapter 01 tests compare
 * against, and the outputs of typical mistakes (for the hints).
 *
 * Written independently of the solution: every sum runs over the whole
 * kernel and tests each tap against the image bounds, in double, straight
 * from the lesson's equations. A "mistake" computes what a typical wrong
 * implementation would return, so that a test can name the mistake when a
 * student's output matches it.
 *
 * One hint per mistake: every check offers every mistake it knows (those
 * that give the right output on a case, like a flipped 1x1 kernel, are no
 * mistake there) and names the one the student's output matches, with the
 * same words in every test. When several mistakes give that very output
 * (with padding 1, "padding ignored" and "padding off by one" read the same
 * rows), the hint names each of them.
 *
 * Beyond the values, the checks hold the functions to the rest of conv.h's
 * contract: inputs only read, no allocation, nothing written outside the
 * output, and for conv2d_forward, the output size taken from
 * conv2d_out_h/w (checked first, so that a wrong conv_out_size is blamed on
 * conv_out_size) and bias = NULL accepted.
 */
#ifndef ORACLE_01_H
#define ORACLE_01_H

#include <stddef.h>

#include "conv.h"
#include "grade.h"

/* Tolerance of every array comparison in this chapter: relative error 1e-4
 * against the double reference, with grade.h's floor at 1% of the largest
 * |expected| (so an element that is nearly zero by cancellation is judged
 * against 1e-6 max|y|). The lesson's section "How exact is exact?" derives
 * it: a float sum of K products carries a rounding error of about
 * sqrt(K) u |partial sums| (u = 2^-24), which stays below 2e-5 of that floor
 * for the K <= 100 products per output used here; any real mistake changes
 * some output by far more than 1e-4. */
#define CONV_RTOL 1e-4
#define CONV_FLOOR 1e-2

/* ---- 1-D and 2-D valid ---------------------------------------------------- */

/* out[n] = sum_m f[m] g[n - m], n < nf + ng - 1 (eq. 1.2). With
 * as_correlation, g is read backwards: out[n] = sum_m f[m] g[ng-1-(n-m)]. */
void oracle_conv1d_full(const float *f, int nf, const float *g, int ng,
                        int as_correlation, double *out);

/* Valid cross-correlation (flip = 0, eq. 1.3), true convolution
 * (flip = FLIP_BOTH, eq. 1.4) or a kernel flipped along one axis only;
 * out is (H-KH+1) x (W-KW+1). */
enum { FLIP_ROWS = 1, FLIP_COLS = 2, FLIP_BOTH = 3 };
void oracle_valid2d(const float *img, int H, int W, const float *k, int KH,
                    int KW, int flip, double *out);

/* ---- sizes ---------------------------------------------------------------- */

typedef enum {
    SIZE_RIGHT,       /* eq. (1.7) with a true floor */
    SIZE_TRUNC,       /* C division truncating toward zero, no fit check
                       * (first: for a negative numerator it equals CEIL) */
    SIZE_NO_PLUS1,    /* the +1 forgotten */
    SIZE_CEIL,        /* rounded up instead of down */
    SIZE_NO_DIL,      /* kernel span k instead of dil (k-1) + 1 */
    SIZE_SPAN_DK,     /* kernel span dil k instead of dil (k-1) + 1 */
    SIZE_PAD_ONCE,    /* in + pad instead of in + 2 pad */
    SIZE_N_MISTAKES
} SizeMistake;

/* Eq. (1.7) computed in floating point with floor(), or a mistake's value. */
long long oracle_out_size(int in, int k, int stride, int pad, int dil,
                          SizeMistake m);
const char *oracle_size_hint(SizeMistake m);

typedef enum {
    COUNT_RIGHT,
    COUNT_NO_BIAS,       /* bias never added (or only for has_bias == 1) */
    COUNT_BIAS_ALWAYS,   /* bias added even when has_bias is 0 */
    COUNT_NO_GROUPS,     /* c_out * c_in * kh * kw: groups ignored */
    COUNT_BIAS_PER_CIN,  /* c_in biases instead of c_out */
    COUNT_INT_OVERFLOW,  /* the product wrapped around in 32-bit int */
    COUNT_N_MISTAKES
} CountMistake;

long long oracle_param_count(int c_in, int c_out, int kh, int kw, int groups,
                             int has_bias, CountMistake m);
/* The hint for mistake m on a call with this has_bias. */
const char *oracle_count_hint(CountMistake m, int has_bias);

/* ---- conv2d ----------------------------------------------------------------- */

typedef enum {
    CONV_RIGHT,
    CONV_FLIP,           /* true convolution: w[o][c][kh-1-u][kw-1-v] */
    CONV_NO_BIAS,        /* bias forgotten */
    CONV_BIAS_PER_CIN,   /* bias added inside the input-channel loop */
    CONV_PAD_IGNORED,    /* row i*s + u*d: the -pad missing */
    CONV_PAD_PLUS1,      /* row i*s - pad + 1 + u*d */
    CONV_PAD_MINUS1,     /* row i*s - pad - 1 + u*d */
    CONV_PAD_REPLICATE,  /* a tap outside reads the nearest border pixel */
    CONV_PAD_W_FROM_H,   /* columns padded by pad_h, not pad_w */
    CONV_PAD_H_FROM_W,   /* rows padded by pad_w, not pad_h */
    CONV_TAPS_FLOOR,     /* eq. (1.8)'s u_hi rounded down: no tap beyond
                          * row h - dil (column w - dil) is read */
    CONV_STRIDE_IGNORED, /* row i - pad + u*d */
    CONV_DIL_IGNORED,    /* row i*s - pad + u */
    CONV_BATCH0,         /* every image of the batch reads x[0] */
    CONV_GROUP_OFFSET,   /* every group reads input channels 0 .. Cg-1 */
    CONV_GROUP_NO_MUL,   /* group g starts at input channel g, not g*Cg */
    CONV_GROUP_MODULO,   /* group of o taken as o % groups */
    CONV_X_HW_SWAPPED,   /* x[n][c][r][q] read at ((n*C + c)*W + q)*H + r */
    CONV_W_HW_SWAPPED,   /* w[o][c][u][v] read at ((o*Cg + c)*KW + v)*KH + u */
    CONV_Y_HW_SWAPPED,   /* y[n][o][i][j] written at ((n*Co + o)*OW + j)*OH + i */
    CONV_N_MISTAKES
} ConvMistake;

/* y = conv2d(x, w, b) in double by eq. (1.6), or a mistake's output; y has
 * shape (n, c_out, OH, OW) with OH, OW from eq. (1.7) (always the right
 * shape, whatever the mistake). b may be NULL. */
void oracle_conv2d(const Conv2dGeom *g, const float *x, const float *w,
                   const float *b, ConvMistake m, double *y);
const char *oracle_conv_hint(ConvMistake m);

/* Hints of the contract checks, quoted by the mutants. */
#define HINT_BIAS_NULL                                                       \
    "bias may be NULL, meaning no bias: test it before reading bias[o]."
#define HINT_PAST_Y                                                          \
    "conv2d_forward wrote past the end of y: y has n*c_out*OH*OW elements "  \
    "with OH = conv2d_out_h(g) and OW = conv2d_out_w(g); use those, the "    \
    "one definition of eq. (1.7), rather than a formula of your own."
#define HINT_ALLOC                                                           \
    "the functions of conv.h allocate nothing: the caller provides every "   \
    "buffer, and a kernel is read flipped by its indices, "                  \
    "k[KH-1-u][KW-1-v], not copied."

/* ---- test helpers ------------------------------------------------------------ */

/* "N=2 C_in=3 H=7 W=5, C_out=4 KH=3 KW=2, stride=(2,1) pad=(1,0)
 * dil=(1,1) groups=1, bias" into buf. */
void format_geom(char *buf, size_t len, const Conv2dGeom *g, int has_bias);

/* A Conv2dGeom with the given shapes, stride 1, no padding, dilation 1 and
 * one group; tests then set what they exercise. */
Conv2dGeom geom_basic(int n, int c_in, int h, int w, int c_out, int kh, int kw);

/* Runs conv2d_forward on random x, w (and b unless no_bias), seeded by seed,
 * and fails the current test with a full message unless y matches the
 * reference, naming the mistake when the output is recognised. Before the
 * call it checks the output size the code under test gives
 * (conv2d_out_h/w); afterwards, that nothing was written past y, the inputs
 * are unchanged and nothing was allocated. With no_bias, a crash on
 * bias = NULL is named as such. */
void check_conv2d(const Conv2dGeom *g, int no_bias, unsigned long long seed);

/* The same on given x, w and b (b may be NULL); `what` describes them. */
void check_conv2d_data(const Conv2dGeom *g, const float *x, const float *w,
                       const float *b, const char *what);

/* Checks the given conv2d_x_numel, conv2d_weight_numel and conv2d_y_numel
 * on g (the last from the sizes conv2d_out_h/w give), in size_t. */
void check_given_numel(const Conv2dGeom *g);

/* Runs conv1d_full(f, nf, g, ng) and fails the current test with a full
 * message unless it matches eq. (1.2); `what` describes the case. */
void check_conv1d(const float *f, int nf, const float *g, int ng,
                  const char *what);

/* Runs correlate2d_valid (convolve = 0) or convolve2d_valid (convolve = 1)
 * and fails the current test unless it matches eq. (1.3) or (1.4). */
void check_valid2d(const float *img, int H, int W, const float *k, int KH,
                   int KW, int convolve, const char *what);

/* One call of conv_out_size, and a table of them: the test fails at the
 * first case whose result is wrong (for a kernel that does not fit, any
 * result <= 0 is right), naming the mistake when it recognises it: when
 * the mistake gives that result there and also what conv_out_size returns
 * on a few probe calls of oracle_01.c (so a span of dil*k, which only
 * shows with dilation, is not taken for a missing +1). */
typedef struct {
    int in, k, stride, pad, dil;
} SizeCase;
void check_size_cases(const SizeCase *cases, int n);

typedef struct {
    int c_in, c_out, kh, kw, groups, has_bias;
} CountCase;
void check_count_cases(const CountCase *cases, int n);

/* Fills a new array of n floats uniform in [-1, 1) from seed (free it). */
float *random_floats(size_t n, unsigned long long seed);

/* Number of allocations (malloc, calloc, realloc, ...) made by this process
 * so far, counted by AddressSanitizer's allocator hooks; always 0 in a build
 * without AddressSanitizer (then allocations are not checked). */
size_t alloc_count(void);

#endif

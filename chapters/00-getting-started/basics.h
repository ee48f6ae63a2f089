/* basics.h: chapter 00, getting started. The contract between the exercise
 * skeleton (chapters/00-getting-started/basics.c), the reference solution and
 * the tests. Every equation number refers to
 * chapters/00-getting-started/lesson.md.
 *
 * Two small tool kits that every later chapter uses:
 *   - offsets into a contiguous, row-major float32 tensor of shape
 *     (N, C, H, W), the layout of PyTorch and of this whole workbook, and
 *     into the channel-last layout (N, H, W, C) the seed's notation uses;
 *   - the central-difference numerical derivative, the yardstick against
 *     which every hand-written backward pass is checked.
 */
#ifndef BASICS_H
#define BASICS_H

#include <stddef.h>

/* ---- tensor indexing ---------------------------------------------------- */

/* >>> dims4 */
/* The shape of a 4-D tensor in NCHW order: batch, channels, height, width.
 * All four are >= 1. The tensor holds n * c * h * w floats. */
typedef struct {
    int n, c, h, w;
} Dims4;
/* <<< dims4 */

/* Number of elements of a tensor of shape d: N*C*H*W, computed in size_t so
 * that it cannot overflow an int. (Given, not an exercise.) */
size_t dims4_numel(Dims4 d);

/* >>> index-api */
/* Offset of element (n, c, h, w) in a contiguous NCHW tensor of shape d,
 * eq. (0.2):
 *   offset = ((n*C + c)*H + h)*W + w,
 * computed in size_t (a large tensor has more than 2^31 elements). The
 * indices satisfy 0 <= n < d.n, 0 <= c < d.c, 0 <= h < d.h, 0 <= w < d.w;
 * they are not checked. */
size_t nchw_index(Dims4 d, int n, int c, int h, int w);

/* Offset of element (n, c, h, w) of the same tensor stored channel-last,
 * as an (N, H, W, C) array, eq. (0.4):
 *   offset = ((n*H + h)*W + w)*C + c,
 * computed in size_t, like nchw_index. The arguments are still given in the
 * order n, c, h, w. */
size_t nhwc_index(Dims4 d, int n, int c, int h, int w);

/* The strides of a contiguous NCHW tensor of shape d, in elements, eq. (0.3):
 * strides[0..3] = { C*H*W, H*W, W, 1 } for the axes n, c, h, w, so that
 * nchw_index = n*strides[0] + c*strides[1] + h*strides[2] + w*strides[3].
 * (NumPy's x.strides are in bytes: four times these for float32.)
 * Computed in size_t: C*H*W may exceed 2^31. The caller provides
 * strides[4]; nothing else is written. */
void nchw_strides(Dims4 d, size_t strides[4]);

/* Copies the NCHW tensor src of shape d into dst in NHWC order, eq. (0.5):
 *   dst[nhwc_index(d, n, c, h, w)] = src[nchw_index(d, n, c, h, w)]
 * for every (n, c, h, w). src and dst hold dims4_numel(d) floats each, are
 * allocated by the caller and do not overlap; src is only read. */
void nchw_to_nhwc(Dims4 d, const float *src, float *dst);

/* The inverse of nchw_to_nhwc: src is (N, H, W, C), dst is (N, C, H, W).
 * (Given, not an exercise: the lesson reads it as an example of the
 * pointer-to-array casts that later chapters use.) */
void nhwc_to_nchw(Dims4 d, const float *src, float *dst);
/* <<< index-api */

/* ---- numerical derivatives --------------------------------------------- */

/* >>> numgrad-api */
/* A scalar function of a float vector, f: R^n -> R, such as a loss seen as
 * a function of one layer's input or weights. It reads x (its length is
 * known to the function through ctx) and returns f(x) in double. It must
 * not modify x; ctx carries whatever else it needs (data, shapes) and may
 * be NULL. */
typedef double (*ScalarFn)(const float *x, void *ctx);

/* The central-difference estimate of the partial derivative df/dx[i],
 * eq. (0.12):
 *   x+ = fl(x[i] + h),  x- = fl(x[i] - h)     (rounded to float)
 *   result = (f(x with x[i] = x+) - f(x with x[i] = x-)) / (x+ - x-),
 * where the two values of f are subtracted in double and the denominator
 * x+ - x- is computed in double: it is the step actually taken, which
 * differs from 2h when x[i] + h is not representable in float (lesson,
 * section "The step you actually take").
 * Calls f exactly twice, f(x, ctx), with ctx as given and x itself: x[i]
 * set to x+ for one call and to x- for the other, every other element as
 * on entry. x is restored on return: x[i] holds, bit for bit, the value it
 * had on entry (-0.0 included).
 * h > 0. If h is so small that x+ == x-, the result is 0/0 = NaN. */
double numerical_partial(ScalarFn f, void *ctx, float *x, size_t i, float h);

/* The numerical gradient: grad[i] = numerical_partial(f, ctx, x, i, h) for
 * i = 0 .. n-1, eq. (0.13). x has n elements and is unchanged on return;
 * grad (n doubles) is allocated by the caller. Costs exactly 2n calls of
 * f. */
void numerical_gradient(ScalarFn f, void *ctx, float *x, size_t n, float h,
                        double *grad);

/* The relative error of a against b, eq. (0.14):
 *   |a - b| / max(|a|, |b|),   and 0 when a == b == 0 (either sign).
 * Symmetric in a and b, between 0 and 2, scale-free (the same for k*a and
 * k*b, k != 0: no epsilon in the denominator): 1e-7 means the two agree to
 * about seven significant digits. a and b are finite, and |a - b| does not
 * overflow. */
double relative_error(double a, double b);
/* <<< numgrad-api */

#endif

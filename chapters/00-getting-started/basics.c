/* basics.c: chapter 00, the exercises. The contract of every function is in
 * basics.h; the derivations are in lesson.md. Implement them in the order
 * they appear here and run `./build.sh check 00` after each one. */
#include "basics.h"

#include <math.h>

/* ---- tensor indexing ---------------------------------------------------- */

/* Offset of (n, c, h, w) in a contiguous NCHW tensor, eq. (0.2):
 *   offset = ((n*C + c)*H + h)*W + w.
 * w moves fastest (neighbours along w are adjacent in memory), n slowest. */
size_t nchw_index(Dims4 d, int n, int c, int h, int w)
{
    /* TODO: Horner's form of eq. (0.2): start from n, and at each step
     * multiply by the size of the next axis and add its index. Convert to
     * size_t BEFORE multiplying, so that a tensor of more than 2^31
     * elements does not overflow int. */
    (void)d;
    (void)n;
    (void)c;
    (void)h;
    (void)w;
    return 0;
}

/* Offset of (n, c, h, w) in the same tensor stored as (N, H, W, C), eq. (0.4):
 *   offset = ((n*H + h)*W + w)*C + c.
 * Now c moves fastest. */
size_t nhwc_index(Dims4 d, int n, int c, int h, int w)
{
    /* TODO: the same Horner form as nchw_index, over the axes in the order
     * n, h, w, c. */
    (void)d;
    (void)n;
    (void)c;
    (void)h;
    (void)w;
    return 0;
}

/* Strides of a contiguous NCHW tensor in elements, eq. (0.3):
 *   strides = { C*H*W, H*W, W, 1 }   for the axes n, c, h, w. */
void nchw_strides(Dims4 d, size_t strides[4])
{
    /* TODO: the stride of an axis is the product of the sizes of all the
     * axes after it. Fill strides[3] first, then work backwards. */
    (void)d;
    (void)strides;
}

/* Copies NCHW src into NHWC dst, eq. (0.5):
 *   dst[nhwc_index(d, n, c, h, w)] = src[nchw_index(d, n, c, h, w)]. */
void nchw_to_nhwc(Dims4 d, const float *src, float *dst)
{
    /* TODO: four nested loops over n, c, h, w (in that order, so that src
     * is read sequentially); read src at the NCHW offset and write dst at
     * the NHWC offset of the same element. */
    (void)d;
    (void)src;
    (void)dst;
}

/* ---- numerical derivatives --------------------------------------------- */

/* The relative error |a - b| / max(|a|, |b|), and 0 when both are 0,
 * eq. (0.14). */
double relative_error(double a, double b)
{
    /* TODO: compute the larger of |a| and |b| (fabs, fmax); if it is 0,
     * return 0 (both are zero, they agree); otherwise divide |a - b| by it. */
    (void)a;
    (void)b;
    return -1.0;
}

/* The central difference of eq. (0.12), dividing by the step actually taken:
 *   x+ = fl(x[i] + h), x- = fl(x[i] - h),
 *   result = (f(..., x+, ...) - f(..., x-, ...)) / ((double)x+ - (double)x-).
 * x[i] is restored, bit for bit, before returning. */
double numerical_partial(ScalarFn f, void *ctx, float *x, size_t i, float h)
{
    /* TODO:
     *  1. save x[i] in a local float;
     *  2. compute x+ and x- as floats (this rounds them, as f will see them);
     *  3. set x[i] = x+ and call f, then x[i] = x- and call f again;
     *  4. put the saved value back into x[i] (do not "undo" by adding h:
     *     in floating point x - h + h need not give x back);
     *  5. divide the difference of the two values of f by x+ - x-,
     *     computed in double, not by 2h. */
    (void)f;
    (void)ctx;
    (void)x;
    (void)i;
    (void)h;
    return 0.0;
}

/* The numerical gradient, eq. (0.13): grad[i] = numerical_partial(..., i, h)
 * for every i < n. */
void numerical_gradient(ScalarFn f, void *ctx, float *x, size_t n, float h,
                        double *grad)
{
    /* TODO: one call of numerical_partial per coordinate. */
    (void)f;
    (void)ctx;
    (void)x;
    (void)n;
    (void)h;
    (void)grad;
}

/* basics.c: chapter 00, reference solution. The contract and the equations
 * are in basics.h; the derivations in chapters/00-getting-started/lesson.md. */
#include "basics.h"

#include <math.h>

/* ---- tensor indexing ---------------------------------------------------- */

/* Eq. (0.2), in Horner form: each step multiplies by the size of the next,
 * faster-moving axis. Every product is done in size_t. */
size_t nchw_index(Dims4 d, int n, int c, int h, int w)
{
    return (((size_t)n * (size_t)d.c + (size_t)c) * (size_t)d.h + (size_t)h)
               * (size_t)d.w + (size_t)w;
}

/* Eq. (0.4): the same Horner form over the axis order n, h, w, c. */
size_t nhwc_index(Dims4 d, int n, int c, int h, int w)
{
    return (((size_t)n * (size_t)d.h + (size_t)h) * (size_t)d.w + (size_t)w)
               * (size_t)d.c + (size_t)c;
}

/* Eq. (0.3): the stride of an axis is the product of the sizes of all the
 * axes after it. */
void nchw_strides(Dims4 d, size_t strides[4])
{
    strides[3] = 1;
    strides[2] = (size_t)d.w;
    strides[1] = (size_t)d.h * strides[2];
    strides[0] = (size_t)d.c * strides[1];
}

/* Eq. (0.5). The loops run in the order of src, so reads are sequential and
 * writes jump by C. */
void nchw_to_nhwc(Dims4 d, const float *src, float *dst)
{
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++)
                    dst[nhwc_index(d, n, c, h, w)] = src[nchw_index(d, n, c, h, w)];
}

/* ---- numerical derivatives --------------------------------------------- */

/* Eq. (0.14). */
double relative_error(double a, double b)
{
    const double scale = fmax(fabs(a), fabs(b));
    if (scale == 0.0)
        return 0.0;
    return fabs(a - b) / scale;
}

/* Eq. (0.12). The perturbed coordinates are rounded to float because that
 * is what f sees. Dividing by the step between the two rounded points,
 * formed in double (where the difference of two nearby floats is exact),
 * rather than by 2h removes the error of that rounding. */
double numerical_partial(ScalarFn f, void *ctx, float *x, size_t i, float h)
{
    const float xi = x[i];
    const float x_plus = xi + h;
    const float x_minus = xi - h;

    x[i] = x_plus;
    const double f_plus = f(x, ctx);
    x[i] = x_minus;
    const double f_minus = f(x, ctx);
    x[i] = xi; /* restore the saved value: xi + h - h need not equal xi */

    return (f_plus - f_minus) / ((double)x_plus - (double)x_minus);
}

/* Eq. (0.13): one partial derivative per coordinate. */
void numerical_gradient(ScalarFn f, void *ctx, float *x, size_t n, float h,
                        double *grad)
{
    for (size_t i = 0; i < n; i++)
        grad[i] = numerical_partial(f, ctx, x, i, h);
}

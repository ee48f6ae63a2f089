/* pool.c: chapter 02, the exercises. Implement the functions marked TODO in
 * the order they appear (the lesson's "Your turn" section), and check each
 * one with `./build.sh check 02`. The contracts are in pool.h; equation
 * numbers refer to lesson.md. No function here needs to allocate memory. */
#include "pool.h"

#include <math.h>

/* ---- output size --------------------------------------------------------- */

/* >>> out_size_todo */
/* Output length along one axis, eqs. (2.4)-(2.6):
 *   floor mode: out = floor((in + 2 pad - k) / stride) + 1,
 *   ceil mode:  out = ceil((in + 2 pad - k) / stride) + 1, then
 *               if (out - 1) * stride >= in + pad: out--. */
int pool_out_size(int in, int k, int stride, int pad, int ceil_mode)
{
    /* TODO:
     * 1. The numerator a = in + 2*pad - k. In ceil mode, ceil(a / s) is
     *    floor((a + s - 1) / s): one floor division serves both modes.
     * 2. C's / truncates toward zero: for a negative numerator write the
     *    floor yourself (the result must be 0 or less when the kernel does
     *    not fit, in both modes).
     * 3. In ceil mode only, drop a last window that would start in the
     *    right padding, eq. (2.6). */
    (void)in;
    (void)k;
    (void)stride;
    (void)pad;
    (void)ceil_mode;
    return 0;
}
/* <<< out_size_todo */

/* ---- the pooling layers ---------------------------------------------------- */

/* >>> max_todo */
/* Max pooling, eq. (2.1):
 *   y[n][c][i][j] = max over u < kh, v < kw of
 *                   x[n][c][i*sh - ph + u][j*sw - pw + v],
 * x read as -inf outside the image; a NaN in the window gives NaN. */
void maxpool2d_forward(const Pool2dGeom *g, const float *x, float *y)
{
    /* TODO:
     * 1. OH = pool2d_out_h(g), OW = pool2d_out_w(g). Pointer-to-array views
     *    let you write x[n][c][r][q] and y[n][c][i][j]:
     *      const float (*xa)[g->c][g->h][g->w] =
     *          (const float (*)[g->c][g->h][g->w])x;
     * 2. Loop n, c, i, j over y. The window's first row is i*sh - ph; its
     *    rows end at the padded input's end (h + ph) at the latest, and only
     *    the rows 0 .. h-1 hold pixels. Same for the columns.
     * 3. Start from -INFINITY (not 0, not -FLT_MAX, not a padded cell);
     *    keep the larger value, and let a NaN win (isnan). */
    (void)g;
    (void)x;
    (void)y;
}
/* <<< max_todo */

/* >>> avg_todo */
/* Average pooling, eqs. (2.2)-(2.3): the sum of the window's pixels divided
 * by D = its cells inside the padded input (count_include_pad != 0) or its
 * cells inside the image (count_include_pad == 0). */
void avgpool2d_forward(const Pool2dGeom *g, const float *x, float *y)
{
    /* TODO: the loops of maxpool2d_forward, with a sum instead of a max.
     * For the divisor, work out per axis where the window starts
     * (top = i*sh - ph), where it ends inside the padded input
     * (min(top + kh, h + ph)) and which part lies in the image; eq. (2.3)
     * multiplies the two axes' lengths. */
    (void)g;
    (void)x;
    (void)y;
}
/* <<< avg_todo */

/* >>> gap_todo */
/* Global average pooling, eq. (2.7): y[n][c] = mean of x[n][c][.][.]. */
void global_avgpool2d_forward(int n, int c, int h, int w, const float *x, float *y)
{
    /* TODO: one mean per plane x[b][k] (b < n, k < c), summed in a double
     * (pool.h says why), divided by h*w and stored in y[b][k], that is
     * y[b*c + k]. Compute offsets in size_t: n*c*h*w may exceed 2^31. */
    (void)n;
    (void)c;
    (void)h;
    (void)w;
    (void)x;
    (void)y;
}
/* <<< gap_todo */

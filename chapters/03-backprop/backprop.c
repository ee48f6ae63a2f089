/* backprop.c: chapter 03, the exercises. Implement the functions marked TODO
 * in the order of the lesson's "Your turn" section, and check each one with
 * `./build.sh check 03`. The contracts are in backprop.h; equation numbers
 * refer to lesson.md. No function here needs to allocate memory. */
#include "backprop.h"

#include <math.h>

/* ---- conv2d ---------------------------------------------------------------- */

/* >>> conv-backward-todo */
/* Backward pass of conv2d, eqs. (3.4), (3.5) and (3.11):
 *   dbias[o]            = sum_{n,i,j} dy[n][o][i][j]
 *   dweight[o][c][u][v] = sum_{n,i,j} dy[n][o][i][j] * x[n][g*Cg + c][r][q]
 *   dx[n][g*Cg + c][r][q] = sum_{o in group g} sum_{u,v} dy[n][o][i][j] * w[o][c][u][v]
 * with r = i*sh - ph + u*dh and q = j*sw - pw + v*dw throughout: in dx, the
 * sum runs over the taps (u, v) for which i = (r + ph - u*dh) / sh and
 * j = (q + pw - v*dw) / sw are whole numbers inside the output. Any of dx,
 * dweight, dbias may be NULL (skip it); each one computed is overwritten. */
void conv2d_backward(const Conv2dGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias)
{
    /* TODO, in three independent parts, each under `if (out != NULL)`:
     * 1. dbias, eq. (3.4): for each o, sum dy over n, i, j; store.
     * 2. dweight, eq. (3.5): for each (o, c, u, v), sum over n, i, j of
     *    dy[n][o][i][j] times the input pixel that tap (u, v) of output
     *    (i, j) read in the forward pass (skip taps in the padding; the
     *    first input channel of o's group is (o / (c_out/groups)) * Cg).
     *    Store the sum: do not add it to what dweight held.
     * 3. dx, eq. (3.11): for each input element (n, ci, r, q), with
     *    ci = grp*Cg + c, sum over the output channels o of group grp and
     *    the taps (u, v): i = (r + ph - u*dh) / sh must divide exactly and
     *    lie in 0 .. OH-1 (likewise j); store the sum (0 if no term).
     * Easier alternative for 3: set dx to 0, then loop over the forward's
     * (n, o, i, j, c, u, v) and add dy * w into the pixel each tap read.
     * Use pointer-to-array views (chapter 01) and size_t-safe indexing. */
    (void)g;
    (void)x;
    (void)weight;
    (void)dy;
    (void)dx;
    (void)dweight;
    (void)dbias;
}
/* <<< conv-backward-todo */

/* ---- pooling --------------------------------------------------------------- */

/* Backward pass of max pooling, eq. (3.13): dx = 0, then each window
 * (n, c, i, j) adds dy[n][c][i][j] to its arg-max, the first maximum in
 * row-major order among the window's cells inside the image. */
void maxpool2d_backward(const Pool2dGeom *g, const float *x, const float *dy,
                        float *dx)
{
    /* TODO:
     * 1. OH = pool2d_out_h(g), OW = pool2d_out_w(g); set all of dx to 0.
     * 2. For each window: rows i*sh - ph .. i*sh - ph + kh - 1, clipped to
     *    0 .. h-1 (and likewise for columns); find the arg-max with a
     *    strict > so that the first of equal values wins.
     * 3. dx[arg-max] += dy of that window (overlapping windows add). */
    (void)g;
    (void)x;
    (void)dy;
    (void)dx;
}

/* Backward pass of average pooling, eq. (3.14): dx = 0, then each window
 * adds dy / divisor to every cell inside the image that it averaged. */
void avgpool2d_backward(const Pool2dGeom *g, const float *dy, float *dx)
{
    /* TODO: as maxpool2d_backward, but every cell of the clipped window
     * receives dy / divisor. The divisor is the forward's: with
     * count_include_pad, the window clipped to the PADDED input (its end is
     * min(start + k, size + pad) on each axis) counts its padded cells
     * too; without it, only the cells inside the image count. */
    (void)g;
    (void)dy;
    (void)dx;
}

/* ---- gradient checking ----------------------------------------------------- */

/* Eq. (3.16): the largest error between analytic[k] and the central
 * difference numeric[k], each measured against max(|a_k|, |n_k|) but never
 * against less than GRADCHECK_FLOOR times the largest component. */
double gradcheck_max_rel_error(ScalarFn loss, void *ctx, float *t, size_t n,
                               const float *analytic, float h,
                               double *numeric)
{
    /* TODO:
     * 1. numerical_gradient(loss, ctx, t, n, h, numeric) (chapter 00).
     * 2. If any analytic[k] or numeric[k] is not finite, return INFINITY.
     *    M = the largest of all |analytic[k]| and |numeric[k]|; if M is 0,
     *    return 0.
     * 3. Return the largest, over k, of relative_error(a_k, n_k) where
     *    max(|a_k|, |n_k|) >= GRADCHECK_FLOOR * M, and of
     *    |a_k - n_k| / (GRADCHECK_FLOOR * M) where it is smaller. */
    (void)loss;
    (void)ctx;
    (void)t;
    (void)n;
    (void)analytic;
    (void)h;
    (void)numeric;
    return NAN;
}

/* backprop.h: chapter 03, backpropagation through convolution and pooling.
 * The contract between the exercise skeleton
 * (chapters/03-backprop/backprop.c), the reference solution and the tests.
 * Every equation number refers to chapters/03-backprop/lesson.md.
 *
 * A backward function is given the layer's inputs and dy = dL/dy, the
 * gradient of some scalar loss L with respect to the layer's output, and
 * returns the gradients of L with respect to the layer's inputs and
 * parameters (eq. 3.1). Shapes and layouts are those of the forward passes
 * (01-convolution/conv.h, 02-pooling/pool.h): float32, contiguous,
 * row-major, NCHW activations and OIHW weights, exactly PyTorch's.
 *
 * Every gradient is OVERWRITTEN, never added to: on return each element of
 * an output holds its gradient, whatever the buffer held before. When a
 * tensor feeds several layers, the caller adds their gradients (eq. 3.2).
 * The caller allocates every output; no function here allocates memory or
 * keeps state between calls.
 */
#ifndef BACKPROP_H
#define BACKPROP_H

#include <stddef.h>

#include "00-getting-started/basics.h"
#include "01-convolution/conv.h"
#include "02-pooling/pool.h"

/* ---- conv2d ---------------------------------------------------------------- */

/* >>> conv-backward */
/* Backward pass of conv2d_forward (eq. 1.6), for every stride, padding,
 * dilation and groups that the forward pass accepts. g, x and weight are
 * those of the forward call; dy is (n, c_out, OH, OW) with
 * OH = conv2d_out_h(g), OW = conv2d_out_w(g). It computes
 *   dbias[o]         = sum_{n,i,j} dy[n][o][i][j]                   eq. (3.4)
 *   dweight[o][c][u][v] = sum_{n,i,j} dy[n][o][i][j]
 *                         * x[n][g*Cg + c][i*sh - ph + u*dh][j*sw - pw + v*dw]
 *                                                                  eq. (3.5)
 *   dx[n][g*Cg + c][r][q] = sum over the (o, u, v, i, j) with o in group g,
 *                         i*sh - ph + u*dh = r and j*sw - pw + v*dw = q,
 *                         of dy[n][o][i][j] * weight[o][c][u][v]     eq. (3.6)
 * (x reads as 0 outside the image; Cg = c_in / groups). dx has x's shape
 * (n, c_in, h, w), dweight has weight's shape (c_out, c_in/groups, kh, kw),
 * dbias has c_out elements. Each of dx, dweight and dbias is overwritten,
 * and each may be NULL to skip computing it; the others are the same
 * whichever are NULL. x is only read when dweight is not NULL, weight only
 * when dx is not NULL. Elements of dx that no window reads get 0.
 * Offsets are computed in size_t: x may hold more than 2^31
 * elements. The outputs must not overlap the inputs. */
void conv2d_backward(const Conv2dGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias);
/* <<< conv-backward */

/* ---- pooling --------------------------------------------------------------- */

/* >>> pool-backward */
/* Backward pass of maxpool2d_forward, eq. (3.13). g and x are those of the
 * forward call; dy and dx have the shapes of the forward's y and x.
 * dx is 0 except at each window's arg-max, which receives that window's dy;
 * where windows overlap, an element that is the arg-max of several windows
 * receives the sum of their dy. The arg-max is the window's largest element
 * of x among the cells inside the image (padding cells, -inf in the
 * forward, are never chosen); ties go to the first maximum in row-major
 * order of the window, as in PyTorch (so a window whose cells are all -inf
 * routes to its first cell inside the image). x holds no NaN. dx is
 * overwritten. */
void maxpool2d_backward(const Pool2dGeom *g, const float *x, const float *dy,
                        float *dx);

/* Backward pass of avgpool2d_forward, eq. (3.14): each window spreads its
 * dy evenly, dy / divisor, over the cells it averaged, the cells inside the
 * image; where windows overlap the shares add. The divisor is the forward's
 * (PyTorch's): with count_include_pad, the number of cells of the window
 * clipped to the padded input (rows i*sh - ph .. min(i*sh - ph + kh,
 * h + ph) - 1, likewise for columns); without it, the number of cells
 * inside the image. dy and dx have the shapes of the forward's y and x;
 * dx is overwritten, and is 0 where no window reaches. */
void avgpool2d_backward(const Pool2dGeom *g, const float *dy, float *dx);
/* <<< pool-backward */

/* ---- gradient checking ----------------------------------------------------- */

/* >>> gradcheck-api */
/* Floor of the error measure of gradcheck_max_rel_error, as a fraction of
 * the largest gradient component (eq. 3.16). */
#define GRADCHECK_FLOOR 1e-3

/* Checks an analytic gradient against the central-difference gradient of
 * chapter 00 (eqs. 0.12, 0.13). loss is a ScalarFn of the n floats of t
 * (00-getting-started/basics.h), usually the probe loss of eq. (3.15) seen
 * as a function of one tensor of a layer; analytic holds the n components
 * of dL/dt from a backward pass. The function fills numeric (n doubles,
 * allocated by the caller) with numerical_gradient(loss, ctx, t, n, h,
 * numeric) and returns the largest error of eq. (3.16):
 *   max_k |a_k - n_k| / max(|a_k|, |n_k|, GRADCHECK_FLOOR * M),
 *   M = max over all k of max(|a_k|, |n_k|),
 * i.e. relative_error(a_k, n_k) (eq. 0.14) for the components of size at
 * least GRADCHECK_FLOOR * M, and the error measured against that floor for
 * the smaller ones. It returns 0 when every a_k and n_k is 0, and +infinity
 * when any a_k or n_k is not finite (a NaN from a step too small for
 * float, for instance). t is unchanged on return, bit for bit. n >= 1,
 * h > 0. Costs 2n calls of loss. */
double gradcheck_max_rel_error(ScalarFn loss, void *ctx, float *t, size_t n,
                               const float *analytic, float h,
                               double *numeric);
/* <<< gradcheck-api */

#endif

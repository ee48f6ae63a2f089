/* pool.h: chapter 02, pooling. The contract between the exercise skeleton
 * (chapters/02-pooling/pool.c), the reference solution and the tests. Every
 * equation number refers to chapters/02-pooling/lesson.md.
 *
 * Layout (as PyTorch): x is (N, C, H, W) and y is (N, C, OH, OW), float32,
 * contiguous, row-major. Pooling works on each channel plane on its own:
 * y[n][c] depends on x[n][c] only. The caller allocates every output; no
 * function here allocates memory or keeps state between calls. Each function
 * means exactly what torch.nn.functional.max_pool2d, avg_pool2d and
 * adaptive_avg_pool2d(x, 1) mean with the same arguments (dilation 1, no
 * divisor_override).
 *
 * Sizes: dimensions and geometry are int, but every offset into x and y is
 * computed in size_t (or through pointer-to-array views, which do the same),
 * so a tensor may hold more than 2^31 elements.
 */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

/* ---- geometry and output size ----------------------------------------- */

/* >>> geom */
/* Geometry of one 2-D pooling call: the input's shape and PyTorch's
 * arguments (kernel_size, stride, padding, ceil_mode, count_include_pad),
 * each given for height and width. Fill it with designated initializers:
 *   Pool2dGeom g = {.n = 1, .c = 3, .h = 8, .w = 8, .kh = 2, .kw = 2,
 *                   .stride_h = 2, .stride_w = 2};
 * Valid geometry: every size >= 1, stride >= 1, 0 <= pad <= kernel/2 (the
 * window always holds at least one real pixel), and an output of at least
 * 1 x 1 (pool2d_out_h, pool2d_out_w >= 1). */
typedef struct {
    int n, c, h, w;          /* x: (n, c, h, w)                                   */
    int kh, kw;              /* kernel_size                                       */
    int stride_h, stride_w;  /* stride (PyTorch's default is the kernel size)     */
    int pad_h, pad_w;        /* implicit padding on each side, <= kernel/2        */
    int ceil_mode;           /* 0: floor the output size, 1: ceil (PyTorch rule)  */
    int count_include_pad;   /* avg only: divide by kh*kw including padded cells  */
} Pool2dGeom;
/* <<< geom */

/* >>> out_size */
/* Output length on one axis with PyTorch's rule: floor or ceil of
 * (in + 2 pad - k) / stride + 1, and in ceil mode the last window must start
 * inside the input or the left padding: if (out-1)*stride >= in + pad, out--.
 * That is eq. (2.4) (floor, ceil_mode == 0) and eqs. (2.5)-(2.6) (ceil, any
 * non-zero ceil_mode). The division rounds toward minus infinity, also for a
 * negative numerator; the result is 0 or less exactly when PyTorch refuses
 * the shape: in floor mode when the kernel is longer than the padded input,
 * in ceil mode when it is longer by stride or more (a shorter overhang
 * leaves one clipped window). in >= 1, k >= 1, stride >= 1,
 * 0 <= pad <= k/2. */
int pool_out_size(int in, int k, int stride, int pad, int ceil_mode);   /* exercise */

/* Given (pool_given.c): pool_out_size on each axis, and the number of
 * elements of y, n * c * OH * OW, in size_t. Every caller uses these. */
int pool2d_out_h(const Pool2dGeom *g);
int pool2d_out_w(const Pool2dGeom *g);
size_t pool2d_out_numel(const Pool2dGeom *g);
/* <<< out_size */

/* ---- the pooling layers ----------------------------------------------- */

/* >>> max */
/* Max pooling, eq. (2.1):
 *   y[n][c][i][j] = max_{u < kh, v < kw} x[n][c][i*sh - ph + u][j*sw - pw + v]
 * where x reads as -inf outside the image (padding never wins; a window of
 * -inf pixels gives -inf), and a window that runs past the padded input in
 * ceil mode is clipped to it. A NaN in the window makes y NaN (as PyTorch).
 * y has shape (n, c, pool2d_out_h(g), pool2d_out_w(g)); count_include_pad
 * is ignored. */
void maxpool2d_forward(const Pool2dGeom *g, const float *x, float *y);  /* pads with -inf */
/* <<< max */

/* >>> avg */
/* Average pooling, eqs. (2.2) and (2.3): the sum of the window's pixels
 * inside the image (padding adds 0) divided by D[i][j]:
 *   count_include_pad != 0: the window's cells inside the PADDED input,
 *     (min(top + kh, h + ph) - top) * (min(left + kw, w + pw) - left),
 *     which is kh*kw except for a ceil-mode window clipped at the end;
 *   count_include_pad == 0: the window's cells inside the image,
 *     (min(top + kh, h) - max(top, 0)) * (min(left + kw, w) - max(left, 0)),
 * with top = i*sh - ph and left = j*sw - pw. y as for maxpool2d_forward. */
void avgpool2d_forward(const Pool2dGeom *g, const float *x, float *y);
/* <<< avg */

/* >>> gap */
/* Global average pooling, adaptive_avg_pool2d to 1x1, eq. (2.7):
 *   y[n][c] = (1 / (h w)) sum_{i < h, j < w} x[n][c][i][j].
 * y has n * c elements (PyTorch's (n, c, 1, 1)). The sum is accumulated in
 * double, so y is accurate to float precision however large h*w is (a float
 * accumulator drifts once the sum dwarfs the terms). n, c, h, w >= 1. */
void global_avgpool2d_forward(int n, int c, int h, int w, const float *x, float *y);
/* <<< gap */

#endif

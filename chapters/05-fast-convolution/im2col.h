/* im2col.h: chapter 05, convolution as matrix multiplication. The contract
 * between the exercise skeleton (chapters/05-fast-convolution/im2col.c and
 * conv_gemm.c), the reference solution and the tests. Equation numbers refer
 * to chapters/05-fast-convolution/lesson.md.
 *
 * Shapes and semantics are those of chapter 01's conv2d_forward
 * (01-convolution/conv.h): x (n, c_in, h, w), weight (c_out, c_in/groups,
 * kh, kw), bias (c_out), y (n, c_out, OH, OW), any stride, padding, dilation
 * and groups. Every offset is computed in size_t, so a tensor may hold more
 * than 2^31 elements. The caller allocates every output and workspace.
 */
#ifndef IM2COL_H
#define IM2COL_H

#include <stddef.h>

#include "01-convolution/conv.h"

/* >>> im2col_api */
/* Rows of the column matrix of one group, eq. (5.3):
 *   K = (c_in / groups) * kh * kw,
 * one row per (input channel c of the group, kernel row u, kernel column v),
 * row index r = (c * kh + u) * kw + v, the order of a filter's weights in
 * OIHW memory. Computed in size_t. */
size_t im2col_rows(const Conv2dGeom *g);

/* Output pixels of one image and channel, P = OH * OW (size_t); pixel
 * q = i * OW + j is output position (i, j). P and K are leading dimensions
 * of the GEMMs, so each must stay below 2^31; the tensors themselves (a
 * batch, many channels) may hold more. */
size_t im2col_pixels(const Conv2dGeom *g);

/* im2col of output pixels p0 .. p0 + np - 1 of one group of one image,
 * eq. (5.3): for every row r = (c, u, v) and pixel q = (i, j),
 *   cols[r * np + (q - p0)] = x[c][i*sh - ph + u*dh][j*sw - pw + v*dw],
 * and 0 where that position lies in the padding. x points at channel 0 of
 * the group (x + (n * c_in + grp * c_in/groups) * h * w) and is read as
 * (c_in/groups, h, w). cols is K x np, row-major; every element is written.
 * 0 <= p0, 1 <= np, p0 + np <= P. */
void im2col(const Conv2dGeom *g, const float *x, size_t p0, size_t np,
            float *cols);

/* The adjoint of im2col, eq. (5.9): every element of cols is added to the
 * position of dx that im2col reads it from,
 *   dx[c][i*sh - ph + u*dh][j*sw - pw + v*dw] += cols[r * np + (q - p0)],
 * and elements that im2col reads from the padding are dropped. dx is one
 * group of one image, as x of im2col. col2im ADDS into dx: the caller
 * clears dx first (it adds the tiles of an image one after another).
 * Arguments as im2col. */
void col2im(const Conv2dGeom *g, const float *cols, size_t p0, size_t np,
            float *dx);
/* <<< im2col_api */

/* >>> plan_api */
/* The im2col path works on tiles of output pixels so that its workspace
 * does not grow with the image, eq. (5.7). The workspace holds, for each
 * of T threads, a GEMM slice (gemm_workspace_bytes(1) bytes) and, after all
 * T GEMM slices, T column buffers of K x tile floats. */
#define IM2COL_BUDGET_BYTES ((size_t)4 << 20) /* all column buffers together */

typedef struct {
    int threads;        /* T: thread slices the workspace holds (>= 1)      */
    size_t tile;        /* output pixels per column buffer, 1 <= tile <= P  */
    int direct;         /* 1: a 1x1, stride 1, unpadded layer: no im2col,
                         * x itself is the column matrix (K = c_in/groups)  */
    void *gemm_ws;      /* T slices of gemm_bytes each                      */
    size_t gemm_bytes;  /* gemm_workspace_bytes(1)                           */
    float *cols;        /* T buffers of K * tile floats, one after another  */
} Im2colPlan;

/* Bytes of workspace the im2col path needs for `threads` thread slices
 * whose column buffers take at most budget_bytes together (and at least
 * one column of K floats per thread); a multiple of 64. */
size_t im2col_workspace_bytes(const Conv2dGeom *g, int threads,
                              size_t budget_bytes);

/* Splits the workspace ws of ws_bytes bytes (64-byte aligned, at least
 * im2col_workspace_bytes(g, 1, 0)) into the largest plan it holds: as many
 * thread slices as fit, up to fastconv_threads(), then the widest tile. */
Im2colPlan im2col_plan(const Conv2dGeom *g, void *ws, size_t ws_bytes);
/* <<< plan_api */

/* >>> conv_gemm_api */
/* conv2d forward as GEMMs, eq. (5.4): for each image n, group grp and
 * tile of output pixels,
 *   Y[n][grp] (og x tile) = W[grp] (og x K) * cols (K x tile)   then + bias,
 * where og = c_out / groups and W[grp] is rows grp*og .. of the weight
 * viewed as a c_out x K matrix; y is overwritten. Same result as
 * conv2d_forward (01-convolution/conv.h) up to rounding. bias may be NULL.
 * ws: ws_bytes >= im2col_workspace_bytes(g, 1, 0) bytes, 64-byte aligned,
 * split by im2col_plan. */
void conv2d_forward_im2col(const Conv2dGeom *g, const float *x,
                           const float *weight, const float *bias, float *y,
                           void *ws, size_t ws_bytes);

/* conv2d backward as GEMMs, eqs. (5.8)-(5.10): with dY[n][grp] the og x P
 * slice of dy and cols the im2col of x,
 *   dW[grp] = sum_n dY[n][grp] * cols^T,   dcols = W[grp]^T * dY[n][grp],
 *   dx = col2im(dcols),                    db[o] = sum_{n,i,j} dy[n][o][i][j].
 * dy has shape (n, c_out, OH, OW). Each non-NULL output is overwritten, not
 * accumulated into; any of dx, dweight, dbias may be NULL to skip it, and
 * the others are the same whichever are NULL. x is only read when dweight
 * is not NULL, weight only when dx is not NULL (either may then be NULL).
 * Elements of dx that no window reads get 0. ws as for
 * conv2d_forward_im2col. */
void conv2d_backward_im2col(const Conv2dGeom *g, const float *x,
                            const float *weight, const float *dy, float *dx,
                            float *dweight, float *dbias, void *ws,
                            size_t ws_bytes);
/* <<< conv_gemm_api */

#endif

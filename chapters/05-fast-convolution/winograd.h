/* winograd.h: chapter 05, Winograd's minimal filtering algorithms F(2x2,3x3)
 * and F(4x4,3x3) for 3x3 convolution layers. The contract between the
 * exercise skeleton (chapters/05-fast-convolution/winograd.c), the reference
 * solution and the tests. Equation numbers refer to
 * chapters/05-fast-convolution/lesson.md.
 *
 * Layouts as in chapter 01 (PyTorch): x is (N, C_in, H, W), weight is
 * (C_out, C_in, 3, 3), bias is (C_out) or NULL, y is (N, C_out, OH, OW) with
 * OH = conv2d_out_h(g), OW = conv2d_out_w(g); float32, contiguous,
 * row-major. Small matrices (tiles, kernels) are row-major too: element
 * (r, c) of a 4x4 tile d is d[4*r + c]. The caller allocates every output
 * and the workspace; nothing here allocates memory or keeps state.
 */
#ifndef WINOGRAD_H
#define WINOGRAD_H

#include <stddef.h>

#include "01-convolution/conv.h"

/* >>> wino_transforms */
/* The three transforms of F(2x2,3x3), eq. (5.26), with the matrices B^T, G
 * and A^T of eq. (5.25). Each reads and writes one small row-major matrix;
 * input and output must not overlap.
 *
 * Filter transform: u = G g G^T, a 4x4 matrix from a 3x3 kernel g. */
void winograd_filter_transform(const float g[9], float u[16]);

/* Input transform: v = B^T d B, a 4x4 matrix from a 4x4 input tile d. */
void winograd_input_transform(const float d[16], float v[16]);

/* Output transform: y = A^T m A, a 2x2 output tile from a 4x4 matrix m (the
 * elementwise product u (.) v, summed over the input channels). For one
 * channel, y[2*i + j] = sum_{a,b < 3} d[4*(i+a) + (j+b)] g[3*a + b]: the
 * 2x2 cross-correlation of the tile with the kernel, eq. (5.20). */
void winograd_output_transform(const float m[16], float y[4]);
/* <<< wino_transforms */

/* >>> wino_conv */
/* Which layers Winograd's F(m x m, 3x3) computes here: 3x3 kernels, stride
 * 1, dilation 1, one group; any padding, batch and channel counts. Returns
 * NULL for such a layer, otherwise one sentence saying why not (for the
 * dispatcher and the cnn tool to print). Given code. */
const char *winograd_unsupported(const Conv2dGeom *g);

/* Bytes of workspace conv2d_forward_winograd and conv2d_forward_winograd4
 * need for layer g (one size serves both): a multiple of 64, at least
 *   4 * (alpha^2 C_out C_in + alpha^2 (C_in + C_out) WINO_TILE_BLOCK)
 * bytes for alpha = 6 (so room for every transformed filter, eq. (5.27),
 * and for WINO_TILE_BLOCK transformed input and output tiles per channel).
 * It does not depend on the image size, the batch or the thread count.
 * Given code. */
#define WINO_TILE_BLOCK 64
size_t winograd_workspace_bytes(const Conv2dGeom *g);

/* The conv2d layer of chapter 01 (eq. 1.6, with stride 1, dilation 1 and
 * one group) computed by F(2x2,3x3), eqs. (5.27)-(5.28): the output is cut
 * into 2x2 tiles, tile (ti, tj) covering outputs 2ti..2ti+1, 2tj..2tj+1 and
 * reading the 4x4 input window whose corner is input row 2ti - pad_h and
 * column 2tj - pad_w (x read as 0 outside the image); a partial tile at the
 * bottom or right edge writes only the outputs that exist. bias may be NULL.
 * ws: winograd_workspace_bytes(g) bytes, 64-byte aligned (may be NULL when
 * that is 0), contents on entry irrelevant. Returns 0, or -1 without writing
 * y when winograd_unsupported(g) is not NULL. Agrees with conv2d_forward to
 * a relative error below 1e-4 (lesson section on accuracy). */
int conv2d_forward_winograd(const Conv2dGeom *g, const float *x,
                            const float *w, const float *bias, float *y,
                            void *ws);

/* The same layer by F(4x4,3x3), eq. (5.30): 4x4 output tiles from 6x6 input
 * windows whose corner is (4ti - pad_h, 4tj - pad_w). Same contract, with
 * the looser tolerance of eq. (5.31) (relative error below 1e-3). */
int conv2d_forward_winograd4(const Conv2dGeom *g, const float *x,
                             const float *w, const float *bias, float *y,
                             void *ws);
/* <<< wino_conv */

/* >>> wino_cost */
/* Multiplications of the elementwise stage of F(m x m, 3x3) for layer g,
 * eq. (5.29): one per element of each alpha x alpha tile (alpha = m + 2),
 * for every image, output channel, input channel and tile,
 *   N * C_out * C_in * ceil(OH/m) * ceil(OW/m) * (m + 2)^2,
 * counted in long long (it exceeds 2^31 for real layers). m is 2 or 4;
 * g is a layer winograd_unsupported accepts. */
long long winograd_mults(const Conv2dGeom *g, int m);

/* Floating-point operations (additions and multiplications) of the whole
 * algorithm as the reference implements it, eq. (5.32): filter, input and
 * output transforms plus the elementwise stage. For the dispatcher, the
 * bench and the lesson's table. Given code. */
double winograd_flops(const Conv2dGeom *g);   /* F(2x2,3x3) */
double winograd4_flops(const Conv2dGeom *g);  /* F(4x4,3x3) */
/* <<< wino_cost */

#endif

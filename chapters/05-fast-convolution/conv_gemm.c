/* conv_gemm.c: chapter 05, conv2d forward and backward as GEMMs over im2col
 * tiles. The contracts are in im2col.h (the GEMM's in gemm.h); equation
 * numbers refer to lesson.md. Check with `./build.sh check 05`. Nothing
 * here allocates memory: the workspace comes from the caller. */
#include "im2col.h"

#include "fastconv.h"

/* >>> forward_todo */
/* y = conv2d(x, weight, bias) as GEMMs, eq. (5.4). */
void conv2d_forward_im2col(const Conv2dGeom *g, const float *x,
                           const float *weight, const float *bias, float *y,
                           void *ws, size_t ws_bytes)
{
    /* TODO:
     * 1. Im2colPlan pl = im2col_plan(g, ws, ws_bytes); K = im2col_rows(g),
     *    P = im2col_pixels(g), og = c_out/groups, cg = c_in/groups. One
     *    thread is enough: take pl.cols as one buffer of
     *    tile = pl.tile * pl.threads pixels, and give gemm() the workspace
     *    pl.gemm_ws of pl.threads * pl.gemm_bytes bytes.
     * 2. For each image n, group grp and tile p0 = 0, tile, 2 tile, ...
     *    (np = the tile's width, shorter at the end):
     *      xg = x + (n*c_in + grp*cg) * h*w   (size_t arithmetic!)
     *      im2col(g, xg, p0, np, cols)         -> K x np, leading dim. np
     *      Y = y + (n*c_out + grp*og) * P + p0 -> og x np, leading dim. P
     *      gemm(GEMM_N, GEMM_N, og, np, K, weight + grp*og*K, K, cols, np,
     *           0, Y, P, ...)
     *    then add bias[grp*og + o] (if bias) to each row o of the tile.
     * 3. When pl.direct (1x1 kernel, stride 1, no padding) skip im2col:
     *    B = xg + p0 with leading dimension P is already the column
     *    matrix, eq. (5.6). */
    (void)g, (void)x, (void)weight, (void)bias, (void)y, (void)ws;
    (void)ws_bytes;
}
/* <<< forward_todo */

/* >>> backward_todo */
/* dx, dweight, dbias as GEMMs, eqs. (5.8)-(5.10); each non-NULL output
 * overwritten, NULL skipped. */
void conv2d_backward_im2col(const Conv2dGeom *g, const float *x,
                            const float *weight, const float *dy, float *dx,
                            float *dweight, float *dbias, void *ws,
                            size_t ws_bytes)
{
    /* TODO (same plan, buffers and tiles as the forward pass):
     * - dbias[o]: the sum of dy[n][o][..] over n and all P pixels, eq. (5.10).
     * - dx: clear it (col2im adds), then per tile
     *     dcols = W^T dY:  gemm(GEMM_T, GEMM_N, K, np, og, Wg, K,
     *                           dY + p0, P, 0, cols, np, ...)
     *     col2im(g, cols, p0, np, dxg)                        eq. (5.9)
     * - dweight: per tile, after im2col of x into cols,
     *     dWg += dY cols^T: gemm(GEMM_N, GEMM_T, og, K, np, dY + p0, P,
     *                           cols, np, beta, dWg, K, ...)   eq. (5.8)
     *   with beta = 0 for the very first tile of the first image (that
     *   overwrites dweight) and 1 for every other.
     * Do dweight before dx within a tile if both share the cols buffer.
     * When pl.direct (1x1, stride 1, no padding), pl.cols is NULL: x's tile
     * (xg + p0, leading dimension P) is the column matrix, and dcols can be
     * written straight into dx's tile (no col2im), eq. (5.6).
     * x is NULL when dweight is NULL, weight NULL when dx is NULL. */
    (void)g, (void)x, (void)weight, (void)dy, (void)dx, (void)dweight;
    (void)dbias, (void)ws, (void)ws_bytes;
}
/* <<< backward_todo */

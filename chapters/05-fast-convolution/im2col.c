/* im2col.c: chapter 05, the im2col exercises. The contracts are in
 * im2col.h; equation numbers refer to lesson.md. Check with
 * `./build.sh check 05`. Nothing here allocates memory. */
#include "im2col.h"

/* >>> im2col_todo */
/* im2col of output pixels p0 .. p0+np-1 of one group of one image,
 * eq. (5.3): row r = (c*kh + u)*kw + v of cols holds, for each pixel
 * q = i*OW + j of the tile, x[c][i*sh - ph + u*dh][j*sw - pw + v*dw]
 * (0 in the padding). cols is K x np. */
void im2col(const Conv2dGeom *g, const float *x, size_t p0, size_t np,
            float *cols)
{
    /* TODO:
     * 1. OW = conv2d_out_w(g); K = im2col_rows(g).
     * 2. For each row r: recover (c, u, v) from r (r / (kh*kw), ...).
     * 3. For each pixel q in [p0, p0 + np): i = q / OW, j = q % OW; the
     *    input position row = i*sh - ph + u*dh, col = j*sw - pw + v*dw;
     *    store x[c][row][col] (offset (size_t)c*h*w + (size_t)row*w + col)
     *    or 0 when row or col is outside the image, into
     *    cols[(size_t)r*np + (q - p0)].
     * A test per pixel is fine to start with; the reference computes the
     * range of j that lands inside once per output row instead. */
    (void)g, (void)x, (void)p0, (void)np, (void)cols;
}
/* <<< im2col_todo */

/* >>> col2im_todo */
/* The adjoint of im2col, eq. (5.9): cols[r*np + q - p0] is ADDED to the
 * input position im2col read it from; positions in the padding are
 * dropped. dx is not cleared here. */
void col2im(const Conv2dGeom *g, const float *cols, size_t p0, size_t np,
            float *dx)
{
    /* TODO: the loops of im2col, with the copy x -> cols turned around
     * into dx[c][row][col] += cols[...], and nothing done for a position
     * in the padding. */
    (void)g, (void)cols, (void)p0, (void)np, (void)dx;
}
/* <<< col2im_todo */

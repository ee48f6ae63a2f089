/* im2col.c: chapter 05, the reference solution of im2col and col2im.
 *
 * Both walk the column matrix row by row: row r is one tap (c, u, v) of the
 * kernel, and along a row the output pixels q = i*OW + j run through whole
 * or partial output rows i. For one output row, the columns j whose tap
 * lands inside the image form one range (eq. 5.3's analogue of chapter
 * 01's eq. 1.8), so the loops never test a pixel against the border. */
#include "im2col.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static int min_int(int a, int b) { return a < b ? a : b; }
static int max_int(int a, int b) { return a > b ? a : b; }

/* >>> out_range */
/* The output columns j in [lo, hi) whose input column j*stride + start
 * lies inside 0 .. size-1 (start = v*dil - pad), clipped to [0, ow). */
static void inside_range(int start, int stride, int size, int ow, int *lo,
                         int *hi)
{
    *lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
    *hi = start >= size ? 0 : (size - start + stride - 1) / stride;
    *lo = min_int(*lo, ow);
    *hi = max_int(min_int(*hi, ow), *lo);
}
/* <<< out_range */

/* Work of at least this many floats is worth splitting over threads. */
#define PARALLEL_MIN_FLOATS 32768

/* >>> im2col */
void im2col(const Conv2dGeom *g, const float *x, size_t p0, size_t np,
            float *cols)
{
    const int OW = conv2d_out_w(g);
    const int K = (int)im2col_rows(g), taps = g->kh * g->kw;
    const size_t hw = (size_t)g->h * g->w;
#ifdef _OPENMP
#pragma omp parallel for if (np * K >= PARALLEL_MIN_FLOATS)
#endif
    for (int r = 0; r < K; r++) {
        const int c = r / taps, u = r / g->kw % g->kh, v = r % g->kw;
        const float *xc = x + (size_t)c * hw;
        float *out = cols + (size_t)r * np;
        int jlo, jhi; /* the columns j of every output row that land inside */
        inside_range(v * g->dil_w - g->pad_w, g->stride_w, g->w, OW, &jlo, &jhi);
        for (size_t q = p0; q < p0 + np;) {
            /* the part of output row i inside this tile: j in [j0, j1) */
            const int i = (int)(q / OW), j0 = (int)(q % OW);
            const size_t left = p0 + np - (q - j0); /* pixels from (i, 0) on */
            const int j1 = left < (size_t)OW ? (int)left : OW;
            const int row = i * g->stride_h - g->pad_h + u * g->dil_h;
            if (row < 0 || row >= g->h) {
                for (int j = j0; j < j1; j++)
                    *out++ = 0.0f;
            } else {
                /* input column of output column j: j*stride + v*dil - pad */
                const ptrdiff_t at = (ptrdiff_t)row * g->w + v * g->dil_w - g->pad_w;
                const int lo = max_int(j0, min_int(jlo, j1));
                const int hi = max_int(lo, min_int(jhi, j1));
                for (int j = j0; j < lo; j++)
                    *out++ = 0.0f;
                if (g->stride_w == 1) { /* a contiguous run of the row */
                    const float *src = xc + at + lo;
                    for (int t = 0; t < hi - lo; t++)
                        out[t] = src[t];
                    out += hi - lo;
                } else {
                    for (int j = lo; j < hi; j++) /* eq. (5.3) */
                        *out++ = xc[at + (ptrdiff_t)j * g->stride_w];
                }
                for (int j = hi; j < j1; j++)
                    *out++ = 0.0f;
            }
            q += (size_t)(j1 - j0);
        }
    }
}
/* <<< im2col */

/* >>> col2im */
void col2im(const Conv2dGeom *g, const float *cols, size_t p0, size_t np,
            float *dx)
{
    const int OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups, taps = g->kh * g->kw;
    const size_t hw = (size_t)g->h * g->w;
    /* The rows of one input channel c all add into dx[c]: one thread per
     * channel keeps the additions race-free. */
#ifdef _OPENMP
#pragma omp parallel for if (np * taps * cg >= PARALLEL_MIN_FLOATS)
#endif
    for (int c = 0; c < cg; c++)
        for (int t = 0; t < taps; t++) {
            const int u = t / g->kw, v = t % g->kw;
            const float *in = cols + ((size_t)c * taps + t) * np;
            float *dxc = dx + (size_t)c * hw;
            int jlo, jhi;
            inside_range(v * g->dil_w - g->pad_w, g->stride_w, g->w, OW, &jlo, &jhi);
            for (size_t q = p0; q < p0 + np;) {
                const int i = (int)(q / OW), j0 = (int)(q % OW);
                const size_t left = p0 + np - (q - j0);
                const int j1 = left < (size_t)OW ? (int)left : OW;
                const int row = i * g->stride_h - g->pad_h + u * g->dil_h;
                if (row >= 0 && row < g->h) { /* padding rows are dropped */
                    const ptrdiff_t at = (ptrdiff_t)row * g->w + v * g->dil_w - g->pad_w;
                    const int lo = max_int(j0, min_int(jlo, j1));
                    const int hi = max_int(lo, min_int(jhi, j1));
                    for (int j = lo; j < hi; j++) /* eq. (5.9) */
                        dxc[at + (ptrdiff_t)j * g->stride_w] += in[j - j0];
                }
                in += j1 - j0;
                q += (size_t)(j1 - j0);
            }
        }
}
/* <<< col2im */

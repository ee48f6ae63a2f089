/* im2col_given.c: chapter 05, code that is given, not an exercise: the
 * sizes of the column matrix and how the im2col path splits its workspace
 * into thread slices and tiles (im2col.h). It is compiled once and linked
 * with your code and with the reference solution alike. */
#include "im2col.h"

#include "fastconv.h"

size_t im2col_rows(const Conv2dGeom *g)
{
    return (size_t)(g->c_in / g->groups) * g->kh * g->kw; /* eq. (5.3) */
}

size_t im2col_pixels(const Conv2dGeom *g)
{
    return (size_t)conv2d_out_h(g) * (size_t)conv2d_out_w(g);
}

/* A 1x1 kernel with stride 1 and no padding reads x[c][i][j] for output
 * (i, j): the column matrix is x itself, eq. (5.6). */
static int is_pointwise(const Conv2dGeom *g)
{
    return g->kh == 1 && g->kw == 1 && g->stride_h == 1 && g->stride_w == 1 &&
           g->pad_h == 0 && g->pad_w == 0;
}

static size_t round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

/* >>> tile */
/* Output pixels per column buffer when T buffers share budget bytes,
 * eq. (5.7): tile = clamp(floor(budget / (T K 4)), 1, P). */
static size_t tile_for(const Conv2dGeom *g, int T, size_t budget)
{
    const size_t K = im2col_rows(g), P = im2col_pixels(g);
    size_t tile = budget / ((size_t)T * K * sizeof(float));
    if (tile < 1) tile = 1;
    if (tile > P) tile = P;
    return tile;
}
/* <<< tile */

size_t im2col_workspace_bytes(const Conv2dGeom *g, int threads,
                              size_t budget_bytes)
{
    const int T = threads < 1 ? 1 : threads;
    size_t bytes = (size_t)T * gemm_workspace_bytes(1);
    if (!is_pointwise(g))
        bytes += round64((size_t)T * im2col_rows(g) *
                         tile_for(g, T, budget_bytes) * sizeof(float));
    return bytes;
}

Im2colPlan im2col_plan(const Conv2dGeom *g, void *ws, size_t ws_bytes)
{
    Im2colPlan p = {0};
    p.direct = is_pointwise(g);
    p.gemm_bytes = gemm_workspace_bytes(1);
    p.gemm_ws = ws;
    int T = fastconv_threads();
    while (T > 1 && im2col_workspace_bytes(g, T, 0) > ws_bytes)
        T--;
    p.threads = T;
    if (p.direct) {
        p.tile = im2col_pixels(g);
        p.cols = NULL;
        return p;
    }
    /* every byte after the GEMM slices goes to the column buffers */
    const size_t used = (size_t)T * p.gemm_bytes;
    const size_t spare = ws_bytes > used ? ws_bytes - used : 0;
    p.tile = tile_for(g, T, spare);
    p.cols = (float *)((char *)ws + used);
    return p;
}

/* conv_gemm.c: chapter 05, the reference solution: conv2d forward and
 * backward as GEMMs over tiles of im2col columns (im2col.h).
 *
 * For one image n and group grp, with K = c_in/groups * kh * kw taps and
 * P = OH * OW output pixels, eq. (5.4) reads
 *   Y (og x P) = W (og x K) * cols (K x P),
 * W being the group's filters as stored (OIHW rows are already K long),
 * Y the group's output channels as stored (each a row of P pixels). A tile
 * of pixels p0 .. p0+np-1 is a block of columns of cols and of Y, so the
 * GEMM of a tile writes straight into y with leading dimension P.
 */
#include "im2col.h"

#include <string.h>

#include "fastconv.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The pieces of one (image, group) pair. */
typedef struct {
    const float *x;  /* its c_in/groups input channels, (cg, h, w), or NULL */
    const float *w;  /* its filters, og x K, or NULL                       */
    size_t y;        /* offset of its og output channels in y or dy */
    float *dx;       /* its input channels in dx, or NULL           */
} GroupSlice;

static GroupSlice slice(const Conv2dGeom *g, const float *x, const float *w,
                        float *dx, int n, int grp)
{
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const size_t hw = (size_t)g->h * g->w;
    const size_t xoff = ((size_t)n * g->c_in + (size_t)grp * cg) * hw;
    GroupSlice s;
    s.x = x ? x + xoff : NULL;
    s.w = w ? w + (size_t)grp * og * im2col_rows(g) : NULL;
    s.y = ((size_t)n * g->c_out + (size_t)grp * og) * im2col_pixels(g);
    s.dx = dx ? dx + xoff : NULL;
    return s;
}

/* >>> forward */
/* One tile of eq. (5.4): columns p0 .. p0+np-1 of Y = W cols, plus bias.
 * cols is this thread's column buffer and gws its GEMM workspace. */
static void forward_tile(const Conv2dGeom *g, const Im2colPlan *pl,
                         const GroupSlice *s, int grp, const float *bias,
                         float *y, size_t p0, size_t np, float *cols,
                         void *gws, size_t gws_bytes)
{
    const int og = g->c_out / g->groups, K = (int)im2col_rows(g);
    const int P = (int)im2col_pixels(g);
    const float *B = s->x + p0; /* pointwise layer: x is cols, eq. (5.6) */
    int ldb = P;
    if (!pl->direct) {
        im2col(g, s->x, p0, np, cols);
        B = cols;
        ldb = (int)np;
    }
    float *Y = y + s->y + p0;
    gemm(GEMM_N, GEMM_N, og, (int)np, K, s->w, K, B, ldb, 0.0f, Y, P, gws,
         gws_bytes);
    if (bias)
        for (int o = 0; o < og; o++) {
            const float b = bias[grp * og + o];
            float *yo = Y + (size_t)o * P;
            for (size_t q = 0; q < np; q++)
                yo[q] += b;
        }
}

void conv2d_forward_im2col(const Conv2dGeom *g, const float *x,
                           const float *weight, const float *bias, float *y,
                           void *ws, size_t ws_bytes)
{
    const Im2colPlan pl = im2col_plan(g, ws, ws_bytes);
    const size_t K = im2col_rows(g), P = im2col_pixels(g);
    const long tiles = (long)((P + pl.tile - 1) / pl.tile);
    const long items = (long)g->n * g->groups * tiles;
    if (items < pl.threads) {
        /* Too few tiles to share out: one at a time, the GEMM threaded. */
        for (long it = 0; it < items; it++) {
            const int n = (int)(it / tiles / g->groups);
            const int grp = (int)(it / tiles % g->groups);
            const size_t p0 = (size_t)(it % tiles) * pl.tile;
            const size_t np = P - p0 < pl.tile ? P - p0 : pl.tile;
            const GroupSlice s = slice(g, x, weight, NULL, n, grp);
            forward_tile(g, &pl, &s, grp, bias, y, p0, np, pl.cols, pl.gemm_ws,
                         (size_t)pl.threads * pl.gemm_bytes);
        }
        return;
    }
    /* One tile per thread at a time; each thread has its own slices. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(pl.threads) schedule(dynamic)
#endif
    for (long it = 0; it < items; it++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        const int n = (int)(it / tiles / g->groups);
        const int grp = (int)(it / tiles % g->groups);
        const size_t p0 = (size_t)(it % tiles) * pl.tile;
        const size_t np = P - p0 < pl.tile ? P - p0 : pl.tile;
        const GroupSlice s = slice(g, x, weight, NULL, n, grp);
        float *cols = pl.cols ? pl.cols + (size_t)t * K * pl.tile : NULL;
        void *gws = (char *)pl.gemm_ws + (size_t)t * pl.gemm_bytes;
        forward_tile(g, &pl, &s, grp, bias, y, p0, np, cols, gws, pl.gemm_bytes);
    }
}
/* <<< forward */

/* >>> backward */
void conv2d_backward_im2col(const Conv2dGeom *g, const float *x,
                            const float *weight, const float *dy, float *dx,
                            float *dweight, float *dbias, void *ws,
                            size_t ws_bytes)
{
    const Im2colPlan pl = im2col_plan(g, ws, ws_bytes);
    const int og = g->c_out / g->groups, K = (int)im2col_rows(g);
    const size_t P = im2col_pixels(g);

    if (dbias) /* eq. (5.10) */
        for (int o = 0; o < g->c_out; o++) {
            double acc = 0.0;
            for (int n = 0; n < g->n; n++) {
                const float *d = dy + ((size_t)n * g->c_out + o) * P;
                for (size_t q = 0; q < P; q++)
                    acc += d[q];
            }
            dbias[o] = (float)acc;
        }
    if (!dx && !dweight)
        return;
    if (dx && !pl.direct) /* col2im adds the tiles in */
        memset(dx, 0, (size_t)g->n * g->c_in * g->h * g->w * sizeof *dx);

    /* The images run one after another (their dW terms add into one
     * matrix); the threads share each GEMM and each im2col / col2im. All
     * the column buffers together make one buffer of T tiles. */
    const size_t tile = pl.direct ? P : pl.tile * (size_t)pl.threads;
    const size_t gbytes = (size_t)pl.threads * pl.gemm_bytes;
    const int ldd = (int)P;
    for (int grp = 0; grp < g->groups; grp++)
        for (int n = 0; n < g->n; n++)
            for (size_t p0 = 0; p0 < P; p0 += tile) {
                const size_t np = P - p0 < tile ? P - p0 : tile;
                const GroupSlice s = slice(g, x, weight, dx, n, grp);
                const float *dY = dy + s.y + p0; /* og x np, leading dim. P */
                if (dweight) {
                    /* dW (og x K) += dY (og x np) * cols^T (np x K), eq. (5.8) */
                    const float *B = s.x + p0;
                    int ldb = ldd;
                    if (!pl.direct) {
                        im2col(g, s.x, p0, np, pl.cols);
                        B = pl.cols;
                        ldb = (int)np;
                    }
                    const float beta = n == 0 && p0 == 0 ? 0.0f : 1.0f;
                    gemm(GEMM_N, GEMM_T, og, K, (int)np, dY, ldd, B, ldb, beta,
                         dweight + (size_t)grp * og * K, K, pl.gemm_ws, gbytes);
                }
                if (dx) {
                    /* dcols (K x np) = W^T (K x og) * dY (og x np), eq. (5.9) */
                    if (pl.direct) {
                        gemm(GEMM_T, GEMM_N, K, (int)np, og, s.w, K, dY, ldd,
                             0.0f, s.dx + p0, ldd, pl.gemm_ws, gbytes);
                    } else {
                        gemm(GEMM_T, GEMM_N, K, (int)np, og, s.w, K, dY, ldd,
                             0.0f, pl.cols, (int)np, pl.gemm_ws, gbytes);
                        col2im(g, pl.cols, p0, np, s.dx);
                    }
                }
            }
}
/* <<< backward */

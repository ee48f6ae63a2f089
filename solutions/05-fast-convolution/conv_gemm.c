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

/* >>> implicit */
/* Implicit GEMM, for small stride-1 layers (LeNet's): the same product
 * Y = W cols of eq. (5.4), but cols is never written out. With x copied
 * into a zero-padded image of Hp x Wp (Hp = h + 2 ph, Wp = w + 2 pw), the
 * column of eq. (5.3) for tap r = (c, u, v) and output (i, j) is
 *   cols[r][(i, j)] = xpad[c][(i + u) Wp + (j + v)] = xpad[c][off(r) + q'],
 * q' = i Wp + j, off(r) = c Hp Wp + u Wp + v:
 * along q' every row of cols is a contiguous run of xpad, shifted by
 * off(r). So the micro-kernel loads its B vectors straight from xpad at
 * off(r) + q' and computes outputs for every q' < (OH-1) Wp + OW; the
 * q' with j = q' mod Wp >= OW are thrown away (a Wp/OW overhead: 1.1x on
 * LeNet's conv1, 1.4x on conv2). On these layers im2col and packing cost
 * more than the product (K of 25 or 150, P of 100 or 784); here the only
 * copies are the padded image and the packed filters. */
#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#define HAVE_IMPLICIT 1

/* One MR x (NV*VL) tile of outputs at q' = q0 .. : acc[o][.] = sum_r
 * pa[r*MR + o] * xpad[off[r] + q0 + .], written to tile (row stride NV*VL). */
#define DEFINE_IMPLICIT_KERNEL(NAME, TARGET, VT, VL, MR, NV)                    \
    __attribute__((target(TARGET))) static void NAME(                          \
        int K, const float *pa, const float *xq, const int *off, float *tile)  \
    {                                                                          \
        VT acc[MR][NV];                                                        \
        for (int o = 0; o < MR; o++)                                           \
            for (int v = 0; v < NV; v++)                                       \
                acc[o][v] = (VT){0};                                           \
        for (int r = 0; r < K; r++, pa += MR) {                                \
            VT bv[NV];                                                         \
            for (int v = 0; v < NV; v++)                                       \
                memcpy(&bv[v], xq + off[r] + v * VL, sizeof(VT));              \
            _Pragma("GCC unroll 16") for (int o = 0; o < MR; o++)              \
            {                                                                  \
                const float a = pa[o];                                         \
                for (int v = 0; v < NV; v++)                                   \
                    acc[o][v] += a * bv[v];                                    \
            }                                                                  \
        }                                                                      \
        memcpy(tile, acc, sizeof acc);                                         \
    }

typedef float v8sf __attribute__((vector_size(32)));
typedef float v16sf __attribute__((vector_size(64)));
DEFINE_IMPLICIT_KERNEL(implicit_avx512_8x48, "avx512f,fma", v16sf, 16, 8, 3)
DEFINE_IMPLICIT_KERNEL(implicit_avx512_6x64, "avx512f,fma", v16sf, 16, 6, 4)
DEFINE_IMPLICIT_KERNEL(implicit_avx2_6x16, "avx2,fma", v8sf, 8, 6, 2)

typedef void (*ImplicitKernel)(int K, const float *pa, const float *xq,
                               const int *off, float *tile);
typedef struct {
    int mr, nr;
    ImplicitKernel kernel;
} ImplicitPath;

/* The path for og output channels, or NULL (no SIMD here): on AVX-512 the
 * tile wasting the fewest rows (6 x 64 for 6 channels, 8 x 48 for 16). */
static const ImplicitPath *implicit_path(int og)
{
    static const ImplicitPath p8 = {8, 48, implicit_avx512_8x48},
                              p6 = {6, 64, implicit_avx512_6x64},
                              p2 = {6, 16, implicit_avx2_6x16};
    const SimdIsa isa = simd_cpu_isa();
    if (isa == SIMD_AVX512)
        return (og + 5) / 6 * 6 < (og + 7) / 8 * 8 ? &p6 : &p8;
    if (isa == SIMD_AVX2)
        return &p2;
    return NULL;
}
#else
#define HAVE_IMPLICIT 0
#endif

#if HAVE_IMPLICIT
/* The layout of one thread's scratch for the implicit path: the packed
 * filters, the offsets off(r), the padded image (plus one tile of slack
 * the last vector loads may read). */
typedef struct {
    int Hp, Wp, Q;           /* padded image; Q = (OH-1) Wp + OW outputs q' */
    size_t pa_f, off_i, xp_f; /* floats of packed filters, ints, floats     */
} ImplicitPlan;

static ImplicitPlan implicit_plan(const Conv2dGeom *g, int mr, int nr)
{
    ImplicitPlan ip;
    const int og = g->c_out / g->groups, cg = g->c_in / g->groups;
    const size_t K = im2col_rows(g);
    ip.Hp = g->h + 2 * g->pad_h;
    ip.Wp = g->w + 2 * g->pad_w;
    ip.Q = (conv2d_out_h(g) - 1) * ip.Wp + conv2d_out_w(g);
    ip.pa_f = (size_t)(og + mr - 1) / mr * mr * K;
    ip.off_i = (K + 15) / 16 * 16;
    ip.xp_f = (size_t)cg * ip.Hp * ip.Wp + (size_t)nr + 16;
    return ip;
}
#endif

/* Whether the implicit path runs this layer in a scratch of `bytes`: stride
 * 1, dilation 1, not pointwise (eq. (5.6) is cheaper), a SIMD path, small
 * K (the products of LeNet-sized layers; larger ones go to the packed GEMM,
 * whose cache blocking they need), and everything fits the scratch. */
#if HAVE_IMPLICIT
static int implicit_fits(const Conv2dGeom *g, const Im2colPlan *pl)
{
    const ImplicitPath *path = implicit_path(g->c_out / g->groups);
    if (!path || pl->direct || g->stride_h != 1 || g->stride_w != 1 ||
        g->dil_h != 1 || g->dil_w != 1 || im2col_rows(g) > 512)
        return 0;
    const ImplicitPlan ip = implicit_plan(g, path->mr, path->nr);
    const size_t bytes = (ip.pa_f + ip.xp_f) * sizeof(float) + ip.off_i * sizeof(int);
    return bytes + 64 <= pl->gemm_bytes &&
           (size_t)ip.Hp * ip.Wp * (g->c_in / g->groups) < (size_t)1 << 30;
}
#endif

#if HAVE_IMPLICIT
/* One (image, group) pair by implicit GEMM; scratch: this thread's slice. */
static void forward_implicit(const Conv2dGeom *g, const GroupSlice *s,
                             int grp, const float *bias, float *y,
                             float *scratch)
{
    const ImplicitPath *path = implicit_path(g->c_out / g->groups);
    const ImplicitPlan ip = implicit_plan(g, path->mr, path->nr);
    const int og = g->c_out / g->groups, cg = g->c_in / g->groups;
    const int K = (int)im2col_rows(g), OW = conv2d_out_w(g);
    const int taps = g->kh * g->kw;
    const size_t P = im2col_pixels(g), HWp = (size_t)ip.Hp * ip.Wp;
    float *pa = scratch, *xp = scratch + ip.pa_f;
    int *off = (int *)(xp + ip.xp_f);
    gemm_pack_a(GEMM_N, og, K, s->w, K, path->mr, pa); /* eq. (5.15) */
    for (int r = 0; r < K; r++) /* off(r) for r = (c, u, v), eq. (5.3) */
        off[r] = (int)((size_t)(r / taps) * HWp) +
                 (r / g->kw % g->kh) * ip.Wp + r % g->kw;
    memset(xp, 0, ip.xp_f * sizeof *xp); /* the padding, and the slack */
    for (int c = 0; c < cg; c++)
        for (int i = 0; i < g->h; i++)
            memcpy(xp + c * HWp + (size_t)(i + g->pad_h) * ip.Wp + g->pad_w,
                   s->x + ((size_t)c * g->h + i) * g->w, g->w * sizeof *xp);
    float tile[8 * 64];
    for (int o0 = 0; o0 < og; o0 += path->mr)
        for (int q0 = 0; q0 < ip.Q; q0 += path->nr) {
            path->kernel(K, pa + (size_t)o0 * K, xp + q0, off, tile);
            /* keep the q' = i Wp + j with j < OW: runs of one output row */
            const int q1 = q0 + path->nr < ip.Q ? q0 + path->nr : ip.Q;
            for (int q = q0; q < q1;) {
                const int i = q / ip.Wp, j = q % ip.Wp;
                const int run = (OW - j < q1 - q ? OW - j : q1 - q);
                for (int o = o0; o < og && o < o0 + path->mr; o++) {
                    const float b = bias ? bias[grp * og + o] : 0.0f;
                    float *yo = y + s->y + (size_t)o * P + (size_t)i * OW + j;
                    const float *t = tile + (o - o0) * path->nr + (q - q0);
                    for (int k = 0; k < run; k++)
                        yo[k] = t[k] + b;
                }
                q += run > 0 ? run + (ip.Wp - OW) : ip.Wp - j;
            }
        }
}

/* dW by the same shifted views, eq. (5.8): with dyp[o][q'] = dy[o][i][j]
 * at q' = i Wp + j (0 where j >= OW),
 *   dW[o][r] = sum_n sum_{q'} dyp[o][q'] xpad[off(r) + q'],
 * DW_O x DW_R dot products at a time, each a vector of VL partial sums
 * kept in part[(o*K + r)*VL ..] across images and reduced at the end. */
#define DW_O 4
#define DW_R 4
#define DEFINE_DW_KERNEL(NAME, TARGET, VT, VL)                                 \
    __attribute__((target(TARGET))) static void NAME(                          \
        int K, int Qv, const float *dyp, size_t ldd, const float *xp,          \
        const int *off, int r0, float *part)                                   \
    {                                                                          \
        VT acc[DW_O][DW_R];                                                    \
        for (int o = 0; o < DW_O; o++)                                         \
            for (int r = 0; r < DW_R; r++)                                     \
                memcpy(&acc[o][r], part + ((size_t)o * K + r0 + r) * VL,       \
                       sizeof(VT));                                            \
        for (int q = 0; q < Qv; q += VL) {                                     \
            VT d[DW_O], b[DW_R];                                               \
            for (int o = 0; o < DW_O; o++)                                     \
                memcpy(&d[o], dyp + o * ldd + q, sizeof(VT));                  \
            for (int r = 0; r < DW_R; r++)                                     \
                memcpy(&b[r], xp + off[r0 + r] + q, sizeof(VT));               \
            for (int o = 0; o < DW_O; o++)                                     \
                for (int r = 0; r < DW_R; r++)                                 \
                    acc[o][r] += d[o] * b[r];                                  \
        }                                                                      \
        for (int o = 0; o < DW_O; o++)                                         \
            for (int r = 0; r < DW_R; r++)                                     \
                memcpy(part + ((size_t)o * K + r0 + r) * VL, &acc[o][r],       \
                       sizeof(VT));                                            \
    }
DEFINE_DW_KERNEL(dw_avx512, "avx512f,fma", v16sf, 16)
DEFINE_DW_KERNEL(dw_avx2, "avx2,fma", v8sf, 8)
#endif
/* <<< implicit */

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
#if HAVE_IMPLICIT
    if (implicit_fits(g, &pl)) {
        /* one (image, group) pair per thread at a time, each thread in its
         * own GEMM slice of the workspace */
        const long pairs = (long)g->n * g->groups;
#ifdef _OPENMP
#pragma omp parallel for num_threads(pl.threads) schedule(static) if (pairs > 1)
#endif
        for (long it = 0; it < pairs; it++) {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            const int n = (int)(it / g->groups), grp = (int)(it % g->groups);
            const GroupSlice s = slice(g, x, weight, NULL, n, grp);
            forward_implicit(g, &s, grp, bias, y,
                             (float *)((char *)pl.gemm_ws + (size_t)t * pl.gemm_bytes));
        }
        return;
    }
#endif
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

#if HAVE_IMPLICIT
/* Backward of a stride-1 layer (groups 1, pad <= k - 1) without im2col:
 * dW by the shifted dot products above, then dx as a forward implicit
 * convolution of dy padded by k - 1 - pad with the filters transposed and
 * flipped, eq. (5.9) read as chapter 03's "dx is a full convolution":
 *   dx[c][i][j] = sum_{o,u,v} dy_pad[o][i+u][j+v] w[o][c][kh-1-u][kw-1-v].
 * Each thread owns some output channels of dW (no reduction) and then
 * some images of dx. Returns 0 when the workspace cannot hold it. */
static int backward_implicit(const Conv2dGeom *g, const Im2colPlan *pl,
                             const float *x, const float *weight,
                             const float *dy, float *dx, float *dweight)
{
    const int K = (int)im2col_rows(g), OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int co = g->c_out, ci = g->c_in, taps = g->kh * g->kw;
    const int VL = simd_cpu_isa() == SIMD_AVX512 ? 16 : 8;
    const int Hp = g->h + 2 * g->pad_h, Wp = g->w + 2 * g->pad_w;
    const size_t HWp = (size_t)Hp * Wp, P = im2col_pixels(g);
    const int Qv = (OH * Wp + VL - 1) / VL * VL; /* q' < OH Wp, whole vectors */
    const size_t xp_f = (size_t)ci * HWp + (size_t)Qv + 64;
    /* taps in whole blocks of DW_R: the extra ones read the zeros past the
     * image and their sums are dropped */
    const int K4 = (K + DW_R - 1) / DW_R * DW_R;
    const size_t ldd = (size_t)Qv, part_f = (size_t)DW_O * K4 * VL;
    const size_t need = (xp_f + DW_O * ldd + part_f + (size_t)K4 + 64) * sizeof(float);
    /* dx's convolution: dy (co channels, OH x OW) -> dx (ci, h x w) */
    const Conv2dGeom gt = {.n = g->n, .c_in = co, .h = OH, .w = OW, .c_out = ci,
                           .kh = g->kh, .kw = g->kw, .stride_h = 1, .stride_w = 1,
                           .pad_h = g->kh - 1 - g->pad_h, .pad_w = g->kw - 1 - g->pad_w,
                           .dil_h = 1, .dil_w = 1, .groups = 1};
    const size_t wt_f = (size_t)co * ci * taps;
    if (g->groups != 1 || gt.pad_h < 0 || gt.pad_w < 0 || need > pl->gemm_bytes ||
        (dx && (!implicit_fits(&gt, pl) || !pl->cols ||
                wt_f > (size_t)pl->threads * pl->tile * (size_t)K)))
        return 0;
    if (dweight) {
        const int blocks = (co + DW_O - 1) / DW_O;
#ifdef _OPENMP
#pragma omp parallel for num_threads(pl->threads) schedule(static) if (blocks > 1)
#endif
        for (int b = 0; b < blocks; b++) {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            float *xp = (float *)((char *)pl->gemm_ws + (size_t)t * pl->gemm_bytes);
            float *dyp = xp + xp_f, *part = dyp + DW_O * ldd;
            int *off = (int *)(part + part_f);
            const int o0 = b * DW_O, no = co - o0 < DW_O ? co - o0 : DW_O;
            for (int r = 0; r < K4; r++)
                off[r] = r < K ? (int)((size_t)(r / taps) * HWp) +
                                     (r / g->kw % g->kh) * Wp + r % g->kw
                               : (int)((size_t)ci * HWp);
            memset(part, 0, part_f * sizeof *part);
            memset(xp, 0, xp_f * sizeof *xp);
            memset(dyp, 0, DW_O * ldd * sizeof *dyp); /* rows past no stay 0 */
            for (int n = 0; n < g->n; n++) {
                for (int c = 0; c < ci; c++)
                    for (int i = 0; i < g->h; i++)
                        memcpy(xp + c * HWp + (size_t)(i + g->pad_h) * Wp + g->pad_w,
                               x + (((size_t)n * ci + c) * g->h + i) * g->w,
                               g->w * sizeof *xp);
                for (int o = 0; o < no; o++)
                    for (int i = 0; i < OH; i++)
                        memcpy(dyp + o * ldd + (size_t)i * Wp,
                               dy + ((size_t)n * co + o0 + o) * P + (size_t)i * OW,
                               OW * sizeof *dyp);
                for (int r0 = 0; r0 < K4; r0 += DW_R)
                    (VL == 16 ? dw_avx512 : dw_avx2)(K4, Qv, dyp, ldd, xp, off, r0, part);
            }
            for (int o = 0; o < no; o++)
                for (int r = 0; r < K; r++) {
                    float acc = 0.0f;
                    for (int l = 0; l < VL; l++)
                        acc += part[((size_t)o * K4 + r) * VL + l];
                    dweight[(size_t)(o0 + o) * K + r] = acc;
                }
        }
    }
    if (dx) {
        float *wt = pl->cols; /* wt[c][o][u][v] = w[o][c][kh-1-u][kw-1-v] */
        for (int c = 0; c < ci; c++)
            for (int o = 0; o < co; o++)
                for (int t = 0; t < taps; t++)
                    wt[((size_t)c * co + o) * taps + t] =
                        weight[((size_t)o * ci + c) * taps + (taps - 1 - t)];
#ifdef _OPENMP
#pragma omp parallel for num_threads(pl->threads) schedule(static) if (g->n > 1)
#endif
        for (int n = 0; n < g->n; n++) {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            const GroupSlice s = slice(&gt, dy, wt, NULL, n, 0);
            forward_implicit(&gt, &s, 0, NULL, dx,
                             (float *)((char *)pl->gemm_ws + (size_t)t * pl->gemm_bytes));
        }
    }
    return 1;
}
#endif

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
#if HAVE_IMPLICIT
    if (implicit_fits(g, &pl) && backward_implicit(g, &pl, x, weight, dy, dx, dweight))
        return;
#endif
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

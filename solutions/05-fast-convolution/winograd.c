/* winograd.c: chapter 05, the reference solution for Winograd's minimal
 * filtering algorithms F(2x2,3x3) and F(4x4,3x3) (Lavin and Gray, 2016).
 *
 * The layer is computed in four phases, eqs. (5.26)-(5.28):
 *   1. every 3x3 filter is transformed once, U = G g G^T;
 *   2. a block of WINO_TILE_BLOCK input tiles is transformed, V = B^T d B;
 *   3. for each of the alpha^2 positions xi of a tile, the products summed
 *      over the input channels form one small matrix product,
 *      M[xi] (C_out x tiles) = U[xi] (C_out x C_in) V[xi] (C_in x tiles);
 *   4. every output tile is Y = A^T M A, plus the bias.
 * Phases 2-4 repeat for each block of tiles, so the workspace does not grow
 * with the image. Threads (OpenMP) share each phase's loop.
 *
 * Speed: the transforms are written once, for a scalar type and for a vector
 * of 16 floats (GCC vector extensions), and the vector versions work on 16
 * tiles at a time, which is exactly the layout of V and M (tiles innermost).
 * Phases 2-4 are compiled for AVX-512, AVX2 and SSE and picked at run time;
 * built with -DCNN_NO_SIMD (or without GCC on x86) everything runs on plain
 * scalar loops.
 */
#include "winograd.h"

#include <string.h>

#include "gemm.h"

#ifdef _OPENMP
#define OMP(directive) _Pragma(#directive)
#else
#define OMP(directive)
#endif

#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && \
    (defined(__x86_64__) || defined(__i386__))
#define WINO_SIMD 1
typedef float v16sf __attribute__((vector_size(64)));
#endif

#define INLINE static inline __attribute__((always_inline))

/* ---- the transforms, eqs. (5.25) and (5.30) ------------------------------
 * Each 2-D transform applies a 1-D transform to the columns, then to the
 * rows (eq. 5.26: B^T d B = B^T (B^T d^T)^T...). The 1-D transforms are the
 * matrix-vector products with G, B^T and A^T written as additions, with the
 * common subexpressions shared; a and b are strided (sa, sb) so that the
 * same code reads columns and rows. T is float or a vector of floats. */
#define WINO_TRANSFORMS(T, S)                                                  \
    /* F(2,3): G (3 -> 4), B^T (4 -> 4), A^T (4 -> 2) */                       \
    INLINE void g2_1d##S(const T *a, int sa, T *b, int sb)                     \
    {                                                                          \
        const T t = a[0] + a[2 * sa];                                          \
        b[0] = a[0];                                                           \
        b[sb] = 0.5f * (t + a[sa]);                                            \
        b[2 * sb] = 0.5f * (t - a[sa]);                                        \
        b[3 * sb] = a[2 * sa];                                                 \
    }                                                                          \
    INLINE void bt2_1d##S(const T *a, int sa, T *b, int sb)                    \
    {                                                                          \
        b[0] = a[0] - a[2 * sa];                                               \
        b[sb] = a[sa] + a[2 * sa];                                             \
        b[2 * sb] = a[2 * sa] - a[sa];                                         \
        b[3 * sb] = a[sa] - a[3 * sa];                                         \
    }                                                                          \
    INLINE void at2_1d##S(const T *a, int sa, T *b, int sb)                    \
    {                                                                          \
        b[0] = a[0] + a[sa] + a[2 * sa];                                       \
        b[sb] = a[sa] - a[2 * sa] - a[3 * sa];                                 \
    }                                                                          \
    /* F(4,3): G (3 -> 6), B^T (6 -> 6), A^T (6 -> 4) */                       \
    INLINE void g4_1d##S(const T *a, int sa, T *b, int sb)                     \
    {                                                                          \
        const T g0 = a[0], g1 = a[sa], g2 = a[2 * sa];                         \
        const T t = g0 + g2, s = g0 * (1.0f / 24) + g2 * (1.0f / 6);           \
        b[0] = 0.25f * g0;                                                     \
        b[sb] = (t + g1) * (-1.0f / 6);                                        \
        b[2 * sb] = (t - g1) * (-1.0f / 6);                                    \
        b[3 * sb] = s + g1 * (1.0f / 12);                                      \
        b[4 * sb] = s - g1 * (1.0f / 12);                                      \
        b[5 * sb] = g2;                                                        \
    }                                                                          \
    INLINE void bt4_1d##S(const T *a, int sa, T *b, int sb)                    \
    {                                                                          \
        const T d0 = a[0], d1 = a[sa], d2 = a[2 * sa], d3 = a[3 * sa],         \
                d4 = a[4 * sa], d5 = a[5 * sa];                                \
        const T p = d4 - 4.0f * d2, q = d3 - 4.0f * d1;                        \
        const T r = d4 - d2, s = 2.0f * (d3 - d1);                             \
        b[0] = 4.0f * d0 - 5.0f * d2 + d4;                                     \
        b[sb] = p + q;                                                         \
        b[2 * sb] = p - q;                                                     \
        b[3 * sb] = r + s;                                                     \
        b[4 * sb] = r - s;                                                     \
        b[5 * sb] = 4.0f * d1 - 5.0f * d3 + d5;                                \
    }                                                                          \
    INLINE void at4_1d##S(const T *a, int sa, T *b, int sb)                    \
    {                                                                          \
        const T p = a[sa] + a[2 * sa], q = a[sa] - a[2 * sa];                  \
        const T r = a[3 * sa] + a[4 * sa], s = a[3 * sa] - a[4 * sa];          \
        b[0] = a[0] + p + r;                                                   \
        b[sb] = q + 2.0f * s;                                                  \
        b[2 * sb] = p + 4.0f * r;                                              \
        b[3 * sb] = q + 8.0f * s + a[5 * sa];                                  \
    }                                                                          \
    /* 2-D: u = G g G^T, v = B^T d B, y = A^T m A */                           \
    INLINE void filter2##S(const T *g, T *u)                                   \
    {                                                                          \
        T t[4 * 3];                                                            \
        for (int c = 0; c < 3; c++)                                            \
            g2_1d##S(g + c, 3, t + c, 3);                                      \
        for (int r = 0; r < 4; r++)                                            \
            g2_1d##S(t + 3 * r, 1, u + 4 * r, 1);                              \
    }                                                                          \
    INLINE void input2##S(const T *d, T *v)                                    \
    {                                                                          \
        T t[16];                                                               \
        for (int c = 0; c < 4; c++)                                            \
            bt2_1d##S(d + c, 4, t + c, 4);                                     \
        for (int r = 0; r < 4; r++)                                            \
            bt2_1d##S(t + 4 * r, 1, v + 4 * r, 1);                             \
    }                                                                          \
    INLINE void output2##S(const T *m, T *y)                                   \
    {                                                                          \
        T t[2 * 4];                                                            \
        for (int c = 0; c < 4; c++)                                            \
            at2_1d##S(m + c, 4, t + c, 4);                                     \
        for (int r = 0; r < 2; r++)                                            \
            at2_1d##S(t + 4 * r, 1, y + 2 * r, 1);                             \
    }                                                                          \
    INLINE void filter4##S(const T *g, T *u)                                   \
    {                                                                          \
        T t[6 * 3];                                                            \
        for (int c = 0; c < 3; c++)                                            \
            g4_1d##S(g + c, 3, t + c, 3);                                      \
        for (int r = 0; r < 6; r++)                                            \
            g4_1d##S(t + 3 * r, 1, u + 6 * r, 1);                              \
    }                                                                          \
    INLINE void input4##S(const T *d, T *v)                                    \
    {                                                                          \
        T t[36];                                                               \
        for (int c = 0; c < 6; c++)                                            \
            bt4_1d##S(d + c, 6, t + c, 6);                                     \
        for (int r = 0; r < 6; r++)                                            \
            bt4_1d##S(t + 6 * r, 1, v + 6 * r, 1);                             \
    }                                                                          \
    INLINE void output4##S(const T *m, T *y)                                   \
    {                                                                          \
        T t[4 * 6];                                                            \
        for (int c = 0; c < 6; c++)                                            \
            at4_1d##S(m + c, 6, t + c, 6);                                     \
        for (int r = 0; r < 4; r++)                                            \
            at4_1d##S(t + 6 * r, 1, y + 4 * r, 1);                             \
    }

WINO_TRANSFORMS(float, _s)
#ifdef WINO_SIMD
WINO_TRANSFORMS(v16sf, _v)
#endif

/* >>> wino_transforms_ref */
void winograd_filter_transform(const float g[9], float u[16])
{
    filter2_s(g, u); /* u = G g G^T, eq. (5.26) */
}

void winograd_input_transform(const float d[16], float v[16])
{
    input2_s(d, v); /* v = B^T d B */
}

void winograd_output_transform(const float m[16], float y[4])
{
    output2_s(m, y); /* y = A^T m A */
}
/* <<< wino_transforms_ref */

/* ---- the layer ------------------------------------------------------------- */

#define TB WINO_TILE_BLOCK /* tiles per block: 4 vectors of 16 floats */
#define KR 4               /* rows of M per kernel call */
_Static_assert(TB == 64, "the kernels hold a row of a block in 4 vectors");

/* What every phase needs to know about the layer and the tiling. */
typedef struct {
    const Conv2dGeom *g;
    int m, alpha, a2;          /* F(m x m, 3x3), alpha = m + 2 */
    int OH, OW, TH, TW;        /* output size, tiles per column and row */
    long tiles;                /* N * TH * TW, numbered (n, ti, tj) */
    int KP;                    /* C_out rounded up to KR */
    const float *x, *bias;
    float *y, *U, *V, *M;
} Wino;

/* Copies the alpha x alpha input window of tile id, channel c, into d (row
 * by row), reading zeros outside the image (zero padding). */
static void gather_tile(const Wino *p, long id, int c, float *d)
{
    const Conv2dGeom *g = p->g;
    const int H = g->h, W = g->w, alpha = p->alpha;
    const int n = (int)(id / ((long)p->TH * p->TW));
    const int r0 = (int)(id / p->TW % p->TH) * p->m - g->pad_h;
    const int c0 = (int)(id % p->TW) * p->m - g->pad_w;
    const float *xc = p->x + ((size_t)n * g->c_in + c) * H * W;
    if (r0 >= 0 && c0 >= 0 && r0 + alpha <= H && c0 + alpha <= W) {
        for (int r = 0; r < alpha; r++)
            memcpy(d + r * alpha, xc + (size_t)(r0 + r) * W + c0,
                   (size_t)alpha * sizeof(float));
        return;
    }
    for (int r = 0; r < alpha; r++)
        for (int s = 0; s < alpha; s++) {
            const int rr = r0 + r, cc = c0 + s;
            d[r * alpha + s] = rr >= 0 && rr < H && cc >= 0 && cc < W
                                   ? xc[(size_t)rr * W + cc]
                                   : 0.0f;
        }
}

/* Writes the m x m output tile yt of tile id, channel k, plus the bias:
 * only the outputs that exist (the last row and column of tiles may be
 * partial, eq. 5.28). */
static void scatter_tile(const Wino *p, long id, int k, const float *yt)
{
    const int m = p->m, OH = p->OH, OW = p->OW;
    const int n = (int)(id / ((long)p->TH * p->TW));
    const int i0 = (int)(id / p->TW % p->TH) * m, j0 = (int)(id % p->TW) * m;
    const float b = p->bias ? p->bias[k] : 0.0f;
    float *yk = p->y + ((size_t)n * p->g->c_out + k) * OH * OW;
    for (int r = 0; r < m && i0 + r < OH; r++)
        for (int s = 0; s < m && j0 + s < OW; s++)
            yk[(size_t)(i0 + r) * OW + j0 + s] = yt[r * m + s] + b;
}

/* Phase 1, one row block kb of U: U[xi][kb][c][r] = (G w[kb*KR + r][c]
 * G^T)[xi], zero for the padding rows past C_out. */
static void filter_block(const Wino *p, const float *w, int kb)
{
    const int C = p->g->c_in, K = p->g->c_out, a2 = p->a2;
    for (int c = 0; c < C; c++) {
        float u[KR][36] = {{0}};
        for (int r = 0; r < KR && kb * KR + r < K; r++) {
            const float *g = w + ((size_t)(kb * KR + r) * C + c) * 9;
            if (p->m == 2)
                filter2_s(g, u[r]);
            else
                filter4_s(g, u[r]);
        }
        for (int xi = 0; xi < a2; xi++)
            for (int r = 0; r < KR; r++)
                p->U[(((size_t)xi * (p->KP / KR) + kb) * C + c) * KR + r] = u[r][xi];
    }
}

/* Phases 2-4 for one instruction set. With vectors, each group of 16 tiles
 * is gathered into d[position][lane], transformed as 16 lanes at once and
 * stored to V[xi][c][t .. t+15] with one vector store per position; the
 * output side mirrors it. */
#ifdef WINO_SIMD
#define PHASES_FOR(S, attr)                                                    \
    /* Phase 2: V[xi][c][t] for t < TB (zeros past the last tile). */          \
    attr static void input_phase##S(const Wino *p, long t0, int nb, int c)     \
    {                                                                          \
        const int a2 = p->a2, C = p->g->c_in;                                  \
        for (int t = 0; t < TB; t += 16) {                                     \
            float d[36][16] __attribute__((aligned(64)));                      \
            float tile[36];                                                    \
            v16sf vd[36], vv[36];                                              \
            for (int l = 0; l < 16; l++) {                                     \
                if (t + l < nb)                                                \
                    gather_tile(p, t0 + t + l, c, tile);                       \
                else                                                           \
                    memset(tile, 0, sizeof tile);                              \
                for (int xi = 0; xi < a2; xi++)                                \
                    d[xi][l] = tile[xi];                                       \
            }                                                                  \
            for (int xi = 0; xi < a2; xi++)                                    \
                vd[xi] = *(const v16sf *)d[xi];                                \
            if (p->m == 2)                                                     \
                input2_v(vd, vv);                                              \
            else                                                               \
                input4_v(vd, vv);                                              \
            for (int xi = 0; xi < a2; xi++)                                    \
                *(v16sf *)(p->V + ((size_t)xi * C + c) * TB + t) = vv[xi];     \
        }                                                                      \
    }                                                                          \
    /* Phase 3: M[xi][kb*KR .. +KR-1][0 .. 16nv-1] = U[xi][kb] V[xi], the    \
     * KR x nv accumulator vectors held in registers. */                       \
    attr static void product_phase##S(const Wino *p, int xi, int kb, int nv)   \
    {                                                                          \
        const int C = p->g->c_in;                                              \
        const float *u = p->U + ((size_t)xi * (p->KP / KR) + kb) * C * KR;     \
        const float *v = p->V + (size_t)xi * C * TB;                           \
        float *m = p->M + ((size_t)xi * p->KP + (size_t)kb * KR) * TB;         \
        switch (nv) {                                                          \
        case 1: product_body(C, u, v, m, 1); break;                            \
        case 2: product_body(C, u, v, m, 2); break;                            \
        case 3: product_body(C, u, v, m, 3); break;                            \
        default: product_body(C, u, v, m, 4); break;                           \
        }                                                                      \
    }                                                                          \
    /* Phase 4: y = A^T m A + bias for output channel k, tiles t0 .. t0+nb-1. */\
    attr static void output_phase##S(const Wino *p, long t0, int nb, int k)    \
    {                                                                          \
        const int a2 = p->a2, m2 = p->m * p->m;                                \
        for (int t = 0; t < nb; t += 16) {                                     \
            v16sf vm[36], vy[16];                                              \
            float yl[16][16] __attribute__((aligned(64)));                     \
            float tile[16];                                                    \
            for (int xi = 0; xi < a2; xi++)                                    \
                vm[xi] = *(const v16sf *)(p->M + ((size_t)xi * p->KP + k) * TB + t); \
            if (p->m == 2)                                                     \
                output2_v(vm, vy);                                             \
            else                                                               \
                output4_v(vm, vy);                                             \
            for (int e = 0; e < m2; e++)                                       \
                *(v16sf *)yl[e] = vy[e];                                       \
            for (int l = 0; l < 16 && t + l < nb; l++) {                       \
                for (int e = 0; e < m2; e++)                                   \
                    tile[e] = yl[e][l];                                        \
                scatter_tile(p, t0 + t + l, k, tile);                          \
            }                                                                  \
        }                                                                      \
    }

/* m[r][t] = sum_{c<C} u[c][r] v[c][t] for r < KR, t < 16 nv. */
INLINE void product_body(int C, const float *u, const float *v, float *m,
                         const int nv)
{
    v16sf acc[KR][TB / 16];
    for (int r = 0; r < KR; r++)
        for (int t = 0; t < nv; t++)
            acc[r][t] = (v16sf){0};
    for (int c = 0; c < C; c++) {
        const v16sf *vc = (const v16sf *)(v + (size_t)c * TB);
        for (int r = 0; r < KR; r++) {
            const float a = u[(size_t)c * KR + r];
            for (int t = 0; t < nv; t++)
                acc[r][t] += a * vc[t];
        }
    }
    for (int r = 0; r < KR; r++)
        for (int t = 0; t < nv; t++)
            ((v16sf *)(m + (size_t)r * TB))[t] = acc[r][t];
}

PHASES_FOR(_avx512, __attribute__((target("avx512f,fma"))))
PHASES_FOR(_avx2, __attribute__((target("avx2,fma"))))
PHASES_FOR(_sse, )

#else /* the scalar build: one tile at a time, plain loops */

static void input_phase_scalar(const Wino *p, long t0, int nb, int c)
{
    const int a2 = p->a2, C = p->g->c_in;
    for (int t = 0; t < TB; t++) {
        float d[36], v[36] = {0};
        if (t < nb) {
            gather_tile(p, t0 + t, c, d);
            if (p->m == 2)
                input2_s(d, v);
            else
                input4_s(d, v);
        }
        for (int xi = 0; xi < a2; xi++)
            p->V[((size_t)xi * C + c) * TB + t] = v[xi];
    }
}

static void product_phase_scalar(const Wino *p, int xi, int kb, int nv)
{
    const int C = p->g->c_in;
    const float *u = p->U + ((size_t)xi * (p->KP / KR) + kb) * C * KR;
    const float *v = p->V + (size_t)xi * C * TB;
    float *m = p->M + ((size_t)xi * p->KP + (size_t)kb * KR) * TB;
    for (int r = 0; r < KR; r++)
        for (int t = 0; t < 16 * nv; t++)
            m[(size_t)r * TB + t] = 0.0f;
    for (int c = 0; c < C; c++)
        for (int r = 0; r < KR; r++)
            for (int t = 0; t < 16 * nv; t++)
                m[(size_t)r * TB + t] += u[(size_t)c * KR + r] * v[(size_t)c * TB + t];
}

static void output_phase_scalar(const Wino *p, long t0, int nb, int k)
{
    for (int t = 0; t < nb; t++) {
        float mm[36], yt[16];
        for (int xi = 0; xi < p->a2; xi++)
            mm[xi] = p->M[((size_t)xi * p->KP + k) * TB + t];
        if (p->m == 2)
            output2_s(mm, yt);
        else
            output4_s(mm, yt);
        scatter_tile(p, t0 + t, k, yt);
    }
}
#endif

typedef struct {
    void (*input)(const Wino *p, long t0, int nb, int c);
    void (*product)(const Wino *p, int xi, int kb, int nv);
    void (*output)(const Wino *p, long t0, int nb, int k);
} WinoPhases;

/* The engine's choice of instruction set (gemm.h), so that every fast
 * convolution of the chapter runs on the same path. */
static WinoPhases pick_phases(void)
{
#ifdef WINO_SIMD
    switch (simd_cpu_isa()) {
    case SIMD_AVX512:
        return (WinoPhases){input_phase_avx512, product_phase_avx512, output_phase_avx512};
    case SIMD_AVX2:
        return (WinoPhases){input_phase_avx2, product_phase_avx2, output_phase_avx2};
    default:
        return (WinoPhases){input_phase_sse, product_phase_sse, output_phase_sse};
    }
#else
    return (WinoPhases){input_phase_scalar, product_phase_scalar, output_phase_scalar};
#endif
}

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

static int wino_conv(const Conv2dGeom *g, const float *x, const float *w,
                     const float *bias, float *y, void *ws, int m)
{
    if (winograd_unsupported(g))
        return -1;
    Wino p = {.g = g, .m = m, .alpha = m + 2, .a2 = (m + 2) * (m + 2),
              .OH = conv2d_out_h(g), .OW = conv2d_out_w(g), .x = x,
              .bias = bias, .y = y};
    p.TH = (p.OH + m - 1) / m; /* eq. (5.28) */
    p.TW = (p.OW + m - 1) / m;
    p.tiles = (long)g->n * p.TH * p.TW;
    p.KP = (int)round_up((size_t)g->c_out, KR);
    /* The workspace of winograd_given.c: U, V and M, each 64-byte aligned. */
    p.U = ws;                                                 /* [a2][KP/KR][C][KR] */
    p.V = p.U + round_up((size_t)p.a2 * p.KP * g->c_in, 16);  /* [a2][C][TB] */
    p.M = p.V + round_up((size_t)p.a2 * g->c_in * TB, 16);    /* [a2][KP][TB] */
    const WinoPhases ph = pick_phases();
    const int C = g->c_in, K = g->c_out, kblocks = p.KP / KR;
    /* Threads only pay off when there is work to share. */
    const int big = (double)K * C * p.tiles * p.a2 >= 1e6;
    (void)big; /* unused without OpenMP */

    OMP(omp parallel if (big))
    {
        OMP(omp for schedule(static))
        for (int kb = 0; kb < kblocks; kb++)
            filter_block(&p, w, kb);                 /* 1. U = G g G^T */

        for (long t0 = 0; t0 < p.tiles; t0 += TB) {
            const int nb = p.tiles - t0 < TB ? (int)(p.tiles - t0) : TB;
            OMP(omp for schedule(static))
            for (int c = 0; c < C; c++)
                ph.input(&p, t0, nb, c);             /* 2. V = B^T d B */
            OMP(omp for schedule(static))
            for (int job = 0; job < p.a2 * kblocks; job++)
                ph.product(&p, job / kblocks, job % kblocks, (nb + 15) / 16);
                                                     /* 3. M = U V, eq. (5.27) */
            OMP(omp for schedule(static))
            for (int k = 0; k < K; k++)
                ph.output(&p, t0, nb, k);            /* 4. Y = A^T M A */
        }
    }
    return 0;
}

int conv2d_forward_winograd(const Conv2dGeom *g, const float *x,
                            const float *w, const float *bias, float *y,
                            void *ws)
{
    return wino_conv(g, x, w, bias, y, ws, 2);
}

int conv2d_forward_winograd4(const Conv2dGeom *g, const float *x,
                             const float *w, const float *bias, float *y,
                             void *ws)
{
    return wino_conv(g, x, w, bias, y, ws, 4);
}

long long winograd_mults(const Conv2dGeom *g, int m)
{
    /* eq. (5.29): alpha^2 per tile, channel pair and image */
    const long long tiles = (long long)((conv2d_out_h(g) + m - 1) / m) *
                            ((conv2d_out_w(g) + m - 1) / m);
    return (long long)g->n * g->c_out * g->c_in * tiles * (m + 2) * (m + 2);
}

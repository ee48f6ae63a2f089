/* quant.c: chapter 05, the reference solution for int8 quantization and the
 * int8 convolution.
 *
 * conv2d_forward_int8 is the im2col idea of this chapter in integers: the
 * weights of each output channel are packed into one contiguous row, the
 * input window of each output position into another (a block of positions
 * at a time, so the workspace stays small), and every output is the dot
 * product of two rows, summed exactly in int32, eq. (5.45). Two inner loops:
 *  - AVX-512 VNNI: vpdpbusd multiplies 64 unsigned by 64 signed bytes and
 *    adds each group of four products into one of 16 int32 lanes. The
 *    windows of 16 positions are interleaved four bytes at a time, so that
 *    lane t accumulates position t: one instruction does four steps of 16
 *    dot products, with no horizontal sums. Activations are signed, so the
 *    windows hold xq + 128 (unsigned) and 128 * sum(wq) is subtracted at
 *    the end, eq. (5.48). A block of 4 channels x 64 positions (16
 *    accumulators) shares every load.
 *  - portable C: the same dot products on signed bytes, int32 sums, which
 *    the compiler vectorizes (int16 multiply-adds) for the CPU it runs on.
 */
#include "quant.h"

#include <math.h>
#include <string.h>

#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#define QUANT_VNNI 1
#include <immintrin.h>
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

#ifdef _OPENMP
#define OMP(directive) _Pragma(#directive)
#else
#define OMP(directive)
#endif

/* >>> quant_ref */
float quant_scale(const float *v, size_t n)
{
    float max_abs = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const float a = fabsf(v[i]);
        if (a > max_abs)
            max_abs = a;
    }
    /* eq. (5.43); all zeros: any scale is exact, 1 avoids dividing by 0 */
    return max_abs > 0.0f ? max_abs / 127.0f : 1.0f;
}

CLONES void quantize_int8(const float *x, size_t n, float scale, int8_t *q)
{
    for (size_t i = 0; i < n; i++) {
        /* Round to nearest, ties to even (rintf), then saturate, eq. (5.43).
         * Clamping in float first matters: converting a float outside the
         * range of the integer type is undefined behaviour in C. */
        float t = rintf(x[i] / scale);
        t = t > 127.0f ? 127.0f : t < -128.0f ? -128.0f : t;
        q[i] = (int8_t)t;
    }
}

void quantize_weights_int8(const Conv2dGeom *g, const float *w, int8_t *wq,
                           float *w_scales)
{
    const size_t per = (size_t)(g->c_in / g->groups) * g->kh * g->kw;
    for (int o = 0; o < g->c_out; o++) { /* eq. (5.44): a scale per channel */
        w_scales[o] = quant_scale(w + o * per, per);
        quantize_int8(w + o * per, per, w_scales[o], wq + o * per);
    }
}
/* <<< quant_ref */

/* ---- the convolution -------------------------------------------------------- */

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* The layer and the packed rows, as laid out in the workspace. */
typedef struct {
    const Conv2dGeom *g;
    int OH, OW, cg, og, kd;    /* output size, channels per group, window */
    size_t kdp;                /* window length rounded up to 64 bytes */
    int pb;                    /* output positions per block */
    int8_t *wrows;             /* (C_out + 1) x kdp: weights, then zeros */
    int32_t *wsum;             /* C_out + 1 row sums */
    uint8_t *xrows;            /* the windows of one block, pb x kdp bytes */
} Int8Conv;

/* First j of 0 .. n-1 (and one past the last) at which the tap at input
 * column j*stride + off lands inside 0 .. W-1: the taps outside read zero
 * padding. */
static void tap_span(int n, int stride, int off, int W, int *lo, int *hi)
{
    int a = off >= 0 ? 0 : (-off + stride - 1) / stride;       /* j*s + off >= 0 */
    int b = W - off <= 0 ? 0 : (W - off + stride - 1) / stride; /* j*s + off < W */
    *lo = a < n ? a : n;
    *hi = b < *lo ? *lo : b < n ? b : n;
}

/* Gathers tap e = (c, u, v) of the window of every position t < nb of the
 * block that starts at output position pos0 (image n, group gi): the input
 * value the tap reads (eq. 1.6; 0 outside the image) plus `shift`, stored
 * at d[t*tstride]. Windows run along output rows, so the tap reads a run
 * of input pixels stride_w apart, a plain copy for stride 1. */
static void gather_tap(const Int8Conv *p, const int8_t *xq, int n, int gi,
                       int pos0, int nb, int e, int shift, uint8_t *d,
                       size_t tstride)
{
    const Conv2dGeom *g = p->g;
    const int c = e / (g->kh * g->kw), u = e / g->kw % g->kh, v = e % g->kw;
    const int8_t *xc = xq + ((size_t)n * g->c_in + (size_t)gi * p->cg + c) * g->h * g->w;
    const uint8_t zero = (uint8_t)shift;
    for (int t = 0, pos = pos0; t < nb;) {
        const int i = pos / p->OW, j0 = pos % p->OW;
        const int run = p->OW - j0 < nb - t ? p->OW - j0 : nb - t;
        const int r = i * g->stride_h - g->pad_h + u * g->dil_h;
        const int off = j0 * g->stride_w - g->pad_w + v * g->dil_w;
        int lo = run, hi = run; /* the whole run is padding ... */
        if (r >= 0 && r < g->h) /* ... unless its row is in the image */
            tap_span(run, g->stride_w, off, g->w, &lo, &hi);
        const int8_t *xr = xc + (size_t)(r >= 0 && r < g->h ? r : 0) * g->w + off;
        uint8_t *dt = d + (size_t)t * tstride;
        for (int s = 0; s < lo; s++)
            dt[(size_t)s * tstride] = zero;
        for (int s = lo; s < hi; s++)
            dt[(size_t)s * tstride] = (uint8_t)(xr[(long)s * g->stride_w] + shift);
        for (int s = hi; s < run; s++)
            dt[(size_t)s * tstride] = zero;
        t += run;
        pos += run;
    }
}

/* VNNI layout of a block: taps 4q .. 4q+3 of position t at
 * xrows[q*4*pb + 4t .. 4t+3]. Gathers each of the four taps into a plain
 * row, then interleaves the rows (a loop the compiler vectorizes). */
static void gather_quad_vnni(const Int8Conv *p, const int8_t *xq, int n,
                             int gi, int pos0, int nb, int q)
{
    uint8_t rows[4][64] = {{0}};
    for (int k = 0; k < 4 && 4 * q + k < p->kd; k++)
        gather_tap(p, xq, n, gi, pos0, nb, 4 * q + k, 128, rows[k], 1);
    uint8_t *dst = p->xrows + (size_t)q * 4 * p->pb;
    for (int t = 0; t < p->pb; t++)
        for (int k = 0; k < 4; k++)
            dst[4 * t + k] = rows[k][t];
}

/* The int32 dot product of a weight row and a window row (signed bytes),
 * kdp elements: a loop the compiler vectorizes with int16 multiply-adds,
 * compiled for AVX-512BW, AVX2 and plain x86-64 below. */
static inline __attribute__((always_inline)) int32_t
dot_body(const int8_t *restrict w, const int8_t *restrict x, size_t kdp)
{
    int32_t s = 0;
    for (size_t e = 0; e < kdp; e++)
        s += (int32_t)w[e] * (int32_t)x[e];
    return s;
}

typedef int32_t (*DotFn)(const int8_t *w, const int8_t *x, size_t kdp);

static int32_t dot_plain(const int8_t *w, const int8_t *x, size_t kdp)
{
    return dot_body(w, x, kdp);
}

#ifdef QUANT_VNNI
__attribute__((target("avx512f,avx512bw"))) static int32_t
dot_avx512(const int8_t *w, const int8_t *x, size_t kdp)
{
    return dot_body(w, x, kdp);
}

__attribute__((target("avx2"))) static int32_t
dot_avx2(const int8_t *w, const int8_t *x, size_t kdp)
{
    return dot_body(w, x, kdp);
}
#endif

static DotFn pick_dot(void)
{
#ifdef QUANT_VNNI
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw"))
        return dot_avx512;
    if (__builtin_cpu_supports("avx2"))
        return dot_avx2;
#endif
    return dot_plain;
}

/* Portable: output channel o at the block's nb positions from pos0, one dot
 * product of two rows each, eq. (5.45). */
static void block_outputs(const Int8Conv *p, int n, int o, int pos0, int nb,
                          DotFn dot, float x_scale, const float *w_scales,
                          const float *bias, float *y)
{
    float *yo = y + ((size_t)n * p->g->c_out + o) * p->OH * p->OW + pos0;
    const float s = x_scale * w_scales[o], b = bias ? bias[o] : 0.0f;
    for (int t = 0; t < nb; t++) {
        const int32_t acc = dot(p->wrows + (size_t)o * p->kdp,
                                (const int8_t *)p->xrows + (size_t)t * p->kdp,
                                p->kdp);
        yo[t] = s * (float)acc + b;
    }
}

#ifdef QUANT_VNNI
/* VNNI: output channels o[0..3] (an index C_out is the zero row, whose
 * results are dropped) at the block's nb positions from pos0. acc[a][b]
 * holds channel o[a] at positions 16b .. 16b+15 of the block. */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
block_outputs4_vnni(const Int8Conv *p, int n, const int o[4], int pos0,
                    int nb, float x_scale, const float *w_scales,
                    const float *bias, float *y)
{
    const int K = p->g->c_out, nv = (nb + 15) / 16;
    const size_t quad = 4 * (size_t)p->pb; /* bytes per step of 4 elements */
    __m512i acc[4][4];
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            acc[a][b] = _mm512_setzero_si512();
    for (size_t e = 0; e < p->kdp; e += 4) {
        const uint8_t *xs = p->xrows + (e / 4) * quad;
        __m512i xv[4];
        for (int b = 0; b < nv; b++)
            xv[b] = _mm512_load_si512((const void *)(xs + 64 * b));
        for (int a = 0; a < 4; a++) {
            int32_t w4;
            memcpy(&w4, p->wrows + (size_t)o[a] * p->kdp + e, 4);
            const __m512i wv = _mm512_set1_epi32(w4);
            for (int b = 0; b < nv; b++)
                acc[a][b] = _mm512_dpbusd_epi32(acc[a][b], xv[b], wv);
        }
    }
    for (int a = 0; a < 4; a++) {
        if (o[a] >= K)
            continue;
        float *yo = y + ((size_t)n * K + o[a]) * p->OH * p->OW + pos0;
        const __m512 s = _mm512_set1_ps(x_scale * w_scales[o[a]]);
        const __m512 bb = _mm512_set1_ps(bias ? bias[o[a]] : 0.0f);
        /* Remove the 128 * sum(w) of the unsigned shift, eq. (5.48). The
         * shifted sums may wrap around 2^32 for very long windows; the
         * difference, modulo 2^32, is still exact. */
        const __m512i corr = _mm512_set1_epi32((int32_t)(128u * (uint32_t)p->wsum[o[a]]));
        for (int b = 0; b < nv; b++) {
            const __m512i exact = _mm512_sub_epi32(acc[a][b], corr);
            const __m512 v = _mm512_add_ps(_mm512_mul_ps(s, _mm512_cvtepi32_ps(exact)), bb);
            const int left = nb - 16 * b;
            const __mmask16 mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            _mm512_mask_storeu_ps(yo + 16 * b, mask, v);
        }
    }
}
#endif

#ifdef QUANT_VNNI
/* ---- the direct VNNI path: stride 1, dilation 1, no windows copied ---------
 * The input block holds the padded rows of one group's channels, four
 * channels interleaved byte by byte and shifted by 128:
 *   xb[((c4 * RB + rr) * WQ + col) * 4 + k] = xq[c = 4 c4 + k][row][col - pw] + 128
 * (128, i.e. a zero, outside the image and for the channels past Cg), with
 * row = i0 - ph + rr. For output row i and the 16 positions j .. j+15, tap
 * (u, v) and channels 4 c4 .. 4 c4 + 3 are then 64 contiguous bytes at
 * row rr = i - i0 + u, column j + v: one vector load, no gather. The weights
 * are reordered to match: wrows[o][((u*KW + v) * Cg4/4 + c4) * 4 + k]. */
typedef struct {
    int cg4, RB, i0, rows;     /* channels rounded to 4; rows held; block */
    size_t WQ;                 /* columns of a padded row */
    uint8_t *xb;
} DirectBlock;

static void pack_weights_direct(const Int8Conv *p, const int8_t *wq, int o,
                                int cg4)
{
    const Conv2dGeom *g = p->g;
    int8_t *row = p->wrows + (size_t)o * p->kdp;
    for (int c = 0; c < p->cg; c++)
        for (int u = 0; u < g->kh; u++)
            for (int v = 0; v < g->kw; v++)
                row[((size_t)(u * g->kw + v) * (cg4 / 4) + c / 4) * 4 + c % 4] =
                    wq[(((size_t)o * p->cg + c) * g->kh + u) * g->kw + v];
}

/* Fills row rr of the block for the channel quad c4 (image n, group gi). */
static void pack_rows_direct(const Int8Conv *p, const DirectBlock *b,
                             const int8_t *xq, int n, int gi, int c4, int rr)
{
    const Conv2dGeom *g = p->g;
    uint8_t *dst = b->xb + ((size_t)c4 * b->RB + rr) * b->WQ * 4;
    const int r = b->i0 - g->pad_h + rr;
    memset(dst, 128, b->WQ * 4);
    if (r < 0 || r >= g->h)
        return;
    for (int k = 0; k < 4 && 4 * c4 + k < p->cg; k++) {
        const int8_t *src = xq + (((size_t)n * g->c_in + (size_t)gi * p->cg + 4 * c4 + k) * g->h + r) * g->w;
        for (int q = 0; q < g->w; q++) /* column q + pw of the padded row */
            dst[((size_t)q + g->pad_w) * 4 + k] = (uint8_t)(src[q] + 128);
    }
}

/* One tile of outputs: channels o[0..3] (C_out: the zero row, dropped) at
 * nq slots of 16 positions each, slot q at block row t[q], columns j[q] ..
 * j[q] + 15 (fewer at the right edge: masked). Up to 16 accumulators. */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
direct_tile(const Int8Conv *p, const DirectBlock *b, int n, int nq,
            const int t[4], const int j[4], const int o[4], float x_scale,
            const float *w_scales, const float *bias, float *y)
{
    const Conv2dGeom *g = p->g;
    const int K = g->c_out;
    const size_t quad_stride = (size_t)b->RB * b->WQ * 4;
    __m512i acc[4][4];
    for (int a = 0; a < 4; a++)
        for (int q = 0; q < 4; q++)
            acc[a][q] = _mm512_setzero_si512();
    for (int u = 0; u < g->kh; u++)
        for (int v = 0; v < g->kw; v++) {
            const uint8_t *xr[4];
            for (int q = 0; q < nq; q++)
                xr[q] = b->xb + ((size_t)(t[q] + u) * b->WQ + (size_t)j[q] + v) * 4;
            const size_t woff = (size_t)(u * g->kw + v) * b->cg4;
            for (int c4 = 0; c4 < b->cg4 / 4; c4++) {
                __m512i xv[4];
                for (int q = 0; q < nq; q++)
                    xv[q] = _mm512_loadu_si512((const void *)(xr[q] + c4 * quad_stride));
                for (int a = 0; a < 4; a++) {
                    int32_t w4;
                    memcpy(&w4, p->wrows + (size_t)o[a] * p->kdp + woff + 4 * (size_t)c4, 4);
                    const __m512i wv = _mm512_set1_epi32(w4);
                    for (int q = 0; q < nq; q++)
                        acc[a][q] = _mm512_dpbusd_epi32(acc[a][q], xv[q], wv);
                }
            }
        }
    for (int a = 0; a < 4; a++) {
        if (o[a] >= K)
            continue;
        const __m512 s = _mm512_set1_ps(x_scale * w_scales[o[a]]);
        const __m512 bb = _mm512_set1_ps(bias ? bias[o[a]] : 0.0f);
        /* eq. (5.48); the shifted sums may wrap around 2^32 for very long
         * windows, the difference modulo 2^32 is still exact */
        const __m512i corr = _mm512_set1_epi32((int32_t)(128u * (uint32_t)p->wsum[o[a]]));
        for (int q = 0; q < nq; q++) {
            float *yo = y + (((size_t)n * K + o[a]) * p->OH + b->i0 + t[q]) * p->OW + j[q];
            const __m512i exact = _mm512_sub_epi32(acc[a][q], corr);
            const __m512 val = _mm512_add_ps(_mm512_mul_ps(s, _mm512_cvtepi32_ps(exact)), bb);
            const int left = p->OW - j[q];
            const __mmask16 mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            _mm512_mask_storeu_ps(yo, mask, val);
        }
    }
}

/* The whole layer on the direct path: blocks of int8_row_block(g) output
 * rows; for each, the padded input rows are packed, then every (row,
 * 64 columns, 4 output channels) tile is one call of direct_tile. */
static void conv_direct_vnni(const Int8Conv *p, const int8_t *xq,
                             const int8_t *wq, float x_scale,
                             const float *w_scales, const float *bias,
                             float *y)
{
    const Conv2dGeom *g = p->g;
    const int K = g->c_out, R = int8_row_block(g);
    const int jblocks = (p->OW + 63) / 64, oblocks = (p->og + 3) / 4;
    const int cg4 = (p->cg + 3) / 4 * 4;
    const int big = (double)K * p->kd * p->OH * p->OW * g->n >= 1e6;
    (void)big; /* unused without OpenMP */

    OMP(omp parallel if (big))
    {
        OMP(omp for schedule(static))
        for (int o = 0; o <= K; o++) { /* reorder the weights; row K is zeros */
            int8_t *row = p->wrows + (size_t)o * p->kdp;
            int32_t sum = 0;
            memset(row, 0, p->kdp);
            if (o < K) {
                pack_weights_direct(p, wq, o, cg4);
                for (size_t e = 0; e < p->kdp; e++)
                    sum += row[e];
            }
            p->wsum[o] = sum;
        }
        for (int n = 0; n < g->n; n++)
            for (int gi = 0; gi < g->groups; gi++)
                for (int i0 = 0; i0 < p->OH; i0 += R) {
                    const DirectBlock b = {
                        .cg4 = cg4, .RB = R + g->kh - 1, .i0 = i0,
                        .rows = p->OH - i0 < R ? p->OH - i0 : R,
                        .WQ = round_up((size_t)p->OW, 64) + (size_t)g->kw - 1,
                        .xb = p->xrows};
                    const int nrr = b.rows + g->kh - 1;
                    OMP(omp for schedule(static))
                    for (int job = 0; job < cg4 / 4 * nrr; job++)
                        pack_rows_direct(p, &b, xq, n, gi, job / nrr, job % nrr);
                    /* Tiles of 4 slots of 16 positions: along a row when
                     * the rows are long, over 4 rows when they are short. */
                    const int rows_mode = p->OW <= 16;
                    const int tiles = rows_mode ? (b.rows + 3) / 4 * oblocks
                                                : b.rows * jblocks * oblocks;
                    OMP(omp for schedule(static))
                    for (int job = 0; job < tiles; job++) {
                        const int ob = job % oblocks, rest = job / oblocks;
                        int o[4], t[4], j[4], nq = 0;
                        for (int r = 0; r < 4; r++)
                            o[r] = 4 * ob + r < p->og ? gi * p->og + 4 * ob + r : K;
                        for (int q = 0; q < 4; q++) {
                            const int tq = rows_mode ? 4 * rest + q : rest / jblocks;
                            const int jq = rows_mode ? 0 : 64 * (rest % jblocks) + 16 * q;
                            if (tq < b.rows && jq < p->OW) {
                                t[nq] = tq;
                                j[nq++] = jq;
                            }
                        }
                        direct_tile(p, &b, n, nq, t, j, o, x_scale, w_scales,
                                    bias, y);
                    }
                }
    }
}
#endif

void conv2d_forward_int8(const Conv2dGeom *g, const int8_t *xq, float x_scale,
                         const int8_t *wq, const float *w_scales,
                         const float *bias, float *y, void *ws)
{
    Int8Conv p = {.g = g, .OH = conv2d_out_h(g), .OW = conv2d_out_w(g),
                  .cg = g->c_in / g->groups, .og = g->c_out / g->groups,
                  .pb = int8_pos_block(g)};
    p.kd = p.cg * g->kh * g->kw;
    /* rows long enough for either weight order (quant_given.c) */
    p.kdp = round_up(round_up((size_t)p.cg, 4) * g->kh * g->kw, 64);
    const int K = g->c_out;
    /* The workspace of quant_given.c. */
    p.wrows = ws;
    p.wsum = (int32_t *)((char *)ws + round_up((size_t)(K + 1) * p.kdp, 64));
    p.xrows = (uint8_t *)p.wsum + round_up((size_t)(K + 1) * sizeof(int32_t), 64);
    const int positions = p.OH * p.OW;
#ifdef QUANT_VNNI
    const int vnni = int8_vnni_available();
#else
    const int vnni = 0; /* the VNNI kernels are not in this build */
#endif
    const DotFn dot = pick_dot();
#ifdef QUANT_VNNI
    if (vnni && int8_direct_shape(g)) { /* stride 1, dilation 1, ... */
        conv_direct_vnni(&p, xq, wq, x_scale, w_scales, bias, y);
        return;
    }
#endif
    const int big = (double)K * p.kd * positions * g->n >= 1e6;
    (void)big; /* unused without OpenMP */

    OMP(omp parallel if (big))
    {
        OMP(omp for schedule(static))
        for (int o = 0; o <= K; o++) { /* pack the weights; row K is zeros */
            int8_t *row = p.wrows + (size_t)o * p.kdp;
            int32_t sum = 0;
            memset(row, 0, p.kdp);
            if (o < K)
                for (int e = 0; e < p.kd; e++)
                    sum += row[e] = wq[(size_t)o * p.kd + e];
            p.wsum[o] = sum;
        }
        OMP(omp single)
        memset(p.xrows, 0, (size_t)p.pb * p.kdp);
        for (int n = 0; n < g->n; n++)
            for (int gi = 0; gi < g->groups; gi++)
                for (int pos0 = 0; pos0 < positions; pos0 += p.pb) {
                    const int nb = positions - pos0 < p.pb ? positions - pos0 : p.pb;
                    const int o0 = gi * p.og;
                    /* The windows of the block: interleaved and shifted for
                     * VNNI, plain rows otherwise, one tap at a time.
                     * Positions past nb hold values whose outputs are never
                     * stored; the bytes past kd stay 0. */
                    if (vnni) {
                        OMP(omp for schedule(static))
                        for (int q = 0; q < (p.kd + 3) / 4; q++)
                            gather_quad_vnni(&p, xq, n, gi, pos0, nb, q);
                    } else {
                        OMP(omp for schedule(static))
                        for (int e = 0; e < p.kd; e++)
                            gather_tap(&p, xq, n, gi, pos0, nb, e, 0,
                                       p.xrows + e, p.kdp);
                    }
#ifdef QUANT_VNNI
                    if (vnni) {
                        OMP(omp for schedule(static))
                        for (int a = 0; a < p.og; a += 4) {
                            int o[4];
                            for (int r = 0; r < 4; r++)
                                o[r] = a + r < p.og ? o0 + a + r : K;
                            block_outputs4_vnni(&p, n, o, pos0, nb, x_scale,
                                                w_scales, bias, y);
                        }
                        continue;
                    }
#endif
                    OMP(omp for schedule(static))
                    for (int a = 0; a < p.og; a++)
                        block_outputs(&p, n, o0 + a, pos0, nb, dot, x_scale,
                                      w_scales, bias, y);
                }
    }
}

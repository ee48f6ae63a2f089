/* conv.c: chapter 01, the reference solution. Naive loops in the order of
 * the lesson's equations; sums accumulate in float, as the lesson's section
 * on tolerances explains. Pointer-to-array casts let the code index x, w and
 * y exactly as the equations do. */
#include "conv.h"

static int min_int(int a, int b) { return a < b ? a : b; }
static int max_int(int a, int b) { return a > b ? a : b; }

/* ---- 1-D ---------------------------------------------------------------- */

void conv1d_full(const float *f, int nf, const float *g, int ng, float *out)
{
    for (int n = 0; n < nf + ng - 1; n++) {
        /* Only the m with 0 <= m < nf and 0 <= n - m < ng contribute, eq. (1.2). */
        int m_lo = max_int(0, n - ng + 1), m_hi = min_int(nf - 1, n);
        float acc = 0.0f;
        for (int m = m_lo; m <= m_hi; m++)
            acc += f[m] * g[n - m];
        out[n] = acc;
    }
}

/* ---- 2-D, one channel, valid -------------------------------------------- */

void correlate2d_valid(const float *img, int H, int W, const float *k, int KH,
                       int KW, float *out)
{
    const int OH = H - KH + 1, OW = W - KW + 1;
    const float (*im)[W] = (const float (*)[W])img;
    const float (*ka)[KW] = (const float (*)[KW])k;
    float (*o)[OW] = (float (*)[OW])out;
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++) {
            float acc = 0.0f; /* eq. (1.3) */
            for (int u = 0; u < KH; u++)
                for (int v = 0; v < KW; v++)
                    acc += im[i + u][j + v] * ka[u][v];
            o[i][j] = acc;
        }
}

void convolve2d_valid(const float *img, int H, int W, const float *k, int KH,
                      int KW, float *out)
{
    const int OH = H - KH + 1, OW = W - KW + 1;
    const float (*im)[W] = (const float (*)[W])img;
    const float (*ka)[KW] = (const float (*)[KW])k;
    float (*o)[OW] = (float (*)[OW])out;
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++) {
            float acc = 0.0f; /* eq. (1.4): the kernel read flipped */
            for (int u = 0; u < KH; u++)
                for (int v = 0; v < KW; v++)
                    acc += im[i + u][j + v] * ka[KH - 1 - u][KW - 1 - v];
            o[i][j] = acc;
        }
}

/* ---- sizes -------------------------------------------------------------- */

int conv_out_size(int in, int k, int stride, int pad, int dil)
{
    int span = dil * (k - 1) + 1; /* input positions one output sees */
    int room = in + 2 * pad;
    /* Checked first: C's / truncates toward zero, so the floor of eq. (1.7)
     * is only right for a non-negative numerator. */
    if (span > room)
        return 0;
    return (room - span) / stride + 1;
}

long long conv2d_param_count(int c_in, int c_out, int kh, int kw, int groups,
                             int has_bias)
{
    long long weights = (long long)c_out * (c_in / groups) * kh * kw;
    return weights + (has_bias ? c_out : 0); /* eq. (1.9) */
}

/* ---- the conv2d layer --------------------------------------------------- */

/* >>> taps */
/* The taps u = lo .. hi-1 of a kernel with k taps, spaced dil apart and
 * starting at input position start (= i*stride - pad), that land inside
 * 0 .. size-1, eq. (1.8). Taps outside read the zero padding and add
 * nothing, so the loops skip them instead of testing every tap. */
typedef struct {
    int lo, hi;
} TapRange;

static TapRange tap_range(int start, int size, int k, int dil)
{
    TapRange t;
    /* start + u*dil >= 0  <=>  u >= ceil(-start / dil) */
    t.lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
    /* start + u*dil < size  <=>  u < ceil((size - start) / dil) */
    t.hi = start >= size ? 0 : min_int(k, (size - start + dil - 1) / dil);
    return t;
}
/* <<< taps */

void conv2d_forward(const Conv2dGeom *g, const float *x, const float *weight,
                    const float *bias, float *y)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups;       /* input channels per group  */
    const int og = g->c_out / g->groups;      /* output channels per group */
    const float (*xa)[g->c_in][g->h][g->w] =
        (const float (*)[g->c_in][g->h][g->w])x;
    const float (*wa)[cg][g->kh][g->kw] =
        (const float (*)[cg][g->kh][g->kw])weight;
    float (*ya)[g->c_out][OH][OW] = (float (*)[g->c_out][OH][OW])y;

    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++) {
            const int c0 = (o / og) * cg; /* first input channel of o's group */
            for (int i = 0; i < OH; i++) {
                const int top = i * g->stride_h - g->pad_h;
                const TapRange ru = tap_range(top, g->h, g->kh, g->dil_h);
                for (int j = 0; j < OW; j++) {
                    const int left = j * g->stride_w - g->pad_w;
                    const TapRange rv = tap_range(left, g->w, g->kw, g->dil_w);
                    float acc = 0.0f; /* eq. (1.6) */
                    for (int c = 0; c < cg; c++)
                        for (int u = ru.lo; u < ru.hi; u++) {
                            const float *xrow = xa[n][c0 + c][top + u * g->dil_h];
                            for (int v = rv.lo; v < rv.hi; v++)
                                acc += xrow[left + v * g->dil_w] * wa[o][c][u][v];
                        }
                    ya[n][o][i][j] = bias ? acc + bias[o] : acc;
                }
            }
        }
}

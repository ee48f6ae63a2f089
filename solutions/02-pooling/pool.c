/* pool.c: chapter 02, the reference solution. Loops in the order of the
 * lesson's equations; each window's range is computed once per output row
 * and column instead of testing every tap, and pointer-to-array casts let
 * the code index x and y exactly as the equations do. */
#include "pool.h"

#include <math.h>

static int min_int(int a, int b) { return a < b ? a : b; }
static int max_int(int a, int b) { return a > b ? a : b; }

/* ---- output size --------------------------------------------------------- */

/* a / b rounded toward minus infinity, for b > 0 (C's / truncates toward
 * zero, which is the floor only for a >= 0). */
static int floor_div(int a, int b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* >>> out_size_impl */
int pool_out_size(int in, int k, int stride, int pad, int ceil_mode)
{
    /* ceil(a / s) = floor((a + s - 1) / s), eq. (2.5) */
    int out = floor_div(in + 2 * pad - k + (ceil_mode ? stride - 1 : 0),
                        stride) + 1;
    /* Eq. (2.6): in ceil mode the last window must start before the right
     * padding; one that would start inside it sees no pixel and is dropped. */
    if (ceil_mode && (out - 1) * stride >= in + pad)
        out--;
    return out;
}
/* <<< out_size_impl */

/* ---- the pooling layers ---------------------------------------------------- */

/* >>> window */
/* The window of output position i along one axis: it starts at
 * i*stride - pad, ends at most at the end of the padded input (a ceil-mode
 * window may be clipped there), and its cells lo .. hi-1 lie inside the
 * image. `padded` is its length counted within the padded input, the
 * count_include_pad divisor of eq. (2.3). */
typedef struct {
    int lo, hi, padded;
} Window;

static Window window(int i, int size, int k, int stride, int pad)
{
    const int start = i * stride - pad;
    const int end = min_int(start + k, size + pad);
    Window r = {.lo = max_int(start, 0), .hi = min_int(end, size),
                .padded = end - start};
    return r;
}
/* <<< window */

/* >>> max_impl */
void maxpool2d_forward(const Pool2dGeom *g, const float *x, float *y)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    const float (*xa)[g->c][g->h][g->w] = (const float (*)[g->c][g->h][g->w])x;
    float (*ya)[g->c][OH][OW] = (float (*)[g->c][OH][OW])y;

    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++) {
                const Window r = window(i, g->h, g->kh, g->stride_h, g->pad_h);
                for (int j = 0; j < OW; j++) {
                    const Window s = window(j, g->w, g->kw, g->stride_w, g->pad_w);
                    /* eq. (2.1): padding is -inf, so only pixels compete */
                    float m = -INFINITY;
                    for (int u = r.lo; u < r.hi; u++)
                        for (int v = s.lo; v < s.hi; v++) {
                            const float t = xa[n][c][u][v];
                            if (t > m || isnan(t)) /* a NaN wins, as in PyTorch */
                                m = t;
                        }
                    ya[n][c][i][j] = m;
                }
            }
}
/* <<< max_impl */

/* >>> avg_impl */
void avgpool2d_forward(const Pool2dGeom *g, const float *x, float *y)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    const float (*xa)[g->c][g->h][g->w] = (const float (*)[g->c][g->h][g->w])x;
    float (*ya)[g->c][OH][OW] = (float (*)[g->c][OH][OW])y;

    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++) {
                const Window r = window(i, g->h, g->kh, g->stride_h, g->pad_h);
                for (int j = 0; j < OW; j++) {
                    const Window s = window(j, g->w, g->kw, g->stride_w, g->pad_w);
                    float acc = 0.0f; /* eq. (2.2): padding adds nothing */
                    for (int u = r.lo; u < r.hi; u++)
                        for (int v = s.lo; v < s.hi; v++)
                            acc += xa[n][c][u][v];
                    /* eq. (2.3) */
                    const int d = g->count_include_pad
                                      ? r.padded * s.padded
                                      : (r.hi - r.lo) * (s.hi - s.lo);
                    ya[n][c][i][j] = acc / (float)d;
                }
            }
}
/* <<< avg_impl */

/* >>> gap_impl */
void global_avgpool2d_forward(int n, int c, int h, int w, const float *x, float *y)
{
    const float (*xa)[c][h][w] = (const float (*)[c][h][w])x;
    float (*ya)[c] = (float (*)[c])y;
    const double count = (double)h * w;

    for (int b = 0; b < n; b++)
        for (int k = 0; k < c; k++) {
            double acc = 0.0; /* eq. (2.7), in double: see pool.h */
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    acc += xa[b][k][i][j];
            ya[b][k] = (float)(acc / count);
        }
}
/* <<< gap_impl */

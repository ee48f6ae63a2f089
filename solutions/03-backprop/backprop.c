/* backprop.c: chapter 03, the reference solution. Loops in the order of the
 * lesson's equations, with pointer-to-array views so that the code indexes
 * x, w, dy and the gradients exactly as the equations do. Every conv
 * gradient element is computed by gathering its terms and stored once, so
 * the overwrite contract of backprop.h holds by construction. The sums are
 * accumulated in double and rounded once: other chapters compare their fast
 * backward passes with this one, and the weight and bias sums run over the
 * whole batch (lesson, section "How exact is exact?"). */
#include "backprop.h"

#include <math.h>

static int min_int(int a, int b) { return a < b ? a : b; }
static int max_int(int a, int b) { return a > b ? a : b; }

/* ---- conv2d ---------------------------------------------------------------- */

/* Eq. (3.4): one sum over the batch and the output positions per output
 * channel. The sum has n*OH*OW terms, easily 10^5 in a real layer, so it is
 * accumulated in double. */
static void conv2d_backward_bias(const Conv2dGeom *g, const float *dy,
                                 float *dbias)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const float (*dya)[g->c_out][OH][OW] = (const float (*)[g->c_out][OH][OW])dy;
    for (int o = 0; o < g->c_out; o++) {
        double acc = 0.0;
        for (int n = 0; n < g->n; n++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++)
                    acc += dya[n][o][i][j];
        dbias[o] = (float)acc;
    }
}

/* >>> out-range */
/* The output positions i = lo .. hi-1 whose tap lands inside the image:
 * tap u of output i reads input row i*stride + off with off = u*dil - pad,
 * and 0 <= i*stride + off <= size-1 gives i >= ceil(-off / stride) and
 * i <= floor((size-1-off) / stride); out is the number of outputs. The
 * range is computed once per tap instead of testing every (i, u). */
typedef struct {
    int lo, hi;
} OutRange;

static OutRange out_range(int off, int size, int stride, int out)
{
    OutRange r;
    r.lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
    r.hi = off > size - 1 ? 0 : min_int(out, (size - 1 - off) / stride + 1);
    return r;
}
/* <<< out-range */

/* >>> backward-weight */
/* Eq. (3.5): dw[o][c][u][v] is the correlation of the input channel with
 * dy[.][o], summed over the batch. Like the bias, a sum of up to n*OH*OW
 * terms, accumulated in double. */
static void conv2d_backward_weight(const Conv2dGeom *g, const float *x,
                                   const float *dy, float *dweight)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const float (*xa)[g->c_in][g->h][g->w] = (const float (*)[g->c_in][g->h][g->w])x;
    const float (*dya)[g->c_out][OH][OW] = (const float (*)[g->c_out][OH][OW])dy;
    float (*dwa)[cg][g->kh][g->kw] = (float (*)[cg][g->kh][g->kw])dweight;

    for (int o = 0; o < g->c_out; o++) {
        const int c0 = (o / og) * cg; /* first input channel of o's group */
        for (int c = 0; c < cg; c++)
            for (int u = 0; u < g->kh; u++) {
                const int offu = u * g->dil_h - g->pad_h;
                const OutRange ri = out_range(offu, g->h, g->stride_h, OH);
                for (int v = 0; v < g->kw; v++) {
                    const int offv = v * g->dil_w - g->pad_w;
                    const OutRange rj = out_range(offv, g->w, g->stride_w, OW);
                    double acc = 0.0;
                    for (int n = 0; n < g->n; n++)
                        for (int i = ri.lo; i < ri.hi; i++) {
                            const float *xrow = xa[n][c0 + c][i * g->stride_h + offu];
                            for (int j = rj.lo; j < rj.hi; j++)
                                acc += (double)dya[n][o][i][j] * xrow[j * g->stride_w + offv];
                        }
                    dwa[o][c][u][v] = (float)acc;
                }
            }
    }
}
/* <<< backward-weight */

/* >>> out-index */
/* Which output of a strided, padded, dilated axis reads input position r
 * through tap u, eq. (3.11): i*stride - pad + u*dil = r, so
 * i = (r + pad - u*dil) / stride when that is a whole number in 0 .. out-1.
 * Returns i, or -1 when no output reads r through tap u. */
static int out_index(int r, int u, int stride, int pad, int dil, int out)
{
    const int t = r + pad - u * dil;
    if (t < 0 || t % stride != 0)
        return -1;
    const int i = t / stride;
    return i < out ? i : -1;
}
/* <<< out-index */

/* >>> backward-input */
/* Eq. (3.11), the gather form of eq. (3.6): every input position (r, q)
 * collects the terms dy[n][o][i][j] * w[o][c][u][v] of the outputs whose
 * taps (u, v) landed on it. With stride 1, no padding and no dilation this
 * is i = r - u, the "full" convolution of dy with the flipped kernel,
 * eq. (3.7). Positions that no tap reaches get 0. */
static void conv2d_backward_input(const Conv2dGeom *g, const float *weight,
                                  const float *dy, float *dx)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const float (*wa)[cg][g->kh][g->kw] = (const float (*)[cg][g->kh][g->kw])weight;
    const float (*dya)[g->c_out][OH][OW] = (const float (*)[g->c_out][OH][OW])dy;
    float (*dxa)[g->c_in][g->h][g->w] = (float (*)[g->c_in][g->h][g->w])dx;

    for (int n = 0; n < g->n; n++)
        for (int ci = 0; ci < g->c_in; ci++) {
            const int o0 = (ci / cg) * og; /* first output channel of the group */
            const int c = ci % cg;         /* ci's index inside its group      */
            for (int r = 0; r < g->h; r++)
                for (int q = 0; q < g->w; q++) {
                    double acc = 0.0;
                    for (int u = 0; u < g->kh; u++) {
                        const int i = out_index(r, u, g->stride_h, g->pad_h, g->dil_h, OH);
                        if (i < 0)
                            continue;
                        for (int v = 0; v < g->kw; v++) {
                            const int j = out_index(q, v, g->stride_w, g->pad_w, g->dil_w, OW);
                            if (j < 0)
                                continue;
                            for (int o = o0; o < o0 + og; o++)
                                acc += (double)dya[n][o][i][j] * wa[o][c][u][v];
                        }
                    }
                    dxa[n][ci][r][q] = (float)acc;
                }
        }
}
/* <<< backward-input */

void conv2d_backward(const Conv2dGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias)
{
    if (dbias)
        conv2d_backward_bias(g, dy, dbias);
    if (dweight)
        conv2d_backward_weight(g, x, dy, dweight);
    if (dx)
        conv2d_backward_input(g, weight, dy, dx);
}

/* ---- pooling --------------------------------------------------------------- */

/* >>> pool-window */
/* The cells of pooling window (i, j) inside the image, rows r0 .. r1-1 and
 * columns q0 .. q1-1, and avg_pool2d's divisor for it (eq. 3.14): the
 * window clipped to the padded input when count_include_pad, the cells
 * inside the image otherwise. */
typedef struct {
    int r0, r1, q0, q1;
    int divisor;
} PoolWindow;

static PoolWindow pool_window(const Pool2dGeom *g, int i, int j)
{
    PoolWindow win;
    const int top = i * g->stride_h - g->pad_h, left = j * g->stride_w - g->pad_w;
    const int bottom = min_int(top + g->kh, g->h + g->pad_h);
    const int right = min_int(left + g->kw, g->w + g->pad_w);
    win.r0 = max_int(top, 0);
    win.r1 = min_int(bottom, g->h);
    win.q0 = max_int(left, 0);
    win.q1 = min_int(right, g->w);
    win.divisor = g->count_include_pad
                      ? (bottom - top) * (right - left)
                      : (win.r1 - win.r0) * (win.q1 - win.q0);
    return win;
}
/* <<< pool-window */

/* dx = 0 over one whole tensor of shape (n, c, h, w). */
static void zero_like_x(const Pool2dGeom *g, float *dx)
{
    float (*dxa)[g->c][g->h][g->w] = (float (*)[g->c][g->h][g->w])dx;
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int r = 0; r < g->h; r++)
                for (int q = 0; q < g->w; q++)
                    dxa[n][c][r][q] = 0.0f;
}

/* >>> maxpool-backward */
/* Eq. (3.13): route each window's dy to its arg-max, the first maximum in
 * row-major order (a strict > keeps the first of equal values). */
void maxpool2d_backward(const Pool2dGeom *g, const float *x, const float *dy,
                        float *dx)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    const float (*xa)[g->c][g->h][g->w] = (const float (*)[g->c][g->h][g->w])x;
    const float (*dya)[g->c][OH][OW] = (const float (*)[g->c][OH][OW])dy;
    float (*dxa)[g->c][g->h][g->w] = (float (*)[g->c][g->h][g->w])dx;

    zero_like_x(g, dx);
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    const PoolWindow win = pool_window(g, i, j);
                    int best_r = win.r0, best_q = win.q0;
                    for (int r = win.r0; r < win.r1; r++)
                        for (int q = win.q0; q < win.q1; q++)
                            if (xa[n][c][r][q] > xa[n][c][best_r][best_q]) {
                                best_r = r;
                                best_q = q;
                            }
                    dxa[n][c][best_r][best_q] += dya[n][c][i][j];
                }
}
/* <<< maxpool-backward */

/* Eq. (3.14): each window adds dy / divisor to every cell it averaged. */
void avgpool2d_backward(const Pool2dGeom *g, const float *dy, float *dx)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    const float (*dya)[g->c][OH][OW] = (const float (*)[g->c][OH][OW])dy;
    float (*dxa)[g->c][g->h][g->w] = (float (*)[g->c][g->h][g->w])dx;

    zero_like_x(g, dx);
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    const PoolWindow win = pool_window(g, i, j);
                    const float share = dya[n][c][i][j] / (float)win.divisor;
                    for (int r = win.r0; r < win.r1; r++)
                        for (int q = win.q0; q < win.q1; q++)
                            dxa[n][c][r][q] += share;
                }
}

/* ---- gradient checking ----------------------------------------------------- */

/* >>> gradcheck */
/* Eq. (3.16) on top of chapter 00's numerical_gradient and relative_error. */
double gradcheck_max_rel_error(ScalarFn loss, void *ctx, float *t, size_t n,
                               const float *analytic, float h,
                               double *numeric)
{
    numerical_gradient(loss, ctx, t, n, h, numeric);

    double scale = 0.0; /* M of eq. (3.16) */
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(analytic[k]) || !isfinite(numeric[k]))
            return INFINITY;
        scale = fmax(scale, fmax(fabs(analytic[k]), fabs(numeric[k])));
    }
    if (scale == 0.0)
        return 0.0;

    const double floor = GRADCHECK_FLOOR * scale;
    double worst = 0.0;
    for (size_t k = 0; k < n; k++) {
        const double a = analytic[k], b = numeric[k];
        const double err = fmax(fabs(a), fabs(b)) >= floor
                               ? relative_error(a, b)
                               : fabs(a - b) / floor;
        worst = fmax(worst, err);
    }
    return worst;
}
/* <<< gradcheck */

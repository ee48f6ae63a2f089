/* experiment.c: chapter 02's experiment. Run it with `./build.sh run 02`
 * (your code) or `./build.sh run 02 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) The windows of the lesson's diagrams, computed with pool2d_out_w and
 *     eqs. (2.3)-(2.6): which cells each output reads, along one axis, for
 *     five geometries (floor and ceil mode, with and without padding, and the
 *     window that eq. (2.6) drops): windows_cells.dat, windows_bars.dat,
 *     windows_geom.dat. A 2-D
 *     worked example (5x5 input, 3x3 kernel, stride 2, padding 1) through
 *     maxpool2d_forward and avgpool2d_forward: window2d_*.dat.
 * (b) How much invariance pooling buys (lesson, eq. 2.8): a fixed random
 *     conv layer (conv2d_forward of chapter 01) + ReLU, followed by nothing,
 *     max or average pooling (2x2 and 4x4) or global average pooling; the
 *     input, a view of a smooth random scene, is panned by delta = 0..8
 *     pixels, and the relative change ||f(T_delta x) - f(x)|| / ||f(x)|| is
 *     averaged over 24 scenes: invariance.dat.
 *     The same for i.i.d. noise, against theory: the fraction of k x k
 *     max-pool outputs that a pan of delta < k leaves exactly unchanged,
 *     and (k - delta) / (k + delta) (lesson, eq. 2.9): unchanged.dat.
 * (c) Aliasing (lesson, eq. 2.10): the same conv layer followed by a
 *     stride-2 stage (plain subsampling, 2x2 max pool, 2x2 average pool, and
 *     max pooling with stride 1 followed by a binomial blur with stride 2,
 *     Zhang's anti-aliased "MaxBlurPool"); the equivariance error
 *     ||f(T_delta x) - T_{delta/2} f(x)|| / ||f(x)|| away from the borders,
 *     for even and odd delta: aliasing.dat.
 *
 * Deterministic: the scenes and the conv layer come from seeded generators.
 * Every .dat file is written atomically.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "01-convolution/conv.h"
#include "atomic_file.h"
#include "dat.h"
#include "pool.h"
#include "rng.h"
#include "util.h"

#define V 48              /* the view the layers see is V x V          */
#define MAX_SHIFT 8       /* largest pan delta, in input pixels          */
#define SCENE_W (V + MAX_SHIFT)
#define N_SCENES 24
#define C_OUT 8           /* channels of the random conv layer           */
#define KC 5              /* its kernel size (padding 2: "same" output)  */

/* ---- calling the code under test, checked ----------------------------------- */

typedef enum { MAX, AVG } Kind;

/* y = maxpool2d or avgpool2d of x (malloc'd) for a floor-mode geometry whose
 * kernel fits, after checking that the code under test gives the output
 * size of eq. (2.4), re-derived here, and writes every output. */
static float *pool(Kind kind, const Pool2dGeom *g, const float *x, int *oh, int *ow)
{
    *oh = pool2d_out_h(g);
    *ow = pool2d_out_w(g);
    int want_h = (g->h + 2 * g->pad_h - g->kh) / g->stride_h + 1;
    int want_w = (g->w + 2 * g->pad_w - g->kw) / g->stride_w + 1;
    if (*oh != want_h || *ow != want_w)
        cnn_die("pool2d_out_h/w give %dx%d for a %dx%d input, kernel %dx%d, "
                "stride %d, padding %d (expected %dx%d): make pool_out_size "
                "pass ./build.sh check 02 first.", *oh, *ow, g->h, g->w,
                g->kh, g->kw, g->stride_h, g->pad_h, want_h, want_w);
    size_t n = pool2d_out_numel(g);
    float *y = xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = NAN; /* to notice outputs never written */
    if (kind == MAX)
        maxpool2d_forward(g, x, y);
    else
        avgpool2d_forward(g, x, y);
    for (size_t i = 0; i < n; i++)
        if (isnan(y[i]))
            cnn_die("%s left y[%zu] of a %dx%d output unwritten (or NaN): make it "
                    "pass ./build.sh check 02 first.",
                    kind == MAX ? "maxpool2d_forward" : "avgpool2d_forward", i,
                    *oh, *ow);
    return y;
}

/* ---- (a) the windows of the diagrams ----------------------------------------- */

typedef struct {
    const char *title;
    int in, k, stride, pad, ceil_mode;
} Axis1d;

static const Axis1d diagrams[] = {
    {"floor mode: kernel 2, stride 2", 7, 2, 2, 0, 0},
    {"ceil mode: kernel 2, stride 2", 7, 2, 2, 0, 1},
    {"floor mode: kernel 3, stride 2, padding 1", 6, 3, 2, 1, 0},
    {"ceil mode: kernel 3, stride 2, padding 1", 6, 3, 2, 1, 1},
    {"ceil mode: kernel 2, stride 3, padding 1", 4, 2, 3, 1, 1},
};
#define N_DIAGRAMS (int)(sizeof diagrams / sizeof diagrams[0])

/* >>> window_cells */
/* Cells of the padded axis (type 0 = pixel, 1 = padding) and, for each
 * output j < pool_out_size, its window: the cells start .. start+k-1 with
 * start = j*stride - pad, of which the ones up to the end of the padded
 * input, min(start + k, in + pad), count in eq. (2.3) with count_include_pad
 * and the pixels among them without. In ceil mode, the window that
 * eq. (2.6) drops is written too, marked dropped. */
static int write_windows(const char *dir, CnnError *e)
{
    AtomicFile cells, bars, geo;
    if (atomic_open_in(&cells, dir, "windows_cells.dat", e))
        return -1;
    if (atomic_open_in(&bars, dir, "windows_bars.dat", e)) {
        atomic_abort(&cells);
        return -1;
    }
    if (atomic_open_in(&geo, dir, "windows_geom.dat", e)) {
        atomic_abort(&cells);
        atomic_abort(&bars);
        return -1;
    }
    fprintf(geo.fp, "# panel in k stride pad ceil_mode outputs\n");
    fprintf(cells.fp, "# panel cell type(0 pixel, 1 padding)\n");
    fprintf(bars.fp, "# panel j start end_full end_clipped first_pixel "
                     "end_pixel D_include D_exclude dropped\n");
    printf("(a) windows along one axis:\n");
    for (int p = 0; p < N_DIAGRAMS; p++) {
        const Axis1d *a = &diagrams[p];
        for (int c = -a->pad; c < a->in + a->pad; c++)
            fprintf(cells.fp, "%d %d %d\n", p, c, c < 0 || c >= a->in);
        int out = pool_out_size(a->in, a->k, a->stride, a->pad, a->ceil_mode);
        /* the window eq. (2.6) drops, if any: ceil of eq. (2.5) without the rule */
        int num = a->in + 2 * a->pad - a->k;
        int no_rule = a->ceil_mode ? (num + a->stride - 1) / a->stride + 1 : out;
        fprintf(geo.fp, "%d %d %d %d %d %d %d\n", p, a->in, a->k, a->stride,
                a->pad, a->ceil_mode, out);
        printf("    %-44s in=%d: %d outputs%s\n", a->title, a->in, out,
               no_rule > out ? ", one window dropped by eq. (2.6)" : "");
        for (int j = 0; j < no_rule; j++) {
            int start = j * a->stride - a->pad;
            int end = start + a->k;
            int clipped = end < a->in + a->pad ? end : a->in + a->pad;
            int lo = start > 0 ? start : 0, hi = clipped < a->in ? clipped : a->in;
            fprintf(bars.fp, "%d %d %d %d %d %d %d %d %d %d\n", p, j, start, end,
                    clipped, lo, hi, clipped - start, hi > lo ? hi - lo : 0, j >= out);
        }
    }
    if (atomic_commit(&cells, e)) {
        atomic_abort(&bars);
        atomic_abort(&geo);
        return -1;
    }
    if (atomic_commit(&bars, e)) {
        atomic_abort(&geo);
        return -1;
    }
    return atomic_commit(&geo, e);
}
/* <<< window_cells */

/* The 2-D worked example: a 5x5 input of small integers, 3x3 windows,
 * stride 2, padding 1, through max and average pooling. */
static int write_window2d(const char *dir, CnnError *e)
{
    static const float x[25] = {
        1, -3, 2, 0, 4,
        -2, 5, -1, 3, -4,
        0, 2, -5, 1, 2,
        3, -1, 4, -2, 0,
        -4, 1, 0, 2, -3,
    };
    Pool2dGeom g = {.n = 1, .c = 1, .h = 5, .w = 5, .kh = 3, .kw = 3,
                    .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1,
                    .count_include_pad = 1};
    int oh, ow;
    float *ymax = pool(MAX, &g, x, &oh, &ow);
    float *yavg1 = pool(AVG, &g, x, &oh, &ow);
    g.count_include_pad = 0;
    float *yavg0 = pool(AVG, &g, x, &oh, &ow);
    printf("(a) 5x5 example, 3x3 windows, stride 2, padding 1: y[0][0] = %g (max), "
           "%g (avg, padding counted), %g (avg, pixels only)\n",
           ymax[0], yavg1[0], yavg0[0]);
    int r = dat_write_matrix(dir, "window2d_x.dat", "the 5x5 input", x, 5, 5, e) ||
            dat_write_matrix(dir, "window2d_max.dat", "max pooling", ymax, oh, ow, e) ||
            dat_write_matrix(dir, "window2d_avg1.dat", "avg pooling, count_include_pad=1",
                             yavg1, oh, ow, e) ||
            dat_write_matrix(dir, "window2d_avg0.dat", "avg pooling, count_include_pad=0",
                             yavg0, oh, ow, e);
    free(ymax);
    free(yavg1);
    free(yavg0);
    return r ? -1 : 0;
}

/* ---- scenes and the conv layer ----------------------------------------------- */

/* A V x SCENE_W scene: white noise blurred by a Gaussian of sigma 1.5
 * pixels (a texture with detail at every scale down to a few pixels), plus
 * a few bright discs, as edges. Views of it are V x V windows; moving the
 * window is a camera pan. */
static void make_scene(float *s, uint64_t seed)
{
    enum { R = 5 };
    Rng r;
    rng_seed(&r, seed);
    int hh = V + 2 * R, ww = SCENE_W + 2 * R;
    double *noise = xmalloc((size_t)hh * ww * sizeof *noise);
    double *tmp = xmalloc((size_t)hh * ww * sizeof *tmp);
    for (int i = 0; i < hh * ww; i++)
        noise[i] = rng_normal(&r);
    double k[2 * R + 1], ks = 0;
    for (int t = -R; t <= R; t++)
        ks += k[t + R] = exp(-t * t / (2 * 1.5 * 1.5));
    for (int t = 0; t <= 2 * R; t++)
        k[t] /= ks;
    for (int i = 0; i < hh; i++) /* blur rows */
        for (int j = R; j < ww - R; j++) {
            double a = 0;
            for (int t = -R; t <= R; t++)
                a += k[t + R] * noise[i * ww + j + t];
            tmp[i * ww + j] = a;
        }
    for (int i = R; i < hh - R; i++) /* blur columns */
        for (int j = R; j < ww - R; j++) {
            double a = 0;
            for (int t = -R; t <= R; t++)
                a += k[t + R] * tmp[(i + t) * ww + j];
            s[(i - R) * SCENE_W + (j - R)] = (float)(2.0 * a);
        }
    for (int d = 0; d < 3; d++) { /* discs */
        double ci = rng_uniform(&r) * V, cj = rng_uniform(&r) * SCENE_W;
        double rad = 3 + 5 * rng_uniform(&r);
        for (int i = 0; i < V; i++)
            for (int j = 0; j < SCENE_W; j++)
                if ((i - ci) * (i - ci) + (j - cj) * (j - cj) < rad * rad)
                    s[i * SCENE_W + j] += 1.0f;
    }
    free(noise);
    free(tmp);
}

/* x = the V x V view of the scene whose first column is col. */
static void view(const float *scene, int col, float *x)
{
    for (int i = 0; i < V; i++)
        memcpy(&x[i * V], &scene[i * SCENE_W + col], V * sizeof *x);
}

/* relu(conv2d(x, w)), C_OUT x V x V (malloc'd): 5x5 kernels, padding 2. */
static float *conv_relu(const float *x, const float *w)
{
    Conv2dGeom g = {.n = 1, .c_in = 1, .h = V, .w = V, .c_out = C_OUT,
                    .kh = KC, .kw = KC, .stride_h = 1, .stride_w = 1,
                    .pad_h = KC / 2, .pad_w = KC / 2, .dil_h = 1, .dil_w = 1,
                    .groups = 1};
    float *y = xmalloc(conv2d_y_numel(&g) * sizeof *y);
    conv2d_forward(&g, x, w, NULL, y);
    for (size_t i = 0; i < conv2d_y_numel(&g); i++)
        y[i] = y[i] > 0 ? y[i] : 0;
    return y;
}

/* ---- the stages after the conv layer ---------------------------------------- */

typedef enum {
    ST_NONE,       /* conv + ReLU alone                       */
    ST_MAX2,       /* 2x2 max pooling, stride 2               */
    ST_MAX4,       /* 4x4 max pooling, stride 4               */
    ST_AVG2,       /* 2x2 average pooling, stride 2           */
    ST_AVG4,       /* 4x4 average pooling, stride 4           */
    ST_GAP,        /* global average pooling                  */
    ST_SUB2,       /* plain subsampling: 1x1 "pooling", stride 2 */
    ST_MAXBLUR2,   /* 2x2 max, stride 1, then blur, stride 2  */
    ST_N
} Stage;

static const char *const stage_names[ST_N] = {
    "conv", "max2", "max4", "avg2", "avg4", "gap", "subsample2", "maxblur2"};

/* The stage applied to a C_OUT x V x V feature map; returns the output
 * (malloc'd), its size in *n and its width in *ow (1 for GAP). */
static float *stage(Stage s, const float *f, size_t *n, int *ow)
{
    Pool2dGeom g = {.n = 1, .c = C_OUT, .h = V, .w = V, .count_include_pad = 1};
    int oh;
    float *y;
    switch (s) {
    case ST_NONE:
        *n = (size_t)C_OUT * V * V;
        *ow = V;
        y = xmalloc(*n * sizeof *y);
        memcpy(y, f, *n * sizeof *y);
        return y;
    case ST_GAP:
        *n = C_OUT;
        *ow = 1;
        y = xmalloc(*n * sizeof *y);
        global_avgpool2d_forward(1, C_OUT, V, V, f, y);
        return y;
    case ST_MAXBLUR2: {
        /* Zhang (2019): max with stride 1 (dense), then a 3x3 binomial blur
         * [1 2 1]^T [1 2 1] / 16 with stride 2, one kernel per channel. */
        g.kh = g.kw = 2;
        g.stride_h = g.stride_w = 1;
        int mw;
        float *m = pool(MAX, &g, f, &oh, &mw);
        static const float b1[3] = {1, 2, 1};
        float w[C_OUT * 9];
        for (int c = 0; c < C_OUT; c++)
            for (int u = 0; u < 3; u++)
                for (int v = 0; v < 3; v++)
                    w[c * 9 + u * 3 + v] = b1[u] * b1[v] / 16.0f;
        Conv2dGeom cg = {.n = 1, .c_in = C_OUT, .h = oh, .w = mw, .c_out = C_OUT,
                         .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2,
                         .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1,
                         .groups = C_OUT};
        *n = conv2d_y_numel(&cg);
        *ow = conv2d_out_w(&cg);
        y = xmalloc(*n * sizeof *y);
        conv2d_forward(&cg, m, w, NULL, y);
        free(m);
        return y;
    }
    default:
        break;
    }
    int k = s == ST_MAX4 || s == ST_AVG4 ? 4 : s == ST_SUB2 ? 1 : 2;
    int st = s == ST_MAX4 || s == ST_AVG4 ? 4 : 2;
    g.kh = g.kw = k;
    g.stride_h = g.stride_w = st;
    y = pool(s == ST_AVG2 || s == ST_AVG4 ? AVG : MAX, &g, f, &oh, ow);
    *n = pool2d_out_numel(&g);
    return y;
}

/* ---- (b) invariance and (c) aliasing -------------------------------------------- */

/* >>> measures */
/* Sums for eq. (2.8), the relative change of the output under a shift:
 * num += ||a - b||^2 and den += ||b||^2 over all n elements. */
static void add_change(const float *a, const float *b, size_t n, double *num,
                       double *den)
{
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        *num += d * d;
        *den += (double)b[i] * b[i];
    }
}

/* Sums for eq. (2.10), the equivariance error of a map of width ow (C_OUT
 * planes of rows x ow): yd at column j against y0 at column j - s, over the
 * columns margin .. ow-1-margin of both (away from the zero padding). */
static void add_equivariance(const float *yd, const float *y0, size_t n, int ow,
                             int s, int margin, double *num, double *den)
{
    for (size_t i = 0; i < n; i++) {
        int j = (int)(i % (size_t)ow), j0 = j - s;
        if (j < margin || j >= ow - margin || j0 < margin || j0 >= ow - margin)
            continue;
        double d = (double)yd[i] - y0[i - (size_t)s];
        *num += d * d;
        *den += (double)y0[i - (size_t)s] * y0[i - (size_t)s];
    }
}
/* <<< measures */

static int run_shifts(const char *dir, CnnError *e)
{
    float *w = xmalloc(C_OUT * KC * KC * sizeof *w);
    Rng r;
    rng_seed(&r, 7);
    rng_fill_normal(&r, w, C_OUT * KC * KC, 0.0f, 1.0f / KC); /* std 1/sqrt(fan-in) */

    static const Stage inv_stages[] = {ST_NONE, ST_MAX2, ST_AVG2, ST_MAX4, ST_AVG4, ST_GAP};
    static const Stage alias_stages[] = {ST_NONE, ST_SUB2, ST_MAX2, ST_AVG2, ST_MAXBLUR2};
    enum { NI = 6, NA = 5 };
    double inv_num[NI][MAX_SHIFT + 1] = {{0}}, inv_den[NI][MAX_SHIFT + 1] = {{0}};
    double al_num[NA][MAX_SHIFT + 1] = {{0}}, al_den[NA][MAX_SHIFT + 1] = {{0}};
    /* for odd delta in (c): the better of floor(delta/2) and ceil(delta/2) */
    double al_num2[NA][MAX_SHIFT + 1] = {{0}}, al_den2[NA][MAX_SHIFT + 1] = {{0}};

    float *scene = xmalloc((size_t)V * SCENE_W * sizeof *scene);
    float x0[V * V], xd[V * V];
    for (int sc = 0; sc < N_SCENES; sc++) {
        make_scene(scene, 100 + (uint64_t)sc);
        view(scene, MAX_SHIFT, x0);
        float *f0 = conv_relu(x0, w);
        for (int d = 0; d <= MAX_SHIFT; d++) {
            view(scene, MAX_SHIFT - d, xd); /* content moves right by d */
            float *fd = conv_relu(xd, w);
            for (int t = 0; t < NI; t++) {
                size_t n;
                int ow;
                float *y0 = stage(inv_stages[t], f0, &n, &ow);
                float *yd = stage(inv_stages[t], fd, &n, &ow);
                add_change(yd, y0, n, &inv_num[t][d], &inv_den[t][d]);
                free(y0);
                free(yd);
            }
            for (int t = 0; t < NA; t++) {
                size_t n;
                int ow;
                float *y0 = stage(alias_stages[t], f0, &n, &ow);
                float *yd = stage(alias_stages[t], fd, &n, &ow);
                int S = alias_stages[t] == ST_NONE ? 1 : 2;
                int margin = 6 / S + 1; /* conv padding and the pan's new columns */
                add_equivariance(yd, y0, n, ow, d / S, margin, &al_num[t][d], &al_den[t][d]);
                add_equivariance(yd, y0, n, ow, (d + S - 1) / S, margin,
                                 &al_num2[t][d], &al_den2[t][d]);
                free(y0);
                free(yd);
            }
            free(fd);
        }
        free(f0);
    }
    free(scene);
    free(w);

    AtomicFile af;
    if (atomic_open_in(&af, dir, "invariance.dat", e))
        return -1;
    fprintf(af.fp, "# relative change ||f(T_d x) - f(x)|| / ||f(x)||, eq. (2.8), "
                   "%d scenes, %dx%d views, conv 1->%d %dx%d + ReLU\n# delta",
            N_SCENES, V, V, C_OUT, KC, KC);
    for (int t = 0; t < NI; t++)
        fprintf(af.fp, " %s", stage_names[inv_stages[t]]);
    fprintf(af.fp, "\n");
    printf("(b) relative change of the output when the input pans by delta pixels:\n"
           "    %-11s", "delta");
    for (int d = 0; d <= MAX_SHIFT; d++)
        printf(" %6d", d);
    printf("\n");
    for (int d = 0; d <= MAX_SHIFT; d++) {
        fprintf(af.fp, "%d", d);
        for (int t = 0; t < NI; t++)
            fprintf(af.fp, " %.6g", sqrt(inv_num[t][d] / inv_den[t][d]));
        fprintf(af.fp, "\n");
    }
    for (int t = 0; t < NI; t++) {
        printf("    %-11s", stage_names[inv_stages[t]]);
        for (int d = 0; d <= MAX_SHIFT; d++)
            printf(" %6.3f", sqrt(inv_num[t][d] / inv_den[t][d]));
        printf("\n");
    }
    if (atomic_commit(&af, e))
        return -1;

    if (atomic_open_in(&af, dir, "aliasing.dat", e))
        return -1;
    fprintf(af.fp, "# equivariance error ||f(T_d x) - T_{d/S} f(x)|| / ||T_{d/S} f(x)||, "
                   "eq. (2.10), away from the borders; odd d/S: the better integer shift\n# delta");
    for (int t = 0; t < NA; t++)
        fprintf(af.fp, " %s", stage_names[alias_stages[t]]);
    fprintf(af.fp, "\n");
    printf("(c) equivariance error of a stride-2 stage after the conv layer:\n"
           "    %-11s", "delta");
    for (int d = 0; d <= MAX_SHIFT; d++)
        printf(" %6d", d);
    printf("\n");
    double err[NA][MAX_SHIFT + 1];
    for (int t = 0; t < NA; t++)
        for (int d = 0; d <= MAX_SHIFT; d++) {
            double e1 = sqrt(al_num[t][d] / al_den[t][d]);
            double e2 = sqrt(al_num2[t][d] / al_den2[t][d]);
            err[t][d] = e2 < e1 ? e2 : e1;
        }
    for (int d = 0; d <= MAX_SHIFT; d++) {
        fprintf(af.fp, "%d", d);
        for (int t = 0; t < NA; t++)
            fprintf(af.fp, " %.6g", err[t][d]);
        fprintf(af.fp, "\n");
    }
    for (int t = 0; t < NA; t++) {
        printf("    %-11s", stage_names[alias_stages[t]]);
        for (int d = 0; d <= MAX_SHIFT; d++)
            printf(" %6.3f", err[t][d]);
        printf("\n");
    }
    return atomic_commit(&af, e);
}

/* ---- (b') the max of i.i.d. pixels: how often a shift leaves it unchanged ------------ */

/* For i.i.d. continuous pixels, a k x k max-pooling window (stride k) panned
 * by delta < k columns keeps its output exactly when the largest of the
 * k x (k + delta) pixels the old and new windows cover lies in the
 * k x (k - delta) they share: probability (k - delta) / (k + delta),
 * eq. (2.9). Measured on 64 x 64 views of uniform noise, 40 scenes. */
static int write_unchanged(const char *dir, CnnError *e)
{
    enum { NV = 64, NW = NV + 4, REPS = 40 };
    static const int ks[] = {2, 3, 4};
    AtomicFile af;
    if (atomic_open_in(&af, dir, "unchanged.dat", e))
        return -1;
    fprintf(af.fp, "# fraction of k x k max-pool outputs (stride k) unchanged by a pan of "
                   "delta columns, i.i.d. uniform pixels, %d views of %dx%d\n"
                   "# delta k2_measured k2_theory k3_measured k3_theory k4_measured k4_theory\n",
            REPS, NV, NV);
    double frac[3][5] = {{0}};
    float *scene = xmalloc((size_t)NV * NW * sizeof *scene);
    float *x0 = xmalloc((size_t)NV * NV * sizeof *x0), *xd = xmalloc((size_t)NV * NV * sizeof *xd);
    Rng r;
    rng_seed(&r, 11);
    for (int rep = 0; rep < REPS; rep++) {
        rng_fill_uniform(&r, scene, (size_t)NV * NW, 0.0f, 1.0f);
        for (int t = 0; t < 3; t++) {
            int k = ks[t];
            Pool2dGeom g = {.n = 1, .c = 1, .h = NV, .w = NV, .kh = k, .kw = k,
                            .stride_h = k, .stride_w = k, .count_include_pad = 1};
            for (int i = 0; i < NV; i++)
                memcpy(&x0[i * NV], &scene[i * NW + 4], NV * sizeof *x0);
            int oh, ow;
            float *y0 = pool(MAX, &g, x0, &oh, &ow);
            for (int d = 0; d <= k; d++) {
                for (int i = 0; i < NV; i++)
                    memcpy(&xd[i * NV], &scene[i * NW + 4 - d], NV * sizeof *xd);
                float *yd = pool(MAX, &g, xd, &oh, &ow);
                int same = 0;
                for (int q = 0; q < oh * ow; q++)
                    same += yd[q] == y0[q];
                frac[t][d] += (double)same / (oh * ow) / REPS;
                free(yd);
            }
            free(y0);
        }
    }
    free(scene);
    free(x0);
    free(xd);
    printf("(b') i.i.d. pixels: fraction of max-pool outputs unchanged by a pan of delta "
           "(measured / (k-delta)/(k+delta)):\n");
    for (int d = 0; d <= 4; d++) {
        fprintf(af.fp, "%d", d);
        printf("    delta %d:", d);
        for (int t = 0; t < 3; t++) {
            int k = ks[t];
            if (d <= k) {
                double th = (double)(k - d) / (k + d);
                fprintf(af.fp, " %.5f %.5f", frac[t][d], th);
                printf("   k=%d %.3f / %.3f", k, frac[t][d], th);
            } else {
                fprintf(af.fp, " nan nan");
            }
        }
        fprintf(af.fp, "\n");
        printf("\n");
    }
    return atomic_commit(&af, e);
}

/* ---- main ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment 02");
    if (argc != 2)
        cnn_die("expected one argument, the output directory: experiment OUTDIR");
    const char *dir = argv[1];
    CnnError e = {""};
    if (cnn_make_dirs(dir, &e))
        cnn_die("%s", e.msg);
    if (write_windows(dir, &e) || write_window2d(dir, &e) || run_shifts(dir, &e) ||
        write_unchanged(dir, &e))
        cnn_die("%s", e.msg);
    printf("data written to %s/\n", dir);
    return 0;
}

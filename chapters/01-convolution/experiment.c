/* experiment.c: chapter 01's experiment. Run it with `./build.sh run 01`
 * (your code) or `./build.sh run 01 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) An edge detector at work: a synthetic 64x64 scene, a Sobel kernel and
 *     its response (conv2d_forward, padding 1): scene.dat, kernel.dat,
 *     response.dat, matrices for gnuplot's `matrix with image pixels`.
 * (b) Translation equivariance measured (lesson, eqs. 1.12-1.14): for shifts
 *     delta = 0..8 pixels, the relative error
 *       err = || conv(T_delta x) - T_{delta/S} conv(x) || / || T_{delta/S} conv(x) ||
 *     over the whole output and over its interior (the outputs that never
 *     see a padded zero), for several layers: equivariance.dat.
 * (c) How far float accumulation strays from a double-precision sum, as a
 *     function of the number K of products per output: accuracy.dat. This is
 *     where the tests' tolerance comes from (lesson, "How exact is exact?").
 *
 * Deterministic: the scene's texture and the random layers of (c) come from
 * seeded generators. Every .dat file is written atomically.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "conv.h"
#include "dat.h"
#include "rng.h"
#include "util.h"

#define H 64           /* the view the layers see                  */
#define W 64
#define MAX_SHIFT 8    /* largest shift delta, in input pixels      */
#define SCENE_W (W + MAX_SHIFT + 8)
#define BASE_COL 8     /* the unshifted view starts at this column  */

/* ---- the scene -------------------------------------------------------------- */

/* A 64 x SCENE_W scene, intensities in about [0, 1]: a shaded background, a
 * disc, a bar, a thick diagonal stroke and a striped, noisy patch. The views
 * the layers see are 64 x 64 windows of it; moving the window is a camera
 * pan, the natural meaning of "shifting the image". */
static void make_scene(float *s, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < H; i++)
        for (int j = 0; j < SCENE_W; j++) {
            double v = 0.15 + 0.25 * i / H + 0.15 * j / SCENE_W; /* shading */
            double di = i - 20.5, dj = j - 28.5;
            if (di * di + dj * dj < 11.0 * 11.0)
                v = 0.85; /* disc */
            if (i >= 38 && i < 54 && j >= 12 && j < 34)
                v = 0.7; /* bar */
            /* a stroke 3 pixels wide from (8, 44) to (58, 70) */
            double t = ((i - 8) * 50.0 + (j - 44) * 26.0) / (50.0 * 50 + 26.0 * 26);
            double pi = 8 + 50 * t, pj = 44 + 26 * t;
            if (t >= 0 && t <= 1 && (i - pi) * (i - pi) + (j - pj) * (j - pj) < 2.25)
                v = 0.95;
            if (i >= 4 && i < 18 && j >= 50 && j < 74) /* stripes, period 4 */
                v = 0.45 + 0.25 * ((j / 2) % 2 ? 1 : -1);
            s[i * SCENE_W + j] = (float)(v + 0.04 * (rng_uniform(&r) - 0.5));
        }
}

/* x = the 64x64 window of the scene whose first column is col. */
static void view(const float *scene, int col, float *x)
{
    for (int i = 0; i < H; i++)
        memcpy(&x[i * W], &scene[i * SCENE_W + col], W * sizeof *x);
}

/* out = x with its columns rotated right by d (column j moves to j + d mod W). */
static void roll_right(const float *x, int d, float *out)
{
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
            out[i * W + (j + d) % W] = x[i * W + j];
}

/* ---- the layers ------------------------------------------------------------- */

static const float sobel_x[9] = {-1, 0, 1,
                                 -2, 0, 2,
                                 -1, 0, 1};
static const float blur[9] = {1 / 16.f, 2 / 16.f, 1 / 16.f,
                              2 / 16.f, 4 / 16.f, 2 / 16.f,
                              1 / 16.f, 2 / 16.f, 1 / 16.f};
static const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

/* A stack of 3x3 layers, all with the same stride and padding: the first is
 * the Sobel edge detector; a second, after a ReLU, blurs its output. */
typedef struct {
    int layers;         /* 1 or 2 */
    int stride;
    int pad;
    int circular_pad;   /* pad 1 by wrapping around instead of with zeros */
} Stack;

/* One 3x3, one-channel layer on an h x w image; returns y (malloc'd). */
static float *layer(const Stack *st, const float *x, int h, int w,
                    const float *k, int *oh, int *ow)
{
    Conv2dGeom g = {1, 1, h, w, 1, 3, 3, st->stride, st->stride, st->pad,
                    st->pad, 1, 1, 1};
    float *padded = NULL;
    if (st->circular_pad) {
        /* Wrap-around padding by hand, then a convolution without padding. */
        int ph = h + 2, pw = w + 2;
        padded = xmalloc((size_t)ph * pw * sizeof *padded);
        for (int i = 0; i < ph; i++)
            for (int j = 0; j < pw; j++)
                padded[i * pw + j] = x[((i - 1 + h) % h) * w + (j - 1 + w) % w];
        g.h = ph;
        g.w = pw;
        g.pad_h = g.pad_w = 0;
        x = padded;
    }
    *oh = conv2d_out_h(&g);
    *ow = conv2d_out_w(&g);
    int want_h = (g.h + 2 * g.pad_h - 3) / g.stride_h + 1;
    int want_w = (g.w + 2 * g.pad_w - 3) / g.stride_w + 1;
    if (*oh != want_h || *ow != want_w)
        cnn_die("conv2d_out_h/conv2d_out_w give %dx%d for a %dx%d input, 3x3 kernel, "
                "stride %d, padding %d (expected %dx%d): make conv_out_size pass "
                "./build.sh check 01 first.", *oh, *ow, g.h, g.w, g.stride_h,
                g.pad_h, want_h, want_w);
    size_t n = conv2d_y_numel(&g);
    float *y = xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = NAN; /* to notice outputs conv2d_forward never writes */
    conv2d_forward(&g, x, k, NULL, y);
    for (size_t i = 0; i < n; i++)
        if (isnan(y[i]))
            cnn_die("conv2d_forward left y[%zu] of a %dx%d output unwritten (or NaN): "
                    "make it pass ./build.sh check 01 first.", i, *oh, *ow);
    free(padded);
    return y;
}

/* The stack's output for x, or, with mask set, its "clean" map: 1 where an
 * output never saw a padded zero, computed by running the same geometry on
 * an indicator image with an all-ones kernel. */
static float *run_stack(const Stack *st, const float *x, int mask, int *oh,
                        int *ow)
{
    int h = H, w = W;
    float *cur = xmalloc((size_t)h * w * sizeof *cur);
    for (int i = 0; i < h * w; i++)
        cur[i] = mask ? 1.0f : x[i];
    for (int l = 0; l < st->layers; l++) {
        if (l > 0) /* ReLU between layers (a mask stays 0/1) */
            for (int i = 0; i < h * w; i++)
                cur[i] = cur[i] > 0 ? cur[i] : 0;
        float *next = layer(st, cur, h, w, mask ? ones : l == 0 ? sobel_x : blur, &h, &w);
        if (mask) /* clean iff all nine taps landed on clean pixels */
            for (int i = 0; i < h * w; i++)
                next[i] = next[i] == 9.0f ? 1.0f : 0.0f;
        free(cur);
        cur = next;
    }
    *oh = h;
    *ow = w;
    return cur;
}

/* ---- equivariance -------------------------------------------------------------- */

/* >>> shift_error */
/* Relative distance between yd = conv(shifted x) and y0 = conv(x) shifted
 * right by s columns: sqrt(sum (yd[i][j] - y0[i][j-s])^2 / sum y0[i][j-s]^2)
 * over the positions where both exist (circular: j-s wraps around), and, when
 * interior is set, where neither output saw a padded zero (clean map). */
static double shift_error(const float *yd, const float *y0, const float *clean,
                          int oh, int ow, int s, int circular, int interior)
{
    double num = 0, den = 0;
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) {
            int j0 = circular ? ((j - s) % ow + ow) % ow : j - s;
            if (j0 < 0 || j0 >= ow)
                continue; /* T_s conv(x) has no value here */
            if (interior && !(clean[i * ow + j] > 0 && clean[i * ow + j0] > 0))
                continue;
            double d = (double)yd[i * ow + j] - y0[i * ow + j0];
            num += d * d;
            den += (double)y0[i * ow + j0] * y0[i * ow + j0];
        }
    return den > 0 ? sqrt(num / den) : 0.0;
}
/* <<< shift_error */

/* err(delta) for a stack: the input shifted by delta (a camera pan, or a
 * circular roll), the output compared with conv(x) shifted by delta/S, S the
 * stack's total stride. When S does not divide delta no output shift matches;
 * the better of floor(delta/S) and ceil(delta/S) is reported. */
static double equivariance_error(const Stack *st, const float *scene,
                                 int delta, int circular_shift, int interior)
{
    float x0[H * W], xd[H * W];
    view(scene, BASE_COL, x0);
    if (circular_shift)
        roll_right(x0, delta, xd);
    else
        view(scene, BASE_COL - delta, xd); /* content moves right by delta */

    int oh, ow;
    float *y0 = run_stack(st, x0, 0, &oh, &ow);
    float *yd = run_stack(st, xd, 0, &oh, &ow);
    float *clean = run_stack(st, NULL, 1, &oh, &ow);
    int total_stride = st->layers == 2 ? st->stride * st->stride : st->stride;
    int s_lo = delta / total_stride;
    int s_hi = (delta + total_stride - 1) / total_stride;
    double err = shift_error(yd, y0, clean, oh, ow, s_lo, circular_shift, interior);
    if (s_hi != s_lo) {
        double e2 = shift_error(yd, y0, clean, oh, ow, s_hi, circular_shift, interior);
        err = e2 < err ? e2 : err;
    }
    free(y0);
    free(yd);
    free(clean);
    return err;
}

typedef struct {
    const char *name;
    Stack stack;
    int circular_shift;
    int report_interior;
} Config;

static const Config configs[] = {
    {"valid", {1, 1, 0, 0}, 0, 1},          /* stride 1, no padding */
    {"pad1", {1, 1, 1, 0}, 0, 1},           /* stride 1, zero padding 1 */
    {"two_layers", {2, 1, 1, 0}, 0, 1},     /* conv, ReLU, conv */
    {"roll_zero_pad", {1, 1, 1, 0}, 1, 0},  /* circular shift, zero padding */
    {"roll_circ_pad", {1, 1, 1, 1}, 1, 0},  /* circular shift, circular padding */
    {"stride2", {1, 2, 1, 0}, 0, 1},        /* stride 2, zero padding 1 */
    {"stride2_x2", {2, 2, 1, 0}, 0, 1},     /* two stride-2 layers: S = 4 */
};
#define N_CONFIGS (int)(sizeof configs / sizeof configs[0])

static int write_equivariance(const char *dir, const float *scene, CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, dir, "equivariance.dat", e))
        return -1;
    fprintf(af.fp, "# relative error ||conv(T_d x) - T_{d/S} conv(x)|| / ||T_{d/S} conv(x)||\n"
                   "# 3x3 Sobel layer(s) on a 64x64 view; whole output / interior\n# delta");
    for (int c = 0; c < N_CONFIGS; c++)
        fprintf(af.fp, configs[c].report_interior ? " %s_whole %s_interior" : " %s_whole",
                configs[c].name, configs[c].name);
    fprintf(af.fp, "\n");

    printf("(b) translation equivariance, relative error at shift delta:\n");
    printf("    %-18s", "delta");
    for (int d = 0; d <= MAX_SHIFT; d++)
        printf(" %7d", d);
    printf("\n");
    double err[N_CONFIGS][2][MAX_SHIFT + 1];
    for (int c = 0; c < N_CONFIGS; c++)
        for (int d = 0; d <= MAX_SHIFT; d++)
            for (int in = 0; in <= configs[c].report_interior; in++)
                err[c][in][d] = equivariance_error(&configs[c].stack, scene, d,
                                                   configs[c].circular_shift, in);
    for (int d = 0; d <= MAX_SHIFT; d++) {
        fprintf(af.fp, "%d", d);
        for (int c = 0; c < N_CONFIGS; c++)
            for (int in = 0; in <= configs[c].report_interior; in++)
                fprintf(af.fp, " %.6g", err[c][in][d]);
        fprintf(af.fp, "\n");
    }
    for (int c = 0; c < N_CONFIGS; c++)
        for (int in = 0; in <= configs[c].report_interior; in++) {
            char label[64];
            snprintf(label, sizeof label, "%s%s", configs[c].name, in ? " (int.)" : "");
            printf("    %-18s", label);
            for (int d = 0; d <= MAX_SHIFT; d++)
                printf(" %7.4f", err[c][in][d]);
            printf("\n");
        }
    return atomic_commit(&af, e);
}

/* ---- (c) float accumulation error ------------------------------------------------ */

/* Largest relative error of conv2d_forward against a double-precision sum
 * over random layers with K = c_in * 9 products per output, judged as the
 * tests judge it: |got - want| / max(|want|, floor * max|want|). */
static int write_accuracy(const char *dir, CnnError *e)
{
    enum { S = 16, CO = 16, REPS = 6 };
    static const int c_ins[] = {1, 2, 4, 8, 16, 32};
    AtomicFile af;
    if (atomic_open_in(&af, dir, "accuracy.dat", e))
        return -1;
    fprintf(af.fp, "# worst relative error of float conv2d vs a double sum, %d outputs per K\n"
                   "# K worst_floor_1e-3 worst_floor_1e-2 rms_floor_1e-2\n", S * S * CO * REPS);
    printf("(c) float accumulation vs double, worst relative error over %d outputs:\n"
           "    %5s %16s %16s\n", S * S * CO * REPS, "K", "floor 0.1%", "floor 1%");
    Rng r;
    rng_seed(&r, 2024);
    for (size_t t = 0; t < sizeof c_ins / sizeof c_ins[0]; t++) {
        int ci = c_ins[t], K = ci * 9;
        Conv2dGeom g = {1, ci, S, S, CO, 3, 3, 1, 1, 1, 1, 1, 1, 1};
        size_t nx = conv2d_x_numel(&g), nw = conv2d_weight_numel(&g);
        size_t ny = conv2d_y_numel(&g);
        float *x = xmalloc(nx * sizeof *x), *w = xmalloc(nw * sizeof *w);
        float *y = xmalloc(ny * sizeof *y);
        double *yd = xmalloc(ny * sizeof *yd);
        double worst3 = 0, worst2 = 0, sq2 = 0;
        for (int rep = 0; rep < REPS; rep++) {
            rng_fill_uniform(&r, x, nx, -1, 1);
            rng_fill_uniform(&r, w, nw, -1, 1);
            conv2d_forward(&g, x, w, NULL, y);
            double m = 0;
            for (int o = 0; o < CO; o++)
                for (int i = 0; i < S; i++)
                    for (int j = 0; j < S; j++) {
                        double s = 0;
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < 3; u++)
                                for (int v = 0; v < 3; v++) {
                                    int ii = i - 1 + u, jj = j - 1 + v;
                                    if (ii >= 0 && ii < S && jj >= 0 && jj < S)
                                        s += (double)x[(c * S + ii) * S + jj] *
                                             w[((o * ci + c) * 3 + u) * 3 + v];
                                }
                        yd[(o * S + i) * S + j] = s;
                        m = fabs(s) > m ? fabs(s) : m;
                    }
            for (size_t k = 0; k < ny; k++) {
                double d = fabs(y[k] - yd[k]);
                double e3 = d / fmax(fabs(yd[k]), 1e-3 * m), e2 = d / fmax(fabs(yd[k]), 1e-2 * m);
                worst3 = fmax(worst3, e3);
                worst2 = fmax(worst2, e2);
                sq2 += e2 * e2;
            }
        }
        fprintf(af.fp, "%d %.4g %.4g %.4g\n", K, worst3, worst2, sqrt(sq2 / (ny * REPS)));
        printf("    %5d %16.2e %16.2e\n", K, worst3, worst2);
        free(x);
        free(w);
        free(y);
        free(yd);
    }
    return atomic_commit(&af, e);
}

/* ---- main --------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment 01");
    if (argc != 2)
        cnn_die("expected one argument, the output directory: experiment OUTDIR");
    const char *dir = argv[1];
    CnnError e = {""};
    if (cnn_make_dirs(dir, &e))
        cnn_die("%s", e.msg);

    float *scene = xmalloc((size_t)H * SCENE_W * sizeof *scene);
    make_scene(scene, 1);
    float x[H * W];
    view(scene, BASE_COL, x);

    /* (a) the scene, the Sobel kernel and its response, padding 1 */
    Stack edge = {1, 1, 1, 0};
    int oh, ow;
    float *resp = run_stack(&edge, x, 0, &oh, &ow);
    float rmin = resp[0], rmax = resp[0];
    for (int i = 0; i < oh * ow; i++) {
        rmin = resp[i] < rmin ? resp[i] : rmin;
        rmax = resp[i] > rmax ? resp[i] : rmax;
    }
    printf("(a) Sobel response on the %dx%d scene: %dx%d output, range [%.3f, %.3f]\n",
           H, W, oh, ow, rmin, rmax);
    if (dat_write_matrix(dir, "scene.dat", "the 64x64 scene", x, H, W, &e) ||
        dat_write_matrix(dir, "kernel.dat", "Sobel kernel (cross-correlation)", sobel_x, 3, 3, &e) ||
        dat_write_matrix(dir, "response.dat", "Sobel response, padding 1", resp, oh, ow, &e) ||
        write_equivariance(dir, scene, &e) || write_accuracy(dir, &e))
        cnn_die("%s", e.msg);
    free(resp);
    free(scene);
    printf("data written to %s/\n", dir);
    return 0;
}

/* experiment.c: chapter 03's experiment. Run it with `./build.sh run 03`
 * (your code) or `./build.sh run 03 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) Gradient checks of every layer so far (lesson, sections 5 and 8): for the
 *     finite-difference steps h = 10^-1 .. 10^-7, the error of eq. (3.16)
 *     between your backward passes and central differences of the forward
 *     passes, with the loss computed in float (the course's forward passes)
 *     and in double (this file's own double forward passes):
 *     gradcheck.dat, and gradcheck_gap.dat (the smallest gap between a
 *     pooling window's maximum and its runner-up: where max pooling's kinks
 *     begin to show).
 * (b) The index map of the backward pass as a "full" convolution of dy with
 *     the flipped kernel (lesson, eqs. 3.7-3.10), on small integer examples,
 *     stride 1 and stride 2: diagram.dat; and the routing of max pooling
 *     and spreading of average pooling on the lesson's 4x4 example
 *     (eqs. 3.13, 3.14): pool_diagram.dat. For the figures that draw them.
 * (c) Learning a kernel from data: gradient descent recovers the Sobel kernel
 *     from (input, output) pairs, on white-noise and on smooth inputs
 *     (lesson, section 8 (c)): learn_loss.dat and learn_kernels.dat.
 *
 * Deterministic: every input comes from a seeded generator. Every .dat file
 * is written atomically. Takes about a second.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "backprop.h"
#include "rng.h"
#include "util.h"

/* ---- small helpers ---------------------------------------------------------- */

static float *random_tensor(size_t n, Rng *r)
{
    float *v = xmalloc(n * sizeof *v);
    rng_fill_uniform(r, v, n, -1.0f, 1.0f);
    return v;
}

/* Elements of a pooling layer's input (chapter 00's dims4_numel). */
static size_t pool_x_numel(const Pool2dGeom *g)
{
    return dims4_numel((Dims4){.n = g->n, .c = g->c, .h = g->h, .w = g->w});
}

/* ---- (a) gradient checks ------------------------------------------------------ */

/* A conv layer's forward pass in double, eq. (1.6), from float tensors: the
 * "double" loss of the gradient checks. Written here on purpose, as a
 * plain transcription with a bounds test on every tap. */
static void conv2d_forward_double(const Conv2dGeom *g, const float *x,
                                  const float *w, const float *b, double *y)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    size_t k = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                int r = i * g->stride_h - g->pad_h + u * g->dil_h;
                                int q = j * g->stride_w - g->pad_w + v * g->dil_w;
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                int ci = (o / og) * cg + c;
                                s += (double)x[(((size_t)n * g->c_in + ci) * g->h + r) * g->w + q] *
                                     w[(((size_t)o * cg + c) * g->kh + u) * g->kw + v];
                            }
                    y[k++] = s;
                }
}

/* Max or average pooling in double (chapter 02, eqs. 2.1-2.3). */
static void pool2d_forward_double(int is_max, const Pool2dGeom *g,
                                  const float *x, double *y)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    size_t k = 0;
    for (int nc = 0; nc < g->n * g->c; nc++)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++) {
                int top = i * g->stride_h - g->pad_h, left = j * g->stride_w - g->pad_w;
                int bottom = top + g->kh < g->h + g->pad_h ? top + g->kh : g->h + g->pad_h;
                int right = left + g->kw < g->w + g->pad_w ? left + g->kw : g->w + g->pad_w;
                int padded = (bottom - top) * (right - left), inside = 0;
                double best = -INFINITY, sum = 0.0;
                for (int r = top > 0 ? top : 0; r < bottom && r < g->h; r++)
                    for (int q = left > 0 ? left : 0; q < right && q < g->w; q++) {
                        double t = x[((size_t)nc * g->h + r) * g->w + q];
                        best = t > best ? t : best;
                        sum += t;
                        inside++;
                    }
                y[k++] = is_max ? best : sum / (g->count_include_pad ? padded : inside);
            }
}

/* >>> probe */
/* The probe loss of eq. (3.15), L = sum_k r[k] * phi(y[k]), of one layer seen
 * as a function of one of its tensors. numerical_gradient perturbs that
 * tensor in place, so the loss reads it through the layer's own pointers
 * and ignores its argument t. phi is the identity (dL/dy = r) or, for
 * the "tanh head", tanh (dL/dy = r (1 - tanh^2 y)). */
typedef enum { LAYER_CONV, LAYER_MAXPOOL, LAYER_AVGPOOL } LayerKind;

typedef struct {
    LayerKind kind;
    const Conv2dGeom *cg;      /* LAYER_CONV */
    const Pool2dGeom *pg;      /* pooling layers */
    const float *x, *w, *b;    /* the layer's tensors (w, b: conv only) */
    const float *r;            /* the fixed random weights of the loss */
    size_t ny;
    int in_double;             /* forward pass in double, or the course's float one */
    int tanh_head;
    float *yf;                 /* scratch: ny floats  */
    double *yd;                /* scratch: ny doubles */
} Probe;

static double probe_loss(const float *t, void *ctx)
{
    (void)t;
    const Probe *p = ctx;
    if (p->in_double) {
        if (p->kind == LAYER_CONV)
            conv2d_forward_double(p->cg, p->x, p->w, p->b, p->yd);
        else
            pool2d_forward_double(p->kind == LAYER_MAXPOOL, p->pg, p->x, p->yd);
    } else {
        if (p->kind == LAYER_CONV)
            conv2d_forward(p->cg, p->x, p->w, p->b, p->yf);
        else if (p->kind == LAYER_MAXPOOL)
            maxpool2d_forward(p->pg, p->x, p->yf);
        else
            avgpool2d_forward(p->pg, p->x, p->yf);
        for (size_t k = 0; k < p->ny; k++)
            p->yd[k] = p->yf[k];
    }
    double s = 0.0;
    for (size_t k = 0; k < p->ny; k++)
        s += p->r[k] * (p->tanh_head ? tanh(p->yd[k]) : p->yd[k]);
    return s;
}
/* <<< probe */

#define N_STEPS 13 /* h = 10^-1, 10^-1.5, ..., 10^-7 */
#define N_CHECKS 6

typedef struct {
    const char *name;
    LayerKind kind;
    int tensor;    /* conv: 0 x, 1 w, 2 b */
    int tanh_head;
} Check;

static const Check checks[N_CHECKS] = {
    {"conv_dx", LAYER_CONV, 0, 0},   {"conv_dw", LAYER_CONV, 1, 0},
    {"conv_db", LAYER_CONV, 2, 0},   {"maxpool_dx", LAYER_MAXPOOL, 0, 0},
    {"avgpool_dx", LAYER_AVGPOOL, 0, 0}, {"conv_dx_tanh", LAYER_CONV, 0, 1},
};

/* The smallest gap, over all windows, between a window's maximum and the
 * next largest value in it: a step h larger than about half of it lets a
 * central difference cross a kink of max pooling. */
static double smallest_max_gap(const Pool2dGeom *g, const float *x)
{
    const int OH = pool2d_out_h(g), OW = pool2d_out_w(g);
    double gap = INFINITY;
    for (int nc = 0; nc < g->n * g->c; nc++)
        for (int i = 0; i < OH; i++)
            for (int j = 0; j < OW; j++) {
                double first = -INFINITY, second = -INFINITY;
                for (int u = 0; u < g->kh; u++)
                    for (int v = 0; v < g->kw; v++) {
                        int r = i * g->stride_h - g->pad_h + u, q = j * g->stride_w - g->pad_w + v;
                        if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                            continue;
                        double t = x[((size_t)nc * g->h + r) * g->w + q];
                        if (t > first) {
                            second = first;
                            first = t;
                        } else if (t > second) {
                            second = t;
                        }
                    }
                if (second > -INFINITY && first - second < gap)
                    gap = first - second;
            }
    return gap;
}

static int write_gradcheck(const char *dir, CnnError *e)
{
    Rng rng;
    rng_seed(&rng, 303);
    /* A conv layer with a batch, stride, padding and dilation, and two
     * pooling layers with overlapping windows and padding. */
    const Conv2dGeom cg = {.n = 2, .c_in = 3, .h = 7, .w = 6, .c_out = 4,
                           .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 1,
                           .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 2,
                           .groups = 1};
    const Pool2dGeom pg = {.n = 2, .c = 2, .h = 8, .w = 7, .kh = 3, .kw = 3,
                           .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1,
                           .ceil_mode = 1, .count_include_pad = 0};
    const size_t nx = conv2d_x_numel(&cg), nw = conv2d_weight_numel(&cg);
    const size_t nb = (size_t)cg.c_out, ny = conv2d_y_numel(&cg);
    const size_t npx = pool_x_numel(&pg), npy = pool2d_out_numel(&pg);
    float *x = random_tensor(nx, &rng), *w = random_tensor(nw, &rng);
    float *b = random_tensor(nb, &rng), *r = random_tensor(ny, &rng);
    float *px = random_tensor(npx, &rng), *pr = random_tensor(npy, &rng);
    const size_t ymax = ny > npy ? ny : npy, tmax = nx > npx ? nx : npx;
    float *yf = xmalloc(ymax * sizeof *yf), *dy = xmalloc(ymax * sizeof *dy);
    double *yd = xmalloc(ymax * sizeof *yd), *numeric = xmalloc(tmax * sizeof *numeric);
    float *grad[N_CHECKS];

    /* The analytic gradients: your backward passes, once each. */
    for (int c = 0; c < N_CHECKS; c++) {
        const Check *k = &checks[c];
        if (k->kind != LAYER_CONV) {
            grad[c] = xmalloc(npx * sizeof(float));
            if (k->kind == LAYER_MAXPOOL)
                maxpool2d_backward(&pg, px, pr, grad[c]);
            else
                avgpool2d_backward(&pg, pr, grad[c]);
            continue;
        }
        const size_t count[3] = {nx, nw, nb};
        grad[c] = xmalloc(count[k->tensor] * sizeof(float));
        /* dL/dy = r, or r (1 - tanh^2 y) with y from the float forward pass */
        conv2d_forward(&cg, x, w, b, yf);
        for (size_t q = 0; q < ny; q++) {
            float t = tanhf(yf[q]);
            dy[q] = k->tanh_head ? r[q] * (1.0f - t * t) : r[q];
        }
        conv2d_backward(&cg, x, w, dy, k->tensor == 0 ? grad[c] : NULL,
                        k->tensor == 1 ? grad[c] : NULL,
                        k->tensor == 2 ? grad[c] : NULL);
    }

    double err[N_STEPS][2][N_CHECKS], h[N_STEPS];
    for (int s = 0; s < N_STEPS; s++) {
        h[s] = pow(10.0, -1.0 - 0.5 * s);
        for (int prec = 0; prec < 2; prec++)
            for (int c = 0; c < N_CHECKS; c++) {
                const Check *k = &checks[c];
                Probe p = {.kind = k->kind, .cg = &cg, .pg = &pg, .r = k->kind == LAYER_CONV ? r : pr,
                           .ny = k->kind == LAYER_CONV ? ny : npy, .in_double = prec,
                           .tanh_head = k->tanh_head, .yf = yf, .yd = yd};
                float *t;
                size_t n;
                if (k->kind == LAYER_CONV) {
                    p.x = x, p.w = w, p.b = b;
                    t = k->tensor == 0 ? x : k->tensor == 1 ? w : b;
                    n = k->tensor == 0 ? nx : k->tensor == 1 ? nw : nb;
                } else {
                    p.x = px;
                    t = px;
                    n = npx;
                }
                err[s][prec][c] = gradcheck_max_rel_error(probe_loss, &p, t, n, grad[c],
                                                          (float)h[s], numeric);
            }
    }
    const double gap = smallest_max_gap(&pg, px);

    AtomicFile af;
    if (atomic_open_in(&af, dir, "gradcheck.dat", e))
        return -1;
    fprintf(af.fp, "# error of eq. (3.16) between the backward passes and central differences\n"
                   "# of the probe loss (3.15), loss computed in float (columns 2-7) and in\n"
                   "# double (8-13); nan: not finite (the step did not move a float)\n"
                   "# h");
    for (int prec = 0; prec < 2; prec++)
        for (int c = 0; c < N_CHECKS; c++)
            fprintf(af.fp, " %s_%s", checks[c].name, prec ? "double" : "float");
    fprintf(af.fp, "\n");
    printf("(a) gradient checks: error of eq. (3.16) against the step h\n"
           "    %-8s", "h");
    for (int c = 0; c < N_CHECKS; c++)
        printf(" %12s", checks[c].name);
    printf("\n");
    for (int s = 0; s < N_STEPS; s++) {
        fprintf(af.fp, "%.4g", h[s]);
        for (int prec = 0; prec < 2; prec++)
            for (int c = 0; c < N_CHECKS; c++)
                fprintf(af.fp, isfinite(err[s][prec][c]) ? " %.4g" : " nan", err[s][prec][c]);
        fprintf(af.fp, "\n");
        for (int prec = 0; prec < 2; prec++) {
            printf("    %-8.1e", h[s]);
            for (int c = 0; c < N_CHECKS; c++)
                printf(" %12.2e", err[s][prec][c]);
            printf("  %s\n", prec ? "double" : "float");
        }
    }
    if (atomic_commit(&af, e))
        return -1;
    printf("    smallest gap between a pooling window's maximum and its runner-up: %.3g\n", gap);
    if (atomic_open_in(&af, dir, "gradcheck_gap.dat", e))
        return -1;
    fprintf(af.fp, "# smallest max-to-runner-up gap over the max-pooling windows\n%.6g\n", gap);
    if (atomic_commit(&af, e))
        return -1;

    for (int c = 0; c < N_CHECKS; c++)
        free(grad[c]);
    free(x), free(w), free(b), free(r), free(px), free(pr);
    free(yf), free(dy), free(yd), free(numeric);
    return 0;
}

/* ---- (b) the diagram of dx as a full convolution -------------------------------- */

/* Writes one grid of the diagram: a block of lines "col row value kind hl"
 * (row 0 at the top). kind: 0 zero padding, 1 a value of dy, 2 a zero
 * inserted between dy's values (stride), 3 a value of dx, 4 a kernel
 * weight. hl = 1 for the cells the highlighted step uses. */
static void grid_block(FILE *fp, const char *what, int rows, int cols,
                       const float *v, const int *kind, const int *hl)
{
    fprintf(fp, "# %s: %d x %d\n", what, rows, cols);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            fprintf(fp, "%d %d %g %d %d\n", j, i, v[i * cols + j], kind[i * cols + j],
                    hl ? hl[i * cols + j] : 0);
    fprintf(fp, "\n\n");
}

/* One example: dy (oh x ow) of a 3x3 kernel with stride s, no padding, on
 * an h x w input. Writes four blocks: the kernel, the flipped kernel, dy
 * dilated by s and padded by 2 (with the flipped kernel's window at output
 * (hr, hc) highlighted), and dx = conv2d_backward's result (cell (hr, hc)
 * highlighted). */
static void diagram_example(FILE *fp, int s, int h, int w, const float *dy,
                            const float *kernel, int hr, int hc)
{
    const Conv2dGeom g = {.n = 1, .c_in = 1, .h = h, .w = w, .c_out = 1, .kh = 3,
                          .kw = 3, .stride_h = s, .stride_w = s, .pad_h = 0,
                          .pad_w = 0, .dil_h = 1, .dil_w = 1, .groups = 1};
    const int oh = conv2d_out_h(&g), ow = conv2d_out_w(&g);
    float dx[64], flipped[9];
    int kind9[9], kind_dx[64], hl_dx[64];
    conv2d_backward(&g, NULL, kernel, dy, dx, NULL, NULL);
    for (int k = 0; k < 9; k++) {
        flipped[k] = kernel[8 - k];
        kind9[k] = 4;
    }
    grid_block(fp, "kernel w", 3, 3, kernel, kind9, NULL);
    grid_block(fp, "w flipped", 3, 3, flipped, kind9, NULL);
    /* dy with s-1 zeros between its values (eq. 3.9), then 2 = k-1 zeros
     * around (eq. 3.7): (s(oh-1)+1 + 4) rows; the input rows past the
     * last window (h - (s(oh-1)+3)) add zero rows at the end (eq. 3.10). */
    const int rows = s * (oh - 1) + 1 + 4 + (h - (s * (oh - 1) + 3));
    const int cols = s * (ow - 1) + 1 + 4 + (w - (s * (ow - 1) + 3));
    float grid[144];
    int kind[144], hl[144];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            int a = i - 2, c = j - 2, k = i * cols + j;
            int on_dy = a >= 0 && c >= 0 && a % s == 0 && c % s == 0 && a / s < oh && c / s < ow;
            int inside = a >= 0 && c >= 0 && a <= s * (oh - 1) && c <= s * (ow - 1);
            grid[k] = on_dy ? dy[(a / s) * ow + c / s] : 0.0f;
            kind[k] = on_dy ? 1 : inside ? 2 : 0;
            hl[k] = i >= hr && i < hr + 3 && j >= hc && j < hc + 3;
        }
    grid_block(fp, "dy dilated and padded", rows, cols, grid, kind, hl);
    for (int k = 0; k < h * w; k++) {
        kind_dx[k] = 3;
        hl_dx[k] = k == hr * w + hc;
    }
    grid_block(fp, "dx", h, w, dx, kind_dx, hl_dx);
}

static int write_diagram(const char *dir, CnnError *e)
{
    static const float kernel[9] = {1, 2, 0, -1, 3, 1, 0, -2, 1};
    static const float dy1[4] = {1, -1, 2, 1};   /* stride 1: 4x4 -> 2x2 */
    static const float dy2[4] = {2, 1, -1, 1};   /* stride 2: 6x6 -> 2x2 */
    AtomicFile af;
    if (atomic_open_in(&af, dir, "diagram.dat", e))
        return -1;
    fprintf(af.fp, "# dx as the full convolution of dy with the flipped kernel, eqs. (3.7)-(3.10)\n"
                   "# columns: col row value kind(0 pad, 1 dy, 2 inserted zero, 3 dx, 4 kernel) highlight\n"
                   "# blocks 0-3: stride 1 (x 4x4, 3x3 kernel); blocks 4-7: stride 2 (x 6x6)\n");
    diagram_example(af.fp, 1, 4, 4, dy1, kernel, 1, 1);
    diagram_example(af.fp, 2, 6, 6, dy2, kernel, 2, 2);
    printf("(b) diagram data: dx of two small examples (diagram.dat)\n");
    return atomic_commit(&af, e);
}

/* The routing of max pooling and the spreading of average pooling, on the
 * lesson's 4x4 example with 3x3 windows and stride 1 (two tied nines in every
 * window): pool_diagram.dat, blocks x, dy, dx of max pooling, dx of average
 * pooling, in the "col row value" format. */
static int write_pool_diagram(const char *dir, CnnError *e)
{
    static const float x[16] = {1, 3, 2, 0, 4, 9, 1, 5, 0, 2, 9, 3, 6, 1, 2, 7};
    static const float dy[4] = {1, 2, 3, 4};
    const Pool2dGeom g = {.n = 1, .c = 1, .h = 4, .w = 4, .kh = 3, .kw = 3,
                          .stride_h = 1, .stride_w = 1, .pad_h = 0, .pad_w = 0,
                          .ceil_mode = 0, .count_include_pad = 1};
    float dx_max[16], dx_avg[16];
    maxpool2d_backward(&g, x, dy, dx_max);
    avgpool2d_backward(&g, dy, dx_avg);
    const float *blocks[4] = {x, dy, dx_max, dx_avg};
    const char *names[4] = {"x", "dy", "dx of max pooling", "dx of average pooling"};
    AtomicFile af;
    if (atomic_open_in(&af, dir, "pool_diagram.dat", e))
        return -1;
    fprintf(af.fp, "# pooling backward on a 4x4 input, 3x3 windows, stride 1 (col row value)\n");
    for (int b = 0; b < 4; b++) {
        int side = b == 1 ? 2 : 4;
        fprintf(af.fp, "# %s\n", names[b]);
        for (int i = 0; i < side; i++)
            for (int j = 0; j < side; j++)
                fprintf(af.fp, "%d %d %g\n", j, i, blocks[b][i * side + j]);
        fprintf(af.fp, "\n\n");
    }
    printf("    pooling diagram: dx of max pooling at (1,1) = %g (pool_diagram.dat)\n", dx_max[5]);
    return atomic_commit(&af, e);
}

/* ---- (c) learning a kernel -------------------------------------------------------- */

#define LN 16      /* images */
#define LH 20      /* image size */
#define LSTEPS 2000

static const float sobel_x[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};

/* Images of white noise, or the same noise blurred twice by a 3x3 box: the
 * smooth images have strongly correlated neighbouring pixels. */
static void make_images(float *x, int smooth, Rng *r)
{
    rng_fill_uniform(r, x, (size_t)LN * LH * LH, -1.0f, 1.0f);
    if (!smooth)
        return;
    float tmp[LH * LH];
    for (int pass = 0; pass < 2; pass++)
        for (int n = 0; n < LN; n++) {
            float *im = x + (size_t)n * LH * LH;
            for (int i = 0; i < LH; i++)
                for (int j = 0; j < LH; j++) {
                    float s = 0.0f;
                    int cnt = 0;
                    for (int a = -1; a <= 1; a++)
                        for (int b = -1; b <= 1; b++)
                            if (i + a >= 0 && i + a < LH && j + b >= 0 && j + b < LH) {
                                s += im[(i + a) * LH + j + b];
                                cnt++;
                            }
                    tmp[i * LH + j] = s / cnt;
                }
            memcpy(im, tmp, sizeof tmp);
        }
}

/* H v for the quadratic loss (3.18): the loss is quadratic in (w, b), so
 * its Hessian applied to v is the gradient of (1/2M) ||conv(x; v)||^2, i.e.
 * conv2d_backward of dy = conv(x; v) / M. */
static void hessian_times(const Conv2dGeom *g, const float *x, const float *v,
                          float *hv, float *y, size_t M)
{
    conv2d_forward(g, x, v, v + 9, y);
    for (size_t k = 0; k < M; k++)
        y[k] /= (float)M;
    conv2d_backward(g, x, NULL, y, NULL, hv, hv + 9);
}

/* The smallest and largest eigenvalues of the 10 x 10 Hessian, and the
 * eigenvector of the smallest (vmin, 10 values): its columns are H e_k, and
 * the cyclic Jacobi method diagonalises it. */
static void hessian_extremes(const Conv2dGeom *g, const float *x, float *y,
                             size_t M, double *lmin, double *lmax, float *vmin)
{
    double a[10][10], vec[10][10] = {{0}};
    for (int i = 0; i < 10; i++)
        vec[i][i] = 1.0;
    for (int k = 0; k < 10; k++) {
        float v[10] = {0}, hv[10];
        v[k] = 1.0f;
        hessian_times(g, x, v, hv, y, M);
        for (int i = 0; i < 10; i++)
            a[i][k] = hv[i];
    }
    for (int i = 0; i < 10; i++) /* symmetrise the float rounding away */
        for (int k = 0; k < i; k++)
            a[i][k] = a[k][i] = 0.5 * (a[i][k] + a[k][i]);
    for (int sweep = 0; sweep < 50; sweep++)
        for (int p = 0; p < 10; p++)
            for (int q = p + 1; q < 10; q++) {
                if (fabs(a[p][q]) < 1e-300)
                    continue;
                /* the rotation that zeroes a[p][q] */
                double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), sn = t * c;
                for (int k = 0; k < 10; k++) {
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - sn * akq;
                    a[k][q] = sn * akp + c * akq;
                }
                for (int k = 0; k < 10; k++) {
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - sn * aqk;
                    a[q][k] = sn * apk + c * aqk;
                }
                for (int k = 0; k < 10; k++) {
                    double vkp = vec[k][p], vkq = vec[k][q];
                    vec[k][p] = c * vkp - sn * vkq;
                    vec[k][q] = sn * vkp + c * vkq;
                }
            }
    int imin = 0;
    *lmax = a[0][0];
    for (int i = 1; i < 10; i++) {
        imin = a[i][i] < a[imin][imin] ? i : imin;
        *lmax = fmax(*lmax, a[i][i]);
    }
    *lmin = a[imin][imin];
    /* sign: make the largest component positive */
    int big = 0;
    for (int k = 1; k < 10; k++)
        big = fabs(vec[k][imin]) > fabs(vec[big][imin]) ? k : big;
    for (int k = 0; k < 10; k++)
        vmin[k] = (float)(vec[k][imin] * (vec[big][imin] < 0 ? -1.0 : 1.0));
}

/* >>> learn */
/* Gradient descent on L(w, b) = (1/2M) sum_k (y_k - t_k)^2, eq. (3.18), from
 * w = 0, b = 0, with step lr: dL/dy = (y - t) / M, then conv2d_backward gives
 * dL/dw and dL/db, eq. (3.19). Records the loss before each step, and the
 * kernel after the steps listed in snap. */
static void descend(const Conv2dGeom *g, const float *x, const float *t,
                    double lr, double *loss, float (*snap_w)[9],
                    const int *snap, int n_snap, float *wb)
{
    const size_t M = conv2d_y_numel(g);
    float *y = xmalloc(M * sizeof *y), *dy = xmalloc(M * sizeof *dy);
    float grad[10];
    memset(wb, 0, 10 * sizeof *wb); /* w[0..8], then the bias */
    for (int step = 0, s = 0; step <= LSTEPS; step++) {
        conv2d_forward(g, x, wb, wb + 9, y);
        double l = 0.0;
        for (size_t k = 0; k < M; k++) {
            double d = (double)y[k] - t[k];
            l += d * d;
            dy[k] = (float)(d / (double)M);
        }
        loss[step] = l / (2.0 * M);
        if (s < n_snap && snap[s] == step)
            memcpy(snap_w[s++], wb, 9 * sizeof(float));
        if (step == LSTEPS)
            break;
        conv2d_backward(g, x, NULL, dy, NULL, grad, grad + 9);
        for (int k = 0; k < 10; k++)
            wb[k] -= (float)(lr * grad[k]);
    }
    free(y);
    free(dy);
}
/* <<< learn */

static int write_learning(const char *dir, CnnError *e)
{
    const Conv2dGeom g = {.n = LN, .c_in = 1, .h = LH, .w = LH, .c_out = 1, .kh = 3,
                          .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1,
                          .pad_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    const size_t M = conv2d_y_numel(&g);
    const float zero_bias = 0.0f;
    static const int snap[3] = {10, 100, LSTEPS};
    float *x = xmalloc(conv2d_x_numel(&g) * sizeof *x), *t = xmalloc(M * sizeof *t);
    float *scratch = xmalloc(M * sizeof *scratch);
    double loss[2][LSTEPS + 1], lmin[2], lmax[2];
    float snap_w[2][3][9], final[2][10], vmin[2][10];
    Rng rng;
    for (int smooth = 0; smooth < 2; smooth++) {
        rng_seed(&rng, 3003);
        make_images(x, smooth, &rng);
        conv2d_forward(&g, x, sobel_x, &zero_bias, t); /* the targets */
        hessian_extremes(&g, x, scratch, M, &lmin[smooth], &lmax[smooth], vmin[smooth]);
        /* step 1/lmax: the largest step that is safe in every direction */
        descend(&g, x, t, 1.0 / lmax[smooth], loss[smooth], snap_w[smooth], snap, 3,
                final[smooth]);
    }

    AtomicFile af;
    if (atomic_open_in(&af, dir, "learn_loss.dat", e))
        return -1;
    fprintf(af.fp, "# gradient descent recovering the Sobel kernel, step 1/lambda_max\n"
                   "# white noise: lambda in [%.4g, %.4g], condition %.3g\n"
                   "# smooth:      lambda in [%.4g, %.4g], condition %.3g\n"
                   "# step loss_white loss_smooth\n",
            lmin[0], lmax[0], lmax[0] / lmin[0], lmin[1], lmax[1], lmax[1] / lmin[1]);
    for (int s = 0; s <= LSTEPS; s++)
        fprintf(af.fp, "%d %.6g %.6g\n", s, loss[0][s], loss[1][s]);
    if (atomic_commit(&af, e))
        return -1;

    /* Kernels: the true one, then the smooth run's after 10, 100 and LSTEPS
     * steps, the white run's after 10 steps, and the weights of the Hessian's
     * eigenvector of smallest eigenvalue for smooth inputs; 3x3 blocks. */
    if (atomic_open_in(&af, dir, "learn_kernels.dat", e))
        return -1;
    const float *blocks[6] = {sobel_x, snap_w[1][0], snap_w[1][1], snap_w[1][2],
                              snap_w[0][0], vmin[1]};
    const char *names[6] = {"true Sobel kernel", "smooth inputs, step 10",
                            "smooth inputs, step 100", "smooth inputs, last step",
                            "white-noise inputs, step 10",
                            "smooth inputs: weights of the eigenvector of the smallest eigenvalue"};
    fprintf(af.fp, "# learned kernels; blocks of 3 rows (col row value)\n");
    for (int k = 0; k < 6; k++) {
        fprintf(af.fp, "# %s\n", names[k]);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                fprintf(af.fp, "%d %d %.4f\n", j, i, blocks[k][i * 3 + j]);
        fprintf(af.fp, "\n\n");
    }
    if (atomic_commit(&af, e))
        return -1;

    printf("(c) learning the Sobel kernel by gradient descent, step 1/lambda_max:\n");
    for (int smooth = 0; smooth < 2; smooth++) {
        double werr = 0.0, lowest = loss[smooth][0];
        for (int k = 0; k < 9; k++)
            werr = fmax(werr, fabs(final[smooth][k] - sobel_x[k]));
        for (int s = 1; s <= LSTEPS; s++)
            lowest = fmin(lowest, loss[smooth][s]);
        int floor_step = 0; /* the first step within 1% of the lowest loss */
        while (loss[smooth][floor_step] > 1.01 * lowest)
            floor_step++;
        printf("    %-12s Hessian eigenvalues [%.3g, %.3g] (condition %.3g); loss %.3g -> "
               "%.3g (step 10) -> %.3g (step 100) -> %.3g (step %d), within 1%% of its "
               "lowest from step %d; max |w - sobel| %.2g, bias %.2g\n",
               smooth ? "smooth" : "white noise", lmin[smooth], lmax[smooth],
               lmax[smooth] / lmin[smooth], loss[smooth][0], loss[smooth][10],
               loss[smooth][100], loss[smooth][LSTEPS], LSTEPS, floor_step, werr,
               final[smooth][9]);
        printf("    %-12s eigenvector of the smallest eigenvalue (w row by row, bias):", "");
        for (int k = 0; k < 10; k++)
            printf(" %.2f", vmin[smooth][k]);
        printf("\n    %-12s learned kernel:", "");
        for (int k = 0; k < 9; k++)
            printf(" %.3f", final[smooth][k]);
        printf("\n");
    }
    free(x);
    free(t);
    free(scratch);
    return 0;
}

/* ---- main --------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment 03");
    if (argc != 2)
        cnn_die("expected one argument, the output directory: experiment OUTDIR");
    const char *dir = argv[1];
    CnnError e = {""};
    if (cnn_make_dirs(dir, &e) || write_gradcheck(dir, &e) ||
        write_diagram(dir, &e) || write_pool_diagram(dir, &e) ||
        write_learning(dir, &e))
        cnn_die("%s", e.msg);
    printf("data written to %s/\n", dir);
    return 0;
}

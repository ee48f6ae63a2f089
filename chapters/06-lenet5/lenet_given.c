/* lenet_given.c: chapter 06, code that is given, not an exercise: building
 * a LeNet-5 (memory, parameter layout, initialisation, the C3 table, the
 * RBF codes, the input scaling), the 1998 paper's own layers (trainable
 * subsampling, RBF output) and the parameter and connection counts. It is
 * compiled once and linked with your lenet.c and with the reference
 * solution alike. Equation numbers refer to lesson.md. */
#include "lenet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "03-backprop/backprop.h"
#include "rng.h"

/* ---- the C3 table and the RBF codes ---------------------------------------- */

/* Table 1 of LeCun et al. (1998): columns are C3's 16 maps, rows S2's 6.
 * Maps 0-5 read three neighbouring S2 maps, 6-11 four neighbouring ones,
 * 12-14 four maps in two non-neighbouring pairs, 15 all six. Stored here
 * transposed, one row per C3 map. */
const unsigned char lenet_c3_table[LENET_C3][LENET_C1] = {
    {1, 1, 1, 0, 0, 0}, {0, 1, 1, 1, 0, 0}, {0, 0, 1, 1, 1, 0},
    {0, 0, 0, 1, 1, 1}, {1, 0, 0, 0, 1, 1}, {1, 1, 0, 0, 0, 1},
    {1, 1, 1, 1, 0, 0}, {0, 1, 1, 1, 1, 0}, {0, 0, 1, 1, 1, 1},
    {1, 0, 0, 1, 1, 1}, {1, 1, 0, 0, 1, 1}, {1, 1, 1, 0, 0, 1},
    {1, 1, 0, 1, 1, 0}, {0, 1, 1, 0, 1, 1}, {1, 0, 1, 1, 0, 1},
    {1, 1, 1, 1, 1, 1},
};

void lenet_c3_mask(float *c3_w)
{
    float (*w)[LENET_C1][LENET_K * LENET_K] =
        (float (*)[LENET_C1][LENET_K * LENET_K])c3_w;
    for (int o = 0; o < LENET_C3; o++)
        for (int c = 0; c < LENET_C1; c++)
            if (!lenet_c3_table[o][c])
                for (int t = 0; t < LENET_K * LENET_K; t++)
                    w[o][c][t] = 0.0f;
}

/* The digits as 7x12 bitmaps, '#' ink (+1) and '.' paper (-1). */
const char *const lenet_rbf_bitmaps[LENET_CLASSES][LENET_RBF_ROWS] = {
    {".......", "..###..", ".#...#.", "#.....#", "#.....#", "#.....#",
     "#.....#", "#.....#", "#.....#", ".#...#.", "..###..", "......."},
    {".......", "...#...", "..##...", ".#.#...", "...#...", "...#...",
     "...#...", "...#...", "...#...", "...#...", ".#####.", "......."},
    {".......", ".####..", "#....#.", "......#", "......#", ".....#.",
     "....#..", "...#...", "..#....", ".#.....", "#######", "......."},
    {".......", ".#####.", "......#", "......#", ".....#.", "..###..",
     ".....#.", "......#", "......#", "......#", ".#####.", "......."},
    {".......", "....##.", "...#.#.", "..#..#.", ".#...#.", "#....#.",
     "#######", ".....#.", ".....#.", ".....#.", ".....#.", "......."},
    {".......", "#######", "#......", "#......", "#......", "######.",
     "......#", "......#", "......#", "#.....#", ".#####.", "......."},
    {".......", "..####.", ".#.....", "#......", "#......", "######.",
     "#.....#", "#.....#", "#.....#", "#.....#", ".#####.", "......."},
    {".......", "#######", "......#", ".....#.", ".....#.", "....#..",
     "....#..", "...#...", "...#...", "..#....", "..#....", "......."},
    {".......", ".#####.", "#.....#", "#.....#", ".#...#.", "..###..",
     ".#...#.", "#.....#", "#.....#", "#.....#", ".#####.", "......."},
    {".......", ".#####.", "#.....#", "#.....#", "#.....#", "#.....#",
     ".######", "......#", "......#", ".....#.", ".####..", "......."},
};

float lenet_rbf_code(int k, int j)
{
    return lenet_rbf_bitmaps[k][j / LENET_RBF_COLS][j % LENET_RBF_COLS] == '#'
               ? 1.0f
               : -1.0f;
}

/* ---- parameter layout --------------------------------------------------- */

/* The tensors of a variant in slab order, with their sizes (0: absent). */
typedef struct {
    size_t c1_w, c1_b, s2_w, s2_b, c3_w, c3_b, s4_w, s4_b, c5_w, c5_b, f6_w,
        f6_b, out_w, out_b;
} LenetSizes;

static LenetSizes lenet_sizes(LenetVariant v)
{
    const size_t kk = LENET_K * LENET_K;
    const int old = v == LENET_1998;
    LenetSizes s = {
        .c1_w = LENET_C1 * kk, .c1_b = LENET_C1,
        .s2_w = old ? LENET_C1 : 0, .s2_b = old ? LENET_C1 : 0,
        .c3_w = (size_t)LENET_C3 * LENET_C1 * kk, .c3_b = LENET_C3,
        .s4_w = old ? LENET_C3 : 0, .s4_b = old ? LENET_C3 : 0,
        .c5_w = (size_t)LENET_C5 * LENET_C3 * kk, .c5_b = LENET_C5,
        .f6_w = (size_t)LENET_F6 * LENET_C5, .f6_b = LENET_F6,
        .out_w = old ? 0 : (size_t)LENET_CLASSES * LENET_F6,
        .out_b = old ? 0 : LENET_CLASSES,
    };
    return s;
}

size_t lenet_param_count(LenetVariant v)
{
    LenetSizes s = lenet_sizes(v);
    return s.c1_w + s.c1_b + s.s2_w + s.s2_b + s.c3_w + s.c3_b + s.s4_w +
           s.s4_b + s.c5_w + s.c5_b + s.f6_w + s.f6_b + s.out_w + s.out_b;
}

/* Points *view at the next size floats of the slab (NULL when size 0). */
static void take(float **cursor, size_t size, float **view)
{
    *view = size ? *cursor : NULL;
    *cursor += size;
}

void lenet_views(LenetVariant v, float *slab, LenetParams *p)
{
    LenetSizes s = lenet_sizes(v);
    float *c = slab;
    take(&c, s.c1_w, &p->c1_w); take(&c, s.c1_b, &p->c1_b);
    take(&c, s.s2_w, &p->s2_w); take(&c, s.s2_b, &p->s2_b);
    take(&c, s.c3_w, &p->c3_w); take(&c, s.c3_b, &p->c3_b);
    take(&c, s.s4_w, &p->s4_w); take(&c, s.s4_b, &p->s4_b);
    take(&c, s.c5_w, &p->c5_w); take(&c, s.c5_b, &p->c5_b);
    take(&c, s.f6_w, &p->f6_w); take(&c, s.f6_b, &p->f6_b);
    take(&c, s.out_w, &p->out_w); take(&c, s.out_b, &p->out_b);
}

/* ---- creating the model -------------------------------------------------- */

static Conv2dGeom conv_geom(int n, int c_in, int side, int c_out)
{
    return (Conv2dGeom){.n = n, .c_in = c_in, .h = side, .w = side,
                        .c_out = c_out, .kh = LENET_K, .kw = LENET_K,
                        .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
                        .groups = 1};
}

static Pool2dGeom pool_geom(int n, int c, int side)
{
    return (Pool2dGeom){.n = n, .c = c, .h = side, .w = side, .kh = 2,
                        .kw = 2, .stride_h = 2, .stride_w = 2};
}

static float *alloc_floats(size_t n, int *failed)
{
    float *p = calloc(n ? n : 1, sizeof(float));
    if (!p) *failed = 1;
    return p;
}

int lenet_create(Lenet *m, LenetVariant v, int batch, ConvAlgo algo,
                 CnnError *e)
{
    memset(m, 0, sizeof *m);
    if (batch < 1)
        return cnn_fail(e, "a LeNet-5 batch holds at least one image, not %d",
                        batch);
    m->variant = v;
    m->batch = batch;
    m->algo = algo;
    m->c1 = conv_geom(batch, 1, LENET_IN, LENET_C1);
    m->s2 = pool_geom(batch, LENET_C1, conv2d_out_h(&m->c1));
    m->c3 = conv_geom(batch, LENET_C1, pool2d_out_h(&m->s2), LENET_C3);
    m->s4 = pool_geom(batch, LENET_C3, conv2d_out_h(&m->c3));
    m->c5 = conv_geom(batch, LENET_C3, pool2d_out_h(&m->s4), LENET_C5);

    /* C1 and C3 run on the engine; C5 is a linear layer, eq. (6.32). */
    const Conv2dGeom *convs[2] = {&m->c1, &m->c3};
    for (int k = 0; k < 2; k++) {
        const char *why = conv2d_forward_unsupported(convs[k], algo);
        if (!why) why = conv2d_backward_unsupported(convs[k], algo);
        if (why)
            return cnn_fail(e, "the convolution algorithm %s cannot run "
                            "LeNet-5's C%d (%s): use --algo auto",
                            conv_algo_name(algo), 2 * k + 1, why);
        size_t b = conv2d_workspace_bytes(convs[k], algo);
        if (b > m->ws_bytes) m->ws_bytes = b;
    }

    int failed = 0;
    m->n_params = lenet_param_count(v);
    m->params = alloc_floats(m->n_params, &failed);
    m->grads = alloc_floats(m->n_params, &failed);
    lenet_views(v, m->params, &m->p);
    lenet_views(v, m->grads, &m->dp);

    LenetActs *a = &m->a;
    size_t n1 = conv2d_y_numel(&m->c1), n2 = pool2d_out_numel(&m->s2);
    size_t n3 = conv2d_y_numel(&m->c3), n4 = pool2d_out_numel(&m->s4);
    a->h1 = alloc_floats(n1, &failed);
    a->h2 = alloc_floats(n2, &failed);
    a->h3 = alloc_floats(n3, &failed);
    a->h4 = alloc_floats(n4, &failed);
    a->h5 = alloc_floats(conv2d_y_numel(&m->c5), &failed);
    a->h6 = alloc_floats((size_t)batch * LENET_F6, &failed);
    if (v == LENET_1998) {
        a->p2 = alloc_floats(n2, &failed);
        a->p4 = alloc_floats(n4, &failed);
    }
    /* The largest activation is C1's; every gradient fits in it. */
    a->g1 = alloc_floats(n1, &failed);
    a->g2 = alloc_floats(n1, &failed);
    if (m->ws_bytes) {
        m->ws = aligned_alloc(64, m->ws_bytes);
        if (!m->ws) failed = 1;
    }
    if (failed) {
        char size[32];
        lenet_free(m);
        return cnn_fail(e, "out of memory for a LeNet-5 with batches of %d "
                        "(about %s): use a smaller --batch", batch,
                        cnn_format_bytes(4.0 * (double)n1 * 4, size,
                                         sizeof size));
    }
    return 0;
}

void lenet_free(Lenet *m)
{
    free(m->params);
    free(m->grads);
    free(m->a.h1); free(m->a.p2); free(m->a.h2); free(m->a.h3);
    free(m->a.p4); free(m->a.h4); free(m->a.h5); free(m->a.h6);
    free(m->a.g1); free(m->a.g2);
    free(m->ws);
    memset(m, 0, sizeof *m);
}

/* ---- initialisation ------------------------------------------------------- */

/* Uniform in (-bound, bound) for n floats. */
static void fill(Rng *r, float *x, size_t n, double bound)
{
    if (x && bound > 0) rng_fill_uniform(r, x, n, (float)-bound, (float)bound);
}

/* The bound of a weight of a unit with fan-in F: 1998, LeCun's 2.4 / F,
 * eq. (6.20); modern, He's sqrt(6 / F) for the layers followed by a ReLU,
 * eq. (6.28); the output layer gets a quarter of PyTorch's default
 * sqrt(1 / F), so that the first logits are small and nearly equal and
 * the loss starts at ln 10, eq. (6.27). */
static double bound(LenetVariant v, double fan_in)
{
    return v == LENET_1998 ? 2.4 / fan_in : sqrt(6.0 / fan_in);
}

/* The bound of a bias: 1998, as the weights; modern, 0 (biases start at 0). */
static double bias_bound(LenetVariant v, double fan_in)
{
    return v == LENET_1998 ? 2.4 / fan_in : 0.0;
}

void lenet_init(Lenet *m, uint64_t seed)
{
    const LenetVariant v = m->variant;
    const double kk = LENET_K * LENET_K;
    LenetParams *p = &m->p;
    Rng r;
    rng_seed(&r, seed);
    memset(m->params, 0, m->n_params * sizeof(float));
    fill(&r, p->c1_w, (size_t)LENET_C1 * 25, bound(v, kk));
    fill(&r, p->c1_b, LENET_C1, bias_bound(v, kk));
    fill(&r, p->s2_w, LENET_C1, bound(v, 4));
    fill(&r, p->s2_b, LENET_C1, bias_bound(v, 4));
    for (int o = 0; o < LENET_C3; o++) {
        /* The 1998 net's C3 units read only the maps of their table row. */
        int maps = 0;
        for (int c = 0; c < LENET_C1; c++)
            maps += v == LENET_1998 ? lenet_c3_table[o][c] : 1;
        fill(&r, p->c3_w + (size_t)o * LENET_C1 * 25, (size_t)LENET_C1 * 25,
             bound(v, maps * kk));
        fill(&r, p->c3_b + o, 1, bias_bound(v, maps * kk));
    }
    if (v == LENET_1998) lenet_c3_mask(p->c3_w);
    fill(&r, p->s4_w, LENET_C3, bound(v, 4));
    fill(&r, p->s4_b, LENET_C3, bias_bound(v, 4));
    fill(&r, p->c5_w, (size_t)LENET_C5 * LENET_C3 * 25, bound(v, LENET_C3 * kk));
    fill(&r, p->c5_b, LENET_C5, bias_bound(v, LENET_C3 * kk));
    fill(&r, p->f6_w, (size_t)LENET_F6 * LENET_C5, bound(v, LENET_C5));
    fill(&r, p->f6_b, LENET_F6, bias_bound(v, LENET_C5));
    fill(&r, p->out_w, (size_t)LENET_CLASSES * LENET_F6, 0.25 * sqrt(1.0 / LENET_F6));
    fill(&r, p->out_b, LENET_CLASSES, 0.0);
}

/* ---- input ------------------------------------------------------------------ */

void lenet_prepare_input(const uint8_t *pixels, int n, float *x)
{
    enum { SIDE = 28, PAD = (LENET_IN - SIDE) / 2 };
    float (*xa)[LENET_IN][LENET_IN] = (float (*)[LENET_IN][LENET_IN])x;
    const uint8_t (*pa)[SIDE][SIDE] = (const uint8_t (*)[SIDE][SIDE])pixels;
    for (int b = 0; b < n; b++)
        for (int i = 0; i < LENET_IN; i++)
            for (int j = 0; j < LENET_IN; j++) {
                int r = i - PAD, c = j - PAD;
                int p = r >= 0 && r < SIDE && c >= 0 && c < SIDE ? pa[b][r][c] : 0;
                /* eq. (6.21): zero mean, unit variance over MNIST's pixels */
                xa[b][i][j] = ((float)p / 255.0f - LENET_PIXEL_MEAN) / LENET_PIXEL_STD;
            }
}

/* ---- the 1998 layers --------------------------------------------------------- */

void subsample_forward(const Pool2dGeom *g, const float *x, const float *coef,
                       const float *bias, float *pooled, float *y)
{
    const int oh = pool2d_out_h(g), ow = pool2d_out_w(g);
    const float k = (float)(g->kh * g->kw);
    avgpool2d_forward(g, x, pooled);
    const float (*pa)[g->c][oh * ow] = (const float (*)[g->c][oh * ow])pooled;
    float (*ya)[g->c][oh * ow] = (float (*)[g->c][oh * ow])y;
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int t = 0; t < oh * ow; t++) /* eq. (6.18) */
                ya[n][c][t] = coef[c] * k * pa[n][c][t] + bias[c];
}

void subsample_backward(const Pool2dGeom *g, const float *pooled,
                        const float *coef, float *dy, float *dx, float *dcoef,
                        float *dbias)
{
    const int oh = pool2d_out_h(g), ow = pool2d_out_w(g);
    const float k = (float)(g->kh * g->kw);
    const float (*pa)[g->c][oh * ow] = (const float (*)[g->c][oh * ow])pooled;
    float (*da)[g->c][oh * ow] = (float (*)[g->c][oh * ow])dy;
    for (int c = 0; c < g->c; c++) {
        float sc = 0.0f, sb = 0.0f;
        for (int n = 0; n < g->n; n++)
            for (int t = 0; t < oh * ow; t++) {
                sc += da[n][c][t] * k * pa[n][c][t];
                sb += da[n][c][t];
                da[n][c][t] *= k * coef[c]; /* now dL/d pooled */
            }
        dcoef[c] = sc;
        dbias[c] = sb;
    }
    avgpool2d_backward(g, dy, dx);
}

void rbf_forward(int n, const float *x, float *logits)
{
    const float (*xa)[LENET_F6] = (const float (*)[LENET_F6])x;
    float (*za)[LENET_CLASSES] = (float (*)[LENET_CLASSES])logits;
    for (int b = 0; b < n; b++)
        for (int k = 0; k < LENET_CLASSES; k++) {
            float d2 = 0.0f; /* eq. (6.19) */
            for (int j = 0; j < LENET_F6; j++) {
                float d = xa[b][j] - lenet_rbf_code(k, j);
                d2 += d * d;
            }
            za[b][k] = -d2;
        }
}

void rbf_backward(int n, const float *x, const float *dlogits, float *dx)
{
    const float (*xa)[LENET_F6] = (const float (*)[LENET_F6])x;
    const float (*dz)[LENET_CLASSES] = (const float (*)[LENET_CLASSES])dlogits;
    float (*dxa)[LENET_F6] = (float (*)[LENET_F6])dx;
    for (int b = 0; b < n; b++)
        for (int j = 0; j < LENET_F6; j++) {
            float acc = 0.0f; /* eq. (6.23) */
            for (int k = 0; k < LENET_CLASSES; k++)
                acc += dz[b][k] * -2.0f * (xa[b][j] - lenet_rbf_code(k, j));
            dxa[b][j] = acc;
        }
}

/* ---- counts ------------------------------------------------------------------ */

int lenet_layer_table(LenetVariant v, LenetLayerInfo *rows)
{
    const int old = v == LENET_1998;
    const long long kk = LENET_K * LENET_K;
    Lenet shape; /* only the geometries, as lenet_create sets them */
    shape.c1 = conv_geom(1, 1, LENET_IN, LENET_C1);
    shape.s2 = pool_geom(1, LENET_C1, conv2d_out_h(&shape.c1));
    shape.c3 = conv_geom(1, LENET_C1, pool2d_out_h(&shape.s2), LENET_C3);
    shape.s4 = pool_geom(1, LENET_C3, conv2d_out_h(&shape.c3));
    shape.c5 = conv_geom(1, LENET_C3, pool2d_out_h(&shape.s4), LENET_C5);
    const long long a1 = (long long)conv2d_y_numel(&shape.c1);
    const long long a2 = (long long)pool2d_out_numel(&shape.s2);
    const long long a3 = (long long)conv2d_y_numel(&shape.c3);
    const long long a4 = (long long)pool2d_out_numel(&shape.s4);

    /* C3's weights: 1998, the table's connections; modern, all 6 maps. */
    long long c3_links = 0;
    for (int o = 0; o < LENET_C3; o++)
        for (int c = 0; c < LENET_C1; c++)
            c3_links += old ? lenet_c3_table[o][c] : 1;
    const long long c3_params = c3_links * kk + LENET_C3;

    /* eq. (6.25): connections = outputs x (inputs per output + 1 bias). */
    rows[0] = (LenetLayerInfo){"C1", "conv 5x5", LENET_C1, 28, 28,
                               LENET_C1 * (kk + 1), a1 * (kk + 1)};
    rows[1] = old ? (LenetLayerInfo){"S2", "subsampling 2x2", LENET_C1, 14, 14,
                                     2 * LENET_C1, a2 * (4 + 1)}
                  : (LenetLayerInfo){"S2", "max-pool 2x2", LENET_C1, 14, 14,
                                     0, a2 * 4};
    rows[2] = (LenetLayerInfo){"C3", old ? "conv 5x5, Table 1" : "conv 5x5",
                               LENET_C3, 10, 10, c3_params,
                               (a3 / LENET_C3) * c3_params};
    rows[3] = old ? (LenetLayerInfo){"S4", "subsampling 2x2", LENET_C3, 5, 5,
                                     2 * LENET_C3, a4 * (4 + 1)}
                  : (LenetLayerInfo){"S4", "max-pool 2x2", LENET_C3, 5, 5,
                                     0, a4 * 4};
    rows[4] = (LenetLayerInfo){"C5", "conv 5x5", LENET_C5, 1, 1,
                               LENET_C5 * (LENET_C3 * kk + 1),
                               LENET_C5 * (LENET_C3 * kk + 1)};
    rows[5] = (LenetLayerInfo){"F6", "linear", LENET_F6, 1, 1,
                               LENET_F6 * (LENET_C5 + 1),
                               LENET_F6 * (LENET_C5 + 1)};
    rows[6] = old ? (LenetLayerInfo){"output", "RBF, fixed codes", LENET_CLASSES,
                                     1, 1, 0, LENET_CLASSES * LENET_F6}
                  : (LenetLayerInfo){"output", "linear", LENET_CLASSES, 1, 1,
                                     LENET_CLASSES * (LENET_F6 + 1),
                                     LENET_CLASSES * (LENET_F6 + 1)};
    return LENET_LAYERS;
}

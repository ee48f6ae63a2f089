/* experiment.c: chapter 04's experiment. Run it with `./build.sh run 04`
 * (your code) or `./build.sh run 04 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) The receptive field through a small stack, unit by unit: which units
 *     of each layer one top unit reads, at their positions in input pixels
 *     (rf_stack, rf_window): rf_tree_nodes.dat, rf_tree_edges.dat,
 *     rf_tree_layers.dat.
 * (b) The theoretical receptive field against depth for four kinds of
 *     stack (3x3 convolutions; pooling every two layers; exponentially
 *     dilated; VGG-16 layer by layer): rf_depth.dat.
 * (c) The effective receptive field (lesson, section 6): in a stack of
 *     n 3x3 convolutions (padding 1, C channels), a unit gradient at the
 *     centre of layer n is back-propagated to the input with chapter 03's
 *     conv2d_backward, for uniform weights, random weights, and random
 *     weights with ReLU, averaged over seeds. Its spread sigma (erf_spread)
 *     and 95%-mass radius (erf_mass_radius) against n, with least-squares
 *     fits of sigma = a n^b: erf_growth.dat, erf_fit.dat; maps for three
 *     depths: erf_map_CONFIG_nN.dat.
 *
 * Deterministic: the weights and inputs come from seeded generators. Every
 * .dat file is written atomically.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "01-convolution/conv.h"
#include "03-backprop/backprop.h"
#include "atomic_file.h"
#include "dat.h"
#include "rf.h"
#include "rng.h"
#include "util.h"

/* rf_stack on n layers, with its results checked: a state it did not write
 * (still zero) or one that makes no sense ends the experiment with a
 * sentence, instead of drawing nonsense. */
static void stack_checked(const RfLayer *layers, int n, RfState *out, const char *what)
{
    memset(out, 0, (size_t)(n + 1) * sizeof *out);
    rf_stack(layers, n, out);
    for (int l = 0; l <= n; l++)
        if (out[l].h.size < 1 || out[l].h.jump < 1 || out[l].w.size < 1 ||
            out[l].w.jump < 1)
            cnn_die("rf_stack gave size %lld and jump %lld after layer %d of %s: "
                    "make it pass ./build.sh check 04 first.",
                    out[l].h.size, out[l].h.jump, l, what);
}

/* ---- (a) the tree of one unit ------------------------------------------------ */

/* >>> tree_stack */
/* The stack of the diagram: conv3, maxpool2 s2, conv3, conv3 s2 (no
 * padding, so that every position drawn is a real pixel). */
static const RfLayer tree_stack[] = {
    {.kind = RF_CONV, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1},
    {.kind = RF_POOL, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2, .dil_h = 1, .dil_w = 1},
    {.kind = RF_CONV, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1},
    {.kind = RF_CONV, .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2, .dil_h = 1, .dil_w = 1},
};
/* <<< tree_stack */
static const char *const tree_names[] = {"input", "conv3", "maxpool2 s2", "conv3",
                                         "conv3 s2"};
#define TREE_L 4
#define TREE_W 24 /* input positions drawn */

/* Which units of the layers below unit `unit` of the top layer reads, one
 * layer at a time (eq. 4.1): reach[l][i] = 1 when unit i of layer l is read. */
static void tree_reach(int reach[TREE_L + 1][TREE_W])
{
    memset(reach, 0, sizeof(int) * (TREE_L + 1) * TREE_W);
    reach[TREE_L][0] = 1; /* the top unit 0 */
    for (int l = TREE_L; l >= 1; l--) {
        const RfLayer *ly = &tree_stack[l - 1];
        for (int i = 0; i < TREE_W; i++)
            if (reach[l][i])
                for (int u = 0; u < ly->kw; u++) {
                    int t = i * ly->stride_w - ly->pad_w + u * ly->dil_w;
                    if (t >= 0 && t < TREE_W)
                        reach[l - 1][t] = 1;
                }
    }
}

static int write_tree(const char *dir, CnnError *e)
{
    RfState s[TREE_L + 1];
    stack_checked(tree_stack, TREE_L, s, "the diagram's stack");
    int reach[TREE_L + 1][TREE_W];
    tree_reach(reach);

    enum { NODES, EDGES, LAYERS, N_FILES };
    static const char *const names[N_FILES] = {"rf_tree_nodes.dat", "rf_tree_edges.dat",
                                               "rf_tree_layers.dat"};
    AtomicFile af[N_FILES];
    for (int f = 0; f < N_FILES; f++)
        if (atomic_open_in(&af[f], dir, names[f], e)) {
            while (f-- > 0)
                atomic_abort(&af[f]);
            return -1;
        }
    fprintf(af[NODES].fp, "# units of each layer at the centre of their window, in "
                          "input pixels (rf_center + i * jump)\n"
                          "# layer unit x read_by_top_unit_0\n");
    fprintf(af[EDGES].fp, "# the units of layer l-1 each unit of layer l that top "
                          "unit 0 depends on reads:\n# x_top layer_top x_bottom "
                          "layer_bottom\n");
    fprintf(af[LAYERS].fp, "# layer size jump first lo hi name (lo .. hi: the "
                           "window of unit 0, rf_window)\n");
    for (int l = 0; l <= TREE_L; l++) {
        const RfAxis *a = &s[l].w;
        long long lo = -1, hi = -2;
        rf_window(a, 0, &lo, &hi);
        if (hi - lo + 1 != a->size)
            cnn_die("rf_window gave %lld .. %lld for a window of size %lld: make it "
                    "pass ./build.sh check 04 first.", lo, hi, a->size);
        fprintf(af[LAYERS].fp, "%d %lld %lld %lld %lld %lld \"%s\"\n", l, a->size,
                a->jump, a->first, lo, hi, tree_names[l]);
        for (int i = 0; i < TREE_W; i++) {
            rf_window(a, i, &lo, &hi);
            if (hi > TREE_W - 1)
                break; /* the unit's window leaves the drawn input */
            const double x = rf_center(a) + (double)i * a->jump;
            fprintf(af[NODES].fp, "%d %d %.1f %d\n", l, i, x, reach[l][i]);
            if (l == 0 || !reach[l][i])
                continue;
            const RfLayer *ly = &tree_stack[l - 1];
            const RfAxis *b = &s[l - 1].w;
            for (int u = 0; u < ly->kw; u++) {
                int t = i * ly->stride_w - ly->pad_w + u * ly->dil_w;
                fprintf(af[EDGES].fp, "%.1f %d %.1f %d\n", x, l,
                        rf_center(b) + (double)t * b->jump, l - 1);
            }
        }
    }
    if (atomic_commit_all(af, N_FILES, e))
        return -1;
    printf("(a) conv3, maxpool2 s2, conv3, conv3 s2: RF");
    for (int l = 1; l <= TREE_L; l++)
        printf(" %lld", s[l].w.size);
    printf(", jump");
    for (int l = 1; l <= TREE_L; l++)
        printf(" %lld", s[l].w.jump);
    printf("\n");
    return 0;
}

/* ---- (b) the theoretical receptive field against depth ------------------------ */

static RfLayer conv3(int stride, int pad, int dil)
{
    return (RfLayer){.kind = RF_CONV, .kh = 3, .kw = 3, .stride_h = stride,
                     .stride_w = stride, .pad_h = pad, .pad_w = pad,
                     .dil_h = dil, .dil_w = dil};
}

static RfLayer maxpool2(void)
{
    return (RfLayer){.kind = RF_POOL, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2,
                     .dil_h = 1, .dil_w = 1};
}

#define DEPTH_MAX 18

static int write_depth(const char *dir, CnnError *e)
{
    /* Four stacks of DEPTH_MAX layers: 3x3 convolutions; the same with
     * stride 2; the same with dilation 2^(l-1) (Yu and Koltun's context
     * module); VGG-16's thirteen convolutions and five poolings. */
    enum { PLAIN, STRIDED, DILATED, VGG, N_STACKS };
    static const char vgg16[DEPTH_MAX + 1] = "ccpccpcccpcccpcccp";
    RfLayer stack[N_STACKS][DEPTH_MAX];
    for (int l = 0; l < DEPTH_MAX; l++) {
        stack[PLAIN][l] = conv3(1, 1, 1);
        stack[STRIDED][l] = conv3(2, 1, 1);
        stack[DILATED][l] = conv3(1, 1 << l, 1 << l);
        stack[VGG][l] = vgg16[l] == 'c' ? conv3(1, 1, 1) : maxpool2();
    }
    RfState s[N_STACKS][DEPTH_MAX + 1];
    for (int k = 0; k < N_STACKS; k++)
        stack_checked(stack[k], DEPTH_MAX, s[k], "the depth plot's stacks");

    AtomicFile af;
    if (atomic_open_in(&af, dir, "rf_depth.dat", e))
        return -1;
    fprintf(af.fp, "# receptive field (input pixels) after l layers\n"
                   "# l conv3 conv3_s2 conv3_dilated vgg16 vgg16_is_pool\n");
    for (int l = 0; l <= DEPTH_MAX; l++)
        fprintf(af.fp, "%d %lld %lld %lld %lld %d\n", l, s[PLAIN][l].h.size,
                s[STRIDED][l].h.size, s[DILATED][l].h.size, s[VGG][l].h.size,
                l > 0 && vgg16[l - 1] == 'p');
    printf("(b) after %d layers: conv3 %lld, conv3 s2 %lld, dilated %lld, VGG-16 %lld\n",
           DEPTH_MAX, s[PLAIN][DEPTH_MAX].h.size, s[STRIDED][DEPTH_MAX].h.size,
           s[DILATED][DEPTH_MAX].h.size, s[VGG][DEPTH_MAX].h.size);
    return atomic_commit(&af, e);
}

/* ---- (c) the effective receptive field ------------------------------------------ */

#define ERF_CH 4      /* channels of every layer                            */
#define ERF_NMAX 32   /* the deepest unit                                  */
#define ERF_MARGIN 4  /* pixels beyond the deepest receptive field         */
#define ERF_S (2 * ERF_NMAX + 1 + 2 * ERF_MARGIN)  /* the maps are S x S   */
#define ERF_SEEDS 8
#define ERF_FRAC 0.95 /* the mass radius holds this fraction               */

static const int erf_depths[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};
#define N_DEPTHS (int)(sizeof erf_depths / sizeof erf_depths[0])
static const int map_depths[] = {4, 16, 32};
#define N_MAPS (int)(sizeof map_depths / sizeof map_depths[0])

typedef enum { UNIFORM, RANDOM, RANDOM_RELU, N_CONFIGS } ErfConfig;
static const char *const config_name[N_CONFIGS] = {"uniform", "random", "relu"};

/* >>> erf_backward */
/* One network of ERF_NMAX 3x3 convolutions (C -> C channels, padding 1, no
 * bias; ReLU after each for RANDOM_RELU) with weights drawn from seed. For
 * every depth n of erf_depths: the gradient of L = sum_c z_n[c][centre]
 * (the centre unit of layer n, before its ReLU) with respect to the input
 * x, eq. (4.10), back-propagated layer by layer with chapter 03's
 * conv2d_backward; acc[d] gets sum_c |dL/dx[c][i][j]| added. */
static void erf_one_network(ErfConfig cfg, uint64_t seed, double *acc)
{
    const int C = cfg == UNIFORM ? 1 : ERF_CH, S = ERF_S;
    const size_t plane = (size_t)S * S, nact = (size_t)C * plane, nw = (size_t)C * C * 9;
    const Conv2dGeom g = {.n = 1, .c_in = C, .h = S, .w = S, .c_out = C, .kh = 3,
                          .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1,
                          .pad_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    Rng r;
    rng_seed(&r, seed);
    /* Weights: all 1/9 (uniform), or normal with variance 1/(9C), or 2/(9C)
     * before a ReLU (He's initialisation), so that activations and
     * gradients keep their scale from layer to layer. */
    float *w = xmalloc((size_t)ERF_NMAX * nw * sizeof *w);
    if (cfg == UNIFORM)
        for (size_t k = 0; k < ERF_NMAX * nw; k++)
            w[k] = 1.0f / 9.0f;
    else
        rng_fill_normal(&r, w, ERF_NMAX * nw, 0.0f,
                        (float)sqrt((cfg == RANDOM_RELU ? 2.0 : 1.0) / (9.0 * C)));
    /* a[l] = layer l's output after its ReLU (a[0] = x), z[l] before it. */
    float *a = xmalloc((size_t)(ERF_NMAX + 1) * nact * sizeof *a);
    float *z = xmalloc((size_t)(ERF_NMAX + 1) * nact * sizeof *z);
    rng_fill_normal(&r, a, nact, 0.0f, 1.0f);
    for (int l = 1; l <= ERF_NMAX; l++) {
        conv2d_forward(&g, a + (l - 1) * nact, w + (l - 1) * nw, NULL, z + l * nact);
        for (size_t k = 0; k < nact; k++) {
            float v = z[l * nact + k];
            a[l * nact + k] = cfg == RANDOM_RELU && v < 0 ? 0.0f : v;
        }
    }
    float *dz = xmalloc(nact * sizeof *dz), *da = xmalloc(nact * sizeof *da);
    for (int d = 0; d < N_DEPTHS; d++) {
        const int n = erf_depths[d];
        memset(dz, 0, nact * sizeof *dz);
        for (int c = 0; c < C; c++)
            dz[c * plane + (S / 2) * S + S / 2] = 1.0f; /* dL/dz_n */
        for (int l = n; l >= 1; l--) {
            /* dL/da_{l-1} from dL/dz_l (no weight or bias gradients) */
            conv2d_backward(&g, a + (l - 1) * nact, w + (l - 1) * nw, dz, da, NULL, NULL);
            for (size_t k = 0; k < nact; k++) /* through the ReLU of layer l-1 */
                dz[k] = cfg == RANDOM_RELU && l > 1 && z[(l - 1) * nact + k] <= 0 ? 0.0f : da[k];
        }
        /* dz now holds dL/dx. Each network's map is scaled to total mass 1
         * before it is added, so that no network with a larger gain
         * dominates the average (the shape is what is measured). */
        double mass = 0;
        for (size_t k = 0; k < nact; k++)
            mass += fabs(dz[k]);
        for (int c = 0; c < C && mass > 0; c++) /* 0: every path through a ReLU closed */
            for (size_t p = 0; p < plane; p++)
                acc[d * plane + p] += fabs(dz[c * plane + p]) / mass;
    }
    free(w);
    free(a);
    free(z);
    free(dz);
    free(da);
}
/* <<< erf_backward */

/* The spread along one axis of the map sqrt(T_n), T_n the n-fold
 * convolution of the box (1, 1, 1) with itself: what the random networks'
 * E|g| follows when g at each pixel is a zero-mean Gaussian whose variance
 * is proportional to T_n (lesson, eq. 4.13). */
static double sqrt_trinomial_sigma(int n)
{
    double *t = xcalloc((size_t)(2 * n + 1), sizeof *t), *u = xcalloc((size_t)(2 * n + 1), sizeof *u);
    t[0] = 1;
    for (int k = 1; k <= n; k++) {
        for (int x = 0; x <= 2 * k; x++)
            u[x] = (x <= 2 * k - 2 ? t[x] : 0) + (x >= 1 && x - 1 <= 2 * k - 2 ? t[x - 1] : 0) +
                   (x >= 2 ? t[x - 2] : 0);
        memcpy(t, u, (size_t)(2 * k + 1) * sizeof *t);
    }
    double m = 0, v = 0;
    for (int x = 0; x <= 2 * n; x++)
        m += sqrt(t[x]);
    for (int x = 0; x <= 2 * n; x++)
        v += sqrt(t[x]) / m * (x - n) * (x - n);
    free(t);
    free(u);
    return sqrt(v);
}

/* Least-squares fit of log y = log a + b log x over the points with x >= 2
 * (one layer has too few pixels to be Gaussian). */
static void fit_power(const int *x, const double *y, int n, double *a, double *b)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int k = 0; k < n; k++) {
        if (x[k] < 2)
            continue;
        double lx = log(x[k]), ly = log(y[k]);
        sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
        m++;
    }
    *b = (m * sxy - sx * sy) / (m * sxx - sx * sx);
    *a = exp((sy - *b * sx) / m);
}

static int write_erf(const char *dir, CnnError *e)
{
    const size_t plane = (size_t)ERF_S * ERF_S;
    double sigma[N_CONFIGS][N_DEPTHS];
    int radius[N_CONFIGS][N_DEPTHS];
    float *map = xmalloc(plane * sizeof *map);
    double *acc = xmalloc((size_t)N_DEPTHS * plane * sizeof *acc);
    for (int cfg = 0; cfg < N_CONFIGS; cfg++) {
        /* The uniform network does not depend on the seed: one is enough. */
        const int seeds = cfg == UNIFORM ? 1 : ERF_SEEDS;
        memset(acc, 0, (size_t)N_DEPTHS * plane * sizeof *acc);
        for (int s = 0; s < seeds; s++)
            erf_one_network((ErfConfig)cfg, 4000 + 100 * (uint64_t)cfg + (uint64_t)s, acc);
        for (int d = 0; d < N_DEPTHS; d++) {
            double mx = 0;
            for (size_t p = 0; p < plane; p++)
                mx = fmax(mx, acc[d * plane + p]);
            for (size_t p = 0; p < plane; p++)
                map[p] = (float)(acc[d * plane + p] / mx); /* the peak is 1 */
            double sh = NAN, sw = NAN;
            erf_spread(map, ERF_S, ERF_S, &sh, &sw);
            radius[cfg][d] = erf_mass_radius(map, ERF_S, ERF_S, ERF_S / 2, ERF_S / 2, ERF_FRAC);
            if (!isfinite(sh) || !isfinite(sw) || radius[cfg][d] < 0)
                cnn_die("erf_spread or erf_mass_radius gave sigma (%g, %g), radius %d "
                        "for the ERF of depth %d: make them pass ./build.sh check 04 "
                        "first.", sh, sw, radius[cfg][d], erf_depths[d]);
            sigma[cfg][d] = (sh + sw) / 2; /* equal by symmetry, up to noise */
            for (int k = 0; k < N_MAPS; k++)
                if (map_depths[k] == erf_depths[d]) {
                    char name[64], what[96];
                    snprintf(name, sizeof name, "erf_map_%s_n%d.dat", config_name[cfg],
                             erf_depths[d]);
                    snprintf(what, sizeof what, "ERF of depth %d, %s weights, peak 1",
                             erf_depths[d], config_name[cfg]);
                    if (dat_write_matrix_digits(dir, name, what, map, ERF_S, ERF_S, 5, e)) {
                        free(map);
                        free(acc);
                        return -1;
                    }
                }
        }
    }
    free(map);
    free(acc);

    /* The theoretical receptive field of the same stacks, for comparison. */
    RfLayer layers[ERF_NMAX];
    RfState st[ERF_NMAX + 1];
    for (int l = 0; l < ERF_NMAX; l++)
        layers[l] = conv3(1, 1, 1);
    stack_checked(layers, ERF_NMAX, st, "32 conv3 layers");

    double fa[N_CONFIGS + 1], fb[N_CONFIGS + 1], model[N_DEPTHS];
    for (int d = 0; d < N_DEPTHS; d++)
        model[d] = sqrt_trinomial_sigma(erf_depths[d]);
    for (int cfg = 0; cfg < N_CONFIGS; cfg++)
        fit_power(erf_depths, sigma[cfg], N_DEPTHS, &fa[cfg], &fb[cfg]);
    fit_power(erf_depths, model, N_DEPTHS, &fa[N_CONFIGS], &fb[N_CONFIGS]);

    AtomicFile af;
    if (atomic_open_in(&af, dir, "erf_growth.dat", e))
        return -1;
    fprintf(af.fp, "# effective receptive field of the centre unit of layer n, %d x %d "
                   "input, 3x3 layers, padding 1\n"
                   "# sigma: erf_spread (mean of the two axes); r95: erf_mass_radius, "
                   "%.0f%% of the mass; random: %d channels, %d seeds\n"
                   "# n rf_size sigma_uniform sigma_random sigma_relu r95_uniform "
                   "r95_random r95_relu sigma_uniform_theory sigma_random_model\n",
            ERF_S, ERF_S, 100 * ERF_FRAC, ERF_CH, ERF_SEEDS);
    for (int d = 0; d < N_DEPTHS; d++) {
        int n = erf_depths[d];
        fprintf(af.fp, "%d %lld %.6g %.6g %.6g %d %d %d %.6g %.6g\n", n,
                st[n].h.size, sigma[UNIFORM][d], sigma[RANDOM][d], sigma[RANDOM_RELU][d],
                radius[UNIFORM][d], radius[RANDOM][d], radius[RANDOM_RELU][d],
                sqrt(2.0 * n / 3.0), model[d]);
    }
    if (atomic_commit(&af, e))
        return -1;
    if (atomic_open_in(&af, dir, "erf_fit.dat", e))
        return -1;
    fprintf(af.fp, "# least-squares fit sigma = a * n^b over n >= 2\n# config a b\n");
    for (int cfg = 0; cfg <= N_CONFIGS; cfg++)
        fprintf(af.fp, "%s %.6g %.6g\n", cfg < N_CONFIGS ? config_name[cfg] : "model",
                fa[cfg], fb[cfg]);
    if (atomic_commit(&af, e))
        return -1;

    printf("(c) effective receptive field of the centre unit of layer n (%dx%d input):\n"
           "    %4s %6s %10s %10s %10s %8s %8s %8s\n", ERF_S, ERF_S, "n", "RF",
           "sigma_uni", "sigma_rnd", "sigma_relu", "r95_uni", "r95_rnd", "r95_relu");
    for (int d = 0; d < N_DEPTHS; d++)
        printf("    %4d %6lld %10.3f %10.3f %10.3f %8d %8d %8d\n", erf_depths[d],
               st[erf_depths[d]].h.size, sigma[UNIFORM][d], sigma[RANDOM][d],
               sigma[RANDOM_RELU][d], radius[UNIFORM][d], radius[RANDOM][d],
               radius[RANDOM_RELU][d]);
    printf("    fits sigma = a n^b:");
    for (int cfg = 0; cfg < N_CONFIGS; cfg++)
        printf("  %s a = %.3f, b = %.3f", config_name[cfg], fa[cfg], fb[cfg]);
    printf("\n    uniform theory: sigma = sqrt(2n/3) = %.4f n^0.5; random model sqrt(T_n): "
           "a = %.3f, b = %.3f\n", sqrt(2.0 / 3.0), fa[N_CONFIGS], fb[N_CONFIGS]);
    return 0;
}

/* ---- main ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment 04");
    if (argc != 2)
        cnn_die("expected one argument, the output directory: experiment OUTDIR");
    const char *dir = argv[1];
    CnnError e = {""};
    if (cnn_make_dirs(dir, &e) || write_tree(dir, &e) || write_depth(dir, &e) ||
        write_erf(dir, &e))
        cnn_die("%s", e.msg);
    printf("data written to %s/\n", dir);
    return 0;
}

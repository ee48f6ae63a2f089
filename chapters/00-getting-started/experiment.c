/* experiment.c: chapter 00's experiment. How accurate is a numerical
 * derivative, as a function of the step h?
 *
 * The function is the loss of a small logistic-regression model,
 *   L(w) = (1/m) sum_j softplus(-y_j (a_j . w)),  w in R^16, m = 64,
 * whose gradient, second and third derivatives are known in closed form.
 * For 45 steps h = 10^-1 .. 10^-12 it measures the relative error, eq. (0.15),
 *   E(h) = ||g_num - g|| / ||g||,
 * of four numerical gradients against the exact one g:
 *   - the central difference in float: numerical_gradient of basics.c,
 *     applied to L evaluated in float;
 *   - the forward difference in float (written here);
 *   - both again with L and the step in double (written here).
 * It writes numgrad_error.dat (one row per h, with the error model of
 * eqs. (0.7), (0.9) and (0.10) beside the measurements) and
 * numgrad_optima.dat (the best h of each method, measured and predicted by
 * eq. (0.11)), and prints a summary. It also writes memory_layout.dat, the
 * NCHW and NHWC offsets of a small tensor, for the layout figure.
 *
 *   usage: experiment OUTDIR
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "atomic_file.h"
#include "basics.h"
#include "rng.h"
#include "util.h"

enum { N_W = 16, N_SAMPLES = 64 };
enum { STEPS_PER_DECADE = 4, FIRST_DECADE = 1, LAST_DECADE = 12 };
enum { N_STEPS = STEPS_PER_DECADE * (LAST_DECADE - FIRST_DECADE) + 1 };

/* The data of the logistic-regression problem: inputs a_j, labels y_j. */
typedef struct {
    double a[N_SAMPLES][N_W];
    double y[N_SAMPLES];
} Problem;

/* ---- the loss, in float and in double ----------------------------------- */

static float softplus_f32(float u)
{
    return u > 0.0f ? u + log1pf(expf(-u)) : log1pf(expf(u));
}

static double softplus_f64(double u)
{
    return u > 0.0 ? u + log1p(exp(-u)) : log1p(exp(u));
}

/* >>> loss */
/* L(w) with every operation in float, as a float32 network computes it. */
static double loss_f32(const float *w, void *ctx)
{
    const Problem *p = ctx;
    float sum = 0.0f;
    for (int j = 0; j < N_SAMPLES; j++) {
        float z = 0.0f;
        for (int k = 0; k < N_W; k++)
            z += (float)p->a[j][k] * w[k];
        sum += softplus_f32(-(float)p->y[j] * z);
    }
    return (double)(sum / (float)N_SAMPLES);
}
/* <<< loss */

static double loss_f64(const double *w, const Problem *p)
{
    double sum = 0.0;
    for (int j = 0; j < N_SAMPLES; j++) {
        double z = 0.0;
        for (int k = 0; k < N_W; k++)
            z += p->a[j][k] * w[k];
        sum += softplus_f64(-p->y[j] * z);
    }
    return sum / N_SAMPLES;
}

/* The exact derivatives along each coordinate: with u_j = -y_j (a_j . w)
 * and s = sigmoid(u_j), softplus' = s, softplus'' = s(1-s),
 * softplus''' = s(1-s)(1-2s), and du_j/dw_k = -y_j a_jk, so
 *   d^r L / dw_k^r = (1/m) sum_j softplus^(r)(u_j) (-y_j a_jk)^r. */
static void exact_derivatives(const Problem *p, const float *w, double *d1,
                              double *d2, double *d3)
{
    for (int k = 0; k < N_W; k++)
        d1[k] = d2[k] = d3[k] = 0.0;
    for (int j = 0; j < N_SAMPLES; j++) {
        double z = 0.0;
        for (int k = 0; k < N_W; k++)
            z += p->a[j][k] * (double)w[k];
        const double u = -p->y[j] * z;
        const double s = 1.0 / (1.0 + exp(-u));
        for (int k = 0; k < N_W; k++) {
            const double du = -p->y[j] * p->a[j][k];
            d1[k] += s * du / N_SAMPLES;
            d2[k] += s * (1.0 - s) * du * du / N_SAMPLES;
            d3[k] += s * (1.0 - s) * (1.0 - 2.0 * s) * du * du * du / N_SAMPLES;
        }
    }
}

/* ---- the three numerical gradients not in basics.c ---------------------- */

/* Forward difference in float, eq. (0.6), divided by the step taken. */
static void forward_gradient_f32(const Problem *p, float *w, float h,
                                 double *g)
{
    const double here = loss_f32(w, (void *)p);
    for (int k = 0; k < N_W; k++) {
        const float wk = w[k];
        const float w_plus = wk + h;
        w[k] = w_plus;
        const double plus = loss_f32(w, (void *)p);
        w[k] = wk;
        g[k] = (plus - here) / ((double)w_plus - (double)wk);
    }
}

/* Central (eq. (0.8)) or forward (eq. (0.6)) difference in double. */
static void gradient_f64(const Problem *p, const float *w32, double h,
                         int central, double *g)
{
    double w[N_W];
    for (int k = 0; k < N_W; k++)
        w[k] = w32[k];
    const double here = loss_f64(w, p);
    for (int k = 0; k < N_W; k++) {
        const double wk = w[k];
        const double w_plus = wk + h, w_minus = central ? wk - h : wk;
        w[k] = w_plus;
        const double plus = loss_f64(w, p);
        w[k] = w_minus;
        const double minus = central ? loss_f64(w, p) : here;
        w[k] = wk;
        g[k] = (plus - minus) / (w_plus - w_minus);
    }
}

/* ---- measuring ---------------------------------------------------------- */

static double norm2(const double *v, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += v[k] * v[k];
    return sqrt(s);
}

/* Eq. (0.15): ||approx - exact|| / ||exact||; NaN when approx holds a NaN
 * (a step that rounded to zero). */
static double vector_rel_error(const double *approx, const double *exact,
                               int n)
{
    double diff[N_W];
    for (int k = 0; k < n; k++)
        diff[k] = approx[k] - exact[k];
    return norm2(diff, n) / norm2(exact, n);
}

enum { FWD32, CTR32, FWD64, CTR64, N_METHODS };
static const char *const method_name[N_METHODS] = {
    "forward, float", "central, float", "forward, double", "central, double"};

typedef struct {
    double h[N_STEPS];
    double err[N_METHODS][N_STEPS];
    double model[N_METHODS][N_STEPS];
} Curves;

/* The error model of eqs. (0.7), (0.9), (0.10): truncation
 * (h/2)||L''|| or (h^2/6)||L'''||, plus round-off eps |L| sqrt(n) / h
 * (forward) or half that (central), all over ||g||. */
static double model_error(int method, double h, double eps, double loss,
                          double n1, double n2, double n3)
{
    const int central = method == CTR32 || method == CTR64;
    const double trunc = central ? h * h / 6.0 * n3 : h / 2.0 * n2;
    const double round = (central ? 0.5 : 1.0) * eps * loss * sqrt((double)N_W) / h;
    return (trunc + round) / n1;
}

static void measure(const Problem *p, float *w, Curves *cv, double *loss32)
{
    double d1[N_W], d2[N_W], d3[N_W], g[N_W];
    exact_derivatives(p, w, d1, d2, d3);
    const double n1 = norm2(d1, N_W), n2 = norm2(d2, N_W), n3 = norm2(d3, N_W);
    *loss32 = loss_f32(w, (void *)p);

    for (int s = 0; s < N_STEPS; s++) {
        const double h = pow(10.0, -(double)FIRST_DECADE - (double)s / STEPS_PER_DECADE);
        cv->h[s] = h;

        forward_gradient_f32(p, w, (float)h, g);
        cv->err[FWD32][s] = vector_rel_error(g, d1, N_W);
        for (int k = 0; k < N_W; k++)
            g[k] = NAN; /* an element numerical_gradient does not write */
        numerical_gradient(loss_f32, (void *)p, w, N_W, (float)h, g);
        cv->err[CTR32][s] = vector_rel_error(g, d1, N_W);
        gradient_f64(p, w, h, 0, g);
        cv->err[FWD64][s] = vector_rel_error(g, d1, N_W);
        gradient_f64(p, w, h, 1, g);
        cv->err[CTR64][s] = vector_rel_error(g, d1, N_W);

        for (int m = 0; m < N_METHODS; m++) {
            const double eps = m <= CTR32 ? FLT_EPSILON : DBL_EPSILON;
            cv->model[m][s] = model_error(m, h, eps, *loss32, n1, n2, n3);
        }
    }
}

/* Index of the smallest finite error of a method; -1 if there is none. */
static int best_step(const Curves *cv, int m)
{
    int best = -1;
    for (int s = 0; s < N_STEPS; s++)
        if (isfinite(cv->err[m][s]) && (best < 0 || cv->err[m][s] < cv->err[m][best]))
            best = s;
    return best;
}

/* ---- output ------------------------------------------------------------- */

static void print_value(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, " %.6e", v);
    else
        fprintf(fp, " NaN"); /* gnuplot leaves the point out */
}

static int write_curves(const char *dir, const Curves *cv, CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, dir, "numgrad_error.dat", e))
        return -1;
    fprintf(af.fp,
            "# Relative error ||g_num - g|| / ||g|| of numerical gradients of a\n"
            "# logistic-regression loss (16 weights, 64 samples), chapter 00.\n"
            "# NaN: the step rounded to zero for some weight (x + h == x).\n"
            "# model_*: truncation + round-off model, eqs. (0.7), (0.9), (0.10).\n"
            "# h fwd_f32 ctr_f32 fwd_f64 ctr_f64 model_fwd_f32 model_ctr_f32"
            " model_fwd_f64 model_ctr_f64\n");
    for (int s = 0; s < N_STEPS; s++) {
        fprintf(af.fp, "%.6e", cv->h[s]);
        for (int m = 0; m < N_METHODS; m++)
            print_value(af.fp, cv->err[m][s]);
        for (int m = 0; m < N_METHODS; m++)
            print_value(af.fp, cv->model[m][s]);
        fprintf(af.fp, "\n");
    }
    return atomic_commit(&af, e);
}

/* The optimum of eq. (0.11) for each method: h* = (2 eps |L| sqrt(n)/||L''||)^(1/2)
 * forward, (1.5 eps |L| sqrt(n) / ||L'''||)^(1/3) central (the minimum of the
 * model), and the measured best step. */
static int write_optima(const char *dir, const Curves *cv, double h_model[],
                        CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, dir, "numgrad_optima.dat", e))
        return -1;
    fprintf(af.fp, "# best step of each method: measured (on the grid of h) and "
                   "predicted by the model, eq. (0.11)\n"
                   "# method h_best error_at_best h_model\n");
    for (int m = 0; m < N_METHODS; m++) {
        const int b = best_step(cv, m);
        if (b < 0)
            continue; /* no finite error at all: no row, rather than NaN */
        fprintf(af.fp, "%d %.6e %.6e %.6e  # %s\n", m, cv->h[b], cv->err[m][b],
                h_model[m], method_name[m]);
    }
    return atomic_commit(&af, e);
}

/* The offsets of every element of a (1, 3, 2, 3) tensor in both layouts,
 * computed with nchw_index and nhwc_index: the data of the memory-layout
 * figure. */
static int write_layout(const char *dir, CnnError *e)
{
    const Dims4 d = {1, 3, 2, 3};
    AtomicFile af;
    if (atomic_open_in(&af, dir, "memory_layout.dat", e))
        return -1;
    fprintf(af.fp, "# the elements of a (1, 3, 2, 3) tensor and their offsets "
                   "in NCHW and NHWC order\n# c h w nchw_offset nhwc_offset\n");
    for (int c = 0; c < d.c; c++)
        for (int h = 0; h < d.h; h++)
            for (int w = 0; w < d.w; w++)
                fprintf(af.fp, "%d %d %d %zu %zu\n", c, h, w,
                        nchw_index(d, 0, c, h, w), nhwc_index(d, 0, c, h, w));
    return atomic_commit(&af, e);
}

/* 1 when nchw_index and nhwc_index each map the 18 elements of the layout
 * figure's tensor onto the offsets 0 .. 17, one each. */
static int offsets_are_a_permutation(void)
{
    const Dims4 d = {1, 3, 2, 3};
    int seen_nchw[18] = {0}, seen_nhwc[18] = {0};
    for (int c = 0; c < d.c; c++)
        for (int h = 0; h < d.h; h++)
            for (int w = 0; w < d.w; w++) {
                size_t a = nchw_index(d, 0, c, h, w), b = nhwc_index(d, 0, c, h, w);
                if (a >= 18 || b >= 18 || seen_nchw[a]++ || seen_nhwc[b]++)
                    return 0;
            }
    return 1;
}

/* ---- main --------------------------------------------------------------- */

static void make_problem(Problem *p, float *w)
{
    Rng r;
    rng_seed(&r, 20240);
    for (int j = 0; j < N_SAMPLES; j++) {
        for (int k = 0; k < N_W; k++)
            p->a[j][k] = (float)rng_normal(&r); /* float data, as in a network */
        p->y[j] = rng_uniform(&r) < 0.5 ? -1.0 : 1.0;
    }
    for (int k = 0; k < N_W; k++)
        w[k] = (float)(0.5 * rng_normal(&r));
}

int main(int argc, char **argv)
{
    cnn_set_progname("experiment 00");
    if (argc != 2)
        cnn_die("give one argument, the directory to write the .dat files "
                "into (usage: %s OUTDIR)", argc > 0 ? argv[0] : "experiment");
    CnnError e = {{0}};
    if (cnn_make_dirs(argv[1], &e))
        cnn_die("%s", e.msg);

    static Problem p;
    float w[N_W];
    make_problem(&p, w);

    static Curves cv;
    double loss;
    measure(&p, w, &cv, &loss);

    double d1[N_W], d2[N_W], d3[N_W];
    exact_derivatives(&p, w, d1, d2, d3);
    const double n2 = norm2(d2, N_W), n3 = norm2(d3, N_W);
    double h_model[N_METHODS];
    for (int m = 0; m < N_METHODS; m++) {
        const double eps = m <= CTR32 ? FLT_EPSILON : DBL_EPSILON;
        const double r = eps * loss * sqrt((double)N_W);
        h_model[m] = (m == FWD32 || m == FWD64) ? sqrt(2.0 * r / n2)
                                                 : cbrt(1.5 * r / n3);
    }

    if (!offsets_are_a_permutation())
        printf("note: nchw_index or nhwc_index does not give every element of "
               "a (1, 3, 2, 3) tensor its own offset, so the memory-layout "
               "figure will be wrong: run ./build.sh check 00.\n");
    if (write_curves(argv[1], &cv, &e) || write_optima(argv[1], &cv, h_model, &e)
        || write_layout(argv[1], &e))
        cnn_die("%s", e.msg);

    printf("Relative error of numerical gradients of a logistic-regression loss\n"
           "(16 weights, loss %.4f), over %d steps h = 1e-%d .. 1e-%d:\n\n",
           loss, N_STEPS, FIRST_DECADE, LAST_DECADE);
    printf("  %-16s  %-9s  %-9s  %-9s  %-9s\n", "method", "best h",
           "error", "model h*", "error at 1e-1");
    for (int m = 0; m < N_METHODS; m++) {
        const int b = best_step(&cv, m);
        printf("  %-16s  %9.1e  %9.1e  %9.1e  %9.1e\n", method_name[m],
               b >= 0 ? cv.h[b] : NAN, b >= 0 ? cv.err[m][b] : NAN,
               h_model[m], cv.err[m][0]);
    }
    int first_nan = -1;
    for (int s = 0; s < N_STEPS && first_nan < 0; s++)
        if (!isfinite(cv.err[CTR32][s]))
            first_nan = s;
    if (first_nan == 0)
        printf("\nnote: numerical_gradient gave no finite value at any step, so "
               "the \"central, float\" curve is missing: implement it and run "
               "./build.sh check 00.\n");
    else if (first_nan > 0)
        printf("\nIn float, from h = %.1e on the step rounds to zero for some\n"
               "weight (w + h == w): no estimate.\n", cv.h[first_nan]);
    printf("\nwrote numgrad_error.dat, numgrad_optima.dat and memory_layout.dat "
           "into %s\n", argv[1]);
    return 0;
}

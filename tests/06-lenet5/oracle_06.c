/* oracle_06.c: the double-precision reference of chapter 06 and its
 * checks (oracle_06.h). */
#include "oracle_06.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------------ */

float *random_floats(size_t n, uint64_t seed, float lo, float hi)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc((n ? n : 1) * sizeof *v);
    rng_fill_uniform(&r, v, n, lo, hi);
    return v;
}

#if defined(__SANITIZE_ADDRESS__)
#define ORACLE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORACLE_ASAN 1
#endif
#endif

#ifdef ORACLE_ASAN
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));
static volatile size_t n_allocs;
static int hooks_installed;
static void count_alloc(const volatile void *p, size_t size)
{
    (void)p;
    (void)size;
    n_allocs++;
}
static void ignore_free(const volatile void *p) { (void)p; }
size_t alloc_count(void)
{
    if (!hooks_installed) {
        __sanitizer_install_malloc_and_free_hooks(count_alloc, ignore_free);
        hooks_installed = 1;
    }
    return n_allocs;
}
#else
size_t alloc_count(void) { return 0; }
#endif

static void expect_no_alloc(const char *call, size_t before, size_t after)
{
    if (after != before)
        ck_abort_msg("%s allocated memory (%zu allocation%s).\nHint: " HINT_ALLOC
                     ".", call, after - before, after - before == 1 ? "" : "s");
}

static void expect_unchanged(const char *call, const char *name,
                             const float *now, const float *before, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&now[i], &before[i], sizeof now[i]) != 0)
            ck_abort_msg("%s changed its input %s at index %zu (was " GRADE_FMT
                         ", now " GRADE_FMT "): inputs are only read.",
                         call, name, i, (double)before[i], (double)now[i]);
}

static float *copy_floats(const float *x, size_t n)
{
    float *c = xmalloc((n ? n : 1) * sizeof *c);
    if (n) memcpy(c, x, n * sizeof *c);
    return c;
}

static double *new_doubles(size_t n)
{
    return xcalloc(n ? n : 1, sizeof(double));
}

/* The value gradient buffers hold before a backward call: an accumulating
 * implementation returns the gradient plus this. */
#define GARBAGE 0.5f

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) x[i] = v;
}

/* ---- fully connected ------------------------------------------------------------ */

void oracle_linear_forward(const LinearGeom *g, const float *x, const float *w,
                           const float *b, LinMistake m, double *y)
{
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->out; o++) {
            double acc = (b && m != LIN_NO_BIAS) ? b[o] : 0.0;
            for (int i = 0; i < g->in; i++) {
                double wv = m == LIN_W_TRANSPOSED
                                ? w[(size_t)i * g->out + o] /* (in, out) */
                                : w[(size_t)o * g->in + i];
                acc += wv * x[(size_t)n * g->in + i];
            }
            y[(size_t)n * g->out + o] = acc;
        }
}

void oracle_linear_backward(const LinearGeom *g, const float *x,
                            const float *w, const float *dy, LinMistake m,
                            double *dx, double *dw, double *db)
{
    const int N = g->n, I = g->in, O = g->out;
    if (dx)
        for (int n = 0; n < N; n++)
            for (int i = 0; i < I; i++) {
                double acc = 0;
                for (int o = 0; o < O; o++) {
                    double wv = m == LIN_DX_NO_T ? w[(size_t)i * O + o]
                                                 : w[(size_t)o * I + i];
                    acc += dy[(size_t)n * O + o] * wv;
                }
                dx[(size_t)n * I + i] = acc;
            }
    if (dw)
        for (int o = 0; o < O; o++)
            for (int i = 0; i < I; i++) {
                double acc = 0;
                for (int n = m == LIN_DW_LAST_ONLY ? N - 1 : 0; n < N; n++)
                    acc += dy[(size_t)n * O + o] * x[(size_t)n * I + i];
                if (m == LIN_DW_TRANSPOSED) dw[(size_t)i * O + o] = acc;
                else dw[(size_t)o * I + i] = acc;
            }
    if (db)
        for (int o = 0; o < O; o++) {
            double acc = 0;
            for (int n = 0; n < N; n++) acc += dy[(size_t)n * O + o];
            db[o] = m == LIN_DB_MEAN ? acc / N : acc;
        }
}

const char *oracle_lin_hint(LinMistake m)
{
    switch (m) {
    case LIN_NO_BIAS: return "the bias is missing: y[b][o] starts from bias[o], eq. (6.1)";
    case LIN_W_TRANSPOSED:
        return "the weight is read as (in, out); it is (out, in) as in "
               "torch.nn.Linear: weight[o][i] sits at o*in + i";
    case LIN_DX_NO_T:
        return "dx reads the weight as (in, out); dx[b][i] = sum_o dy[b][o] "
               "weight[o][i] with weight[o][i] at o*in + i, eq. (6.2)";
    case LIN_DW_TRANSPOSED:
        return "dweight is written as (in, out); it has weight's shape (out, "
               "in), dweight[o][i] at o*in + i, eq. (6.3)";
    case LIN_DW_LAST_ONLY:
        return "dweight holds only the last example's outer product: it is "
               "the SUM over the batch, eq. (6.3)";
    case LIN_DB_MEAN:
        return "dbias is the mean over the batch; it is the sum, eq. (6.4) "
               "(the 1/n of a mean loss is already in dy)";
    default: return NULL;
    }
}

static void format_lin(char *buf, size_t len, const LinearGeom *g)
{
    snprintf(buf, len, "n=%d in=%d out=%d", g->n, g->in, g->out);
}

void check_linear_forward(const LinearGeom *g, int has_bias, uint64_t seed)
{
    const size_t nx = (size_t)g->n * g->in, nw = (size_t)g->out * g->in,
                 ny = (size_t)g->n * g->out;
    float *x = random_floats(nx, seed, -1, 1), *w = random_floats(nw, seed + 1, -1, 1);
    float *b = has_bias ? random_floats((size_t)g->out, seed + 2, -1, 1) : NULL;
    float *x0 = copy_floats(x, nx), *w0 = copy_floats(w, nw);
    float *y = xmalloc((ny + 8) * sizeof *y);
    grade_fill_nan(y, ny + 8);
    char params[160], call[256];
    format_lin(params, sizeof params, g);
    snprintf(call, sizeof call, "linear_forward(%s, bias %s)", params,
             has_bias ? "given" : "NULL");
    size_t a0 = alloc_count();
    linear_forward(g, x, w, b, y);
    size_t a1 = alloc_count();
    for (size_t k = ny; k < ny + 8; k++)
        if (!isnan(y[k]))
            ck_abort_msg("%s wrote y[%zu], past its %zu elements.\nHint: "
                         HINT_PAST_OUTPUT ".", call, k, ny);
    expect_unchanged(call, "x", x, x0, nx);
    expect_unchanged(call, "weight", w, w0, nw);
    expect_no_alloc(call, a0, a1);
    double *want = new_doubles(ny), *alt[LIN_N_MISTAKES] = {0};
    oracle_linear_forward(g, x, w, b, LIN_RIGHT, want);
    GradeCompare cmp = {.func = "linear_forward", .params = params, .output = "y",
                        .ndim = 2, .shape = {(size_t)g->n, (size_t)g->out},
                        .rtol = L_RTOL, .floor_frac = L_FLOOR};
    const LinMistake ms[] = {LIN_NO_BIAS, LIN_W_TRANSPOSED};
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        if (ms[k] == LIN_NO_BIAS && !has_bias) continue;
        if (ms[k] == LIN_W_TRANSPOSED && (g->in != g->out)) continue;
        alt[ms[k]] = new_doubles(ny);
        oracle_linear_forward(g, x, w, b, ms[k], alt[ms[k]]);
        grade_add_alt(&cmp, alt[ms[k]], oracle_lin_hint(ms[k]));
    }
    char msg[4096];
    int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int k = 0; k < LIN_N_MISTAKES; k++) free(alt[k]);
    free(want); free(x); free(w); free(b); free(x0); free(w0); free(y);
    if (bad) ck_abort_msg("%s", msg);
}

void check_linear_backward(const LinearGeom *g, int which, uint64_t seed)
{
    const size_t nx = (size_t)g->n * g->in, nw = (size_t)g->out * g->in,
                 ny = (size_t)g->n * g->out;
    float *x = random_floats(nx, seed, -1, 1), *w = random_floats(nw, seed + 1, -1, 1);
    float *dy = random_floats(ny, seed + 2, -1, 1);
    float *x0 = copy_floats(x, nx), *w0 = copy_floats(w, nw), *dy0 = copy_floats(dy, ny);
    float *dx = xmalloc((nx + 8) * sizeof *dx), *dw = xmalloc((nw + 8) * sizeof *dw);
    float *db = xmalloc(((size_t)g->out + 8) * sizeof *db);
    fill(dx, nx + 8, GARBAGE);
    fill(dw, nw + 8, GARBAGE);
    fill(db, (size_t)g->out + 8, GARBAGE);
    char params[160], call[320];
    format_lin(params, sizeof params, g);
    snprintf(call, sizeof call, "linear_backward(%s, dx %s, dweight %s, dbias %s)",
             params, which & GRAD_DX ? "given" : "NULL",
             which & GRAD_DW ? "given" : "NULL", which & GRAD_DB ? "given" : "NULL");
    /* x is needed for dweight only, weight for dx only: pass NULL otherwise */
    const float *xa = which & GRAD_DW ? x : NULL, *wa = which & GRAD_DX ? w : NULL;
    size_t a0 = alloc_count();
    linear_backward(g, xa, wa, dy, which & GRAD_DX ? dx : NULL,
                    which & GRAD_DW ? dw : NULL, which & GRAD_DB ? db : NULL);
    size_t a1 = alloc_count();
    expect_unchanged(call, "x", x, x0, nx);
    expect_unchanged(call, "weight", w, w0, nw);
    expect_unchanged(call, "dy", dy, dy0, ny);
    expect_no_alloc(call, a0, a1);
    struct {
        int bit;
        float *got;
        size_t n, past;
        const char *name;
        size_t shape[2];
    } outs[3] = {
        {GRAD_DX, dx, nx, nx + 8, "dx", {(size_t)g->n, (size_t)g->in}},
        {GRAD_DW, dw, nw, nw + 8, "dweight", {(size_t)g->out, (size_t)g->in}},
        {GRAD_DB, db, (size_t)g->out, (size_t)g->out + 8, "dbias", {(size_t)g->out, 1}},
    };
    for (int k = 0; k < 3; k++) {
        if (!(which & outs[k].bit)) {
            for (size_t i = 0; i < outs[k].past; i++)
                if (outs[k].got[i] != GARBAGE)
                    ck_abort_msg("%s wrote %s[%zu], but %s was NULL.\nHint: "
                                 HINT_NULL_SKIP ".", call, outs[k].name, i,
                                 outs[k].name);
            continue;
        }
        for (size_t i = outs[k].n; i < outs[k].past; i++)
            if (outs[k].got[i] != GARBAGE)
                ck_abort_msg("%s wrote %s[%zu], past its %zu elements.\nHint: "
                             HINT_PAST_OUTPUT ".", call, outs[k].name, i,
                             outs[k].n);
    }
    double *want[3], *alt[LIN_N_MISTAKES][3] = {{0}}, *acc[3];
    for (int k = 0; k < 3; k++) {
        want[k] = new_doubles(outs[k].n);
        acc[k] = new_doubles(outs[k].n);
    }
    oracle_linear_backward(g, x, w, dy, LIN_RIGHT, want[0], want[1], want[2]);
    const LinMistake ms[] = {LIN_DX_NO_T, LIN_DW_TRANSPOSED, LIN_DW_LAST_ONLY,
                             LIN_DB_MEAN};
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        for (int j = 0; j < 3; j++) alt[ms[k]][j] = new_doubles(outs[j].n);
        oracle_linear_backward(g, x, w, dy, ms[k], alt[ms[k]][0], alt[ms[k]][1],
                               alt[ms[k]][2]);
    }
    char msg[4096];
    int bad = 0;
    for (int k = 0; k < 3 && !bad; k++) {
        if (!(which & outs[k].bit)) continue;
        GradeCompare cmp = {.func = "linear_backward", .params = params,
                            .output = outs[k].name, .ndim = k == 2 ? 1 : 2,
                            .shape = {outs[k].shape[0], outs[k].shape[1]},
                            .rtol = L_RTOL, .floor_frac = L_FLOOR};
        for (size_t i = 0; i < outs[k].n; i++) acc[k][i] = want[k][i] + GARBAGE;
        grade_add_alt(&cmp, acc[k], HINT_ACCUMULATE);
        for (size_t j = 0; j < sizeof ms / sizeof ms[0]; j++) {
            /* offer a mistake only where it changes this output */
            int differs = 0;
            for (size_t i = 0; i < outs[k].n && !differs; i++)
                differs = fabs(alt[ms[j]][k][i] - want[k][i]) >
                          1e-3 * (fabs(want[k][i]) + 1e-3);
            if (differs) grade_add_alt(&cmp, alt[ms[j]][k], oracle_lin_hint(ms[j]));
        }
        bad = grade_compare(&cmp, outs[k].got, want[k], msg, sizeof msg);
    }
    for (int k = 0; k < 3; k++) {
        free(want[k]);
        free(acc[k]);
        for (int j = 0; j < LIN_N_MISTAKES; j++) free(alt[j][k]);
    }
    free(x); free(w); free(dy); free(x0); free(w0); free(dy0);
    free(dx); free(dw); free(db);
    if (bad) ck_abort_msg("%s", msg);
}

/* ---- activations ------------------------------------------------------------------ */

const char *act_name(Act a)
{
    static const char *const names[] = {"tanh", "scaled_tanh", "sigmoid", "relu"};
    return names[a];
}

typedef enum {
    AM_RIGHT,
    AM_STANH_NO_A,    /* tanh(S x) */
    AM_STANH_NO_S,    /* A tanh(x) */
    AM_BWD_TANH_PLAIN,/* scaled tanh backward as dy (1 - y^2) */
    AM_BWD_STANH_AS,  /* scaled tanh backward as dy A S (1 - y^2) */
    AM_BWD_SIGMOID_FORM, /* tanh backward as dy y (1 - y) */
    AM_BWD_TANH_FORM, /* sigmoid backward as dy (1 - y^2) */
    AM_RELU_DY_MASK,  /* relu backward masked by dy > 0 */
    AM_RELU_TIMES_Y,  /* relu backward dy * y */
    AM_N
} ActMistake;

static const char *act_hint(ActMistake m)
{
    switch (m) {
    case AM_STANH_NO_A: return "the amplitude A = LECUN_A is missing: y = A tanh(S x), eq. (6.7)";
    case AM_STANH_NO_S: return "the slope S = LECUN_S is missing: y = A tanh(S x), eq. (6.7)";
    case AM_BWD_TANH_PLAIN:
        return "that is tanh's derivative; for y = A tanh(S x) it is "
               "(S / A)(A^2 - y^2), eq. (6.8)";
    case AM_BWD_STANH_AS:
        return "y is A tanh(S x), not tanh(S x): in terms of y the derivative "
               "is (S / A)(A^2 - y^2), eq. (6.8)";
    case AM_BWD_SIGMOID_FORM: return "that is the sigmoid's derivative y (1 - y); tanh's is 1 - y^2, eq. (6.6)";
    case AM_BWD_TANH_FORM: return "that is tanh's derivative 1 - y^2; the sigmoid's is y (1 - y), eq. (6.10)";
    case AM_RELU_DY_MASK:
        return "the mask comes from the forward's output (y > 0), not from dy, eq. (6.12)";
    case AM_RELU_TIMES_Y: return "dx is dy where y > 0 (a mask), not dy times y, eq. (6.12)";
    default: return NULL;
    }
}

static double act_fwd(Act a, double x, ActMistake m)
{
    const double A = LECUN_A, S = 2.0 / 3.0;
    switch (a) {
    case ACT_TANH: return tanh(x);
    case ACT_SCALED_TANH:
        return m == AM_STANH_NO_A ? tanh(S * x) : m == AM_STANH_NO_S ? A * tanh(x)
                                                                     : A * tanh(S * x);
    case ACT_SIGMOID: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
    default: return x > 0 ? x : 0;
    }
}

static double act_bwd(Act a, double y, double dy, ActMistake m)
{
    const double A = LECUN_A, S = 2.0 / 3.0;
    switch (a) {
    case ACT_TANH: return m == AM_BWD_SIGMOID_FORM ? dy * y * (1 - y) : dy * (1 - y * y);
    case ACT_SCALED_TANH:
        return m == AM_BWD_TANH_PLAIN ? dy * (1 - y * y)
             : m == AM_BWD_STANH_AS ? dy * A * S * (1 - y * y)
                                    : dy * (S / A) * (A * A - y * y);
    case ACT_SIGMOID: return m == AM_BWD_TANH_FORM ? dy * (1 - y * y) : dy * y * (1 - y);
    default:
        return m == AM_RELU_DY_MASK ? (dy > 0 ? dy : 0)
             : m == AM_RELU_TIMES_Y ? dy * y : (y > 0 ? dy : 0);
    }
}

typedef void (*ActFn)(const float *, float *, size_t);
typedef void (*ActBwdFn)(const float *, const float *, float *, size_t);

static void act_fns(Act a, ActFn *f, ActBwdFn *b)
{
    static const ActFn fs[] = {tanh_forward, scaled_tanh_forward, sigmoid_forward,
                               relu_forward};
    static const ActBwdFn bs[] = {tanh_backward, scaled_tanh_backward,
                                  sigmoid_backward, relu_backward};
    *f = fs[a];
    *b = bs[a];
}

/* Compares got with want and the mistakes; aborts with the message. */
/* Forward outputs are judged against 1e-6 of the largest |y|; gradients
 * against 1e-2 of the largest |dx|, since a saturated unit's derivative,
 * (S/A)(A^2 - y^2) with y near A, cancels to a few float ulps of A^2. */
static void compare_act(const char *func, const char *params, const char *out,
                        const float *got, const double *want, size_t n,
                        double *const *alts, const ActMistake *ms, int n_ms)
{
    GradeCompare cmp = {.func = func, .params = params, .output = out, .ndim = 1,
                        .shape = {n}, .rtol = L_RTOL,
                        .floor_frac = out[0] == 'd' ? L_FLOOR : 1e-6};
    for (size_t i = 0; i < n; i++)
        if (!isfinite(got[i]) && isfinite(want[i]))
            ck_abort_msg("%s(%s): %s[%zu] is " GRADE_FMT " but should be "
                         GRADE_FMT ".\nHint: " HINT_NOT_FINITE ".", func, params,
                         out, i, (double)got[i], want[i]);
    for (int k = 0; k < n_ms; k++) grade_add_alt(&cmp, alts[k], act_hint(ms[k]));
    char msg[4096];
    if (grade_compare(&cmp, got, want, msg, sizeof msg)) ck_abort_msg("%s", msg);
}

void check_activation(Act a, const float *x, size_t n, uint64_t seed,
                      const char *what)
{
    ActFn fwd;
    ActBwdFn bwd;
    act_fns(a, &fwd, &bwd);
    char params[200], fname[64], bname[64];
    snprintf(params, sizeof params, "%s, n=%zu", what, n);
    snprintf(fname, sizeof fname, "%s_forward", act_name(a));
    snprintf(bname, sizeof bname, "%s_backward", act_name(a));
    float *x0 = copy_floats(x, n), *y = xmalloc((n + 4) * sizeof *y);
    grade_fill_nan(y, n + 4);
    size_t a0 = alloc_count();
    fwd(x0, y, n);
    size_t a1 = alloc_count();
    expect_unchanged(fname, "x", x0, x, n);
    expect_no_alloc(fname, a0, a1);
    for (size_t k = n; k < n + 4; k++)
        if (!isnan(y[k]))
            ck_abort_msg("%s(%s) wrote y[%zu], past its %zu elements.\nHint: "
                         HINT_PAST_OUTPUT ".", fname, params, k, n);
    double *want = new_doubles(n), *alts[4];
    ActMistake ms[4];
    int n_ms = 0;
    for (size_t i = 0; i < n; i++) want[i] = act_fwd(a, x[i], AM_RIGHT);
    if (a == ACT_SCALED_TANH) {
        ms[n_ms++] = AM_STANH_NO_A;
        ms[n_ms++] = AM_STANH_NO_S;
    }
    for (int k = 0; k < n_ms; k++) {
        alts[k] = new_doubles(n);
        for (size_t i = 0; i < n; i++) alts[k][i] = act_fwd(a, x[i], ms[k]);
    }
    compare_act(fname, params, "y", y, want, n, alts, ms, n_ms);
    /* in place */
    float *yin = copy_floats(x, n);
    fwd(yin, yin, n);
    char pin[240];
    snprintf(pin, sizeof pin, "%s, in place (y == x)", params);
    compare_act(fname, pin, "y", yin, want, n, alts, ms, n_ms);
    for (int k = 0; k < n_ms; k++) free(alts[k]);

    /* backward, from the exact forward output rounded to float */
    float *yf = xmalloc((n ? n : 1) * sizeof *yf), *dy = random_floats(n, seed, -1, 1);
    for (size_t i = 0; i < n; i++) yf[i] = (float)want[i];
    float *yf0 = copy_floats(yf, n), *dy0 = copy_floats(dy, n);
    float *dx = xmalloc((n + 4) * sizeof *dx);
    grade_fill_nan(dx, n + 4);
    a0 = alloc_count();
    bwd(yf, dy, dx, n);
    a1 = alloc_count();
    expect_unchanged(bname, "y", yf, yf0, n);
    expect_unchanged(bname, "dy", dy, dy0, n);
    expect_no_alloc(bname, a0, a1);
    double *dwant = new_doubles(n);
    for (size_t i = 0; i < n; i++) dwant[i] = act_bwd(a, yf[i], dy[i], AM_RIGHT);
    n_ms = 0;
    switch (a) {
    case ACT_TANH: ms[n_ms++] = AM_BWD_SIGMOID_FORM; break;
    case ACT_SCALED_TANH: ms[n_ms++] = AM_BWD_TANH_PLAIN; ms[n_ms++] = AM_BWD_STANH_AS; break;
    case ACT_SIGMOID: ms[n_ms++] = AM_BWD_TANH_FORM; break;
    default: ms[n_ms++] = AM_RELU_DY_MASK; ms[n_ms++] = AM_RELU_TIMES_Y; break;
    }
    for (int k = 0; k < n_ms; k++) {
        alts[k] = new_doubles(n);
        for (size_t i = 0; i < n; i++) alts[k][i] = act_bwd(a, yf[i], dy[i], ms[k]);
    }
    compare_act(bname, params, "dx", dx, dwant, n, alts, ms, n_ms);
    float *din = copy_floats(dy, n);
    bwd(yf, din, din, n);
    snprintf(pin, sizeof pin, "%s, in place (dx == dy)", params);
    compare_act(bname, pin, "dx", din, dwant, n, alts, ms, n_ms);
    for (int k = 0; k < n_ms; k++) free(alts[k]);
    free(x0); free(y); free(want); free(yin); free(yf); free(dy); free(yf0);
    free(dy0); free(dx); free(dwant); free(din);
}

/* ---- softmax cross-entropy ------------------------------------------------------ */

/* The row's log-sum-exp, stably, in double. */
static double lse(const float *z, int k)
{
    double m = z[0], s = 0;
    for (int j = 1; j < k; j++) m = z[j] > m ? z[j] : m;
    for (int j = 0; j < k; j++) s += exp((double)z[j] - m);
    return m + log(s);
}

void check_softmax_ce(const float *logits, const int *labels, int n, int k,
                      const char *what)
{
    const size_t nk = (size_t)n * k;
    char params[200];
    snprintf(params, sizeof params, "%s, n=%d k=%d", what, n, k);
    float *z0 = copy_floats(logits, nk), *p = xmalloc((nk + 4) * sizeof *p);
    int *lab0 = xmalloc((size_t)n * sizeof *lab0);
    memcpy(lab0, labels, (size_t)n * sizeof *lab0);
    grade_fill_nan(p, nk + 4);
    size_t a0 = alloc_count();
    double loss = softmax_cross_entropy_forward(z0, lab0, n, k, p);
    size_t a1 = alloc_count();
    expect_unchanged("softmax_cross_entropy_forward", "logits", z0, logits, nk);
    expect_no_alloc("softmax_cross_entropy_forward", a0, a1);
    for (size_t i = nk; i < nk + 4; i++)
        if (!isnan(p[i]))
            ck_abort_msg("softmax_cross_entropy_forward(%s) wrote probs[%zu], "
                         "past its %zu elements.\nHint: " HINT_PAST_OUTPUT ".",
                         params, i, nk);
    double *pw = new_doubles(nk), want = 0;
    for (int b = 0; b < n; b++) {
        double l = lse(logits + (size_t)b * k, k);
        for (int j = 0; j < k; j++)
            pw[(size_t)b * k + j] = exp((double)logits[(size_t)b * k + j] - l);
        want += l - logits[(size_t)b * k + labels[b]];
    }
    want /= n;
    for (size_t i = 0; i < nk; i++)
        if (!isfinite(p[i]))
            ck_abort_msg("softmax_cross_entropy_forward(%s): probs[%zu] is "
                         GRADE_FMT " but should be " GRADE_FMT ".\nHint: "
                         HINT_SOFTMAX_OVERFLOW ".", params, i, (double)p[i], pw[i]);
    if (!isfinite(loss))
        ck_abort_msg("softmax_cross_entropy_forward(%s) returned " GRADE_FMT
                     " but the loss is " GRADE_FMT ".\nHint: "
                     HINT_SOFTMAX_OVERFLOW ".", params, loss, want);
    GradeCompare cmp = {.func = "softmax_cross_entropy_forward", .params = params,
                        .output = "probs", .ndim = 2, .shape = {(size_t)n, (size_t)k},
                        .rtol = L_RTOL, .floor_frac = 1e-6};
    char msg[4096];
    if (grade_compare(&cmp, p, pw, msg, sizeof msg)) ck_abort_msg("%s", msg);
    char what_loss[320];
    snprintf(what_loss, sizeof what_loss,
             "softmax_cross_entropy_forward(%s), the returned loss", params);
    /* the loss of a near-perfect prediction may be tiny: compare with a floor */
    double tol = 1e-5 * fmax(fabs(want), 1e-2);
    if (!(fabs(loss - want) <= tol)) {
        const char *hint = NULL;
        if (n > 1 && fabs(loss - want * n) <= 1e-5 * fmax(fabs(want * n), 1e-2))
            hint = "the loss is the SUM over the batch; it is the mean, "
                   "eq. (6.15) (divide by n)";
        else if (fabs(loss + want) <= tol)
            hint = "the loss has the wrong sign: it is log-sum-exp MINUS the "
                   "true class's logit, eq. (6.15), and never negative";
        grade_expect_double(what_loss, loss, want, 1e-5, hint);
    }
    /* backward, from the exact probabilities rounded to float */
    float *pf = xmalloc((nk ? nk : 1) * sizeof *pf), *d = xmalloc((nk + 4) * sizeof *d);
    for (size_t i = 0; i < nk; i++) pf[i] = (float)pw[i];
    float *pf0 = copy_floats(pf, nk);
    grade_fill_nan(d, nk + 4);
    a0 = alloc_count();
    softmax_cross_entropy_backward(pf, lab0, n, k, d);
    a1 = alloc_count();
    expect_unchanged("softmax_cross_entropy_backward", "probs", pf, pf0, nk);
    expect_no_alloc("softmax_cross_entropy_backward", a0, a1);
    for (size_t i = nk; i < nk + 4; i++)
        if (!isnan(d[i]))
            ck_abort_msg("softmax_cross_entropy_backward(%s) wrote dlogits[%zu], "
                         "past its %zu elements.\nHint: " HINT_PAST_OUTPUT ".",
                         params, i, nk);
    double *dw = new_doubles(nk), *no_n = new_doubles(nk), *flip = new_doubles(nk),
           *no_hot = new_doubles(nk);
    for (int b = 0; b < n; b++)
        for (int j = 0; j < k; j++) {
            size_t i = (size_t)b * k + j;
            double hot = j == labels[b];
            dw[i] = (pf[i] - hot) / n;
            no_n[i] = pf[i] - hot;
            flip[i] = (hot - pf[i]) / n;
            no_hot[i] = pf[i] / n;
        }
    GradeCompare bc = {.func = "softmax_cross_entropy_backward", .params = params,
                       .output = "dlogits", .ndim = 2, .shape = {(size_t)n, (size_t)k},
                       .rtol = L_RTOL, .floor_frac = 1e-3};
    if (n > 1)
        grade_add_alt(&bc, no_n, "dlogits is missing the 1/n of the mean loss: "
                                 "(probs - onehot) / n, eq. (6.16)");
    grade_add_alt(&bc, flip, "dlogits has the wrong sign: probs minus the "
                             "one-hot label, eq. (6.16)");
    grade_add_alt(&bc, no_hot, "the one-hot label is missing: subtract 1 at "
                               "the true class, eq. (6.16)");
    if (grade_compare(&bc, d, dw, msg, sizeof msg)) ck_abort_msg("%s", msg);
    float *din = copy_floats(pf, nk);
    softmax_cross_entropy_backward(din, lab0, n, k, din);
    char pin[260];
    snprintf(pin, sizeof pin, "%s, in place (dlogits == probs)", params);
    bc.params = pin;
    if (grade_compare(&bc, din, dw, msg, sizeof msg)) ck_abort_msg("%s", msg);
    free(z0); free(p); free(lab0); free(pw); free(pf); free(d); free(pf0);
    free(dw); free(no_n); free(flip); free(no_hot); free(din);
}

/* ---- SGD ------------------------------------------------------------------------- */

typedef enum {
    SGD_RIGHT,
    SGD_LR_IN_VELOCITY, /* v = mu v + lr g; w -= v */
    SGD_DAMPENING,      /* v = mu v + (1 - mu) g */
    SGD_DECOUPLED_WD,   /* decay applied to w directly, not through v */
    SGD_NESTEROV,       /* w -= lr (g + mu v) */
    SGD_NO_MOMENTUM,    /* w -= lr g */
    SGD_N
} SgdMistake;

static const char *sgd_hint(SgdMistake m)
{
    switch (m) {
    case SGD_LR_IN_VELOCITY:
        return "the velocity holds lr times the running sum; in eq. (6.17) (and "
               "PyTorch) it holds the sum itself, v = momentum v + g, and lr "
               "scales only the update";
    case SGD_DAMPENING: return "the gradient is damped by (1 - momentum); eq. (6.17) adds it whole";
    case SGD_DECOUPLED_WD:
        return "the weight decay goes straight into w; in eq. (6.17) it is "
               "added to the gradient, g = grad + weight_decay w, before the "
               "velocity";
    case SGD_NESTEROV: return "that is Nesterov's update; eq. (6.17) steps along the velocity itself";
    case SGD_NO_MOMENTUM: return "the momentum is ignored: w moves by lr times the velocity, eq. (6.17)";
    default: return NULL;
    }
}

static void sgd_oracle(const SgdConfig *c, SgdMistake m, double *w, double *v,
                       const float *grad, size_t n)
{
    const double lr = c->lr, mu = c->momentum, wd = c->weight_decay;
    for (size_t i = 0; i < n; i++) {
        double g = grad[i] + (m == SGD_DECOUPLED_WD ? 0 : wd * w[i]);
        switch (m) {
        case SGD_LR_IN_VELOCITY: v[i] = mu * v[i] + lr * g; w[i] -= v[i]; break;
        case SGD_DAMPENING: v[i] = mu * v[i] + (1 - mu) * g; w[i] -= lr * v[i]; break;
        case SGD_NESTEROV: v[i] = mu * v[i] + g; w[i] -= lr * (g + mu * v[i]); break;
        case SGD_NO_MOMENTUM: v[i] = mu * v[i] + g; w[i] -= lr * g; break;
        case SGD_DECOUPLED_WD:
            v[i] = mu * v[i] + g;
            w[i] -= lr * v[i] + lr * wd * w[i];
            break;
        default: v[i] = mu * v[i] + g; w[i] -= lr * v[i]; break;
        }
    }
}

void check_sgd(const SgdConfig *c, int steps, size_t n, uint64_t seed)
{
    float *w = random_floats(n, seed, -1, 1), *v = xcalloc(n ? n : 1, sizeof *v);
    double *ws[SGD_N], *vs[SGD_N];
    for (int m = 0; m < SGD_N; m++) {
        ws[m] = new_doubles(n);
        vs[m] = new_doubles(n);
        for (size_t i = 0; i < n; i++) ws[m][i] = w[i];
    }
    char params[200];
    int bad = 0;
    char msg[4096];
    for (int s = 0; s < steps && !bad; s++) {
        float *g = random_floats(n, seed + 100 + s, -1, 1), *g0 = copy_floats(g, n);
        float *w_before = copy_floats(w, n), *v_before = copy_floats(v, n);
        snprintf(params, sizeof params, "lr=%g momentum=%g weight_decay=%g, n=%zu, "
                 "step %d of %d", (double)c->lr, (double)c->momentum,
                 (double)c->weight_decay, n, s + 1, steps);
        size_t a0 = alloc_count();
        sgd_step(c, w, g, v, n);
        size_t a1 = alloc_count();
        expect_unchanged("sgd_step", "grad", g, g0, n);
        expect_no_alloc("sgd_step", a0, a1);
        /* every oracle steps from the student's state before this step, so
         * that each step is judged on its own (rounding does not pile up) */
        for (int m = 0; m < SGD_N; m++) {
            for (size_t i = 0; i < n; i++) {
                ws[m][i] = w_before[i];
                vs[m][i] = v_before[i];
            }
            sgd_oracle(c, (SgdMistake)m, ws[m], vs[m], g, n);
        }
        for (int pass = 0; pass < 2 && !bad; pass++) {
            GradeCompare cmp = {.func = "sgd_step", .params = params,
                                .output = pass ? "velocity" : "w", .ndim = 1,
                                .shape = {n}, .rtol = 1e-5, .floor_frac = 1e-2};
            for (int m = 1; m < SGD_N; m++) {
                int differs = 0;
                for (size_t i = 0; i < n && !differs; i++)
                    differs = fabs((pass ? vs : ws)[m][i] - (pass ? vs : ws)[0][i]) > 1e-6;
                if (differs) grade_add_alt(&cmp, (pass ? vs : ws)[m], sgd_hint((SgdMistake)m));
            }
            bad = grade_compare(&cmp, pass ? v : w, pass ? vs[0] : ws[0], msg, sizeof msg);
        }
        free(g);
        free(g0);
        free(w_before);
        free(v_before);
    }
    for (int m = 0; m < SGD_N; m++) {
        free(ws[m]);
        free(vs[m]);
    }
    free(w);
    free(v);
    if (bad) ck_abort_msg("%s", msg);
}

/* ---- the whole network, in double -------------------------------------------------- */

/* Offsets of the 14 tensors in the slab (lenet_views on a real slab). */
typedef struct {
    size_t c1_w, c1_b, s2_w, s2_b, c3_w, c3_b, s4_w, s4_b, c5_w, c5_b, f6_w, f6_b,
        out_w, out_b;
    size_t n;
} Offsets;

#define OFF(field) (size_t)(views.field ? views.field - slab : 0)
static Offsets offsets(LenetVariant v)
{
    Offsets o;
    o.n = lenet_param_count(v);
    float *slab = xmalloc(o.n * sizeof *slab);
    LenetParams views;
    lenet_views(v, slab, &views);
    o.c1_w = OFF(c1_w); o.c1_b = OFF(c1_b); o.s2_w = OFF(s2_w); o.s2_b = OFF(s2_b);
    o.c3_w = OFF(c3_w); o.c3_b = OFF(c3_b); o.s4_w = OFF(s4_w); o.s4_b = OFF(s4_b);
    o.c5_w = OFF(c5_w); o.c5_b = OFF(c5_b); o.f6_w = OFF(f6_w); o.f6_b = OFF(f6_b);
    o.out_w = OFF(out_w); o.out_b = OFF(out_b);
    free(slab);
    return o;
}
#undef OFF

/* The shapes, re-derived here on purpose: 32 -> C1 28 -> S2 14 -> C3 10
 * -> S4 5 -> C5 1. */
enum { IN = 32, H1 = 28, H2 = 14, H3 = 10, H4 = 5 };

static double f_act(LenetVariant v, double a)
{
    return v == LENET_1998 ? 1.7159 * tanh(2.0 / 3.0 * a) : (a > 0 ? a : 0);
}

/* derivative of the activation at pre-activation a */
static double f_der(LenetVariant v, double a)
{
    if (v == LENET_MODERN) return a > 0 ? 1 : 0;
    double t = tanh(2.0 / 3.0 * a);
    return 1.7159 * 2.0 / 3.0 * (1 - t * t);
}

static double rbf_code(int k, int j)
{
    return lenet_rbf_bitmaps[k][j / 7][j % 7] == '#' ? 1.0 : -1.0;
}

/* Everything the double forward keeps, for one image. */
typedef struct {
    double a1[6][H1][H1], h1[6][H1][H1];
    double a2[6][H2][H2], h2[6][H2][H2];     /* a2: subsample or max */
    int arg2[6][H2][H2];                      /* max-pool: flat index into h1 */
    double a3[16][H3][H3], h3[16][H3][H3];
    double a4[16][H4][H4], h4[16][H4][H4];
    int arg4[16][H4][H4];
    double a5[120], h5[120], a6[84], h6[84], z[10];
} Trace;

/* conv, valid, stride 1: out[o][i][j] = b[o] + sum_c table w[o][c][u][v] in[c][i+u][j+v] */
static void conv_d(const double *w, const double *b, const double *in, int cin,
                   int side, int cout, int use_table, double *out)
{
    const int os = side - 4;
    for (int o = 0; o < cout; o++)
        for (int i = 0; i < os; i++)
            for (int j = 0; j < os; j++) {
                double acc = b[o];
                for (int c = 0; c < cin; c++) {
                    if (use_table && !lenet_c3_table[o][c]) continue;
                    for (int u = 0; u < 5; u++)
                        for (int q = 0; q < 5; q++)
                            acc += w[((o * cin + c) * 5 + u) * 5 + q] *
                                   in[(c * side + i + u) * side + j + q];
                }
                out[(o * os + i) * os + j] = acc;
            }
}

static void forward_one(LenetVariant v, const double *P, const Offsets *o,
                        const float *x, Trace *t)
{
    double in[IN * IN];
    const int old = v == LENET_1998;
    for (int i = 0; i < IN * IN; i++) in[i] = x[i];
    conv_d(P + o->c1_w, P + o->c1_b, in, 1, IN, 6, 0, &t->a1[0][0][0]);
    for (int c = 0; c < 6; c++)
        for (int i = 0; i < H1; i++)
            for (int j = 0; j < H1; j++) t->h1[c][i][j] = f_act(v, t->a1[c][i][j]);
    for (int c = 0; c < 6; c++)
        for (int i = 0; i < H2; i++)
            for (int j = 0; j < H2; j++) {
                double s = 0, best = -INFINITY;
                int arg = 0;
                for (int u = 0; u < 2; u++)
                    for (int q = 0; q < 2; q++) {
                        double hv = t->h1[c][2 * i + u][2 * j + q];
                        s += hv;
                        if (hv > best) {
                            best = hv;
                            arg = (2 * i + u) * H1 + 2 * j + q;
                        }
                    }
                t->arg2[c][i][j] = arg;
                t->a2[c][i][j] = old ? P[o->s2_w + c] * s + P[o->s2_b + c] : best;
                t->h2[c][i][j] = old ? f_act(v, t->a2[c][i][j]) : best;
            }
    conv_d(P + o->c3_w, P + o->c3_b, &t->h2[0][0][0], 6, H2, 16, old, &t->a3[0][0][0]);
    for (int c = 0; c < 16; c++)
        for (int i = 0; i < H3; i++)
            for (int j = 0; j < H3; j++) t->h3[c][i][j] = f_act(v, t->a3[c][i][j]);
    for (int c = 0; c < 16; c++)
        for (int i = 0; i < H4; i++)
            for (int j = 0; j < H4; j++) {
                double s = 0, best = -INFINITY;
                int arg = 0;
                for (int u = 0; u < 2; u++)
                    for (int q = 0; q < 2; q++) {
                        double hv = t->h3[c][2 * i + u][2 * j + q];
                        s += hv;
                        if (hv > best) {
                            best = hv;
                            arg = (2 * i + u) * H3 + 2 * j + q;
                        }
                    }
                t->arg4[c][i][j] = arg;
                t->a4[c][i][j] = old ? P[o->s4_w + c] * s + P[o->s4_b + c] : best;
                t->h4[c][i][j] = old ? f_act(v, t->a4[c][i][j]) : best;
            }
    for (int k = 0; k < 120; k++) {
        double acc = P[o->c5_b + k];
        for (int i = 0; i < 400; i++) acc += P[o->c5_w + (size_t)k * 400 + i] * (&t->h4[0][0][0])[i];
        t->a5[k] = acc;
        t->h5[k] = f_act(v, acc);
    }
    for (int k = 0; k < 84; k++) {
        double acc = P[o->f6_b + k];
        for (int i = 0; i < 120; i++) acc += P[o->f6_w + (size_t)k * 120 + i] * t->h5[i];
        t->a6[k] = acc;
        t->h6[k] = f_act(v, acc);
    }
    for (int k = 0; k < 10; k++) {
        double acc = 0;
        if (old) {
            for (int j = 0; j < 84; j++) {
                double d = t->h6[j] - rbf_code(k, j);
                acc -= d * d;
            }
        } else {
            acc = P[o->out_b + k];
            for (int j = 0; j < 84; j++) acc += P[o->out_w + (size_t)k * 84 + j] * t->h6[j];
        }
        t->z[k] = acc;
    }
}

/* Adds this image's gradient, given dz = dL/dz, into G. */
static void backward_one(LenetVariant v, const double *P, const Offsets *o,
                         const float *x, const Trace *t, const double *dz, double *G)
{
    const int old = v == LENET_1998;
    static double d6[84], d5[120], dh4[16][H4][H4], dh3[16][H3][H3], d3[16][H3][H3],
        dh2[6][H2][H2], dh1[6][H1][H1], d1[6][H1][H1];
    double dh6[84] = {0}, dh5[120] = {0};
    for (int k = 0; k < 10; k++) {
        if (old) {
            for (int j = 0; j < 84; j++) dh6[j] += dz[k] * -2 * (t->h6[j] - rbf_code(k, j));
        } else {
            G[o->out_b + k] += dz[k];
            for (int j = 0; j < 84; j++) {
                G[o->out_w + (size_t)k * 84 + j] += dz[k] * t->h6[j];
                dh6[j] += dz[k] * P[o->out_w + (size_t)k * 84 + j];
            }
        }
    }
    for (int j = 0; j < 84; j++) d6[j] = dh6[j] * f_der(v, t->a6[j]);
    for (int k = 0; k < 84; k++) {
        G[o->f6_b + k] += d6[k];
        for (int i = 0; i < 120; i++) {
            G[o->f6_w + (size_t)k * 120 + i] += d6[k] * t->h5[i];
            dh5[i] += d6[k] * P[o->f6_w + (size_t)k * 120 + i];
        }
    }
    for (int i = 0; i < 120; i++) d5[i] = dh5[i] * f_der(v, t->a5[i]);
    memset(dh4, 0, sizeof dh4);
    for (int k = 0; k < 120; k++) {
        G[o->c5_b + k] += d5[k];
        for (int i = 0; i < 400; i++) {
            G[o->c5_w + (size_t)k * 400 + i] += d5[k] * (&t->h4[0][0][0])[i];
            (&dh4[0][0][0])[i] += d5[k] * P[o->c5_w + (size_t)k * 400 + i];
        }
    }
    /* S4 */
    memset(dh3, 0, sizeof dh3);
    for (int c = 0; c < 16; c++)
        for (int i = 0; i < H4; i++)
            for (int j = 0; j < H4; j++) {
                if (old) {
                    double d = dh4[c][i][j] * f_der(v, t->a4[c][i][j]);
                    double s = 0;
                    for (int u = 0; u < 2; u++)
                        for (int q = 0; q < 2; q++) {
                            s += t->h3[c][2 * i + u][2 * j + q];
                            dh3[c][2 * i + u][2 * j + q] += d * P[o->s4_w + c];
                        }
                    G[o->s4_w + c] += d * s;
                    G[o->s4_b + c] += d;
                } else {
                    (&dh3[c][0][0])[t->arg4[c][i][j]] += dh4[c][i][j];
                }
            }
    for (int c = 0; c < 16; c++)
        for (int i = 0; i < H3; i++)
            for (int j = 0; j < H3; j++) d3[c][i][j] = dh3[c][i][j] * f_der(v, t->a3[c][i][j]);
    /* C3 */
    memset(dh2, 0, sizeof dh2);
    for (int oc = 0; oc < 16; oc++)
        for (int i = 0; i < H3; i++)
            for (int j = 0; j < H3; j++) {
                double d = d3[oc][i][j];
                G[o->c3_b + oc] += d;
                for (int c = 0; c < 6; c++) {
                    if (old && !lenet_c3_table[oc][c]) continue;
                    for (int u = 0; u < 5; u++)
                        for (int q = 0; q < 5; q++) {
                            size_t wi = o->c3_w + (size_t)((oc * 6 + c) * 5 + u) * 5 + q;
                            G[wi] += d * t->h2[c][i + u][j + q];
                            dh2[c][i + u][j + q] += d * P[wi];
                        }
                }
            }
    /* S2 */
    memset(dh1, 0, sizeof dh1);
    for (int c = 0; c < 6; c++)
        for (int i = 0; i < H2; i++)
            for (int j = 0; j < H2; j++) {
                if (old) {
                    double d = dh2[c][i][j] * f_der(v, t->a2[c][i][j]);
                    double s = 0;
                    for (int u = 0; u < 2; u++)
                        for (int q = 0; q < 2; q++) {
                            s += t->h1[c][2 * i + u][2 * j + q];
                            dh1[c][2 * i + u][2 * j + q] += d * P[o->s2_w + c];
                        }
                    G[o->s2_w + c] += d * s;
                    G[o->s2_b + c] += d;
                } else {
                    (&dh1[c][0][0])[t->arg2[c][i][j]] += dh2[c][i][j];
                }
            }
    for (int c = 0; c < 6; c++)
        for (int i = 0; i < H1; i++)
            for (int j = 0; j < H1; j++) d1[c][i][j] = dh1[c][i][j] * f_der(v, t->a1[c][i][j]);
    for (int oc = 0; oc < 6; oc++)
        for (int i = 0; i < H1; i++)
            for (int j = 0; j < H1; j++) {
                double d = d1[oc][i][j];
                G[o->c1_b + oc] += d;
                for (int u = 0; u < 5; u++)
                    for (int q = 0; q < 5; q++)
                        G[o->c1_w + (size_t)(oc * 5 + u) * 5 + q] +=
                            d * x[(i + u) * IN + j + q];
            }
}

void oracle_lenet_forward(LenetVariant v, const float *params, const float *x,
                          int n, double *logits)
{
    Offsets o = offsets(v);
    double *P = new_doubles(o.n);
    for (size_t i = 0; i < o.n; i++) P[i] = params[i];
    Trace *t = xmalloc(sizeof *t);
    for (int b = 0; b < n; b++) {
        forward_one(v, P, &o, x + (size_t)b * IN * IN, t);
        memcpy(logits + (size_t)b * 10, t->z, sizeof t->z);
    }
    free(t);
    free(P);
}

double oracle_lenet_loss(LenetVariant v, const double *params, const float *x,
                         const int *labels, int n, double *dparams)
{
    Offsets o = offsets(v);
    Trace *t = xmalloc(sizeof *t);
    double loss = 0;
    if (dparams) memset(dparams, 0, o.n * sizeof *dparams);
    for (int b = 0; b < n; b++) {
        forward_one(v, params, &o, x + (size_t)b * IN * IN, t);
        double m = t->z[0], s = 0;
        for (int k = 1; k < 10; k++) m = t->z[k] > m ? t->z[k] : m;
        for (int k = 0; k < 10; k++) s += exp(t->z[k] - m);
        double l = m + log(s);
        loss += l - t->z[labels[b]];
        if (dparams) {
            double dz[10];
            for (int k = 0; k < 10; k++)
                dz[k] = (exp(t->z[k] - l) - (k == labels[b])) / n;
            backward_one(v, params, &o, x + (size_t)b * IN * IN, t, dz, dparams);
        }
    }
    free(t);
    return loss / n;
}

/* ---- checks of the passes ------------------------------------------------------------ */

static const char *variant_name(LenetVariant v)
{
    return v == LENET_1998 ? "LENET_1998" : "LENET_MODERN";
}

/* A model with lenet_init parameters, biases nudged positive (no dead ReLU). */
static void make_model(Lenet *m, LenetVariant v, int batch, uint64_t seed)
{
    CnnError e = {""};
    fastconv_set_threads(1); /* tests run side by side: no oversubscription */
    if (lenet_create(m, v, batch, CONV_ALGO_AUTO, &e))
        ck_abort_msg("test setup: lenet_create failed: %s", e.msg);
    lenet_init(m, seed);
    Rng r;
    rng_seed(&r, seed + 7);
    float *bs[] = {m->p.c1_b, m->p.c3_b, m->p.c5_b, m->p.f6_b, m->p.out_b};
    int nb[] = {6, 16, 120, 84, 10};
    for (int k = 0; k < 5; k++)
        if (bs[k])
            for (int i = 0; i < nb[k]; i++) bs[k][i] = (float)(0.05 + 0.1 * rng_uniform(&r));
}

/* Random "images" in the range lenet_prepare_input gives, -0.424 .. 2.82. */
static float *random_images(int n, uint64_t seed)
{
    return random_floats((size_t)n * IN * IN, seed, -0.43f, 2.83f);
}

static const char *const TENSOR_NAMES[14] = {
    "c1_w", "c1_b", "s2_w", "s2_b", "c3_w", "c3_b", "s4_w", "s4_b",
    "c5_w", "c5_b", "f6_w", "f6_b", "out_w", "out_b"};

/* The 14 views of a slab, as (pointer, size) pairs in slab order. */
static void tensor_list(LenetVariant v, const LenetParams *p, float *ptr[14], size_t size[14])
{
    const float *const views[14] = {p->c1_w, p->c1_b, p->s2_w, p->s2_b, p->c3_w,
                                    p->c3_b, p->s4_w, p->s4_b, p->c5_w, p->c5_b,
                                    p->f6_w, p->f6_b, p->out_w, p->out_b};
    const size_t total = lenet_param_count(v);
    for (int k = 0; k < 14; k++) {
        ptr[k] = (float *)views[k];
        size[k] = 0;
    }
    /* each tensor runs up to the next present one (or the slab's end) */
    for (int k = 0; k < 14; k++) {
        if (!views[k]) continue;
        const float *end = views[0] + total;
        for (int j = k + 1; j < 14; j++)
            if (views[j]) {
                end = views[j];
                break;
            }
        size[k] = (size_t)(end - views[k]);
    }
}

/* Allocations the convolution engine (chapter 05's reference, not under
 * test here) makes for LeNet's two engine convolutions, C1 and C3, at
 * batch n: the passes may make those, and no others. Run twice, the second
 * count kept (a first call may set up the thread pool). */
static size_t engine_allocs(Lenet *m, int n, int forward)
{
    const Conv2dGeom *gs[2] = {&m->c1, &m->c3};
    size_t count = 0;
    for (int rep = 0; rep < 2; rep++) {
        count = 0;
        for (int k = 0; k < 2; k++) {
            Conv2dGeom g = *gs[k];
            g.n = n;
            float *x = xcalloc(conv2d_x_numel(&g), sizeof *x);
            float *w = xcalloc(conv2d_weight_numel(&g), sizeof *w);
            float *y = xcalloc(conv2d_y_numel(&g), sizeof *y);
            float *dx = xcalloc(conv2d_x_numel(&g), sizeof *dx);
            float *dw = xcalloc(conv2d_weight_numel(&g), sizeof *dw);
            float *db = xcalloc((size_t)g.c_out, sizeof *db);
            size_t a0 = alloc_count();
            if (forward)
                conv2d_forward_algo(&g, x, w, db, y, m->algo, m->ws, m->ws_bytes);
            else
                conv2d_backward_algo(&g, x, w, y, k == 0 ? NULL : dx, dw, db,
                                     m->algo, m->ws, m->ws_bytes);
            count += alloc_count() - a0;
            free(x); free(w); free(y); free(dx); free(dw); free(db);
        }
    }
    return count;
}

/* The passes allocated `got`, the engine alone `engine`. */
static void expect_engine_allocs_only(const char *call, size_t got, size_t engine)
{
    if (got > engine)
        ck_abort_msg("%s allocated memory (%zu allocations beyond the %zu the "
                     "convolution engine makes).\nHint: " HINT_ALLOC ".", call,
                     got - engine, engine);
}

void check_lenet_forward(LenetVariant v, int n, int batch, uint64_t seed)
{
    Lenet m;
    make_model(&m, v, batch, seed);
    float *x = random_images(batch, seed + 1);
    size_t nx = (size_t)batch * IN * IN, nz = (size_t)batch * 10;
    float *x0 = copy_floats(x, nx), *p0 = copy_floats(m.params, m.n_params);
    float *z = xmalloc(nz * sizeof *z);
    grade_fill_nan(z, nz);
    char params[160], call[200];
    snprintf(params, sizeof params, "%s, n=%d images, model batch %d", variant_name(v),
             n, batch);
    snprintf(call, sizeof call, "lenet_forward(%s)", params);
    size_t engine = engine_allocs(&m, n, 1);
    /* the activations of images n .. batch-1 must stay untouched */
    float *acts[6] = {m.a.h1, m.a.h2, m.a.h3, m.a.h4, m.a.h5, m.a.h6};
    const size_t per[6] = {6 * H1 * H1, 6 * H2 * H2, 16 * H3 * H3, 16 * H4 * H4, 120, 84};
    const char *act_names[6] = {"h1", "h2", "h3", "h4", "h5", "h6"};
    for (int k = 0; k < 6; k++) grade_fill_nan(acts[k], per[k] * (size_t)batch);
    float sentinel;
    grade_fill_nan(&sentinel, 1);
    size_t a0 = alloc_count();
    lenet_forward(&m, x, n, z);
    size_t a1 = alloc_count();
    expect_engine_allocs_only(call, a1 - a0, engine);
    for (int k = 0; k < 6; k++)
        for (size_t i = per[k] * (size_t)n; i < per[k] * (size_t)batch; i++)
            if (memcmp(&acts[k][i], &sentinel, sizeof sentinel) != 0)
                ck_abort_msg("%s wrote m->a.%s[%zu], an activation of image %zu, "
                             "but n = %d.\nHint: " HINT_BATCH_N ".", call,
                             act_names[k], i, i / per[k], n);
    expect_unchanged(call, "x", x, x0, nx);
    expect_unchanged(call, "the parameters", m.params, p0, m.n_params);
    for (size_t i = (size_t)n * 10; i < nz; i++)
        if (!isnan(z[i]))
            ck_abort_msg("%s wrote logits[%zu], in row %zu, but n = %d.\nHint: "
                         HINT_BATCH_N ".", call, i, i / 10, n);
    double *want = new_doubles((size_t)n * 10);
    oracle_lenet_forward(v, m.params, x, n, want);
    GradeCompare cmp = {.func = "lenet_forward", .params = params, .output = "logits",
                        .ndim = 2, .shape = {(size_t)n, 10}, .rtol = NET_RTOL,
                        .floor_frac = NET_FLOOR};
    char msg[4096];
    int bad = grade_compare(&cmp, z, want, msg, sizeof msg);
    free(want); free(x); free(x0); free(p0); free(z);
    lenet_free(&m);
    if (bad) ck_abort_msg("%s", msg);
}

void check_lenet_backward(LenetVariant v, int n, uint64_t seed)
{
    Lenet m;
    make_model(&m, v, n, seed);
    float *x = random_images(n, seed + 1);
    int *lab = xmalloc((size_t)n * sizeof *lab);
    for (int b = 0; b < n; b++) lab[b] = (int)((seed + 3 * b) % 10);
    float *z = xmalloc((size_t)n * 10 * sizeof *z), *p = xmalloc((size_t)n * 10 * sizeof *p);
    lenet_forward(&m, x, n, z);
    softmax_cross_entropy_forward(z, lab, n, 10, p);
    softmax_cross_entropy_backward(p, lab, n, 10, p);
    fill(m.grads, m.n_params, GARBAGE);
    float *p0 = copy_floats(m.params, m.n_params), *d0 = copy_floats(p, (size_t)n * 10);
    char params[160], call[200];
    snprintf(params, sizeof params, "%s, n=%d images", variant_name(v), n);
    snprintf(call, sizeof call, "lenet_backward(%s)", params);
    size_t engine = engine_allocs(&m, n, 0);
    size_t a0 = alloc_count();
    lenet_backward(&m, p, n);
    size_t a1 = alloc_count();
    expect_engine_allocs_only(call, a1 - a0, engine);
    expect_unchanged(call, "the parameters", m.params, p0, m.n_params);
    expect_unchanged(call, "dlogits", p, d0, (size_t)n * 10);

    double *P = new_doubles(m.n_params), *G = new_doubles(m.n_params);
    for (size_t i = 0; i < m.n_params; i++) P[i] = m.params[i];
    oracle_lenet_loss(v, P, x, lab, n, G);
    if (v == LENET_1998)
        for (int o = 0; o < 16; o++)
            for (int c = 0; c < 6; c++)
                if (!lenet_c3_table[o][c])
                    for (int t = 0; t < 25; t++) {
                        float g = m.dp.c3_w[(o * 6 + c) * 25 + t];
                        if (g != 0.0f)
                            ck_abort_msg("%s: dc3_w[%d][%d][%d][%d] is " GRADE_FMT
                                         ", but C3 map %d does not read S2 map %d "
                                         "(Table 1): its gradient must be exactly 0."
                                         "\nHint: mask C3's weight gradient with "
                                         "lenet_c3_mask after its backward pass.",
                                         call, o, c, t / 5, t % 5, (double)g, o, c);
                    }
    float *ptr[14];
    size_t size[14];
    tensor_list(v, &m.dp, ptr, size);
    char msg[4096];
    int bad = 0;
    for (int k = 0; k < 14 && !bad; k++) {
        if (!ptr[k]) continue;
        size_t off = (size_t)(ptr[k] - m.grads);
        double *acc = new_doubles(size[k]);
        for (size_t i = 0; i < size[k]; i++) acc[i] = G[off + i] + GARBAGE;
        char out[32];
        snprintf(out, sizeof out, "d%s", TENSOR_NAMES[k]);
        GradeCompare cmp = {.func = "lenet_backward", .params = params, .output = out,
                            .ndim = 1, .shape = {size[k]}, .rtol = NET_RTOL,
                            .floor_frac = NET_FLOOR};
        grade_add_alt(&cmp, acc, HINT_ACCUMULATE);
        bad = grade_compare(&cmp, ptr[k], G + off, msg, sizeof msg);
        free(acc);
    }
    free(P); free(G); free(x); free(lab); free(z); free(p); free(p0); free(d0);
    lenet_free(&m);
    if (bad) ck_abort_msg("%s", msg);
}

void check_lenet_gradcheck(LenetVariant v, int n, int per_tensor, uint64_t seed)
{
    Lenet m;
    make_model(&m, v, n, seed);
    float *x = random_images(n, seed + 1);
    int *lab = xmalloc((size_t)n * sizeof *lab);
    for (int b = 0; b < n; b++) lab[b] = (int)((seed + 7 * b) % 10);
    float *z = xmalloc((size_t)n * 10 * sizeof *z), *p = xmalloc((size_t)n * 10 * sizeof *p);
    lenet_forward(&m, x, n, z);
    softmax_cross_entropy_forward(z, lab, n, 10, p);
    softmax_cross_entropy_backward(p, lab, n, 10, p);
    lenet_backward(&m, p, n);

    double *P = new_doubles(m.n_params);
    for (size_t i = 0; i < m.n_params; i++) P[i] = m.params[i];
    float *ptr[14];
    size_t size[14];
    tensor_list(v, &m.dp, ptr, size);
    Rng r;
    rng_seed(&r, seed + 11);
    double worst = 0, wa = 0, wn = 0;
    const char *wname = "";
    size_t widx = 0;
    const double h = 1e-6;
    for (int k = 0; k < 14; k++) {
        if (!ptr[k]) continue;
        size_t off = (size_t)(ptr[k] - m.grads);
        /* the largest component of this tensor's gradient sets its floor */
        double scale = 0;
        for (size_t i = 0; i < size[k]; i++) scale = fmax(scale, fabs(ptr[k][i]));
        for (int s = 0; s < per_tensor; s++) {
            size_t i = (size_t)rng_below(&r, size[k]);
            if (v == LENET_1998 && k == 4 && !lenet_c3_table[i / 150][i / 25 % 6])
                continue; /* not a parameter of the 1998 net */
            double keep = P[off + i];
            P[off + i] = keep + h;
            double lp = oracle_lenet_loss(v, P, x, lab, n, NULL);
            P[off + i] = keep - h;
            double lm = oracle_lenet_loss(v, P, x, lab, n, NULL);
            P[off + i] = keep;
            double num = (lp - lm) / (2 * h), ana = ptr[k][i];
            /* eq. (6.26): relative error with a floor at 1e-2 of the tensor's scale */
            double err = fabs(ana - num) / fmax(fmax(fabs(ana), fabs(num)), 1e-2 * scale + 1e-12);
            if (err > worst) {
                worst = err;
                wa = ana;
                wn = num;
                wname = TENSOR_NAMES[k];
                widx = i;
            }
        }
    }
    free(P); free(x); free(lab); free(z); free(p);
    lenet_free(&m);
    /* 5e-3: a float gradient through seven layers (the 1998 net's logits
     * reach -100) carries relative errors of 1e-4 to 1e-3; a wrong one is
     * off by order 1. */
    if (!(worst <= 5e-3))
        ck_abort_msg("gradient check of lenet_backward(%s, n=%d): d%s[%zu] is "
                     GRADE_FMT " but the central difference of the loss (double "
                     "precision, step 1e-6) gives " GRADE_FMT ": relative error "
                     "%.2e > tolerance 5e-03, eq. (6.26).", variant_name(v), n, wname,
                     widx, wa, wn, worst);
}

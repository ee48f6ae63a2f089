/* oracle_00.c: the independent reference of the chapter 00 tests (see
 * oracle_00.h). */
#include "oracle_00.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"

typedef unsigned long long ull;

/* ---- offsets ------------------------------------------------------------ */

/* Offsets as sums of index * stride, the strides written out in full: a
 * different route to the same numbers than the solution's Horner form. */
ull oracle_nchw(Dims4 d, int n, int c, int h, int w)
{
    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w;
    return (ull)n * (C * H * W) + (ull)c * (H * W) + (ull)h * W + (ull)w;
}

ull oracle_nhwc(Dims4 d, int n, int c, int h, int w)
{
    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w;
    return (ull)n * (H * W * C) + (ull)h * (W * C) + (ull)w * C + (ull)c;
}

ull oracle_nchw_hw_swapped(Dims4 d, int n, int c, int h, int w)
{
    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w;
    return (ull)n * (C * H * W) + (ull)c * (H * W) + (ull)w * H + (ull)h;
}

ull oracle_nchw_nc_swapped(Dims4 d, int n, int c, int h, int w)
{
    ull N = (ull)d.n, H = (ull)d.h, W = (ull)d.w;
    return (ull)c * (N * H * W) + (ull)n * (H * W) + (ull)h * W + (ull)w;
}

ull oracle_nhwc_hw_swapped(Dims4 d, int n, int c, int h, int w)
{
    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w;
    return (ull)n * (H * W * C) + (ull)w * (H * C) + (ull)h * C + (ull)c;
}

ull oracle_nchw_wrapped32(Dims4 d, int n, int c, int h, int w)
{
    return (uint32_t)oracle_nchw(d, n, c, h, w);
}

ull oracle_nhwc_wrapped32(Dims4 d, int n, int c, int h, int w)
{
    return (uint32_t)oracle_nhwc(d, n, c, h, w);
}

void format_dims(char *buf, size_t len, Dims4 d)
{
    snprintf(buf, len, "{N=%d, C=%d, H=%d, W=%d}", d.n, d.c, d.h, d.w);
}

static ull oracle_zero(Dims4 d, int n, int c, int h, int w)
{
    (void)d, (void)n, (void)c, (void)h, (void)w;
    return 0;
}

/* 1 when fn agrees with alt at every index of d. */
static int matches_everywhere(IndexFn fn, Dims4 d, OracleOffset alt)
{
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++)
                    if ((ull)fn(d, n, c, h, w) != alt(d, n, c, h, w))
                        return 0;
    return 1;
}

static void fail_offset(const char *fn_name, Dims4 d, int n, int c, int h,
                        int w, ull want, size_t got, const char *hint)
{
    char dims[96];
    format_dims(dims, sizeof dims, d);
    ck_abort_msg("%s(d=%s, n=%d, c=%d, h=%d, w=%d): expected offset %llu, "
                 "got %zu.%s%s",
                 fn_name, dims, n, c, h, w, want, got, hint ? "\nHint: " : "",
                 hint ? hint : "");
}

void check_offsets(const char *fn_name, IndexFn fn, Dims4 d, OracleOffset want,
                   const OffsetAlt *alts, int n_alts)
{
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++) {
                    size_t got = fn(d, n, c, h, w);
                    ull expect = want(d, n, c, h, w);
                    if ((ull)got == expect)
                        continue;
                    const char *hint = NULL;
                    for (int a = 0; a < n_alts && !hint; a++)
                        if (matches_everywhere(fn, d, alts[a].offset))
                            hint = alts[a].hint;
                    if (!hint && got == 0 && matches_everywhere(fn, d,
                                                                 oracle_zero))
                        hint = "the function returns 0 for every element: "
                               "is it still the skeleton's TODO?";
                    fail_offset(fn_name, d, n, c, h, w, expect, got, hint);
                }
}

void check_offset_at(const char *fn_name, IndexFn fn, Dims4 d, int n, int c,
                     int h, int w, OracleOffset want, const OffsetAlt *alts,
                     int n_alts)
{
    size_t got = fn(d, n, c, h, w);
    ull expect = want(d, n, c, h, w);
    if ((ull)got == expect)
        return;
    const char *hint = NULL;
    for (int a = 0; a < n_alts && !hint; a++)
        if ((ull)got == alts[a].offset(d, n, c, h, w))
            hint = alts[a].hint;
    if (!hint && got == 0)
        hint = "the function returned 0: is it still the skeleton's TODO?";
    fail_offset(fn_name, d, n, c, h, w, expect, got, hint);
}

void check_strides(Dims4 d)
{
    const size_t unset = (size_t)-1;
    size_t got[4] = {unset, unset, unset, unset};
    nchw_strides(d, got);

    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w, N = (ull)d.n;
    const ull want[4] = {C * H * W, H * W, W, 1};
    const ull reversed[4] = {1, W, H * W, C * H * W};
    const ull bytes[4] = {4 * C * H * W, 4 * H * W, 4 * W, 4};
    const ull shifted[4] = {N * C * H * W, C * H * W, H * W, W};

    int same = 1, is_rev = 1, is_bytes = 1, is_shift = 1, unwritten = 0;
    for (int k = 0; k < 4; k++) {
        same &= (ull)got[k] == want[k];
        is_rev &= (ull)got[k] == reversed[k];
        is_bytes &= (ull)got[k] == bytes[k];
        is_shift &= (ull)got[k] == shifted[k];
        unwritten |= got[k] == unset;
    }
    if (same)
        return;

    const char *hint = NULL;
    if (unwritten)
        hint = "some strides were never written (they still hold the test's "
               "fill value SIZE_MAX): is the function still the skeleton's "
               "TODO?";
    else if (is_rev)
        hint = "the strides are in reverse order: strides[0] belongs to n, "
               "the slowest axis (C*H*W), strides[3] to w (1).";
    else if (is_bytes)
        hint = "these are byte strides (numpy's x.strides): the course "
               "counts strides in elements, 1 for w.";
    else if (is_shift)
        hint = "the stride of an axis is the product of the sizes of the "
               "axes AFTER it, not including its own: w's stride is 1.";

    char dims[96];
    format_dims(dims, sizeof dims, d);
    ck_abort_msg("nchw_strides(d=%s): expected strides {%llu, %llu, %llu, "
                 "%llu}, got {%zu, %zu, %zu, %zu}.%s%s",
                 dims, want[0], want[1], want[2], want[3], got[0], got[1],
                 got[2], got[3], hint ? "\nHint: " : "", hint ? hint : "");
}

void check_nchw_to_nhwc(Dims4 d)
{
    size_t numel = (size_t)d.n * (size_t)d.c * (size_t)d.h * (size_t)d.w;
    float *src = malloc(numel * sizeof *src);
    float *dst = malloc(numel * sizeof *dst);
    double *want = malloc(numel * sizeof *want);
    double *plain_copy = malloc(numel * sizeof *plain_copy);
    double *inverse = malloc(numel * sizeof *inverse);
    double *hw_swapped = malloc(numel * sizeof *hw_swapped);
    double *read_hw = malloc(numel * sizeof *read_hw);
    double *read_nc = malloc(numel * sizeof *read_nc);
    ck_assert_ptr_nonnull(src);
    ck_assert_ptr_nonnull(dst);
    ck_assert_ptr_nonnull(want);
    ck_assert_ptr_nonnull(plain_copy);
    ck_assert_ptr_nonnull(inverse);
    ck_assert_ptr_nonnull(hw_swapped);
    ck_assert_ptr_nonnull(read_hw);
    ck_assert_ptr_nonnull(read_nc);

    /* Distinct, exactly representable values: a misplaced element is never
     * mistaken for the right one. */
    for (size_t i = 0; i < numel; i++) {
        src[i] = (float)(i + 1);
        plain_copy[i] = (double)(i + 1);
    }
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++) {
                    ull in = oracle_nchw(d, n, c, h, w);
                    ull out = oracle_nhwc(d, n, c, h, w);
                    want[out] = src[in];
                    inverse[in] = src[out];
                    hw_swapped[oracle_nhwc_hw_swapped(d, n, c, h, w)] = src[in];
                    /* src read through a wrong NCHW offset (each of these
                     * is a permutation of 0 .. numel-1) */
                    read_hw[out] = src[oracle_nchw_hw_swapped(d, n, c, h, w)];
                    read_nc[out] = src[oracle_nchw_nc_swapped(d, n, c, h, w)];
                }

    char params[160];
    format_dims(params, sizeof params, d);
    char call[200];
    snprintf(call, sizeof call, "d=%s, src[i] = 1 + i", params);

    GradeCompare cmp = {
        .func = "nchw_to_nhwc",
        .params = call,
        .output = "dst",
        .ndim = 4,
        .shape = {(size_t)d.n, (size_t)d.h, (size_t)d.w, (size_t)d.c},
        .rtol = 0.0, /* a copy is exact */
    };
    grade_add_alt(&cmp, plain_copy,
                  "dst is a plain copy of src: each element (n, c, h, w) "
                  "must move to its NHWC offset ((n*H + h)*W + w)*C + c.");
    grade_add_alt(&cmp, inverse,
                  "you wrote the inverse conversion (NHWC to NCHW): read src "
                  "at nchw_index and write dst at nhwc_index.");
    grade_add_alt(&cmp, hw_swapped,
                  "h and w are swapped in the NHWC offset: in (N, H, W, C), "
                  "w moves faster than h.");
    grade_add_alt(&cmp, read_hw,
                  "src was read at NCHW offsets with h and w swapped: fix "
                  "nchw_index first (its own test names the mistake).");
    grade_add_alt(&cmp, read_nc,
                  "src was read at NCHW offsets with n and c swapped: fix "
                  "nchw_index first (its own test names the mistake).");

    grade_fill_nan(dst, numel);
    nchw_to_nhwc(d, src, dst);
    /* src must be left alone */
    for (size_t i = 0; i < numel; i++)
        if (src[i] != (float)(i + 1))
            ck_abort_msg("nchw_to_nhwc(%s) modified src[%zu] (from %zu to "
                         GRADE_FMT "): src is read-only input.",
                         call, i, i + 1, (double)src[i]);
    grade_expect_close(&cmp, dst, want);

    free(src);
    free(dst);
    free(want);
    free(plain_copy);
    free(inverse);
    free(hw_swapped);
    free(read_hw);
    free(read_nc);
}

/* ---- derivatives -------------------------------------------------------- */

OracleProbe oracle_probe(ScalarFn f, void *ctx, const float *x, size_t n,
                         size_t i, float h)
{
    float *y = malloc(n * sizeof *y);
    ck_assert_ptr_nonnull(y);
    memcpy(y, x, n * sizeof *y);
    OracleProbe p;
    /* The sum of two floats of the magnitudes the tests use is exact in
     * double, so rounding it once to float gives the float sum x[i] + h. */
    p.x_here = x[i];
    p.x_plus = (float)((double)x[i] + (double)h);
    p.x_minus = (float)((double)x[i] - (double)h);
    p.f_here = f(y, ctx);
    y[i] = p.x_plus;
    p.f_plus = f(y, ctx);
    y[i] = p.x_minus;
    p.f_minus = f(y, ctx);
    free(y);
    return p;
}

double oracle_central(const OracleProbe *p)
{
    return (p->f_plus - p->f_minus) / ((double)p->x_plus - (double)p->x_minus);
}

/* The relative error of eq. (0.14), written here again so that the tests do
 * not depend on the student's relative_error. */
static double rel_err(double a, double b)
{
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return scale == 0.0 ? 0.0 : fabs(a - b) / scale;
}

/* The hint for a wrong partial derivative `got`: the first typical mistake
 * whose value it matches to rtol, or a generic remark; NULL if none fits. */
static const char *partial_hint(const OracleProbe *p, float h, double got,
                                double rtol)
{
    const double x = p->x_here, xp = p->x_plus, xm = p->x_minus;
    const double dh = h;
    struct {
        double value;
        const char *hint;
    } alts[] = {
        {(p->f_plus - p->f_here) / dh, HINT_FORWARD},
        {(p->f_plus - p->f_here) / (xp - x), HINT_FORWARD},
        {(p->f_here - p->f_minus) / dh, HINT_BACKWARD},
        {(p->f_here - p->f_minus) / (x - xm), HINT_BACKWARD},
        {(p->f_plus - p->f_minus) / dh, HINT_OVER_H},
        {(p->f_plus - p->f_minus) / (xp - x), HINT_OVER_H},
        {(p->f_plus - p->f_minus) / (2.0 * dh), HINT_2H},
    };
    if (!isfinite(got))
        return "the result is not a finite number: is the step x+ - x- "
               "zero, or a division by zero?";
    for (size_t a = 0; a < sizeof alts / sizeof alts[0]; a++)
        if (isfinite(alts[a].value) && rel_err(got, alts[a].value) <= rtol)
            return alts[a].hint;
    if (got == 0.0)
        return "numerical_partial returned 0: is it still the skeleton's "
               "TODO?";
    return NULL;
}

/* Fails unless x equals x0 bit for bit; names the first changed element.
 * i is the perturbed coordinate, or n after a whole gradient. */
static void expect_x_unchanged(const char *call, const float *x,
                               const float *x0, size_t n, size_t i)
{
    for (size_t k = 0; k < n; k++) {
        if (memcmp(&x[k], &x0[k], sizeof x[k]) == 0)
            continue;
        if (k == i || i >= n)
            ck_abort_msg("%s changed x[%zu] from " GRADE_FMT " to " GRADE_FMT
                         ".\nHint: " HINT_RESTORE,
                         call, k, (double)x0[k], (double)x[k]);
        ck_abort_msg("%s changed x[%zu] (from " GRADE_FMT " to " GRADE_FMT
                     "), although only x[%zu] is perturbed.\nHint: perturb "
                     "x[i] only, and put it back before returning.",
                     call, k, (double)x0[k], (double)x[k], i);
    }
}

void check_partial(const char *fname, ScalarFn f, void *ctx, float *x,
                   size_t n, size_t i, float h, double want, double rtol)
{
    float *x0 = malloc(n * sizeof *x0);
    ck_assert_ptr_nonnull(x0);
    memcpy(x0, x, n * sizeof *x0);
    OracleProbe p = oracle_probe(f, ctx, x, n, i, h);

    char call[256];
    snprintf(call, sizeof call,
             "numerical_partial(f=%s, x[%zu]=" GRADE_FMT ", i=%zu, h=" GRADE_FMT
             ")",
             fname, i, (double)x[i], i, (double)h);
    double got = numerical_partial(f, ctx, x, i, h);
    expect_x_unchanged(call, x, x0, n, i);

    if (!(rel_err(got, want) <= rtol)) {
        const char *hint = partial_hint(&p, h, got, rtol);
        ck_abort_msg("%s: expected " GRADE_FMT ", got " GRADE_FMT
                     " (relative error %.2e > tolerance %.0e). The rounded "
                     "points are x+ = %.12g and x- = %.12g, so the step "
                     "taken is %.12g (2h = %.12g).%s%s",
                     call, want, got, rel_err(got, want), rtol,
                     (double)p.x_plus, (double)p.x_minus,
                     (double)p.x_plus - (double)p.x_minus, 2.0 * (double)h,
                     hint ? "\nHint: " : "", hint ? hint : "");
    }
    free(x0);
}

/* What numerical_gradient gives when numerical_partial leaves x[i] at x-
 * instead of restoring it: every later partial is taken at a moved point. */
static void gradient_not_restored(ScalarFn f, void *ctx, const float *x,
                                  size_t n, float h, double *grad)
{
    float *y = malloc(n * sizeof *y);
    ck_assert_ptr_nonnull(y);
    memcpy(y, x, n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        OracleProbe p = oracle_probe(f, ctx, y, n, i, h);
        grad[i] = oracle_central(&p);
        y[i] = p.x_minus;
    }
    free(y);
}

void check_gradient(const char *fname, ScalarFn f, void *ctx, float *x,
                    size_t n, float h, double rtol)
{
    float *x0 = malloc(n * sizeof *x0);
    float *got = malloc(n * sizeof *got);
    double *grad = malloc(n * sizeof *grad);
    double *want = malloc(n * sizeof *want);
    double *forward = malloc(n * sizeof *forward);
    double *over_2h = malloc(n * sizeof *over_2h);
    double *stale = malloc(n * sizeof *stale);
    ck_assert(x0 && got && grad && want && forward && over_2h && stale);
    memcpy(x0, x, n * sizeof *x0);

    for (size_t i = 0; i < n; i++) {
        OracleProbe p = oracle_probe(f, ctx, x, n, i, h);
        want[i] = oracle_central(&p);
        forward[i] = (p.f_plus - p.f_here) / (double)h;
        over_2h[i] = (p.f_plus - p.f_minus) / (2.0 * (double)h);
        grad[i] = NAN; /* an element never written stays NaN */
    }
    gradient_not_restored(f, ctx, x, n, h, stale);

    char params[200];
    snprintf(params, sizeof params, "f=%s, n=%zu, h=" GRADE_FMT, fname, n,
             (double)h);
    char call[256];
    snprintf(call, sizeof call, "numerical_gradient(%s)", params);

    numerical_gradient(f, ctx, x, n, h, grad);
    /* grade_expect_close compares floats; float keeps 7 digits, far inside
     * the tolerances used here. */
    for (size_t i = 0; i < n; i++)
        got[i] = (float)grad[i];

    GradeCompare cmp = {
        .func = "numerical_gradient",
        .params = params,
        .output = "grad",
        .ndim = 1,
        .shape = {n},
        .rtol = rtol,
    };
    grade_add_alt(&cmp, stale, HINT_RESTORE);
    grade_add_alt(&cmp, forward, HINT_FORWARD);
    grade_add_alt(&cmp, over_2h, HINT_2H);
    grade_expect_close(&cmp, got, want);
    expect_x_unchanged(call, x, x0, n, n);

    free(x0);
    free(got);
    free(grad);
    free(want);
    free(forward);
    free(over_2h);
    free(stale);
}

/* relative_error(a, b) against |a - b| / max(|a|, |b|), with the typical
 * wrong denominators recognised. */
void check_relative_errors(const Pair *pairs, size_t n_pairs)
{
    for (size_t k = 0; k < n_pairs; k++) {
        const double a = pairs[k].a, b = pairs[k].b;
        const double d = fabs(a - b);
        const double big = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
        const double want = big == 0.0 ? 0.0 : d / big;
        const double got = relative_error(a, b);

        char what[160];
        snprintf(what, sizeof what, "relative_error(a=" GRADE_FMT ", b="
                 GRADE_FMT ")", a, b);
        const char *hint = NULL;
        if (got == -1.0)
            hint = "relative_error returned -1: is it still the skeleton's "
                   "TODO?";
        else if (isnan(got) && big == 0.0)
            hint = "when a and b are both 0 they agree: return 0, not 0/0.";
        else if (got < 0.0)
            hint = "a relative error is never negative: take |a - b|.";
        else if (fabs(got - d / (fabs(a) + fabs(b))) <= 1e-12 * want)
            hint = "you divided by |a| + |b|; this course divides by "
                   "max(|a|, |b|), eq. (0.14).";
        else if (fabs(b) != big && fabs(got - d / fabs(b)) <= 1e-12 * want)
            hint = "you divided by |b| only: divide by the larger of |a| and "
                   "|b|, so that the error is symmetric and at most 2.";
        else if (fabs(a) != big && fabs(got - d / fabs(a)) <= 1e-12 * want)
            hint = "you divided by |a| only: divide by the larger of |a| and "
                   "|b|, so that the error is symmetric and at most 2.";
        grade_expect_double(what, got, want, 1e-12, hint);
    }
}

/* ---- test functions ----------------------------------------------------- */

double quadratic_f(const float *x, void *ctx)
{
    const Quadratic *q = ctx;
    double sum = q->s * (double)x[0] * (double)x[q->n - 1];
    for (size_t k = 0; k < q->n; k++) {
        double xk = x[k];
        sum += 0.5 * q->a[k] * xk * xk + q->b[k] * xk;
    }
    return sum;
}

double quadratic_df(const Quadratic *q, const float *x, size_t i)
{
    double d = q->a[i] * (double)x[i] + q->b[i];
    if (i == 0)
        d += q->s * (double)x[q->n - 1];
    if (i == q->n - 1)
        d += q->s * (double)x[0];
    return d;
}

double cubic_f(const float *x, void *ctx)
{
    const Cubic *q = ctx;
    double sum = 0.0;
    for (size_t k = 0; k < q->n; k++) {
        double xk = x[k];
        sum += q->c[k] * xk * xk * xk;
    }
    return sum;
}

double shifted_f(const float *x, void *ctx)
{
    const Shifted *q = ctx;
    double sum = 0.0;
    for (size_t k = 0; k < q->n; k++) {
        double t = (double)x[k] - q->c[k]; /* exact: x and c are close */
        sum += 0.5 * t * t;
    }
    return sum;
}

double softplus_f(const float *x, void *ctx)
{
    const Softplus *s = ctx;
    double sum = 0.0;
    for (size_t j = 0; j < s->m; j++) {
        double z = s->b[j];
        for (size_t k = 0; k < s->n; k++)
            z += s->W[j][k] * (double)x[k];
        sum += z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); /* stable */
    }
    for (size_t k = 0; k < s->n; k++)
        sum += 0.5 * (double)x[k] * (double)x[k];
    return sum;
}

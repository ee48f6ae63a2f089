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

/* nhwc_index written as if its parameters were (n, h, w, c): the value
 * passed as c is used as h, h as w and w as c. */
ull oracle_nhwc_args_nhwc(Dims4 d, int n, int c, int h, int w)
{
    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w;
    return (ull)n * (H * W * C) + (ull)c * (W * C) + (ull)h * C + (ull)w;
}

ull oracle_nchw_wrapped32(Dims4 d, int n, int c, int h, int w)
{
    return (uint32_t)oracle_nchw(d, n, c, h, w);
}

ull oracle_nhwc_wrapped32(Dims4 d, int n, int c, int h, int w)
{
    return (uint32_t)oracle_nhwc(d, n, c, h, w);
}

/* A 32-bit signed int that overflowed (two's complement) and was then
 * widened to size_t. */
static ull via_int32(ull v)
{
    return (ull)(long long)(int32_t)(uint32_t)v;
}

ull oracle_nchw_via_int(Dims4 d, int n, int c, int h, int w)
{
    return via_int32(oracle_nchw(d, n, c, h, w));
}

ull oracle_nhwc_via_int(Dims4 d, int n, int c, int h, int w)
{
    return via_int32(oracle_nhwc(d, n, c, h, w));
}

const OffsetAlt nchw_alts[] = {
    {oracle_nchw_hw_swapped, HINT_HW},
    {oracle_nchw_nc_swapped, HINT_NC},
    {oracle_nhwc, HINT_NHWC_FOR_NCHW},
};
const int n_nchw_alts = (int)(sizeof nchw_alts / sizeof nchw_alts[0]);

const OffsetAlt nhwc_alts[] = {
    {oracle_nchw, HINT_NCHW_FOR_NHWC},
    {oracle_nhwc_hw_swapped, HINT_NHWC_HW},
    {oracle_nhwc_args_nhwc, HINT_NHWC_ARGS},
};
const int n_nhwc_alts = (int)(sizeof nhwc_alts / sizeof nhwc_alts[0]);

const OffsetAlt nchw_large_alts[] = {
    {oracle_nchw_wrapped32, HINT_WRAP},
    {oracle_nchw_via_int, HINT_WRAP},
    {oracle_nchw_hw_swapped, HINT_HW},
    {oracle_nchw_nc_swapped, HINT_NC},
    {oracle_nhwc, HINT_NHWC_FOR_NCHW},
};
const int n_nchw_large_alts =
    (int)(sizeof nchw_large_alts / sizeof nchw_large_alts[0]);

const OffsetAlt nhwc_large_alts[] = {
    {oracle_nhwc_wrapped32, HINT_WRAP},
    {oracle_nhwc_via_int, HINT_WRAP},
    {oracle_nchw, HINT_NCHW_FOR_NHWC},
    {oracle_nhwc_hw_swapped, HINT_NHWC_HW},
    {oracle_nhwc_args_nhwc, HINT_NHWC_ARGS},
};
const int n_nhwc_large_alts =
    (int)(sizeof nhwc_large_alts / sizeof nhwc_large_alts[0]);

void format_dims(char *buf, size_t len, Dims4 d)
{
    snprintf(buf, len, "{N=%d, C=%d, H=%d, W=%d}", d.n, d.c, d.h, d.w);
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

static ull oracle_zero(Dims4 d, int n, int c, int h, int w)
{
    (void)d, (void)n, (void)c, (void)h, (void)w;
    return 0;
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
                    GradeHintPick p = {0};
                    for (int a = 0; a < n_alts; a++)
                        if (matches_everywhere(fn, d, alts[a].offset))
                            grade_hint_pick(&p, alts[a].hint);
                    const char *hint = grade_hint_picked(&p);
                    if (!p.hint && got == 0 && matches_everywhere(fn, d,
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
    GradeHintPick p = {0};
    for (int a = 0; a < n_alts; a++)
        if ((ull)got == alts[a].offset(d, n, c, h, w))
            grade_hint_pick(&p, alts[a].hint);
    const char *hint = grade_hint_picked(&p);
    if (!p.hint && got == 0)
        hint = "the function returned 0: is it still the skeleton's TODO?";
    fail_offset(fn_name, d, n, c, h, w, expect, got, hint);
}

void check_large_shape(Dims4 d)
{
    /* first, last, and inner elements with every index away from 0 */
    const int at[][4] = {
        {0, 0, 0, 0},
        {d.n - 1, d.c - 1, d.h - 1, d.w - 1},
        {d.n / 2, d.c - 1, d.h / 3, d.w - 1},
        {d.n - 1, d.c / 2, d.h - 1, d.w / 2},
        {d.n - 1, 0, 1, 0},
    };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        check_offset_at("nchw_index", nchw_index, d, at[k][0], at[k][1],
                        at[k][2], at[k][3], oracle_nchw, nchw_large_alts,
                        n_nchw_large_alts);
        check_offset_at("nhwc_index", nhwc_index, d, at[k][0], at[k][1],
                        at[k][2], at[k][3], oracle_nhwc, nhwc_large_alts,
                        n_nhwc_large_alts);
    }
    check_strides(d);

    /* The last element's offset is the element count minus one: the given
     * dims4_numel and the student's nchw_index must agree past 2^31. */
    ull numel = (ull)d.n * (ull)d.c * (ull)d.h * (ull)d.w;
    char dims[96];
    format_dims(dims, sizeof dims, d);
    ck_assert_msg((ull)dims4_numel(d) == numel,
                  "dims4_numel(d=%s) gave %zu, expected %llu (the given "
                  "code is broken: report it).", dims, dims4_numel(d), numel);
}

/* Strides as 32-bit ints would give them (two's complement, widened). */
static void strides_via_int(Dims4 d, ull s[4])
{
    s[3] = 1;
    s[2] = (ull)(long long)d.w;
    s[1] = via_int32((ull)d.h * (ull)d.w);
    s[0] = via_int32((ull)d.c * (ull)d.h * (ull)d.w);
}

void check_strides(Dims4 d)
{
    /* strides[-1] and strides[4] are canaries: the caller provides four
     * elements, and nothing else may be written. */
    const size_t unset = (size_t)-1;
    size_t buf[6] = {unset, unset, unset, unset, unset, unset};
    size_t *got = buf + 1;
    nchw_strides(d, got);

    char dims[96];
    format_dims(dims, sizeof dims, d);
    if (buf[0] != unset || buf[5] != unset)
        ck_abort_msg("nchw_strides(d=%s) wrote outside strides[0..3] "
                     "(strides[%d] changed): the caller provides exactly "
                     "four elements.", dims, buf[0] != unset ? -1 : 4);

    ull C = (ull)d.c, H = (ull)d.h, W = (ull)d.w, N = (ull)d.n;
    const ull want[4] = {C * H * W, H * W, W, 1};
    const ull reversed[4] = {1, W, H * W, C * H * W};
    const ull bytes[4] = {4 * C * H * W, 4 * H * W, 4 * W, 4};
    const ull shifted[4] = {N * C * H * W, C * H * W, H * W, W};
    ull wrapped[4];
    strides_via_int(d, wrapped);

    int same = 1, is_rev = 1, is_bytes = 1, is_shift = 1, is_wrap = 1,
        unwritten = 0;
    for (int k = 0; k < 4; k++) {
        same &= (ull)got[k] == want[k];
        is_rev &= (ull)got[k] == reversed[k];
        is_bytes &= (ull)got[k] == bytes[k];
        is_shift &= (ull)got[k] == shifted[k];
        is_wrap &= (ull)got[k] == wrapped[k];
        unwritten |= got[k] == unset;
    }
    if (same)
        return;

    GradeHintPick p = {0};
    if (unwritten)
        grade_hint_pick(&p, "some strides were never written (they still "
                        "hold the test's fill value SIZE_MAX): is the "
                        "function still the skeleton's TODO?");
    if (is_rev)
        grade_hint_pick(&p, "the strides are in reverse order: strides[0] "
                        "belongs to n, the slowest axis (C*H*W), strides[3] "
                        "to w (1).");
    if (is_bytes)
        grade_hint_pick(&p, "these are byte strides (numpy's x.strides): the "
                        "course counts strides in elements, 1 for w.");
    if (is_shift)
        grade_hint_pick(&p, "the stride of an axis is the product of the sizes "
                        "of the axes AFTER it, not including its own: w's "
                        "stride is 1.");
    if (is_wrap)
        grade_hint_pick(&p, "a product overflowed a 32-bit int: convert the "
                        "sizes to size_t before multiplying.");

    const char *hint = grade_hint_picked(&p);
    ck_abort_msg("nchw_strides(d=%s): expected strides {%llu, %llu, %llu, "
                 "%llu}, got {%zu, %zu, %zu, %zu}.%s%s",
                 dims, want[0], want[1], want[2], want[3], got[0], got[1],
                 got[2], got[3], hint ? "\nHint: " : "", hint ? hint : "");
}

/* What a conversion writes when it reads src at offset `rd` and writes dst
 * at offset `wr` for every (n, c, h, w), starting from the harness's NaN
 * fill: exactly what such code leaves in dst, unwritten elements included.
 * Returns 0 (and leaves out) when some write would land outside dst. */
static int simulate_copy(Dims4 d, const float *src, OracleOffset rd,
                         OracleOffset wr, float *out, size_t numel)
{
    grade_fill_nan(out, numel);
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++) {
                    ull from = rd(d, n, c, h, w), to = wr(d, n, c, h, w);
                    if (from >= numel || to >= numel)
                        return 0;
                    out[to] = src[from];
                }
    return 1;
}

void check_nchw_to_nhwc(Dims4 d)
{
    size_t numel = (size_t)d.n * (size_t)d.c * (size_t)d.h * (size_t)d.w;
    float *src = malloc(numel * sizeof *src);
    float *dst = malloc(numel * sizeof *dst);
    float *back = malloc(numel * sizeof *back);
    double *want = malloc(numel * sizeof *want);
    ck_assert(src && dst && back && want);

    /* Distinct, exactly representable values: a misplaced element is never
     * mistaken for the right one. */
    for (size_t i = 0; i < numel; i++)
        src[i] = (float)(i + 1);
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++)
                    want[oracle_nhwc(d, n, c, h, w)] =
                        src[oracle_nchw(d, n, c, h, w)];

    char params[160];
    format_dims(params, sizeof params, d);
    char call[200];
    snprintf(call, sizeof call, "d=%s, src[i] = 1 + i", params);

    grade_fill_nan(dst, numel);
    nchw_to_nhwc(d, src, dst);
    /* src must be left alone */
    for (size_t i = 0; i < numel; i++)
        if (src[i] != (float)(i + 1))
            ck_abort_msg("nchw_to_nhwc(%s) modified src[%zu] (from %zu to "
                         GRADE_FMT "): src is read-only input.",
                         call, i, i + 1, (double)src[i]);

    /* The typical mistakes, each a wrong read or write offset, simulated
     * exactly (holes included): when dst is one of them, bit for bit, and
     * no other mistake with another hint gives the same dst, it is named.
     * The hints are those of the offset tests, so that one mistake gets
     * one hint whichever test finds it. */
    struct {
        OracleOffset rd, wr;
        const char *hint;
    } mistakes[] = {
        {oracle_nchw, oracle_nchw,
         "dst is a plain copy of src: each element (n, c, h, w) must move "
         "to its NHWC offset ((n*H + h)*W + w)*C + c."},
        {oracle_nhwc, oracle_nchw,
         "you wrote the inverse conversion (NHWC to NCHW): read src at "
         "nchw_index and write dst at nhwc_index."},
        {oracle_nchw, oracle_nhwc_hw_swapped,
         "dst was written at NHWC offsets with h and w swapped: " HINT_NHWC_HW},
        {oracle_nchw, oracle_nhwc_args_nhwc,
         "dst was written at wrong NHWC offsets: " HINT_NHWC_ARGS},
        {oracle_nchw_hw_swapped, oracle_nhwc,
         "src was read at wrong NCHW offsets: " HINT_HW},
        {oracle_nchw_nc_swapped, oracle_nhwc,
         "src was read at wrong NCHW offsets: " HINT_NC},
    };
    enum { N_MISTAKES = sizeof mistakes / sizeof mistakes[0] };
    float *sim[N_MISTAKES];
    int usable[N_MISTAKES];
    float *right = malloc(numel * sizeof *right);
    ck_assert_ptr_nonnull(right);
    simulate_copy(d, src, oracle_nchw, oracle_nhwc, right, numel);
    for (int m = 0; m < N_MISTAKES; m++) {
        sim[m] = malloc(numel * sizeof *sim[m]);
        ck_assert_ptr_nonnull(sim[m]);
        usable[m] = simulate_copy(d, src, mistakes[m].rd, mistakes[m].wr,
                                  sim[m], numel) &&
                    memcmp(sim[m], right, numel * sizeof *right) != 0;
    }
    GradeHintPick p = {0};
    for (int m = 0; m < N_MISTAKES; m++)
        if (usable[m] && memcmp(sim[m], dst, numel * sizeof *dst) == 0)
            grade_hint_pick(&p, mistakes[m].hint);
    const char *hint = grade_hint_picked(&p);
    for (int m = 0; m < N_MISTAKES; m++)
        free(sim[m]);
    free(right);

    GradeCompare cmp = {
        .func = "nchw_to_nhwc",
        .params = call,
        .output = "dst",
        .ndim = 4,
        .shape = {(size_t)d.n, (size_t)d.h, (size_t)d.w, (size_t)d.c},
        .rtol = 0.0, /* a copy is exact */
    };
    char msg[3000];
    if (grade_compare(&cmp, dst, want, msg, sizeof msg) != 0) {
        /* A recognised mistake replaces the generic hint (never written,
         * ...): that is what the holes come from. */
        if (hint) {
            char *generic = strstr(msg, "\nHint: ");
            if (generic)
                *generic = '\0';
        }
        ck_abort_msg("%s%s%s", msg, hint ? "\nHint: " : "", hint ? hint : "");
    }

    /* The given inverse must bring it back, element for element. */
    grade_fill_nan(back, numel);
    nhwc_to_nchw(d, dst, back);
    for (size_t i = 0; i < numel; i++)
        ck_assert_msg(back[i] == src[i],
                      "nhwc_to_nchw(nchw_to_nhwc(src)) differs from src at "
                      "flat index %zu (" GRADE_FMT " instead of " GRADE_FMT
                      "), d=%s.", i, (double)back[i], (double)src[i], params);

    free(src);
    free(dst);
    free(back);
    free(want);
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

/* The hint for a wrong partial derivative `got`: the typical mistakes whose
 * value it matches to rtol (if they agree on a hint), or a generic remark;
 * NULL if none fits. */
static const char *partial_hint(const OracleProbe *p, float h, double got,
                                double rtol)
{
    const double x = p->x_here, xp = p->x_plus, xm = p->x_minus;
    const double dh = h;
    const double float_step = (float)(p->x_plus - p->x_minus);
    const double fp32 = (float)p->f_plus, fm32 = (float)p->f_minus;
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
        {(p->f_plus - p->f_minus) / float_step, HINT_FLOAT_STEP},
        {(fp32 - fm32) / (xp - xm), HINT_F_FLOAT},
    };
    const double right = oracle_central(p);
    if (!isfinite(got))
        return "the result is not a finite number: is the step x+ - x- "
               "zero, or a division by zero?";
    GradeHintPick pk = {0};
    for (size_t a = 0; a < sizeof alts / sizeof alts[0]; a++)
        if (isfinite(alts[a].value) && rel_err(alts[a].value, right) > rtol &&
            rel_err(got, alts[a].value) <= rtol)
            grade_hint_pick(&pk, alts[a].hint);
    if (!pk.hint && got == 0.0)
        return "numerical_partial returned 0: is it still the skeleton's "
               "TODO?";
    return grade_hint_picked(&pk);
}

/* The hint for x[k] found at v after a call that perturbed it by h from x0:
 * left at a perturbed point, or put back by arithmetic, or NULL. */
static const char *restore_hint(float x0, float v, float h)
{
    volatile float xp = x0 + h, xm = x0 - h;
    volatile float undo_m = xm + h, undo_p = xp - h;
    if (!memcmp(&v, (const void *)&xm, sizeof v) ||
        !memcmp(&v, (const void *)&xp, sizeof v))
        return HINT_RESTORE;
    if (!memcmp(&v, (const void *)&undo_m, sizeof v) ||
        !memcmp(&v, (const void *)&undo_p, sizeof v))
        return HINT_UNDO;
    return NULL;
}

/* Fails unless x equals x0 bit for bit; names the first changed element.
 * i is the perturbed coordinate, or n after a whole gradient. */
static void expect_x_unchanged(const char *call, const float *x,
                               const float *x0, size_t n, size_t i, float h)
{
    for (size_t k = 0; k < n; k++) {
        if (memcmp(&x[k], &x0[k], sizeof x[k]) == 0)
            continue;
        if (k == i || i >= n) {
            const char *hint = restore_hint(x0[k], x[k], h);
            ck_abort_msg("%s changed x[%zu] from " GRADE_FMT " to " GRADE_FMT
                         " (x must come back bit for bit).%s%s",
                         call, k, (double)x0[k], (double)x[k],
                         hint ? "\nHint: " : "", hint ? hint : "");
        }
        ck_abort_msg("%s changed x[%zu] (from " GRADE_FMT " to " GRADE_FMT
                     "), although only x[%zu] is perturbed: perturb x[i] "
                     "only, and put it back before returning.",
                     call, k, (double)x0[k], (double)x[k], i);
    }
}

/* ---- a spy between numerical_partial and f ------------------------------ */

/* The tests hand numerical_partial this spy as f (and the spy itself as
 * ctx); it records every call and forwards it to the real f. */
typedef struct {
    const TestFn *fn;
    const float *x;   /* the array the function under test was given */
    const float *x0;  /* x on entry */
    size_t n, i;      /* i = n: a whole gradient, any element may move */
    long calls;
    float seen[4];    /* x[i] at the first four calls */
    int copy;         /* f was given another array than x */
    int ctx_wrong;    /* f was given another ctx than the spy */
    size_t moved;     /* 1 + an element other than x[i] found changed */
} Spy;

static Spy *active_spy;

static double spy_f(const float *x, void *ctx)
{
    Spy *s = active_spy;
    if (ctx != s)
        s->ctx_wrong = 1;
    if (x != s->x)
        s->copy = 1;
    if (s->i < s->n) {
        if (s->calls < 4)
            s->seen[s->calls] = x[s->i];
        for (size_t k = 0; k < s->n && !s->moved; k++)
            if (k != s->i && memcmp(&x[k], &s->x0[k], sizeof x[k]) != 0)
                s->moved = k + 1;
    }
    s->calls++;
    return s->fn->f(x, s->fn->ctx);
}

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* After the value was checked: the calls numerical_partial made. */
static void expect_partial_calls(const char *call, const Spy *s,
                                 const OracleProbe *p)
{
    if (s->calls != 2)
        ck_abort_msg("%s called f %ld times.\nHint: " HINT_CALLS, call,
                     s->calls);
    if (s->ctx_wrong)
        ck_abort_msg("%s called f with another ctx than the one it was "
                     "given: pass ctx to f unchanged.", call);
    if (s->copy)
        ck_abort_msg("%s called f with a copy of x: perturb x[i] in x "
                     "itself and call f(x, ctx), as basics.h says.", call);
    if (s->moved)
        ck_abort_msg("%s: when f was called, x[%zu] had changed, although "
                     "only x[%zu] is perturbed.", call, s->moved - 1, s->i);
    int plus_minus = same_bits(s->seen[0], p->x_plus) &&
                     same_bits(s->seen[1], p->x_minus);
    int minus_plus = same_bits(s->seen[0], p->x_minus) &&
                     same_bits(s->seen[1], p->x_plus);
    if (!plus_minus && !minus_plus)
        ck_abort_msg("%s called f with x[i] = " GRADE_FMT " and " GRADE_FMT
                     "; eq. (0.12) needs x+ = fl(x[i] + h) = " GRADE_FMT
                     " and x- = fl(x[i] - h) = " GRADE_FMT ".",
                     call, (double)s->seen[0], (double)s->seen[1],
                     (double)p->x_plus, (double)p->x_minus);
}

void check_partial(const TestFn *fn, float *x, size_t n, size_t i, float h,
                   double want, double rtol)
{
    float *x0 = malloc(n * sizeof *x0);
    ck_assert_ptr_nonnull(x0);
    memcpy(x0, x, n * sizeof *x0);
    OracleProbe p = oracle_probe(fn->f, fn->ctx, x, n, i, h);

    char call[256];
    snprintf(call, sizeof call,
             "numerical_partial(f=%s, x[%zu]=" GRADE_FMT ", i=%zu, h=" GRADE_FMT
             ")",
             fn->name, i, (double)x[i], i, (double)h);

    Spy spy = {.fn = fn, .x = x, .x0 = x0, .n = n, .i = i};
    active_spy = &spy;
    double got = numerical_partial(spy_f, &spy, x, i, h);
    active_spy = NULL;
    expect_x_unchanged(call, x, x0, n, i, h);

    if (isnan(want)) {
        /* h too small to move x[i]: the contract's 0/0 */
        if (!isnan(got))
            ck_abort_msg("%s: expected NaN, got " GRADE_FMT ". h is too small "
                         "to move x[i]: x+ = x- = " GRADE_FMT ", so the result "
                         "is 0/0 = NaN (basics.h); it is not to be replaced "
                         "by 0 or any other number, so that a caller sees that "
                         "the step was lost.",
                         call, got, (double)p.x_plus);
    } else if (!(rel_err(got, want) <= rtol)) {
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
    expect_partial_calls(call, &spy, &p);
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

/* grad is filled with this double NaN before the call: an element that
 * still holds it was never written. */
static const uint64_t grad_fill_bits = 0x7ff4a5a5f111f111ull;

void check_gradient(const TestFn *fn, float *x, size_t n, float h, double rtol)
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
        OracleProbe p = oracle_probe(fn->f, fn->ctx, x, n, i, h);
        want[i] = oracle_central(&p);
        forward[i] = (p.f_plus - p.f_here) / (double)h;
        over_2h[i] = (p.f_plus - p.f_minus) / (2.0 * (double)h);
        memcpy(&grad[i], &grad_fill_bits, sizeof grad[i]);
    }
    gradient_not_restored(fn->f, fn->ctx, x, n, h, stale);

    char params[200];
    snprintf(params, sizeof params, "f=%s, n=%zu, h=" GRADE_FMT, fn->name, n,
             (double)h);
    char call[256];
    snprintf(call, sizeof call, "numerical_gradient(%s)", params);

    Spy spy = {.fn = fn, .x = x, .x0 = x0, .n = n, .i = n};
    active_spy = &spy;
    numerical_gradient(spy_f, &spy, x, n, h, grad);
    active_spy = NULL;
    expect_x_unchanged(call, x, x0, n, n, h);

    /* grade_expect_close compares floats; float keeps 7 digits, far inside
     * the tolerances used here. An element never written is handed on as
     * the harness's own "never written" NaN. */
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&grad[i], &grad_fill_bits, sizeof grad[i]) == 0)
            grade_fill_nan(&got[i], 1);
        else
            got[i] = (float)grad[i];
    }

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

    if (spy.calls != 2 * (long)n) {
        /* k calls for each coordinate: numerical_partial's own count is
         * off; any other count: numerical_gradient's. With n = 1 the two
         * cannot be told apart. */
        const char *hint = n == 1 ? NULL
                         : spy.calls % (long)n == 0 ? HINT_CALLS
                         : HINT_GRAD_CALLS;
        ck_abort_msg("%s called f %ld times; for n = %zu it costs 2n = %zu "
                     "calls.%s%s", call, spy.calls, n, 2 * n,
                     hint ? "\nHint: " : "", hint ? hint : "");
    }
    if (spy.ctx_wrong || spy.copy)
        ck_abort_msg("%s called f with %s: pass x and ctx through to "
                     "numerical_partial unchanged.", call,
                     spy.copy ? "a copy of x" : "another ctx");

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
        else if (got > 0.0 && got < want && d / got - big > 0.0 &&
                 d / got - big <= 1e-6)
            hint = HINT_EPS; /* the denominator is max(|a|, |b|) + eps */
        /* 17 digits: an error of 1e-12 must show in the numbers */
        double e = want == 0.0 ? (got == 0.0 ? 0.0 : INFINITY)
                               : fabs(got - want) / fabs(want);
        if (!(e <= 1e-12))
            ck_abort_msg("%s: expected %.17g, got %.17g (relative error %.2e "
                         "> tolerance 1e-12).%s%s", what, want, got, e,
                         hint ? "\nHint: " : "", hint ? hint : "");
    }
}

void check_relative_error_symmetric(const Pair *pairs, size_t n_pairs)
{
    for (size_t k = 0; k < n_pairs; k++) {
        const double a = pairs[k].a, b = pairs[k].b;
        const double ab = relative_error(a, b), ba = relative_error(b, a);
        if (memcmp(&ab, &ba, sizeof ab) != 0)
            ck_abort_msg("relative_error is not symmetric: relative_error(a="
                         GRADE_FMT ", b=" GRADE_FMT ") = " GRADE_FMT
                         " but relative_error(a=" GRADE_FMT ", b=" GRADE_FMT
                         ") = " GRADE_FMT ".",
                         a, b, ab, b, a, ba);
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

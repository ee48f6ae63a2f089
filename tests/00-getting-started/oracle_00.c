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
    ck_assert_ptr_nonnull(src);
    ck_assert_ptr_nonnull(dst);
    ck_assert_ptr_nonnull(want);
    ck_assert_ptr_nonnull(plain_copy);
    ck_assert_ptr_nonnull(inverse);
    ck_assert_ptr_nonnull(hw_swapped);

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
}

/* ---- derivatives -------------------------------------------------------- */

OracleProbe oracle_probe(ScalarFn f, void *ctx, const float *x, size_t n,
                         size_t i, float h)
{
    float *y = malloc(n * sizeof *y);
    ck_assert_ptr_nonnull(y);
    memcpy(y, x, n * sizeof *y);
    OracleProbe p;
    /* A sum of two floats is exact in double (for the magnitudes the tests
     * use), so rounding it once to float gives the float sum x[i] + h. */
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

double oracle_central_2h(const OracleProbe *p, float h)
{
    return (p->f_plus - p->f_minus) / (2.0 * (double)h);
}

double oracle_central_over_h(const OracleProbe *p, float h)
{
    return (p->f_plus - p->f_minus) / (double)h;
}

double oracle_forward(const OracleProbe *p)
{
    double x = (double)p->x_plus + (double)p->x_minus; /* 2 x, nearly */
    (void)x;
    return (p->f_plus - p->f_here)
           / ((double)p->x_plus - 0.5 * ((double)p->x_plus + (double)p->x_minus));
}

double oracle_backward(const OracleProbe *p)
{
    return (p->f_here - p->f_minus)
           / (0.5 * ((double)p->x_plus + (double)p->x_minus) - (double)p->x_minus);
}

static int close_to(double got, double alt, double rtol)
{
    return isfinite(got) && isfinite(alt) && relative_error_oracle(got, alt) <= rtol;
}

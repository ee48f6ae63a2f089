/* test4_gradcheck.c: gradcheck_max_rel_error, eq. (3.16). The loss is the
 * linear function f(t) = sum_k c[k] t[k] in double, whose central
 * difference is c[k] up to double rounding (about 1e-14 here), so every
 * expected result is known in closed form. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "grade.h"
#include "oracle_03.h"

#define N 6

typedef struct {
    double c[N];
    int calls;
} Linear;

static double linear_loss(const float *t, void *ctx)
{
    Linear *f = ctx;
    double s = 0.0;
    for (int k = 0; k < N; k++)
        s += f->c[k] * t[k];
    f->calls++;
    return s;
}

/* Mistakes worth naming, from the expected value and the student's. */
static const char *gradcheck_hint(double got, double no_floor, double mean,
                                  double want, float h)
{
    if (isnan(got))
        return "the result is NaN: is gradcheck_max_rel_error still the "
               "skeleton's TODO? (Return INFINITY when a component is not "
               "finite, and 0 when every component is 0, M = 0.)";
    if (isinf(want) && isfinite(got) && h < 1e-20f)
        return "with this h every central difference is NaN (t + h rounds to "
               "t in float: 0/0), so the result must be +INFINITY: pass h "
               "itself to numerical_gradient, and return INFINITY when a "
               "component is not finite.";
    if (isinf(want) && isfinite(got))
        return "a component that is not finite (NaN or infinite) must make "
               "the result +INFINITY: test every a_k and n_k with isfinite() "
               "first (fmax() silently drops a NaN).";
    if (want == 1.0 && got == 0.0)
        return "M is the largest of |a_k| AND |n_k| over all k: an analytic "
               "gradient of zeros against a non-zero numerical one has M > 0 "
               "and error 1, eq. (3.16).";
    if (fabs(got - want) <= 1e-6 * fabs(want) + 1e-12)
        return NULL;
    if (no_floor >= 0 && fabs(got - no_floor) <= 1e-6 * no_floor + 1e-12 &&
        fabs(no_floor - want) > 1e-6 * want)
        return "no floor: a component far below the largest one is judged "
               "against GRADCHECK_FLOOR * M, not against its own tiny size, "
               "eq. (3.16).";
    if (mean >= 0 && fabs(got - mean) <= 1e-6 * mean + 1e-12 &&
        fabs(mean - want) > 1e-6 * want)
        return "return the LARGEST error over the components, not their mean.";
    return NULL;
}

/* One call: t (N floats), analytic, step h; compares the result with
 * `want` (relative 1e-6, or exactly for 0 and infinity). */
static void expect_check(const char *what, Linear *f, const float *analytic,
                         float h, double want, double no_floor, double mean)
{
    float t[N] = {0.5f, -0.25f, 0.75f, -1.0f, 0.125f, 1.5f};
    float t0[N];
    double numeric[N];
    memcpy(t0, t, sizeof t);
    for (int k = 0; k < N; k++)
        numeric[k] = NAN;
    f->calls = 0;
    double got = gradcheck_max_rel_error(linear_loss, f, t, N, analytic, h,
                                         numeric);
    char call[300];
    snprintf(call, sizeof call, "gradcheck_max_rel_error(f = sum c[k] t[k], "
             "n = %d, h = %g): %s", N, (double)h, what);
    const char *hint = gradcheck_hint(got, no_floor, mean, want, h);
    if (isinf(want) || want == 0.0) {
        if (!(got == want))
            ck_abort_msg("%s: expected %g, got " GRADE_FMT ".%s%s", call, want,
                         got, hint ? "\nHint: " : "", hint ? hint : "");
    } else {
        grade_expect_double(call, got, want, 1e-6, hint);
    }
    /* clause: gc-restores */
    ck_assert_msg(memcmp(t, t0, sizeof t) == 0, "%s: t was changed by the call; "
                  "it must be unchanged on return, bit for bit.", call);
    /* clause: gc-calls */
    ck_assert_msg(f->calls == 2 * N, "%s: loss was called %d times; the check "
                  "costs exactly 2n = %d calls (one numerical_gradient).",
                  call, f->calls, 2 * N);
}

/* A right gradient gives an error near 0 (the double rounding of the
 * central difference). clause: gc-measure */
START_TEST(test_gc_right)
{
    Linear f = {{2.0, -1.0, 0.5, 3.0, -0.25, 1.0}, 0};
    float a[N] = {2.0f, -1.0f, 0.5f, 3.0f, -0.25f, 1.0f};
    float t[N] = {0.5f, -0.25f, 0.75f, -1.0f, 0.125f, 1.5f};
    double numeric[N];
    double got = gradcheck_max_rel_error(linear_loss, &f, t, N, a, 1e-2f, numeric);
    ck_assert_msg(got >= 0.0 && got < 1e-9, "gradcheck_max_rel_error on a right "
                  "gradient: expected about 0 (below 1e-9), got " GRADE_FMT, got);
    /* clause: gc-numeric */
    for (int k = 0; k < N; k++)
        ck_assert_msg(fabs(numeric[k] - f.c[k]) < 1e-9,
                      "gradcheck_max_rel_error: numeric[%d] = " GRADE_FMT
                      " but the central difference of f is %g: fill numeric "
                      "with numerical_gradient(loss, ctx, t, n, h, numeric).",
                      k, numeric[k], f.c[k]);
}
END_TEST

/* One component 1.5 times too large: relative error 0.5 / 1.5, the
 * largest; a second one off by less must not change the result.
 * clause: gc-measure, gc-max */
START_TEST(test_gc_wrong_component)
{
    Linear f = {{2.0, -1.0, 0.5, 3.0, -0.25, 1.0}, 0};
    float a[N] = {2.0f, -1.0f, 0.5f, 4.5f, -0.25f, 1.1f};
    /* errors: 0, 0, 0, 1/3, 0, 0.1/1.1 -> max 1/3, mean (1/3 + 1/11)/6 */
    expect_check("analytic[3] = 4.5 instead of 3, analytic[5] = 1.1 instead of 1",
                 &f, a, 1e-2f, 1.0 / 3.0, -1.0, (1.0 / 3.0 + 1.0 / 11.0) / 6.0);
}
END_TEST

/* Components below GRADCHECK_FLOOR * M are measured against the floor.
 * clause: gc-floor */
START_TEST(test_gc_floor)
{
    Linear f = {{2.0, 1.0, 1e-6, -0.5, 0.0, 1.0}, 0};
    /* analytic[2] = 0 where the true value is 1e-6: error 1e-6 / (1e-3 * 2),
     * not relative_error(0, 1e-6) = 1. analytic[4] = 1e-5 where the truth
     * is 0: 1e-5 / 2e-3. */
    float a[N] = {2.0f, 1.0f, 0.0f, -0.5f, 1e-5f, 1.0f};
    expect_check("tiny components: analytic[2] = 0 (true 1e-6), analytic[4] = "
                 "1e-5 (true 0)", &f, a, 1e-2f, (double)1e-5f / 2e-3, 1.0, -1.0);
}
END_TEST

/* A component above the floor is measured by relative_error, eq. (0.14):
 * 3e-3 against a true 1e-6, with M = 2. clause: gc-measure, gc-floor */
START_TEST(test_gc_above_floor)
{
    Linear f = {{2.0, 1.0, 1e-6, -0.5, 0.25, 1.0}, 0};
    float a[N] = {2.0f, 1.0f, 3e-3f, -0.5f, 0.25f, 1.0f};
    double want = ((double)3e-3f - 1e-6) / (double)3e-3f;
    expect_check("analytic[2] = 3e-3 (true 1e-6, above the floor 2e-3)", &f, a,
                 1e-2f, want, -1.0, -1.0);
}
END_TEST

/* M is the largest of BOTH gradients: an analytic gradient of zeros
 * against a non-zero numerical one is entirely wrong (error 1), not 0.
 * clause: gc-scale */
START_TEST(test_gc_scale_both)
{
    Linear f = {{2.0, -1.0, 0.5, 3.0, -0.25, 1.0}, 0};
    float a[N] = {0};
    expect_check("analytic gradient all 0", &f, a, 1e-2f, 1.0, -1.0, -1.0);
}
END_TEST

/* The error is |a_k - n_k|: an analytic component too SMALL (or of the
 * wrong sign) counts as much as one too large. Here every analytic value
 * is at most the true one, the largest error 0.5 at k = 3 (1.5 for 3) and
 * 0.5 at k = 1 (-2 for -1: 1/2 against the larger magnitude).
 * clause: gc-measure, gc-max */
START_TEST(test_gc_too_small)
{
    Linear f = {{2.0, -1.0, 0.5, 3.0, -0.25, 1.0}, 0};
    float a[N] = {2.0f, -2.0f, 0.5f, 1.5f, -0.25f, 0.9f};
    expect_check("analytic[3] = 1.5 instead of 3, analytic[1] = -2 instead "
                 "of -1, analytic[5] = 0.9 instead of 1", &f, a, 1e-2f, 0.5,
                 -1.0, (0.5 + 0.5 + 0.1) / 6.0);
}
END_TEST

/* Everything 0: the result is 0. Not finite: +infinity, for a NaN in the
 * analytic gradient and for a step too small to move t in float (the
 * central difference is then 0/0). clause: gc-zero, gc-nonfinite */
START_TEST(test_gc_special)
{
    Linear zero = {{0}, 0};
    float a0[N] = {0};
    expect_check("f = 0 and analytic = 0", &zero, a0, 1e-2f, 0.0, -1.0, -1.0);

    Linear f = {{2.0, -1.0, 0.5, 3.0, -0.25, 1.0}, 0};
    float a[N] = {2.0f, -1.0f, 0.5f, 3.0f, -0.25f, 1.0f};
    a[4] = NAN;
    expect_check("analytic[4] = NaN", &f, a, 1e-2f, INFINITY, -1.0, -1.0);
    a[4] = -0.25f;
    expect_check("h = 1e-30, too small to move t: the central differences "
                 "are NaN", &f, a, 1e-30f, INFINITY, -1.0, -1.0);
}
END_TEST

GRADED_SUITE(gradcheck_suite, "gradcheck_max_rel_error",
    GRADED(test_gc_right, 2, "gradcheck_max_rel_error: a right gradient, and numeric filled"),
    GRADED(test_gc_wrong_component, 1, "gradcheck_max_rel_error: the largest relative error"),
    GRADED(test_gc_floor, 2, "gradcheck_max_rel_error: tiny components against the floor"),
    GRADED(test_gc_above_floor, 1, "gradcheck_max_rel_error: components above the floor"),
    GRADED(test_gc_scale_both, 1, "gradcheck_max_rel_error: M from both gradients"),
    GRADED(test_gc_too_small, 1, "gradcheck_max_rel_error: components too small count too"),
    GRADED(test_gc_special, 2, "gradcheck_max_rel_error: all zero, NaN, a step too small"));

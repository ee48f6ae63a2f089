/* test_numgrad.c: graded tests of chapter 00's numerical derivatives
 * (numerical_partial, numerical_gradient) and relative_error. Expected
 * values come from oracle_00.c: exact derivatives where the central
 * difference is exact, and otherwise the central difference recomputed in
 * double at the same rounded points. */
#include <math.h>
#include <stdio.h>

#include "basics.h"
#include "grade.h"
#include "oracle_00.h"
#include "rng.h"

/* A point on the grid k/256: such x, and x +- h for h a power of two, are
 * exact in float, so the step taken is exactly 2h. */
static float grid_point(Rng *r, double lo, double hi)
{
    return (float)(round(256.0 * (lo + (hi - lo) * rng_uniform(r))) / 256.0);
}

/* A quadratic with derivative a x + b + s x_other >= 0.5 on [-1, 1]. */
static void make_quadratic(Quadratic *q, float *x, size_t n, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    q->n = n;
    q->s = 0.5;
    for (size_t k = 0; k < n; k++) {
        q->a[k] = 0.5 + rng_uniform(&r);
        q->b[k] = 2.5 + rng_uniform(&r);
        x[k] = grid_point(&r, -1.0, 1.0);
    }
}

static void make_softplus(Softplus *s, float *x, size_t n, size_t m,
                          uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    s->n = n;
    s->m = m;
    for (size_t j = 0; j < m; j++) {
        s->b[j] = 0.5 * rng_normal(&r);
        for (size_t k = 0; k < n; k++)
            s->W[j][k] = rng_normal(&r);
    }
    for (size_t k = 0; k < n; k++)
        x[k] = (float)(0.5 + 0.5 * rng_normal(&r));
}

/* 1 when x - h + h or x + h - h, computed in float, is x again. */
static int undo_gives_back(float x, float h)
{
    volatile float down = x - h, up = x + h;
    volatile float back1 = down + h, back2 = up - h;
    return back1 == x || back2 == x;
}

/* For a quadratic, the central difference with an exact step is the exact
 * derivative (exercise 2 of the lesson): anything else is round-off. The
 * tolerance 1e-9 also catches f's values rounded to float. */
/* clause: partial-formula */
/* clause: partial-f-double */
/* clause: pre-h-positive */
START_TEST(test_partial_quadratic)
{
    Quadratic q;
    float x[6];
    make_quadratic(&q, x, 6, 1001);
    const TestFn fn = {"quadratic", quadratic_f, &q};
    const float h = 0x1p-7f; /* 0.0078125: x +- h stay exact */
    for (size_t i = 0; i < 6; i++)
        check_partial(&fn, x, 6, i, h, quadratic_df(&q, x, i), 1e-9);
}
END_TEST

/* For f = c x^3 the central difference is c (3x^2 + h^2): the truncation
 * error is exactly c h^2, eq. (0.9). Two step sizes, so the h^2 is seen. */
/* clause: partial-formula */
START_TEST(test_partial_cubic)
{
    Rng r;
    rng_seed(&r, 1002);
    Cubic q = {.n = 5};
    float x[5];
    for (size_t k = 0; k < 5; k++) {
        q.c[k] = 0.5 + rng_uniform(&r);
        x[k] = grid_point(&r, 0.5, 1.5);
    }
    const TestFn fn = {"cubic", cubic_f, &q};
    const float steps[] = {0x1p-4f, 0x1p-5f};
    for (size_t s = 0; s < 2; s++) {
        const double h = steps[s];
        for (size_t i = 0; i < 5; i++) {
            const double xi = x[i];
            const double want = q.c[i] * (3.0 * xi * xi + h * h);
            check_partial(&fn, x, 5, i, steps[s], want, 1e-9);
        }
    }
}
END_TEST

/* At x = 1e4 a float's spacing is 2^-10 = 0.0009765625, so x + 0.001 rounds
 * to x + 2^-10: the step taken is 0.001953125, not 2h = 0.002. With
 * h = 0.0016, x + h rounds to x + 2^-9 and the step is 0.00390625, not
 * 0.0032. f = (x - 9999)^2 / 2, so the derivative at 1e4 is exactly 1. */
/* clause: partial-step-taken */
START_TEST(test_partial_step_taken)
{
    Shifted q = {.n = 3, .c = {9999.0, 0.0, 9999.0}};
    float x[3] = {1e4f, 3.0f, 1e4f};
    const TestFn fn = {"(x-9999)^2/2", shifted_f, &q};
    check_partial(&fn, x, 3, 0, 1e-3f, 1.0, 1e-6);
    check_partial(&fn, x, 3, 2, 1.6e-3f, 1.0, 1e-6);
}
END_TEST

/* A function of every coordinate, partials taken one after the other on the
 * same x, with a step (0.01) for which x - h + h is often not x: x must come
 * back bit for bit after each call. Then x[i] = -0.0, which x- + h brings
 * back as +0.0: equal as numbers, but not the same bits. */
/* clause: partial-restore */
START_TEST(test_partial_restores_x)
{
    Softplus s;
    float x[6];
    make_softplus(&s, x, 6, 4, 1004);
    const float h = 1e-2f;
    /* Move every x[k] to a point where neither (x - h) + h nor (x + h) - h
     * gives x back in float, so that undoing the step by arithmetic fails. */
    Rng r;
    rng_seed(&r, 1014);
    for (size_t k = 0; k < 6; k++)
        while (undo_gives_back(x[k], h))
            x[k] = (float)(0.5 + 0.5 * rng_normal(&r));
    const TestFn fn = {"softplus", softplus_f, &s};
    for (size_t i = 0; i < 6; i++) {
        OracleProbe p = oracle_probe(softplus_f, &s, x, 6, i, h);
        check_partial(&fn, x, 6, i, h, oracle_central(&p), 1e-6);
    }

    x[3] = -0.0f;
    OracleProbe p = oracle_probe(softplus_f, &s, x, 6, 3, 0x1p-6f);
    check_partial(&fn, x, 6, 3, 0x1p-6f, oracle_central(&p), 1e-6);
}
END_TEST

/* f without context, called with ctx = NULL: it must be called with NULL. */
static int null_ctx_calls, non_null_ctx_calls;
static double square_sum(const float *x, void *ctx)
{
    if (ctx)
        non_null_ctx_calls++;
    else
        null_ctx_calls++;
    return (double)x[0] * x[0] + 3.0 * (double)x[1];
}

/* f counts its calls and checks what it is given: x itself with only x[i]
 * moved, to x+ once and to x- once, and ctx unchanged. */
/* clause: partial-calls-twice */
/* clause: partial-sees-x */
/* clause: fn-ctx */
/* clause: pre-fn-x-const */
START_TEST(test_partial_calls_f_twice)
{
    Quadratic q;
    float x[5];
    make_quadratic(&q, x, 5, 1006);
    const TestFn fn = {"quadratic", quadratic_f, &q};
    for (size_t i = 0; i < 5; i++)
        check_partial(&fn, x, 5, i, 0x1p-6f, quadratic_df(&q, x, i), 1e-9);

    float y[2] = {0.75f, -2.0f};
    double got = numerical_partial(square_sum, NULL, y, 0, 0x1p-5f);
    ck_assert_msg(non_null_ctx_calls == 0,
                  "numerical_partial(f=x0^2 + 3 x1, ctx=NULL, x[0]=0.75, i=0, "
                  "h=0.03125) called f with a ctx other than NULL: pass ctx "
                  "to f unchanged (it may be NULL).");
    ck_assert_msg(null_ctx_calls == 2,
                  "numerical_partial(f=x0^2 + 3 x1, ctx=NULL, x[0]=0.75, i=0, "
                  "h=0.03125) called f %d times.\nHint: " HINT_CALLS,
                  null_ctx_calls);
    grade_expect_double("numerical_partial(f=x0^2 + 3 x1, ctx=NULL, "
                        "x[0]=0.75, i=0, h=0.03125)", got, 1.5, 1e-12, NULL);
}
END_TEST

/* x+ and x- on either side of 0, or far apart: their difference rounds in
 * float (0.6 + 0.7 and 0.6 - 0.7 are 1.2999999523 and -0.0999999642; in
 * float their difference is 1.3999998569, in double 1.3999999166, and 2h is
 * 1.3999999762). The difference of f's values is the same for everyone, so
 * the result must agree with the oracle's to 1e-12. */
/* clause: partial-denominator-double */
START_TEST(test_partial_step_in_double)
{
    Quadratic q = {.n = 3, .a = {1.0, 0.5, 2.0}, .b = {0.25, -1.0, 0.5},
                   .s = 0.0};
    float x[3] = {0.6f, 0.3f, 0.15f};
    const float h[3] = {0.7f, 0.2f, 0.2f};
    const TestFn fn = {"quadratic", quadratic_f, &q};
    for (size_t i = 0; i < 3; i++) {
        OracleProbe p = oracle_probe(quadratic_f, &q, x, 3, i, h[i]);
        check_partial(&fn, x, 3, i, h[i], oracle_central(&p), 1e-12);
    }
}
END_TEST

/* h below half of float's spacing at x: x + h and x - h both round back to
 * x, the step taken is 0, and the contract asks for 0/0 = NaN. */
/* clause: partial-nan */
START_TEST(test_partial_nan)
{
    Shifted q = {.n = 3, .c = {9999.0, 0.5, -3e5}};
    float x[3] = {1e4f, 1.0f, -3e5f};
    const float h[3] = {1e-6f, 1e-9f, 1e-2f};
    const TestFn fn = {"(x-c)^2/2", shifted_f, &q};
    for (size_t i = 0; i < 3; i++)
        check_partial(&fn, x, 3, i, h[i], NAN, 0.0);
}
END_TEST

/* clause: grad-formula */
/* clause: grad-x-unchanged */
/* clause: grad-bounds */
/* clause: grad-cost */
START_TEST(test_gradient_softplus)
{
    Softplus s;
    float x[7];
    make_softplus(&s, x, 7, 5, 1005);
    const TestFn fn = {"softplus", softplus_f, &s};
    check_gradient(&fn, x, 7, 1e-2f, 1e-6);
}
END_TEST

/* clause: rel-formula */
/* clause: rel-zero */
START_TEST(test_relative_error)
{
    const Pair pairs[] = {
        {1.0, 1.1}, {1.1, 1.0}, {-2.0, 2.0}, {3.0, -1.0}, {0.0, 1e-3},
        {0.0, 0.0}, {-0.0, 0.0}, {0.0, -0.0}, {1e-20, 2e-20},
        {-5.0, -5.0000005}, {7.0, 7.0},
    };
    check_relative_errors(pairs, sizeof pairs / sizeof pairs[0]);
}
END_TEST

/* Symmetric bit for bit; 2 for opposite numbers; unchanged when both are
 * scaled by the same power of two, from 2^-1000 to 2^1000 (an epsilon in
 * the denominator breaks that for small numbers); subnormal numbers. */
/* clause: rel-symmetric */
/* clause: rel-range */
/* clause: rel-scale-free */
/* clause: pre-rel-domain */
START_TEST(test_relative_error_properties)
{
    const Pair base[] = {
        {1.0, 1.25}, {-3.0, 3.0}, {0.5, -0.125}, {6.0, 6.0}, {0.0, 2.5},
    };
    const int powers[] = {0, -60, 60, -1000, 1000};
    Pair scaled[sizeof base / sizeof base[0]];
    for (size_t e = 0; e < sizeof powers / sizeof powers[0]; e++) {
        for (size_t k = 0; k < sizeof base / sizeof base[0]; k++) {
            scaled[k].a = ldexp(base[k].a, powers[e]);
            scaled[k].b = ldexp(base[k].b, powers[e]);
        }
        check_relative_errors(scaled, sizeof base / sizeof base[0]);
        check_relative_error_symmetric(scaled, sizeof base / sizeof base[0]);
    }
    const Pair tiny[] = {{5e-324, -5e-324}, {1e-310, 0.0}, {3e-320, 1e-320}};
    check_relative_errors(tiny, 3);
    check_relative_error_symmetric(tiny, 3);
}
END_TEST

GRADED_SUITE(numgrad_suite, "numerical derivatives",
    GRADED(test_partial_quadratic, 8,
           "numerical_partial: a quadratic, exact up to round-off"),
    GRADED(test_partial_cubic, 5,
           "numerical_partial: a cubic, error exactly c*h^2"),
    GRADED(test_partial_step_taken, 5,
           "numerical_partial: divides by the step actually taken"),
    GRADED(test_partial_restores_x, 5,
           "numerical_partial: restores x bit for bit, -0.0 included"),
    GRADED(test_partial_calls_f_twice, 4,
           "numerical_partial: calls f exactly twice, ctx passed through"),
    GRADED(test_partial_step_in_double, 3,
           "numerical_partial: the step x+ - x- formed in double"),
    GRADED(test_partial_nan, 3,
           "numerical_partial: NaN when h cannot move x"),
    GRADED(test_gradient_softplus, 4,
           "numerical_gradient: 7 coupled variables, 2n calls of f"),
    GRADED(test_relative_error, 2, "relative_error: values and zeros"),
    GRADED(test_relative_error_properties, 2,
           "relative_error: symmetric, at most 2, scale-free"));

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
 * derivative (exercise 2 of the lesson): anything else is round-off. */
START_TEST(test_partial_quadratic)
{
    Quadratic q;
    float x[6];
    make_quadratic(&q, x, 6, 1001);
    const float h = 0x1p-7f; /* 0.0078125: x +- h stay exact */
    for (size_t i = 0; i < 6; i++)
        check_partial("quadratic", quadratic_f, &q, x, 6, i, h,
                      quadratic_df(&q, x, i), 1e-9);
}
END_TEST

/* For f = c x^3 the central difference is c (3x^2 + h^2): the truncation
 * error is exactly c h^2, eq. (0.9). Two step sizes, so the h^2 is seen. */
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
    const float steps[] = {0x1p-4f, 0x1p-5f};
    for (size_t s = 0; s < 2; s++) {
        const double h = steps[s];
        for (size_t i = 0; i < 5; i++) {
            const double xi = x[i];
            const double want = q.c[i] * (3.0 * xi * xi + h * h);
            check_partial("cubic", cubic_f, &q, x, 5, i, steps[s], want, 1e-9);
        }
    }
}
END_TEST

/* At x = 1e4 a float's spacing is 2^-10 = 0.0009765625, so x + 0.001 rounds
 * to x + 2^-10: the step taken is 0.001953125, not 2h = 0.002. With
 * h = 0.0016, x + h rounds to x + 2^-9 and the step is 0.00390625, not
 * 0.0032. f = (x - 9999)^2 / 2, so the derivative at 1e4 is exactly 1. */
START_TEST(test_partial_step_taken)
{
    Shifted q = {.n = 3, .c = {9999.0, 0.0, 9999.0}};
    float x[3] = {1e4f, 3.0f, 1e4f};
    check_partial("(x-9999)^2/2", shifted_f, &q, x, 3, 0, 1e-3f, 1.0, 1e-6);
    check_partial("(x-9999)^2/2", shifted_f, &q, x, 3, 2, 1.6e-3f, 1.0, 1e-6);
}
END_TEST

/* A function of every coordinate, partials taken one after the other on the
 * same x, with a step (0.01) for which x - h + h is often not x: x must come
 * back bit for bit after each call. */
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
    for (size_t i = 0; i < 6; i++) {
        OracleProbe p = oracle_probe(softplus_f, &s, x, 6, i, h);
        check_partial("softplus", softplus_f, &s, x, 6, i, h,
                      oracle_central(&p), 1e-6);
    }
}
END_TEST

START_TEST(test_gradient_softplus)
{
    Softplus s;
    float x[7];
    make_softplus(&s, x, 7, 5, 1005);
    check_gradient("softplus", softplus_f, &s, x, 7, 1e-2f, 1e-6);
}
END_TEST

START_TEST(test_relative_error)
{
    const Pair pairs[] = {
        {1.0, 1.1}, {1.1, 1.0}, {-2.0, 2.0}, {3.0, -1.0}, {0.0, 1e-3},
        {0.0, 0.0}, {1e-20, 2e-20}, {-5.0, -5.0000005}, {7.0, 7.0},
    };
    check_relative_errors(pairs, sizeof pairs / sizeof pairs[0]);
}
END_TEST

GRADED_SUITE(numgrad_suite, "numerical derivatives",
    GRADED(test_partial_quadratic, 8,
           "numerical_partial: a quadratic, exact up to round-off"),
    GRADED(test_partial_cubic, 7,
           "numerical_partial: a cubic, error exactly c*h^2"),
    GRADED(test_partial_step_taken, 8,
           "numerical_partial: divides by the step actually taken"),
    GRADED(test_partial_restores_x, 6,
           "numerical_partial: restores x, coupled function"),
    GRADED(test_gradient_softplus, 6,
           "numerical_gradient: 7 coupled variables"),
    GRADED(test_relative_error, 5, "relative_error: values and zeros"));

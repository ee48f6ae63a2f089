/* hidden_basics.c: chapter 00's hidden graded tests: other shapes and seeds
 * than the visible ones, offsets past 2^32, points where x is 0 or
 * negative, one-variable and many-variable gradients, extreme magnitudes
 * for relative_error. */
#include <math.h>
#include <stdint.h>

#include "../oracle_00.h"
#include "basics.h"
#include "grade.h"
#include "rng.h"

/* A tensor of 32 * 1024 * 512 * 600 (about 10^10) elements: never allocated,
 * only its offsets are computed. */
START_TEST(test_large_offsets)
{
    const Dims4 d = {32, 1024, 512, 600};
    const int at[][4] = {{31, 1023, 511, 599}, {17, 3, 400, 7}, {0, 1000, 3, 2}};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        check_offset_at("nchw_index", nchw_index, d, at[k][0], at[k][1],
                        at[k][2], at[k][3], oracle_nchw, nchw_large_alts,
                        n_nchw_large_alts);
        check_offset_at("nhwc_index", nhwc_index, d, at[k][0], at[k][1],
                        at[k][2], at[k][3], oracle_nhwc, nhwc_large_alts,
                        n_nhwc_large_alts);
    }
    check_large_shape((Dims4){1, 70000, 3, 11000});
}
END_TEST

/* Odd shapes, one channel (where NHWC and NCHW coincide), 1x1 images, a
 * single element. */
START_TEST(test_layouts_more_shapes)
{
    check_nchw_to_nhwc((Dims4){3, 2, 5, 4});
    check_nchw_to_nhwc((Dims4){2, 1, 3, 3});
    check_nchw_to_nhwc((Dims4){1, 7, 1, 1});
    check_nchw_to_nhwc((Dims4){1, 1, 1, 1});
    check_strides((Dims4){7, 3, 2, 11});
    check_strides((Dims4){1, 1, 1, 1});
}
END_TEST

/* x = 0 (so x- < 0 < x+), negative x, a negative cubic coefficient, and the
 * step-rounding case at a negative point: around -2500 the float spacing is
 * 2^-12, so x +- 0.001 lands 4 spacings (0.0009765625) away, not 0.001. */
START_TEST(test_partial_signs_and_zero)
{
    Cubic q = {.n = 4, .c = {-1.5, 0.75, 2.0, -0.25}};
    float x[4] = {0.0f, -1.25f, -0.5f, 2.0f};
    const float h = 0x1p-6f;
    const TestFn cubic = {"cubic", cubic_f, &q};
    for (size_t i = 0; i < 4; i++) {
        const double xi = x[i], hh = h;
        check_partial(&cubic, x, 4, i, h, q.c[i] * (3.0 * xi * xi + hh * hh),
                      1e-9);
    }

    Shifted sq = {.n = 2, .c = {-2501.0, 0.0}};
    float y[2] = {-2500.3f, 0.25f};
    OracleProbe p = oracle_probe(shifted_f, &sq, y, 2, 0, 1e-3f);
    const TestFn shifted = {"(x+2501)^2/2", shifted_f, &sq};
    check_partial(&shifted, y, 2, 0, 1e-3f, oracle_central(&p), 1e-6);
}
END_TEST

/* One variable, and sixteen coupled ones with another seed and step. */
START_TEST(test_gradient_more)
{
    Cubic one = {.n = 1, .c = {1.0}};
    float x1[1] = {0.75f};
    const TestFn cube = {"x^3", cubic_f, &one};
    check_gradient(&cube, x1, 1, 0x1p-5f, 1e-9);

    Rng r;
    rng_seed(&r, 2004);
    Softplus s = {.n = 16, .m = 8};
    float x[16];
    for (size_t j = 0; j < s.m; j++) {
        s.b[j] = rng_normal(&r);
        for (size_t k = 0; k < s.n; k++)
            s.W[j][k] = 0.5 * rng_normal(&r);
    }
    for (size_t k = 0; k < s.n; k++)
        x[k] = (float)(2.0 * rng_uniform(&r) - 1.0);
    const TestFn soft = {"softplus", softplus_f, &s};
    check_gradient(&soft, x, 16, 3e-3f, 1e-6);
}
END_TEST

START_TEST(test_relative_error_extremes)
{
    const Pair pairs[] = {
        {1e300, -1e300}, {-1e-310, 0.0}, {0.0, -0.0}, {2.5e-8, 2.5e-8},
        {-4.0, -1.0}, {123456.789, 123456.7891}, {1e-3, 0.0},
    };
    check_relative_errors(pairs, sizeof pairs / sizeof pairs[0]);

    /* symmetric, on random pairs */
    Rng r;
    rng_seed(&r, 2005);
    Pair rnd[20];
    for (size_t k = 0; k < 20; k += 2) {
        rnd[k].a = rng_normal(&r) * 1e3;
        rnd[k].b = rng_normal(&r) * 1e-2;
        rnd[k + 1].a = rnd[k].b;
        rnd[k + 1].b = rnd[k].a;
    }
    check_relative_errors(rnd, 20);
}
END_TEST

GRADED_SUITE(hidden_basics_suite, "chapter 00 hidden",
    GRADED(test_large_offsets, 5, "indexing: offsets past 2^32 (size_t)"),
    GRADED(test_layouts_more_shapes, 5,
           "nchw_to_nhwc, nchw_strides: more shapes"),
    GRADED(test_partial_signs_and_zero, 5,
           "numerical_partial: x = 0, negative x, step rounding"),
    GRADED(test_gradient_more, 5, "numerical_gradient: n = 1 and n = 16"),
    GRADED(test_relative_error_extremes, 5,
           "relative_error: extreme magnitudes, symmetry"));

/* hidden_02.c: chapter 02 tests left out of the student handout: other
 * seeds and shapes, random geometries, and cases the visible tests do not
 * show. */
#include <math.h>
#include <stdlib.h>

#include "grade.h"
#include "../oracle_02.h"
#include "rng.h"

START_TEST(test_h_out_size)
{
    static const SizeCase cases[] = {
        {112, 3, 2, 0, 1}, /* GoogLeNet: 56 */
        {56, 3, 2, 0, 1},  /* 28 */
        {14, 3, 2, 0, 1},  /* 7 */
        {1, 1, 1, 0, 1},   /* 1 */
        {1, 2, 2, 1, 1},   /* eq. (2.6): 1 */
        {3, 4, 2, 2, 0},   /* 2 */
        {9, 2, 4, 1, 1},   /* 3 */
        {9, 2, 4, 1, 0},   /* 3 */
        {2, 5, 1, 1, 0},   /* does not fit: <= 0 */
        {3, 5, 4, 0, 1},   /* does not fit: <= 0 (C's / would give 1) */
        {1000, 7, 1000, 3, 1}, /* 2 */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* A random valid geometry: kernel 1..4, stride 1..5, padding 0..k/2,
 * input large enough for at least one window. */
static Pool2dGeom random_geom(Rng *r)
{
    Pool2dGeom g;
    for (;;) {
        g = pool_geom(1 + (int)rng_below(r, 2), 1 + (int)rng_below(r, 3),
                      1 + (int)rng_below(r, 11), 1 + (int)rng_below(r, 11),
                      1 + (int)rng_below(r, 4), 1 + (int)rng_below(r, 4));
        g.stride_h = 1 + (int)rng_below(r, 5);
        g.stride_w = 1 + (int)rng_below(r, 5);
        g.pad_h = (int)rng_below(r, (uint64_t)(g.kh / 2 + 1));
        g.pad_w = (int)rng_below(r, (uint64_t)(g.kw / 2 + 1));
        g.ceil_mode = (int)rng_below(r, 2);
        g.count_include_pad = (int)rng_below(r, 2);
        if (oracle_out_size(g.h, g.kh, g.stride_h, g.pad_h, g.ceil_mode, SIZE_RIGHT) >= 1 &&
            oracle_out_size(g.w, g.kw, g.stride_w, g.pad_w, g.ceil_mode, SIZE_RIGHT) >= 1)
            return g;
    }
}

/* The oracle follows PyTorch's definitions; the solution is cross-checked
 * against torch itself by tests/tooling/cross_check_torch_02.py. */
/* clause: torch */
START_TEST(test_h_max_random)
{
    static const PoolMistake m[] = {POOL_STRIDE_IGNORED, POOL_PAD_IGNORED,
                                    POOL_HW_SWAPPED, MAX_ZERO_PAD,
                                    MAX_INIT_ZERO, POOL_RIGHT};
    Rng r;
    rng_seed(&r, 2001);
    for (int t = 0; t < 60; t++) {
        Pool2dGeom g = random_geom(&r);
        check_pool2d(&g, POOL_MAX, NULL, 2100 + (unsigned long long)t, m);
    }
}
END_TEST

START_TEST(test_h_avg_random)
{
    static const PoolMistake m[] = {POOL_STRIDE_IGNORED, POOL_PAD_IGNORED,
                                    POOL_HW_SWAPPED, AVG_CIP_IGNORED,
                                    AVG_DIV_KK, POOL_RIGHT};
    Rng r;
    rng_seed(&r, 2002);
    for (int t = 0; t < 60; t++) {
        Pool2dGeom g = random_geom(&r);
        check_pool2d(&g, POOL_AVG, NULL, 2200 + (unsigned long long)t, m);
    }
}
END_TEST

/* Kernel as large as the input: one global max / mean per plane; and a
 * stride past the kernel with padding. */
START_TEST(test_h_whole_and_sparse)
{
    static const PoolMistake m[] = {POOL_STRIDE_IGNORED, POOL_PAD_IGNORED,
                                    POOL_HW_SWAPPED, POOL_RIGHT};
    Pool2dGeom g = pool_geom(2, 3, 4, 6, 4, 6);
    check_pool2d(&g, POOL_MAX, NULL, 2301, m);
    check_pool2d(&g, POOL_AVG, NULL, 2302, m);
    g = pool_geom(1, 2, 13, 11, 3, 2);
    g.stride_h = 5;
    g.stride_w = 4;
    g.pad_h = g.pad_w = 1;
    check_pool2d(&g, POOL_MAX, NULL, 2303, m);
    g.count_include_pad = 0;
    check_pool2d(&g, POOL_AVG, NULL, 2304, m);
}
END_TEST

START_TEST(test_h_gap)
{
    float *x = random_floats(4 * 5 * 9, 2401, -2.0f, 2.0f);
    check_gap(4, 5, 1, 9, x, "one-row planes");
    check_gap(4, 5, 9, 1, x, "one-column planes");
    check_gap(20, 9, 1, 1, x, "1x1 planes: y = x");
    free(x);
}
END_TEST

/* -inf on the border next to padding, NaN, and ties. */
START_TEST(test_h_max_special)
{
    Pool2dGeom g = pool_geom(1, 1, 5, 5, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    g.ceil_mode = 1;
    float x[25];
    for (int i = 0; i < 25; i++)
        x[i] = (i % 5 == 0 || i < 5) ? -INFINITY : (float)(i % 3) - 5.0f;
    x[24] = NAN; /* the last cell read by window (2, 2) */
    x[20] = NAN; /* window (2, 0) reads x[21] after it */
    /* window (1, 1), the only one without padding, holds no NaN and stays
     * negative: a max started at 0 shows there */
    check_maxpool_special(&g, x, "-inf border, two NaN, ties");
}
END_TEST

GRADED_SUITE(hidden_suite, "pooling (hidden)",
    GRADED(test_h_out_size, 5, "pool_out_size: more shapes"),
    GRADED(test_h_max_random, 6, "maxpool2d_forward: 60 random geometries"),
    GRADED(test_h_avg_random, 8, "avgpool2d_forward: 60 random geometries"),
    GRADED(test_h_whole_and_sparse, 2, "max/avg pooling: whole-input kernel, stride > kernel with padding"),
    GRADED(test_h_gap, 2, "global_avgpool2d_forward: thin and 1x1 planes"),
    GRADED(test_h_max_special, 2, "maxpool2d_forward: -inf border, NaN, ties"));

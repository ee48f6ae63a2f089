/* test3_avgpool.c: avgpool2d_forward, eqs. (2.2) and (2.3). Each test draws
 * x uniform in [-1, 1) from its own seed and compares y with the
 * double-precision reference of oracle_02.c; the mistake lists name the
 * hints it may show. */
#include <stdlib.h>

#include "grade.h"
#include "oracle_02.h"
#include "rng.h"

#define GEOM_MISTAKES POOL_STRIDE_IGNORED, POOL_PAD_IGNORED, POOL_HW_SWAPPED
#define DIV_MISTAKES AVG_CIP_IGNORED, AVG_DIV_KK

static const PoolMistake avg_mistakes[] = {GEOM_MISTAKES, DIV_MISTAKES, POOL_RIGHT};

static void check_avg_table(const Pool2dGeom *gs, int n, int cip,
                            unsigned long long seed)
{
    for (int t = 0; t < n; t++) {
        Pool2dGeom g = gs[t];
        g.count_include_pad = cip;
        check_pool2d(&g, POOL_AVG, NULL, seed + (unsigned long long)t, avg_mistakes);
    }
}

/* clause: avg_eq */
START_TEST(test_avg_basic)
{
    Pool2dGeom g = pool_geom(1, 2, 6, 8, 2, 2);
    check_pool2d(&g, POOL_AVG, NULL, 301, avg_mistakes);
}
END_TEST

START_TEST(test_avg_batch)
{
    Pool2dGeom g = pool_geom(3, 2, 7, 5, 3, 2);
    g.stride_h = 2;
    g.stride_w = 1;
    check_pool2d(&g, POOL_AVG, NULL, 311, avg_mistakes);
    Pool2dGeom g2 = pool_geom(2, 3, 5, 9, 2, 3);
    check_pool2d(&g2, POOL_AVG, NULL, 312, avg_mistakes);
}
END_TEST

START_TEST(test_avg_kernel_sweep)
{
    static const Pool2dGeom gs[] = {
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 1, .kw = 1, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 2, .kw = 1, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 3, .kw = 1, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 1, .kw = 2, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 1, .kw = 3, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 3, .kw = 2, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 2, .kw = 3, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 1, .h = 5, .w = 4, .kh = 5, .kw = 4, .stride_h = 5, .stride_w = 4},
    };
    check_avg_table(gs, (int)(sizeof gs / sizeof gs[0]), 1, 321);
}
END_TEST

START_TEST(test_avg_stride_sweep)
{
    static const Pool2dGeom gs[] = {
        {.n = 1, .c = 2, .h = 8, .w = 9, .kh = 2, .kw = 2, .stride_h = 1, .stride_w = 1},
        {.n = 1, .c = 2, .h = 8, .w = 9, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 1},
        {.n = 1, .c = 2, .h = 8, .w = 9, .kh = 2, .kw = 2, .stride_h = 1, .stride_w = 2},
        {.n = 1, .c = 2, .h = 8, .w = 9, .kh = 2, .kw = 2, .stride_h = 3, .stride_w = 1},
        {.n = 1, .c = 2, .h = 8, .w = 9, .kh = 2, .kw = 2, .stride_h = 1, .stride_w = 3},
        {.n = 1, .c = 2, .h = 11, .w = 10, .kh = 3, .kw = 2, .stride_h = 3, .stride_w = 2},
        {.n = 1, .c = 2, .h = 10, .w = 11, .kh = 2, .kw = 3, .stride_h = 2, .stride_w = 3},
        {.n = 1, .c = 2, .h = 10, .w = 11, .kh = 2, .kw = 1, .stride_h = 3, .stride_w = 2},
    };
    check_avg_table(gs, (int)(sizeof gs / sizeof gs[0]), 0, 331);
}
END_TEST

/* Padding swept on its own (one side 0), up to k/2. */
static const Pool2dGeom padded[] = {
    {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 0},
    {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 0, .pad_w = 1},
    {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
    {.n = 1, .c = 2, .h = 7, .w = 8, .kh = 5, .kw = 3, .stride_h = 2, .stride_w = 1, .pad_h = 2, .pad_w = 1},
    {.n = 1, .c = 2, .h = 8, .w = 7, .kh = 3, .kw = 5, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 2},
    {.n = 2, .c = 1, .h = 9, .w = 8, .kh = 7, .kw = 6, .stride_h = 3, .stride_w = 2, .pad_h = 3, .pad_w = 3},
};

/* clause: avg_cip_on */
/* clause: avg_pad_adds_zero */
START_TEST(test_avg_pad_include)
{
    check_avg_table(padded, (int)(sizeof padded / sizeof padded[0]), 1, 341);
}
END_TEST

/* clause: avg_cip_off */
/* clause: cip_nonzero */
START_TEST(test_avg_pad_exclude)
{
    check_avg_table(padded, (int)(sizeof padded / sizeof padded[0]), 0, 351);
    /* and any non-zero count_include_pad means "include" */
    Pool2dGeom g = padded[2];
    g.count_include_pad = 2;
    check_pool2d(&g, POOL_AVG, NULL, 359, avg_mistakes);
}
END_TEST

/* ceil_mode: windows that run past the padded input are clipped there. */
static const Pool2dGeom ceiled[] = {
    {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2, .ceil_mode = 1},
    {.n = 1, .c = 2, .h = 7, .w = 8, .kh = 4, .kw = 3, .stride_h = 3, .stride_w = 2, .pad_h = 1, .pad_w = 0, .ceil_mode = 1},
    {.n = 1, .c = 2, .h = 4, .w = 9, .kh = 2, .kw = 3, .stride_h = 3, .stride_w = 2, .pad_h = 1, .pad_w = 0, .ceil_mode = 1},
    {.n = 2, .c = 1, .h = 10, .w = 5, .kh = 3, .kw = 2, .stride_h = 3, .stride_w = 2, .pad_h = 0, .pad_w = 1, .ceil_mode = 1},
};

/* clause: avg_ceil_clip */
START_TEST(test_avg_ceil_include)
{
    check_avg_table(ceiled, (int)(sizeof ceiled / sizeof ceiled[0]), 1, 361);
}
END_TEST

START_TEST(test_avg_ceil_exclude)
{
    check_avg_table(ceiled, (int)(sizeof ceiled / sizeof ceiled[0]), 0, 371);
}
END_TEST

/* Three 30000 x 30000 planes: 2.7e9 pixels, past 2^31. Only the windows
 * (3x3, stride 29997, padding 1) are read; the last one of the last plane
 * lies past element 2^31. */
START_TEST(test_avg_big)
{
    Pool2dGeom g = pool_geom(3, 1, 30000, 30000, 3, 3);
    g.stride_h = g.stride_w = 29997;
    g.pad_h = g.pad_w = 1;
    g.count_include_pad = 0;
    size_t plane = (size_t)g.h * g.w, bytes = 3 * plane * sizeof(float);
    float *x = big_alloc(bytes);
    Rng r;
    rng_seed(&r, 381);
    static const int rows[] = {0, 1, 29996, 29997, 29998};
    for (int p = 0; p < 3; p++)
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 5; b++)
                x[p * plane + (size_t)rows[a] * g.w + rows[b]] =
                    (float)(rng_uniform(&r) + 0.5);
    check_pool2d(&g, POOL_AVG, x, 0, NULL);
    big_free(x, bytes);
}
END_TEST

GRADED_SUITE(avgpool_suite, "avgpool2d_forward",
    GRADED(test_avg_basic, 4, "avgpool2d_forward: 2x2 kernel, stride 2"),
    GRADED(test_avg_batch, 3, "avgpool2d_forward: batch of 3, 3x2 kernel, stride (2,1)"),
    GRADED(test_avg_kernel_sweep, 3, "avgpool2d_forward: kernels 1x1 to 3x3, kh != kw"),
    GRADED(test_avg_stride_sweep, 3, "avgpool2d_forward: strides 1 to 3, stride > kernel"),
    GRADED(test_avg_pad_include, 3, "avgpool2d_forward: padding, count_include_pad=1"),
    GRADED(test_avg_pad_exclude, 3, "avgpool2d_forward: padding, count_include_pad=0"),
    GRADED(test_avg_ceil_include, 3, "avgpool2d_forward: ceil_mode, count_include_pad=1"),
    GRADED(test_avg_ceil_exclude, 3, "avgpool2d_forward: ceil_mode, count_include_pad=0"),
    GRADED(test_avg_big, 2, "avgpool2d_forward: input past 2^31 elements"));

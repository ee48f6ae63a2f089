/* test2_maxpool.c: maxpool2d_forward, eq. (2.1). Each test draws x at random
 * from its own seed (uniform in [-1, 1) unless it says otherwise) and
 * compares y with the double-precision reference of oracle_02.c; the mistake
 * lists name the hints it may show. */
#include <math.h>
#include <stdlib.h>

#include "grade.h"
#include "oracle_02.h"
#include "util.h"

#define GEOM_MISTAKES POOL_STRIDE_IGNORED, POOL_PAD_IGNORED, POOL_HW_SWAPPED
#define MAX_MISTAKES GEOM_MISTAKES, MAX_ZERO_PAD, MAX_INIT_ZERO

static const PoolMistake max_mistakes[] = {MAX_MISTAKES, POOL_RIGHT};

/* Runs check_pool2d on every geometry of a table, seeds seed, seed+1, ... */
static void check_max_table(const Pool2dGeom *gs, int n, unsigned long long seed)
{
    for (int t = 0; t < n; t++)
        check_pool2d(&gs[t], POOL_MAX, NULL, seed + (unsigned long long)t,
                     max_mistakes);
}

/* clause: max_eq */
/* clause: layout */
/* clause: out_hw */
START_TEST(test_max_basic)
{
    Pool2dGeom g = pool_geom(1, 2, 6, 8, 2, 2);
    check_pool2d(&g, POOL_MAX, NULL, 201, max_mistakes);
}
END_TEST

/* clause: planes */
/* clause: no_state */
START_TEST(test_max_batch)
{
    Pool2dGeom g = pool_geom(3, 2, 7, 5, 3, 2);
    g.stride_h = 2;
    g.stride_w = 1;
    check_pool2d(&g, POOL_MAX, NULL, 211, max_mistakes);
    /* A second call with another shape: nothing carries over. */
    Pool2dGeom g2 = pool_geom(2, 3, 5, 9, 2, 3);
    check_pool2d(&g2, POOL_MAX, NULL, 212, max_mistakes);
}
END_TEST

/* Kernel height and width swept on their own, kh > kw and kh < kw; the
 * last kernel is as large as the input (a 1 x 1 output). */
/* clause: out_min_one */
START_TEST(test_max_kernel_sweep)
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
    check_max_table(gs, (int)(sizeof gs / sizeof gs[0]), 221);
}
END_TEST

/* Strides swept on their own, sh > sw and sh < sw, and larger than the
 * kernel (pixels between windows are never read). */
START_TEST(test_max_stride_sweep)
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
    check_max_table(gs, (int)(sizeof gs / sizeof gs[0]), 231);
}
END_TEST

/* Padding swept on its own (one side 0), up to k/2, stride 1 and 2; the
 * inputs are all negative so that a padded 0 would win. count_include_pad
 * has no effect on max pooling. */
/* clause: max_pad_inf */
/* clause: max_ignores_cip */
/* clause: pad_half */
START_TEST(test_max_padding)
{
    static const Pool2dGeom gs[] = {
        {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 0},
        {.n = 1, .c = 2, .h = 6, .w = 7, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_h = 0, .pad_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1},
        {.n = 1, .c = 2, .h = 7, .w = 8, .kh = 5, .kw = 3, .stride_h = 2, .stride_w = 1, .pad_h = 2, .pad_w = 1},
        {.n = 1, .c = 2, .h = 8, .w = 7, .kh = 3, .kw = 5, .stride_h = 1, .stride_w = 2, .pad_h = 1, .pad_w = 2},
        {.n = 2, .c = 1, .h = 9, .w = 8, .kh = 7, .kw = 6, .stride_h = 3, .stride_w = 2, .pad_h = 3, .pad_w = 3},
    };
    for (int t = 0; t < (int)(sizeof gs / sizeof gs[0]); t++) {
        Pool2dGeom g = gs[t];
        size_t nx = (size_t)g.n * g.c * g.h * g.w;
        float *x = random_floats(nx, 241 + (unsigned long long)t, -1.0f, -0.01f);
        for (int cip = 0; cip <= 1; cip++) {
            g.count_include_pad = cip;
            check_pool2d(&g, POOL_MAX, x, 0, max_mistakes);
        }
        free(x);
    }
}
END_TEST

/* ceil_mode: windows clipped at the end of the padded input, the rule of
 * eq. (2.6), and a ceil_mode of 2 (any non-zero value). */
/* clause: max_clip */
START_TEST(test_max_ceil)
{
    static const Pool2dGeom gs[] = {
        {.n = 1, .c = 2, .h = 7, .w = 6, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2, .ceil_mode = 1},
        {.n = 1, .c = 2, .h = 7, .w = 8, .kh = 4, .kw = 3, .stride_h = 3, .stride_w = 2, .pad_h = 1, .pad_w = 0, .ceil_mode = 1},
        {.n = 1, .c = 2, .h = 4, .w = 9, .kh = 2, .kw = 3, .stride_h = 3, .stride_w = 2, .pad_h = 1, .pad_w = 0, .ceil_mode = 1},
        {.n = 2, .c = 1, .h = 10, .w = 5, .kh = 3, .kw = 2, .stride_h = 3, .stride_w = 2, .pad_h = 0, .pad_w = 1, .ceil_mode = 2},
    };
    check_max_table(gs, (int)(sizeof gs / sizeof gs[0]), 251);
}
END_TEST

/* -inf pixels: a window of -inf gives -inf, and padding (-inf) never wins. */
/* clause: max_inf_window */
START_TEST(test_max_neg_inf)
{
    Pool2dGeom g = pool_geom(1, 2, 5, 6, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    size_t nx = (size_t)g.n * g.c * g.h * g.w;
    float *x = random_floats(nx, 261, -1.0f, 1.0f);
    for (size_t i = 0; i < (size_t)g.h * g.w; i++)
        x[i] = -INFINITY;           /* plane 0: all -inf */
    for (size_t i = (size_t)g.h * g.w; i < nx; i += 2)
        x[i] = -INFINITY;           /* plane 1: every other pixel */
    check_maxpool_special(&g, x, "input with -inf pixels");
    free(x);
}
END_TEST

/* clause: max_nan */
START_TEST(test_max_nan)
{
    Pool2dGeom g = pool_geom(1, 1, 6, 6, 2, 2);
    float *x = random_floats(36, 271, -1.0f, 1.0f);
    x[0] = NAN;          /* first pixel of window (0, 0) */
    x[1 * 6 + 3] = NAN;  /* last pixel of window (0, 1) */
    x[4 * 6 + 4] = NAN;  /* window (2, 2) */
    check_maxpool_special(&g, x, "input with NaN pixels");
    free(x);
}
END_TEST

/* 46341 x 46341 = 2147488281 pixels, past 2^31: only the four 2x2 windows
 * (stride 46339) are read, so only a few pages are ever touched. */
/* clause: sizes_size_t */
START_TEST(test_max_big)
{
    Pool2dGeom g = pool_geom(1, 1, 46341, 46341, 2, 2);
    g.stride_h = g.stride_w = 46339;
    size_t bytes = (size_t)g.h * g.w * sizeof(float);
    float *x = big_alloc(bytes);
    float v = -1.0f;
    for (int r = 0; r < g.h; r += (r == 1 ? 46338 : 1))
        for (int q = 0; q < g.w; q += (q == 1 ? 46338 : 1))
            x[(size_t)r * g.w + q] = v -= 0.25f; /* all negative: an unread 0 shows */
    static const PoolMistake m[] = {MAX_INIT_ZERO, POOL_RIGHT};
    check_pool2d(&g, POOL_MAX, x, 0, m);
    big_free(x, bytes);
}
END_TEST

GRADED_SUITE(maxpool_suite, "maxpool2d_forward",
    GRADED(test_max_basic, 4, "maxpool2d_forward: 2x2 kernel, stride 2"),
    GRADED(test_max_batch, 3, "maxpool2d_forward: batch of 3, 3x2 kernel, stride (2,1)"),
    GRADED(test_max_kernel_sweep, 3, "maxpool2d_forward: kernels 1x1 to 3x3, kh != kw"),
    GRADED(test_max_stride_sweep, 3, "maxpool2d_forward: strides 1 to 3, stride > kernel"),
    GRADED(test_max_padding, 4, "maxpool2d_forward: padding up to k/2, negative inputs"),
    GRADED(test_max_ceil, 4, "maxpool2d_forward: ceil_mode, clipped last windows"),
    GRADED(test_max_neg_inf, 3, "maxpool2d_forward: -inf pixels and -inf padding"),
    GRADED(test_max_nan, 2, "maxpool2d_forward: NaN propagates"),
    GRADED(test_max_big, 2, "maxpool2d_forward: input past 2^31 elements"));

/* test3_pool_backward.c: maxpool2d_backward, eq. (3.13), and
 * avgpool2d_backward, eq. (3.14), against the double-precision reference of
 * oracle_03.c, and against finite differences of the forward passes. dx is
 * filled with garbage before every call. */
#include "grade.h"
#include "oracle_03.h"

#define MAX_MISTAKES MP_TIES_LAST, MP_ALL_MAX, MP_SPLIT, MP_ZERO_PAD, MP_OVERWRITE, \
    MP_INF_NOT_ROUTED
#define AVG_MISTAKES AP_DIV_KK, AP_DIV_INSIDE, AP_DIV_PADDED, AP_NO_DIV, AP_OVERWRITE

/* Non-overlapping 2x2 windows, a batch of 2: each dy lands on one pixel.
 * clause: max-route, max-overwrite */
START_TEST(test_mp_basic)
{
    Pool2dGeom g = pool_geom(2, 3, 6, 8, 2, 2);
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    check_pool_backward(POOL_MAX, &g, X_DISTINCT, 5001, m);
}
END_TEST

/* Overlapping 3x3 windows with stride 2 and padding 1: a pixel that is the
 * arg-max of two windows gets the sum of their dy. clause: max-overlap */
START_TEST(test_mp_overlap)
{
    Pool2dGeom g = pool_geom(2, 2, 9, 7, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    check_pool_backward(POOL_MAX, &g, X_DISTINCT, 5011, m);
    g.stride_h = g.stride_w = 1; /* every interior pixel in 9 windows */
    check_pool_backward(POOL_MAX, &g, X_DISTINCT, 5012, m);
}
END_TEST

/* Inputs with many equal values: ties go to the first maximum in row-major
 * order of the window. clause: max-ties */
START_TEST(test_mp_ties)
{
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    Pool2dGeom g = pool_geom(2, 2, 6, 6, 2, 2);
    check_pool_backward(POOL_MAX, &g, X_TIES, 5021, m);
    g = pool_geom(1, 2, 7, 8, 3, 2);
    g.stride_h = 1;
    g.stride_w = 2;
    g.pad_h = 1;
    check_pool_backward(POOL_MAX, &g, X_TIES, 5022, m);
}
END_TEST

/* Padding never wins: all pixels negative, and some -inf, so that whole
 * windows hold -inf and route to their first pixel inside the image.
 * clause: max-padding, max-inf */
START_TEST(test_mp_padding_inf)
{
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    Pool2dGeom g = pool_geom(1, 2, 5, 6, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    check_pool_backward(POOL_MAX, &g, X_NEGATIVE, 5031, m);
    check_pool_backward(POOL_MAX, &g, X_WITH_INF, 5032, m);
    g = pool_geom(2, 1, 4, 4, 2, 2);
    g.stride_h = g.stride_w = 1;
    g.pad_h = g.pad_w = 1;
    check_pool_backward(POOL_MAX, &g, X_WITH_INF, 5033, m);
}
END_TEST

/* Each argument alone: kernel 1..3 (kh != kw both ways), stride 1..3
 * (sh != sw both ways, stride > kernel: unread pixels get 0), padding
 * 0..3 on one axis (3 needs a kernel of 6), ceil mode.
 * clause: max-route, max-unread, max-ceil */
START_TEST(test_mp_sweep)
{
    static const int c[][7] = {
        /* kh kw sh sw ph pw ceil */
        {1, 1, 1, 1, 0, 0, 0}, {3, 1, 1, 1, 0, 0, 0}, {1, 3, 1, 1, 0, 0, 0},
        {2, 3, 2, 3, 0, 0, 0}, {2, 2, 3, 1, 0, 0, 0}, {2, 2, 1, 3, 0, 0, 0},
        {3, 3, 3, 3, 1, 0, 0}, {4, 5, 2, 2, 2, 0, 0}, {4, 5, 2, 2, 0, 2, 0},
        {3, 2, 2, 3, 0, 0, 1}, {3, 3, 2, 2, 1, 1, 1}, {2, 2, 3, 3, 0, 0, 1},
        {6, 2, 2, 1, 3, 0, 0}, {2, 6, 1, 2, 0, 3, 1},
    };
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    for (int t = 0; t < (int)(sizeof c / sizeof c[0]); t++) {
        Pool2dGeom g = pool_geom(2, 2, 8, 7, c[t][0], c[t][1]);
        g.stride_h = c[t][2];
        g.stride_w = c[t][3];
        g.pad_h = c[t][4];
        g.pad_w = c[t][5];
        g.ceil_mode = c[t][6];
        check_pool_backward(POOL_MAX, &g, X_DISTINCT, 5101 + 10 * t, m);
    }
}
END_TEST

/* Non-overlapping 2x2 windows: each cell gets dy / 4.
 * clause: avg-spread, avg-overwrite */
START_TEST(test_ap_basic)
{
    Pool2dGeom g = pool_geom(2, 3, 6, 8, 2, 2);
    const PoolBackMistake m[] = {AVG_MISTAKES, PB_RIGHT};
    check_pool_backward(POOL_AVG, &g, X_DISTINCT, 5201, m);
}
END_TEST

/* Padding with and without count_include_pad, overlapping windows.
 * clause: avg-divisor, avg-overlap */
START_TEST(test_ap_padding)
{
    const PoolBackMistake m[] = {AVG_MISTAKES, PB_RIGHT};
    Pool2dGeom g = pool_geom(2, 2, 7, 9, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    for (int cip = 1; cip >= 0; cip--) {
        g.count_include_pad = cip;
        check_pool_backward(POOL_AVG, &g, X_DISTINCT, 5211 + cip, m);
    }
}
END_TEST

/* Ceil mode: the last window runs past the padded input, and its divisor
 * counts only the cells up to its end (count_include_pad) or in the image.
 * Then any non-zero ceil_mode and count_include_pad (2 here) mean "on", as
 * in the forward pass of chapter 02.
 * clause: avg-divisor, avg-ceil */
START_TEST(test_ap_ceil)
{
    const PoolBackMistake m[] = {AVG_MISTAKES, PB_RIGHT};
    Pool2dGeom g = pool_geom(1, 2, 8, 7, 3, 2);
    g.stride_h = 2;
    g.stride_w = 3;
    g.pad_h = 1;
    g.ceil_mode = 1;
    for (int cip = 1; cip >= 0; cip--) {
        g.count_include_pad = cip;
        check_pool_backward(POOL_AVG, &g, X_DISTINCT, 5221 + cip, m);
    }
    g.ceil_mode = 2;
    g.count_include_pad = 2;
    check_pool_backward(POOL_AVG, &g, X_DISTINCT, 5223, m);
}
END_TEST

/* Each argument alone, as for max pooling. clause: avg-spread, avg-unread */
START_TEST(test_ap_sweep)
{
    static const int c[][8] = {
        /* kh kw sh sw ph pw ceil cip */
        {3, 1, 1, 1, 0, 0, 0, 1}, {1, 3, 1, 1, 0, 0, 0, 1}, {2, 3, 2, 3, 0, 0, 0, 1},
        {2, 2, 3, 1, 0, 0, 0, 1}, {2, 2, 1, 3, 0, 0, 0, 1}, {4, 5, 2, 2, 2, 0, 0, 0},
        {4, 5, 2, 2, 0, 2, 0, 1}, {3, 3, 3, 3, 1, 1, 1, 0}, {2, 2, 3, 3, 0, 0, 1, 1},
        {6, 2, 2, 1, 3, 0, 0, 1}, {2, 6, 1, 2, 0, 3, 1, 0},
    };
    const PoolBackMistake m[] = {AVG_MISTAKES, PB_RIGHT};
    for (int t = 0; t < (int)(sizeof c / sizeof c[0]); t++) {
        Pool2dGeom g = pool_geom(2, 2, 8, 7, c[t][0], c[t][1]);
        g.stride_h = c[t][2];
        g.stride_w = c[t][3];
        g.pad_h = c[t][4];
        g.pad_w = c[t][5];
        g.ceil_mode = c[t][6];
        g.count_include_pad = c[t][7];
        check_pool_backward(POOL_AVG, &g, X_DISTINCT, 5301 + 10 * t, m);
    }
}
END_TEST

/* Both against the central difference of their forward pass.
 * clause: max-route, avg-spread */
START_TEST(test_pool_numeric)
{
    Pool2dGeom g = pool_geom(2, 2, 7, 8, 3, 2);
    g.stride_h = 2;
    g.stride_w = 1;
    g.pad_h = 1;
    g.ceil_mode = 1;
    check_pool_backward_numeric(POOL_MAX, &g, 5401);
    g.count_include_pad = 0;
    check_pool_backward_numeric(POOL_AVG, &g, 5402);
}
END_TEST

GRADED_SUITE(pool_backward_suite, "pooling backward",
    GRADED(test_mp_basic, 3, "maxpool2d_backward: 2x2 windows, stride 2, batch of 2"),
    GRADED(test_mp_overlap, 2, "maxpool2d_backward: overlapping windows add"),
    GRADED(test_mp_ties, 2, "maxpool2d_backward: ties go to the first maximum"),
    GRADED(test_mp_padding_inf, 2, "maxpool2d_backward: negative and -inf inputs, padding"),
    GRADED(test_mp_sweep, 2, "maxpool2d_backward: kernel, stride, padding, ceil_mode alone"),
    GRADED(test_ap_basic, 2, "avgpool2d_backward: 2x2 windows, stride 2, batch of 2"),
    GRADED(test_ap_padding, 2, "avgpool2d_backward: padding, with and without count_include_pad"),
    GRADED(test_ap_ceil, 2, "avgpool2d_backward: ceil_mode divisors"),
    GRADED(test_ap_sweep, 2, "avgpool2d_backward: kernel, stride, padding, ceil_mode alone"),
    GRADED(test_pool_numeric, 2, "pooling backward: agrees with finite differences of the forward passes"));

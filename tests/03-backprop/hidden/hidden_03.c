/* hidden_03.c: chapter 03 tests left out of the student handout: other
 * seeds and shapes, and cases the visible tests do not show. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "grade.h"
#include "../oracle_03.h"

#define ALL_CONV_MISTAKES CB_DX_NO_FLIP, CB_DW_FLIPPED, CB_DB_ALL_CHANNELS, \
    CB_DB_MEAN, CB_BATCH_FIRST, CB_BATCH_LAST, CB_DX_STRIDE_IGNORED,        \
    CB_DX_STRIDE_FLOOR, CB_PAD_SIGN, CB_DIL_IGNORED, CB_GROUP_OFFSET,       \
    CB_GROUP_NO_MUL, CB_DX_GROUP_FIRST, CB_DX_GROUP_NO_MUL, CB_BATCH_MEAN
#define MAX_MISTAKES MP_TIES_LAST, MP_ALL_MAX, MP_SPLIT, MP_ZERO_PAD, MP_OVERWRITE, \
    MP_INF_NOT_ROUTED
#define AVG_MISTAKES AP_DIV_KK, AP_DIV_INSIDE, AP_DIV_PADDED, AP_NO_DIV, AP_OVERWRITE

/* Random layers: every argument drawn, a batch of 3. */
START_TEST(test_h_cb_random)
{
    static const int c[][12] = {
        /* n cin h w cout kh kw sh sw ph pw groups (dil from the index) */
        {3, 4, 10, 9, 4, 3, 3, 2, 1, 1, 2, 2},
        {3, 6, 8, 11, 9, 2, 4, 1, 3, 0, 1, 3},
        {2, 2, 12, 7, 4, 4, 2, 3, 2, 2, 0, 1},
        {3, 3, 9, 9, 6, 3, 1, 2, 2, 1, 0, 3},
    };
    const ConvBackMistake m[] = {ALL_CONV_MISTAKES, CB_RIGHT};
    for (int t = 0; t < (int)(sizeof c / sizeof c[0]); t++) {
        Conv2dGeom g = conv_geom(c[t][0], c[t][1], c[t][2], c[t][3], c[t][4], c[t][5], c[t][6]);
        g.stride_h = c[t][7];
        g.stride_w = c[t][8];
        g.pad_h = c[t][9];
        g.pad_w = c[t][10];
        g.groups = c[t][11];
        g.dil_h = 1 + t % 2;
        g.dil_w = 1 + (t / 2) % 2;
        check_conv2d_backward(&g, WANT_ALL, 9001 + 10 * t, m);
    }
}
END_TEST

/* The kernel spans the whole padded input: one output per (n, o), and dx
 * is dy times the kernel. */
START_TEST(test_h_cb_full_kernel)
{
    Conv2dGeom g = conv_geom(2, 3, 4, 5, 2, 6, 5);
    g.pad_h = 1;
    const ConvBackMistake m[] = {ALL_CONV_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 9101, m);
}
END_TEST

/* Stride larger than the dilated span: gaps of unread pixels, dx 0 there. */
START_TEST(test_h_cb_sparse)
{
    Conv2dGeom g = conv_geom(2, 2, 14, 13, 2, 2, 2);
    g.dil_h = g.dil_w = 2;
    g.stride_h = 4;
    g.stride_w = 5;
    g.pad_w = 2;
    const ConvBackMistake m[] = {ALL_CONV_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 9201, m);
}
END_TEST

/* A 5x5 kernel, stride 3, padding wider than the kernel's reach. */
START_TEST(test_h_cb_wide_pad)
{
    Conv2dGeom g = conv_geom(1, 2, 6, 7, 3, 5, 5);
    g.stride_h = g.stride_w = 3;
    g.pad_h = 4;
    g.pad_w = 3;
    const ConvBackMistake m[] = {ALL_CONV_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 9301, m);
}
END_TEST

/* NULL outputs with groups and stride. */
START_TEST(test_h_cb_null_groups)
{
    Conv2dGeom g = conv_geom(2, 4, 7, 6, 6, 3, 2);
    g.groups = 2;
    g.stride_h = 2;
    g.dil_w = 2;
    const ConvBackMistake m[] = {ALL_CONV_MISTAKES, CB_RIGHT};
    for (int want = 0; want <= WANT_ALL; want++)
        check_conv2d_backward(&g, want, 9401, m);
}
END_TEST

/* Finite differences on a depthwise layer with everything. */
START_TEST(test_h_cb_numeric)
{
    Conv2dGeom g = conv_geom(2, 3, 8, 7, 6, 3, 3);
    g.groups = 3;
    g.stride_h = 2;
    g.stride_w = 3;
    g.pad_h = g.pad_w = 2;
    g.dil_h = 2;
    for (int which = 0; which < 3; which++)
        check_conv2d_backward_numeric(&g, which, 9501 + 10 * which);
}
END_TEST

/* Max pooling: ties with padding and ceil mode; one window covering the
 * whole image (global max). */
START_TEST(test_h_mp)
{
    const PoolBackMistake m[] = {MAX_MISTAKES, PB_RIGHT};
    Pool2dGeom g = pool_geom(2, 3, 7, 9, 3, 3);
    g.stride_h = 2;
    g.stride_w = 3;
    g.pad_h = g.pad_w = 1;
    g.ceil_mode = 1;
    check_pool_backward(POOL_MAX, &g, X_TIES, 9601, m);
    check_pool_backward(POOL_MAX, &g, X_WITH_INF, 9602, m);
    g = pool_geom(2, 2, 5, 6, 5, 6);
    check_pool_backward(POOL_MAX, &g, X_DISTINCT, 9603, m);
    g = pool_geom(1, 2, 9, 8, 4, 2);
    g.stride_h = 1;
    g.stride_w = 1;
    g.pad_h = 2;
    check_pool_backward(POOL_MAX, &g, X_NEGATIVE, 9604, m);
}
END_TEST

/* Average pooling: every combination of ceil_mode and count_include_pad on
 * an odd shape with overlapping windows. */
START_TEST(test_h_ap)
{
    const PoolBackMistake m[] = {AVG_MISTAKES, PB_RIGHT};
    for (int k = 0; k < 4; k++) {
        Pool2dGeom g = pool_geom(2, 2, 9, 10, 3, 4);
        g.stride_h = 2;
        g.stride_w = 3;
        g.pad_h = 1;
        g.pad_w = 2;
        g.ceil_mode = k & 1;
        g.count_include_pad = k >> 1;
        check_pool_backward(POOL_AVG, &g, X_DISTINCT, 9701 + k, m);
    }
}
END_TEST

/* gradcheck on a quadratic, f(t) = sum c[k] t[k]^2 / 2, whose central
 * difference is exactly c[k] t[k] when t[k] +- h are floats (h = 2^-7 and
 * t[k] multiples of it): one component's analytic value with its sign
 * flipped gives relative error 2. */
typedef struct {
    double c[4];
} Quad;

static double quad_loss(const float *t, void *ctx)
{
    const Quad *q = ctx;
    double s = 0.0;
    for (int k = 0; k < 4; k++)
        s += 0.5 * q->c[k] * t[k] * t[k];
    return s;
}

START_TEST(test_h_gradcheck)
{
    Quad q = {{1.0, -2.0, 4.0, 0.5}};
    float t[4] = {0.5f, 1.0f, -0.25f, 2.0f};
    float a[4] = {0.5f, -2.0f, 1.0f, 1.0f}; /* a[2] should be -1 */
    double numeric[4];
    double got = gradcheck_max_rel_error(quad_loss, &q, t, 4, a, 1.0f / 128, numeric);
    grade_expect_double("gradcheck_max_rel_error(f = sum c t^2 / 2, one "
                        "component with the wrong sign)", got, 2.0, 1e-6,
                        NULL);
    a[2] = -1.0f;
    got = gradcheck_max_rel_error(quad_loss, &q, t, 4, a, 1.0f / 128, numeric);
    ck_assert_msg(got >= 0.0 && got < 1e-9, "gradcheck_max_rel_error(f = sum "
                  "c t^2 / 2, the right gradient): expected about 0, got "
                  GRADE_FMT, got);
}
END_TEST

GRADED_SUITE(hidden_suite, "chapter 03 hidden",
    GRADED(test_h_cb_random, 4, "conv2d_backward: random layers, batch of 3"),
    GRADED(test_h_cb_full_kernel, 2, "conv2d_backward: kernel as large as the padded input"),
    GRADED(test_h_cb_sparse, 3, "conv2d_backward: stride larger than the dilated kernel"),
    GRADED(test_h_cb_wide_pad, 2, "conv2d_backward: 5x5 kernel, padding wider than its reach"),
    GRADED(test_h_cb_null_groups, 2, "conv2d_backward: NULL outputs with groups"),
    GRADED(test_h_cb_numeric, 3, "conv2d_backward: finite differences, depthwise"),
    GRADED(test_h_mp, 3, "maxpool2d_backward: ties, -inf, ceil mode, global window"),
    GRADED(test_h_ap, 3, "avgpool2d_backward: ceil_mode x count_include_pad"),
    GRADED(test_h_gradcheck, 3, "gradcheck_max_rel_error: a quadratic"));

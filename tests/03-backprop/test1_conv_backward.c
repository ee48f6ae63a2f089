/* test1_conv_backward.c: conv2d_backward against the double-precision
 * reference of oracle_03.c, eqs. (3.4), (3.5) and (3.11). Each test draws x,
 * w and dy at random from its own seeds, fills dx, dweight and dbias with
 * garbage, and compares all three; every geometry argument is swept on its
 * own, then together. The mistake lists name the hints a test may show. */
#include "grade.h"
#include "oracle_03.h"

/* Mistakes any test can recognise. */
#define COMMON_MISTAKES CB_DX_NO_FLIP, CB_DW_FLIPPED, CB_DB_ALL_CHANNELS, \
                        CB_DB_MEAN, CB_BATCH_FIRST, CB_BATCH_LAST, CB_BATCH_MEAN
#define STRIDE_MISTAKES CB_DX_STRIDE_IGNORED, CB_DX_STRIDE_FLOOR
#define GROUP_MISTAKES CB_GROUP_OFFSET, CB_GROUP_NO_MUL, CB_DX_GROUP_FIRST, \
                       CB_DX_GROUP_NO_MUL

/* clause: conv-db, conv-dw, conv-dx, conv-shapes, conv-overwrite */
START_TEST(test_cb_basic)
{
    Conv2dGeom g = conv_geom(1, 2, 5, 6, 3, 3, 3);
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3001, m);
}
END_TEST

/* A batch of 3: dweight and dbias sum over it. Non-square input and kernel.
 * clause: conv-dw, conv-db */
START_TEST(test_cb_batch)
{
    Conv2dGeom g = conv_geom(3, 3, 7, 5, 4, 3, 2);
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3011, m);
}
END_TEST

/* Kernel sizes alone: 1..3 on each axis, kh > kw and kh < kw, one shape
 * after another in the same process. clause: no-state */
START_TEST(test_cb_kernel_sweep)
{
    static const int k[][2] = {{1, 1}, {2, 2}, {3, 3}, {3, 1}, {1, 3}, {2, 3}, {3, 2}};
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_RIGHT};
    for (int t = 0; t < (int)(sizeof k / sizeof k[0]); t++) {
        Conv2dGeom g = conv_geom(2, 2, 6, 5, 3, k[t][0], k[t][1]);
        check_conv2d_backward(&g, WANT_ALL, 3021 + 10 * t, m);
    }
}
END_TEST

/* Padding alone, one of a pair 0, up to 3 (wider than half the kernel:
 * border outputs see only zeros, and their gradients reach no pixel).
 * clause: conv-padding */
START_TEST(test_cb_padding_sweep)
{
    static const int p[][2] = {{1, 0}, {0, 1}, {1, 1}, {2, 1}, {1, 2}, {3, 0}, {0, 3}};
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_PAD_SIGN, CB_RIGHT};
    for (int t = 0; t < (int)(sizeof p / sizeof p[0]); t++) {
        Conv2dGeom g = conv_geom(2, 2, 5, 6, 2, 3, 3);
        g.pad_h = p[t][0];
        g.pad_w = p[t][1];
        check_conv2d_backward(&g, WANT_ALL, 3101 + 10 * t, m);
    }
}
END_TEST

/* 1x1 kernels with padding: the padded border of y has only the bias, and
 * its dy reaches nothing. */
START_TEST(test_cb_1x1_padding)
{
    Conv2dGeom g = conv_geom(2, 3, 4, 5, 2, 1, 1);
    g.pad_h = 1;
    g.pad_w = 2;
    const ConvBackMistake m[] = {CB_DB_ALL_CHANNELS, CB_DB_MEAN, CB_BATCH_FIRST,
                                 CB_BATCH_LAST, CB_BATCH_MEAN, CB_PAD_SIGN,
                                 CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3201, m);
}
END_TEST

/* Stride alone, sh > sw and sh < sw, up to 3, with sizes that leave the
 * last rows and columns of x unread (their dx is 0).
 * clause: conv-stride, conv-dx-unread */
START_TEST(test_cb_stride_sweep)
{
    static const int s[][2] = {{2, 1}, {1, 2}, {2, 2}, {3, 1}, {1, 3}, {3, 2}, {2, 3}};
    const ConvBackMistake m[] = {COMMON_MISTAKES, STRIDE_MISTAKES, CB_RIGHT};
    for (int t = 0; t < (int)(sizeof s / sizeof s[0]); t++) {
        Conv2dGeom g = conv_geom(2, 2, 9, 8, 2, 3, 2);
        g.stride_h = s[t][0];
        g.stride_w = s[t][1];
        check_conv2d_backward(&g, WANT_ALL, 3301 + 10 * t, m);
    }
}
END_TEST

/* Stride larger than the kernel, with padding: rows between windows are
 * never read. clause: conv-stride, conv-dx-unread, conv-padding */
START_TEST(test_cb_stride_gt_kernel)
{
    Conv2dGeom g = conv_geom(2, 2, 11, 10, 3, 2, 2);
    g.stride_h = 3;
    g.stride_w = 4;
    g.pad_h = 1;
    const ConvBackMistake m[] = {COMMON_MISTAKES, STRIDE_MISTAKES, CB_PAD_SIGN,
                                 CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3401, m);
}
END_TEST

/* Dilation alone, up to 3, dh > dw and dh < dw. clause: conv-dilation */
START_TEST(test_cb_dilation_sweep)
{
    static const int d[][2] = {{2, 1}, {1, 2}, {2, 2}, {3, 1}, {1, 3}, {3, 2}};
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_DIL_IGNORED, CB_RIGHT};
    for (int t = 0; t < (int)(sizeof d / sizeof d[0]); t++) {
        Conv2dGeom g = conv_geom(2, 2, 9, 10, 2, 3, 3);
        g.dil_h = d[t][0];
        g.dil_w = d[t][1];
        check_conv2d_backward(&g, WANT_ALL, 3501 + 10 * t, m);
    }
}
END_TEST

/* Groups 1..3 with a batch of 2. clause: conv-groups */
START_TEST(test_cb_groups)
{
    static const int gr[][3] = {{2, 4, 6}, {3, 6, 3}, {3, 3, 6}};
    const ConvBackMistake m[] = {COMMON_MISTAKES, GROUP_MISTAKES, CB_PAD_SIGN,
                                 CB_RIGHT};
    for (int t = 0; t < (int)(sizeof gr / sizeof gr[0]); t++) {
        Conv2dGeom g = conv_geom(2, gr[t][1], 6, 5, gr[t][2], 3, 3);
        g.groups = gr[t][0];
        g.pad_h = g.pad_w = 1;
        check_conv2d_backward(&g, WANT_ALL, 3601 + 10 * t, m);
    }
}
END_TEST

/* Depthwise, two filters per channel, a batch of 2. clause: conv-groups */
START_TEST(test_cb_depthwise)
{
    Conv2dGeom g = conv_geom(2, 3, 5, 7, 6, 3, 3);
    g.groups = 3;
    g.pad_h = g.pad_w = 1;
    const ConvBackMistake m[] = {COMMON_MISTAKES, GROUP_MISTAKES, CB_PAD_SIGN,
                                 CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3701, m);
}
END_TEST

/* Everything at once: stride, padding, dilation and groups, each with
 * h != w, odd sizes, a batch of 2. */
START_TEST(test_cb_everything)
{
    Conv2dGeom g = conv_geom(2, 4, 13, 12, 6, 3, 2);
    g.stride_h = 2;
    g.stride_w = 3;
    g.pad_h = 2;
    g.pad_w = 1;
    g.dil_h = 2;
    g.dil_w = 3;
    g.groups = 2;
    const ConvBackMistake m[] = {COMMON_MISTAKES, STRIDE_MISTAKES, CB_PAD_SIGN,
                                 CB_DIL_IGNORED, GROUP_MISTAKES, CB_RIGHT};
    check_conv2d_backward(&g, WANT_ALL, 3801, m);
}
END_TEST

GRADED_SUITE(conv_backward_suite, "conv2d_backward",
    GRADED(test_cb_basic, 3, "conv2d_backward: 2->3 channels, 5x6 input, 3x3 kernel"),
    GRADED(test_cb_batch, 3, "conv2d_backward: batch of 3, 3x2 kernel (dw, db sum over the batch)"),
    GRADED(test_cb_kernel_sweep, 3, "conv2d_backward: kernels 1x1 .. 3x3, kh > kw and kh < kw"),
    GRADED(test_cb_padding_sweep, 3, "conv2d_backward: padding 0..3 on each axis"),
    GRADED(test_cb_1x1_padding, 2, "conv2d_backward: 1x1 kernel with padding"),
    GRADED(test_cb_stride_sweep, 3, "conv2d_backward: stride 1..3 on each axis"),
    GRADED(test_cb_stride_gt_kernel, 3, "conv2d_backward: stride (3, 4) > 2x2 kernel, padding"),
    GRADED(test_cb_dilation_sweep, 3, "conv2d_backward: dilation 1..3 on each axis"),
    GRADED(test_cb_groups, 3, "conv2d_backward: groups 2 and 3, batch of 2"),
    GRADED(test_cb_depthwise, 2, "conv2d_backward: depthwise, 3 groups, 6 filters, batch of 2"),
    GRADED(test_cb_everything, 3, "conv2d_backward: stride, padding, dilation and groups together"));

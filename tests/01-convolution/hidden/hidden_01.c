/* hidden_01.c: chapter 01 tests left out of the student handout: other
 * seeds and shapes, and cases the visible tests do not show. */
#include <stdlib.h>

#include "grade.h"
#include "../oracle_01.h"

START_TEST(test_h_conv1d_long)
{
    float *f = random_floats(40, 1001), *g = random_floats(9, 1002);
    check_conv1d(f, 40, g, 9, "long random signal");
    check_conv1d(g, 9, f, 40, "the same with f and g swapped");
    free(f);
    free(g);
}
END_TEST

START_TEST(test_h_valid2d_thin)
{
    float *img = random_floats(18, 1011), *k = random_floats(6, 1012);
    check_valid2d(img, 1, 18, k, 1, 6, 0, "a single-row image");
    check_valid2d(img, 1, 18, k, 1, 6, 1, "a single-row image");
    check_valid2d(img, 9, 2, k, 3, 2, 0, "a tall 9x2 image");
    check_valid2d(img, 9, 2, k, 3, 2, 1, "a tall 9x2 image");
    free(img);
    free(k);
}
END_TEST

START_TEST(test_h_out_size)
{
    static const SizeCase cases[] = {
        {1, 1, 1, 0, 1},   /* 1 */
        {5, 1, 2, 0, 1},   /* 3 */
        {1, 3, 1, 1, 1},   /* 1: the kernel sees one pixel and two zeros */
        {10, 3, 1, 0, 4},  /* span 9: 2 */
        {6, 3, 5, 2, 1},   /* 2 */
        {112, 7, 2, 3, 1}, /* ResNet stem: 56 */
        {13, 3, 2, 0, 2},  /* span 5: 5 */
        {3, 4, 5, 0, 1},   /* does not fit: <= 0 */
        {4, 3, 3, 0, 3},   /* span 7 does not fit: <= 0 */
        {1, 2, 2, 0, 1},   /* does not fit: <= 0 */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

START_TEST(test_h_param_count)
{
    static const CountCase cases[] = {
        {3, 64, 7, 7, 1, 0},      /* ResNet stem: 9408 */
        {256, 256, 3, 3, 256, 0}, /* depthwise: 2304 */
        {256, 512, 1, 1, 1, 1},   /* pointwise: 131584 */
        {512, 512, 3, 3, 32, 1},  /* ResNeXt-style: 74240 */
        {65536, 65536, 1, 1, 1, 0}, /* 2^32: does not fit an int */
        {8, 4, 3, 3, 2, -3},      /* has_bias = -3 means a bias: 148 */
    };
    check_count_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* Padding wider than the kernel's reach: the border rows and columns of y
 * see nothing but zeros and hold the bias alone. */
START_TEST(test_h_conv2d_wide_pad)
{
    Conv2dGeom g = geom_basic(1, 2, 4, 5, 2, 2, 2);
    g.pad_h = 3;
    g.pad_w = 2;
    check_conv2d(&g, 0, 1021);
}
END_TEST

/* Stride larger than the kernel: pixels between windows are skipped. */
START_TEST(test_h_conv2d_stride_gt_kernel)
{
    Conv2dGeom g = geom_basic(2, 2, 10, 8, 3, 1, 1);
    g.stride_h = g.stride_w = 3;
    check_conv2d(&g, 0, 1031);
    Conv2dGeom g2 = geom_basic(1, 3, 11, 9, 2, 2, 2);
    g2.stride_h = 3;
    g2.stride_w = 4;
    g2.pad_h = 1;
    check_conv2d(&g2, 0, 1032);
}
END_TEST

/* Every argument at once, each different along height and width. */
START_TEST(test_h_conv2d_everything)
{
    Conv2dGeom g = {.n = 2, .c_in = 4, .h = 9, .w = 11, .c_out = 6, .kh = 3,
                    .kw = 2, .stride_h = 2, .stride_w = 1, .pad_h = 1,
                    .pad_w = 2, .dil_h = 2, .dil_w = 1, .groups = 2};
    check_conv2d(&g, 0, 1041);
}
END_TEST

/* Eight input channels: 72 products per output. */
START_TEST(test_h_conv2d_deep)
{
    Conv2dGeom g = geom_basic(1, 8, 10, 10, 4, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv2d(&g, 0, 1051);
}
END_TEST

START_TEST(test_h_conv2d_depthwise_strided)
{
    Conv2dGeom g = geom_basic(2, 4, 9, 9, 4, 3, 3);
    g.groups = 4;
    g.stride_h = g.stride_w = 2;
    g.dil_h = g.dil_w = 2;
    g.pad_h = g.pad_w = 2;
    check_conv2d(&g, 1, 1061);
}
END_TEST

GRADED_SUITE(hidden_small_suite, "hidden: 1-D, 2-D valid, sizes",
    GRADED(test_h_conv1d_long, 2, "conv1d_full: 40-sample signal, 9-tap kernel, both orders"),
    GRADED(test_h_valid2d_thin, 3, "correlate2d/convolve2d_valid: one-row and two-column images"),
    GRADED(test_h_out_size, 3, "conv_out_size: more shapes, strides, dilations, no fit"),
    GRADED(test_h_param_count, 2, "conv2d_param_count: depthwise, pointwise, 2^32 weights"));

GRADED_SUITE(hidden_conv2d_suite, "hidden: conv2d_forward",
    GRADED(test_h_conv2d_wide_pad, 3, "conv2d_forward: padding wider than the kernel"),
    GRADED(test_h_conv2d_stride_gt_kernel, 3, "conv2d_forward: stride larger than the kernel"),
    GRADED(test_h_conv2d_everything, 4, "conv2d_forward: batch, groups, stride, padding, dilation at once"),
    GRADED(test_h_conv2d_deep, 3, "conv2d_forward: 8 input channels"),
    GRADED(test_h_conv2d_depthwise_strided, 2, "conv2d_forward: depthwise, stride 2, dilation 2, no bias"));

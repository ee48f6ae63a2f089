/* test4_conv2d.c: conv2d_forward, eqs. (1.5) and (1.6). Each test draws x, w
 * and b at random from its own seed and compares y with the double-precision
 * reference of oracle_01.c; the mistake lists name the hints it may show. */
#include "grade.h"
#include "oracle_01.h"

/* Mistakes worth naming in any test with a bias. */
#define BIAS_MISTAKES CONV_FLIP, CONV_NO_BIAS, CONV_BIAS_PER_CIN
#define PAD_MISTAKES CONV_PAD_IGNORED, CONV_PAD_PLUS1, CONV_PAD_MINUS1
#define GROUP_MISTAKES CONV_GROUP_OFFSET, CONV_GROUP_NO_MUL, CONV_GROUP_MODULO

START_TEST(test_conv2d_basic)
{
    Conv2dGeom g = geom_basic(1, 2, 5, 6, 3, 3, 3);
    const ConvMistake m[] = {BIAS_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 301, m);
}
END_TEST

START_TEST(test_conv2d_no_bias)
{
    Conv2dGeom g = geom_basic(1, 3, 6, 5, 2, 2, 3);
    const ConvMistake m[] = {CONV_FLIP, CONV_RIGHT};
    check_conv2d(&g, 1, 311, m);
}
END_TEST

START_TEST(test_conv2d_pad1)
{
    Conv2dGeom g = geom_basic(1, 2, 6, 7, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, PAD_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 321, m);
}
END_TEST

/* Padding 2 rows and 1 column around a 5x3 kernel. */
START_TEST(test_conv2d_pad2)
{
    Conv2dGeom g = geom_basic(1, 2, 5, 6, 2, 5, 3);
    g.pad_h = 2;
    g.pad_w = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, PAD_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 331, m);
}
END_TEST

START_TEST(test_conv2d_stride2)
{
    Conv2dGeom g = geom_basic(1, 2, 9, 8, 3, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, PAD_MISTAKES, CONV_STRIDE_IGNORED,
                             CONV_RIGHT};
    check_conv2d(&g, 0, 341, m);
}
END_TEST

/* Stride 3 down, 2 across, no padding: the last rows of x are never read. */
START_TEST(test_conv2d_stride3)
{
    Conv2dGeom g = geom_basic(1, 2, 11, 10, 2, 3, 2);
    g.stride_h = 3;
    g.stride_w = 2;
    const ConvMistake m[] = {BIAS_MISTAKES, CONV_STRIDE_IGNORED, CONV_RIGHT};
    check_conv2d(&g, 0, 351, m);
}
END_TEST

START_TEST(test_conv2d_batch)
{
    Conv2dGeom g = geom_basic(3, 3, 7, 5, 4, 3, 2);
    g.pad_h = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, PAD_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 361, m);
}
END_TEST

START_TEST(test_conv2d_1x1)
{
    Conv2dGeom g = geom_basic(2, 4, 4, 5, 3, 1, 1);
    const ConvMistake m[] = {CONV_NO_BIAS, CONV_BIAS_PER_CIN, CONV_RIGHT};
    check_conv2d(&g, 0, 371, m);
}
END_TEST

/* The kernel covers the whole image: one output per (n, o), a dot product. */
START_TEST(test_conv2d_full_kernel)
{
    Conv2dGeom g = geom_basic(2, 3, 4, 5, 2, 4, 5);
    const ConvMistake m[] = {BIAS_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 381, m);
}
END_TEST

START_TEST(test_conv2d_dilation)
{
    Conv2dGeom g = geom_basic(1, 2, 9, 10, 2, 3, 3);
    g.dil_h = g.dil_w = 2;
    g.pad_h = g.pad_w = 2;
    const ConvMistake m[] = {BIAS_MISTAKES, CONV_DIL_IGNORED, PAD_MISTAKES,
                             CONV_RIGHT};
    check_conv2d(&g, 0, 391, m);
}
END_TEST

START_TEST(test_conv2d_groups)
{
    Conv2dGeom g = geom_basic(1, 4, 6, 6, 6, 3, 3);
    g.groups = 2;
    g.pad_h = g.pad_w = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, GROUP_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 401, m);
}
END_TEST

/* Depthwise: one group per input channel, two filters each. */
START_TEST(test_conv2d_depthwise)
{
    Conv2dGeom g = geom_basic(1, 3, 5, 7, 6, 3, 3);
    g.groups = 3;
    g.pad_h = g.pad_w = 1;
    const ConvMistake m[] = {BIAS_MISTAKES, GROUP_MISTAKES, CONV_RIGHT};
    check_conv2d(&g, 0, 411, m);
}
END_TEST

GRADED_SUITE(conv2d_suite, "conv2d_forward",
    GRADED(test_conv2d_basic, 5, "conv2d_forward: 2->3 channels, 5x6 input, 3x3 kernel, bias"),
    GRADED(test_conv2d_no_bias, 3, "conv2d_forward: bias = NULL, 2x3 kernel"),
    GRADED(test_conv2d_pad1, 4, "conv2d_forward: padding 1"),
    GRADED(test_conv2d_pad2, 3, "conv2d_forward: padding (2, 1), 5x3 kernel"),
    GRADED(test_conv2d_stride2, 4, "conv2d_forward: stride 2, padding 1"),
    GRADED(test_conv2d_stride3, 3, "conv2d_forward: stride (3, 2)"),
    GRADED(test_conv2d_batch, 4, "conv2d_forward: batch of 3, non-square input and kernel"),
    GRADED(test_conv2d_1x1, 3, "conv2d_forward: 1x1 kernel"),
    GRADED(test_conv2d_full_kernel, 2, "conv2d_forward: kernel as large as the input"));

GRADED_SUITE(conv2d_variants_suite, "conv2d_forward dilation and groups",
    GRADED(test_conv2d_dilation, 3, "conv2d_forward: dilation 2, padding 2"),
    GRADED(test_conv2d_groups, 3, "conv2d_forward: groups 2, 4->6 channels"),
    GRADED(test_conv2d_depthwise, 3, "conv2d_forward: depthwise, groups = c_in = 3, 6 filters"));

/* test4_conv2d.c: conv2d_forward, eqs. (1.5) and (1.6). Each test draws x, w
 * and b at random from its own seed and compares y with the double-precision
 * reference of oracle_01.c, which also names the mistake when it recognises
 * the output. Before each call the test checks the output size the code
 * under test gives (conv2d_out_h/w, from your conv_out_size); after it,
 * that nothing was written past y, that the inputs are unchanged and that
 * nothing was allocated. */
#include "grade.h"
#include "oracle_01.h"

/* clause: fwd-formula */
/* clause: fwd-bias */
/* clause: layout */
/* clause: fwd-shape */
/* clause: geom-out-size */
/* clause: inputs-read-only */
START_TEST(test_conv2d_basic)
{
    Conv2dGeom g = geom_basic(1, 2, 5, 6, 3, 3, 3);
    check_conv2d(&g, 0, 301);
}
END_TEST

/* clause: fwd-bias-null */
START_TEST(test_conv2d_no_bias)
{
    Conv2dGeom g = geom_basic(1, 3, 6, 5, 2, 2, 3);
    check_conv2d(&g, 1, 311);
}
END_TEST

/* clause: fwd-zero-pad */
/* clause: fwd-taps-inside */
START_TEST(test_conv2d_pad1)
{
    Conv2dGeom g = geom_basic(1, 2, 6, 7, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv2d(&g, 0, 321);
}
END_TEST

/* Padding 2 rows and 1 column around a 5x3 kernel. */
/* clause: fwd-zero-pad */
/* clause: fwd-hw */
START_TEST(test_conv2d_pad2)
{
    Conv2dGeom g = geom_basic(1, 2, 5, 6, 2, 5, 3);
    g.pad_h = 2;
    g.pad_w = 1;
    check_conv2d(&g, 0, 331);
}
END_TEST

/* clause: fwd-formula */
START_TEST(test_conv2d_stride2)
{
    Conv2dGeom g = geom_basic(1, 2, 9, 8, 3, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    check_conv2d(&g, 0, 341);
}
END_TEST

/* Stride 3 down, 2 across, no padding: the last rows of x are never read. */
/* clause: fwd-hw */
START_TEST(test_conv2d_stride3)
{
    Conv2dGeom g = geom_basic(1, 2, 11, 10, 2, 3, 2);
    g.stride_h = 3;
    g.stride_w = 2;
    check_conv2d(&g, 0, 351);
}
END_TEST

/* clause: layout */
START_TEST(test_conv2d_batch)
{
    Conv2dGeom g = geom_basic(3, 3, 7, 5, 4, 3, 2);
    g.pad_h = 1;
    check_conv2d(&g, 0, 361);
}
END_TEST

/* clause: fwd-bias */
START_TEST(test_conv2d_1x1)
{
    Conv2dGeom g = geom_basic(2, 4, 4, 5, 3, 1, 1);
    check_conv2d(&g, 0, 371);
}
END_TEST

/* The kernel covers the whole image: one output per (n, o), a dot product. */
/* clause: pre-fwd-nonempty */
START_TEST(test_conv2d_full_kernel)
{
    Conv2dGeom g = geom_basic(2, 3, 4, 5, 2, 4, 5);
    check_conv2d(&g, 0, 381);
}
END_TEST

/* clause: fwd-formula */
START_TEST(test_conv2d_dilation)
{
    Conv2dGeom g = geom_basic(1, 2, 9, 10, 2, 3, 3);
    g.dil_h = g.dil_w = 2;
    g.pad_h = g.pad_w = 2;
    check_conv2d(&g, 0, 391);
}
END_TEST

/* clause: fwd-groups */
START_TEST(test_conv2d_groups)
{
    Conv2dGeom g = geom_basic(1, 4, 6, 6, 6, 3, 3);
    g.groups = 2;
    g.pad_h = g.pad_w = 1;
    check_conv2d(&g, 0, 401);
}
END_TEST

/* Depthwise: one group per input channel, two filters each. */
/* clause: fwd-groups */
START_TEST(test_conv2d_depthwise)
{
    Conv2dGeom g = geom_basic(1, 3, 5, 7, 6, 3, 3);
    g.groups = 3;
    g.pad_h = g.pad_w = 1;
    check_conv2d(&g, 0, 411);
}
END_TEST

GRADED_SUITE(conv2d_suite, "conv2d_forward",
    GRADED(test_conv2d_basic, 5, "conv2d_forward: 2->3 channels, 5x6 input, 3x3 kernel, bias"),
    GRADED(test_conv2d_no_bias, 2, "conv2d_forward: bias = NULL, 2x3 kernel"),
    GRADED(test_conv2d_pad1, 2, "conv2d_forward: padding 1"),
    GRADED(test_conv2d_pad2, 2, "conv2d_forward: padding (2, 1), 5x3 kernel"),
    GRADED(test_conv2d_stride2, 2, "conv2d_forward: stride 2, padding 1"),
    GRADED(test_conv2d_stride3, 2, "conv2d_forward: stride (3, 2)"),
    GRADED(test_conv2d_batch, 2, "conv2d_forward: batch of 3, non-square input and kernel"),
    GRADED(test_conv2d_1x1, 2, "conv2d_forward: 1x1 kernel"),
    GRADED(test_conv2d_full_kernel, 2, "conv2d_forward: kernel as large as the input"));

GRADED_SUITE(conv2d_variants_suite, "conv2d_forward dilation and groups",
    GRADED(test_conv2d_dilation, 2, "conv2d_forward: dilation 2, padding 2"),
    GRADED(test_conv2d_groups, 2, "conv2d_forward: groups 2, 4->6 channels"),
    GRADED(test_conv2d_depthwise, 2, "conv2d_forward: depthwise, groups = c_in = 3, 6 filters"));

/* test5_sweeps.c: conv2d_forward with each geometry argument swept on its
 * own, the others left at their defaults, along height and along width in
 * turn (so each pair is tried with h > w and h < w), and a case computed
 * exactly. Several geometries in one test also show a function that keeps
 * state from one call to the next. */
#include <stdlib.h>

#include "grade.h"
#include "oracle_01.h"

/* kh = 1 .. 4 with kw = 2, then kw = 1 .. 4 with kh = 2; N = 2. */
/* clause: fwd-formula */
/* clause: fwd-hw */
/* clause: no-state */
START_TEST(test_sweep_kernel)
{
    for (int k = 1; k <= 4; k++) {
        Conv2dGeom g = geom_basic(2, 2, 7, 8, 3, k, 2);
        check_conv2d(&g, 0, 500 + (unsigned)k);
        g = geom_basic(2, 2, 7, 8, 3, 2, k);
        check_conv2d(&g, 0, 510 + (unsigned)k);
    }
}
END_TEST

/* stride_h = 1 .. 4 with stride_w = 1, then the other way round. */
/* clause: fwd-formula */
/* clause: fwd-hw */
/* clause: no-state */
START_TEST(test_sweep_stride)
{
    for (int s = 1; s <= 4; s++) {
        Conv2dGeom g = geom_basic(2, 2, 9, 10, 2, 3, 3);
        g.stride_h = s;
        check_conv2d(&g, 0, 520 + (unsigned)s);
        g = geom_basic(2, 2, 9, 10, 2, 3, 3);
        g.stride_w = s;
        check_conv2d(&g, 0, 530 + (unsigned)s);
    }
}
END_TEST

/* pad_h = 0 .. 3 with pad_w = 0, then the other way round (3 is more than
 * a 3x3 kernel reaches: the border outputs see padding only); then 1x1
 * kernels with padding, whose border outputs are the bias alone. */
/* clause: fwd-zero-pad */
/* clause: fwd-hw */
/* clause: fwd-taps-inside */
START_TEST(test_sweep_padding)
{
    for (int p = 0; p <= 3; p++) {
        Conv2dGeom g = geom_basic(2, 2, 5, 6, 2, 3, 3);
        g.pad_h = p;
        check_conv2d(&g, 0, 540 + (unsigned)p);
        g = geom_basic(2, 2, 5, 6, 2, 3, 3);
        g.pad_w = p;
        check_conv2d(&g, 0, 550 + (unsigned)p);
    }
    Conv2dGeom g = geom_basic(2, 3, 4, 5, 2, 1, 1);
    g.pad_h = 1;
    g.pad_w = 2;
    check_conv2d(&g, 0, 561);
    g.pad_h = 2;
    g.pad_w = 0;
    check_conv2d(&g, 0, 562);
}
END_TEST

/* dil_h = 1 .. 3 with dil_w = 1, then the other way round. */
/* clause: fwd-formula */
/* clause: fwd-hw */
START_TEST(test_sweep_dilation)
{
    for (int d = 1; d <= 3; d++) {
        Conv2dGeom g = geom_basic(2, 2, 9, 8, 2, 3, 3);
        g.dil_h = d;
        check_conv2d(&g, 0, 570 + (unsigned)d);
        g = geom_basic(2, 2, 8, 9, 2, 3, 3);
        g.dil_w = d;
        check_conv2d(&g, 0, 580 + (unsigned)d);
    }
}
END_TEST

/* groups = 1, 2, 3, 6 on 6 -> 6 channels with a batch of 2; groups 2 on
 * 4 -> 6 channels; a 1x1 kernel with 3 groups (6 -> 3 channels). */
/* clause: fwd-groups */
/* clause: pre-count-groups */
START_TEST(test_sweep_groups)
{
    const int groups[] = {1, 2, 3, 6};
    for (int k = 0; k < 4; k++) {
        Conv2dGeom g = geom_basic(2, 6, 5, 6, 6, 3, 3);
        g.groups = groups[k];
        g.pad_h = g.pad_w = 1;
        check_conv2d(&g, 0, 590 + (unsigned)k);
    }
    Conv2dGeom g = geom_basic(2, 4, 5, 4, 6, 3, 2);
    g.groups = 2;
    check_conv2d(&g, 0, 595);
    g = geom_basic(2, 6, 4, 5, 3, 1, 1);
    g.groups = 3;
    check_conv2d(&g, 0, 596);
}
END_TEST

/* Small integers, so that every float sum is exact in any order: channel 0
 * is a ramp x = r + 2q read by a Sobel kernel (the result is the constant
 * 16 away from the border), channel 1 a constant read by a zero-sum
 * Laplacian (exactly 0 away from the border, and non-zero on it only
 * because the padding is zeros, not copies of the border). No bias. */
/* clause: fwd-zero-pad */
/* clause: fwd-bias-null */
START_TEST(test_conv2d_exact)
{
    Conv2dGeom g = geom_basic(1, 2, 6, 7, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    float x[2 * 6 * 7], w[2 * 2 * 3 * 3];
    for (int r = 0; r < 6; r++)
        for (int q = 0; q < 7; q++) {
            x[r * 7 + q] = (float)(r + 2 * q);
            x[42 + r * 7 + q] = 3.0f;
        }
    static const float sobel[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    static const float laplace[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
    for (int t = 0; t < 9; t++) {
        w[t] = sobel[t];       /* o = 0, c = 0 */
        w[9 + t] = 0.0f;       /* o = 0, c = 1 */
        w[18 + t] = 0.0f;      /* o = 1, c = 0 */
        w[27 + t] = laplace[t]; /* o = 1, c = 1 */
    }
    check_conv2d_data(&g, x, w, NULL, "x: ramp and constant, w: Sobel and Laplacian");
}
END_TEST

GRADED_SUITE(conv2d_sweeps_suite, "conv2d_forward, one argument at a time",
    GRADED(test_sweep_kernel, 3, "conv2d_forward: kernel 1..4 x 2 and 2 x 1..4, batch of 2"),
    GRADED(test_sweep_stride, 3, "conv2d_forward: stride (1..4, 1) and (1, 1..4)"),
    GRADED(test_sweep_padding, 3, "conv2d_forward: padding (0..3, 0) and (0, 0..3), 1x1 kernels padded"),
    GRADED(test_sweep_dilation, 3, "conv2d_forward: dilation (1..3, 1) and (1, 1..3)"),
    GRADED(test_sweep_groups, 3, "conv2d_forward: groups 1, 2, 3, 6 with a batch of 2, 1x1 grouped"),
    GRADED(test_conv2d_exact, 2, "conv2d_forward: exact integer sums, zero padding vs border"));

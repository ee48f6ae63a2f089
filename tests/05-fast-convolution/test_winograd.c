/* test_winograd.c: Winograd's F(2x2,3x3) and F(4x4,3x3), eqs. (5.20)-(5.32):
 * the three transforms against the oracle's own matrices, the layers
 * against the double-precision sum of eq. (1.6). Every input is random from
 * a fixed seed. */
#include <stdint.h>
#include <stdio.h>

#include "grade.h"
#include "oracle_05b.h"

/* The mistakes any Winograd layer test offers as hints. */
#define WINO_MISTAKES CM_WINO_BT_SIGN, CM_WINO_G_HALF, CM_WINO_AT_SIGN, \
                      CM_FLIP, CM_NO_BIAS

/* clause: wino_filter */
START_TEST(test_wino_filter)
{
    ob_wino_self_check(2);
    check_wino_transform(0, 6, 5101);
}
END_TEST

/* clause: wino_input */
START_TEST(test_wino_input)
{
    check_wino_transform(1, 6, 5111);
}
END_TEST

/* clause: wino_output */
START_TEST(test_wino_output)
{
    check_wino_transform(2, 6, 5121);
}
END_TEST

/* clause: wino_conv_value, wino_conv_returns0 */
START_TEST(test_wino_basic)
{
    /* 6x8 input, no padding: a 4x6 output, exactly 2x3 tiles. */
    Conv2dGeom g = bgeom(1, 2, 6, 8, 3, 3, 3);
    const ConvMistake05 m[] = {WINO_MISTAKES, CM_RIGHT};
    check_fast_conv(ALG_WINO2, &g, 0, 5201, m);
}
END_TEST

/* clause: wino_conv_padding, wino_conv_tiles, wino_conv_ws */
START_TEST(test_wino_padding)
{
    /* Padding 0 .. 3 on its own along each axis, and (2, 1) and (1, 2):
     * odd and even sizes, so the last row or column of tiles is partial. */
    static const int pads[][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {1, 0},
                                  {0, 3}, {2, 1}, {1, 2}};
    const ConvMistake05 m[] = {WINO_MISTAKES, CM_PAD_IGNORED, CM_RIGHT};
    for (int t = 0; t < (int)(sizeof pads / sizeof pads[0]); t++) {
        Conv2dGeom g = bgeom(1, 2, 5 + t % 3, 7 - t % 2, 2, 3, 3);
        g.pad_h = pads[t][0];
        g.pad_w = pads[t][1];
        check_fast_conv(ALG_WINO2, &g, 0, 5211 + 10 * t, m);
    }
}
END_TEST

/* clause: wino_conv_batch, wino_conv_bias_null */
START_TEST(test_wino_batch)
{
    Conv2dGeom g = bgeom(3, 4, 7, 9, 5, 3, 3);
    g.pad_h = g.pad_w = 1;
    const ConvMistake05 m[] = {CM_WINO_BT_SIGN, CM_WINO_G_HALF, CM_WINO_AT_SIGN,
                               CM_FLIP, CM_PAD_IGNORED, CM_RIGHT};
    check_fast_conv(ALG_WINO2, &g, 1, 5301, m);
    /* More tiles than one block of the reference (WINO_TILE_BLOCK). */
    Conv2dGeom big = bgeom(2, 3, 21, 19, 2, 3, 3);
    big.pad_h = 1;
    check_fast_conv(ALG_WINO2, &big, 0, 5311, m);
}
END_TEST

/* clause: wino_conv_unsupported */
START_TEST(test_wino_rejects)
{
    Conv2dGeom ok = bgeom(1, 1, 4, 4, 1, 3, 3);
    Conv2dGeom k5 = bgeom(1, 1, 6, 6, 1, 5, 5);
    Conv2dGeom k3x1 = bgeom(1, 1, 6, 6, 1, 3, 1);
    Conv2dGeom s2 = ok;
    s2.stride_h = 2;
    Conv2dGeom d2 = bgeom(1, 1, 6, 6, 1, 3, 3);
    d2.dil_w = 2;
    Conv2dGeom g2 = bgeom(1, 2, 4, 4, 2, 3, 3);
    g2.groups = 2;
    check_fast_conv_rejects(ALG_WINO2, &k5, "a 5x5 kernel is not 3x3");
    check_fast_conv_rejects(ALG_WINO2, &k3x1, "a 3x1 kernel is not 3x3");
    check_fast_conv_rejects(ALG_WINO2, &s2, "stride 2 is not stride 1");
    check_fast_conv_rejects(ALG_WINO2, &d2, "dilation 2 is not 1");
    check_fast_conv_rejects(ALG_WINO2, &g2, "groups 2 is not 1");
    check_fast_conv_rejects(ALG_WINO4, &s2, "stride 2 is not stride 1");
    const ConvMistake05 m[] = {WINO_MISTAKES, CM_RIGHT};
    check_fast_conv(ALG_WINO2, &ok, 0, 5401, m); /* and a layer it computes */
}
END_TEST

/* clause: wino4_conv_value, wino4_unsupported */
START_TEST(test_wino4)
{
    /* Exact tiles, then partial ones with padding (2, 1), and a batch. */
    Conv2dGeom a = bgeom(1, 2, 10, 6, 3, 3, 3);
    Conv2dGeom b = bgeom(2, 3, 9, 11, 2, 3, 3);
    b.pad_h = 2;
    b.pad_w = 1;
    const ConvMistake05 m[] = {CM_FLIP, CM_NO_BIAS, CM_PAD_IGNORED, CM_RIGHT};
    check_fast_conv(ALG_WINO4, &a, 0, 5501, m);
    check_fast_conv(ALG_WINO4, &b, 1, 5511, m);
    Conv2dGeom k5 = bgeom(1, 1, 8, 8, 1, 5, 5);
    check_fast_conv_rejects(ALG_WINO4, &k5, "a 5x5 kernel is not 3x3");
}
END_TEST

/* clause: wino_mults */
START_TEST(test_wino_mults)
{
    /* VGG conv1_2 on a batch of 32: 64 -> 64 channels, 224x224, pad 1.
     * F(2x2): 32*64*64*112*112*16 = 26,306,674,688 multiplications,
     * past 2^31; F(4x4): 32*64*64*56*56*36 = 14,797,504,512. */
    Conv2dGeom vgg = bgeom(32, 64, 224, 224, 64, 3, 3);
    vgg.pad_h = vgg.pad_w = 1;
    static const long long want[2] = {26306674688LL, 14797504512LL};
    for (int k = 0; k < 2; k++) {
        const int m = 2 + 2 * k;
        const long long got = winograd_mults(&vgg, m);
        /* what the product gives when it wraps around in 32-bit int */
        const long long wrapped = (long long)(int32_t)(uint32_t)(uint64_t)want[k];
        char what[80];
        snprintf(what, sizeof what, "winograd_mults(VGG conv1_2, N=32, m=%d)", m);
        grade_expect_int(what, got, want[k],
                         got == wrapped ? "the count overflowed int: multiply "
                                          "in long long (cast the first factor)."
                                        : NULL);
    }
    /* 5x7 output with no padding: ceil(5/2) * ceil(7/2) = 12 tiles of 16. */
    Conv2dGeom odd = bgeom(1, 2, 7, 9, 3, 3, 3);
    grade_expect_int("winograd_mults(N=1 C_in=2 7x9, C_out=3, m=2)",
                     winograd_mults(&odd, 2), 1LL * 3 * 2 * 12 * 16,
                     "a partial tile is a whole tile: ceil(OH/m) * ceil(OW/m) "
                     "tiles, eq. (5.29).");
    grade_expect_int("winograd_mults(N=1 C_in=2 7x9, C_out=3, m=4)",
                     winograd_mults(&odd, 4), 1LL * 3 * 2 * 4 * 36,
                     "a partial tile is a whole tile: ceil(OH/m) * ceil(OW/m) "
                     "tiles, eq. (5.29).");
}
END_TEST

GRADED_SUITE(wino_suite, "winograd",
    GRADED(test_wino_filter, 2, "winograd_filter_transform: u = G g G^T"),
    GRADED(test_wino_input, 1, "winograd_input_transform: v = B^T d B"),
    GRADED(test_wino_output, 1, "winograd_output_transform: y = A^T m A"),
    GRADED(test_wino_basic, 2, "conv2d_forward_winograd: 2->3 channels, exact 2x2 tiles, bias"),
    GRADED(test_wino_padding, 2, "conv2d_forward_winograd: padding 0..3, partial edge tiles"),
    GRADED(test_wino_batch, 2, "conv2d_forward_winograd: batch, channels, bias = NULL, many tiles"),
    GRADED(test_wino_rejects, 1, "conv2d_forward_winograd: returns -1 for layers it cannot compute"),
    GRADED(test_wino4, 1, "conv2d_forward_winograd4: F(4x4,3x3), tolerance 1e-3"),
    GRADED(test_wino_mults, 1, "winograd_mults: counts past 2^31, partial tiles"));

/* hidden_b.c: chapter 05 tests of Winograd, FFT and int8 left out of the
 * student handout: other seeds and shapes, and corner cases the visible
 * tests do not show. */
#include <stdlib.h>

#include "grade.h"
#include "../oracle_05b.h"

/* Padding wider than the kernel's reach, a 1x1 image, many channels. */
START_TEST(test_h_wino_shapes)
{
    const ConvMistake05 m[] = {CM_WINO_BT_SIGN, CM_WINO_G_HALF, CM_WINO_AT_SIGN,
                               CM_FLIP, CM_NO_BIAS, CM_PAD_IGNORED, CM_RIGHT};
    Conv2dGeom wide = bgeom(1, 2, 2, 3, 2, 3, 3);
    wide.pad_h = 3;
    wide.pad_w = 2;
    check_fast_conv(ALG_WINO2, &wide, 0, 15101, m);
    Conv2dGeom one = bgeom(2, 1, 1, 1, 3, 3, 3);
    one.pad_h = one.pad_w = 1;
    check_fast_conv(ALG_WINO2, &one, 0, 15111, m);
    Conv2dGeom deep = bgeom(1, 16, 5, 6, 9, 3, 3);
    deep.pad_h = 1;
    check_fast_conv(ALG_WINO2, &deep, 1, 15121, m);
}
END_TEST

START_TEST(test_h_wino4_shapes)
{
    const ConvMistake05 m[] = {CM_FLIP, CM_NO_BIAS, CM_PAD_IGNORED, CM_RIGHT};
    Conv2dGeom wide = bgeom(1, 2, 3, 2, 2, 3, 3);
    wide.pad_h = 2;
    wide.pad_w = 3;
    check_fast_conv(ALG_WINO4, &wide, 0, 15201, m);
    Conv2dGeom many = bgeom(2, 5, 17, 13, 4, 3, 3);
    many.pad_h = many.pad_w = 1;
    check_fast_conv(ALG_WINO4, &many, 0, 15211, m);
}
END_TEST

START_TEST(test_h_wino_transforms)
{
    check_wino_transform(0, 20, 15301);
    check_wino_transform(1, 20, 15311);
    check_wino_transform(2, 20, 15321);
}
END_TEST

START_TEST(test_h_wino_mults)
{
    Conv2dGeom g = bgeom(5, 7, 3, 4, 6, 3, 3); /* 1x2 output: 1 tile */
    grade_expect_int("winograd_mults(N=5 C_in=7 3x4, C_out=6, m=2)",
                     winograd_mults(&g, 2), 5LL * 6 * 7 * 1 * 16, NULL);
    g.pad_h = 3; /* 7x2 output: 4x1 tiles of 2, 2x1 of 4 */
    grade_expect_int("winograd_mults(N=5 C_in=7 3x4 pad (3,0), C_out=6, m=2)",
                     winograd_mults(&g, 2), 5LL * 6 * 7 * 4 * 16, NULL);
    grade_expect_int("winograd_mults(N=5 C_in=7 3x4 pad (3,0), C_out=6, m=4)",
                     winograd_mults(&g, 4), 5LL * 6 * 7 * 2 * 36, NULL);
}
END_TEST

START_TEST(test_h_fft_long)
{
    static const int ns[] = {512, 1024};
    check_fft_1d(ns, 2, 0, 16101);
    check_fft_1d(ns, 2, 1, 16111);
    check_fft_2d(32, 16, 1, 16121);
}
END_TEST

START_TEST(test_h_fft_conv_edges)
{
    const ConvMistake05 m[] = {CM_FFT_NO_CONJ, CM_FFT_WRAP, CM_FLIP,
                               CM_NO_BIAS, CM_PAD_IGNORED, CM_RIGHT};
    /* Padding wider than the kernel: more output rows than the period P. */
    Conv2dGeom wide = bgeom(1, 1, 4, 5, 2, 2, 2);
    wide.pad_h = 3;
    wide.pad_w = 2;
    check_fast_conv(ALG_FFT, &wide, 0, 16201, m);
    /* The kernel as large as the image: one output. */
    Conv2dGeom full = bgeom(2, 2, 8, 8, 3, 8, 8);
    check_fast_conv(ALG_FFT, &full, 0, 16211, m);
    /* Sizes far from powers of two, a 7x5 kernel. */
    Conv2dGeom odd = bgeom(1, 3, 13, 11, 2, 7, 5);
    odd.pad_h = 3;
    odd.pad_w = 2;
    check_fast_conv(ALG_FFT, &odd, 0, 16221, m);
    /* Dilation, groups and batch together. */
    Conv2dGeom mix = bgeom(2, 4, 9, 12, 6, 3, 2);
    mix.dil_h = 2;
    mix.dil_w = 3;
    mix.groups = 2;
    mix.pad_h = 2;
    check_fast_conv(ALG_FFT, &mix, 1, 16231, m);
}
END_TEST

START_TEST(test_h_int8_quantize)
{
    static const float x[] = {-0.375f, -0.125f, 0.125f, 0.375f, -31.875f,
                              -32.125f, 31.875f, 32.125f, -0.0f, 5.0f};
    check_quantize(x, sizeof x / sizeof x[0], 0.25f,
                   "negative ties, -128 and 127 at the edges");
    Conv2dGeom g = bgeom(1, 2, 4, 4, 5, 3, 1);
    check_quantize_weights(&g, 17101);
    const float v[] = {-0.01f, 0.005f, -0.0125f};
    check_quant_scale(v, 3, "small values, the largest negative");
}
END_TEST

START_TEST(test_h_int8_conv)
{
    Conv2dGeom a = bgeom(2, 8, 7, 5, 3, 5, 5);
    a.pad_h = 2;
    a.pad_w = 2;
    check_int8_conv(&a, 0, 17201);
    Conv2dGeom b = bgeom(1, 4, 12, 9, 8, 3, 3);
    b.groups = 4;
    b.stride_h = 2;
    b.dil_w = 2;
    b.pad_w = 2;
    check_int8_conv(&b, 1, 17211);
    Conv2dGeom c = bgeom(1, 70, 9, 9, 5, 3, 3); /* more than 64 positions */
    c.pad_h = c.pad_w = 1;
    check_int8_conv(&c, 0, 17221);
    /* 512 channels, 40 rows: more rows than one block of the reference. */
    Conv2dGeom d = bgeom(1, 512, 40, 12, 2, 3, 3);
    d.pad_h = 1;
    check_int8_conv(&d, 0, 17231);
}
END_TEST

START_TEST(test_h_int8_hook)
{
    Conv2dGeom g = bgeom(2, 3, 8, 8, 4, 5, 5);
    g.pad_h = g.pad_w = 2;
    check_int8_hook(&g, 17301);
}
END_TEST

GRADED_SUITE(hidden_b_suite, "winograd, fft, int8 (hidden)",
    GRADED(test_h_wino_shapes, 1, "conv2d_forward_winograd: wide padding, 1x1 image, 16 channels"),
    GRADED(test_h_wino4_shapes, 1, "conv2d_forward_winograd4: wide padding, batch, odd sizes"),
    GRADED(test_h_wino_transforms, 1, "winograd transforms: 20 more random tiles each"),
    GRADED(test_h_wino_mults, 1, "winograd_mults: tiny outputs, wide padding"),
    GRADED(test_h_fft_long, 1, "fft_radix2 / fft2d: n = 512, 1024; 32x16 inverse"),
    GRADED(test_h_fft_conv_edges, 2, "conv2d_forward_fft: padding > kernel, kernel = image, odd sizes, dilation+groups"),
    GRADED(test_h_int8_quantize, 1, "quantize_int8: negative ties, edges; weights with a 3x1 kernel"),
    GRADED(test_h_int8_conv, 1, "conv2d_forward_int8: 5x5, groups 4 with stride and dilation, 512 channels"),
    GRADED(test_h_int8_hook, 1, "conv2d_forward_int8_f32: the chapter 06 call"));

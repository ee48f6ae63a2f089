/* test_fft.c: the radix-2 FFT against the naive DFT sum in double,
 * eqs. (5.33)-(5.35) and (5.39), and FFT convolution against the double sum
 * of eq. (1.6), eqs. (5.36)-(5.40). Every input is random from a fixed
 * seed. */
#include "grade.h"
#include "oracle_05b.h"

#define FFT_MISTAKES CM_FFT_NO_CONJ, CM_FFT_WRAP, CM_FLIP, CM_NO_BIAS, \
                     CM_PAD_IGNORED

/* clause: fft_forward, fft_n1, fft_no_alloc */
START_TEST(test_fft_forward)
{
    static const int ns[] = {1, 2, 4, 8, 16, 32, 64, 256};
    check_fft_1d(ns, (int)(sizeof ns / sizeof ns[0]), 0, 6101);
}
END_TEST

/* clause: fft_inverse */
START_TEST(test_fft_inverse)
{
    static const int ns[] = {1, 2, 8, 64, 128};
    check_fft_1d(ns, (int)(sizeof ns / sizeof ns[0]), 1, 6201);
}
END_TEST

/* clause: fft2d_forward, fft2d_inverse, fft2d_col */
START_TEST(test_fft2d)
{
    check_fft_2d(4, 8, 0, 6301);  /* p < q */
    check_fft_2d(16, 2, 0, 6311); /* p > q */
    check_fft_2d(8, 4, 1, 6321);
    check_fft_2d(1, 8, 0, 6331); /* one row: just the 1-D transform */
}
END_TEST

/* clause: fft_conv_value, fft_conv_returns0 */
START_TEST(test_fft_conv_basic)
{
    Conv2dGeom g = bgeom(1, 2, 6, 7, 3, 3, 3);
    g.pad_h = g.pad_w = 1;
    const ConvMistake05 m[] = {FFT_MISTAKES, CM_RIGHT};
    check_fast_conv(ALG_FFT, &g, 0, 6401, m);
}
END_TEST

/* clause: fft_conv_kernels, fft_conv_padding, fft_conv_dilation */
/* clause: fft_conv_groups, fft_conv_ws */
START_TEST(test_fft_conv_sweep)
{
    const ConvMistake05 m[] = {FFT_MISTAKES, CM_RIGHT};
    /* Kernel sizes 1..5 with KH > KW and KH < KW. */
    static const int ks[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5},
                                {5, 2}, {1, 4}};
    for (int t = 0; t < (int)(sizeof ks / sizeof ks[0]); t++) {
        Conv2dGeom g = bgeom(1, 2, 8, 9, 2, ks[t][0], ks[t][1]);
        check_fast_conv(ALG_FFT, &g, 0, 6501 + 10 * t, m);
    }
    /* Padding 0..3 on each axis alone, pad_h > pad_w and pad_h < pad_w, and
     * a 1x1 kernel with padding. */
    static const int pads[][2] = {{1, 0}, {2, 0}, {3, 0}, {0, 1}, {0, 3},
                                  {3, 1}, {1, 2}};
    for (int t = 0; t < (int)(sizeof pads / sizeof pads[0]); t++) {
        Conv2dGeom g = bgeom(1, 2, 8, 6, 2, 3, 2);
        g.pad_h = pads[t][0];
        g.pad_w = pads[t][1];
        check_fast_conv(ALG_FFT, &g, 0, 6601 + 10 * t, m);
    }
    Conv2dGeom one = bgeom(1, 3, 5, 4, 2, 1, 1);
    one.pad_h = 2;
    one.pad_w = 1;
    check_fast_conv(ALG_FFT, &one, 0, 6701, m);
    /* Dilation 2 and 3 on each axis alone, and (2, 3). */
    static const int dils[][2] = {{2, 1}, {3, 1}, {1, 2}, {1, 3}, {2, 3}};
    for (int t = 0; t < (int)(sizeof dils / sizeof dils[0]); t++) {
        Conv2dGeom g = bgeom(1, 2, 11, 10, 2, 3, 3);
        g.dil_h = dils[t][0];
        g.dil_w = dils[t][1];
        g.pad_h = g.pad_w = 1;
        check_fast_conv(ALG_FFT, &g, 0, 6801 + 10 * t, m);
    }
    /* Groups 2 and 3 (depthwise). */
    for (int groups = 2; groups <= 3; groups++) {
        Conv2dGeom g = bgeom(1, 6, 6, 7, 6, 3, 3);
        g.groups = groups;
        g.pad_h = g.pad_w = 1;
        check_fast_conv(ALG_FFT, &g, 0, 6901 + 10 * groups, m);
    }
}
END_TEST

/* clause: fft_conv_batch, fft_conv_bias_null, fft_conv_unsupported */
START_TEST(test_fft_conv_batch)
{
    Conv2dGeom g = bgeom(3, 3, 8, 8, 4, 3, 3);
    g.pad_h = g.pad_w = 2;
    const ConvMistake05 m[] = {CM_FFT_NO_CONJ, CM_FFT_WRAP, CM_FLIP,
                               CM_PAD_IGNORED, CM_RIGHT};
    check_fast_conv(ALG_FFT, &g, 1, 7001, m);
    Conv2dGeom s2 = bgeom(1, 1, 8, 8, 1, 3, 3);
    s2.stride_w = 2;
    check_fast_conv_rejects(ALG_FFT, &s2, "stride (1, 2) is not stride 1");
}
END_TEST

GRADED_SUITE(fft_suite, "fft",
    GRADED(test_fft_forward, 2, "fft_radix2: forward, n = 1 .. 256, against the DFT"),
    GRADED(test_fft_inverse, 1, "fft_radix2: inverse, scaled by 1/n"),
    GRADED(test_fft2d, 1, "fft2d: rows then columns, p != q, forward and inverse"),
    GRADED(test_fft_conv_basic, 2, "conv2d_forward_fft: 2->3 channels, 3x3, padding 1, bias"),
    GRADED(test_fft_conv_sweep, 2, "conv2d_forward_fft: kernels 1..5, padding 0..3, dilation, groups"),
    GRADED(test_fft_conv_batch, 1, "conv2d_forward_fft: batch, bias = NULL; -1 for stride 2"));

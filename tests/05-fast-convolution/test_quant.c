/* test_quant.c: int8 quantization, eqs. (5.43)-(5.46): the scale, rounding
 * (ties to even) and saturation edge cases, per-channel weights, and the
 * int8 layer against the exact integer sum. */
#include <stdlib.h>

#include "grade.h"
#include "oracle_05b.h"

/* clause: int8_scale_max, int8_scale_zero */
START_TEST(test_int8_scale)
{
    const float v[] = {0.5f, -2.54f, 1.0f, 0.25f};  /* largest |v| is negative */
    const float w[] = {0.1f, 0.2f, 0.3f, 1.27f};
    const float zeros[] = {0.0f, -0.0f, 0.0f};
    check_quant_scale(v, 4, "v = {0.5, -2.54, 1, 0.25}: max |v| = 2.54");
    check_quant_scale(w, 4, "v = {0.1, 0.2, 0.3, 1.27}: max |v| = 1.27");
    check_quant_scale(zeros, 3, "v all zero");
    check_quant_scale(zeros, 0, "n = 0");
}
END_TEST

/* clause: int8_quant_round, int8_quant_ties_even, int8_quant_saturate */
/* clause: int8_quant_minus128, int8_quant_division */
START_TEST(test_int8_quantize)
{
    /* scale 0.5: x / scale = 2x exactly, so the ties are exact ties. */
    static const float x[] = {
        0.0f, 0.2f, 0.3f, -0.3f,          /* 0, 0, 1, -1 */
        1.25f, 1.75f, -1.25f, -0.25f,     /* ties: 2, 4, -2, 0 */
        0.25f, 3.4f, 63.5f, 63.75f,       /* tie 0; 7; 127; 127.5 -> 127 */
        100.0f, -64.0f, -64.25f, -64.3f,  /* 127; -128; -128; -128 */
        -1000.0f, 1000.0f, -10.25f, 2.25f /* -128; 127; -20; 4 */
    };
    check_quantize(x, sizeof x / sizeof x[0], 0.5f,
                   "ties, values past 127 and -128, and -128 itself");
    /* A scale that is not a power of two: 1.55f / 0.1f rounds to 15 in
     * float, 1.55f * (1 / 0.1f) to 16. */
    static const float y[] = {1.55f, -1.55f, 1.95f, -1.95f, 0.04f, -12.7f};
    check_quantize(y, sizeof y / sizeof y[0], 0.1f,
                   "scale 0.1: x / scale, not x * (1 / scale)");
    float *r = ob_random(500, 7101, -3.0f, 3.0f);
    check_quantize(r, 500, 0.02f, "500 random values in [-3, 3): many saturate");
    free(r);
}
END_TEST

/* clause: int8_weights_per_channel */
START_TEST(test_int8_weights)
{
    Conv2dGeom g = bgeom(1, 3, 5, 5, 4, 3, 3);
    check_quantize_weights(&g, 7201);
    Conv2dGeom grp = bgeom(1, 4, 5, 5, 6, 2, 3);
    grp.groups = 2;
    check_quantize_weights(&grp, 7211);
}
END_TEST

/* clause: int8_conv_value, int8_conv_ws */
START_TEST(test_int8_conv_basic)
{
    Conv2dGeom g = bgeom(1, 3, 6, 7, 4, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_int8_conv(&g, 0, 7301);
    /* Rows of 14 outputs and 8 channels: the reference's direct path. */
    Conv2dGeom d = bgeom(2, 8, 9, 14, 6, 3, 3);
    d.pad_h = d.pad_w = 1;
    check_int8_conv(&d, 0, 7311);
}
END_TEST

/* clause: int8_conv_geometry, int8_conv_bias_null */
START_TEST(test_int8_conv_sweep)
{
    /* Stride, padding, dilation and groups 1..3, each alone and with
     * height != width both ways; a 1x1 kernel with padding; a batch. */
    static const int cases[][8] = {
        /* sh, sw, ph, pw, dh, dw, groups, kh*10+kw */
        {2, 1, 0, 0, 1, 1, 1, 33}, {1, 3, 0, 0, 1, 1, 1, 33},
        {3, 2, 1, 1, 1, 1, 1, 33}, {1, 1, 2, 0, 1, 1, 1, 33},
        {1, 1, 0, 3, 1, 1, 1, 33}, {1, 1, 1, 1, 2, 1, 1, 33},
        {1, 1, 1, 1, 1, 3, 1, 33}, {1, 1, 1, 1, 1, 1, 2, 33},
        {1, 1, 1, 1, 1, 1, 3, 33}, {1, 1, 2, 1, 1, 1, 1, 11},
        {1, 1, 0, 0, 1, 1, 1, 52}, {2, 2, 1, 2, 1, 1, 1, 24},
    };
    for (int t = 0; t < (int)(sizeof cases / sizeof cases[0]); t++) {
        const int *c = cases[t];
        Conv2dGeom g = bgeom(t % 3 == 0 ? 2 : 1, 6, 9, 10, 6, c[7] / 10, c[7] % 10);
        g.stride_h = c[0];
        g.stride_w = c[1];
        g.pad_h = c[2];
        g.pad_w = c[3];
        g.dil_h = c[4];
        g.dil_w = c[5];
        g.groups = c[6];
        check_int8_conv(&g, t % 2, 7401 + 10 * t);
    }
    /* Long rows (72 outputs: two blocks of 64), groups of 4 channels with a
     * 5x3 kernel, and 5 channels (not a multiple of 4) with a 1x1 kernel and
     * padding. */
    Conv2dGeom a = bgeom(1, 8, 6, 70, 5, 3, 3);
    a.pad_h = 1;
    a.pad_w = 2;
    check_int8_conv(&a, 0, 7501);
    Conv2dGeom b = bgeom(1, 8, 7, 20, 4, 5, 3);
    b.groups = 2;
    check_int8_conv(&b, 1, 7511);
    Conv2dGeom c = bgeom(2, 5, 4, 16, 3, 1, 1);
    c.pad_h = c.pad_w = 1;
    check_int8_conv(&c, 0, 7521);
}
END_TEST

/* clause: int8_conv_int32 */
START_TEST(test_int8_conv_int32)
{
    check_int8_conv_int32_limit();
}
END_TEST

GRADED_SUITE(int8_suite, "int8",
    GRADED(test_int8_scale, 1, "quant_scale: max |v| / 127, 1 for all zeros"),
    GRADED(test_int8_quantize, 2, "quantize_int8: ties to even, saturation, -128, x / scale"),
    GRADED(test_int8_weights, 1, "quantize_weights_int8: one scale per output channel"),
    GRADED(test_int8_conv_basic, 2, "conv2d_forward_int8: 3->4 and 8->6 channels, 3x3, padding 1, batch"),
    GRADED(test_int8_conv_sweep, 1, "conv2d_forward_int8: stride, padding, dilation, groups, 1x1, long rows"),
    GRADED(test_int8_conv_int32, 1, "conv2d_forward_int8: a sum of 131071 products near 2^31"));

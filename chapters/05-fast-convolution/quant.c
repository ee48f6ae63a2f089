/* quant.c: chapter 05, the exercises on int8 quantization. Implement the
 * functions marked TODO in the order they appear (the lesson's "Your turn"
 * section) and check each with `./build.sh check 05`. The contracts are in
 * quant.h; equation numbers refer to lesson.md. Nothing here allocates
 * memory. */
#include "quant.h"

#include <math.h>

/* >>> quant_todo */
/* The symmetric scale, eq. (5.43): max |v[i]| / 127, or 1 if all are 0. */
float quant_scale(const float *v, size_t n)
{
    /* TODO: the largest |v[i]| (fabsf), then the division in float. */
    (void)v;
    (void)n;
    return 0.0f;
}

/* q[i] = clamp(round(x[i] / scale), -128, 127), ties to even, eq. (5.43). */
void quantize_int8(const float *x, size_t n, float scale, int8_t *q)
{
    /* TODO: t = rintf(x[i] / scale) rounds to nearest, ties to even (roundf
     * rounds ties away from zero, (int) truncates: both are wrong here).
     * Clamp t to [-128, 127] while it is still a float (converting an
     * out-of-range float to an integer type is undefined behaviour), then
     * store (int8_t)t. */
    (void)x;
    (void)n;
    (void)scale;
    (void)q;
}

/* Per-output-channel weights, eq. (5.44). */
void quantize_weights_int8(const Conv2dGeom *g, const float *w, int8_t *wq,
                           float *w_scales)
{
    /* TODO: each output channel o owns per = (C_in/groups) * KH * KW
     * consecutive weights starting at w + o*per: w_scales[o] = quant_scale
     * of them, then quantize_int8 of them with that scale into wq + o*per. */
    (void)g;
    (void)w;
    (void)wq;
    (void)w_scales;
}
/* <<< quant_todo */

/* >>> quant_todo_conv */
/* The int8 layer, eq. (5.45). */
void conv2d_forward_int8(const Conv2dGeom *g, const int8_t *xq, float x_scale,
                         const int8_t *wq, const float *w_scales,
                         const float *bias, float *y, void *ws)
{
    /* TODO: the loops of chapter 01's conv2d_forward (stride, padding,
     * dilation, groups; taps outside the image add nothing), with
     *   int32_t acc += (int32_t)xq[...] * (int32_t)wq[...];
     * (an int8 or int16 accumulator overflows), then
     *   y[n][o][i][j] = (x_scale * w_scales[o]) * (float)acc + bias[o]
     * (no bias term when bias is NULL). You do not need ws. */
    (void)g;
    (void)xq;
    (void)x_scale;
    (void)wq;
    (void)w_scales;
    (void)bias;
    (void)y;
    (void)ws;
}
/* <<< quant_todo_conv */

/* quant.h: chapter 05, int8 quantized convolution: symmetric int8 weights
 * with one scale per output channel, symmetric int8 activations with one
 * scale per tensor, int32 accumulation, and the result scaled back to float.
 * The contract between the exercise skeleton
 * (chapters/05-fast-convolution/quant.c), the reference solution and the
 * tests. Equation numbers refer to chapters/05-fast-convolution/lesson.md.
 *
 * Layouts as in chapter 01 (PyTorch): x (N, C_in, H, W), weight
 * (C_out, C_in/groups, KH, KW), bias (C_out) or NULL, y (N, C_out, OH, OW);
 * their int8 versions xq and wq have the same shapes. The caller allocates
 * every output and the workspace; nothing here allocates memory or keeps
 * state.
 */
#ifndef QUANT_H
#define QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "01-convolution/conv.h"

/* >>> quant_api */
/* The scale of symmetric int8 quantization of v[0..n-1], eq. (5.43):
 *   s = max_i |v[i]| / 127
 * (a float division), so that the largest magnitude maps to 127. When every
 * v[i] is 0 (or n == 0) it returns 1: any scale represents zeros exactly,
 * and 1 keeps x / s finite. */
float quant_scale(const float *v, size_t n);

/* q[i] = clamp(round(x[i] / scale), -128, 127) for i < n, eq. (5.43): the
 * quotient x[i] / scale computed as one float division (not a
 * multiplication by 1/scale, which rounds differently), rounded to the
 * nearest integer with ties to even (as C's rintf in the default rounding
 * mode, PyTorch's quantize_per_tensor and ONNX's QuantizeLinear), then
 * saturated: values beyond the int8 range become -128 or 127. scale > 0. */
void quantize_int8(const float *x, size_t n, float scale, int8_t *q);

/* Per-output-channel weight quantization, eq. (5.44): for each output
 * channel o, w_scales[o] = quant_scale of its C_in/groups * KH * KW weights
 * w[o][..], and wq[o][..] = quantize_int8 of those weights with that scale
 * (so every |wq| <= 127). w_scales has C_out floats. */
void quantize_weights_int8(const Conv2dGeom *g, const float *w, int8_t *wq,
                           float *w_scales);
/* <<< quant_api */

/* >>> quant_conv */
/* The conv2d layer of chapter 01 (eq. 1.6: any stride, padding, dilation
 * and groups) on int8 data, eq. (5.45):
 *   acc = sum_{c, u, v} xq[n][gCg + c][r][q] * wq[o][c][u][v]   (int32)
 *   y[n][o][i][j] = (x_scale * w_scales[o]) * (float)acc + bias[o]
 * with r, q the tap positions of eq. (1.6) and xq read as 0 outside the
 * image (0 is exactly representable, eq. 5.43). The sum is exact: every
 * product fits 15 bits and the int32 accumulator cannot overflow for any
 * layer with C_in/groups * KH * KW <= 131072, eq. (5.46). bias may be NULL.
 * ws: int8_conv_workspace_bytes(g) bytes, 64-byte aligned, contents on entry
 * irrelevant. */
void conv2d_forward_int8(const Conv2dGeom *g, const int8_t *xq, float x_scale,
                         const int8_t *wq, const float *w_scales,
                         const float *bias, float *y, void *ws);

/* Bytes of workspace conv2d_forward_int8 needs: a multiple of 64, about
 * C_out * C_in/groups * KH * KW bytes plus 1 MiB (more only when a few rows
 * of a very wide image exceed that), whatever the batch. Given code. */
size_t int8_conv_workspace_bytes(const Conv2dGeom *g);

/* x[i] = scale * q[i], eq. (5.43). Given code. */
void dequantize_int8(const int8_t *q, size_t n, float scale, float *x);

/* Integer operations of conv2d_forward_int8: 2 per multiply-accumulate,
 * eq. (1.11). Given code. */
double int8_conv_ops(const Conv2dGeom *g);

/* Which inner loop the reference conv2d_forward_int8 runs on this machine:
 * "avx512-vnni (vpdpbusd, 64 int8 products per instruction)" or
 * "portable C (int16 products, compiler-vectorized)". Given code. */
const char *int8_conv_path(void);

/* <<< quant_conv */

/* >>> quant_hook */
/* Float in, float out, int8 inside: the call chapter 06 uses for the int8
 * inference of a trained LeNet-5. Per conv layer, once after training:
 *   quantize_weights_int8(g, w, wq, w_scales);
 * and calibrate x_scale = the largest quant_scale of the layer's input over
 * a few training batches (inputs beyond 127 * x_scale later saturate). Then
 * for every batch:
 *   conv2d_forward_int8_f32(g, x, x_scale, wq, w_scales, bias, y, ws);
 * which quantizes x with x_scale (quantize_int8) into ws and runs
 * conv2d_forward_int8. ws: int8_conv_f32_workspace_bytes(g) bytes, 64-byte
 * aligned. Given code. */
size_t int8_conv_f32_workspace_bytes(const Conv2dGeom *g);
void conv2d_forward_int8_f32(const Conv2dGeom *g, const float *x,
                             float x_scale, const int8_t *wq,
                             const float *w_scales, const float *bias,
                             float *y, void *ws);
/* <<< quant_hook */

/* ---- how the reference organises its work (given code) -------------------
 * Not needed for the exercises; the workspace size and the path report
 * depend on them. */

/* 1 when this CPU has AVX-512 with VNNI and the build allows vector code
 * (not built with -DCNN_NO_SIMD); detected once, at run time. Given code. */
int int8_vnni_available(void);

/* The reference's blocks: output positions per block of packed windows
 * (16, 32, 48 or 64), and output rows per block of the direct path (stride
 * 1, dilation 1, VNNI); int8_conv_workspace_bytes makes room for either.
 * Given code. */
int int8_pos_block(const Conv2dGeom *g);
int int8_row_block(const Conv2dGeom *g);

/* 1 for the layers the reference computes on its direct path when the CPU
 * has VNNI: stride 1, dilation 1, rows of at least 12 outputs and at least
 * 4 input channels per group (shorter rows or fewer channels would leave
 * most of each vector idle); the others go through packed windows. Given
 * code. */
int int8_direct_shape(const Conv2dGeom *g);

#endif

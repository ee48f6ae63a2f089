/* conv.h: chapter 01, convolution. The contract between the exercise
 * skeleton (chapters/01-convolution/conv.c), the reference solution and the
 * tests. Every equation number refers to chapters/01-convolution/lesson.md.
 *
 * Layout (as PyTorch): x is (N, C_in, H, W), weight is
 * (C_out, C_in/groups, KH, KW), bias is (C_out), y is (N, C_out, OH, OW); all
 * float32, contiguous, row-major. The caller allocates every output; no
 * function here allocates memory or keeps state between calls, and every
 * input is only read.
 */
#ifndef CONV_H
#define CONV_H

#include <stddef.h>

/* ---- 1-D ---------------------------------------------------------------- */

/* >>> conv1d */
/* Full discrete convolution of f (length nf) and g (length ng), eq. (1.2):
 *   out[n] = sum_m f[m] g[n - m],   n = 0 .. nf + ng - 2,
 * the sum running over the m for which both f[m] and g[n - m] exist
 * (max(0, n - ng + 1) <= m <= min(nf - 1, n)); every other term of eq. (1.1)
 * is zero. out has nf + ng - 1 elements. nf >= 1, ng >= 1; out must not
 * overlap f or g. */
void conv1d_full(const float *f, int nf, const float *g, int ng, float *out);
/* <<< conv1d */

/* ---- 2-D, one channel, "valid" (no padding, stride 1) ----------------- */

/* >>> valid2d */
/* Cross-correlation, eq. (1.3): out[i][j] = sum_{u,v} img[i+u][j+v] k[u][v].
 * img is H x W, k is KH x KW with KH <= H and KW <= W, out is
 * (H-KH+1) x (W-KW+1). This is what deep learning libraries call
 * "convolution". */
void correlate2d_valid(const float *img, int H, int W, const float *k, int KH,
                       int KW, float *out);

/* True convolution, eq. (1.4): the same sum with the kernel flipped,
 *   out[i][j] = sum_{u,v} img[i+u][j+v] k[KH-1-u][KW-1-v].
 * Shapes as correlate2d_valid. */
void convolve2d_valid(const float *img, int H, int W, const float *k, int KH,
                      int KW, float *out);
/* <<< valid2d */

/* ---- sizes -------------------------------------------------------------- */

/* >>> sizes */
/* Output length along one axis, eq. (1.7):
 *   out = floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1.
 * Returns 0 or less when the dilated kernel, dil (k - 1) + 1 taps wide, is
 * longer than the padded input in + 2 pad (the layer has no output).
 * in >= 1, k >= 1, stride >= 1, pad >= 0, dil >= 1. */
int conv_out_size(int in, int k, int stride, int pad, int dil);

/* Learnable parameters of a conv layer, eq. (1.9):
 *   c_out * (c_in / groups) * kh * kw  (+ c_out when has_bias != 0),
 * so any non-zero has_bias means a bias. Counted in long long: the count of
 * the fully connected layer a convolution replaces easily exceeds 2^31.
 * c_in and c_out are multiples of groups. */
long long conv2d_param_count(int c_in, int c_out, int kh, int kw, int groups,
                             int has_bias);
/* <<< sizes */

/* ---- the conv2d layer --------------------------------------------------- */

/* >>> geom */
/* Geometry of one conv2d call: the input's shape, the weight's shape and
 * PyTorch's arguments (torch.nn.functional.conv2d: stride, padding,
 * dilation, groups), each given for height and width. */
typedef struct {
    int n, c_in, h, w;     /* x:      (n, c_in, h, w)                 */
    int c_out, kh, kw;     /* weight: (c_out, c_in / groups, kh, kw)  */
    int stride_h, stride_w;
    int pad_h, pad_w;      /* zeros added on each side                */
    int dil_h, dil_w;      /* spacing between kernel taps (1 = dense) */
    int groups;            /* c_in and c_out are multiples of groups  */
} Conv2dGeom;

/* The output's height and width: conv_out_size on each axis, eq. (1.7). */
int conv2d_out_h(const Conv2dGeom *g);
int conv2d_out_w(const Conv2dGeom *g);
/* <<< geom */

/* The element counts of x, weight and y for geometry g, in size_t (a layer's
 * tensors easily pass 2^31 floats): n * c_in * h * w,
 * c_out * (c_in / groups) * kh * kw, and n * c_out * OH * OW with OH and OW
 * from conv2d_out_h/w (0 when the layer has no output). Every buffer size in
 * the course's tools comes from these. (Given, not an exercise.) */
size_t conv2d_x_numel(const Conv2dGeom *g);
size_t conv2d_weight_numel(const Conv2dGeom *g);
size_t conv2d_y_numel(const Conv2dGeom *g);

/* >>> forward */
/* Forward pass of a conv2d layer: eq. (1.5), generalised in eq. (1.6) to
 *   y[n][o][i][j] = b[o] + sum_{c < Cg} sum_{u < kh} sum_{v < kw}
 *       x[n][g*Cg + c][i*sh - ph + u*dh][j*sw - pw + v*dw] * w[o][c][u][v]
 * where Cg = c_in / groups is the number of input channels of one group and
 * g = o / (c_out / groups) is the group of output channel o. x is read as 0
 * outside the image (zero padding), so only the taps of eq. (1.8) land on
 * real pixels. bias may be NULL (no bias); otherwise bias[o] is added once
 * to every y[n][o][i][j]. y has shape
 * (n, c_out, conv2d_out_h(g), conv2d_out_w(g)), both at least 1: every
 * element of y is written, and nothing past it. */
void conv2d_forward(const Conv2dGeom *g, const float *x, const float *weight,
                    const float *bias, float *y);
/* <<< forward */

#endif

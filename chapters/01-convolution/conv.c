/* conv.c: chapter 01, the exercises. Implement the functions marked TODO in
 * the order they appear (the lesson's "Your turn" section), and check each
 * one with `./build.sh check 01`. The contracts are in conv.h; equation
 * numbers refer to lesson.md. No function here needs to allocate memory. */
#include "conv.h"

/* ---- 1-D ---------------------------------------------------------------- */

/* Full 1-D convolution, eq. (1.2):
 *   out[n] = sum_m f[m] g[n - m],   n = 0 .. nf + ng - 2. */
void conv1d_full(const float *f, int nf, const float *g, int ng, float *out)
{
    /* TODO: for each n, find the range of m for which both f[m] and
     * g[n - m] exist (two bounds from 0 <= m < nf and 0 <= n - m < ng),
     * sum f[m] * g[n - m] over it in a float, and store the sum in out[n]. */
    (void)f;
    (void)nf;
    (void)g;
    (void)ng;
    (void)out;
}

/* ---- 2-D, one channel, valid -------------------------------------------- */

/* Cross-correlation, eq. (1.3):
 *   out[i][j] = sum_{u,v} img[i+u][j+v] k[u][v],
 * out is (H-KH+1) x (W-KW+1); row r of a W-wide image starts at r*W. */
void correlate2d_valid(const float *img, int H, int W, const float *k, int KH,
                       int KW, float *out)
{
    /* TODO: four nested loops (i, j, then u, v), in the order of the sum.
     * Tip: a pointer-to-array cast lets you write img as im[r][c], e.g.
     * const float (*im)[W] = (const float (*)[W])img; */
    (void)img;
    (void)H;
    (void)W;
    (void)k;
    (void)KH;
    (void)KW;
    (void)out;
}

/* True convolution, eq. (1.4): as eq. (1.3) with the kernel flipped in both
 * directions, k[KH-1-u][KW-1-v]. */
void convolve2d_valid(const float *img, int H, int W, const float *k, int KH,
                      int KW, float *out)
{
    /* TODO: the same loops as correlate2d_valid; only the kernel's indices
     * change. (Do not allocate a flipped copy of k.) */
    (void)img;
    (void)H;
    (void)W;
    (void)k;
    (void)KH;
    (void)KW;
    (void)out;
}

/* ---- sizes -------------------------------------------------------------- */

/* Output length along one axis, eq. (1.7):
 *   out = floor((in + 2 pad - dil (k - 1) - 1) / stride) + 1,
 * or 0 when the dilated kernel does not fit the padded input. */
int conv_out_size(int in, int k, int stride, int pad, int dil)
{
    /* TODO: compute the kernel's span dil*(k-1)+1 and the padded length
     * in+2*pad; return 0 if the span is longer; otherwise apply eq. (1.7).
     * Beware: C's integer division truncates toward zero, which is the
     * floor only for a non-negative numerator. */
    (void)in;
    (void)k;
    (void)stride;
    (void)pad;
    (void)dil;
    return 0;
}

/* Learnable parameters, eq. (1.9):
 *   c_out * (c_in / groups) * kh * kw  (+ c_out biases when has_bias). */
long long conv2d_param_count(int c_in, int c_out, int kh, int kw, int groups,
                             int has_bias)
{
    /* TODO: multiply in long long (cast the first factor), then add the
     * biases if there are any. */
    (void)c_in;
    (void)c_out;
    (void)kh;
    (void)kw;
    (void)groups;
    (void)has_bias;
    return 0;
}

/* ---- the conv2d layer --------------------------------------------------- */

/* >>> forward_todo */
/* Forward pass of conv2d, eq. (1.6):
 *   y[n][o][i][j] = b[o] + sum_{c < Cg} sum_{u,v}
 *       x[n][g*Cg + c][i*sh - ph + u*dh][j*sw - pw + v*dw] * w[o][c][u][v]
 * with Cg = c_in/groups, g = o / (c_out/groups), x = 0 outside the image,
 * and no b[o] term when bias is NULL. */
void conv2d_forward(const Conv2dGeom *g, const float *x, const float *weight,
                    const float *bias, float *y)
{
    /* TODO:
     * 1. OH = conv2d_out_h(g), OW = conv2d_out_w(g); Cg and the number of
     *    output channels per group, c_out/groups.
     * 2. Loop n, o, i, j over y. For output channel o, the first input
     *    channel of its group is (o / (c_out/groups)) * Cg.
     * 3. For each (c, u, v) the input row is i*sh - ph + u*dh and the
     *    column j*sw - pw + v*dw; taps that fall outside the image read
     *    zero padding and add nothing. Start with an if() on each tap; when
     *    the tests pass, compute the range of u (and v) that lands inside
     *    the image once per output row (column), eq. (1.8).
     * 4. Accumulate in a float, add bias[o] if bias is not NULL, store. */
    (void)g;
    (void)x;
    (void)weight;
    (void)bias;
    (void)y;
}
/* <<< forward_todo */

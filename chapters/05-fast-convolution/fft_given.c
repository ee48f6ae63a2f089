/* fft_given.c: chapter 05, code that is given, not an exercise: the sizes,
 * workspace and cost of FFT convolution. It is compiled once and linked with
 * your fft.c and with the reference solution alike. */
#include "fft.h"

#include <math.h>

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

int fft_next_pow2(int n)
{
    int p = 1;
    while (p < n)
        p *= 2;
    return p;
}

/* Eq. (5.38): the window of output i reads image rows i - pad .. i - pad +
 * dil*(k-1); in the periodic extension of period P they hold exactly the
 * image's rows and zeros when the zero gap after the image is at least pad
 * long (P >= in + pad), and the dilated kernel must fit the array. */
int fft_conv_size(int in, int k, int pad, int dil)
{
    const int span = dil * (k - 1) + 1;
    return fft_next_pow2(in + pad > span ? in + pad : span);
}

const char *fft_unsupported(const Conv2dGeom *g)
{
    if (g->stride_h != 1 || g->stride_w != 1)
        return "FFT convolution computes stride-1 layers only (a strided layer "
               "would throw most of the spectrum's work away); use im2col.";
    if (conv2d_out_h(g) < 1 || conv2d_out_w(g) < 1)
        return "the layer has no output (the kernel does not fit the padded "
               "input).";
    return NULL;
}

/* The reference lays the workspace out as float arrays, each starting on a
 * 64-byte boundary; a complex P x Q array is a re plane then an im plane:
 *   kernel spectra  C_out * C_in/groups complex P x Q arrays
 *   input spectra   C_in complex P x Q arrays (one image at a time)
 *   output spectra  C_out complex P x Q arrays (one image at a time)
 *   column scratch  2 max(P, Q) floats
 *   twiddles        P/2 + Q/2 complex numbers (P + Q floats) */
size_t fft_conv_workspace_bytes(const Conv2dGeom *g)
{
    const size_t P = (size_t)fft_conv_size(g->h, g->kh, g->pad_h, g->dil_h);
    const size_t Q = (size_t)fft_conv_size(g->w, g->kw, g->pad_w, g->dil_w);
    const size_t spec = round_up(2 * P * Q * sizeof(float), 64);
    const size_t kernels = (size_t)g->c_out * (size_t)(g->c_in / g->groups);
    size_t bytes = spec * (kernels + (size_t)g->c_in + (size_t)g->c_out);
    bytes += round_up(2 * (P > Q ? P : Q) * sizeof(float), 64);
    bytes += round_up((P + Q) * sizeof(float), 64);
    return bytes;
}

/* Eq. (5.41): 5 n log2 n operations per complex FFT of n = P Q points
 * (n/2 log2 n butterflies of one complex multiplication, 6 operations, and
 * two complex additions, 4), for N C_in input, C_out C_in/groups kernel and
 * N C_out inverse transforms, plus a complex multiply-add (8 operations)
 * per spectral element of every (image, output channel, input channel). */
double fft_flops(const Conv2dGeom *g)
{
    const double P = fft_conv_size(g->h, g->kh, g->pad_h, g->dil_h);
    const double Q = fft_conv_size(g->w, g->kw, g->pad_w, g->dil_w);
    const double n = P * Q, per_fft = 5.0 * n * log2(n);
    const double cg = g->c_in / g->groups;
    const double ffts = (double)g->n * g->c_in + (double)g->c_out * cg +
                        (double)g->n * g->c_out;
    return ffts * per_fft + 8.0 * g->n * g->c_out * cg * n;
}

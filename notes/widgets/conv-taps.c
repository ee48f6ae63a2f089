/* conv-taps.c: the interactive figure "which input cells each output of a
 * convolution reads" (chapter 01), compiled to WebAssembly with the
 * reference code of chapter 01 itself. Every number the figure shows comes
 * from a function below, and each of them calls the reference: the output
 * size is conv_out_size, eq. (1.7); the taps that land on the image are
 * tap_range, eq. (1.8); a tap's position is the index of x in eq. (1.6).
 *
 * needs: solutions/01-convolution/conv.c chapters/01-convolution/conv_given.c
 */
#include "solutions/01-convolution/conv.c"

#define EXPORT(name) __attribute__((export_name(name)))

/* Output length along one axis, eq. (1.7). */
EXPORT("conv_out_size")
int w_conv_out_size(int in, int k, int stride, int pad, int dil)
{
    return conv_out_size(in, k, stride, pad, dil);
}

/* The input position of tap u of output i, i*stride - pad + u*dil: the
 * index of x in eq. (1.6); negative or >= in means the tap reads padding. */
EXPORT("conv_tap_position")
int w_conv_tap_position(int i, int stride, int pad, int dil, int u)
{
    return i * stride - pad + u * dil;
}

/* The taps lo .. hi-1 of output i that land inside the input of length in,
 * eq. (1.8), as the reference's forward pass computes them. */
EXPORT("conv_tap_lo")
int w_conv_tap_lo(int i, int in, int k, int stride, int pad, int dil)
{
    return tap_range(i * stride - pad, in, k, dil).lo;
}

EXPORT("conv_tap_hi")
int w_conv_tap_hi(int i, int in, int k, int stride, int pad, int dil)
{
    return tap_range(i * stride - pad, in, k, dil).hi;
}

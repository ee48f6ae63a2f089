/* pool-windows.c: the interactive figure "max and average pooling windows"
 * (chapter 02), compiled to WebAssembly with the reference code of chapter
 * 02 itself: the output size is pool_out_size, eqs. (2.4)-(2.6), and the
 * window of each output is the reference's own `window`, and the
 * output values are those of maxpool2d_forward, eq. (2.1), and
 * avgpool2d_forward, eqs. (2.2)-(2.3), on a one-image, one-channel input.
 *
 * needs: solutions/02-pooling/pool.c chapters/02-pooling/pool_given.c
 */
#include "solutions/02-pooling/pool.c"

#define EXPORT(name) __attribute__((export_name(name)))

enum { MAX_SIDE = 16 };
static float x[MAX_SIDE * MAX_SIDE];
static float y[MAX_SIDE * MAX_SIDE];

EXPORT("pool_max_side")
int w_pool_max_side(void) { return MAX_SIDE; }

/* Output length along one axis, eqs. (2.4)-(2.6). */
EXPORT("pool_out_size")
int w_pool_out_size(int in, int k, int stride, int pad, int ceil_mode)
{
    return pool_out_size(in, k, stride, pad, ceil_mode);
}

/* Output i's window along one axis of length `in`, as the reference
 * computes it (its helper `window`): the window starts at i*stride - pad
 * (eq. (2.1)), ends at the returned `end` (clipped to the padded input in
 * ceil mode), and its cells lo .. hi-1 lie inside the image. */
EXPORT("pool_window_start")
int w_pool_window_start(int i, int stride, int pad)
{
    return i * stride - pad;
}

EXPORT("pool_window_end")
int w_pool_window_end(int i, int in, int k, int stride, int pad)
{
    return i * stride - pad + window(i, in, k, stride, pad).padded;
}

EXPORT("pool_window_lo")
int w_pool_window_lo(int i, int in, int k, int stride, int pad)
{
    return window(i, in, k, stride, pad).lo;
}

EXPORT("pool_window_hi")
int w_pool_window_hi(int i, int in, int k, int stride, int pad)
{
    return window(i, in, k, stride, pad).hi;
}

/* The figure's input: side x side small integers, the same every time. */
EXPORT("pool_fill_input")
float *w_pool_fill_input(int side)
{
    unsigned s = 12345u;
    for (int i = 0; i < side * side; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = (float)((int)((s >> 16) % 19u) - 9);
    }
    return x;
}

/* Runs the reference max (avg == 0) or average pooling on the side x side
 * input and returns y (OH x OW, row-major), or 0 when the geometry has no
 * output or does not fit the buffers. */
EXPORT("pool_run")
float *w_pool_run(int side, int k, int stride, int pad, int ceil_mode,
                  int count_include_pad, int avg)
{
    Pool2dGeom g = {.n = 1, .c = 1, .h = side, .w = side, .kh = k, .kw = k,
                    .stride_h = stride, .stride_w = stride, .pad_h = pad,
                    .pad_w = pad, .ceil_mode = ceil_mode,
                    .count_include_pad = count_include_pad};
    if (side < 1 || side > MAX_SIDE || pool2d_out_h(&g) < 1 || pool2d_out_w(&g) < 1)
        return 0;
    if (avg)
        avgpool2d_forward(&g, x, y);
    else
        maxpool2d_forward(&g, x, y);
    return y;
}

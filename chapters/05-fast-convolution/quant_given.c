/* quant_given.c: chapter 05, code that is given, not an exercise: the
 * workspace, cost and instruction-set choice of the int8 convolution, and
 * the float-in, float-out call chapter 06 uses. It is compiled once and
 * linked with your quant.c and with the reference solution alike. */
#include "quant.h"

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* The reference packs, per call, every output channel's weights into a row
 * of KDP bytes, plus one row of zeros, with each row's sum (int32). KDP is
 * KH * KW * round_up(C_in/groups, 4) rounded up to 64: room for the weights
 * in either of its two orders (channels outside or, in groups of four,
 * inside the taps). Then, one block at a time, either the input windows of
 * int8_pos_block(g) output positions (rows of KDP bytes: im2col), or, for
 * stride 1 and dilation 1 on a CPU with VNNI, int8_row_block(g) + KH - 1
 * padded input rows of every channel of a group, four channels interleaved
 * (the direct path, no windows copied). */
static size_t kd_padded(const Conv2dGeom *g)
{
    const size_t cg4 = round_up((size_t)(g->c_in / g->groups), 4);
    return round_up(cg4 * g->kh * g->kw, 64);
}

int int8_pos_block(const Conv2dGeom *g)
{
    /* As many windows as fit 1 MiB, between 16 and 64, a multiple of 16. */
    size_t pb = ((size_t)1 << 20) / kd_padded(g);
    pb = pb < 16 ? 16 : pb > 64 ? 64 : pb / 16 * 16;
    return (int)pb;
}

/* Bytes of one padded input row of the direct path: the output width
 * rounded up to 64 (four vectors of 16 positions) plus KW - 1. */
static size_t direct_row_bytes(const Conv2dGeom *g)
{
    const size_t cg4 = round_up((size_t)(g->c_in / g->groups), 4);
    return cg4 * (round_up((size_t)conv2d_out_w(g), 64) + (size_t)g->kw - 1);
}

int int8_row_block(const Conv2dGeom *g)
{
    /* As many output rows as keep the block near 1 MiB (at least one). */
    const long fit = (long)(((size_t)1 << 20) / direct_row_bytes(g)) - (g->kh - 1);
    const int oh = conv2d_out_h(g);
    return fit < 1 ? 1 : fit > oh ? oh : (int)fit;
}

int int8_direct_shape(const Conv2dGeom *g)
{
    return g->stride_h == 1 && g->stride_w == 1 && g->dil_h == 1 &&
           g->dil_w == 1 && conv2d_out_w(g) >= 12 && g->c_in / g->groups >= 4;
}

size_t int8_conv_workspace_bytes(const Conv2dGeom *g)
{
    const size_t kdp = kd_padded(g), k = (size_t)g->c_out + 1;
    size_t block = (size_t)int8_pos_block(g) * kdp;
    if (int8_direct_shape(g)) {
        const size_t direct = direct_row_bytes(g) * (size_t)(int8_row_block(g) + g->kh - 1);
        block = direct > block ? direct : block;
    }
    return round_up(k * kdp, 64) + round_up(k * sizeof(int32_t), 64) +
           round_up(block, 64);
}

void dequantize_int8(const int8_t *q, size_t n, float scale, float *x)
{
    for (size_t i = 0; i < n; i++)
        x[i] = scale * (float)q[i]; /* eq. (5.43) */
}

double int8_conv_ops(const Conv2dGeom *g)
{
    return 2.0 * g->n * g->c_out * (double)conv2d_out_h(g) * conv2d_out_w(g) *
           (g->c_in / g->groups) * g->kh * g->kw;
}

int int8_vnni_available(void)
{
#if defined(CNN_NO_SIMD) || !(defined(__x86_64__) || defined(__i386__))
    return 0;
#else
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") &&
                __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vnni");
    }
    return known;
#endif
}

const char *int8_conv_path(void)
{
    return int8_vnni_available()
               ? "avx512-vnni (vpdpbusd, 64 int8 products per instruction)"
               : "portable C (int16 products, compiler-vectorized)";
}

/* ---- the hook for chapter 06 ------------------------------------------- */

static size_t x_bytes(const Conv2dGeom *g)
{
    return round_up((size_t)g->n * g->c_in * g->h * g->w, 64);
}

size_t int8_conv_f32_workspace_bytes(const Conv2dGeom *g)
{
    return x_bytes(g) + int8_conv_workspace_bytes(g);
}

void conv2d_forward_int8_f32(const Conv2dGeom *g, const float *x,
                             float x_scale, const int8_t *wq,
                             const float *w_scales, const float *bias,
                             float *y, void *ws)
{
    int8_t *xq = ws;
    quantize_int8(x, (size_t)g->n * g->c_in * g->h * g->w, x_scale, xq);
    conv2d_forward_int8(g, xq, x_scale, wq, w_scales, bias, y,
                        (char *)ws + x_bytes(g));
}

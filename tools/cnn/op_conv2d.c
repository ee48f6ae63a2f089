/* op_conv2d.c: `cnn op conv2d`, torch.nn.functional.conv2d on .npy files,
 * computed by conv2d_forward of chapter 01 (chapters/01-convolution/conv.h). */
#include <stddef.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "cnn_op.h"
#include "01-convolution/conv.h"
#include "05-fast-convolution/fastconv.h"

enum { IN_X, IN_WEIGHT, IN_BIAS };
enum { FLAG_STRIDE, FLAG_PADDING, FLAG_DILATION, FLAG_GROUPS, FLAG_ALGO };

/* The channel counts must fit together as in eq. (1.6): groups divides C_in
 * and C_out, and each filter sees the C_in / groups channels of its group. */
static int check_channels(const Conv2dGeom *g, int weight_c, CnnError *e)
{
    if (g->c_in % g->groups != 0)
        return cnn_fail(e, "x has %d channels, which groups=%d does not "
                        "divide; groups must divide both C_in and C_out",
                        g->c_in, g->groups);
    if (g->c_out % g->groups != 0)
        return cnn_fail(e, "weight has %d output channels, which groups=%d "
                        "does not divide; groups must divide both C_in and "
                        "C_out", g->c_out, g->groups);
    if (weight_c != g->c_in / g->groups)
        return cnn_fail(e, "weight has %d input channels per group but x has "
                        "%d channels and groups=%d, which needs %d",
                        weight_c, g->c_in, g->groups, g->c_in / g->groups);
    return 0;
}

static int check_bias(const CnnOpArgs *a, const Conv2dGeom *g, CnnError *e)
{
    if (!cnn_op_has_input(a, IN_BIAS)) return 0;
    if (a->in[IN_BIAS].shape[0] != (size_t)g->c_out)
        return cnn_fail(e, "bias in %s has %zu values but weight has %d output "
                        "channels; give one bias per output channel",
                        a->path[IN_BIAS], a->in[IN_BIAS].shape[0], g->c_out);
    return 0;
}

/* Output size along one axis, eq. (1.7), in long long so that no flag value
 * can overflow it; fails when the dilated kernel does not fit. */
static long long out_size(long long in, long long k, long long stride,
                          long long pad, long long dil)
{
    long long padded = in + 2 * pad, extent = dil * (k - 1) + 1;
    if (extent > padded) return 0;
    return (padded - extent) / stride + 1;
}

static int check_kernel_fits(const Conv2dGeom *g, CnnError *e)
{
    long long ph = g->h + 2LL * g->pad_h, pw = g->w + 2LL * g->pad_w;
    long long eh = (long long)g->dil_h * (g->kh - 1) + 1;
    long long ew = (long long)g->dil_w * (g->kw - 1) + 1;
    if (eh > ph || ew > pw)
        return cnn_fail(e, "the dilated kernel (%lld x %lld) is larger than "
                        "the padded input (%lld x %lld): use a smaller kernel "
                        "or dilation, or more padding", eh, ew, ph, pw);
    return 0;
}

/* The geometry of this call from the shapes and the flags, checked so that
 * conv2d_forward is only ever called on a valid one. */
static int conv2d_geom(const CnnOpArgs *a, Conv2dGeom *g, CnnError *e)
{
    int weight_c;
    if (cnn_op_dim(a, IN_X, 0, "N", 0, &g->n, e) ||
        cnn_op_dim(a, IN_X, 1, "C", 1, &g->c_in, e) ||
        cnn_op_dim(a, IN_X, 2, "H", 1, &g->h, e) ||
        cnn_op_dim(a, IN_X, 3, "W", 1, &g->w, e) ||
        cnn_op_dim(a, IN_WEIGHT, 0, "C_out", 1, &g->c_out, e) ||
        cnn_op_dim(a, IN_WEIGHT, 1, "C_in/groups", 1, &weight_c, e) ||
        cnn_op_dim(a, IN_WEIGHT, 2, "KH", 1, &g->kh, e) ||
        cnn_op_dim(a, IN_WEIGHT, 3, "KW", 1, &g->kw, e))
        return -1;
    const CnnFlagValue *f = a->flag;
    g->stride_h = f[FLAG_STRIDE].i[0], g->stride_w = f[FLAG_STRIDE].i[1];
    g->pad_h = f[FLAG_PADDING].i[0], g->pad_w = f[FLAG_PADDING].i[1];
    g->dil_h = f[FLAG_DILATION].i[0], g->dil_w = f[FLAG_DILATION].i[1];
    g->groups = f[FLAG_GROUPS].i[0];
    if (check_channels(g, weight_c, e) || check_bias(a, g, e) ||
        check_kernel_fits(g, e))
        return -1;
    return 0;
}

/* The output's height and width: eq. (1.7) computed here must agree with
 * conv2d_out_h/w of the code under test, whose conv2d_forward writes that
 * many values. A wrong size would make it write past the buffer, so it is
 * reported instead of run. */
static int output_size(const Conv2dGeom *g, int *oh, int *ow, CnnError *e)
{
    long long want_h = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    long long want_w = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    *oh = conv2d_out_h(g);
    *ow = conv2d_out_w(g);
    if (*oh != want_h || *ow != want_w)
        return cnn_fail(e, "conv2d_out_h/w give %d x %d but eq. (1.7) gives "
                        "%lld x %lld for this input (%d x %d), kernel "
                        "(%d x %d), stride %d,%d, padding %d,%d and dilation "
                        "%d,%d; fix conv_out_size in "
                        "chapters/01-convolution/conv.c",
                        *oh, *ow, want_h, want_w, g->h, g->w, g->kh, g->kw,
                        g->stride_h, g->stride_w, g->pad_h, g->pad_w, g->dil_h,
                        g->dil_w);
    return 0;
}

/* --algo: chapter 05's engine (fastconv.h) runs the layer with the
 * workspace it asks for; direct is chapter 01's conv2d_forward. An
 * algorithm that cannot compute the layer says why in one sentence. */
static int conv2d_algo_check(const Conv2dGeom *g, ConvAlgo algo, CnnError *e)
{
    const char *why = conv2d_forward_unsupported(g, algo);
    if (!why) return 0;
    return cnn_fail(e, "--algo %s cannot compute this layer: %.*s",
                    conv_algo_name(algo), (int)strcspn(why, "."), why);
}

static int conv2d_by_algo(const Conv2dGeom *g, const CnnOpArgs *a,
                          const float *bias, ConvAlgo algo, float *y,
                          CnnError *e)
{
    const size_t bytes = conv2d_workspace_bytes(g, algo);
    void *ws = conv2d_workspace_alloc(bytes);
    int rc = conv2d_forward_algo(g, a->in[IN_X].data, a->in[IN_WEIGHT].data,
                                 bias, y, algo, ws, bytes);
    free(ws);
    if (rc)
        return cnn_fail(e, "--algo %s could not compute this layer",
                        conv_algo_name(algo));
    return 0;
}

static int run_conv2d(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    Conv2dGeom g;
    int oh, ow;
    if (conv2d_geom(a, &g, e) || output_size(&g, &oh, &ow, e)) return -1;
    const ConvAlgo algo = conv_algo_nth_choice(a->flag[FLAG_ALGO].i[0]);
    if (conv2d_algo_check(&g, algo, e)) return -1;
    size_t shape[4] = {(size_t)g.n, (size_t)g.c_out, (size_t)oh, (size_t)ow};
    char fix[256];
    snprintf(fix, sizeof fix, "check --padding (%d,%d), --stride (%d,%d) and "
             "--dilation (%d,%d), which give OH x OW = %d x %d by eq. (1.7)",
             g.pad_h, g.pad_w, g.stride_h, g.stride_w, g.dil_h, g.dil_w, oh, ow);
    if (tensor_alloc(&out[0], 4, shape, "the output y", fix, e)) return -1;
    const float *bias =
        cnn_op_has_input(a, IN_BIAS) ? a->in[IN_BIAS].data : NULL;
    if (algo != CONV_ALGO_DIRECT)
        return conv2d_by_algo(&g, a, bias, algo, out[0].data, e);
    conv2d_forward(&g, a->in[IN_X].data, a->in[IN_WEIGHT].data, bias,
                   out[0].data);
    return 0;
}

const CnnOp cnn_op_conv2d = {
    .name = "conv2d",
    .summary = "2-D convolution (cross-correlation) of a batch, as "
               "torch.nn.functional.conv2d",
    .in = {
        {"x", 4, "(N, C_in, H, W)", 0},
        {"weight", 4, "(C_out, C_in/groups, KH, KW)", 0},
        {"bias", 1, "(C_out)", 1},
    },
    .out = {{"y", "(N, C_out, OH, OW)"}},
    .flag = {
        [FLAG_STRIDE] = {"stride", CNN_FLAG_INT_PAIR, "1", 1,
                         CNN_FLAG_INT_MAX, "step between output positions"},
        [FLAG_PADDING] = {"padding", CNN_FLAG_INT_PAIR, "0", 0,
                          CNN_FLAG_INT_MAX, "zeros added on each side"},
        [FLAG_DILATION] = {"dilation", CNN_FLAG_INT_PAIR, "1", 1,
                           CNN_FLAG_INT_MAX, "spacing between kernel taps"},
        [FLAG_GROUPS] = {"groups", CNN_FLAG_INT, "1", 1, CNN_FLAG_INT_MAX,
                         "must divide C_in and C_out"},
        [FLAG_ALGO] = {"algo", CNN_FLAG_WORD, CONV_ALGO_WORDS, 0, 0,
                       "algorithm (chapter 05): auto picks one per layer"},
    },
    .example = "cnn op conv2d --stride 2 --padding 1 x.npy weight.npy "
               "bias.npy -o y.npy",
    .run = run_conv2d,
};

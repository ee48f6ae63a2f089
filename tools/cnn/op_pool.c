/* op_pool.c: `cnn op max_pool2d`, `avg_pool2d` and `adaptive_avg_pool2d`,
 * torch.nn.functional's pooling on .npy files, computed by chapter 02's
 * maxpool2d_forward, avgpool2d_forward and global_avgpool2d_forward
 * (chapters/02-pooling/pool.h). */
#include <stddef.h>
#include <stdio.h>

#include "cnn_op.h"
#include "02-pooling/pool.h"

enum { IN_X };
enum { FLAG_KERNEL, FLAG_STRIDE, FLAG_PADDING, FLAG_CEIL, FLAG_INCLUDE_PAD };

/* Output length along one axis, eqs. (2.4)-(2.6), re-derived here on
 * purpose in long long: it must agree with pool2d_out_h/w of the code under
 * test (a student's pool_out_size in `cnn-student`), whose functions write
 * that many values, so a wrong size is reported instead of run. */
static long long out_size(long long in, long long k, long long stride,
                          long long pad, int ceil_mode)
{
    long long a = in + 2 * pad - k + (ceil_mode ? stride - 1 : 0);
    long long out = (a >= 0 ? a / stride : -((-a + stride - 1) / stride)) + 1;
    if (ceil_mode && (out - 1) * stride >= in + pad)
        out--;
    return out;
}

/* The geometry of this call from x's shape and the flags, checked as
 * PyTorch checks it, so that the pooling functions only ever see a valid
 * one. */
static int pool_geom(const CnnOpArgs *a, Pool2dGeom *g, CnnError *e)
{
    if (cnn_op_dim(a, IN_X, 0, "N", 0, &g->n, e) ||
        cnn_op_dim(a, IN_X, 1, "C", 1, &g->c, e) ||
        cnn_op_dim(a, IN_X, 2, "H", 1, &g->h, e) ||
        cnn_op_dim(a, IN_X, 3, "W", 1, &g->w, e))
        return -1;
    const CnnFlagValue *f = a->flag;
    if (f[FLAG_KERNEL].i[0] == 0 || f[FLAG_KERNEL].i[1] == 0)
        return cnn_fail(e, "%s needs --kernel_size (e.g. --kernel_size 2 or "
                        "--kernel_size 3,2): PyTorch has no default for it",
                        a->op->name);
    g->kh = f[FLAG_KERNEL].i[0], g->kw = f[FLAG_KERNEL].i[1];
    /* stride 0 stands for PyTorch's stride=None: the kernel size */
    g->stride_h = f[FLAG_STRIDE].i[0] ? f[FLAG_STRIDE].i[0] : g->kh;
    g->stride_w = f[FLAG_STRIDE].i[1] ? f[FLAG_STRIDE].i[1] : g->kw;
    g->pad_h = f[FLAG_PADDING].i[0], g->pad_w = f[FLAG_PADDING].i[1];
    g->ceil_mode = f[FLAG_CEIL].i[0];
    g->count_include_pad = a->op->flag[FLAG_INCLUDE_PAD].name
                               ? f[FLAG_INCLUDE_PAD].i[0] : 1;
    if (2 * g->pad_h > g->kh || 2 * g->pad_w > g->kw)
        return cnn_fail(e, "--padding %d,%d is more than half of --kernel_size "
                        "%d,%d; PyTorch requires padding <= kernel_size / 2 so "
                        "that every window holds a pixel", g->pad_h, g->pad_w,
                        g->kh, g->kw);
    long long oh = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    long long ow = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    if (oh < 1 || ow < 1)
        return cnn_fail(e, "the %d x %d kernel does not fit x's %d x %d plane "
                        "padded by %d,%d (the output would be %lld x %lld); "
                        "use a smaller --kernel_size or more --padding",
                        g->kh, g->kw, g->h, g->w, g->pad_h, g->pad_w, oh, ow);
    return 0;
}

/* The output's height and width from the code under test, checked against
 * eqs. (2.4)-(2.6) above. */
static int output_size(const Pool2dGeom *g, int *oh, int *ow, CnnError *e)
{
    long long want_h = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    long long want_w = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    *oh = pool2d_out_h(g);
    *ow = pool2d_out_w(g);
    if (*oh != want_h || *ow != want_w)
        return cnn_fail(e, "pool2d_out_h/w give %d x %d but eqs. (2.4)-(2.6) "
                        "give %lld x %lld for this input (%d x %d), kernel "
                        "(%d x %d), stride %d,%d, padding %d,%d and ceil_mode "
                        "%d; fix pool_out_size in chapters/02-pooling/pool.c",
                        *oh, *ow, want_h, want_w, g->h, g->w, g->kh, g->kw,
                        g->stride_h, g->stride_w, g->pad_h, g->pad_w,
                        g->ceil_mode);
    return 0;
}

static int run_pool(const CnnOpArgs *a, Tensor *out, CnnError *e, int is_max)
{
    Pool2dGeom g;
    int oh, ow;
    if (pool_geom(a, &g, e) || output_size(&g, &oh, &ow, e))
        return -1;
    size_t shape[4] = {(size_t)g.n, (size_t)g.c, (size_t)oh, (size_t)ow};
    char fix[256];
    snprintf(fix, sizeof fix, "check --kernel_size (%d,%d), --stride (%d,%d) "
             "and --padding (%d,%d), which give OH x OW = %d x %d",
             g.kh, g.kw, g.stride_h, g.stride_w, g.pad_h, g.pad_w, oh, ow);
    if (tensor_alloc(&out[0], 4, shape, "the output y", fix, e))
        return -1;
    if (is_max)
        maxpool2d_forward(&g, a->in[IN_X].data, out[0].data);
    else
        avgpool2d_forward(&g, a->in[IN_X].data, out[0].data);
    return 0;
}

static int run_max_pool2d(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    return run_pool(a, out, e, 1);
}

static int run_avg_pool2d(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    return run_pool(a, out, e, 0);
}

static int run_adaptive_avg_pool2d(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    const CnnFlagValue *size = &a->flag[0];
    if (size->i[0] != 1 || size->i[1] != 1)
        return cnn_fail(e, "adaptive_avg_pool2d computes only --output_size 1 "
                        "(global average pooling, chapter 02), not %d,%d; "
                        "use avg_pool2d with a kernel and stride for other "
                        "sizes", size->i[0], size->i[1]);
    int n, c, h, w;
    if (cnn_op_dim(a, IN_X, 0, "N", 0, &n, e) ||
        cnn_op_dim(a, IN_X, 1, "C", 1, &c, e) ||
        cnn_op_dim(a, IN_X, 2, "H", 1, &h, e) ||
        cnn_op_dim(a, IN_X, 3, "W", 1, &w, e))
        return -1;
    size_t shape[4] = {(size_t)n, (size_t)c, 1, 1};
    if (tensor_alloc(&out[0], 4, shape, "the output y", "use a smaller x", e))
        return -1;
    global_avgpool2d_forward(n, c, h, w, a->in[IN_X].data, out[0].data);
    return 0;
}

#define POOL_FLAGS                                                            \
    [FLAG_KERNEL] = {"kernel_size", CNN_FLAG_INT_PAIR, "0", 0,                \
                     CNN_FLAG_INT_MAX, "window size; required (0 = not given)"}, \
    [FLAG_STRIDE] = {"stride", CNN_FLAG_INT_PAIR, "0", 0, CNN_FLAG_INT_MAX,   \
                     "step between windows; 0 = kernel_size (PyTorch's None)"}, \
    [FLAG_PADDING] = {"padding", CNN_FLAG_INT_PAIR, "0", 0, CNN_FLAG_INT_MAX, \
                      "implicit padding on each side, <= kernel_size/2"},     \
    [FLAG_CEIL] = {"ceil_mode", CNN_FLAG_BOOL, "0", 0, 1,                     \
                   "round the output size up, keeping a last partial window"}

const CnnOp cnn_op_max_pool2d = {
    .name = "max_pool2d",
    .summary = "2-D max pooling of a batch, as torch.nn.functional.max_pool2d",
    .in = {{"x", 4, "(N, C, H, W)", 0}},
    .out = {{"y", "(N, C, OH, OW)"}},
    .flag = {POOL_FLAGS},
    .example = "cnn op max_pool2d --kernel_size 3 --stride 2 --padding 1 "
               "x.npy -o y.npy",
    .run = run_max_pool2d,
};

const CnnOp cnn_op_avg_pool2d = {
    .name = "avg_pool2d",
    .summary = "2-D average pooling of a batch, as "
               "torch.nn.functional.avg_pool2d",
    .in = {{"x", 4, "(N, C, H, W)", 0}},
    .out = {{"y", "(N, C, OH, OW)"}},
    .flag = {POOL_FLAGS,
             [FLAG_INCLUDE_PAD] = {"count_include_pad", CNN_FLAG_BOOL, "1", 0, 1,
                                   "count padded cells in the divisor"}},
    .example = "cnn op avg_pool2d --kernel_size 2 --ceil_mode 1 "
               "--count_include_pad 0 x.npy -o y.npy",
    .run = run_avg_pool2d,
};

const CnnOp cnn_op_adaptive_avg_pool2d = {
    .name = "adaptive_avg_pool2d",
    .summary = "global average pooling, as "
               "torch.nn.functional.adaptive_avg_pool2d(x, 1)",
    .in = {{"x", 4, "(N, C, H, W)", 0}},
    .out = {{"y", "(N, C, 1, 1)"}},
    .flag = {{"output_size", CNN_FLAG_INT_PAIR, "1", 1, CNN_FLAG_INT_MAX,
              "only 1 (global average pooling)"}},
    .example = "cnn op adaptive_avg_pool2d x.npy -o y.npy",
    .run = run_adaptive_avg_pool2d,
};

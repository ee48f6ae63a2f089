/* op_backward.c: `cnn op conv2d_backward`, `cnn op max_pool2d_backward` and
 * `cnn op avg_pool2d_backward`: the gradients PyTorch's autograd computes
 * for torch.nn.functional.conv2d, max_pool2d and avg_pool2d, on .npy files,
 * computed by chapter 03's backward passes (chapters/03-backprop/backprop.h).
 *
 * Each op takes the forward op's inputs and flags, in the same order, plus
 * grad_y = dL/dy. To check them, and to learn the shape grad_y must have,
 * it first runs the forward op itself on the same inputs and flags: every
 * message about a bad shape or flag is then the forward op's own, and the
 * geometry rules live in one place. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn_op.h"
#include "01-convolution/conv.h"
#include "02-pooling/pool.h"
#include "03-backprop/backprop.h"
#include "05-fast-convolution/fastconv.h"

extern const CnnOp cnn_op_conv2d, cnn_op_max_pool2d, cnn_op_avg_pool2d;

/* Runs the forward op `fwd` on the first n_fwd inputs of a (with a's flags,
 * whose first entries are the forward's, in its order) and checks that
 * input k_dy, grad_y, has the shape of the forward's output. */
static int check_against_forward(const CnnOpArgs *a, const CnnOp *fwd,
                                 int n_fwd, int k_dy, CnnError *e)
{
    CnnOpArgs view = *a;
    view.n_in = n_fwd;
    Tensor y[CNN_OP_MAX_OUTPUTS] = {{0}};
    int status = fwd->run(&view, y, e);
    if (status == 0) {
        const Tensor *dy = &a->in[k_dy];
        int same = dy->ndim == y[0].ndim;
        for (int d = 0; same && d < dy->ndim; d++)
            same = dy->shape[d] == y[0].shape[d];
        if (!same) {
            char want[128], got[128];
            tensor_shape_str(&y[0], want, sizeof want);
            tensor_shape_str(dy, got, sizeof got);
            status = cnn_fail(e, "grad_y in %s has shape %s but %s's output "
                              "y has shape %s for these inputs and flags; "
                              "grad_y must have y's shape",
                              a->path[k_dy], got, fwd->name, want);
        }
    }
    for (int k = 0; k < CNN_OP_MAX_OUTPUTS; k++)
        tensor_free(&y[k]);
    return status;
}

/* ---- conv2d_backward ------------------------------------------------------- */

enum { CB_X, CB_WEIGHT, CB_GRAD_Y };
enum { CB_STRIDE, CB_PADDING, CB_DILATION, CB_GROUPS, CB_ALGO }; /* conv2d's order */

static int run_conv2d_backward(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    if (check_against_forward(a, &cnn_op_conv2d, 2, CB_GRAD_Y, e))
        return -1;
    const Tensor *x = &a->in[CB_X], *w = &a->in[CB_WEIGHT];
    const CnnFlagValue *f = a->flag;
    const Conv2dGeom g = {
        .n = (int)x->shape[0], .c_in = (int)x->shape[1],
        .h = (int)x->shape[2], .w = (int)x->shape[3],
        .c_out = (int)w->shape[0], .kh = (int)w->shape[2], .kw = (int)w->shape[3],
        .stride_h = f[CB_STRIDE].i[0], .stride_w = f[CB_STRIDE].i[1],
        .pad_h = f[CB_PADDING].i[0], .pad_w = f[CB_PADDING].i[1],
        .dil_h = f[CB_DILATION].i[0], .dil_w = f[CB_DILATION].i[1],
        .groups = f[CB_GROUPS].i[0],
    };
    /* --algo: chapter 05's engine; direct is chapter 03's conv2d_backward */
    const ConvAlgo algo = conv_algo_nth_choice(f[CB_ALGO].i[0]);
    const char *why = conv2d_backward_unsupported(&g, algo);
    if (why)
        return cnn_fail(e, "--algo %s cannot compute this backward pass: %.*s",
                        conv_algo_name(algo), (int)strcspn(why, "."), why);
    size_t bias_shape[1] = {w->shape[0]};
    out[0] = tensor_zeros(4, x->shape);
    out[1] = tensor_zeros(4, w->shape);
    out[2] = tensor_zeros(1, bias_shape);
    if (algo != CONV_ALGO_DIRECT) {
        const size_t bytes = conv2d_workspace_bytes(&g, algo);
        void *ws = conv2d_workspace_alloc(bytes);
        int rc = conv2d_backward_algo(&g, x->data, w->data, a->in[CB_GRAD_Y].data,
                                      out[0].data, out[1].data, out[2].data,
                                      algo, ws, bytes);
        free(ws);
        return rc ? cnn_fail(e, "--algo %s could not compute this backward "
                             "pass", conv_algo_name(algo)) : 0;
    }
    conv2d_backward(&g, x->data, w->data, a->in[CB_GRAD_Y].data, out[0].data,
                    out[1].data, out[2].data);
    return 0;
}

const CnnOp cnn_op_conv2d_backward = {
    .name = "conv2d_backward",
    .summary = "gradients of conv2d with respect to x, weight and bias, as "
               "torch.autograd computes them for torch.nn.functional.conv2d",
    .in = {
        {"x", 4, "(N, C_in, H, W)", 0},
        {"weight", 4, "(C_out, C_in/groups, KH, KW)", 0},
        {"grad_y", 4, "(N, C_out, OH, OW) like conv2d's y", 0},
    },
    .out = {
        {"grad_x", "(N, C_in, H, W)"},
        {"grad_weight", "(C_out, C_in/groups, KH, KW)"},
        {"grad_bias", "(C_out)"},
    },
    .flag = {
        [CB_STRIDE] = {"stride", CNN_FLAG_INT_PAIR, "1", 1, CNN_FLAG_INT_MAX,
                       "step between output positions"},
        [CB_PADDING] = {"padding", CNN_FLAG_INT_PAIR, "0", 0, CNN_FLAG_INT_MAX,
                        "zeros added on each side"},
        [CB_DILATION] = {"dilation", CNN_FLAG_INT_PAIR, "1", 1,
                         CNN_FLAG_INT_MAX, "spacing between kernel taps"},
        [CB_GROUPS] = {"groups", CNN_FLAG_INT, "1", 1, CNN_FLAG_INT_MAX,
                       "must divide C_in and C_out"},
        [CB_ALGO] = {"algo", CNN_FLAG_WORD, CONV_ALGO_WORDS, 0, 0,
                     "algorithm (chapter 05): auto picks one per layer"},
    },
    .example = "cnn op conv2d_backward --stride 2 --padding 1 x.npy "
               "weight.npy grad_y.npy -o grad_x.npy grad_weight.npy "
               "grad_bias.npy",
    .run = run_conv2d_backward,
};

/* ---- max_pool2d_backward, avg_pool2d_backward ----------------------------- */

enum { PB_X, PB_GRAD_Y };
enum { PB_KERNEL, PB_STRIDE, PB_PADDING, PB_CEIL, PB_INCLUDE_PAD };

/* The flags of the forward op, in its order (op_pool.c), so that the
 * forward's run function reads them where it expects them. */
#define POOL_BACKWARD_FLAGS                                                   \
    [PB_KERNEL] = {"kernel_size", CNN_FLAG_INT_PAIR, "0", 0,                  \
                   CNN_FLAG_INT_MAX, "window size; required (0 = not given)"}, \
    [PB_STRIDE] = {"stride", CNN_FLAG_INT_PAIR, "0", 0, CNN_FLAG_INT_MAX,     \
                   "step between windows; 0 = kernel_size (PyTorch's None)"}, \
    [PB_PADDING] = {"padding", CNN_FLAG_INT_PAIR, "0", 0, CNN_FLAG_INT_MAX,   \
                    "implicit padding on each side, <= kernel_size/2"},       \
    [PB_CEIL] = {"ceil_mode", CNN_FLAG_BOOL, "0", 0, 1,                       \
                 "round the output size up, keeping a last partial window"}

static int run_pool_backward(const CnnOpArgs *a, Tensor *out, CnnError *e,
                             int is_max)
{
    if (check_against_forward(a, is_max ? &cnn_op_max_pool2d : &cnn_op_avg_pool2d,
                              1, PB_GRAD_Y, e))
        return -1;
    const Tensor *x = &a->in[PB_X];
    const CnnFlagValue *f = a->flag;
    /* maxpool2d_backward's contract excludes NaN (an arg-max by comparison
     * is undefined there; PyTorch routes to the NaN): refuse it rather
     * than return a gradient that silently differs from torch's. */
    const size_t nx = tensor_numel(x);
    for (size_t k = 0; is_max && k < nx; k++)
        if (isnan(x->data[k])) {
            char idx[96];
            size_t rest = k, ix[4];
            for (int d = 3; d >= 0; d--) {
                ix[d] = rest % x->shape[d];
                rest /= x->shape[d];
            }
            snprintf(idx, sizeof idx, "[%zu, %zu, %zu, %zu]", ix[0], ix[1],
                     ix[2], ix[3]);
            return cnn_fail(e, "x in %s holds a NaN at %s: max_pool2d_backward "
                            "routes each window's gradient to its largest "
                            "element, which a NaN leaves undefined (PyTorch "
                            "sends it to the NaN); remove the NaN first",
                            a->path[PB_X], idx);
        }
    /* stride 0 stands for PyTorch's stride=None: the kernel size */
    const Pool2dGeom g = {
        .n = (int)x->shape[0], .c = (int)x->shape[1],
        .h = (int)x->shape[2], .w = (int)x->shape[3],
        .kh = f[PB_KERNEL].i[0], .kw = f[PB_KERNEL].i[1],
        .stride_h = f[PB_STRIDE].i[0] ? f[PB_STRIDE].i[0] : f[PB_KERNEL].i[0],
        .stride_w = f[PB_STRIDE].i[1] ? f[PB_STRIDE].i[1] : f[PB_KERNEL].i[1],
        .pad_h = f[PB_PADDING].i[0], .pad_w = f[PB_PADDING].i[1],
        .ceil_mode = f[PB_CEIL].i[0],
        .count_include_pad = is_max ? 1 : f[PB_INCLUDE_PAD].i[0],
    };
    out[0] = tensor_zeros(4, x->shape);
    if (is_max)
        maxpool2d_backward(&g, x->data, a->in[PB_GRAD_Y].data, out[0].data);
    else
        avgpool2d_backward(&g, a->in[PB_GRAD_Y].data, out[0].data);
    return 0;
}

static int run_max_pool2d_backward(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    return run_pool_backward(a, out, e, 1);
}

static int run_avg_pool2d_backward(const CnnOpArgs *a, Tensor *out, CnnError *e)
{
    return run_pool_backward(a, out, e, 0);
}

const CnnOp cnn_op_max_pool2d_backward = {
    .name = "max_pool2d_backward",
    .summary = "gradient of max_pool2d with respect to x, as torch.autograd "
               "computes it for torch.nn.functional.max_pool2d",
    .in = {
        {"x", 4, "(N, C, H, W)", 0},
        {"grad_y", 4, "(N, C, OH, OW) like max_pool2d's y", 0},
    },
    .out = {{"grad_x", "(N, C, H, W)"}},
    .flag = {POOL_BACKWARD_FLAGS},
    .example = "cnn op max_pool2d_backward --kernel_size 3 --stride 2 "
               "--padding 1 x.npy grad_y.npy -o grad_x.npy",
    .run = run_max_pool2d_backward,
};

const CnnOp cnn_op_avg_pool2d_backward = {
    .name = "avg_pool2d_backward",
    .summary = "gradient of avg_pool2d with respect to x, as torch.autograd "
               "computes it for torch.nn.functional.avg_pool2d (x gives the "
               "shape only)",
    .in = {
        {"x", 4, "(N, C, H, W)", 0},
        {"grad_y", 4, "(N, C, OH, OW) like avg_pool2d's y", 0},
    },
    .out = {{"grad_x", "(N, C, H, W)"}},
    .flag = {POOL_BACKWARD_FLAGS,
             [PB_INCLUDE_PAD] = {"count_include_pad", CNN_FLAG_BOOL, "1", 0, 1,
                                 "count padded cells in the divisor"}},
    .example = "cnn op avg_pool2d_backward --kernel_size 2 --ceil_mode 1 "
               "--count_include_pad 0 x.npy grad_y.npy -o grad_x.npy",
    .run = run_avg_pool2d_backward,
};

/* op_table.c: the ops the cnn tool knows, and small helpers over their
 * descriptions. A new op is one line here plus its op_NAME.c. */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "cnn_op.h"

extern const CnnOp cnn_op_conv2d;
extern const CnnOp cnn_op_max_pool2d, cnn_op_avg_pool2d, cnn_op_adaptive_avg_pool2d;
extern const CnnOp cnn_op_conv2d_backward, cnn_op_max_pool2d_backward,
    cnn_op_avg_pool2d_backward;

/* In the order `cnn op --list` shows them: the order of the chapters. */
const CnnOp *const cnn_ops[] = {
    &cnn_op_conv2d,
    &cnn_op_max_pool2d, &cnn_op_avg_pool2d, &cnn_op_adaptive_avg_pool2d,
    &cnn_op_conv2d_backward, &cnn_op_max_pool2d_backward,
    &cnn_op_avg_pool2d_backward,
    NULL,
};

const CnnOp *cnn_op_find(const char *name)
{
    for (int k = 0; cnn_ops[k]; k++)
        if (strcmp(cnn_ops[k]->name, name) == 0) return cnn_ops[k];
    return NULL;
}

int cnn_op_n_inputs(const CnnOp *op)
{
    int n = 0;
    while (n < CNN_OP_MAX_INPUTS && op->in[n].name) n++;
    return n;
}

int cnn_op_n_required(const CnnOp *op)
{
    int n = 0;
    while (n < cnn_op_n_inputs(op) && !op->in[n].optional) n++;
    return n;
}

int cnn_op_n_outputs(const CnnOp *op)
{
    int n = 0;
    while (n < CNN_OP_MAX_OUTPUTS && op->out[n].name) n++;
    return n;
}

int cnn_op_n_flags(const CnnOp *op)
{
    int n = 0;
    while (n < CNN_OP_MAX_FLAGS && op->flag[n].name) n++;
    return n;
}

int cnn_op_has_input(const CnnOpArgs *a, int k)
{
    return k < a->n_in;
}

int cnn_op_dim(const CnnOpArgs *a, int k, int d, const char *dim_name,
               int min_size, int *v, CnnError *e)
{
    const Tensor *t = &a->in[k];
    char shape[128];
    tensor_shape_str(t, shape, sizeof shape);
    if (t->shape[d] > INT_MAX)
        return cnn_fail(e, "%s in %s has shape %s, whose %s is larger than the "
                        "course's int sizes allow; use a smaller tensor",
                        a->op->in[k].name, a->path[k], shape, dim_name);
    if ((int)t->shape[d] < min_size)
        return cnn_fail(e, "%s in %s has shape %s, but %s needs %s >= %d",
                        a->op->in[k].name, a->path[k], shape, a->op->name,
                        dim_name, min_size);
    *v = (int)t->shape[d];
    return 0;
}

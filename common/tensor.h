/* tensor.h: the one tensor type the tools pass around.
 *
 * Course functions take raw float buffers plus a small geometry struct; this
 * type is only for code that moves whole tensors between files and functions
 * (the cnn tool, experiments, tests). float32, contiguous, row-major (C
 * order), exactly like a NumPy array or a contiguous PyTorch tensor: an
 * activation is (N, C, H, W), a conv weight (C_out, C_in/groups, KH, KW).
 */
#ifndef CNN_TENSOR_H
#define CNN_TENSOR_H

#include <stddef.h>

#include "util.h"

#define TENSOR_MAX_DIMS 8

typedef struct {
    int ndim;
    size_t shape[TENSOR_MAX_DIMS];
    float *data; /* owned: free with tensor_free */
} Tensor;

/* The number of elements of a shape, the product of its ndim sizes (1 for
 * ndim == 0): the one definition every element count of a shape uses.
 * Stores it in *numel and returns 0, or returns -1 when the product times
 * elem_size (the bytes of one element; 1 to count elements only) does not
 * fit in a size_t. */
int shape_numel(int ndim, const size_t *shape, size_t elem_size, size_t *numel);

/* Allocates t as a zero-filled tensor of the given shape. Fails (-1 + e)
 * without allocating when the shape has more bytes than this machine's
 * memory (or than the process may address); the sentence names what, the
 * shape and its size, then fix, e.g.
 *   "the output y would be (1, 2, 2000003, 2000003) = 8000024000018 floats
 *    (32.0 TB), more than the 25.3 GB of memory here; check --padding". */
int tensor_alloc(Tensor *t, int ndim, const size_t *shape, const char *what,
                 const char *fix, CnnError *e);
/* tensor_alloc for code that cannot go on without the tensor: dies with the
 * sentence instead of returning. */
Tensor tensor_zeros(int ndim, const size_t *shape);
/* Number of elements of t: shape_numel of its shape. */
size_t tensor_numel(const Tensor *t);
/* Frees the data and resets t to an empty tensor. Safe on an empty tensor. */
void tensor_free(Tensor *t);
/* Writes a shape as NumPy prints it, "(2, 3, 5, 5)", "(7,)" or "()", into
 * buf, truncated to len; returns buf. */
char *shape_str(int ndim, const size_t *shape, char *buf, size_t len);
/* shape_str of t's shape. */
char *tensor_shape_str(const Tensor *t, char *buf, size_t len);

#endif

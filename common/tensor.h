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

#define TENSOR_MAX_DIMS 8

typedef struct {
    int ndim;
    size_t shape[TENSOR_MAX_DIMS];
    float *data; /* owned: free with tensor_free */
} Tensor;

/* Allocates a zero-filled tensor of the given shape (dies on out-of-memory). */
Tensor tensor_zeros(int ndim, const size_t *shape);
/* Number of elements: the product of the shape (1 for ndim == 0). */
size_t tensor_numel(const Tensor *t);
/* Frees the data and resets t to an empty tensor. Safe on an empty tensor. */
void tensor_free(Tensor *t);
/* Writes the shape as "(2, 3, 5, 5)" into buf; returns buf. */
char *tensor_shape_str(const Tensor *t, char *buf, size_t len);

#endif

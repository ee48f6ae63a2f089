/* tensor.c: allocation and description of the Tensor type. */
#include "tensor.h"

#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The product of the shape, or 0 with *overflow set when it does not fit in
 * a size_t (or its bytes do not: every caller wants the float buffer). */
static size_t shape_numel(int ndim, const size_t *shape, int *overflow)
{
    size_t n = 1;
    *overflow = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] != 0 && n > SIZE_MAX / sizeof(float) / shape[i]) {
            *overflow = 1;
            return 0;
        }
        n *= shape[i];
    }
    return n;
}

Tensor tensor_zeros(int ndim, const size_t *shape)
{
    Tensor t;
    int overflow;
    size_t n;
    char buf[256];

    memset(&t, 0, sizeof t);
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS)
        cnn_die("tensor_zeros: %d dimensions asked for, but a tensor has 0 "
                "to %d", ndim, TENSOR_MAX_DIMS);
    t.ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t.shape[i] = shape[i];
    n = shape_numel(ndim, shape, &overflow);
    if (overflow)
        cnn_die("tensor_zeros: shape %s has more elements than memory can "
                "address; check the shape", tensor_shape_str(&t, buf, sizeof buf));
    t.data = xcalloc(n, sizeof(float));
    return t;
}

size_t tensor_numel(const Tensor *t)
{
    size_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

void tensor_free(Tensor *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* Appends a formatted piece to buf (of size len, *used bytes filled),
 * truncating silently: a shape string is for messages. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (*used >= len)
        return;
    va_start(ap, fmt);
    k = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used += (size_t)k;
}

/* NumPy's spelling: "()" for 0-d, "(7,)" for 1-d, "(2, 3)" otherwise. */
char *tensor_shape_str(const Tensor *t, char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    append(buf, len, &used, "(");
    for (int i = 0; i < t->ndim; i++)
        append(buf, len, &used, i ? ", %zu" : "%zu", t->shape[i]);
    append(buf, len, &used, t->ndim == 1 ? ",)" : ")");
    return buf;
}

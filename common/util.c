/* util.c: error sentences, dying with a message, checked allocation, byte
 * counts for people, mkdir -p. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* the build passes it; this is for a bare cc */
#endif
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* An allocation that failed is usually a size computed wrong upstream, not
 * a machine that is too small: the sentence names the size so that the
 * reader can tell which. */
static _Noreturn void allocation_failed(size_t count, size_t size)
{
    char total[32];
    cnn_format_bytes((double)count * (double)size, total, sizeof total);
    if (size == 1)
        cnn_die("out of memory: could not allocate %zu bytes (%s); check the "
                "sizes that asked for it, or free some memory", count, total);
    cnn_die("out of memory: could not allocate %zu x %zu bytes (%s); check "
            "the sizes that asked for it, or free some memory", count, size,
            total);
}

/* malloc(0) may return NULL on a correct C library, which is not an
 * out-of-memory error; asking for one byte gives every caller a pointer it
 * can free. */
void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        allocation_failed(bytes, 1);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = NULL;
    if (!size || count <= (size_t)-1 / size)
        p = calloc(count && size ? count : 1, count && size ? size : 1);
    if (!p)
        allocation_failed(count, size);
    return p;
}

char *cnn_format_bytes(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    int u = -1;
    if (bytes < 1000.0) {
        snprintf(buf, len, "%.0f byte%s", bytes, bytes == 1.0 ? "" : "s");
        return buf;
    }
    while (bytes >= 999.95 && u < 5) {
        bytes /= 1000.0;
        u++;
    }
    snprintf(buf, len, "%.1f %s", bytes, unit[u]);
    return buf;
}

int cnn_make_dirs(const char *dir, CnnError *e)
{
    char path[4096];
    struct stat st;
    if (!dir[0])
        return cnn_fail(e, "the directory name is empty; give a directory");
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return cnn_fail(e, "the directory name %.60s... is longer than %zu "
                        "bytes: use a shorter path", dir, sizeof path - 1);
    /* Each prefix ending before a '/' (and the whole path), parents first. */
    for (char *q = path + 1;; q++) {
        const int end = *q == '\0';
        if (*q != '/' && !end)
            continue;
        *q = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return cnn_fail(e, "cannot create the directory %s: %s; give a "
                            "directory you can write to", path, strerror(errno));
        if (end)
            break;
        *q = '/';
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cnn_fail(e, "%s exists but is not a directory; give a "
                        "directory, or a path that does not exist yet", dir);
    return 0;
}

/* idx.c: read and write IDX files (MNIST, Fashion-MNIST), gzip or raw.
 *
 * zlib's gzread decompresses a gzip file and passes any other file through
 * unchanged (gzdirect), so one reader serves both, decided by the content.
 *
 * A damaged or missing file is best replaced by a fresh copy: the messages
 * say so, and name datasets/fetch.sh, which checks the course's data sets
 * under build/data/ against their checksums and makes again any that
 * differ (REFETCH, WHERE).
 */
#include "idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"
#include "tensor.h"

enum { IDX_TYPE_UBYTE = 0x08 };

#define REFETCH "replace it with a fresh copy (datasets/fetch.sh makes the " \
                "course's data sets again)"
#define WHERE "check the path (datasets/fetch.sh puts the course's data " \
              "sets under build/data/)"

static const char *type_name(int type)
{
    switch (type) {
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default:   return "unknown";
    }
}

/* Reads up to len bytes, as many as the file has. Returns the count, or -1
 * with e set when the data cannot be decoded (a damaged gzip stream). A
 * stream that simply ends early is not an error here: the caller reports
 * how many bytes there were. */
static long long gz_read_all(gzFile g, void *buf, size_t len, const char *path,
                             CnnError *e)
{
    size_t got = 0;
    while (got < len) {
        unsigned chunk = len - got > (1u << 30) ? (1u << 30) : (unsigned)(len - got);
        int n = gzread(g, (unsigned char *)buf + got, chunk), err;
        const char *msg;
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        msg = gzerror(g, &err);
        if (err == Z_OK || err == Z_BUF_ERROR) /* the input ended */
            break;
        if (err == Z_ERRNO) /* e.g. the path is a directory */
            return cnn_fail(e, "cannot read %s: %s; check the path", path,
                            strerror(errno));
        if (strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':')
            msg += strlen(path) + 1; /* zlib prefixes the path; we have it */
        return cnn_fail(e, "%s is damaged (zlib:%s%s); " REFETCH, path,
                        *msg == ' ' ? "" : " ", msg);
    }
    return (long long)got;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           (uint32_t)b[3];
}

/* Validates the magic and the dimensions; fills out->ndim and out->dims. */
static int read_header(gzFile g, const char *path, IdxArray *out, CnnError *e)
{
    unsigned char magic[4], dims[4 * IDX_MAX_DIMS];
    long long got = gz_read_all(g, magic, 4, path, e);

    if (got < 0)
        return -1;
    if (got < 4 || magic[0] != 0 || magic[1] != 0)
        return cnn_fail(e, "%s is not an IDX file (it does not start with two "
                        "zero bytes); check the path", path);
    if (magic[2] != IDX_TYPE_UBYTE)
        return cnn_fail(e, "%s holds IDX type 0x%02X (%s); the course reads "
                        "only unsigned bytes (type 0x08), as in MNIST", path,
                        magic[2], type_name(magic[2]));
    if (magic[3] < 1 || magic[3] > IDX_MAX_DIMS)
        return cnn_fail(e, "%s has %d dimensions; IDX files here have 1 to %d: "
                        "check that it is an MNIST-style file", path, magic[3],
                        IDX_MAX_DIMS);
    out->ndim = magic[3];
    got = gz_read_all(g, dims, 4 * (size_t)out->ndim, path, e);
    if (got < 0)
        return -1;
    if (got < 4 * out->ndim)
        return cnn_fail(e, "%s ends inside its IDX header: the file is "
                        "truncated; " REFETCH, path);
    for (int i = 0; i < out->ndim; i++) {
        out->dims[i] = be32(dims + 4 * i);
        if (out->dims[i] == 0)
            return cnn_fail(e, "%s has size 0 in dimension %d; the file is "
                            "damaged: " REFETCH, path, i);
    }
    return 0;
}

/* The product of the dims (shape_numel), or -1 when it does not fit in a
 * size_t. */
static int checked_numel(const IdxArray *a, size_t *n)
{
    size_t dims[IDX_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++)
        dims[i] = a->dims[i];
    return shape_numel(a->ndim, dims, 1, n);
}

size_t idx_numel(const IdxArray *a)
{
    size_t n = 0;
    checked_numel(a, &n); /* a exists in memory, so it cannot fail */
    return n;
}

/* Counts the bytes left after the data, reading to the end so that a
 * damaged gzip trailer (its CRC) is noticed too. Returns the count (capped:
 * it only goes into a message) or -1. */
static long long count_rest(gzFile g, const char *path, CnnError *e)
{
    unsigned char buf[4096];
    long long total = 0, n;
    do {
        n = gz_read_all(g, buf, sizeof buf, path, e);
        if (n < 0)
            return -1;
        total += n;
    } while (n == (long long)sizeof buf && total < (1LL << 30));
    return total;
}

/* Reads the n data bytes into out->data. The buffer grows with the data
 * actually read rather than being sized by the header up front, so a
 * damaged header that claims terabytes ends in a "truncated" sentence, not
 * in an out-of-memory death. Returns the count read, or -1. */
static long long read_data(gzFile g, IdxArray *out, size_t n, const char *path,
                           CnnError *e)
{
    size_t cap = n < ((size_t)1 << 24) ? n : ((size_t)1 << 24), got = 0;

    out->data = xmalloc(cap);
    for (;;) {
        long long k = gz_read_all(g, out->data + got, cap - got, path, e);
        if (k < 0)
            return -1;
        got += (size_t)k;
        if (got < cap || cap == n)
            return (long long)got;
        cap = n - cap < cap ? n : 2 * cap;
        out->data = realloc(out->data, cap);
        if (!out->data)
            cnn_die("out of memory: could not allocate %zu bytes for %s",
                    cap, path);
    }
}

int idx_read(const char *path, IdxArray *out, CnnError *e)
{
    gzFile g;
    size_t n;
    long long got, extra;

    memset(out, 0, sizeof *out);
    errno = 0;
    g = gzopen(path, "rb");
    if (!g)
        return cnn_fail(e, "cannot open %s: %s; " WHERE, path,
                        errno ? strerror(errno) : "out of memory");
    if (read_header(g, path, out, e))
        goto fail;
    if (checked_numel(out, &n)) {
        cnn_fail(e, "%s declares more elements than memory can address; the "
                 "file is damaged: " REFETCH, path);
        goto fail;
    }
    got = read_data(g, out, n, path, e);
    if (got < 0)
        goto fail;
    if ((size_t)got < n) {
        cnn_fail(e, "%s ends after %lld of %zu data bytes: the file is "
                 "truncated; " REFETCH, path, got, n);
        goto fail;
    }
    extra = count_rest(g, path, e);
    if (extra < 0)
        goto fail;
    if (extra > 0) {
        cnn_fail(e, "%s has %lld bytes after its %zu data bytes; it is not the "
                 "IDX file it claims to be: " REFETCH, path, extra, n);
        goto fail;
    }
    gzclose(g);
    return 0;
fail:
    gzclose(g);
    idx_free(out);
    return -1;
}

int idx_write(const char *path, const IdxArray *a, CnnError *e)
{
    unsigned char head[4 + 4 * IDX_MAX_DIMS] = {0, 0, IDX_TYPE_UBYTE, 0};
    AtomicFile af;

    if (a->ndim < 1 || a->ndim > IDX_MAX_DIMS)
        return cnn_fail(e, "cannot write %s: an IDX array here has 1 to %d "
                        "dimensions, not %d", path, IDX_MAX_DIMS, a->ndim);
    for (int i = 0; i < a->ndim; i++)
        if (a->dims[i] == 0)
            return cnn_fail(e, "cannot write %s: dimension %d has size 0, "
                            "which IDX readers refuse", path, i);
    head[3] = (unsigned char)a->ndim;
    for (int i = 0; i < a->ndim; i++)
        for (int b = 0; b < 4; b++) /* big-endian */
            head[4 + 4 * i + b] = (unsigned char)(a->dims[i] >> (24 - 8 * b));
    if (atomic_open(&af, path, e))
        return -1;
    fwrite(head, 1, 4 + 4 * (size_t)a->ndim, af.fp);
    fwrite(a->data, 1, idx_numel(a), af.fp);
    return atomic_commit(&af, e);
}

void idx_free(IdxArray *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

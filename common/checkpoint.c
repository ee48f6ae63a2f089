/* checkpoint.c: writing and checking checkpoint files (checkpoint.h). */
#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"

enum { MAGIC_LEN = 8 };

/* ---- writing ------------------------------------------------------------- */

typedef struct {
    AtomicFile *af;
    uLong crc;
    size_t at; /* bytes written so far */
} Writer;

static void put(Writer *w, const void *data, size_t bytes)
{
    const unsigned char *p = data;
    while (bytes > 0) { /* crc32 takes a uInt length */
        uInt chunk = bytes > (1u << 30) ? (1u << 30) : (uInt)bytes;
        w->crc = crc32(w->crc, p, chunk);
        fwrite(p, 1, chunk, w->af->fp);
        w->at += chunk;
        p += chunk;
        bytes -= chunk;
    }
}

static void put_u32(Writer *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(w, b, 4);
}

static void put_u64(Writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

int ckpt_write(const char *path, const CkptSection *s, int n, CnnError *e)
{
    if (n < 0 || n > CKPT_MAX_SECTIONS)
        return cnn_fail(e, "a checkpoint holds at most %d sections, not %d",
                        CKPT_MAX_SECTIONS, n);
    for (int k = 0; k < n; k++)
        if (strlen(s[k].name) > CKPT_NAME_MAX)
            return cnn_fail(e, "checkpoint section name '%.20s...' is longer "
                            "than %d bytes", s[k].name, CKPT_NAME_MAX);
    AtomicFile af;
    if (atomic_open(&af, path, e)) return -1;
    Writer w = {&af, crc32(0L, Z_NULL, 0), 0};
    put(&w, CKPT_MAGIC, MAGIC_LEN);
    put_u32(&w, CKPT_VERSION);
    put_u32(&w, (uint32_t)n);
    for (int k = 0; k < n; k++) {
        size_t len = strlen(s[k].name);
        put_u32(&w, (uint32_t)len);
        put(&w, s[k].name, len);
        static const unsigned char zeros[8] = {0};
        put(&w, zeros, (8 - w.at % 8) % 8);
        put_u64(&w, (uint64_t)s[k].bytes);
        put(&w, s[k].data, s[k].bytes);
    }
    uint32_t crc = (uint32_t)w.crc;
    put_u32(&w, crc);
    return atomic_commit(&af, e);
}

/* ---- reading ------------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static uint64_t get_u64(const unsigned char *b)
{
    return (uint64_t)get_u32(b) | (uint64_t)get_u32(b + 4) << 32;
}

static int read_whole(const char *path, unsigned char **blob, size_t *size,
                      CnnError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cnn_fail(e, "cannot read the checkpoint %s: %s", path,
                        strerror(errno));
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        cap *= 2;
        unsigned char *bigger = realloc(buf, cap);
        if (!bigger) {
            free(buf);
            fclose(f);
            return cnn_fail(e, "out of memory reading the checkpoint %s", path);
        }
        buf = bigger;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cnn_fail(e, "cannot read the checkpoint %s: %s", path,
                        errno ? strerror(errno) : "a read error (is it a "
                        "directory?)");
    }
    *blob = buf;
    *size = len;
    return 0;
}

#define TRUNCATED                                                            \
    "%s is truncated: it ends after %zu bytes, inside %s; the copy is "      \
    "incomplete: use another checkpoint or train again"

int ckpt_read(const char *path, Checkpoint *c, CnnError *e)
{
    memset(c, 0, sizeof *c);
    unsigned char *b = NULL;
    size_t size = 0;
    if (read_whole(path, &b, &size, e)) return -1;
    int rc = -1;
    if (size < MAGIC_LEN || memcmp(b, CKPT_MAGIC, MAGIC_LEN) != 0) {
        if (size < MAGIC_LEN && memcmp(b, CKPT_MAGIC, size) == 0)
            cnn_fail(e, TRUNCATED, path, size, "the magic number");
        else
            cnn_fail(e, "%s is not a checkpoint of the workbook (it does not "
                     "start with the checkpoint magic number); check the path",
                     path);
        goto done;
    }
    if (size < MAGIC_LEN + 8) {
        cnn_fail(e, TRUNCATED, path, size, "the header");
        goto done;
    }
    uint32_t version = get_u32(b + MAGIC_LEN);
    if (version != CKPT_VERSION) {
        cnn_fail(e, "%s is a checkpoint of format version %u, but this build "
                 "reads version %u: use the build that wrote it, or train "
                 "again", path, version, CKPT_VERSION);
        goto done;
    }
    uint32_t n = get_u32(b + MAGIC_LEN + 4);
    if (n > CKPT_MAX_SECTIONS) {
        cnn_fail(e, "%s is corrupt: its header announces %u sections, more "
                 "than the %d a checkpoint may hold; use another checkpoint",
                 path, n, CKPT_MAX_SECTIONS);
        goto done;
    }
    size_t at = MAGIC_LEN + 8;
    for (uint32_t k = 0; k < n; k++) {
        char where[96];
        snprintf(where, sizeof where, "section %u of %u", k + 1, n);
        if (size - at < 4) {
            cnn_fail(e, TRUNCATED, path, size, where);
            goto done;
        }
        uint32_t len = get_u32(b + at);
        at += 4;
        if (len > CKPT_NAME_MAX) {
            cnn_fail(e, "%s is corrupt: the name of its %s is %u bytes long "
                     "(at most %d); use another checkpoint", path, where, len,
                     CKPT_NAME_MAX);
            goto done;
        }
        if (size - at < (size_t)len) {
            cnn_fail(e, TRUNCATED, path, size, where);
            goto done;
        }
        memcpy(c->names[k], b + at, len);
        c->names[k][len] = '\0';
        at += len;
        size_t pad = (8 - at % 8) % 8;
        if (size - at < pad + 8) {
            cnn_fail(e, TRUNCATED, path, size, where);
            goto done;
        }
        at += pad;
        uint64_t bytes = get_u64(b + at);
        at += 8;
        snprintf(where, sizeof where, "section '%s'", c->names[k]);
        if (bytes > size - at) {
            cnn_fail(e, TRUNCATED, path, size, where);
            goto done;
        }
        c->sec[k] = (CkptSection){c->names[k], b + at, (size_t)bytes};
        at += (size_t)bytes;
    }
    if (size - at < 4) {
        cnn_fail(e, TRUNCATED, path, size, "the checksum");
        goto done;
    }
    uint32_t want = get_u32(b + at);
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < at;) {
        uInt chunk = at - done > (1u << 30) ? (1u << 30) : (uInt)(at - done);
        crc = crc32(crc, b + done, chunk);
        done += chunk;
    }
    if ((uint32_t)crc != want) {
        cnn_fail(e, "%s is corrupt: its CRC-32 is %08x but its contents give "
                 "%08x (some bytes changed after it was written); use another "
                 "checkpoint or train again", path, want, (unsigned)crc);
        goto done;
    }
    if (size - at != 4) {
        cnn_fail(e, "%s is corrupt: %zu bytes follow its checksum; use another "
                 "checkpoint or train again", path, size - at - 4);
        goto done;
    }
    c->n = (int)n;
    c->blob = b;
    c->size = size;
    rc = 0;
done:
    if (rc) {
        free(b);
        memset(c, 0, sizeof *c);
    }
    return rc;
}

const void *ckpt_find(const Checkpoint *c, const char *name, size_t *bytes)
{
    for (int k = 0; k < c->n; k++)
        if (strcmp(c->sec[k].name, name) == 0) {
            if (bytes) *bytes = c->sec[k].bytes;
            return c->sec[k].data;
        }
    return NULL;
}

void ckpt_free(Checkpoint *c)
{
    free(c->blob);
    memset(c, 0, sizeof *c);
}

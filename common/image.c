/* image.c: PGM and PNG readers, a PGM writer (image.h). */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"

void image_free(GrayImage *img)
{
    free(img->pixels);
    img->pixels = NULL;
    img->w = img->h = 0;
}

static int read_file(const char *path, unsigned char **data, size_t *size,
                     CnnError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cnn_fail(e, "cannot read the image %s: %s", path,
                        strerror(errno));
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap || len > (size_t)64 << 20) break;
        cap *= 2;
        unsigned char *bigger = realloc(buf, cap);
        if (!bigger) {
            free(buf);
            fclose(f);
            return cnn_fail(e, "out of memory reading the image %s", path);
        }
        buf = bigger;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return cnn_fail(e, "cannot read the image %s (is it a directory?)",
                        path);
    }
    *data = buf;
    *size = len;
    return 0;
}

/* Rec. 601 luma of an 8-bit RGB pixel, rounded. */
static uint8_t luma(unsigned r, unsigned g, unsigned b)
{
    return (uint8_t)((299 * r + 587 * g + 114 * b + 500) / 1000);
}

/* v (0..255) with alpha a (0..255) over white. */
static uint8_t over_white(unsigned v, unsigned a)
{
    return (uint8_t)((v * a + 255 * (255 - a) + 127) / 255);
}

static int check_size(const char *path, long w, long h, CnnError *e)
{
    if (w < 1 || h < 1 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE)
        return cnn_fail(e, "%s is %ldx%ld pixels; an image must be 1 to %d "
                        "pixels on a side", path, w, h, IMAGE_MAX_SIDE);
    return 0;
}

/* ---- PGM ---------------------------------------------------------------- */

/* Skips white space and # comments; returns the next position. */
static size_t pgm_skip(const unsigned char *d, size_t n, size_t at)
{
    while (at < n) {
        if (d[at] == '#') {
            while (at < n && d[at] != '\n') at++;
        } else if (d[at] == ' ' || d[at] == '\t' || d[at] == '\n' ||
                   d[at] == '\r') {
            at++;
        } else {
            break;
        }
    }
    return at;
}

static int pgm_number(const unsigned char *d, size_t n, size_t *at, long *v)
{
    *at = pgm_skip(d, n, *at);
    if (*at >= n || d[*at] < '0' || d[*at] > '9') return -1;
    long x = 0;
    while (*at < n && d[*at] >= '0' && d[*at] <= '9') {
        x = x * 10 + (d[*at] - '0');
        if (x > 1000000) return -1;
        (*at)++;
    }
    *v = x;
    return 0;
}

static int read_pgm(const char *path, const unsigned char *d, size_t n,
                    GrayImage *img, CnnError *e)
{
    int plain = d[1] == '2';
    size_t at = 2;
    long w, h, maxval;
    if (pgm_number(d, n, &at, &w) || pgm_number(d, n, &at, &h) ||
        pgm_number(d, n, &at, &maxval))
        return cnn_fail(e, "%s has a damaged PGM header (width, height and "
                        "maxval expected after P%c)", path, d[1]);
    if (check_size(path, w, h, e)) return -1;
    if (maxval < 1 || maxval > 65535)
        return cnn_fail(e, "%s has PGM maxval %ld; it must be 1 to 65535",
                        path, maxval);
    size_t count = (size_t)w * (size_t)h;
    uint8_t *px = xmalloc(count);
    if (plain) {
        for (size_t i = 0; i < count; i++) {
            long v;
            if (pgm_number(d, n, &at, &v) || v > maxval) {
                free(px);
                return cnn_fail(e, "%s: pixel %zu of %zu is missing or above "
                                "maxval %ld; the PGM file is truncated or "
                                "damaged", path, i + 1, count, maxval);
            }
            px[i] = (uint8_t)((v * 255 + maxval / 2) / maxval);
        }
    } else {
        at++; /* exactly one white-space byte ends the header */
        size_t bpp = maxval > 255 ? 2 : 1;
        if (at > n || n - at < count * bpp) {
            free(px);
            return cnn_fail(e, "%s is truncated: its header announces %ldx%ld "
                            "pixels but the file holds %zu of them", path, w,
                            h, at > n ? 0 : (n - at) / bpp);
        }
        for (size_t i = 0; i < count; i++) {
            long v = bpp == 2 ? (long)d[at + 2 * i] << 8 | d[at + 2 * i + 1]
                              : d[at + i];
            if (v > maxval) v = maxval;
            px[i] = (uint8_t)((v * 255 + maxval / 2) / maxval);
        }
    }
    img->w = (int)w;
    img->h = (int)h;
    img->pixels = px;
    return 0;
}

/* ---- PNG ---------------------------------------------------------------- */

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           (uint32_t)b[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc) return a;
    return pb <= pc ? b : c;
}

static int read_png(const char *path, const unsigned char *d, size_t n,
                    GrayImage *img, CnnError *e)
{
    size_t at = 8;
    long w = 0, h = 0;
    int depth = 0, ctype = -1, have_ihdr = 0, have_end = 0;
    unsigned char palette[256][4];
    int n_palette = 0;
    unsigned char *z = NULL;
    size_t zlen = 0, zcap = 0;
    int rc = -1;
    for (int k = 0; k < 256; k++) palette[k][3] = 255;

    while (!have_end) {
        if (n - at < 12) {
            cnn_fail(e, "%s is truncated: the PNG file ends before its IEND "
                     "chunk", path);
            goto done;
        }
        uint32_t len = be32(d + at);
        const unsigned char *type = d + at + 4, *body = d + at + 8;
        if (len > n - at - 12) {
            cnn_fail(e, "%s is truncated: its %.4s chunk announces %u bytes "
                     "but the file ends before them", path, (const char *)type,
                     len);
            goto done;
        }
        uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), type, len + 4);
        if (crc != be32(body + len)) {
            cnn_fail(e, "%s is damaged: the CRC of its %.4s chunk does not "
                     "match", path, (const char *)type);
            goto done;
        }
        if (!have_ihdr && memcmp(type, "IHDR", 4) != 0) {
            cnn_fail(e, "%s is damaged: a PNG file starts with its IHDR chunk",
                     path);
            goto done;
        }
        if (memcmp(type, "IHDR", 4) == 0) {
            if (len != 13) {
                cnn_fail(e, "%s is damaged: its IHDR chunk is %u bytes, not 13",
                         path, len);
                goto done;
            }
            w = (long)be32(body);
            h = (long)be32(body + 4);
            depth = body[8];
            ctype = body[9];
            if (check_size(path, w, h, e)) goto done;
            int ok = (ctype == 0 && (depth == 1 || depth == 2 || depth == 4 ||
                                     depth == 8 || depth == 16)) ||
                     (ctype == 3 && depth >= 1 && depth <= 8 && (depth & (depth - 1)) == 0) ||
                     ((ctype == 2 || ctype == 4 || ctype == 6) &&
                      (depth == 8 || depth == 16));
            if (!ok || body[10] != 0 || body[11] != 0) {
                cnn_fail(e, "%s is a PNG of colour type %d with %d-bit samples, "
                         "which is not a valid PNG kind", path, ctype, depth);
                goto done;
            }
            if (body[12] != 0) {
                cnn_fail(e, "%s is an interlaced PNG, which this reader does "
                         "not decode; save it without interlacing", path);
                goto done;
            }
            have_ihdr = 1;
        } else if (memcmp(type, "PLTE", 4) == 0) {
            if (len % 3 || len / 3 > 256) {
                cnn_fail(e, "%s is damaged: its palette is %u bytes", path, len);
                goto done;
            }
            n_palette = (int)(len / 3);
            for (int k = 0; k < n_palette; k++)
                memcpy(palette[k], body + 3 * k, 3);
        } else if (memcmp(type, "tRNS", 4) == 0 && ctype == 3) {
            for (uint32_t k = 0; k < len && k < 256; k++) palette[k][3] = body[k];
        } else if (memcmp(type, "IDAT", 4) == 0) {
            if (zlen + len > zcap) {
                zcap = 2 * (zlen + len) + 1024;
                unsigned char *bigger = realloc(z, zcap);
                if (!bigger) cnn_die("out of memory reading %s", path);
                z = bigger;
            }
            memcpy(z + zlen, body, len);
            zlen += len;
        } else if (memcmp(type, "IEND", 4) == 0) {
            have_end = 1;
        } else if (!(type[0] & 0x20)) {
            cnn_fail(e, "%s holds a critical PNG chunk %.4s that this reader "
                     "does not know", path, (const char *)type);
            goto done;
        }
        at += 12 + len;
    }
    if (ctype == 3 && n_palette == 0) {
        cnn_fail(e, "%s is damaged: a palette PNG without its PLTE chunk", path);
        goto done;
    }

    const int channels = ctype == 2 ? 3 : ctype == 4 ? 2 : ctype == 6 ? 4 : 1;
    const size_t bits = (size_t)channels * (size_t)depth;
    const size_t row = ((size_t)w * bits + 7) / 8;
    const size_t bpp = bits >= 8 ? bits / 8 : 1;
    const size_t raw_len = (size_t)h * (row + 1);
    unsigned char *raw = xmalloc(raw_len);
    z_stream s;
    memset(&s, 0, sizeof s);
    int zr = inflateInit(&s);
    s.next_in = z;
    s.avail_in = (uInt)zlen;
    s.next_out = raw;
    s.avail_out = (uInt)raw_len;
    if (zr == Z_OK) zr = inflate(&s, Z_FINISH);
    size_t got = raw_len - s.avail_out;
    inflateEnd(&s);
    if (got != raw_len || (zr != Z_STREAM_END && zr != Z_BUF_ERROR && zr != Z_OK)) {
        free(raw);
        cnn_fail(e, "%s is damaged or truncated: its image data decompresses "
                 "to %zu of the %zu bytes a %ldx%ld PNG needs", path, got,
                 raw_len, w, h);
        goto done;
    }
    /* Undo the filters, row by row, in place (eq. of the PNG spec). */
    for (long y = 0; y < h; y++) {
        unsigned char *r = raw + (size_t)y * (row + 1);
        const unsigned char *up = y ? r - (row + 1) + 1 : NULL;
        int f = r[0];
        unsigned char *c = r + 1;
        if (f > 4) {
            free(raw);
            cnn_fail(e, "%s is damaged: row %ld has filter type %d (0-4)",
                     path, y, f);
            goto done;
        }
        for (size_t i = 0; i < row; i++) {
            int a = i >= bpp ? c[i - bpp] : 0, b = up ? up[i] : 0;
            int cc = up && i >= bpp ? up[i - bpp] : 0;
            int pred = f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2
                     : f == 4 ? paeth(a, b, cc) : 0;
            c[i] = (unsigned char)(c[i] + pred);
        }
    }
    uint8_t *px = xmalloc((size_t)w * (size_t)h);
    for (long y = 0; y < h; y++) {
        const unsigned char *c = raw + (size_t)y * (row + 1) + 1;
        for (long x = 0; x < w; x++) {
            unsigned v[4];
            for (int k = 0; k < channels; k++) {
                size_t sample = (size_t)x * channels + k;
                if (depth == 16)
                    v[k] = c[2 * sample]; /* the high byte */
                else if (depth == 8)
                    v[k] = c[sample];
                else {
                    size_t bit = sample * depth;
                    unsigned byte = c[bit / 8];
                    v[k] = (byte >> (8 - depth - bit % 8)) & ((1u << depth) - 1);
                }
            }
            uint8_t g;
            if (ctype == 3) {
                const unsigned char *p = palette[v[0] < (unsigned)n_palette ? v[0] : 0];
                g = over_white(luma(p[0], p[1], p[2]), p[3]);
            } else if (ctype == 0) {
                g = depth < 8 ? (uint8_t)(v[0] * 255 / ((1u << depth) - 1)) : (uint8_t)v[0];
            } else if (ctype == 4) {
                g = over_white(v[0], v[1]);
            } else if (ctype == 2) {
                g = luma(v[0], v[1], v[2]);
            } else {
                g = over_white(luma(v[0], v[1], v[2]), v[3]);
            }
            px[(size_t)y * w + x] = g;
        }
    }
    free(raw);
    img->w = (int)w;
    img->h = (int)h;
    img->pixels = px;
    rc = 0;
done:
    free(z);
    return rc;
}

int image_read_gray(const char *path, GrayImage *img, CnnError *e)
{
    unsigned char *d = NULL;
    size_t n = 0;
    img->w = img->h = 0;
    img->pixels = NULL;
    if (read_file(path, &d, &n, e)) return -1;
    int rc;
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                             0x1a, '\n'};
    if (n >= 8 && memcmp(d, png_sig, 8) == 0)
        rc = read_png(path, d, n, img, e);
    else if (n >= 2 && d[0] == 'P' && (d[1] == '5' || d[1] == '2'))
        rc = read_pgm(path, d, n, img, e);
    else
        rc = cnn_fail(e, "%s is neither a PNG nor a grey PGM image (P2 or "
                      "P5); convert it, e.g. with 'convert IN -colorspace "
                      "gray OUT.pgm'", path);
    free(d);
    return rc;
}

int image_write_pgm(const char *path, const GrayImage *img, CnnError *e)
{
    AtomicFile af;
    if (atomic_open(&af, path, e)) return -1;
    fprintf(af.fp, "P5\n%d %d\n255\n", img->w, img->h);
    fwrite(img->pixels, 1, (size_t)img->w * (size_t)img->h, af.fp);
    return atomic_commit(&af, e);
}

/* npy.c: read and write NumPy .npy files of float32 tensors.
 *
 * The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
 * minor version byte, the header length (2 bytes little-endian in version
 * 1.0, 4 bytes in 2.0 and 3.0), then the header: a Python dict literal such
 * as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, padded
 * with spaces and a newline so that the data starts on a 64-byte boundary.
 * The data follows, with nothing after it.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* the build passes it; this is for a bare cc */
#endif
#include "npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
enum { NPY_ALIGN = 64, NPY_MAX_HEADER = 1 << 20 };

/* ---- byte order --------------------------------------------------------- */

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* .npy data here is little-endian; a big-endian host swaps every float. */
static void swap_to_or_from_le(float *x, size_t n)
{
    if (host_is_little_endian())
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char b[4], t;
        memcpy(b, &x[i], 4);
        t = b[0], b[0] = b[3], b[3] = t;
        t = b[1], b[1] = b[2], b[2] = t;
        memcpy(&x[i], b, 4);
    }
}

/* ---- the header dict ---------------------------------------------------- */

typedef struct {
    char descr[32];
    int descr_is_string; /* a list means a structured dtype */
    int fortran_order;
    int ndim;
    uint64_t shape[TENSOR_MAX_DIMS];
    int seen_descr, seen_fortran, seen_shape;
} NpyHeader;

/* A cursor over the header text, with the file name for messages. */
typedef struct {
    const char *p, *end;
    const char *path;
    CnnError *e;
} Scan;

static void skip_space(Scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
                             *s->p == '\r'))
        s->p++;
}

/* Fails quoting the header text at the cursor (up to 24 characters, control
 * characters shown as spaces), so the user sees what is wrong. */
static int malformed(Scan *s, const char *expected)
{
    char near[25];
    size_t n = 0;
    for (const char *q = s->p; q < s->end && n < sizeof near - 1; q++)
        near[n++] = (*q >= ' ' && *q <= '~') ? *q : ' ';
    near[n] = '\0';
    return cnn_fail(s->e, "%s has a malformed .npy header: expected %s at "
                    "\"%s\"; save the array again with np.save",
                    s->path, expected, near);
}

static int expect_char(Scan *s, char c, const char *what)
{
    skip_space(s);
    if (s->p >= s->end || *s->p != c)
        return malformed(s, what);
    s->p++;
    return 0;
}

/* A Python string literal in '...' or "..." (no escapes: none of the
 * header's strings needs one). */
static int scan_string(Scan *s, char *out, size_t len)
{
    const char *start;
    char q;
    skip_space(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
        return malformed(s, "a quoted string");
    q = *s->p++;
    start = s->p;
    while (s->p < s->end && *s->p != q && *s->p != '\\')
        s->p++;
    if (s->p >= s->end || *s->p != q)
        return malformed(s, "the end of a string");
    if ((size_t)(s->p - start) >= len)
        return malformed(s, "a shorter string");
    memcpy(out, start, (size_t)(s->p - start));
    out[s->p - start] = '\0';
    s->p++;
    return 0;
}

static int scan_word(Scan *s, const char *word)
{
    size_t n = strlen(word);
    skip_space(s);
    if ((size_t)(s->end - s->p) >= n && memcmp(s->p, word, n) == 0) {
        s->p += n;
        return 1;
    }
    return 0;
}

static int scan_bool(Scan *s, int *out)
{
    if (scan_word(s, "True"))
        *out = 1;
    else if (scan_word(s, "False"))
        *out = 0;
    else
        return malformed(s, "True or False");
    return 0;
}

/* A non-negative integer, with the 'L' suffix Python 2 wrote for longs. */
static int scan_uint(Scan *s, uint64_t *out)
{
    uint64_t v = 0;
    skip_space(s);
    if (s->p >= s->end || *s->p < '0' || *s->p > '9')
        return malformed(s, "a non-negative integer");
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
        unsigned d = (unsigned)(*s->p++ - '0');
        if (v > (UINT64_MAX - d) / 10)
            return malformed(s, "a smaller integer");
        v = v * 10 + d;
    }
    if (s->p < s->end && *s->p == 'L')
        s->p++;
    *out = v;
    return 0;
}

/* A tuple of integers: (), (5,), (2, 3) or (2, 3,). */
static int scan_shape(Scan *s, NpyHeader *h)
{
    if (expect_char(s, '(', "'(' opening the shape"))
        return -1;
    h->ndim = 0;
    for (;;) {
        uint64_t v = 0;
        skip_space(s);
        if (s->p < s->end && *s->p == ')')
            break;
        if (scan_uint(s, &v))
            return -1;
        if (h->ndim == TENSOR_MAX_DIMS)
            return cnn_fail(s->e, "%s has more than %d dimensions; tensors "
                            "here have at most %d: reshape the array before "
                            "saving it", s->path, TENSOR_MAX_DIMS, TENSOR_MAX_DIMS);
        h->shape[h->ndim++] = v;
        skip_space(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == ')')
            break;
        return malformed(s, "',' or ')' in the shape");
    }
    s->p++; /* ')' */
    return 0;
}

static int scan_value(Scan *s, const char *key, NpyHeader *h)
{
    if (strcmp(key, "descr") == 0) {
        skip_space(s);
        h->seen_descr = 1;
        if (s->p < s->end && *s->p == '[') {
            /* A structured dtype; record that and skip the list. */
            int depth = 0;
            h->descr_is_string = 0;
            for (; s->p < s->end; s->p++) {
                depth += (*s->p == '[') - (*s->p == ']');
                if (depth == 0)
                    break;
            }
            if (s->p >= s->end)
                return malformed(s, "the end of the descr list");
            s->p++;
            return 0;
        }
        h->descr_is_string = 1;
        return scan_string(s, h->descr, sizeof h->descr);
    }
    if (strcmp(key, "fortran_order") == 0) {
        h->seen_fortran = 1;
        return scan_bool(s, &h->fortran_order);
    }
    if (strcmp(key, "shape") == 0) {
        h->seen_shape = 1;
        return scan_shape(s, h);
    }
    return cnn_fail(s->e, "%s has an unexpected key '%s' in its .npy header; "
                    "save the array again with np.save", s->path, key);
}

/* Parses the dict; keys in any order, any spacing, an optional trailing
 * comma, like Python's own literal syntax. */
static int parse_header(const char *text, size_t len, const char *path,
                        NpyHeader *h, CnnError *e)
{
    Scan s = {text, text + len, path, e};

    memset(h, 0, sizeof *h);
    if (expect_char(&s, '{', "'{' opening the header dict"))
        return -1;
    for (;;) {
        char key[32];
        skip_space(&s);
        if (s.p < s.end && *s.p == '}')
            break;
        if (scan_string(&s, key, sizeof key) ||
            expect_char(&s, ':', "':' after a key") ||
            scan_value(&s, key, h))
            return -1;
        skip_space(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        if (s.p < s.end && *s.p == '}')
            break;
        return malformed(&s, "',' or '}' in the header dict");
    }
    s.p++; /* '}' */
    skip_space(&s);
    if (s.p != s.end)
        return malformed(&s, "only spaces after the header dict");
    if (!h->seen_descr || !h->seen_fortran || !h->seen_shape)
        return cnn_fail(e, "%s has a .npy header without '%s'; save the "
                        "array again with np.save", path,
                        !h->seen_descr ? "descr" : !h->seen_fortran ?
                        "fortran_order" : "shape");
    return 0;
}

/* ---- what the header allows --------------------------------------------- */

/* "float64", "int32", ... for a descr like '<f8', or "" when unknown. */
static void dtype_name(const char *descr, char *out, size_t len)
{
    const char *kind = descr[0] && strchr("<>=|", descr[0]) ? descr + 1 : descr;
    int bytes = atoi(kind + (kind[0] != '\0'));
    const char *base;

    switch (kind[0]) {
    case 'f': base = "float"; break;
    case 'i': base = "int"; break;
    case 'u': base = "uint"; break;
    case 'c': base = "complex"; break;
    case 'b': base = "bool"; break;
    case 'U': base = "unicode text"; break;
    case 'S': base = "bytes"; break;
    case 'O': base = "Python objects"; break;
    default:  base = ""; break;
    }
    if (kind[0] == 'f' || kind[0] == 'i' || kind[0] == 'u' || kind[0] == 'c')
        snprintf(out, len, " (%s%d)", base, 8 * bytes);
    else if (*base)
        snprintf(out, len, " (%s)", base);
    else
        out[0] = '\0';
}

/* descr is float32 in some byte order: '<f4', '>f4', '=f4' or '|f4'. */
static int is_f4(const char *d)
{
    return d[0] != '\0' && strchr("<>=|", d[0]) && strcmp(d + 1, "f4") == 0;
}

/* '=' is the writer's native order and '|' "not applicable"; both are read
 * as the host's order, which must then be little-endian. */
static int is_little_endian_f4(const char *d)
{
    return is_f4(d) && (d[0] == '<' || (d[0] != '>' && host_is_little_endian()));
}

static int check_header(const NpyHeader *h, const char *path, CnnError *e)
{
    const char *d = h->descr;
    char name[48];

    if (!h->descr_is_string)
        return cnn_fail(e, "%s holds a structured array (a record dtype); "
                        "the course works in plain float32: save one field "
                        "with arr['name'].astype(np.float32)", path);
    if (is_f4(d) && !is_little_endian_f4(d))
        return cnn_fail(e, "%s holds big-endian float32 (dtype '%s'); save it "
                        "little-endian with arr.astype('<f4')", path, d);
    if (!is_f4(d)) {
        dtype_name(d, name, sizeof name);
        return cnn_fail(e, "%s holds dtype '%s'%s; the course works in "
                        "float32: save it with arr.astype(np.float32)",
                        path, d, name);
    }
    if (h->fortran_order)
        return cnn_fail(e, "%s is stored in Fortran (column-major) order; the "
                        "course reads C order: save it with "
                        "np.save(path, np.ascontiguousarray(arr))", path);
    return 0;
}

/* Copies the shape into t and the data size into *bytes, refusing a shape
 * whose bytes do not fit in a size_t. */
static int header_to_tensor_shape(const NpyHeader *h, Tensor *t, size_t *bytes,
                                  const char *path, CnnError *e)
{
    size_t n = sizeof(float);
    t->ndim = h->ndim;
    for (int i = 0; i < h->ndim; i++) {
        if (h->shape[i] > SIZE_MAX ||
            (h->shape[i] != 0 && n > SIZE_MAX / h->shape[i]))
            return cnn_fail(e, "%s declares a shape too large to address in "
                            "memory; check the file", path);
        t->shape[i] = (size_t)h->shape[i];
        n *= t->shape[i];
    }
    *bytes = n;
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

/* Reads the magic, version and header text. *data_start gets the offset of
 * the data. The caller frees *text. */
static int read_preamble(FILE *f, const char *path, char **text,
                         size_t *text_len, long *data_start, CnnError *e)
{
    unsigned char pre[12];
    size_t got = fread(pre, 1, 10, f), len_bytes;
    uint32_t hlen;

    *text = NULL;
    if (got < 10 && ferror(f)) /* e.g. the path is a directory */
        return cnn_fail(e, "cannot read %s: %s; check the path", path,
                        strerror(errno));
    if (got < 8 || memcmp(pre, npy_magic, sizeof npy_magic) != 0)
        return cnn_fail(e, "%s is not a .npy file (it does not start with "
                        "\\x93NUMPY); save arrays with np.save", path);
    if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
        return cnn_fail(e, "%s is .npy format version %d.%d, which this reader "
                        "does not know (it reads 1.0, 2.0 and 3.0); save it with "
                        "np.lib.format.write_array(f, arr, version=(1, 0))",
                        path, pre[6], pre[7]);
    len_bytes = pre[6] == 1 ? 2 : 4;
    if (len_bytes == 4 && got == 10)
        got += fread(pre + 10, 1, 2, f);
    if (got < 8 + len_bytes)
        return cnn_fail(e, "%s ends inside its .npy header: the file is "
                        "truncated; save it again", path);
    hlen = len_bytes == 2 ? (uint32_t)pre[8] | (uint32_t)pre[9] << 8
                          : le32(pre + 8);
    if (hlen > NPY_MAX_HEADER)
        return cnn_fail(e, "%s declares a .npy header of %lu bytes, far more "
                        "than any array needs; the file is damaged or not a "
                        ".npy file", path, (unsigned long)hlen);
    *text = xmalloc(hlen + 1);
    if (fread(*text, 1, hlen, f) != hlen) {
        free(*text);
        *text = NULL;
        return cnn_fail(e, "%s ends inside its .npy header: the file is "
                        "truncated; save it again", path);
    }
    (*text)[hlen] = '\0';
    *text_len = hlen;
    *data_start = (long)(8 + len_bytes + hlen);
    return 0;
}

/* Compares the file's size with what the header promises before anything
 * big is allocated. Only for regular files; a pipe is checked while read. */
static int check_size(FILE *f, const char *path, long data_start, size_t bytes,
                      CnnError *e)
{
    struct stat st;
    uint64_t have;

    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size < data_start)
        return 0;
    have = (uint64_t)st.st_size - (uint64_t)data_start;
    if (have < bytes)
        return cnn_fail(e, "%s holds %llu of %zu data bytes: the file is "
                        "truncated; save it again", path,
                        (unsigned long long)have, bytes);
    if (have > bytes)
        return cnn_fail(e, "%s has %llu bytes after its %zu data bytes; it "
                        "is damaged or not a plain np.save file: save it "
                        "again with np.save", path,
                        (unsigned long long)(have - bytes), bytes);
    return 0;
}

static int read_data(FILE *f, const char *path, Tensor *t, size_t bytes,
                     CnnError *e)
{
    size_t got;
    t->data = xmalloc(bytes);
    got = fread(t->data, 1, bytes, f);
    if (got != bytes)
        return cnn_fail(e, "%s holds %zu of %zu data bytes: the file is "
                        "truncated; save it again", path, got, bytes);
    if (fgetc(f) != EOF)
        return cnn_fail(e, "%s has bytes after its %zu data bytes; it is "
                        "damaged or not a plain np.save file: save it again "
                        "with np.save", path, bytes);
    swap_to_or_from_le(t->data, bytes / sizeof(float));
    return 0;
}

int npy_read(const char *path, Tensor *out, CnnError *e)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t text_len = 0, bytes = 0;
    long data_start = 0;
    NpyHeader h;
    Tensor t;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&t, 0, sizeof t);
    if (!f)
        return cnn_fail(e, "cannot open %s: %s; check the path", path,
                        strerror(errno));
    rc = read_preamble(f, path, &text, &text_len, &data_start, e);
    if (rc == 0)
        rc = parse_header(text, text_len, path, &h, e);
    if (rc == 0)
        rc = check_header(&h, path, e);
    if (rc == 0)
        rc = header_to_tensor_shape(&h, &t, &bytes, path, e);
    if (rc == 0)
        rc = check_size(f, path, data_start, bytes, e);
    if (rc == 0)
        rc = read_data(f, path, &t, bytes, e);
    free(text);
    fclose(f);
    if (rc != 0) {
        tensor_free(&t);
        return -1;
    }
    *out = t;
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

/* The dict of a header: 53 fixed characters, a shape of up to
 * TENSOR_MAX_DIMS sizes of at most 20 digits and 2 separators each plus its
 * brackets, and at most 21 spaces. It fits dict[] below, and so the 2-byte
 * length field of format version 1.0. */
_Static_assert(53 + TENSOR_MAX_DIMS * 22 + 2 + 21 <= NPY_ALIGN * 6,
               "the .npy header of the largest shape fits the buffer");

/* The header as NumPy's np.save writes it (numpy/lib/format.py): sorted
 * keys, the shape as Python's repr of a tuple, spare spaces so the first
 * axis can grow in place, then padding to a 64-byte boundary. Always format
 * version 1.0, which holds any header of at most TENSOR_MAX_DIMS dimensions
 * (2.0 exists for headers over 64 KiB). Returns the length of magic +
 * version + length field + header. */
static size_t npy_header(const Tensor *t, unsigned char buf[NPY_ALIGN * 8])
{
    char dict[NPY_ALIGN * 6], shape[TENSOR_MAX_DIMS * 24 + 8], first[24];
    size_t dlen, hlen, pad;

    tensor_shape_str(t, shape, sizeof shape);
    dlen = (size_t)snprintf(dict, sizeof dict, "{'descr': '<f4', "
                            "'fortran_order': False, 'shape': %s, }", shape);
    if (t->ndim > 0) {
        /* numpy pads by 21 minus the digits of the first axis. */
        size_t digits = (size_t)snprintf(first, sizeof first, "%zu", t->shape[0]);
        for (size_t i = digits; i < 21; i++)
            dict[dlen++] = ' ';
    }
    pad = NPY_ALIGN - (10 + dlen + 1) % NPY_ALIGN;
    hlen = dlen + pad + 1;
    memcpy(buf, npy_magic, sizeof npy_magic);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (unsigned char)(hlen & 0xFF);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, dlen);
    memset(buf + 10 + dlen, ' ', pad);
    buf[10 + hlen - 1] = '\n';
    return 10 + hlen;
}

/* Writes n floats little-endian, in blocks so a big-endian host can swap a
 * copy instead of the caller's tensor. */
static void write_floats_le(FILE *f, const float *x, size_t n)
{
    float block[1024];
    if (host_is_little_endian()) {
        fwrite(x, sizeof(float), n, f);
        return;
    }
    for (size_t i = 0; i < n; i += 1024) {
        size_t m = n - i < 1024 ? n - i : 1024;
        memcpy(block, x + i, m * sizeof(float));
        swap_to_or_from_le(block, m);
        fwrite(block, sizeof(float), m, f);
    }
}

static int check_ndim(const char *path, const Tensor *t, CnnError *e)
{
    if (t->ndim < 0 || t->ndim > TENSOR_MAX_DIMS)
        return cnn_fail(e, "cannot write %s: the tensor has %d dimensions, "
                        "but .npy files here hold 0 to %d", path, t->ndim,
                        TENSOR_MAX_DIMS);
    return 0;
}

int npy_write_to(AtomicFile *af, const Tensor *t, CnnError *e)
{
    unsigned char header[NPY_ALIGN * 8];
    size_t hlen;

    if (check_ndim(af->path, t, e))
        return -1;
    hlen = npy_header(t, header);
    fwrite(header, 1, hlen, af->fp);
    write_floats_le(af->fp, t->data, tensor_numel(t));
    return 0; /* a failed write surfaces in atomic_commit */
}

int npy_write(const char *path, const Tensor *t, CnnError *e)
{
    AtomicFile af;
    if (check_ndim(path, t, e) || atomic_open(&af, path, e))
        return -1;
    npy_write_to(&af, t, e); /* cannot fail: the shape is checked */
    return atomic_commit(&af, e);
}

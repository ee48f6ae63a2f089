/* test_data.c: tests of chapter 06's runtime additions in common/: IDX
 * data sets (dataset.h), checkpoint files (checkpoint.h) and the PGM/PNG
 * reader (image.h). Every file a test needs is made here, in a temporary
 * folder: PNGs by a small encoder below (each colour type, bit depth and
 * filter type), damaged files by cutting or flipping bytes of good ones.
 *
 *   build/asan/bin/test_data     (CK_TAP_LOG_FILE_NAME=FILE for TAP)
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "checkpoint.h"
#include "dataset.h"
#include "idx.h"
#include "image.h"

static char tmpdir[256];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_data.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

static char *path_of(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

#define ASSERT_MSG_HAS(e, text)                                                \
    ck_assert_msg(strstr((e).msg, (text)) != NULL,                             \
                  "the message \"%s\" should contain \"%s\"", (e).msg, (text))

/* ---- data sets ------------------------------------------------------------- */

/* n images of 28x28 (pixel = (i + 3 k) % 256 for image i, pixel k) and
 * labels i % 10, raw or gzip. */
static void make_set(const char *dir, const char *split, int n, int gz)
{
    IdxArray img = {3, {(uint32_t)n, 28, 28, 0}, malloc((size_t)n * 784)};
    IdxArray lab = {1, {(uint32_t)n, 0, 0, 0}, malloc((size_t)n)};
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 784; k++) img.data[(size_t)i * 784 + k] = (uint8_t)((i + 3 * k) % 256);
        lab.data[i] = (uint8_t)(i % 10);
    }
    char p[600];
    CnnError e = {""};
    snprintf(p, sizeof p, "%s/%s-images-idx3-ubyte", dir, split);
    ck_assert_int_eq(idx_write(p, &img, &e), 0);
    if (gz) {
        size_t len;
        unsigned char *raw = read_bytes(p, &len);
        char gzp[620];
        snprintf(gzp, sizeof gzp, "%s.gz", p);
        gzFile g = gzopen(gzp, "wb");
        ck_assert_int_eq(gzwrite(g, raw, (unsigned)len), (int)len);
        gzclose(g);
        unlink(p);
        free(raw);
    }
    snprintf(p, sizeof p, "%s/%s-labels-idx1-ubyte", dir, split);
    ck_assert_int_eq(idx_write(p, &lab, &e), 0);
    idx_free(&img);
    idx_free(&lab);
}

static void check_set(const Dataset *d, int n)
{
    ck_assert_int_eq(d->n, n);
    ck_assert_int_eq(d->rows, 28);
    ck_assert_int_eq(d->cols, 28);
    int idx[3] = {n - 1, 0, n / 2};
    uint8_t px[3 * 784];
    CnnError e = {""};
    ck_assert_int_eq(dataset_images(d, idx, 3, px, &e), 0);
    for (int j = 0; j < 3; j++) {
        ck_assert_int_eq(d->labels[idx[j]], idx[j] % 10);
        for (int k = 0; k < 784; k++)
            ck_assert_int_eq(px[j * 784 + k], (idx[j] + 3 * k) % 256);
    }
}

START_TEST(test_dataset_raw_streamed)
{
    make_tmp();
    make_set(tmpdir, "train", 50, 0);
    make_set(tmpdir, "t10k", 20, 0);
    DataLocation loc;
    CnnError e = {""};
    ck_assert_int_eq(data_locate("mnist", tmpdir, &loc, &e), 0);
    ck_assert_int_eq(loc.full, 1);
    Dataset d;
    ck_assert_int_eq(dataset_open(&d, &loc, "train", 10, &e), 0);
    ck_assert_ptr_null(d.pixels); /* raw: read from the file on demand */
    ck_assert_int_ge(d.fd, 0);
    check_set(&d, 50);
    dataset_close(&d);
    ck_assert_int_eq(dataset_open(&d, &loc, "t10k", 10, &e), 0);
    check_set(&d, 20);
    dataset_close(&d);
    dataset_close(&d); /* twice is harmless */
    remove_tmp();
}
END_TEST

START_TEST(test_dataset_gzip_in_memory)
{
    make_tmp();
    make_set(tmpdir, "train", 30, 1);
    make_set(tmpdir, "t10k", 10, 1);
    DataLocation loc;
    CnnError e = {""};
    ck_assert_int_eq(data_locate("mnist", tmpdir, &loc, &e), 0);
    Dataset d;
    ck_assert_int_eq(dataset_open(&d, &loc, "train", 10, &e), 0);
    ck_assert_ptr_nonnull(d.pixels);
    check_set(&d, 30);
    dataset_close(&d);
    remove_tmp();
}
END_TEST

START_TEST(test_dataset_refusals)
{
    make_tmp();
    make_set(tmpdir, "train", 40, 0);
    make_set(tmpdir, "t10k", 10, 0);
    CnnError e = {""};
    Dataset d;
    /* a truncated raw image file */
    size_t n;
    unsigned char *b = read_bytes(path_of("train-images-idx3-ubyte"), &n);
    write_bytes(path_of("cut-images"), b, n - 100);
    ck_assert_int_eq(dataset_open_files(&d, path_of("cut-images"),
                                        path_of("train-labels-idx1-ubyte"), 10, &e), -1);
    ASSERT_MSG_HAS(e, "truncated");
    /* not an IDX image file */
    b[2] = 0x0d;
    write_bytes(path_of("float-images"), b, n);
    ck_assert_int_eq(dataset_open_files(&d, path_of("float-images"),
                                        path_of("train-labels-idx1-ubyte"), 10, &e), -1);
    ASSERT_MSG_HAS(e, "not an IDX file");
    free(b);
    /* labels of another set */
    ck_assert_int_eq(dataset_open_files(&d, path_of("train-images-idx3-ubyte"),
                                        path_of("t10k-labels-idx1-ubyte"), 10, &e), -1);
    ASSERT_MSG_HAS(e, "do not belong together");
    /* a label beyond the classes */
    ck_assert_int_eq(dataset_open_files(&d, path_of("train-images-idx3-ubyte"),
                                        path_of("train-labels-idx1-ubyte"), 5, &e), -1);
    ASSERT_MSG_HAS(e, "classes");
    /* a folder without the files */
    DataLocation loc;
    ck_assert_int_eq(data_locate("mnist", "/nonexistent-folder", &loc, &e), -1);
    ASSERT_MSG_HAS(e, "--data-dir");
    remove_tmp();
}
END_TEST

/* The committed samples are there and well formed (tests and offline runs
 * rely on them). */
START_TEST(test_dataset_samples)
{
    const char *names[2] = {"mnist", "fashion-mnist"};
    for (int k = 0; k < 2; k++) {
        DataLocation loc;
        CnnError e = {""};
        ck_assert_msg(data_locate_sample(names[k], &loc, &e) == 0, "%s", e.msg);
        ck_assert_int_eq(loc.full, 0);
        Dataset d;
        ck_assert_msg(dataset_open(&d, &loc, "train", 10, &e) == 0, "%s", e.msg);
        ck_assert_int_eq(d.n, 2000);
        int count[10] = {0};
        for (int i = 0; i < d.n; i++) count[d.labels[i]]++;
        for (int c = 0; c < 10; c++) ck_assert_int_gt(count[c], 100);
        dataset_close(&d);
        ck_assert_msg(dataset_open(&d, &loc, "t10k", 10, &e) == 0, "%s", e.msg);
        ck_assert_int_eq(d.n, 1000);
        dataset_close(&d);
    }
}
END_TEST

/* ---- checkpoints ----------------------------------------------------------- */

static void write_good_checkpoint(const char *path)
{
    float w[5] = {1.5f, -2.0f, 0.25f, 3.0f, -0.125f};
    const char *meta = "model test\nsteps 7\n";
    double h[3] = {1, 2, 3};
    CkptSection s[3] = {{"meta", meta, strlen(meta)}, {"params", w, sizeof w},
                        {"history", h, sizeof h}};
    CnnError e = {""};
    ck_assert_msg(ckpt_write(path, s, 3, &e) == 0, "%s", e.msg);
}

START_TEST(test_checkpoint_roundtrip)
{
    make_tmp();
    write_good_checkpoint(path_of("a.ckpt"));
    Checkpoint c;
    CnnError e = {""};
    ck_assert_msg(ckpt_read(path_of("a.ckpt"), &c, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(c.n, 3);
    size_t bytes;
    const float *w = ckpt_find(&c, "params", &bytes);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(bytes, 5 * sizeof(float));
    ck_assert_float_eq(w[1], -2.0f);
    ck_assert_float_eq(w[4], -0.125f);
    ck_assert_ptr_null(ckpt_find(&c, "velocity", NULL));
    const char *meta = ckpt_find(&c, "meta", &bytes);
    ck_assert_int_eq(memcmp(meta, "model test\n", 11), 0);
    ckpt_free(&c);
    /* an existing checkpoint is replaced whole, no temporary file stays */
    write_good_checkpoint(path_of("a.ckpt"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    remove_tmp();
}
END_TEST

START_TEST(test_checkpoint_refusals)
{
    make_tmp();
    write_good_checkpoint(path_of("good.ckpt"));
    size_t n;
    unsigned char *b = read_bytes(path_of("good.ckpt"), &n);
    Checkpoint c;
    CnnError e = {""};
    /* every cut: truncated, never accepted */
    for (size_t len = 0; len < n; len++) {
        write_bytes(path_of("cut.ckpt"), b, len);
        ck_assert_msg(ckpt_read(path_of("cut.ckpt"), &c, &e) == -1,
                      "a checkpoint cut to %zu of %zu bytes was accepted", len, n);
        ck_assert_msg(strstr(e.msg, "truncated") != NULL,
                      "cut to %zu bytes: \"%s\" should say truncated", len, e.msg);
    }
    /* one flipped bit anywhere past the header: corrupt */
    for (size_t at = 16; at < n; at += 7) {
        unsigned char *f = malloc(n);
        memcpy(f, b, n);
        f[at] ^= 0x10;
        write_bytes(path_of("flip.ckpt"), f, n);
        ck_assert_msg(ckpt_read(path_of("flip.ckpt"), &c, &e) == -1,
                      "a flipped bit at byte %zu was accepted", at);
        free(f);
    }
    b[20] ^= 1; /* inside the data of the first section */
    write_bytes(path_of("flip.ckpt"), b, n);
    ck_assert_int_eq(ckpt_read(path_of("flip.ckpt"), &c, &e), -1);
    ASSERT_MSG_HAS(e, "corrupt");
    b[20] ^= 1;
    /* trailing bytes */
    unsigned char *longer = malloc(n + 3);
    memcpy(longer, b, n);
    memset(longer + n, 0, 3);
    write_bytes(path_of("long.ckpt"), longer, n + 3);
    ck_assert_int_eq(ckpt_read(path_of("long.ckpt"), &c, &e), -1);
    ASSERT_MSG_HAS(e, "follow its checksum");
    free(longer);
    /* another version */
    b[8] = 9;
    write_bytes(path_of("v9.ckpt"), b, n);
    ck_assert_int_eq(ckpt_read(path_of("v9.ckpt"), &c, &e), -1);
    ASSERT_MSG_HAS(e, "version 9");
    /* not a checkpoint at all */
    write_bytes(path_of("text.ckpt"), "hello, world\n", 13);
    ck_assert_int_eq(ckpt_read(path_of("text.ckpt"), &c, &e), -1);
    ASSERT_MSG_HAS(e, "not a checkpoint");
    ck_assert_int_eq(ckpt_read(path_of("missing.ckpt"), &c, &e), -1);
    ASSERT_MSG_HAS(e, "cannot read");
    /* an unwritable place: refused, nothing created */
    CkptSection s = {"x", "y", 1};
    ck_assert_int_eq(ckpt_write(path_of("no/such/dir/x.ckpt"), &s, 1, &e), -1);
    free(b);
    remove_tmp();
}
END_TEST

/* ---- images ---------------------------------------------------------------------- */

START_TEST(test_pgm)
{
    make_tmp();
    uint8_t px[12] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 255};
    GrayImage img = {4, 3, px}, got;
    CnnError e = {""};
    ck_assert_int_eq(image_write_pgm(path_of("a.pgm"), &img, &e), 0);
    ck_assert_msg(image_read_gray(path_of("a.pgm"), &got, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(got.w, 4);
    ck_assert_int_eq(got.h, 3);
    ck_assert_int_eq(memcmp(got.pixels, px, 12), 0);
    image_free(&got);
    /* plain P2, maxval 15, with a comment */
    const char *p2 = "P2\n# a comment\n3 2\n15\n0 15 5\n10 1 14\n";
    write_bytes(path_of("b.pgm"), p2, strlen(p2));
    ck_assert_msg(image_read_gray(path_of("b.pgm"), &got, &e) == 0, "%s", e.msg);
    uint8_t want[6] = {0, 255, 85, 170, 17, 238};
    ck_assert_int_eq(memcmp(got.pixels, want, 6), 0);
    image_free(&got);
    /* 16-bit P5 */
    unsigned char p5[] = {'P', '5', '\n', '2', ' ', '1', '\n', '6', '5', '5', '3', '5', '\n',
                          0xff, 0xff, 0x80, 0x00};
    write_bytes(path_of("c.pgm"), p5, sizeof p5);
    ck_assert_msg(image_read_gray(path_of("c.pgm"), &got, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(got.pixels[0], 255);
    ck_assert_int_eq(got.pixels[1], 128);
    image_free(&got);
    /* truncated */
    write_bytes(path_of("d.pgm"), "P5\n4 4\n255\n\x01\x02", 13);
    ck_assert_int_eq(image_read_gray(path_of("d.pgm"), &got, &e), -1);
    ASSERT_MSG_HAS(e, "truncated");
    remove_tmp();
}
END_TEST

/* A tiny PNG encoder for the tests: rows of raw samples, each filtered with
 * the filter type filters[y % nf], compressed, with correct CRCs. */
static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24); b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8); b[3] = (unsigned char)v;
}

static size_t chunk(unsigned char *out, const char *type, const unsigned char *data,
                    uint32_t len)
{
    put32(out, len);
    memcpy(out + 4, type, 4);
    if (len) memcpy(out + 8, data, len);
    put32(out + 8 + len, (uint32_t)crc32(crc32(0, Z_NULL, 0), out + 4, len + 4));
    return 12 + len;
}

static int paeth_t(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void write_png(const char *path, int w, int h, int depth, int ctype,
                      const unsigned char *raw, size_t row, const int *filters, int nf,
                      const unsigned char *plte, int nplte, const unsigned char *trns,
                      int ntrns, int interlace, int corrupt_crc)
{
    const int ch = ctype == 2 ? 3 : ctype == 4 ? 2 : ctype == 6 ? 4 : 1;
    size_t bits = (size_t)ch * depth, bpp = bits >= 8 ? bits / 8 : 1;
    size_t flen = (size_t)h * (row + 1);
    unsigned char *filt = malloc(flen);
    for (int y = 0; y < h; y++) {
        const unsigned char *r = raw + (size_t)y * row, *up = y ? r - row : NULL;
        int f = filters[y % nf];
        filt[(size_t)y * (row + 1)] = (unsigned char)f;
        for (size_t i = 0; i < row; i++) {
            int a = i >= bpp ? r[i - bpp] : 0, b = up ? up[i] : 0;
            int c = up && i >= bpp ? up[i - bpp] : 0;
            int pred = f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : f == 4 ? paeth_t(a, b, c) : 0;
            filt[(size_t)y * (row + 1) + 1 + i] = (unsigned char)(r[i] - pred);
        }
    }
    uLongf zlen = compressBound(flen);
    unsigned char *z = malloc(zlen);
    ck_assert_int_eq(compress2(z, &zlen, filt, flen, 9), Z_OK);
    unsigned char *out = malloc(zlen + 2000);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(out, sig, 8);
    size_t at = 8;
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = (unsigned char)depth; ihdr[9] = (unsigned char)ctype;
    ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = (unsigned char)interlace;
    at += chunk(out + at, "IHDR", ihdr, 13);
    if (plte) at += chunk(out + at, "PLTE", plte, (uint32_t)(3 * nplte));
    if (trns) at += chunk(out + at, "tRNS", trns, (uint32_t)ntrns);
    /* the data in two IDAT chunks, as encoders often split it */
    uint32_t half = (uint32_t)zlen / 2;
    at += chunk(out + at, "IDAT", z, half);
    at += chunk(out + at, "IDAT", z + half, (uint32_t)zlen - half);
    at += chunk(out + at, "IEND", NULL, 0);
    if (corrupt_crc) out[8 + 8 + 13 + 2] ^= 0xff; /* IHDR's CRC */
    write_bytes(path, out, at);
    free(filt); free(z); free(out);
}

static void expect_png(const char *path, int w, int h, const uint8_t *want)
{
    GrayImage got;
    CnnError e = {""};
    ck_assert_msg(image_read_gray(path, &got, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(got.w, w);
    ck_assert_int_eq(got.h, h);
    for (int i = 0; i < w * h; i++)
        ck_assert_msg(abs((int)got.pixels[i] - (int)want[i]) <= 1,
                      "%s pixel %d: got %d, want %d", path, i, got.pixels[i], want[i]);
    image_free(&got);
}

START_TEST(test_png_kinds)
{
    make_tmp();
    enum { W = 7, H = 5 };
    const int all_filters[5] = {0, 1, 2, 3, 4};
    uint8_t want[W * H];
    /* 8-bit grey, every filter type */
    unsigned char g8[W * H];
    for (int i = 0; i < W * H; i++) want[i] = g8[i] = (uint8_t)(i * 37 % 256);
    write_png(path_of("g8.png"), W, H, 8, 0, g8, W, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("g8.png"), W, H, want);
    /* 16-bit grey */
    unsigned char g16[W * H * 2];
    for (int i = 0; i < W * H; i++) {
        g16[2 * i] = want[i];
        g16[2 * i + 1] = 0x5a;
    }
    write_png(path_of("g16.png"), W, H, 16, 0, g16, 2 * W, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("g16.png"), W, H, want);
    /* 1-bit grey */
    unsigned char g1[H];
    for (int y = 0; y < H; y++) {
        g1[y] = (unsigned char)(0xb4 ^ y);
        for (int x = 0; x < W; x++) want[y * W + x] = (g1[y] >> (7 - x)) & 1 ? 255 : 0;
    }
    write_png(path_of("g1.png"), W, H, 1, 0, g1, 1, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("g1.png"), W, H, want);
    /* RGB: the luma */
    unsigned char rgb[W * H * 3];
    for (int i = 0; i < W * H; i++) {
        rgb[3 * i] = (unsigned char)(i * 7); rgb[3 * i + 1] = (unsigned char)(255 - i * 5);
        rgb[3 * i + 2] = (unsigned char)(i * 11);
        want[i] = (uint8_t)((299 * rgb[3 * i] + 587 * rgb[3 * i + 1] + 114 * rgb[3 * i + 2] + 500) / 1000);
    }
    write_png(path_of("rgb.png"), W, H, 8, 2, rgb, 3 * W, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("rgb.png"), W, H, want);
    /* RGBA: transparent pixels over white */
    unsigned char rgba[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = 0;
        rgba[4 * i + 3] = (unsigned char)(i % 2 ? 0 : 255);
        want[i] = i % 2 ? 255 : 0;
    }
    write_png(path_of("rgba.png"), W, H, 8, 6, rgba, 4 * W, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("rgba.png"), W, H, want);
    /* grey + alpha */
    unsigned char ga[W * H * 2];
    for (int i = 0; i < W * H; i++) {
        ga[2 * i] = 100;
        ga[2 * i + 1] = 128;
        want[i] = (uint8_t)((100 * 128 + 255 * 127 + 127) / 255);
    }
    write_png(path_of("ga.png"), W, H, 8, 4, ga, 2 * W, all_filters, 5, NULL, 0, NULL, 0, 0, 0);
    expect_png(path_of("ga.png"), W, H, want);
    /* 4-bit palette with a transparent entry */
    unsigned char plte[3 * 3] = {0, 0, 0, 255, 255, 255, 200, 0, 0};
    unsigned char trns[1] = {0};
    unsigned char pal[H * 4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < 8; x += 2) {
            int a = (x + y) % 3, b = (x + y + 1) % 3;
            pal[y * 4 + x / 2] = (unsigned char)(a << 4 | b);
            if (x < W) want[y * W + x] = a == 0 ? 255 : a == 1 ? 255 : 60;
            if (x + 1 < W) want[y * W + x + 1] = b == 0 ? 255 : b == 1 ? 255 : 60;
        }
    write_png(path_of("pal.png"), W, H, 4, 3, pal, 4, all_filters, 5, plte, 3, trns, 1, 0, 0);
    expect_png(path_of("pal.png"), W, H, want);
    remove_tmp();
}
END_TEST

START_TEST(test_png_refusals)
{
    make_tmp();
    const int f0[1] = {0};
    unsigned char g8[16] = {0};
    GrayImage got;
    CnnError e = {""};
    write_png(path_of("inter.png"), 4, 4, 8, 0, g8, 4, f0, 1, NULL, 0, NULL, 0, 1, 0);
    ck_assert_int_eq(image_read_gray(path_of("inter.png"), &got, &e), -1);
    ASSERT_MSG_HAS(e, "interlaced");
    write_png(path_of("crc.png"), 4, 4, 8, 0, g8, 4, f0, 1, NULL, 0, NULL, 0, 0, 1);
    ck_assert_int_eq(image_read_gray(path_of("crc.png"), &got, &e), -1);
    ASSERT_MSG_HAS(e, "CRC");
    write_png(path_of("ok.png"), 4, 4, 8, 0, g8, 4, f0, 1, NULL, 0, NULL, 0, 0, 0);
    size_t n;
    unsigned char *b = read_bytes(path_of("ok.png"), &n);
    write_bytes(path_of("cut.png"), b, n - 20);
    ck_assert_int_eq(image_read_gray(path_of("cut.png"), &got, &e), -1);
    ASSERT_MSG_HAS(e, "truncated");
    free(b);
    write_bytes(path_of("x.jpg"), "\xff\xd8\xff\xe0 JFIF", 10);
    ck_assert_int_eq(image_read_gray(path_of("x.jpg"), &got, &e), -1);
    ASSERT_MSG_HAS(e, "neither a PNG nor");
    remove_tmp();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data");
    TCase *tc = tcase_create("common");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_dataset_raw_streamed);
    tcase_add_test(tc, test_dataset_gzip_in_memory);
    tcase_add_test(tc, test_dataset_refusals);
    tcase_add_test(tc, test_dataset_samples);
    tcase_add_test(tc, test_checkpoint_roundtrip);
    tcase_add_test(tc, test_checkpoint_refusals);
    tcase_add_test(tc, test_pgm);
    tcase_add_test(tc, test_png_kinds);
    tcase_add_test(tc, test_png_refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

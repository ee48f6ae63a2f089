/* dataset.c: finding and reading IDX data sets (dataset.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idx.h"

static const char *const IDX_FILES[] = {"train-images-idx3-ubyte",
                                        "train-labels-idx1-ubyte",
                                        "t10k-images-idx3-ubyte",
                                        "t10k-labels-idx1-ubyte"};

/* path of file `base` in dir, raw or with ".gz"; 0 when one exists. */
static int find_file(const char *dir, const char *base, char *path, size_t len)
{
    struct stat st;
    snprintf(path, len, "%s/%s", dir, base);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 0;
    snprintf(path, len, "%s/%s.gz", dir, base);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 0;
    return -1;
}

/* 1 when dir holds the four files of a data set. */
static int holds_set(const char *dir)
{
    char path[DATASET_PATH_MAX + 64];
    for (int k = 0; k < 4; k++)
        if (find_file(dir, IDX_FILES[k], path, sizeof path)) return 0;
    return 1;
}

/* The workbook's folder: the nearest folder above this program that holds
 * datasets/fetch.sh. 0, or -1 when there is none. */
static int workbook_root(char *root, size_t len)
{
    char path[DATASET_PATH_MAX], probe[DATASET_PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return -1;
    path[n] = '\0';
    for (;;) {
        char *slash = strrchr(path, '/');
        if (!slash || slash == path) return -1;
        *slash = '\0';
        snprintf(probe, sizeof probe, "%s/datasets/fetch.sh", path);
        if (access(probe, R_OK) == 0) {
            snprintf(root, len, "%s", path);
            return 0;
        }
    }
}

static int try_dir(DataLocation *loc, const char *dir, int full)
{
    size_t len = strlen(dir);
    if (len >= sizeof loc->dir || !holds_set(dir)) return 0;
    memcpy(loc->dir, dir, len + 1);
    loc->full = full;
    return 1;
}

int data_locate(const char *name, const char *data_dir, DataLocation *loc,
                CnnError *e)
{
    char dir[DATASET_PATH_MAX];
    if (data_dir) {
        if (try_dir(loc, data_dir, 1)) return 0;
        return cnn_fail(e, "%s does not hold the four IDX files of a data set "
                        "(train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw "
                        "or .gz): check --data-dir", data_dir);
    }
    const char *env = getenv("CNN_DATA_DIR");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s/%s", env, name);
        if (try_dir(loc, dir, 1)) return 0;
    }
    char root[DATASET_PATH_MAX] = ".";
    int have_root = workbook_root(root, sizeof root) == 0;
    const char *bases[2] = {".", have_root ? root : NULL};
    for (int full = 1; full >= 0; full--)
        for (int b = 0; b < 2; b++) {
            if (!bases[b]) continue;
            snprintf(dir, sizeof dir, "%s/%s/%s", bases[b],
                     full ? "build/data" : "datasets/samples", name);
            if (try_dir(loc, dir, full)) return 0;
        }
    return cnn_fail(e, "no %s data: neither build/data/%s nor "
                    "datasets/samples/%s holds its IDX files; run "
                    "datasets/fetch.sh %s in the workbook's folder (or give "
                    "--data-dir)", name, name, name, name);
}

int data_locate_sample(const char *name, DataLocation *loc, CnnError *e)
{
    char dir[DATASET_PATH_MAX + 64], root[DATASET_PATH_MAX];
    snprintf(dir, sizeof dir, "datasets/samples/%s", name);
    if (try_dir(loc, dir, 0)) return 0;
    if (workbook_root(root, sizeof root) == 0) {
        snprintf(dir, sizeof dir, "%s/datasets/samples/%s", root, name);
        if (try_dir(loc, dir, 0)) return 0;
    }
    return cnn_fail(e, "the committed sample datasets/samples/%s is missing: "
                    "restore it from the repository", name);
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           (uint32_t)b[3];
}

/* Opens a raw IDX image file for reading on demand. 1 when path is a raw
 * (not gzip) file and d is set up, 0 when it is gzip, -1 + e on error. */
static int open_raw_images(Dataset *d, const char *path, CnnError *e)
{
    unsigned char head[16];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return cnn_fail(e, "cannot read %s: %s", path, strerror(errno));
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        close(fd);
        return 0; /* gzip: idx_read decompresses it */
    }
    struct stat st;
    if (got < 16 || fstat(fd, &st) != 0) {
        close(fd);
        return cnn_fail(e, "%s is too short for an IDX image file (%zd "
                        "bytes); replace it with a fresh copy "
                        "(datasets/fetch.sh)", path, got < 0 ? (ssize_t)0 : got);
    }
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != 3) {
        close(fd);
        return cnn_fail(e, "%s is not an IDX file of 3-D unsigned bytes (it "
                        "starts with %02x %02x %02x %02x, not 00 00 08 03); "
                        "check the path", path, head[0], head[1], head[2],
                        head[3]);
    }
    uint32_t n = be32(head + 4), rows = be32(head + 8), cols = be32(head + 12);
    unsigned long long want = 16ull + (unsigned long long)n * rows * cols;
    if (n == 0 || rows == 0 || cols == 0 || n > 0x7fffffffu || rows > 4096 ||
        cols > 4096 || (unsigned long long)st.st_size != want) {
        close(fd);
        return cnn_fail(e, "%s holds %lld bytes, but its header announces "
                        "%u images of %ux%u (%llu bytes): the file is "
                        "truncated or damaged; replace it with a fresh copy "
                        "(datasets/fetch.sh)", path, (long long)st.st_size, n,
                        rows, cols, want);
    }
    d->fd = fd;
    d->offset = 16;
    d->n = (int)n;
    d->rows = (int)rows;
    d->cols = (int)cols;
    return 1;
}

int dataset_open_files(Dataset *d, const char *images, const char *labels,
                       int n_classes, CnnError *e)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    snprintf(d->path, sizeof d->path, "%s", images);
    int raw = open_raw_images(d, images, e);
    if (raw < 0) return -1;
    if (raw == 0) {
        IdxArray a;
        if (idx_read(images, &a, e)) return -1;
        if (a.ndim != 3) {
            idx_free(&a);
            return cnn_fail(e, "%s holds a %d-D array, not images (n, rows, "
                            "cols); check the path", images, a.ndim);
        }
        d->n = (int)a.dims[0];
        d->rows = (int)a.dims[1];
        d->cols = (int)a.dims[2];
        d->pixels = a.data;
    }
    IdxArray l;
    if (idx_read(labels, &l, e)) {
        dataset_close(d);
        return -1;
    }
    if (l.ndim != 1 || (long long)l.dims[0] != d->n) {
        int nl = l.ndim == 1 ? (int)l.dims[0] : -1;
        idx_free(&l);
        dataset_close(d);
        if (nl < 0)
            return cnn_fail(e, "%s is not a 1-D array of labels; check the "
                            "path", labels);
        return cnn_fail(e, "%s holds %d labels but %s holds %d images: the "
                        "two files do not belong together", labels, nl,
                        images, d->n);
    }
    d->labels = l.data;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= n_classes) {
            int bad = d->labels[i];
            dataset_close(d);
            return cnn_fail(e, "label %d of %s is %d, but the model has %d "
                            "classes (0 .. %d); check the data set", i,
                            labels, bad, n_classes, n_classes - 1);
        }
    return 0;
}

int dataset_open(Dataset *d, const DataLocation *loc, const char *split,
                 int n_classes, CnnError *e)
{
    char images[DATASET_PATH_MAX + 64], labels[DATASET_PATH_MAX + 64];
    char base[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", split);
    if (find_file(loc->dir, base, images, sizeof images))
        return cnn_fail(e, "%s has no %s (raw or .gz); run datasets/fetch.sh",
                        loc->dir, base);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", split);
    if (find_file(loc->dir, base, labels, sizeof labels))
        return cnn_fail(e, "%s has no %s (raw or .gz); run datasets/fetch.sh",
                        loc->dir, base);
    return dataset_open_files(d, images, labels, n_classes, e);
}

int dataset_images(const Dataset *d, const int *index, int count, uint8_t *out,
                   CnnError *e)
{
    const size_t per = (size_t)d->rows * (size_t)d->cols;
    for (int k = 0; k < count; k++) {
        size_t at = (size_t)index[k] * per;
        if (d->pixels) {
            memcpy(out + (size_t)k * per, d->pixels + at, per);
            continue;
        }
        ssize_t got = pread(d->fd, out + (size_t)k * per, per,
                            (off_t)(d->offset + (long long)at));
        if (got != (ssize_t)per)
            return cnn_fail(e, "cannot read image %d of %s: %s", index[k],
                            d->path, got < 0 ? strerror(errno)
                                             : "the file became shorter");
    }
    return 0;
}

void dataset_close(Dataset *d)
{
    if (d->fd >= 0) close(d->fd);
    free(d->pixels);
    free(d->labels);
    d->fd = -1;
    d->pixels = d->labels = NULL;
    d->n = 0;
}

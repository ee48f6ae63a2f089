/* dataset.h: image classification data sets in the IDX format (MNIST,
 * Fashion-MNIST): where they are, and reading their images and labels.
 *
 * A data set NAME ("mnist", "fashion-mnist") is a folder holding
 * {train,t10k}-{images-idx3,labels-idx1}-ubyte, each raw or gzip-compressed
 * (".gz" added to the name). datasets/fetch.sh puts the full sets, raw,
 * under build/data/NAME/; small samples, gzip, are committed under
 * datasets/samples/NAME/ so that tests and offline runs work.
 *
 * Labels always live in memory (one byte each). Images of a gzip file are
 * decompressed into memory; images of a raw file are read from the file
 * when asked for (pread), so that a training run over the 47 MB of
 * Fashion-MNIST's training images costs no memory for them.
 */
#ifndef CNN_DATASET_H
#define CNN_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DATASET_PATH_MAX 4096

/* Where a data set was found. */
typedef struct {
    char dir[DATASET_PATH_MAX]; /* the folder with the four IDX files */
    int full;                   /* 1: the fetched full set; 0: the sample */
} DataLocation;

/* Finds data set name: in data_dir when it is not NULL (and nowhere else);
 * otherwise the first of $CNN_DATA_DIR/NAME, build/data/NAME (the fetched
 * full set) and datasets/samples/NAME, each tried relative to the current
 * folder and then to the workbook's folder (found from this program's own
 * path). 0, or -1 + e: one sentence naming where it looked and the fix
 * (datasets/fetch.sh). */
int data_locate(const char *name, const char *data_dir, DataLocation *loc,
                CnnError *e);

/* Finds only the committed sample datasets/samples/NAME, relative to the
 * current folder and then to the workbook's folder: for tests and runs
 * that must not depend on what was fetched. 0, or -1 + e. */
int data_locate_sample(const char *name, DataLocation *loc, CnnError *e);

typedef struct {
    int n;                 /* number of images */
    int rows, cols;        /* every image is rows x cols bytes */
    uint8_t *labels;       /* n labels */
    uint8_t *pixels;       /* n * rows * cols bytes, or NULL when streamed */
    int fd;                /* the raw images file when streamed, else -1 */
    long long offset;      /* where its pixels start */
    char path[DATASET_PATH_MAX]; /* the images file, for messages */
} Dataset;

/* Opens split "train" or "t10k" of the data set in loc->dir: images
 * (n, rows, cols) and labels (n), checked to agree in n, every label
 * < n_classes. 0, or -1 + e with nothing left open. */
int dataset_open(Dataset *d, const DataLocation *loc, const char *split,
                 int n_classes, CnnError *e);

/* The same from two explicit paths. */
int dataset_open_files(Dataset *d, const char *images, const char *labels,
                       int n_classes, CnnError *e);

/* Copies the images index[0 .. count-1] (each < d->n), rows * cols bytes
 * each, into out. 0, or -1 + e when the file cannot be read. */
int dataset_images(const Dataset *d, const int *index, int count, uint8_t *out,
                   CnnError *e);

/* Closes the file and frees the memory; safe on a closed Dataset. */
void dataset_close(Dataset *d);

#endif

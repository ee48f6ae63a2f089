/* idx.h: the IDX format of MNIST and Fashion-MNIST (gzip-compressed or raw).
 *
 * An IDX file is: two zero bytes, a type byte (0x08 = unsigned byte, the only
 * type these data sets use), a byte with the number of dimensions, that many
 * big-endian uint32 sizes, then the data. idx_read validates the magic, the
 * dimensions and the exact data length and refuses anything else with one
 * sentence (e.g. "train-images-idx3-ubyte.gz ends after 1200 of 47040000 data
 * bytes: the file is truncated; replace it with a fresh copy (datasets/
 * fetch.sh makes the course's data sets again)").
 */
#ifndef CNN_IDX_H
#define CNN_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define IDX_MAX_DIMS 4

typedef struct {
    int ndim;
    uint32_t dims[IDX_MAX_DIMS];
    uint8_t *data; /* owned: free with idx_free */
} IdxArray;

/* Reads path, gzip or raw (decided by content, not by name). 0 or -1 + e. */
int idx_read(const char *path, IdxArray *out, CnnError *e);
/* Writes a raw (uncompressed) unsigned-byte IDX file through atomic_file.h. */
int idx_write(const char *path, const IdxArray *a, CnnError *e);
size_t idx_numel(const IdxArray *a);
void idx_free(IdxArray *a);

#endif

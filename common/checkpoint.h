/* checkpoint.h: the workbook's checkpoint files: named binary sections
 * (a model's parameters, the optimizer's state, a training run's settings
 * and history) in one file that is written atomically and checked whole
 * when read.
 *
 * Format (version 1, every integer little-endian):
 *   8 bytes   magic "CNNCKPT\n"
 *   u32       format version (CKPT_VERSION)
 *   u32       number of sections
 *   per section:
 *     u32     length of the name, then the name's bytes (no NUL), then
 *             0 to 7 zero bytes so that the next field starts at a file
 *             offset that is a multiple of 8
 *     u64     length of the data, then the data's bytes (so the data, too,
 *             starts 8-byte aligned: it can be read in place as floats or
 *             doubles)
 *   u32       CRC-32 (zlib's crc32, the gzip/PNG polynomial) of every byte
 *             before it
 * The data of a section is whatever its writer put there: floats are
 * stored as little-endian IEEE-754 float32 (this code assumes a
 * little-endian machine, as every machine the workbook targets is).
 *
 * Reading refuses, with one sentence naming the file, anything that is not
 * exactly such a file: another kind of file (magic), another format
 * version, a file cut short (truncated), a checksum that does not match
 * (corrupt), bytes after the checksum. Whether the sections are the ones a
 * program expects (the right model) is the program's check: ckpt_find.
 */
#ifndef CNN_CHECKPOINT_H
#define CNN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CKPT_MAGIC "CNNCKPT\n"
#define CKPT_VERSION 1u
#define CKPT_MAX_SECTIONS 32
#define CKPT_NAME_MAX 64

typedef struct {
    const char *name;  /* at most CKPT_NAME_MAX bytes */
    const void *data;
    size_t bytes;
} CkptSection;

/* Writes the n sections to path through atomic_file.h: the file appears
 * whole or not at all, and an older file at path stays until then.
 * 0, or -1 + e. */
int ckpt_write(const char *path, const CkptSection *sections, int n,
               CnnError *e);

typedef struct {
    int n;
    CkptSection sec[CKPT_MAX_SECTIONS]; /* data point into blob */
    char names[CKPT_MAX_SECTIONS][CKPT_NAME_MAX + 1];
    unsigned char *blob;                /* the whole file */
    size_t size;
} Checkpoint;

/* Reads and checks path. 0, or -1 + e with nothing allocated. */
int ckpt_read(const char *path, Checkpoint *c, CnnError *e);

/* The section called name, or NULL; its size in *bytes when not NULL. */
const void *ckpt_find(const Checkpoint *c, const char *name, size_t *bytes);

void ckpt_free(Checkpoint *c);

#endif

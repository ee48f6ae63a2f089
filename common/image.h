/* image.h: reading a grey image from a PGM or PNG file, for running a
 * trained model on a picture of one's own (cnn predict).
 *
 * PGM: binary (P5) and plain (P2), any maxval up to 65535, comments
 * allowed. PNG: 8- or 16-bit grey, grey + alpha, RGB, RGBA, and 1/2/4/8-bit
 * palette or grey, non-interlaced, every filter type; decoded with zlib and
 * every chunk's CRC checked. Colour becomes grey by the Rec. 601 luma
 * 0.299 R + 0.587 G + 0.114 B; a transparent pixel is composited over
 * white (the paper a digit is drawn on). The kind of file is decided by
 * its first bytes, not its name. Anything else (an interlaced PNG, a
 * truncated or damaged file, a JPEG) is refused with one sentence.
 */
#ifndef CNN_IMAGE_H
#define CNN_IMAGE_H

#include <stdint.h>

#include "util.h"

/* Images larger than this on a side are refused (a digit needs few). */
#define IMAGE_MAX_SIDE 8192

typedef struct {
    int w, h;
    uint8_t *pixels; /* h rows of w bytes, 0 black .. 255 white */
} GrayImage;

/* Reads path into img (allocated; image_free). 0, or -1 + e. */
int image_read_gray(const char *path, GrayImage *img, CnnError *e);
void image_free(GrayImage *img);

/* Writes img as a binary PGM (P5) through atomic_file.h. 0, or -1 + e. */
int image_write_pgm(const char *path, const GrayImage *img, CnnError *e);

#endif

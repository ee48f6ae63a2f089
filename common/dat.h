/* dat.h: the .dat files experiments write for their gnuplot figures.
 *
 * Written through atomic_file.h like every other output, so a figure is
 * never drawn from half a file.
 */
#ifndef CNN_DAT_H
#define CNN_DAT_H

#include "util.h"

/* Writes the rows x cols matrix m (row-major) into dir/name, one row per
 * line, values separated by spaces, after a comment line "# what: R rows x
 * C columns, row 0 first": gnuplot's `matrix` format, drawn with
 * `plot 'name' matrix with image pixels`. 0 or -1 + e. */
int dat_write_matrix(const char *dir, const char *name, const char *what,
                     const float *m, int rows, int cols, CnnError *e);

/* The same with `digits` significant digits per value (printf's %.*g);
 * dat_write_matrix writes 6. */
int dat_write_matrix_digits(const char *dir, const char *name, const char *what,
                            const float *m, int rows, int cols, int digits,
                            CnnError *e);

#endif

/* dat.c: .dat files for gnuplot. */
#include "dat.h"

#include "atomic_file.h"

int dat_write_matrix(const char *dir, const char *name, const char *what,
                     const float *m, int rows, int cols, CnnError *e)
{
    return dat_write_matrix_digits(dir, name, what, m, rows, cols, 6, e);
}

int dat_write_matrix_digits(const char *dir, const char *name, const char *what,
                            const float *m, int rows, int cols, int digits,
                            CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, dir, name, e))
        return -1;
    fprintf(af.fp, "# %s: %d rows x %d columns, row 0 first\n", what, rows,
            cols);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            fprintf(af.fp, "%.*g%c", digits, m[(size_t)i * cols + j],
                    j + 1 < cols ? ' ' : '\n');
    return atomic_commit(&af, e);
}

/* npy.h: NumPy .npy files of float32 tensors.
 *
 * Reads format versions 1.0, 2.0 and 3.0; accepts dtype '<f4' (and '=f4' or
 * '|f4' spellings of the same little-endian float32) in C order only.
 * Anything else (float64, integers, Fortran order, a truncated file, trailing
 * bytes, more than TENSOR_MAX_DIMS dimensions) is refused with one sentence
 * that names what was found, e.g.
 *   "x.npy holds dtype '<f8' (float64); the course works in float32: save it
 *    with arr.astype(np.float32)".
 * Writes version 1.0 (the header of up to TENSOR_MAX_DIMS dimensions always
 * fits it) through atomic_file.h: a file appears complete or not at all,
 * and a device such as /dev/null is written, never replaced.
 */
#ifndef CNN_NPY_H
#define CNN_NPY_H

#include "atomic_file.h"
#include "tensor.h"
#include "util.h"

/* Loads path into *out (allocated; free with tensor_free). 0 or -1 + e. */
int npy_read(const char *path, Tensor *out, CnnError *e);
/* Saves t to path (atomic_open, npy_write_to, atomic_commit). 0 or -1 + e. */
int npy_write(const char *path, const Tensor *t, CnnError *e);
/* Writes t as a .npy file into af, opened by atomic_open, for a caller that
 * commits several files together (atomic_commit_all). Fails only for a
 * tensor with more than TENSOR_MAX_DIMS dimensions; write errors surface at
 * the commit. 0 or -1 + e. */
int npy_write_to(AtomicFile *af, const Tensor *t, CnnError *e);

#endif

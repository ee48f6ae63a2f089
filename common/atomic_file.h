/* atomic_file.h: write a file so that it appears complete or not at all.
 *
 * Data goes to a temporary file in the same directory; atomic_commit flushes
 * it, syncs it and renames it over the target. atomic_abort (or a failed
 * commit) removes the temporary file. A crash or an error never leaves a
 * half-written target behind.
 *
 *   AtomicFile af;
 *   if (atomic_open(&af, "out.dat", &e)) return -1;
 *   fprintf(af.fp, ...);
 *   if (atomic_commit(&af, &e)) return -1;
 */
#ifndef CNN_ATOMIC_FILE_H
#define CNN_ATOMIC_FILE_H

#include <stdio.h>

#include "util.h"

typedef struct {
    FILE *fp;            /* write here */
    char path[4096];     /* the target */
    char tmp_path[4096]; /* the temporary file beside it */
} AtomicFile;

int atomic_open(AtomicFile *af, const char *path, CnnError *e);
/* Checks every write succeeded, fsyncs, renames. 0 or -1 + e (tmp removed). */
int atomic_commit(AtomicFile *af, CnnError *e);
/* Closes and removes the temporary file; the target is untouched. */
void atomic_abort(AtomicFile *af);

#endif

/* atomic_file.h: the one way every program of the workbook writes a file.
 *
 * What happens depends on what the path names, so that writing never
 * destroys what it replaces:
 *
 *   a regular file, or nothing yet  written atomically: the data goes to a
 *       temporary file beside it, which atomic_commit flushes, syncs and
 *       renames over the path, so a reader sees the old file or the whole
 *       new one, never a part. A replaced file keeps its permission bits.
 *   a symbolic link  followed to its final target, which is then written as
 *       above; the link stays. A dangling link creates its target (whose
 *       directory must exist).
 *   a character device or a FIFO (/dev/null, /dev/stdout, a named pipe)
 *       written directly: a device cannot be replaced by renaming a file
 *       over it, and must not be (as root, that would turn /dev/null into a
 *       regular file). A write error still fails the commit; what reached
 *       the device before it cannot be taken back.
   a regular file named through /proc (/dev/stdout or /dev/fd/1 when the
       output is redirected to a file): appended to in place, as writes to
       that descriptor would be; replacing it would lose what the shell
       wrote there before, or after.
 *   anything else (a directory, a socket, a block device)
 *       refused with one sentence; nothing is created.
 *
 * A write that fails (a full disk, a file size limit) is remembered with its
 * cause and reported by atomic_commit, which then leaves the target as it
 * was and removes the temporary file.
 *
 *   AtomicFile af;
 *   if (atomic_open(&af, "out.dat", &e)) return -1;
 *   fprintf(af.fp, ...);
 *   if (atomic_commit(&af, &e)) return -1;
 *
 * An AtomicFile must stay where atomic_open put it (its stream refers to
 * it) until atomic_commit or atomic_abort: do not copy it. Its fp is for
 * writing only: it cannot seek, and fileno(af.fp) is -1.
 */
#ifndef CNN_ATOMIC_FILE_H
#define CNN_ATOMIC_FILE_H

#include <stdio.h>

#include "util.h"

#define ATOMIC_PATH_MAX 4096

typedef struct {
    FILE *fp;                          /* write here */
    char path[ATOMIC_PATH_MAX];        /* the path as given, for messages */
    char target[ATOMIC_PATH_MAX];      /* what is written: path, links resolved */
    char tmp_path[ATOMIC_PATH_MAX];    /* the temporary file, "" when none */
    int direct;     /* 1: a device or FIFO, written in place */
    int fd;         /* the descriptor under fp */
    int write_errno; /* the first failed write's errno, 0 while none */
    int discard;    /* 1: drop what is still buffered (abort, or after an error) */
} AtomicFile;

/* Checks, without creating or opening anything, that atomic_open could write
 * path: what it names is writable as above, and a new file's directory
 * exists and is writable. For failing before long work. 0 or -1 + e. */
int atomic_check(const char *path, CnnError *e);

/* Opens path for writing as above. 0, or -1 + e with nothing created. A FIFO
 * blocks here until a reader opens it, as any writer of a FIFO does. */
int atomic_open(AtomicFile *af, const char *path, CnnError *e);
/* atomic_open of dir/name. */
int atomic_open_in(AtomicFile *af, const char *dir, const char *name,
                   CnnError *e);

/* Checks every write succeeded, syncs, closes and renames into place. 0, or
 * -1 + e (the sentence names the path and the cause, e.g. "no space left on
 * device") with the target untouched and the temporary file removed. */
int atomic_commit(AtomicFile *af, CnnError *e);
/* Commits n files all or nothing, as far as renaming allows: every file is
 * flushed, synced and closed before the first rename, so a write error in
 * any of them leaves every target untouched (af[k] all aborted). */
int atomic_commit_all(AtomicFile *af, int n, CnnError *e);
/* Drops what is still buffered, closes and removes the temporary file; the
 * target is untouched. Harmless after a commit, a failed open, or twice. */
void atomic_abort(AtomicFile *af);

#endif

/* atomic_file.c: write to a temporary file beside the target, then rename.
 *
 * rename() within one directory replaces the target in a single step, so a
 * reader sees either the old file or the complete new one. That is why the
 * temporary file lives in the target's own directory (a rename across file
 * systems would not be atomic) and why the data is fsync'ed before the rename
 * (otherwise a crash could leave the new name pointing at empty blocks).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* the build passes it; this is for a bare cc */
#endif
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char tmp_suffix[] = ".tmpXXXXXX";

/* mkstemp creates the file with mode 0600; give it what fopen would have,
 * 0666 minus the umask. umask() can only be read by setting it, so set it
 * back at once. */
static int give_normal_mode(int fd)
{
    mode_t mask = umask(0);
    umask(mask);
    return fchmod(fd, (mode_t)0666 & ~mask);
}

/* The directory part of path ("." when there is none), for fsync. */
static void dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Makes the rename itself durable. Best effort: some file systems refuse to
 * fsync a directory, and the data is already safe in the file by then. */
static void sync_dir_of(const char *path)
{
    char dir[sizeof ((AtomicFile *)0)->path];
    int fd;
    dir_of(path, dir, sizeof dir);
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int atomic_open(AtomicFile *af, const char *path, CnnError *e)
{
    int fd;

    af->fp = NULL;
    af->path[0] = af->tmp_path[0] = '\0';
    if (strlen(path) + sizeof tmp_suffix > sizeof af->tmp_path)
        return cnn_fail(e, "cannot write %.200s...: the path is longer than "
                        "%zu bytes; use a shorter one",
                        path, sizeof af->tmp_path - sizeof tmp_suffix);
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp_path, sizeof af->tmp_path, "%s%s", path, tmp_suffix);

    fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int err = errno;
        af->tmp_path[0] = '\0';
        return cnn_fail(e, "cannot write %s: %s; check that its directory "
                        "exists and is writable", path, strerror(err));
    }
    if (give_normal_mode(fd) != 0 || !(af->fp = fdopen(fd, "wb"))) {
        int err = errno;
        close(fd);
        remove(af->tmp_path);
        af->tmp_path[0] = '\0';
        return cnn_fail(e, "cannot write %s: %s; check the permissions of "
                        "its directory", path, strerror(err));
    }
    return 0;
}

/* Ends a failed commit: the temporary file goes, the target stays as it was. */
static int commit_failed(AtomicFile *af, CnnError *e, const char *what, int err,
                         const char *fix)
{
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    remove(af->tmp_path);
    af->tmp_path[0] = '\0';
    return cnn_fail(e, "could not write %s: %s %s; %s", af->path, what,
                    strerror(err), fix);
}

int atomic_commit(AtomicFile *af, CnnError *e)
{
    static const char disk[] = "check free disk space and quotas";
    FILE *fp = af->fp;

    if (!fp)
        return cnn_fail(e, "could not write %s: the file was not open",
                        af->path[0] ? af->path : "a file");
    /* ferror catches a write that failed earlier and was never checked; its
     * errno is long gone, so the message says so. */
    if (fflush(fp) != 0)
        return commit_failed(af, e, "flushing failed:", errno, disk);
    if (ferror(fp))
        return commit_failed(af, e, "an earlier write failed:", EIO, disk);
    if (fsync(fileno(fp)) != 0)
        return commit_failed(af, e, "fsync failed:", errno, disk);
    af->fp = NULL;
    if (fclose(fp) != 0)
        return commit_failed(af, e, "closing failed:", errno, disk);
    if (rename(af->tmp_path, af->path) != 0)
        return commit_failed(af, e, "replacing it failed:", errno,
                             "check that the path names a file, not a "
                             "directory, and that you may replace it");
    af->tmp_path[0] = '\0';
    sync_dir_of(af->path);
    return 0;
}

void atomic_abort(AtomicFile *af)
{
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (af->tmp_path[0])
        remove(af->tmp_path);
    af->tmp_path[0] = '\0';
}

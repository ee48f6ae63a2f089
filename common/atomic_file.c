/* atomic_file.c: write a file so that what it replaces is never destroyed.
 *
 * A regular file is replaced by renaming a complete temporary file over it.
 * rename() within one directory replaces the name in a single step, so a
 * reader sees either the old file or the complete new one. That is why the
 * temporary file lives in the target's own directory (a rename across file
 * systems would not be atomic) and why the data is fsync'ed before the rename
 * (otherwise a crash could leave the new name pointing at empty blocks).
 *
 * Renaming over a device or a FIFO would replace it with a regular file, so
 * those are written in place; and renaming over a symbolic link would replace
 * the link, so links are followed to the file they name first.
 *
 * The stream handed to the caller is a stdio stream over our own write
 * function (glibc's fopencookie), which records the errno of the first write
 * that fails. stdio alone forgets it: a failed fwrite sets only the error
 * flag, and by the commit the cause ("no space left on device") is gone.
 */
#define _GNU_SOURCE /* fopencookie */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h> /* PROC_SUPER_MAGIC */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h> /* statfs */
#include <unistd.h>

static const char tmp_suffix[] = ".tmpXXXXXX";
enum { MAX_LINKS = 40 }; /* as the kernel's own limit on a path's links */

typedef enum {
    KIND_NEW,     /* nothing there: create target */
    KIND_REGULAR, /* a regular file: replace target */
    KIND_DIRECT,  /* a device or FIFO: write path in place */
    KIND_APPEND   /* a file open in some process, named by /proc: append */
} Kind;

/* ---- naming things in messages ------------------------------------------ */

/* "out.npy", or "out.npy (a link to data/y.npy)" when a link was followed. */
static const char *named(const char *path, const char *target, char *buf,
                         size_t len)
{
    if (strcmp(path, target) == 0)
        snprintf(buf, len, "%s", path);
    else
        snprintf(buf, len, "%s (a link to %s)", path, target);
    return buf;
}

/* The directory part of path ("." when there is none). */
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

/* Why a file cannot be created in the directory of target. */
static int dir_problem(const char *path, const char *target, int err,
                       CnnError *e)
{
    char what[2 * ATOMIC_PATH_MAX + 32], dir[ATOMIC_PATH_MAX];
    named(path, target, what, sizeof what);
    dir_of(target, dir, sizeof dir);
    if (err == ENOENT)
        return cnn_fail(e, "cannot write %s: its directory %s does not exist; "
                        "create it first (mkdir -p %s)", what, dir, dir);
    if (err == ENOTDIR)
        return cnn_fail(e, "cannot write %s: part of %s is a file, not a "
                        "directory; check the path", what, dir);
    return cnn_fail(e, "cannot write %s: cannot create a file in %s (%s); "
                    "check that directory's permissions", what, dir,
                    strerror(err));
}

/* The cause of a failed write, for a person, and what to do about it. */
static int write_failed(const AtomicFile *af, int err, CnnError *e)
{
    char what[2 * ATOMIC_PATH_MAX + 32];
    const char *cause = strerror(err), *fix = "check the disk and the file "
                                              "system";
    switch (err) {
    case ENOSPC:
        cause = "no space left on device";
        fix = "free some space, or write it elsewhere";
        break;
    case EFBIG:
        cause = "the file would exceed the file size limit";
        fix = "raise the limit (ulimit -f) or write less";
        break;
    case EPIPE:
        cause = "the reading end of the pipe was closed";
        fix = "keep the reader open until the writer is done";
        break;
    }
    named(af->path, af->target, what, sizeof what);
    return cnn_fail(e, "cannot write %s: %s; %s", what, cause, fix);
}

/* ---- what the path names ------------------------------------------------ */

/* 1 when the link out lives in /proc: /proc/self/fd/1, which /dev/stdout
 * and /dev/fd/1 lead to, is a "magic" link to an open file, whose text
 * ("pipe:[123]", "/x/y (deleted)") need not be a path at all. */
static int is_proc_link(const char *out)
{
    char dir[ATOMIC_PATH_MAX];
    struct statfs fs;
    dir_of(out, dir, sizeof dir);
    return statfs(dir, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

/* Follows path's chain of symbolic links, as far as they go, to the name
 * that would be replaced or created: out gets the first name of the chain
 * that is not a link (it may not exist). Each link's text is taken relative
 * to the directory holding the link, as the kernel does. A link in /proc
 * ends the chain (*proc set): what it leads to is an open file, not a
 * name. */
static int resolve_links(const char *path, char *out, int *proc, CnnError *e)
{
    char link[ATOMIC_PATH_MAX], dir[ATOMIC_PATH_MAX];
    struct stat st;

    *proc = 0;
    snprintf(out, ATOMIC_PATH_MAX, "%s", path);
    /* The caller's stat() has already refused a chain longer than the
     * kernel follows; the bound only guards against links changing
     * meanwhile. */
    for (int hops = 0; hops < MAX_LINKS && lstat(out, &st) == 0 &&
                       S_ISLNK(st.st_mode); hops++) {
        ssize_t n;
        if ((*proc = is_proc_link(out)))
            return 0;
        n = readlink(out, link, sizeof link - 1);
        if (n < 0)
            break; /* gone meanwhile: what follows fails on its own */
        link[n] = '\0';
        dir_of(out, dir, sizeof dir);
        if (link[0] == '/' || strcmp(dir, ".") == 0)
            snprintf(out, ATOMIC_PATH_MAX, "%s", link);
        else if (snprintf(out, ATOMIC_PATH_MAX, "%s/%s", dir, link) >=
                 ATOMIC_PATH_MAX)
            return cnn_fail(e, "cannot write %s: the file its links lead to "
                            "has a path longer than %d bytes", path,
                            ATOMIC_PATH_MAX - 1);
    }
    return 0;
}

static int refuse(const char *path, mode_t mode, CnnError *e)
{
    if (S_ISDIR(mode))
        return cnn_fail(e, "cannot write %s: it is a directory, not a file; "
                        "name a file inside it", path);
    if (S_ISBLK(mode))
        return cnn_fail(e, "cannot write %s: it is a block device (a disk or "
                        "a partition); write to a file instead", path);
    return cnn_fail(e, "cannot write %s: it is %s; write to a file, a "
                    "character device or a FIFO", path,
                    S_ISSOCK(mode) ? "a socket" : "not a file");
}

/* Decides how path is written: target gets the name to create or replace
 * (path with its links resolved), *mode the permission bits of the file it
 * replaces. */
static int classify(const char *path, char *target, Kind *kind, mode_t *mode,
                    CnnError *e)
{
    struct stat st;
    int proc;

    if (!path[0])
        return cnn_fail(e, "cannot write a file with an empty name; give a "
                        "path");
    if (strlen(path) >= ATOMIC_PATH_MAX)
        return cnn_fail(e, "cannot write %.200s...: the path is longer than "
                        "%d bytes; use a shorter one", path, ATOMIC_PATH_MAX - 1);
    if (stat(path, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR) /* e.g. a loop of links */
            return cnn_fail(e, "cannot write %s: %s; check the path", path,
                            strerror(errno));
        /* Nothing there, or a link to nothing; what is wrong with the
         * directory, if anything, is said by name later. */
        *kind = KIND_NEW;
        return resolve_links(path, target, &proc, e);
    }
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        snprintf(target, ATOMIC_PATH_MAX, "%s", path);
        *kind = KIND_DIRECT;
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return refuse(path, st.st_mode, e);
    if (resolve_links(path, target, &proc, e))
        return -1;
    *mode = st.st_mode & 07777;
    *kind = KIND_REGULAR;
    if (proc) {
        /* /dev/stdout redirected to a file: the file is some process's open
         * file, to be added to as through that process's descriptor (as
         * `{ echo a; cnn ... -o /dev/stdout; } >log` expects), not
         * replaced under it. */
        snprintf(target, ATOMIC_PATH_MAX, "%s", path);
        *kind = KIND_APPEND;
    }
    return 0;
}

int atomic_check(const char *path, CnnError *e)
{
    char target[ATOMIC_PATH_MAX], dir[ATOMIC_PATH_MAX];
    struct stat st;
    Kind kind;
    mode_t mode;

    if (classify(path, target, &kind, &mode, e))
        return -1;
    if (kind == KIND_DIRECT || kind == KIND_APPEND) {
        if (access(path, W_OK) != 0)
            return cnn_fail(e, "cannot write %s: %s; check its permissions",
                            path, strerror(errno));
        return 0;
    }
    dir_of(target, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return dir_problem(path, target, errno, e);
    if (!S_ISDIR(st.st_mode))
        return dir_problem(path, target, ENOTDIR, e);
    if (access(dir, W_OK | X_OK) != 0)
        return dir_problem(path, target, errno, e);
    return 0;
}

/* ---- the stream --------------------------------------------------------- */

/* stdio calls this with each buffer to write out. After the first error,
 * or once aborted, data is dropped: it has nowhere to go, and the error is
 * kept for atomic_commit. */
static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
    AtomicFile *af = cookie;
    size_t done = 0;
    while (!af->discard && done < size) {
        ssize_t n = write(af->fd, buf + done, size - done);
        if (n >= 0) {
            done += (size_t)n;
        } else if (errno != EINTR) {
            af->write_errno = errno;
            af->discard = 1;
            return 0; /* sets the stream's error flag */
        }
    }
    return (ssize_t)size;
}

/* A temporary file is fsync'ed before it is closed, which reports any
 * late write error; a device has none to report. */
static int sink_close(void *cookie)
{
    AtomicFile *af = cookie;
    close(af->fd);
    af->fd = -1;
    return 0;
}

/* The permission bits a new file gets from fopen: 0666 minus the umask.
 * umask() can only be read by setting it, so it is set back at once. */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return (mode_t)0666 & ~mask;
}

/* The descriptor to write: a temporary file beside the target, or the
 * device itself. */
static int open_descriptor(AtomicFile *af, Kind kind, mode_t mode, CnnError *e)
{
    if (af->direct) {
        af->fd = open(af->path, O_WRONLY | O_NOCTTY |
                                    (kind == KIND_APPEND ? O_APPEND : 0));
        if (af->fd < 0)
            return cnn_fail(e, "cannot write %s: %s; check its permissions",
                            af->path, strerror(errno));
        return 0;
    }
    if (snprintf(af->tmp_path, sizeof af->tmp_path, "%s%s", af->target,
                 tmp_suffix) >= (int)sizeof af->tmp_path) {
        char what[2 * ATOMIC_PATH_MAX + 32];
        af->tmp_path[0] = '\0';
        return cnn_fail(e, "cannot write %.300s...: the path is longer than "
                        "%zu bytes; use a shorter one",
                        named(af->path, af->target, what, sizeof what),
                        ATOMIC_PATH_MAX - sizeof tmp_suffix);
    }
    af->fd = mkstemp(af->tmp_path);
    if (af->fd < 0) {
        int err = errno;
        af->tmp_path[0] = '\0';
        return dir_problem(af->path, af->target, err, e);
    }
    /* mkstemp makes the file 0600; give it what the file it replaces had,
     * or what fopen would have given a new one. (On our own new file this
     * cannot fail; if it did, the file would just stay 0600.) */
    fchmod(af->fd, kind == KIND_REGULAR ? mode : new_file_mode());
    return 0;
}

int atomic_open(AtomicFile *af, const char *path, CnnError *e)
{
    static const cookie_io_functions_t sink = {
        .read = NULL, .write = sink_write, .seek = NULL, .close = sink_close};
    Kind kind;
    mode_t mode = 0;

    memset(af, 0, sizeof *af);
    af->fd = -1;
    if (classify(path, af->target, &kind, &mode, e))
        return -1;
    snprintf(af->path, sizeof af->path, "%s", path);
    af->direct = kind == KIND_DIRECT || kind == KIND_APPEND;
    if (open_descriptor(af, kind, mode, e))
        return -1;
    af->fp = fopencookie(af, "w", sink);
    if (!af->fp) { /* only when malloc fails */
        if (af->tmp_path[0])
            remove(af->tmp_path);
        cnn_die("out of memory: no stream for writing %s", path);
    }
    return 0;
}

int atomic_open_in(AtomicFile *af, const char *dir, const char *name,
                   CnnError *e)
{
    char path[ATOMIC_PATH_MAX];
    memset(af, 0, sizeof *af);
    af->fd = -1;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return cnn_fail(e, "cannot write %s into %.200s...: the path is "
                        "longer than %zu bytes; use a shorter directory",
                        name, dir, sizeof path - 1);
    return atomic_open(af, path, e);
}

/* ---- committing --------------------------------------------------------- */

/* Writes out what is buffered, syncs a temporary file and closes. On an
 * error the temporary file is removed and e names the cause. */
static int finish_writing(AtomicFile *af, CnnError *e)
{
    FILE *fp = af->fp;
    if (!fp)
        return cnn_fail(e, "cannot write %s: the file is not open (it was "
                        "committed or aborted already)",
                        af->path[0] ? af->path : "a file");
    fflush(fp); /* a failure is in af->write_errno */
    if (!af->write_errno && !af->direct && fsync(af->fd) != 0)
        af->write_errno = errno;
    af->fp = NULL;
    fclose(fp);
    if (af->write_errno) {
        atomic_abort(af);
        return write_failed(af, af->write_errno, e);
    }
    return 0;
}

/* Makes the rename itself durable. Best effort: some file systems refuse to
 * fsync a directory, and the data is already safe in the file by then. */
static void sync_dir_of(const char *path)
{
    char dir[ATOMIC_PATH_MAX];
    int fd;
    dir_of(path, dir, sizeof dir);
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Renames the finished temporary file over the target. */
static int publish(AtomicFile *af, CnnError *e)
{
    char what[2 * ATOMIC_PATH_MAX + 32];
    if (af->direct)
        return 0;
    if (rename(af->tmp_path, af->target) != 0) {
        int err = errno;
        atomic_abort(af);
        return cnn_fail(e, "cannot write %s: replacing it failed (%s); check "
                        "that nothing else changed it meanwhile",
                        named(af->path, af->target, what, sizeof what),
                        strerror(err));
    }
    af->tmp_path[0] = '\0';
    sync_dir_of(af->target);
    return 0;
}

int atomic_commit_all(AtomicFile *af, int n, CnnError *e)
{
    int status = 0;
    for (int k = 0; k < n && status == 0; k++)
        status = finish_writing(&af[k], e);
    for (int k = 0; k < n; k++) {
        if (status == 0)
            status = publish(&af[k], e);
        else
            atomic_abort(&af[k]);
    }
    return status;
}

int atomic_commit(AtomicFile *af, CnnError *e)
{
    return atomic_commit_all(af, 1, e);
}

void atomic_abort(AtomicFile *af)
{
    if (af->fp) {
        af->discard = 1;
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path[0])
        remove(af->tmp_path);
    af->tmp_path[0] = '\0';
}

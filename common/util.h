/* util.h: errors, checked allocation and small helpers shared by every
 * program of the workbook.
 *
 * Errors a user can cause (a bad file, a bad shape, a bad flag) are reported
 * through a CnnError: the function that detects the problem writes ONE
 * sentence into it, naming the thing and the fix, and returns -1. The
 * program that owns main() prints that sentence and exits non-zero. Library
 * code never calls exit() on a user error.
 */
#ifndef CNN_UTIL_H
#define CNN_UTIL_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    char msg[512]; /* one sentence, no trailing newline; "" when no error */
} CnnError;

/* Formats a message into e (if e is not NULL) and returns -1, so that a
 * failing function can end with `return cnn_fail(e, "...", ...);`. */
int cnn_fail(CnnError *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints "PROGRAM: MESSAGE" to stderr and exits with status 1. For main()
 * and for failures no caller could recover from (out of memory). */
_Noreturn void cnn_die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The program name used by cnn_die (default "cnn"). */
void cnn_set_progname(const char *name);

/* malloc/calloc that never return NULL: on failure they die with a sentence
 * naming how many bytes were asked for. */
void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);

/* A byte count for a person: "512 bytes", "3.1 kB", "32.0 TB" (powers of
 * 1000, as disk and memory sizes are quoted). Returns buf. */
char *cnn_format_bytes(double bytes, char *buf, size_t len);

/* Creates dir and its missing parents, like mkdir -p. 0, or -1 + e (also
 * when dir exists but is not a directory). */
int cnn_make_dirs(const char *dir, CnnError *e);

#endif

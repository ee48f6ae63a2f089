/* test_common.c: tests of the common/ runtime (tensors, .npy and IDX files,
 * the random number generator, atomic files, the progress bar, errors).
 *
 * A plain Check program, run from the repository root (the fixtures are
 * read from tests/tooling/fixtures/, made by make_fixtures.py there). Every
 * test runs in its own process, so the tests may change the umask, limits
 * or stderr freely. Scratch files go into a fresh directory under $TMPDIR
 * (or /tmp) that each test removes again.
 */
#define _GNU_SOURCE /* posix_openpt, nftw; unshare and mount for a full disk */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "atomic_file.h"
#include "dat.h"
#include "idx.h"
#include "npy.h"
#include "progress.h"
#include "rng.h"
#include "tensor.h"
#include "util.h"

/* xmalloc's out-of-memory sentence is only seen when a failed malloc
 * returns NULL, as the C library's does; AddressSanitizer's aborts instead
 * unless told otherwise. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

#define FIXTURES "tests/tooling/fixtures/"
#define TIMEOUT_S 10

/* ---- helpers ------------------------------------------------------------ */

/* A scratch directory for one test. */
typedef struct {
    char dir[256];
} Scratch;

static void scratch_make(Scratch *s)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/cnn-test-common-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(s->dir) != NULL, "cannot make a scratch directory %s: %s",
                  s->dir, strerror(errno));
}

/* s->dir/name into buf; returns buf. */
static char *scratch_path(const Scratch *s, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", s->dir, name);
    return buf;
}

/* How many entries the scratch directory holds; their names go into names
 * (space-separated) for the failure message. */
static int scratch_count(const Scratch *s, char *names, size_t len)
{
    DIR *d = opendir(s->dir);
    struct dirent *ent;
    int n = 0;
    if (names && len)
        names[0] = '\0';
    ck_assert_msg(d != NULL, "cannot list %s: %s", s->dir, strerror(errno));
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        n++;
        if (names && strlen(names) + strlen(ent->d_name) + 2 < len) {
            strcat(names, ent->d_name);
            strcat(names, " ");
        }
    }
    closedir(d);
    return n;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Removes the scratch directory and everything in it, links as links. */
static void scratch_remove(Scratch *s)
{
    nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
    ck_assert_msg(fwrite(data, 1, len, f) == len, "cannot write %s", path);
    ck_assert_msg(fclose(f) == 0, "cannot close %s", path);
}

/* Reads a whole (small) file; returns its length, -1 if it cannot. */
static long read_bytes(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return -1;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

/* Fails unless msg contains want. */
static void expect_in_msg(const char *what, const char *msg, const char *want)
{
    ck_assert_msg(strstr(msg, want) != NULL,
                  "%s: the error message should contain \"%s\", but it is \"%s\"",
                  what, want, msg);
}

/* One sentence: not empty, on one line (the caller adds the newline). */
static void expect_one_sentence(const char *what, const char *msg)
{
    ck_assert_msg(msg[0] != '\0', "%s: the error message is empty", what);
    ck_assert_msg(strchr(msg, '\n') == NULL,
                  "%s: the error message should be one line, but it is \"%s\"",
                  what, msg);
}

/* The value the fixtures hold at flat index i (make_fixtures.py's ramp). */
static float ramp(size_t i)
{
    return (float)((double)i / 4.0 - 1.5);
}

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- util --------------------------------------------------------------- */

START_TEST(test_fail_formats_and_returns_minus_one)
{
    CnnError e;
    char long_arg[2000];
    ck_assert_int_eq(cnn_fail(&e, "%s has %d dims", "x.npy", 9), -1);
    ck_assert_str_eq(e.msg, "x.npy has 9 dims");
    ck_assert_int_eq(cnn_fail(NULL, "no error struct %d", 1), -1);
    memset(long_arg, 'a', sizeof long_arg - 1);
    long_arg[sizeof long_arg - 1] = '\0';
    ck_assert_int_eq(cnn_fail(&e, "%s", long_arg), -1);
    ck_assert_uint_eq(strlen(e.msg), sizeof e.msg - 1);
}
END_TEST

/* Runs fn in a child with stderr going to a file; returns the exit status
 * and the text the child wrote. */
static int run_capturing_stderr(void (*fn)(void), char *text, size_t len)
{
    Scratch s;
    char path[512];
    int status;
    pid_t pid;
    long n;

    scratch_make(&s);
    scratch_path(&s, "stderr.txt", path, sizeof path);
    fflush(NULL);
    pid = fork();
    ck_assert_msg(pid >= 0, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(99);
        fn();
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    n = read_bytes(path, (unsigned char *)text, len - 1);
    text[n > 0 ? n : 0] = '\0';
    scratch_remove(&s);
    ck_assert_msg(WIFEXITED(status), "the child did not exit normally (status %d)",
                  status);
    return WEXITSTATUS(status);
}

static void die_with_message(void)
{
    cnn_set_progname("prog");
    cnn_die("cannot open %s; check the path", "x.npy");
}

START_TEST(test_die_prints_program_and_message)
{
    char text[512];
    int code = run_capturing_stderr(die_with_message, text, sizeof text);
    ck_assert_int_eq(code, 1);
    ck_assert_str_eq(text, "prog: cannot open x.npy; check the path\n");
}
END_TEST

static void calloc_overflow(void)
{
    void *p = xcalloc(SIZE_MAX / 2, 3);
    free(p);
}

static void malloc_failure(void)
{
    void *p = xmalloc(SIZE_MAX / 2);
    free(p);
}

/* xcalloc of a count whose bytes overflow, xmalloc of more than there is:
 * each dies with "out of memory" and the size asked for. */
START_TEST(test_failed_allocations_die_naming_bytes)
{
    char text[512], want[2][64];
    snprintf(want[0], sizeof want[0], "could not allocate %zu x 3 bytes (", SIZE_MAX / 2);
    snprintf(want[1], sizeof want[1], "could not allocate %zu bytes (", SIZE_MAX / 2);
    for (int k = 0; k < 2; k++) {
        int code = run_capturing_stderr(k ? malloc_failure : calloc_overflow, text,
                                        sizeof text);
        ck_assert_int_eq(code, 1);
        expect_in_msg(k ? "xmalloc(SIZE_MAX / 2)" : "xcalloc(SIZE_MAX / 2, 3)", text,
                      "out of memory: ");
        expect_in_msg(k ? "xmalloc(SIZE_MAX / 2)" : "xcalloc(SIZE_MAX / 2, 3)", text,
                      want[k]);
    }
}
END_TEST

START_TEST(test_zero_byte_allocations_are_usable)
{
    void *a = xmalloc(0), *b = xcalloc(0, 4), *c = xcalloc(4, 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(test_format_bytes_for_people)
{
    char buf[32];
    ck_assert_str_eq(cnn_format_bytes(0, buf, sizeof buf), "0 bytes");
    ck_assert_str_eq(cnn_format_bytes(1, buf, sizeof buf), "1 byte");
    ck_assert_str_eq(cnn_format_bytes(999, buf, sizeof buf), "999 bytes");
    ck_assert_str_eq(cnn_format_bytes(1000, buf, sizeof buf), "1.0 kB");
    ck_assert_str_eq(cnn_format_bytes(999949, buf, sizeof buf), "999.9 kB");
    ck_assert_str_eq(cnn_format_bytes(999950, buf, sizeof buf), "1.0 MB");
    ck_assert_str_eq(cnn_format_bytes(4.0 * 8000024000018.0, buf, sizeof buf),
                     "32.0 TB");
    ck_assert_str_eq(cnn_format_bytes(2e21, buf, sizeof buf), "2000.0 EB");
}
END_TEST

START_TEST(test_make_dirs_like_mkdir_p)
{
    Scratch s;
    char path[512], file[512];
    struct stat st;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "a/b//c/", path, sizeof path);
    ck_assert_msg(cnn_make_dirs(path, &e) == 0, "cnn_make_dirs: %s", e.msg);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_msg(cnn_make_dirs(path, &e) == 0, "again: %s", e.msg);

    scratch_path(&s, "a/file", file, sizeof file);
    write_bytes(file, "x", 1);
    ck_assert_int_eq(cnn_make_dirs(file, &e), -1);
    expect_one_sentence("cnn_make_dirs over a file", e.msg);
    expect_in_msg("cnn_make_dirs over a file", e.msg, "is not a directory");
    scratch_path(&s, "a/file/sub", path, sizeof path);
    ck_assert_int_eq(cnn_make_dirs(path, &e), -1);
    expect_in_msg("cnn_make_dirs below a file", e.msg, file);
    expect_in_msg("cnn_make_dirs below a file", e.msg, "Not a directory");
    ck_assert_int_eq(cnn_make_dirs("", &e), -1);
    expect_in_msg("cnn_make_dirs of \"\"", e.msg, "empty");
    static char long_dir[5000];
    memset(long_dir, 'd', sizeof long_dir - 1);
    ck_assert_int_eq(cnn_make_dirs(long_dir, &e), -1);
    expect_one_sentence("cnn_make_dirs of a long name", e.msg);
    expect_in_msg("cnn_make_dirs of a long name", e.msg, "use a shorter path");
    scratch_remove(&s);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("util");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_fail_formats_and_returns_minus_one);
    tcase_add_test(tc, test_die_prints_program_and_message);
    tcase_add_test(tc, test_failed_allocations_die_naming_bytes);
    tcase_add_test(tc, test_zero_byte_allocations_are_usable);
    tcase_add_test(tc, test_format_bytes_for_people);
    tcase_add_test(tc, test_make_dirs_like_mkdir_p);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- tensor ------------------------------------------------------------- */

static const char *shape_str_of(int ndim, const size_t *shape, char *buf, size_t len)
{
    Tensor t;
    memset(&t, 0, sizeof t);
    t.ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t.shape[i] = shape[i];
    return tensor_shape_str(&t, buf, len);
}

START_TEST(test_shape_str_like_numpy)
{
    const size_t s4[] = {2, 3, 5, 5}, s1[] = {7}, s2[] = {0, 3};
    const size_t s8[] = {1, 2, 3, 4, 5, 6, 7, 18446744073709551615u};
    char buf[256];
    ck_assert_str_eq(shape_str_of(0, NULL, buf, sizeof buf), "()");
    ck_assert_str_eq(shape_str_of(1, s1, buf, sizeof buf), "(7,)");
    ck_assert_str_eq(shape_str_of(2, s2, buf, sizeof buf), "(0, 3)");
    ck_assert_str_eq(shape_str_of(4, s4, buf, sizeof buf), "(2, 3, 5, 5)");
    if (SIZE_MAX == 18446744073709551615u)
        ck_assert_str_eq(shape_str_of(8, s8, buf, sizeof buf),
                         "(1, 2, 3, 4, 5, 6, 7, 18446744073709551615)");
}
END_TEST

START_TEST(test_shape_str_truncates_safely)
{
    const size_t s4[] = {2, 3, 5, 5};
    char buf[8];
    memset(buf, 'z', sizeof buf);
    shape_str_of(4, s4, buf, 5);
    ck_assert_str_eq(buf, "(2, ");
    ck_assert_int_eq(buf[5], 'z'); /* nothing written past len */
    buf[0] = 'q';
    shape_str_of(4, s4, buf, 0);
    ck_assert_int_eq(buf[0], 'q');
}
END_TEST

START_TEST(test_zeros_numel_free)
{
    const size_t s[] = {2, 3, 4}, z[] = {0, 3};
    Tensor t = tensor_zeros(3, s), u = tensor_zeros(0, NULL), v = tensor_zeros(2, z);
    ck_assert_uint_eq(tensor_numel(&t), 24);
    for (size_t i = 0; i < 24; i++)
        ck_assert_msg(t.data[i] == 0.0f, "tensor_zeros: element %zu is %g", i,
                      (double)t.data[i]);
    ck_assert_uint_eq(tensor_numel(&u), 1);
    ck_assert(u.data[0] == 0.0f);
    ck_assert_uint_eq(tensor_numel(&v), 0);
    ck_assert_ptr_nonnull(v.data);
    tensor_free(&t);
    ck_assert_ptr_null(t.data);
    ck_assert_int_eq(t.ndim, 0);
    tensor_free(&t); /* twice is safe */
    tensor_free(&u);
    tensor_free(&v);
}
END_TEST

static void zeros_overflow(void)
{
    const size_t s[] = {SIZE_MAX / 2, 3};
    Tensor t = tensor_zeros(2, s);
    tensor_free(&t);
}

START_TEST(test_zeros_overflow_dies_with_shape)
{
    char text[512], want[64];
    int code = run_capturing_stderr(zeros_overflow, text, sizeof text);
    ck_assert_int_eq(code, 1);
    snprintf(want, sizeof want, "(%zu, 3)", SIZE_MAX / 2);
    expect_in_msg("tensor_zeros of an overflowing shape", text, want);
}
END_TEST

START_TEST(test_shape_numel_counts_and_overflows)
{
    const size_t s4[] = {2, 3, 5, 7}, z[] = {0, SIZE_MAX}, big[] = {1u << 16, 1u << 16, 1u << 16};
    size_t n = 12345;
    ck_assert_int_eq(shape_numel(0, NULL, 1, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(shape_numel(4, s4, sizeof(float), &n), 0);
    ck_assert_uint_eq(n, 210);
    ck_assert_int_eq(shape_numel(2, z, sizeof(float), &n), 0); /* 0 elements */
    ck_assert_uint_eq(n, 0);
    /* 2^48 elements fit in a size_t, and so do their bytes; 2^64 do not */
    ck_assert_int_eq(shape_numel(3, big, sizeof(float), &n), 0);
    ck_assert_uint_eq(n, (size_t)1 << 48);
    const size_t over[] = {1u << 16, 1u << 16, 1u << 16, 1u << 16};
    ck_assert_int_eq(shape_numel(4, over, 1, &n), -1);
    const size_t bytes_over[] = {(size_t)1 << 62};
    ck_assert_int_eq(shape_numel(1, bytes_over, 1, &n), 0);
    ck_assert_int_eq(shape_numel(1, bytes_over, sizeof(float), &n), -1);
}
END_TEST

/* The sentence of a refused allocation names the shape, the count and the
 * size, and ends with the caller's fix: the cause, not "out of memory". */
START_TEST(test_tensor_alloc_refusal_names_shape_and_size)
{
    const size_t huge[] = {1, 2, 2000003, 2000003};
    const size_t nine[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    const size_t over[] = {SIZE_MAX / 2, 3};
    Tensor t;
    CnnError e;

    memset(&t, 0x5a, sizeof t);
    ck_assert_int_eq(tensor_alloc(&t, 4, huge, "the output y", "check --padding", &e), -1);
    ck_assert_ptr_null(t.data);
    expect_one_sentence("tensor_alloc of 32 TB", e.msg);
    expect_in_msg("tensor_alloc of 32 TB", e.msg,
                  "the output y would be (1, 2, 2000003, 2000003) = 8000024000018 "
                  "floats (32.0 TB), more than the ");
    expect_in_msg("tensor_alloc of 32 TB", e.msg, "; check --padding");
    ck_assert_msg(strstr(e.msg, "batch") == NULL, "blames the batch: %s", e.msg);

    ck_assert_int_eq(tensor_alloc(&t, 9, nine, "the tensor", "fix it", &e), -1);
    expect_in_msg("tensor_alloc of 9 dimensions", e.msg, "9 dimensions");
    ck_assert_int_eq(tensor_alloc(&t, 2, over, "the tensor", "fix it", &e), -1);
    expect_in_msg("tensor_alloc of too many bytes", e.msg, "more floats than memory can address");

    ck_assert_int_eq(tensor_alloc(&t, 4, (const size_t[]){2, 1, 3, 1}, "t", "", &e), 0);
    ck_assert_int_eq(t.ndim, 4);
    ck_assert_uint_eq(tensor_numel(&t), 6);
    tensor_free(&t);
}
END_TEST

/* A process whose address space is capped (ulimit -v, a grader's sandbox)
 * is refused a tensor beyond the cap before allocating, with the cap in the
 * sentence. */
START_TEST(test_tensor_alloc_respects_an_address_space_cap)
{
    const size_t shape[] = {1000, 1000, 1000}; /* 4 GB */
    struct rlimit lim, capped;
    Tensor t;
    CnnError e;
    int rc;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &lim), 0);
    capped = (struct rlimit){(rlim_t)1 << 30, lim.rlim_max};
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &capped), 0);
    rc = tensor_alloc(&t, 3, shape, "the tensor", "use less", &e);
    setrlimit(RLIMIT_AS, &lim); /* the sanitizer needs room to report */
    ck_assert_int_eq(rc, -1);
    expect_in_msg("tensor_alloc under ulimit -v", e.msg,
                  "(1000, 1000, 1000) = 1000000000 floats (4.0 GB), more than the "
                  "1.1 GB this process may address (ulimit -v); use less");
}
END_TEST

static Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_shape_str_like_numpy);
    tcase_add_test(tc, test_shape_str_truncates_safely);
    tcase_add_test(tc, test_zeros_numel_free);
    tcase_add_test(tc, test_zeros_overflow_dies_with_shape);
    tcase_add_test(tc, test_shape_numel_counts_and_overflows);
    tcase_add_test(tc, test_tensor_alloc_refusal_names_shape_and_size);
    tcase_add_test(tc, test_tensor_alloc_respects_an_address_space_cap);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- npy ---------------------------------------------------------------- */

/* Fills t with values that exercise every kind of float bit pattern. */
static void fill_awkward(Tensor *t)
{
    const float special[] = {0.0f, -0.0f, 1.0f, -2.5f, INFINITY, -INFINITY,
                             NAN, 1e-45f /* subnormal */, 3.4028235e38f,
                             1.17549435e-38f, 0.1f};
    size_t n = tensor_numel(t);
    for (size_t i = 0; i < n; i++)
        t->data[i] = i < 11 ? special[i] : (float)i * 0.37f - 5.0f;
}

static const struct {
    int ndim;
    size_t shape[TENSOR_MAX_DIMS];
} round_trip_shapes[] = {
    {0, {0}},          {1, {7}},           {2, {2, 3}},
    {4, {2, 3, 4, 5}}, {2, {0, 3}},        {1, {0}},
    {3, {1, 1, 1}},    {8, {1, 2, 1, 3, 1, 2, 1, 2}}, {2, {64, 33}},
};

START_TEST(test_npy_round_trip_exact)
{
    Scratch s;
    char path[512], shape[128];
    Tensor t = tensor_zeros(round_trip_shapes[_i].ndim, round_trip_shapes[_i].shape);
    Tensor back;
    CnnError e;
    size_t n = tensor_numel(&t);

    tensor_shape_str(&t, shape, sizeof shape);
    fill_awkward(&t);
    scratch_make(&s);
    scratch_path(&s, "t.npy", path, sizeof path);
    ck_assert_msg(npy_write(path, &t, &e) == 0, "npy_write %s failed: %s", shape, e.msg);
    ck_assert_msg(npy_read(path, &back, &e) == 0, "npy_read %s failed: %s", shape, e.msg);
    ck_assert_msg(back.ndim == t.ndim, "shape %s came back with %d dims", shape, back.ndim);
    for (int d = 0; d < t.ndim; d++)
        ck_assert_msg(back.shape[d] == t.shape[d], "shape %s: dim %d came back as %zu",
                      shape, d, back.shape[d]);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(same_bits(back.data[i], t.data[i]),
                      "shape %s: element %zu wrote %a, read %a", shape, i,
                      (double)t.data[i], (double)back.data[i]);
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 1); /* no temporary left */
    tensor_free(&t);
    tensor_free(&back);
    scratch_remove(&s);
}
END_TEST

/* npy_write writes exactly the bytes np.save writes. */
static const struct {
    const char *fixture;
    int ndim;
    size_t shape[TENSOR_MAX_DIMS];
} numpy_written[] = {
    {"good_v1_2x3.npy", 2, {2, 3}},
    {"good_4d.npy", 4, {2, 3, 4, 5}},
    {"good_0d.npy", 0, {0}},
    {"good_empty_0x3.npy", 2, {0, 3}},
};

START_TEST(test_npy_write_matches_numpy_bytes)
{
    Scratch s;
    char path[512], fixture[256];
    static unsigned char ours[4096], theirs[4096];
    Tensor t = tensor_zeros(numpy_written[_i].ndim, numpy_written[_i].shape);
    CnnError e;
    long n_ours, n_theirs;

    for (size_t i = 0; i < tensor_numel(&t); i++)
        t.data[i] = ramp(i);
    scratch_make(&s);
    scratch_path(&s, "t.npy", path, sizeof path);
    snprintf(fixture, sizeof fixture, FIXTURES "%s", numpy_written[_i].fixture);
    ck_assert_msg(npy_write(path, &t, &e) == 0, "npy_write failed: %s", e.msg);
    n_ours = read_bytes(path, ours, sizeof ours);
    n_theirs = read_bytes(fixture, theirs, sizeof theirs);
    ck_assert_msg(n_theirs > 0, "cannot read %s", fixture);
    ck_assert_msg((n_ours - (long)(tensor_numel(&t) * 4)) % 64 == 0,
                  "the header of %s is not padded to 64 bytes (%ld bytes in all)",
                  path, n_ours);
    ck_assert_msg(n_ours == n_theirs, "npy_write made %ld bytes, np.save %ld (%s)",
                  n_ours, n_theirs, fixture);
    for (long i = 0; i < n_ours; i++)
        ck_assert_msg(ours[i] == theirs[i],
                      "byte %ld differs from np.save's %s: 0x%02x instead of 0x%02x",
                      i, fixture, ours[i], theirs[i]);
    tensor_free(&t);
    scratch_remove(&s);
}
END_TEST

/* Files written by NumPy (and one hand-made unusual header) load. */
static const struct {
    const char *file;
    int ndim;
    size_t shape[TENSOR_MAX_DIMS];
} numpy_files[] = {
    {"good_v1_2x3.npy", 2, {2, 3}},
    {"good_v2_3x4.npy", 2, {3, 4}},
    {"good_v3_5.npy", 1, {5}},
    {"good_4d.npy", 4, {2, 3, 4, 5}},
    {"good_0d.npy", 0, {0}},
    {"good_empty_0x3.npy", 2, {0, 3}},
    {"good_long_header.npy", 2, {3, 2}},
};

START_TEST(test_npy_reads_numpy_files)
{
    char path[256];
    Tensor t;
    CnnError e;
    size_t n;

    snprintf(path, sizeof path, FIXTURES "%s", numpy_files[_i].file);
    ck_assert_msg(npy_read(path, &t, &e) == 0, "npy_read(%s) failed: %s", path, e.msg);
    ck_assert_msg(t.ndim == numpy_files[_i].ndim, "%s: %d dims, expected %d", path,
                  t.ndim, numpy_files[_i].ndim);
    for (int d = 0; d < t.ndim; d++)
        ck_assert_msg(t.shape[d] == numpy_files[_i].shape[d],
                      "%s: dim %d is %zu, expected %zu", path, d, t.shape[d],
                      numpy_files[_i].shape[d]);
    n = tensor_numel(&t);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(t.data[i] == ramp(i), "%s: element %zu is %g, expected %g",
                      path, i, (double)t.data[i], (double)ramp(i));
    tensor_free(&t);
}
END_TEST

/* Each file is refused with a sentence naming the file and the problem. */
static const struct {
    const char *file;
    const char *want[3];
} refused_files[] = {
    {"bad_f8.npy", {"'<f8'", "float64", "arr.astype(np.float32)"}},
    {"bad_i4.npy", {"'<i4'", "int32", "arr.astype(np.float32)"}},
    {"bad_big_endian.npy", {"big-endian", "'>f4'", "astype('<f4')"}},
    {"bad_fortran.npy", {"Fortran", "np.ascontiguousarray", NULL}},
    {"bad_truncated.npy", {"holds 40 of 96 data bytes", "truncated", NULL}},
    {"bad_trailing.npy", {"3 bytes after its 24 data bytes", NULL, NULL}},
    {"bad_magic.npy", {"not a .npy file", "np.save", NULL}},
    {"bad_9d.npy", {"more than 8 dimensions", NULL, NULL}},
    {"bad_version.npy", {"version 4.0", NULL, NULL}},
    {"no_such_file.npy", {"No such file or directory", NULL, NULL}},
};

START_TEST(test_npy_refusals_name_the_problem)
{
    char path[256];
    Tensor t;
    CnnError e;

    snprintf(path, sizeof path, FIXTURES "%s", refused_files[_i].file);
    memset(&t, 0x5a, sizeof t);
    ck_assert_msg(npy_read(path, &t, &e) == -1, "npy_read(%s) should fail", path);
    ck_assert_msg(t.data == NULL && t.ndim == 0,
                  "npy_read(%s) failed but left a tensor behind", path);
    expect_one_sentence(path, e.msg);
    expect_in_msg(path, e.msg, path);
    for (int k = 0; k < 3 && refused_files[_i].want[k]; k++)
        expect_in_msg(path, e.msg, refused_files[_i].want[k]);
}
END_TEST

/* Headers built here: spellings that must load and mistakes that must not. */
static const struct {
    const char *dict;
    const char *want; /* NULL: loads as a (2,) tensor */
} headers[] = {
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", NULL},
    {"{'shape':(2,),'descr':'=f4','fortran_order':False}", NULL},
    {"{\"descr\": \"|f4\", \"fortran_order\": False, \"shape\": (2L,)}", NULL},
    {"  {  'fortran_order' : False ,\t'shape' : ( 2 , ) , 'descr' : '<f4' , }  ", NULL},
    {"{'descr': '<f4', 'shape': (2,), }", "without 'fortran_order'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
     "unexpected key 'x'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", "malformed"},
    {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "True or False"},
    {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
     "structured"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", "malformed"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } (3,)",
     "only spaces after the header dict"},
    /* a header promising 4 TB over 8 bytes of data is refused, not allocated */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100), }",
     "holds 8 of 4000000000000 data bytes"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
     "too large to address"},
    {"{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "float16"},
    {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "uint8"},
    {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "complex64"},
    {"{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", "(bool)"},
    {"{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", "(unicode text)"},
    {"{'descr': '|S3', 'fortran_order': False, 'shape': (2,), }", "(bytes)"},
    {"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "(Python objects)"},
    {"{'descr': '|V4', 'fortran_order': False, 'shape': (2,), }", "dtype '|V4'; the course"},
    {"{'descr': <f4, 'fortran_order': False, 'shape': (2,), }", "a quoted string"},
    {"{'descr': '<f4", "the end of a string"},
    {"{'descr': '<f\\4', 'fortran_order': False, 'shape': (2,), }", "the end of a string"},
    {"{'descr': '<f4xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'fortran_order': False, "
     "'shape': (2,), }", "a shorter string"},
    {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }", "':' after a key"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
     "a smaller integer"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", "',' or ')' in the shape"},
    {"{'descr': [('a', '<f4'), 'fortran_order': False, 'shape': (2,), }",
     "the end of the descr list"},
    {"{'descr': '<f4'; 'fortran_order': False, 'shape': (2,), }", "',' or '}'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", "'(' opening the shape"},
    {"('descr', '<f4')", "'{' opening the header dict"},
};

START_TEST(test_npy_header_spellings)
{
    Scratch s;
    char path[512];
    unsigned char file[512];
    const char *dict = headers[_i].dict;
    size_t dlen = strlen(dict), hlen = dlen + 1, len;
    const float data[2] = {1.5f, -2.0f};
    Tensor t;
    CnnError e;
    int rc;

    memcpy(file, "\x93NUMPY\x01\x00", 8);
    file[8] = (unsigned char)(hlen & 0xff);
    file[9] = (unsigned char)(hlen >> 8);
    memcpy(file + 10, dict, dlen);
    file[10 + dlen] = '\n';
    len = 10 + hlen;
    memcpy(file + len, data, sizeof data);
    len += sizeof data;
    scratch_make(&s);
    scratch_path(&s, "h.npy", path, sizeof path);
    write_bytes(path, file, len);
    rc = npy_read(path, &t, &e);
    if (headers[_i].want == NULL) {
        ck_assert_msg(rc == 0, "header %s should load, but: %s", dict, e.msg);
        ck_assert_int_eq(t.ndim, 1);
        ck_assert_uint_eq(t.shape[0], 2);
        ck_assert(t.data[0] == 1.5f && t.data[1] == -2.0f);
        tensor_free(&t);
    } else {
        ck_assert_msg(rc == -1, "header %s should be refused", dict);
        expect_one_sentence(dict, e.msg);
        expect_in_msg(dict, e.msg, path);
        expect_in_msg(dict, e.msg, headers[_i].want);
    }
    scratch_remove(&s);
}
END_TEST

START_TEST(test_npy_write_missing_directory)
{
    Scratch s;
    char path[512];
    const size_t shape[] = {3};
    Tensor t = tensor_zeros(1, shape);
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "no/such/dir/t.npy", path, sizeof path);
    ck_assert_int_eq(npy_write(path, &t, &e), -1);
    expect_one_sentence("npy_write into a missing directory", e.msg);
    expect_in_msg("npy_write into a missing directory", e.msg, path);
    expect_in_msg("npy_write into a missing directory", e.msg,
                  "does not exist; create it first (mkdir -p ");
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 0);
    tensor_free(&t);
    scratch_remove(&s);
}
END_TEST

START_TEST(test_npy_write_over_directory_leaves_nothing)
{
    Scratch s;
    char path[512], names[512];
    const size_t shape[] = {3};
    Tensor t = tensor_zeros(1, shape);
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "t.npy", path, sizeof path);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_eq(npy_write(path, &t, &e), -1);
    expect_one_sentence("npy_write over a directory", e.msg);
    expect_in_msg("npy_write over a directory", e.msg, path);
    expect_in_msg("npy_write over a directory", e.msg, "is a directory");
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "a failed npy_write left files behind: %s", names);
    t.ndim = TENSOR_MAX_DIMS + 1; /* a hand-made tensor .npy cannot hold */
    scratch_path(&s, "t9.npy", path, sizeof path);
    ck_assert_int_eq(npy_write(path, &t, &e), -1);
    expect_in_msg("npy_write of 9 dimensions", e.msg, "9 dimensions");
    AtomicFile af;
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    ck_assert_int_eq(npy_write_to(&af, &t, &e), -1);
    expect_in_msg("npy_write_to of 9 dimensions", e.msg, "9 dimensions");
    atomic_abort(&af);
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "a refused npy_write left files behind: %s", names);
    t.ndim = 1;
    tensor_free(&t);
    scratch_remove(&s);
}
END_TEST

/* Files that end or go wrong before their data, built byte by byte. */
static const struct {
    const char *what;
    const char *bytes;
    size_t len;
    const char *want;
} bad_preambles[] = {
    {"a header cut short", "\x93NUMPY\x01\x00\x40\x00{'descr'", 18, "ends inside its .npy header"},
    {"a version 2.0 length cut short", "\x93NUMPY\x02\x00\x40\x00", 10,
     "ends inside its .npy header"},
    {"a 16 MB header", "\x93NUMPY\x02\x00\x00\x00\x00\x01{", 13,
     "declares a .npy header of 16777216 bytes"},
};

START_TEST(test_npy_refuses_bad_preambles)
{
    Scratch s;
    char path[512];
    Tensor t;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "p.npy", path, sizeof path);
    write_bytes(path, bad_preambles[_i].bytes, bad_preambles[_i].len);
    ck_assert_msg(npy_read(path, &t, &e) == -1, "%s should be refused", bad_preambles[_i].what);
    expect_one_sentence(bad_preambles[_i].what, e.msg);
    expect_in_msg(bad_preambles[_i].what, e.msg, path);
    expect_in_msg(bad_preambles[_i].what, e.msg, bad_preambles[_i].want);
    ck_assert_int_eq(npy_read(s.dir, &t, &e), -1); /* a directory */
    expect_in_msg("npy_read of a directory", e.msg, "Is a directory");
    scratch_remove(&s);
}
END_TEST

/* From a pipe the size cannot be checked up front: a short or long file is
 * noticed while reading. */
START_TEST(test_npy_read_from_a_pipe_checks_the_length)
{
    char fixture[256], link[64];
    unsigned char bytes[256];
    long n;
    Tensor t;
    CnnError e;

    snprintf(fixture, sizeof fixture, FIXTURES "good_0d.npy");
    n = read_bytes(fixture, bytes, sizeof bytes - 8); /* shape (): 4 data bytes */
    ck_assert_int_gt(n, 4);
    for (int k = 0; k < 3; k++) { /* whole, 4 bytes short, 4 bytes too many */
        int p[2];
        long len = k == 1 ? n - 4 : k == 2 ? n + 4 : n;
        memset(bytes + n, 0, 8);
        ck_assert_int_eq(pipe(p), 0);
        ck_assert_int_eq(write(p[1], bytes, (size_t)len), len);
        close(p[1]);
        snprintf(link, sizeof link, "/proc/self/fd/%d", p[0]);
        if (k == 0) {
            ck_assert_msg(npy_read(link, &t, &e) == 0, "from a pipe: %s", e.msg);
            ck_assert_int_eq(t.ndim, 0);
            tensor_free(&t);
        } else {
            ck_assert_int_eq(npy_read(link, &t, &e), -1);
            expect_in_msg("npy_read from a pipe", e.msg, k == 1 ? "holds 0 of 4 data bytes"
                                                               : "has bytes after its 4");
        }
        close(p[0]);
    }
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_loop_test(tc, test_npy_round_trip_exact, 0,
                        (int)(sizeof round_trip_shapes / sizeof round_trip_shapes[0]));
    tcase_add_loop_test(tc, test_npy_write_matches_numpy_bytes, 0,
                        (int)(sizeof numpy_written / sizeof numpy_written[0]));
    tcase_add_loop_test(tc, test_npy_reads_numpy_files, 0,
                        (int)(sizeof numpy_files / sizeof numpy_files[0]));
    tcase_add_loop_test(tc, test_npy_refusals_name_the_problem, 0,
                        (int)(sizeof refused_files / sizeof refused_files[0]));
    tcase_add_loop_test(tc, test_npy_header_spellings, 0,
                        (int)(sizeof headers / sizeof headers[0]));
    tcase_add_test(tc, test_npy_write_missing_directory);
    tcase_add_loop_test(tc, test_npy_refuses_bad_preambles, 0,
                        (int)(sizeof bad_preambles / sizeof bad_preambles[0]));
    tcase_add_test(tc, test_npy_read_from_a_pipe_checks_the_length);
    tcase_add_test(tc, test_npy_write_over_directory_leaves_nothing);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- rng ---------------------------------------------------------------- */

/* seed 42; generated by tests/tooling/fixtures/rng_reference.py */
static const uint64_t seed42_u64[] = {
    0x15780b2e0c2ec716u,
    0x6104d9866d113a7eu,
    0xae17533239e499a1u,
    0xecb8ad4703b360a1u,
    0xfde6dc7fe2ec5e64u,
    0xc50da53101795238u,
};
static const double seed42_uniform[] = {
    0x1.5780b2e0c2ec0p-4,
    0x1.84136619b444ep-2,
    0x1.5c2ea66473c93p-1,
    0x1.d9715a8e0766cp-1,
};
static const double seed42_normal[] = {
    -0x1.73d2feb0fb377p-1,
    -0x1.b088028693f9cp-3,
    0x1.c5e21f7812a4cp-3,
    0x1.0ba8bb0c5fa51p-1,
    0x1.db514bfac5b4ep-2,
    0x1.7b6195d5a3e23p-1,
};
static const uint64_t seed42_below10[] = {
    2u,
    2u,
    9u,
    3u,
    6u,
    4u,
    4u,
    7u,
};
static const uint64_t seed42_below_2p63_plus_1[] = {
    0x2e17533239e499a0u,
    0x6cb8ad4703b360a0u,
    0x7de6dc7fe2ec5e63u,
    0x450da53101795237u,
};
/* rng_fill_uniform(lo = -1, hi = 1), rng_fill_normal(mean = 0.5, std = 2) */
static const float seed42_fill_uniform[] = {
    -0x1.aa1fd40000000p-1f,
    -0x1.efb2680000000p-3f,
    0x1.70ba9a0000000p-2f,
    0x1.b2e2b60000000p-1f,
};
static const float seed42_fill_normal[] = {
    -0x1.e7a5fe0000000p-1f,
    0x1.3ddff60000000p-4f,
    0x1.e2f1100000000p-1f,
    0x1.8ba8bc0000000p+0f,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_rng_seed42_matches_reference)
{
    Rng r;
    float f[4];

    rng_seed(&r, 42);
    for (size_t i = 0; i < N_OF(seed42_u64); i++) {
        uint64_t got = rng_u64(&r);
        ck_assert_msg(got == seed42_u64[i], "rng_u64 #%zu of seed 42: 0x%016llx, "
                      "expected 0x%016llx", i, (unsigned long long)got,
                      (unsigned long long)seed42_u64[i]);
    }
    rng_seed(&r, 42);
    for (size_t i = 0; i < N_OF(seed42_uniform); i++) {
        double got = rng_uniform(&r);
        ck_assert_msg(got == seed42_uniform[i], "rng_uniform #%zu of seed 42: %a, "
                      "expected %a", i, got, seed42_uniform[i]);
    }
    rng_seed(&r, 42);
    for (size_t i = 0; i < N_OF(seed42_normal); i++) {
        double got = rng_normal(&r);
        ck_assert_msg(got == seed42_normal[i], "rng_normal #%zu of seed 42: %a, "
                      "expected %a", i, got, seed42_normal[i]);
    }
    rng_seed(&r, 42);
    for (size_t i = 0; i < N_OF(seed42_below10); i++)
        ck_assert_uint_eq(rng_below(&r, 10), seed42_below10[i]);
    rng_seed(&r, 42);
    for (size_t i = 0; i < N_OF(seed42_below_2p63_plus_1); i++)
        ck_assert_msg(rng_below(&r, (UINT64_C(1) << 63) + 1) == seed42_below_2p63_plus_1[i],
                      "rng_below(2^63 + 1) #%zu of seed 42 differs: the "
                      "rejection step is not the reference's", i);
    rng_seed(&r, 42);
    rng_fill_uniform(&r, f, 4, -1.0f, 1.0f);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(same_bits(f[i], seed42_fill_uniform[i]),
                      "rng_fill_uniform[%zu]: %a, expected %a", i, (double)f[i],
                      (double)seed42_fill_uniform[i]);
    rng_seed(&r, 42);
    rng_fill_normal(&r, f, 4, 0.5f, 2.0f);
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(same_bits(f[i], seed42_fill_normal[i]),
                      "rng_fill_normal[%zu]: %a, expected %a", i, (double)f[i],
                      (double)seed42_fill_normal[i]);
}
END_TEST

START_TEST(test_rng_reseed_restarts_sequence)
{
    Rng r;
    double first[5];
    rng_seed(&r, 7);
    for (int i = 0; i < 5; i++)
        first[i] = rng_normal(&r);
    /* an odd number of normals leaves a spare; reseeding must drop it */
    rng_seed(&r, 7);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(rng_normal(&r) == first[i], "normal #%d differs after reseed", i);
    rng_seed(&r, 8);
    ck_assert_msg(rng_normal(&r) != first[0], "seeds 7 and 8 gave the same normal");
}
END_TEST

START_TEST(test_rng_uniform_range_and_moments)
{
    enum { N = 1000000 };
    Rng r;
    double sum = 0.0, lo = 1.0, hi = 0.0, mean;
    rng_seed(&r, 1);
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&r);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    ck_assert_msg(lo >= 0.0 && hi < 1.0, "rng_uniform gave values in [%a, %a], "
                  "outside [0, 1)", lo, hi);
    mean = sum / N;
    /* mean of N uniforms: 0.5 with standard error sqrt(1/12/N) = 2.9e-4 */
    ck_assert_msg(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / N),
                  "the mean of %d uniforms is %.6f", N, mean);
    ck_assert_msg(lo < 1e-5 && hi > 1 - 1e-5, "uniforms span [%g, %g] only", lo, hi);
}
END_TEST

START_TEST(test_rng_normal_moments)
{
    enum { N = 100000 };
    Rng r;
    double sum = 0.0, sum2 = 0.0, mean, var;
    int tails = 0, finite = 1;
    rng_seed(&r, 2);
    for (int i = 0; i < N; i++) {
        double x = rng_normal(&r);
        finite &= isfinite(x) != 0;
        sum += x;
        sum2 += x * x;
        tails += fabs(x) > 1.959963984540054;
    }
    ck_assert_msg(finite, "rng_normal gave a NaN or an infinity");
    mean = sum / N;
    var = sum2 / N - mean * mean;
    /* Five standard errors: sd(mean) = 1/sqrt(N), sd(var) = sqrt(2/N),
     * sd(tail fraction) = sqrt(0.05 * 0.95 / N). */
    ck_assert_msg(fabs(mean) < 5 / sqrt(N), "mean of %d normals is %.5f", N, mean);
    ck_assert_msg(fabs(var - 1) < 5 * sqrt(2.0 / N), "variance of %d normals is %.5f",
                  N, var);
    ck_assert_msg(fabs((double)tails / N - 0.05) < 5 * sqrt(0.05 * 0.95 / N),
                  "%.4f of normals lie beyond +-1.96, expected 0.05", (double)tails / N);
}
END_TEST

START_TEST(test_rng_below_in_range_and_unbiased)
{
    enum { N = 70000, K = 7 };
    Rng r;
    int count[K] = {0}, in_range = 1;
    const uint64_t big = (UINT64_C(1) << 63) + 1;
    double chi2 = 0.0;
    rng_seed(&r, 3);
    for (int i = 0; i < 100; i++)
        in_range &= rng_below(&r, 1) == 0;
    ck_assert_msg(in_range, "rng_below(1) gave a value other than 0");
    for (int i = 0; i < N; i++) {
        uint64_t x = rng_below(&r, K);
        if (x >= K)
            ck_abort_msg("rng_below(%d) gave %llu", K, (unsigned long long)x);
        count[x]++;
    }
    for (int k = 0; k < K; k++)
        chi2 += (count[k] - N / K) * (double)(count[k] - N / K) / (N / K);
    /* chi-square with 6 degrees of freedom: P(chi2 > 22.46) = 0.001 */
    ck_assert_msg(chi2 < 22.46, "rng_below(7) counts are uneven: chi2 = %.2f", chi2);
    for (int i = 0; i < 1000; i++)
        in_range &= rng_below(&r, big) < big && rng_below(&r, UINT64_MAX) < UINT64_MAX;
    ck_assert_msg(in_range, "rng_below(2^63 + 1) or rng_below(2^64 - 1) left its range");
}
END_TEST

START_TEST(test_rng_fill_ranges)
{
    enum { N = 100000 };
    static float x[N];
    Rng r;
    double sum = 0.0, sum2 = 0.0, mean, sd;
    const float lo = 1.0f - 0x1p-24f; /* the float just below 1 */

    rng_seed(&r, 4);
    rng_fill_uniform(&r, x, N, -3.0f, 3.0f);
    for (int i = 0; i < N; i++)
        if (!(x[i] >= -3.0f && x[i] < 3.0f))
            ck_abort_msg("rng_fill_uniform(-3, 3) gave %g at %d", (double)x[i], i);
    /* [lo, 1) holds one float; rounding half of the draws up to 1 must not
     * leave the half-open interval. */
    rng_fill_uniform(&r, x, 1000, lo, 1.0f);
    for (int i = 0; i < 1000; i++)
        if (x[i] != lo)
            ck_abort_msg("rng_fill_uniform(%a, 1) gave %a at %d", (double)lo,
                         (double)x[i], i);
    rng_fill_uniform(&r, x, 10, 2.0f, 2.0f);
    for (int i = 0; i < 10; i++)
        ck_assert(x[i] == 2.0f);
    rng_fill_normal(&r, x, N, 0.5f, 2.0f);
    for (int i = 0; i < N; i++) {
        sum += x[i];
        sum2 += (double)x[i] * x[i];
    }
    mean = sum / N;
    sd = sqrt(sum2 / N - mean * mean);
    ck_assert_msg(fabs(mean - 0.5) < 5 * 2 / sqrt(N), "rng_fill_normal mean %.4f", mean);
    ck_assert_msg(fabs(sd - 2) < 5 * 2 * sqrt(0.5 / N), "rng_fill_normal std %.4f", sd);
}
END_TEST

static void below_zero(void)
{
    Rng r;
    rng_seed(&r, 1);
    rng_below(&r, 0);
}

START_TEST(test_rng_below_zero_dies)
{
    char text[512];
    ck_assert_int_eq(run_capturing_stderr(below_zero, text, sizeof text), 1);
    expect_in_msg("rng_below(0)", text, "rng_below: n must be positive");
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_rng_seed42_matches_reference);
    tcase_add_test(tc, test_rng_reseed_restarts_sequence);
    tcase_add_test(tc, test_rng_uniform_range_and_moments);
    tcase_add_test(tc, test_rng_normal_moments);
    tcase_add_test(tc, test_rng_below_in_range_and_unbiased);
    tcase_add_test(tc, test_rng_fill_ranges);
    tcase_add_test(tc, test_rng_below_zero_dies);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- idx ---------------------------------------------------------------- */

static void write_gzip(const char *path, const void *data, size_t len)
{
    gzFile g = gzopen(path, "wb");
    ck_assert_msg(g != NULL, "cannot create %s", path);
    ck_assert_msg(gzwrite(g, data, (unsigned)len) == (int)len, "gzwrite to %s failed",
                  path);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

START_TEST(test_idx_reads_committed_files)
{
    IdxArray a;
    CnnError e;
    const uint8_t labels[] = {3, 1, 4, 1, 5};

    ck_assert_msg(idx_read(FIXTURES "tiny-images-idx3-ubyte.gz", &a, &e) == 0,
                  "idx_read of the gzip fixture failed: %s", e.msg);
    ck_assert_int_eq(a.ndim, 3);
    ck_assert(a.dims[0] == 2 && a.dims[1] == 3 && a.dims[2] == 4);
    ck_assert_uint_eq(idx_numel(&a), 24);
    for (size_t i = 0; i < 24; i++)
        ck_assert_msg(a.data[i] == i * 7 % 256, "image byte %zu is %u, expected %zu",
                      i, a.data[i], i * 7 % 256);
    idx_free(&a);
    ck_assert_ptr_null(a.data);

    ck_assert_msg(idx_read(FIXTURES "tiny-labels-idx1-ubyte", &a, &e) == 0,
                  "idx_read of the raw fixture failed: %s", e.msg);
    ck_assert_int_eq(a.ndim, 1);
    ck_assert_uint_eq(a.dims[0], 5);
    ck_assert_int_eq(memcmp(a.data, labels, 5), 0);
    idx_free(&a);
}
END_TEST

START_TEST(test_idx_write_read_raw_and_gzip)
{
    Scratch s;
    char raw[512], gz[512];
    static unsigned char bytes[16 + 3 * 5 * 7];
    uint8_t data[3 * 5 * 7];
    IdxArray a = {3, {3, 5, 7, 0}, data}, back;
    CnnError e;
    long n;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(255 - i);
    scratch_make(&s);
    scratch_path(&s, "a-idx3-ubyte", raw, sizeof raw);
    scratch_path(&s, "a-idx3-ubyte.gz", gz, sizeof gz);
    ck_assert_msg(idx_write(raw, &a, &e) == 0, "idx_write failed: %s", e.msg);
    n = read_bytes(raw, bytes, sizeof bytes);
    ck_assert_int_eq(n, 16 + 105);
    ck_assert_msg(bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 8 && bytes[3] == 3 &&
                  bytes[7] == 3 && bytes[11] == 5 && bytes[15] == 7,
                  "idx_write's header is not 00 00 08 03 then big-endian 3, 5, 7");
    write_gzip(gz, bytes, (size_t)n);
    for (int k = 0; k < 2; k++) {
        const char *path = k ? gz : raw;
        ck_assert_msg(idx_read(path, &back, &e) == 0, "idx_read(%s): %s", path, e.msg);
        ck_assert_int_eq(back.ndim, 3);
        ck_assert(back.dims[0] == 3 && back.dims[1] == 5 && back.dims[2] == 7);
        ck_assert_int_eq(memcmp(back.data, data, sizeof data), 0);
        idx_free(&back);
    }
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 2);
    scratch_remove(&s);
}
END_TEST

/* Files that must be refused, as bytes (written raw and gzip-compressed). */
static const struct {
    const char *what;
    unsigned char bytes[24];
    size_t len;
    const char *want;
} bad_idx[] = {
    {"wrong magic", {1, 0, 8, 1, 0, 0, 0, 1, 9}, 9, "not an IDX file"},
    {"empty file", {0}, 0, "not an IDX file"},
    {"float type", {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}, 12, "type 0x0D (float)"},
    {"signed type", {0, 0, 0x09, 1, 0, 0, 0, 1, 0}, 9, "type 0x09 (signed byte)"},
    {"short type", {0, 0, 0x0B, 1, 0, 0, 0, 1, 0, 0}, 10, "type 0x0B (short)"},
    {"int type", {0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 0, 0, 0}, 12, "type 0x0C (int)"},
    {"double type", {0, 0, 0x0E, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 16,
     "type 0x0E (double)"},
    {"unknown type", {0, 0, 0x42, 1, 0, 0, 0, 1, 0}, 9, "type 0x42 (unknown)"},
    {"zero dims", {0, 0, 8, 0}, 4, "has 0 dimensions"},
    {"five dims", {0, 0, 8, 5, 0, 0, 0, 1}, 8, "has 5 dimensions"},
    {"short header", {0, 0, 8, 2, 0, 0, 0, 1, 0, 0}, 10, "ends inside its IDX header"},
    {"zero dim", {0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0}, 12, "size 0 in dimension 1"},
    {"truncated", {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3}, 11, "ends after 3 of 5 data bytes"},
    {"trailing", {0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3, 4}, 12,
     "2 bytes after its 2 data bytes"},
    /* 2^44 bytes promised, 2 present: refused without allocating 16 TB */
    {"huge claim", {0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 16, 0, 1, 2}, 18,
     "ends after 2 of 17592186044416 data bytes"},
    {"overflowing dims", {0, 0, 8, 4, 255, 255, 255, 255, 255, 255, 255, 255,
                          255, 255, 255, 255, 255, 255, 255, 255}, 20,
     "more elements than memory can address"},
};

START_TEST(test_idx_refusals_name_the_problem)
{
    Scratch s;
    char path[512], what[128];
    IdxArray a;
    CnnError e;
    int gz = _i % 2;
    int k = _i / 2;

    scratch_make(&s);
    scratch_path(&s, gz ? "bad.gz" : "bad", path, sizeof path);
    if (gz)
        write_gzip(path, bad_idx[k].bytes, bad_idx[k].len);
    else
        write_bytes(path, bad_idx[k].bytes, bad_idx[k].len);
    snprintf(what, sizeof what, "idx_read of a %s file (%s)", bad_idx[k].what,
             gz ? "gzip" : "raw");
    memset(&a, 0x5a, sizeof a);
    ck_assert_msg(idx_read(path, &a, &e) == -1, "%s should fail", what);
    ck_assert_msg(a.data == NULL, "%s failed but left data behind", what);
    expect_one_sentence(what, e.msg);
    expect_in_msg(what, e.msg, path);
    expect_in_msg(what, e.msg, bad_idx[k].want);
    scratch_remove(&s);
}
END_TEST

START_TEST(test_idx_damaged_gzip_and_missing_file)
{
    Scratch s;
    char path[512];
    static unsigned char buf[4096];
    const unsigned char idx[] = {0, 0, 8, 1, 0, 0, 0, 200};
    unsigned char payload[8 + 200];
    IdxArray a;
    CnnError e;
    long n;

    scratch_make(&s);
    scratch_path(&s, "bad.gz", path, sizeof path);
    memcpy(payload, idx, sizeof idx);
    for (int i = 0; i < 200; i++)
        payload[8 + i] = (unsigned char)(i * i);
    write_gzip(path, payload, sizeof payload);
    n = read_bytes(path, buf, sizeof buf);
    ck_assert(n > 20);
    /* Flip bytes inside the compressed stream: the CRC or the inflate must
     * notice. */
    for (long i = 12; i < n - 8; i += 3)
        buf[i] ^= 0x55;
    write_bytes(path, buf, (size_t)n);
    ck_assert_int_eq(idx_read(path, &a, &e), -1);
    expect_one_sentence("idx_read of a damaged gzip file", e.msg);
    expect_in_msg("idx_read of a damaged gzip file", e.msg, path);
    expect_in_msg("idx_read of a damaged gzip file", e.msg, "is damaged");
    expect_in_msg("idx_read of a damaged gzip file", e.msg,
                  "replace it with a fresh copy (datasets/fetch.sh");
    ck_assert_ptr_null(a.data);

    /* Intact data, but a wrong CRC in the gzip trailer. */
    scratch_path(&s, "bad-crc.gz", path, sizeof path);
    write_gzip(path, payload, sizeof payload);
    n = read_bytes(path, buf, sizeof buf);
    buf[n - 6] ^= 0x01;
    write_bytes(path, buf, (size_t)n);
    ck_assert_int_eq(idx_read(path, &a, &e), -1);
    expect_in_msg("idx_read of a gzip file with a wrong CRC", e.msg, "is damaged");

    scratch_path(&s, "missing-idx1-ubyte", path, sizeof path);
    ck_assert_int_eq(idx_read(path, &a, &e), -1);
    expect_in_msg("idx_read of a missing file", e.msg, path);
    expect_in_msg("idx_read of a missing file", e.msg, "No such file or directory");
    expect_in_msg("idx_read of a missing file", e.msg, "check the path (datasets/fetch.sh");
    scratch_remove(&s);
}
END_TEST

START_TEST(test_idx_write_refusals_and_a_large_file)
{
    Scratch s;
    char path[512];
    uint8_t one = 7;
    IdxArray a = {0, {1, 0, 0, 0}, &one}, back;
    CnnError e;
    const size_t big = (size_t)17 << 20; /* past the reader's first 16 MB */

    scratch_make(&s);
    scratch_path(&s, "x-idx1-ubyte", path, sizeof path);
    ck_assert_int_eq(idx_write(path, &a, &e), -1);
    expect_in_msg("idx_write of 0 dimensions", e.msg, "1 to 4 dimensions, not 0");
    a.ndim = 5;
    ck_assert_int_eq(idx_write(path, &a, &e), -1);
    expect_in_msg("idx_write of 5 dimensions", e.msg, "not 5");
    a = (IdxArray){2, {1, 0, 0, 0}, &one};
    ck_assert_int_eq(idx_write(path, &a, &e), -1);
    expect_in_msg("idx_write of a zero dimension", e.msg, "dimension 1 has size 0");
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 0);
    ck_assert_int_eq(idx_write(s.dir, &(IdxArray){1, {1, 0, 0, 0}, &one}, &e), -1);
    expect_in_msg("idx_write over a directory", e.msg, "is a directory");

    a = (IdxArray){1, {(uint32_t)big, 0, 0, 0}, malloc(big)};
    ck_assert_ptr_nonnull(a.data);
    for (size_t i = 0; i < big; i++)
        a.data[i] = (uint8_t)(i * 7 + i / 4096);
    ck_assert_msg(idx_write(path, &a, &e) == 0, "idx_write of 17 MB: %s", e.msg);
    ck_assert_msg(idx_read(path, &back, &e) == 0, "idx_read of 17 MB: %s", e.msg);
    ck_assert_uint_eq(back.dims[0], big);
    ck_assert_int_eq(memcmp(back.data, a.data, big), 0);
    idx_free(&back);
    free(a.data);
    ck_assert_int_eq(idx_read(s.dir, &back, &e), -1);
    expect_in_msg("idx_read of a directory", e.msg, "Is a directory; check the path");
    scratch_remove(&s);
}
END_TEST

static Suite *idx_suite(void)
{
    Suite *s = suite_create("idx");
    TCase *tc = tcase_create("idx");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_idx_reads_committed_files);
    tcase_add_test(tc, test_idx_write_read_raw_and_gzip);
    tcase_add_loop_test(tc, test_idx_refusals_name_the_problem, 0,
                        (int)(2 * N_OF(bad_idx)));
    tcase_add_test(tc, test_idx_damaged_gzip_and_missing_file);
    tcase_add_test(tc, test_idx_write_refusals_and_a_large_file);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- atomic ------------------------------------------------------------- */

/* Prints why a test could not run here; the test then passes vacuously. */
static void skip_because(const char *test, const char *why)
{
    fprintf(stderr, "test_common: SKIP %s: %s\n", test, why);
}

/* Makes a device node (mknod needs root, and a file system that allows
 * devices); returns 0, or -1 after saying why the test is skipped. */
static int make_node(const char *test, const char *path, mode_t type,
                     unsigned major_no, unsigned minor_no)
{
    char why[256];
    if (mknod(path, type | 0666, makedev(major_no, minor_no)) == 0)
        return 0;
    snprintf(why, sizeof why, "cannot create a device node with mknod (%s)",
             strerror(errno));
    skip_because(test, why);
    return -1;
}

static mode_t lstat_type(const char *path)
{
    struct stat st;
    ck_assert_msg(lstat(path, &st) == 0, "%s is gone: %s", path, strerror(errno));
    return st.st_mode & S_IFMT;
}

/* Writes text through atomic_open + atomic_commit; returns the commit's
 * result (0 or -1), e set on failure. */
static int write_text(const char *path, const char *text, CnnError *e)
{
    AtomicFile af;
    if (atomic_open(&af, path, e))
        return -1;
    fputs(text, af.fp);
    return atomic_commit(&af, e);
}

/* Expects path to hold exactly text. */
static void expect_contents(const char *path, const char *text)
{
    unsigned char buf[256];
    long n = read_bytes(path, buf, sizeof buf - 1);
    ck_assert_msg(n >= 0, "cannot read %s", path);
    buf[n] = '\0';
    ck_assert_msg(strcmp((char *)buf, text) == 0, "%s holds \"%s\", expected \"%s\"",
                  path, (char *)buf, text);
}

/* Expects dir to hold exactly n entries (no temporary file left). */
static void expect_entries(const Scratch *s, int n, const char *when)
{
    char names[1024];
    int got = scratch_count(s, names, sizeof names);
    ck_assert_msg(got == n, "%s: the directory holds %d entries (%s), expected %d",
                  when, got, names, n);
}

/* Writes bytes bytes to path and expects the commit to fail with one
 * sentence naming path and cause. */
static void expect_write_fails(const char *what, const char *path, size_t bytes,
                               const char *cause)
{
    static char block[1 << 18];
    AtomicFile af;
    CnnError e;
    ck_assert(bytes <= sizeof block);
    memset(block, 'x', bytes);
    ck_assert_msg(atomic_open(&af, path, &e) == 0, "%s: atomic_open: %s", what, e.msg);
    fwrite(block, 1, bytes, af.fp);
    fprintf(af.fp, "more after the error\n"); /* dropped, not retried */
    ck_assert_int_eq(atomic_commit(&af, &e), -1);
    expect_one_sentence(what, e.msg);
    expect_in_msg(what, e.msg, path);
    expect_in_msg(what, e.msg, cause);
}

/* Expects atomic_check and atomic_open to refuse path with one sentence
 * that names it and contains want. */
static void expect_refused(const char *what, const char *path, const char *want)
{
    AtomicFile af;
    CnnError e;
    ck_assert_msg(atomic_check(path, &e) == -1, "%s: atomic_check accepts it", what);
    expect_in_msg(what, e.msg, want);
    ck_assert_msg(atomic_open(&af, path, &e) == -1, "%s: atomic_open accepts it", what);
    ck_assert_ptr_null(af.fp);
    expect_one_sentence(what, e.msg);
    expect_in_msg(what, e.msg, path);
    expect_in_msg(what, e.msg, want);
    atomic_abort(&af); /* harmless after a failed open */
}

START_TEST(test_atomic_commit_makes_the_file)
{
    Scratch s;
    char path[512];
    unsigned char buf[64];
    struct stat st;
    AtomicFile af;
    CnnError e;

    umask(022);
    scratch_make(&s);
    scratch_path(&s, "out.dat", path, sizeof path);
    ck_assert_msg(write_text(path, "first\n", &e) == 0, "new file: %s", e.msg);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0644,
                  "a new file has mode %03o, expected 0644 under umask 022",
                  (unsigned)(st.st_mode & 0777));
    ck_assert_int_eq(chmod(path, 0604), 0);
    ck_assert_msg(atomic_open(&af, path, &e) == 0, "atomic_open: %s", e.msg);
    fprintf(af.fp, "new %d\n", 42);
    /* until the commit, the old file is what a reader sees */
    ck_assert_int_eq(read_bytes(path, buf, sizeof buf), 6);
    ck_assert_msg(atomic_commit(&af, &e) == 0, "atomic_commit: %s", e.msg);
    expect_contents(path, "new 42\n");
    expect_entries(&s, 1, "after a commit");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0604,
                  "the replaced file has mode %03o, expected its old 0604",
                  (unsigned)(st.st_mode & 0777));
    ck_assert_int_eq(atomic_commit(&af, &e), -1); /* committed already */
    expect_in_msg("a second atomic_commit", e.msg, "not open");
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_abort_leaves_nothing)
{
    Scratch s;
    char path[512];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "new.dat", path, sizeof path);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("half", af.fp);
    atomic_abort(&af);
    atomic_abort(&af); /* twice is harmless */
    expect_entries(&s, 0, "after an abort");

    write_bytes(path, "keep", 4);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("replaced", af.fp);
    atomic_abort(&af);
    expect_contents(path, "keep");
    expect_entries(&s, 1, "after an abort over a file");
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_open_in_joins_dir_and_name)
{
    Scratch s;
    char path[512], dir[5000];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    ck_assert_int_eq(atomic_open_in(&af, s.dir, "joined.dat", &e), 0);
    fputs("j", af.fp);
    ck_assert_int_eq(atomic_commit(&af, &e), 0);
    expect_contents(scratch_path(&s, "joined.dat", path, sizeof path), "j");

    memset(dir, 'd', sizeof dir - 1);
    dir[sizeof dir - 1] = '\0';
    ck_assert_int_eq(atomic_open_in(&af, dir, "x.dat", &e), -1);
    expect_one_sentence("atomic_open_in of a long directory", e.msg);
    expect_in_msg("atomic_open_in of a long directory", e.msg, "use a shorter");
    atomic_abort(&af); /* harmless after a failed open */
    ck_assert_int_eq(atomic_open(&af, dir, &e), -1);
    expect_in_msg("atomic_open of a long path", e.msg, "longer than 4095 bytes");
    scratch_remove(&s);
}
END_TEST

/* A directory, a socket and a block device are refused by name, before
 * anything is created, by atomic_check and atomic_open alike. */
START_TEST(test_atomic_refuses_directory_socket_block_device)
{
    Scratch s;
    char dir[512], sock[512], blk[512], link[512];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    scratch_make(&s);
    ck_assert_int_eq(mkdir(scratch_path(&s, "adir", dir, sizeof dir), 0755), 0);
    expect_refused("a directory", dir, "it is a directory, not a file");
    ck_assert_int_eq(symlink("adir", scratch_path(&s, "to-dir", link, sizeof link)), 0);
    expect_refused("a link to a directory", link, "it is a directory");

    scratch_path(&s, "sock", sock, sizeof sock);
    snprintf(addr.sun_path, sizeof addr.sun_path, "%.100s", sock);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_msg(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0, "bind %s: %s",
                  sock, strerror(errno));
    expect_refused("a socket", sock, "it is a socket");
    close(fd);
    expect_entries(&s, 3, "after refusing a directory and a socket");

    scratch_path(&s, "blk", blk, sizeof blk);
    if (make_node("a block device is refused", blk, S_IFBLK, 7, 0) == 0) {
        expect_refused("a block device", blk, "it is a block device");
        ck_assert_uint_eq(lstat_type(blk), S_IFBLK);
        expect_entries(&s, 4, "after refusing a block device");
    }
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_missing_directory)
{
    Scratch s;
    char path[512], file[512];
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "missing/out.dat", path, sizeof path);
    expect_refused("a missing directory", path, "does not exist; create it first (mkdir -p ");
    write_bytes(scratch_path(&s, "file", file, sizeof file), "f", 1);
    scratch_path(&s, "file/out.dat", path, sizeof path);
    expect_refused("a path below a file", path, "is a file, not a directory");
    ck_assert_int_eq(atomic_check("", &e), -1);
    expect_in_msg("atomic_check of \"\"", e.msg, "empty name");
    expect_entries(&s, 1, "after refusing");
    scratch_remove(&s);
}
END_TEST

/* Something else takes the target's name between open and commit: the
 * rename fails, and the temporary file goes. */
START_TEST(test_atomic_failed_rename_leaves_no_temp)
{
    Scratch s;
    char path[512], inside[512];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "target", path, sizeof path);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("data", af.fp);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    write_bytes(scratch_path(&s, "target/keep", inside, sizeof inside), "k", 1);
    ck_assert_int_eq(atomic_commit(&af, &e), -1);
    expect_one_sentence("atomic_commit over a new directory", e.msg);
    expect_in_msg("atomic_commit over a new directory", e.msg, path);
    expect_in_msg("atomic_commit over a new directory", e.msg, "replacing it failed");
    expect_entries(&s, 1, "after a failed rename");
    atomic_abort(&af); /* harmless after a failed commit */
    scratch_remove(&s);
}
END_TEST

/* A write that fails (here the file size limit) is caught at commit with
 * its cause, and the target is left as it was. */
START_TEST(test_atomic_write_error_caught_at_commit)
{
    Scratch s;
    char path[512];
    struct rlimit lim = {4096, 4096};

    scratch_make(&s);
    scratch_path(&s, "big.dat", path, sizeof path);
    write_bytes(path, "old", 3);
    signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    expect_write_fails("a write past the file size limit", path, 1 << 16,
                       "the file would exceed the file size limit");
    expect_entries(&s, 1, "after a failed write");
    expect_contents(path, "old");
    scratch_remove(&s);
}
END_TEST

/* A real full disk: a 64 kB tmpfs, mounted in a mount namespace of this
 * test's own process (root only; skipped elsewhere). The old file stays,
 * no temporary file is left, and the message says why. */
START_TEST(test_atomic_full_disk_keeps_the_old_file)
{
    static const char test[] = "a full disk keeps the old file";
    Scratch s, inner;
    char fs[512], path[512], why[256];

    scratch_make(&s);
    ck_assert_int_eq(mkdir(scratch_path(&s, "fs", fs, sizeof fs), 0755), 0);
    if (unshare(CLONE_NEWNS) != 0 ||
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("cnn-test", fs, "tmpfs", 0, "size=64k") != 0) {
        snprintf(why, sizeof why, "cannot mount a small tmpfs (%s)", strerror(errno));
        skip_because(test, why);
        scratch_remove(&s);
        return;
    }
    scratch_path(&s, "fs/y.npy", path, sizeof path);
    write_bytes(path, "old", 3);
    expect_write_fails(test, path, 1 << 18, "no space left on device");
    expect_contents(path, "old");
    snprintf(inner.dir, sizeof inner.dir, "%.200s", fs);
    expect_entries(&inner, 1, "the full file system after a failed write");
    ck_assert_int_eq(umount(fs), 0);
    scratch_remove(&s);
}
END_TEST

/* A character device is written in place, never replaced: a node like
 * /dev/null takes the data and stays a device; one like /dev/full fails
 * with "no space left on device" and stays a device too. */
START_TEST(test_atomic_character_device_written_in_place)
{
    static const char test[] = "a character device is written in place";
    Scratch s;
    char null_dev[512], full_dev[512], link[512];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "null", null_dev, sizeof null_dev);
    scratch_path(&s, "full", full_dev, sizeof full_dev);
    if (make_node(test, null_dev, S_IFCHR, 1, 3) || make_node(test, full_dev, S_IFCHR, 1, 7)) {
        scratch_remove(&s);
        return;
    }
    ck_assert_msg(atomic_check(null_dev, &e) == 0, "atomic_check: %s", e.msg);
    ck_assert_msg(write_text(null_dev, "into the void\n", &e) == 0, "null: %s", e.msg);
    ck_assert_uint_eq(lstat_type(null_dev), S_IFCHR);
    expect_entries(&s, 2, "after writing a null device");

    expect_write_fails("writing a full device", full_dev, 1 << 16,
                       "no space left on device");
    ck_assert_uint_eq(lstat_type(full_dev), S_IFCHR);

    /* a small write fails at the commit's flush, just the same */
    ck_assert_int_eq(write_text(full_dev, "x", &e), -1);
    expect_in_msg("a small write to a full device", e.msg, "no space left on device");

    /* through a link, the device is still written, and the link stays */
    ck_assert_int_eq(symlink("null", scratch_path(&s, "to-null", link, sizeof link)), 0);
    ck_assert_msg(write_text(link, "via a link\n", &e) == 0, "link: %s", e.msg);
    ck_assert_uint_eq(lstat_type(link), S_IFLNK);
    ck_assert_uint_eq(lstat_type(null_dev), S_IFCHR);
    expect_entries(&s, 3, "after writing devices");

    /* aborting drops what is buffered */
    ck_assert_int_eq(atomic_open(&af, full_dev, &e), 0);
    fputs("never written", af.fp);
    atomic_abort(&af);
    ck_assert_uint_eq(lstat_type(full_dev), S_IFCHR);
    scratch_remove(&s);
}
END_TEST

/* A FIFO is written in place: its reader gets the data, and it stays a
 * FIFO. */
START_TEST(test_atomic_fifo_written_in_place)
{
    Scratch s;
    char fifo[512], got[256];
    int report[2], status;
    ssize_t n = 0;
    pid_t pid;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "fifo", fifo, sizeof fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(pipe(report), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the reader: passes what it reads on through report */
        char buf[256];
        ssize_t k;
        int fd = open(fifo, O_RDONLY);
        close(report[0]);
        while (fd >= 0 && (k = read(fd, buf, sizeof buf)) > 0)
            if (write(report[1], buf, (size_t)k) != k)
                _exit(2);
        _exit(fd >= 0 ? 0 : 1);
    }
    close(report[1]);
    ck_assert_msg(atomic_check(fifo, &e) == 0, "atomic_check: %s", e.msg);
    ck_assert_msg(write_text(fifo, "through the fifo\n", &e) == 0, "fifo: %s", e.msg);
    for (ssize_t k; (k = read(report[0], got + n, sizeof got - 1 - (size_t)n)) > 0;)
        n += k;
    got[n] = '\0';
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_str_eq(got, "through the fifo\n");
    ck_assert_uint_eq(lstat_type(fifo), S_IFIFO);
    expect_entries(&s, 1, "after writing a FIFO");
    scratch_remove(&s);
}
END_TEST

/* /proc/self/fd/N (what /dev/stdout and /dev/fd/N lead to): to a pipe it
 * is a FIFO, written in place; to a file, the file is added to, in place,
 * as writes to the descriptor would be, not replaced under it. */
START_TEST(test_atomic_proc_fd_links_written_in_place)
{
    Scratch s;
    char path[512], link[64], got[64];
    struct stat before, after;
    int p[2], fd;
    ssize_t n;
    CnnError e;

    ck_assert_int_eq(pipe(p), 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[1]);
    ck_assert_msg(atomic_check(link, &e) == 0, "atomic_check %s: %s", link, e.msg);
    ck_assert_msg(write_text(link, "piped\n", &e) == 0, "%s: %s", link, e.msg);
    n = read(p[0], got, sizeof got - 1);
    ck_assert_int_eq(n, 6);
    got[n] = '\0';
    ck_assert_str_eq(got, "piped\n");

    scratch_make(&s);
    scratch_path(&s, "stdout.txt", path, sizeof path);
    write_bytes(path, "header\n", 7);
    fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(stat(path, &before), 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ck_assert_msg(atomic_check(link, &e) == 0, "atomic_check %s: %s", link, e.msg);
    ck_assert_msg(write_text(link, "redirected\n", &e) == 0, "%s: %s", link, e.msg);
    snprintf(link, sizeof link, "/dev/fd/%d", fd);
    ck_assert_msg(write_text(link, "again\n", &e) == 0, "%s: %s", link, e.msg);
    expect_contents(path, "header\nredirected\nagain\n");
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_msg(after.st_ino == before.st_ino,
                  "the file behind the descriptor was replaced, not written");
    expect_entries(&s, 1, "after writing a file through /proc/self/fd");
    close(fd);
    scratch_remove(&s);
}
END_TEST

/* A link is followed to its final target, which gets the new file; the
 * links stay links, relative ones taken from their own directory. */
START_TEST(test_atomic_symlinks_followed_to_the_target)
{
    Scratch s;
    char sub[512], target[512], link1[512], link2[512], abs_link[512];
    struct stat st;
    CnnError e;

    umask(022);
    scratch_make(&s);
    ck_assert_int_eq(mkdir(scratch_path(&s, "sub", sub, sizeof sub), 0755), 0);
    scratch_path(&s, "sub/y.npy", target, sizeof target);
    write_bytes(target, "old", 3);
    ck_assert_int_eq(chmod(target, 0600), 0);
    /* link1 -> sub/link2 -> y.npy (relative to sub/) */
    ck_assert_int_eq(symlink("y.npy", scratch_path(&s, "sub/link2", link2, sizeof link2)), 0);
    ck_assert_int_eq(symlink("sub/link2", scratch_path(&s, "link1", link1, sizeof link1)), 0);
    ck_assert_msg(atomic_check(link1, &e) == 0, "atomic_check: %s", e.msg);
    ck_assert_msg(write_text(link1, "new via two links", &e) == 0, "link1: %s", e.msg);
    ck_assert_uint_eq(lstat_type(link1), S_IFLNK);
    ck_assert_uint_eq(lstat_type(link2), S_IFLNK);
    expect_contents(target, "new via two links");
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0600, "the target's mode became %03o, not 0600",
                  (unsigned)(st.st_mode & 0777));
    expect_entries(&s, 2, "the scratch directory after writing through links");
    Scratch in_sub;
    snprintf(in_sub.dir, sizeof in_sub.dir, "%.200s", sub);
    expect_entries(&in_sub, 2, "sub/ after writing through links");

    /* an absolute link */
    ck_assert_int_eq(symlink(target, scratch_path(&s, "abs", abs_link, sizeof abs_link)), 0);
    ck_assert_msg(write_text(abs_link, "absolute", &e) == 0, "abs: %s", e.msg);
    ck_assert_uint_eq(lstat_type(abs_link), S_IFLNK);
    expect_contents(target, "absolute");
    scratch_remove(&s);
}
END_TEST

/* A dangling link creates its target, in an existing directory; with the
 * directory missing, nothing is created and the message names both. A loop
 * of links is refused. */
START_TEST(test_atomic_dangling_and_looping_links)
{
    Scratch s;
    char link[512], target[512], nowhere[512], loop_a[512], loop_b[512];
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "made-by-link.dat", target, sizeof target);
    ck_assert_int_eq(symlink("made-by-link.dat", scratch_path(&s, "dangling", link, sizeof link)), 0);
    ck_assert_msg(atomic_check(link, &e) == 0, "atomic_check: %s", e.msg);
    ck_assert_msg(write_text(link, "created", &e) == 0, "dangling: %s", e.msg);
    ck_assert_uint_eq(lstat_type(link), S_IFLNK);
    expect_contents(target, "created");

    ck_assert_int_eq(symlink("no/such/dir/y.npy", scratch_path(&s, "nowhere", nowhere, sizeof nowhere)), 0);
    expect_refused("a link into a missing directory", nowhere,
                   "/no/such/dir/y.npy): its directory ");

    ck_assert_int_eq(symlink("loop-b", scratch_path(&s, "loop-a", loop_a, sizeof loop_a)), 0);
    ck_assert_int_eq(symlink("loop-a", scratch_path(&s, "loop-b", loop_b, sizeof loop_b)), 0);
    expect_refused("a loop of links", loop_a, "Too many levels of symbolic links");
    expect_entries(&s, 5, "after following links");
    scratch_remove(&s);
}
END_TEST

/* A link may lead to a path too long: too long for the temporary file
 * beside it (an absolute link), or too long once its directory is put in
 * front (a relative one). */
START_TEST(test_atomic_links_to_overlong_paths)
{
    static const struct {
        const char *name, *want;
        char first; /* of the link's text: '/' absolute, 'r' relative */
    } cases[] = {{"abs", "use a shorter one", '/'},
                 {"rel", "the file its links lead to has a path longer than 4095", 'r'}};
    Scratch s;
    char link[512], text[4090];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    for (int k = 0; k < 2; k++) {
        /* 4089 bytes in names of 99 (a name may have 255) */
        memset(text, 'f', sizeof text - 1);
        for (size_t i = 0; i < sizeof text - 1; i += 100)
            text[i] = '/';
        text[0] = cases[k].first;
        text[sizeof text - 1] = '\0';
        ck_assert_int_eq(symlink(text, scratch_path(&s, cases[k].name, link, sizeof link)), 0);
        ck_assert_int_eq(atomic_open(&af, link, &e), -1);
        expect_one_sentence(cases[k].name, e.msg);
        expect_in_msg(cases[k].name, e.msg, cases[k].want);
    }
    expect_entries(&s, 2, "after refusing");
    scratch_remove(&s);
}
END_TEST

/* A relative path is written in the current directory; "/x" has "/" as
 * its directory. */
START_TEST(test_atomic_relative_and_root_paths)
{
    Scratch s;
    char path[512];
    CnnError e;
    int rc;

    scratch_make(&s);
    ck_assert_int_eq(chdir(s.dir), 0);
    ck_assert_msg(write_text("rel.dat", "relative", &e) == 0, "rel.dat: %s", e.msg);
    ck_assert_int_eq(symlink("rel.dat", "rel-link"), 0);
    ck_assert_msg(write_text("rel-link", "via a relative link", &e) == 0, "%s", e.msg);
    expect_contents(scratch_path(&s, "rel.dat", path, sizeof path), "via a relative link");
    expect_entries(&s, 2, "after writing relative paths");
    rc = atomic_check("/no-such-cnn-test-file", &e);
    ck_assert_msg(rc == 0 || strstr(e.msg, "cannot create a file in / ("),
                  "atomic_check of a file in /: %s", e.msg);
    scratch_remove(&s);
}
END_TEST

/* A link whose directory part is a file. */
START_TEST(test_atomic_links_into_nowhere)
{
    Scratch s;
    char file[512], link[512];

    scratch_make(&s);
    write_bytes(scratch_path(&s, "afile", file, sizeof file), "f", 1);
    ck_assert_int_eq(symlink("afile/y.npy", scratch_path(&s, "into-file", link, sizeof link)), 0);
    expect_refused("a link below a file", link, "is a file, not a directory");

    expect_entries(&s, 2, "after refusing");
    scratch_remove(&s);
}
END_TEST

/* A pipe whose reader has gone: the commit says so. */
START_TEST(test_atomic_pipe_without_a_reader)
{
    char link[64];
    int p[2];
    CnnError e;

    signal(SIGPIPE, SIG_IGN); /* get EPIPE instead of being killed */
    ck_assert_int_eq(pipe(p), 0);
    close(p[0]);
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[1]);
    ck_assert_int_eq(write_text(link, "nobody reads this", &e), -1);
    expect_one_sentence("a pipe without a reader", e.msg);
    expect_in_msg("a pipe without a reader", e.msg, "the reading end of the pipe was closed");
    close(p[1]);
}
END_TEST

/* Without root's rights (the test drops them when it has them): a FIFO one
 * may not write, and a directory one may not create files in. */
START_TEST(test_atomic_permission_denied)
{
    Scratch s;
    char fifo[512], dir[512], path[512];

    scratch_make(&s);
    ck_assert_int_eq(chmod(s.dir, 0755), 0);
    ck_assert_int_eq(mkfifo(scratch_path(&s, "fifo", fifo, sizeof fifo), 0600), 0);
    ck_assert_int_eq(mkdir(scratch_path(&s, "ro", dir, sizeof dir), 0555), 0);
    scratch_path(&s, "ro/new.dat", path, sizeof path);
    if (geteuid() == 0) /* nobody, real and effective, until the end */
        ck_assert_msg(setresuid(65534, 65534, 0) == 0, "cannot become nobody: %s",
                      strerror(errno));
    expect_refused("a FIFO one may not write", fifo, "Permission denied");
    expect_refused("a directory one may not write in", path, "Permission denied");
    if (getuid() == 65534)
        ck_assert_int_eq(setresuid(0, 0, 0), 0);
    scratch_remove(&s);
}
END_TEST

/* Several files commit together: when one of them fails, none replaces its
 * target and no temporary file is left. */
START_TEST(test_atomic_commit_all_is_all_or_nothing)
{
    static const char test[] = "atomic_commit_all is all or nothing";
    Scratch s;
    char a[512], b[512], full[512];
    AtomicFile af[3];
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "a.dat", a, sizeof a);
    scratch_path(&s, "b.dat", b, sizeof b);
    write_bytes(a, "old a", 5);
    ck_assert_int_eq(atomic_open(&af[0], a, &e), 0);
    ck_assert_int_eq(atomic_open(&af[1], b, &e), 0);
    fputs("new a", af[0].fp);
    fputs("new b", af[1].fp);
    ck_assert_msg(atomic_commit_all(af, 2, &e) == 0, "commit_all: %s", e.msg);
    expect_contents(a, "new a");
    expect_contents(b, "new b");
    expect_entries(&s, 2, "after committing two files");

    scratch_path(&s, "full", full, sizeof full);
    if (make_node(test, full, S_IFCHR, 1, 7) == 0) {
        ck_assert_int_eq(atomic_open(&af[0], a, &e), 0);
        ck_assert_int_eq(atomic_open(&af[1], full, &e), 0);
        ck_assert_int_eq(atomic_open(&af[2], b, &e), 0);
        for (int k = 0; k < 3; k++)
            fputs("newer", af[k].fp);
        ck_assert_int_eq(atomic_commit_all(af, 3, &e), -1);
        expect_in_msg(test, e.msg, "no space left on device");
        expect_contents(a, "new a");
        expect_contents(b, "new b");
        expect_entries(&s, 3, "after a failed commit of three files");
    }
    scratch_remove(&s);
}
END_TEST

START_TEST(test_dat_write_matrix_for_gnuplot)
{
    Scratch s;
    char path[512];
    const float m[6] = {1.0f, -0.5f, 1e-7f, 3.0f, 1234567.0f, 0.0f};
    CnnError e;

    scratch_make(&s);
    ck_assert_msg(dat_write_matrix(s.dir, "m.dat", "a test", m, 2, 3, &e) == 0,
                  "dat_write_matrix: %s", e.msg);
    expect_contents(scratch_path(&s, "m.dat", path, sizeof path),
                    "# a test: 2 rows x 3 columns, row 0 first\n"
                    "1 -0.5 1e-07\n3 1.23457e+06 0\n");
    ck_assert_int_eq(dat_write_matrix(s.dir, "no/m.dat", "x", m, 2, 3, &e), -1);
    expect_in_msg("dat_write_matrix into a missing directory", e.msg, "does not exist");
    scratch_remove(&s);
}
END_TEST

static Suite *atomic_suite(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("atomic");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_atomic_commit_makes_the_file);
    tcase_add_test(tc, test_atomic_abort_leaves_nothing);
    tcase_add_test(tc, test_atomic_open_in_joins_dir_and_name);
    tcase_add_test(tc, test_atomic_refuses_directory_socket_block_device);
    tcase_add_test(tc, test_atomic_missing_directory);
    tcase_add_test(tc, test_atomic_failed_rename_leaves_no_temp);
    tcase_add_test(tc, test_atomic_write_error_caught_at_commit);
    tcase_add_test(tc, test_atomic_full_disk_keeps_the_old_file);
    tcase_add_test(tc, test_atomic_character_device_written_in_place);
    tcase_add_test(tc, test_atomic_fifo_written_in_place);
    tcase_add_test(tc, test_atomic_proc_fd_links_written_in_place);
    tcase_add_test(tc, test_atomic_symlinks_followed_to_the_target);
    tcase_add_test(tc, test_atomic_dangling_and_looping_links);
    tcase_add_test(tc, test_atomic_links_to_overlong_paths);
    tcase_add_test(tc, test_atomic_commit_all_is_all_or_nothing);
    tcase_add_test(tc, test_atomic_relative_and_root_paths);
    tcase_add_test(tc, test_atomic_links_into_nowhere);
    tcase_add_test(tc, test_atomic_pipe_without_a_reader);
    tcase_add_test(tc, test_atomic_permission_denied);
    tcase_add_test(tc, test_dat_write_matrix_for_gnuplot);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- progress ----------------------------------------------------------- */

static void run_progress(const char *label, size_t total)
{
    Progress p;
    progress_start(&p, label, total);
    for (size_t i = 1; i <= 3; i++)
        progress_update(&p, i);
    progress_finish(&p);
}

START_TEST(test_progress_silent_when_not_a_terminal)
{
    Scratch s;
    char path[512];
    unsigned char buf[256];
    int fd;

    scratch_make(&s);
    scratch_path(&s, "stderr.txt", path, sizeof path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, 2), 0);
    close(fd);
    run_progress("epoch 1", 10);
    run_progress("unknown length", 0);
    ck_assert_msg(read_bytes(path, buf, sizeof buf) == 0,
                  "the progress bar wrote to stderr although it is a file");
    scratch_remove(&s);
}
END_TEST

/* Collects what the pseudo-terminal's other end shows, until a newline
 * arrives or a second passes. */
static void read_terminal(int master, char *text, size_t len)
{
    size_t used = 0;
    struct pollfd pfd = {master, POLLIN, 0};
    text[0] = '\0';
    while (used + 1 < len && poll(&pfd, 1, 1000) > 0) {
        ssize_t n = read(master, text + used, len - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        text[used] = '\0';
        if (strchr(text, '\n'))
            break;
    }
}

/* Makes stderr a pseudo-terminal; *master reads what it shows. */
static void stderr_to_terminal(int *master, int *slave)
{
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_msg(*master >= 0, "posix_openpt failed: %s", strerror(errno));
    ck_assert_int_eq(grantpt(*master), 0);
    ck_assert_int_eq(unlockpt(*master), 0);
    *slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
    ck_assert_msg(*slave >= 0, "cannot open the terminal: %s", strerror(errno));
    ck_assert_int_ge(dup2(*slave, 2), 0);
}

START_TEST(test_progress_draws_on_a_terminal)
{
    int master, slave;
    char text[1024];

    stderr_to_terminal(&master, &slave);
    run_progress("epoch 1", 10);
    read_terminal(master, text, sizeof text);
    expect_in_msg("the progress bar", text, "epoch 1 [");
    expect_in_msg("the progress bar", text, "3/10");
    expect_in_msg("the progress bar", text, " 30%");
    expect_in_msg("the progress bar", text, "/s");
    expect_in_msg("the progress bar", text, "ETA");
    expect_in_msg("the progress bar", text, "\n");
    close(slave);
    close(master);
}
END_TEST

/* Without a total: a count and a rate. A redraw comes at most every 0.1 s,
 * so an update after a pause draws, one right after it does not. */
START_TEST(test_progress_unknown_total_and_redraw_pace)
{
    int master, slave, draws = 0;
    char text[1024];
    Progress p;

    stderr_to_terminal(&master, &slave);
    progress_start(&p, "reading", 0);   /* draws */
    progress_update(&p, 1);             /* too soon: no draw */
    usleep(150000);
    progress_update(&p, 7);             /* draws */
    progress_update(&p, 8);             /* too soon */
    progress_finish(&p);                /* draws, ends the line */
    read_terminal(master, text, sizeof text);
    for (const char *q = text; (q = strstr(q, "\033[K")) != NULL; q++)
        draws++; /* each draw ends by clearing the rest of the line */
    expect_in_msg("a progress line without a total", text, "reading  7  ");
    expect_in_msg("a progress line without a total", text, "reading  8  ");
    ck_assert_msg(strstr(text, "reading  1  ") == NULL && draws == 3,
                  "expected 3 draws (start, after the pause, finish), got %d: %s",
                  draws, text);
    close(slave);
    close(master);
}
END_TEST

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_progress_silent_when_not_a_terminal);
    tcase_add_test(tc, test_progress_draws_on_a_terminal);
    tcase_add_test(tc, test_progress_unknown_total_and_redraw_pace);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- main --------------------------------------------------------------- */

int main(void)
{
    SRunner *sr;
    int failed, ran;

    if (access(FIXTURES "make_fixtures.py", R_OK) != 0) {
        fprintf(stderr, "test_common: cannot find " FIXTURES "; run it from "
                "the repository root\n");
        return 1;
    }
    sr = srunner_create(util_suite());
    srunner_add_suite(sr, tensor_suite());
    srunner_add_suite(sr, npy_suite());
    srunner_add_suite(sr, rng_suite());
    srunner_add_suite(sr, idx_suite());
    srunner_add_suite(sr, atomic_suite());
    srunner_add_suite(sr, progress_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    ran = srunner_ntests_run(sr);
    srunner_free(sr);
    if (ran == 0) {
        /* Check runs nothing for an unknown CK_RUN_SUITE and calls it a pass. */
        fprintf(stderr, "test_common: no test ran; check CK_RUN_SUITE and "
                "CK_RUN_CASE (suites: util tensor npy rng idx atomic progress)\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}

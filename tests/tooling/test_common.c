/* test_common.c: tests of the common/ runtime (tensors, .npy and IDX files,
 * the random number generator, atomic files, the progress bar, errors).
 *
 * A plain Check program, run from the repository root (the fixtures are
 * read from tests/tooling/fixtures/, made by make_fixtures.py there). Every
 * test runs in its own process, so the tests may change the umask, limits
 * or stderr freely. Scratch files go into a fresh directory under $TMPDIR
 * (or /tmp) that each test removes again.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt and friends, for the progress test */

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "atomic_file.h"
#include "idx.h"
#include "npy.h"
#include "progress.h"
#include "rng.h"
#include "tensor.h"
#include "util.h"

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

/* Removes the scratch directory and what the tests put in it (files and
 * empty directories, one level deep). */
static void scratch_remove(Scratch *s)
{
    DIR *d = opendir(s->dir);
    struct dirent *ent;
    char path[512];
    if (!d)
        return;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        scratch_path(s, ent->d_name, path, sizeof path);
        if (remove(path) != 0)
            rmdir(path);
    }
    closedir(d);
    rmdir(s->dir);
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

START_TEST(test_xcalloc_overflow_dies_naming_bytes)
{
    char text[512], want[64];
    int code = run_capturing_stderr(calloc_overflow, text, sizeof text);
    ck_assert_int_eq(code, 1);
    snprintf(want, sizeof want, "%zu", SIZE_MAX / 2);
    expect_in_msg("xcalloc(SIZE_MAX / 2, 3)", text, want);
    expect_in_msg("xcalloc(SIZE_MAX / 2, 3)", text, "out of memory");
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

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("util");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_fail_formats_and_returns_minus_one);
    tcase_add_test(tc, test_die_prints_program_and_message);
    tcase_add_test(tc, test_xcalloc_overflow_dies_naming_bytes);
    tcase_add_test(tc, test_zero_byte_allocations_are_usable);
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

static Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_shape_str_like_numpy);
    tcase_add_test(tc, test_shape_str_truncates_safely);
    tcase_add_test(tc, test_zeros_numel_free);
    tcase_add_test(tc, test_zeros_overflow_dies_with_shape);
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
                  "No such file or directory");
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
    expect_in_msg("npy_write over a directory", e.msg, "Is a directory");
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "a failed npy_write left files behind: %s", names);
    tensor_free(&t);
    scratch_remove(&s);
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
    suite_add_tcase(s, tc);
    return s;
}

/* ---- atomic ------------------------------------------------------------- */

START_TEST(test_atomic_commit_makes_the_file)
{
    Scratch s;
    char path[512], names[512];
    unsigned char buf[64];
    struct stat st;
    AtomicFile af;
    CnnError e;

    umask(022);
    scratch_make(&s);
    scratch_path(&s, "out.dat", path, sizeof path);
    write_bytes(path, "old contents\n", 13);
    ck_assert_msg(atomic_open(&af, path, &e) == 0, "atomic_open: %s", e.msg);
    fprintf(af.fp, "new %d\n", 42);
    /* until the commit, the old file is what a reader sees */
    ck_assert_int_eq(read_bytes(path, buf, sizeof buf), 13);
    ck_assert_msg(atomic_commit(&af, &e) == 0, "atomic_commit: %s", e.msg);
    ck_assert_int_eq(read_bytes(path, buf, sizeof buf), 7);
    ck_assert_int_eq(memcmp(buf, "new 42\n", 7), 0);
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "files beside the target after a commit: %s", names);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0644,
                  "the committed file has mode %03o, expected 0644 under umask 022",
                  (unsigned)(st.st_mode & 0777));
    umask(027);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    ck_assert_int_eq(atomic_commit(&af, &e), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0640,
                  "the committed file has mode %03o, expected 0640 under umask 027",
                  (unsigned)(st.st_mode & 0777));
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_abort_leaves_nothing)
{
    Scratch s;
    char path[512], names[512];
    unsigned char buf[64];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "new.dat", path, sizeof path);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("half", af.fp);
    atomic_abort(&af);
    atomic_abort(&af); /* twice is harmless */
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 0,
                  "files left after an abort: %s", names);

    write_bytes(path, "keep", 4);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("replaced", af.fp);
    atomic_abort(&af);
    ck_assert_int_eq(read_bytes(path, buf, sizeof buf), 4);
    ck_assert_int_eq(memcmp(buf, "keep", 4), 0);
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 1);
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_failed_commit_leaves_no_temp)
{
    Scratch s;
    char path[512], names[512];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "target", path, sizeof path);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    fputs("data", af.fp);
    ck_assert_int_eq(atomic_commit(&af, &e), -1);
    expect_one_sentence("atomic_commit over a directory", e.msg);
    expect_in_msg("atomic_commit over a directory", e.msg, path);
    expect_in_msg("atomic_commit over a directory", e.msg, "Is a directory");
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "files left after a failed commit: %s", names);
    atomic_abort(&af); /* harmless after a failed commit */
    scratch_remove(&s);
}
END_TEST

/* A write that fails (here the file size limit, as on a full disk) is
 * caught at commit, and the target is left as it was. */
START_TEST(test_atomic_write_error_caught_at_commit)
{
    Scratch s;
    char path[512], names[512];
    static char block[1 << 16];
    unsigned char buf[16];
    struct rlimit lim = {4096, 4096};
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "big.dat", path, sizeof path);
    write_bytes(path, "old", 3);
    signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    ck_assert_int_eq(atomic_open(&af, path, &e), 0);
    memset(block, 'x', sizeof block);
    fwrite(block, 1, sizeof block, af.fp);
    ck_assert_int_eq(atomic_commit(&af, &e), -1);
    expect_one_sentence("atomic_commit after a failed write", e.msg);
    expect_in_msg("atomic_commit after a failed write", e.msg, path);
    ck_assert_msg(scratch_count(&s, names, sizeof names) == 1,
                  "files left after a failed write: %s", names);
    ck_assert_int_eq(read_bytes(path, buf, sizeof buf), 3);
    scratch_remove(&s);
}
END_TEST

START_TEST(test_atomic_open_in_missing_directory)
{
    Scratch s;
    char path[512];
    AtomicFile af;
    CnnError e;

    scratch_make(&s);
    scratch_path(&s, "missing/out.dat", path, sizeof path);
    ck_assert_int_eq(atomic_open(&af, path, &e), -1);
    ck_assert_ptr_null(af.fp);
    expect_one_sentence("atomic_open in a missing directory", e.msg);
    expect_in_msg("atomic_open in a missing directory", e.msg, path);
    expect_in_msg("atomic_open in a missing directory", e.msg,
                  "No such file or directory");
    atomic_abort(&af); /* harmless after a failed open */
    ck_assert_int_eq(scratch_count(&s, NULL, 0), 0);
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
    tcase_add_test(tc, test_atomic_failed_commit_leaves_no_temp);
    tcase_add_test(tc, test_atomic_write_error_caught_at_commit);
    tcase_add_test(tc, test_atomic_open_in_missing_directory);
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

START_TEST(test_progress_draws_on_a_terminal)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
    char text[1024];

    ck_assert_msg(master >= 0, "posix_openpt failed: %s", strerror(errno));
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    ck_assert_msg(slave >= 0, "cannot open the terminal: %s", strerror(errno));
    ck_assert_int_ge(dup2(slave, 2), 0);
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

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, test_progress_silent_when_not_a_terminal);
    tcase_add_test(tc, test_progress_draws_on_a_terminal);
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

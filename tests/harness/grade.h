/* grade.h: graded tests on top of Check.
 *
 * A graded test is an ordinary Check test (START_TEST ... END_TEST) that
 * carries points and a title. Tests are grouped into graded suites; each
 * suite registers itself, so a chapter's test binary is simply every test
 * file of the chapter linked with the runner (tests/harness/runner.c):
 *
 *   START_TEST(test_conv1d_small) {
 *       ...
 *       grade_expect_close(&cmp, got, want);
 *   }
 *   END_TEST
 *
 *   GRADED_SUITE(conv1d_suite, "conv1d",
 *       GRADED(test_conv1d_small, 2, "conv1d: two short signals"),
 *       GRADED(test_conv1d_long,  3, "conv1d: a long signal and kernel"));
 *
 * Visibility is decided by where the file lives: the files in tests/NN-topic/ are
 * visible, those in tests/NN-topic/hidden/ are hidden (the build compiles those with
 * -DGRADE_HIDDEN) and are left out of a student handout.
 *
 * Every test runs in its own forked process with a timeout, so a crash, an
 * abort or an endless loop costs that test's points and nothing else.
 *
 * Failure messages must let a student act: which function, which parameters
 * and shape, the first index that differs, expected versus got, and a hint
 * where the failure matches a typical mistake. grade_expect_close() writes
 * such a message; its hints come from "alternatives": outputs the test
 * computes for a known mistake (kernel flipped, bias forgotten, ...). If the
 * student's output matches an alternative, that alternative's hint is shown.
 */
#ifndef GRADE_H
#define GRADE_H

#include <check.h>
#include <stddef.h>

/* ---- registration --------------------------------------------------- */

typedef struct {
    const TTest *const *test; /* &NAME of START_TEST(NAME) */
    const char *title;  /* what the table shows, e.g. "conv2d: stride 2" */
    double points;
} GradedTest;

typedef struct GradedSuite {
    const char *name;          /* e.g. "conv2d_forward" */
    const GradedTest *tests;
    int n_tests;
    int hidden;                /* 1 when compiled from a hidden/ folder */
    struct GradedSuite *next;  /* registration list */
} GradedSuite;

void grade_register(GradedSuite *suite);

/* GRADED(test, points, title): one row of a GRADED_SUITE. START_TEST(NAME)
 * defines `static const TTest *NAME`; the row keeps its address. */
#define GRADED(test_name, pts, title_str) \
    { &test_name, (title_str), (double)(pts) }

#ifdef GRADE_HIDDEN
#define GRADE_IS_HIDDEN 1
#else
#define GRADE_IS_HIDDEN 0
#endif

/* GRADED_SUITE(var, "name", GRADED(...), ...);  defines and registers a
 * suite. The constructor attribute (GCC and Clang) runs the registration
 * before main, so no list of suites has to be kept by hand. */
#define GRADED_SUITE(var, suite_name, ...)                                   \
    static const GradedTest var##_tests[] = {__VA_ARGS__};                   \
    static GradedSuite var;                                                  \
    __attribute__((constructor)) static void var##_register(void)            \
    {                                                                        \
        grade_register(&var);                                                \
    }                                                                        \
    static GradedSuite var = {(suite_name), var##_tests,                     \
                              (int)(sizeof var##_tests / sizeof var##_tests[0]), \
                              GRADE_IS_HIDDEN, NULL}

/* ---- comparing arrays ----------------------------------------------- */

/* An output a typical mistake would produce, and the hint to show when the
 * student's output matches it (within the same tolerance). */
typedef struct {
    const double *values;  /* same length as the expected output */
    const char *hint;      /* e.g. "your output is the true convolution: ..." */
} GradeAlt;

#define GRADE_MAX_ALTS 8

typedef struct {
    const char *func;    /* function under test, e.g. "conv2d_forward" */
    const char *params;  /* its parameters, e.g. "N=2 C=3 H=7 W=5 ..." */
    const char *output;  /* name of the output array, e.g. "y" */
    int ndim;            /* shape of the output, for printing indices */
    size_t shape[8];
    /* Element i passes when
     *   |got[i] - want[i]| <= rtol * max(|want[i]|, floor_frac * max_j |want[j]|)
     * i.e. a relative error against the double reference, with a floor so
     * that elements that are nearly zero by cancellation are judged against
     * the scale of the whole output. floor_frac 0 means the default 1e-3. */
    double rtol;
    double floor_frac;
    GradeAlt alts[GRADE_MAX_ALTS];
    int n_alts;
} GradeCompare;

/* Number of elements of cmp's shape. */
size_t grade_numel(const GradeCompare *cmp);

/* Adds an alternative (a mistake's output) to cmp. */
void grade_add_alt(GradeCompare *cmp, const double *values, const char *hint);

/* Fails the current test (ck_abort_msg) with a full message unless every
 * element of got matches want. Detects on its own: outputs never written
 * (still NaN from grade_fill_nan), NaN/Inf, an all-zero output, and the
 * alternatives' mistakes. */
void grade_expect_close(const GradeCompare *cmp, const float *got,
                        const double *want);

/* The same check, returning 0 on a match or -1 and writing the message into
 * msg (for tests that try several cases and report the first failure). */
int grade_compare(const GradeCompare *cmp, const float *got,
                  const double *want, char *msg, size_t msg_len);

/* Fills a buffer with NaN before the call under test, so that an element the
 * student never writes is caught and named. */
void grade_fill_nan(float *x, size_t n);

/* Scalars: integers must match exactly; doubles to rtol. `what` names the
 * call, e.g. "conv_out_size(in=7, k=3, stride=2, pad=1, dil=1)". A hint may
 * be NULL. */
void grade_expect_int(const char *what, long long got, long long want,
                      const char *hint);
void grade_expect_double(const char *what, double got, double want,
                         double rtol, const char *hint);

/* ---- one result, several mistakes ------------------------------------ */

/* The hint for the mistakes a wrong result matches. Usually one mistake
 * matches; when several give this very result (with padding 1, ignoring the
 * padding and shifting it by one read the same rows), the result cannot
 * tell them apart, so the hint names each of them: whichever mistake was
 * made, its own hint is there. A test zero-initialises a GradeHintPick,
 * calls grade_hint_pick for every mistake whose output equals the
 * student's, then shows grade_hint_picked:
 *
 *   GradeHintPick p = {0};
 *   for (int m = 0; m < n_mistakes; m++)
 *       if (mistake_output(m) == got)
 *           grade_hint_pick(&p, mistake_hint(m));
 *   const char *hint = grade_hint_picked(&p);   // NULL: no hint to show
 *   if (!p.hint && got == 0)
 *       hint = "... still the skeleton's TODO?";  // a fallback of the test's own
 */
#define GRADE_PICK_MAX 3

typedef struct {
    const char *hint;               /* the first hint picked, NULL if none */
    const char *all[GRADE_PICK_MAX];
    int n;                          /* distinct hints; GRADE_PICK_MAX + 1: too many */
} GradeHintPick;

/* Records hint (NULL is ignored, a hint already picked counts once). */
void grade_hint_pick(GradeHintPick *p, const char *hint);

/* The hint to show: the one hint picked; "two|three mistakes give exactly
 * this result here: (1) ... (2) ..." when 2 to GRADE_PICK_MAX were; NULL
 * when none were, or more than GRADE_PICK_MAX (too many to be worth a
 * hint). A combined text lives in a static buffer that the next call
 * overwrites: use it before picking again. */
const char *grade_hint_picked(const GradeHintPick *p);

/* Formats a multi-index "[0, 1, 2, 0]" of flat index i in shape. */
void grade_format_index(char *buf, size_t len, const size_t *shape, int ndim,
                        size_t i);

/* Formats a float/double with enough digits to tell float32 values apart. */
#define GRADE_FMT "%.9g"

#endif

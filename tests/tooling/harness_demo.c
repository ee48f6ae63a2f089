/* harness_demo.c: graded tests with known outcomes, for test_harness.sh.
 * Each test exercises one behaviour of the graded-test layer (grade.h and
 * runner.c); none of them tests course code. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "grade.h"

START_TEST(demo_pass)
{
    fprintf(stderr, "demo_pass says hello on stderr\n");
    grade_expect_int("demo_pass(1)", 1, 1, NULL);
}
END_TEST

/* The output is the "flipped" alternative: its hint must be shown. */
START_TEST(demo_alt)
{
    GradeCompare c = {.func = "demo_conv", .params = "N=1 C=1", .output = "y",
                      .ndim = 2, .shape = {2, 3}, .rtol = 1e-5};
    double want[6] = {1, 2, 3, 4, 5, 6}, flipped[6] = {6, 5, 4, 3, 2, 1};
    float got[6] = {6, 5, 4, 3, 2, 1};
    grade_add_alt(&c, flipped, "DEMO-ALT-HINT kernel flipped");
    grade_expect_close(&c, got, want);
}
END_TEST

/* A near miss: must report the relative error with enough digits. */
START_TEST(demo_close)
{
    GradeCompare c = {.func = "demo_close", .params = "k=3", .output = "out",
                      .ndim = 1, .shape = {4}, .rtol = 1e-6};
    double want[4] = {1, 2, 3, 4};
    float got[4] = {1, 2, 3.0001f, 4};
    grade_expect_close(&c, got, want);
}
END_TEST

START_TEST(demo_unwritten)
{
    GradeCompare c = {.func = "demo_nan", .params = "", .output = "y",
                      .ndim = 1, .shape = {4}, .rtol = 1e-5};
    double want[4] = {1, 2, 3, 4};
    float got[4];
    grade_fill_nan(got, 4);
    grade_expect_close(&c, got, want);
}
END_TEST

START_TEST(demo_overflow)
{
    volatile int n = 4;
    volatile float *p = malloc((size_t)n * sizeof *p);
    p[n] = 1.0f; /* one past the end: AddressSanitizer must name this line */
    free((void *)p);
}
END_TEST

START_TEST(demo_endless)
{
    for (;;)
        sleep(1);
}
END_TEST

GRADED_SUITE(demo_suite, "demo",
             GRADED(demo_pass, 2, "demo: passes"),
             GRADED(demo_alt, 3, "demo: matches a known mistake"),
             GRADED(demo_close, 1, "demo: near miss"),
             GRADED(demo_unwritten, 1, "demo: output never written"),
             GRADED(demo_overflow, 1, "demo: writes past the end"));

GRADED_SUITE(demo_slow, "demo slow",
             GRADED(demo_endless, 1, "demo: never ends"));

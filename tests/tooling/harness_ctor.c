/* harness_ctor.c: two honest graded tests. Linked alone they are the
 * trusted list of the tests; linked with harness_ctor_evil.c, code that runs
 * before main stops the runner from ever starting them. */
#include "grade.h"

START_TEST(ctor_a)
{
    grade_expect_int("a", 1, 1, NULL);
}
END_TEST

START_TEST(ctor_b)
{
    grade_expect_int("b", 2, 2, NULL);
}
END_TEST

GRADED_SUITE(ctor_suite, "ctor",
    GRADED(ctor_a, 1, "ctor: a"),
    GRADED(ctor_b, 1, "ctor: b"));

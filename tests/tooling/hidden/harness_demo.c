/* hidden/harness_demo.c: a hidden graded test for test_harness.sh (compiled
 * with -DGRADE_HIDDEN, as the build does for tests/NN-topic/hidden/). */
#include "grade.h"

START_TEST(demo_hidden_pass)
{
    grade_expect_double("demo_hidden(0.5)", 0.25, 0.25, 1e-12, NULL);
}
END_TEST

GRADED_SUITE(demo_hidden, "demo hidden",
             GRADED(demo_hidden_pass, 4, "demo: a hidden test"));

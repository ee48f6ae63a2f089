/* test4_gap.c: global_avgpool2d_forward, eq. (2.7). */
#include <stdlib.h>

#include "grade.h"
#include "oracle_02.h"

/* clause: gap_eq */
/* clause: gap_shape */
START_TEST(test_gap_basic)
{
    float *x = random_floats(3 * 5 * 7, 401, -1.0f, 1.0f);
    check_gap(1, 3, 5, 7, x, "one image, three channels");
    free(x);
}
END_TEST

START_TEST(test_gap_batch)
{
    float *x = random_floats(3 * 4 * 6 * 4, 411, -1.0f, 1.0f);
    check_gap(3, 4, 6, 4, x, "batch of 3, h > w");
    check_gap(2, 2, 3, 8, x, "batch of 2, h < w");
    free(x);
}
END_TEST

/* 2^20 pixels per plane: a float sum of 0.1 a million times drifts by
 * about 1%, far beyond the tolerance; the double sum does not. */
/* clause: gap_double */
START_TEST(test_gap_large_plane)
{
    const int h = 1024, w = 1024;
    size_t hw = (size_t)h * w;
    float *x = random_floats(2 * hw, 421, 0.5f, 1.0f);
    for (size_t i = 0; i < hw; i++)
        x[i] = 0.1f;
    check_gap(1, 2, h, w, x, "two 1024 x 1024 planes, constant 0.1 and random");
    free(x);
}
END_TEST

GRADED_SUITE(gap_suite, "global_avgpool2d_forward",
    GRADED(test_gap_basic, 4, "global_avgpool2d_forward: 1 x 3 x 5 x 7"),
    GRADED(test_gap_batch, 3, "global_avgpool2d_forward: batches, h != w both ways"),
    GRADED(test_gap_large_plane, 3, "global_avgpool2d_forward: a million pixels per plane"));

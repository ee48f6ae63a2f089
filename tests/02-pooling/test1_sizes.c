/* test1_sizes.c: pool_out_size, eqs. (2.4)-(2.6), and the given
 * pool2d_out_numel built on it. */
#include "grade.h"
#include "oracle_02.h"

/* clause: out_floor */
/* clause: out_negative */
START_TEST(test_out_size_floor)
{
    static const SizeCase cases[] = {
        /* in, k, stride, pad, ceil_mode */
        {28, 2, 2, 0, 0},   /* LeNet-5 S2: 14 */
        {55, 3, 2, 0, 0},   /* AlexNet pool1: 27 */
        {224, 2, 2, 0, 0},  /* VGG: 112 */
        {112, 3, 2, 1, 0},  /* ResNet stem: 56 */
        {7, 2, 2, 0, 0},    /* odd input, last row dropped: 3 */
        {5, 3, 1, 1, 0},    /* stride 1, "same": 5 */
        {10, 2, 3, 0, 0},   /* stride > kernel: 3 */
        {6, 1, 2, 0, 0},    /* 1x1 kernel subsamples: 3 */
        {4, 5, 2, 2, 0},    /* pad = k/2: 2 */
        {3, 3, 3, 1, 0},    /* 1 */
        {2, 3, 2, 0, 0},    /* does not fit: <= 0 (C's / would give 1) */
        {1, 4, 1, 0, 0},    /* does not fit: <= 0 */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* clause: out_ceil */
/* clause: out_last_window */
/* clause: out_ceil_nonzero */
START_TEST(test_out_size_ceil)
{
    static const SizeCase cases[] = {
        {7, 2, 2, 0, 1},    /* a last partial window: 4 (floor: 3) */
        {55, 3, 2, 0, 1},   /* stride divides: 27, as in floor mode */
        {6, 3, 2, 1, 1},    /* last window runs past the padding: 4 */
        {10, 3, 3, 0, 1},   /* 4 (floor: 3) */
        {4, 2, 3, 1, 1},    /* eq. (2.6) drops a window starting at 5: 2 */
        {3, 2, 2, 1, 1},    /* eq. (2.6): 2 */
        {5, 4, 4, 2, 1},    /* eq. (2.6): 2 */
        {2, 3, 2, 0, 1},    /* clipped window over the whole input: 1 */
        {1, 4, 3, 0, 1},    /* does not fit: <= 0 (C's / would give 1) */
        {12, 3, 3, 1, -1},  /* any non-zero ceil_mode: 5 (floor: 4) */
        {8, 3, 2, 0, 2},    /* any non-zero ceil_mode: 4 (floor: 3) */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* clause: numel_size_t */
START_TEST(test_out_numel_large)
{
    /* 40000 * 40000 * 4 * 3 = 1.92e10 elements: past 2^31 (and 2^32). */
    Pool2dGeom g = pool_geom(40000, 40000, 8, 6, 2, 2);
    check_pool_shape(&g, "pool2d_out_numel");
    grade_expect_int("pool2d_out_numel(N=40000 C=40000 H=8 W=6, kernel 2, "
                     "stride 2), computed from your pool_out_size",
                     (long long)pool2d_out_numel(&g), 19200000000LL, NULL);
}
END_TEST

GRADED_SUITE(sizes_suite, "pool_out_size",
    GRADED(test_out_size_floor, 4, "pool_out_size: floor mode, LeNet/AlexNet/VGG/ResNet, no fit"),
    GRADED(test_out_size_ceil, 5, "pool_out_size: ceil mode and the last-window rule"),
    GRADED(test_out_numel_large, 1, "pool2d_out_numel: more than 2^31 elements"));

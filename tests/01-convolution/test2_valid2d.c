/* test2_valid2d.c: correlate2d_valid and convolve2d_valid, eqs. (1.3), (1.4).
 * Every check also verifies that the inputs are only read and that nothing
 * is allocated (a flipped copy of the kernel is the classic). */
#include <stdlib.h>

#include "grade.h"
#include "oracle_01.h"

/* The lesson's worked example: a 4x4 image and an asymmetric 2x2 kernel.
 * Cross-correlation gives [[4,-1,1],[2,6,5],[1,2,-1]], true convolution
 * [[0,3,7],[4,0,-1],[1,2,1]]. */
static const float hand_img[16] = {1, 2, 0, 1,
                                   0, 1, 3, 1,
                                   2, 0, 1, 0,
                                   1, 1, 0, 2};
static const float hand_k[4] = {1, 2,
                                0, -1};

/* 1x1 kernel (a scaled copy) and kernel as large as the image (one number). */
static void check_extremes(int convolve, unsigned long long seed)
{
    float *img = random_floats(20, seed), *k = random_floats(20, seed + 1);
    float one[1] = {-1.5f};
    check_valid2d(img, 4, 5, one, 1, 1, convolve, "1x1 kernel");
    check_valid2d(img, 4, 5, k, 4, 5, convolve, "kernel as large as the image");
    free(img);
    free(k);
}

/* A kernel taller than wide, then wider than tall. */
static void check_random(int convolve, unsigned long long seed)
{
    float *img = random_floats(7 * 5, seed), *k = random_floats(3 * 2, seed + 1);
    check_valid2d(img, 7, 5, k, 3, 2, convolve, "random, non-square image and kernel");
    check_valid2d(img, 5, 7, k, 2, 3, convolve, "random, kernel wider than tall");
    free(img);
    free(k);
}

/* clause: corr-formula */
START_TEST(test_correlate_hand)
{
    check_valid2d(hand_img, 4, 4, hand_k, 2, 2, 0, "the lesson's worked example");
}
END_TEST

/* clause: corr-formula */
START_TEST(test_correlate_random) { check_random(0, 201); }
END_TEST

/* clause: corr-shape */
START_TEST(test_correlate_extremes) { check_extremes(0, 211); }
END_TEST

/* clause: conv-formula */
START_TEST(test_convolve_hand)
{
    check_valid2d(hand_img, 4, 4, hand_k, 2, 2, 1, "the lesson's worked example");
}
END_TEST

/* clause: conv-formula */
/* clause: caller-allocates */
START_TEST(test_convolve_random) { check_random(1, 221); }
END_TEST

/* clause: corr-shape */
START_TEST(test_convolve_extremes) { check_extremes(1, 231); }
END_TEST

GRADED_SUITE(correlate2d_suite, "correlate2d_valid",
    GRADED(test_correlate_hand, 2, "correlate2d_valid: worked example, 4x4 image, 2x2 kernel"),
    GRADED(test_correlate_random, 2, "correlate2d_valid: random images, 3x2 and 2x3 kernels"),
    GRADED(test_correlate_extremes, 2, "correlate2d_valid: 1x1 kernel, kernel = image"));

GRADED_SUITE(convolve2d_suite, "convolve2d_valid",
    GRADED(test_convolve_hand, 2, "convolve2d_valid: worked example, 4x4 image, 2x2 kernel"),
    GRADED(test_convolve_random, 2, "convolve2d_valid: random images, 3x2 and 2x3 kernels"),
    GRADED(test_convolve_extremes, 2, "convolve2d_valid: 1x1 kernel, kernel = image"));

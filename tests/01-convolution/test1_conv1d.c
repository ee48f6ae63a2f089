/* test1_conv1d.c: conv1d_full, eq. (1.2). Every check also holds the
 * function to the rest of conv.h's contract: the inputs only read, no
 * allocation, out exactly nf + ng - 1 long (the buffers have exactly their
 * size, so AddressSanitizer sees any access past them). The clause ids are
 * those of clauses.txt. */
#include <stdlib.h>

#include "grade.h"
#include "oracle_01.h"

/* The lesson's worked example: g = [0, 1, 0.5] delays f by one step and adds
 * an echo at half strength, so out = [0, 1, 2.5, 4, 1.5]. */
/* clause: c1-formula */
/* clause: inputs-read-only */
/* clause: caller-allocates */
/* clause: pre-c1-no-overlap */
START_TEST(test_conv1d_hand)
{
    const float f[] = {1, 2, 3}, g[] = {0, 1, 0.5f};
    check_conv1d(f, 3, g, 3, "the lesson's worked example");
}
END_TEST

/* clause: c1-formula */
/* clause: c1-length */
START_TEST(test_conv1d_random)
{
    float *f = random_floats(17, 101), *g = random_floats(5, 102);
    check_conv1d(f, 17, g, 5, "random signal, random kernel");
    free(f);
    free(g);
}
END_TEST

/* The kernel longer than the signal, then length-1 edge cases. */
/* clause: c1-bounds */
/* clause: c1-min */
START_TEST(test_conv1d_lengths)
{
    float *f = random_floats(3, 111), *g = random_floats(11, 112);
    check_conv1d(f, 3, g, 11, "kernel longer than the signal");
    check_conv1d(f, 1, g, 11, "a one-sample signal");
    check_conv1d(g, 11, f, 1, "a one-tap kernel");
    check_conv1d(f, 1, g, 1, "one sample, one tap");
    free(f);
    free(g);
}
END_TEST

GRADED_SUITE(conv1d_suite, "conv1d_full",
    GRADED(test_conv1d_hand, 2, "conv1d_full: worked example [1,2,3] * [0,1,0.5]"),
    GRADED(test_conv1d_random, 2, "conv1d_full: random 17-sample signal, 5-tap kernel"),
    GRADED(test_conv1d_lengths, 2, "conv1d_full: kernel longer than signal, length 1"));

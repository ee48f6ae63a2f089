/* test2_layer.c: rf_layer_step: both axes of one layer, convolution,
 * pooling and pointwise, from a previous state whose height and width
 * already differ. */
#include "grade.h"
#include "oracle_04.h"

#define N_CASES(a) ((int)(sizeof a / sizeof a[0]))

/* After a few layers of a non-square network: the height axis has a larger
 * jump than the width axis. */
static const RfState PREV = {.h = {.size = 10, .jump = 4, .first = -3},
                             .w = {.size = 6, .jump = 2, .first = -1}};

/* Each geometry parameter different on the two axes, both ways round. */
START_TEST(test_layer_conv_hw)
{
    /* clause: layer_axes */
    const LayerCase cases[] = {
        {PREV, L_CONV(5, 3, 1, 1, 0, 0, 1, 1)},  /* kh > kw */
        {PREV, L_CONV(1, 3, 1, 1, 0, 0, 1, 1)},  /* kh < kw */
        {PREV, L_CONV(3, 3, 2, 1, 0, 0, 1, 1)},  /* sh > sw */
        {PREV, L_CONV(3, 3, 1, 3, 0, 0, 1, 1)},  /* sh < sw */
        {PREV, L_CONV(3, 3, 1, 1, 2, 0, 1, 1)},  /* ph > pw = 0 */
        {PREV, L_CONV(3, 3, 1, 1, 0, 1, 1, 1)},  /* ph = 0 < pw */
        {PREV, L_CONV(3, 3, 1, 1, 0, 0, 3, 1)},  /* dh > dw */
        {PREV, L_CONV(3, 3, 1, 1, 0, 0, 1, 2)},  /* dh < dw */
        {PREV, L_CONV(5, 3, 2, 1, 2, 1, 1, 2)},  /* all at once */
    };
    check_layer_cases(cases, N_CASES(cases));
}
END_TEST

/* Pooling windows grow the field and the jump exactly as a convolution. */
START_TEST(test_layer_pool)
{
    /* clause: layer_axes */
    const LayerCase cases[] = {
        {PREV, POOL(2, 2)},
        {PREV, POOL(3, 2)},
        {PREV, L_POOL(3, 3, 2, 2, 1, 1)},   /* ResNet's max pool */
        {PREV, L_POOL(3, 2, 3, 2, 1, 0)},   /* non-square window and stride */
        {PREV, L_POOL(2, 4, 1, 3, 0, 2)},
    };
    check_layer_cases(cases, N_CASES(cases));
}
END_TEST

/* A pointwise layer returns its input state; its geometry fields hold junk
 * that must not be read. */
START_TEST(test_layer_pointwise)
{
    /* clause: layer_pointwise */
    const RfState deep = {.h = {.size = 212, .jump = 32, .first = -90},
                          .w = {.size = 150, .jump = 16, .first = -59}};
    const LayerCase cases[] = {
        {PREV, POINTWISE},
        {deep, POINTWISE},
    };
    check_layer_cases(cases, N_CASES(cases));
}
END_TEST

/* 1x1 kernels: no growth, but padding still moves the first position, and
 * a stride still multiplies the jump. */
START_TEST(test_layer_1x1)
{
    /* clause: layer_axes */
    const LayerCase cases[] = {
        {PREV, L_CONV(1, 1, 1, 1, 1, 1, 1, 1)},
        {PREV, L_CONV(1, 1, 2, 1, 1, 0, 1, 1)},
        {PREV, L_CONV(1, 1, 1, 2, 0, 2, 2, 3)},
    };
    check_layer_cases(cases, N_CASES(cases));
}
END_TEST

GRADED_SUITE(layer_suite, "rf_layer_step",
    GRADED(test_layer_conv_hw, 4, "rf_layer_step: conv, each parameter different on h and w, both ways"),
    GRADED(test_layer_pool, 4, "rf_layer_step: pooling windows, square and not"),
    GRADED(test_layer_pointwise, 3, "rf_layer_step: a pointwise layer changes nothing"),
    GRADED(test_layer_1x1, 2, "rf_layer_step: 1x1 kernels with padding and stride"));

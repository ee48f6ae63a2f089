/* test1_axis.c: rf_axis_step, eqs. (4.4)-(4.6): one layer along one axis.
 * Each parameter is swept on its own from a previous state whose jump is
 * not 1, so that every term of the recurrence shows. */
#include "grade.h"
#include "oracle_04.h"

#define N_CASES(a) ((int)(sizeof a / sizeof a[0]))

static const RfAxis PIXEL = {.size = 1, .jump = 1, .first = 0};

/* The first layer of a network, read straight off the input. */
START_TEST(test_axis_first_layer)
{
    /* clause: axis_recurrence */
    const AxisCase cases[] = {
        /* prev, k, s, p, d */
        {PIXEL, 3, 1, 1, 1},   /* VGG conv1_1: size 3, first -1 */
        {PIXEL, 11, 4, 0, 1},  /* AlexNet conv1: 11, jump 4 */
        {PIXEL, 7, 2, 3, 1},   /* ResNet stem: 7, jump 2, first -3 */
        {PIXEL, 5, 1, 0, 1},   /* LeNet-5 C1 */
        {PIXEL, 3, 1, 2, 2},   /* dilated: span 5 */
        {PIXEL, 2, 2, 0, 1},   /* 2x2 pooling */
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

/* k = 1 .. 5 alone, after layers with a total stride of 4. */
START_TEST(test_axis_kernel)
{
    /* clause: axis_recurrence */
    const RfAxis prev = {.size = 7, .jump = 4, .first = -3};
    const AxisCase cases[] = {
        {prev, 1, 1, 0, 1}, {prev, 2, 1, 0, 1}, {prev, 3, 1, 0, 1},
        {prev, 4, 1, 0, 1}, {prev, 5, 1, 0, 1},
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

/* s = 1 .. 4 alone. */
START_TEST(test_axis_stride)
{
    /* clause: axis_recurrence */
    const RfAxis prev = {.size = 10, .jump = 2, .first = -1};
    const AxisCase cases[] = {
        {prev, 3, 1, 1, 1}, {prev, 3, 2, 1, 1}, {prev, 3, 3, 1, 1},
        {prev, 3, 4, 1, 1}, {prev, 1, 3, 0, 1},
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

/* p = 0 .. 3 alone. */
START_TEST(test_axis_padding)
{
    /* clause: axis_recurrence */
    const RfAxis prev = {.size = 6, .jump = 2, .first = -2};
    const AxisCase cases[] = {
        {prev, 3, 2, 0, 1}, {prev, 3, 2, 1, 1}, {prev, 3, 2, 2, 1},
        {prev, 3, 2, 3, 1}, {prev, 1, 1, 2, 1},  /* 1x1 kernel, padding 2 */
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

/* d = 1 .. 4 alone, and a dilated 1-tap kernel, which reads one unit. */
START_TEST(test_axis_dilation)
{
    /* clause: axis_recurrence */
    const RfAxis prev = {.size = 5, .jump = 3, .first = -1};
    const AxisCase cases[] = {
        {prev, 3, 1, 0, 1}, {prev, 3, 1, 0, 2}, {prev, 3, 1, 0, 3},
        {prev, 3, 1, 0, 4}, {prev, 2, 2, 1, 3}, {prev, 1, 1, 0, 3},
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

/* Values past 2^31, a growth term (k-1)*d*jump that does not fit an int
 * although k, d and the result's other terms do, and a span (k-1)*d that
 * does not fit an int although k and d do (written (k - 1) * d * prev.jump,
 * the product of two ints comes first and overflows). */
START_TEST(test_axis_large)
{
    /* clause: axis_64bit */
    const long long two40 = 1LL << 40;
    const AxisCase cases[] = {
        {{.size = 2 * two40 - 1, .jump = two40, .first = -(two40 - 1)}, 3, 2, 1, 1},
        {{.size = 1, .jump = 1LL << 31, .first = 0}, 2, 2, 0, 1},
        {{.size = 3, .jump = 1000000, .first = -5}, 3000, 7, 200, 4000},
        {{.size = 205891132094649LL, .jump = 205891132094649LL, .first = -7}, 5, 3, 2, 7},
        {{.size = 1, .jump = 3, .first = -2}, 65537, 1, 70000, 65536},
    };
    check_axis_cases(cases, N_CASES(cases));
}
END_TEST

GRADED_SUITE(axis_suite, "rf_axis_step",
    GRADED(test_axis_first_layer, 3, "rf_axis_step: first layers of LeNet, AlexNet, VGG, ResNet"),
    GRADED(test_axis_kernel, 3, "rf_axis_step: kernel 1..5 after a jump of 4"),
    GRADED(test_axis_stride, 3, "rf_axis_step: stride 1..4"),
    GRADED(test_axis_padding, 3, "rf_axis_step: padding 0..3, 1x1 kernel with padding"),
    GRADED(test_axis_dilation, 3, "rf_axis_step: dilation 1..4"),
    GRADED(test_axis_large, 3, "rf_axis_step: jumps and sizes past 2^31"));

/* test4_window.c: rf_window, eq. (4.8): the input positions unit i sees. */
#include "grade.h"
#include "oracle_04.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* Units of VGG-16's pool5 (7 x 7 on a 224 x 224 input), of a first layer
 * and of a dilated stack, whose windows are checked against the positions
 * the oracle's walk reaches. */
START_TEST(test_window_units)
{
    /* clause: window */
    const RfAxis pool5 = {.size = 212, .jump = 32, .first = -90};
    const long long units7[] = {0, 1, 3, 6};
    check_windows(&pool5, units7, N(units7), "VGG-16 pool5");
    const RfAxis conv1 = {.size = 11, .jump = 4, .first = 0};
    const long long units55[] = {0, 1, 2, 54};
    check_windows(&conv1, units55, N(units55), "AlexNet conv1");

    const RfLayer layers[] = {CONV(3, 1, 1, 2), POOL(2, 2), CONV(3, 2, 2, 2)};
    RfState s[4];
    rf_stack(layers, 3, s); /* checked on its own by test3_stack.c */
    RfAxis a = oracle_axis(layers, 3, AXIS_H);
    const long long units[] = {0, 1, 2, 9};
    check_windows(&a, units, N(units), "conv3 d2 p1, pool2 s2, conv3 s2 p2 d2");
    /* The window is the span of the positions the unit reaches. */
    long long pos[256];
    long n = oracle_reach(layers, 3, AXIS_H, 9, pos, 256);
    long long lo, hi;
    rf_window(&a, 9, &lo, &hi);
    ck_assert_msg(n > 0 && lo == pos[0] && hi == pos[n - 1],
                  "rf_window: unit 9 of conv3 d2 p1, pool2 s2, conv3 s2 p2 d2 "
                  "reaches positions %lld .. %lld, but the window is %lld .. %lld.",
                  pos[0], pos[n - 1], lo, hi);
}
END_TEST

/* i * jump past 2^31 (i itself past 2^31, or a jump of 2^40). */
START_TEST(test_window_large)
{
    /* clause: window */
    /* clause: axis_64bit */
    const RfAxis a = {.size = 5, .jump = 4, .first = -1};
    const long long units[] = {3000000000LL, 1LL << 40};
    check_windows(&a, units, N(units), "jump 4, units past 2^31");
    const long long two40 = 1LL << 40;
    const RfAxis deep = {.size = 2 * two40 - 1, .jump = two40, .first = -(two40 - 1)};
    const long long units2[] = {0, 1, 3, 1000};
    check_windows(&deep, units2, N(units2), "forty conv3 s2 p1 layers");
}
END_TEST

GRADED_SUITE(window_suite, "rf_window",
    GRADED(test_window_units, 3, "rf_window: units of VGG-16, AlexNet and a dilated stack"),
    GRADED(test_window_large, 3, "rf_window: positions past 2^31"));

/* hidden_04.c: chapter 04 tests left out of the student handout: random
 * stacks and maps from other seeds, VGG-11 against the published table,
 * deeper stacks, and edge cases the visible tests do not show. */
#include <stdlib.h>

#include "grade.h"
#include "rng.h"
#include "util.h"
#include "../oracle_04.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

static int rand_in(Rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint64_t)(hi - lo + 1));
}

/* A random layer: a third pointwise, then conv or pool with every number
 * drawn separately for height and width. */
static RfLayer random_layer(Rng *r)
{
    int kind = rand_in(r, 0, 5);
    if (kind == 0)
        return POINTWISE;
    RfLayer l = L_CONV(rand_in(r, 1, 5), rand_in(r, 1, 5), rand_in(r, 1, 3),
                       rand_in(r, 1, 3), rand_in(r, 0, 2), rand_in(r, 0, 2),
                       rand_in(r, 1, 3), rand_in(r, 1, 3));
    if (kind <= 2)
        l.kind = RF_POOL;
    return l;
}

START_TEST(test_h_random_stacks)
{
    Rng r;
    rng_seed(&r, 4001);
    for (int t = 0; t < 30; t++) {
        RfLayer layers[8];
        int n = rand_in(&r, 1, 8);
        for (int l = 0; l < n; l++)
            layers[l] = random_layer(&r);
        check_stack(layers, n, NULL);
    }
}
END_TEST

/* VGG-11 (configuration A): one conv per block in the first two blocks. */
START_TEST(test_h_vgg11)
{
    const RfLayer c = CONV(3, 1, 1, 1), m = POOL(2, 2);
    const RfLayer layers[] = {c, m, c, m, c, c, m, c, c, m, c, c, m};
    const PublishedRow rows[] = {
        {1, "conv1_1", 3, 1, 1},    {2, "pool1", 4, 2, 1},
        {3, "conv2_1", 8, 2, 3},    {4, "pool2", 10, 4, 3},
        {5, "conv3_1", 18, 4, 7},   {6, "conv3_2", 26, 4, 11},
        {7, "pool3", 30, 8, 11},    {8, "conv4_1", 46, 8, 19},
        {9, "conv4_2", 62, 8, 27},  {10, "pool4", 70, 16, 27},
        {11, "conv5_1", 102, 16, 43}, {12, "conv5_2", 134, 16, 59},
        {13, "pool5", 150, 32, 59},
    };
    check_published(layers, N(layers), "VGG-11",
                    "the published table (Araujo et al. 2019, vgg_a)", rows, N(rows));
}
END_TEST

/* Sixty stride-2 layers (jump 2^60) and thirty-five stride-3 layers (jump
 * 3^35, about 5e16) dilated along the other axis (a mistake that multiplies
 * the jump by the dilation then fails with its hint instead of overflowing
 * 64 bits). */
START_TEST(test_h_deeper)
{
    RfLayer layers[60];
    for (int l = 0; l < 60; l++)
        layers[l] = CONV(3, 2, 1, 1);
    check_stack(layers, 60, "sixty conv3 s2 p1 layers");
    for (int l = 0; l < 35; l++)
        layers[l] = L_CONV(3, 2, 3, 1, 2, 1, 1, 2);
    check_stack(layers, 35, "thirty-five conv 3x2 s3x1 p2x1 d1x2 layers");
}
END_TEST

START_TEST(test_h_axis_more)
{
    const AxisCase cases[] = {
        {{.size = 1, .jump = 1, .first = 0}, 7, 1, 9, 5},       /* padding past the span */
        {{.size = 19, .jump = 8, .first = 0}, 5, 1, 2, 1},     /* AlexNet conv2 */
        {{.size = 4, .jump = 2, .first = -1}, 2, 2, 0, 1},     /* VGG-11 pool2 */
        {{.size = 100, .jump = 16, .first = -42}, 3, 1, 1, 1}, /* VGG-16 conv5_1 */
        {{.size = 3, .jump = 5, .first = 7}, 4, 5, 3, 2},
        {{.size = 1LL << 50, .jump = 1LL << 45, .first = -(1LL << 44)}, 6, 3, 5, 7},
    };
    check_axis_cases(cases, N(cases));
}
END_TEST

START_TEST(test_h_windows)
{
    Rng r;
    rng_seed(&r, 4002);
    for (int t = 0; t < 12; t++) {
        RfLayer layers[5];
        int n = rand_in(&r, 1, 5);
        for (int l = 0; l < n; l++)
            layers[l] = random_layer(&r);
        int axis = t % 2 ? AXIS_W : AXIS_H;
        RfAxis a = oracle_axis(layers, n, axis);
        long long units[3] = {0, rand_in(&r, 1, 20), rand_in(&r, 100, 100000)};
        check_windows(&a, units, 3, "a random stack");
    }
}
END_TEST

START_TEST(test_h_spread)
{
    float *g = bump_map(37, 29, 11.5, 20.25, 5.0, 3.0, 1, 4003);
    check_spread(g, 37, 29, "random signs, another seed");
    free(g);
    g = bump_map(1, 40, 0.0, 13.0, 1.0, 5.0, 1, 4004);
    check_spread(g, 1, 40, "a single row: sigma_h = 0");
    free(g);
    g = bump_map(40, 1, 27.0, 0.0, 6.0, 1.0, 0, 4005);
    check_spread(g, 40, 1, "a single column: sigma_w = 0");
    free(g);
    float dot[3 * 4] = {0};
    dot[1 * 4 + 2] = -0.5f;
    check_spread(dot, 3, 4, "one non-zero pixel: both sigmas 0");
    int h, w;
    g = box_power_map(5, 7, 1, 0, 6, &h, &w);
    check_spread(g, h, w, "5 uniform 7x1 layers: sigma_h = 2 sqrt(5), sigma_w = 0");
    free(g);
}
END_TEST

START_TEST(test_h_radius)
{
    const double fracs[] = {0.01, 0.2, 0.45, 0.8, 0.97};
    float *g = bump_map(25, 60, 12.0, 8.0, 3.0, 9.0, 1, 4006);
    check_radius(g, 25, 60, 12, 8, fracs, N(fracs), 0, "wide bump, centre near the left");
    free(g);
    g = bump_map(1, 31, 0.0, 15.0, 1.0, 4.0, 0, 4007);
    check_radius(g, 1, 31, 0, 15, fracs, N(fracs), 0, "a single row");
    free(g);
    /* The centre alone holds more than half. */
    float peak[7 * 5];
    for (int i = 0; i < 35; i++)
        peak[i] = 0.125f;
    peak[3 * 5 + 2] = 8.0f;
    const double small[] = {0.5, 0.9};
    check_radius(peak, 7, 5, 3, 2, small, N(small), 0, "a sharp peak");
    /* Ties on a non-square map: centre 1, ring 1 holds 1, ring 2 holds 2. */
    float tie[5 * 7] = {0};
    tie[2 * 7 + 3] = 1.0f;
    tie[1 * 7 + 3] = 0.5f;
    tie[3 * 7 + 4] = 0.5f;
    tie[0 * 7 + 1] = 1.0f;
    tie[4 * 7 + 5] = 1.0f;
    const double ties[] = {0.25, 0.3, 0.5, 1.0};
    check_radius(tie, 5, 7, 2, 3, ties, N(ties), 1, "squares holding exactly 1, 2 and 4 of 4");
}
END_TEST

GRADED_SUITE(hidden_suite, "receptive fields (hidden)",
    GRADED(test_h_random_stacks, 6, "rf_stack: 30 random stacks"),
    GRADED(test_h_vgg11, 3, "rf_stack: VGG-11 against the published table"),
    GRADED(test_h_deeper, 3, "rf_stack: jumps of 2^60 and 3^35"),
    GRADED(test_h_axis_more, 3, "rf_axis_step: more cases"),
    GRADED(test_h_windows, 3, "rf_window: random stacks"),
    GRADED(test_h_spread, 3, "erf_spread: single rows and columns, one pixel"),
    GRADED(test_h_radius, 4, "erf_mass_radius: off-centre, single row, ties"));

/* hidden_06.c: chapter 06 tests left out of the student handout: other
 * seeds and shapes, and cases the visible tests do not show. */
#include <float.h>
#include <stdlib.h>

#include "grade.h"
#include "../oracle_06.h"

START_TEST(test_h_linear_forward)
{
    static const LinearGeom gs[] = {{7, 9, 6}, {1, 120, 84}, {3, 84, 10}, {2, 1, 1}};
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++) {
        check_linear_forward(&gs[k], 1, 2001 + k);
        check_linear_forward(&gs[k], 0, 2011 + k);
    }
}
END_TEST

START_TEST(test_h_linear_backward)
{
    LinearGeom g = {.n = 7, .in = 9, .out = 6};
    check_linear_backward(&g, GRAD_ALL, 2021);
    LinearGeom f6 = {.n = 5, .in = 120, .out = 84};
    check_linear_backward(&f6, GRAD_ALL, 2022);
    for (int which = 1; which < GRAD_ALL; which++) {
        LinearGeom h = {.n = 2, .in = 1, .out = 5};
        check_linear_backward(&h, which, 2030 + which);
    }
}
END_TEST

START_TEST(test_h_activations)
{
    float *x = random_floats(513, 2041, -60.0f, 60.0f);
    static const float tiny[] = {FLT_MIN, -FLT_MIN, 1e-40f, -1e-40f, 5e-8f, -5e-8f};
    for (int a = 0; a < ACT_COUNT; a++) {
        check_activation((Act)a, x, 513, 2042 + a, "513 values in [-60, 60]");
        check_activation((Act)a, tiny, 6, 2050 + a, "tiny and subnormal values");
    }
    free(x);
}
END_TEST

START_TEST(test_h_softmax)
{
    float *z = random_floats(8 * 10, 2061, -20.0f, 20.0f);
    int lab[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    z[0] = 1e4f;
    z[13] = -1e4f;
    check_softmax_ce(z, lab, 8, 10, "mixed rows, one logit 1e4");
    free(z);
    float *w = random_floats(2 * 100, 2062, -5.0f, 5.0f);
    int lw[2] = {0, 99};
    check_softmax_ce(w, lw, 2, 100, "100 classes");
    free(w);
}
END_TEST

START_TEST(test_h_sgd)
{
    SgdConfig c = {.lr = 0.2f, .momentum = 0.5f, .weight_decay = 1e-3f};
    check_sgd(&c, 10, 1000, 2071);
    SgdConfig d = {.lr = 1e-3f, .momentum = 0.99f, .weight_decay = 0.0f};
    check_sgd(&d, 6, 5, 2072);
}
END_TEST

START_TEST(test_h_lenet_forward)
{
    check_lenet_forward(LENET_MODERN, 3, 3, 2081);
    check_lenet_forward(LENET_1998, 3, 5, 2082);
}
END_TEST

START_TEST(test_h_lenet_backward)
{
    check_lenet_backward(LENET_MODERN, 3, 2091);
    check_lenet_backward(LENET_1998, 3, 2092);
}
END_TEST

START_TEST(test_h_gradcheck)
{
    check_lenet_gradcheck(LENET_MODERN, 1, 5, 2101);
    check_lenet_gradcheck(LENET_1998, 2, 5, 2102);
}
END_TEST

GRADED_SUITE(hidden_suite, "hidden",
    GRADED(test_h_linear_forward, 2, "linear_forward: F6 and output shapes, other seeds"),
    GRADED(test_h_linear_backward, 3, "linear_backward: F6's shape, in = 1"),
    GRADED(test_h_activations, 3, "activations: [-60, 60], subnormal inputs"),
    GRADED(test_h_softmax, 3, "softmax_cross_entropy: a logit of 1e4, 100 classes"),
    GRADED(test_h_sgd, 2, "sgd_step: other hyper-parameters, 10 steps"),
    GRADED(test_h_lenet_forward, 4, "lenet_forward: 3 images, both variants"),
    GRADED(test_h_lenet_backward, 4, "lenet_backward: 3 images, both variants"),
    GRADED(test_h_gradcheck, 2, "lenet_backward: gradient check, other seeds"));

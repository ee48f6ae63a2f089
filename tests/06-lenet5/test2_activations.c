/* test2_activations.c: tanh, LeCun's scaled tanh, sigmoid and ReLU,
 * forward and backward, eqs. (6.5)-(6.12), out of place and in place, on
 * ordinary values and on values large enough to overflow a careless
 * formula. The backward passes are given the forward's exact output. */
#include <float.h>
#include <stdlib.h>

#include "grade.h"
#include "oracle_06.h"

/* Random values in [-4, 4], then values where formulas overflow. */
static const float EXTREME[] = {0.0f, -0.0f, 1.0f, -1.0f, 20.0f, -20.0f,
                                88.0f, -88.0f, 100.0f, -100.0f, 1000.0f,
                                -1000.0f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX};
#define N_EXTREME (sizeof EXTREME / sizeof EXTREME[0])

static void check_both(Act a, uint64_t seed)
{
    float *x = random_floats(301, seed, -4.0f, 4.0f);
    check_activation(a, x, 301, seed + 1, "301 values in [-4, 4]");
    check_activation(a, EXTREME, N_EXTREME,
                     seed + 2, "0, +-1, +-20, +-88, +-100, +-1000, +-1e30, +-FLT_MAX");
    free(x);
}

/* clause: act-tanh */
/* clause: act-inplace */
/* clause: act-finite */
/* clause: act-from-y */
START_TEST(test_tanh)
{
    check_both(ACT_TANH, 701);
}
END_TEST

/* clause: act-scaled */
START_TEST(test_scaled_tanh)
{
    check_both(ACT_SCALED_TANH, 711);
}
END_TEST

/* clause: act-sigmoid */
/* clause: act-finite */
START_TEST(test_sigmoid)
{
    check_both(ACT_SIGMOID, 721);
}
END_TEST

/* Exact zeros: ReLU's gradient at 0 is 0 (PyTorch's choice). */
/* clause: act-relu */
START_TEST(test_relu)
{
    check_both(ACT_RELU, 731);
    static const float zeros[] = {0.0f, -0.0f, 0.0f, 1e-30f, -1e-30f};
    check_activation(ACT_RELU, zeros, 5, 732, "exact zeros and tiny values");
}
END_TEST

/* One element, and a length that is no multiple of any vector width. */
/* clause: act-n */
START_TEST(test_activation_lengths)
{
    float *x = random_floats(37, 741, -3.0f, 3.0f);
    for (int a = 0; a < ACT_COUNT; a++) {
        check_activation((Act)a, x, 1, 742, "one value");
        check_activation((Act)a, x, 37, 743, "37 values");
    }
    free(x);
}
END_TEST

GRADED_SUITE(activation_suite, "activations",
    GRADED(test_tanh, 2, "tanh: forward, backward from y, in place, +-FLT_MAX"),
    GRADED(test_scaled_tanh, 3, "scaled tanh 1.7159 tanh(2x/3): forward and backward"),
    GRADED(test_sigmoid, 3, "sigmoid: forward and backward, no overflow at +-1000"),
    GRADED(test_relu, 2, "relu: forward and backward, gradient 0 at 0"),
    GRADED(test_activation_lengths, 2, "activations: n = 1 and n = 37"));

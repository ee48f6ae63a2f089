/* test3_softmax.c: softmax cross-entropy, eqs. (6.13)-(6.16): the
 * probabilities, the mean loss, the gradient, on ordinary logits and on
 * logits that overflow exp() unless each row's maximum is subtracted. */
#include <math.h>
#include <stdlib.h>

#include "grade.h"
#include "oracle_06.h"

/* clause: ce-probs */
/* clause: ce-loss */
/* clause: ce-grad */
/* clause: ce-inplace */
START_TEST(test_ce_basic)
{
    float *z = random_floats(4 * 10, 801, -3.0f, 3.0f);
    int lab[4] = {3, 0, 9, 3};
    check_softmax_ce(z, lab, 4, 10, "random logits in [-3, 3]");
    free(z);
}
END_TEST

/* Rows whose exp() overflows float (e^89 > FLT_MAX) or underflows to 0
 * everywhere (e^-1000): only the shifted form of eq. (6.14) survives. */
/* clause: ce-stable */
START_TEST(test_ce_large)
{
    float z[5][4] = {{1000, 999, 0, -5},     {-1000, -1001, -1002, -999},
                     {88.7f, 89.5f, 90, 87}, {500, 500, 500, 500},
                     {-3e4f, 3e4f, 0, 1}};
    int lab[5] = {1, 0, 3, 2, 0};
    check_softmax_ce(&z[0][0], lab, 5, 4, "logits from -30000 to 30000");
}
END_TEST

/* Equal logits: every probability 1/k and a loss of ln k, the loss an
 * untrained 10-class network should start from (eq. 6.27). */
/* clause: ce-stable */
/* clause: ce-loss */
START_TEST(test_ce_uniform)
{
    float z[3][10] = {{0}};
    for (int j = 0; j < 10; j++) {
        z[1][j] = 7.5f;
        z[2][j] = -40.0f;
    }
    int lab[3] = {0, 5, 9};
    check_softmax_ce(&z[0][0], lab, 3, 10, "equal logits (loss ln 10)");
}
END_TEST

/* Two classes, one example; and the label in the first and last column. */
/* clause: ce-sizes */
START_TEST(test_ce_small)
{
    float z2[2] = {0.25f, -1.5f};
    int l0 = 0, l1 = 1;
    check_softmax_ce(z2, &l0, 1, 2, "one example, two classes");
    check_softmax_ce(z2, &l1, 1, 2, "one example, two classes");
    float *z = random_floats(6 * 3, 811, -2.0f, 2.0f);
    int lab[6] = {0, 2, 0, 2, 1, 2};
    check_softmax_ce(z, lab, 6, 3, "six examples, three classes");
    free(z);
}
END_TEST

GRADED_SUITE(softmax_suite, "softmax cross-entropy",
    GRADED(test_ce_basic, 4, "softmax_cross_entropy: 4 examples, 10 classes"),
    GRADED(test_ce_large, 4, "softmax_cross_entropy: logits up to +-30000"),
    GRADED(test_ce_uniform, 2, "softmax_cross_entropy: equal logits, loss ln 10"),
    GRADED(test_ce_small, 2, "softmax_cross_entropy: n = 1, k = 2 and k = 3"));

/* test1_linear.c: linear_forward and linear_backward, eqs. (6.1)-(6.4).
 * Each test draws x, weight, bias and dy from its own seed and compares
 * with the double-precision reference of oracle_06.c, which also names
 * the mistake when it recognises the output. Gradient buffers hold
 * garbage before each call: a gradient must be overwritten. */
#include "grade.h"
#include "oracle_06.h"

/* clause: lin-fwd */
/* clause: lin-layout */
/* clause: lin-fwd-written */
/* clause: caller-allocates */
/* clause: inputs-read-only */
START_TEST(test_linear_basic)
{
    LinearGeom g = {.n = 3, .in = 5, .out = 4};
    check_linear_forward(&g, 1, 601);
}
END_TEST

/* clause: lin-bias-null */
START_TEST(test_linear_no_bias)
{
    LinearGeom g = {.n = 2, .in = 3, .out = 6};
    check_linear_forward(&g, 0, 611);
}
END_TEST

/* Each size on its own from 1 to 4, in > out and in < out, and a square
 * layer (where reading the weight transposed is a silent mistake). */
/* clause: lin-layout */
/* clause: lin-sizes */
START_TEST(test_linear_shapes)
{
    static const LinearGeom gs[] = {
        {1, 4, 3}, {2, 4, 3}, {3, 4, 3}, {4, 4, 3}, /* n */
        {2, 1, 3}, {2, 2, 3}, {2, 3, 3}, {2, 7, 3}, /* in */
        {2, 3, 1}, {2, 3, 2}, {2, 3, 4}, {2, 3, 9}, /* out */
        {5, 6, 6},
    };
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++) {
        check_linear_forward(&gs[k], 1, 621 + k);
        check_linear_forward(&gs[k], 0, 641 + k);
    }
}
END_TEST

/* clause: lin-dx */
/* clause: lin-dw */
/* clause: lin-db */
/* clause: overwrite */
START_TEST(test_linear_backward_all)
{
    LinearGeom g = {.n = 4, .in = 5, .out = 3};
    check_linear_backward(&g, GRAD_ALL, 651);
}
END_TEST

/* Every combination of NULL gradients: the others must not change, x is
 * passed NULL when dweight is not asked for, weight when dx is not. */
/* clause: null-skip */
/* clause: lin-reads */
START_TEST(test_linear_backward_null)
{
    LinearGeom g = {.n = 3, .in = 4, .out = 2};
    for (int which = 1; which < GRAD_ALL; which++)
        check_linear_backward(&g, which, 661 + which);
}
END_TEST

/* clause: lin-dw */
/* clause: lin-sizes */
START_TEST(test_linear_backward_shapes)
{
    static const LinearGeom gs[] = {
        {1, 3, 2}, {2, 3, 2}, {3, 3, 2}, /* n: dW sums over the batch */
        {2, 1, 3}, {2, 4, 3}, {2, 3, 1}, {2, 3, 5}, {4, 4, 4},
    };
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++)
        check_linear_backward(&gs[k], GRAD_ALL, 671 + k);
}
END_TEST

GRADED_SUITE(linear_suite, "linear",
    GRADED(test_linear_basic, 3, "linear_forward: 3 examples, 5 -> 4, bias"),
    GRADED(test_linear_no_bias, 2, "linear_forward: bias = NULL"),
    GRADED(test_linear_shapes, 3, "linear_forward: n, in and out from 1 up, square"),
    GRADED(test_linear_backward_all, 4, "linear_backward: dx, dweight and dbias"),
    GRADED(test_linear_backward_null, 3, "linear_backward: every NULL combination"),
    GRADED(test_linear_backward_shapes, 3, "linear_backward: n, in and out from 1 up"));

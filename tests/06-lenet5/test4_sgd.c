/* test4_sgd.c: the SGD step with momentum and weight decay, eq. (6.17),
 * over several steps, each checked against PyTorch's update computed in
 * double (w and the velocity). */
#include "grade.h"
#include "oracle_06.h"

/* clause: sgd-update */
START_TEST(test_sgd_plain)
{
    SgdConfig c = {.lr = 0.1f, .momentum = 0.0f, .weight_decay = 0.0f};
    check_sgd(&c, 2, 33, 901);
}
END_TEST

/* clause: sgd-update */
/* clause: sgd-velocity */
START_TEST(test_sgd_momentum)
{
    SgdConfig c = {.lr = 0.05f, .momentum = 0.9f, .weight_decay = 0.0f};
    check_sgd(&c, 4, 40, 911);
}
END_TEST

/* clause: sgd-decay */
START_TEST(test_sgd_weight_decay)
{
    SgdConfig c = {.lr = 0.1f, .momentum = 0.0f, .weight_decay = 0.01f};
    check_sgd(&c, 3, 17, 921);
}
END_TEST

/* clause: sgd-decay */
/* clause: sgd-velocity */
/* clause: sgd-grad-read */
START_TEST(test_sgd_all)
{
    SgdConfig c = {.lr = 0.05f, .momentum = 0.9f, .weight_decay = 0.05f};
    check_sgd(&c, 5, 257, 931);
}
END_TEST

GRADED_SUITE(sgd_suite, "sgd_step",
    GRADED(test_sgd_plain, 2, "sgd_step: plain SGD"),
    GRADED(test_sgd_momentum, 3, "sgd_step: momentum 0.9 over 4 steps"),
    GRADED(test_sgd_weight_decay, 2, "sgd_step: weight decay"),
    GRADED(test_sgd_all, 2, "sgd_step: momentum and weight decay over 5 steps"));

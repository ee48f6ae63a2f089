/* test3_sizes.c: conv_out_size, eq. (1.7), and conv2d_param_count, eq. (1.9). */
#include "grade.h"
#include "oracle_01.h"

START_TEST(test_out_size)
{
    static const SizeCase cases[] = {
        /* in, k, stride, pad, dil */
        {32, 5, 1, 0, 1},   /* LeNet-5 C1: 28 */
        {28, 5, 1, 2, 1},   /* "same" padding: 28 */
        {227, 11, 4, 0, 1}, /* AlexNet conv1: 55 */
        {224, 3, 1, 1, 1},  /* VGG: 224 */
        {7, 3, 2, 1, 1},    /* 4 */
        {8, 3, 2, 1, 1},    /* 4: the last window would overhang */
        {10, 3, 3, 0, 1},   /* 3 */
        {9, 3, 1, 0, 2},    /* dilated span 5: 5 */
        {5, 5, 1, 0, 1},    /* kernel = input: 1 */
        {6, 1, 1, 0, 1},    /* 1x1: 6 */
        {3, 5, 3, 0, 1},    /* does not fit: <= 0 */
        {2, 3, 4, 0, 1},    /* does not fit: <= 0 */
        {4, 7, 1, 1, 1},    /* does not fit even padded: <= 0 */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

START_TEST(test_param_count)
{
    static const CountCase cases[] = {
        /* c_in, c_out, kh, kw, groups, has_bias */
        {1, 6, 5, 5, 1, 1},     /* LeNet-5 C1: 156 */
        {3, 96, 11, 11, 1, 1},  /* AlexNet conv1: 34944 */
        {64, 64, 3, 3, 1, 1},   /* VGG conv1_2: 36928 */
        {64, 128, 3, 3, 1, 0},  /* no bias: 73728 */
        {32, 64, 3, 3, 4, 1},   /* 4 groups: 4672 */
        {32, 32, 3, 3, 32, 1},  /* depthwise: 320 */
        {16, 8, 1, 3, 1, 1},    /* non-square kernel: 392 */
    };
    check_count_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

GRADED_SUITE(sizes_suite, "sizes",
    GRADED(test_out_size, 6, "conv_out_size: LeNet, AlexNet, VGG, strides, dilation, no fit"),
    GRADED(test_param_count, 5, "conv2d_param_count: LeNet, AlexNet, VGG, groups, no bias"));

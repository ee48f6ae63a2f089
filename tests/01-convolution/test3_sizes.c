/* test3_sizes.c: conv_out_size, eq. (1.7), and conv2d_param_count, eq. (1.9). */
#include "grade.h"
#include "oracle_01.h"

/* clause: size-formula */
/* clause: size-nofit */
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

/* Each argument on its own around in = 7, k = 3, stride 1, pad 0, dil 1:
 * the floor on both sides of an exact division (stride 2 and 3), the
 * dilated kernel that just fits (span 7) and just does not (span 9), a
 * numerator of -1 with stride > 1 (where C's division truncates to 0). */
/* clause: size-formula */
/* clause: size-nofit */
/* clause: size-domain */
START_TEST(test_out_size_each_argument)
{
    static const SizeCase cases[] = {
        /* in, k, stride, pad, dil */
        {7, 1, 1, 0, 1}, {7, 2, 1, 0, 1}, {7, 3, 1, 0, 1}, {7, 4, 1, 0, 1},
        {7, 7, 1, 0, 1}, {7, 8, 1, 0, 1},                 /* kernel */
        {7, 3, 2, 0, 1}, {7, 3, 3, 0, 1}, {7, 3, 4, 0, 1},
        {8, 3, 2, 0, 1}, {8, 3, 3, 0, 1},                 /* stride */
        {7, 3, 1, 1, 1}, {7, 3, 1, 2, 1}, {7, 3, 1, 3, 1}, /* padding */
        {7, 3, 1, 0, 2}, {7, 3, 1, 0, 3}, {7, 3, 1, 0, 4}, /* dilation */
        {1, 3, 1, 0, 1}, {2, 3, 1, 0, 1}, {3, 3, 1, 0, 1},
        {4, 3, 1, 0, 1},                                  /* input */
        {1, 3, 2, 1, 1}, {2, 3, 2, 0, 1}, {6, 3, 4, 0, 3},
        {2, 4, 3, 1, 1},                                  /* -1 / stride */
    };
    check_size_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* clause: count-formula */
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
        {16, 8, 3, 1, 2, 0},    /* non-square, groups, no bias: 192 */
    };
    check_count_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
END_TEST

/* has_bias is a flag: 2, -1 and 7 mean a bias as 1 does. Counts past 2^31
 * (exactly 2^31 weights in the third case, 2^31 + 4096 with the biases)
 * and past 2^32. */
/* clause: count-bias-flag */
/* clause: count-long-long */
/* clause: given-numel */
/* clause: pre-count-groups */
START_TEST(test_param_count_flag_and_large)
{
    static const CountCase cases[] = {
        /* c_in, c_out, kh, kw, groups, has_bias */
        {16, 8, 3, 3, 1, 1},         /* 1160 */
        {16, 8, 3, 3, 1, 2},         /* 1160 */
        {16, 8, 3, 3, 2, -1},        /* 584 */
        {3, 7, 5, 5, 1, 7},          /* 532 */
        {512, 4096, 32, 32, 1, 1},   /* 2^31 + 4096 */
        {16384, 16384, 3, 3, 1, 1},  /* 2415935488 */
        {65536, 65536, 3, 3, 4, 0},  /* 9663676416 */
    };
    check_count_cases(cases, (int)(sizeof cases / sizeof cases[0]));

    /* The given element counts past 2^32 (x: 64*256*512*512 = 2^32), and
     * for a layer without output. */
    Conv2dGeom big = geom_basic(64, 256, 512, 512, 512, 3, 3);
    big.pad_h = big.pad_w = 1;
    check_given_numel(&big);
    Conv2dGeom none = geom_basic(2, 3, 4, 4, 5, 7, 7);
    check_given_numel(&none);
}
END_TEST

GRADED_SUITE(sizes_suite, "sizes",
    GRADED(test_out_size, 4, "conv_out_size: LeNet, AlexNet, VGG, strides, dilation, no fit"),
    GRADED(test_out_size_each_argument, 3, "conv_out_size: each argument on its own, floor and fit boundaries"),
    GRADED(test_param_count, 3, "conv2d_param_count: LeNet, AlexNet, VGG, groups, no bias"),
    GRADED(test_param_count_flag_and_large, 3, "conv2d_param_count: has_bias = 2, -1, 7; counts past 2^31"));

/* test3_stack.c: rf_stack on whole networks: small mixed stacks against the
 * oracle's walk down the stack, LeNet-5, and AlexNet and VGG-16 against the
 * published table of Araujo, Norris and Sim (Distill 2019; the
 * google-research/receptive_field library's RECEPTIVE_FIELD_TABLE.md), and
 * forty stride-2 layers. */
#include "grade.h"
#include "oracle_04.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

START_TEST(test_stack_short)
{
    /* clause: stack_states */
    check_stack(NULL, 0, "no layers at all");
    const RfLayer one[] = {CONV(3, 2, 1, 1)};
    check_stack(one, 1, NULL);
    const RfLayer two[] = {CONV(3, 1, 1, 1), POOL(2, 2)};
    check_stack(two, 2, NULL);
}
END_TEST

/* Every kind of layer and parameter in one small stack, h != w. */
START_TEST(test_stack_mixed)
{
    /* clause: stack_states */
    /* clause: layer_axes */
    const RfLayer layers[] = {
        L_CONV(3, 5, 1, 2, 1, 2, 1, 1),
        POINTWISE,
        L_POOL(2, 2, 2, 2, 0, 0),
        L_CONV(3, 3, 1, 1, 2, 2, 2, 2),
        L_CONV(5, 3, 2, 1, 2, 1, 1, 3),
        POINTWISE,
        L_POOL(3, 3, 2, 2, 1, 1),
        L_CONV(1, 1, 1, 1, 0, 0, 1, 1),
        L_CONV(3, 1, 3, 1, 1, 0, 1, 1),
    };
    check_stack(layers, N(layers), NULL);
}
END_TEST

/* LeNet-5: C1 conv5, S2 2x2/2, C3 conv5, S4 2x2/2, C5 conv5 (tanh between):
 * a C5 unit sees exactly the 32x32 input. */
START_TEST(test_stack_lenet5)
{
    /* clause: stack_states */
    const RfLayer layers[] = {
        CONV(5, 1, 0, 1), POINTWISE, POOL(2, 2), CONV(5, 1, 0, 1), POINTWISE,
        POOL(2, 2), CONV(5, 1, 0, 1), POINTWISE,
    };
    check_stack(layers, N(layers), "LeNet-5 (C1 conv5, tanh, S2 pool2/2, C3 "
                "conv5, tanh, S4 pool2/2, C5 conv5, tanh)");
}
END_TEST

/* AlexNet (alexnet_v2 of TF-Slim): conv1 11x11/4 unpadded, 3x3/2 max
 * pooling, conv2 5x5 padding 2, conv3-5 3x3 padding 1; ReLU and LRN are
 * pointwise. */
START_TEST(test_stack_alexnet)
{
    /* clause: stack_states */
    const RfLayer layers[] = {
        CONV(11, 4, 0, 1), POINTWISE, POINTWISE, POOL(3, 2),  /* 1-4   */
        CONV(5, 1, 2, 1), POINTWISE, POINTWISE, POOL(3, 2),   /* 5-8   */
        CONV(3, 1, 1, 1), POINTWISE,                          /* 9-10  */
        CONV(3, 1, 1, 1), POINTWISE,                          /* 11-12 */
        CONV(3, 1, 1, 1), POINTWISE, POOL(3, 2),              /* 13-15 */
    };
    const PublishedRow rows[] = {
        {1, "conv1", 11, 4, 0},    {4, "pool1", 19, 8, 0},
        {5, "conv2", 51, 8, 16},   {9, "conv3", 99, 16, 32},
        {11, "conv4", 131, 16, 48}, {13, "conv5", 163, 16, 64},
        {15, "pool5", 195, 32, 64},
    };
    check_published(layers, N(layers), "AlexNet",
                    "the published table (Araujo et al. 2019, alexnet_v2)", rows, N(rows));
}
END_TEST

/* VGG-16: thirteen 3x3 convolutions with padding 1 in five blocks, each
 * closed by a 2x2/2 max pooling (ReLU left out here). */
START_TEST(test_stack_vgg16)
{
    /* clause: stack_states */
    const RfLayer c = CONV(3, 1, 1, 1), m = POOL(2, 2);
    const RfLayer layers[] = {c, c, m, c, c, m, c, c, c, m, c, c, c, m, c, c, c, m};
    const PublishedRow rows[] = {
        {1, "conv1_1", 3, 1, 1},    {3, "pool1", 6, 2, 2},
        {4, "conv2_1", 10, 2, 4},   {6, "pool2", 16, 4, 6},
        {7, "conv3_1", 24, 4, 10},  {8, "conv3_2", 32, 4, 14},
        {10, "pool3", 44, 8, 18},   {11, "conv4_1", 60, 8, 26},
        {12, "conv4_2", 76, 8, 34}, {14, "pool4", 100, 16, 42},
        {15, "conv5_1", 132, 16, 58}, {16, "conv5_2", 164, 16, 74},
        {18, "pool5", 212, 32, 90},
    };
    check_published(layers, N(layers), "VGG-16",
                    "the published table (Araujo et al. 2019, vgg_16)", rows, N(rows));
}
END_TEST

/* Forty 3x3 stride-2 layers with padding 1: jump 2^40, size 2^41 - 1,
 * first -(2^40 - 1). */
START_TEST(test_stack_deep)
{
    /* clause: axis_64bit */
    /* clause: stack_states */
    RfLayer layers[40];
    for (int l = 0; l < 40; l++)
        layers[l] = CONV(3, 2, 1, 1);
    check_stack(layers, 40, "forty conv3 s2 p1 layers");
}
END_TEST

GRADED_SUITE(stack_suite, "rf_stack",
    GRADED(test_stack_short, 3, "rf_stack: 0, 1 and 2 layers"),
    GRADED(test_stack_mixed, 4, "rf_stack: conv, pool and pointwise, h != w, dilation"),
    GRADED(test_stack_lenet5, 3, "rf_stack: LeNet-5, C5 sees the whole 32x32 input"),
    GRADED(test_stack_alexnet, 4, "rf_stack: AlexNet against the published table"),
    GRADED(test_stack_vgg16, 4, "rf_stack: VGG-16 against the published table"),
    GRADED(test_stack_deep, 4, "rf_stack: forty stride-2 layers, jump 2^40"));

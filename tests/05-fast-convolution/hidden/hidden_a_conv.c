/* hidden_a_conv.c: more im2col, col2im and GEMM-convolution cases, other
 * shapes and seeds (instructor only). */
#include "grade.h"
#include "../oracle_05.h"

static size_t pixels(const Conv2dGeom *g)
{
    return (size_t)conv2d_out_h(g) * conv2d_out_w(g);
}

START_TEST(test_h_im2col)
{
    Conv2dGeom g = geom05(2, 4, 9, 7, 2, 3, 2);
    g.groups = 2, g.stride_h = 2, g.pad_w = 2, g.dil_h = 2;
    check_im2col(&g, 1, 0, 0, pixels(&g), 6001);
    check_im2col(&g, 0, 1, 3, 5, 6002);
    g = geom05(1, 1, 3, 11, 1, 3, 1);
    g.pad_h = 3, g.stride_w = 4;
    check_im2col(&g, 0, 0, 0, pixels(&g), 6003);
}
END_TEST

START_TEST(test_h_col2im)
{
    Conv2dGeom g = geom05(1, 3, 8, 6, 3, 2, 3);
    g.stride_w = 2, g.pad_h = 1, g.dil_w = 2;
    check_col2im(&g, 0, pixels(&g), 6011);
    check_col2im(&g, 2, 4, 6012);
    g = geom05(1, 2, 6, 6, 2, 2, 2);
    g.stride_h = g.stride_w = 2;
    check_col2im(&g, 0, pixels(&g), 6013);
}
END_TEST

START_TEST(test_h_forward)
{
    Conv2dGeom g = geom05(3, 6, 7, 5, 4, 3, 3);
    g.groups = 2, g.pad_h = 1, g.pad_w = 2, g.stride_w = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 6021);
    check_conv_forward(&g, 1, WS_MIN, 6022);
    g = geom05(2, 3, 10, 8, 5, 5, 5);
    g.pad_h = g.pad_w = 2;
    check_conv_forward(&g, 0, WS_SMALL, 6023);
    g = geom05(1, 2, 9, 9, 2, 3, 3);
    g.dil_h = g.dil_w = 3, g.pad_h = 3;
    check_conv_forward(&g, 1, WS_ENGINE, 6024);
}
END_TEST

START_TEST(test_h_backward)
{
    Conv2dGeom g = geom05(3, 4, 7, 6, 6, 3, 3);
    g.groups = 2, g.stride_h = 2, g.pad_w = 1;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 6031);
    check_conv_backward(&g, BW_ALL, WS_MIN, 6032);
    g = geom05(2, 3, 8, 9, 2, 2, 4);
    g.dil_w = 2, g.pad_h = 2;
    check_conv_backward(&g, BW_DW | BW_DB, WS_SMALL, 6033);
    check_conv_backward(&g, BW_DX, WS_ENGINE, 6034);
}
END_TEST

START_TEST(test_h_pointwise)
{
    Conv2dGeom g = geom05(3, 6, 5, 3, 4, 1, 1);
    g.groups = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 6041);
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 6042);
    check_conv_backward(&g, BW_ALL, WS_MIN, 6043);
}
END_TEST

START_TEST(test_h_engine)
{
    Conv2dGeom g = geom05(2, 4, 6, 7, 3, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv_forward_algo(&g, CONV_ALGO_IM2COL, 6051);
    check_conv_forward_algo(&g, CONV_ALGO_AUTO, 6052);
    g.dil_h = 2;
    check_conv_forward_algo(&g, CONV_ALGO_WINOGRAD, 6053); /* dilated: -1 */
    check_conv_backward_algo(&g, CONV_ALGO_AUTO, 6054);
    check_conv_backward_algo(&g, CONV_ALGO_DIRECT, 6055);
}
END_TEST

GRADED_SUITE(hidden_conv_suite, "im2col and the GEMM convolutions (more cases)",
    GRADED(test_h_im2col, 2, "im2col: groups, stride, dilation, tiles, a 3x1 kernel"),
    GRADED(test_h_col2im, 1.5, "col2im: dilation, tiles, non-overlapping windows"),
    GRADED(test_h_forward, 2.5, "conv2d_forward_im2col: groups, 5x5, dilation 3, tiles"),
    GRADED(test_h_backward, 2.5, "conv2d_backward_im2col: groups, stride, dilation, tiles, NULLs"),
    GRADED(test_h_pointwise, 1, "conv2d_*_im2col: grouped 1x1 layers"),
    GRADED(test_h_engine, 0.5, "conv2d_forward/backward_algo: im2col, auto, direct, -1"));

/* test_engine.c: conv2d forward and backward as GEMMs over im2col tiles,
 * eqs. (5.4)-(5.7), and the engine's dispatch (fastconv.h) of the im2col
 * path. Each case draws x, w, b (or dy) at random from its own seed and
 * compares with the direct double-precision sums of oracle_05.c. Every
 * case runs with OpenMP's thread count (2 on the course machines) unless it
 * says otherwise; the smallest workspaces force one thread and tiles of
 * one or a few pixels. */
#include "grade.h"
#include "oracle_05.h"

/* ---- forward ---------------------------------------------------------------------- */

/* clause: conv_fwd_formula, conv_fwd_bias */
START_TEST(test_fwd_basic)
{
    Conv2dGeom g = geom05(1, 2, 5, 6, 3, 3, 3);
    check_conv_forward(&g, 1, WS_ENGINE, 1201);
    g = geom05(2, 3, 6, 5, 4, 2, 3);
    check_conv_forward(&g, 1, WS_ENGINE, 1202);
}
END_TEST

/* clause: conv_fwd_geometry */
START_TEST(test_fwd_geometry)
{
    Conv2dGeom g = geom05(1, 2, 7, 6, 2, 3, 3);
    g.pad_h = 2; /* padding alone, h != w both ways */
    check_conv_forward(&g, 1, WS_ENGINE, 1211);
    g.pad_h = 0, g.pad_w = 3;
    check_conv_forward(&g, 1, WS_ENGINE, 1212);
    g = geom05(1, 2, 9, 8, 2, 3, 2);
    g.stride_h = 3; /* stride alone */
    check_conv_forward(&g, 1, WS_ENGINE, 1213);
    g.stride_h = 1, g.stride_w = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 1214);
    g = geom05(1, 2, 9, 10, 2, 3, 3);
    g.dil_h = 3; /* dilation alone */
    check_conv_forward(&g, 1, WS_ENGINE, 1215);
    g.dil_h = 1, g.dil_w = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 1216);
    g = geom05(1, 2, 6, 7, 3, 5, 1); /* kernel kh > kw, then kh < kw */
    check_conv_forward(&g, 1, WS_ENGINE, 1217);
    g = geom05(1, 2, 6, 7, 3, 2, 4);
    check_conv_forward(&g, 1, WS_ENGINE, 1218);
}
END_TEST

/* clause: conv_fwd_groups */
START_TEST(test_fwd_groups)
{
    Conv2dGeom g = geom05(3, 4, 6, 5, 6, 3, 3);
    g.groups = 2;
    g.pad_h = g.pad_w = 1;
    check_conv_forward(&g, 1, WS_ENGINE, 1221);
    g = geom05(2, 3, 5, 7, 6, 3, 3); /* depthwise, two filters per channel */
    g.groups = 3;
    g.stride_h = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 1222);
}
END_TEST

/* clause: conv_fwd_pointwise */
START_TEST(test_fwd_pointwise)
{
    Conv2dGeom g = geom05(2, 5, 4, 6, 3, 1, 1); /* x is the column matrix */
    check_conv_forward(&g, 1, WS_ENGINE, 1231);
    check_conv_forward(&g, 1, WS_MIN, 1232);
    g.groups = 1;
    g.pad_h = 1; /* 1x1 with padding: not the pointwise shortcut */
    check_conv_forward(&g, 1, WS_ENGINE, 1233);
    g.pad_h = 0, g.stride_w = 2;
    check_conv_forward(&g, 1, WS_ENGINE, 1234);
}
END_TEST

/* clause: conv_fwd_tiles, conv_fwd_workspace_any */
START_TEST(test_fwd_tiles)
{
    Conv2dGeom g = geom05(2, 3, 7, 6, 4, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv_forward(&g, 1, WS_MIN, 1241);
    check_conv_forward(&g, 1, WS_SMALL, 1242);
    g.groups = 1, g.stride_h = 2, g.dil_w = 2, g.pad_w = 2;
    check_conv_forward(&g, 1, WS_SMALL, 1243);
}
END_TEST

/* clause: conv_fwd_bias_null */
START_TEST(test_fwd_no_bias)
{
    Conv2dGeom g = geom05(2, 3, 5, 4, 2, 3, 2);
    g.pad_w = 1;
    check_conv_forward(&g, 0, WS_ENGINE, 1251);
    check_conv_forward(&g, 0, WS_SMALL, 1252);
}
END_TEST

/* clause: conv_fwd_size_t */
START_TEST(test_fwd_big_offsets) { check_conv_big_offsets(0); }
END_TEST

/* ---- backward ---------------------------------------------------------------------- */

/* clause: conv_bwd_formula, conv_bwd_overwrite */
START_TEST(test_bwd_basic)
{
    Conv2dGeom g = geom05(2, 2, 5, 6, 3, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1301);
    g = geom05(3, 3, 6, 5, 2, 2, 3);
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1302);
}
END_TEST

/* clause: conv_bwd_geometry */
START_TEST(test_bwd_geometry)
{
    Conv2dGeom g = geom05(2, 2, 8, 7, 2, 3, 3);
    g.stride_h = 2, g.pad_w = 2; /* windows with gaps and with padding */
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1311);
    g = geom05(2, 2, 7, 9, 3, 2, 3);
    g.stride_w = 3, g.dil_h = 2;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1312);
    g = geom05(1, 2, 6, 9, 2, 1, 4);
    g.pad_h = 3, g.dil_w = 2;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1313);
}
END_TEST

/* clause: conv_bwd_groups */
START_TEST(test_bwd_groups)
{
    Conv2dGeom g = geom05(2, 4, 6, 5, 6, 3, 3);
    g.groups = 2;
    g.pad_h = g.pad_w = 1;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1321);
    g = geom05(2, 3, 5, 6, 3, 3, 2); /* depthwise */
    g.groups = 3;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1322);
}
END_TEST

/* clause: conv_bwd_null */
START_TEST(test_bwd_null)
{
    Conv2dGeom g = geom05(2, 2, 5, 6, 3, 3, 3);
    g.pad_h = 1;
    check_conv_backward(&g, BW_DX, WS_ENGINE, 1331);
    check_conv_backward(&g, BW_DW, WS_ENGINE, 1332);
    check_conv_backward(&g, BW_DB, WS_ENGINE, 1333);
    check_conv_backward(&g, BW_DX | BW_DB, WS_SMALL, 1334);
}
END_TEST

/* clause: conv_bwd_tiles */
START_TEST(test_bwd_tiles)
{
    Conv2dGeom g = geom05(2, 3, 6, 7, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv_backward(&g, BW_ALL, WS_MIN, 1341);
    check_conv_backward(&g, BW_ALL, WS_SMALL, 1342);
}
END_TEST

/* clause: conv_bwd_pointwise */
START_TEST(test_bwd_pointwise)
{
    Conv2dGeom g = geom05(2, 4, 3, 5, 3, 1, 1);
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1351);
    g.groups = 1, g.stride_h = 2;
    check_conv_backward(&g, BW_ALL, WS_ENGINE, 1352);
}
END_TEST

/* clause: conv_bwd_size_t */
START_TEST(test_bwd_big_offsets) { check_conv_big_offsets(1); }
END_TEST

/* ---- the engine: one call per layer, whatever the algorithm ------------------------------ */

/* IM2COL and AUTO give conv2d's result with the workspace the engine asks
 * for; an algorithm that cannot do a layer returns -1 and leaves y alone. */
/* clause: algo_im2col, algo_auto, algo_unsupported, algo_ws64, algo_backward */
START_TEST(test_engine_dispatch)
{
    Conv2dGeom g = geom05(2, 3, 7, 6, 4, 5, 3);
    g.pad_h = 2;
    check_conv_forward_algo(&g, CONV_ALGO_IM2COL, 1401);
    check_conv_forward_algo(&g, CONV_ALGO_AUTO, 1402);
    check_conv_forward_algo(&g, CONV_ALGO_WINOGRAD, 1403); /* 5x3: -1 */
    g.stride_h = 2;
    check_conv_forward_algo(&g, CONV_ALGO_FFT, 1404);      /* stride 2: -1 */
    check_conv_backward_algo(&g, CONV_ALGO_IM2COL, 1405);
    check_conv_backward_algo(&g, CONV_ALGO_AUTO, 1406);
}
END_TEST

/* The column buffers stay within IM2COL_BUDGET_BYTES however large the
 * image: an ImageNet-sized layer (224x224, 64 channels, 3x3) would need
 * 115 MB of columns untiled. */
/* clause: algo_budget */
START_TEST(test_engine_budget)
{
    Conv2dGeom big = geom05(1, 64, 224, 224, 64, 3, 3);
    big.pad_h = big.pad_w = 1;
    const int T = fastconv_threads();
    const size_t bytes = conv2d_workspace_bytes(&big, CONV_ALGO_IM2COL);
    const size_t cols = bytes - (size_t)T * gemm_workspace_bytes(1);
    ck_assert_msg(cols <= IM2COL_BUDGET_BYTES + 64,
                  "conv2d_workspace_bytes(N=1 C_in=64 H=224 W=224, C_out=64 "
                  "3x3 pad 1, im2col) = %zu bytes: %zu bytes of column buffers "
                  "at %d threads, more than IM2COL_BUDGET_BYTES = %zu.",
                  bytes, cols, T, (size_t)IM2COL_BUDGET_BYTES);
    /* and the tiled path still computes a layer with several tiles */
    Conv2dGeom g = geom05(1, 8, 20, 18, 3, 3, 3);
    g.pad_h = g.pad_w = 1;
    check_conv_forward(&g, 1, WS_SMALL, 1411);
}
END_TEST

GRADED_SUITE(conv_fwd_suite, "conv2d_forward_im2col",
    GRADED(test_fwd_basic, 2, "conv2d_forward_im2col: 3x3 and 2x3 layers, batch 2, bias"),
    GRADED(test_fwd_geometry, 1.5, "conv2d_forward_im2col: padding, stride, dilation, kernel shape, each alone"),
    GRADED(test_fwd_groups, 1.5, "conv2d_forward_im2col: groups 2 with batch 3, depthwise"),
    GRADED(test_fwd_pointwise, 1, "conv2d_forward_im2col: 1x1 kernels (x as the column matrix)"),
    GRADED(test_fwd_tiles, 1, "conv2d_forward_im2col: tiles of one and of about 7 pixels"),
    GRADED(test_fwd_no_bias, 0.5, "conv2d_forward_im2col: bias = NULL"),
    GRADED(test_fwd_big_offsets, 0.5, "conv2d_forward_im2col: an input of more than 2^31 floats"));

GRADED_SUITE(conv_bwd_suite, "conv2d_backward_im2col",
    GRADED(test_bwd_basic, 1.5, "conv2d_backward_im2col: dx, dweight, dbias of two layers"),
    GRADED(test_bwd_geometry, 1.5, "conv2d_backward_im2col: stride, padding, dilation, kernel shape"),
    GRADED(test_bwd_groups, 1, "conv2d_backward_im2col: groups 2, depthwise, batch 2"),
    GRADED(test_bwd_null, 1, "conv2d_backward_im2col: NULL outputs (and inputs nobody reads)"),
    GRADED(test_bwd_tiles, 1, "conv2d_backward_im2col: tiles of one and of about 7 pixels"),
    GRADED(test_bwd_pointwise, 0.5, "conv2d_backward_im2col: 1x1 kernels"),
    GRADED(test_bwd_big_offsets, 0.5, "conv2d_backward_im2col: an input of more than 2^31 floats"));

GRADED_SUITE(engine_suite, "the engine (fastconv.h)",
    GRADED(test_engine_dispatch, 1, "conv2d_forward/backward_algo: im2col, auto, and -1 for what an algorithm cannot do"),
    GRADED(test_engine_budget, 0.5, "conv2d_workspace_bytes: column buffers under 4 MiB for a 224x224 layer"));

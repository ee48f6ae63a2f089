/* test_im2col.c: im2col, eq. (5.3), and its adjoint col2im, eq. (5.9).
 * Each case draws x (or cols and a non-zero dx) at random from its own
 * seed and compares with oracle_05.c, which reads every tap of eq. (5.3)
 * straight from the definition. Each geometry parameter is swept on its
 * own, with height and width different both ways. */
#include "grade.h"
#include "oracle_05.h"

static size_t pixels(const Conv2dGeom *g)
{
    return (size_t)conv2d_out_h(g) * conv2d_out_w(g);
}

/* im2col of the whole output of image 0, group 0. */
static void whole(const Conv2dGeom *g, unsigned long long seed)
{
    check_im2col(g, 0, 0, 0, pixels(g), seed);
}

/* ---- im2col ---------------------------------------------------------------------- */

/* clause: im2col_rows_order, im2col_formula */
START_TEST(test_im2col_basic)
{
    Conv2dGeom g = geom05(1, 2, 5, 6, 3, 3, 3);
    whole(&g, 1001);
    g = geom05(1, 3, 4, 4, 2, 2, 3);
    whole(&g, 1002);
}
END_TEST

/* clause: im2col_padding */
START_TEST(test_im2col_padding)
{
    const int pads[][2] = {{0, 1}, {1, 0}, {2, 3}, {3, 1}};
    for (int k = 0; k < 4; k++) {
        Conv2dGeom g = geom05(1, 2, 5, 4, 2, 3, 3);
        g.pad_h = pads[k][0];
        g.pad_w = pads[k][1];
        whole(&g, 1011 + (unsigned)k);
    }
}
END_TEST

/* clause: im2col_stride */
START_TEST(test_im2col_stride)
{
    const int strides[][2] = {{2, 1}, {1, 3}, {3, 2}, {3, 3}};
    for (int k = 0; k < 4; k++) {
        Conv2dGeom g = geom05(1, 2, 9, 8, 2, 2, 3);
        g.stride_h = strides[k][0];
        g.stride_w = strides[k][1];
        g.pad_h = 1;
        whole(&g, 1021 + (unsigned)k);
    }
}
END_TEST

/* clause: im2col_dilation */
START_TEST(test_im2col_dilation)
{
    const int dils[][2] = {{2, 1}, {1, 3}, {3, 2}};
    for (int k = 0; k < 3; k++) {
        Conv2dGeom g = geom05(1, 2, 9, 10, 2, 3, 3);
        g.dil_h = dils[k][0];
        g.dil_w = dils[k][1];
        g.pad_w = 2;
        whole(&g, 1031 + (unsigned)k);
    }
}
END_TEST

/* clause: im2col_kernels */
START_TEST(test_im2col_kernels)
{
    Conv2dGeom g = geom05(1, 2, 7, 6, 2, 5, 2); /* kh > kw */
    whole(&g, 1041);
    g = geom05(1, 2, 6, 7, 2, 1, 4);            /* kh < kw */
    whole(&g, 1042);
    g = geom05(1, 3, 4, 5, 2, 1, 1);            /* 1x1 with padding */
    g.pad_h = 1;
    g.pad_w = 2;
    whole(&g, 1043);
    g = geom05(1, 2, 4, 5, 2, 4, 5);            /* the kernel is the image */
    whole(&g, 1044);
}
END_TEST

/* A later image and group: x points at that group's first channel. */
/* clause: im2col_group_pointer */
START_TEST(test_im2col_groups)
{
    Conv2dGeom g = geom05(2, 6, 5, 4, 4, 3, 2);
    g.groups = 2;
    g.pad_h = 1;
    check_im2col(&g, 1, 1, 0, pixels(&g), 1051);
    g.groups = 3;
    check_im2col(&g, 0, 2, 0, pixels(&g), 1052);
}
END_TEST

/* Tiles that start mid-row and end mid-row, single pixels, the last few. */
/* clause: im2col_tile */
START_TEST(test_im2col_tiles)
{
    Conv2dGeom g = geom05(1, 2, 7, 9, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    g.stride_w = 2;
    const size_t P = pixels(&g);
    check_im2col(&g, 0, 0, 5, 9, 1061);
    check_im2col(&g, 0, 0, 0, 1, 1062);
    check_im2col(&g, 0, 0, P - 3, 3, 1063);
    check_im2col(&g, 0, 0, 12, 1, 1064);
    check_im2col(&g, 0, 0, 1, P - 1, 1065);
}
END_TEST

/* clause: im2col_size_t */
START_TEST(test_im2col_big_offsets) { check_im2col_big_offsets(0); }
END_TEST

/* ---- col2im ---------------------------------------------------------------------- */

/* Overlapping windows (stride 1) add up; dx starts non-zero and keeps it. */
/* clause: col2im_adds, col2im_formula */
START_TEST(test_col2im_basic)
{
    Conv2dGeom g = geom05(1, 2, 5, 6, 3, 3, 3);
    check_col2im(&g, 0, pixels(&g), 1101);
    g = geom05(1, 1, 4, 4, 1, 2, 2);
    g.pad_h = g.pad_w = 1;
    check_col2im(&g, 0, pixels(&g), 1102);
}
END_TEST

/* Windows that never overlap and leave gaps: stride 3, 2x2 kernel. What
 * dx held before must still be there, everywhere. */
/* clause: col2im_no_clear */
START_TEST(test_col2im_gaps)
{
    Conv2dGeom g = geom05(1, 2, 8, 9, 2, 2, 2);
    g.stride_h = g.stride_w = 3;
    check_col2im(&g, 0, pixels(&g), 1111);
}
END_TEST

/* clause: col2im_padding_dropped, col2im_geometry */
START_TEST(test_col2im_geometry)
{
    Conv2dGeom g = geom05(1, 2, 7, 6, 2, 3, 2);
    g.pad_h = 2;
    g.pad_w = 1;
    g.stride_h = 2;
    check_col2im(&g, 0, pixels(&g), 1121);
    g = geom05(1, 2, 9, 8, 2, 2, 3);
    g.dil_h = 3;
    g.stride_w = 2;
    g.pad_w = 3;
    check_col2im(&g, 0, pixels(&g), 1122);
    g = geom05(1, 3, 5, 6, 3, 1, 1);
    g.groups = 3;
    g.pad_h = 1;
    check_col2im(&g, 0, pixels(&g), 1123);
}
END_TEST

/* clause: col2im_tile */
START_TEST(test_col2im_tiles)
{
    Conv2dGeom g = geom05(1, 2, 7, 9, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    const size_t P = pixels(&g);
    check_col2im(&g, 4, 11, 1131);
    check_col2im(&g, P - 2, 2, 1132);
    check_col2im(&g, 10, 1, 1133);
}
END_TEST

/* clause: col2im_size_t */
START_TEST(test_col2im_big_offsets) { check_im2col_big_offsets(1); }
END_TEST

GRADED_SUITE(im2col_suite, "im2col",
    GRADED(test_im2col_basic, 1, "im2col: 2 and 3 channels, 3x3 and 2x3 kernels"),
    GRADED(test_im2col_padding, 1, "im2col: padding (0,1), (1,0), (2,3), (3,1)"),
    GRADED(test_im2col_stride, 1, "im2col: stride (2,1), (1,3), (3,2), (3,3)"),
    GRADED(test_im2col_dilation, 1, "im2col: dilation (2,1), (1,3), (3,2)"),
    GRADED(test_im2col_kernels, 1, "im2col: 5x2, 1x4, 1x1 with padding, kernel = image"),
    GRADED(test_im2col_groups, 1, "im2col: image 1 group 1 of 2, image 0 group 2 of 3"),
    GRADED(test_im2col_tiles, 1, "im2col: tiles starting and ending mid-row, single pixels"),
    GRADED(test_im2col_big_offsets, 1, "im2col: an input of more than 2^31 floats"));

GRADED_SUITE(col2im_suite, "col2im",
    GRADED(test_col2im_basic, 1, "col2im: overlapping windows add into a non-zero dx"),
    GRADED(test_col2im_gaps, 1, "col2im: stride 3 with a 2x2 kernel (gaps): dx is kept"),
    GRADED(test_col2im_geometry, 1, "col2im: padding, stride, dilation, groups"),
    GRADED(test_col2im_tiles, 1, "col2im: tiles starting and ending mid-row"),
    GRADED(test_col2im_big_offsets, 0.5, "col2im: a dx of more than 2^31 floats"));

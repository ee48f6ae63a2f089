/* test_indexing.c: graded tests of chapter 00's tensor indexing helpers
 * (nchw_index, nhwc_index, nchw_strides, nchw_to_nhwc), against the
 * independent offsets of oracle_00.c. The clause ids are those of
 * clauses.txt. */
#include "basics.h"
#include "grade.h"
#include "oracle_00.h"

/* Every element of a batch of two 3-channel 4x5 images, the last one
 * included. */
/* clause: nchw-formula */
/* clause: nchw-range */
START_TEST(test_nchw_index_batch)
{
    Dims4 d = {2, 3, 4, 5};
    check_offsets("nchw_index", nchw_index, d, oracle_nchw, nchw_alts,
                  n_nchw_alts);
}
END_TEST

/* Non-square, odd, more channels than batch and the other way round, and
 * sizes of 1 on every axis (a fully-connected layer's activations, a single
 * channel, a single image). */
/* clause: nchw-formula */
/* clause: dims4-shape */
START_TEST(test_nchw_index_shapes)
{
    const Dims4 shapes[] = {
        {3, 2, 7, 3}, {1, 5, 3, 6}, {4, 6, 1, 1}, {2, 1, 5, 2}, {1, 1, 1, 4},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_offsets("nchw_index", nchw_index, shapes[s], oracle_nchw,
                      nchw_alts, n_nchw_alts);
}
END_TEST

/* C differs from H and W, so taking the arguments in NHWC order shows. */
/* clause: nhwc-formula */
/* clause: nhwc-arg-order */
START_TEST(test_nhwc_index)
{
    const Dims4 shapes[] = {{2, 3, 4, 5}, {3, 4, 2, 3}, {1, 2, 3, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_offsets("nhwc_index", nhwc_index, shapes[s], oracle_nhwc,
                      nhwc_alts, n_nhwc_alts);
}
END_TEST

/* clause: strides-formula */
/* clause: strides-identity */
/* clause: strides-elements */
/* clause: strides-four */
START_TEST(test_nchw_strides)
{
    check_strides((Dims4){2, 3, 4, 5});
    check_strides((Dims4){1, 16, 7, 9});
    check_strides((Dims4){5, 1, 1, 3});
}
END_TEST

/* clause: to-nhwc-formula */
/* clause: to-nhwc-bounds */
/* clause: to-nhwc-src-const */
/* clause: to-nhwc-inverse */
START_TEST(test_nchw_to_nhwc)
{
    check_nchw_to_nhwc((Dims4){2, 3, 4, 5});
    check_nchw_to_nhwc((Dims4){1, 4, 3, 2});
}
END_TEST

/* Shapes of more than 2^31 elements, never allocated: only their offsets
 * and strides are computed. In the first, C*H*W = 3e9 overflows an int
 * and the offsets pass 2^32; in the second, H*W alone does (2.5e9). */
/* clause: nchw-size_t */
/* clause: nhwc-size_t */
/* clause: strides-size_t */
/* clause: dims4-numel */
START_TEST(test_offsets_past_2_31)
{
    check_large_shape((Dims4){2, 3000, 1000, 1000});
    check_large_shape((Dims4){3, 2, 50000, 50000});
}
END_TEST

GRADED_SUITE(indexing_suite, "tensor indexing",
    GRADED(test_nchw_index_batch, 8,
           "nchw_index: every element of (2, 3, 4, 5)"),
    GRADED(test_nchw_index_shapes, 5,
           "nchw_index: non-square, odd and size-1 shapes"),
    GRADED(test_nhwc_index, 6, "nhwc_index: channel-last offsets"),
    GRADED(test_nchw_strides, 5, "nchw_strides: strides in elements"),
    GRADED(test_nchw_to_nhwc, 5, "nchw_to_nhwc: layout conversion"),
    GRADED(test_offsets_past_2_31, 5,
           "nchw_index, nhwc_index, nchw_strides: tensors past 2^31 elements"));

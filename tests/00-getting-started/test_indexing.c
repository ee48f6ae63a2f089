/* test_indexing.c: graded tests of chapter 00's tensor indexing helpers
 * (nchw_index, nhwc_index, nchw_strides, nchw_to_nhwc), against the
 * independent offsets of oracle_00.c. */
#include "basics.h"
#include "grade.h"
#include "oracle_00.h"

static const OffsetAlt nchw_alts[] = {
    {oracle_nchw_hw_swapped, HINT_HW},
    {oracle_nchw_nc_swapped, HINT_NC},
    {oracle_nhwc, "these are NHWC offsets (channel last): in NCHW the "
                  "offset is ((n*C + c)*H + h)*W + w."},
};
static const OffsetAlt nhwc_alts[] = {
    {oracle_nchw, HINT_NCHW_FOR_NHWC},
    {oracle_nhwc_hw_swapped, HINT_NHWC_HW},
};
#define N_ALTS(a) ((int)(sizeof a / sizeof a[0]))

/* Every element of a batch of two 3-channel 4x5 images. */
START_TEST(test_nchw_index_batch)
{
    Dims4 d = {2, 3, 4, 5};
    check_offsets("nchw_index", nchw_index, d, oracle_nchw, nchw_alts,
                  N_ALTS(nchw_alts));
}
END_TEST

/* Non-square, odd, more channels than batch and the other way round, and a
 * 1x1 spatial size (a fully-connected layer's activations). */
START_TEST(test_nchw_index_shapes)
{
    const Dims4 shapes[] = {
        {3, 2, 7, 3}, {1, 5, 3, 6}, {4, 6, 1, 1}, {2, 1, 5, 2},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_offsets("nchw_index", nchw_index, shapes[s], oracle_nchw,
                      nchw_alts, N_ALTS(nchw_alts));
}
END_TEST

START_TEST(test_nhwc_index)
{
    const Dims4 shapes[] = {{2, 3, 4, 5}, {3, 4, 2, 3}, {1, 2, 3, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        check_offsets("nhwc_index", nhwc_index, shapes[s], oracle_nhwc,
                      nhwc_alts, N_ALTS(nhwc_alts));
}
END_TEST

START_TEST(test_nchw_strides)
{
    check_strides((Dims4){2, 3, 4, 5});
    check_strides((Dims4){1, 16, 7, 9});
    check_strides((Dims4){5, 1, 1, 3});
}
END_TEST

START_TEST(test_nchw_to_nhwc)
{
    check_nchw_to_nhwc((Dims4){2, 3, 4, 5});
    check_nchw_to_nhwc((Dims4){1, 4, 3, 2});
}
END_TEST

GRADED_SUITE(indexing_suite, "tensor indexing",
    GRADED(test_nchw_index_batch, 8,
           "nchw_index: every element of (2, 3, 4, 5)"),
    GRADED(test_nchw_index_shapes, 6,
           "nchw_index: non-square, odd and 1x1 shapes"),
    GRADED(test_nhwc_index, 7, "nhwc_index: channel-last offsets"),
    GRADED(test_nchw_strides, 6, "nchw_strides: strides in elements"),
    GRADED(test_nchw_to_nhwc, 8, "nchw_to_nhwc: layout conversion"));

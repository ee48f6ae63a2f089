/* test_gemm.c: the GEMM exercises, eqs. (5.11)-(5.17), and the engine's GEMM.
 * Each case draws A, B and C at random from its own seed and compares C
 * with the double-precision triple sum of oracle_05.c; the cells around C's
 * block are guarded, and C starts as NaN when beta == 0. */
#include "grade.h"
#include "oracle_05.h"

#define N_ GEMM_N
#define T_ GEMM_T

/* ---- gemm_naive and gemm_ikj ---------------------------------------------------- */

/* clause: gemm_formula, gemm_beta0_not_read */
static const GemmCase small_nn[] = {
    {N_, N_, 3, 4, 5, 0, 0, 0, 0.0f},
    {N_, N_, 1, 7, 2, 0, 0, 0, 0.0f},
    {N_, N_, 6, 1, 9, 0, 0, 0, 0.0f},
};

/* Every op pair, leading dimensions wider than the matrices, beta != 0. */
/* clause: gemm_op, gemm_ld, gemm_gap, gemm_beta */
static const GemmCase ops_ld[] = {
    {N_, N_, 5, 7, 3, 4, 9, 10, 0.5f},
    {T_, N_, 5, 7, 3, 8, 0, 9, -1.5f},
    {N_, T_, 4, 6, 5, 0, 7, 8, 2.0f},
    {T_, T_, 7, 3, 6, 9, 8, 5, 1.0f},
    {T_, N_, 3, 5, 8, 0, 0, 0, 0.0f},
};

/* clause: gemm_k0, gemm_m0n0 */
static const GemmCase degenerate[] = {
    {N_, N_, 3, 4, 0, 1, 0, 6, 0.0f},
    {T_, T_, 3, 4, 0, 5, 1, 0, 2.5f},
    {N_, N_, 0, 4, 3, 0, 0, 0, 0.0f},
    {N_, N_, 3, 0, 3, 0, 0, 1, 0.0f},
    {N_, N_, 1, 1, 1, 0, 0, 0, 0.0f},
};

START_TEST(test_naive_small) { check_gemm_cases(GF_NAIVE, SIMD_SCALAR, 1, small_nn, 3, 501); }
END_TEST
START_TEST(test_naive_ops) { check_gemm_cases(GF_NAIVE, SIMD_SCALAR, 1, ops_ld, 5, 511); }
END_TEST
START_TEST(test_naive_degenerate) { check_gemm_cases(GF_NAIVE, SIMD_SCALAR, 1, degenerate, 5, 521); }
END_TEST
START_TEST(test_ikj_small) { check_gemm_cases(GF_IKJ, SIMD_SCALAR, 1, small_nn, 3, 531); }
END_TEST
START_TEST(test_ikj_ops) { check_gemm_cases(GF_IKJ, SIMD_SCALAR, 1, ops_ld, 5, 541); }
END_TEST
START_TEST(test_ikj_degenerate) { check_gemm_cases(GF_IKJ, SIMD_SCALAR, 1, degenerate, 5, 551); }
END_TEST

/* ---- packing --------------------------------------------------------------------- */

/* clause: gemm_pack_a_layout, gemm_pack_a_zero_pad */
START_TEST(test_pack_a)
{
    check_pack_a(GEMM_N, 8, 3, 3, 4, 601);  /* whole panels */
    check_pack_a(GEMM_N, 7, 5, 9, 4, 602);  /* a short last panel, lda > kc */
    check_pack_a(GEMM_T, 10, 4, 12, 3, 603);
    check_pack_a(GEMM_N, 5, 2, 2, 1, 604);  /* mr = 1 */
    check_pack_a(GEMM_T, 3, 6, 3, 8, 605);  /* one panel, mostly padding */
}
END_TEST

/* clause: gemm_pack_b_layout, gemm_pack_b_zero_pad */
START_TEST(test_pack_b)
{
    check_pack_b(GEMM_N, 3, 16, 16, 8, 611);
    check_pack_b(GEMM_N, 4, 11, 13, 8, 612);
    check_pack_b(GEMM_T, 5, 9, 7, 4, 613);
    check_pack_b(GEMM_N, 2, 5, 5, 1, 614);
    check_pack_b(GEMM_T, 6, 3, 6, 5, 615);
}
END_TEST

/* ---- the micro-kernel ------------------------------------------------------------- */

/* clause: gemm_micro_formula, gemm_micro_edge, gemm_micro_beta0, gemm_micro_k0 */
START_TEST(test_micro_kernel)
{
    check_micro_kernel(5, GEMM_MR, GEMM_NR, 0.0f, 701);  /* a whole tile */
    check_micro_kernel(7, GEMM_MR, GEMM_NR, 1.0f, 702);
    check_micro_kernel(3, GEMM_MR - 1, GEMM_NR, 0.5f, 703); /* edge tiles */
    check_micro_kernel(4, GEMM_MR, GEMM_NR - 3, 0.0f, 704);
    check_micro_kernel(6, 1, 1, -2.0f, 705);
    check_micro_kernel(0, 2, 5, 3.0f, 706);
}
END_TEST

/* ---- gemm_blocked ------------------------------------------------------------------ */

/* Shapes that cross GEMM_MC (64), GEMM_KC (256) and GEMM_NC (1024), with
 * partial register tiles at every edge (M % GEMM_MR and N % GEMM_NR != 0). */
/* clause: gemm_blocked_contract, gemm_blocked_beta_first_slice */
static const GemmCase blocked_big[] = {
    {N_, N_, 67, 37, 300, 0, 0, 41, 0.0f},
    {T_, N_, 71, 1030, 9, 0, 0, 0, 0.0f},
    {N_, T_, 13, 29, 530, 0, 0, 0, 0.5f},
};

static const GemmCase blocked_ops[] = {
    {N_, N_, 5, 7, 3, 4, 9, 10, 0.5f},
    {T_, N_, 5, 9, 3, 8, 0, 9, -1.5f},
    {N_, T_, 7, 6, 5, 0, 7, 8, 2.0f},
    {T_, T_, 9, 3, 6, 11, 8, 5, 1.0f},
    {N_, N_, 3, 4, 0, 1, 0, 6, 0.0f},
    {T_, T_, 3, 4, 0, 5, 1, 0, 2.5f},
};

START_TEST(test_blocked_big) { check_gemm_cases(GF_BLOCKED, SIMD_SCALAR, 1, blocked_big, 3, 801); }
END_TEST
START_TEST(test_blocked_ops) { check_gemm_cases(GF_BLOCKED, SIMD_SCALAR, 1, blocked_ops, 6, 811); }
END_TEST

/* ---- the engine's GEMM on every path -------------------------------------------------- */

/* clause: gemm_isa_paths, gemm_isa_threads, gemm_isa_scalar */
static const GemmCase engine_cases[] = {
    {N_, N_, 29, 45, 70, 0, 0, 0, 0.0f},
    {T_, N_, 33, 50, 17, 0, 0, 53, 0.5f},
    {N_, T_, 67, 130, 40, 0, 0, 0, 0.0f},
    {T_, T_, 5, 3, 330, 0, 0, 4, 1.0f},
    {N_, N_, 150, 20, 64, 0, 0, 0, 0.0f},
};

START_TEST(test_gemm_isa)
{
    for (int isa = SIMD_SCALAR; isa <= (int)simd_cpu_isa(); isa++)
        for (int threads = 1; threads <= 2; threads++)
            check_gemm_cases(GF_ISA, (SimdIsa)isa, threads, engine_cases, 5,
                             901 + 100 * (unsigned)isa);
    check_gemm_cases(GF_ENGINE, SIMD_SCALAR, 2, engine_cases, 5, 951);
}
END_TEST

/* clause: gemm_size_t */
START_TEST(test_gemm_big_offsets)
{
    check_gemm_big_offsets(GF_NAIVE);
    check_gemm_big_offsets(GF_IKJ);
    check_gemm_big_offsets(GF_BLOCKED);
    check_gemm_big_offsets(GF_ENGINE);
}
END_TEST

GRADED_SUITE(gemm_loops_suite, "gemm_naive and gemm_ikj",
    GRADED(test_naive_small, 1, "gemm_naive: small products, beta 0 (C holds NaN)"),
    GRADED(test_naive_ops, 1, "gemm_naive: every op_a/op_b, wide leading dimensions, beta"),
    GRADED(test_naive_degenerate, 1, "gemm_naive: K = 0, M = 0, N = 0, 1x1x1"),
    GRADED(test_ikj_small, 1, "gemm_ikj: small products, beta 0 (C holds NaN)"),
    GRADED(test_ikj_ops, 1, "gemm_ikj: every op_a/op_b, wide leading dimensions, beta"),
    GRADED(test_ikj_degenerate, 1, "gemm_ikj: K = 0, M = 0, N = 0, 1x1x1"));

GRADED_SUITE(gemm_blocked_suite, "gemm_blocked and its pieces",
    GRADED(test_pack_a, 1.5, "gemm_pack_a: panels of mr rows, zero padding, op_a"),
    GRADED(test_pack_b, 1.5, "gemm_pack_b: panels of nr columns, zero padding, op_b"),
    GRADED(test_micro_kernel, 1.5, "gemm_micro_kernel: whole and edge tiles, beta, kc = 0"),
    GRADED(test_blocked_big, 2, "gemm_blocked: shapes across MC, KC and NC, edge tiles"),
    GRADED(test_blocked_ops, 1, "gemm_blocked: every op pair, leading dimensions, beta, K = 0"),
    GRADED(test_gemm_isa, 1.5, "gemm_isa: every SIMD path of this CPU, 1 and 2 threads"),
    GRADED(test_gemm_big_offsets, 1, "gemm_*: offsets past 2^31 (lda = 2^30 + 7)"));

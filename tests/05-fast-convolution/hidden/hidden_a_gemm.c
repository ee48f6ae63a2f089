/* hidden_a_gemm.c: more GEMM cases, other shapes and seeds (instructor
 * only). */
#include "grade.h"
#include "../oracle_05.h"

#define N_ GEMM_N
#define T_ GEMM_T

static const GemmCase loops[] = {
    {T_, T_, 4, 9, 7, 6, 11, 12, -0.25f},
    {N_, T_, 8, 2, 13, 15, 0, 0, 0.0f},
    {T_, N_, 1, 11, 4, 0, 12, 13, 3.0f},
    {N_, N_, 2, 3, 0, 1, 0, 0, 0.0f},
};

START_TEST(test_h_naive) { check_gemm_cases(GF_NAIVE, SIMD_SCALAR, 1, loops, 4, 5001); }
END_TEST
START_TEST(test_h_ikj) { check_gemm_cases(GF_IKJ, SIMD_SCALAR, 1, loops, 4, 5011); }
END_TEST

START_TEST(test_h_pack_micro)
{
    check_pack_a(GEMM_T, 13, 7, 15, 6, 5021);
    check_pack_b(GEMM_T, 7, 13, 9, 6, 5022);
    check_pack_a(GEMM_N, 1, 1, 1, 2, 5023);
    check_micro_kernel(9, GEMM_MR, 1, 0.0f, 5024);
    check_micro_kernel(2, 1, GEMM_NR, -1.0f, 5025);
}
END_TEST

static const GemmCase blocked[] = {
    {T_, T_, 130, 21, 257, 0, 0, 0, 0.0f},
    {N_, N_, 3, 2049, 5, 0, 0, 2051, 1.5f},
    {N_, T_, 65, 9, 513, 600, 520, 0, 0.0f},
};

START_TEST(test_h_blocked) { check_gemm_cases(GF_BLOCKED, SIMD_SCALAR, 1, blocked, 3, 5031); }
END_TEST

static const GemmCase engine[] = {
    {T_, N_, 97, 333, 19, 0, 0, 0, 0.0f},
    {N_, T_, 7, 5, 700, 0, 0, 0, 0.75f},
};

START_TEST(test_h_engine)
{
    for (int isa = SIMD_SCALAR; isa <= (int)simd_cpu_isa(); isa++)
        check_gemm_cases(GF_ISA, (SimdIsa)isa, 2, engine, 2, 5041 + (unsigned)isa);
}
END_TEST

GRADED_SUITE(hidden_gemm_suite, "gemm (more cases)",
    GRADED(test_h_naive, 1, "gemm_naive: more op pairs and leading dimensions"),
    GRADED(test_h_ikj, 1, "gemm_ikj: more op pairs and leading dimensions"),
    GRADED(test_h_pack_micro, 1, "gemm_pack_a/b, gemm_micro_kernel: other panel widths and tiles"),
    GRADED(test_h_blocked, 1, "gemm_blocked: two of each block, N past 2 panels"),
    GRADED(test_h_engine, 1, "gemm_isa: other shapes on every path"));

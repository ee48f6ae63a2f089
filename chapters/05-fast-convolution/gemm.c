/* gemm.c: chapter 05, the GEMM exercises. Implement the functions marked
 * TODO in the order they appear (the lesson's "Your turn" section) and
 * check each one with `./build.sh check 05`. The contracts are in gemm.h;
 * equation numbers refer to lesson.md. Nothing here allocates memory. */
#include "gemm.h"

/* >>> strides_tip */
/* Tip: GEMM_T only swaps the roles of the two indices. Read op(A)[i][p] as
 * A[i*rs + p*cs] with (rs, cs) = (lda, 1) for GEMM_N and (1, lda) for
 * GEMM_T, both size_t, and no loop needs to test op_a. */
/* <<< strides_tip */

/* ---- the triple loop and its reordering ---------------------------------- */

/* >>> naive_todo */
/* C = op(A) op(B) + beta C, eq. (5.11), in the loop order of the equation:
 * i, j, then the sum over p. */
void gemm_naive(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc)
{
    /* TODO: for each (i, j), sum op(A)[i][p] * op(B)[p][j] over p < K in a
     * float, then store acc (beta == 0: do NOT read C, it may be NaN) or
     * acc + beta * C[i][j]. Offsets in size_t: (size_t)i * ldc + j. */
    (void)op_a, (void)op_b, (void)M, (void)N, (void)K, (void)A, (void)lda;
    (void)B, (void)ldb, (void)beta, (void)C, (void)ldc;
}
/* <<< naive_todo */

/* The same product, loops ordered i, p, j, eq. (5.13). */
void gemm_ikj(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
              int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    /* TODO: for each row i of C: first set the row to beta * C (to 0 when
     * beta == 0, without reading it), then for each p add op(A)[i][p] times
     * row p of op(B) into it. The innermost loop runs over j. */
    (void)op_a, (void)op_b, (void)M, (void)N, (void)K, (void)A, (void)lda;
    (void)B, (void)ldb, (void)beta, (void)C, (void)ldc;
}

/* ---- packing ----------------------------------------------------------- */

/* Packs an mc x kc block of op(A) into panels of mr rows, eq. (5.15):
 *   pa[(ip*kc + p)*mr + r] = op(A)[ip*mr + r][p], 0 past row mc. */
void gemm_pack_a(GemmOp op_a, int mc, int kc, const float *A, int lda, int mr,
                 float *pa)
{
    /* TODO: loop over the panels (i0 = 0, mr, 2mr, ...), then p < kc, then
     * r < mr; write 0 for the rows i0 + r >= mc of the last panel. */
    (void)op_a, (void)mc, (void)kc, (void)A, (void)lda, (void)mr, (void)pa;
}

/* Packs a kc x nc block of op(B) into panels of nr columns, eq. (5.15):
 *   pb[(jp*kc + p)*nr + c] = op(B)[p][jp*nr + c], 0 past column nc. */
void gemm_pack_b(GemmOp op_b, int kc, int nc, const float *B, int ldb, int nr,
                 float *pb)
{
    /* TODO: as gemm_pack_a, with panels of nr columns of op(B). */
    (void)op_b, (void)kc, (void)nc, (void)B, (void)ldb, (void)nr, (void)pb;
}

/* ---- the micro-kernel ----------------------------------------------------- */

/* >>> micro_todo */
/* kc rank-1 updates of a GEMM_MR x GEMM_NR tile, eq. (5.16), then
 * C = acc + beta C on the m x n corner of the tile that exists. */
void gemm_micro_kernel(int kc, const float *pa, const float *pb, int m, int n,
                       float beta, float *C, int ldc)
{
    /* TODO: float acc[GEMM_MR][GEMM_NR] = {{0}}; for each p < kc add the
     * outer product of pa[p*GEMM_MR + 0..MR-1] and pb[p*GEMM_NR + 0..NR-1].
     * The bounds are constants, so the compiler keeps acc in registers.
     * Then write only r < m, c < n (beta == 0: do not read C). */
    (void)kc, (void)pa, (void)pb, (void)m, (void)n, (void)beta, (void)C;
    (void)ldc;
}
/* <<< micro_todo */

/* ---- the blocked loops ------------------------------------------------------ */

/* >>> blocked_todo */
/* The blocked GEMM, eq. (5.17). ws holds GEMM_BLOCKED_WS_FLOATS floats: the
 * packed block of op(A) (GEMM_MC x GEMM_KC) then the packed panel of op(B)
 * (GEMM_KC x GEMM_NC). */
void gemm_blocked(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                  const float *A, int lda, const float *B, int ldb, float beta,
                  float *C, int ldc, float *ws)
{
    /* TODO: five loops:
     *   for jc in steps of GEMM_NC over N        (nc = the panel's width)
     *     for pc in steps of GEMM_KC over K      (kc = the slice's depth)
     *       pack the kc x nc panel of op(B) at (pc, jc)
     *       for ic in steps of GEMM_MC over M    (mc = the block's height)
     *         pack the mc x kc block of op(A) at (ic, pc)
     *         for jr in steps of GEMM_NR, for ir in steps of GEMM_MR:
     *           the micro-kernel on panel ir of the block, panel jr of
     *           the B panel, the tile C + (ic+ir)*ldc + jc+jr.
     * beta belongs to the first slice (pc == 0) only: later slices add
     * (beta 1). And K == 0 runs no slice at all: C must still become
     * beta C. Where does op(A)'s element (ic, pc) live when op_a is
     * GEMM_T? (See the tip at the top.) */
    (void)op_a, (void)op_b, (void)M, (void)N, (void)K, (void)A, (void)lda;
    (void)B, (void)ldb, (void)beta, (void)C, (void)ldc, (void)ws;
}
/* <<< blocked_todo */

/* ---- the engine's GEMM -------------------------------------------------------- */

/* Given: the engine's entry points run your gemm_blocked, on one thread,
 * whatever isa asks. The reference solution adds SIMD micro-kernels and
 * threads here (lesson section 4, and implementation exercise 3). */
size_t gemm_workspace_bytes(int threads)
{
    const size_t one = (GEMM_BLOCKED_WS_FLOATS * sizeof(float) + 63) / 64 * 64;
    return (size_t)(threads < 1 ? 1 : threads) * one;
}

void gemm_isa(SimdIsa isa, GemmOp op_a, GemmOp op_b, int M, int N, int K,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc, void *ws, size_t ws_bytes)
{
    (void)isa, (void)ws_bytes;
    gemm_blocked(op_a, op_b, M, N, K, A, lda, B, ldb, beta, C, ldc, ws);
}

void gemm(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
          int lda, const float *B, int ldb, float beta, float *C, int ldc,
          void *ws, size_t ws_bytes)
{
    gemm_isa(simd_cpu_isa(), op_a, op_b, M, N, K, A, lda, B, ldb, beta, C,
             ldc, ws, ws_bytes);
}

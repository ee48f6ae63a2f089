/* gemm.h: chapter 05, matrix multiplication, from the triple loop to a
 * blocked, packed, register-tiled GEMM. The contract between the exercise
 * skeleton (chapters/05-fast-convolution/gemm.c), the reference solution and
 * the tests. Equation numbers refer to chapters/05-fast-convolution/lesson.md.
 *
 * Matrices are float32, row-major, each with a leading dimension: element
 * (i, j) of a matrix X stored with leading dimension ldx is X[i*ldx + j].
 * Every offset is computed in size_t, so a matrix may hold more than 2^31
 * elements. The caller allocates every output and workspace; nothing here
 * allocates memory or keeps state between calls.
 */
#ifndef GEMM_H
#define GEMM_H

#include <stddef.h>

/* >>> gemm_api */
/* Whether an operand is used as stored or transposed, as BLAS's 'N'/'T'. */
typedef enum { GEMM_N = 0, GEMM_T = 1 } GemmOp;

/* All the GEMMs of this header compute, eq. (5.11),
 *   C = op(A) op(B) + beta C,   C[i][j] = sum_{p<K} opA[i][p] opB[p][j] + beta C[i][j]
 * for i < M, j < N, where op(A) is M x K and op(B) is K x N:
 *   op(A)[i][p] = A[i*lda + p] (GEMM_N, lda >= K)  or  A[p*lda + i] (GEMM_T, lda >= M),
 *   op(B)[p][j] = B[p*ldb + j] (GEMM_N, ldb >= N)  or  B[j*ldb + p] (GEMM_T, ldb >= K).
 * C is M x N with ldc >= N; its elements outside the M x N block (the gap
 * between rows when ldc > N) are never written. When beta == 0, C is not
 * read: it may hold anything, NaN included, and is overwritten. K == 0 is
 * allowed and gives C = beta C. M, N, K >= 0; C must not overlap A or B. */
void gemm_naive(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc);

/* The same product with the loops reordered (i, p, j), eq. (5.13): the
 * innermost loop runs along a row of op(B) and a row of C. Same contract as
 * gemm_naive. */
void gemm_ikj(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
              int lda, const float *B, int ldb, float beta, float *C, int ldc);
/* <<< gemm_api */

/* >>> gemm_blocking */
/* Blocking of gemm_blocked (lesson section 3): a kc x nc panel of op(B) is
 * packed once and reused by every mc x kc block of op(A); each block is
 * swept by a GEMM_MR x GEMM_NR register tile, eq. (5.14)-(5.16). */
#define GEMM_MR 4     /* rows of C per micro-kernel call                */
#define GEMM_NR 8     /* columns of C per micro-kernel call             */
#define GEMM_MC 64    /* rows of op(A) per packed block (multiple of MR) */
#define GEMM_KC 256   /* depth of a packed block and panel              */
#define GEMM_NC 1024  /* columns of op(B) per packed panel (mult. of NR) */

/* Floats of workspace gemm_blocked needs: one packed block of op(A) and one
 * packed panel of op(B), eq. (5.17). */
#define GEMM_BLOCKED_WS_FLOATS ((size_t)GEMM_MC * GEMM_KC + (size_t)GEMM_KC * GEMM_NC)
/* <<< gemm_blocking */

/* >>> gemm_pack */
/* Packs the mc x kc block of op(A) that starts at A (element (0, 0) of the
 * block is op(A)[0][0] read through A, op_a and lda as in eq. (5.11)) into
 * ceil(mc/mr) panels of mr rows, eq. (5.15):
 *   pa[(ip*kc + p)*mr + r] = op(A)[ip*mr + r][p]     (p < kc, r < mr)
 * so that each panel holds, column after column, the mr values one step of
 * the micro-kernel needs. Rows past mc in the last panel are written as 0.
 * pa has ceil(mc/mr)*mr*kc floats. mc, kc >= 1, mr >= 1. */
void gemm_pack_a(GemmOp op_a, int mc, int kc, const float *A, int lda, int mr,
                 float *pa);

/* Packs the kc x nc block of op(B) that starts at B into ceil(nc/nr)
 * panels of nr columns, eq. (5.15):
 *   pb[(jp*kc + p)*nr + c] = op(B)[p][jp*nr + c]     (p < kc, c < nr)
 * Columns past nc in the last panel are written as 0. pb has
 * ceil(nc/nr)*nr*kc floats. kc, nc >= 1, nr >= 1. */
void gemm_pack_b(GemmOp op_b, int kc, int nc, const float *B, int ldb, int nr,
                 float *pb);
/* <<< gemm_pack */

/* >>> gemm_micro */
/* The micro-kernel, eq. (5.16): kc rank-1 updates of a GEMM_MR x GEMM_NR tile
 * held in registers,
 *   acc[r][c] = sum_{p<kc} pa[p*GEMM_MR + r] * pb[p*GEMM_NR + c],
 * then C[r*ldc + c] = acc[r][c] + beta C[r*ldc + c] for r < m, c < n only
 * (an edge tile: 1 <= m <= GEMM_MR, 1 <= n <= GEMM_NR). pa is one packed
 * panel of gemm_pack_a (mr = GEMM_MR), pb one of gemm_pack_b (nr = GEMM_NR).
 * beta == 0: C is not read. kc >= 0 (kc == 0 gives C = beta C). */
void gemm_micro_kernel(int kc, const float *pa, const float *pb, int m, int n,
                       float beta, float *C, int ldc);
/* <<< gemm_micro */

/* >>> gemm_blocked_api */
/* The blocked GEMM, eq. (5.17): the loops over nc-column panels of op(B),
 * kc-deep slices of K and mc-row blocks of op(A), packing each panel and
 * block, then the micro-kernel over every GEMM_MR x GEMM_NR tile of C. Same
 * contract as gemm_naive. ws holds GEMM_BLOCKED_WS_FLOATS floats. */
void gemm_blocked(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                  const float *A, int lda, const float *B, int ldb, float beta,
                  float *C, int ldc, float *ws);
/* <<< gemm_blocked_api */

/* >>> gemm_engine */
/* The instruction sets the engine can run, from the slowest. SIMD_SCALAR is
 * portable C with no vector code, always built and always available. */
typedef enum { SIMD_SCALAR = 0, SIMD_AVX2 = 1, SIMD_AVX512 = 2 } SimdIsa;

/* The best SimdIsa this CPU runs and this build contains (built with
 * -DCNN_NO_SIMD: always SIMD_SCALAR). Detected at run time, once. */
SimdIsa simd_cpu_isa(void);
/* "AVX-512F (16 floats per vector)", ...: for "which path runs" lines. */
const char *simd_isa_name(SimdIsa isa);

/* The engine's GEMM, the one every convolution of this chapter calls: the
 * contract of gemm_naive, computed on the path isa (an isa above
 * simd_cpu_isa() runs as simd_cpu_isa()) with up to fastconv_threads()
 * OpenMP threads, and fewer when ws_bytes holds workspace for fewer. ws is
 * 64-byte aligned and holds ws_bytes >= gemm_workspace_bytes(1) bytes.
 * Called from inside an OpenMP parallel region it runs on one thread.
 * Your version (chapters/) forwards to gemm_blocked; the reference adds
 * SIMD micro-kernels and threads (lesson section 4). */
void gemm_isa(SimdIsa isa, GemmOp op_a, GemmOp op_b, int M, int N, int K,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc, void *ws, size_t ws_bytes);

/* gemm_isa on the best path, simd_cpu_isa(). */
void gemm(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
          int lda, const float *B, int ldb, float beta, float *C, int ldc,
          void *ws, size_t ws_bytes);

/* Bytes of workspace gemm_isa needs to run on `threads` threads, whatever
 * the shape (a multiple of 64). threads >= 1. */
size_t gemm_workspace_bytes(int threads);
/* <<< gemm_engine */

#endif

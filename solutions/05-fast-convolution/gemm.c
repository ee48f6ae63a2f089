/* gemm.c: chapter 05, the reference solution of the GEMM exercises, and the
 * engine's fast GEMM.
 *
 * The exercises (gemm_naive .. gemm_blocked) are plain C in the order of the
 * lesson. The engine's gemm_isa() runs the same blocked loops with wider
 * register tiles written with GCC vector extensions: one kernel text,
 * compiled once per instruction set through target attributes and chosen
 * at run time, so that one binary runs on any x86-64 and uses what the CPU
 * has. Built with -DCNN_NO_SIMD (or by a compiler without these extensions)
 * only the scalar path exists.
 */
#include "gemm.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#define HAVE_X86_SIMD 1
#else
#define HAVE_X86_SIMD 0
#endif

static int min_int(int a, int b) { return a < b ? a : b; }

/* >>> strides */
/* op(X) as a strided view: element (r, c) of op(X) is X[r*rs + c*cs], so
 * GEMM_T only swaps the two strides and no loop has to test op. */
typedef struct {
    size_t rs, cs;
} Strides;

static Strides op_strides(GemmOp op, int ld)
{
    return op == GEMM_N ? (Strides){(size_t)ld, 1} : (Strides){1, (size_t)ld};
}
/* <<< strides */

/* C = beta C on an m x n block (beta == 0: set to 0 without reading C). */
static void scale_c(int m, int n, float beta, float *C, int ldc)
{
    for (int i = 0; i < m; i++) {
        float *c = C + (size_t)i * ldc;
        for (int j = 0; j < n; j++)
            c[j] = beta == 0.0f ? 0.0f : beta * c[j];
    }
}

/* ---- the triple loop and its reordering ---------------------------------- */

/* >>> naive */
void gemm_naive(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc)
{
    const Strides a = op_strides(op_a, lda), b = op_strides(op_b, ldb);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float acc = 0.0f; /* eq. (5.11) */
            for (int p = 0; p < K; p++)
                acc += A[i * a.rs + p * a.cs] * B[p * b.rs + j * b.cs];
            float *c = &C[(size_t)i * ldc + j];
            *c = beta == 0.0f ? acc : acc + beta * *c;
        }
}
/* <<< naive */

/* >>> ikj */
void gemm_ikj(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
              int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    const Strides a = op_strides(op_a, lda), b = op_strides(op_b, ldb);
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        scale_c(1, N, beta, c, ldc);
        for (int p = 0; p < K; p++) {
            const float aip = A[i * a.rs + p * a.cs]; /* eq. (5.13) */
            const float *brow = B + p * b.rs;
            for (int j = 0; j < N; j++)
                c[j] += aip * brow[j * b.cs];
        }
    }
}
/* <<< ikj */

/* ---- packing ----------------------------------------------------------- */

/* >>> pack */
/* Both packers walk the source matrix in its memory order, row by stored
 * row (the source is large; the packed panel is small and stays in cache
 * while it is written), so the loop order depends on op, eq. (5.15). */
void gemm_pack_a(GemmOp op_a, int mc, int kc, const float *A, int lda, int mr,
                 float *pa)
{
    for (int i0 = 0; i0 < mc; i0 += mr, pa += (size_t)mr * kc) {
        const int rows = min_int(mr, mc - i0); /* the last panel may be short */
        if (op_a == GEMM_N) {
            for (int r = 0; r < rows; r++) { /* row i0 + r of A, contiguous */
                const float *src = A + (size_t)(i0 + r) * lda;
                for (int p = 0; p < kc; p++)
                    pa[(size_t)p * mr + r] = src[p];
            }
        } else {
            for (int p = 0; p < kc; p++) {   /* row p of A, contiguous */
                const float *src = A + (size_t)p * lda + i0;
                for (int r = 0; r < rows; r++)
                    pa[(size_t)p * mr + r] = src[r];
            }
        }
        for (int p = 0; p < kc; p++)          /* rows past mc: zeros */
            for (int r = rows; r < mr; r++)
                pa[(size_t)p * mr + r] = 0.0f;
    }
}

void gemm_pack_b(GemmOp op_b, int kc, int nc, const float *B, int ldb, int nr,
                 float *pb)
{
    for (int j0 = 0; j0 < nc; j0 += nr, pb += (size_t)nr * kc) {
        const int cols = min_int(nr, nc - j0);
        if (op_b == GEMM_N) {
            for (int p = 0; p < kc; p++) {   /* row p of B, contiguous */
                const float *src = B + (size_t)p * ldb + j0;
                for (int c = 0; c < cols; c++)
                    pb[(size_t)p * nr + c] = src[c];
            }
        } else {
            for (int c = 0; c < cols; c++) { /* row j0 + c of B, contiguous */
                const float *src = B + (size_t)(j0 + c) * ldb;
                for (int p = 0; p < kc; p++)
                    pb[(size_t)p * nr + c] = src[p];
            }
        }
        for (int p = 0; p < kc; p++)          /* columns past nc: zeros */
            for (int c = cols; c < nr; c++)
                pb[(size_t)p * nr + c] = 0.0f;
    }
}
/* <<< pack */

/* ---- the micro-kernel ----------------------------------------------------- */

/* >>> micro */
void gemm_micro_kernel(int kc, const float *pa, const float *pb, int m, int n,
                       float beta, float *C, int ldc)
{
    float acc[GEMM_MR][GEMM_NR] = {{0}};
    for (int p = 0; p < kc; p++, pa += GEMM_MR, pb += GEMM_NR)
        for (int r = 0; r < GEMM_MR; r++)      /* one rank-1 update, eq. (5.16) */
            for (int c = 0; c < GEMM_NR; c++)
                acc[r][c] += pa[r] * pb[c];
    for (int r = 0; r < m; r++) {
        float *crow = C + (size_t)r * ldc;
        for (int c = 0; c < n; c++)
            crow[c] = beta == 0.0f ? acc[r][c] : acc[r][c] + beta * crow[c];
    }
}
/* <<< micro */

/* ---- the blocked loops ------------------------------------------------------ */

/* A micro-kernel of the contract of gemm_micro_kernel for an mr x nr tile. */
typedef void (*MicroKernel)(int kc, const float *pa, const float *pb, int m,
                            int n, float beta, float *C, int ldc);

/* Register tile and cache blocks of one path. */
typedef struct {
    int mr, nr, mc, kc, nc;
    MicroKernel kernel;
} Blocking;

static size_t blocking_ws_floats(const Blocking *bk)
{
    return (size_t)bk->mc * bk->kc + (size_t)bk->kc * bk->nc;
}

/* >>> blocked_loops */
/* The five loops of eq. (5.17) around a micro-kernel: panels of op(B)
 * (jc), slices of K (pc), blocks of op(A) (ic), then register tiles (jr, ir). */
static void blocked_loops(const Blocking *bk, GemmOp op_a, GemmOp op_b, int M,
                          int N, int K, const float *A, int lda,
                          const float *B, int ldb, float beta, float *C,
                          int ldc, float *ws)
{
    const Strides a = op_strides(op_a, lda), b = op_strides(op_b, ldb);
    float *pa = ws, *pb = ws + (size_t)bk->mc * bk->kc;
    if (K == 0) { /* no slice of K: the loops below would never touch C */
        scale_c(M, N, beta, C, ldc);
        return;
    }
    for (int jc = 0; jc < N; jc += bk->nc) {
        const int nc = min_int(bk->nc, N - jc);
        for (int pc = 0; pc < K; pc += bk->kc) {
            const int kc = min_int(bk->kc, K - pc);
            /* the first slice applies beta; the others add to it */
            const float beta_pc = pc == 0 ? beta : 1.0f;
            gemm_pack_b(op_b, kc, nc, B + pc * b.rs + jc * b.cs, ldb, bk->nr, pb);
            for (int ic = 0; ic < M; ic += bk->mc) {
                const int mc = min_int(bk->mc, M - ic);
                gemm_pack_a(op_a, mc, kc, A + ic * a.rs + pc * a.cs, lda, bk->mr, pa);
                for (int jr = 0; jr < nc; jr += bk->nr)
                    for (int ir = 0; ir < mc; ir += bk->mr)
                        bk->kernel(kc, pa + (size_t)ir * kc,
                                   pb + (size_t)jr * kc, min_int(bk->mr, mc - ir),
                                   min_int(bk->nr, nc - jr), beta_pc,
                                   C + (size_t)(ic + ir) * ldc + jc + jr, ldc);
            }
        }
    }
}
/* <<< blocked_loops */

static const Blocking scalar_blocking = {GEMM_MR, GEMM_NR, GEMM_MC, GEMM_KC,
                                         GEMM_NC, gemm_micro_kernel};

void gemm_blocked(GemmOp op_a, GemmOp op_b, int M, int N, int K,
                  const float *A, int lda, const float *B, int ldb, float beta,
                  float *C, int ldc, float *ws)
{
    blocked_loops(&scalar_blocking, op_a, op_b, M, N, K, A, lda, B, ldb, beta,
                  C, ldc, ws);
}

/* ---- SIMD micro-kernels ------------------------------------------------------ */

#if HAVE_X86_SIMD
/* >>> simd_kernel */
/* One kernel text for every vector width: VT is a GCC vector of VL floats,
 * the tile MR rows by NV vectors (NR = NV*VL columns), held in MR*NV
 * vector registers. Each step loads NV vectors of the packed B panel and,
 * for each row, multiplies them by one broadcast value of the packed A
 * panel into the accumulators: eq. (5.16) with the c loop done by the
 * hardware. The compiler emits FMAs (-ffp-contract=fast). */
#define DEFINE_SIMD_KERNEL(NAME, TARGET, VT, VL, MR, NV)                        \
    __attribute__((target(TARGET))) static void NAME(                          \
        int kc, const float *pa, const float *pb, int m, int n, float beta,    \
        float *C, int ldc)                                                     \
    {                                                                          \
        VT acc[MR][NV];                                                        \
        for (int r = 0; r < MR; r++)                                           \
            for (int v = 0; v < NV; v++)                                       \
                acc[r][v] = (VT){0};                                           \
        for (int p = 0; p < kc; p++, pa += MR, pb += NV * VL) {                \
            VT bv[NV];                                                         \
            for (int v = 0; v < NV; v++)                                       \
                memcpy(&bv[v], pb + v * VL, sizeof(VT));                       \
            _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)              \
            {                                                                  \
                const float ar = pa[r];                                        \
                for (int v = 0; v < NV; v++)                                   \
                    acc[r][v] += ar * bv[v];                                   \
            }                                                                  \
        }                                                                      \
        if (n == NV * VL) { /* whole rows (m of them): vector stores */       \
            _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)              \
            {                                                                  \
                if (r >= m)                                                    \
                    break;                                                     \
                for (int v = 0; v < NV; v++) {                                 \
                    float *c = C + (size_t)r * ldc + v * VL;                   \
                    VT cv = acc[r][v];                                         \
                    if (beta != 0.0f) {                                        \
                        VT old;                                                \
                        memcpy(&old, c, sizeof(VT));                           \
                        cv += beta * old;                                      \
                    }                                                          \
                    memcpy(c, &cv, sizeof(VT));                                \
                }                                                              \
            }                                                                  \
            return;                                                            \
        }                                                                      \
        float tile[MR][NV * VL]; /* a right edge tile: through memory */      \
        memcpy(tile, acc, sizeof tile);                                        \
        for (int r = 0; r < m; r++)                                            \
            for (int c = 0; c < n; c++) {                                      \
                float *cp = C + (size_t)r * ldc + c;                           \
                *cp = beta == 0.0f ? tile[r][c] : tile[r][c] + beta * *cp;     \
            }                                                                  \
    }
/* <<< simd_kernel */

typedef float v8sf __attribute__((vector_size(32)));
typedef float v16sf __attribute__((vector_size(64)));

/* AVX2: 16 ymm registers; a 6 x 16 tile takes 12 accumulators + 2 + 1. */
DEFINE_SIMD_KERNEL(kernel_avx2, "avx2,fma", v8sf, 8, 6, 2)
/* AVX-512: 32 zmm registers; a 14 x 32 tile takes 28 accumulators + 2 + 1,
 * 8 x 48 and 6 x 64 take 24 + 3 + 1 and 24 + 4 + 1. Three tiles, because a
 * convolution's M is its output channels, often 6, 16 or a power of two: 14
 * rows would waste most of a tile on those, 8 or 6 none. */
DEFINE_SIMD_KERNEL(kernel_avx512_14x32, "avx512f,fma", v16sf, 16, 14, 2)
DEFINE_SIMD_KERNEL(kernel_avx512_8x48, "avx512f,fma", v16sf, 16, 8, 3)
DEFINE_SIMD_KERNEL(kernel_avx512_6x64, "avx512f,fma", v16sf, 16, 6, 4)

static const Blocking avx2_blocking = {6, 16, 144, 256, 2048, kernel_avx2};
/* k_c so that a k_c x n_r micro-panel of B takes about 40 KB of the L1 */
static const Blocking avx512_blockings[3] = {
    {14, 32, 140, 320, 2048, kernel_avx512_14x32},
    {8, 48, 144, 208, 2016, kernel_avx512_8x48},
    {6, 64, 144, 160, 2048, kernel_avx512_6x64},
};

/* The AVX-512 tile that wastes the least on M x N: the smallest padded area
 * ceil(M/mr) mr x ceil(N/nr) nr, the first of the list on a tie. */
static const Blocking *avx512_for(int M, int N)
{
    const Blocking *best = &avx512_blockings[0];
    double best_area = 0;
    for (int k = 0; k < 3; k++) {
        const Blocking *b = &avx512_blockings[k];
        double area = (double)((M + b->mr - 1) / b->mr * b->mr) *
                      ((N + b->nr - 1) / b->nr * b->nr);
        if (k == 0 || area < best_area)
            best = b, best_area = area;
    }
    return best;
}
#endif

/* ---- the machine ----------------------------------------------------------- */

static const Blocking *path_blocking(SimdIsa isa, int M, int N)
{
#if HAVE_X86_SIMD
    if (isa > simd_cpu_isa())
        isa = simd_cpu_isa();
    if (isa == SIMD_AVX512) return avx512_for(M, N);
    if (isa == SIMD_AVX2) return &avx2_blocking;
#else
    (void)isa, (void)M, (void)N;
#endif
    return &scalar_blocking;
}

/* >>> engine */
/* One thread's workspace on any path, rounded up to 64 bytes. */
static size_t thread_ws_bytes(void)
{
    size_t f = blocking_ws_floats(&scalar_blocking);
#if HAVE_X86_SIMD
    if (blocking_ws_floats(&avx2_blocking) > f) f = blocking_ws_floats(&avx2_blocking);
    for (int k = 0; k < 3; k++)
        if (blocking_ws_floats(&avx512_blockings[k]) > f)
            f = blocking_ws_floats(&avx512_blockings[k]);
#endif
    return (f * sizeof(float) + 63) / 64 * 64;
}

size_t gemm_workspace_bytes(int threads)
{
    return (size_t)(threads < 1 ? 1 : threads) * thread_ws_bytes();
}

void gemm_isa(SimdIsa isa, GemmOp op_a, GemmOp op_b, int M, int N, int K,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc, void *ws, size_t ws_bytes)
{
    const Blocking *bk = path_blocking(isa, M, N);
    const size_t per_thread = thread_ws_bytes();
    int threads = 1;
#ifdef _OPENMP
    if (!omp_in_parallel())
        threads = omp_get_max_threads();
#endif
    if ((size_t)threads > ws_bytes / per_thread)
        threads = (int)(ws_bytes / per_thread);
    /* Split the larger of M and N into one strip per thread, each strip a
     * whole number of register tiles; every thread packs its own operands
     * into its own slice of ws, so the threads share nothing but A and B. */
    const int split_n = N >= M;
    const int unit = split_n ? bk->nr : bk->mr, len = split_n ? N : M;
    const int units = (len + unit - 1) / unit;
    if (threads > units)
        threads = units;
    if (threads <= 1 || (double)M * N * K < 1e6) {
        blocked_loops(bk, op_a, op_b, M, N, K, A, lda, B, ldb, beta, C, ldc, ws);
        return;
    }
    const Strides a = op_strides(op_a, lda), b = op_strides(op_b, ldb);
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        const int u0 = (int)((long long)units * t / threads);
        const int u1 = (int)((long long)units * (t + 1) / threads);
        const int s0 = u0 * unit, s1 = min_int(len, u1 * unit);
        float *tws = (float *)((char *)ws + (size_t)t * per_thread);
        if (s1 > s0) {
            if (split_n)
                blocked_loops(bk, op_a, op_b, M, s1 - s0, K, A, lda,
                              B + (size_t)s0 * b.cs, ldb, beta, C + s0, ldc, tws);
            else
                blocked_loops(bk, op_a, op_b, s1 - s0, N, K,
                              A + (size_t)s0 * a.rs, lda, B, ldb, beta,
                              C + (size_t)s0 * ldc, ldc, tws);
        }
    }
}
/* <<< engine */

void gemm(GemmOp op_a, GemmOp op_b, int M, int N, int K, const float *A,
          int lda, const float *B, int ldb, float beta, float *C, int ldc,
          void *ws, size_t ws_bytes)
{
    gemm_isa(simd_cpu_isa(), op_a, op_b, M, N, K, A, lda, B, ldb, beta, C,
             ldc, ws, ws_bytes);
}

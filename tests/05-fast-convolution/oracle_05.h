/* oracle_05.h: the double-precision references the chapter 05 tests of
 * GEMM, im2col and the GEMM convolutions compare against, the outputs of
 * typical mistakes (for the hints), and the checks the tests call.
 *
 * Written independently of the solution, straight from the lesson's
 * equations: the GEMM as the triple sum (5.11) with op() spelled out per
 * case, im2col as the definition (5.3) tested tap by tap against the image
 * bounds, conv2d forward and backward as the sums of chapter 01's eq. (1.6)
 * and chapter 03's eqs. (3.4)-(3.6) in scatter form, never through a column
 * matrix. im2col_rows, im2col_pixels and the output sizes are re-derived
 * here on purpose.
 */
#ifndef ORACLE_05_H
#define ORACLE_05_H

#include <stddef.h>

#include "fastconv.h"
#include "grade.h"

/* Tolerance of every array comparison of these tests: relative error 1e-4
 * against the double reference, floor at 1% of the largest |expected| (as
 * chapter 01, whose lesson derives it). The sums here have at most ~1100
 * products; their float rounding stays near 2e-5 of the floor. */
#define A05_RTOL 1e-4
#define A05_FLOOR 1e-2

/* ---- GEMM ------------------------------------------------------------------- */

/* The function under test. */
typedef enum { GF_NAIVE, GF_IKJ, GF_BLOCKED, GF_ISA, GF_ENGINE } GemmFn;
const char *gemm_fn_name(GemmFn fn);

/* One call: op(A) is M x K, op(B) is K x N; a leading dimension of 0 means
 * the tight one (K or M for A, N or K for B, N for C). */
typedef struct {
    GemmOp op_a, op_b;
    int M, N, K;
    int lda, ldb, ldc;
    float beta;
} GemmCase;

/* Runs fn (gemm_isa on path isa, with `threads` OpenMP threads for GF_ISA
 * and GF_ENGINE) on random A, B and C from seed and fails the current test
 * with a full message unless C matches eq. (5.11) in its M x N block and is
 * untouched outside it (guard rows below, the gap between rows). C starts
 * as the test's NaN when beta == 0 (C must not be read), as random values
 * otherwise; with K == 0 it starts random in both cases. */
void check_gemm(GemmFn fn, SimdIsa isa, int threads, const GemmCase *c,
                unsigned long long seed);

/* A table of cases for one function; the first failure fails the test. */
void check_gemm_cases(GemmFn fn, SimdIsa isa, int threads,
                      const GemmCase *cases, int n, unsigned long long seed);

/* gemm_pack_a / gemm_pack_b of a block at row (or column) offset `at` of a
 * random op(X) with leading dimension ld, into a buffer pre-filled with NaN
 * (with a guard after it), against eq. (5.15). */
void check_pack_a(GemmOp op, int mc, int kc, int lda, int mr,
                  unsigned long long seed);
void check_pack_b(GemmOp op, int kc, int nc, int ldb, int nr,
                  unsigned long long seed);

/* gemm_micro_kernel on random panels, an m x n corner (m <= GEMM_MR,
 * n <= GEMM_NR) of a C with leading dimension ldc >= GEMM_NR + 3 and guard
 * cells around, against eq. (5.16). */
void check_micro_kernel(int kc, int m, int n, float beta,
                        unsigned long long seed);

/* Offsets past 2^31: op(A) with lda = 2^30 + 7 (row 2 starts past 2^31),
 * op(B) transposed with ldb = 2^29 + 3, in a reserved but mostly untouched
 * 12 GB of address space. */
void check_gemm_big_offsets(GemmFn fn);

/* ---- im2col and col2im ---------------------------------------------------------- */

/* im2col of pixels p0 .. p0+np-1 of group grp of image n (x random from
 * seed), against eq. (5.3); cols pre-filled with NaN. */
void check_im2col(const Conv2dGeom *g, int n, int grp, size_t p0, size_t np,
                  unsigned long long seed);

/* col2im of random cols into a dx pre-filled with random values (it must
 * add), against eq. (5.9); the geometry says where windows overlap. */
void check_col2im(const Conv2dGeom *g, size_t p0, size_t np,
                  unsigned long long seed);

/* im2col and col2im on a (1, 2, 32768, 32776) x of 2^31 + 2^19 floats of
 * reserved address space, 2x2 kernel, stride (32766, 32774): output 2x2,
 * the second channel's last rows past offset 2^31. */
void check_im2col_big_offsets(int adjoint);

/* ---- conv2d as GEMMs --------------------------------------------------------------- */

/* The workspace a check gives the call: the smallest the contract allows
 * (one thread, one-pixel tiles), a few pixels per tile, or what the engine
 * asks for (conv2d_workspace_bytes(g, CONV_ALGO_IM2COL)). */
typedef enum { WS_MIN, WS_SMALL, WS_ENGINE } WsSize;

/* conv2d_forward_im2col (via_engine = 0) or conv2d_forward_algo with
 * algo (via_engine = 1) on random x, w, b, against eq. (1.6). */
void check_conv_forward(const Conv2dGeom *g, int has_bias, WsSize ws,
                        unsigned long long seed);
void check_conv_forward_algo(const Conv2dGeom *g, ConvAlgo algo,
                             unsigned long long seed);

/* Which outputs a backward check asks for. */
enum { BW_DX = 1, BW_DW = 2, BW_DB = 4, BW_ALL = 7 };

/* conv2d_backward_im2col with the outputs in `outputs` (the others NULL,
 * and x / weight NULL when the contract lets them be), each pre-filled
 * with NaN, against eqs. (3.4)-(3.6). */
void check_conv_backward(const Conv2dGeom *g, int outputs, WsSize ws,
                         unsigned long long seed);
void check_conv_backward_algo(const Conv2dGeom *g, ConvAlgo algo,
                              unsigned long long seed);

/* Forward (dweight only for backward) on a (1, 2, 32768, 32776) x past
 * 2^31 elements, stride (32766, 32774), 2x2 kernel. */
void check_conv_big_offsets(int backward);

/* A Conv2dGeom with the given shapes, stride 1, no padding, dilation 1 and
 * one group; tests then set what they exercise. */
Conv2dGeom geom05(int n, int c_in, int h, int w, int c_out, int kh, int kw);

#endif

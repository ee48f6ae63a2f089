/* oracle_05.c: the chapter 05 double-precision references for GEMM, im2col
 * and the GEMM convolutions, and the checks the tests call (oracle_05.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "oracle_05.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rng.h"
#include "util.h"

#define MSG_MAX 3000
#define GUARD_VAL 7777.0f /* what the cells around an output hold */
#define GUARD_ROWS 16      /* rows of guard below a C block           */

/* ---- small helpers ---------------------------------------------------------- */

static float *random_floats(size_t n, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc(n * sizeof *v);
    rng_fill_uniform(&r, v, n, -1.0f, 1.0f);
    return v;
}

static void *aligned64(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    ck_assert_msg(p != NULL, "test error: out of memory (%zu bytes)", bytes);
    return p;
}

/* The test's NaN fill, read back from grade_fill_nan itself. */
static uint32_t fill_bits(void)
{
    float f;
    uint32_t b;
    grade_fill_nan(&f, 1);
    memcpy(&b, &f, sizeof b);
    return b;
}

static uint32_t bits(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* A NaN computed from the fill (the code read an output it should not). */
static int from_fill(float v)
{
    return isnan(v) && (bits(v) & 0x7fbfffffu) == (fill_bits() & 0x7fbfffffu) &&
           bits(v) != fill_bits();
}

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= 1e-9 * (1.0 + fabs(a[i]))))
            return 1;
    return 0;
}

static int out_size(int in, int k, int s, int p, int d)
{
    /* eq. (1.7), re-derived here in floating point */
    return (int)floor(((double)in + 2.0 * p - (double)d * (k - 1) - 1.0) / s) + 1;
}

Conv2dGeom geom05(int n, int c_in, int h, int w, int c_out, int kh, int kw)
{
    Conv2dGeom g = {.n = n, .c_in = c_in, .h = h, .w = w, .c_out = c_out,
                    .kh = kh, .kw = kw, .stride_h = 1, .stride_w = 1,
                    .pad_h = 0, .pad_w = 0, .dil_h = 1, .dil_w = 1,
                    .groups = 1};
    return g;
}

static void format_geom(char *buf, size_t len, const Conv2dGeom *g)
{
    snprintf(buf, len,
             "N=%d C_in=%d H=%d W=%d, C_out=%d KH=%d KW=%d, stride=(%d,%d) "
             "pad=(%d,%d) dil=(%d,%d) groups=%d",
             g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->stride_h,
             g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w, g->groups);
}

/* ---- GEMM ------------------------------------------------------------------- */

const char *gemm_fn_name(GemmFn fn)
{
    switch (fn) {
    case GF_NAIVE: return "gemm_naive";
    case GF_IKJ: return "gemm_ikj";
    case GF_BLOCKED: return "gemm_blocked";
    case GF_ISA: return "gemm_isa";
    case GF_ENGINE: return "gemm";
    }
    return "?";
}

typedef enum {
    GM_RIGHT,
    GM_BETA_IGNORED,     /* C = op(A) op(B): beta taken as 0             */
    GM_BETA_ONE,         /* C += op(A) op(B): beta taken as 1            */
    GM_OPA_IGNORED,      /* A read as stored although op_a is GEMM_T     */
    GM_OPB_IGNORED,
    GM_LDA_TIGHT,        /* lda taken as K (or M for GEMM_T)             */
    GM_LDB_TIGHT,
    GM_BETA_EVERY_SLICE, /* blocked: beta applied to each kc slice of K  */
    GM_K0_UNTOUCHED,     /* K == 0: C left as it was                     */
    GM_BETA_SCALES_ALL,  /* C = beta (op(A) op(B) + C)                   */
    GM_LD_SWAPPED,       /* A read with ldb and B with lda               */
    GM_N
} GemmMistake;

static const char *gemm_hint(GemmMistake m)
{
    switch (m) {
    case GM_BETA_IGNORED:
        return "beta ignored: eq. (5.11) is C = op(A) op(B) + beta C; with "
               "beta != 0 the old C, times beta, is added to the product.";
    case GM_BETA_ONE:
        return "beta taken as 1: the old C is scaled by beta before the "
               "product is added, C = op(A) op(B) + beta C.";
    case GM_OPA_IGNORED:
        return "op_a ignored: with GEMM_T, op(A)[i][p] is A[p*lda + i] (A is "
               "stored K x M), eq. (5.11).";
    case GM_OPB_IGNORED:
        return "op_b ignored: with GEMM_T, op(B)[p][j] is B[j*ldb + p] (B is "
               "stored N x K), eq. (5.11).";
    case GM_LDA_TIGHT:
        return "A's rows are lda floats apart, not K (or M): read "
               "A[i*lda + p], the leading dimension given.";
    case GM_LDB_TIGHT:
        return "B's rows are ldb floats apart, not N (or K): read "
               "B[p*ldb + j], the leading dimension given.";
    case GM_BETA_EVERY_SLICE:
        return "beta applied to every kc slice of K: only the first slice "
               "(pc == 0) scales C by beta, the later slices add to it "
               "(beta 1).";
    case GM_BETA_SCALES_ALL:
        return "beta scaled the product too: eq. (5.11) is C = op(A) op(B) + "
               "beta C, where only the old C is multiplied by beta.";
    case GM_LD_SWAPPED:
        return "lda and ldb swapped: A's rows are lda floats apart and B's "
               "ldb, eq. (5.11).";
    case GM_K0_UNTOUCHED:
        return "K == 0 left C unchanged: there is no product to add, but C "
               "must still become beta C (all zeros when beta == 0).";
    default:
        return NULL;
    }
}

/* Element (i, p) of op(X) stored with leading dimension ld, or 0 with
 * *oob set when it lies outside the nx floats of X. */
static double op_at(const float *X, size_t nx, GemmOp op, int ld, int i, int p,
                    int *oob)
{
    size_t k = op == GEMM_N ? (size_t)i * ld + p : (size_t)p * ld + i;
    if (k >= nx) {
        *oob = 1;
        return 0.0;
    }
    return X[k];
}

typedef struct {
    GemmCase c;            /* with the leading dimensions resolved */
    const float *A, *B;
    size_t na, nb;
    const float *C0;       /* C before the call, leading dimension c.ldc */
} GemmProblem;

/* C (M x N, tight) by eq. (5.11), or a mistake's; 0, or -1 when the mistake
 * does not apply to this case (or would read outside A or B). */
static int oracle_gemm(const GemmProblem *pb, GemmMistake m, double *out)
{
    const GemmCase *c = &pb->c;
    GemmOp oa = c->op_a, ob = c->op_b;
    int lda = c->lda, ldb = c->ldb, oob = 0;
    double beta = c->beta;
    switch (m) {
    case GM_BETA_IGNORED: if (c->beta == 0.0f || c->K == 0) return -1; beta = 0; break;
    case GM_BETA_ONE: if (c->beta == 0.0f || c->beta == 1.0f) return -1; beta = 1; break;
    case GM_OPA_IGNORED: if (oa != GEMM_T) return -1; oa = GEMM_N; break;
    case GM_OPB_IGNORED: if (ob != GEMM_T) return -1; ob = GEMM_N; break;
    case GM_LDA_TIGHT: {
        int tight = oa == GEMM_N ? c->K : c->M;
        if (lda == tight) return -1;
        lda = tight;
        break;
    }
    case GM_LDB_TIGHT: {
        int tight = ob == GEMM_N ? c->N : c->K;
        if (ldb == tight) return -1;
        ldb = tight;
        break;
    }
    case GM_BETA_EVERY_SLICE:
        if (c->K <= GEMM_KC || c->beta == 1.0f) return -1;
        break;
    case GM_K0_UNTOUCHED:
        if (c->K != 0 || c->beta == 1.0f) return -1;
        break;
    case GM_BETA_SCALES_ALL:
        if (c->beta == 0.0f || c->beta == 1.0f || c->K == 0) return -1;
        break;
    case GM_LD_SWAPPED:
        if (lda == ldb) return -1;
        lda = c->ldb;
        ldb = c->lda;
        break;
    default:
        break;
    }
    for (int i = 0; i < c->M; i++)
        for (int j = 0; j < c->N; j++) {
            const double c0 = pb->C0[(size_t)i * c->ldc + j];
            double acc;
            if (m == GM_K0_UNTOUCHED) {
                acc = c0;
            } else if (m == GM_BETA_EVERY_SLICE) {
                /* C_s = A_s B_s + beta C_{s-1} over the slices of GEMM_KC */
                acc = c->beta == 0.0f ? 0.0 : c0;
                for (int p0 = 0; p0 < c->K; p0 += GEMM_KC) {
                    double s = 0.0;
                    for (int p = p0; p < c->K && p < p0 + GEMM_KC; p++)
                        s += op_at(pb->A, pb->na, oa, lda, i, p, &oob) *
                             op_at(pb->B, pb->nb, ob, ldb, p, j, &oob);
                    acc = s + (c->beta == 0.0f ? 0.0 : beta * acc);
                }
            } else {
                double s = 0.0; /* eq. (5.11) */
                for (int p = 0; p < c->K; p++)
                    s += op_at(pb->A, pb->na, oa, lda, i, p, &oob) *
                         op_at(pb->B, pb->nb, ob, ldb, p, j, &oob);
                acc = beta == 0.0 ? s : s + beta * c0;
                if (m == GM_BETA_SCALES_ALL)
                    acc = beta * (s + c0);
            }
            out[(size_t)i * c->N + j] = acc;
        }
    return oob ? -1 : 0;
}

static void resolve(GemmCase *c)
{
    if (c->lda == 0) c->lda = c->op_a == GEMM_N ? c->K : c->M;
    if (c->ldb == 0) c->ldb = c->op_b == GEMM_N ? c->N : c->K;
    if (c->ldc == 0) c->ldc = c->N;
    if (c->lda < 1) c->lda = 1;
    if (c->ldb < 1) c->ldb = 1;
    if (c->ldc < 1) c->ldc = 1;
}

static void format_gemm(char *buf, size_t len, GemmFn fn, SimdIsa isa,
                        int threads, const GemmCase *c)
{
    int n = snprintf(buf, len,
                     "op_a=%s op_b=%s M=%d N=%d K=%d lda=%d ldb=%d ldc=%d "
                     "beta=%g",
                     c->op_a == GEMM_N ? "N" : "T", c->op_b == GEMM_N ? "N" : "T",
                     c->M, c->N, c->K, c->lda, c->ldb, c->ldc, (double)c->beta);
    if ((fn == GF_ISA || fn == GF_ENGINE) && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", path %s, %d thread%s",
                 simd_isa_name(fn == GF_ENGINE ? simd_cpu_isa() : isa), threads,
                 threads == 1 ? "" : "s");
}

static void run_gemm(GemmFn fn, SimdIsa isa, int threads, const GemmCase *c,
                     const float *A, const float *B, float *C)
{
    switch (fn) {
    case GF_NAIVE:
        gemm_naive(c->op_a, c->op_b, c->M, c->N, c->K, A, c->lda, B, c->ldb,
                   c->beta, C, c->ldc);
        return;
    case GF_IKJ:
        gemm_ikj(c->op_a, c->op_b, c->M, c->N, c->K, A, c->lda, B, c->ldb,
                 c->beta, C, c->ldc);
        return;
    case GF_BLOCKED: {
        float *ws = aligned64(GEMM_BLOCKED_WS_FLOATS * sizeof(float));
        grade_fill_nan(ws, GEMM_BLOCKED_WS_FLOATS);
        gemm_blocked(c->op_a, c->op_b, c->M, c->N, c->K, A, c->lda, B, c->ldb,
                     c->beta, C, c->ldc, ws);
        free(ws);
        return;
    }
    case GF_ISA:
    case GF_ENGINE: {
        fastconv_set_threads(threads);
        size_t bytes = gemm_workspace_bytes(threads);
        void *ws = aligned64(bytes);
        if (fn == GF_ISA)
            gemm_isa(isa, c->op_a, c->op_b, c->M, c->N, c->K, A, c->lda, B,
                     c->ldb, c->beta, C, c->ldc, ws, bytes);
        else
            gemm(c->op_a, c->op_b, c->M, c->N, c->K, A, c->lda, B, c->ldb,
                 c->beta, C, c->ldc, ws, bytes);
        free(ws);
        return;
    }
    }
}

/* The cells of C outside its M x N block (nc floats in all, leading
 * dimension ldc) must still hold GUARD_VAL: rows below the block first (an
 * edge tile written whole), then the gap between rows (ldc > N). 0, or -1
 * with the message. */
static int c_guards(const char *name, const char *params, const float *C,
                    int M, int N, int ldc, size_t nc, char *msg, size_t len)
{
    for (size_t k = (size_t)M * ldc; k < nc; k++)
        if (bits(C[k]) != bits(GUARD_VAL)) {
            snprintf(msg, len,
                     "%s(%s): C[%zu][%zu] was written, but C has only M = %d "
                     "rows (it held " GRADE_FMT ", now " GRADE_FMT ").\nHint: an "
                     "edge tile writes only its m x n corner: the micro-kernel "
                     "stores C[r][c] for r < m and c < n only.",
                     name, params, k / ldc, k % ldc, M, (double)GUARD_VAL,
                     (double)C[k]);
            return -1;
        }
    for (size_t k = 0; k < (size_t)M * ldc; k++)
        if (k % ldc >= (size_t)N && bits(C[k]) != bits(GUARD_VAL)) {
            snprintf(msg, len,
                     "%s(%s): C[%zu][%zu] was written, but only columns "
                     "j < N = %d of each row belong to C; the %d floats after "
                     "them, up to the next row, must stay as they were.\nHint: "
                     "row i of C starts at C + i*ldc (ldc = %d), not C + i*N.",
                     name, params, k / ldc, k % ldc, N, ldc - N, ldc);
            return -1;
        }
    return 0;
}

/* 0 when the check passes, else -1 with the message in msg. */
static int gemm_case(GemmFn fn, SimdIsa isa, int threads, const GemmCase *in,
                     unsigned long long seed, char *msg, size_t len)
{
    GemmCase c = *in;
    resolve(&c);
    const size_t rows_a = c.op_a == GEMM_N ? (size_t)c.M : (size_t)c.K;
    const size_t rows_b = c.op_b == GEMM_N ? (size_t)c.K : (size_t)c.N;
    const size_t na = rows_a * c.lda + 1, nb = rows_b * c.ldb + 1;
    const size_t nc = ((size_t)c.M + GUARD_ROWS) * c.ldc;
    float *A = random_floats(na, seed), *B = random_floats(nb, seed + 1);
    float *C = random_floats(nc, seed + 2);
    const int nan_c = c.beta == 0.0f && c.K > 0;
    for (size_t k = 0; k < nc; k++) {
        size_t i = k / c.ldc, j = k % c.ldc;
        if (i >= (size_t)c.M || j >= (size_t)c.N)
            C[k] = GUARD_VAL;
        else if (nan_c)
            grade_fill_nan(&C[k], 1);
    }
    float *C0 = xmalloc(nc * sizeof *C0);
    memcpy(C0, C, nc * sizeof *C0);
    run_gemm(fn, isa, threads, &c, A, B, C);

    char params[256];
    format_gemm(params, sizeof params, fn, isa, threads, &c);
    const char *name = gemm_fn_name(fn);
    int bad = 0;
    msg[0] = '\0';

    bad = c_guards(name, params, C, c.M, c.N, c.ldc, nc, msg, len);
    for (size_t k = 0; k < (size_t)c.M * c.ldc && !bad && nan_c; k++)
        if (k % c.ldc < (size_t)c.N && from_fill(C[k])) {
            snprintf(msg, len,
                     "%s(%s): C[%zu][%zu] is NaN computed from the NaN the test "
                     "put in C.\nHint: with beta == 0, C must not be read: "
                     "0 * NaN is NaN. Store the sum itself, not sum + beta * C.",
                     name, params, k / c.ldc, k % c.ldc);
            bad = 1;
        }
    if (!bad) {
        const size_t n = (size_t)c.M * c.N;
        float *got = xmalloc((n ? n : 1) * sizeof *got);
        for (int i = 0; i < c.M; i++)
            memcpy(got + (size_t)i * c.N, C + (size_t)i * c.ldc,
                   (size_t)c.N * sizeof *got);
        GemmProblem pb = {c, A, B, na, nb, C0};
        double *want = xmalloc((n ? n : 1) * sizeof *want);
        double *alt[GM_N] = {0};
        oracle_gemm(&pb, GM_RIGHT, want);
        GradeCompare cmp = {.func = name, .params = params, .output = "C",
                            .ndim = 2, .shape = {(size_t)c.M, (size_t)c.N},
                            .rtol = A05_RTOL, .floor_frac = A05_FLOOR};
        /* the mistakes' outputs cost time: computed only for a failure */
        if (n > 0 && grade_compare(&cmp, got, want, msg, len) != 0) {
            for (int m = GM_RIGHT + 1; m < GM_N; m++) {
                if (m == GM_BETA_EVERY_SLICE && fn != GF_BLOCKED)
                    continue;
                alt[m] = xmalloc(n * sizeof(double));
                if (oracle_gemm(&pb, (GemmMistake)m, alt[m]) == 0 &&
                    differs(alt[m], want, n))
                    grade_add_alt(&cmp, alt[m], gemm_hint((GemmMistake)m));
            }
            bad = grade_compare(&cmp, got, want, msg, len) != 0;
        }
        for (int m = 0; m < GM_N; m++)
            free(alt[m]);
        free(want);
        free(got);
    }
    free(A), free(B), free(C), free(C0);
    return bad ? -1 : 0;
}

void check_gemm(GemmFn fn, SimdIsa isa, int threads, const GemmCase *c,
                unsigned long long seed)
{
    char msg[MSG_MAX];
    if (gemm_case(fn, isa, threads, c, seed, msg, sizeof msg))
        ck_abort_msg("%s", msg);
}

void check_gemm_cases(GemmFn fn, SimdIsa isa, int threads,
                      const GemmCase *cases, int n, unsigned long long seed)
{
    char msg[MSG_MAX];
    for (int k = 0; k < n; k++)
        if (gemm_case(fn, isa, threads, &cases[k], seed + 10 * (unsigned)k, msg,
                      sizeof msg))
            ck_abort_msg("%s", msg);
}

/* ---- packing ------------------------------------------------------------------- */

typedef enum {
    PK_RIGHT,
    PK_ROW_MAJOR_PANEL, /* inside a panel, one row (column of B) after another */
    PK_NO_PANELS,       /* the whole block column after column, no panels      */
    PK_OP_IGNORED,      /* X read as stored although op is GEMM_T              */
    PK_N
} PackMistake;

static const char *pack_hint(PackMistake m, int is_a)
{
    switch (m) {
    case PK_ROW_MAJOR_PANEL:
        return is_a ? "inside a panel, store column after column: "
                      "pa[(ip*kc + p)*mr + r] puts the mr values of column p "
                      "next to each other, the values one step of the "
                      "micro-kernel reads, eq. (5.15)."
                    : "inside a panel, store row after row of op(B): "
                      "pb[(jp*kc + p)*nr + c] puts the nr values of row p "
                      "next to each other, eq. (5.15).";
    case PK_NO_PANELS:
        return is_a ? "the block is cut into panels of mr rows: panel ip "
                      "holds rows ip*mr .. ip*mr + mr - 1 for all kc columns "
                      "before the next panel starts, eq. (5.15)."
                    : "the block is cut into panels of nr columns: panel jp "
                      "holds columns jp*nr .. jp*nr + nr - 1 for all kc rows "
                      "before the next panel starts, eq. (5.15).";
    case PK_OP_IGNORED:
        return is_a ? "op_a ignored: with GEMM_T, op(A)[i][p] is A[p*lda + i]."
                    : "op_b ignored: with GEMM_T, op(B)[p][j] is B[j*ldb + p].";
    default:
        return NULL;
    }
}

/* The packed buffer of eq. (5.15) for a block of `rows` x kc of op(X) (for
 * B: rows = nc columns, read transposed), or a mistake's; -1 when the
 * mistake does not apply. For A: element (row, p) = op(X)[row][p]; for B:
 * element (col, p) = op(X)[p][col]. */
static int oracle_pack(int is_a, GemmOp op, int rows, int kc, const float *X,
                       size_t nx, int ld, int width, PackMistake m, double *out)
{
    const int panels = (rows + width - 1) / width;
    int oob = 0;
    if (m == PK_OP_IGNORED && op != GEMM_T)
        return -1;
    GemmOp o = m == PK_OP_IGNORED ? GEMM_N : op;
    for (int ip = 0; ip < panels; ip++)
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < width; r++) {
                const int row = ip * width + r;
                double v = 0.0;
                if (row < rows)
                    v = is_a ? op_at(X, nx, o, ld, row, p, &oob)
                             : op_at(X, nx, o, ld, p, row, &oob);
                size_t k;
                switch (m) {
                case PK_ROW_MAJOR_PANEL:
                    k = ((size_t)ip * width + r) * kc + p;
                    break;
                case PK_NO_PANELS:
                    k = (size_t)p * panels * width + (size_t)ip * width + r;
                    break;
                default:
                    k = ((size_t)ip * kc + p) * width + r;
                }
                out[k] = v;
            }
    return oob ? -1 : 0;
}

static void check_pack(int is_a, GemmOp op, int rows, int kc, int ld, int width,
                       unsigned long long seed)
{
    /* op(X) is rows x kc for A; kc x rows for B */
    const int op_rows = is_a ? rows : kc, op_cols = is_a ? kc : rows;
    const size_t stored_rows = op == GEMM_N ? (size_t)op_rows : (size_t)op_cols;
    const size_t nx = stored_rows * ld;
    float *X = random_floats(nx, seed);
    const int panels = (rows + width - 1) / width;
    const size_t n = (size_t)panels * width * kc;
    const size_t guard = 8;
    float *packed = xmalloc((n + guard) * sizeof *packed);
    grade_fill_nan(packed, n + guard);
    if (is_a)
        gemm_pack_a(op, rows, kc, X, ld, width, packed);
    else
        gemm_pack_b(op, kc, rows, X, ld, width, packed);

    const char *name = is_a ? "gemm_pack_a" : "gemm_pack_b";
    char params[200], msg[MSG_MAX];
    if (is_a)
        snprintf(params, sizeof params, "op_a=%s mc=%d kc=%d lda=%d mr=%d",
                 op == GEMM_N ? "N" : "T", rows, kc, ld, width);
    else
        snprintf(params, sizeof params, "op_b=%s kc=%d nc=%d ldb=%d nr=%d",
                 op == GEMM_N ? "N" : "T", kc, rows, ld, width);
    int bad = 0;
    for (size_t k = n; k < n + guard && !bad; k++)
        if (bits(packed[k]) != fill_bits()) {
            snprintf(msg, sizeof msg,
                     "%s(%s): wrote %s[%zu], past the end of the packed "
                     "buffer of ceil(%s/%s)*%s*kc = %zu floats.",
                     name, params, is_a ? "pa" : "pb", k, is_a ? "mc" : "nc",
                     is_a ? "mr" : "nr", is_a ? "mr" : "nr", n);
            bad = 1;
        }
    for (size_t k = 0; k < n && !bad; k++) {
        const int r = (int)(k % width), ip = (int)(k / ((size_t)width * kc));
        if (ip * width + r >= rows && bits(packed[k]) == fill_bits()) {
            snprintf(msg, sizeof msg,
                     "%s(%s): %s[%zu] was never written: it is %s %d of the "
                     "last panel, past %s = %d.\nHint: the last panel is "
                     "padded to %s %s with zeros, eq. (5.15): write 0 there, so "
                     "that the micro-kernel multiplies zeros, not whatever the "
                     "buffer held.",
                     name, params, is_a ? "pa" : "pb", k, is_a ? "row" : "column",
                     ip * width + r, is_a ? "mc" : "nc", rows, is_a ? "mr" : "nr",
                     is_a ? "rows" : "columns");
            bad = 1;
        }
    }
    if (!bad) {
        double *want = xmalloc(n * sizeof *want), *alt[PK_N] = {0};
        oracle_pack(is_a, op, rows, kc, X, nx, ld, width, PK_RIGHT, want);
        GradeCompare cmp = {.func = name, .params = params,
                            .output = is_a ? "pa" : "pb", .ndim = 3,
                            .shape = {(size_t)panels, (size_t)kc, (size_t)width},
                            .rtol = 1e-7, .floor_frac = A05_FLOOR};
        for (int m = PK_RIGHT + 1; m < PK_N; m++) {
            alt[m] = xmalloc(n * sizeof(double));
            if (oracle_pack(is_a, op, rows, kc, X, nx, ld, width, (PackMistake)m,
                            alt[m]) == 0 && differs(alt[m], want, n))
                grade_add_alt(&cmp, alt[m], pack_hint((PackMistake)m, is_a));
        }
        bad = grade_compare(&cmp, packed, want, msg, sizeof msg) != 0;
        for (int m = 0; m < PK_N; m++)
            free(alt[m]);
        free(want);
    }
    free(X), free(packed);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_pack_a(GemmOp op, int mc, int kc, int lda, int mr,
                  unsigned long long seed)
{
    check_pack(1, op, mc, kc, lda, mr, seed);
}

void check_pack_b(GemmOp op, int kc, int nc, int ldb, int nr,
                  unsigned long long seed)
{
    check_pack(0, op, nc, kc, ldb, nr, seed);
}

/* ---- the micro-kernel ------------------------------------------------------------ */

void check_micro_kernel(int kc, int m, int n, float beta,
                        unsigned long long seed)
{
    const int ldc = GEMM_NR + 3, rows = GEMM_MR + 2;
    const size_t npa = (size_t)(kc ? kc : 1) * GEMM_MR;
    const size_t npb = (size_t)(kc ? kc : 1) * GEMM_NR;
    float *pa = random_floats(npa, seed), *pb = random_floats(npb, seed + 1);
    float *C = random_floats((size_t)rows * ldc, seed + 2);
    const int nan_c = beta == 0.0f && kc > 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < ldc; c++) {
            float *v = &C[r * ldc + c];
            if (r >= m || c >= n)
                *v = GUARD_VAL;
            else if (nan_c)
                grade_fill_nan(v, 1);
        }
    float C0[(GEMM_MR + 2) * (GEMM_NR + 3)];
    memcpy(C0, C, sizeof C0);
    gemm_micro_kernel(kc, pa, pb, m, n, beta, C, ldc);

    char params[160], msg[MSG_MAX];
    snprintf(params, sizeof params, "kc=%d, m=%d, n=%d, beta=%g, ldc=%d", kc, m,
             n, (double)beta, ldc);
    int bad = 0;
    for (int k = 0; k < rows * ldc && !bad; k++) {
        const int r = k / ldc, c = k % ldc;
        if ((r >= m || c >= n) && bits(C[k]) != bits(GUARD_VAL)) {
            snprintf(msg, sizeof msg,
                     "gemm_micro_kernel(%s): C[%d][%d] was written (it held "
                     GRADE_FMT ", now " GRADE_FMT "), outside the %d x %d "
                     "corner of this edge tile.\nHint: an edge tile writes "
                     "only its m x n corner: the micro-kernel stores C[r][c] "
                     "for r < m and c < n only.",
                     params, r, c, (double)GUARD_VAL, (double)C[k], m, n);
            bad = 1;
        } else if (r < m && c < n && nan_c && from_fill(C[k])) {
            snprintf(msg, sizeof msg,
                     "gemm_micro_kernel(%s): C[%d][%d] is NaN computed from the "
                     "NaN the test put in C.\nHint: with beta == 0, C must not "
                     "be read: 0 * NaN is NaN. Store the sum itself, not sum + "
                     "beta * C.",
                     params, r, c);
            bad = 1;
        }
    }
    if (!bad) {
        double want[GEMM_MR * GEMM_NR], no_beta[GEMM_MR * GEMM_NR];
        float got[GEMM_MR * GEMM_NR];
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++) {
                double s = 0.0; /* eq. (5.16) */
                for (int p = 0; p < kc; p++)
                    s += (double)pa[p * GEMM_MR + r] * pb[p * GEMM_NR + c];
                const double c0 = C0[r * ldc + c];
                want[r * n + c] = beta == 0.0f ? s : s + beta * c0;
                no_beta[r * n + c] = s;
                got[r * n + c] = C[r * ldc + c];
            }
        GradeCompare cmp = {.func = "gemm_micro_kernel", .params = params,
                            .output = "C", .ndim = 2,
                            .shape = {(size_t)m, (size_t)n},
                            .rtol = A05_RTOL, .floor_frac = A05_FLOOR};
        if (beta != 0.0f && kc > 0 &&
            differs(no_beta, want, (size_t)m * n))
            grade_add_alt(&cmp, no_beta, gemm_hint(GM_BETA_IGNORED));
        bad = grade_compare(&cmp, got, want, msg, sizeof msg) != 0;
    }
    free(pa), free(pb), free(C);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- offsets past 2^31 ----------------------------------------------------------- */

/* Reserves bytes of address space that reads as zeros and costs memory only
 * where it is written. */
static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_msg(p != MAP_FAILED,
                  "test error: could not reserve %zu bytes of address space "
                  "for the test past 2^31 elements (is an address-space limit "
                  "set?)", bytes);
    return p;
}

void check_gemm_big_offsets(GemmFn fn)
{
    /* op(A) = A (N): M = 3 rows lda apart, row 2 at 2^31 + 14. op(B) = B^T:
     * N = 5 rows of B ldb apart, row 4 at 2^31 + 12. */
    const int M = 3, N = 5, K = 4;
    const int lda = (1 << 30) + 7, ldb = (1 << 29) + 3, ldc = N;
    const size_t na = (size_t)(M - 1) * lda + K, nb = (size_t)(N - 1) * ldb + K;
    float *A = reserve(na * sizeof(float)), *B = reserve(nb * sizeof(float));
    Rng r;
    rng_seed(&r, 5150);
    for (int i = 0; i < M; i++)
        for (int p = 0; p < K; p++)
            A[(size_t)i * lda + p] = (float)rng_uniform(&r) * 2 - 1;
    for (int j = 0; j < N; j++)
        for (int p = 0; p < K; p++)
            B[(size_t)j * ldb + p] = (float)rng_uniform(&r) * 2 - 1;
    const size_t nc = (size_t)(M + GUARD_ROWS) * ldc;
    float *C = xmalloc(nc * sizeof *C);
    double want[3 * 5];
    for (size_t k = 0; k < nc; k++)
        C[k] = GUARD_VAL;
    for (int i = 0; i < M; i++)
        grade_fill_nan(C + (size_t)i * ldc, (size_t)N);
    GemmCase c = {GEMM_N, GEMM_T, M, N, K, lda, ldb, ldc, 0.0f};
    run_gemm(fn, simd_cpu_isa(), 2, &c, A, B, C);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int p = 0; p < K; p++)
                s += (double)A[(size_t)i * lda + p] * B[(size_t)j * ldb + p];
            want[i * N + j] = s;
        }
    munmap(A, na * sizeof(float));
    munmap(B, nb * sizeof(float));
    char params[300], msg[MSG_MAX];
    format_gemm(params, sizeof params, fn, simd_cpu_isa(), 2, &c);
    strcat(params, "; row 2 of A starts at offset 2*lda, past 2^31, so "
                   "offsets need size_t arithmetic");
    int bad = c_guards(gemm_fn_name(fn), params, C, M, N, ldc, nc, msg, sizeof msg);
    for (int k = 0; k < M * N && !bad; k++)
        if (from_fill(C[k])) {
            snprintf(msg, sizeof msg, "%s(%s): C[%d][%d] is NaN computed from "
                     "the NaN the test put in C.\nHint: with beta == 0, C must "
                     "not be read: 0 * NaN is NaN. Store the sum itself, not sum "
                     "+ beta * C.", gemm_fn_name(fn), params, k / N, k % N);
            bad = 1;
        }
    GradeCompare cmp = {.func = gemm_fn_name(fn), .params = params,
                        .output = "C", .ndim = 2, .shape = {(size_t)M, (size_t)N},
                        .rtol = A05_RTOL, .floor_frac = A05_FLOOR};
    float got[3 * 5];
    for (int i = 0; i < M; i++)
        memcpy(got + i * N, C + (size_t)i * ldc, (size_t)N * sizeof *got);
    if (!bad)
        bad = grade_compare(&cmp, got, want, msg, sizeof msg) != 0;
    free(C);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- im2col and col2im ------------------------------------------------------------- */

typedef enum {
    IM_RIGHT,
    IM_PAD_IGNORED,    /* row i*sh + u*dh: the -pad missing             */
    IM_STRIDE_IGNORED, /* row i - ph + u*dh                             */
    IM_DIL_IGNORED,    /* row i*sh - ph + u                             */
    IM_SWAP_HW,        /* rows use the _w parameters, columns the _h    */
    IM_ROW_ORDER,      /* rows ordered (u, v, c): channel innermost     */
    IM_TILE_FROM_ZERO, /* the tile taken as pixels 0 .. np-1, not p0 .. */
    IM_COL_OVERWRITE,  /* col2im: dx = value instead of dx += value     */
    IM_COL_CLEARS,     /* col2im: dx cleared first                      */
    IM_N
} ImMistake;

static const char *im_hint(ImMistake m, int adjoint)
{
    switch (m) {
    case IM_PAD_IGNORED:
        return "padding ignored: tap (u, v) of output pixel (i, j) reads input "
               "(i*stride_h - pad_h + u*dil_h, j*stride_w - pad_w + v*dil_w), "
               "eq. (5.3).";
    case IM_STRIDE_IGNORED:
        return "stride ignored: output pixel (i, j) starts at input "
               "(i*stride_h - pad_h, j*stride_w - pad_w), eq. (5.3).";
    case IM_DIL_IGNORED:
        return "dilation ignored: tap (u, v) sits u*dil_h rows and v*dil_w "
               "columns from the window's corner, eq. (5.3).";
    case IM_SWAP_HW:
        return "height and width parameters swapped: rows use stride_h, "
               "pad_h and dil_h, columns stride_w, pad_w and dil_w.";
    case IM_ROW_ORDER:
        return adjoint
                   ? "rows of cols read in the wrong order: row r = (c*kh + "
                     "u)*kw + v, channel outermost (the order of a filter's "
                     "weights in OIHW memory), eq. (5.3)."
                   : "rows in the wrong order: row r = (c*kh + u)*kw + v, "
                     "channel outermost (the order of a filter's weights in "
                     "OIHW memory), eq. (5.3).";
    case IM_TILE_FROM_ZERO:
        return "the tile starts at pixel p0: column t of cols is output pixel "
               "q = p0 + t, i = q / OW, j = q % OW (not pixel t).";
    case IM_COL_OVERWRITE:
        return "col2im must ADD into dx (dx += ...), eq. (5.9): overlapping "
               "windows and successive tiles add up, and what dx held before "
               "stays in the sum.";
    case IM_COL_CLEARS:
        return "col2im must not clear dx: it adds into it, eq. (5.9); the "
               "caller clears dx once before the first tile.";
    default:
        return NULL;
    }
}

/* Where row r, pixel q of the column matrix reads x under mistake m: 1 with
 * (c, row, col) when inside the image, 0 in the padding. */
static int im_source(const Conv2dGeom *g, int OW, size_t r, size_t q,
                     ImMistake m, int *c, int *row, int *col)
{
    const int cg = g->c_in / g->groups;
    int u, v;
    if (m == IM_ROW_ORDER) { /* r = (u*kw + v)*cg + c */
        *c = (int)(r % cg);
        u = (int)(r / cg / g->kw);
        v = (int)(r / cg % g->kw);
    } else {                 /* r = (c*kh + u)*kw + v, eq. (5.3) */
        *c = (int)(r / ((size_t)g->kh * g->kw));
        u = (int)(r / g->kw % g->kh);
        v = (int)(r % g->kw);
    }
    const int i = (int)(q / OW), j = (int)(q % OW);
    int sh = g->stride_h, sw = g->stride_w, ph = g->pad_h, pw = g->pad_w;
    int dh = g->dil_h, dw = g->dil_w;
    if (m == IM_SWAP_HW) {
        int t;
        t = sh, sh = sw, sw = t;
        t = ph, ph = pw, pw = t;
        t = dh, dh = dw, dw = t;
    }
    if (m == IM_STRIDE_IGNORED) sh = sw = 1;
    if (m == IM_PAD_IGNORED) ph = pw = 0;
    if (m == IM_DIL_IGNORED) dh = dw = 1;
    *row = i * sh - ph + u * dh;
    *col = j * sw - pw + v * dw;
    return *row >= 0 && *row < g->h && *col >= 0 && *col < g->w;
}

static int is_geometric(ImMistake m)
{
    return m == IM_PAD_IGNORED || m == IM_STRIDE_IGNORED || m == IM_DIL_IGNORED ||
           m == IM_SWAP_HW || m == IM_ROW_ORDER || m == IM_TILE_FROM_ZERO;
}

static size_t K_of(const Conv2dGeom *g)
{
    return (size_t)(g->c_in / g->groups) * g->kh * g->kw;
}

static int OW_of(const Conv2dGeom *g)
{
    return out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
}

static int OH_of(const Conv2dGeom *g)
{
    return out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
}

/* cols (K x np) of eq. (5.3), or a mistake's. x is one group of one image. */
static void oracle_im2col(const Conv2dGeom *g, const float *x, size_t p0,
                          size_t np, ImMistake m, double *out)
{
    const int OW = OW_of(g);
    const size_t hw = (size_t)g->h * g->w;
    for (size_t r = 0; r < K_of(g); r++)
        for (size_t t = 0; t < np; t++) {
            int c, row, col;
            size_t q = m == IM_TILE_FROM_ZERO ? t : p0 + t;
            out[r * np + t] = im_source(g, OW, r, q, m, &c, &row, &col)
                                  ? x[(size_t)c * hw + (size_t)row * g->w + col]
                                  : 0.0;
        }
}

/* dx after col2im, eq. (5.9), from dx0, or a mistake's; -1 when the
 * mistake's result is not defined (overwrite with overlapping windows). */
static int oracle_col2im(const Conv2dGeom *g, const float *cols, size_t p0,
                         size_t np, const float *dx0, ImMistake m, double *out)
{
    const int OW = OW_of(g), cg = g->c_in / g->groups;
    const size_t hw = (size_t)g->h * g->w, n = (size_t)cg * hw;
    int *hits = xcalloc(n, sizeof *hits);
    for (size_t k = 0; k < n; k++)
        out[k] = m == IM_COL_CLEARS ? 0.0 : dx0[k];
    int overlap = 0;
    for (size_t r = 0; r < K_of(g); r++)
        for (size_t t = 0; t < np; t++) {
            int c, row, col;
            size_t q = m == IM_TILE_FROM_ZERO ? t : p0 + t;
            ImMistake geo = is_geometric(m) ? m : IM_RIGHT;
            if (!im_source(g, OW, r, q, geo, &c, &row, &col))
                continue;
            size_t k = (size_t)c * hw + (size_t)row * g->w + col;
            if (m == IM_COL_OVERWRITE) {
                overlap |= hits[k]++ > 0;
                out[k] = cols[r * np + t];
            } else {
                out[k] += cols[r * np + t];
            }
        }
    free(hits);
    return m == IM_COL_OVERWRITE && overlap ? -1 : 0;
}

static void im_params(char *buf, size_t len, const Conv2dGeom *g, size_t p0,
                      size_t np)
{
    char geo[200];
    format_geom(geo, sizeof geo, g);
    snprintf(buf, len, "%s, p0=%zu np=%zu (OH=%d OW=%d)", geo, p0, np, OH_of(g),
             OW_of(g));
}

void check_im2col(const Conv2dGeom *g, int n, int grp, size_t p0, size_t np,
                  unsigned long long seed)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w, K = K_of(g);
    const int cg = g->c_in / g->groups;
    float *x = random_floats(nx, seed);
    const float *xg = x + ((size_t)n * g->c_in + (size_t)grp * cg) * g->h * g->w;
    float *cols = xmalloc((K * np + 8) * sizeof *cols);
    grade_fill_nan(cols, K * np + 8);
    im2col(g, xg, p0, np, cols);

    char params[300], msg[MSG_MAX];
    im_params(params, sizeof params, g, p0, np);
    int bad = 0;
    for (size_t k = K * np; k < K * np + 8 && !bad; k++)
        if (bits(cols[k]) != fill_bits()) {
            snprintf(msg, sizeof msg,
                     "im2col(%s): wrote cols[%zu], past the end of cols "
                     "(K x np = %zu x %zu floats).",
                     params, k, K, np);
            bad = 1;
        }
    if (!bad) {
        double *want = xmalloc(K * np * sizeof *want), *alt[IM_N] = {0};
        oracle_im2col(g, xg, p0, np, IM_RIGHT, want);
        GradeCompare cmp = {.func = "im2col", .params = params, .output = "cols",
                            .ndim = 2, .shape = {K, np},
                            .rtol = 1e-7, .floor_frac = A05_FLOOR};
        for (int m = IM_RIGHT + 1; m < IM_N; m++) {
            if (!is_geometric((ImMistake)m))
                continue;
            alt[m] = xmalloc(K * np * sizeof(double));
            oracle_im2col(g, xg, p0, np, (ImMistake)m, alt[m]);
            if (differs(alt[m], want, K * np))
                grade_add_alt(&cmp, alt[m], im_hint((ImMistake)m, 0));
        }
        bad = grade_compare(&cmp, cols, want, msg, sizeof msg) != 0;
        for (int m = 0; m < IM_N; m++)
            free(alt[m]);
        free(want);
    }
    free(x), free(cols);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_col2im(const Conv2dGeom *g, size_t p0, size_t np,
                  unsigned long long seed)
{
    const size_t K = K_of(g), cg = (size_t)(g->c_in / g->groups);
    const size_t n = cg * g->h * g->w;
    float *cols = random_floats(K * np, seed);
    float *dx = random_floats(n, seed + 1);
    float *dx0 = xmalloc(n * sizeof *dx0);
    memcpy(dx0, dx, n * sizeof *dx0);
    col2im(g, cols, p0, np, dx);

    char params[300], msg[MSG_MAX];
    im_params(params, sizeof params, g, p0, np);
    double *want = xmalloc(n * sizeof *want), *alt[IM_N] = {0};
    oracle_col2im(g, cols, p0, np, dx0, IM_RIGHT, want);
    GradeCompare cmp = {.func = "col2im", .params = params, .output = "dx",
                        .ndim = 3, .shape = {cg, (size_t)g->h, (size_t)g->w},
                        .rtol = A05_RTOL, .floor_frac = A05_FLOOR};
    for (int m = IM_RIGHT + 1; m < IM_N; m++) {
        alt[m] = xmalloc(n * sizeof(double));
        if (oracle_col2im(g, cols, p0, np, dx0, (ImMistake)m, alt[m]) == 0 &&
            differs(alt[m], want, n))
            grade_add_alt(&cmp, alt[m], im_hint((ImMistake)m, 1));
    }
    int bad = grade_compare(&cmp, dx, want, msg, sizeof msg) != 0;
    for (int m = 0; m < IM_N; m++)
        free(alt[m]);
    free(want), free(cols), free(dx), free(dx0);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* The layer of the tests past 2^31: x is (1, 2, 32768, 32776), 2^31 +
 * 524288 floats; the windows read rows {0, 1, 32766, 32767} and columns
 * {0, 1, 32774, 32775} of each channel. */
static Conv2dGeom big_geom(void)
{
    Conv2dGeom g = geom05(1, 2, 32768, 32776, 3, 2, 2);
    g.stride_h = 32766;
    g.stride_w = 32774;
    return g;
}

/* Writes random values at every position the big layer's windows read. */
static void fill_windows(const Conv2dGeom *g, float *x, unsigned long long seed)
{
    static const int rows[4] = {0, 1, 32766, 32767}, cols[4] = {0, 1, 32774, 32775};
    Rng r;
    rng_seed(&r, seed);
    for (int c = 0; c < g->c_in; c++)
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                x[((size_t)c * g->h + rows[a]) * g->w + cols[b]] =
                    (float)rng_uniform(&r) * 2 - 1;
}

void check_im2col_big_offsets(int adjoint)
{
    const Conv2dGeom g = big_geom();
    const size_t nx = (size_t)g.c_in * g.h * g.w, K = K_of(&g), P = 4;
    float *x = reserve(nx * sizeof(float));
    char params[600], msg[MSG_MAX];
    im_params(params, sizeof params, &g, 0, P);
    strcat(params, "; x holds 2^31 + 524288 floats and channel 1's last rows "
                   "lie past offset 2^31, so offsets need size_t arithmetic");
    int bad;
    if (!adjoint) {
        fill_windows(&g, x, 77);
        float cols[8 * 4];
        double want[8 * 4];
        grade_fill_nan(cols, K * P);
        im2col(&g, x, 0, P, cols);
        oracle_im2col(&g, x, 0, P, IM_RIGHT, want);
        GradeCompare cmp = {.func = "im2col", .params = params, .output = "cols",
                            .ndim = 2, .shape = {K, P}, .rtol = 1e-7,
                            .floor_frac = A05_FLOOR};
        bad = grade_compare(&cmp, cols, want, msg, sizeof msg) != 0;
    } else {
        float *cols = random_floats(K * P, 78);
        col2im(&g, cols, 0, P, x);
        /* every position a window reads, both channels: 32 values */
        static const int rows[4] = {0, 1, 32766, 32767}, cl[4] = {0, 1, 32774, 32775};
        float got[32];
        double want[32] = {0};
        for (size_t r = 0; r < K; r++)
            for (size_t q = 0; q < P; q++) {
                int c, row, col;
                im_source(&g, 2, r, q, IM_RIGHT, &c, &row, &col);
                int a = row < 2 ? row : row - 32764, b = col < 2 ? col : col - 32772;
                want[(c * 4 + a) * 4 + b] += cols[r * P + q];
            }
        for (int c = 0; c < 2; c++)
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++)
                    got[(c * 4 + a) * 4 + b] = x[((size_t)c * g.h + rows[a]) * g.w + cl[b]];
        GradeCompare cmp = {.func = "col2im", .params = params,
                            .output = "dx (at the 32 positions the windows read)",
                            .ndim = 3, .shape = {2, 4, 4}, .rtol = A05_RTOL,
                            .floor_frac = A05_FLOOR};
        bad = grade_compare(&cmp, got, want, msg, sizeof msg) != 0;
        free(cols);
    }
    munmap(x, nx * sizeof(float));
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- conv2d: references ---------------------------------------------------------------- */

typedef enum {
    CF_RIGHT,
    CF_NO_BIAS,     /* bias forgotten                                */
    CF_GROUP0_W,    /* every group uses group 0's filters            */
    CF_GROUP0_X,    /* every group reads group 0's input channels    */
    CF_N
} FwdMistake;

static const char *fwd_hint(FwdMistake m)
{
    switch (m) {
    case CF_NO_BIAS:
        return "the bias is missing: add bias[o] to every pixel of output "
               "channel o after the GEMM (unless bias is NULL).";
    case CF_GROUP0_W:
        return "every group used group 0's filters: group grp's filters are "
               "rows grp*og .. grp*og + og - 1 of the c_out x K weight "
               "matrix, weight + grp*og*K.";
    case CF_GROUP0_X:
        return "every group read group 0's input channels: group grp of image "
               "n starts at x + (n*c_in + grp*cg)*h*w.";
    default:
        return NULL;
    }
}

/* y by eq. (1.6), every tap tested against the image, in double. */
static void oracle_forward(const Conv2dGeom *g, const float *x, const float *w,
                           const float *b, FwdMistake m, double *y)
{
    const int OH = OH_of(g), OW = OW_of(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    size_t k = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++) {
            const int grp = o / og;
            const int wo = m == CF_GROUP0_W ? o % og : o;
            const int xg = m == CF_GROUP0_X ? 0 : grp;
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = 0.0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                int r = i * g->stride_h - g->pad_h + u * g->dil_h;
                                int q = j * g->stride_w - g->pad_w + v * g->dil_w;
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                s += (double)x[(((size_t)n * g->c_in + xg * cg + c) *
                                                    g->h + r) * g->w + q] *
                                     w[(((size_t)wo * cg + c) * g->kh + u) * g->kw + v];
                            }
                    if (b && m != CF_NO_BIAS)
                        s += b[o];
                    y[k++] = s;
                }
        }
}

typedef enum {
    CB_RIGHT,
    CB_DW_LAST_IMAGE,  /* dW overwritten by every image's term        */
    CB_DW_LAST_TILE,   /* dW overwritten by every tile's term         */
    CB_DB_FIRST_IMAGE, /* db summed over image 0 only                 */
    CB_N
} BwdMistake;

static const char *bwd_hint(BwdMistake m)
{
    switch (m) {
    case CB_DW_LAST_IMAGE:
        return "dweight holds the last image's term only: eq. (5.8) sums "
               "over the batch, so only the first GEMM into dW overwrites "
               "(beta = 0); every later one adds (beta = 1).";
    case CB_DW_LAST_TILE:
        return "dweight holds the last tile's term only: each tile of each "
               "image adds its dY cols^T into dW (beta = 1); only the very "
               "first tile overwrites (beta = 0).";
    case CB_DB_FIRST_IMAGE:
        return "dbias summed over the first image only: eq. (5.10) sums dy "
               "over the batch as well as over the pixels.";
    default:
        return NULL;
    }
}

/* dx, dw, db by eqs. (3.4)-(3.6) in scatter form: every (output, tap) pair
 * adds its product where it belongs. Images n_lo .. n_hi-1 and pixels
 * q_lo .. P-1 of the last image (for the mistakes); the full sums are
 * n_lo = 0, n_hi = N, q_lo = 0. */
static void oracle_backward_part(const Conv2dGeom *g, const float *x,
                                 const float *w, const float *dy, int n_lo,
                                 int n_hi, size_t q_lo, double *dx, double *dw,
                                 double *db)
{
    const int OH = OH_of(g), OW = OW_of(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * cg * g->kh * g->kw;
    if (dx) memset(dx, 0, nx * sizeof *dx);
    if (dw) memset(dw, 0, nw * sizeof *dw);
    if (db) memset(db, 0, (size_t)g->c_out * sizeof *db);
    for (int n = n_lo; n < n_hi; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    if (n == n_hi - 1 && (size_t)i * OW + j < q_lo)
                        continue;
                    const double d = dy[(((size_t)n * g->c_out + o) * OH + i) * OW + j];
                    if (db) db[o] += d;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                int r = i * g->stride_h - g->pad_h + u * g->dil_h;
                                int q = j * g->stride_w - g->pad_w + v * g->dil_w;
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                size_t xi = (((size_t)n * g->c_in + (o / og) * cg + c) *
                                                 g->h + r) * g->w + q;
                                size_t wi = (((size_t)o * cg + c) * g->kh + u) * g->kw + v;
                                if (dw) dw[wi] += d * x[xi];
                                if (dx) dx[xi] += d * w[wi];
                            }
                }
}

/* ---- conv2d: checks ------------------------------------------------------------------- */

static size_t ws_bytes_for(const Conv2dGeom *g, WsSize ws)
{
    switch (ws) {
    case WS_MIN:
        return im2col_workspace_bytes(g, 1, 0);
    case WS_SMALL: /* one thread, a tile of about 7 pixels */
        return im2col_workspace_bytes(g, 1, 0) + 6 * K_of(g) * sizeof(float);
    case WS_ENGINE:
        break;
    }
    return conv2d_workspace_bytes(g, CONV_ALGO_IM2COL);
}

static const char *ws_name(WsSize ws)
{
    return ws == WS_MIN ? "smallest workspace (one-pixel tiles)"
           : ws == WS_SMALL ? "small workspace (tiles of about 7 pixels)"
                            : "the engine's workspace";
}

static float *nan_buffer(size_t n)
{
    float *p = xmalloc((n ? n : 1) * sizeof *p);
    grade_fill_nan(p, n ? n : 1);
    return p;
}

/* Compares y with the references; 0 or -1 with msg. */
static int compare_forward(const Conv2dGeom *g, const char *func,
                           const char *params, const float *x, const float *w,
                           const float *b, const float *y, char *msg, size_t len)
{
    const size_t ny = (size_t)g->n * g->c_out * OH_of(g) * OW_of(g);
    double *want = xmalloc(ny * sizeof *want), *alt[CF_N] = {0};
    oracle_forward(g, x, w, b, CF_RIGHT, want);
    GradeCompare cmp = {.func = func, .params = params, .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH_of(g),
                                  (size_t)OW_of(g)},
                        .rtol = A05_RTOL, .floor_frac = A05_FLOOR};
    for (int m = CF_RIGHT + 1; m < CF_N; m++) {
        alt[m] = xmalloc(ny * sizeof(double));
        oracle_forward(g, x, w, b, (FwdMistake)m, alt[m]);
        if (differs(alt[m], want, ny))
            grade_add_alt(&cmp, alt[m], fwd_hint((FwdMistake)m));
    }
    int bad = grade_compare(&cmp, y, want, msg, len) != 0;
    for (int m = 0; m < CF_N; m++)
        free(alt[m]);
    free(want);
    return bad ? -1 : 0;
}

void check_conv_forward(const Conv2dGeom *g, int has_bias, WsSize ws,
                        unsigned long long seed)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    const size_t ny = (size_t)g->n * g->c_out * OH_of(g) * OW_of(g);
    ck_assert_msg(OH_of(g) >= 1 && OW_of(g) >= 1, "test error: empty output");
    float *x = random_floats(nx, seed), *w = random_floats(nw, seed + 1);
    float *b = has_bias ? random_floats((size_t)g->c_out, seed + 2) : NULL;
    float *y = nan_buffer(ny);
    const size_t bytes = ws_bytes_for(g, ws);
    void *wsp = aligned64(bytes);
    conv2d_forward_im2col(g, x, w, b, y, wsp, bytes);

    char geo[200], params[400], msg[MSG_MAX];
    format_geom(geo, sizeof geo, g);
    snprintf(params, sizeof params, "%s, %s, %s", geo,
             has_bias ? "bias" : "bias=NULL", ws_name(ws));
    int bad = compare_forward(g, "conv2d_forward_im2col", params, x, w, b, y, msg,
                              sizeof msg);
    free(x), free(w), free(b), free(y), free(wsp);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_conv_forward_algo(const Conv2dGeom *g, ConvAlgo algo,
                             unsigned long long seed)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    const size_t ny = (size_t)g->n * g->c_out * OH_of(g) * OW_of(g);
    float *x = random_floats(nx, seed), *w = random_floats(nw, seed + 1);
    float *b = random_floats((size_t)g->c_out, seed + 2);
    float *y = nan_buffer(ny);
    const size_t bytes = conv2d_workspace_bytes(g, algo);
    void *wsp = bytes ? aligned64(bytes) : NULL;
    const int rc = conv2d_forward_algo(g, x, w, b, y, algo, wsp, bytes);
    const char *why = conv2d_forward_unsupported(g, algo);

    char geo[200], params[300], msg[MSG_MAX];
    format_geom(geo, sizeof geo, g);
    snprintf(params, sizeof params, "%s, bias, algo %s", geo, conv_algo_name(algo));
    int bad = 0;
    if (bytes % 64 != 0) {
        snprintf(msg, sizeof msg, "conv2d_workspace_bytes(%s) = %zu, not a "
                 "multiple of 64.", params, bytes);
        bad = 1;
    } else if (why) {
        int touched = 0;
        for (size_t k = 0; k < ny; k++)
            touched |= bits(y[k]) != fill_bits();
        if (rc != -1 || touched) {
            snprintf(msg, sizeof msg, "conv2d_forward_algo(%s) returned %d%s, "
                     "but %s cannot compute this layer (\"%s\"): it must return "
                     "-1 and leave y untouched.", params, rc,
                     touched ? " and wrote y" : "", conv_algo_name(algo), why);
            bad = 1;
        }
    } else if (rc != 0) {
        snprintf(msg, sizeof msg, "conv2d_forward_algo(%s) returned %d with the "
                 "workspace conv2d_workspace_bytes asked for (%zu bytes).",
                 params, rc, bytes);
        bad = 1;
    } else {
        bad = compare_forward(g, "conv2d_forward_algo", params, x, w, b, y, msg,
                              sizeof msg) != 0;
    }
    free(x), free(w), free(b), free(y), free(wsp);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* Compares one gradient; 0 or -1 with msg. */
static int compare_grad(const char *func, const char *params, const char *name,
                        const float *got, const double *want, size_t ndim,
                        const size_t *shape, const double *const *alts,
                        const char *const *hints, int n_alts, char *msg,
                        size_t len)
{
    GradeCompare cmp = {.func = func, .params = params, .output = name,
                        .ndim = (int)ndim, .rtol = A05_RTOL,
                        .floor_frac = A05_FLOOR};
    size_t n = 1;
    for (size_t d = 0; d < ndim; d++)
        n *= (cmp.shape[d] = shape[d]);
    for (int a = 0; a < n_alts; a++)
        if (alts[a] && differs(alts[a], want, n))
            grade_add_alt(&cmp, alts[a], hints[a]);
    return grade_compare(&cmp, got, want, msg, len) != 0 ? -1 : 0;
}

/* Runs the backward pass by the im2col path (algo < 0) or the engine, and
 * compares each requested gradient. */
static void backward_case(const Conv2dGeom *g, int outputs, WsSize wsz, int algo,
                          unsigned long long seed)
{
    const int cg = g->c_in / g->groups;
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * cg * g->kh * g->kw;
    const size_t ny = (size_t)g->n * g->c_out * OH_of(g) * OW_of(g);
    ck_assert_msg(OH_of(g) >= 1 && OW_of(g) >= 1, "test error: empty output");
    float *x = random_floats(nx, seed), *w = random_floats(nw, seed + 1);
    float *dy = random_floats(ny, seed + 2);
    float *dx = outputs & BW_DX ? nan_buffer(nx) : NULL;
    float *dw = outputs & BW_DW ? nan_buffer(nw) : NULL;
    float *db = outputs & BW_DB ? nan_buffer((size_t)g->c_out) : NULL;
    /* the contract lets x and weight be NULL when nothing reads them */
    const float *xin = dw ? x : NULL, *win = dx ? w : NULL;
    size_t bytes = algo < 0 ? ws_bytes_for(g, wsz)
                            : conv2d_workspace_bytes(g, (ConvAlgo)algo);
    void *wsp = bytes ? aligned64(bytes) : NULL;
    int rc = 0;
    if (algo < 0)
        conv2d_backward_im2col(g, xin, win, dy, dx, dw, db, wsp, bytes);
    else
        rc = conv2d_backward_algo(g, xin, win, dy, dx, dw, db, (ConvAlgo)algo, wsp,
                                  bytes);

    const char *func = algo < 0 ? "conv2d_backward_im2col" : "conv2d_backward_algo";
    char geo[200], params[500], msg[MSG_MAX];
    format_geom(geo, sizeof geo, g);
    snprintf(params, sizeof params, "%s; dx%s dweight%s dbias%s; %s", geo,
             dx ? "" : "=NULL", dw ? "" : "=NULL", db ? "" : "=NULL",
             algo < 0 ? ws_name(wsz) : conv_algo_name((ConvAlgo)algo));
    int bad = 0;
    if (rc != 0) {
        snprintf(msg, sizeof msg, "%s(%s) returned %d with the workspace "
                 "conv2d_workspace_bytes asked for.", func, params, rc);
        bad = 1;
    }
    double *want_dx = xmalloc(nx * sizeof(double)), *want_dw = xmalloc(nw * sizeof(double));
    double *want_db = xmalloc((size_t)g->c_out * sizeof(double));
    oracle_backward_part(g, x, w, dy, 0, g->n, 0, want_dx, want_dw, want_db);
    if (!bad && db) {
        double *alt = xmalloc((size_t)g->c_out * sizeof(double));
        oracle_backward_part(g, x, w, dy, 0, 1, 0, NULL, NULL, alt);
        const double *alts[1] = {g->n > 1 ? alt : NULL};
        const char *hints[1] = {bwd_hint(CB_DB_FIRST_IMAGE)};
        size_t shape[1] = {(size_t)g->c_out};
        bad = compare_grad(func, params, "dbias", db, want_db, 1, shape, alts,
                           hints, 1, msg, sizeof msg) != 0;
        free(alt);
    }
    if (!bad && dw) {
        /* the tile the reference (and the lesson's plan) uses backward */
        void *probe = wsp;
        Im2colPlan pl = im2col_plan(g, probe, bytes);
        const size_t P = (size_t)OH_of(g) * OW_of(g);
        const size_t tile = pl.direct ? P : pl.tile * (size_t)pl.threads;
        const size_t last = (P - 1) / tile * tile;
        double *alt_img = xmalloc(nw * sizeof(double)), *alt_tile = xmalloc(nw * sizeof(double));
        oracle_backward_part(g, x, w, dy, g->n - 1, g->n, 0, NULL, alt_img, NULL);
        oracle_backward_part(g, x, w, dy, g->n - 1, g->n, last, NULL, alt_tile, NULL);
        const double *alts[2] = {g->n > 1 ? alt_img : NULL, last > 0 ? alt_tile : NULL};
        const char *hints[2] = {bwd_hint(CB_DW_LAST_IMAGE), bwd_hint(CB_DW_LAST_TILE)};
        size_t shape[4] = {(size_t)g->c_out, (size_t)cg, (size_t)g->kh, (size_t)g->kw};
        bad = compare_grad(func, params, "dweight", dw, want_dw, 4, shape, alts,
                           hints, 2, msg, sizeof msg) != 0;
        free(alt_img), free(alt_tile);
    }
    if (!bad && dx) {
        size_t shape[4] = {(size_t)g->n, (size_t)g->c_in, (size_t)g->h, (size_t)g->w};
        bad = compare_grad(func, params, "dx", dx, want_dx, 4, shape, NULL, NULL, 0,
                           msg, sizeof msg) != 0;
    }
    free(want_dx), free(want_dw), free(want_db);
    free(x), free(w), free(dy), free(dx), free(dw), free(db), free(wsp);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_conv_backward(const Conv2dGeom *g, int outputs, WsSize ws,
                         unsigned long long seed)
{
    backward_case(g, outputs, ws, -1, seed);
}

void check_conv_backward_algo(const Conv2dGeom *g, ConvAlgo algo,
                              unsigned long long seed)
{
    backward_case(g, BW_ALL, WS_ENGINE, (int)algo, seed);
}

void check_conv_big_offsets(int backward)
{
    const Conv2dGeom g = big_geom();
    const size_t nx = (size_t)g.c_in * g.h * g.w;
    const size_t nw = (size_t)g.c_out * g.c_in * g.kh * g.kw, ny = (size_t)g.c_out * 4;
    float *x = reserve(nx * sizeof(float));
    fill_windows(&g, x, 91);
    float *w = random_floats(nw, 92), *b = random_floats((size_t)g.c_out, 93);
    const size_t bytes = conv2d_workspace_bytes(&g, CONV_ALGO_IM2COL);
    void *wsp = aligned64(bytes);
    char geo[400], params[600], msg[MSG_MAX];
    format_geom(geo, sizeof geo, &g);
    strcat(geo, "; x holds 2^31 + 524288 floats and channel 1's last rows lie "
                "past offset 2^31, so offsets need size_t arithmetic");
    int bad;
    if (!backward) {
        float *y = nan_buffer(ny);
        conv2d_forward_im2col(&g, x, w, b, y, wsp, bytes);
        snprintf(params, sizeof params, "%s, bias, the engine's workspace", geo);
        bad = compare_forward(&g, "conv2d_forward_im2col", params, x, w, b, y, msg,
                              sizeof msg) != 0;
        free(y);
    } else {
        float *dy = random_floats(ny, 94), *dw = nan_buffer(nw);
        float *db = nan_buffer((size_t)g.c_out);
        conv2d_backward_im2col(&g, x, NULL, dy, NULL, dw, db, wsp, bytes);
        double *want_dw = xmalloc(nw * sizeof(double));
        double want_db[3];
        oracle_backward_part(&g, x, w, dy, 0, 1, 0, NULL, want_dw, want_db);
        snprintf(params, sizeof params, "%s; dx=NULL dweight dbias", geo);
        size_t shape[4] = {(size_t)g.c_out, (size_t)g.c_in, 2, 2};
        bad = compare_grad("conv2d_backward_im2col", params, "dweight", dw, want_dw,
                           4, shape, NULL, NULL, 0, msg, sizeof msg) != 0;
        free(dy), free(dw), free(db), free(want_dw);
    }
    munmap(x, nx * sizeof(float));
    free(w), free(b), free(wsp);
    if (bad)
        ck_abort_msg("%s", msg);
}

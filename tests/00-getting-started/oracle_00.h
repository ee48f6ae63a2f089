/* oracle_00.h: an independent reference for the chapter 00 tests, written
 * differently from the solution (offsets as sums of index * stride in
 * unsigned long long, derivatives in double), plus the outputs of the
 * typical mistakes that the tests recognise and name in their hints.
 * Shared by the visible and the hidden tests.
 *
 * One hint per mistake: wherever a test recognises a mistake, it names it
 * with the same words; when the wrong result is what two or three mistakes
 * give, the hint names each of them. */
#ifndef ORACLE_00_H
#define ORACLE_00_H

#include <stddef.h>

#include "basics.h"

/* ---- offsets ------------------------------------------------------------ */

/* An offset formula: the right one, or a typical mistake. */
typedef unsigned long long (*OracleOffset)(Dims4 d, int n, int c, int h, int w);

unsigned long long oracle_nchw(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc(Dims4 d, int n, int c, int h, int w);
/* Mistakes: W and H swapped; N and C swapped; NHWC with H and W swapped;
 * NHWC with the arguments taken in the order n, h, w, c; an offset computed
 * in 32-bit unsigned arithmetic (wraps at 2^32) or in a 32-bit int that
 * overflowed and was widened to size_t. */
unsigned long long oracle_nchw_hw_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nchw_nc_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_hw_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_args_nhwc(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nchw_wrapped32(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_wrapped32(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nchw_via_int(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_via_int(Dims4 d, int n, int c, int h, int w);

/* Hints for the offset mistakes. */
#define HINT_HW                                                              \
    "is the last index w, the fastest-moving? Your offsets match "           \
    "((n*C + c)*W + w)*H + h, with H and W swapped."
#define HINT_NC                                                              \
    "channel and batch order are swapped: your offsets match "               \
    "((c*N + n)*H + h)*W + w; in NCHW the batch index n is the slowest."
#define HINT_NHWC_FOR_NCHW                                                   \
    "these are NHWC offsets (channel last): in NCHW the offset is "          \
    "((n*C + c)*H + h)*W + w."
#define HINT_NCHW_FOR_NHWC                                                   \
    "these are NCHW offsets: in NHWC the channel c moves fastest, "          \
    "offset = ((n*H + h)*W + w)*C + c."
#define HINT_NHWC_HW                                                         \
    "h and w are swapped: in (N, H, W, C) the offset is "                    \
    "((n*H + h)*W + w)*C + c, so w moves faster than h."
#define HINT_NHWC_ARGS                                                       \
    "your nhwc_index takes its arguments in the order n, h, w, c: they "     \
    "come in the order n, c, h, w, as for nchw_index (only the memory "      \
    "order changes), eq. (0.4)."
#define HINT_WRAP                                                            \
    "the offset wrapped around at 2^32 (or went through a 32-bit int): "     \
    "convert every factor to size_t before multiplying."

/* The function under test: nchw_index or nhwc_index. */
typedef size_t (*IndexFn)(Dims4 d, int n, int c, int h, int w);

typedef struct {
    OracleOffset offset;
    const char *hint;
} OffsetAlt;

/* The mistakes worth naming for each function, on small shapes and on
 * shapes past 2^31 elements (these add the 32-bit ones). */
extern const OffsetAlt nchw_alts[];
extern const int n_nchw_alts;
extern const OffsetAlt nhwc_alts[];
extern const int n_nhwc_alts;
extern const OffsetAlt nchw_large_alts[];
extern const int n_nchw_large_alts;
extern const OffsetAlt nhwc_large_alts[];
extern const int n_nhwc_large_alts;

/* Compares fn with want at every (n, c, h, w) of shape d. On the first
 * mismatch, fails the test with a message naming the call, expected and got,
 * and the hint of the alternatives that fn matches at EVERY index (if they
 * agree on one). */
void check_offsets(const char *fn_name, IndexFn fn, Dims4 d, OracleOffset want,
                   const OffsetAlt *alts, int n_alts);

/* The same at one index only (for shapes too large to enumerate). */
void check_offset_at(const char *fn_name, IndexFn fn, Dims4 d, int n, int c,
                     int h, int w, OracleOffset want, const OffsetAlt *alts,
                     int n_alts);

/* A shape with more than 2^31 elements (never allocated): checks
 * nchw_index and nhwc_index at the first, the last and a few inner
 * elements, nchw_strides, and that the last element's offset is
 * dims4_numel(d) - 1. */
void check_large_shape(Dims4 d);

/* "{N=2, C=3, H=4, W=5}" */
void format_dims(char *buf, size_t len, Dims4 d);

/* Checks nchw_strides on shape d against C*H*W, H*W, W, 1, naming the
 * typical mistakes (reversed, in bytes, shifted by one axis, 32-bit, not
 * written), and that nothing outside strides[0..3] is written. */
void check_strides(Dims4 d);

/* Checks nchw_to_nhwc on shape d with src[i] = 1 + i, exactly: every
 * element in place, src unchanged, nothing written outside dst (the
 * buffers have exactly dims4_numel(d) floats, so AddressSanitizer sees any
 * access past them); then that the given nhwc_to_nchw brings dst back to
 * src. */
void check_nchw_to_nhwc(Dims4 d);

/* ---- derivatives -------------------------------------------------------- */

/* Values of f at x, and at x with x[i] replaced by fl(x[i] + h) and by
 * fl(x[i] - h); the point and the two rounded points. x is not modified (a
 * copy is perturbed). */
typedef struct {
    double f_plus, f_minus, f_here;
    float x_here, x_plus, x_minus;
} OracleProbe;

OracleProbe oracle_probe(ScalarFn f, void *ctx, const float *x, size_t n,
                         size_t i, float h);

/* The right answer, eq. (0.12): the central difference divided by the step
 * actually taken, x+ - x-, formed in double. */
double oracle_central(const OracleProbe *p);

/* Hints the derivative tests share. */
#define HINT_FORWARD                                                         \
    "this is the forward difference (f(x+h) - f(x)) / h, whose error is "    \
    "O(h): use the central difference (f(x+h) - f(x-h)) / (x+ - x-), "       \
    "eq. (0.12)."
#define HINT_BACKWARD                                                        \
    "this is the backward difference (f(x) - f(x-h)) / h: use the central "  \
    "difference (f(x+h) - f(x-h)) / (x+ - x-), eq. (0.12)."
#define HINT_OVER_H                                                          \
    "your value is twice the derivative: divide by the whole step from "     \
    "x-h to x+h (about 2h), not by h."
#define HINT_2H                                                              \
    "you divided by 2h, but x[i]+h and x[i]-h are rounded to float: divide " \
    "by the step actually taken, (double)x+ - (double)x-."
#define HINT_FLOAT_STEP                                                      \
    "the step x+ - x- was computed in float, which rounds when x+ and x- "   \
    "are far apart: convert both to double before subtracting, "             \
    "(double)x+ - (double)x-."
#define HINT_F_FLOAT                                                         \
    "the two values of f were rounded to float before the subtraction: f "   \
    "returns a double, keep f(x+) and f(x-) in double."
#define HINT_RESTORE                                                         \
    "x[i] must be restored to its original value before returning: save "    \
    "it in a local variable and write it back (x - h + h need not equal x "  \
    "in floating point)."
#define HINT_UNDO                                                            \
    "x[i] was put back by arithmetic (x- + h or x+ - h), which rounds: "     \
    "save x[i] in a local variable on entry and write that value back."
#define HINT_CALLS                                                           \
    "numerical_partial must call f exactly twice, once with x[i] = x+ and "  \
    "once with x[i] = x-: f may be a whole network's loss, and eq. (0.12) "  \
    "needs nothing else."
#define HINT_GRAD_CALLS                                                      \
    "numerical_gradient costs exactly 2n calls of f: one numerical_partial " \
    "per coordinate and no other call of f."
#define HINT_EPS                                                             \
    "relative_error must be scale-free, with no epsilon in the "             \
    "denominator: rel(k a, k b) = rel(a, b) for every k != 0; only "         \
    "a == b == 0 needs a special case."

/* A derivative test's f, the context it needs, and how to name it. */
typedef struct {
    const char *name;
    ScalarFn f;
    void *ctx;
} TestFn;

/* Checks one call numerical_partial(f, ctx, x, i, h), in this order: x
 * unchanged after the call, bit for bit (naming a value not restored or
 * restored by arithmetic); the result against `want` to rtol, with hints
 * for the mistakes above; exactly two calls of f, with ctx passed through,
 * x itself (not a copy) and x[i] = x+ in one call and x- in the other,
 * every other element as on entry. `want` NAN means "expect NaN". */
void check_partial(const TestFn *fn, float *x, size_t n, size_t i, float h,
                   double want, double rtol);

/* Checks numerical_gradient(f, ctx, x, n, h, grad): x unchanged, then grad
 * against the oracle's central differences to rtol, with hints (forward
 * difference, 2h, x[i] not restored between partials), then 2n calls of f.
 * grad has exactly n doubles. */
void check_gradient(const TestFn *fn, float *x, size_t n, float h, double rtol);

/* Checks relative_error(a, b) on each pair against |a - b| / max(|a|, |b|)
 * (0 when both are 0) to 1e-12, naming the wrong denominators. */
typedef struct {
    double a, b;
} Pair;
void check_relative_errors(const Pair *pairs, size_t n_pairs);

/* Checks that relative_error(b, a) is relative_error(a, b), bit for bit,
 * on each pair. */
void check_relative_error_symmetric(const Pair *pairs, size_t n_pairs);

/* ---- test functions f: R^n -> R, evaluated in double --------------------- */

/* f(x) = sum_k (a_k x_k^2 / 2 + b_k x_k) + s x_0 x_{n-1}: a quadratic, for
 * which the central difference is exact. */
typedef struct {
    size_t n;
    double a[16], b[16], s;
} Quadratic;
double quadratic_f(const float *x, void *ctx);
double quadratic_df(const Quadratic *q, const float *x, size_t i);

/* f(x) = sum_k c_k x_k^3: the central difference with exact steps is
 * c_i (3 x_i^2 + h^2), off by exactly c_i h^2. */
typedef struct {
    size_t n;
    double c[16];
} Cubic;
double cubic_f(const float *x, void *ctx);

/* f(x) = sum_k (x_k - c_k)^2 / 2, derivative x_i - c_i: with c_i close to
 * a large x_i, a function whose slope is 1 where float's spacing is coarse. */
typedef struct {
    size_t n;
    double c[16];
} Shifted;
double shifted_f(const float *x, void *ctx);

/* f(x) = sum_j softplus(sum_k W_jk x_k + b_j) + 0.5 sum_k x_k^2:
 * smooth, every coordinate coupled to every other. */
typedef struct {
    size_t n, m;
    double W[8][16], b[8];
} Softplus;
double softplus_f(const float *x, void *ctx);

#endif

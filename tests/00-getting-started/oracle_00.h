/* oracle_00.h: an independent reference for the chapter 00 tests, written
 * differently from the solution (offsets as sums of index * stride in
 * unsigned long long, derivatives in double), plus the outputs of the
 * typical mistakes that the tests recognise and name in their hints.
 * Shared by the visible and the hidden tests. */
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
 * an offset computed in 32-bit unsigned arithmetic (wraps at 2^32). */
unsigned long long oracle_nchw_hw_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nchw_nc_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_hw_swapped(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nchw_wrapped32(Dims4 d, int n, int c, int h, int w);
unsigned long long oracle_nhwc_wrapped32(Dims4 d, int n, int c, int h, int w);

/* The function under test: nchw_index or nhwc_index. */
typedef size_t (*IndexFn)(Dims4 d, int n, int c, int h, int w);

typedef struct {
    OracleOffset offset;
    const char *hint;
} OffsetAlt;

/* Compares fn with want at every (n, c, h, w) of shape d. On the first
 * mismatch, fails the test with a message naming the call, expected and got,
 * and the hint of the first alternative that fn matches at EVERY index. */
void check_offsets(const char *fn_name, IndexFn fn, Dims4 d, OracleOffset want,
                   const OffsetAlt *alts, int n_alts);

/* The same at one index only (for shapes too large to enumerate). */
void check_offset_at(const char *fn_name, IndexFn fn, Dims4 d, int n, int c,
                     int h, int w, OracleOffset want, const OffsetAlt *alts,
                     int n_alts);

/* "{N=2, C=3, H=4, W=5}" */
void format_dims(char *buf, size_t len, Dims4 d);

/* Checks nchw_strides on shape d against C*H*W, H*W, W, 1, naming the
 * typical mistakes (reversed, in bytes, shifted by one axis, not written). */
void check_strides(Dims4 d);

/* Checks nchw_to_nhwc on shape d with src[i] = 1 + i, exactly. */
void check_nchw_to_nhwc(Dims4 d);

/* ---- derivatives -------------------------------------------------------- */

/* Values of f at x with x[i] replaced by fl(x[i] + h) and by fl(x[i] - h),
 * and the two rounded points. x is not modified (a copy is perturbed). */
typedef struct {
    double f_plus, f_minus, f_here;
    float x_plus, x_minus;
} OracleProbe;

OracleProbe oracle_probe(ScalarFn f, void *ctx, const float *x, size_t n,
                         size_t i, float h);

/* The right answer, eq. (0.12): divided by the step actually taken. */
double oracle_central(const OracleProbe *p);
/* Mistakes: divided by 2h; divided by h; the forward difference
 * (f(x+) - f(x)) / (x+ - x); the backward difference. */
double oracle_central_2h(const OracleProbe *p, float h);
double oracle_central_over_h(const OracleProbe *p, float h);
double oracle_forward(const OracleProbe *p);
double oracle_backward(const OracleProbe *p);

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
#define HINT_RESTORE                                                         \
    "x[i] must be restored to its original value before returning: save "    \
    "it in a local variable and write it back (x - h + h need not equal x "  \
    "in floating point)."

/* Checks one call numerical_partial(f, ctx, x, i, h) against the oracle's
 * central difference to rtol, with hints for the mistakes above; then checks
 * that x is unchanged, bit for bit. `fname` names f in the message. */
void check_partial(const char *fname, ScalarFn f, void *ctx, float *x,
                   size_t n, size_t i, float h, double want, double rtol);

/* Checks numerical_gradient(f, ctx, x, n, h, grad) against the oracle's
 * central differences to rtol, with hints (forward difference, 2h, x[i]
 * not restored between partials, x changed). */
void check_gradient(const char *fname, ScalarFn f, void *ctx, float *x,
                    size_t n, float h, double rtol);

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

/* f(x) = sum_j softplus(sum_k W_jk x_k + b_j) + 0.5 sum_k x_k^2:
 * smooth, every coordinate coupled to every other. */
typedef struct {
    size_t n, m;
    double W[8][16], b[8];
} Softplus;
double softplus_f(const float *x, void *ctx);

#endif

/* oracle_03.h: the double-precision reference the chapter 03 tests compare
 * against, the outputs of typical mistakes (for the hints), and the test
 * drivers.
 *
 * Written independently of the solution. The conv gradients are computed by
 * SCATTERING: walk the forward pass of eq. (1.6) tap by tap, in double, and
 * add each term's share into db, dw and dx, as the chain rule (eq. 3.1)
 * says, with every tap tested against the image bounds. (The solution
 * GATHERS, eq. 3.11; the two agreeing is itself evidence.) The pooling
 * gradients walk every window over its whole kernel the same way, and the
 * output sizes are re-derived here with floor()/ceil() in double on purpose.
 * A "mistake" computes what a typical wrong implementation returns, so that
 * a test can name the mistake when a student's output matches it.
 *
 * Every test fills the outputs with a garbage pattern before the call (not
 * NaN: a function that adds to its output instead of storing would turn NaN
 * into NaN and be mistaken for one that never wrote it). An element still
 * holding its garbage was never written; an output equal to garbage + the
 * right gradient was added to instead of overwritten. Both are named.
 */
#ifndef ORACLE_03_H
#define ORACLE_03_H

#include <stddef.h>

#include "backprop.h"
#include "grade.h"

/* Tolerance of every array comparison: relative error 1e-4 against the
 * double reference, with grade.h's floor at 1% of the largest |expected|.
 * As in chapter 01: a float sum of K products strays by about sqrt(K) u
 * times its partial sums (u = 2^-24); the sums here have K <= 400 terms
 * (dw and db sum over the batch and every output position), which keeps a
 * float accumulator below 2e-5 of the floor. Max-pooling gradients are
 * sums of at most a few dy, exact or nearly so. */
#define BP_RTOL 1e-4
#define BP_FLOOR 1e-2

/* ---- conv2d ---------------------------------------------------------------- */

typedef enum {
    CB_RIGHT,
    CB_DX_NO_FLIP,        /* dx with w[o][c][kh-1-u][kw-1-v]: forward
                           * correlation instead of the flipped kernel */
    CB_DX_STRIDE_IGNORED, /* dx: i = r + ph - u*dh, stride taken as 1 */
    CB_DX_STRIDE_FLOOR,   /* dx: i = floor((r + ph - u*dh) / sh) without the
                           * divisibility test (the source notes' formula) */
    CB_PAD_SIGN,          /* tap at i*sh + ph + u*dh: padding added */
    CB_DIL_IGNORED,       /* tap at i*sh - ph + u: taps adjacent */
    CB_GROUP_OFFSET,      /* every group uses input channels 0 .. Cg-1 */
    CB_GROUP_NO_MUL,      /* group g starts at input channel g, not g*Cg */
    CB_DX_GROUP_FIRST,    /* dx, gather form: every input channel collects
                           * from the output channels of group 0 */
    CB_DX_GROUP_NO_MUL,   /* dx, gather form: group g's output channels
                           * taken to start at g, not g*(c_out/groups) */
    CB_DW_FLIPPED,        /* dw[o][c][kh-1-u][kw-1-v] stored at [u][v] */
    CB_BATCH_FIRST,       /* dw and db from sample 0 only */
    CB_BATCH_LAST,        /* dw and db from the last sample only */
    CB_DB_ALL_CHANNELS,   /* every db[o] = the sum of dy over all channels */
    CB_DB_MEAN,           /* db divided by n*OH*OW */
    CB_BATCH_MEAN,        /* dw and db divided by n: a mean over the batch */
    CB_N_MISTAKES
} ConvBackMistake;

/* The gradients of conv2d_forward with respect to x, weight and bias for
 * upstream gradient dy, in double, or a mistake's version of them. Each of
 * dx, dw, db may be NULL. Shapes as conv2d_backward. */
void oracle_conv2d_backward(const Conv2dGeom *g, const float *x,
                            const float *w, const float *dy,
                            ConvBackMistake m, double *dx, double *dw,
                            double *db);
const char *oracle_conv_back_hint(ConvBackMistake m);

/* y = conv2d(x, w, b) in double by eq. (1.6); b may be NULL. */
void oracle_conv2d_forward(const Conv2dGeom *g, const float *x,
                           const float *w, const float *b, double *y);

/* "N=2 C_in=3 H=7 W=5, C_out=4 KH=3 KW=2, stride=(2,1) pad=(1,0)
 * dil=(1,1) groups=1" */
void format_conv_geom(char *buf, size_t len, const Conv2dGeom *g);

/* A Conv2dGeom with the given shapes, stride 1, no padding, dilation 1 and
 * one group; tests then set what they exercise. */
Conv2dGeom conv_geom(int n, int c_in, int h, int w, int c_out, int kh, int kw);

/* Which outputs a test asks for. */
enum { WANT_DX = 1, WANT_DW = 2, WANT_DB = 4, WANT_ALL = 7 };

/* Runs conv2d_backward on random x, w and dy drawn from seed, with the
 * outputs in `want` allocated and filled with garbage (the others NULL),
 * and fails the current test unless each output matches the reference.
 * Every mistake in `mistakes` (a list ended by CB_RIGHT) whose output
 * differs from the right one is offered as a hint. */
void check_conv2d_backward(const Conv2dGeom *g, int want,
                           unsigned long long seed,
                           const ConvBackMistake *mistakes);

/* ---- pooling --------------------------------------------------------------- */

typedef enum {
    PB_RIGHT,
    MP_TIES_LAST,        /* ties go to the last maximum (>= instead of >) */
    MP_ALL_MAX,          /* dy to every cell equal to the maximum */
    MP_SPLIT,            /* dy shared equally by the maxima */
    MP_ZERO_PAD,         /* padding as 0: a window whose real cells are all
                          * negative routes its dy into the padding (lost) */
    MP_OVERWRITE,        /* dx[argmax] = dy: overlapping windows overwrite */
    MP_INF_NOT_ROUTED,   /* a window whose cells are all -inf routes its dy
                          * nowhere (the arg-max search started at -inf or
                          * -FLT_MAX with no cell) */
    AP_DIV_KK,           /* divisor kh*kw always */
    AP_DIV_INSIDE,       /* divisor = cells inside the image, always */
    AP_DIV_PADDED,       /* divisor = cells inside the padded input, always */
    AP_NO_DIV,           /* divisor 1 */
    AP_OVERWRITE,        /* dx = share: overlapping windows overwrite */
    PB_N_MISTAKES
} PoolBackMistake;

typedef enum { POOL_MAX, POOL_AVG } PoolKind;

/* The gradient dx of max or average pooling, in double, or a mistake's. */
void oracle_pool_backward(PoolKind kind, const Pool2dGeom *g, const float *x,
                          const float *dy, PoolBackMistake m, double *dx);
const char *oracle_pool_back_hint(PoolBackMistake m);

/* y = maxpool(x) or avgpool(x) in double (eqs. 2.1-2.3 of chapter 02). */
void oracle_pool_forward(PoolKind kind, const Pool2dGeom *g, const float *x,
                         double *y);

/* Output size with PyTorch's pooling rule, by floor()/ceil() in double. */
int oracle_pool_out(int in, int k, int stride, int pad, int ceil_mode);

/* How the test's x is drawn. */
typedef enum {
    X_DISTINCT,   /* a random permutation of distinct values in [-1, 1) */
    X_TIES,       /* small integers 0..2: most windows hold their max twice */
    X_NEGATIVE,   /* distinct values, all < 0 */
    X_WITH_INF    /* distinct negative values, about a third of them -inf */
} XKind;

/* "N=1 C=2 H=7 W=9, kernel=(3,2) stride=(2,3) pad=(1,1) ceil_mode=1" (and
 * count_include_pad for avg). */
void format_pool_geom(char *buf, size_t len, PoolKind kind, const Pool2dGeom *g);

/* A Pool2dGeom: (n, c, h, w), a kh x kw kernel with stride = kernel, no
 * padding, floor mode, count_include_pad = 1. */
Pool2dGeom pool_geom(int n, int c, int h, int w, int kh, int kw);

/* Runs maxpool2d_backward or avgpool2d_backward on x drawn as `xk` and
 * random dy from seed, dx filled with garbage, and fails the current test
 * unless dx matches the reference; mistakes as for check_conv2d_backward. */
void check_pool_backward(PoolKind kind, const Pool2dGeom *g, XKind xk,
                         unsigned long long seed,
                         const PoolBackMistake *mistakes);

/* ---- finite differences ------------------------------------------------------ */

/* The central-difference gradient (chapter 00's numerical_gradient) of the
 * probe loss L = sum_k r[k] y[k], eq. (3.15), with y computed in double by
 * the oracle's forward pass, compared with the gradient conv2d_backward
 * returns for dy = r: for x (which = 0), weight (1) or bias (2). The
 * forward pass is linear in each tensor, so the central difference is exact
 * up to double rounding: this checks the backward pass against the forward
 * pass itself, with no formula for the gradient in between. */
void check_conv2d_backward_numeric(const Conv2dGeom *g, int which,
                                   unsigned long long seed);

/* The same for max (on distinct inputs, with a step below half the gap
 * between any two of them, so that no difference crosses a kink) and
 * average pooling. */
void check_pool_backward_numeric(PoolKind kind, const Pool2dGeom *g,
                                 unsigned long long seed);

/* ---- helpers ------------------------------------------------------------------ */

/* A new array of n floats uniform in [-1, 1) from seed (free it). */
float *random_floats(size_t n, unsigned long long seed);

/* Fills x with the garbage pattern of seed: values in [64, 128), never a
 * plausible gradient. */
void fill_garbage(float *x, size_t n, unsigned long long seed);

/* Compares got with want for one output of a backward function (func, e.g.
 * "conv2d_backward", the output's name, e.g. "dx", params and shape as in
 * GradeCompare); garbage is what the output held before the call. Writes
 * the failure message into msg and returns -1, or returns 0. The hints, in
 * order: an output added to rather than stored (garbage + want), then the
 * first alternative given that got matches (any number of alternatives may
 * be given; only a matching one is passed on to grade.h), then elements
 * never written (still garbage) or added to without being zeroed (garbage
 * + their gradient). */
int compare_grad(const char *func, const char *output, const char *params,
                 int ndim, const size_t *shape, const float *got,
                 const double *want, const float *garbage,
                 const double *const *alts, const char *const *hints,
                 int n_alts, char *msg, size_t msg_len);

/* The hint shown when an output equals garbage + the right gradient. */
#define HINT_ACCUMULATE                                                      \
    "your function added to the output (+=) instead of storing into it: "   \
    "the backward functions OVERWRITE their outputs, whatever the buffer "  \
    "held before (set the sum in a local variable, then store it; or set "  \
    "the output to 0 first)."

#endif

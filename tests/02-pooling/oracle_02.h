/* oracle_02.h: the double-precision reference the chapter 02 tests compare
 * against, and the outputs of typical mistakes (for the hints).
 *
 * Written independently of the solution: the output size comes from
 * floor()/ceil() in double, and every window is walked tap by tap over the
 * whole kernel, each tap classified as a pixel, a padded cell or a cell past
 * the padded input, straight from the lesson's equations (2.1)-(2.7). A
 * "mistake" computes what a typical wrong implementation returns, so that a
 * test can name the mistake when a student's output matches it.
 */
#ifndef ORACLE_02_H
#define ORACLE_02_H

#include <stddef.h>

#include "grade.h"
#include "pool.h"

/* Tolerances. Max pooling returns one of its inputs, so it is exact: 1e-7
 * is below one float ulp (2^-23), any other value fails.
 * Average pooling sums at most a few dozen floats here: the float rounding
 * error stays below 1e-6 of the floor (1% of the largest |y|), so 1e-4 only
 * lets real mistakes through as failures. Global average pooling is
 * accumulated in double by contract and rounded once: 1e-5 is loose for
 * that, yet a float accumulator over the large plane of the accuracy test
 * misses by more than 1e-3. */
#define MAX_RTOL 1e-7
#define AVG_RTOL 1e-4
#define GAP_RTOL 1e-5
#define POOL_FLOOR 1e-2

/* ---- output size ------------------------------------------------------------ */

typedef enum {
    SIZE_RIGHT,          /* eqs. (2.4)-(2.6) */
    SIZE_TRUNC,          /* C's / on a negative numerator (truncation); first:
                          * where a kernel does not fit it often equals
                          * SIZE_CEIL_ALWAYS, and it is the likelier cause */
    SIZE_CEIL_ONLY_ONE,  /* ceil only when ceil_mode == 1: another non-zero
                          * value is read as floor mode (before
                          * SIZE_FLOOR_ALWAYS, which it equals then) */
    SIZE_FLOOR_ALWAYS,   /* ceil_mode ignored: always the floor */
    SIZE_CEIL_ALWAYS,    /* always the ceil (with the last-window rule) */
    SIZE_NO_LAST_RULE,   /* ceil without eq. (2.6) */
    SIZE_LAST_RULE_STRICT, /* eq. (2.6) with > instead of >= */
    SIZE_CEIL_PLUS1,     /* ceil written as floor + 1, also when s divides */
    SIZE_NO_PLUS1,       /* the +1 forgotten */
    SIZE_PAD_ONCE,       /* in + pad instead of in + 2 pad */
    SIZE_N_MISTAKES
} SizeMistake;

/* The output length by eqs. (2.4)-(2.6) computed with floor()/ceil() in
 * double, or a mistake's value. ceil_mode: any non-zero value means ceil. */
long long oracle_out_size(int in, int k, int stride, int pad, int ceil_mode,
                          SizeMistake m);
const char *oracle_size_hint(SizeMistake m);

typedef struct {
    int in, k, stride, pad, ceil_mode;
} SizeCase;

/* Calls pool_out_size on every case; fails the current test at the first
 * wrong one (for a shape PyTorch refuses, any result <= 0 is right), naming
 * a mistake only when it explains the results of EVERY case of the table
 * (one case alone often fits several mistakes). */
void check_size_cases(const SizeCase *cases, int n);

/* ---- pooling ------------------------------------------------------------------ */

typedef enum { POOL_MAX, POOL_AVG } PoolKind;

typedef enum {
    POOL_RIGHT,
    POOL_STRIDE_IGNORED, /* window starts at i - pad */
    POOL_PAD_IGNORED,    /* window starts at i*stride, the -pad missing */
    POOL_HW_SWAPPED,     /* rows walked with (kw, stride_w, pad_w), columns
                          * with (kh, stride_h, pad_h) */
    MAX_ZERO_PAD,        /* every cell of the window outside the image
                          * counts as 0 (zero padding) */
    MAX_INIT_FLT_MAX,    /* the max starts at -FLT_MAX instead of -inf */
    MAX_INIT_ZERO,       /* the max starts at 0: max(0, pixels), a ReLU */
    MAX_NAN_IGNORED,     /* `t > m` only: a NaN never wins */
    MAX_NAN_NOT_KEPT,    /* `!(t <= m)`: a NaN wins, but the next value
                          * replaces it */
    AVG_CIP_IGNORED,     /* divisor = pixels in the image, always */
    AVG_DIV_KK,          /* divisor = kh*kw, always (with count_include_pad
                          * set, this is also what forgetting the ceil-mode
                          * clipping gives: one mistake, one hint) */
    POOL_N_MISTAKES
} PoolMistake;

/* y = maxpool2d or avgpool2d of x in double, by eqs. (2.1)-(2.3), or a
 * mistake's output. y has the right shape, (n, c, OH, OW) with OH, OW from
 * oracle_out_size, whatever the mistake. */
void oracle_pool2d(const Pool2dGeom *g, PoolKind kind, const float *x,
                   PoolMistake m, double *y);
const char *oracle_pool_hint(PoolMistake m);

/* "N=1 C=2 H=6 W=7, kernel=(3,2) stride=(2,1) pad=(1,0) ceil_mode=0" and,
 * for average pooling, " count_include_pad=1". */
void format_pool_geom(char *buf, size_t len, const Pool2dGeom *g, PoolKind kind);

/* A geometry with the given shape and kernel, stride = kernel (PyTorch's
 * default), no padding, floor mode, count_include_pad 1 (PyTorch's
 * default); tests then set what they exercise. */
Pool2dGeom pool_geom(int n, int c, int h, int w, int kh, int kw);

/* Fails the current test unless pool2d_out_h and pool2d_out_w (which call
 * the student's pool_out_size) give the shape of eqs. (2.4)-(2.6), naming
 * a size mistake when it explains both axes; `func` is the function under
 * test. A wrong size would otherwise show up as a wrong or overflowing y. */
void check_pool_shape(const Pool2dGeom *g, const char *func);

/* Runs maxpool2d_forward or avgpool2d_forward on x (random uniform in
 * [-1, 1) from seed when x is NULL) and fails the current test with grade.h's
 * message unless y matches the reference. Every mistake in `mistakes` (a list
 * ended by POOL_RIGHT) whose output differs from the right one is offered as
 * a hint. */
void check_pool2d(const Pool2dGeom *g, PoolKind kind, const float *x,
                  unsigned long long seed, const PoolMistake *mistakes);

/* For inputs with -inf or NaN: runs maxpool2d_forward on x and fails unless
 * every element of y equals the reference exactly (-inf = -inf, NaN where
 * the reference is NaN), with the hint of the first mistake whose whole
 * output y equals (max and geometry mistakes). */
void check_maxpool_special(const Pool2dGeom *g, const float *x, const char *what);

/* ---- global average pooling ----------------------------------------------------- */

typedef enum {
    GAP_RIGHT,
    GAP_DIV_H,          /* divided by h only */
    GAP_DIV_W,          /* divided by w only */
    GAP_FLOAT_SUM,      /* summed in float, in row-major order */
    GAP_N_MISTAKES
} GapMistake;

void oracle_gap(int n, int c, int h, int w, const float *x, GapMistake m,
                double *y);
const char *oracle_gap_hint(GapMistake m);

/* Runs global_avgpool2d_forward on x and fails unless y matches eq. (2.7),
 * with the GAP mistakes as hints; `what` describes the case. */
void check_gap(int n, int c, int h, int w, const float *x, const char *what);

/* ---- helpers ---------------------------------------------------------------------- */

/* A new array of n floats uniform in [lo, hi) from seed (free it). */
float *random_floats(size_t n, unsigned long long seed, float lo, float hi);

/* Address space for a tensor of `bytes` bytes that the kernel backs with
 * memory only where it is touched (mmap, MAP_NORESERVE): the tests past
 * 2^31 elements read a few pixels of such a tensor. Fails the current test
 * with a sentence when the system refuses. Release with big_free. */
float *big_alloc(size_t bytes);
void big_free(float *p, size_t bytes);

#endif

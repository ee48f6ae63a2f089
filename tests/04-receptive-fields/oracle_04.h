/* oracle_04.h: the reference the chapter 04 tests compare against, and the
 * outputs of typical mistakes (for the hints).
 *
 * Written independently of the solution, and on purpose not from the
 * recurrence (4.4)-(4.6) it tests. A receptive field is found the way the
 * lesson defines it: start from one unit of the top layer and walk down the
 * stack, each unit t of layer l reading the units t*s - p + u*d (u < k) of
 * layer l-1, eq. (4.1). Two versions: the set of every position reached
 * (small stacks; it shows the holes dilation leaves) and the interval
 * [lowest, highest] reached, in 128-bit integers (any stack). Size, jump and
 * first follow from the intervals of units 0 and 1. The effective-receptive-
 * field statistics are computed in long double straight from eqs. (4.14)
 * and (4.15).
 *
 * A "mistake" computes what a typical wrong implementation returns, so that
 * a test can name the mistake when a student's output matches it. A hint is
 * shown only when the output matches exactly one mistake.
 */
#ifndef ORACLE_04_H
#define ORACLE_04_H

#include <stddef.h>

#include "grade.h"
#include "rf.h"

/* ---- the receptive field, walked down from the top ---------------------------- */

enum { AXIS_H, AXIS_W };

/* The state of the units after layers[0 .. L-1] along one axis, from the
 * intervals of units 0 and 1 (see above). Every value must fit a long long
 * (the test fails with "test error" otherwise). */
RfAxis oracle_axis(const RfLayer *layers, int L, int axis);
RfState oracle_state(const RfLayer *layers, int L);

/* Every input position unit `unit` of layer L reaches along one axis, by
 * walking the set down the stack: writes them sorted into pos (at most
 * max_pos) and returns how many there are, or -1 if there are more. */
long oracle_reach(const RfLayer *layers, int L, int axis, long long unit,
                  long long *pos, long max_pos);

/* ---- mistakes --------------------------------------------------------------------- */

typedef enum {
    RFM_RIGHT,
    RFM_JUMP_NOT_MULT,  /* jump = prev.jump: the stride never multiplies in  */
    RFM_DIL_IGNORED,    /* size += (k-1) * prev.jump                          */
    RFM_PAD_SIGN,       /* first = prev.first + p * prev.jump                 */
    RFM_PAD_NOT_SCALED, /* first = prev.first - p                             */
    RFM_USES_STRIDE,    /* size += (k-1) * d * s: this layer's stride          */
    RFM_USES_NEW_JUMP,  /* size += (k-1) * d * prev.jump * s: the new jump     */
    RFM_POOL_IDENTITY,  /* pooling layers skipped like pointwise ones          */
    RFM_HW_SWAPPED,     /* height computed with the width's numbers and back  */
    RFM_INT_OVERFLOW,   /* size, jump and first kept in int (wrap at 2^31)    */
    RFM_PAD_NEW_JUMP,   /* first = prev.first - p * prev.jump * s: new jump   */
    RFM_DIL_IN_JUMP,    /* jump = prev.jump * s * d: dilation as a stride     */
    RFM_SPAN_KD,        /* size += (k*d - 1) * prev.jump: span taken as k*d   */
    RFM_FIRST_IS_CENTRE,/* first tracks the centre of unit 0's window         */
    RFM_POOL_NO_PAD,    /* a pooling layer's padding ignored                  */
    RFM_POINTWISE_READ, /* a pointwise layer's (unused) geometry applied      */
    RFM_N_MISTAKES
} RfMistake;

/* What a wrong rf_axis_step (or rf_layer_step, rf_stack) computes, by the
 * same recurrence as the student's code with the mistake m in it. */
RfAxis mistake_axis_step(RfAxis prev, int k, int s, int p, int d, RfMistake m);
RfState mistake_layer_step(RfState prev, const RfLayer *layer, RfMistake m);
void mistake_stack(const RfLayer *layers, int n, RfMistake m, RfState *out);
const char *rf_mistake_hint(RfMistake m);

/* The hint for a wrong rf_window: hi = lo + size, one past the window. */
extern const char *const HINT_WINDOW_END;

/* ---- checks -------------------------------------------------------------------------- */

/* A layer built from its numbers, for the tables of tests:
 * L_CONV(kh, kw, sh, sw, ph, pw, dh, dw) and so on. */
#define L_CONV(kh_, kw_, sh_, sw_, ph_, pw_, dh_, dw_)                          \
    ((RfLayer){.kind = RF_CONV, .kh = (kh_), .kw = (kw_), .stride_h = (sh_),    \
               .stride_w = (sw_), .pad_h = (ph_), .pad_w = (pw_),              \
               .dil_h = (dh_), .dil_w = (dw_)})
#define L_POOL(kh_, kw_, sh_, sw_, ph_, pw_)                                    \
    ((RfLayer){.kind = RF_POOL, .kh = (kh_), .kw = (kw_), .stride_h = (sh_),    \
               .stride_w = (sw_), .pad_h = (ph_), .pad_w = (pw_), .dil_h = 1,  \
               .dil_w = 1})
/* Square shorthands: conv k x k, stride s, padding p, dilation d. */
#define CONV(k, s, p, d) L_CONV(k, k, s, s, p, p, d, d)
#define POOL(k, s) L_POOL(k, k, s, s, 0, 0)
/* A pointwise layer whose (unused) geometry fields hold junk, so that code
 * that reads them anyway is caught. */
#define POINTWISE                                                                \
    ((RfLayer){.kind = RF_POINTWISE, .kh = 5, .kw = 3, .stride_h = 2,           \
               .stride_w = 3, .pad_h = 1, .pad_w = 2, .dil_h = 2, .dil_w = 1})

/* "conv 3x5 s2x1 p1x0 d1" into buf. */
void format_layer(char *buf, size_t len, const RfLayer *l);

/* One call of rf_axis_step. */
typedef struct {
    RfAxis prev;
    int k, s, p, d;
} AxisCase;

/* Runs rf_axis_step on every case and fails the current test at the first
 * wrong result, naming the case, the field and the mistake it recognises. */
void check_axis_cases(const AxisCase *cases, int n);

/* One call of rf_layer_step. */
typedef struct {
    RfState prev;
    RfLayer layer;
} LayerCase;
void check_layer_cases(const LayerCase *cases, int n);

/* Runs rf_stack on the n layers and compares out[0 .. n] with the oracle;
 * `what` names the stack in the message (NULL: the layers are listed).
 * Every mistake whose output differs is offered as a hint. */
void check_stack(const RfLayer *layers, int n, const char *what);

/* Runs rf_window(a, i) for each i in units[] and compares with eq. (4.8)
 * computed in 128 bits; `what` names the case. */
void check_windows(const RfAxis *a, const long long *units, int n_units,
                   const char *what);

/* One expected row of a published receptive-field table. */
typedef struct {
    int layer;          /* the state out[layer] after that many layers */
    const char *name;   /* e.g. "conv5" */
    long long size, jump, eff_pad; /* eff_pad = -first */
} PublishedRow;

/* Runs rf_stack on a square network and checks the rows (both axes) against
 * a published table `source`; the oracle must agree with it too. */
void check_published(const RfLayer *layers, int n, const char *net,
                     const char *source, const PublishedRow *rows, int n_rows);

/* ---- the effective receptive field ---------------------------------------------------- */

typedef enum {
    SPREAD_RIGHT,
    SPREAD_SIGNED,    /* weights g instead of |g| */
    SPREAD_SQUARED,   /* weights g^2              */
    SPREAD_CENTRE,    /* about the map's centre (h/2, w/2), not the mean */
    SPREAD_VARIANCE,  /* the square root forgotten */
    SPREAD_FLOAT,     /* sums in float            */
    SPREAD_SWAPPED,   /* sigma_h and sigma_w exchanged */
    SPREAD_N_MISTAKES
} SpreadMistake;

/* sigma_h, sigma_w of eq. (4.14) in long double (SPREAD_RIGHT), or a
 * mistake's values (computed as a two-pass row-major loop would). */
void oracle_spread(const float *g, int h, int w, SpreadMistake m,
                   double *sigma_h, double *sigma_w);

/* Runs erf_spread on g and compares both sigmas with the oracle to a
 * relative 1e-9 (rounding of double sums differs far less; a float sum far
 * more). */
void check_spread(const float *g, int h, int w, const char *what);

typedef enum {
    RADIUS_RIGHT,
    RADIUS_STRICT,   /* more than frac, instead of at least frac */
    RADIUS_SIGNED,   /* mass summed from g instead of |g|        */
    RADIUS_N_MISTAKES
    /* A radius one too large at some fractions and right at the others
     * (the first square tried has side 2r - 1, or r counts one ring too
     * many) is recognised from the pattern over all fractions of a call. */
} RadiusMistake;

/* Eq. (4.15) by brute force in long double, or a mistake's value (-1 when
 * the mistake never reaches frac). *margin, when not NULL, receives how far
 * (relative to the total) the masses of r - 1 and r lie from frac * total:
 * a test keeps it far above rounding so that summation order cannot matter. */
int oracle_mass_radius(const float *g, int h, int w, int ci, int cj,
                       double frac, RadiusMistake m, double *margin);

/* Runs erf_mass_radius on g for each frac and compares. exact_tie set: the
 * case is built so that some square holds exactly frac of the mass (in
 * exact binary arithmetic), and the margin check is skipped. A hint names a
 * mistake only when the student's radii match it at every frac of the
 * call, so that one wrong answer that happens to coincide with another
 * mistake's is not misnamed. */
void check_radius(const float *g, int h, int w, int ci, int cj,
                  const double *fracs, int n_fracs, int exact_tie,
                  const char *what);

/* ---- maps ----------------------------------------------------------------------------------- */

/* The ERF of n stacked 1-D box kernels of width k, in 2-D: the n-fold
 * convolution of a kh x kw box (all ones) with itself, centred on a map of
 * size (n (kh-1) + 1 + 2 mh) x (n (kw-1) + 1 + 2 mw) (margins mh, mw of
 * zeros). Integer counts, exact in float while they stay below 2^24.
 * Returns a new array (free it) and its shape. */
float *box_power_map(int n, int kh, int kw, int mh, int mw, int *h, int *w);

/* A new h x w array of floats from seed: a Gaussian-like bump
 * exp(-((i-ci)^2 / (2 sh^2) + (j-cj)^2 / (2 sw^2))) times a random factor
 * in [0.5, 1.5), with random signs when signed_vals is set. */
float *bump_map(int h, int w, double ci, double cj, double sh, double sw,
                int signed_vals, unsigned long long seed);

#endif

/* oracle_04.c: the chapter 04 reference and mistakes (see oracle_04.h). */
#include "oracle_04.h"

#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

__extension__ typedef __int128 i128;

/* A value the student's code never writes: a state that still holds it was
 * not written. */
#define SENTINEL (LLONG_MIN + 12345)

/* ---- walking down the stack ------------------------------------------------------ */

/* One layer along one axis, as the walk needs it: unit t reads the units
 * t*s - p + u*d, u = 0 .. k-1, of the layer below, eq. (4.1). */
typedef struct {
    i128 k, s, p, d;
} Step;

static Step step_of(const RfLayer *l, int axis)
{
    Step st = {1, 1, 0, 1}; /* a pointwise layer: unit t reads unit t */
    if (l->kind != RF_POINTWISE) {
        if (axis == AXIS_H)
            st = (Step){l->kh, l->stride_h, l->pad_h, l->dil_h};
        else
            st = (Step){l->kw, l->stride_w, l->pad_w, l->dil_w};
    }
    return st;
}

/* The lowest and highest input position unit `unit` of the top of steps[0 ..
 * n-1] reaches: the lowest unit read is always tap 0 of the lowest unit, the
 * highest tap k-1 of the highest (s >= 1, d >= 1). */
static void walk_interval(const Step *steps, int n, i128 unit, i128 *lo, i128 *hi)
{
    i128 a = unit, b = unit;
    for (int l = n - 1; l >= 0; l--) {
        a = a * steps[l].s - steps[l].p;
        b = b * steps[l].s - steps[l].p + (steps[l].k - 1) * steps[l].d;
    }
    *lo = a;
    *hi = b;
}

static long long to_ll(i128 v, const char *what)
{
    if (v > LLONG_MAX || v < LLONG_MIN)
        ck_abort_msg("test error: the oracle's %s does not fit a long long", what);
    return (long long)v;
}

/* The state of the top units of steps[0 .. n-1], from units 0 and 1. */
static RfAxis axis_from_steps(const Step *steps, int n)
{
    i128 lo0, hi0, lo1, hi1;
    walk_interval(steps, n, 0, &lo0, &hi0);
    walk_interval(steps, n, 1, &lo1, &hi1);
    return (RfAxis){.size = to_ll(hi0 - lo0 + 1, "size"),
                    .jump = to_ll(lo1 - lo0, "jump"),
                    .first = to_ll(lo0, "first")};
}

#define MAX_STEPS 256

RfAxis oracle_axis(const RfLayer *layers, int L, int axis)
{
    Step steps[MAX_STEPS];
    ck_assert_msg(L <= MAX_STEPS, "test error: stack too deep");
    for (int l = 0; l < L; l++)
        steps[l] = step_of(&layers[l], axis);
    return axis_from_steps(steps, L);
}

RfState oracle_state(const RfLayer *layers, int L)
{
    return (RfState){.h = oracle_axis(layers, L, AXIS_H),
                     .w = oracle_axis(layers, L, AXIS_W)};
}

/* An axis state as a layer of its own: its units read prev.size
 * consecutive input positions starting at prev.first + t * prev.jump, which
 * is a window of k = size taps, stride jump and padding -first. */
static Step step_of_state(RfAxis a)
{
    return (Step){a.size, a.jump, -(i128)a.first, 1};
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

long oracle_reach(const RfLayer *layers, int L, int axis, long long unit,
                  long long *pos, long max_pos)
{
    long n = 1;
    if (max_pos < 1)
        return -1;
    pos[0] = unit;
    for (int l = L - 1; l >= 0; l--) {
        Step st = step_of(&layers[l], axis);
        long long k = (long long)st.k, s = (long long)st.s;
        long long p = (long long)st.p, d = (long long)st.d;
        if ((i128)n * k > max_pos)
            return -1;
        long long *next = xmalloc((size_t)(n * k) * sizeof *next);
        long m = 0;
        for (long t = 0; t < n; t++)
            for (long long u = 0; u < k; u++)
                next[m++] = pos[t] * s - p + u * d;
        qsort(next, (size_t)m, sizeof *next, cmp_ll);
        n = 0; /* keep each position once */
        for (long t = 0; t < m; t++)
            if (t == 0 || next[t] != next[t - 1])
                pos[n++] = next[t];
        free(next);
    }
    return n;
}

/* ---- mistakes ------------------------------------------------------------------------ */

/* What storing a value in an int does on this (two's complement) machine. */
static long long wrap32(long long v)
{
    return (long long)(int32_t)(uint32_t)(uint64_t)v;
}

/* A wrong recurrence may run far past 2^63 on a deep stack where the right
 * one does not: its arithmetic wraps modulo 2^64 (unsigned, so never
 * undefined), which is what the student's long long code computes there
 * too, short of the sanitizer stopping it first. */
typedef unsigned long long u64;
static long long wrap64(u64 v) { return (long long)v; }

RfAxis mistake_axis_step(RfAxis prev, int k, int s, int p, int d, RfMistake m)
{
    const u64 K = (u64)(long long)k, S = (u64)(long long)s, P = (u64)(long long)p,
              D = (u64)(long long)d, J = (u64)prev.jump;
    u64 grow;
    switch (m) {
    case RFM_DIL_IGNORED:
        grow = (K - 1) * J;
        break;
    case RFM_USES_STRIDE:
        grow = (K - 1) * D * S;
        break;
    case RFM_USES_NEW_JUMP:
        grow = (K - 1) * D * J * S;
        break;
    case RFM_SPAN_KD:
        grow = (K * D - 1) * J;
        break;
    default:
        grow = (K - 1) * D * J;
    }
    RfAxis r;
    r.size = wrap64((u64)prev.size + grow);
    r.jump = wrap64(m == RFM_JUMP_NOT_MULT ? J : m == RFM_DIL_IN_JUMP ? J * S * D : J * S);
    u64 shift; /* first = prev.first - shift */
    if (m == RFM_PAD_SIGN)
        shift = (u64)0 - P * J;
    else if (m == RFM_PAD_NOT_SCALED)
        shift = P;
    else if (m == RFM_PAD_NEW_JUMP)
        shift = P * J * S;
    else if (m == RFM_FIRST_IS_CENTRE) /* c += ((k-1)d/2 - p) J, rounded down */
        shift = (P - (u64)((long long)(k - 1) * d / 2)) * J;
    else
        shift = P * J;
    r.first = wrap64((u64)prev.first - shift);
    if (m == RFM_INT_OVERFLOW) {
        r.size = wrap32(r.size);
        r.jump = wrap32(r.jump);
        r.first = wrap32(r.first);
    }
    return r;
}

RfState mistake_layer_step(RfState prev, const RfLayer *l, RfMistake m)
{
    if ((l->kind == RF_POINTWISE && m != RFM_POINTWISE_READ) ||
        (l->kind == RF_POOL && m == RFM_POOL_IDENTITY))
        return prev;
    RfState r;
    if (l->kind == RF_POOL && m == RFM_POOL_NO_PAD) {
        r.h = mistake_axis_step(prev.h, l->kh, l->stride_h, 0, l->dil_h, m);
        r.w = mistake_axis_step(prev.w, l->kw, l->stride_w, 0, l->dil_w, m);
        return r;
    }
    if (m == RFM_HW_SWAPPED) {
        r.h = mistake_axis_step(prev.h, l->kw, l->stride_w, l->pad_w, l->dil_w, m);
        r.w = mistake_axis_step(prev.w, l->kh, l->stride_h, l->pad_h, l->dil_h, m);
    } else {
        r.h = mistake_axis_step(prev.h, l->kh, l->stride_h, l->pad_h, l->dil_h, m);
        r.w = mistake_axis_step(prev.w, l->kw, l->stride_w, l->pad_w, l->dil_w, m);
    }
    return r;
}

void mistake_stack(const RfLayer *layers, int n, RfMistake m, RfState *out)
{
    const RfAxis pixel = {.size = 1, .jump = 1, .first = 0};
    out[0] = (RfState){.h = pixel, .w = pixel};
    for (int l = 1; l <= n; l++)
        out[l] = mistake_layer_step(out[l - 1], &layers[l - 1], m);
}

const char *rf_mistake_hint(RfMistake m)
{
    switch (m) {
    case RFM_JUMP_NOT_MULT:
        return "the jump never grows: after a layer with stride s, "
               "neighbouring units are prev.jump * s input pixels apart, "
               "eq. (4.4).";
    case RFM_DIL_IGNORED:
        return "dilation ignored: k taps spaced d apart span d*(k-1) units "
               "of the layer below, so the size grows by (k-1)*d*prev.jump, "
               "eq. (4.5).";
    case RFM_PAD_SIGN:
        return "padding has the wrong sign: p zeros on the left move the "
               "first position unit 0 sees to the left, first = prev.first "
               "- p*prev.jump, eq. (4.6).";
    case RFM_PAD_NOT_SCALED:
        return "padding counted in pixels of the layer below, not of the "
               "input: p of those units are p*prev.jump input pixels, "
               "first = prev.first - p*prev.jump, eq. (4.6).";
    case RFM_USES_STRIDE:
        return "the size grows by (k-1)*d times this layer's stride: it "
               "must be times prev.jump, the spacing of the units the kernel "
               "reads, eq. (4.5).";
    case RFM_USES_NEW_JUMP:
        return "the size grows by (k-1)*d times the new jump (prev.jump*s): "
               "the kernel's taps sit on the layer below, whose units are "
               "prev.jump apart, eq. (4.5).";
    case RFM_POOL_IDENTITY:
        return "pooling layers were skipped: a pooling window reads kh x kw "
               "positions with a stride exactly as a convolution does, so it "
               "grows the receptive field and the jump; only RF_POINTWISE "
               "layers leave them alone.";
    case RFM_HW_SWAPPED:
        return "height and width are swapped: the height axis takes kh, "
               "stride_h, pad_h and dil_h, the width axis kw, stride_w, pad_w "
               "and dil_w.";
    case RFM_INT_OVERFLOW:
        return "a value wrapped around 2^31: size, jump and first outgrow an "
               "int after about 31 stride-2 layers; keep every intermediate "
               "in long long.";
    case RFM_PAD_NEW_JUMP:
        return "padding counted in units of this layer's output (times the "
               "new jump prev.jump*s): the p zeros are added to the layer's "
               "input, whose units are prev.jump apart, first = prev.first - "
               "p*prev.jump, eq. (4.6).";
    case RFM_DIL_IN_JUMP:
        return "the jump was multiplied by the dilation: dilation spaces the "
               "taps of one window, not the windows of neighbouring units, "
               "jump = prev.jump * s, eq. (4.4).";
    case RFM_SPAN_KD:
        return "a dilated kernel was taken to span k*d positions: its k taps "
               "d apart span d*(k-1) + 1, so the size grows by "
               "(k-1)*d*prev.jump, eq. (4.5).";
    case RFM_FIRST_IS_CENTRE:
        return "first holds the centre of unit 0's window, not its first "
               "position: first = prev.first - p*prev.jump, eq. (4.6); the "
               "centre follows from it (rf_center, eq. 4.9).";
    case RFM_POOL_NO_PAD:
        return "a pooling layer's padding was ignored: PyTorch's pooling "
               "pads too (ResNet's 3x3 max pool has padding 1), and it moves "
               "first exactly as a convolution's does, eq. (4.6).";
    case RFM_POINTWISE_READ:
        return "a pointwise layer was treated as a window: RF_POINTWISE "
               "returns prev unchanged, and its kh, stride_h, ... fields are "
               "not read (they may hold anything).";
    default:
        return NULL;
    }
}

/* The hint for a value that an int wrapped: the first wrong field holds
 * exactly what storing the right one in 32 bits gives, whichever of the
 * three fields (or intermediates) the code kept in an int. */
static const char *wrap_hint(long long got, long long want)
{
    if (want != wrap32(want) && got == wrap32(want))
        return rf_mistake_hint(RFM_INT_OVERFLOW);
    return NULL;
}

const char *const HINT_WINDOW_END =
    "hi is one past the window: unit i sees size positions, lo .. lo + size "
    "- 1 with both ends included, eq. (4.8).";

/* ---- comparing states ------------------------------------------------------------------ */

void format_layer(char *buf, size_t len, const RfLayer *l)
{
    if (l->kind == RF_POINTWISE) {
        snprintf(buf, len, "pointwise");
        return;
    }
    const char *kind = l->kind == RF_CONV ? "conv" : "pool";
    char k[24], s[24], p[24], d[24];
#define PAIR(buf_, a, b) \
    ((a) == (b) ? snprintf(buf_, sizeof buf_, "%d", (a)) : snprintf(buf_, sizeof buf_, "%dx%d", (a), (b)))
    PAIR(k, l->kh, l->kw);
    PAIR(s, l->stride_h, l->stride_w);
    PAIR(p, l->pad_h, l->pad_w);
    PAIR(d, l->dil_h, l->dil_w);
#undef PAIR
    snprintf(buf, len, "%s %s s%s p%s d%s", kind, k, s, p, d);
}

static void format_axis(char *buf, size_t len, RfAxis a)
{
    snprintf(buf, len, "{size %lld, jump %lld, first %lld}", a.size, a.jump, a.first);
}

static int axis_eq(RfAxis a, RfAxis b)
{
    return a.size == b.size && a.jump == b.jump && a.first == b.first;
}

static int state_eq(RfState a, RfState b)
{
    return axis_eq(a.h, b.h) && axis_eq(a.w, b.w);
}

/* The first field of got that differs from want: "size", "jump" or
 * "first", with both values; 0 when equal. */
static int axis_diff(RfAxis got, RfAxis want, const char **field, long long *g,
                     long long *w)
{
    if (got.size != want.size) {
        *field = "size", *g = got.size, *w = want.size;
        return 1;
    }
    if (got.jump != want.jump) {
        *field = "jump", *g = got.jump, *w = want.jump;
        return 1;
    }
    if (got.first != want.first) {
        *field = "first", *g = got.first, *w = want.first;
        return 1;
    }
    return 0;
}

/* The hint of the one mistake among the candidates whose output equals
 * got, or NULL when none does or when several different hints would fit.
 * match[m] says whether mistake m's output equals got. */
static const char *unique_hint(const int *match)
{
    const char *hint = NULL;
    for (int m = RFM_RIGHT + 1; m < RFM_N_MISTAKES; m++) {
        if (!match[m])
            continue;
        const char *h = rf_mistake_hint((RfMistake)m);
        if (hint && strcmp(hint, h) != 0)
            return NULL;
        hint = h;
    }
    return hint;
}

static int is_sentinel_axis(RfAxis a)
{
    return a.size == SENTINEL || a.jump == SENTINEL || a.first == SENTINEL;
}

static int is_zero_axis(RfAxis a)
{
    return a.size == 0 && a.jump == 0 && a.first == 0;
}

/* ---- rf_axis_step ------------------------------------------------------------------------ */

void check_axis_cases(const AxisCase *cases, int n)
{
    for (int t = 0; t < n; t++) {
        const AxisCase *c = &cases[t];
        /* The previous state as a layer of its own, then the layer under
         * test, walked down together. */
        Step steps[2] = {step_of_state(c->prev), {c->k, c->s, c->p, c->d}};
        RfAxis want = axis_from_steps(steps, 2);
        RfAxis got = rf_axis_step(c->prev, c->k, c->s, c->p, c->d);
        const char *field;
        long long g, w;
        if (!axis_diff(got, want, &field, &g, &w))
            continue;
        int match[RFM_N_MISTAKES] = {0};
        for (int m = RFM_RIGHT + 1; m < RFM_N_MISTAKES; m++) {
            RfAxis alt = mistake_axis_step(c->prev, c->k, c->s, c->p, c->d, (RfMistake)m);
            match[m] = !axis_eq(alt, want) && axis_eq(alt, got);
        }
        const char *hint = unique_hint(match);
        if (!hint)
            hint = wrap_hint(g, w);
        if (!hint && is_zero_axis(got))
            hint = "every field is 0: is rf_axis_step still the skeleton's TODO?";
        char prev[96], gs[96], ws[96];
        format_axis(prev, sizeof prev, c->prev);
        format_axis(gs, sizeof gs, got);
        format_axis(ws, sizeof ws, want);
        ck_abort_msg("rf_axis_step(prev=%s, k=%d, s=%d, p=%d, d=%d) (case %d of "
                     "%d): %s expected %lld, got %lld; the whole result was %s, "
                     "expected %s.%s%s",
                     prev, c->k, c->s, c->p, c->d, t + 1, n, field, w, g, gs, ws,
                     hint ? "\nHint: " : "", hint ? hint : "");
    }
}

/* ---- rf_layer_step ------------------------------------------------------------------------- */

void check_layer_cases(const LayerCase *cases, int n)
{
    for (int t = 0; t < n; t++) {
        const LayerCase *c = &cases[t];
        RfState want;
        const RfAxis *pa[2] = {&c->prev.h, &c->prev.w};
        RfAxis *wa[2] = {&want.h, &want.w};
        for (int axis = AXIS_H; axis <= AXIS_W; axis++) {
            Step steps[2] = {step_of_state(*pa[axis]), step_of(&c->layer, axis)};
            *wa[axis] = axis_from_steps(steps, 2);
        }
        RfState got = rf_layer_step(c->prev, &c->layer);
        const char *field;
        long long g, w;
        const char *axis_name = "h";
        if (!axis_diff(got.h, want.h, &field, &g, &w)) {
            axis_name = "w";
            if (!axis_diff(got.w, want.w, &field, &g, &w))
                continue;
        }
        int match[RFM_N_MISTAKES] = {0};
        for (int m = RFM_RIGHT + 1; m < RFM_N_MISTAKES; m++) {
            RfState alt = mistake_layer_step(c->prev, &c->layer, (RfMistake)m);
            match[m] = !state_eq(alt, want) && state_eq(alt, got);
        }
        const char *hint = unique_hint(match);
        if (!hint)
            hint = wrap_hint(g, w);
        if (!hint && is_zero_axis(got.h) && is_zero_axis(got.w))
            hint = "every field is 0: is rf_layer_step still the skeleton's TODO?";
        char layer[96], ph[96], pw[96];
        format_layer(layer, sizeof layer, &c->layer);
        format_axis(ph, sizeof ph, c->prev.h);
        format_axis(pw, sizeof pw, c->prev.w);
        ck_abort_msg("rf_layer_step(prev = h %s, w %s; layer %s) (case %d of %d): "
                     "%s.%s expected %lld, got %lld.%s%s",
                     ph, pw, layer, t + 1, n, axis_name, field, w, g,
                     hint ? "\nHint: " : "", hint ? hint : "");
    }
}

/* ---- rf_stack ---------------------------------------------------------------------------------- */

static void describe_stack(char *buf, size_t len, const RfLayer *layers, int n,
                           const char *what)
{
    if (what) {
        snprintf(buf, len, "%s", what);
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int l = 0; l < n && used + 1 < len; l++) {
        char one[96];
        format_layer(one, sizeof one, &layers[l]);
        used += (size_t)snprintf(buf + used, len - used, "%s[%d] %s", l ? "; " : "",
                                 l + 1, one);
    }
}

/* The intervals must agree with the sets of every position reached, where
 * the sets are small enough to list: a check of the oracle itself. */
static void self_check_sets(const RfLayer *layers, int n)
{
    enum { MAX_POS = 1 << 14 };
    long long *p0 = xmalloc(MAX_POS * sizeof *p0), *p1 = xmalloc(MAX_POS * sizeof *p1);
    for (int l = 0; l <= n; l++)
        for (int axis = AXIS_H; axis <= AXIS_W; axis++) {
            long n0 = oracle_reach(layers, l, axis, 0, p0, MAX_POS);
            long n1 = oracle_reach(layers, l, axis, 1, p1, MAX_POS);
            if (n0 < 0 || n1 < 0)
                continue; /* too many to list */
            RfAxis a = oracle_axis(layers, l, axis);
            ck_assert_msg(p0[0] == a.first && p0[n0 - 1] - p0[0] + 1 == a.size &&
                              p1[0] - p0[0] == a.jump,
                          "test error: the oracle's sets and intervals disagree");
        }
    free(p0);
    free(p1);
}

void check_stack(const RfLayer *layers, int n, const char *what)
{
    RfState *got = xmalloc((size_t)(n + 1) * sizeof *got);
    RfState *want = xmalloc((size_t)(n + 1) * sizeof *want);
    RfState *alt = xmalloc((size_t)(n + 1) * sizeof *alt);
    const RfAxis junk = {SENTINEL, SENTINEL, SENTINEL};
    for (int l = 0; l <= n; l++) {
        got[l] = (RfState){junk, junk};
        want[l] = oracle_state(layers, l);
    }
    self_check_sets(layers, n);
    rf_stack(layers, n, got);

    int bad_l = -1;
    const char *axis_name = "h", *field = "";
    long long g = 0, w = 0;
    for (int l = 0; l <= n && bad_l < 0; l++) {
        if (axis_diff(got[l].h, want[l].h, &field, &g, &w))
            bad_l = l, axis_name = "h";
        else if (axis_diff(got[l].w, want[l].w, &field, &g, &w))
            bad_l = l, axis_name = "w";
    }
    if (bad_l >= 0) {
        int match[RFM_N_MISTAKES] = {0};
        for (int m = RFM_RIGHT + 1; m < RFM_N_MISTAKES; m++) {
            mistake_stack(layers, n, (RfMistake)m, alt);
            int differs = 0, same = 1;
            for (int l = 0; l <= n; l++) {
                differs |= !state_eq(alt[l], want[l]);
                same &= state_eq(alt[l], got[l]);
            }
            match[m] = differs && same;
        }
        const char *hint = unique_hint(match);
        if (!hint)
            hint = wrap_hint(g, w);
        if (!hint && (is_sentinel_axis(got[bad_l].h) || is_sentinel_axis(got[bad_l].w)))
            hint = "this entry of out was never written (it still holds the "
                   "test's sentinel): out has n + 1 entries, out[0] = "
                   "rf_input() and out[l] after layer l.";
        char desc[1600], layer[96] = "the input", gs[64];
        describe_stack(desc, sizeof desc, layers, n, what);
        if (bad_l > 0)
            format_layer(layer, sizeof layer, &layers[bad_l - 1]);
        if (g == SENTINEL)
            snprintf(gs, sizeof gs, "nothing (the test's sentinel)");
        else
            snprintf(gs, sizeof gs, "%lld", g);
        ck_abort_msg("rf_stack(%d layers: %s): out[%d].%s.%s (after %s%s) "
                     "expected %lld, got %s.%s%s",
                     n, desc, bad_l, axis_name, field, bad_l ? "layer " : "",
                     layer, w, gs, hint ? "\nHint: " : "", hint ? hint : "");
    }
    free(got);
    free(want);
    free(alt);
}

/* ---- rf_window ------------------------------------------------------------------------------------ */

void check_windows(const RfAxis *a, const long long *units, int n_units,
                   const char *what)
{
    for (int t = 0; t < n_units; t++) {
        long long i = units[t];
        /* Unit i of a layer whose units read size consecutive positions with
         * stride jump and padding -first: walked down like any layer. */
        Step st = step_of_state(*a);
        i128 lo, hi;
        walk_interval(&st, 1, i, &lo, &hi);
        long long want_lo = to_ll(lo, "lo"), want_hi = to_ll(hi, "hi");
        long long got_lo = SENTINEL, got_hi = SENTINEL;
        rf_window(a, i, &got_lo, &got_hi);
        if (got_lo == want_lo && got_hi == want_hi)
            continue;
        const char *hint = NULL;
        if (got_lo == want_lo && got_hi == want_hi + 1)
            hint = HINT_WINDOW_END;
        else if (got_lo == SENTINEL || got_hi == SENTINEL)
            hint = "*lo or *hi was never written: is rf_window still the "
                   "skeleton's TODO?";
        char as[96], gl[40], gh[40];
        format_axis(as, sizeof as, *a);
        if (got_lo == SENTINEL)
            snprintf(gl, sizeof gl, "(not written)");
        else
            snprintf(gl, sizeof gl, "%lld", got_lo);
        if (got_hi == SENTINEL)
            snprintf(gh, sizeof gh, "(not written)");
        else
            snprintf(gh, sizeof gh, "%lld", got_hi);
        ck_abort_msg("rf_window(a=%s, i=%lld) (%s, case %d of %d): expected lo "
                     "%lld, hi %lld; got lo %s, hi %s.%s%s",
                     as, i, what, t + 1, n_units, want_lo, want_hi, gl, gh,
                     hint ? "\nHint: " : "", hint ? hint : "");
    }
}

/* ---- published tables -------------------------------------------------------------------------------- */

void check_published(const RfLayer *layers, int n, const char *net,
                     const char *source, const PublishedRow *rows, int n_rows)
{
    /* The oracle must reproduce the published numbers, or the test is wrong. */
    for (int r = 0; r < n_rows; r++) {
        RfState o = oracle_state(layers, rows[r].layer);
        ck_assert_msg(o.h.size == rows[r].size && o.h.jump == rows[r].jump &&
                          -o.h.first == rows[r].eff_pad && state_eq(o, (RfState){o.h, o.h}),
                      "test error: the oracle disagrees with %s at %s %s", source,
                      net, rows[r].name);
    }
    char what[256];
    snprintf(what, sizeof what, "%s", net);
    check_stack(layers, n, what); /* every layer, with hints */
    /* The same numbers as the published table, named as it names them. */
    RfState *got = xmalloc((size_t)(n + 1) * sizeof *got);
    rf_stack(layers, n, got);
    for (int r = 0; r < n_rows; r++) {
        const RfAxis a = got[rows[r].layer].h;
        if (a.size != rows[r].size || a.jump != rows[r].jump ||
            -a.first != rows[r].eff_pad) {
            free(got);
            ck_abort_msg("rf_stack(%s): at %s (out[%d]) %s gives receptive "
                         "field %lld, jump %lld, effective padding %lld (= "
                         "-first); you have %lld, %lld, %lld.",
                         net, rows[r].name, rows[r].layer, source, rows[r].size,
                         rows[r].jump, rows[r].eff_pad, a.size, a.jump, -a.first);
        }
    }
    free(got);
}

/* ---- the effective receptive field --------------------------------------------------------------------- */

void oracle_spread(const float *g, int h, int w, SpreadMistake m,
                   double *sigma_h, double *sigma_w)
{
    if (m == SPREAD_FLOAT) {
        /* What a float two-pass loop in row-major order computes. */
        float fm = 0, fi = 0, fj = 0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                float a = fabsf(g[(size_t)i * w + j]);
                fm += a;
                fi += a * i;
                fj += a * j;
            }
        fi /= fm;
        fj /= fm;
        float vi = 0, vj = 0;
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                float a = fabsf(g[(size_t)i * w + j]);
                vi += a * (i - fi) * (i - fi);
                vj += a * (j - fj) * (j - fj);
            }
        *sigma_h = sqrtf(vi / fm);
        *sigma_w = sqrtf(vj / fm);
        return;
    }
    long double m0 = 0, mi = 0, mj = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            long double v = g[(size_t)i * w + j];
            long double a = m == SPREAD_SIGNED ? v : m == SPREAD_SQUARED ? v * v : fabsl(v);
            m0 += a;
            mi += a * i;
            mj += a * j;
        }
    mi /= m0;
    mj /= m0;
    if (m == SPREAD_CENTRE) {
        mi = h / 2;
        mj = w / 2;
    }
    long double vi = 0, vj = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            long double v = g[(size_t)i * w + j];
            long double a = m == SPREAD_SIGNED ? v : m == SPREAD_SQUARED ? v * v : fabsl(v);
            vi += a * (i - mi) * (i - mi);
            vj += a * (j - mj) * (j - mj);
        }
    vi /= m0;
    vj /= m0;
    if (m == SPREAD_VARIANCE) {
        *sigma_h = (double)vi;
        *sigma_w = (double)vj;
    } else if (m == SPREAD_SWAPPED) {
        *sigma_h = (double)sqrtl(vj);
        *sigma_w = (double)sqrtl(vi);
    } else {
        /* A negative "variance" (signed weights) has no square root. */
        *sigma_h = vi >= 0 ? (double)sqrtl(vi) : NAN;
        *sigma_w = vj >= 0 ? (double)sqrtl(vj) : NAN;
    }
}

static const char *spread_hint(SpreadMistake m)
{
    switch (m) {
    case SPREAD_SIGNED:
        return "the weights are g itself: a gradient has both signs, and "
               "eq. (4.14) weighs pixel (i, j) by |g[i][j]|.";
    case SPREAD_SQUARED:
        return "the weights are g^2: eq. (4.14) weighs pixel (i, j) by "
               "|g[i][j]|.";
    case SPREAD_CENTRE:
        return "the spread is measured about the middle of the map (h/2, "
               "w/2): eq. (4.14) measures it about the weighted mean "
               "position mu.";
    case SPREAD_VARIANCE:
        return "that is the variance: sigma is its square root.";
    case SPREAD_FLOAT:
        return "the sums lose digits in float: accumulate m, the means and "
               "the squared distances in double.";
    case SPREAD_SWAPPED:
        return "sigma_h and sigma_w are exchanged: sigma_h is the spread of "
               "the row index i (down the map, h rows), sigma_w of the column "
               "index j.";
    default:
        return NULL;
    }
}

static int close_rel(double got, double want, double rtol)
{
    if (isnan(want))
        return isnan(got);
    return fabs(got - want) <= rtol * fmax(fabs(want), 1e-300);
}

void check_spread(const float *g, int h, int w, const char *what)
{
    double want_h, want_w;
    oracle_spread(g, h, w, SPREAD_RIGHT, &want_h, &want_w);
    double got_h = NAN, got_w = NAN;
    erf_spread(g, h, w, &got_h, &got_w);
    const double rtol = 1e-9;
    if (close_rel(got_h, want_h, rtol) && close_rel(got_w, want_w, rtol))
        return;
    const char *hint = NULL;
    int n_match = 0;
    for (int m = SPREAD_RIGHT + 1; m < SPREAD_N_MISTAKES; m++) {
        double ah, aw;
        oracle_spread(g, h, w, (SpreadMistake)m, &ah, &aw);
        /* A float sum matches its model only roughly: its order may differ. */
        double tol = m == SPREAD_FLOAT ? 1e-5 : 1e-7;
        if (close_rel(ah, want_h, rtol) && close_rel(aw, want_w, rtol))
            continue; /* indistinguishable from the right answer here */
        if (close_rel(got_h, ah, tol) && close_rel(got_w, aw, tol)) {
            hint = spread_hint((SpreadMistake)m);
            n_match++;
        }
    }
    if (n_match != 1)
        hint = NULL;
    if (!hint && isnan(got_h) && isnan(got_w))
        hint = "sigma_h and sigma_w were never written (they still hold the "
               "test's NaN): is erf_spread still the skeleton's TODO?";
    int bad_h = !close_rel(got_h, want_h, rtol);
    ck_abort_msg("erf_spread(g: %d x %d map, %s): %s expected " GRADE_FMT
                 ", got " GRADE_FMT " (relative error %.2e > tolerance %.0e); "
                 "(sigma_h, sigma_w) expected (" GRADE_FMT ", " GRADE_FMT
                 "), got (" GRADE_FMT ", " GRADE_FMT ").%s%s",
                 h, w, what, bad_h ? "sigma_h" : "sigma_w", bad_h ? want_h : want_w,
                 bad_h ? got_h : got_w,
                 fabs((bad_h ? got_h - want_h : got_w - want_w) /
                      (bad_h ? want_h : want_w)),
                 rtol, want_h, want_w, got_h, got_w, hint ? "\nHint: " : "",
                 hint ? hint : "");
}

int oracle_mass_radius(const float *g, int h, int w, int ci, int cj,
                       double frac, RadiusMistake m, double *margin)
{
    /* mass[r] = the mass of the square of radius r, summed from scratch. */
    int r_max = ci;
    if (h - 1 - ci > r_max) r_max = h - 1 - ci;
    if (cj > r_max) r_max = cj;
    if (w - 1 - cj > r_max) r_max = w - 1 - cj;
    long double total = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            long double v = g[(size_t)i * w + j];
            total += m == RADIUS_SIGNED ? v : fabsl(v);
        }
    const long double want = (long double)frac * total;
    /* The wrong versions stop at the map's edge too, as a loop bounded by
     * r_max does. */
    int found = r_max;
    long double prev_mass = 0, mass = 0;
    for (int r = 0; r <= r_max; r++) {
        prev_mass = mass;
        mass = 0;
        for (int i = ci - r; i <= ci + r; i++)
            for (int j = cj - r; j <= cj + r; j++) {
                if (i < 0 || i >= h || j < 0 || j >= w)
                    continue;
                long double v = g[(size_t)i * w + j];
                mass += m == RADIUS_SIGNED ? v : fabsl(v);
            }
        if (m == RADIUS_STRICT ? mass > want : mass >= want) {
            found = r;
            break;
        }
    }
    if (margin) {
        /* Rounding could move the answer only if the mass of the square of
         * radius found (unless it is the whole map, which always counts) or
         * of found - 1 lay within rounding of frac * total. */
        long double gap = total;
        if (found < r_max)
            gap = fabsl(mass - want);
        if (found > 0 && fabsl(prev_mass - want) < gap)
            gap = fabsl(prev_mass - want);
        *margin = total > 0 ? (double)(gap / total) : 0;
    }
    return found;
}

void check_radius(const float *g, int h, int w, int ci, int cj,
                  const double *fracs, int n_fracs, int exact_tie,
                  const char *what)
{
    enum { MAX_FRACS = 16 };
    ck_assert_msg(n_fracs <= MAX_FRACS, "test error: too many fractions");
    int want[MAX_FRACS], got[MAX_FRACS], strict[MAX_FRACS], signed_r[MAX_FRACS];
    int bad = -1;
    for (int t = 0; t < n_fracs; t++) {
        double margin;
        want[t] = oracle_mass_radius(g, h, w, ci, cj, fracs[t], RADIUS_RIGHT, &margin);
        ck_assert_msg(exact_tie || margin > 1e-9,
                      "test error: frac %g is too close to a square's mass", fracs[t]);
        strict[t] = oracle_mass_radius(g, h, w, ci, cj, fracs[t], RADIUS_STRICT, NULL);
        signed_r[t] = oracle_mass_radius(g, h, w, ci, cj, fracs[t], RADIUS_SIGNED, NULL);
        got[t] = erf_mass_radius(g, h, w, ci, cj, fracs[t]);
        if (got[t] != want[t] && bad < 0)
            bad = t;
    }
    if (bad < 0)
        return;
    /* A mistake is named only when it explains every fraction of the call. */
    int is_strict = 1, is_signed = 1, is_plus_one = 1;
    int strict_differs = 0, signed_differs = 0;
    for (int t = 0; t < n_fracs; t++) {
        is_strict &= got[t] == strict[t];
        is_signed &= got[t] == signed_r[t];
        is_plus_one &= got[t] == want[t] || got[t] == want[t] + 1;
        strict_differs |= strict[t] != want[t];
        signed_differs |= signed_r[t] != want[t];
    }
    const char *hint = NULL;
    if (got[bad] < 0)
        hint = "a negative radius: is erf_mass_radius still the "
               "skeleton's TODO?";
    else if (is_strict && strict_differs && !(is_signed && signed_differs))
        hint = "the square must hold AT LEAST frac of the mass: when it "
               "holds exactly frac * total, that radius is the answer "
               "(>=, not >).";
    else if (is_signed && signed_differs && !(is_strict && strict_differs))
        hint = "the masses are summed from g itself: a gradient has both "
               "signs, and eq. (4.15) sums |g[i][j]|.";
    else if (is_plus_one && !(is_strict && strict_differs) &&
             !(is_signed && signed_differs))
        hint = "the radius is one too large: r = 0 is the centre pixel "
               "alone, the square of radius r is |i - ci| <= r, |j - cj| <= r "
               "(side 2r + 1), and the answer is the first r whose square "
               "holds frac of the mass.";
    ck_abort_msg("erf_mass_radius(g: %d x %d map, %s, ci=%d, cj=%d, "
                 "frac=%g): expected %d, got %d.%s%s",
                 h, w, what, ci, cj, fracs[bad], want[bad], got[bad],
                 hint ? "\nHint: " : "", hint ? hint : "");
}

/* ---- maps ------------------------------------------------------------------------------------------------- */

/* The n-fold convolution of a box of k ones with itself: length n(k-1)+1. */
static double *box_power_1d(int n, int k, int *len)
{
    int L = n * (k - 1) + 1;
    double *a = xcalloc((size_t)L, sizeof *a), *b = xcalloc((size_t)L, sizeof *b);
    a[0] = 1;
    int cur = 1;
    for (int t = 0; t < n; t++) {
        memset(b, 0, (size_t)L * sizeof *b);
        for (int x = 0; x < cur; x++)
            for (int u = 0; u < k; u++)
                b[x + u] += a[x];
        cur += k - 1;
        double *tmp = a;
        a = b;
        b = tmp;
    }
    free(b);
    *len = L;
    return a;
}

float *box_power_map(int n, int kh, int kw, int mh, int mw, int *h, int *w)
{
    int lh, lw;
    double *ph = box_power_1d(n, kh, &lh), *pw = box_power_1d(n, kw, &lw);
    *h = lh + 2 * mh;
    *w = lw + 2 * mw;
    float *g = xcalloc((size_t)*h * *w, sizeof *g);
    for (int i = 0; i < lh; i++)
        for (int j = 0; j < lw; j++) {
            double v = ph[i] * pw[j];
            ck_assert_msg(v < 16777216.0, "test error: box map not exact in float");
            g[(size_t)(i + mh) * *w + (j + mw)] = (float)v;
        }
    free(ph);
    free(pw);
    return g;
}

float *bump_map(int h, int w, double ci, double cj, double sh, double sw,
                int signed_vals, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *g = xmalloc((size_t)h * w * sizeof *g);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double e = exp(-((i - ci) * (i - ci) / (2 * sh * sh) +
                             (j - cj) * (j - cj) / (2 * sw * sw)));
            double f = 0.5 + rng_uniform(&r);
            double sign = signed_vals && rng_uniform(&r) < 0.5 ? -1 : 1;
            g[(size_t)i * w + j] = (float)(sign * e * f);
        }
    return g;
}

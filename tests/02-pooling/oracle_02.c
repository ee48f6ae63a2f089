/* oracle_02.c: the chapter 02 double-precision reference (see oracle_02.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "oracle_02.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rng.h"
#include "util.h"

/* ---- output size ------------------------------------------------------------ */

long long oracle_out_size(int in, int k, int stride, int pad, int ceil_mode,
                          SizeMistake m)
{
    /* Re-derived on purpose with floor()/ceil() in double, not C's /. */
    double a = (double)in + 2.0 * pad - k;
    int ceil_on = ceil_mode != 0;
    switch (m) {
    case SIZE_CEIL_ONLY_ONE:
        ceil_on = ceil_mode == 1;
        break;
    case SIZE_FLOOR_ALWAYS:
        ceil_on = 0;
        break;
    case SIZE_CEIL_ALWAYS:
        ceil_on = 1;
        break;
    case SIZE_NO_PLUS1:
        return (long long)(ceil_on ? ceil(a / stride) : floor(a / stride));
    case SIZE_PAD_ONCE:
        a = (double)in + pad - k;
        break;
    default:
        break;
    }
    long long out;
    if (m == SIZE_TRUNC) /* C's / on the numerator of the ceil trick */
        out = (long long)trunc((a + (ceil_on ? stride - 1 : 0)) / stride) + 1;
    else if (m == SIZE_CEIL_PLUS1 && ceil_on)
        out = (long long)floor(a / stride) + 2;
    else
        out = (long long)(ceil_on ? ceil(a / stride) : floor(a / stride)) + 1;
    /* eq. (2.6): a last window starting in the right padding is dropped */
    long long last = (out - 1) * (long long)stride, limit = (long long)in + pad;
    if (ceil_on && m != SIZE_NO_LAST_RULE &&
        (m == SIZE_LAST_RULE_STRICT ? last > limit : last >= limit))
        out--;
    return out;
}

const char *oracle_size_hint(SizeMistake m)
{
    switch (m) {
    case SIZE_CEIL_ONLY_ONE:
        return "ceil_mode compared with 1: any non-zero ceil_mode means ceil "
               "mode (PyTorch's ceil_mode=True), eq. (2.5); test it as "
               "`if (ceil_mode)`.";
    case SIZE_FLOOR_ALWAYS:
        return "ceil_mode ignored: with ceil_mode set, round (in + 2 pad - k) "
               "/ stride UP, eq. (2.5), so that a last partial window is kept.";
    case SIZE_CEIL_ALWAYS:
        return "rounded up although ceil_mode is 0: floor mode, eq. (2.4), "
               "drops a last window that would run past the padded input.";
    case SIZE_NO_LAST_RULE:
    case SIZE_LAST_RULE_STRICT:
        return "the last-window rule of eq. (2.6) is missing or does not "
               "fire: in ceil mode, if (out - 1) * stride >= in + pad (>=, and "
               "one pad) the last window would start in the right padding, so "
               "out is one less.";
    case SIZE_TRUNC:
        return "C's integer division truncates toward zero, not down: for a "
               "negative numerator (a kernel that does not fit) the floor is "
               "one less; the result must then be 0 or less.";
    case SIZE_CEIL_PLUS1:
        return "ceil(a / s) is floor(a / s) + 1 only when s does not divide a: "
               "write it as floor((a + s - 1) / s), eq. (2.5).";
    case SIZE_NO_PLUS1:
        return "the +1 of eq. (2.4) is missing: the first window sits at "
               "position -pad and each further stride adds one more.";
    case SIZE_PAD_ONCE:
        return "padding counted once: pad cells are added on each side, "
               "in + 2 pad in total.";
    default:
        return NULL;
    }
}

/* Does pool_out_size's result `got` on case c agree with mistake m's
 * value? A value <= 0 means "no output", matched by any value <= 0. */
static int size_matches(const SizeCase *c, long long got, SizeMistake m)
{
    long long v = oracle_out_size(c->in, c->k, c->stride, c->pad, c->ceil_mode, m);
    return got <= 0 && v <= 0 ? 1 : v == got;
}

/* The first mistake that gives the results `got` on every one of the n
 * cases and differs from the right size on at least one, or NULL. */
static const char *size_hint_for(const SizeCase *cases, const long long *got,
                                 int n)
{
    for (int m = SIZE_RIGHT + 1; m < SIZE_N_MISTAKES; m++) {
        int all = 1, wrong = 0;
        for (int t = 0; t < n && all; t++) {
            all = size_matches(&cases[t], got[t], (SizeMistake)m);
            wrong |= !size_matches(&cases[t],
                                   oracle_out_size(cases[t].in, cases[t].k,
                                                   cases[t].stride, cases[t].pad,
                                                   cases[t].ceil_mode, SIZE_RIGHT),
                                   (SizeMistake)m);
        }
        if (all && wrong)
            return oracle_size_hint((SizeMistake)m);
    }
    return NULL;
}

void check_size_cases(const SizeCase *cases, int n)
{
    long long *all_got = xmalloc((size_t)n * sizeof *all_got);
    for (int t = 0; t < n; t++)
        all_got[t] = pool_out_size(cases[t].in, cases[t].k, cases[t].stride,
                                   cases[t].pad, cases[t].ceil_mode);
    for (int t = 0; t < n; t++) {
        const SizeCase *c = &cases[t];
        long long want = oracle_out_size(c->in, c->k, c->stride, c->pad, c->ceil_mode, SIZE_RIGHT);
        long long got = all_got[t];
        if (want <= 0 ? got <= 0 : got == want)
            continue;
        const char *hint = size_hint_for(cases, all_got, n);
        free(all_got);
        char expected[128];
        if (want <= 0)
            snprintf(expected, sizeof expected, "0 or less (a kernel of %d does "
                     "not fit %d padded positions: PyTorch refuses the shape)",
                     c->k, c->in + 2 * c->pad);
        else
            snprintf(expected, sizeof expected, "%lld", want);
        ck_abort_msg("pool_out_size(in=%d, k=%d, stride=%d, pad=%d, "
                     "ceil_mode=%d): expected %s, got %lld (case %d of %d).%s%s",
                     c->in, c->k, c->stride, c->pad, c->ceil_mode, expected, got,
                     t + 1, n, hint ? "\nHint: " : "", hint ? hint : "");
    }
    free(all_got);
}

/* ---- pooling ------------------------------------------------------------------ */

/* What tap u of a window is, along one axis. */
typedef enum { TAP_PIXEL, TAP_PAD, TAP_PAST } TapKind;

/* One axis of the geometry, as the mistake m reads it. */
typedef struct {
    int size, k, stride, pad;
} Axis;

static Axis axis_of(const Pool2dGeom *g, int rows, PoolMistake m)
{
    int swap = m == POOL_HW_SWAPPED;
    Axis a = {.size = rows ? g->h : g->w};
    int use_h = rows != swap;
    a.k = use_h ? g->kh : g->kw;
    a.stride = use_h ? g->stride_h : g->stride_w;
    a.pad = use_h ? g->pad_h : g->pad_w;
    return a;
}

/* First position of output i's window, eqs. (2.1)-(2.2): i*stride - pad. */
static long window_start(const Axis *a, int i, PoolMistake m)
{
    switch (m) {
    case POOL_STRIDE_IGNORED:
        return (long)i - a->pad;
    case POOL_PAD_IGNORED:
        return (long)i * a->stride;
    default:
        return (long)i * a->stride - a->pad;
    }
}

/* Tap u of the window starting at s: a pixel of the image, a cell of the
 * padding, or a cell past the padded input (ceil mode), which the window
 * does not contain at all. */
static TapKind tap_kind(const Axis *a, long s, int u)
{
    long p = s + u;
    if (p >= (long)a->size + a->pad)
        return TAP_PAST;
    if (p < 0 || p >= a->size)
        return TAP_PAD;
    return TAP_PIXEL;
}

void oracle_pool2d(const Pool2dGeom *g, PoolKind kind, const float *x,
                   PoolMistake m, double *y)
{
    const long long OH = oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode, SIZE_RIGHT);
    const long long OW = oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode, SIZE_RIGHT);
    const Axis ra = axis_of(g, 1, m), ca = axis_of(g, 0, m);
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++) {
            const float *plane = x + ((size_t)n * g->c + c) * g->h * (size_t)g->w;
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    long r0 = window_start(&ra, i, m), c0 = window_start(&ca, j, m);
                    double mx = m == MAX_INIT_FLT_MAX ? -FLT_MAX : -INFINITY;
                    double sum = 0.0;
                    long rows_in = 0, rows_pad = 0, cols_in = 0, cols_pad = 0;
                    int outside = 0; /* some tap of the k x k is not a pixel */
                    for (int u = 0; u < ra.k; u++) {
                        TapKind tu = tap_kind(&ra, r0, u);
                        rows_in += tu == TAP_PIXEL;
                        rows_pad += tu != TAP_PAST;
                    }
                    for (int v = 0; v < ca.k; v++) {
                        TapKind tv = tap_kind(&ca, c0, v);
                        cols_in += tv == TAP_PIXEL;
                        cols_pad += tv != TAP_PAST;
                    }
                    for (int u = 0; u < ra.k; u++)
                        for (int v = 0; v < ca.k; v++) {
                            TapKind tu = tap_kind(&ra, r0, u), tv = tap_kind(&ca, c0, v);
                            if (tu != TAP_PIXEL || tv != TAP_PIXEL) {
                                outside = 1; /* padding: -inf for max, 0 for avg */
                                continue;
                            }
                            double t = plane[(size_t)(r0 + u) * g->w + (size_t)(c0 + v)];
                            sum += t;
                            if (m == MAX_NAN_NOT_KEPT ? !(t <= mx)
                                                      : t > mx || (isnan(t) && m != MAX_NAN_IGNORED))
                                mx = t;
                        }
                    if (kind == POOL_MAX) {
                        if (((m == MAX_ZERO_PAD && outside) || m == MAX_INIT_ZERO) &&
                            !(mx >= 0.0) && !isnan(mx))
                            mx = 0.0;
                        y[yi++] = mx;
                        continue;
                    }
                    /* eq. (2.3) */
                    double d;
                    if (m == AVG_DIV_KK)
                        d = (double)g->kh * g->kw;
                    else if (m == AVG_CIP_IGNORED || !g->count_include_pad)
                        d = (double)rows_in * cols_in;
                    else
                        d = (double)rows_pad * cols_pad;
                    y[yi++] = sum / d;
                }
        }
}

const char *oracle_pool_hint(PoolMistake m)
{
    switch (m) {
    case POOL_STRIDE_IGNORED:
        return "stride ignored: the window of output row i starts at input row "
               "i*stride - pad, eqs. (2.1)-(2.2), not at i - pad.";
    case POOL_PAD_IGNORED:
        return "the window's first row is i*stride - pad: without the -pad "
               "every window is shifted by pad cells (right and down).";
    case POOL_HW_SWAPPED:
        return "height and width swapped: rows go with kh, stride_h and pad_h, "
               "columns with kw, stride_w and pad_w.";
    case MAX_ZERO_PAD:
        return "padding counted as 0 in the max: max pooling pads with -inf, "
               "so a window's padded cells never win, eq. (2.1).";
    case MAX_INIT_FLT_MAX:
        return "the max starts at -FLT_MAX: a window of -inf pixels must give "
               "-inf; start from -INFINITY.";
    case MAX_INIT_ZERO:
        return "the max starts at 0: a window whose pixels are all negative "
               "must give its largest pixel, not 0; start the running max at "
               "-INFINITY, eq. (2.1).";
    case MAX_NAN_NOT_KEPT:
        return "a NaN must stay the result once the window has met it, but "
               "every comparison with NaN is false, so `!(t <= m)` lets the "
               "next pixel replace it: stop at the NaN, or keep m when "
               "isnan(m).";
    case MAX_NAN_IGNORED:
        return "a NaN in the window must give NaN (PyTorch propagates it), but "
               "t > m is false for a NaN: also keep t when isnan(t).";
    case AVG_CIP_IGNORED:
        return "count_include_pad ignored: when it is set (any non-zero "
               "value), the divisor counts the window's padded cells too, "
               "eq. (2.3).";
    case AVG_DIV_KK:
        return "the divisor is always kh*kw, but eq. (2.3) counts the window's "
               "cells: with count_include_pad = 0 only its pixels inside the "
               "image, and with count_include_pad set its cells inside the "
               "padded input (a ceil-mode window running past h + pad or "
               "w + pad is clipped there).";
    default:
        return NULL;
    }
}

void format_pool_geom(char *buf, size_t len, const Pool2dGeom *g, PoolKind kind)
{
    int used = snprintf(buf, len, "N=%d C=%d H=%d W=%d, kernel=(%d,%d) "
                        "stride=(%d,%d) pad=(%d,%d) ceil_mode=%d",
                        g->n, g->c, g->h, g->w, g->kh, g->kw, g->stride_h,
                        g->stride_w, g->pad_h, g->pad_w, g->ceil_mode);
    if (kind == POOL_AVG && used > 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, " count_include_pad=%d",
                 g->count_include_pad);
}

Pool2dGeom pool_geom(int n, int c, int h, int w, int kh, int kw)
{
    Pool2dGeom g = {.n = n, .c = c, .h = h, .w = w, .kh = kh, .kw = kw,
                    .stride_h = kh, .stride_w = kw, .pad_h = 0, .pad_w = 0,
                    .ceil_mode = 0, .count_include_pad = 1};
    return g;
}

static const char *func_name(PoolKind kind)
{
    return kind == POOL_MAX ? "maxpool2d_forward" : "avgpool2d_forward";
}

void check_pool_shape(const Pool2dGeom *g, const char *func)
{
    long long oh = oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode, SIZE_RIGHT);
    long long ow = oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode, SIZE_RIGHT);
    ck_assert_msg(oh >= 1 && ow >= 1, "test error: empty output");
    int gh = pool2d_out_h(g), gw = pool2d_out_w(g);
    if (gh == oh && gw == ow)
        return;
    /* Two axes alone fit several mistakes: a mistake is named only when it
     * also explains pool_out_size on a few probe cases (floor and ceil, a
     * kernel that does not fit, eq. (2.6) firing). */
    SizeCase probe[] = {{g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode},
                        {g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode},
                        {7, 2, 2, 0, 0}, {7, 2, 2, 0, 1}, {6, 3, 2, 1, 0},
                        {6, 3, 2, 1, 1}, {4, 2, 3, 1, 1}, {10, 3, 3, 0, 1},
                        {12, 3, 3, 1, 2}, {2, 3, 2, 0, 0}, {55, 3, 2, 0, 1}};
    enum { N_PROBE = sizeof probe / sizeof probe[0] };
    long long got[N_PROBE] = {gh, gw};
    for (int t = 2; t < N_PROBE; t++)
        got[t] = pool_out_size(probe[t].in, probe[t].k, probe[t].stride,
                               probe[t].pad, probe[t].ceil_mode);
    const char *hint = size_hint_for(probe, got, N_PROBE);
    char params[256];
    format_pool_geom(params, sizeof params, g,
                     strcmp(func, "avgpool2d_forward") == 0 ? POOL_AVG : POOL_MAX);
    ck_abort_msg("%s(%s): pool2d_out_h/w give %d x %d, eqs. (2.4)-(2.6) give "
                 "%lld x %lld. They call your pool_out_size: fix it first "
                 "(the pool_out_size tests show the failing case).%s%s",
                 func, params, gh, gw, oh, ow, hint ? "\nHint: " : "",
                 hint ? hint : "");
}

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i]) != isnan(b[i]))
            return 1;
        if (!isnan(a[i]) && a[i] != b[i] &&
            !(fabs(a[i] - b[i]) <= 1e-9 * (1.0 + fabs(a[i]))))
            return 1;
    }
    return 0;
}

void check_pool2d(const Pool2dGeom *g, PoolKind kind, const float *x,
                  unsigned long long seed, const PoolMistake *mistakes)
{
    const char *func = func_name(kind);
    check_pool_shape(g, func);
    size_t OH = (size_t)pool2d_out_h(g), OW = (size_t)pool2d_out_w(g);
    size_t ny = (size_t)g->n * g->c * OH * OW;
    float *own = NULL;
    if (!x)
        x = own = random_floats((size_t)g->n * g->c * g->h * (size_t)g->w, seed,
                                -1.0f, 1.0f);
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    double *alt[POOL_N_MISTAKES] = {0};

    grade_fill_nan(y, ny);
    if (kind == POOL_MAX)
        maxpool2d_forward(g, x, y);
    else
        avgpool2d_forward(g, x, y);
    oracle_pool2d(g, kind, x, POOL_RIGHT, want);

    char params[256];
    format_pool_geom(params, sizeof params, g, kind);
    GradeCompare cmp = {.func = func, .params = params, .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c, OH, OW},
                        .rtol = kind == POOL_MAX ? MAX_RTOL : AVG_RTOL,
                        .floor_frac = POOL_FLOOR};
    for (const PoolMistake *m = mistakes; m && *m != POOL_RIGHT; m++) {
        if (alt[*m])
            continue;
        alt[*m] = xmalloc(ny * sizeof(double));
        oracle_pool2d(g, kind, x, *m, alt[*m]);
        if (differs(alt[*m], want, ny))
            grade_add_alt(&cmp, alt[*m], oracle_pool_hint(*m));
    }
    char msg[3000];
    int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int m = 0; m < POOL_N_MISTAKES; m++)
        free(alt[m]);
    free(own);
    free(y);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* Equal as IEEE values, with every NaN equal to every NaN. */
static int same_value(double got, double want)
{
    return isnan(want) ? isnan(got) : got == want;
}

void check_maxpool_special(const Pool2dGeom *g, const float *x, const char *what)
{
    check_pool_shape(g, "maxpool2d_forward");
    size_t OH = (size_t)pool2d_out_h(g), OW = (size_t)pool2d_out_w(g);
    size_t ny = (size_t)g->n * g->c * OH * OW;
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want), *alt = xmalloc(ny * sizeof *alt);
    grade_fill_nan(y, ny);
    maxpool2d_forward(g, x, y);
    oracle_pool2d(g, POOL_MAX, x, POOL_RIGHT, want);

    size_t first = ny, n_bad = 0;
    for (size_t i = 0; i < ny; i++)
        if (!same_value(y[i], want[i])) {
            n_bad++;
            if (first == ny)
                first = i;
        }
    if (first == ny) {
        free(y);
        free(want);
        free(alt);
        return;
    }
    const char *hint = NULL;
    static const PoolMistake special[] = {MAX_ZERO_PAD, MAX_INIT_FLT_MAX,
                                          MAX_INIT_ZERO, MAX_NAN_IGNORED,
                                          MAX_NAN_NOT_KEPT,
                                          POOL_STRIDE_IGNORED,
                                          POOL_PAD_IGNORED, POOL_HW_SWAPPED};
    for (size_t k = 0; k < sizeof special / sizeof special[0] && !hint; k++) {
        oracle_pool2d(g, POOL_MAX, x, special[k], alt);
        int all_same = 1, differs_from_right = 0;
        for (size_t i = 0; i < ny; i++) {
            all_same &= same_value(y[i], alt[i]);
            differs_from_right |= !same_value(alt[i], want[i]);
        }
        if (all_same && differs_from_right)
            hint = oracle_pool_hint(special[k]);
    }
    char params[256], idx[96];
    format_pool_geom(params, sizeof params, g, POOL_MAX);
    size_t shape[4] = {(size_t)g->n, (size_t)g->c, OH, OW};
    grade_format_index(idx, sizeof idx, shape, 4, first);
    double w0 = want[first], g0 = y[first];
    size_t total = ny;
    free(y);
    free(want);
    free(alt);
    ck_abort_msg("maxpool2d_forward(%s), %s: y has shape (%zu, %zu, %zu, %zu); "
                 "first mismatch at y%s (flat index %zu): expected " GRADE_FMT
                 ", got " GRADE_FMT "; %zu of %zu elements differ.%s%s",
                 params, what, shape[0], shape[1], shape[2], shape[3], idx,
                 first, w0, g0, n_bad, total, hint ? "\nHint: " : "",
                 hint ? hint : "");
}

/* ---- global average pooling ----------------------------------------------------- */

void oracle_gap(int n, int c, int h, int w, const float *x, GapMistake m,
                double *y)
{
    size_t hw = (size_t)h * w;
    for (size_t p = 0; p < (size_t)n * c; p++) {
        const float *plane = x + p * hw;
        double s = 0.0;
        float fs = 0.0f;
        for (size_t k = 0; k < hw; k++) {
            s += plane[k];
            fs += plane[k];
        }
        switch (m) {
        case GAP_DIV_H:
            y[p] = s / h;
            break;
        case GAP_DIV_W:
            y[p] = s / w;
            break;
        case GAP_FLOAT_SUM:
            y[p] = (double)fs / (double)hw;
            break;
        default:
            y[p] = s / (double)hw; /* eq. (2.7) */
        }
    }
}

const char *oracle_gap_hint(GapMistake m)
{
    switch (m) {
    case GAP_DIV_H:
        return "divided by h only: the mean is over the h*w pixels of the "
               "plane, eq. (2.7).";
    case GAP_DIV_W:
        return "divided by w only: the mean is over the h*w pixels of the "
               "plane, eq. (2.7).";
    case GAP_FLOAT_SUM:
        return "the sum drifts: a float accumulator loses the low bits of each "
               "term once the sum is much larger than the terms; accumulate in "
               "double, as pool.h says.";
    default:
        return NULL;
    }
}

void check_gap(int n, int c, int h, int w, const float *x, const char *what)
{
    size_t ny = (size_t)n * c;
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    double *alt[GAP_N_MISTAKES] = {0};
    grade_fill_nan(y, ny);
    global_avgpool2d_forward(n, c, h, w, x, y);
    oracle_gap(n, c, h, w, x, GAP_RIGHT, want);

    char params[160];
    snprintf(params, sizeof params, "n=%d, c=%d, h=%d, w=%d: %s", n, c, h, w, what);
    GradeCompare cmp = {.func = "global_avgpool2d_forward", .params = params,
                        .output = "y", .ndim = 2,
                        .shape = {(size_t)n, (size_t)c},
                        .rtol = GAP_RTOL, .floor_frac = POOL_FLOOR};
    for (int m = GAP_RIGHT + 1; m < GAP_N_MISTAKES; m++) {
        alt[m] = xmalloc(ny * sizeof(double));
        oracle_gap(n, c, h, w, x, (GapMistake)m, alt[m]);
        if (differs(alt[m], want, ny))
            grade_add_alt(&cmp, alt[m], oracle_gap_hint((GapMistake)m));
    }
    char msg[3000];
    int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int m = 0; m < GAP_N_MISTAKES; m++)
        free(alt[m]);
    free(y);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- helpers ---------------------------------------------------------------------- */

float *random_floats(size_t n, unsigned long long seed, float lo, float hi)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc(n * sizeof *v);
    rng_fill_uniform(&r, v, n, lo, hi);
    return v;
}

float *big_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        ck_abort_msg("test setup: the system refused %.1f GB of address space "
                     "for a tensor past 2^31 elements (is `ulimit -v` set?); "
                     "only a few pages of it would be touched.",
                     (double)bytes / 1e9);
    return p;
}

void big_free(float *p, size_t bytes)
{
    munmap(p, bytes);
}

/* oracle_01.c: the chapter 01 double-precision reference (see oracle_01.h). */
#include "oracle_01.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "util.h"

/* ---- 1-D and 2-D valid ---------------------------------------------------- */

void oracle_conv1d_full(const float *f, int nf, const float *g, int ng,
                        int as_correlation, double *out)
{
    for (int n = 0; n < nf + ng - 1; n++) {
        double s = 0.0;
        for (int m = 0; m < nf; m++) {
            int t = n - m; /* eq. (1.1): terms with g's index outside are 0 */
            if (t < 0 || t >= ng)
                continue;
            s += (double)f[m] * g[as_correlation ? ng - 1 - t : t];
        }
        out[n] = s;
    }
}

void oracle_valid2d(const float *img, int H, int W, const float *k, int KH,
                    int KW, int flip, double *out)
{
    int OH = H - KH + 1, OW = W - KW + 1;
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++) {
            double s = 0.0;
            for (int u = 0; u < KH; u++)
                for (int v = 0; v < KW; v++) {
                    int ku = flip & FLIP_ROWS ? KH - 1 - u : u;
                    int kv = flip & FLIP_COLS ? KW - 1 - v : v;
                    s += (double)img[(size_t)(i + u) * W + (j + v)] *
                         k[(size_t)ku * KW + kv];
                }
            out[(size_t)i * OW + j] = s;
        }
}

/* ---- sizes ---------------------------------------------------------------- */

long long oracle_out_size(int in, int k, int stride, int pad, int dil,
                          SizeMistake m)
{
    double span = (double)dil * (k - 1) + 1, room = (double)in + 2.0 * pad;
    switch (m) {
    case SIZE_NO_PLUS1:
        return (long long)floor((room - span) / stride);
    case SIZE_CEIL:
        return (long long)ceil((room - span) / stride) + 1;
    case SIZE_NO_DIL:
        return (long long)floor((room - k) / stride) + 1;
    case SIZE_PAD_ONCE:
        return (long long)floor((in + pad - span) / stride) + 1;
    case SIZE_TRUNC:
        return (long long)trunc((room - span) / stride) + 1;
    default:
        return (long long)floor((room - span) / stride) + 1;
    }
}

const char *oracle_size_hint(SizeMistake m)
{
    switch (m) {
    case SIZE_NO_PLUS1:
        return "the +1 of eq. (1.7) is missing: the first window sits at "
               "position 0 and each further stride adds one more.";
    case SIZE_CEIL:
        return "rounded up: eq. (1.7) takes the floor, because a window that "
               "would run past the padded input is dropped.";
    case SIZE_NO_DIL:
        return "dilation ignored: k taps spaced dil apart span dil*(k-1)+1 "
               "input positions.";
    case SIZE_PAD_ONCE:
        return "padding counted once: pad zeros are added on each side, "
               "2*pad in total.";
    case SIZE_TRUNC:
        return "C's integer division truncates toward zero, not down: when "
               "the dilated kernel does not fit the padded input, return 0 "
               "before dividing.";
    default:
        return NULL;
    }
}

long long oracle_param_count(int c_in, int c_out, int kh, int kw, int groups,
                             int has_bias, CountMistake m)
{
    long long per_filter = (long long)(c_in / groups) * kh * kw;
    long long weights = per_filter * c_out, biases = has_bias ? c_out : 0;
    switch (m) {
    case COUNT_NO_BIAS:
        return weights;
    case COUNT_BIAS_ALWAYS:
        return weights + c_out;
    case COUNT_NO_GROUPS:
        return (long long)c_out * c_in * kh * kw + biases;
    case COUNT_BIAS_PER_CIN:
        return weights + (has_bias ? c_in : 0);
    case COUNT_INT_OVERFLOW:
        /* What int arithmetic gives on a two's-complement machine. */
        return (long long)(int)(unsigned)(weights + biases);
    default:
        return weights + biases;
    }
}

const char *oracle_count_hint(CountMistake m)
{
    switch (m) {
    case COUNT_NO_BIAS:
        return "the c_out biases are missing (has_bias is set).";
    case COUNT_BIAS_ALWAYS:
        return "biases counted although has_bias is 0.";
    case COUNT_NO_GROUPS:
        return "groups ignored: each filter sees only c_in/groups input "
               "channels, eq. (1.9).";
    case COUNT_BIAS_PER_CIN:
        return "one bias per output channel (c_out of them), not per input "
               "channel.";
    case COUNT_INT_OVERFLOW:
        return "the product overflowed int: cast to long long before "
               "multiplying.";
    default:
        return NULL;
    }
}

/* ---- conv2d ----------------------------------------------------------------- */

/* Input row (or column) of tap u for output position i, eq. (1.6), or a
 * mistake's version of it. */
static long tap_pos(int i, int u, int stride, int pad, int dil, ConvMistake m)
{
    switch (m) {
    case CONV_PAD_IGNORED:
        return (long)i * stride + (long)u * dil;
    case CONV_PAD_PLUS1:
        return (long)i * stride - pad + 1 + (long)u * dil;
    case CONV_PAD_MINUS1:
        return (long)i * stride - pad - 1 + (long)u * dil;
    case CONV_STRIDE_IGNORED:
        return (long)i - pad + (long)u * dil;
    case CONV_DIL_IGNORED:
        return (long)i * stride - pad + u;
    default:
        return (long)i * stride - pad + (long)u * dil;
    }
}

/* First input channel read by output channel o. */
static int group_first_channel(const Conv2dGeom *g, int o, ConvMistake m)
{
    int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    switch (m) {
    case CONV_GROUP_OFFSET:
        return 0;
    case CONV_GROUP_NO_MUL:
        return o / og;
    case CONV_GROUP_MODULO:
        return (o % g->groups) * cg;
    default:
        return (o / og) * cg;
    }
}

void oracle_conv2d(const Conv2dGeom *g, const float *x, const float *w,
                   const float *b, ConvMistake m, double *y)
{
    int OH = (int)oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h, SIZE_RIGHT);
    int OW = (int)oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w, SIZE_RIGHT);
    int cg = g->c_in / g->groups;
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++) {
            int c0 = group_first_channel(g, o, m);
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = 0.0;
                    for (int c = 0; c < cg; c++) {
                        if (b && m == CONV_BIAS_PER_CIN)
                            s += b[o];
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                long r = tap_pos(i, u, g->stride_h, g->pad_h, g->dil_h, m);
                                long q = tap_pos(j, v, g->stride_w, g->pad_w, g->dil_w, m);
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue; /* zero padding */
                                int ku = m == CONV_FLIP ? g->kh - 1 - u : u;
                                int kv = m == CONV_FLIP ? g->kw - 1 - v : v;
                                double xv = x[(((size_t)n * g->c_in + c0 + c) * g->h + r) * g->w + q];
                                double wv = w[(((size_t)o * cg + c) * g->kh + ku) * g->kw + kv];
                                s += xv * wv;
                            }
                    }
                    if (b && m != CONV_NO_BIAS && m != CONV_BIAS_PER_CIN)
                        s += b[o];
                    y[yi++] = s;
                }
        }
}

const char *oracle_conv_hint(ConvMistake m)
{
    switch (m) {
    case CONV_FLIP:
        return "your output is the true convolution (kernel flipped): "
               "conv2d_forward is a cross-correlation, read w[o][c][u][v] "
               "unflipped, eq. (1.5).";
    case CONV_NO_BIAS:
        return "the bias is missing: add bias[o] once to every output "
               "element y[n][o][i][j] (unless bias is NULL).";
    case CONV_BIAS_PER_CIN:
        return "the bias was added once per input channel: add bias[o] once "
               "per output element, outside the channel loop.";
    case CONV_PAD_IGNORED:
        return "padding ignored: tap u of output row i reads input row "
               "i*stride - pad + u*dil (eq. 1.6); without the -pad the "
               "output is shifted.";
    case CONV_PAD_PLUS1:
    case CONV_PAD_MINUS1:
        return "padding offset off by one: the first tap of output row i "
               "sits at input row i*stride - pad (eq. 1.6), not one row "
               "before or after it.";
    case CONV_STRIDE_IGNORED:
        return "stride ignored: output (i, j) starts at input "
               "(i*stride_h - pad_h, j*stride_w - pad_w), eq. (1.6).";
    case CONV_DIL_IGNORED:
        return "dilation ignored: tap u sits at i*stride - pad + u*dil, "
               "eq. (1.6); the taps are dil apart, not adjacent.";
    case CONV_GROUP_OFFSET:
    case CONV_GROUP_NO_MUL:
        return "group channel offset wrong: output channel o is in group "
               "g = o / (c_out/groups) and reads input channels g*Cg .. "
               "g*Cg + Cg - 1, Cg = c_in/groups, eq. (1.6).";
    case CONV_GROUP_MODULO:
        return "wrong group: output channel o belongs to group "
               "o / (c_out/groups) (consecutive output channels share a "
               "group), not o % groups.";
    default:
        return NULL;
    }
}

/* ---- test helpers ------------------------------------------------------------ */

void format_geom(char *buf, size_t len, const Conv2dGeom *g, int has_bias)
{
    snprintf(buf, len,
             "N=%d C_in=%d H=%d W=%d, C_out=%d KH=%d KW=%d, stride=(%d,%d) "
             "pad=(%d,%d) dil=(%d,%d) groups=%d, %s",
             g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->stride_h,
             g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w, g->groups,
             has_bias ? "bias" : "bias=NULL");
}

Conv2dGeom geom_basic(int n, int c_in, int h, int w, int c_out, int kh, int kw)
{
    Conv2dGeom g = {n, c_in, h, w, c_out, kh, kw, 1, 1, 0, 0, 1, 1, 1};
    return g;
}

float *random_floats(size_t n, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc(n * sizeof *v);
    rng_fill_uniform(&r, v, n, -1.0f, 1.0f);
    return v;
}

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > 1e-9 * (1.0 + fabs(a[i])))
            return 1;
    return 0;
}

void check_conv2d(const Conv2dGeom *g, int no_bias, unsigned long long seed,
                  const ConvMistake *mistakes)
{
    int OH = (int)oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h, SIZE_RIGHT);
    int OW = (int)oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w, SIZE_RIGHT);
    ck_assert_msg(OH >= 1 && OW >= 1, "test error: empty output");
    size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *x = random_floats(nx, seed);
    float *w = random_floats(nw, seed + 1);
    float *b = no_bias ? NULL : random_floats((size_t)g->c_out, seed + 2);
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    double *alt[CONV_N_MISTAKES] = {0};

    grade_fill_nan(y, ny);
    conv2d_forward(g, x, w, b, y);
    oracle_conv2d(g, x, w, b, CONV_RIGHT, want);

    char params[256];
    format_geom(params, sizeof params, g, !no_bias);
    GradeCompare cmp = {.func = "conv2d_forward", .params = params,
                        .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH, (size_t)OW},
                        .rtol = CONV_RTOL, .floor_frac = CONV_FLOOR};
    for (const ConvMistake *m = mistakes; m && *m != CONV_RIGHT; m++) {
        alt[*m] = xmalloc(ny * sizeof(double));
        oracle_conv2d(g, x, w, b, *m, alt[*m]);
        if (differs(alt[*m], want, ny))
            grade_add_alt(&cmp, alt[*m], oracle_conv_hint(*m));
    }
    char msg[3000];
    int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int m = 0; m < CONV_N_MISTAKES; m++)
        free(alt[m]);
    free(x);
    free(w);
    free(b);
    free(y);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_conv1d(const float *f, int nf, const float *g, int ng,
                  const char *what)
{
    size_t n = (size_t)nf + ng - 1;
    float *out = xmalloc(n * sizeof *out);
    double *want = xmalloc(n * sizeof *want), *corr = xmalloc(n * sizeof *corr);
    grade_fill_nan(out, n);
    conv1d_full(f, nf, g, ng, out);
    oracle_conv1d_full(f, nf, g, ng, 0, want);
    oracle_conv1d_full(f, nf, g, ng, 1, corr);

    char params[160];
    snprintf(params, sizeof params, "nf=%d, ng=%d: %s", nf, ng, what);
    GradeCompare cmp = {.func = "conv1d_full", .params = params,
                        .output = "out", .ndim = 1, .shape = {n},
                        .rtol = CONV_RTOL, .floor_frac = CONV_FLOOR};
    if (differs(corr, want, n))
        grade_add_alt(&cmp, corr, "you computed a correlation: eq. (1.2) "
                      "pairs f[m] with g[n - m], so g runs backwards as m "
                      "grows.");
    char msg[3000];
    int bad = grade_compare(&cmp, out, want, msg, sizeof msg);
    free(out);
    free(want);
    free(corr);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_valid2d(const float *img, int H, int W, const float *k, int KH,
                   int KW, int convolve, const char *what)
{
    size_t n = (size_t)(H - KH + 1) * (W - KW + 1);
    float *out = xmalloc(n * sizeof *out);
    double *alt[4];
    for (int f = 0; f < 4; f++) {
        alt[f] = xmalloc(n * sizeof(double));
        oracle_valid2d(img, H, W, k, KH, KW, f, alt[f]);
    }
    grade_fill_nan(out, n);
    if (convolve)
        convolve2d_valid(img, H, W, k, KH, KW, out);
    else
        correlate2d_valid(img, H, W, k, KH, KW, out);
    const double *want = alt[convolve ? FLIP_BOTH : 0];

    char params[160];
    snprintf(params, sizeof params, "H=%d, W=%d, KH=%d, KW=%d: %s", H, W, KH,
             KW, what);
    GradeCompare cmp = {.func = convolve ? "convolve2d_valid" : "correlate2d_valid",
                        .params = params, .output = "out", .ndim = 2,
                        .shape = {(size_t)(H - KH + 1), (size_t)(W - KW + 1)},
                        .rtol = CONV_RTOL, .floor_frac = CONV_FLOOR};
    const char *other = convolve
        ? "your output is the cross-correlation (kernel not flipped): "
          "convolve2d_valid reads k[KH-1-u][KW-1-v], eq. (1.4)."
        : "your output is the true convolution (kernel flipped): "
          "correlate2d_valid reads k[u][v] as it is, eq. (1.3).";
    const char *one_axis = convolve
        ? "the kernel is flipped along one axis only: the true convolution "
          "flips both, k[KH-1-u][KW-1-v], eq. (1.4)."
        : "the kernel is flipped along one axis: correlate2d_valid does not "
          "flip it at all, eq. (1.3).";
    const double *other_out = alt[convolve ? 0 : FLIP_BOTH];
    if (differs(other_out, want, n))
        grade_add_alt(&cmp, other_out, other);
    if (differs(alt[FLIP_ROWS], want, n))
        grade_add_alt(&cmp, alt[FLIP_ROWS], one_axis);
    if (differs(alt[FLIP_COLS], want, n))
        grade_add_alt(&cmp, alt[FLIP_COLS], one_axis);
    char msg[3000];
    int bad = grade_compare(&cmp, out, want, msg, sizeof msg);
    free(out);
    for (int f = 0; f < 4; f++)
        free(alt[f]);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_size_cases(const SizeCase *cases, int n)
{
    for (int t = 0; t < n; t++) {
        const SizeCase *c = &cases[t];
        long long want = oracle_out_size(c->in, c->k, c->stride, c->pad, c->dil, SIZE_RIGHT);
        long long got = conv_out_size(c->in, c->k, c->stride, c->pad, c->dil);
        if (want <= 0 ? got <= 0 : got == want)
            continue;
        const char *hint = NULL;
        for (int m = SIZE_RIGHT + 1; m < SIZE_N_MISTAKES && !hint; m++) {
            long long v = oracle_out_size(c->in, c->k, c->stride, c->pad, c->dil, (SizeMistake)m);
            if (v == got && (want <= 0 ? v > 0 : v != want))
                hint = oracle_size_hint((SizeMistake)m);
        }
        char expected[96];
        if (want <= 0)
            snprintf(expected, sizeof expected, "0 or less (a kernel spanning "
                     "%d does not fit %d padded positions)",
                     c->dil * (c->k - 1) + 1, c->in + 2 * c->pad);
        else
            snprintf(expected, sizeof expected, "%lld", want);
        ck_abort_msg("conv_out_size(in=%d, k=%d, stride=%d, pad=%d, dil=%d): "
                     "expected %s, got %lld (case %d of %d).%s%s",
                     c->in, c->k, c->stride, c->pad, c->dil, expected, got,
                     t + 1, n, hint ? "\nHint: " : "", hint ? hint : "");
    }
}

void check_count_cases(const CountCase *cases, int n)
{
    for (int t = 0; t < n; t++) {
        const CountCase *c = &cases[t];
        long long want = oracle_param_count(c->c_in, c->c_out, c->kh, c->kw,
                                            c->groups, c->has_bias, COUNT_RIGHT);
        long long got = conv2d_param_count(c->c_in, c->c_out, c->kh, c->kw,
                                           c->groups, c->has_bias);
        if (got == want)
            continue;
        const char *hint = NULL;
        for (int m = COUNT_RIGHT + 1; m < COUNT_N_MISTAKES && !hint; m++) {
            long long v = oracle_param_count(c->c_in, c->c_out, c->kh, c->kw,
                                             c->groups, c->has_bias, (CountMistake)m);
            if (v == got && v != want)
                hint = oracle_count_hint((CountMistake)m);
        }
        char what[160];
        snprintf(what, sizeof what, "conv2d_param_count(c_in=%d, c_out=%d, "
                 "kh=%d, kw=%d, groups=%d, has_bias=%d) (case %d of %d)",
                 c->c_in, c->c_out, c->kh, c->kw, c->groups, c->has_bias,
                 t + 1, n);
        grade_expect_int(what, got, want, hint);
    }
}

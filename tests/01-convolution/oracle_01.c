/* oracle_01.c: the chapter 01 double-precision reference (see oracle_01.h). */
#include "oracle_01.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    case SIZE_SPAN_DK:
        return (long long)floor((room - (double)dil * k) / stride) + 1;
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
    case SIZE_SPAN_DK:
        return "kernel span taken as dil*k: k taps spaced dil apart have "
               "k-1 gaps between them, so they cover dil*(k-1)+1 input "
               "positions, eq. (1.7).";
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

/* Calls of conv_out_size on which every mistake of SizeMistake but SIZE_TRUNC
 * (which only shows when the kernel does not fit) gives a wrong result
 * somewhere: dense and dilated kernels, with and without padding and
 * stride, each fitting its padded input. A failing case alone cannot
 * always tell the mistakes apart (with dil = 2 and stride 1, a span of
 * dil*k and a missing +1 both give one less); conv_out_size is a pure
 * function, so the checks below ask it these too and name a mistake only
 * if it agrees with that mistake here as well. */
static const SizeCase size_probes[] = {
    /* in, k, stride, pad, dil */
    {7, 3, 1, 0, 1},  /* 5 */
    {8, 3, 2, 0, 1},  /* 3 */
    {7, 3, 1, 1, 1},  /* 7 */
    {9, 3, 1, 0, 2},  /* 5 */
    {10, 3, 2, 1, 3}, /* 3 */
};
#define N_SIZE_PROBES ((int)(sizeof size_probes / sizeof size_probes[0]))

/* 1 when the code under test gives what mistake m gives on every probe (a
 * result <= 0 agrees with any other result <= 0: no output either way). */
static int size_mistake_agrees(SizeMistake m)
{
    for (int t = 0; t < N_SIZE_PROBES; t++) {
        const SizeCase *c = &size_probes[t];
        long long v = oracle_out_size(c->in, c->k, c->stride, c->pad, c->dil, m);
        long long got = conv_out_size(c->in, c->k, c->stride, c->pad, c->dil);
        if (!(v == got || (v <= 0 && got <= 0)))
            return 0;
    }
    return 1;
}

/* 1 when conv_out_size returns 0 on every probe: still the skeleton's. */
static int size_still_todo(void)
{
    for (int t = 0; t < N_SIZE_PROBES; t++) {
        const SizeCase *c = &size_probes[t];
        if (conv_out_size(c->in, c->k, c->stride, c->pad, c->dil) != 0)
            return 0;
    }
    return 1;
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

const char *oracle_count_hint(CountMistake m, int has_bias)
{
    switch (m) {
    case COUNT_NO_BIAS:
        if (has_bias != 1)
            return "the c_out biases are missing: has_bias is a flag, and "
                   "any non-zero has_bias means a bias (has_bias != 0, not "
                   "has_bias == 1 or has_bias > 0).";
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

static long clamp_long(long v, long lo, long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void oracle_conv2d(const Conv2dGeom *g, const float *x, const float *w,
                   const float *b, ConvMistake m, double *y)
{
    int OH = (int)oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h, SIZE_RIGHT);
    int OW = (int)oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w, SIZE_RIGHT);
    int cg = g->c_in / g->groups;
    int pad_r = m == CONV_PAD_H_FROM_W ? g->pad_w : g->pad_h;
    int pad_c = m == CONV_PAD_W_FROM_H ? g->pad_h : g->pad_w;
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
                                long r = tap_pos(i, u, g->stride_h, pad_r, g->dil_h, m);
                                long q = tap_pos(j, v, g->stride_w, pad_c, g->dil_w, m);
                                if (m == CONV_PAD_REPLICATE) {
                                    r = clamp_long(r, 0, g->h - 1);
                                    q = clamp_long(q, 0, g->w - 1);
                                }
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue; /* zero padding */
                                if (m == CONV_TAPS_FLOOR &&
                                    (r > g->h - g->dil_h || q > g->w - g->dil_w))
                                    continue; /* u < floor((h - t)/dil) */
                                int ku = m == CONV_FLIP ? g->kh - 1 - u : u;
                                int kv = m == CONV_FLIP ? g->kw - 1 - v : v;
                                size_t plane = (size_t)(m == CONV_BATCH0 ? 0 : n) *
                                               g->c_in + c0 + c;
                                size_t xi = m == CONV_X_HW_SWAPPED
                                    ? (plane * g->w + q) * g->h + r
                                    : (plane * g->h + r) * g->w + q;
                                size_t filt = (size_t)o * cg + c;
                                size_t wi = m == CONV_W_HW_SWAPPED
                                    ? (filt * g->kw + kv) * g->kh + ku
                                    : (filt * g->kh + ku) * g->kw + kv;
                                s += (double)x[xi] * w[wi];
                            }
                    }
                    if (b && m != CONV_NO_BIAS && m != CONV_BIAS_PER_CIN)
                        s += b[o];
                    size_t map = (size_t)n * g->c_out + o;
                    size_t yi = m == CONV_Y_HW_SWAPPED
                        ? (map * OW + j) * OH + i
                        : (map * OH + i) * OW + j;
                    y[yi] = s;
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
    case CONV_PAD_REPLICATE:
        return "a tap outside the image must read 0 (zero padding), not the "
               "nearest border pixel: skip it, eq. (1.8).";
    case CONV_PAD_W_FROM_H:
    case CONV_PAD_H_FROM_W:
        return "padding of the wrong axis: rows are padded by pad_h and "
               "columns by pad_w, eq. (1.6); each axis has its own.";
    case CONV_TAPS_FLOOR:
        return "tap range rounded down: the taps inside the image run up to "
               "u_hi = min(K, ceil((H - t)/dil)), eq. (1.8), rounded up; "
               "rounded down, the last tap inside is dropped when dil > 1.";
    case CONV_BATCH0:
        return "every image of the batch reads x[0]: image n of y reads "
               "x[n] (offset n*C_in*H*W); batch 0 is right, the first "
               "wrong output is at n = 1.";
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
    case CONV_X_HW_SWAPPED:
        return "x is read with its h and w axes swapped: in NCHW, pixel "
               "(r, q) of a channel sits at r*W + q, the column q moving "
               "fastest.";
    case CONV_W_HW_SWAPPED:
        return "the weight is read with its kh and kw axes swapped: "
               "w[o][c][u][v] sits at ((o*Cg + c)*KH + u)*KW + v, v moving "
               "fastest.";
    case CONV_Y_HW_SWAPPED:
        return "y is written with i and j swapped: y[n][o][i][j] sits at "
               "((n*C_out + o)*OH + i)*OW + j, j moving fastest.";
    default:
        return NULL;
    }
}

/* ---- allocations --------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__) /* GCC */
#define ORACLE_ASAN 1
#elif defined(__has_feature) /* Clang */
#if __has_feature(address_sanitizer)
#define ORACLE_ASAN 1
#endif
#endif

#ifdef ORACLE_ASAN
/* AddressSanitizer's allocator calls these hooks on every allocation and
 * release (sanitizer/allocator_interface.h, not shipped with GCC). */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));

static volatile size_t n_allocs;
static int hooks_installed;

static void count_alloc(const volatile void *p, size_t size)
{
    (void)p;
    (void)size;
    n_allocs++;
}

static void ignore_free(const volatile void *p)
{
    (void)p;
}

size_t alloc_count(void)
{
    if (!hooks_installed) {
        __sanitizer_install_malloc_and_free_hooks(count_alloc, ignore_free);
        hooks_installed = 1;
    }
    return n_allocs;
}
#else
size_t alloc_count(void)
{
    return 0;
}
#endif

/* n: the allocations counted during the call under test. */
static void expect_no_alloc(const char *func, const char *params, size_t n)
{
    if (n)
        ck_abort_msg("%s(%s) allocated memory (%zu allocation%s).\nHint: "
                     HINT_ALLOC, func, params, n, n == 1 ? "" : "s");
}

/* ---- comparisons and hints ------------------------------------------------- */

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > 1e-9 * (1.0 + fabs(a[i])))
            return 1;
    return 0;
}

/* got matches alt by the chapter's criterion (grade.h's, with CONV_RTOL and
 * CONV_FLOOR): |got - alt| <= rtol * max(|alt|, floor * max|alt|). */
static int close_to(const float *got, const double *alt, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(alt[i]) > m)
            m = fabs(alt[i]);
    double floor = CONV_FLOOR * m > 1e-30 ? CONV_FLOOR * m : 1e-30;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(got[i]) || !isfinite(alt[i]))
            return 0;
        double denom = fabs(alt[i]) > floor ? fabs(alt[i]) : floor;
        if (!(fabs(got[i] - alt[i]) <= CONV_RTOL * denom))
            return 0;
    }
    return 1;
}

/* The hint of the mistakes (outputs alts[k], hints[k]; a NULL output is
 * skipped) that got matches, leaving out those that equal want. */
static const char *mistake_hint(const float *got, const double *want, size_t n,
                                double *const *alts, const char *const *hints,
                                int n_alts)
{
    GradeHintPick p = {0};
    for (int k = 0; k < n_alts; k++)
        if (alts[k] && differs(alts[k], want, n) && close_to(got, alts[k], n))
            grade_hint_pick(&p, hints[k]);
    return grade_hint_picked(&p);
}

/* grade_compare's message, with `hint` (a recognised mistake) in place of
 * the generic one. Returns 0 on a match. */
static int compare_named(const GradeCompare *cmp, const float *got,
                         const double *want, const char *hint, char *msg,
                         size_t len)
{
    if (grade_compare(cmp, got, want, msg, len) == 0)
        return 0;
    if (hint) {
        char *generic = strstr(msg, "\nHint: ");
        if (generic)
            *generic = '\0';
        size_t used = strlen(msg);
        snprintf(msg + used, len - used, "\nHint: %s", hint);
    }
    return -1;
}

/* Fails unless each of the n floats at p equals its copy: `what` names the
 * input. */
static void expect_unchanged(const char *func, const char *params,
                             const char *what, const float *p,
                             const float *copy, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&p[i], &copy[i], sizeof p[i]) != 0)
            ck_abort_msg("%s(%s) changed its input %s[%zu] from " GRADE_FMT
                         " to " GRADE_FMT ": the inputs are only read.",
                         func, params, what, i, (double)copy[i], (double)p[i]);
}

static float *copy_floats(const float *p, size_t n)
{
    float *c = xmalloc((n ? n : 1) * sizeof *c);
    if (n)
        memcpy(c, p, n * sizeof *c);
    return c;
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
    Conv2dGeom g = {.n = n, .c_in = c_in, .h = h, .w = w, .c_out = c_out,
                    .kh = kh, .kw = kw, .stride_h = 1, .stride_w = 1,
                    .pad_h = 0, .pad_w = 0, .dil_h = 1, .dil_w = 1,
                    .groups = 1};
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

/* The output size the code under test gives, checked before conv2d_forward
 * is called: conv2d_forward writes conv2d_out_h(g) x conv2d_out_w(g) values
 * per map, so a wrong conv_out_size would show up as unwritten elements or
 * a write past y and blame the wrong function. */
static void expect_out_size(const Conv2dGeom *g, const char *params, int OH,
                            int OW)
{
    int gh = conv2d_out_h(g), gw = conv2d_out_w(g);
    if (gh == OH && gw == OW)
        return;
    GradeHintPick p = {0};
    for (int m = SIZE_RIGHT + 1; m < SIZE_N_MISTAKES; m++) {
        long long mh = oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h, (SizeMistake)m);
        long long mw = oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w, (SizeMistake)m);
        if (mh == gh && mw == gw && size_mistake_agrees((SizeMistake)m))
            grade_hint_pick(&p, oracle_size_hint((SizeMistake)m));
    }
    const char *hint = grade_hint_picked(&p);
    if (!p.hint && gh == 0 && gw == 0 && size_still_todo())
        hint = "conv_out_size returns 0 here: is it still the skeleton's "
               "TODO? Implement it before conv2d_forward (the lesson's "
               "order).";
    ck_abort_msg("conv2d_forward(%s): conv2d_out_h/w give %d x %d, eq. (1.7) "
                 "gives %d x %d, so y would have the wrong shape and "
                 "conv2d_forward was not called: fix conv_out_size first "
                 "(its own test names the mistake).%s%s",
                 params, gh, gw, OH, OW, hint ? "\nHint: " : "",
                 hint ? hint : "");
}

/* Runs conv2d_forward in a child process; 1 when it returned normally. */
static int runs_cleanly(const Conv2dGeom *g, const float *x, const float *w,
                        const float *b, size_t ny)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return 1; /* cannot tell: go on as if it did */
    if (pid == 0) {
        float *y = malloc(ny * sizeof *y);
        if (y) {
            grade_fill_nan(y, ny);
            conv2d_forward(g, x, w, b, y);
        }
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void check_given_numel(const Conv2dGeom *g)
{
    typedef unsigned long long ull;
    const ull nx = (ull)g->n * (ull)g->c_in * (ull)g->h * (ull)g->w;
    const ull nw = (ull)g->c_out * (ull)(g->c_in / g->groups) * (ull)g->kh *
                   (ull)g->kw;
    /* from the sizes the code under test gives: only the given code's
     * arithmetic is checked here */
    const long long oh = conv2d_out_h(g), ow = conv2d_out_w(g);
    const ull ny = oh <= 0 || ow <= 0 ? 0
                 : (ull)g->n * (ull)g->c_out * (ull)oh * (ull)ow;
    char params[320];
    format_geom(params, sizeof params, g, 1);
    if ((ull)conv2d_x_numel(g) != nx || (ull)conv2d_weight_numel(g) != nw ||
        (ull)conv2d_y_numel(g) != ny)
        ck_abort_msg("conv2d_x_numel, conv2d_weight_numel, conv2d_y_numel(%s) "
                     "give %zu, %zu, %zu; expected %llu, %llu, %llu. This is "
                     "given code: report it.", params, conv2d_x_numel(g),
                     conv2d_weight_numel(g), conv2d_y_numel(g), nx, nw, ny);
}

void check_conv2d_data(const Conv2dGeom *g, const float *x, const float *w,
                       const float *b, const char *what)
{
    int OH = (int)oracle_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h, SIZE_RIGHT);
    int OW = (int)oracle_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w, SIZE_RIGHT);
    ck_assert_msg(OH >= 1 && OW >= 1, "test error: empty output");
    size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    size_t nb = b ? (size_t)g->c_out : 0;
    size_t ny = (size_t)g->n * g->c_out * OH * OW;
    /* y is followed by a guard as long as itself, so that writing past the
     * end is seen and named (AddressSanitizer catches what goes further). */
    size_t n_alloc = 2 * ny + 16;

    char params[320];
    format_geom(params, sizeof params, g, b != NULL);
    if (what) {
        size_t used = strlen(params);
        snprintf(params + used, sizeof params - used, ", %s", what);
    }
    expect_out_size(g, params, OH, OW);
    check_given_numel(g);

    if (!b) {
        float *zeros = xmalloc((size_t)g->c_out * sizeof *zeros);
        for (int o = 0; o < g->c_out; o++)
            zeros[o] = 0.0f;
        int crash_null = !runs_cleanly(g, x, w, NULL, n_alloc);
        int crash_zeros = crash_null && !runs_cleanly(g, x, w, zeros, n_alloc);
        free(zeros);
        if (crash_null && !crash_zeros)
            ck_abort_msg("conv2d_forward(%s) crashed with bias = NULL, and "
                         "runs with a bias of zeros.\nHint: " HINT_BIAS_NULL,
                         params);
    }

    float *y = xmalloc(n_alloc * sizeof *y);
    float *fill = xmalloc(n_alloc * sizeof *fill);
    grade_fill_nan(y, n_alloc);
    grade_fill_nan(fill, n_alloc);
    float *x0 = copy_floats(x, nx), *w0 = copy_floats(w, nw);
    float *b0 = copy_floats(b, nb);

    size_t allocs = alloc_count();
    conv2d_forward(g, x, w, b, y);
    size_t allocs_after = alloc_count();

    for (size_t k = ny; k < n_alloc; k++)
        if (memcmp(&y[k], &fill[k], sizeof y[k]) != 0)
            ck_abort_msg("conv2d_forward(%s) wrote y[%zu], past the end of y "
                         "(shape (%d, %d, %d, %d), %zu elements).\nHint: "
                         HINT_PAST_Y,
                         params, k, g->n, g->c_out, OH, OW, ny);
    expect_unchanged("conv2d_forward", params, "x", x, x0, nx);
    expect_unchanged("conv2d_forward", params, "weight", w, w0, nw);
    expect_unchanged("conv2d_forward", params, "bias", b, b0, nb);

    double *want = xmalloc(ny * sizeof *want);
    oracle_conv2d(g, x, w, b, CONV_RIGHT, want);
    double *alt[CONV_N_MISTAKES] = {0};
    const char *hints[CONV_N_MISTAKES] = {0};
    for (int m = CONV_RIGHT + 1; m < CONV_N_MISTAKES; m++) {
        alt[m] = xmalloc(ny * sizeof(double));
        oracle_conv2d(g, x, w, b, (ConvMistake)m, alt[m]);
        hints[m] = oracle_conv_hint((ConvMistake)m);
    }
    const char *hint = mistake_hint(y, want, ny, alt, hints, CONV_N_MISTAKES);

    GradeCompare cmp = {.func = "conv2d_forward", .params = params,
                        .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH, (size_t)OW},
                        .rtol = CONV_RTOL, .floor_frac = CONV_FLOOR};
    char msg[3000];
    int bad = compare_named(&cmp, y, want, hint, msg, sizeof msg);
    for (int m = 0; m < CONV_N_MISTAKES; m++)
        free(alt[m]);
    free(y);
    free(fill);
    free(want);
    free(x0);
    free(w0);
    free(b0);
    if (bad)
        ck_abort_msg("%s", msg);
    expect_no_alloc("conv2d_forward", params, allocs_after - allocs);
}

void check_conv2d(const Conv2dGeom *g, int no_bias, unsigned long long seed)
{
    size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    float *x = random_floats(nx, seed);
    float *w = random_floats(nw, seed + 1);
    float *b = no_bias ? NULL : random_floats((size_t)g->c_out, seed + 2);
    check_conv2d_data(g, x, w, b, NULL);
    free(x);
    free(w);
    free(b);
}

void check_conv1d(const float *f, int nf, const float *g, int ng,
                  const char *what)
{
    size_t n = (size_t)nf + ng - 1;
    float *out = xmalloc(n * sizeof *out);
    double *want = xmalloc(n * sizeof *want), *corr = xmalloc(n * sizeof *corr);
    float *f0 = copy_floats(f, (size_t)nf), *g0 = copy_floats(g, (size_t)ng);
    char params[160];
    snprintf(params, sizeof params, "nf=%d, ng=%d: %s", nf, ng, what);

    grade_fill_nan(out, n);
    size_t allocs = alloc_count();
    conv1d_full(f, nf, g, ng, out);
    size_t allocs_after = alloc_count();
    expect_unchanged("conv1d_full", params, "f", f, f0, (size_t)nf);
    expect_unchanged("conv1d_full", params, "g", g, g0, (size_t)ng);
    oracle_conv1d_full(f, nf, g, ng, 0, want);
    oracle_conv1d_full(f, nf, g, ng, 1, corr);

    GradeCompare cmp = {.func = "conv1d_full", .params = params,
                        .output = "out", .ndim = 1, .shape = {n},
                        .rtol = CONV_RTOL, .floor_frac = CONV_FLOOR};
    double *alts[1] = {corr};
    const char *hints[1] = {"you computed a correlation: eq. (1.2) pairs f[m] "
                            "with g[n - m], so g runs backwards as m grows."};
    const char *hint = mistake_hint(out, want, n, alts, hints, 1);
    char msg[3000];
    int bad = compare_named(&cmp, out, want, hint, msg, sizeof msg);
    free(out);
    free(want);
    free(corr);
    free(f0);
    free(g0);
    if (bad)
        ck_abort_msg("%s", msg);
    expect_no_alloc("conv1d_full", params, allocs_after - allocs);
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
    float *img0 = copy_floats(img, (size_t)H * W);
    float *k0 = copy_floats(k, (size_t)KH * KW);
    const char *func = convolve ? "convolve2d_valid" : "correlate2d_valid";
    char params[160];
    snprintf(params, sizeof params, "H=%d, W=%d, KH=%d, KW=%d: %s", H, W, KH,
             KW, what);

    grade_fill_nan(out, n);
    size_t allocs = alloc_count();
    if (convolve)
        convolve2d_valid(img, H, W, k, KH, KW, out);
    else
        correlate2d_valid(img, H, W, k, KH, KW, out);
    size_t allocs_after = alloc_count();
    expect_unchanged(func, params, "img", img, img0, (size_t)H * W);
    expect_unchanged(func, params, "k", k, k0, (size_t)KH * KW);
    const double *want = alt[convolve ? FLIP_BOTH : 0];

    GradeCompare cmp = {.func = func, .params = params, .output = "out",
                        .ndim = 2,
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
    double *alts[3] = {alt[convolve ? 0 : FLIP_BOTH], alt[FLIP_ROWS],
                       alt[FLIP_COLS]};
    const char *hints[3] = {other, one_axis, one_axis};
    const char *hint = mistake_hint(out, want, n, alts, hints, 3);
    char msg[3000];
    int bad = compare_named(&cmp, out, want, hint, msg, sizeof msg);
    free(out);
    for (int f = 0; f < 4; f++)
        free(alt[f]);
    free(img0);
    free(k0);
    if (bad)
        ck_abort_msg("%s", msg);
    expect_no_alloc(func, params, allocs_after - allocs);
}

void check_size_cases(const SizeCase *cases, int n)
{
    for (int t = 0; t < n; t++) {
        const SizeCase *c = &cases[t];
        long long want = oracle_out_size(c->in, c->k, c->stride, c->pad, c->dil, SIZE_RIGHT);
        long long got = conv_out_size(c->in, c->k, c->stride, c->pad, c->dil);
        if (want <= 0 ? got <= 0 : got == want)
            continue;
        GradeHintPick p = {0};
        for (int m = SIZE_RIGHT + 1; m < SIZE_N_MISTAKES; m++) {
            /* For a kernel that does not fit, the numerator is negative and
             * rounding up gives what truncation gives: the fix is the same,
             * check the fit before dividing, so only that hint is given. */
            if (want <= 0 && m == SIZE_CEIL)
                continue;
            long long v = oracle_out_size(c->in, c->k, c->stride, c->pad, c->dil, (SizeMistake)m);
            /* A result <= 0 where the mistake gives <= 0 is that mistake:
             * no output either way. */
            int same = v == got || (want > 0 && v <= 0 && got <= 0);
            if (same && (want <= 0 ? v > 0 : v != want) &&
                size_mistake_agrees((SizeMistake)m))
                grade_hint_pick(&p, oracle_size_hint((SizeMistake)m));
        }
        const char *hint = grade_hint_picked(&p);
        if (!p.hint && got == 0 && want > 0 && size_still_todo())
            hint = "conv_out_size returned 0: is it still the skeleton's "
                   "TODO?";
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
        GradeHintPick p = {0};
        for (int m = COUNT_RIGHT + 1; m < COUNT_N_MISTAKES; m++) {
            long long v = oracle_param_count(c->c_in, c->c_out, c->kh, c->kw,
                                             c->groups, c->has_bias, (CountMistake)m);
            if (v == got && v != want)
                grade_hint_pick(&p, oracle_count_hint((CountMistake)m, c->has_bias));
        }
        char what[160];
        snprintf(what, sizeof what, "conv2d_param_count(c_in=%d, c_out=%d, "
                 "kh=%d, kw=%d, groups=%d, has_bias=%d) (case %d of %d)",
                 c->c_in, c->c_out, c->kh, c->kw, c->groups, c->has_bias,
                 t + 1, n);
        const char *hint = grade_hint_picked(&p);
        if (!p.hint && got == 0)
            hint = "conv2d_param_count returned 0: is it still the "
                   "skeleton's TODO?";
        grade_expect_int(what, got, want, hint);
    }
}

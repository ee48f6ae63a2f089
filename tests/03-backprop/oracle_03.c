/* oracle_03.c: the chapter 03 double-precision reference (see oracle_03.h). */
#include "oracle_03.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------------ */

float *random_floats(size_t n, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc((n ? n : 1) * sizeof *v);
    rng_fill_uniform(&r, v, n, -1.0f, 1.0f);
    return v;
}

void fill_garbage(float *x, size_t n, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed ^ 0x9e3779b97f4a7c15ULL);
    rng_fill_uniform(&r, x, n, 64.0f, 128.0f);
}

static size_t numel(int ndim, const size_t *shape)
{
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    return n;
}

/* The matching rule of grade.h, for an alternative: every element within
 * rtol of alt, with the floor at floor_frac of max |alt|. */
static int matches(const float *got, const double *alt, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(alt[i]));
    const double floor = fmax(BP_FLOOR * m, 1e-30);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(got[i]) || !isfinite(alt[i]))
            return 0;
        if (!(fabs(got[i] - alt[i]) <= BP_RTOL * fmax(fabs(alt[i]), floor)))
            return 0;
    }
    return 1;
}

static double max_abs(const double *a, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > 1e-9 * (1.0 + fabs(a[i])))
            return 1;
    return 0;
}

static void append(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void append(char *msg, size_t len, const char *fmt, ...)
{
    size_t used = strlen(msg);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, len - used, fmt, ap);
    va_end(ap);
}

int compare_grad(const char *func, const char *output, const char *params,
                 int ndim, const size_t *shape, const float *got,
                 const double *want, const float *garbage,
                 const double *const *alts, const char *const *hints,
                 int n_alts, char *msg, size_t msg_len)
{
    const size_t n = numel(ndim, shape);
    double *added = xmalloc((n ? n : 1) * sizeof *added);
    for (size_t i = 0; i < n; i++)
        added[i] = want[i] + garbage[i];

    GradeCompare cmp = {.func = func, .params = params, .output = output,
                        .ndim = ndim, .rtol = BP_RTOL, .floor_frac = BP_FLOOR};
    for (int d = 0; d < ndim; d++)
        cmp.shape[d] = shape[d];
    grade_add_alt(&cmp, added, HINT_ACCUMULATE);
    /* grade.h keeps at most GRADE_MAX_ALTS alternatives: pass on only the
     * first one that got matches, so that no list is ever cut short. */
    for (int a = 0; a < n_alts; a++)
        if (alts[a] && differs(alts[a], want, n) && matches(got, alts[a], n)) {
            grade_add_alt(&cmp, alts[a], hints[a]);
            break;
        }

    int bad = grade_compare(&cmp, got, want, msg, msg_len);
    if (bad) {
        int named = 0; /* did grade_compare show an alternative's hint? */
        for (int a = 0; a < cmp.n_alts && !named; a++)
            named = matches(got, cmp.alts[a].values, n);
        size_t unwritten = 0, first = n, added_to = 0, first_added = n;
        const double floor = BP_FLOOR * fmax(max_abs(want, n), 1e-30);
        for (size_t i = 0; i < n; i++) {
            if (memcmp(&got[i], &garbage[i], sizeof got[i]) == 0 &&
                want[i] != garbage[i]) {
                unwritten++;
                if (first == n)
                    first = i;
            } else if (want[i] != 0.0 &&
                       fabs(got[i] - added[i]) <= BP_RTOL * fmax(fabs(added[i]), floor) &&
                       !(fabs(got[i] - want[i]) <= BP_RTOL * fmax(fabs(want[i]), floor))) {
                added_to++;
                if (first_added == n)
                    first_added = i;
            }
        }
        if (!named && unwritten == n) {
            append(msg, msg_len, "\nHint: no element of %s was written: it "
                   "still holds the garbage the test stored there before the "
                   "call. Is %s still the skeleton's TODO?", output, func);
        } else if (!named && added_to > 0) {
            char idx[128];
            grade_format_index(idx, sizeof idx, shape, ndim, first_added);
            append(msg, msg_len, "\nHint: %zu of %zu elements of %s hold the "
                   "garbage the test stored there before the call PLUS their "
                   "gradient (first %s%s = " GRADE_FMT " + " GRADE_FMT "): "
                   "they were added to without being set to 0 first. Zero "
                   "every element of %s (or store each sum), not only some.",
                   added_to, n, output, output, idx, (double)garbage[first_added],
                   want[first_added], output);
        } else if (!named && unwritten > 0) {
            char idx[128];
            grade_format_index(idx, sizeof idx, shape, ndim, first);
            append(msg, msg_len, "\nHint: %zu of %zu elements of %s were never "
                   "written: they still hold the garbage the test stored "
                   "there before the call (first %s%s = " GRADE_FMT "). Store "
                   "every element of every output that is not NULL, zeros "
                   "included.", unwritten, n, output, output, idx,
                   (double)garbage[first]);
        }
    }
    free(added);
    return bad;
}

/* ---- conv2d ---------------------------------------------------------------- */

/* Output length, eq. (1.7), re-derived with floor() in double on purpose. */
static int conv_out(int in, int k, int stride, int pad, int dil)
{
    double span = (double)dil * (k - 1) + 1, room = (double)in + 2.0 * pad;
    return (int)floor((room - span) / stride) + 1;
}

/* Input row (or column) of tap u of output i, eq. (1.6), or a mistake's. */
static long tap(int i, int u, int stride, int pad, int dil, ConvBackMistake m)
{
    switch (m) {
    case CB_PAD_SIGN:
        return (long)i * stride + pad + (long)u * dil;
    case CB_DIL_IGNORED:
        return (long)i * stride - pad + u;
    default:
        return (long)i * stride - pad + (long)u * dil;
    }
}

/* First input channel of output channel o's group, or a mistake's. */
static int first_channel(const Conv2dGeom *g, int o, ConvBackMistake m)
{
    int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    switch (m) {
    case CB_GROUP_OFFSET:
        return 0;
    case CB_GROUP_NO_MUL:
        return o / og;
    default:
        return (o / og) * cg;
    }
}

#define X4(a, n, c, r, q) (a)[(((size_t)(n) * g->c_in + (c)) * g->h + (r)) * g->w + (q)]
#define W4(a, o, c, u, v) (a)[(((size_t)(o) * cg + (c)) * g->kh + (u)) * g->kw + (v)]
#define Y4(a, n, o, i, j) (a)[(((size_t)(n) * g->c_out + (o)) * OH + (i)) * OW + (j)]

void oracle_conv2d_forward(const Conv2dGeom *g, const float *x,
                           const float *w, const float *b, double *y)
{
    const int OH = conv_out(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = conv_out(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const int cg = g->c_in / g->groups;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = b ? b[o] : 0.0;
                    int c0 = first_channel(g, o, CB_RIGHT);
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                long r = tap(i, u, g->stride_h, g->pad_h, g->dil_h, CB_RIGHT);
                                long q = tap(j, v, g->stride_w, g->pad_w, g->dil_w, CB_RIGHT);
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                s += (double)X4(x, n, c0 + c, r, q) * W4(w, o, c, u, v);
                            }
                    Y4(y, n, o, i, j) = s;
                }
}

/* The output of a strided axis that reads input r through tap u, eq.
 * (3.11), or -1; for the mistakes of dx in gather form: the stride taken
 * as 1, or the division not required to be exact. */
static int dx_out_index(int r, int u, int stride, int pad, int dil, int out,
                        ConvBackMistake m)
{
    long t = (long)r + pad - (long)u * dil;
    if (t < 0)
        return -1;
    if (m != CB_DX_STRIDE_IGNORED && m != CB_DX_STRIDE_FLOOR && t % stride != 0)
        return -1;
    long i = m == CB_DX_STRIDE_IGNORED ? t : t / stride; /* t >= 0: floor */
    return i < out ? (int)i : -1;
}

void oracle_conv2d_backward(const Conv2dGeom *g, const float *x,
                            const float *w, const float *dy,
                            ConvBackMistake m, double *dx, double *dw,
                            double *db)
{
    const int OH = conv_out(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = conv_out(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * cg * g->kh * g->kw;
    const int dx_gather = m == CB_DX_STRIDE_IGNORED || m == CB_DX_STRIDE_FLOOR ||
                          m == CB_DX_GROUP_FIRST || m == CB_DX_GROUP_NO_MUL;
    if (dx)
        memset(dx, 0, nx * sizeof *dx);
    if (dw)
        memset(dw, 0, nw * sizeof *dw);
    if (db)
        memset(db, 0, (size_t)g->c_out * sizeof *db);
    /* dw and db sum over these samples; dx always uses all of them. */
    const int n_lo = m == CB_BATCH_LAST ? g->n - 1 : 0;
    const int n_hi = m == CB_BATCH_FIRST ? 1 : g->n;

    /* Scatter: each term of eq. (1.6) sends its share back (eq. 3.1). */
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    const double d = Y4(dy, n, o, i, j);
                    const int in_batch = n >= n_lo && n < n_hi;
                    if (db && in_batch) {
                        if (m == CB_DB_ALL_CHANNELS)
                            for (int o2 = 0; o2 < g->c_out; o2++)
                                db[o2] += d;
                        else
                            db[o] += d;
                    }
                    const int c0 = first_channel(g, o, m);
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                long r = tap(i, u, g->stride_h, g->pad_h, g->dil_h, m);
                                long q = tap(j, v, g->stride_w, g->pad_w, g->dil_w, m);
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue; /* zero padding: no gradient */
                                if (dw && in_batch) {
                                    int uu = m == CB_DW_FLIPPED ? g->kh - 1 - u : u;
                                    int vv = m == CB_DW_FLIPPED ? g->kw - 1 - v : v;
                                    W4(dw, o, c, uu, vv) += d * X4(x, n, c0 + c, r, q);
                                }
                                if (dx && !dx_gather) {
                                    int wu = m == CB_DX_NO_FLIP ? g->kh - 1 - u : u;
                                    int wv = m == CB_DX_NO_FLIP ? g->kw - 1 - v : v;
                                    X4(dx, n, c0 + c, r, q) += d * W4(w, o, c, wu, wv);
                                }
                            }
                }
    if (db && m == CB_DB_MEAN)
        for (int o = 0; o < g->c_out; o++)
            db[o] /= (double)g->n * OH * OW;
    if (m == CB_BATCH_MEAN) {
        for (size_t k = 0; dw && k < nw; k++)
            dw[k] /= g->n;
        for (int o = 0; db && o < g->c_out; o++)
            db[o] /= g->n;
    }

    if (dx && dx_gather)
        for (int n = 0; n < g->n; n++)
            for (int ci = 0; ci < g->c_in; ci++)
                for (int r = 0; r < g->h; r++)
                    for (int q = 0; q < g->w; q++) {
                        const int grp = ci / cg, c = ci % cg;
                        const int o0 = m == CB_DX_GROUP_FIRST ? 0
                                     : m == CB_DX_GROUP_NO_MUL ? grp : grp * og;
                        double s = 0.0;
                        for (int o = o0; o < o0 + og; o++)
                            for (int u = 0; u < g->kh; u++) {
                                int i = dx_out_index(r, u, g->stride_h, g->pad_h, g->dil_h, OH, m);
                                for (int v = 0; v < g->kw && i >= 0; v++) {
                                    int j = dx_out_index(q, v, g->stride_w, g->pad_w, g->dil_w, OW, m);
                                    if (j >= 0)
                                        s += (double)Y4(dy, n, o, i, j) * W4(w, o, c, u, v);
                                }
                            }
                        X4(dx, n, ci, r, q) = s;
                    }
}

#undef X4
#undef W4
#undef Y4

const char *oracle_conv_back_hint(ConvBackMistake m)
{
    switch (m) {
    case CB_DX_NO_FLIP:
        return "dx kernel not flipped: dx is the full convolution of dy with "
               "the kernel rotated by 180 degrees, eq. (3.7); a term "
               "dy[i][j] reaches x[i*s - p + u*d][...] through w[u][v] itself, "
               "not w[kh-1-u][kw-1-v].";
    case CB_DX_STRIDE_IGNORED:
        return "stride ignored in dx: input row r is read by output i only "
               "when i*stride - pad + u*dil = r, i.e. i = (r + pad - u*dil) / "
               "stride, eq. (3.11); equivalently, dilate dy with stride-1 "
               "zeros, eq. (3.9).";
    case CB_DX_STRIDE_FLOOR:
        return "dx with floor((r + pad - u*dil) / stride): that output did not "
               "read r through tap u unless the division is exact, eq. (3.11). "
               "(The source notes' formula with floor() is only right for "
               "stride 1.)";
    case CB_PAD_SIGN:
        return "padding offset sign: tap u of output i reads input row "
               "i*stride - pad + u*dil (minus pad), so input r is reached "
               "from i = (r + pad - u*dil) / stride, eq. (3.11).";
    case CB_DIL_IGNORED:
        return "dilation ignored in the backward pass: tap u sits at "
               "i*stride - pad + u*dil, eq. (1.6); its gradient goes to the "
               "same pixel, eqs. (3.5) and (3.11).";
    case CB_GROUP_OFFSET:
    case CB_GROUP_NO_MUL:
    case CB_DX_GROUP_FIRST:
    case CB_DX_GROUP_NO_MUL:
        return "group channel offset wrong: output channel o is in group "
               "g = o / (c_out/groups) and its weights w[o][c] meet input "
               "channel g*Cg + c (Cg = c_in/groups), in dx and dweight as in "
               "the forward pass; so input channel g*Cg + c collects dx from "
               "the output channels g*Og .. (g+1)*Og - 1 only "
               "(Og = c_out/groups).";
    case CB_DW_FLIPPED:
        return "dweight is flipped: dw[o][c][u][v] pairs dy[i][j] with the "
               "pixel tap (u, v) READ in the forward pass, x[i*s - p + u*d]"
               "[j*s - p + v*d], eq. (3.5): a correlation, no flip.";
    case CB_BATCH_FIRST:
    case CB_BATCH_LAST:
        return "dweight and dbias must be summed over the whole batch, "
               "eqs. (3.4) and (3.5): every sample used the same weights. "
               "(Did you reset the sum inside the loop over n?)";
    case CB_DB_ALL_CHANNELS:
        return "dbias per channel wrong: db[o] sums dy[n][o][i][j] over n, i, "
               "j for its own output channel o only, eq. (3.4).";
    case CB_BATCH_MEAN:
        return "dweight and dbias are SUMS over the batch, eqs. (3.4) and "
               "(3.5), not means: do not divide by N (a loss that averages "
               "over the batch has already put its 1/N into dy).";
    case CB_DB_MEAN:
        return "dbias is a sum, not a mean, eq. (3.4): each output element "
               "adds b[o] once, so each contributes dy once.";
    default:
        return NULL;
    }
}

void format_conv_geom(char *buf, size_t len, const Conv2dGeom *g)
{
    snprintf(buf, len,
             "N=%d C_in=%d H=%d W=%d, C_out=%d KH=%d KW=%d, stride=(%d,%d) "
             "pad=(%d,%d) dil=(%d,%d) groups=%d",
             g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->stride_h,
             g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w, g->groups);
}

Conv2dGeom conv_geom(int n, int c_in, int h, int w, int c_out, int kh, int kw)
{
    Conv2dGeom g = {.n = n, .c_in = c_in, .h = h, .w = w, .c_out = c_out,
                    .kh = kh, .kw = kw, .stride_h = 1, .stride_w = 1,
                    .pad_h = 0, .pad_w = 0, .dil_h = 1, .dil_w = 1,
                    .groups = 1};
    return g;
}

void check_conv2d_backward(const Conv2dGeom *g, int want,
                           unsigned long long seed,
                           const ConvBackMistake *mistakes)
{
    const int OH = conv_out(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = conv_out(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    ck_assert_msg(OH >= 1 && OW >= 1, "test error: empty output");
    const int cg = g->c_in / g->groups;
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * cg * g->kh * g->kw;
    const size_t nb = (size_t)g->c_out;
    const size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *x = random_floats(nx, seed), *w = random_floats(nw, seed + 1);
    float *dy = random_floats(ny, seed + 2);
    float *out[3] = {NULL, NULL, NULL}, *garbage[3];
    const size_t count[3] = {nx, nw, nb};
    for (int k = 0; k < 3; k++) {
        garbage[k] = xmalloc(count[k] * sizeof(float));
        fill_garbage(garbage[k], count[k], seed + 10 + k);
        if (want & (1 << k)) {
            out[k] = xmalloc(count[k] * sizeof(float));
            memcpy(out[k], garbage[k], count[k] * sizeof(float));
        }
    }

    conv2d_backward(g, x, w, dy, out[0], out[1], out[2]);

    double *ref[3];
    for (int k = 0; k < 3; k++)
        ref[k] = xmalloc(count[k] * sizeof(double));
    oracle_conv2d_backward(g, x, w, dy, CB_RIGHT, ref[0], ref[1], ref[2]);

    int n_alts = 0;
    double *alt[CB_N_MISTAKES][3];
    const char *hints[CB_N_MISTAKES];
    for (const ConvBackMistake *m = mistakes; m && *m != CB_RIGHT; m++) {
        for (int k = 0; k < 3; k++)
            alt[n_alts][k] = xmalloc(count[k] * sizeof(double));
        oracle_conv2d_backward(g, x, w, dy, *m, alt[n_alts][0], alt[n_alts][1],
                               alt[n_alts][2]);
        hints[n_alts++] = oracle_conv_back_hint(*m);
    }

    char params[256], msg[3000];
    format_conv_geom(params, sizeof params, g);
    const char *names[3] = {"dx", "dweight", "dbias"};
    const size_t shapes[3][4] = {
        {(size_t)g->n, (size_t)g->c_in, (size_t)g->h, (size_t)g->w},
        {(size_t)g->c_out, (size_t)cg, (size_t)g->kh, (size_t)g->kw},
        {(size_t)g->c_out, 0, 0, 0}};
    const int ndims[3] = {4, 4, 1};
    int bad = 0;
    for (int k = 0; k < 3 && !bad; k++) {
        if (!out[k])
            continue;
        const double *alts_k[CB_N_MISTAKES];
        for (int a = 0; a < n_alts; a++)
            alts_k[a] = alt[a][k];
        bad = compare_grad("conv2d_backward", names[k], params, ndims[k],
                           shapes[k], out[k], ref[k], garbage[k], alts_k,
                           hints, n_alts, msg, sizeof msg);
    }

    for (int a = 0; a < n_alts; a++)
        for (int k = 0; k < 3; k++)
            free(alt[a][k]);
    for (int k = 0; k < 3; k++) {
        free(out[k]);
        free(garbage[k]);
        free(ref[k]);
    }
    free(x);
    free(w);
    free(dy);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- pooling --------------------------------------------------------------- */

int oracle_pool_out(int in, int k, int stride, int pad, int ceil_mode)
{
    double q = (double)(in + 2 * pad - k) / stride;
    int out = (int)(ceil_mode ? ceil(q) : floor(q)) + 1;
    /* In ceil mode the last window must start inside the input or the left
     * padding (PyTorch's rule). */
    if (ceil_mode && (long)(out - 1) * stride >= (long)in + pad)
        out--;
    return out;
}

typedef enum { CELL_REAL, CELL_PAD, CELL_BEYOND } Cell;

/* Where cell (r, q) of a window lies: in the image, in the padding, or past
 * the padded input (a ceil-mode window's overhang, which counts for
 * nothing). */
static Cell cell_kind(const Pool2dGeom *g, long r, long q)
{
    if (r < -g->pad_h || r >= g->h + g->pad_h || q < -g->pad_w || q >= g->w + g->pad_w)
        return CELL_BEYOND;
    if (r < 0 || r >= g->h || q < 0 || q >= g->w)
        return CELL_PAD;
    return CELL_REAL;
}

static double avg_divisor(const Pool2dGeom *g, long top, long left,
                          PoolBackMistake m)
{
    int inside = 0, padded = 0;
    for (int u = 0; u < g->kh; u++)
        for (int v = 0; v < g->kw; v++) {
            Cell k = cell_kind(g, top + u, left + v);
            inside += k == CELL_REAL;
            padded += k != CELL_BEYOND;
        }
    switch (m) {
    case AP_DIV_KK:
        return (double)g->kh * g->kw;
    case AP_DIV_INSIDE:
        return inside;
    case AP_DIV_PADDED:
        return padded;
    case AP_NO_DIV:
        return 1.0;
    default:
        return g->count_include_pad ? padded : inside;
    }
}

#define P4(a, n, c, r, q) (a)[(((size_t)(n) * g->c + (c)) * g->h + (r)) * g->w + (q)]
#define Q4(a, n, c, i, j) (a)[(((size_t)(n) * g->c + (c)) * OH + (i)) * OW + (j)]

void oracle_pool_forward(PoolKind kind, const Pool2dGeom *g, const float *x,
                         double *y)
{
    const int OH = oracle_pool_out(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    const int OW = oracle_pool_out(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    long top = (long)i * g->stride_h - g->pad_h;
                    long left = (long)j * g->stride_w - g->pad_w;
                    double best = -INFINITY, sum = 0.0;
                    for (int u = 0; u < g->kh; u++)
                        for (int v = 0; v < g->kw; v++)
                            if (cell_kind(g, top + u, left + v) == CELL_REAL) {
                                double t = P4(x, n, c, top + u, left + v);
                                best = fmax(best, t);
                                sum += t;
                            }
                    Q4(y, n, c, i, j) = kind == POOL_MAX
                        ? best : sum / avg_divisor(g, top, left, PB_RIGHT);
                }
}

void oracle_pool_backward(PoolKind kind, const Pool2dGeom *g, const float *x,
                          const float *dy, PoolBackMistake m, double *dx)
{
    const int OH = oracle_pool_out(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    const int OW = oracle_pool_out(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    memset(dx, 0, (size_t)g->n * g->c * g->h * g->w * sizeof *dx);
    for (int n = 0; n < g->n; n++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    const long top = (long)i * g->stride_h - g->pad_h;
                    const long left = (long)j * g->stride_w - g->pad_w;
                    const double d = Q4(dy, n, c, i, j);
                    if (kind == POOL_AVG) {
                        const double share = d / avg_divisor(g, top, left, m);
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                if (cell_kind(g, top + u, left + v) != CELL_REAL)
                                    continue;
                                double *t = &P4(dx, n, c, top + u, left + v);
                                *t = m == AP_OVERWRITE ? share : *t + share;
                            }
                        continue;
                    }
                    /* Max: the window's maximum over its real cells (and,
                     * for MP_ZERO_PAD, its padded cells read as 0), the
                     * first one in row-major order (the last for
                     * MP_TIES_LAST). */
                    double best = -INFINITY;
                    long br = -1, bq = -1; /* -1: a padded cell won */
                    int first = 1, n_max = 0;
                    for (int u = 0; u < g->kh; u++)
                        for (int v = 0; v < g->kw; v++) {
                            Cell k = cell_kind(g, top + u, left + v);
                            if (k == CELL_BEYOND || (k == CELL_PAD && m != MP_ZERO_PAD))
                                continue;
                            double t = k == CELL_REAL ? P4(x, n, c, top + u, left + v) : 0.0;
                            if (first || t > best || (m == MP_TIES_LAST && t == best)) {
                                best = t;
                                br = k == CELL_REAL ? top + u : -1;
                                bq = k == CELL_REAL ? left + v : -1;
                                first = 0;
                            }
                        }
                    for (int u = 0; u < g->kh; u++)
                        for (int v = 0; v < g->kw; v++)
                            if (cell_kind(g, top + u, left + v) == CELL_REAL &&
                                P4(x, n, c, top + u, left + v) == best)
                                n_max++;
                    if (m == MP_ALL_MAX || m == MP_SPLIT) {
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++)
                                if (cell_kind(g, top + u, left + v) == CELL_REAL &&
                                    P4(x, n, c, top + u, left + v) == best)
                                    P4(dx, n, c, top + u, left + v) +=
                                        m == MP_SPLIT ? d / n_max : d;
                    } else if (br >= 0 && !(m == MP_INF_NOT_ROUTED && best == -INFINITY)) {
                        double *t = &P4(dx, n, c, br, bq);
                        *t = m == MP_OVERWRITE ? d : *t + d;
                    }
                }
}

#undef P4
#undef Q4

const char *oracle_pool_back_hint(PoolBackMistake m)
{
    switch (m) {
    case MP_TIES_LAST:
        return "maxpool ties go to the FIRST maximum in row-major order of "
               "the window (as PyTorch): compare with a strict >, so that a "
               "later equal value does not take over.";
    case MP_ALL_MAX:
    case MP_SPLIT:
        return "maxpool gradient to one cell only: when a window holds its "
               "maximum more than once, all of dy goes to the first of them "
               "in row-major order, eq. (3.13), not to every maximum.";
    case MP_INF_NOT_ROUTED:
        return "a window whose pixels are all -inf still routes its dy: to "
               "its first cell inside the image, eq. (3.13), as PyTorch does. "
               "Start the arg-max at that cell, not at an empty index with "
               "-INFINITY or -FLT_MAX as the running maximum.";
    case MP_ZERO_PAD:
        return "maxpool padding is -inf, not 0: a padded cell never wins, so "
               "a window whose pixels are all negative still routes dy to its "
               "largest pixel.";
    case MP_OVERWRITE:
    case AP_OVERWRITE:
        return "overlapping windows must ADD their contributions to dx "
               "(dx[...] += ...): a pixel in two windows gets both shares, "
               "eqs. (3.13) and (3.14). Set dx to 0 first, then add.";
    case AP_DIV_KK:
    case AP_DIV_INSIDE:
    case AP_DIV_PADDED:
        return "avg divisor wrong: use the forward pass's divisor, "
               "eq. (3.14): with count_include_pad, the window's cells inside "
               "the PADDED input (a ceil-mode window is clipped there); "
               "without it, only the cells inside the image.";
    case AP_NO_DIV:
        return "avg divisor wrong: each cell of a window receives dy / "
               "divisor, eq. (3.14), not dy itself.";
    default:
        return NULL;
    }
}

void format_pool_geom(char *buf, size_t len, PoolKind kind, const Pool2dGeom *g)
{
    int used = snprintf(buf, len,
                        "N=%d C=%d H=%d W=%d, kernel=(%d,%d) stride=(%d,%d) "
                        "pad=(%d,%d) ceil_mode=%d",
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

static float *pool_input(XKind xk, size_t n, unsigned long long seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *x = xmalloc((n ? n : 1) * sizeof *x);
    if (xk == X_TIES) {
        for (size_t i = 0; i < n; i++)
            x[i] = (float)rng_below(&r, 3);
        return x;
    }
    size_t *perm = xmalloc((n ? n : 1) * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t k = (size_t)rng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[k];
        perm[k] = t;
    }
    for (size_t i = 0; i < n; i++) {
        double f = (perm[i] + 0.5) / (double)n; /* in (0, 1), distinct */
        x[i] = xk == X_DISTINCT ? (float)(2.0 * f - 1.0) : (float)-f;
        if (xk == X_WITH_INF && rng_below(&r, 3) == 0)
            x[i] = -INFINITY;
    }
    free(perm);
    return x;
}

void check_pool_backward(PoolKind kind, const Pool2dGeom *g, XKind xk,
                         unsigned long long seed,
                         const PoolBackMistake *mistakes)
{
    const int OH = oracle_pool_out(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    const int OW = oracle_pool_out(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    ck_assert_msg(OH >= 1 && OW >= 1, "test error: empty output");
    const size_t nx = (size_t)g->n * g->c * g->h * g->w;
    const size_t ny = (size_t)g->n * g->c * OH * OW;
    float *x = pool_input(xk, nx, seed), *dy = random_floats(ny, seed + 1);
    float *dx = xmalloc(nx * sizeof *dx), *garbage = xmalloc(nx * sizeof *garbage);
    fill_garbage(garbage, nx, seed + 2);
    memcpy(dx, garbage, nx * sizeof *dx);

    if (kind == POOL_MAX)
        maxpool2d_backward(g, x, dy, dx);
    else
        avgpool2d_backward(g, dy, dx);

    double *want = xmalloc(nx * sizeof *want);
    oracle_pool_backward(kind, g, x, dy, PB_RIGHT, want);
    int n_alts = 0;
    double *alt[PB_N_MISTAKES];
    const char *hints[PB_N_MISTAKES];
    for (const PoolBackMistake *m = mistakes; m && *m != PB_RIGHT; m++) {
        alt[n_alts] = xmalloc(nx * sizeof(double));
        oracle_pool_backward(kind, g, x, dy, *m, alt[n_alts]);
        hints[n_alts++] = oracle_pool_back_hint(*m);
    }

    char params[256], msg[3000];
    format_pool_geom(params, sizeof params, kind, g);
    const size_t shape[4] = {(size_t)g->n, (size_t)g->c, (size_t)g->h, (size_t)g->w};
    int bad = compare_grad(kind == POOL_MAX ? "maxpool2d_backward" : "avgpool2d_backward",
                           "dx", params, 4, shape, dx, want, garbage,
                           (const double *const *)alt, hints, n_alts, msg, sizeof msg);
    for (int a = 0; a < n_alts; a++)
        free(alt[a]);
    free(x);
    free(dy);
    free(dx);
    free(garbage);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

/* ---- finite differences ------------------------------------------------------ */

/* The probe loss of eq. (3.15) for a conv layer, as a ScalarFn of one of
 * its tensors (the one numerical_gradient perturbs in place). */
typedef struct {
    const Conv2dGeom *g;
    const float *x, *w, *b, *r;
    double *y;
    size_t ny;
} ConvProbe;

static double conv_probe_loss(const float *t, void *ctx)
{
    (void)t; /* the same memory as one of p->x, p->w, p->b */
    const ConvProbe *p = ctx;
    oracle_conv2d_forward(p->g, p->x, p->w, p->b, p->y);
    double s = 0.0;
    for (size_t k = 0; k < p->ny; k++)
        s += p->r[k] * p->y[k];
    return s;
}

void check_conv2d_backward_numeric(const Conv2dGeom *g, int which,
                                   unsigned long long seed)
{
    const int OH = conv_out(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = conv_out(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const int cg = g->c_in / g->groups;
    const size_t count[3] = {(size_t)g->n * g->c_in * g->h * g->w,
                             (size_t)g->c_out * cg * g->kh * g->kw,
                             (size_t)g->c_out};
    const size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *t[3];
    for (int k = 0; k < 3; k++)
        t[k] = random_floats(count[k], seed + k);
    float *r = random_floats(ny, seed + 3);
    ConvProbe p = {g, t[0], t[1], t[2], r, xmalloc(ny * sizeof(double)), ny};
    double *numeric = xmalloc(count[which] * sizeof *numeric);
    numerical_gradient(conv_probe_loss, &p, t[which], count[which], 1e-2f, numeric);

    float *got = xmalloc(count[which] * sizeof *got);
    float *garbage = xmalloc(count[which] * sizeof *garbage);
    fill_garbage(garbage, count[which], seed + 4);
    memcpy(got, garbage, count[which] * sizeof *got);
    conv2d_backward(g, t[0], t[1], r, which == 0 ? got : NULL,
                    which == 1 ? got : NULL, which == 2 ? got : NULL);

    char params[300], msg[3000];
    format_conv_geom(params, sizeof params, g);
    strncat(params, ", against the central difference of the forward pass",
            sizeof params - strlen(params) - 1);
    const char *names[3] = {"dx", "dweight", "dbias"};
    const size_t shapes[3][4] = {
        {(size_t)g->n, (size_t)g->c_in, (size_t)g->h, (size_t)g->w},
        {(size_t)g->c_out, (size_t)cg, (size_t)g->kh, (size_t)g->kw},
        {(size_t)g->c_out, 0, 0, 0}};
    int bad = compare_grad("conv2d_backward", names[which], params,
                           which == 2 ? 1 : 4, shapes[which], got, numeric,
                           garbage, NULL, NULL, 0, msg, sizeof msg);
    for (int k = 0; k < 3; k++)
        free(t[k]);
    free(r);
    free(p.y);
    free(numeric);
    free(got);
    free(garbage);
    if (bad)
        ck_abort_msg("%s", msg);
}

typedef struct {
    PoolKind kind;
    const Pool2dGeom *g;
    const float *x, *r;
    double *y;
    size_t ny;
} PoolProbe;

static double pool_probe_loss(const float *t, void *ctx)
{
    (void)t;
    const PoolProbe *p = ctx;
    oracle_pool_forward(p->kind, p->g, p->x, p->y);
    double s = 0.0;
    for (size_t k = 0; k < p->ny; k++)
        s += p->r[k] * p->y[k];
    return s;
}

void check_pool_backward_numeric(PoolKind kind, const Pool2dGeom *g,
                                 unsigned long long seed)
{
    const int OH = oracle_pool_out(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
    const int OW = oracle_pool_out(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
    const size_t nx = (size_t)g->n * g->c * g->h * g->w;
    const size_t ny = (size_t)g->n * g->c * OH * OW;
    float *x = pool_input(X_DISTINCT, nx, seed), *r = random_floats(ny, seed + 1);
    PoolProbe p = {kind, g, x, r, xmalloc(ny * sizeof(double)), ny};
    double *numeric = xmalloc(nx * sizeof *numeric);
    /* Distinct inputs are 2/nx apart: a step of a quarter of that never
     * lets two of them trade places (no kink is crossed). */
    numerical_gradient(pool_probe_loss, &p, x, nx, (float)(0.5 / nx), numeric);

    float *dx = xmalloc(nx * sizeof *dx), *garbage = xmalloc(nx * sizeof *garbage);
    fill_garbage(garbage, nx, seed + 2);
    memcpy(dx, garbage, nx * sizeof *dx);
    if (kind == POOL_MAX)
        maxpool2d_backward(g, x, r, dx);
    else
        avgpool2d_backward(g, r, dx);

    char params[300], msg[3000];
    format_pool_geom(params, sizeof params, kind, g);
    strncat(params, ", against the central difference of the forward pass",
            sizeof params - strlen(params) - 1);
    const size_t shape[4] = {(size_t)g->n, (size_t)g->c, (size_t)g->h, (size_t)g->w};
    int bad = compare_grad(kind == POOL_MAX ? "maxpool2d_backward" : "avgpool2d_backward",
                           "dx", params, 4, shape, dx, numeric, garbage, NULL,
                           NULL, 0, msg, sizeof msg);
    free(x);
    free(r);
    free(p.y);
    free(numeric);
    free(dx);
    free(garbage);
    if (bad)
        ck_abort_msg("%s", msg);
}

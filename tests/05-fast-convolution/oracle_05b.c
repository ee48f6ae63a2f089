/* oracle_05b.c: the chapter 05 double-precision references for Winograd's
 * algorithm, the FFT and int8 quantization (see oracle_05b.h). */
#include "oracle_05b.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* ---- test helpers -------------------------------------------------------- */

Conv2dGeom bgeom(int n, int c_in, int h, int w, int c_out, int kh, int kw)
{
    return (Conv2dGeom){.n = n, .c_in = c_in, .h = h, .w = w, .c_out = c_out,
                        .kh = kh, .kw = kw, .stride_h = 1, .stride_w = 1,
                        .pad_h = 0, .pad_w = 0, .dil_h = 1, .dil_w = 1,
                        .groups = 1};
}

void ob_format_geom(char *buf, size_t len, const Conv2dGeom *g, int has_bias)
{
    snprintf(buf, len,
             "N=%d C_in=%d H=%d W=%d, C_out=%d KH=%d KW=%d, stride=(%d,%d) "
             "pad=(%d,%d) dil=(%d,%d) groups=%d, %s",
             g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->stride_h,
             g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w, g->groups,
             has_bias ? "bias" : "bias=NULL");
}

float *ob_random(size_t n, unsigned long long seed, float lo, float hi)
{
    Rng r;
    rng_seed(&r, seed);
    float *v = xmalloc((n ? n : 1) * sizeof *v);
    rng_fill_uniform(&r, v, n, lo, hi);
    return v;
}

void *ob_workspace(size_t bytes)
{
    size_t b = bytes < 64 ? 64 : (bytes + 63) / 64 * 64;
    void *p = aligned_alloc(64, b);
    if (!p)
        cnn_die("test error: cannot allocate a workspace of %zu bytes", b);
    return p;
}

/* Output size along one axis, re-derived here on purpose (eq. 1.7). */
static int out_size(int in, int k, int stride, int pad, int dil)
{
    const int span = dil * (k - 1) + 1;
    return in + 2 * pad < span ? 0 : (in + 2 * pad - span) / stride + 1;
}

static int differs(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > 1e-9 * (1.0 + fabs(a[i])))
            return 1;
    return 0;
}

/* ---- Winograd --------------------------------------------------------------- */

void ob_wino_mats(int m, WinoMistake mk, ObWinoMats *M)
{
    static const double BT2[4][4] = {
        {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    static const double G2[4][3] = {
        {1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    static const double AT2[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
    static const double BT4[6][6] = {
        {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    static const double G4[6][3] = {
        {1.0 / 4, 0, 0},
        {-1.0 / 6, -1.0 / 6, -1.0 / 6},
        {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6},
        {1.0 / 24, -1.0 / 12, 1.0 / 6},
        {0, 0, 1}};
    static const double AT4[4][6] = {{1, 1, 1, 1, 1, 0},
                                     {0, 1, -1, 2, -2, 0},
                                     {0, 1, 1, 4, 4, 0},
                                     {0, 1, -1, 8, -8, 1}};
    memset(M, 0, sizeof *M);
    M->m = m;
    M->alpha = m + 2;
    for (int r = 0; r < M->alpha; r++) {
        for (int c = 0; c < M->alpha; c++)
            M->BT[r][c] = m == 2 ? BT2[r][c] : BT4[r][c];
        for (int c = 0; c < 3; c++)
            M->G[r][c] = m == 2 ? G2[r][c] : G4[r][c];
    }
    for (int r = 0; r < m; r++)
        for (int c = 0; c < M->alpha; c++)
            M->AT[r][c] = m == 2 ? AT2[r][c] : AT4[r][c];
    if (m != 2)
        return;
    switch (mk) {
    case WM_BT_SIGN:
        for (int c = 0; c < 4; c++)
            M->BT[3][c] = -M->BT[3][c];
        break;
    case WM_G_HALF:
        for (int c = 0; c < 3; c++) {
            M->G[1][c] *= 2;
            M->G[2][c] *= 2;
        }
        break;
    case WM_AT_SIGN:
        M->AT[1][3] = 1;
        break;
    default:
        break;
    }
}

const char *ob_wino_hint(WinoMistake mk)
{
    switch (mk) {
    case WM_BT_SIGN:
        return "a sign of B^T is wrong: its last row is (0, 1, 0, -1), "
               "eq. (5.25); the input transform's fourth row and column come "
               "out negated.";
    case WM_G_HALF:
        return "the 1/2 of G's middle rows is missing: they are "
               "(1/2, 1/2, 1/2) and (1/2, -1/2, 1/2), eq. (5.25).";
    case WM_AT_SIGN:
        return "a sign of A^T is wrong: its second row is (0, 1, -1, -1), "
               "eq. (5.25).";
    case WM_B_NOT_T:
        return "you computed B d B^T: the input transform is B^T d B, "
               "eq. (5.26) (B^T multiplies from the left).";
    default:
        return NULL;
    }
}

/* c = a b for double matrices given with their row lengths. */
static void dmatmul(const double *a, const double *b, double *c, int ra,
                    int ca, int cb)
{
    for (int i = 0; i < ra; i++)
        for (int j = 0; j < cb; j++) {
            double s = 0.0;
            for (int k = 0; k < ca; k++)
                s += a[i * ca + k] * b[k * cb + j];
            c[i * cb + j] = s;
        }
}

static void dtranspose(const double *a, double *t, int r, int c)
{
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++)
            t[j * r + i] = a[i * c + j];
}

/* Dense copies of the matrices: BT (a x a), G (a x 3), AT (m x a). */
static void dense(const ObWinoMats *M, double *BT, double *G, double *AT)
{
    const int a = M->alpha;
    for (int r = 0; r < a; r++) {
        for (int c = 0; c < a; c++)
            BT[r * a + c] = M->BT[r][c];
        for (int c = 0; c < 3; c++)
            G[r * 3 + c] = M->G[r][c];
    }
    for (int r = 0; r < M->m; r++)
        for (int c = 0; c < a; c++)
            AT[r * a + c] = M->AT[r][c];
}

/* u = G g G^T (a x a) from a 3x3 g in double. */
static void d_filter(const ObWinoMats *M, const double *g, double *u)
{
    const int a = M->alpha;
    double BT[36], G[18], AT[24], GT[18], t[18];
    dense(M, BT, G, AT);
    dtranspose(G, GT, a, 3);
    dmatmul(G, g, t, a, 3, 3);
    dmatmul(t, GT, u, a, 3, a);
}

/* v = B^T d B (or B d B^T) from an a x a d. */
static void d_input(const ObWinoMats *M, const double *d, int transposed,
                    double *v)
{
    const int a = M->alpha;
    double BT[36], G[18], AT[24], B[36], t[36];
    dense(M, BT, G, AT);
    dtranspose(BT, B, a, a);
    dmatmul(transposed ? B : BT, d, t, a, a, a);
    dmatmul(t, transposed ? BT : B, v, a, a, a);
}

/* y = A^T mm A (m x m) from an a x a mm. */
static void d_output(const ObWinoMats *M, const double *mm, double *y)
{
    const int a = M->alpha, m = M->m;
    double BT[36], G[18], AT[24], A[24], t[24];
    dense(M, BT, G, AT);
    dtranspose(AT, A, m, a);
    dmatmul(AT, mm, t, m, a, a);
    dmatmul(t, A, y, m, a, m);
}

void ob_wino_self_check(int m)
{
    ObWinoMats M;
    ob_wino_mats(m, WM_RIGHT, &M);
    const int a = M.alpha;
    float *df = ob_random((size_t)a * a, 9000 + m, -1, 1);
    float *gf = ob_random(9, 9100 + m, -1, 1);
    double d[36], g[9], u[36], v[36], p[36], y[16];
    for (int i = 0; i < a * a; i++)
        d[i] = df[i];
    for (int i = 0; i < 9; i++)
        g[i] = gf[i];
    d_filter(&M, g, u);
    d_input(&M, d, 0, v);
    for (int i = 0; i < a * a; i++)
        p[i] = u[i] * v[i];
    d_output(&M, p, y);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0.0; /* eq. (5.20) */
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    s += d[(i + r) * a + j + c] * g[r * 3 + c];
            ck_assert_msg(fabs(s - y[i * m + j]) < 1e-12,
                          "test error: the oracle's F(%dx%d,3x3) matrices are "
                          "wrong at output (%d, %d)", m, m, i, j);
        }
    free(df);
    free(gf);
}

void ob_filter_transform(const ObWinoMats *M, const float *g, double *u)
{
    double gd[9];
    for (int i = 0; i < 9; i++)
        gd[i] = g[i];
    d_filter(M, gd, u);
}

void ob_input_transform(const ObWinoMats *M, const float *d, int transposed,
                        double *v)
{
    double dd[36];
    for (int i = 0; i < M->alpha * M->alpha; i++)
        dd[i] = d[i];
    d_input(M, dd, transposed, v);
}

void ob_output_transform(const ObWinoMats *M, const float *mm, double *y)
{
    double md[36];
    for (int i = 0; i < M->alpha * M->alpha; i++)
        md[i] = mm[i];
    d_output(M, md, y);
}

void check_wino_transform(int which, int n_cases, unsigned long long seed)
{
    static const char *names[] = {"winograd_filter_transform",
                                  "winograd_input_transform",
                                  "winograd_output_transform"};
    static const char *outs[] = {"u", "v", "y"};
    const int nin = which == 0 ? 9 : 16, nout = which == 2 ? 4 : 16;
    ObWinoMats right, mk[WM_N_MISTAKES];
    ob_wino_mats(2, WM_RIGHT, &right);
    for (int k = 0; k < WM_N_MISTAKES; k++)
        ob_wino_mats(2, (WinoMistake)k, &mk[k]);
    for (int t = 0; t < n_cases; t++) {
        float *in = ob_random((size_t)nin, seed + (unsigned long long)t, -1, 1);
        if (t == 0) /* a first case a person can check by hand */
            for (int i = 0; i < nin; i++)
                in[i] = (float)(i + 1);
        float got[16];
        double want[16], alt[WM_N_MISTAKES][16];
        grade_fill_nan(got, 16);
        if (which == 0) {
            winograd_filter_transform(in, got);
            ob_filter_transform(&right, in, want);
            ob_filter_transform(&mk[WM_G_HALF], in, alt[WM_G_HALF]);
        } else if (which == 1) {
            winograd_input_transform(in, got);
            ob_input_transform(&right, in, 0, want);
            ob_input_transform(&mk[WM_BT_SIGN], in, 0, alt[WM_BT_SIGN]);
            ob_input_transform(&right, in, 1, alt[WM_B_NOT_T]);
        } else {
            winograd_output_transform(in, got);
            ob_output_transform(&right, in, want);
            ob_output_transform(&mk[WM_AT_SIGN], in, alt[WM_AT_SIGN]);
        }
        char params[200];
        snprintf(params, sizeof params, "%s = %s, case %d of %d",
                 which == 0 ? "g (3x3)" : which == 1 ? "d (4x4)" : "m (4x4)",
                 t == 0 ? "1, 2, 3, ... row by row" : "random in [-1, 1)",
                 t + 1, n_cases);
        GradeCompare cmp = {.func = names[which], .params = params,
                            .output = outs[which], .ndim = 2,
                            .shape = {which == 2 ? 2u : 4u, which == 2 ? 2u : 4u},
                            .rtol = 1e-5, .floor_frac = OB_FLOOR};
        (void)nout;
        if (which == 0)
            grade_add_alt(&cmp, alt[WM_G_HALF], ob_wino_hint(WM_G_HALF));
        if (which == 1) {
            grade_add_alt(&cmp, alt[WM_BT_SIGN], ob_wino_hint(WM_BT_SIGN));
            grade_add_alt(&cmp, alt[WM_B_NOT_T], ob_wino_hint(WM_B_NOT_T));
        }
        if (which == 2)
            grade_add_alt(&cmp, alt[WM_AT_SIGN], ob_wino_hint(WM_AT_SIGN));
        char msg[3000];
        int bad = grade_compare(&cmp, got, want, msg, sizeof msg);
        free(in);
        if (bad)
            ck_abort_msg("%s", msg);
    }
}

/* ---- convolutions --------------------------------------------------------- */

static double xat(const Conv2dGeom *g, const float *x, int n, int c, long r,
                  long q)
{
    if (r < 0 || r >= g->h || q < 0 || q >= g->w)
        return 0.0; /* zero padding */
    return x[(((size_t)n * g->c_in + c) * g->h + r) * g->w + q];
}

static double wat(const Conv2dGeom *g, const float *w, int o, int c, int u,
                  int v)
{
    const int cg = g->c_in / g->groups;
    return w[(((size_t)o * cg + c) * g->kh + u) * g->kw + v];
}

/* Eq. (1.6) in double, or the direct mistakes. */
static void conv_direct(const Conv2dGeom *g, const float *x, const float *w,
                        const float *b, ConvMistake05 mk, double *y)
{
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    const int ph = mk == CM_PAD_IGNORED ? 0 : g->pad_h;
    const int pw = mk == CM_PAD_IGNORED ? 0 : g->pad_w;
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = 0.0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                const long r = (long)i * g->stride_h - ph + (long)u * g->dil_h;
                                const long q = (long)j * g->stride_w - pw + (long)v * g->dil_w;
                                const int ku = mk == CM_FLIP ? g->kh - 1 - u : u;
                                const int kv = mk == CM_FLIP ? g->kw - 1 - v : v;
                                s += xat(g, x, n, (o / og) * cg + c, r, q) *
                                     wat(g, w, o, c, ku, kv);
                            }
                    if (b && mk != CM_NO_BIAS)
                        s += b[o];
                    y[yi++] = s;
                }
}

/* F(m x m, 3x3) tile by tile in double with the (possibly wrong) matrices
 * of mk: what an implementation with that matrix computes. */
static void conv_wino(const Conv2dGeom *g, const float *x, const float *w,
                      const float *b, WinoMistake mk, int m, double *y)
{
    ObWinoMats M;
    ob_wino_mats(m, mk, &M);
    const int a = M.alpha;
    const int OH = out_size(g->h, 3, 1, g->pad_h, 1);
    const int OW = out_size(g->w, 3, 1, g->pad_w, 1);
    const int C = g->c_in, K = g->c_out;
    double *U = xmalloc((size_t)K * C * a * a * sizeof *U);
    for (int o = 0; o < K; o++)
        for (int c = 0; c < C; c++) {
            double gd[9];
            for (int i = 0; i < 9; i++)
                gd[i] = wat(g, w, o, c, i / 3, i % 3);
            d_filter(&M, gd, U + ((size_t)o * C + c) * a * a);
        }
    double *V = xmalloc((size_t)C * a * a * sizeof *V);
    for (int n = 0; n < g->n; n++)
        for (int ti = 0; ti * m < OH; ti++)
            for (int tj = 0; tj * m < OW; tj++) {
                for (int c = 0; c < C; c++) {
                    double d[36];
                    for (int r = 0; r < a; r++)
                        for (int s = 0; s < a; s++)
                            d[r * a + s] = xat(g, x, n, c, (long)ti * m - g->pad_h + r,
                                               (long)tj * m - g->pad_w + s);
                    d_input(&M, d, 0, V + (size_t)c * a * a);
                }
                for (int o = 0; o < K; o++) {
                    double mm[36] = {0}, yt[16];
                    for (int c = 0; c < C; c++)
                        for (int e = 0; e < a * a; e++)
                            mm[e] += U[((size_t)o * C + c) * a * a + e] * V[(size_t)c * a * a + e];
                    d_output(&M, mm, yt);
                    for (int r = 0; r < m && ti * m + r < OH; r++)
                        for (int s = 0; s < m && tj * m + s < OW; s++)
                            y[(((size_t)n * K + o) * OH + ti * m + r) * OW + tj * m + s] =
                                yt[r * m + s] + (b ? b[o] : 0.0);
                }
            }
    free(U);
    free(V);
}

static int pow2_at_least(int n)
{
    int p = 1;
    while (p < n)
        p *= 2;
    return p;
}

/* The FFT mistakes, written as the circular sums they compute: x placed at
 * the origin of a P x Q zero array and read periodically. */
static void conv_fft_mistake(const Conv2dGeom *g, const float *x,
                             const float *w, const float *b,
                             ConvMistake05 mk, double *y)
{
    const int OH = out_size(g->h, g->kh, 1, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, 1, g->pad_w, g->dil_w);
    const int sh = g->dil_h * (g->kh - 1) + 1, sw = g->dil_w * (g->kw - 1) + 1;
    int P, Q;
    if (mk == CM_FFT_WRAP) { /* the size without the padding */
        P = pow2_at_least(g->h > sh ? g->h : sh);
        Q = pow2_at_least(g->w > sw ? g->w : sw);
    } else { /* eq. (5.38), re-derived here */
        P = pow2_at_least(g->h + g->pad_h > sh ? g->h + g->pad_h : sh);
        Q = pow2_at_least(g->w + g->pad_w > sw ? g->w + g->pad_w : sw);
    }
    const int sign = mk == CM_FFT_NO_CONJ ? -1 : 1;
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                long r = (long)i - g->pad_h + sign * (long)u * g->dil_h;
                                long q = (long)j - g->pad_w + sign * (long)v * g->dil_w;
                                r = ((r % P) + P) % P;
                                q = ((q % Q) + Q) % Q;
                                s += xat(g, x, n, (o / og) * cg + c, r, q) * wat(g, w, o, c, u, v);
                            }
                    y[yi++] = s;
                }
}

void ob_conv(const Conv2dGeom *g, const float *x, const float *w,
             const float *b, ConvMistake05 mk, int m, double *y)
{
    switch (mk) {
    case CM_WINO_BT_SIGN:
        conv_wino(g, x, w, b, WM_BT_SIGN, m, y);
        break;
    case CM_WINO_G_HALF:
        conv_wino(g, x, w, b, WM_G_HALF, m, y);
        break;
    case CM_WINO_AT_SIGN:
        conv_wino(g, x, w, b, WM_AT_SIGN, m, y);
        break;
    case CM_FFT_NO_CONJ:
    case CM_FFT_WRAP:
        conv_fft_mistake(g, x, w, b, mk, y);
        break;
    default:
        conv_direct(g, x, w, b, mk, y);
        break;
    }
}

const char *ob_conv_hint(ConvMistake05 mk)
{
    switch (mk) {
    case CM_FLIP:
        return "your output is the true convolution (kernel rotated by 180 "
               "degrees): the layer is a cross-correlation, eq. (1.5).";
    case CM_NO_BIAS:
        return "the bias is missing: add bias[o] to every output of channel "
               "o (unless bias is NULL).";
    case CM_PAD_IGNORED:
        return "padding ignored: the input window of an output tile starts "
               "pad rows above and pad columns left of the tile, at "
               "(m*ti - pad_h, m*tj - pad_w), eq. (5.28).";
    case CM_WINO_BT_SIGN:
    case CM_WINO_AT_SIGN:
        /* The two give the same layer output: negating the last row of B^T
         * negates row and column 3 of every v, hence of m, which is what
         * negating the last column of A^T does to y. */
        return "a sign of B^T is wrong: its last row is (0, 1, 0, -1), or a "
               "sign of A^T is wrong: its second row is (0, 1, -1, -1), "
               "eq. (5.25). In the layer both mistakes give this output; the "
               "transform tests tell them apart.";
    case CM_WINO_G_HALF:
        return ob_wino_hint(WM_G_HALF);
    case CM_FFT_NO_CONJ:
        return "no conjugate: X * W computes a circular convolution (the "
               "kernel flipped); the cross-correlation needs X * conj(W), "
               "eq. (5.37).";
    case CM_FFT_WRAP:
        return "circular wrap-around: the transform length must leave pad "
               "zero rows (columns) after the image, P >= H + pad, eq. (5.38); "
               "with less, the windows at the border read the other side of "
               "the image.";
    default:
        return NULL;
    }
}

static const char *alg_name(FastAlg alg)
{
    return alg == ALG_WINO2   ? "conv2d_forward_winograd"
           : alg == ALG_WINO4 ? "conv2d_forward_winograd4"
                              : "conv2d_forward_fft";
}

static size_t alg_ws(FastAlg alg, const Conv2dGeom *g)
{
    return alg == ALG_FFT ? fft_conv_workspace_bytes(g) : winograd_workspace_bytes(g);
}

static int alg_run(FastAlg alg, const Conv2dGeom *g, const float *x,
                   const float *w, const float *b, float *y, void *ws)
{
    switch (alg) {
    case ALG_WINO2:
        return conv2d_forward_winograd(g, x, w, b, y, ws);
    case ALG_WINO4:
        return conv2d_forward_winograd4(g, x, w, b, y, ws);
    default:
        return conv2d_forward_fft(g, x, w, b, y, ws);
    }
}

void check_fast_conv(FastAlg alg, const Conv2dGeom *g, int no_bias,
                     unsigned long long seed, const ConvMistake05 *mistakes)
{
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    ck_assert_msg(OH >= 1 && OW >= 1, "test error: empty output");
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    const size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *x = ob_random(nx, seed, -1, 1);
    float *w = ob_random(nw, seed + 1, -1, 1);
    float *b = no_bias ? NULL : ob_random((size_t)g->c_out, seed + 2, -1, 1);
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    double *alt[CM_N_MISTAKES] = {0};
    void *ws = ob_workspace(alg_ws(alg, g));
    const int m = alg == ALG_WINO4 ? 4 : 2;

    grade_fill_nan(y, ny);
    const int rc = alg_run(alg, g, x, w, b, y, ws);
    ob_conv(g, x, w, b, CM_RIGHT, m, want);

    char params[256];
    ob_format_geom(params, sizeof params, g, !no_bias);
    if (rc != 0) {
        free(x); free(w); free(b); free(y); free(want); free(ws);
        ck_abort_msg("%s(%s) returned %d: it must compute this layer and "
                     "return 0 (only layers that %s rejects return -1).",
                     alg_name(alg), params, rc,
                     alg == ALG_FFT ? "fft_unsupported" : "winograd_unsupported");
    }
    GradeCompare cmp = {.func = alg_name(alg), .params = params,
                        .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH, (size_t)OW},
                        .rtol = alg == ALG_WINO4 ? OB_RTOL_F4 : OB_RTOL,
                        .floor_frac = OB_FLOOR};
    for (const ConvMistake05 *mk = mistakes; mk && *mk != CM_RIGHT; mk++) {
        alt[*mk] = xmalloc(ny * sizeof(double));
        ob_conv(g, x, w, b, *mk, m, alt[*mk]);
        if (differs(alt[*mk], want, ny))
            grade_add_alt(&cmp, alt[*mk], ob_conv_hint(*mk));
    }
    char msg[3000];
    const int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int k = 0; k < CM_N_MISTAKES; k++)
        free(alt[k]);
    free(x); free(w); free(b); free(y); free(want); free(ws);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_fast_conv_rejects(FastAlg alg, const Conv2dGeom *g,
                             const char *why)
{
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    const size_t ny = (size_t)g->n * g->c_out * (OH > 0 ? OH : 1) * (OW > 0 ? OW : 1);
    float *x = ob_random(nx, 77, -1, 1), *w = ob_random(nw, 78, -1, 1);
    float *y = xmalloc(ny * sizeof *y);
    void *ws = ob_workspace(alg_ws(alg, g));
    grade_fill_nan(y, ny);
    const int rc = alg_run(alg, g, x, w, NULL, y, ws);
    size_t written = 0;
    for (size_t i = 0; i < ny; i++)
        if (!isnan(y[i]))
            written++;
    char params[256];
    ob_format_geom(params, sizeof params, g, 0);
    free(x); free(w); free(y); free(ws);
    if (rc != -1 || written)
        ck_abort_msg("%s(%s): %s, so it must return -1 and write nothing; it "
                     "returned %d and wrote %zu of %zu elements of y.\nHint: "
                     "start with `if (%s(g)) return -1;`.",
                     alg_name(alg), params, why, rc, written, ny,
                     alg == ALG_FFT ? "fft_unsupported" : "winograd_unsupported");
}

/* ---- FFT -------------------------------------------------------------------- */

static const double PI = 3.14159265358979323846;

void ob_dft(const double *re, const double *im, int n, int inverse,
            double *out_re, double *out_im)
{
    const double sign = inverse ? 1.0 : -1.0;
    for (int k = 0; k < n; k++) {
        double sr = 0.0, si = 0.0;
        for (int j = 0; j < n; j++) {
            /* the angle reduced mod n first keeps it exact for large n */
            const double ang = sign * 2.0 * PI * (double)((long long)j * k % n) / n;
            sr += re[j] * cos(ang) - im[j] * sin(ang);
            si += re[j] * sin(ang) + im[j] * cos(ang);
        }
        out_re[k] = inverse ? sr / n : sr;
        out_im[k] = inverse ? si / n : si;
    }
}

static int bitrev(int j, int n)
{
    int r = 0;
    for (int b = 1; b < n; b <<= 1, j >>= 1)
        r = (r << 1) | (j & 1);
    return r;
}

typedef enum {
    FM_RIGHT,
    FM_NO_BITREV,  /* the transform of the bit-reversed input */
    FM_UNSCALED,   /* the inverse without its 1/n */
    FM_SIGN,       /* the exponent's sign the other way */
    FM_ROWS_ONLY,  /* fft2d: the columns never transformed */
    FM_COLS_ONLY,  /* fft2d: the rows never transformed */
    FM_N
} FftMistake;

static const char *fft_hint(FftMistake mk, int inverse)
{
    switch (mk) {
    case FM_NO_BITREV:
        return "the bit-reversal permutation is missing (or wrong): the "
               "butterflies of eq. (5.34) need x in bit-reversed order first, "
               "eq. (5.35).";
    case FM_UNSCALED:
        return "the inverse transform is not scaled by 1/n: eq. (5.33)'s "
               "inverse divides every element by n (by p q in 2-D).";
    case FM_SIGN:
        return inverse ? "the inverse uses e^{-2 pi i jk/n}: its exponent is "
                         "positive, eq. (5.33)."
                       : "the forward transform uses e^{+2 pi i jk/n}: its "
                         "exponent is negative, eq. (5.33).";
    case FM_ROWS_ONLY:
        return "only the rows were transformed: a 2-D FFT transforms every "
               "row, then every column, eq. (5.39).";
    case FM_COLS_ONLY:
        return "only the columns were transformed: a 2-D FFT transforms every "
               "row, then every column, eq. (5.39).";
    default:
        return NULL;
    }
}

/* The 2-D DFT of a p x q array (rows then columns) or a mistake's version. */
static void dft2(const double *re, const double *im, int p, int q,
                 int inverse, FftMistake mk, double *ore, double *oim)
{
    const size_t n = (size_t)p * q;
    double *ar = xmalloc(n * sizeof *ar), *ai = xmalloc(n * sizeof *ai);
    double *tr = xmalloc((size_t)(p > q ? p : q) * 4 * sizeof *tr);
    double *ti = tr + (p > q ? p : q), *ur = ti + (p > q ? p : q), *ui = ur + (p > q ? p : q);
    for (size_t i = 0; i < n; i++) {
        /* no bit reversal: the transform of the input permuted on both axes */
        const size_t src = mk == FM_NO_BITREV
                               ? (size_t)bitrev((int)(i / q), p) * q + bitrev((int)(i % q), q)
                               : i;
        ar[i] = re[src];
        ai[i] = im[src];
    }
    const int inv = mk == FM_SIGN ? !inverse : inverse;
    if (mk != FM_COLS_ONLY)
        for (int r = 0; r < p; r++) {
            ob_dft(ar + (size_t)r * q, ai + (size_t)r * q, q, inv, tr, ti);
            for (int c = 0; c < q; c++) {
                ar[(size_t)r * q + c] = tr[c];
                ai[(size_t)r * q + c] = ti[c];
            }
        }
    if (mk != FM_ROWS_ONLY)
        for (int c = 0; c < q; c++) {
            for (int r = 0; r < p; r++) {
                tr[r] = ar[(size_t)r * q + c];
                ti[r] = ai[(size_t)r * q + c];
            }
            ob_dft(tr, ti, p, inv, ur, ui);
            for (int r = 0; r < p; r++) {
                ar[(size_t)r * q + c] = ur[r];
                ai[(size_t)r * q + c] = ui[r];
            }
        }
    /* A sign mistake scales like the right transform: the forward by 1, the
     * inverse by 1/n. The unscaled inverse drops the 1/n. */
    double scale = 1.0;
    if (mk == FM_SIGN)
        scale = inverse ? 1.0 / n : (double)n;
    if (mk == FM_UNSCALED && inverse)
        scale = (double)n;
    for (size_t i = 0; i < n; i++) {
        ore[i] = ar[i] * scale;
        oim[i] = ai[i] * scale;
    }
    free(ar);
    free(ai);
    free(tr);
}

/* Runs fft_radix2 (p == 1) or fft2d on random data and compares. */
static void check_fft_case(int p, int q, int inverse, unsigned long long seed)
{
    const size_t n = (size_t)p * q;
    float *re = ob_random(n, seed, -1, 1), *im = ob_random(n, seed + 1, -1, 1);
    double *dre = xmalloc(n * sizeof *dre), *dim = xmalloc(n * sizeof *dim);
    for (size_t i = 0; i < n; i++) {
        dre[i] = re[i];
        dim[i] = im[i];
    }
    double *want = xmalloc(2 * n * sizeof *want);
    double *alt[FM_N] = {0};
    float *col = xmalloc(2 * (size_t)p * sizeof *col + 1);
    if (p == 1)
        fft_radix2(re, im, q, inverse);
    else
        fft2d(re, im, p, q, inverse, col);
    float *got = xmalloc(2 * n * sizeof *got);
    memcpy(got, re, n * sizeof *got);
    memcpy(got + n, im, n * sizeof *got);
    dft2(dre, dim, p, q, inverse, FM_RIGHT, want, want + n);

    char params[200];
    if (p == 1)
        snprintf(params, sizeof params, "n=%d, %s; X[0][k] is Re, X[1][k] Im "
                 "of element k", q, inverse ? "inverse" : "forward");
    else
        snprintf(params, sizeof params, "p=%d, q=%d, %s; X[0][r*q+c] is Re, "
                 "X[1][r*q+c] Im of element (r, c)", p, q,
                 inverse ? "inverse" : "forward");
    GradeCompare cmp = {.func = p == 1 ? "fft_radix2" : "fft2d", .params = params,
                        .output = "X", .ndim = 2, .shape = {2, n},
                        .rtol = OB_RTOL_FFT, .floor_frac = OB_FLOOR};
    /* The input handed back unchanged: the skeleton's TODO. */
    double *same = xmalloc(2 * n * sizeof *same);
    memcpy(same, dre, n * sizeof *same);
    memcpy(same + n, dim, n * sizeof *same);
    if (differs(same, want, 2 * n))
        grade_add_alt(&cmp, same, "the output equals the input: is the "
                      "function still the skeleton's TODO?");
    for (int k = FM_NO_BITREV; k < FM_N; k++) {
        if ((k == FM_UNSCALED && !inverse) ||
            ((k == FM_ROWS_ONLY || k == FM_COLS_ONLY) && p == 1))
            continue;
        alt[k] = xmalloc(2 * n * sizeof(double));
        dft2(dre, dim, p, q, inverse, (FftMistake)k, alt[k], alt[k] + n);
        if (differs(alt[k], want, 2 * n))
            grade_add_alt(&cmp, alt[k], fft_hint((FftMistake)k, inverse));
    }
    char msg[3000];
    const int bad = grade_compare(&cmp, got, want, msg, sizeof msg);
    for (int k = 0; k < FM_N; k++)
        free(alt[k]);
    free(same);
    free(re); free(im); free(dre); free(dim); free(want); free(col); free(got);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_fft_1d(const int *ns, int count, int inverse, unsigned long long seed)
{
    for (int t = 0; t < count; t++)
        check_fft_case(1, ns[t], inverse, seed + 10ull * (unsigned long long)t);
}

void check_fft_2d(int p, int q, int inverse, unsigned long long seed)
{
    check_fft_case(p, q, inverse, seed);
}

/* ---- int8 ------------------------------------------------------------------- */

typedef enum {
    QM_RIGHT,
    QM_TRUNC,       /* (int) truncation toward zero */
    QM_AWAY,        /* ties away from zero (roundf) */
    QM_NO_SAT,      /* no saturation: the int wraps into int8 */
    QM_SYM,         /* clamped to [-127, 127] */
    QM_RECIP,       /* x * (1/scale) instead of x / scale */
    QM_FLOOR,       /* rounded down */
    QM_N
} QuantMistake;

static const char *quant_hint(QuantMistake mk)
{
    switch (mk) {
    case QM_TRUNC:
        return "truncation instead of rounding: (int)(x/scale) drops the "
               "fraction; round to nearest (rintf), eq. (5.43).";
    case QM_AWAY:
        return "ties rounded away from zero (roundf): eq. (5.43) rounds ties "
               "to even (rintf), as PyTorch and ONNX do; 2.5 -> 2, -0.5 -> 0.";
    case QM_NO_SAT:
        return "no saturation: values beyond the int8 range must become 127 "
               "or -128, eq. (5.43); converting 200 to int8 wraps it to -56.";
    case QM_SYM:
        return "clamped to [-127, 127]: the int8 range is [-128, 127], and "
               "-128 is a valid result, eq. (5.43).";
    case QM_RECIP:
        return "x * (1/scale) rounds differently from x / scale near ties: "
               "divide, as quant.h says.";
    case QM_FLOOR:
        return "rounded down (floor): round to nearest, ties to even "
               "(rintf), eq. (5.43).";
    default:
        return NULL;
    }
}

/* Rounds t to the nearest integer, ties to the even one, without rintf. */
static double round_even(double t)
{
    const double f = floor(t), d = t - f;
    if (d > 0.5)
        return f + 1;
    if (d < 0.5)
        return f;
    return fmod(f, 2.0) == 0.0 ? f : f + 1;
}

static int quantize_mistake(float x, float scale, QuantMistake mk)
{
    const float t = mk == QM_RECIP ? x * (1.0f / scale) : x / scale;
    double r;
    switch (mk) {
    case QM_TRUNC:
        r = trunc(t);
        break;
    case QM_AWAY:
        r = fabs(t - trunc(t)) == 0.5 ? trunc(t) + (t > 0 ? 1 : -1) : round_even(t);
        break;
    case QM_FLOOR:
        r = floor(t);
        break;
    default:
        r = round_even(t);
        break;
    }
    if (mk == QM_NO_SAT) { /* what (int8_t)(int)r gives with GCC: wrap */
        long long v = (long long)r;
        return (int)(int8_t)(uint8_t)(v & 0xff);
    }
    const double lo = mk == QM_SYM ? -127 : -128;
    return (int)(r < lo ? lo : r > 127 ? 127 : r);
}

int ob_quantize(float x, float scale)
{
    return quantize_mistake(x, scale, QM_RIGHT);
}

/* Compares int8 arrays; on a difference writes a message (the first
 * difference, and a hint when `got` equals a mistake's output everywhere)
 * into msg and returns 1. alt[k] may be NULL. */
static int int8_mismatch(char *msg, size_t len, const char *what,
                         const int8_t *got, const int *want, size_t n,
                         int *const alt[], const char *const hints[],
                         int n_alt, const float *x, float scale, int fill)
{
    size_t first = n, bad = 0, filled = 0;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            if (first == n)
                first = i;
            bad++;
        }
        if (got[i] == fill)
            filled++;
    }
    if (first == n)
        return 0;
    const char *hint = NULL;
    for (int k = 0; k < n_alt && !hint; k++) {
        if (!alt[k])
            continue;
        size_t i = 0;
        while (i < n && got[i] == alt[k][i])
            i++;
        if (i == n)
            hint = hints[k];
    }
    if (!hint && filled == n)
        hint = "no element was written (all still hold the test's fill "
               "value): is the function still the skeleton's TODO?";
    snprintf(msg, len, "%s: first mismatch at q[%zu] (x = " GRADE_FMT
             ", x/scale = " GRADE_FMT "): expected %d, got %d; %zu of %zu "
             "elements differ.%s%s", what, first, (double)x[first],
             (double)(x[first] / scale), want[first], got[first], bad, n,
             hint ? "\nHint: " : "", hint ? hint : "");
    return 1;
}

typedef enum { SM_RIGHT, SM_MEAN, SM_128, SM_SIGNED, SM_N } ScaleMistake;

static double scale_mistake(const float *v, size_t n, ScaleMistake mk)
{
    double mx = 0.0, mean = 0.0, smax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (fabs(v[i]) > mx)
            mx = fabs(v[i]);
        mean += fabs(v[i]);
        if (v[i] > smax)
            smax = v[i];
    }
    mean = n ? mean / n : 0.0;
    switch (mk) {
    case SM_MEAN:
        return mean > 0 ? (float)mean / 127.0f : 1.0;
    case SM_128:
        return mx > 0 ? (float)mx / 128.0f : 1.0;
    case SM_SIGNED:
        return mx > 0 ? (float)smax / 127.0f : 1.0;
    default:
        return mx > 0 ? (float)mx / 127.0f : 1.0;
    }
}

static const char *scale_hint(ScaleMistake mk)
{
    switch (mk) {
    case SM_MEAN:
        return "the scale comes from the mean of |v|: it is max |v| / 127, "
               "so that the largest value maps to 127, eq. (5.43).";
    case SM_128:
        return "divided by 128: the symmetric scale is max |v| / 127 (127, "
               "not 128, is the largest positive int8), eq. (5.43).";
    case SM_SIGNED:
        return "the largest v, not the largest |v|: a negative value can "
               "have the largest magnitude, eq. (5.43).";
    default:
        return NULL;
    }
}

void check_quant_scale(const float *v, size_t n, const char *what)
{
    const double want = scale_mistake(v, n, SM_RIGHT);
    const double got = quant_scale(v, n);
    const char *hint = NULL;
    for (int k = SM_MEAN; k < SM_N && !hint; k++) {
        const double a = scale_mistake(v, n, (ScaleMistake)k);
        if (a != want && fabs(got - a) <= 1e-6 * fabs(a))
            hint = scale_hint((ScaleMistake)k);
    }
    if (!hint && n > 0 && want == 1.0 && got != 1.0)
        hint = "every value is 0: return 1 (any scale represents zeros "
               "exactly, and 0 would make x / scale divide by zero).";
    char buf[200];
    snprintf(buf, sizeof buf, "quant_scale(v, n=%zu) with %s", n, what);
    grade_expect_double(buf, got, want, 1e-6, hint);
}

void check_quantize(const float *x, size_t n, float scale, const char *what)
{
    int8_t *q = xmalloc(n ? n : 1);
    int *want = xmalloc((n ? n : 1) * sizeof *want);
    int *alt[QM_N] = {0};
    const char *hints[QM_N] = {0};
    const int fill = 90;
    memset(q, fill, n);
    quantize_int8(x, n, scale, q);
    for (size_t i = 0; i < n; i++)
        want[i] = ob_quantize(x[i], scale);
    for (int k = QM_TRUNC; k < QM_N; k++) {
        alt[k] = xmalloc((n ? n : 1) * sizeof(int));
        int same = 1;
        for (size_t i = 0; i < n; i++) {
            alt[k][i] = quantize_mistake(x[i], scale, (QuantMistake)k);
            same &= alt[k][i] == want[i];
        }
        hints[k] = quant_hint((QuantMistake)k);
        if (same) { /* this case does not tell the mistake apart */
            free(alt[k]);
            alt[k] = NULL;
        }
    }
    char buf[200];
    snprintf(buf, sizeof buf, "quantize_int8(x, n=%zu, scale=" GRADE_FMT
             ") with %s", n, (double)scale, what);
    char msg[3000];
    const int bad = int8_mismatch(msg, sizeof msg, buf, q, want, n, alt, hints,
                                  QM_N, x, scale, fill);
    for (int k = 0; k < QM_N; k++)
        free(alt[k]);
    free(q);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_quantize_weights(const Conv2dGeom *g, unsigned long long seed)
{
    const size_t per = (size_t)(g->c_in / g->groups) * g->kh * g->kw;
    const int K = g->c_out;
    float *w = ob_random((size_t)K * per, seed, -1, 1);
    for (int o = 0; o < K; o++) /* channel magnitudes spread over 100x */
        for (size_t e = 0; e < per; e++)
            w[o * per + e] *= (float)pow(100.0, K > 1 ? (double)o / (K - 1) : 0.0);
    int8_t *wq = xmalloc((size_t)K * per);
    float *s = xmalloc((size_t)K * sizeof *s);
    int *want = xmalloc(per * sizeof *want), *alt[QM_N] = {0};
    const char *hints[QM_N] = {0};
    memset(wq, 90, (size_t)K * per);
    for (int o = 0; o < K; o++)
        s[o] = NAN;
    quantize_weights_int8(g, w, wq, s);

    char params[256], what[400], msg[3000];
    int bad = 0;
    ob_format_geom(params, sizeof params, g, 0);
    /* The scales first: one per output channel. */
    const double global = scale_mistake(w, (size_t)K * per, SM_RIGHT);
    for (int o = 0; o < K && !bad; o++) {
        const float *wo = w + o * per;
        const double want_s = scale_mistake(wo, per, SM_RIGHT);
        if (fabs(s[o] - want_s) <= 1e-6 * want_s)
            continue;
        const char *hint = NULL;
        if (fabs(s[o] - global) <= 1e-6 * global)
            hint = "one scale for the whole tensor: each output channel o has "
                   "its own, max |w[o]| / 127 over its C_in/groups*KH*KW "
                   "weights, eq. (5.44).";
        for (int k = SM_MEAN; k < SM_N && !hint; k++) {
            const double a = scale_mistake(wo, per, (ScaleMistake)k);
            if (a != want_s && fabs(s[o] - a) <= 1e-6 * fabs(a))
                hint = scale_hint((ScaleMistake)k);
        }
        snprintf(msg, sizeof msg, "quantize_weights_int8(%s): w_scales[%d]: "
                 "expected " GRADE_FMT ", got " GRADE_FMT ".%s%s", params, o,
                 want_s, (double)s[o], hint ? "\nHint: " : "", hint ? hint : "");
        bad = 1;
    }
    /* Then the weights, with the right scales. */
    for (int o = 0; o < K && !bad; o++) {
        for (size_t e = 0; e < per; e++)
            want[e] = ob_quantize(w[o * per + e], s[o]);
        for (int k = QM_TRUNC; k < QM_N; k++) {
            free(alt[k]);
            alt[k] = xmalloc(per * sizeof(int));
            for (size_t e = 0; e < per; e++)
                alt[k][e] = quantize_mistake(w[o * per + e], s[o], (QuantMistake)k);
            hints[k] = quant_hint((QuantMistake)k);
        }
        snprintf(what, sizeof what, "quantize_weights_int8(%s), the %zu "
                 "weights of output channel %d (scale " GRADE_FMT ")", params,
                 per, o, (double)s[o]);
        bad = int8_mismatch(msg, sizeof msg, what, wq + o * per, want, per, alt,
                            hints, QM_N, w + o * per, s[o], 90);
    }
    for (int k = 0; k < QM_N; k++)
        free(alt[k]);
    free(w);
    free(wq);
    free(s);
    free(want);
    if (bad)
        ck_abort_msg("%s", msg);
}

typedef enum {
    IM_RIGHT,
    IM_ACC16,       /* int16 accumulator, wrapping */
    IM_PER_TENSOR,  /* w_scales[0] for every channel */
    IM_NO_WSCALE,   /* the weight scale forgotten */
    IM_NO_XSCALE,   /* the activation scale forgotten */
    IM_NO_BIAS,
    IM_FLIP,        /* kernel rotated by 180 degrees */
    IM_N
} Int8Mistake;

static const char *int8_hint(Int8Mistake mk)
{
    switch (mk) {
    case IM_ACC16:
        return "the accumulator overflowed: sums of int8 products exceed the "
               "int16 range; accumulate in int32, eq. (5.46).";
    case IM_PER_TENSOR:
        return "w_scales[0] used for every channel: output channel o is "
               "scaled by x_scale * w_scales[o], eq. (5.45).";
    case IM_NO_WSCALE:
        return "the weight scale is missing: y = x_scale * w_scales[o] * acc "
               "+ bias[o], eq. (5.45).";
    case IM_NO_XSCALE:
        return "the activation scale is missing: y = x_scale * w_scales[o] * "
               "acc + bias[o], eq. (5.45).";
    case IM_NO_BIAS:
        return "the bias is missing: add bias[o] (a float, after scaling) "
               "unless bias is NULL.";
    case IM_FLIP:
        return "your output is the true convolution (kernel rotated by 180 "
               "degrees): the layer is a cross-correlation, eq. (1.5).";
    default:
        return NULL;
    }
}

static void int8_conv_ref(const Conv2dGeom *g, const int8_t *xq, float xs,
                          const int8_t *wq, const float *ws, const float *b,
                          Int8Mistake mk, double *y)
{
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    long long acc = 0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                const long r = (long)i * g->stride_h - g->pad_h + (long)u * g->dil_h;
                                const long q = (long)j * g->stride_w - g->pad_w + (long)v * g->dil_w;
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                const int ku = mk == IM_FLIP ? g->kh - 1 - u : u;
                                const int kv = mk == IM_FLIP ? g->kw - 1 - v : v;
                                acc += (long long)xq[(((size_t)n * g->c_in + (o / og) * cg + c) * g->h + r) * g->w + q] *
                                       wq[(((size_t)o * cg + c) * g->kh + ku) * g->kw + kv];
                            }
                    if (mk == IM_ACC16) /* int16 arithmetic wraps modulo 2^16 */
                        acc = (int16_t)(uint16_t)(acc & 0xffff);
                    double s = (double)xs * ws[mk == IM_PER_TENSOR ? 0 : o];
                    if (mk == IM_NO_WSCALE)
                        s = xs;
                    if (mk == IM_NO_XSCALE)
                        s = ws[o];
                    y[yi++] = s * (double)acc + (b && mk != IM_NO_BIAS ? b[o] : 0.0);
                }
}

/* Runs conv2d_forward_int8 on given data and compares with the reference. */
static void run_int8_conv(const Conv2dGeom *g, const int8_t *xq, float xs,
                          const int8_t *wq, const float *wsc, const float *b)
{
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    double *alt[IM_N] = {0};
    void *ws = ob_workspace(int8_conv_workspace_bytes(g));
    grade_fill_nan(y, ny);
    conv2d_forward_int8(g, xq, xs, wq, wsc, b, y, ws);
    int8_conv_ref(g, xq, xs, wq, wsc, b, IM_RIGHT, want);
    char params[320];
    ob_format_geom(params, sizeof params, g, b != NULL);
    snprintf(params + strlen(params), sizeof params - strlen(params),
             ", x_scale=" GRADE_FMT, (double)xs);
    GradeCompare cmp = {.func = "conv2d_forward_int8", .params = params,
                        .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH, (size_t)OW},
                        .rtol = OB_RTOL_INT8, .floor_frac = OB_FLOOR};
    for (int k = IM_ACC16; k < IM_N; k++) {
        alt[k] = xmalloc(ny * sizeof(double));
        int8_conv_ref(g, xq, xs, wq, wsc, b, (Int8Mistake)k, alt[k]);
    }
    /* when x_scale equals every w_scales[o], a missing activation scale and a
     * missing weight scale give the same output: name neither */
    const int scales_alike = !differs(alt[IM_NO_WSCALE], alt[IM_NO_XSCALE], ny);
    for (int k = IM_ACC16; k < IM_N; k++) {
        if (scales_alike && (k == IM_NO_WSCALE || k == IM_NO_XSCALE))
            continue;
        if (differs(alt[k], want, ny))
            grade_add_alt(&cmp, alt[k], int8_hint((Int8Mistake)k));
    }
    char msg[3000];
    const int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    for (int k = 0; k < IM_N; k++)
        free(alt[k]);
    free(y);
    free(want);
    free(ws);
    if (bad)
        ck_abort_msg("%s", msg);
}

void check_int8_conv(const Conv2dGeom *g, int no_bias, unsigned long long seed)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    Rng r;
    rng_seed(&r, seed);
    int8_t *xq = xmalloc(nx), *wq = xmalloc(nw);
    for (size_t i = 0; i < nx; i++)
        xq[i] = (int8_t)((int)rng_below(&r, 256) - 128);
    for (size_t i = 0; i < nw; i++)
        wq[i] = (int8_t)((int)rng_below(&r, 256) - 128);
    float *wsc = ob_random((size_t)g->c_out, seed + 1, 0.001f, 0.01f);
    float *b = no_bias ? NULL : ob_random((size_t)g->c_out, seed + 2, -1, 1);
    const float xs = 0.01f + 0.04f * (float)rng_uniform(&r);
    run_int8_conv(g, xq, xs, wq, wsc, b);
    free(xq);
    free(wq);
    free(wsc);
    free(b);
}

void check_int8_conv_int32_limit(void)
{
    Conv2dGeom g = bgeom(1, 131071, 1, 1, 2, 1, 1);
    int8_t *xq = xmalloc(131071), *wq = xmalloc(2 * 131071);
    memset(xq, -128, 131071);
    memset(wq, -128, 131071); /* channel 0: 131071 * 16384 = 2^31 - 2^14 */
    for (int i = 0; i < 131071; i++) /* channel 1: -128 * +-127, alternating */
        wq[131071 + i] = (int8_t)(i % 2 ? -127 : 127);
    const float wsc[2] = {1.0f / 1024, 1.0f / 1024}, b[2] = {0.5f, -0.5f};
    run_int8_conv(&g, xq, 1.0f / 1024, wq, wsc, b);
    free(xq);
    free(wq);
}

void check_int8_hook(const Conv2dGeom *g, unsigned long long seed)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t per = (size_t)(g->c_in / g->groups) * g->kh * g->kw;
    const size_t nw = (size_t)g->c_out * per;
    const int OH = out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
    const int OW = out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
    const size_t ny = (size_t)g->n * g->c_out * OH * OW;
    float *x = ob_random(nx, seed, 0.0f, 1.0f), *w = ob_random(nw, seed + 1, -1, 1);
    float *b = ob_random((size_t)g->c_out, seed + 2, -1, 1);
    float *wsc = xmalloc((size_t)g->c_out * sizeof *wsc);
    int8_t *xq = xmalloc(nx), *wq = xmalloc(nw);
    /* The oracle's own quantization, eqs. (5.43)-(5.44). */
    const float xs = (float)scale_mistake(x, nx, SM_RIGHT) * 1.25f; /* calibrated a bit wide */
    for (size_t i = 0; i < nx; i++)
        xq[i] = (int8_t)ob_quantize(x[i], xs);
    for (int o = 0; o < g->c_out; o++) {
        wsc[o] = (float)scale_mistake(w + o * per, per, SM_RIGHT);
        for (size_t e = 0; e < per; e++)
            wq[o * per + e] = (int8_t)ob_quantize(w[o * per + e], wsc[o]);
    }
    float *y = xmalloc(ny * sizeof *y);
    double *want = xmalloc(ny * sizeof *want);
    void *ws = ob_workspace(int8_conv_f32_workspace_bytes(g));
    grade_fill_nan(y, ny);
    conv2d_forward_int8_f32(g, x, xs, wq, wsc, b, y, ws);
    int8_conv_ref(g, xq, xs, wq, wsc, b, IM_RIGHT, want);
    char params[320];
    ob_format_geom(params, sizeof params, g, 1);
    GradeCompare cmp = {.func = "conv2d_forward_int8_f32 (quantize_int8, then "
                                "conv2d_forward_int8)",
                        .params = params, .output = "y", .ndim = 4,
                        .shape = {(size_t)g->n, (size_t)g->c_out, (size_t)OH, (size_t)OW},
                        .rtol = OB_RTOL_INT8, .floor_frac = OB_FLOOR};
    char msg[3000];
    const int bad = grade_compare(&cmp, y, want, msg, sizeof msg);
    free(x); free(w); free(b); free(wsc); free(xq); free(wq); free(y);
    free(want); free(ws);
    if (bad)
        ck_abort_msg("%s", msg);
}

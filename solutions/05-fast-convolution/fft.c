/* fft.c: chapter 05, the reference solution for the radix-2 FFT and
 * convolution through the convolution theorem.
 *
 * fft_radix2 and fft2d are the textbook algorithms, written for clarity.
 * conv2d_forward_fft uses the same butterflies with three changes for speed:
 * twiddle factors come from a table computed once per call; the column
 * transforms of a 2-D FFT run on all columns at once (each butterfly
 * combines two whole rows, a loop the compiler vectorizes); and rows that
 * are known to be zero (the padding below the image or the kernel) or whose
 * output is never read are not transformed at all.
 */
#include "fft.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#define OMP(directive) _Pragma(#directive)
#else
#define OMP(directive)
#endif

static const double PI = 3.14159265358979323846;

/* The loops that run along whole rows are compiled for AVX-512, AVX2 and
 * plain x86-64, and the loader picks the best for the CPU (GCC's
 * target_clones); -DCNN_NO_SIMD keeps only the plain version. */
#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* >>> fft_ref */
/* Reorders x[j] to x[bitrev(j)], eq. (5.35): after it, the butterflies of
 * each stage combine neighbouring blocks. */
static void bit_reverse(float *re, float *im, int n)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1) /* j = bitrev(i): add 1 from the top bit */
            j ^= bit;
        j |= bit;
        if (i < j) {
            float t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
}

void fft_radix2(float *re, float *im, int n, int inverse)
{
    bit_reverse(re, im, n);
    const double sign = inverse ? 1.0 : -1.0;
    for (int len = 2; len <= n; len *= 2) { /* log2(n) stages */
        const int half = len / 2;
        for (int k = 0; k < half; k++) {
            /* w = e^{-+2 pi i k / len}, the twiddle of eq. (5.34) */
            const float wr = (float)cos(2.0 * PI * k / len);
            const float wi = (float)(sign * sin(2.0 * PI * k / len));
            for (int s = 0; s < n; s += len) {
                const int a = s + k, b = s + k + half;
                const float tr = wr * re[b] - wi * im[b];
                const float ti = wr * im[b] + wi * re[b];
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
    }
    if (inverse) /* the 1/n of eq. (5.33) */
        for (int j = 0; j < n; j++) {
            re[j] /= (float)n;
            im[j] /= (float)n;
        }
}

void fft2d(float *re, float *im, int p, int q, int inverse, float *col)
{
    for (int r = 0; r < p; r++) /* eq. (5.39): rows, */
        fft_radix2(re + (size_t)r * q, im + (size_t)r * q, q, inverse);
    float *cre = col, *cim = col + p;
    for (int c = 0; c < q; c++) { /* then columns */
        for (int r = 0; r < p; r++) {
            cre[r] = re[(size_t)r * q + c];
            cim[r] = im[(size_t)r * q + c];
        }
        fft_radix2(cre, cim, p, inverse);
        for (int r = 0; r < p; r++) {
            re[(size_t)r * q + c] = cre[r];
            im[(size_t)r * q + c] = cim[r];
        }
    }
}
/* <<< fft_ref */

/* ---- the fast transforms of the convolution ------------------------------- */

/* tw[k] = e^{-2 pi i k / n} for k < n/2 (re in twr, im in twi). */
static void make_twiddles(int n, float *twr, float *twi)
{
    for (int k = 0; k < n / 2; k++) {
        twr[k] = (float)cos(2.0 * PI * k / n);
        twi[k] = (float)-sin(2.0 * PI * k / n);
    }
}

/* fft_radix2 without the 1/n, twiddles from the table of size n. */
static void fft_table(float *re, float *im, int n, const float *twr,
                      const float *twi, int inverse)
{
    bit_reverse(re, im, n);
    const float sign = inverse ? -1.0f : 1.0f;
    for (int len = 2; len <= n; len *= 2) {
        const int half = len / 2, step = n / len;
        for (int s = 0; s < n; s += len)
            for (int k = 0; k < half; k++) {
                const float wr = twr[k * step], wi = sign * twi[k * step];
                const int a = s + k, b = a + half;
                const float tr = wr * re[b] - wi * im[b];
                const float ti = wr * im[b] + wi * re[b];
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
    }
}

/* The FFT along the columns of a P x Q array, all columns at once: the
 * butterflies of fft_table with every element replaced by a row. */
CLONES static void fft_columns(float *restrict re, float *restrict im, int P, int Q,
                        const float *twr, const float *twi, int inverse)
{
    for (int i = 1, j = 0; i < P; i++) { /* bit reversal: swap rows */
        int bit = P >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
        if (i < j)
            for (int c = 0; c < Q; c++) {
                float t = re[(size_t)i * Q + c];
                re[(size_t)i * Q + c] = re[(size_t)j * Q + c];
                re[(size_t)j * Q + c] = t;
                t = im[(size_t)i * Q + c];
                im[(size_t)i * Q + c] = im[(size_t)j * Q + c];
                im[(size_t)j * Q + c] = t;
            }
    }
    const float sign = inverse ? -1.0f : 1.0f;
    for (int len = 2; len <= P; len *= 2) {
        const int half = len / 2, step = P / len;
        for (int s = 0; s < P; s += len)
            for (int k = 0; k < half; k++) {
                const float wr = twr[k * step], wi = sign * twi[k * step];
                float *restrict ar = re + (size_t)(s + k) * Q;
                float *restrict ai = im + (size_t)(s + k) * Q;
                float *restrict br = re + (size_t)(s + k + half) * Q;
                float *restrict bi = im + (size_t)(s + k + half) * Q;
                for (int c = 0; c < Q; c++) {
                    const float tr = wr * br[c] - wi * bi[c];
                    const float ti = wr * bi[c] + wi * br[c];
                    br[c] = ar[c] - tr;
                    bi[c] = ai[c] - ti;
                    ar[c] += tr;
                    ai[c] += ti;
                }
            }
    }
}

/* ---- the layer ------------------------------------------------------------- */

/* S += X conj(W) elementwise over PQ complex numbers (S = when first),
 * eq. (5.40); each of S, X, W is a re plane followed by an im plane. */
CLONES static void spectral_mac(float *restrict sr, float *restrict si,
                                const float *x, const float *w, size_t PQ,
                                int first)
{
    const float *restrict xr = x, *restrict xi = x + PQ;
    const float *restrict wr = w, *restrict wi = w + PQ;
    if (first)
        for (size_t f = 0; f < PQ; f++) {
            sr[f] = xr[f] * wr[f] + xi[f] * wi[f];
            si[f] = xi[f] * wr[f] - xr[f] * wi[f];
        }
    else
        for (size_t f = 0; f < PQ; f++) {
            sr[f] += xr[f] * wr[f] + xi[f] * wi[f];
            si[f] += xi[f] * wr[f] - xr[f] * wi[f];
        }
}

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* Forward 2-D FFT of a P x Q array whose rows other than `rows` (a list of
 * nrows row indices) are zero: only those rows need a row transform. */
static void fft2d_sparse_rows(float *re, float *im, int P, int Q,
                              const int *rows, int nrows, const float *tw)
{
    const float *twPr = tw, *twPi = tw + P / 2;
    const float *twQr = tw + P, *twQi = tw + P + Q / 2;
    for (int t = 0; t < nrows; t++)
        fft_table(re + (size_t)rows[t] * Q, im + (size_t)rows[t] * Q, Q, twQr,
                  twQi, 0);
    fft_columns(re, im, P, Q, twPr, twPi, 0);
}

int conv2d_forward_fft(const Conv2dGeom *g, const float *x, const float *w,
                       const float *bias, float *y, void *ws)
{
    if (fft_unsupported(g))
        return -1;
    const int H = g->h, W = g->w, OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int KH = g->kh, KW = g->kw, K = g->c_out, C = g->c_in;
    const int cg = C / g->groups, og = K / g->groups;
    const int P = fft_conv_size(H, KH, g->pad_h, g->dil_h);   /* eq. (5.38) */
    const int Q = fft_conv_size(W, KW, g->pad_w, g->dil_w);
    const size_t PQ = (size_t)P * Q, spec = round_up(2 * PQ, 16);
    /* The workspace of fft_given.c: spectra (re plane, im plane), column
     * scratch, twiddles. */
    float *Wspec = ws;                               /* [K*cg][2][PQ] */
    float *Xspec = Wspec + spec * K * cg;            /* [C][2][PQ]    */
    float *Sspec = Xspec + spec * C;                 /* [K][2][PQ]    */
    float *tw = Sspec + spec * K + round_up(2 * (size_t)(P > Q ? P : Q), 16);
    const float (*xa)[C][H][W] = (const float (*)[C][H][W])x;
    const float (*wa)[cg][KH][KW] = (const float (*)[cg][KH][KW])w;
    float (*ya)[K][OH][OW] = (float (*)[K][OH][OW])y;
    const float scale = 1.0f / (float)PQ; /* the inverse's 1/(PQ) */

    make_twiddles(P, tw, tw + P / 2);
    make_twiddles(Q, tw + P, tw + P + Q / 2);
    /* The rows each transform has data on, or reads from. */
    int xrows[H], wrows[KH];
    for (int r = 0; r < H; r++)
        xrows[r] = r;
    for (int u = 0; u < KH; u++)
        wrows[u] = u * g->dil_h;
    /* Output rows i and i + P read the same row of s: transform it once. */
    const int nyrows = OH < P ? OH : P;
    const int big = (double)K * cg * PQ * g->n >= 1e5;
    (void)big; /* unused without OpenMP */

    OMP(omp parallel if (big))
    {
        /* Every kernel's spectrum: the dilated kernel at the origin. */
        OMP(omp for schedule(dynamic))
        for (int kc = 0; kc < K * cg; kc++) {
            float *re = Wspec + spec * kc, *im = re + PQ;
            memset(re, 0, 2 * PQ * sizeof *re);
            for (int u = 0; u < KH; u++)
                for (int v = 0; v < KW; v++)
                    re[(size_t)u * g->dil_h * Q + (size_t)v * g->dil_w] =
                        wa[kc / cg][kc % cg][u][v];
            fft2d_sparse_rows(re, im, P, Q, wrows, KH, tw);
        }

        for (int n = 0; n < g->n; n++) {
            /* The spectra of the image's channels, placed at the origin. */
            OMP(omp for schedule(dynamic))
            for (int c = 0; c < C; c++) {
                float *re = Xspec + spec * c, *im = re + PQ;
                memset(re, 0, 2 * PQ * sizeof *re);
                for (int r = 0; r < H; r++)
                    memcpy(re + (size_t)r * Q, xa[n][c][r], (size_t)W * sizeof *re);
                fft2d_sparse_rows(re, im, P, Q, xrows, H, tw);
            }

            /* For each output channel o: S = sum_c X_c conj(W_oc), eq. (5.40);
             * s = IFFT2(S); y[i][j] = s[(i-ph) mod P][(j-pw) mod Q] / (PQ). */
            OMP(omp for schedule(dynamic))
            for (int o = 0; o < K; o++) {
                float *sr = Sspec + spec * o, *si = sr + PQ;
                const int c0 = (o / og) * cg; /* first input channel of o's group */
                for (int c = 0; c < cg; c++)
                    spectral_mac(sr, si, Xspec + spec * (c0 + c),
                                 Wspec + spec * ((size_t)o * cg + c), PQ, c == 0);
                fft_columns(sr, si, P, Q, tw, tw + P / 2, 1);
                const float b = bias ? bias[o] : 0.0f;
                for (int i = 0; i < OH; i++) {
                    const int r = ((i - g->pad_h) % P + P) % P;
                    float *rr = sr + (size_t)r * Q, *ri = si + (size_t)r * Q;
                    if (i < nyrows)
                        fft_table(rr, ri, Q, tw + P, tw + P + Q / 2, 1);
                    for (int j = 0; j < OW; j++)
                        ya[n][o][i][j] = rr[((j - g->pad_w) % Q + Q) % Q] * scale + b;
                }
            }
        }
    }
    return 0;
}

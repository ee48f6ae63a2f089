/* engine_given.c: chapter 05, code that is given, not an exercise: the
 * convolution engine of fastconv.h (algorithm names, which algorithm
 * handles which layer, the rule AUTO follows, workspaces, dispatch), the
 * machine (SIMD path detected at run time, OpenMP threads). It is compiled
 * once and linked with your code and with the reference solution alike, so
 * the engine runs whatever im2col, GEMM, Winograd and FFT it is linked
 * with. */
#include "fastconv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "03-backprop/backprop.h"
#include "util.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- the machine ------------------------------------------------------------ */

SimdIsa simd_cpu_isa(void)
{
#if !defined(CNN_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
    /* __builtin_cpu_supports reads what CPUID said at program start; the
     * answer cannot change, so every caller and thread gets the same one. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SIMD_AVX2;
#endif
    return SIMD_SCALAR;
}

const char *simd_isa_name(SimdIsa isa)
{
    switch (isa) {
    case SIMD_AVX512: return "AVX-512F (16 floats per vector)";
    case SIMD_AVX2: return "AVX2+FMA (8 floats per vector)";
    case SIMD_SCALAR: break;
    }
    return "scalar C (no vector code)";
}

void fastconv_set_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n < 1 ? 1 : n);
#else
    (void)n;
#endif
}

int fastconv_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

const char *fastconv_describe(char *buf, size_t len)
{
    const int t = fastconv_threads();
    snprintf(buf, len, "%s, int8: %s, %d OpenMP thread%s",
             simd_isa_name(simd_cpu_isa()), int8_conv_path(), t,
             t == 1 ? "" : "s");
    return buf;
}

/* ---- names -------------------------------------------------------------------- */

static const char *const algo_names[CONV_ALGO_COUNT] = {
    [CONV_ALGO_AUTO] = "auto",         [CONV_ALGO_DIRECT] = "direct",
    [CONV_ALGO_IM2COL] = "im2col",     [CONV_ALGO_WINOGRAD] = "winograd",
    [CONV_ALGO_WINOGRAD4] = "winograd4", [CONV_ALGO_FFT] = "fft",
};

const char *conv_algo_name(ConvAlgo algo)
{
    return (int)algo >= 0 && algo < CONV_ALGO_COUNT ? algo_names[algo] : NULL;
}

int conv_algo_parse(const char *name)
{
    for (int a = 0; a < CONV_ALGO_COUNT; a++)
        if (strcmp(name, algo_names[a]) == 0)
            return a;
    return -1;
}

const char *conv_algo_choices(void)
{
    return CONV_ALGO_WORDS;
}

ConvAlgo conv_algo_nth_choice(int k)
{
    const char *w = CONV_ALGO_WORDS;
    for (; k > 0 && w; k--) {
        w = strchr(w, '|');
        w = w ? w + 1 : NULL;
    }
    if (!w || k < 0)
        return CONV_ALGO_DIRECT;
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(w, "|"), w);
    const int a = conv_algo_parse(name);
    return a < 0 ? CONV_ALGO_DIRECT : (ConvAlgo)a;
}

/* ---- which algorithm handles which layer ---------------------------------------- */

const char *conv2d_forward_unsupported(const Conv2dGeom *g, ConvAlgo algo)
{
    switch (algo) {
    case CONV_ALGO_WINOGRAD:
    case CONV_ALGO_WINOGRAD4:
        return winograd_unsupported(g);
    case CONV_ALGO_FFT:
        return fft_unsupported(g);
    case CONV_ALGO_AUTO:
    case CONV_ALGO_DIRECT:
    case CONV_ALGO_IM2COL:
        return NULL;
    case CONV_ALGO_COUNT:
        break;
    }
    return "unknown algorithm: use one of direct, im2col, winograd, "
           "winograd4, fft or auto.";
}

const char *conv2d_backward_unsupported(const Conv2dGeom *g, ConvAlgo algo)
{
    (void)g;
    switch (algo) {
    case CONV_ALGO_WINOGRAD:
    case CONV_ALGO_WINOGRAD4:
        return "winograd computes the forward pass only; run the backward "
               "pass with im2col, direct or auto.";
    case CONV_ALGO_FFT:
        return "fft computes the forward pass only; run the backward pass "
               "with im2col, direct or auto.";
    case CONV_ALGO_AUTO:
    case CONV_ALGO_DIRECT:
    case CONV_ALGO_IM2COL:
        return NULL;
    case CONV_ALGO_COUNT:
        break;
    }
    return "unknown algorithm: use one of direct, im2col or auto.";
}

/* >>> auto_rule */
/* The rule of eq. (5.19), from the measured crossovers of the lesson's
 * figures: Winograd F(2x2, 3x3) for 3x3 stride-1 layers with enough channels
 * that its transforms are amortised; FFT for large stride-1 kernels, whose
 * cost does not grow with the kernel; im2col + GEMM for everything else.
 * Direct loops win nowhere once a tuned GEMM exists, not even on depthwise
 * layers (one channel per group), where im2col is slow too but less so;
 * chapter 10 writes a kernel for those. */
#define AUTO_WINOGRAD_MIN_CHANNELS 64 /* c_in and c_out at least this       */
#define AUTO_FFT_MIN_TAPS 441         /* kh * kw at least this (21x21 and up) */

ConvAlgo conv2d_forward_auto(const Conv2dGeom *g)
{
    if (!winograd_unsupported(g) && g->c_in >= AUTO_WINOGRAD_MIN_CHANNELS &&
        g->c_out >= AUTO_WINOGRAD_MIN_CHANNELS)
        return CONV_ALGO_WINOGRAD;
    if (!fft_unsupported(g) && g->kh * g->kw >= AUTO_FFT_MIN_TAPS)
        return CONV_ALGO_FFT;
    return CONV_ALGO_IM2COL;
}

ConvAlgo conv2d_backward_auto(const Conv2dGeom *g)
{
    (void)g; /* the only backward algorithm faster than chapter 03's loops */
    return CONV_ALGO_IM2COL;
}
/* <<< auto_rule */

/* ---- workspace ------------------------------------------------------------------ */

static size_t algo_bytes(const Conv2dGeom *g, ConvAlgo algo)
{
    switch (algo) {
    case CONV_ALGO_IM2COL:
        return im2col_workspace_bytes(g, fastconv_threads(), IM2COL_BUDGET_BYTES);
    case CONV_ALGO_WINOGRAD:
    case CONV_ALGO_WINOGRAD4:
        return winograd_unsupported(g) ? 0 : winograd_workspace_bytes(g);
    case CONV_ALGO_FFT:
        return fft_unsupported(g) ? 0 : fft_conv_workspace_bytes(g);
    case CONV_ALGO_AUTO:
    case CONV_ALGO_DIRECT:
    case CONV_ALGO_COUNT:
        break;
    }
    return 0;
}

size_t conv2d_workspace_bytes(const Conv2dGeom *g, ConvAlgo algo)
{
    if (algo != CONV_ALGO_AUTO)
        return algo_bytes(g, algo);
    size_t f = algo_bytes(g, conv2d_forward_auto(g));
    size_t b = algo_bytes(g, conv2d_backward_auto(g));
    return f > b ? f : b;
}

void *conv2d_workspace_alloc(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p)
        cnn_die("out of memory: a convolution workspace of %zu bytes could "
                "not be allocated; use fewer threads or a smaller batch",
                bytes);
    return p;
}

/* Whether ws_bytes bytes are enough for algo on this layer: the im2col path
 * runs with any workspace of one thread and a one-pixel tile; the others
 * need exactly what they asked for. */
static int enough(const Conv2dGeom *g, ConvAlgo algo, size_t ws_bytes)
{
    if (algo == CONV_ALGO_IM2COL)
        return ws_bytes >= im2col_workspace_bytes(g, 1, 0);
    return ws_bytes >= algo_bytes(g, algo);
}

/* ---- dispatch ------------------------------------------------------------------- */

/* >>> dispatch */
int conv2d_forward_algo(const Conv2dGeom *g, const float *x,
                        const float *weight, const float *bias, float *y,
                        ConvAlgo algo, void *ws, size_t ws_bytes)
{
    if (algo == CONV_ALGO_AUTO) {
        algo = conv2d_forward_auto(g);
        if (!enough(g, algo, ws_bytes)) /* auto never fails: fall back */
            algo = enough(g, CONV_ALGO_IM2COL, ws_bytes) ? CONV_ALGO_IM2COL
                                                         : CONV_ALGO_DIRECT;
    }
    if (conv2d_forward_unsupported(g, algo) || !enough(g, algo, ws_bytes))
        return -1;
    switch (algo) {
    case CONV_ALGO_DIRECT:
        conv2d_forward(g, x, weight, bias, y);
        return 0;
    case CONV_ALGO_IM2COL:
        conv2d_forward_im2col(g, x, weight, bias, y, ws, ws_bytes);
        return 0;
    case CONV_ALGO_WINOGRAD:
        return conv2d_forward_winograd(g, x, weight, bias, y, ws);
    case CONV_ALGO_WINOGRAD4:
        return conv2d_forward_winograd4(g, x, weight, bias, y, ws);
    case CONV_ALGO_FFT:
        return conv2d_forward_fft(g, x, weight, bias, y, ws);
    case CONV_ALGO_AUTO:
    case CONV_ALGO_COUNT:
        break;
    }
    return -1;
}

int conv2d_backward_algo(const Conv2dGeom *g, const float *x,
                         const float *weight, const float *dy, float *dx,
                         float *dweight, float *dbias, ConvAlgo algo,
                         void *ws, size_t ws_bytes)
{
    if (algo == CONV_ALGO_AUTO) {
        algo = conv2d_backward_auto(g);
        if (!enough(g, algo, ws_bytes))
            algo = CONV_ALGO_DIRECT;
    }
    if (conv2d_backward_unsupported(g, algo) || !enough(g, algo, ws_bytes))
        return -1;
    if (algo == CONV_ALGO_DIRECT)
        conv2d_backward(g, x, weight, dy, dx, dweight, dbias);
    else
        conv2d_backward_im2col(g, x, weight, dy, dx, dweight, dbias, ws,
                               ws_bytes);
    return 0;
}
/* <<< dispatch */

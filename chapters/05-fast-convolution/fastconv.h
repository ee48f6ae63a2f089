/* fastconv.h: chapter 05, the convolution engine. One call per layer and
 * direction, whatever the algorithm, so that model code (chapters 06 and
 * later) never changes when the algorithm does:
 *
 *   ConvAlgo a = CONV_ALGO_AUTO;
 *   size_t bytes = conv2d_workspace_bytes(&g, a);
 *   void *ws = conv2d_workspace_alloc(bytes);   (or any 64-byte aligned block)
 *   conv2d_forward_algo(&g, x, w, b, y, a, ws, bytes);
 *   conv2d_backward_algo(&g, x, w, dy, dx, dw, db, a, ws, bytes);
 *   free(ws);
 *
 * Semantics are exactly those of chapter 01's conv2d_forward and chapter
 * 03's conv2d_backward (PyTorch's conv2d); only the rounding differs, by a
 * relative error under 1e-4 (Winograd F(4x4, 3x3): see winograd.h). The
 * engine keeps no state between calls but OpenMP's thread count.
 * Equation numbers refer to chapters/05-fast-convolution/lesson.md.
 */
#ifndef FASTCONV_H
#define FASTCONV_H

#include <stddef.h>

#include "01-convolution/conv.h"
#include "fft.h"
#include "gemm.h"
#include "im2col.h"
#include "quant.h"
#include "winograd.h"

/* >>> algo_api */
/* The algorithms. AUTO picks one per layer shape and direction by the rule
 * of eq. (5.19) (conv2d_forward_auto / conv2d_backward_auto). */
typedef enum {
    CONV_ALGO_AUTO = 0,
    CONV_ALGO_DIRECT,    /* chapter 01's loops forward, chapter 03's backward */
    CONV_ALGO_IM2COL,    /* im2col + GEMM, tiled (im2col.h)                   */
    CONV_ALGO_WINOGRAD,  /* Winograd F(2x2, 3x3), forward only (winograd.h)   */
    CONV_ALGO_WINOGRAD4, /* Winograd F(4x4, 3x3), forward only                */
    CONV_ALGO_FFT,       /* FFT convolution, forward only (fft.h)             */
    CONV_ALGO_COUNT
} ConvAlgo;

/* "auto", "direct", "im2col", "winograd", "winograd4", "fft"; NULL for a
 * value out of range. */
const char *conv_algo_name(ConvAlgo algo);
/* The ConvAlgo called name, or -1 when there is none. */
int conv_algo_parse(const char *name);
/* The algorithms' names as one '|'-separated list, "direct" first (the cnn
 * tool's --algo takes one of them; direct is its default). */
#define CONV_ALGO_WORDS "direct|im2col|winograd|winograd4|fft|auto"
/* CONV_ALGO_WORDS itself, and the algorithm of its k-th word (k from 0;
 * CONV_ALGO_DIRECT for a k out of range). */
const char *conv_algo_choices(void);
ConvAlgo conv_algo_nth_choice(int k);

/* NULL when algo computes this layer's forward (backward) pass; otherwise
 * one sentence saying why not, e.g. "winograd needs a 3x3 kernel with
 * stride 1 and dilation 1, but this layer has a 5x5 kernel". AUTO is
 * always supported. */
const char *conv2d_forward_unsupported(const Conv2dGeom *g, ConvAlgo algo);
const char *conv2d_backward_unsupported(const Conv2dGeom *g, ConvAlgo algo);

/* What AUTO runs for this layer, eq. (5.19): never AUTO, always an
 * algorithm that supports the layer. */
ConvAlgo conv2d_forward_auto(const Conv2dGeom *g);
ConvAlgo conv2d_backward_auto(const Conv2dGeom *g);
/* <<< algo_api */

/* >>> engine_api */
/* Bytes of workspace that algo needs for this layer, forward and backward,
 * at the current thread count (a multiple of 64; 0 when it needs none).
 * The im2col path's column buffers stay under IM2COL_BUDGET_BYTES whatever
 * the image size, eq. (5.7). */
size_t conv2d_workspace_bytes(const Conv2dGeom *g, ConvAlgo algo);

/* A 64-byte aligned block of `bytes` bytes for a workspace (free() it), or
 * NULL when bytes is 0; dies with a sentence when memory runs out. */
void *conv2d_workspace_alloc(size_t bytes);

/* y = conv2d(x, weight, bias) by algo; bias may be NULL. ws is 64-byte
 * aligned with ws_bytes >= conv2d_workspace_bytes(g, algo) (queried at the
 * same thread count), or NULL when that is 0. Returns 0, or -1 without
 * touching y when algo does not support the layer (the reason:
 * conv2d_forward_unsupported) or ws_bytes is too small. AUTO never fails
 * when given its workspace. */
int conv2d_forward_algo(const Conv2dGeom *g, const float *x,
                        const float *weight, const float *bias, float *y,
                        ConvAlgo algo, void *ws, size_t ws_bytes);

/* dx, dweight, dbias of conv2d by algo, the contract of chapter 03's
 * conv2d_backward: each non-NULL output overwritten, NULL skips it.
 * Returns 0, or -1 without touching any output, as conv2d_forward_algo. */
int conv2d_backward_algo(const Conv2dGeom *g, const float *x,
                         const float *weight, const float *dy, float *dx,
                         float *dweight, float *dbias, ConvAlgo algo,
                         void *ws, size_t ws_bytes);
/* <<< engine_api */

/* >>> machine_api */
/* The OpenMP thread count every parallel loop of the engine uses (OpenMP's
 * own setting: OMP_NUM_THREADS or this call). n >= 1. Without OpenMP, 1. */
void fastconv_set_threads(int n);
int fastconv_threads(void);

/* One line saying what this build runs: the SIMD path, VNNI for int8, and
 * the thread count, e.g. "AVX-512F (16 floats per vector), int8: AVX512-VNNI,
 * 2 OpenMP threads". For "which path runs" lines of tools and benchmarks. */
const char *fastconv_describe(char *buf, size_t len);
/* <<< machine_api */

#endif

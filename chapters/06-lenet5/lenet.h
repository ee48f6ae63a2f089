/* lenet.h: chapter 06, the LeNet-5 model, in two variants, assembled from
 * the layers of chapters 01-05 and layers.h. The contract between the
 * exercise skeleton (chapters/06-lenet5/lenet.c), the reference solution,
 * the given code (lenet_given.c) and the tests. Every equation number
 * refers to chapters/06-lenet5/lesson.md.
 *
 * Both variants read a batch of n grey images x of shape (n, 1, 32, 32)
 * (lenet_prepare_input pads a 28x28 digit to 32x32 and scales it) and give
 * n rows of 10 scores, "logits", for softmax cross-entropy (layers.h):
 *
 *   layer  LENET_1998 (LeCun et al. 1998)     LENET_MODERN
 *   C1     conv 1->6, 5x5       -> 6@28x28    the same
 *          scaled tanh (6.7)                  ReLU
 *   S2     subsampling (6.18)   -> 6@14x14    max-pool 2x2, stride 2
 *          scaled tanh
 *   C3     conv 6->16, 5x5, the connection    conv 6->16, 5x5, all 6 maps
 *          table of lenet_c3_table -> 16@10x10
 *          scaled tanh                        ReLU
 *   S4     subsampling          -> 16@5x5     max-pool 2x2, stride 2
 *          scaled tanh
 *   C5     conv 16->120, 5x5    -> 120@1x1    the same
 *          scaled tanh                        ReLU
 *   F6     linear 120->84                     the same
 *          scaled tanh                        ReLU
 *   output RBF (6.19): logits = minus the     linear 84->10
 *          squared distance to 10 fixed codes
 *
 * Every tensor of the model is float32, NCHW, as in the earlier chapters;
 * C5's output (n, 120, 1, 1) is F6's input (n, 120), the same memory.
 *
 * C5 is a convolution whose 5x5 kernels cover S4's whole 5x5 maps: it has
 * one output position, and its sums are those of a fully connected layer
 * over S4's 400 values, eq. (6.32), with its weight (120, 16, 5, 5) read
 * as (120, 400) and S4's output (n, 16, 5, 5) as (n, 400), the same
 * memory. The passes compute it with linear_forward and linear_backward
 * (C1 and C3 go through the convolution engine). The paper calls it a
 * convolution because on a larger input it would be one.
 * The model owns its memory: one slab of parameters, one of gradients, the
 * activations backward needs and the convolution engine's workspace, all
 * sized at lenet_create for a largest batch; the forward and backward
 * passes allocate nothing.
 */
#ifndef LENET_H
#define LENET_H

#include <stddef.h>
#include <stdint.h>

#include "01-convolution/conv.h"
#include "02-pooling/pool.h"
#include "05-fast-convolution/fastconv.h"
#include "layers.h"
#include "util.h"

/* >>> model */
typedef enum { LENET_1998 = 0, LENET_MODERN = 1 } LenetVariant;

enum {
    LENET_IN = 32,        /* input side: 28x28 digits padded by 2 */
    LENET_CLASSES = 10,
    LENET_C1 = 6, LENET_C3 = 16, LENET_C5 = 120, LENET_F6 = 84,
    LENET_K = 5,          /* every convolution's kernel side */
    LENET_RBF_ROWS = 12, LENET_RBF_COLS = 7 /* an RBF code is a 7x12 bitmap */
};

/* Views into a slab of parameters (or of their gradients): each pointer
 * addresses one tensor, in this order in the slab. A tensor the variant
 * does not have is NULL (S2, S4 in the modern net; out in the 1998 one,
 * whose output codes are fixed, not learned). */
typedef struct {
    float *c1_w, *c1_b;    /* (6, 1, 5, 5), (6)                          */
    float *s2_w, *s2_b;    /* (6), (6): subsampling coefficient and bias */
    float *c3_w, *c3_b;    /* (16, 6, 5, 5), (16)                        */
    float *s4_w, *s4_b;    /* (16), (16)                                 */
    float *c5_w, *c5_b;    /* (120, 16, 5, 5), (120)                     */
    float *f6_w, *f6_b;    /* (84, 120), (84)                            */
    float *out_w, *out_b;  /* (10, 84), (10)                             */
} LenetParams;

/* What the forward pass keeps for the backward pass, for up to `batch`
 * images; each buffer is (batch, C, H, W) at the shape named. */
typedef struct {
    const float *x;        /* the input of the last forward call       */
    float *h1;             /* C1 after its activation, 6@28x28          */
    float *p2;             /* 1998: S2's window means, 6@14x14          */
    float *h2;             /* S2 after its activation (modern: pooled)  */
    float *h3;             /* C3 after its activation, 16@10x10         */
    float *p4;             /* 1998: S4's window means, 16@5x5            */
    float *h4;             /* S4 after its activation, 16@5x5           */
    float *h5;             /* C5 after its activation, 120              */
    float *h6;             /* F6 after its activation, 84               */
    float *g1, *g2;        /* two gradient buffers of the largest size  */
} LenetActs;

typedef struct {
    LenetVariant variant;
    int batch;             /* the largest n a forward call may take     */
    size_t n_params;       /* floats in the parameter slab              */
    float *params, *grads; /* slabs of n_params floats                  */
    LenetParams p, dp;     /* views into params and grads               */
    LenetActs a;
    Conv2dGeom c1, c3, c5; /* each layer's geometry at n = batch        */
    Pool2dGeom s2, s4;     /* (the passes set .n to the call's n)       */
    ConvAlgo algo;         /* the engine's algorithm, CONV_ALGO_AUTO    */
    void *ws;              /* its workspace, ws_bytes bytes             */
    size_t ws_bytes;
} Lenet;
/* <<< model */

/* ---- given: building the model (lenet_given.c) ----------------------------- */

/* Allocates a model of the variant for batches of up to `batch` images
 * (batch >= 1): parameters and gradients zero (call lenet_init), the
 * activations, and the workspace of algo at the current thread count
 * (fastconv_set_threads first). 0, or -1 + e when algo cannot run one of
 * LeNet's layers or memory runs out. */
int lenet_create(Lenet *m, LenetVariant v, int batch, ConvAlgo algo,
                 CnnError *e);
void lenet_free(Lenet *m);

/* Number of floats in the parameter slab of a variant, and where each
 * tensor lives: lenet_views(v, slab, &views) points views into slab. */
size_t lenet_param_count(LenetVariant v);
void lenet_views(LenetVariant v, float *slab, LenetParams *views);

/* Initialises the parameters from seed (common/rng.h). 1998: LeCun's
 * rule, every weight and bias uniform in (-2.4/F, 2.4/F) with F the unit's
 * fan-in, eq. (6.20). Modern: He's rule for the layers a ReLU follows,
 * weights uniform in (-sqrt(6/F), sqrt(6/F)), eq. (6.28); the output layer
 * uniform in (-0.25/sqrt(F), 0.25/sqrt(F)), small, so that the untrained
 * net's loss is about ln 10, eq. (6.27); biases 0. C3's weights outside
 * the connection table are 0 (lenet_c3_mask). */
void lenet_init(Lenet *m, uint64_t seed);

/* C3's connection table, Table 1 of the 1998 paper: lenet_c3_table[o][c]
 * is 1 when output map o of C3 reads input map c of S2. */
extern const unsigned char lenet_c3_table[LENET_C3][LENET_C1];

/* Zeroes the entries of a C3 weight (or weight gradient) of shape
 * (16, 6, 5, 5) whose connection the table does not have. The 1998 net
 * keeps its C3 weights masked: masked at lenet_init, and its gradient
 * masked in lenet_backward, so that SGD never moves them off 0. */
void lenet_c3_mask(float *c3_w);

/* The 10 output codes of the 1998 net's RBF layer: code k is a 7x12
 * bitmap of digit k, read row by row into 84 values, +1 for ink ('#') and
 * -1 for paper ('.'). The paper's codes are its own 7x12 drawings of the
 * characters; these are ours. lenet_rbf_code(k, j) is element j of code
 * k, j < 84. */
extern const char *const lenet_rbf_bitmaps[LENET_CLASSES][LENET_RBF_ROWS];
float lenet_rbf_code(int k, int j);

/* Input scaling, eq. (6.21): pixel p in 0..255 becomes
 * (p / 255 - LENET_PIXEL_MEAN) / LENET_PIXEL_STD, MNIST's pixel mean and
 * standard deviation, so that the inputs have mean 0 and variance 1 over
 * the training set, as the 1998 paper asks (its own mapping, -0.1 for
 * paper and 1.175 for ink, gives MNIST a variance of only 0.15). Paper (0)
 * becomes -0.424; each 28x28 image is centred in a 32x32 frame of paper.
 * Fashion-MNIST (mean 0.286, deviation 0.353) is scaled the same way.
 * pixels is n images of 28x28 bytes, x is (n, 1, 32, 32). */
#define LENET_PIXEL_MEAN 0.1307f
#define LENET_PIXEL_STD 0.3081f
void lenet_prepare_input(const uint8_t *pixels, int n, float *x);

/* ---- given: LeNet's own layers ------------------------------------------ */

/* >>> subsample */
/* The 1998 subsampling layer (S2, S4), eq. (6.18): for each channel c, the
 * average of each non-overlapping 2x2 window (avgpool2d_forward of chapter
 * 02 with g, which is kernel 2, stride 2), scaled by the trainable
 * coefficient and shifted by the trainable bias:
 *   pooled[n][c][i][j] = (1/4) sum_{u,v < 2} x[n][c][2i+u][2j+v]
 *   y[n][c][i][j]      = coef[c] * 4 * pooled[n][c][i][j] + bias[c]
 * (4 pooled = the window's sum, as the paper writes it). pooled is kept
 * for the backward pass. */
void subsample_forward(const Pool2dGeom *g, const float *x, const float *coef,
                       const float *bias, float *pooled, float *y);

/* Its gradients: dcoef[c] = sum dy * 4 pooled, dbias[c] = sum dy, and
 * dx = avgpool2d_backward of dy * 4 coef[c]. dy is used as scratch (its
 * contents are lost); dcoef, dbias and dx are overwritten. */
void subsample_backward(const Pool2dGeom *g, const float *pooled,
                        const float *coef, float *dy, float *dx, float *dcoef,
                        float *dbias);
/* <<< subsample */

/* >>> rbf */
/* The 1998 output layer, eq. (6.19): logits[b][k] = -sum_j (x[b][j] -
 * code[k][j])^2, minus the squared Euclidean distance of F6's state to
 * each class's code; softmax cross-entropy on these logits is the paper's
 * loss, eq. (6.22). x is (n, 84), logits (n, 10). Backward, eq. (6.23):
 * dx[b][j] = sum_k dlogits[b][k] * (-2) (x[b][j] - code[k][j]). */
void rbf_forward(int n, const float *x, float *logits);
void rbf_backward(int n, const float *x, const float *dlogits, float *dx);
/* <<< rbf */

/* ---- the exercise (lenet.c) ---------------------------------------------- */

/* >>> passes */
/* Forward pass of n images, 1 <= n <= m->batch: x is (n, 1, 32, 32),
 * logits (n, 10). Runs the layers of the table at the top of this file in
 * order, C1 and C3 through the engine (conv2d_forward_algo with m->algo
 * and m->ws), C5 as the linear layer of eq. (6.32), and keeps in m->a
 * every activation the backward pass reads, including the pointer x: x
 * must stay unchanged until the backward pass of this batch. */
void lenet_forward(Lenet *m, const float *x, int n, float *logits);

/* Backward pass of the last forward call (same n): given dlogits = dL/d
 * logits (n, 10), overwrites every gradient in m->grads (views m->dp) with
 * dL/d parameter, eq. (6.24). The 1998 net's C3 gradient is masked by
 * lenet_c3_mask. The activations in m->a are read, not changed; m->a.g1
 * and m->a.g2 are scratch. */
void lenet_backward(Lenet *m, const float *dlogits, int n);
/* <<< passes */

/* ---- given: counts (for `cnn params` and the lesson) --------------------- */

/* >>> counts */
/* One row of the parameter table of a variant: the layer's name, what it
 * is, its output shape, its trainable parameters (for C3 of 1998, only
 * those the table connects) and its connections, each multiply-add and
 * each bias addition of one forward pass counted once, as the paper counts
 * them, eq. (6.25). */
typedef struct {
    const char *name;     /* "C1", "S2", ... "output" */
    const char *kind;     /* "conv 5x5", "subsampling 2x2", ... */
    int c, h, w;          /* output shape (h = w = 1 for a vector) */
    long long params, connections;
} LenetLayerInfo;

enum { LENET_LAYERS = 7 };

/* Fills rows[0 .. LENET_LAYERS-1]; returns the number of rows. */
int lenet_layer_table(LenetVariant v, LenetLayerInfo *rows);
/* <<< counts */

#endif

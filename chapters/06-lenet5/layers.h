/* layers.h: chapter 06, the layers LeNet-5 adds to convolution and pooling:
 * fully connected, the activations, softmax cross-entropy and the SGD
 * update. The contract between the exercise skeleton
 * (chapters/06-lenet5/layers.c), the reference solution and the tests.
 * Every equation number refers to chapters/06-lenet5/lesson.md.
 *
 * Layouts as in PyTorch: a batch of n vectors of length in is (n, in),
 * row-major; a linear layer's weight is (out, in) and its bias (out), as in
 * torch.nn.Linear. float32, contiguous. The caller allocates every output;
 * no function here allocates memory or keeps state between calls. As in
 * chapter 03, a backward function OVERWRITES each gradient it is given
 * (never adds to it), and a NULL gradient pointer skips that gradient.
 * Sizes: n, in, out and k are int, and every product of two of them (the
 * size of a buffer) is below 2^31; the element-wise functions take a
 * size_t count n.
 */
#ifndef LAYERS_H
#define LAYERS_H

#include <stddef.h>

/* ---- fully connected --------------------------------------------------- */

/* >>> linear */
/* Shape of one fully connected (linear) layer call: x is (n, in), weight is
 * (out, in), bias is (out), y is (n, out). n, in, out >= 1. */
typedef struct {
    int n, in, out;
} LinearGeom;

/* Forward pass, eq. (6.1):
 *   y[b][o] = bias[o] + sum_{i < in} weight[o][i] x[b][i]
 * (torch.nn.functional.linear). bias may be NULL (no bias). Every element
 * of y is written; y must not overlap x, weight or bias. */
void linear_forward(const LinearGeom *g, const float *x, const float *weight,
                    const float *bias, float *y);

/* Backward pass, eqs. (6.2)-(6.4), given dy = dL/dy of shape (n, out):
 *   dx[b][i]      = sum_{o < out} dy[b][o] weight[o][i]     (6.2)
 *   dweight[o][i] = sum_{b < n}   dy[b][o] x[b][i]          (6.3)
 *   dbias[o]      = sum_{b < n}   dy[b][o]                  (6.4)
 * dx is (n, in), dweight (out, in), dbias (out). Each is overwritten, and
 * each may be NULL to skip it; the others are the same whichever are NULL.
 * x is only read when dweight is not NULL, weight only when dx is not
 * NULL. The outputs must not overlap the inputs or each other. */
void linear_backward(const LinearGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias);
/* <<< linear */

/* ---- activations ----------------------------------------------------- */

/* >>> activations */
/* Element-wise activations over n elements. Each forward may run in place
 * (y == x); each backward is given the forward's OUTPUT y (not its input)
 * and dy = dL/dy, writes dx = dL/dx, and may run in place (dx == dy).
 * Otherwise the buffers must not overlap. Every x may be any finite float,
 * however large: no output or gradient may be NaN or infinite. */

/* y = tanh(x), eq. (6.5); backward dx = dy (1 - y^2), eq. (6.6). */
void tanh_forward(const float *x, float *y, size_t n);
void tanh_backward(const float *y, const float *dy, float *dx, size_t n);

/* LeCun's scaled tanh, eq. (6.7): y = A tanh(S x) with A = LECUN_A and
 * S = LECUN_S, so that f(1) = 0.99999 and f(-1) = -0.99999;
 * backward, eq. (6.8): dx = dy (S / A) (A^2 - y^2). */
#define LECUN_A 1.7159f
#define LECUN_S (2.0f / 3.0f)
void scaled_tanh_forward(const float *x, float *y, size_t n);
void scaled_tanh_backward(const float *y, const float *dy, float *dx,
                          size_t n);

/* y = sigmoid(x) = 1 / (1 + exp(-x)), eq. (6.9); backward
 * dx = dy y (1 - y), eq. (6.10). */
void sigmoid_forward(const float *x, float *y, size_t n);
void sigmoid_backward(const float *y, const float *dy, float *dx, size_t n);

/* y = max(x, 0), eq. (6.11); backward dx = dy where y > 0, else 0
 * (PyTorch's choice at x = 0: the gradient there is 0), eq. (6.12). */
void relu_forward(const float *x, float *y, size_t n);
void relu_backward(const float *y, const float *dy, float *dx, size_t n);
/* <<< activations */

/* ---- softmax cross-entropy ------------------------------------------- */

/* >>> softmax_ce */
/* Softmax cross-entropy over n rows of k logits (torch.nn.functional.
 * cross_entropy with reduction 'mean'), eqs. (6.13)-(6.15):
 *   probs[b][j] = exp(logits[b][j] - m_b) / sum_l exp(logits[b][l] - m_b),
 *   m_b = max_l logits[b][l]                                        (6.14)
 *   L = (1/n) sum_b [ log sum_l exp(logits[b][l] - m_b)
 *                     - (logits[b][labels[b]] - m_b) ]              (6.15)
 * Writes probs (n, k) and returns L. Subtracting m_b makes every
 * exponent <= 0: any finite logits give finite probs and a finite L, and
 * L >= 0. labels[b] is in 0 .. k-1; n >= 1, k >= 2. */
double softmax_cross_entropy_forward(const float *logits, const int *labels,
                                     int n, int k, float *probs);

/* Its gradient with respect to the logits, eq. (6.16):
 *   dlogits[b][j] = (probs[b][j] - [j == labels[b]]) / n
 * from the probs the forward wrote. dlogits (n, k) is overwritten; it may
 * be probs itself (in place). */
void softmax_cross_entropy_backward(const float *probs, const int *labels,
                                    int n, int k, float *dlogits);
/* <<< softmax_ce */

/* ---- the optimizer ----------------------------------------------------- */

/* >>> sgd */
/* Hyper-parameters of SGD with momentum and weight decay (torch.optim.SGD
 * with dampening 0, nesterov False). lr > 0, 0 <= momentum < 1,
 * weight_decay >= 0. */
typedef struct {
    float lr, momentum, weight_decay;
} SgdConfig;

/* One SGD step on n parameters, eq. (6.17), for each i:
 *   g = grad[i] + weight_decay * w[i]
 *   velocity[i] = momentum * velocity[i] + g
 *   w[i] = w[i] - lr * velocity[i]
 * w[i] on the right of g is the value before the step. velocity is zero
 * before the first step (the caller zeroes it), which makes the first step
 * plain SGD, exactly as PyTorch's. Updates w and velocity in place; grad
 * is only read. */
void sgd_step(const SgdConfig *c, float *w, const float *grad,
              float *velocity, size_t n);
/* <<< sgd */

#endif

/* layers.c: chapter 06, the exercises on layers. Implement the functions
 * marked TODO in the order they appear (the lesson's "Your turn" section)
 * and check each with `./build.sh check 06`. The contracts are in
 * layers.h; equation numbers refer to lesson.md. Nothing here allocates
 * memory. */
#include "layers.h"

#include <math.h>

/* ---- fully connected --------------------------------------------------- */

/* y[b][o] = bias[o] + sum_i weight[o][i] x[b][i], eq. (6.1); bias may be
 * NULL. */
void linear_forward(const LinearGeom *g, const float *x, const float *weight,
                    const float *bias, float *y)
{
    /* TODO: three loops (b, o, then i). View the buffers as 2-D arrays,
     * e.g. const float (*xa)[g->in] = (const float (*)[g->in])x; */
    (void)g;
    (void)x;
    (void)weight;
    (void)bias;
    (void)y;
}

/* dx = dy W (6.2), dW = dy^T x (6.3), db = column sums of dy (6.4); each
 * output overwritten, NULL skips it. */
void linear_backward(const LinearGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias)
{
    /* TODO: one block per gradient, each guarded by `if (dx)` etc. Every
     * gradient is a sum: start each from zero, never from what the buffer
     * held. */
    (void)g;
    (void)x;
    (void)weight;
    (void)dy;
    (void)dx;
    (void)dweight;
    (void)dbias;
}

/* ---- activations ----------------------------------------------------- */

/* y = tanh(x), eq. (6.5). */
void tanh_forward(const float *x, float *y, size_t n)
{
    /* TODO: use tanhf; (e^x - e^-x) / (e^x + e^-x) overflows to inf/inf =
     * NaN for |x| > 89. */
    (void)x;
    (void)y;
    (void)n;
}

/* dx = dy (1 - y^2), eq. (6.6), from the forward's OUTPUT y. */
void tanh_backward(const float *y, const float *dy, float *dx, size_t n)
{
    /* TODO */
    (void)y;
    (void)dy;
    (void)dx;
    (void)n;
}

/* y = A tanh(S x), eq. (6.7), with A = LECUN_A, S = LECUN_S. */
void scaled_tanh_forward(const float *x, float *y, size_t n)
{
    /* TODO */
    (void)x;
    (void)y;
    (void)n;
}

/* dx = dy (S / A) (A^2 - y^2), eq. (6.8). */
void scaled_tanh_backward(const float *y, const float *dy, float *dx,
                          size_t n)
{
    /* TODO */
    (void)y;
    (void)dy;
    (void)dx;
    (void)n;
}

/* y = 1 / (1 + exp(-x)), eq. (6.9), without overflow for any x. */
void sigmoid_forward(const float *x, float *y, size_t n)
{
    /* TODO: exp(-x) overflows for x < -88; write the sigmoid so that exp
     * only ever sees a negative argument (the lesson shows how). */
    (void)x;
    (void)y;
    (void)n;
}

/* dx = dy y (1 - y), eq. (6.10). */
void sigmoid_backward(const float *y, const float *dy, float *dx, size_t n)
{
    /* TODO */
    (void)y;
    (void)dy;
    (void)dx;
    (void)n;
}

/* y = max(x, 0), eq. (6.11). */
void relu_forward(const float *x, float *y, size_t n)
{
    /* TODO */
    (void)x;
    (void)y;
    (void)n;
}

/* dx = dy where y > 0, else 0, eq. (6.12). */
void relu_backward(const float *y, const float *dy, float *dx, size_t n)
{
    /* TODO */
    (void)y;
    (void)dy;
    (void)dx;
    (void)n;
}

/* ---- softmax cross-entropy ------------------------------------------- */

/* probs = softmax(logits) row by row, eq. (6.14); returns the mean of
 * log-sum-exp minus the true class's logit, eq. (6.15). */
double softmax_cross_entropy_forward(const float *logits, const int *labels,
                                     int n, int k, float *probs)
{
    /* TODO: for each row, find its largest logit m first, then exponentiate
     * logit - m (every exponent <= 0, so nothing overflows). Sum the rows'
     * losses and divide by n. */
    (void)logits;
    (void)labels;
    (void)n;
    (void)k;
    (void)probs;
    return 0.0;
}

/* dlogits[b][j] = (probs[b][j] - [j == labels[b]]) / n, eq. (6.16). */
void softmax_cross_entropy_backward(const float *probs, const int *labels,
                                    int n, int k, float *dlogits)
{
    /* TODO */
    (void)probs;
    (void)labels;
    (void)n;
    (void)k;
    (void)dlogits;
}

/* ---- the optimizer ----------------------------------------------------- */

/* g = grad + weight_decay w; v = momentum v + g; w -= lr v, eq. (6.17). */
void sgd_step(const SgdConfig *c, float *w, const float *grad,
              float *velocity, size_t n)
{
    /* TODO: one loop over the n parameters, the three lines of eq. (6.17)
     * in that order. */
    (void)c;
    (void)w;
    (void)grad;
    (void)velocity;
    (void)n;
}

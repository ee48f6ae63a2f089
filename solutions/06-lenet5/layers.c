/* layers.c: chapter 06, the reference solution for layers.h. Loops in the
 * order of the lesson's equations, pointer-to-array views so that the code
 * indexes x[b][i] as the equations do; sums accumulate in float. The
 * innermost loops run along contiguous rows, so the compiler vectorizes
 * them; a dot product's lanes are summed at the end (`omp simd reduction`,
 * which reorders the float additions: the tests' tolerance allows it). */
#include "layers.h"

#include <math.h>

/* ---- fully connected --------------------------------------------------- */

/* The linear layers carry most of the arithmetic after the convolutions
 * (C5 is one, eq. 6.32): GCC builds them for AVX-512, AVX2 and plain
 * x86-64 and picks one at run time (target_clones), since the build has no
 * -march flag. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES
void linear_forward(const LinearGeom *g, const float *x, const float *weight,
                    const float *bias, float *y)
{
    const float (*xa)[g->in] = (const float (*)[g->in])x;
    const float (*wa)[g->in] = (const float (*)[g->in])weight;
    float (*ya)[g->out] = (float (*)[g->out])y;
    for (int b = 0; b < g->n; b++)
        for (int o = 0; o < g->out; o++) {
            float acc = 0.0f; /* eq. (6.1); simd: a sum in 4-16 lanes */
#pragma omp simd reduction(+ : acc)
            for (int i = 0; i < g->in; i++)
                acc += wa[o][i] * xa[b][i];
            if (bias) acc += bias[o];
            ya[b][o] = acc;
        }
}

VECTOR_CLONES
void linear_backward(const LinearGeom *g, const float *x, const float *weight,
                     const float *dy, float *dx, float *dweight, float *dbias)
{
    const float (*xa)[g->in] = (const float (*)[g->in])x;
    const float (*wa)[g->in] = (const float (*)[g->in])weight;
    const float (*dya)[g->out] = (const float (*)[g->out])dy;
    if (dx) {
        float (*dxa)[g->in] = (float (*)[g->in])dx;
        for (int b = 0; b < g->n; b++) {
            for (int i = 0; i < g->in; i++)
                dxa[b][i] = 0.0f;
            for (int o = 0; o < g->out; o++) /* eq. (6.2), row by row of W */
                for (int i = 0; i < g->in; i++)
                    dxa[b][i] += dya[b][o] * wa[o][i];
        }
    }
    if (dweight) {
        float (*dwa)[g->in] = (float (*)[g->in])dweight;
        for (int o = 0; o < g->out; o++)
            for (int i = 0; i < g->in; i++)
                dwa[o][i] = 0.0f;
        for (int b = 0; b < g->n; b++) /* eq. (6.3): a sum of outer products */
            for (int o = 0; o < g->out; o++)
                for (int i = 0; i < g->in; i++)
                    dwa[o][i] += dya[b][o] * xa[b][i];
    }
    if (dbias)
        for (int o = 0; o < g->out; o++) {
            float acc = 0.0f; /* eq. (6.4) */
            for (int b = 0; b < g->n; b++)
                acc += dya[b][o];
            dbias[o] = acc;
        }
}

/* ---- activations ----------------------------------------------------- */

void tanh_forward(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanhf(x[i]); /* eq. (6.5); tanhf saturates to +-1, never NaN */
}

void tanh_backward(const float *y, const float *dy, float *dx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * (1.0f - y[i] * y[i]); /* eq. (6.6) */
}

void scaled_tanh_forward(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = LECUN_A * tanhf(LECUN_S * x[i]); /* eq. (6.7) */
}

void scaled_tanh_backward(const float *y, const float *dy, float *dx,
                          size_t n)
{
    const float c = LECUN_S / LECUN_A;
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * c * (LECUN_A * LECUN_A - y[i] * y[i]); /* eq. (6.8) */
}

void sigmoid_forward(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* eq. (6.9) written so that exp never overflows: exp(-|x|) <= 1 */
        float e = expf(-fabsf(x[i]));
        y[i] = x[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

void sigmoid_backward(const float *y, const float *dy, float *dx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * y[i] * (1.0f - y[i]); /* eq. (6.10) */
}

void relu_forward(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f; /* eq. (6.11) */
}

void relu_backward(const float *y, const float *dy, float *dx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float d = dy[i]; /* read unconditionally: the loop vectorizes */
        dx[i] = y[i] > 0.0f ? d : 0.0f; /* eq. (6.12) */
    }
}

/* ---- softmax cross-entropy ------------------------------------------- */

double softmax_cross_entropy_forward(const float *logits, const int *labels,
                                     int n, int k, float *probs)
{
    const float (*z)[k] = (const float (*)[k])logits;
    float (*p)[k] = (float (*)[k])probs;
    double total = 0.0;
    for (int b = 0; b < n; b++) {
        float m = z[b][0]; /* eq. (6.14): the row's largest logit */
        for (int j = 1; j < k; j++)
            m = z[b][j] > m ? z[b][j] : m;
        float sum = 0.0f;
        for (int j = 0; j < k; j++) {
            p[b][j] = expf(z[b][j] - m);
            sum += p[b][j];
        }
        for (int j = 0; j < k; j++)
            p[b][j] /= sum;
        /* eq. (6.15): log-sum-exp minus the true class's shifted logit */
        total += (double)logf(sum) - (double)(z[b][labels[b]] - m);
    }
    return total / n;
}

void softmax_cross_entropy_backward(const float *probs, const int *labels,
                                    int n, int k, float *dlogits)
{
    const float (*p)[k] = (const float (*)[k])probs;
    float (*d)[k] = (float (*)[k])dlogits;
    const float inv_n = 1.0f / (float)n;
    for (int b = 0; b < n; b++)
        for (int j = 0; j < k; j++) /* eq. (6.16) */
            d[b][j] = (p[b][j] - (j == labels[b] ? 1.0f : 0.0f)) * inv_n;
}

/* ---- the optimizer ----------------------------------------------------- */

void sgd_step(const SgdConfig *c, float *w, const float *grad,
              float *velocity, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] + c->weight_decay * w[i]; /* eq. (6.17) */
        velocity[i] = c->momentum * velocity[i] + g;
        w[i] -= c->lr * velocity[i];
    }
}

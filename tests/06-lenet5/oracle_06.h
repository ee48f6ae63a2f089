/* oracle_06.h: the double-precision reference the chapter 06 tests compare
 * against, and the outputs of typical mistakes (for the hints).
 *
 * Written independently of the solution, straight from the lesson's
 * equations, in double: every layer of layers.h, and the whole LeNet-5 in
 * both variants, forward and backward (its own convolution, pooling and
 * subsampling loops, not chapters 01-05's). A "mistake" computes what a
 * typical wrong implementation returns, so that a test can name the
 * mistake when a student's output matches it; every check offers every
 * mistake it knows, with the same words in every test (one hint per
 * mistake).
 *
 * Beyond the values, the checks hold the functions to the rest of the
 * headers' contracts: inputs only read, gradients overwritten (the output
 * buffers hold garbage before the call), NULL gradients skipped, nothing
 * written past an output, nothing allocated.
 */
#ifndef ORACLE_06_H
#define ORACLE_06_H

#include <stddef.h>
#include <stdint.h>

#include "grade.h"
#include "layers.h"
#include "lenet.h"

/* Tolerance of the layer comparisons: relative error 1e-4 against the
 * double reference, with grade.h's floor at 1% of the largest |expected|
 * (a float sum of K <= 200 products carries about sqrt(K) 2^-24 of its
 * terms' scale, far below). The whole network: 2e-3, floor 1e-2 (seven
 * layers of float rounding, each adding ~1e-6 relative, amplified by the
 * loss's sensitivity; any real mistake is off by far more). */
#define L_RTOL 1e-4
#define L_FLOOR 1e-2
#define NET_RTOL 2e-3
#define NET_FLOOR 1e-2

/* ---- hints, quoted by the mutants ----------------------------------------- */

#define HINT_ACCUMULATE                                                      \
    "a gradient was added to what the buffer held: every gradient is "       \
    "OVERWRITTEN (start each sum from 0), never accumulated into the buffer"
#define HINT_NULL_SKIP                                                       \
    "a NULL gradient pointer means: skip that gradient (test it before "     \
    "writing), and x or weight may then be NULL too"
#define HINT_BIAS_NULL                                                       \
    "bias may be NULL, meaning no bias: test it before reading bias[o]"
#define HINT_ALLOC                                                           \
    "the functions of layers.h and the LeNet passes allocate nothing: every " \
    "buffer comes from the caller (or the model, allocated once by "          \
    "lenet_create)"
#define HINT_NOT_FINITE                                                      \
    "the output is NaN or infinite for large |x|: compute it so that no "    \
    "intermediate overflows (for the sigmoid, exp of -|x| only; for tanh, "  \
    "tanhf)"
#define HINT_SOFTMAX_OVERFLOW                                                \
    "softmax overflows for large logits: subtract each row's largest logit " \
    "before exp, eq. (6.14)"
#define HINT_PAST_OUTPUT                                                     \
    "the function wrote past the end of its output: check the loop bounds "  \
    "and the row length"
#define HINT_BATCH_N                                                         \
    "lenet_forward ran its layers on more than n images (on m->batch of "    \
    "them): copy each geometry and set its .n to the call's n"

/* ---- fully connected -------------------------------------------------------- */

typedef enum {
    LIN_RIGHT,
    LIN_NO_BIAS,        /* bias never added */
    LIN_W_TRANSPOSED,   /* weight read as (in, out): W[i][o] */
    LIN_DX_NO_T,        /* dx from W read as (in, out) */
    LIN_DW_TRANSPOSED,  /* dW written as (in, out) */
    LIN_DW_LAST_ONLY,   /* dW from the last example only: = not += over b */
    LIN_DB_MEAN,        /* db averaged over the batch instead of summed */
    LIN_N_MISTAKES
} LinMistake;

void oracle_linear_forward(const LinearGeom *g, const float *x, const float *w,
                           const float *b, LinMistake m, double *y);
/* Which of dx, dw, db: 1, 2, 4. */
void oracle_linear_backward(const LinearGeom *g, const float *x,
                            const float *w, const float *dy, LinMistake m,
                            double *dx, double *dw, double *db);
const char *oracle_lin_hint(LinMistake m);

/* Random x, weight, bias (none when !has_bias) from seed; checks y. */
void check_linear_forward(const LinearGeom *g, int has_bias, uint64_t seed);

enum { GRAD_DX = 1, GRAD_DW = 2, GRAD_DB = 4, GRAD_ALL = 7 };
/* Random x, weight, dy from seed; runs linear_backward with the gradients
 * in `which` (the others NULL; x NULL unless dw is asked, weight NULL
 * unless dx is), the outputs filled with garbage first, and checks each. */
void check_linear_backward(const LinearGeom *g, int which, uint64_t seed);

/* ---- activations ----------------------------------------------------------- */

typedef enum { ACT_TANH, ACT_SCALED_TANH, ACT_SIGMOID, ACT_RELU, ACT_COUNT } Act;

const char *act_name(Act a);
/* Runs act's forward on x[0..n-1] (then in place on a copy) and its
 * backward from the forward's output with dy drawn from seed (then in
 * place), and checks all four against eqs. (6.5)-(6.12). */
void check_activation(Act a, const float *x, size_t n, uint64_t seed,
                      const char *what);

/* ---- softmax cross-entropy ------------------------------------------------- */

/* Checks probs and the loss of the forward, then the backward (and the
 * backward in place) on the given logits and labels. */
void check_softmax_ce(const float *logits, const int *labels, int n, int k,
                      const char *what);

/* ---- SGD -------------------------------------------------------------------- */

/* Runs `steps` calls of sgd_step on n random parameters with fresh random
 * gradients (seeded) and checks w and velocity after each. */
void check_sgd(const SgdConfig *c, int steps, size_t n, uint64_t seed);

/* ---- the whole network ------------------------------------------------------- */

/* The network in double, eqs. (6.18)-(6.24): logits of n images. */
void oracle_lenet_forward(LenetVariant v, const float *params, const float *x,
                          int n, double *logits);
/* Loss (mean softmax cross-entropy) of the network at params given as
 * doubles (for the numerical gradient), and optionally the analytic
 * gradient of that loss in dparams (n_params doubles). */
double oracle_lenet_loss(LenetVariant v, const double *params,
                         const float *x, const int *labels, int n,
                         double *dparams);

/* Creates a model of batch `batch` with lenet_init(seed) parameters (biases
 * nudged so that no ReLU is dead), random x of n images. Then checks the
 * logits of lenet_forward (n <= batch) against the oracle, that nothing
 * past n rows was written, inputs unchanged, no allocation. */
void check_lenet_forward(LenetVariant v, int n, int batch, uint64_t seed);
/* Forward then backward with random labels; checks every gradient tensor
 * against the oracle's (and C3's masked entries are exactly 0 in 1998). */
void check_lenet_backward(LenetVariant v, int n, uint64_t seed);
/* Central differences of the double oracle's loss (step 1e-6) against
 * lenet_backward's gradient, on `per_tensor` entries of every parameter
 * tensor; fails when the largest error of eq. (6.26), with its floor at
 * 1e-2 of the tensor's largest component, exceeds 5e-3. */
void check_lenet_gradcheck(LenetVariant v, int n, int per_tensor,
                           uint64_t seed);

/* ---- helpers ---------------------------------------------------------------- */

float *random_floats(size_t n, uint64_t seed, float lo, float hi);
size_t alloc_count(void);

#endif

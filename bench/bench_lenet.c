/* bench_lenet.c: the timing entry for chapter 06's LeNet-5, for
 * bench/bench.c to call (and bench/lenet_torch.py's C side, which runs
 * `cnn train --bench`, measures the same steps on real data).
 *
 *   double bench_lenet_train(int threads, int images, int batch,
 *                            double *peak_rss);
 *
 * Trains the modern LeNet-5 (chapter 06, reference build) on `images`
 * random 32x32 inputs in batches of `batch`: forward, softmax
 * cross-entropy, backward and an SGD step with momentum per batch, the
 * convolutions on the engine with `threads` OpenMP threads. Returns the
 * wall-clock seconds of those steps (model creation excluded) and, when
 * peak_rss is not NULL, the process's peak resident memory afterwards.
 * Seconds per epoch of Fashion-MNIST = the result for images = 60000.
 */
#include <stdlib.h>

#include "06-lenet5/train.h"
#include "rng.h"
#include "timer.h"
#include "util.h"

double bench_lenet_train(int threads, int images, int batch, double *peak_rss);

double bench_lenet_train(int threads, int images, int batch, double *peak_rss)
{
    Lenet m;
    CnnError e = {""};
    fastconv_set_threads(threads);
    if (lenet_create(&m, LENET_MODERN, batch, CONV_ALGO_AUTO, &e)) cnn_die("%s", e.msg);
    lenet_init(&m, 1);
    float *x = xmalloc((size_t)batch * LENET_IN * LENET_IN * sizeof *x);
    float *z = xmalloc((size_t)batch * LENET_CLASSES * sizeof *z);
    float *p = xmalloc((size_t)batch * LENET_CLASSES * sizeof *p);
    float *v = xcalloc(m.n_params, sizeof *v);
    int *lab = xmalloc((size_t)batch * sizeof *lab);
    Rng r;
    rng_seed(&r, 6);
    rng_fill_normal(&r, x, (size_t)batch * LENET_IN * LENET_IN, 0.0f, 1.0f);
    for (int k = 0; k < batch; k++) lab[k] = (int)rng_below(&r, LENET_CLASSES);
    const SgdConfig c = {.lr = 0.05f, .momentum = 0.9f, .weight_decay = 5e-4f};
    double t0 = timer_now();
    for (int done = 0; done < images; done += batch) {
        int n = images - done < batch ? images - done : batch;
        lenet_forward(&m, x, n, z);
        softmax_cross_entropy_forward(z, lab, n, LENET_CLASSES, p);
        softmax_cross_entropy_backward(p, lab, n, LENET_CLASSES, p);
        lenet_backward(&m, p, n);
        sgd_step(&c, m.params, m.grads, v, m.n_params);
    }
    double seconds = timer_now() - t0;
    if (peak_rss) *peak_rss = peak_rss_mb();
    free(x); free(z); free(p); free(v); free(lab);
    lenet_free(&m);
    return seconds;
}

/* test5_lenet.c: LeNet-5 assembled, both variants: lenet_forward and
 * lenet_backward against a double-precision network written independently
 * (oracle_06.c), a gradient check of the whole model in double precision,
 * and the sanity ladder of the lesson's section "Is it learning?": the
 * initial loss is about ln 10, and the net can fit 100 training images
 * perfectly. The convolutions and pooling come from the reference build of
 * chapters 01-05; layers.h is yours. */
#include <math.h>
#include <stdlib.h>

#include "dataset.h"
#include "grade.h"
#include "oracle_06.h"

/* clause: net-forward */
/* clause: net-modern */
/* clause: net-engine */
/* clause: net-no-alloc */
START_TEST(test_forward_modern)
{
    check_lenet_forward(LENET_MODERN, 2, 2, 1001);
}
END_TEST

/* clause: net-forward */
/* clause: net-1998 */
START_TEST(test_forward_1998)
{
    check_lenet_forward(LENET_1998, 2, 2, 1011);
}
END_TEST

/* A model built for batches of 4 runs one image, then three. */
/* clause: net-n */
START_TEST(test_forward_n_below_batch)
{
    check_lenet_forward(LENET_MODERN, 1, 4, 1021);
    check_lenet_forward(LENET_1998, 3, 4, 1022);
}
END_TEST

/* clause: net-backward */
/* clause: net-keeps */
/* clause: overwrite */
START_TEST(test_backward_modern)
{
    check_lenet_backward(LENET_MODERN, 2, 1031);
}
END_TEST

/* clause: net-backward */
/* clause: net-c3-mask */
START_TEST(test_backward_1998)
{
    check_lenet_backward(LENET_1998, 2, 1041);
}
END_TEST

/* clause: net-backward */
START_TEST(test_gradcheck)
{
    check_lenet_gradcheck(LENET_MODERN, 2, 6, 1051);
    check_lenet_gradcheck(LENET_1998, 1, 6, 1052);
}
END_TEST

/* Loads the first n images of the committed MNIST sample, scaled. */
static float *sample_images(int n, int *labels)
{
    CnnError e = {""};
    DataLocation loc;
    Dataset d;
    if (data_locate_sample("mnist", &loc, &e) ||
        dataset_open(&d, &loc, "train", 10, &e))
        ck_abort_msg("test setup: %s", e.msg);
    uint8_t *px = malloc((size_t)n * 784);
    int *idx = malloc((size_t)n * sizeof *idx);
    for (int i = 0; i < n; i++) {
        idx[i] = i;
        labels[i] = d.labels[i];
    }
    if (dataset_images(&d, idx, n, px, &e)) ck_abort_msg("test setup: %s", e.msg);
    float *x = malloc((size_t)n * LENET_IN * LENET_IN * sizeof *x);
    lenet_prepare_input(px, n, x);
    free(px);
    free(idx);
    dataset_close(&d);
    return x;
}

/* An untrained net guesses: the loss is about ln 10 = 2.303, eq. (6.27). */
/* clause: ce-loss */
START_TEST(test_initial_loss)
{
    enum { N = 32 };
    int lab[N];
    float *x = sample_images(N, lab);
    Lenet m;
    CnnError e = {""};
    fastconv_set_threads(1); /* tests run side by side: no oversubscription */
    if (lenet_create(&m, LENET_MODERN, N, CONV_ALGO_AUTO, &e)) ck_abort_msg("%s", e.msg);
    lenet_init(&m, 1);
    float z[N * 10], p[N * 10];
    lenet_forward(&m, x, N, z);
    double loss = softmax_cross_entropy_forward(z, lab, N, 10, p);
    lenet_free(&m);
    free(x);
    if (!(fabs(loss - log(10.0)) < 0.15))
        ck_abort_msg("the untrained lenet5-modern (lenet_init seed 1) on 32 MNIST "
                     "digits has a loss of %.4f; an untrained 10-class network "
                     "should be near ln 10 = 2.3026 (within 0.15), eq. (6.27): its "
                     "logits are small and nearly equal. Check lenet_forward and "
                     "softmax_cross_entropy_forward.", loss);
}
END_TEST

/* 100 digits in batches of 10, SGD with momentum 0.9 and lr 0.005 (0.0005
 * in the last two epochs): within 10 epochs (100 steps) the net must
 * classify every one of them, the lesson's "overfit a small set" rung.
 * Checked after every epoch from the 5th (it gets there in 5 to 9); a
 * loss still above 2 after 3 epochs fails at once (nothing is learning). */
/* clause: net-learns */
START_TEST(test_overfit_100)
{
    enum { N = 100, B = 10, EPOCHS = 10 };
    int lab[N];
    float *x = sample_images(N, lab);
    Lenet m;
    CnnError e = {""};
    fastconv_set_threads(1); /* tests run side by side: no oversubscription */
    if (lenet_create(&m, LENET_MODERN, B, CONV_ALGO_AUTO, &e)) ck_abort_msg("%s", e.msg);
    lenet_init(&m, 3);
    float *v = calloc(m.n_params, sizeof *v), z[B * 10], p[B * 10];
    SgdConfig c = {.lr = 0.005f, .momentum = 0.9f, .weight_decay = 0.0f};
    int correct = 0, epoch = 0;
    double loss = 0;
    while (correct < N && epoch < EPOCHS) {
        if (epoch == EPOCHS - 2) c.lr = 0.0005f;
        loss = 0;
        for (int s = 0; s < N; s += B) {
            lenet_forward(&m, x + (size_t)s * LENET_IN * LENET_IN, B, z);
            loss += softmax_cross_entropy_forward(z, lab + s, B, 10, p) * B / N;
            softmax_cross_entropy_backward(p, lab + s, B, 10, p);
            lenet_backward(&m, p, B);
            sgd_step(&c, m.params, m.grads, v, m.n_params);
        }
        epoch++;
        if (epoch == 3 && !(loss < 2.0)) break; /* not learning */
        if (epoch < 5) continue; /* never done before: saves time */
        correct = 0;
        for (int s = 0; s < N; s += B) {
            lenet_forward(&m, x + (size_t)s * LENET_IN * LENET_IN, B, z);
            for (int b = 0; b < B; b++) {
                int best = 0;
                for (int k = 1; k < 10; k++)
                    if (z[b * 10 + k] > z[b * 10 + best]) best = k;
                correct += best == lab[s + b];
            }
        }
    }
    lenet_free(&m);
    free(v);
    free(x);
    if (correct != N)
        ck_abort_msg("after %d epochs of 10 steps (batches of 10, lr 0.005, momentum "
                     "0.9) on 100 MNIST digits, lenet5-modern classifies %d of them "
                     "correctly (mean loss of the last epoch %.4f); a working network "
                     "and SGD fit all 100 within 10 epochs. The other tests of this "
                     "chapter say which part is wrong.", epoch, correct, loss);
}
END_TEST

GRADED_SUITE(lenet_suite, "LeNet-5",
    GRADED(test_forward_modern, 4, "lenet_forward: modern LeNet-5, 2 images"),
    GRADED(test_forward_1998, 4, "lenet_forward: the 1998 LeNet-5, 2 images"),
    GRADED(test_forward_n_below_batch, 2, "lenet_forward: n smaller than the model's batch"),
    GRADED(test_backward_modern, 4, "lenet_backward: modern LeNet-5, every gradient"),
    GRADED(test_backward_1998, 4, "lenet_backward: the 1998 LeNet-5, C3's table"),
    GRADED(test_gradcheck, 3, "lenet_backward: gradient check in double precision"),
    GRADED(test_initial_loss, 2, "sanity: the untrained net's loss is about ln 10"),
    GRADED(test_overfit_100, 3, "sanity: 100 steps fit 100 digits perfectly"));

/* experiment.c: chapter 06's experiment. Run it with `./build.sh run 06`
 * (your code) or `./build.sh run 06 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) Trains lenet5-modern and the 1998 lenet5 on MNIST (the full 8,000 /
 *     2,000 split of datasets/fetch.sh when it is there, else the committed
 *     sample) for EPOCHS epochs each, same seed: steps_V.dat (every step's
 *     loss and accuracy), epochs_V.dat (per-epoch train and test loss and
 *     accuracy).
 * (b) What the modern net learned: its six conv1 filters (filters_V.dat),
 *     the feature maps of one test digit through every layer (fmap_*.dat),
 *     the confusion matrix of the test set (confusion.dat), and the first
 *     misclassified test digits (misclassified.dat, misclassified_labels.dat).
 * (c) int8 inference of the trained modern net: its three convolutions run
 *     through chapter 05's quantized convolution (quant.h's hook), every
 *     other layer in float; accuracy against fp32 (int8.dat).
 * (d) Memory at batch B: what the lesson counts (weights, gradients,
 *     velocity, kept activations, scratch, workspace) beside the peak
 *     resident memory a training child process measures (memory.dat).
 * (e) The 1998 net's fixed output codes, for the lesson: rbf_codes.dat.
 * summary.dat records the data set used and the final accuracies.
 *
 * Deterministic: seeds are fixed and the engine runs on one thread. Every
 * .dat file is written atomically.
 */
#define _DEFAULT_SOURCE /* wait4, to read a child's peak memory */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "05-fast-convolution/quant.h"
#include "atomic_file.h"
#include "dat.h"
#include "lenet.h"
#include "rng.h"
#include "train.h"
#include "util.h"

#define EPOCHS 10
#define SEED 1
#define N_WRONG 24

static const char *outdir;

static void die_on(int rc, const CnnError *e)
{
    if (rc) cnn_die("%s", e->msg);
}

static FILE *open_dat(AtomicFile *af, const char *name)
{
    CnnError e = {""};
    die_on(atomic_open_in(af, outdir, name, &e), &e);
    return af->fp;
}

static void close_dat(AtomicFile *af)
{
    CnnError e = {""};
    die_on(atomic_commit(af, &e), &e);
}

static void write_matrix(const char *name, const char *what, const float *m,
                         int rows, int cols)
{
    CnnError e = {""};
    die_on(dat_write_matrix(outdir, name, what, m, rows, cols, &e), &e);
}

/* ---- (a) training ------------------------------------------------------------ */

typedef struct {
    AtomicFile af;
} StepLog;

static void on_step(void *ctx, long long step, double loss, double acc)
{
    StepLog *l = ctx;
    fprintf(l->af.fp, "%lld %.6f %.4f\n", step, loss, acc);
}

static void train_variant(LenetVariant v, Lenet *m, TrainResult *r)
{
    char name[64];
    StepLog log;
    snprintf(name, sizeof name, "steps_%s.dat", lenet_model_name(v));
    open_dat(&log.af, name);
    fprintf(log.af.fp, "# %s on MNIST: step, the step's loss, its accuracy\n",
            lenet_model_name(v));
    TrainConfig c = train_defaults();
    c.variant = v;
    c.data = "mnist";
    c.epochs = EPOCHS;
    c.seed = SEED;
    c.threads = 1;
    c.verbose = 1;
    if (v == LENET_1998) c.sgd.lr = 0.01f;
    else c.sgd.weight_decay = 1e-3f;
    char metrics[4200];
    snprintf(metrics, sizeof metrics, "%s/epochs_%s.dat", outdir, lenet_model_name(v));
    c.metrics = metrics;
    c.on_step = on_step;
    c.ctx = &log;
    CnnError e = {""};
    printf("training %s on MNIST for %d epochs (lr %g, momentum %g, weight "
           "decay %g, cosine schedule, batch %d, seed %d)\n",
           lenet_model_name(v), EPOCHS, (double)c.sgd.lr, (double)c.sgd.momentum,
           (double)c.sgd.weight_decay, c.batch, SEED);
    fflush(stdout);
    die_on(train_lenet(&c, m, r, &e), &e);
    close_dat(&log.af);
}

/* ---- (b) what the net learned ----------------------------------------------------- */

/* Lays out c maps of h x w side by side, a gap of NaN between them (gnuplot
 * draws NaN as background), in rows of `per_row`. */
static float *mosaic(const float *maps, int c, int h, int w, int per_row,
                     int *rows, int *cols)
{
    const int gap = 1 + w / 8;
    const int nr = (c + per_row - 1) / per_row;
    *rows = nr * h + (nr - 1) * gap;
    *cols = per_row * w + (per_row - 1) * gap;
    float *out = xmalloc((size_t)*rows * *cols * sizeof *out);
    for (size_t i = 0; i < (size_t)*rows * *cols; i++) out[i] = NAN;
    for (int k = 0; k < c; k++) {
        int r0 = (k / per_row) * (h + gap), c0 = (k % per_row) * (w + gap);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                out[(size_t)(r0 + i) * *cols + c0 + j] = maps[((size_t)k * h + i) * w + j];
    }
    return out;
}

static void write_mosaic(const char *name, const char *what, const float *maps,
                         int c, int h, int w, int per_row)
{
    int rows, cols;
    float *m = mosaic(maps, c, h, w, per_row, &rows, &cols);
    write_matrix(name, what, m, rows, cols);
    free(m);
}

static void write_filters(const Lenet *m)
{
    char name[64], what[96];
    snprintf(name, sizeof name, "filters_%s.dat", lenet_model_name(m->variant));
    snprintf(what, sizeof what, "the six 5x5 conv1 filters of the trained %s",
             lenet_model_name(m->variant));
    write_mosaic(name, what, m->p.c1_w, LENET_C1, LENET_K, LENET_K, 6);
}

/* Every layer's output for test image `index` (the modern net). */
static void write_feature_maps(Lenet *m, const Dataset *test, int index)
{
    CnnError e = {""};
    uint8_t px[784];
    float x[LENET_IN * LENET_IN], z[LENET_CLASSES], p[LENET_CLASSES];
    die_on(dataset_images(test, &index, 1, px, &e), &e);
    lenet_prepare_input(px, 1, x);
    lenet_forward(m, x, 1, z);
    int label = test->labels[index];
    softmax_cross_entropy_forward(z, &label, 1, LENET_CLASSES, p);
    write_matrix("fmap_input.dat", "the input digit, 32x32, scaled", x, LENET_IN, LENET_IN);
    write_mosaic("fmap_c1.dat", "C1 after ReLU, 6@28x28", m->a.h1, 6, 28, 28, 6);
    write_mosaic("fmap_s2.dat", "S2 (max-pool), 6@14x14", m->a.h2, 6, 14, 14, 6);
    write_mosaic("fmap_c3.dat", "C3 after ReLU, 16@10x10", m->a.h3, 16, 10, 10, 8);
    write_mosaic("fmap_s4.dat", "S4 (max-pool), 16@5x5", m->a.h4, 16, 5, 5, 8);
    write_matrix("fmap_c5.dat", "C5 after ReLU, 120 units as 6x20", m->a.h5, 6, 20);
    write_matrix("fmap_f6.dat", "F6 after ReLU, 84 units as 6x14", m->a.h6, 6, 14);
    AtomicFile af;
    FILE *f = open_dat(&af, "fmap_out.dat");
    fprintf(f, "# test digit %d (label %d): class, probability\n", index, label);
    for (int k = 0; k < LENET_CLASSES; k++) fprintf(f, "%d %.6f\n", k, p[k]);
    close_dat(&af);
}

static void write_confusion_and_mistakes(Lenet *m, const Dataset *test,
                                         double *acc_out)
{
    CnnError e = {""};
    long long conf[LENET_CLASSES * LENET_CLASSES];
    int *pred = xmalloc((size_t)test->n * sizeof *pred);
    double loss, acc;
    die_on(lenet_evaluate(m, test, &loss, &acc, conf, pred, &e), &e);
    *acc_out = acc;
    AtomicFile af;
    FILE *f = open_dat(&af, "confusion.dat");
    fprintf(f, "# lenet5-modern on %d MNIST test digits (accuracy %.2f%%): "
            "true class, predicted class, count\n", test->n, 100 * acc);
    for (int t = 0; t < LENET_CLASSES; t++) {
        for (int k = 0; k < LENET_CLASSES; k++)
            fprintf(f, "%d %d %lld\n", t, k, conf[t * LENET_CLASSES + k]);
        fprintf(f, "\n");
    }
    close_dat(&af);

    float *digits = xmalloc((size_t)N_WRONG * 784 * sizeof *digits);
    FILE *g = open_dat(&af, "misclassified_labels.dat");
    fprintf(g, "# the first misclassified test digits: slot, index, true, predicted\n");
    int n = 0;
    for (int i = 0; i < test->n && n < N_WRONG; i++) {
        if (pred[i] == test->labels[i]) continue;
        uint8_t px[784];
        die_on(dataset_images(test, &i, 1, px, &e), &e);
        for (int k = 0; k < 784; k++) digits[(size_t)n * 784 + k] = px[k] / 255.0f;
        fprintf(g, "%d %d %d %d\n", n, i, test->labels[i], pred[i]);
        n++;
    }
    close_dat(&af);
    for (int k = n; k < N_WRONG; k++)
        for (int j = 0; j < 784; j++) digits[(size_t)k * 784 + j] = NAN;
    write_mosaic("misclassified.dat", "misclassified test digits, 8 per row",
                 digits, N_WRONG, 28, 28, 8);
    free(digits);
    free(pred);
}

/* ---- (c) int8 inference --------------------------------------------------------------- */

typedef struct {
    int8_t *wq;
    float *w_scales, x_scale;
    void *ws;
} Int8Layer;

/* The modern net's forward pass with its convolutions in int8 (quant.h's
 * hook); pooling, ReLU and the linear layers stay in float. */
static void forward_int8(Lenet *m, Int8Layer q[3], const float *x, int n,
                         float *logits)
{
    Conv2dGeom c1 = m->c1, c3 = m->c3, c5 = m->c5;
    Pool2dGeom s2 = m->s2, s4 = m->s4;
    c1.n = c3.n = c5.n = s2.n = s4.n = n;
    LenetActs *a = &m->a;
    conv2d_forward_int8_f32(&c1, x, q[0].x_scale, q[0].wq, q[0].w_scales,
                            m->p.c1_b, a->h1, q[0].ws);
    relu_forward(a->h1, a->h1, conv2d_y_numel(&c1));
    maxpool2d_forward(&s2, a->h1, a->h2);
    conv2d_forward_int8_f32(&c3, a->h2, q[1].x_scale, q[1].wq, q[1].w_scales,
                            m->p.c3_b, a->h3, q[1].ws);
    relu_forward(a->h3, a->h3, conv2d_y_numel(&c3));
    maxpool2d_forward(&s4, a->h3, a->h4);
    conv2d_forward_int8_f32(&c5, a->h4, q[2].x_scale, q[2].wq, q[2].w_scales,
                            m->p.c5_b, a->h5, q[2].ws);
    relu_forward(a->h5, a->h5, conv2d_y_numel(&c5));
    LinearGeom f6 = {.n = n, .in = LENET_C5, .out = LENET_F6};
    LinearGeom out = {.n = n, .in = LENET_F6, .out = LENET_CLASSES};
    linear_forward(&f6, a->h5, m->p.f6_w, m->p.f6_b, a->h6);
    relu_forward(a->h6, a->h6, (size_t)n * LENET_F6);
    linear_forward(&out, a->h6, m->p.out_w, m->p.out_b, logits);
}

static void run_int8(Lenet *m, const Dataset *train, const Dataset *test,
                     double fp32_acc)
{
    CnnError e = {""};
    const Conv2dGeom *gs[3] = {&m->c1, &m->c3, &m->c5};
    const float *const *wts[3] = {(const float *const *)&m->p.c1_w,
                                  (const float *const *)&m->p.c3_w,
                                  (const float *const *)&m->p.c5_w};
    Int8Layer q[3];
    for (int k = 0; k < 3; k++) {
        q[k].wq = xmalloc(conv2d_weight_numel(gs[k]));
        q[k].w_scales = xmalloc((size_t)gs[k]->c_out * sizeof(float));
        quantize_weights_int8(gs[k], *wts[k], q[k].wq, q[k].w_scales);
        q[k].x_scale = 0.0f;
        size_t bytes = int8_conv_f32_workspace_bytes(gs[k]);
        q[k].ws = bytes ? aligned_alloc(64, bytes) : NULL;
    }
    /* Calibration: the largest scale each conv's input needs over 8
     * training batches (quant.h: inputs beyond 127 x_scale saturate). */
    const int B = m->batch;
    uint8_t *px = xmalloc((size_t)B * 784);
    float *x = xmalloc((size_t)B * LENET_IN * LENET_IN * sizeof *x);
    float *z = xmalloc((size_t)B * LENET_CLASSES * sizeof *z);
    int *idx = xmalloc((size_t)B * sizeof *idx);
    for (int b = 0; b < 8 && (b + 1) * B <= train->n; b++) {
        for (int k = 0; k < B; k++) idx[k] = b * B + k;
        die_on(dataset_images(train, idx, B, px, &e), &e);
        lenet_prepare_input(px, B, x);
        lenet_forward(m, x, B, z);
        const float *ins[3] = {x, m->a.h2, m->a.h4};
        for (int k = 0; k < 3; k++) {
            Conv2dGeom g = *gs[k];
            float s = quant_scale(ins[k], conv2d_x_numel(&g));
            q[k].x_scale = s > q[k].x_scale ? s : q[k].x_scale;
        }
    }
    long long correct = 0, agree = 0;
    float *zf = xmalloc((size_t)B * LENET_CLASSES * sizeof *zf);
    double max_dlogit = 0;
    for (int start = 0; start < test->n; start += B) {
        int nb = test->n - start < B ? test->n - start : B;
        for (int k = 0; k < nb; k++) idx[k] = start + k;
        die_on(dataset_images(test, idx, nb, px, &e), &e);
        lenet_prepare_input(px, nb, x);
        lenet_forward(m, x, nb, zf);
        forward_int8(m, q, x, nb, z);
        for (int k = 0; k < nb; k++) {
            int bf = 0, bq = 0;
            for (int c = 1; c < LENET_CLASSES; c++) {
                if (zf[k * 10 + c] > zf[k * 10 + bf]) bf = c;
                if (z[k * 10 + c] > z[k * 10 + bq]) bq = c;
            }
            for (int c = 0; c < LENET_CLASSES; c++)
                max_dlogit = fmax(max_dlogit, fabs(zf[k * 10 + c] - z[k * 10 + c]));
            correct += bq == test->labels[start + k];
            agree += bq == bf;
        }
    }
    double acc = (double)correct / test->n;
    AtomicFile af;
    FILE *f = open_dat(&af, "int8.dat");
    fprintf(f, "# lenet5-modern on %d MNIST test digits; int8 = its three "
            "convolutions through conv2d_forward_int8_f32 (%s)\n", test->n,
            int8_conv_path());
    fprintf(f, "# x_scale of C1, C3, C5 inputs: %g %g %g; largest |logit "
            "difference|: %.4f\n", (double)q[0].x_scale, (double)q[1].x_scale,
            (double)q[2].x_scale, max_dlogit);
    fprintf(f, "# name accuracy_percent\n");
    fprintf(f, "fp32 %.2f\nint8 %.2f\n", 100 * fp32_acc, 100 * acc);
    fprintf(f, "# predictions that agree: %.2f%%\n", 100.0 * agree / test->n);
    close_dat(&af);
    printf("int8 inference: accuracy %.2f%% (fp32 %.2f%%), %.2f%% of the "
           "predictions agree\n", 100 * acc, 100 * fp32_acc, 100.0 * agree / test->n);
    for (int k = 0; k < 3; k++) {
        free(q[k].wq);
        free(q[k].w_scales);
        free(q[k].ws);
    }
    free(px); free(x); free(z); free(zf); free(idx);
}

/* ---- (d) memory --------------------------------------------------------------------- */

/* The lesson's count, eq. (6.30), in bytes, for the modern net at batch B:
 * parameters, gradients, velocity; the activations kept for backward (h1
 * .. h6, the input x, logits and probabilities); the two gradient scratch
 * buffers; the engine's workspace. */
typedef struct {
    double weights, grads, velocity, activations, scratch, workspace;
} MemCount;

static MemCount count_memory(const Lenet *m)
{
    const double f = sizeof(float), B = m->batch;
    MemCount c;
    c.weights = c.grads = c.velocity = f * (double)m->n_params;
    c.activations = f * B *
                    (LENET_IN * LENET_IN + 6 * 28 * 28 + 6 * 14 * 14 + 16 * 10 * 10 +
                     16 * 5 * 5 + LENET_C5 + LENET_F6 + 2 * LENET_CLASSES);
    /* g2 holds C1's gradient, g1 at most S2's: what the passes touch of
     * the two buffers (each allocated at C1's size) */
    c.scratch = f * B * (6 * 28 * 28 + 6 * 14 * 14);
    c.workspace = (double)m->ws_bytes;
    return c;
}

/* A child process that builds a model of batch B (B == 0: none) and runs
 * three training steps on random images; returns its peak resident memory
 * in bytes. */
static double child_peak(int B)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) cnn_die("cannot fork to measure memory");
    if (pid == 0) {
        if (B > 0) {
            Lenet m;
            CnnError e = {""};
            if (lenet_create(&m, LENET_MODERN, B, CONV_ALGO_AUTO, &e)) _exit(2);
            lenet_init(&m, 1);
            float *x = xmalloc((size_t)B * LENET_IN * LENET_IN * sizeof *x);
            float *z = xmalloc((size_t)B * 10 * sizeof *z), *p = xmalloc((size_t)B * 10 * sizeof *p);
            float *v = xcalloc(m.n_params, sizeof *v);
            int *lab = xmalloc((size_t)B * sizeof *lab);
            Rng r;
            rng_seed(&r, 5);
            rng_fill_uniform(&r, x, (size_t)B * LENET_IN * LENET_IN, -0.1f, 1.175f);
            for (int k = 0; k < B; k++) lab[k] = k % 10;
            SgdConfig c = {0.01f, 0.9f, 0.0f};
            for (int s = 0; s < 3; s++) {
                lenet_forward(&m, x, B, z);
                softmax_cross_entropy_forward(z, lab, B, 10, p);
                softmax_cross_entropy_backward(p, lab, B, 10, p);
                lenet_backward(&m, p, B);
                sgd_step(&c, m.params, m.grads, v, m.n_params);
            }
        }
        _exit(0);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        cnn_die("the memory-measuring child process failed");
    return (double)ru.ru_maxrss * 1024.0;
}

static void run_memory(void)
{
    static const int batches[] = {1, 16, 64, 256, 1024};
    AtomicFile af;
    FILE *f = open_dat(&af, "memory.dat");
    double base = child_peak(0);
    fprintf(f, "# lenet5-modern training memory, MB (10^6 bytes), by batch size. "
            "Counted: eq. (6.30); measured: a child's peak RSS minus that of a "
            "child without a model (%.1f MB)\n", base / 1e6);
    fprintf(f, "# batch params+grads+velocity activations scratch workspace "
            "counted_total measured\n");
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        Lenet m;
        CnnError e = {""};
        die_on(lenet_create(&m, LENET_MODERN, batches[k], CONV_ALGO_AUTO, &e), &e);
        MemCount c = count_memory(&m);
        lenet_free(&m);
        double total = c.weights + c.grads + c.velocity + c.activations + c.scratch +
                       c.workspace;
        double measured = child_peak(batches[k]) - base;
        fprintf(f, "%d %.3f %.3f %.3f %.3f %.3f %.3f\n", batches[k],
                (c.weights + c.grads + c.velocity) / 1e6, c.activations / 1e6,
                c.scratch / 1e6, c.workspace / 1e6, total / 1e6, measured / 1e6);
    }
    close_dat(&af);
}

/* ---- (e) the 1998 net's output codes ----------------------------------------------------- */

static void write_rbf_codes(void)
{
    float codes[LENET_CLASSES * LENET_F6];
    for (int k = 0; k < LENET_CLASSES; k++)
        for (int j = 0; j < LENET_F6; j++) codes[k * LENET_F6 + j] = lenet_rbf_code(k, j);
    write_mosaic("rbf_codes.dat", "the ten 7x12 RBF codes, +1 ink, -1 paper", codes,
                 LENET_CLASSES, LENET_RBF_ROWS, LENET_RBF_COLS, 10);
}

/* ---- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment");
    if (argc != 2) cnn_die("usage: experiment OUTDIR");
    outdir = argv[1];
    CnnError e = {""};
    die_on(cnn_make_dirs(outdir, &e), &e);
    fastconv_set_threads(1);
    write_rbf_codes();

    Lenet modern, old;
    TrainResult *rm = xcalloc(1, sizeof *rm), *ro = xcalloc(1, sizeof *ro);
    train_variant(LENET_MODERN, &modern, rm);
    train_variant(LENET_1998, &old, ro);
    printf("data: %s (%s: %d training, %d test digits)\n", rm->loc.dir,
           rm->loc.full ? "the full split of datasets/fetch.sh" : "the committed sample",
           rm->n_train, rm->n_test);

    Dataset train, test;
    die_on(dataset_open(&train, &rm->loc, "train", LENET_CLASSES, &e), &e);
    die_on(dataset_open(&test, &rm->loc, "t10k", LENET_CLASSES, &e), &e);
    write_filters(&modern);
    write_filters(&old);
    double acc;
    write_confusion_and_mistakes(&modern, &test, &acc);
    write_feature_maps(&modern, &test, 0);
    run_int8(&modern, &train, &test, acc);
    run_memory();

    AtomicFile af;
    FILE *f = open_dat(&af, "summary.dat");
    fprintf(f, "# data set, then per model: name, final test accuracy %%, train "
            "accuracy %%, seconds per epoch\n");
    fprintf(f, "# %s: %s, %d training and %d test digits\n",
            rm->loc.full ? "full" : "sample", rm->loc.dir, rm->n_train, rm->n_test);
    const TrainResult *rs[2] = {rm, ro};
    const char *names[2] = {"lenet5-modern", "lenet5"};
    for (int k = 0; k < 2; k++) {
        const EpochStats *s = &rs[k]->epoch[rs[k]->n_epochs - 1];
        fprintf(f, "%s %.2f %.2f %.2f\n", names[k], 100 * s->test_acc,
                100 * s->train_acc, rs[k]->train_seconds / rs[k]->n_epochs);
        printf("%-14s test accuracy %.2f%% after %d epochs\n", names[k],
               100 * s->test_acc, rs[k]->n_epochs);
    }
    close_dat(&af);
    dataset_close(&train);
    dataset_close(&test);
    lenet_free(&modern);
    lenet_free(&old);
    free(rm);
    free(ro);
    return 0;
}

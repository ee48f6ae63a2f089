/* train_given.c: chapter 06, code that is given, not an exercise: the
 * training loop, evaluation and checkpoints of train.h. It runs whatever
 * layers.h and lenet.h it is linked with: yours, or the reference. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "train.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "atomic_file.h"
#include "checkpoint.h"
#include "progress.h"
#include "rng.h"
#include "timer.h"

TrainConfig train_defaults(void)
{
    return (TrainConfig){
        .variant = LENET_MODERN, .data = "mnist", .epochs = 10, .batch = 64,
        .sgd = {.lr = 0.05f, .momentum = 0.9f, .weight_decay = 5e-4f},
        .cosine = 1, .seed = 1, .threads = 1, .algo = CONV_ALGO_AUTO, .eval_test = 1,
        .verbose = 1};
}

float train_lr_at(const TrainConfig *c, long long step, long long total)
{
    if (!c->cosine || total <= 0) return c->sgd.lr;
    const double pi = 3.14159265358979323846;
    return (float)(0.5 * c->sgd.lr * (1.0 + cos(pi * (double)step / (double)total)));
}

const char *lenet_model_name(LenetVariant v)
{
    return v == LENET_1998 ? "lenet5" : "lenet5-modern";
}

int lenet_model_parse(const char *name)
{
    if (strcmp(name, "lenet5") == 0) return LENET_1998;
    if (strcmp(name, "lenet5-modern") == 0) return LENET_MODERN;
    return -1;
}

/* VmHWM of /proc/self/status: the high-water mark of this program's own
 * memory. (getrusage's ru_maxrss would also count the parent a process was
 * forked from before it exec'd this program: a Python script's 100 MB.) */
double peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    if (kib >= 0) return (double)kib * 1024.0 / 1e6;
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return NAN;
    return (double)u.ru_maxrss * 1024.0 / 1e6; /* ru_maxrss is in KiB */
}

/* ---- Ctrl-C ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The first Ctrl-C asks the loop to stop after its step; the handler is
 * reset by it, so a second Ctrl-C ends the program at once (every file is
 * written atomically, so nothing is left half-written). */
static void catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* ---- checkpoints ---------------------------------------------------------- */

/* A running epoch's sums, so that a resumed epoch reports the same means. */
typedef struct {
    double loss_sum;      /* sum over its steps of loss * images */
    long long correct, images;
} EpochSums;

enum { HISTORY_FIELDS = 7 };

static int save_checkpoint(const char *path, const Lenet *m,
                           const float *velocity, const TrainConfig *c,
                           int epochs_done, long long step_in_epoch,
                           long long steps, const EpochSums *sums,
                           const TrainResult *r, CnnError *e)
{
    char meta[1024];
    snprintf(meta, sizeof meta,
             "model %s\ndata %s\nepochs %d\nbatch %d\nlr %.9g\nmomentum %.9g\n"
             "weight_decay %.9g\ncosine %d\nseed %llu\nthreads %d\nalgo %s\n"
             "limit_train %d\nepochs_done %d\nstep_in_epoch %lld\nsteps %lld\n"
             "epoch_loss_sum %.17g\nepoch_correct %lld\nepoch_images %lld\n",
             lenet_model_name(m->variant), c->data, c->epochs, c->batch,
             (double)c->sgd.lr, (double)c->sgd.momentum,
             (double)c->sgd.weight_decay, c->cosine, (unsigned long long)c->seed,
             c->threads, conv_algo_name(c->algo), c->limit_train, epochs_done,
             step_in_epoch, steps, sums->loss_sum, sums->correct,
             sums->images);
    double *hist = xmalloc((size_t)(r->n_epochs + 1) * HISTORY_FIELDS *
                           sizeof *hist);
    for (int k = 0; k < r->n_epochs; k++) {
        const EpochStats *s = &r->epoch[k];
        double row[HISTORY_FIELDS] = {s->epoch, s->train_loss, s->train_acc,
                                      s->test_loss, s->test_acc, s->seconds,
                                      s->images_per_s};
        memcpy(hist + (size_t)k * HISTORY_FIELDS, row, sizeof row);
    }
    CkptSection sec[] = {
        {"meta", meta, strlen(meta)},
        {"params", m->params, m->n_params * sizeof(float)},
        {"velocity", velocity, m->n_params * sizeof(float)},
        {"history", hist, (size_t)r->n_epochs * HISTORY_FIELDS * sizeof *hist},
    };
    int rc = ckpt_write(path, sec, 4, e);
    free(hist);
    return rc;
}

/* The value of "key value" in the meta text, into val. 0, or -1. */
static int meta_get(const char *meta, size_t len, const char *key, char *val,
                    size_t vlen)
{
    size_t klen = strlen(key);
    for (size_t at = 0; at < len;) {
        const char *line = meta + at;
        const char *end = memchr(line, '\n', len - at);
        size_t llen = end ? (size_t)(end - line) : len - at;
        if (llen > klen && memcmp(line, key, klen) == 0 && line[klen] == ' ') {
            size_t n = llen - klen - 1 < vlen - 1 ? llen - klen - 1 : vlen - 1;
            memcpy(val, line + klen + 1, n);
            val[n] = '\0';
            return 0;
        }
        at += llen + 1;
    }
    return -1;
}

/* Parses the meta section of checkpoint c (read from path) into st and
 * the variant *v. 0, or -1 + e. */
static int parse_meta(const Checkpoint *c, const char *path, TrainState *st,
                      int *v, CnnError *e)
{
    size_t len;
    const char *meta = ckpt_find(c, "meta", &len);
    char val[256], model[64] = "", data[64] = "", algo[32] = "";
    static char data_store[64]; /* cfg.data points here: "mnist" etc. */
    if (!meta || meta_get(meta, len, "model", model, sizeof model))
        return cnn_fail(e, "%s is a checkpoint, but not of a LeNet-5 training "
                        "run (it has no model in its meta section)", path);
    *v = lenet_model_parse(model);
    if (*v < 0)
        return cnn_fail(e, "%s holds a model '%s', not %s", path, model,
                        LENET_MODEL_CHOICES);
    memset(st, 0, sizeof *st);
    TrainConfig *cfg = &st->cfg;
    *cfg = train_defaults();
    cfg->variant = (LenetVariant)*v;
#define GET(key, fmt, dst)                                                   \
    (meta_get(meta, len, key, val, sizeof val) == 0 && sscanf(val, fmt, dst) == 1)
    double lr, mom, wd;
    unsigned long long seed;
    int ok = meta_get(meta, len, "data", data, sizeof data) == 0 &&
             meta_get(meta, len, "algo", algo, sizeof algo) == 0 &&
             GET("epochs", "%d", &cfg->epochs) && GET("batch", "%d", &cfg->batch) &&
             GET("lr", "%lf", &lr) && GET("momentum", "%lf", &mom) &&
             GET("weight_decay", "%lf", &wd) && GET("cosine", "%d", &cfg->cosine) &&
             GET("seed", "%llu", &seed) &&
             GET("threads", "%d", &cfg->threads) &&
             GET("limit_train", "%d", &cfg->limit_train) &&
             GET("epochs_done", "%d", &st->epochs_done) &&
             GET("step_in_epoch", "%lld", &st->step_in_epoch) &&
             GET("steps", "%lld", &st->steps);
#undef GET
    if (!ok)
        return cnn_fail(e, "%s is damaged: its meta section lacks a setting of "
                        "the training run", path);
    snprintf(data_store, sizeof data_store, "%s", data);
    cfg->data = data_store;
    cfg->sgd = (SgdConfig){(float)lr, (float)mom, (float)wd};
    cfg->seed = seed;
    int a = conv_algo_parse(algo);
    cfg->algo = a < 0 ? CONV_ALGO_AUTO : (ConvAlgo)a;
    return 0;
}

int lenet_read_state(const char *path, TrainState *st, CnnError *e)
{
    Checkpoint c;
    int v;
    if (ckpt_read(path, &c, e)) return -1;
    int rc = parse_meta(&c, path, st, &v, e);
    ckpt_free(&c);
    return rc;
}

/* Loads a checkpoint into a new model; velocity (n_params floats, may be
 * NULL), history and the running epoch's sums too when asked. */
static int load_full(const char *path, int want, int batch, ConvAlgo algo,
                     Lenet *m, float **velocity, TrainState *st,
                     TrainResult *r, EpochSums *sums, CnnError *e)
{
    Checkpoint c;
    TrainState local;
    int v;
    if (!st) st = &local;
    if (ckpt_read(path, &c, e)) return -1;
    if (parse_meta(&c, path, st, &v, e)) goto fail;
    if (want >= 0 && v != want) {
        cnn_fail(e, "%s holds a %s, not a %s: give the model it was trained "
                 "as, or another checkpoint", path,
                 lenet_model_name((LenetVariant)v),
                 lenet_model_name((LenetVariant)want));
        goto fail;
    }
    if (lenet_create(m, (LenetVariant)v, batch, algo, e)) goto fail;
    size_t bytes;
    const void *p = ckpt_find(&c, "params", &bytes);
    if (!p || bytes != m->n_params * sizeof(float)) {
        cnn_fail(e, "%s holds %zu parameters, but a %s has %zu: it was "
                 "written by another version of the model", path,
                 p ? bytes / sizeof(float) : 0, lenet_model_name(m->variant),
                 m->n_params);
        lenet_free(m);
        goto fail;
    }
    memcpy(m->params, p, bytes);
    if (velocity) {
        const void *vel = ckpt_find(&c, "velocity", &bytes);
        if (!vel || bytes != m->n_params * sizeof(float)) {
            cnn_fail(e, "%s has no optimizer state for all %zu parameters, so "
                     "training cannot resume from it", path, m->n_params);
            lenet_free(m);
            goto fail;
        }
        *velocity = xmalloc(bytes);
        memcpy(*velocity, vel, bytes);
    }
    if (r) {
        const double *h = ckpt_find(&c, "history", &bytes);
        size_t rows = h ? bytes / (HISTORY_FIELDS * sizeof(double)) : 0;
        r->n_epochs = rows < TRAIN_MAX_EPOCHS ? (int)rows : TRAIN_MAX_EPOCHS;
        for (int k = 0; k < r->n_epochs; k++) {
            double row[HISTORY_FIELDS];
            memcpy(row, h + (size_t)k * HISTORY_FIELDS, sizeof row);
            r->epoch[k] = (EpochStats){(int)row[0], row[1], row[2], row[3],
                                       row[4], row[5], row[6]};
        }
        r->steps = st->steps;
    }
    if (sums) {
        size_t len;
        const char *meta = ckpt_find(&c, "meta", &len);
        char val[64];
        memset(sums, 0, sizeof *sums);
        if (meta_get(meta, len, "epoch_loss_sum", val, sizeof val) == 0)
            sums->loss_sum = strtod(val, NULL);
        if (meta_get(meta, len, "epoch_correct", val, sizeof val) == 0)
            sums->correct = strtoll(val, NULL, 10);
        if (meta_get(meta, len, "epoch_images", val, sizeof val) == 0)
            sums->images = strtoll(val, NULL, 10);
    }
    ckpt_free(&c);
    return 0;
fail:
    ckpt_free(&c);
    return -1;
}

int lenet_load(const char *path, int want, int batch, ConvAlgo algo, Lenet *m,
               TrainState *st, CnnError *e)
{
    return load_full(path, want, batch, algo, m, NULL, st, NULL, NULL, e);
}

/* ---- metrics ------------------------------------------------------------------ */

static int write_metrics(const char *path, const TrainResult *r, CnnError *e)
{
    AtomicFile af;
    if (atomic_open(&af, path, e)) return -1;
    fprintf(af.fp, "# epoch train_loss train_acc test_loss test_acc seconds "
                   "images_per_s\n");
    for (int k = 0; k < r->n_epochs; k++) {
        const EpochStats *s = &r->epoch[k];
        fprintf(af.fp, "%d %.6f %.6f %.6f %.6f %.3f %.1f\n", s->epoch,
                s->train_loss, s->train_acc, s->test_loss, s->test_acc,
                s->seconds, s->images_per_s);
    }
    return atomic_commit(&af, e);
}

/* ---- evaluation ----------------------------------------------------------------- */

static int argmax10(const float *z)
{
    int best = 0;
    for (int k = 1; k < LENET_CLASSES; k++)
        if (z[k] > z[best]) best = k;
    return best;
}

int lenet_evaluate(Lenet *m, const Dataset *d, double *loss, double *acc,
                   long long *confusion, int *pred, CnnError *e)
{
    const int B = m->batch, side = d->rows * d->cols;
    if (d->rows != 28 || d->cols != 28)
        return cnn_fail(e, "%s holds %dx%d images; LeNet-5 reads 28x28", d->path,
                        d->rows, d->cols);
    uint8_t *px = xmalloc((size_t)B * side);
    float *x = xmalloc((size_t)B * LENET_IN * LENET_IN * sizeof *x);
    float *z = xmalloc((size_t)B * LENET_CLASSES * sizeof *z);
    float *p = xmalloc((size_t)B * LENET_CLASSES * sizeof *p);
    int *idx = xmalloc((size_t)B * sizeof *idx), *lab = xmalloc((size_t)B * sizeof *lab);
    double total = 0.0;
    long long correct = 0;
    if (confusion) memset(confusion, 0, LENET_CLASSES * LENET_CLASSES * sizeof *confusion);
    int rc = 0;
    for (int start = 0; start < d->n && rc == 0; start += B) {
        int nb = d->n - start < B ? d->n - start : B;
        for (int k = 0; k < nb; k++) {
            idx[k] = start + k;
            lab[k] = d->labels[start + k];
        }
        if (dataset_images(d, idx, nb, px, e)) {
            rc = -1;
            break;
        }
        lenet_prepare_input(px, nb, x);
        lenet_forward(m, x, nb, z);
        total += softmax_cross_entropy_forward(z, lab, nb, LENET_CLASSES, p) * nb;
        for (int k = 0; k < nb; k++) {
            int y = argmax10(z + (size_t)k * LENET_CLASSES);
            correct += y == lab[k];
            if (confusion) confusion[lab[k] * LENET_CLASSES + y]++;
            if (pred) pred[start + k] = y;
        }
    }
    if (rc == 0) {
        *loss = total / d->n;
        *acc = (double)correct / d->n;
    }
    free(px); free(x); free(z); free(p); free(idx); free(lab);
    return rc;
}

/* ---- training ------------------------------------------------------------------- */

/* The order of epoch `epoch` (0-based) of n images: a Fisher-Yates shuffle
 * drawn from the seed and the epoch alone. */
static void epoch_order(uint64_t seed, int epoch, int *order, int n)
{
    Rng r;
    rng_seed(&r, seed + 0x9E3779B97F4A7C15ull * (uint64_t)(epoch + 1));
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(&r, (uint64_t)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static int check_config(const TrainConfig *c, CnnError *e)
{
    if (c->epochs < 1 || c->epochs > TRAIN_MAX_EPOCHS)
        return cnn_fail(e, "--epochs must be 1 to %d, not %d", TRAIN_MAX_EPOCHS,
                        c->epochs);
    if (c->batch < 1)
        return cnn_fail(e, "--batch must be at least 1, not %d", c->batch);
    if (!(c->sgd.lr > 0.0f) || !(c->sgd.momentum >= 0.0f && c->sgd.momentum < 1.0f) ||
        !(c->sgd.weight_decay >= 0.0f))
        return cnn_fail(e, "SGD needs --lr > 0, 0 <= --momentum < 1 and "
                        "--weight-decay >= 0");
    if (c->threads < 1)
        return cnn_fail(e, "--threads must be at least 1, not %d", c->threads);
    return 0;
}

int train_lenet(const TrainConfig *cfg_in, Lenet *m, TrainResult *r,
                CnnError *e)
{
    TrainConfig c = *cfg_in;
    memset(r, 0, sizeof *r);
    memset(m, 0, sizeof *m);
    if (check_config(&c, e)) return -1;
    fastconv_set_threads(c.threads);

    float *velocity = NULL;
    EpochSums sums = {0};
    int start_epoch = 0;
    long long start_step = 0;
    if (c.resume) {
        TrainState st;
        if (!c.checkpoint)
            return cnn_fail(e, "--resume continues from a checkpoint: give "
                            "--checkpoint FILE");
        if (load_full(c.checkpoint, c.variant, c.batch, c.algo, m, &velocity,
                      &st, r, &sums, e))
            return -1;
        start_epoch = st.epochs_done;
        start_step = st.step_in_epoch;
        if (start_epoch >= c.epochs) {
            lenet_free(m);
            free(velocity);
            return cnn_fail(e, "%s has already done %d epochs; to train "
                            "further, give --epochs larger than %d",
                            c.checkpoint, start_epoch, start_epoch);
        }
    } else {
        if (lenet_create(m, c.variant, c.batch, c.algo, e)) return -1;
        lenet_init(m, c.seed);
        velocity = xcalloc(m->n_params, sizeof *velocity);
    }

    Dataset train, test;
    train.fd = test.fd = -1;
    train.pixels = train.labels = test.pixels = test.labels = NULL;
    int rc = -1;
    uint8_t *px = NULL;
    float *x = NULL, *z = NULL, *p = NULL;
    int *order = NULL, *idx = NULL, *lab = NULL;
    if (data_locate(c.data, c.data_dir, &r->loc, e) ||
        dataset_open(&train, &r->loc, "train", LENET_CLASSES, e))
        goto done;
    if (c.eval_test && dataset_open(&test, &r->loc, "t10k", LENET_CLASSES, e))
        goto done;
    if (train.rows != 28 || train.cols != 28) {
        cnn_fail(e, "%s holds %dx%d images; LeNet-5 reads 28x28", train.path,
                 train.rows, train.cols);
        goto done;
    }
    const int N = c.limit_train > 0 && c.limit_train < train.n ? c.limit_train
                                                               : train.n;
    r->n_train = N;
    r->n_test = c.eval_test ? test.n : 0;
    const int B = c.batch, steps_per_epoch = (N + B - 1) / B;
    px = xmalloc((size_t)B * 784);
    x = xmalloc((size_t)B * LENET_IN * LENET_IN * sizeof *x);
    z = xmalloc((size_t)B * LENET_CLASSES * sizeof *z);
    p = xmalloc((size_t)B * LENET_CLASSES * sizeof *p);
    order = xmalloc((size_t)N * sizeof *order);
    idx = xmalloc((size_t)B * sizeof *idx);
    lab = xmalloc((size_t)B * sizeof *lab);
    if (c.catch_sigint) {
        stop_requested = 0;
        catch_sigint();
    }

    long long steps = r->steps;
    char label[128];
    for (int ep = start_epoch; ep < c.epochs && !r->interrupted; ep++) {
        epoch_order(c.seed, ep, order, N);
        Progress bar;
        snprintf(label, sizeof label, "epoch %d/%d", ep + 1, c.epochs);
        progress_start(&bar, label, (size_t)N);
        double t0 = timer_now();
        long long s0 = ep == start_epoch ? start_step : 0;
        if (ep != start_epoch) memset(&sums, 0, sizeof sums);
        long long images_now = 0;
        for (long long s = s0; s < steps_per_epoch; s++) {
            const int first = (int)(s * B);
            const int nb = N - first < B ? N - first : B;
            for (int k = 0; k < nb; k++) {
                idx[k] = order[first + k];
                lab[k] = train.labels[idx[k]];
            }
            if (dataset_images(&train, idx, nb, px, e)) goto done;
            lenet_prepare_input(px, nb, x);
            lenet_forward(m, x, nb, z);
            double loss = softmax_cross_entropy_forward(z, lab, nb,
                                                        LENET_CLASSES, p);
            int correct = 0;
            for (int k = 0; k < nb; k++)
                correct += argmax10(z + (size_t)k * LENET_CLASSES) == lab[k];
            softmax_cross_entropy_backward(p, lab, nb, LENET_CLASSES, p);
            lenet_backward(m, p, nb);
            SgdConfig sgd = c.sgd;
            sgd.lr = train_lr_at(&c, (long long)ep * steps_per_epoch + s,
                                 (long long)c.epochs * steps_per_epoch);
            sgd_step(&sgd, m->params, m->grads, velocity, m->n_params);
            steps++;
            images_now += nb;
            sums.loss_sum += loss * nb;
            sums.correct += correct;
            sums.images += nb;
            if (c.on_step) c.on_step(c.ctx, steps, loss, (double)correct / nb);
            snprintf(label, sizeof label, "epoch %d/%d loss %.4f acc %5.2f%%",
                     ep + 1, c.epochs, sums.loss_sum / (double)sums.images,
                     100.0 * (double)sums.correct / (double)sums.images);
            progress_update(&bar, (size_t)(first + nb));
            const int last = s + 1 == steps_per_epoch;
            if (!last && (stop_requested || (c.max_steps && steps >= c.max_steps))) {
                progress_finish(&bar);
                r->interrupted = 1;
                r->steps = steps;
                if (c.checkpoint &&
                    save_checkpoint(c.checkpoint, m, velocity, &c, ep, s + 1,
                                    steps, &sums, r, e))
                    goto done;
                break;
            }
        }
        double secs = timer_now() - t0;
        r->train_seconds += secs;
        r->train_images += images_now;
        if (r->interrupted) break;
        progress_finish(&bar);

        EpochStats st = {.epoch = ep + 1,
                         .train_loss = sums.loss_sum / (double)sums.images,
                         .train_acc = (double)sums.correct / (double)sums.images,
                         .test_loss = NAN, .test_acc = NAN, .seconds = secs,
                         .images_per_s = secs > 0 ? images_now / secs : 0};
        if (c.eval_test &&
            lenet_evaluate(m, &test, &st.test_loss, &st.test_acc, NULL, NULL, e))
            goto done;
        if (r->n_epochs < TRAIN_MAX_EPOCHS) r->epoch[r->n_epochs++] = st;
        r->steps = steps;
        memset(&sums, 0, sizeof sums);
        if (c.verbose) {
            printf("epoch %2d/%d  train loss %.4f acc %6.2f%%", ep + 1, c.epochs,
                   st.train_loss, 100 * st.train_acc);
            if (c.eval_test)
                printf("  test loss %.4f acc %6.2f%%", st.test_loss,
                       100 * st.test_acc);
            printf("  %.1f s, %.0f images/s\n", secs, st.images_per_s);
            fflush(stdout);
        }
        if (c.metrics && write_metrics(c.metrics, r, e)) goto done;
        if (c.checkpoint &&
            save_checkpoint(c.checkpoint, m, velocity, &c, ep + 1, 0, steps,
                            &sums, r, e))
            goto done;
        if (ep + 1 < c.epochs &&
            (stop_requested || (c.max_steps && steps >= c.max_steps)))
            r->interrupted = 1;
    }
    r->peak_rss_mb = peak_rss_mb();
    rc = 0;
done:
    if (c.catch_sigint) signal(SIGINT, SIG_DFL);
    dataset_close(&train);
    dataset_close(&test);
    free(px); free(x); free(z); free(p); free(order); free(idx); free(lab);
    free(velocity);
    if (rc) lenet_free(m);
    return rc;
}

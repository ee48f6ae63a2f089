/* cmd_train.c: `cnn train`, and the flag parsing the model commands share
 * (cnn_models.h). The loop itself is chapter 06's train_given.c; this file
 * turns a command line into a TrainConfig and reports. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "06-lenet5/train.h"
#include "atomic_file.h"
#include "cnn_models.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* ---- shared parsing ----------------------------------------------------- */

int model_fail(int status, const char *fmt, ...)
{
    va_list ap;
    fputs("cnn: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

static int find_flag(const ModelFlag *flags, const char *name, size_t len)
{
    for (int k = 0; flags[k].name; k++)
        if (strlen(flags[k].name) == len && strncmp(flags[k].name, name, len) == 0)
            return k;
    return -1;
}

static void flag_list(const ModelFlag *flags, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; flags[k].name && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s--%s",
                                 k ? ", " : "", flags[k].name);
}

int model_parse_args(const char *command, const ModelFlag *flags, int argc,
                     char **argv, ModelArgs *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            if (a->n_pos == MODEL_MAX_POS)
                return model_fail(EXIT_USAGE, "%s takes at most %d files",
                                  command, MODEL_MAX_POS);
            a->pos[a->n_pos++] = w;
            continue;
        }
        const char *name = w + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = find_flag(flags, name, len);
        if (k < 0) {
            char list[512];
            flag_list(flags, list, sizeof list);
            return model_fail(EXIT_USAGE, "%s does not know the flag --%.*s; "
                              "its flags are %s", command, (int)len, name, list);
        }
        if (a->value[k])
            return model_fail(EXIT_USAGE, "--%s is given twice; give it once",
                              flags[k].name);
        if (flags[k].is_switch) {
            if (eq)
                return model_fail(EXIT_USAGE, "--%s takes no value (got '%s')",
                                  flags[k].name, eq + 1);
            a->value[k] = "1";
        } else if (eq) {
            a->value[k] = eq + 1;
        } else {
            if (i + 1 >= argc)
                return model_fail(EXIT_USAGE, "--%s needs a value: %s",
                                  flags[k].name, flags[k].help);
            a->value[k] = argv[++i];
        }
    }
    return 0;
}

int model_flag_int(const char *command, const ModelFlag *flags,
                   const ModelArgs *a, int k, long long lo, long long hi,
                   long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(a->value[k], &end, 10);
    if (errno || end == a->value[k] || *end || x < lo || x > hi)
        return model_fail(EXIT_USAGE, "%s: --%s must be an integer from %lld "
                          "to %lld, not '%s'", command, flags[k].name, lo, hi,
                          a->value[k]);
    *v = x;
    return 0;
}

int model_flag_double(const char *command, const ModelFlag *flags,
                      const ModelArgs *a, int k, double lo, double hi,
                      double *v)
{
    char *end;
    errno = 0;
    double x = strtod(a->value[k], &end);
    if (errno || end == a->value[k] || *end || !isfinite(x) || x < lo || x > hi)
        return model_fail(EXIT_USAGE, "%s: --%s must be a number from %g to "
                          "%g, not '%s'", command, flags[k].name, lo, hi,
                          a->value[k]);
    *v = x;
    return 0;
}

int model_variant_arg(const char *command, const ModelArgs *a, int *variant)
{
    if (a->n_pos == 0)
        return model_fail(EXIT_USAGE, "%s needs a model: %s (e.g. cnn %s "
                          "lenet5-modern ...)", command, LENET_MODEL_CHOICES,
                          command);
    *variant = lenet_model_parse(a->pos[0]);
    if (*variant < 0)
        return model_fail(EXIT_USAGE, "unknown model '%s'; the models are %s",
                          a->pos[0], LENET_MODEL_CHOICES);
    return 0;
}

/* ---- cnn train ------------------------------------------------------------ */

enum {
    F_DATA, F_DATA_DIR, F_EPOCHS, F_BATCH, F_LR, F_MOMENTUM, F_WD, F_SEED,
    F_THREADS, F_ALGO, F_CHECKPOINT, F_RESUME, F_MAX_STEPS, F_LIMIT_TRAIN,
    F_METRICS, F_BENCH, F_QUIET, F_SCHEDULE, F_HELP
};

static const ModelFlag train_flags[] = {
    [F_DATA] = {"data", 0, "mnist or fashion-mnist"},
    [F_DATA_DIR] = {"data-dir", 0, "a folder with the four IDX files"},
    [F_EPOCHS] = {"epochs", 0, "the number of epochs to train for"},
    [F_BATCH] = {"batch", 0, "images per step"},
    [F_LR] = {"lr", 0, "the learning rate"},
    [F_MOMENTUM] = {"momentum", 0, "SGD's momentum, 0 <= m < 1"},
    [F_WD] = {"weight-decay", 0, "L2 weight decay"},
    [F_SEED] = {"seed", 0, "the seed of the initialisation and of the order"},
    [F_THREADS] = {"threads", 0, "OpenMP threads of the convolution engine"},
    [F_ALGO] = {"algo", 0, "the convolution algorithm"},
    [F_CHECKPOINT] = {"checkpoint", 0, "a checkpoint file, saved each epoch"},
    [F_RESUME] = {"resume", 1, NULL},
    [F_MAX_STEPS] = {"max-steps", 0, "stop after this many steps in all"},
    [F_LIMIT_TRAIN] = {"limit-train", 0, "train on the first N images only"},
    [F_METRICS] = {"metrics", 0, "a .dat file of per-epoch metrics"},
    [F_BENCH] = {"bench", 1, NULL},
    [F_QUIET] = {"quiet", 1, NULL},
    [F_SCHEDULE] = {"schedule", 0, "cosine or constant"},
    [F_HELP] = {"help", 1, NULL},
    {NULL, 0, NULL},
};

static void train_usage(FILE *f)
{
    fprintf(f,
            "usage: cnn train MODEL [flags]\n"
            "  MODEL              lenet5 (LeCun et al. 1998: scaled tanh, "
            "trainable\n"
            "                     subsampling, C3's table, RBF output) or "
            "lenet5-modern\n"
            "                     (ReLU, max-pooling, a linear output)\n"
            "  --data D           mnist (default) or fashion-mnist; the full "
            "set from\n"
            "                     build/data/ (datasets/fetch.sh), else the "
            "committed sample\n"
            "  --data-dir DIR     read the four IDX files from DIR instead\n"
            "  --epochs N         train until N epochs are done (10)\n"
            "  --batch N          images per step (64)\n"
            "  --lr X             learning rate (lenet5-modern 0.05, lenet5 "
            "0.01)\n"
            "  --momentum X       SGD momentum (0.9)\n"
            "  --weight-decay X   L2 weight decay (0.0005)\n"
            "  --schedule S       cosine (default: the learning rate falls from "
            "--lr to 0\n"
            "                     over the run) or constant\n"
            "  --seed N           initialisation and batch order (1)\n"
            "  --threads N        OpenMP threads (1); same seed and threads, "
            "same weights\n"
            "  --algo A           convolution algorithm: %s (auto)\n"
            "  --checkpoint FILE  save the run after each epoch and on Ctrl-C\n"
            "  --resume           continue the run saved in --checkpoint\n"
            "  --metrics FILE     per-epoch loss and accuracy as a .dat file\n"
            "  --max-steps N      stop after N steps in all, saving as on "
            "Ctrl-C\n"
            "  --limit-train N    train on the first N training images only\n"
            "  --bench            time training only (no test set) and print "
            "one summary line\n"
            "  --quiet            no line per epoch\n",
            conv_algo_choices());
}

/* Flags that a resumed run takes from its checkpoint, and their values. */
static int check_resume_flag(const ModelArgs *a, int k, const char *path,
                             const char *have)
{
    if (!a->value[k]) return 0;
    return model_fail(EXIT_USAGE, "%s was trained with --%s %s; --resume "
                      "continues it with the same settings: leave out --%s, "
                      "or start a new run with another --checkpoint",
                      path, train_flags[k].name, have, train_flags[k].name);
}

static int same_float(const char *given, float have)
{
    return (float)strtod(given, NULL) == have;
}

int cnn_cmd_train(int argc, char **argv)
{
    ModelArgs a;
    int st = model_parse_args("cnn train", train_flags, argc, argv, &a);
    if (st) return st;
    if (a.value[F_HELP]) {
        train_usage(stdout);
        return 0;
    }
    int variant;
    if ((st = model_variant_arg("train", &a, &variant))) return st;
    if (a.n_pos > 1)
        return model_fail(EXIT_USAGE, "cnn train takes one model, but got '%s' "
                          "too", a.pos[1]);

    TrainConfig c = train_defaults();
    c.variant = (LenetVariant)variant;
    c.sgd.lr = variant == LENET_1998 ? 0.01f : 0.05f;
    c.catch_sigint = 1;
    long long v;
    double d;
#define INT_FLAG(k, lo, hi, dst)                                                \
    if (a.value[k]) {                                                          \
        if ((st = model_flag_int("cnn train", train_flags, &a, k, lo, hi, &v))) \
            return st;                                                         \
        dst = v;                                                               \
    }
#define DBL_FLAG(k, lo, hi, dst)                                                   \
    if (a.value[k]) {                                                             \
        if ((st = model_flag_double("cnn train", train_flags, &a, k, lo, hi, &d))) \
            return st;                                                            \
        dst = (float)d;                                                           \
    }
    INT_FLAG(F_EPOCHS, 1, TRAIN_MAX_EPOCHS, c.epochs);
    INT_FLAG(F_BATCH, 1, 65536, c.batch);
    INT_FLAG(F_SEED, 0, LLONG_MAX, c.seed);
    INT_FLAG(F_THREADS, 1, 1024, c.threads);
    INT_FLAG(F_MAX_STEPS, 1, LLONG_MAX, c.max_steps);
    INT_FLAG(F_LIMIT_TRAIN, 1, INT_MAX, c.limit_train);
    DBL_FLAG(F_LR, 1e-9, 100, c.sgd.lr);
    DBL_FLAG(F_MOMENTUM, 0, 0.999999, c.sgd.momentum);
    DBL_FLAG(F_WD, 0, 10, c.sgd.weight_decay);
#undef INT_FLAG
#undef DBL_FLAG
    if (a.value[F_DATA]) {
        if (strcmp(a.value[F_DATA], "mnist") != 0 &&
            strcmp(a.value[F_DATA], "fashion-mnist") != 0)
            return model_fail(EXIT_USAGE, "--data takes mnist or fashion-mnist, "
                              "not '%s'", a.value[F_DATA]);
        c.data = a.value[F_DATA];
    }
    c.data_dir = a.value[F_DATA_DIR];
    if (a.value[F_ALGO]) {
        int algo = conv_algo_parse(a.value[F_ALGO]);
        if (algo < 0)
            return model_fail(EXIT_USAGE, "--algo takes %s, not '%s'",
                              conv_algo_choices(), a.value[F_ALGO]);
        c.algo = (ConvAlgo)algo;
    }
    if (a.value[F_SCHEDULE]) {
        if (strcmp(a.value[F_SCHEDULE], "cosine") != 0 &&
            strcmp(a.value[F_SCHEDULE], "constant") != 0)
            return model_fail(EXIT_USAGE, "--schedule takes cosine or constant, "
                              "not '%s'", a.value[F_SCHEDULE]);
        c.cosine = strcmp(a.value[F_SCHEDULE], "cosine") == 0;
    }
    c.checkpoint = a.value[F_CHECKPOINT];
    c.resume = a.value[F_RESUME] != NULL;
    c.metrics = a.value[F_METRICS];
    c.verbose = !a.value[F_QUIET];
    const int bench = a.value[F_BENCH] != NULL;
    if (bench) c.eval_test = 0;

    CnnError e = {""};
    if (c.resume) {
        if (!c.checkpoint)
            return model_fail(EXIT_USAGE, "--resume continues the run saved in "
                              "a checkpoint: give --checkpoint FILE");
        if (access(c.checkpoint, F_OK) != 0)
            return model_fail(EXIT_DATA, "--resume: there is no checkpoint %s "
                              "to continue (%s); leave out --resume to start a "
                              "new run", c.checkpoint, strerror(errno));
        TrainState s;
        if (lenet_read_state(c.checkpoint, &s, &e))
            return model_fail(EXIT_DATA, "%s", e.msg);
        if (s.cfg.variant != c.variant)
            return model_fail(EXIT_DATA, "%s holds a %s, not a %s: give the "
                              "model it was trained as", c.checkpoint,
                              lenet_model_name(s.cfg.variant),
                              lenet_model_name(c.variant));
        char have[64];
        const TrainConfig *k = &s.cfg;
#define CHECK(flag_, differs_, fmt_, have_)                                     \
    if (a.value[flag_] && (differs_)) {                                          \
        snprintf(have, sizeof have, fmt_, have_);                                \
        return check_resume_flag(&a, flag_, c.checkpoint, have);                 \
    }
        CHECK(F_DATA, strcmp(c.data, k->data) != 0, "%s", k->data);
        CHECK(F_BATCH, c.batch != k->batch, "%d", k->batch);
        CHECK(F_LR, !same_float(a.value[F_LR], k->sgd.lr), "%g", (double)k->sgd.lr);
        CHECK(F_MOMENTUM, !same_float(a.value[F_MOMENTUM], k->sgd.momentum), "%g",
              (double)k->sgd.momentum);
        CHECK(F_WD, !same_float(a.value[F_WD], k->sgd.weight_decay), "%g",
              (double)k->sgd.weight_decay);
        CHECK(F_SEED, c.seed != k->seed, "%llu", (unsigned long long)k->seed);
        CHECK(F_LIMIT_TRAIN, c.limit_train != k->limit_train, "%d", k->limit_train);
        CHECK(F_SCHEDULE, c.cosine != k->cosine, "%s",
              k->cosine ? "cosine" : "constant");
#undef CHECK
        c.data = k->data;
        c.batch = k->batch;
        c.sgd = k->sgd;
        c.seed = k->seed;
        c.limit_train = k->limit_train;
        c.cosine = k->cosine;
        if (!a.value[F_ALGO]) c.algo = k->algo;
        if (!a.value[F_THREADS]) c.threads = k->threads;
        if (!a.value[F_EPOCHS]) c.epochs = k->epochs;
        if (c.threads != k->threads)
            fprintf(stderr, "cnn: note: %s was trained with --threads %d; with "
                    "%d the sums round differently, so the weights will not "
                    "match an uninterrupted run bit for bit\n", c.checkpoint,
                    k->threads, c.threads);
        printf("resuming %s: %s, step %lld (epoch %d of %d)\n", c.checkpoint,
               lenet_model_name(c.variant), s.steps, s.epochs_done + 1,
               c.epochs);
    } else if (c.checkpoint && access(c.checkpoint, F_OK) == 0) {
        return model_fail(EXIT_USAGE, "the checkpoint %s exists already: add "
                          "--resume to continue that run, or give another "
                          "--checkpoint (or remove it) to start a new one",
                          c.checkpoint);
    }
    if (c.checkpoint && atomic_check(c.checkpoint, &e))
        return model_fail(EXIT_DATA, "%s", e.msg);
    if (c.metrics && atomic_check(c.metrics, &e))
        return model_fail(EXIT_DATA, "%s", e.msg);

    Lenet m;
    TrainResult *r = xcalloc(1, sizeof *r);
    if (train_lenet(&c, &m, r, &e)) {
        free(r);
        return model_fail(EXIT_DATA, "%s", e.msg);
    }
    char info[160];
    printf("%s on %s (%s %s: %d training images), %zu parameters; %s\n",
           lenet_model_name(m.variant), c.data,
           c.data_dir ? "the IDX files in" : r->loc.full ? "the full set in"
                                                         : "the committed sample in",
           r->loc.dir, r->n_train, m.n_params,
           fastconv_describe(info, sizeof info));
    if (r->train_seconds > 0)
        printf("trained %lld images in %.2f s: %.0f images/s, %.2f s per "
               "60,000 images; peak memory %.1f MB\n",
               r->train_images, r->train_seconds,
               (double)r->train_images / r->train_seconds,
               60000.0 * r->train_seconds / (double)r->train_images,
               r->peak_rss_mb);
    int status = 0;
    if (r->interrupted) {
        if (c.checkpoint)
            printf("stopped after step %lld; saved %s: continue with the same "
                   "command and --resume\n", r->steps, c.checkpoint);
        else
            printf("stopped after step %lld; nothing was saved (give "
                   "--checkpoint FILE to keep a run)\n", r->steps);
        status = c.max_steps && r->steps >= c.max_steps ? 0 : EXIT_INTERRUPTED;
    }
    lenet_free(&m);
    free(r);
    return status;
}

/* train.h: chapter 06, training and evaluating LeNet-5 on an IDX data set:
 * the loop `cnn train` runs and the experiment calls. Given code
 * (train_given.c), built on your layers.h and lenet.h.
 *
 * One step: read a batch of images in the epoch's order, scale them
 * (lenet_prepare_input), lenet_forward, softmax_cross_entropy_forward and
 * _backward, lenet_backward, sgd_step over the whole parameter slab. An
 * epoch visits every training image once, in an order drawn from the seed
 * and the epoch's number alone (so a run stopped after any step and
 * resumed from its checkpoint draws the same batches). Same seed, same
 * thread count: the same weights, bit for bit.
 */
#ifndef TRAIN_H
#define TRAIN_H

#include <stdint.h>

#include "dataset.h"
#include "lenet.h"
#include "util.h"

#define TRAIN_MAX_EPOCHS 1000

/* >>> config */
typedef struct {
    LenetVariant variant;
    const char *data;       /* "mnist" or "fashion-mnist" */
    const char *data_dir;   /* NULL: data_locate's search (dataset.h) */
    int epochs;             /* train until this many epochs are done */
    int batch;              /* images per step */
    SgdConfig sgd;          /* sgd.lr is the initial learning rate */
    int cosine;             /* 1: the learning rate follows a cosine from
                             * sgd.lr down to 0 over the run, eq. (6.29);
                             * 0: it stays sgd.lr */
    uint64_t seed;          /* initialisation and the order of every epoch */
    int threads;            /* the engine's OpenMP threads (>= 1) */
    ConvAlgo algo;
    const char *checkpoint; /* saved after every epoch and on a stop; NULL: none */
    int resume;             /* continue from checkpoint */
    long long max_steps;    /* stop after this many steps in all, saving as
                             * on Ctrl-C; 0: no limit */
    int limit_train;        /* train on the first N images only; 0: all */
    int eval_test;          /* measure the test set after every epoch */
    int catch_sigint;       /* Ctrl-C stops after the current step and saves */
    int verbose;            /* one line per epoch on stdout */
    const char *metrics;    /* per-epoch .dat file, NULL: none */
    /* Called after every step with the step's mean loss and accuracy. */
    void (*on_step)(void *ctx, long long step, double loss, double acc);
    void *ctx;
} TrainConfig;

/* TrainConfig with the defaults of `cnn train` (see cmd_train.c). */
TrainConfig train_defaults(void);

/* The learning rate of step `step` (0-based) of a run of `total` steps,
 * eq. (6.29): lr0 (1 + cos(pi step / total)) / 2 with cosine, else lr0. */
float train_lr_at(const TrainConfig *c, long long step, long long total);
/* <<< config */

typedef struct {
    int epoch;              /* 1-based */
    double train_loss, train_acc;  /* means over the epoch's steps */
    double test_loss, test_acc;    /* NaN when not measured */
    double seconds;         /* the epoch's training steps, wall clock */
    double images_per_s;
} EpochStats;

typedef struct {
    int n_epochs;           /* rows of epoch[] */
    EpochStats epoch[TRAIN_MAX_EPOCHS];
    long long steps;        /* steps done in all, resumed ones included */
    int interrupted;        /* stopped by Ctrl-C or max_steps */
    double train_seconds;   /* this run's training steps */
    long long train_images; /* this run's training images */
    double peak_rss_mb;     /* the process's peak resident memory */
    DataLocation loc;       /* where the data came from */
    int n_train, n_test;
} TrainResult;

/* Trains as c says. *m is created here (lenet_free it) and holds the final
 * weights; r the history. 0, or -1 + e. A stop (Ctrl-C, max_steps) is not
 * an error: r->interrupted is set and the checkpoint, if any, saved. */
int train_lenet(const TrainConfig *c, Lenet *m, TrainResult *r, CnnError *e);

/* Loss and accuracy of m over the whole data set d, in batches of
 * m->batch; confusion (10 x 10, rows true class, columns predicted) and
 * pred (d->n predicted classes) are filled when not NULL. 0, or -1 + e. */
int lenet_evaluate(Lenet *m, const Dataset *d, double *loss, double *acc,
                   long long *confusion, int *pred, CnnError *e);

/* ---- checkpoints -------------------------------------------------------- */

/* "lenet5" (the 1998 net) or "lenet5-modern", and back (-1: no such). */
const char *lenet_model_name(LenetVariant v);
int lenet_model_parse(const char *name);
/* "lenet5|lenet5-modern", for messages. */
#define LENET_MODEL_CHOICES "lenet5 (the 1998 net) or lenet5-modern"

/* What a checkpoint holds besides the tensors. */
typedef struct {
    TrainConfig cfg;        /* the settings it was trained with */
    int epochs_done;        /* whole epochs done */
    long long step_in_epoch;/* steps done in the epoch under way */
    long long steps;        /* steps done in all */
} TrainState;

/* Reads the checkpoint path (common/checkpoint.h) into a new model *m for
 * batches of up to `batch` images (its variant is the checkpoint's; lenet_
 * free it) and, when st is not NULL, its state. When want >= 0 the
 * checkpoint must hold that variant: a mismatch is refused with one
 * sentence. 0, or -1 + e. */
int lenet_load(const char *path, int want, int batch, ConvAlgo algo, Lenet *m,
               TrainState *st, CnnError *e);

/* Reads only a checkpoint's state (its settings). 0, or -1 + e. */
int lenet_read_state(const char *path, TrainState *st, CnnError *e);

/* Peak resident memory of this process so far, in MB (10^6 bytes). */
double peak_rss_mb(void);

#endif

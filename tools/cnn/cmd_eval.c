/* cmd_eval.c: `cnn eval` (a trained model on a data set) and `cnn predict`
 * (a trained model on pictures). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "06-lenet5/train.h"
#include "atomic_file.h"
#include "cnn_models.h"
#include "image.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

static const char *const FASHION_NAMES[LENET_CLASSES] = {
    "T-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot"};

/* ---- cnn eval --------------------------------------------------------------- */

enum { E_CHECKPOINT, E_DATA, E_DATA_DIR, E_SPLIT, E_THREADS, E_BATCH, E_HELP };

static const ModelFlag eval_flags[] = {
    [E_CHECKPOINT] = {"checkpoint", 0, "the trained model's checkpoint"},
    [E_DATA] = {"data", 0, "mnist or fashion-mnist (default: the one it was "
                           "trained on)"},
    [E_DATA_DIR] = {"data-dir", 0, "a folder with the four IDX files"},
    [E_SPLIT] = {"split", 0, "test or train"},
    [E_THREADS] = {"threads", 0, "OpenMP threads"},
    [E_BATCH] = {"batch", 0, "images per forward pass"},
    [E_HELP] = {"help", 1, NULL},
    {NULL, 0, NULL},
};

/* Loads the checkpoint flag k names into m; returns 0 or an exit status. */
static int load_model(const char *command, const ModelArgs *a, int k,
                      int variant, int batch, Lenet *m, TrainState *st)
{
    if (!a->value[k])
        return model_fail(EXIT_USAGE, "%s needs the trained model: give "
                          "--checkpoint FILE (written by cnn train)", command);
    CnnError e = {""};
    if (lenet_load(a->value[k], variant, batch, CONV_ALGO_AUTO, m, st, &e))
        return model_fail(EXIT_DATA, "%s", e.msg);
    return 0;
}

int cnn_cmd_eval(int argc, char **argv)
{
    ModelArgs a;
    int st = model_parse_args("cnn eval", eval_flags, argc, argv, &a);
    if (st) return st;
    if (a.value[E_HELP]) {
        printf("usage: cnn eval MODEL --checkpoint FILE [--data mnist|"
               "fashion-mnist] [--data-dir DIR]\n"
               "                [--split test|train] [--threads N] "
               "[--batch N]\n"
               "Loss, accuracy and confusion matrix of a trained model on a "
               "data set\n(default: the test split of the set it was trained "
               "on).\n");
        return 0;
    }
    int variant;
    if ((st = model_variant_arg("eval", &a, &variant))) return st;
    if (a.n_pos > 1)
        return model_fail(EXIT_USAGE, "cnn eval takes one model, but got '%s' "
                          "too", a.pos[1]);
    long long threads = 1, batch = 256;
    if (a.value[E_THREADS] &&
        (st = model_flag_int("cnn eval", eval_flags, &a, E_THREADS, 1, 1024,
                             &threads)))
        return st;
    if (a.value[E_BATCH] &&
        (st = model_flag_int("cnn eval", eval_flags, &a, E_BATCH, 1, 65536,
                             &batch)))
        return st;
    const char *split = a.value[E_SPLIT] ? a.value[E_SPLIT] : "test";
    if (strcmp(split, "test") != 0 && strcmp(split, "train") != 0)
        return model_fail(EXIT_USAGE, "--split takes test or train, not '%s'",
                          split);
    fastconv_set_threads((int)threads);
    Lenet m;
    TrainState s;
    if ((st = load_model("cnn eval", &a, E_CHECKPOINT, variant, (int)batch, &m,
                         &s)))
        return st;
    const char *data = a.value[E_DATA] ? a.value[E_DATA] : s.cfg.data;
    if (strcmp(data, "mnist") != 0 && strcmp(data, "fashion-mnist") != 0) {
        lenet_free(&m);
        return model_fail(EXIT_USAGE, "--data takes mnist or fashion-mnist, "
                          "not '%s'", data);
    }
    CnnError e = {""};
    DataLocation loc;
    Dataset d;
    if (data_locate(data, a.value[E_DATA_DIR], &loc, &e) ||
        dataset_open(&d, &loc, strcmp(split, "test") == 0 ? "t10k" : "train",
                     LENET_CLASSES, &e)) {
        lenet_free(&m);
        return model_fail(EXIT_DATA, "%s", e.msg);
    }
    double loss, acc;
    long long conf[LENET_CLASSES * LENET_CLASSES];
    int rc = lenet_evaluate(&m, &d, &loss, &acc, conf, NULL, &e);
    if (rc == 0) {
        printf("%s (%s, %d epochs) on the %s split of %s (%s, %d images):\n",
               lenet_model_name(m.variant), a.value[E_CHECKPOINT],
               s.epochs_done, split, data,
               loc.full ? "full set" : "committed sample", d.n);
        printf("loss %.4f  accuracy %.2f%%  (%lld errors)\n", loss, 100 * acc,
               (long long)llround((1 - acc) * d.n));
        printf("confusion matrix (rows: true class, columns: predicted)\n     ");
        for (int k = 0; k < LENET_CLASSES; k++) printf("%6d", k);
        printf("\n");
        for (int t = 0; t < LENET_CLASSES; t++) {
            printf("%4d ", t);
            for (int k = 0; k < LENET_CLASSES; k++)
                printf("%6lld", conf[t * LENET_CLASSES + k]);
            printf("\n");
        }
    }
    dataset_close(&d);
    lenet_free(&m);
    return rc ? model_fail(EXIT_DATA, "%s", e.msg) : 0;
}

/* ---- cnn predict ------------------------------------------------------------- */

/* Brings a picture into MNIST's frame, as the MNIST images were made:
 * ink bright on a dark background (a picture whose border is mostly light
 * is inverted), the ink's bounding box scaled to fit 20x20 keeping its
 * aspect (each output pixel the mean of the input area it covers), then
 * placed in a 28x28 frame so that its centre of mass is the frame's
 * centre. Returns -1 when the picture has no ink. */
static int to_mnist_frame(const GrayImage *img, uint8_t out[784])
{
    const int w = img->w, h = img->h;
    double border = 0;
    int nb = 0;
    for (int x = 0; x < w; x++) {
        border += img->pixels[x] + img->pixels[(size_t)(h - 1) * w + x];
        nb += 2;
    }
    for (int y = 0; y < h; y++) {
        border += img->pixels[(size_t)y * w] + img->pixels[(size_t)y * w + w - 1];
        nb += 2;
    }
    const int invert = border / nb > 127.5;
    float *ink = xmalloc((size_t)w * h * sizeof *ink);
    float lo = 255, hi = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        ink[i] = invert ? 255 - img->pixels[i] : img->pixels[i];
        lo = ink[i] < lo ? ink[i] : lo;
        hi = ink[i] > hi ? ink[i] : hi;
    }
    /* Stretch to 0..255 so a faint pencil line counts as ink. */
    int x0 = w, x1 = -1, y0 = h, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *v = &ink[(size_t)y * w + x];
            *v = hi > lo ? 255 * (*v - lo) / (hi - lo) : 0;
            if (*v > 64) {
                x0 = x < x0 ? x : x0; x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0; y1 = y > y1 ? y : y1;
            }
        }
    if (x1 < 0 || hi - lo < 32) {
        free(ink);
        return -1;
    }
    const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const double scale = 20.0 / (bw > bh ? bw : bh); /* output px per input px */
    const int ow = (int)fmax(1, round(bw * scale)), oh = (int)fmax(1, round(bh * scale));
    float box[20][20] = {{0}};
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) {
            /* the input area under output pixel (i, j), 4x4 samples */
            double sum = 0;
            for (int si = 0; si < 4; si++)
                for (int sj = 0; sj < 4; sj++) {
                    int y = y0 + (int)((i + (si + 0.5) / 4) / scale);
                    int x = x0 + (int)((j + (sj + 0.5) / 4) / scale);
                    y = y > y1 ? y1 : y;
                    x = x > x1 ? x1 : x;
                    sum += ink[(size_t)y * w + x];
                }
            box[i][j] = (float)(sum / 16);
        }
    free(ink);
    double m = 0, my = 0, mx = 0;
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) {
            m += box[i][j];
            my += box[i][j] * (i + 0.5);
            mx += box[i][j] * (j + 0.5);
        }
    int top = (int)round(14 - my / m), left = (int)round(14 - mx / m);
    top = top < 0 ? 0 : top + oh > 28 ? 28 - oh : top;
    left = left < 0 ? 0 : left + ow > 28 ? 28 - ow : left;
    memset(out, 0, 784);
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
            out[(top + i) * 28 + left + j] = (uint8_t)lround(box[i][j]);
    return 0;
}

enum { P_CHECKPOINT, P_RAW, P_SAVE_INPUT, P_HELP };

static const ModelFlag predict_flags[] = {
    [P_CHECKPOINT] = {"checkpoint", 0, "the trained model's checkpoint"},
    [P_RAW] = {"raw", 1, NULL},
    [P_SAVE_INPUT] = {"save-input", 0, "a .pgm file for the 28x28 input the "
                                       "model sees (one image only)"},
    [P_HELP] = {"help", 1, NULL},
    {NULL, 0, NULL},
};

int cnn_cmd_predict(int argc, char **argv)
{
    ModelArgs a;
    int st = model_parse_args("cnn predict", predict_flags, argc, argv, &a);
    if (st) return st;
    if (a.value[P_HELP]) {
        printf("usage: cnn predict MODEL --checkpoint FILE [--raw] "
               "[--save-input OUT.pgm] IMAGE ...\n"
               "Classifies each IMAGE (PGM or PNG, any size, grey or colour). "
               "The picture is\nbrought into MNIST's frame first: ink bright "
               "on dark, fitted into 20x20,\ncentred by its centre of mass in "
               "28x28. --raw skips that for an image that\nis already a 28x28 "
               "MNIST-style picture.\n");
        return 0;
    }
    int variant;
    if ((st = model_variant_arg("predict", &a, &variant))) return st;
    if (a.n_pos < 2)
        return model_fail(EXIT_USAGE, "cnn predict needs at least one image "
                          "(PGM or PNG) after the model");
    if (a.value[P_SAVE_INPUT] && a.n_pos != 2)
        return model_fail(EXIT_USAGE, "--save-input keeps the input of one "
                          "image; give one image with it");
    CnnError e = {""};
    if (a.value[P_SAVE_INPUT] && atomic_check(a.value[P_SAVE_INPUT], &e))
        return model_fail(EXIT_DATA, "%s", e.msg);
    Lenet m;
    TrainState s;
    if ((st = load_model("cnn predict", &a, P_CHECKPOINT, variant, 1, &m, &s)))
        return st;
    const int fashion = strcmp(s.cfg.data, "fashion-mnist") == 0;
    int status = 0;
    for (int k = 1; k < a.n_pos && status == 0; k++) {
        GrayImage img;
        uint8_t px[784];
        if (image_read_gray(a.pos[k], &img, &e)) {
            status = model_fail(EXIT_DATA, "%s", e.msg);
            break;
        }
        if (a.value[P_RAW]) {
            if (img.w != 28 || img.h != 28) {
                status = model_fail(EXIT_DATA, "%s is %dx%d; --raw takes a "
                                    "28x28 image as it is (leave out --raw "
                                    "to fit any picture)", a.pos[k], img.w,
                                    img.h);
                image_free(&img);
                break;
            }
            memcpy(px, img.pixels, 784);
        } else if (to_mnist_frame(&img, px)) {
            status = model_fail(EXIT_DATA, "%s looks blank (no ink stands out "
                                "from the background): nothing to classify",
                                a.pos[k]);
            image_free(&img);
            break;
        }
        image_free(&img);
        if (a.value[P_SAVE_INPUT]) {
            GrayImage in = {28, 28, px};
            if (image_write_pgm(a.value[P_SAVE_INPUT], &in, &e)) {
                status = model_fail(EXIT_DATA, "%s", e.msg);
                break;
            }
        }
        float x[LENET_IN * LENET_IN], z[LENET_CLASSES], p[LENET_CLASSES];
        int label = 0;
        lenet_prepare_input(px, 1, x);
        lenet_forward(&m, x, 1, z);
        softmax_cross_entropy_forward(z, &label, 1, LENET_CLASSES, p);
        int best = 0;
        for (int c = 1; c < LENET_CLASSES; c++)
            if (p[c] > p[best]) best = c;
        if (fashion)
            printf("%s: %d (%s), probability %.3f\n", a.pos[k], best,
                   FASHION_NAMES[best], p[best]);
        else
            printf("%s: %d, probability %.3f\n", a.pos[k], best, p[best]);
        printf("  probabilities:");
        for (int c = 0; c < LENET_CLASSES; c++) printf(" %d:%.3f", c, p[c]);
        printf("\n");
    }
    lenet_free(&m);
    return status;
}

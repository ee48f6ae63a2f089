/* cmd_rf.c: `cnn rf SPEC`, the receptive field, jump and first position of
 * every layer of an architecture written in the one-line form of
 * common/archspec.h, computed by rf_stack of chapter 04
 * (chapters/04-receptive-fields/rf.h) and, when the spec gives the input
 * size, the feature-map sizes by conv_out_size of chapter 01.
 *
 *   cnn rf "in224, conv3 p1, conv3 p1, maxpool2"   cnn rf vgg16
 *   cnn rf --list                                  cnn rf --help
 *
 * Exit status: 0 done, 2 a mistake in the command line or the spec (one
 * sentence on stderr, naming the word and the fix).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "01-convolution/conv.h"
#include "04-receptive-fields/rf.h"
#include "archspec.h"
#include "cnn_rf.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

static void print_rf_help(FILE *f)
{
    fprintf(f,
        "usage: cnn rf SPEC          receptive fields of an architecture\n"
        "       cnn rf NAME          ... of a known one: lenet5, alexnet,\n"
        "                            vgg11, vgg13, vgg16, vgg19\n"
        "       cnn rf --list        the known ones, written out in this form\n"
        "\n"
        "SPEC is one line (quote it, or leave the words as they are): layers\n"
        "separated by commas, each a head word with its window size and then\n"
        "options, optionally labelled \"name:\" in front.\n"
        "\n"
        "  inN, inHxW     the input's height and width; first, optional; cN gives\n"
        "                 its channels. With it, the output sizes are shown too.\n"
        "  convK          convolution with a K x K kernel (convKHxKW: KH x KW)\n"
        "                 sN stride, pN padding, dN dilation (N, or HxW for\n"
        "                 height and width), gN groups, cN or N channels, nobias\n"
        "  maxpoolK       max pooling (poolK is the same); sN pN dN; the stride\n"
        "                 defaults to K, as in PyTorch\n"
        "  avgpoolK       average pooling; sN pN\n"
        "  fc [N]         fully connected: reads its whole input (needs inN)\n"
        "  gap            global average pooling (needs inN)\n"
        "  relu tanh sigmoid bn lrn dropout\n"
        "                 pointwise: they keep the receptive field (no row)\n"
        "\n"
        "examples:\n"
        "  cnn rf \"conv3 p1, conv3 p1, maxpool2\"\n"
        "  cnn rf \"in64, conv3x5 s2x1 p1x2, conv3 d2 p2, fc 10\"\n"
        "  cnn rf \"in227 c3, conv1: conv11 96 s4, pool1: maxpool3 s2\"\n"
        "  cnn rf alexnet\n"
        "\n"
        "Columns, per axis (one number when height and width agree, else HxW):\n"
        "  RF      the receptive field: how many input positions a unit sees,\n"
        "          padding included (eq. 4.5 of chapter 04)\n"
        "  jump    input pixels between neighbouring units (eq. 4.4)\n"
        "  first   the first input position unit 0 sees; negative: in the\n"
        "          padding (minus it is the \"effective padding\", eq. 4.6)\n"
        "  centre  the centre of unit 0's window, first + (RF - 1) / 2\n"
        "Unit i's window starts at first + i * jump.\n"
        "\n"
        "Exit status: 0 done; 2 a mistake in the command or the spec, said in\n"
        "one line on stderr.\n");
}

static int usage(const char *msg)
{
    fprintf(stderr, "cnn: %s\n", msg);
    return EXIT_USAGE;
}

static void print_list(FILE *f)
{
    for (int k = 0; arch_known_names[k]; k++)
        fprintf(f, "%s%s:\n  %s\n", k ? "\n" : "", arch_known_names[k],
                arch_known_text(arch_known_names[k]));
}

/* "7" or "7x5". */
static void pair_ll(char *buf, size_t len, long long h, long long w)
{
    if (h == w)
        snprintf(buf, len, "%lld", h);
    else
        snprintf(buf, len, "%lldx%lld", h, w);
}

static void pair_g(char *buf, size_t len, double h, double w)
{
    if (h == w)
        snprintf(buf, len, "%.10g", h);
    else
        snprintf(buf, len, "%.10gx%.10g", h, w);
}

/* One row of the table. */
typedef struct {
    char label[40], spec[64], out[32], rf[48], jump[48], first[48], centre[56];
} Row;

#define COLS 7

static const char *cell(const Row *r, int c)
{
    const char *cells[COLS] = {r->label, r->spec, r->out, r->rf, r->jump,
                               r->first, r->centre};
    return cells[c];
}

static void fill_state(Row *r, const RfState *s)
{
    pair_ll(r->rf, sizeof r->rf, s->h.size, s->w.size);
    pair_ll(r->jump, sizeof r->jump, s->h.jump, s->w.jump);
    pair_ll(r->first, sizeof r->first, s->h.first, s->w.first);
    pair_g(r->centre, sizeof r->centre, rf_center(&s->h), rf_center(&s->w));
}

/* The RfLayer of layer l and the feature-map size after it (h, w: the size
 * before, 0 when unknown). fc and gap read the whole map: a window as large
 * as the map, stride 1, no padding. */
static int to_rf_layer(const ArchLayer *a, int index, int *h, int *w,
                       RfLayer *out, CnnError *e)
{
    char where[160]; /* "layer 3 ('conv3 p1')" or "layer 3 (pool5: 'maxpool2')" */
    snprintf(where, sizeof where, "layer %d (%s%s'%s')", index, a->label ? a->label : "",
             a->label ? ": " : "", a->text);
    if (arch_is_pointwise(a->kind)) {
        *out = (RfLayer){.kind = RF_POINTWISE};
        return 0;
    }
    if (a->kind == ARCH_FC || a->kind == ARCH_GAP) {
        if (*h == 0)
            return cnn_fail(e, "%s reads its whole input, so its receptive field "
                            "depends on the input size: start the spec with it, "
                            "e.g. 'in224, ...'", where);
        *out = (RfLayer){.kind = a->kind == ARCH_FC ? RF_CONV : RF_POOL,
                         .kh = *h, .kw = *w, .stride_h = 1, .stride_w = 1,
                         .dil_h = 1, .dil_w = 1};
        *h = *w = 1;
        return 0;
    }
    *out = (RfLayer){.kind = a->kind == ARCH_CONV ? RF_CONV : RF_POOL,
                     .kh = a->kh, .kw = a->kw,
                     .stride_h = a->stride_h, .stride_w = a->stride_w,
                     .pad_h = a->pad_h, .pad_w = a->pad_w,
                     .dil_h = a->dil_h, .dil_w = a->dil_w};
    if (*h == 0)
        return 0;
    /* Does the dilated window fit the padded input? (A comparison, not an
     * output size: that is conv_out_size's, eq. 1.7.) */
    long long span_h = (long long)a->dil_h * (a->kh - 1) + 1;
    long long span_w = (long long)a->dil_w * (a->kw - 1) + 1;
    if (span_h > *h + 2LL * a->pad_h || span_w > *w + 2LL * a->pad_w)
        return cnn_fail(e, "%s gets a %dx%d input, too small for its window of "
                        "%lldx%lld (dilated) with padding %dx%d: give a larger "
                        "input or remove the layer",
                        where, *h, *w, span_h, span_w, a->pad_h, a->pad_w);
    int oh = conv_out_size(*h, a->kh, a->stride_h, a->pad_h, a->dil_h);
    int ow = conv_out_size(*w, a->kw, a->stride_w, a->pad_w, a->dil_w);
    if (oh < 1 || ow < 1) {
        cnn_fail(e, "conv_out_size gives an output of %dx%d for %s on a %dx%d "
                 "input, where the window fits: make it pass ./build.sh check "
                 "01 first", oh, ow, where, *h, *w);
        return -2; /* the code under test, not the spec */
    }
    *h = oh;
    *w = ow;
    return 0;
}

/* rf_stack's results must make sense before they are printed (the student
 * build runs the student's code). */
static int check_states(const RfState *s, int n, CnnError *e)
{
    for (int l = 0; l <= n; l++) {
        const RfAxis *ax[2] = {&s[l].h, &s[l].w};
        for (int k = 0; k < 2; k++)
            if (ax[k]->size < 1 || ax[k]->jump < 1)
                return cnn_fail(e, "rf_stack gave size %lld and jump %lld after "
                                "layer %d, but both are at least 1: make it pass "
                                "./build.sh check 04 first",
                                ax[k]->size, ax[k]->jump, l);
    }
    return 0;
}

/* rf.h promises exact results while every size, jump and first stays below
 * 2^62 in magnitude; a deeper stride than that (sixty-two stride-2 layers,
 * or a few with stride 10^6) is refused before rf_stack runs, instead of
 * overflowing inside it. The walk is in long double, whose 64-bit
 * significand (x86-64) holds every integer up to 2^64 exactly; every
 * intermediate of eqs. (4.4)-(4.6) is bounded by one of the results. */
static int check_magnitudes(const RfLayer *layers, const ArchSpec *spec, int n,
                            CnnError *e)
{
    const long double limit = ldexpl(1.0L, 62);
    long double size[2] = {1, 1}, jump[2] = {1, 1}, first[2] = {0, 0};
    for (int l = 0; l < n; l++) {
        const RfLayer *L = &layers[l];
        if (L->kind == RF_POINTWISE)
            continue;
        const int k[2] = {L->kh, L->kw}, st[2] = {L->stride_h, L->stride_w},
                  p[2] = {L->pad_h, L->pad_w}, d[2] = {L->dil_h, L->dil_w};
        for (int a = 0; a < 2; a++) {
            size[a] += (long double)(k[a] - 1) * d[a] * jump[a];
            first[a] -= (long double)p[a] * jump[a];
            jump[a] *= st[a];
            if (size[a] >= limit || jump[a] >= limit || -first[a] >= limit)
                return cnn_fail(e, "layer %d ('%s'): after it the %s reaches 2^62 "
                                "input pixels, more than the 64-bit arithmetic "
                                "of rf_stack holds exactly: use fewer or smaller "
                                "strides, kernels, dilations or paddings",
                                l + 1, spec->layers[l].text,
                                size[a] >= limit ? "receptive field"
                                : jump[a] >= limit ? "jump" : "padding reach");
        }
    }
    return 0;
}

static int run_rf(const char *text)
{
    ArchSpec spec;
    CnnError e = {""};
    if (arch_parse(text, &spec, &e)) {
        fprintf(stderr, "cnn: %s\n", e.msg);
        return EXIT_USAGE;
    }
    int n = spec.n, status = 0;
    RfLayer *layers = calloc((size_t)n + 1, sizeof *layers);
    RfState *states = calloc((size_t)n + 1, sizeof *states);
    Row *rows = calloc((size_t)n + 2, sizeof *rows);
    int *out_h = calloc((size_t)n + 1, sizeof *out_h), *out_w = calloc((size_t)n + 1, sizeof *out_w);
    if (!layers || !states || !rows || !out_h || !out_w) {
        fprintf(stderr, "cnn: out of memory for a %d-layer architecture\n", n);
        status = EXIT_DATA;
        goto done;
    }
    int h = spec.in_h, w = spec.in_w;
    for (int l = 0; l < n && status == 0; l++) {
        int rc = to_rf_layer(&spec.layers[l], l + 1, &h, &w, &layers[l], &e);
        if (rc)
            status = rc == -2 ? EXIT_DATA : EXIT_USAGE;
        out_h[l + 1] = h;
        out_w[l + 1] = w;
    }
    if (status == 0 && check_magnitudes(layers, &spec, n, &e))
        status = EXIT_USAGE;
    if (status == 0) {
        rf_stack(layers, n, states);
        if (check_states(states, n, &e))
            status = EXIT_DATA;
    }
    if (status) {
        fprintf(stderr, "cnn: %s\n", e.msg);
        goto done;
    }

    /* The rows: the input, then every layer that reads a window. */
    int n_rows = 0, n_point = 0;
    Row *r = &rows[n_rows++];
    snprintf(r->label, sizeof r->label, "input");
    r->spec[0] = '\0';
    if (spec.in_h)
        pair_ll(r->out, sizeof r->out, spec.in_h, spec.in_w);
    else
        snprintf(r->out, sizeof r->out, "-");
    fill_state(r, &states[0]);
    for (int l = 0; l < n; l++) {
        const ArchLayer *a = &spec.layers[l];
        if (arch_is_pointwise(a->kind)) {
            n_point++;
            continue;
        }
        r = &rows[n_rows++];
        if (a->label)
            snprintf(r->label, sizeof r->label, "%s", a->label);
        else
            snprintf(r->label, sizeof r->label, "#%d", l + 1);
        snprintf(r->spec, sizeof r->spec, "%s", a->text);
        if (spec.in_h)
            pair_ll(r->out, sizeof r->out, out_h[l + 1], out_w[l + 1]);
        else
            snprintf(r->out, sizeof r->out, "-");
        fill_state(r, &states[l + 1]);
    }

    if (spec.name)
        printf("%s: ", spec.name);
    if (spec.in_h) {
        printf("input %dx%d", spec.in_h, spec.in_w);
        if (spec.in_c)
            printf(" with %d channel%s", spec.in_c, spec.in_c == 1 ? "" : "s");
        printf(", ");
    } else {
        printf("input size not given (no output sizes), ");
    }
    printf("%d layer%s", n, n == 1 ? "" : "s");
    if (n_point)
        printf(" (the %d pointwise ones keep the receptive field and get no row)", n_point);
    printf("\n\n");

    static const char *const head[COLS] = {"layer", "spec", "output", "RF",
                                           "jump", "first", "centre"};
    size_t width[COLS];
    for (int c = 0; c < COLS; c++) {
        width[c] = strlen(head[c]);
        for (int k = 0; k < n_rows; k++)
            if (strlen(cell(&rows[k], c)) > width[c])
                width[c] = strlen(cell(&rows[k], c));
    }
    for (int k = -1; k < n_rows; k++) {
        for (int c = 0; c < COLS; c++) {
            const char *s = k < 0 ? head[c] : cell(&rows[k], c);
            if (c < 2) /* text left, numbers right */
                printf("%-*s  ", (int)width[c], s);
            else
                printf("%*s%s", (int)width[c], s, c + 1 < COLS ? "  " : "\n");
        }
    }
done:
    free(layers);
    free(states);
    free(rows);
    free(out_h);
    free(out_w);
    arch_free(&spec);
    return status;
}

static int rf_main(int n, char **words)
{
    for (int k = 0; k < n; k++)
        if (strcmp(words[k], "--help") == 0 || strcmp(words[k], "-h") == 0) {
            print_rf_help(stdout);
            return 0;
        }
    if (n == 1 && strcmp(words[0], "--list") == 0) {
        print_list(stdout);
        return 0;
    }
    for (int k = 0; k < n; k++)
        if (strncmp(words[k], "--", 2) == 0) {
            fprintf(stderr, "cnn: rf does not know '%s'; it takes an architecture, "
                    "--list or --help (see cnn rf --help)\n", words[k]);
            return EXIT_USAGE;
        }
    if (n == 0)
        return usage("rf needs an architecture, e.g. cnn rf \"conv3 p1, conv3 "
                     "p1, maxpool2\" or cnn rf vgg16 (cnn rf --help describes "
                     "the form)");
    /* The words, joined by spaces: quoting the spec is optional. */
    size_t len = 1;
    for (int k = 0; k < n; k++)
        len += strlen(words[k]) + 1;
    char *text = malloc(len);
    if (!text) {
        fprintf(stderr, "cnn: out of memory for a spec of %zu characters\n", len);
        return EXIT_DATA;
    }
    text[0] = '\0';
    for (int k = 0; k < n; k++) {
        if (k)
            strcat(text, " ");
        strcat(text, words[k]);
    }
    int status = run_rf(text);
    free(text);
    return status;
}

/* A table that could not be written (a full disk, a closed pipe) is an
 * error, not a silent success. */
int cnn_cmd_rf(int n, char **words)
{
    int status = rf_main(n, words);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cnn: could not write to standard output (%s)\n",
                strerror(errno));
        if (status == 0)
            status = EXIT_DATA;
    }
    return status;
}

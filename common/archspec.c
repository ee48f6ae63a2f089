/* archspec.c: the one-line architecture form (see archspec.h). */
#include "archspec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the known architectures ------------------------------------------------- */

/* LeNet-5 (LeCun et al. 1998): its subsampling layers as 2x2 average
 * pooling, the output layer as a fully connected one. */
static const char lenet5_text[] =
    "in32 c1, C1: conv5 6, tanh, S2: avgpool2, C3: conv5 16, tanh, "
    "S4: avgpool2, C5: conv5 120, tanh, F6: fc 84, tanh, output: fc 10";

/* AlexNet (Krizhevsky et al. 2012) as in Caffe's bvlc_alexnet: 227 x 227
 * input, conv1 unpadded, the two-GPU split as groups 2. */
static const char alexnet_text[] =
    "in227 c3, conv1: conv11 96 s4, relu, lrn, pool1: maxpool3 s2, "
    "conv2: conv5 256 p2 g2, relu, lrn, pool2: maxpool3 s2, "
    "conv3: conv3 384 p1, relu, conv4: conv3 384 p1 g2, relu, "
    "conv5: conv3 256 p1 g2, relu, pool5: maxpool3 s2, "
    "fc6: fc 4096, relu, dropout, fc7: fc 4096, relu, dropout, fc8: fc 1000";

/* VGG configurations A, B, D and E (Simonyan and Zisserman 2014). */
static const char vgg11_text[] =
    "in224 c3, conv1_1: conv3 64 p1, relu, pool1: maxpool2, "
    "conv2_1: conv3 128 p1, relu, pool2: maxpool2, "
    "conv3_1: conv3 256 p1, relu, conv3_2: conv3 256 p1, relu, "
    "pool3: maxpool2, conv4_1: conv3 512 p1, relu, "
    "conv4_2: conv3 512 p1, relu, pool4: maxpool2, "
    "conv5_1: conv3 512 p1, relu, conv5_2: conv3 512 p1, relu, "
    "pool5: maxpool2, fc6: fc 4096, relu, dropout, fc7: fc 4096, relu, "
    "dropout, fc8: fc 1000";

static const char vgg13_text[] =
    "in224 c3, conv1_1: conv3 64 p1, relu, conv1_2: conv3 64 p1, relu, "
    "pool1: maxpool2, conv2_1: conv3 128 p1, relu, "
    "conv2_2: conv3 128 p1, relu, pool2: maxpool2, "
    "conv3_1: conv3 256 p1, relu, conv3_2: conv3 256 p1, relu, "
    "pool3: maxpool2, conv4_1: conv3 512 p1, relu, "
    "conv4_2: conv3 512 p1, relu, pool4: maxpool2, "
    "conv5_1: conv3 512 p1, relu, conv5_2: conv3 512 p1, relu, "
    "pool5: maxpool2, fc6: fc 4096, relu, dropout, fc7: fc 4096, relu, "
    "dropout, fc8: fc 1000";

static const char vgg16_text[] =
    "in224 c3, conv1_1: conv3 64 p1, relu, conv1_2: conv3 64 p1, relu, "
    "pool1: maxpool2, conv2_1: conv3 128 p1, relu, "
    "conv2_2: conv3 128 p1, relu, pool2: maxpool2, "
    "conv3_1: conv3 256 p1, relu, conv3_2: conv3 256 p1, relu, "
    "conv3_3: conv3 256 p1, relu, pool3: maxpool2, "
    "conv4_1: conv3 512 p1, relu, conv4_2: conv3 512 p1, relu, "
    "conv4_3: conv3 512 p1, relu, pool4: maxpool2, "
    "conv5_1: conv3 512 p1, relu, conv5_2: conv3 512 p1, relu, "
    "conv5_3: conv3 512 p1, relu, pool5: maxpool2, fc6: fc 4096, relu, "
    "dropout, fc7: fc 4096, relu, dropout, fc8: fc 1000";

static const char vgg19_text[] =
    "in224 c3, conv1_1: conv3 64 p1, relu, conv1_2: conv3 64 p1, relu, "
    "pool1: maxpool2, conv2_1: conv3 128 p1, relu, "
    "conv2_2: conv3 128 p1, relu, pool2: maxpool2, "
    "conv3_1: conv3 256 p1, relu, conv3_2: conv3 256 p1, relu, "
    "conv3_3: conv3 256 p1, relu, conv3_4: conv3 256 p1, relu, "
    "pool3: maxpool2, conv4_1: conv3 512 p1, relu, "
    "conv4_2: conv3 512 p1, relu, conv4_3: conv3 512 p1, relu, "
    "conv4_4: conv3 512 p1, relu, pool4: maxpool2, "
    "conv5_1: conv3 512 p1, relu, conv5_2: conv3 512 p1, relu, "
    "conv5_3: conv3 512 p1, relu, conv5_4: conv3 512 p1, relu, "
    "pool5: maxpool2, fc6: fc 4096, relu, dropout, fc7: fc 4096, relu, "
    "dropout, fc8: fc 1000";

const char *const arch_known_names[] = {
    "lenet5", "alexnet", "vgg11", "vgg13", "vgg16", "vgg19", NULL,
};
static const char *const known_texts[] = {
    lenet5_text, alexnet_text, vgg11_text, vgg13_text, vgg16_text, vgg19_text,
};

const char *arch_known_text(const char *name)
{
    for (int k = 0; arch_known_names[k]; k++)
        if (strcmp(arch_known_names[k], name) == 0)
            return known_texts[k];
    return NULL;
}

/* ---- kinds -------------------------------------------------------------------- */

static const char *const kind_names[] = {
    [ARCH_CONV] = "conv",       [ARCH_MAXPOOL] = "maxpool",
    [ARCH_AVGPOOL] = "avgpool", [ARCH_FC] = "fc",
    [ARCH_GAP] = "gap",         [ARCH_RELU] = "relu",
    [ARCH_TANH] = "tanh",       [ARCH_SIGMOID] = "sigmoid",
    [ARCH_BN] = "bn",           [ARCH_LRN] = "lrn",
    [ARCH_DROPOUT] = "dropout",
};

const char *arch_kind_name(ArchKind k)
{
    return kind_names[k];
}

int arch_has_window(ArchKind k)
{
    return k == ARCH_CONV || k == ARCH_MAXPOOL || k == ARCH_AVGPOOL;
}

int arch_is_pointwise(ArchKind k)
{
    return k >= ARCH_RELU;
}

/* ---- words -------------------------------------------------------------------- */

#define MAX_WORDS 16
#define WORD_LEN 48

typedef struct {
    int index;              /* 1-based position in the spec, for messages */
    char text[96];          /* the layer as written (shortened), for messages */
    char body[96];          /* the same without its label                    */
    char word[MAX_WORDS][WORD_LEN];
    int n_words;
} Words;

/* One sentence about layer w, prefixed with where it is. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int layer_fail(CnnError *e, const Words *w, const char *fmt, ...)
{
    char rest[400], text[sizeof w->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    /* A control character typed into the spec is shown as '?', never sent
     * to the terminal. */
    memcpy(text, w->text, sizeof text);
    for (char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    for (char *c = rest; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return cnn_fail(e, "layer %d ('%s'): %s", w->index, text, rest);
}

/* A whole number, digits only, no sign: 0 and the value, or -1. A value
 * past ARCH_MAX_NUMBER reads as ARCH_MAX_NUMBER + 1, however many digits it
 * has, so that the range check calls it too large rather than not a
 * number. */
static int parse_number(const char *s, int *v)
{
    size_t n = strlen(s);
    if (n == 0)
        return -1;
    long val = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        val = val * 10 + (s[i] - '0');
        if (val > ARCH_MAX_NUMBER)
            val = ARCH_MAX_NUMBER + 1L;
    }
    *v = (int)val;
    return 0;
}

/* "N" (both) or "HxW": 0, or -1 when s is neither. */
static int parse_pair(const char *s, int *h, int *w)
{
    const char *x = strchr(s, 'x');
    if (!x)
        return parse_number(s, h) == 0 ? (*w = *h, 0) : -1;
    char a[WORD_LEN];
    size_t n = (size_t)(x - s);
    if (n >= sizeof a)
        return -1;
    memcpy(a, s, n);
    a[n] = '\0';
    return parse_number(a, h) == 0 && parse_number(x + 1, w) == 0 ? 0 : -1;
}

/* A number (pair) that must lie in [lo, ARCH_MAX_NUMBER], as the value of
 * `what` written as word. */
static int check_range(const Words *w, const char *word, const char *what,
                       int v, int lo, CnnError *e)
{
    if (v < lo)
        return layer_fail(e, w, "'%s' gives %s %d, but %s is at least %d", word,
                          what, v, what, lo);
    if (v > ARCH_MAX_NUMBER)
        return layer_fail(e, w, "'%s' gives %s more than the %d this form "
                          "allows", word, what, ARCH_MAX_NUMBER);
    return 0;
}

/* ---- one layer ------------------------------------------------------------------ */

/* Which options a kind takes, for checking and for messages. */
enum { OPT_S = 1, OPT_P = 2, OPT_D = 4, OPT_G = 8, OPT_C = 16, OPT_NOBIAS = 32 };

static int options_of(ArchKind k)
{
    switch (k) {
    case ARCH_CONV: return OPT_S | OPT_P | OPT_D | OPT_G | OPT_C | OPT_NOBIAS;
    case ARCH_MAXPOOL: return OPT_S | OPT_P | OPT_D;
    case ARCH_AVGPOOL: return OPT_S | OPT_P;
    case ARCH_FC: return OPT_C | OPT_NOBIAS;
    default: return 0;
    }
}

static const char *options_text(ArchKind k)
{
    switch (k) {
    case ARCH_CONV:
        return "conv takes sN (stride), pN (padding), dN (dilation), each N or "
               "HxW, gN (groups), cN or N (channels) and nobias";
    case ARCH_MAXPOOL:
        return "maxpool takes sN (stride), pN (padding) and dN (dilation), each "
               "N or HxW";
    case ARCH_AVGPOOL:
        return "avgpool takes sN (stride) and pN (padding), each N or HxW";
    case ARCH_FC:
        return "fc takes cN or N (output features) and nobias";
    default:
        return "it takes no options";
    }
}

#define HEADS "a layer starts with convK, maxpoolK (or poolK), avgpoolK, fc, " \
              "gap, relu, tanh, sigmoid, bn, lrn or dropout, and the spec may " \
              "start with the input size inN (see cnn rf --help)"

/* The head word: the kind, and the window size for conv and pooling. Sets
 * *is_input for "inN". */
static int parse_head(const Words *w, ArchLayer *l, int *is_input, int *in_h,
                      int *in_w, CnnError *e)
{
    static const struct {
        const char *word;
        ArchKind kind;
    } exact[] = {
        {"fc", ARCH_FC},     {"gap", ARCH_GAP},         {"relu", ARCH_RELU},
        {"tanh", ARCH_TANH}, {"sigmoid", ARCH_SIGMOID}, {"bn", ARCH_BN},
        {"lrn", ARCH_LRN},   {"dropout", ARCH_DROPOUT},
    };
    static const struct {
        const char *prefix;
        ArchKind kind;
    } windowed[] = {
        {"maxpool", ARCH_MAXPOOL}, {"avgpool", ARCH_AVGPOOL},
        {"pool", ARCH_MAXPOOL},    {"conv", ARCH_CONV},
    };
    const char *head = w->word[0];
    *is_input = 0;
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
        if (strcmp(head, exact[k].word) == 0) {
            l->kind = exact[k].kind;
            return 0;
        }
    if (strncmp(head, "in", 2) == 0 && (head[2] == '\0' || isdigit((unsigned char)head[2]))) {
        *is_input = 1;
        if (head[2] == '\0')
            return layer_fail(e, w, "'in' needs the input's size, e.g. in224 or "
                              "in227x227 (height x width)");
        if (parse_pair(head + 2, in_h, in_w))
            return layer_fail(e, w, "'%s' is not an input size: write inN or "
                              "inHxW with whole numbers, e.g. in224", head);
        if (check_range(w, head, "the input size", *in_h, 1, e) ||
            check_range(w, head, "the input size", *in_w, 1, e))
            return -1;
        return 0;
    }
    for (size_t k = 0; k < sizeof windowed / sizeof windowed[0]; k++) {
        size_t n = strlen(windowed[k].prefix);
        if (strncmp(head, windowed[k].prefix, n) != 0)
            continue;
        l->kind = windowed[k].kind;
        const char *size = head + n;
        if (*size == '\0')
            return layer_fail(e, w, "'%s' needs its window size, e.g. %s3 or "
                              "%s3x5 (height x width)", head, windowed[k].prefix,
                              windowed[k].prefix);
        if (parse_pair(size, &l->kh, &l->kw))
            return layer_fail(e, w, "'%s' is not %s with a window size: write "
                              "%sK or %sKHxKW with whole numbers, e.g. %s3",
                              head, windowed[k].prefix, windowed[k].prefix,
                              windowed[k].prefix, windowed[k].prefix);
        return check_range(w, head, "the window size", l->kh, 1, e) ||
                       check_range(w, head, "the window size", l->kw, 1, e)
                   ? -1
                   : 0;
    }
    for (int k = 0; arch_known_names[k]; k++)
        if (strcmp(head, arch_known_names[k]) == 0)
            return layer_fail(e, w, "'%s' names a whole architecture, which "
                              "cannot be mixed with layers: give it alone, as "
                              "cnn rf %s", head, head);
    return layer_fail(e, w, "'%s' is not a layer; %s", head, HEADS);
}

/* A word that would start a layer, met among a layer's options: most
 * likely a comma is missing. */
static int looks_like_layer(const char *word)
{
    static const char *const heads[] = {"conv", "maxpool", "avgpool", "pool",
                                        "fc", "gap", "relu", "tanh", "sigmoid",
                                        "bn", "lrn", "dropout"};
    for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
        if (strncmp(word, heads[k], strlen(heads[k])) == 0)
            return 1;
    return 0;
}

/* The options after the head. */
static int parse_options(const Words *w, ArchLayer *l, int is_input, int *in_c,
                         CnnError *e)
{
    int allowed = is_input ? OPT_C : options_of(l->kind), seen = 0;
    const char *kind = is_input ? "in" : arch_kind_name(l->kind);
    const char *list = is_input ? "the input takes cN (its channels)" : options_text(l->kind);
    for (int t = 1; t < w->n_words; t++) {
        const char *word = w->word[t];
        int opt, a = 0, b = 0;
        if (strcmp(word, "nobias") == 0)
            opt = OPT_NOBIAS;
        else if (isdigit((unsigned char)word[0]) && !is_input)
            opt = OPT_C;
        else if (strchr("spdgc", word[0]) && word[0] != '\0' &&
                 (isdigit((unsigned char)word[1]) || word[1] == '-' || word[1] == '+'))
            opt = word[0] == 's' ? OPT_S : word[0] == 'p' ? OPT_P : word[0] == 'd' ? OPT_D
                : word[0] == 'g' ? OPT_G : OPT_C;
        else if (looks_like_layer(word))
            return layer_fail(e, w, "'%s' starts a new layer: put a comma "
                              "before it", word);
        else
            return layer_fail(e, w, "'%s' is not an option; %s", word, list);
        if (!(allowed & opt))
            return layer_fail(e, w, "'%s' does not apply to %s: %s", word, kind,
                              list);
        if (seen & opt)
            return layer_fail(e, w, "'%s' sets the %s a second time: give each "
                              "option once",
                              word, opt == OPT_S ? "stride" : opt == OPT_P ? "padding"
                                  : opt == OPT_D ? "dilation" : opt == OPT_G ? "groups"
                                  : opt == OPT_C ? "channels" : "bias");
        seen |= opt;
        if (opt == OPT_NOBIAS) {
            l->bias = 0;
            continue;
        }
        const char *num = isdigit((unsigned char)word[0]) ? word : word + 1;
        int pair = opt == OPT_S || opt == OPT_P || opt == OPT_D;
        if (pair ? parse_pair(num, &a, &b) : parse_number(num, &a)) {
            static const char *const what[] = {"a stride", "a padding",
                                               "a dilation", "a group count",
                                               "a channel count"};
            int k = opt == OPT_S ? 0 : opt == OPT_P ? 1 : opt == OPT_D ? 2
                  : opt == OPT_G ? 3 : 4;
            char letter = "spdgc"[k];
            if (pair)
                return layer_fail(e, w, "'%s' is not %s: write %cN or %cHxW "
                                  "with whole numbers, e.g. %c%s", word, what[k],
                                  letter, letter, letter, opt == OPT_P ? "1" : "2");
            return layer_fail(e, w, "'%s' is not %s: write %cN with a whole "
                              "number, e.g. %c2", word, what[k], letter, letter);
        }
        if (!pair)
            b = a;
        const char *what = opt == OPT_S ? "stride" : opt == OPT_P ? "padding"
            : opt == OPT_D ? "dilation" : opt == OPT_G ? "groups" : "channels";
        int lo = opt == OPT_P ? 0 : 1;
        if (check_range(w, word, what, a, lo, e) || check_range(w, word, what, b, lo, e))
            return -1;
        switch (opt) {
        case OPT_S: l->stride_h = a, l->stride_w = b; break;
        case OPT_P: l->pad_h = a, l->pad_w = b; break;
        case OPT_D: l->dil_h = a, l->dil_w = b; break;
        case OPT_G: l->groups = a; break;
        default:
            if (is_input)
                *in_c = a;
            else
                l->channels = a;
        }
    }
    return 0;
}

/* What PyTorch refuses, and channels that do not fit together. */
static int check_layer(const Words *w, const ArchLayer *l, CnnError *e)
{
    if (l->kind == ARCH_MAXPOOL) {
        /* max_pool2d: padding at most half the dilated window */
        int eh = l->dil_h * (l->kh - 1) + 1, ew = l->dil_w * (l->kw - 1) + 1;
        if (2 * l->pad_h > eh || 2 * l->pad_w > ew)
            return layer_fail(e, w, "padding %dx%d is more than half the window "
                              "(%dx%d with dilation), which PyTorch refuses: use "
                              "at most p%dx%d", l->pad_h, l->pad_w, eh, ew,
                              eh / 2, ew / 2);
    }
    if (l->kind == ARCH_AVGPOOL && (2 * l->pad_h > l->kh || 2 * l->pad_w > l->kw))
        return layer_fail(e, w, "padding %dx%d is more than half the window "
                          "%dx%d, which PyTorch refuses: use at most p%dx%d",
                          l->pad_h, l->pad_w, l->kh, l->kw, l->kh / 2, l->kw / 2);
    if (l->kind == ARCH_CONV && l->groups > 1) {
        if (l->channels && l->channels % l->groups != 0)
            return layer_fail(e, w, "%d output channels do not split into %d "
                              "groups: make the channels a multiple of the groups",
                              l->channels, l->groups);
        if (l->in_c && l->in_c % l->groups != 0)
            return layer_fail(e, w, "its %d input channels do not split into %d "
                              "groups: make the groups divide the channels coming in",
                              l->in_c, l->groups);
    }
    return 0;
}

/* ---- the spec ---------------------------------------------------------------------- */

static int is_label_char(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* src[0 .. len-1] with runs of blanks squeezed to one space and the ends
 * trimmed, into out (cut to out_len - 1 characters). */
static void squeeze(const char *src, size_t len, char *out, size_t out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < out_len; i++) {
        int c = (unsigned char)src[i];
        if (isspace(c)) {
            if (o > 0 && out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            out[o++] = (char)c;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Splits one layer's text (between commas) into its label and words. */
static int split_layer(const char *seg, size_t len, int index, char *label,
                       size_t label_len, Words *w, CnnError *e)
{
    char buf[512];
    w->index = index;
    w->n_words = 0;
    label[0] = '\0';
    squeeze(seg, len, w->text, sizeof w->text);
    if (w->text[0] == '\0')
        return cnn_fail(e, "layer %d is empty: remove the extra comma (layers "
                        "are separated by one comma each)", index);
    if (len >= sizeof buf)
        return cnn_fail(e, "layer %d is longer than %zu characters: is a comma "
                        "missing between two layers?", index, sizeof buf - 1);
    memcpy(buf, seg, len);
    buf[len] = '\0';
    char *body = buf, *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        char *a = buf, *b = colon;
        while (isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            *--b = '\0';
        int ok = *a != '\0' && strlen(a) < label_len && !strchr(colon + 1, ':');
        for (char *c = a; ok && *c; c++)
            ok = is_label_char((unsigned char)*c);
        if (!ok)
            return layer_fail(e, w, "the label before ':' must be one word of "
                              "letters, digits, '_', '.' or '-' (at most %zu), "
                              "e.g. 'conv5_1: conv3 512 p1'", label_len - 1);
        strcpy(label, a);
        body = colon + 1;
    }
    squeeze(body, strlen(body), w->body, sizeof w->body);
    for (char *t = strtok(body, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
        if (w->n_words == MAX_WORDS)
            return layer_fail(e, w, "more than %d words: is a comma missing "
                              "between two layers?", MAX_WORDS);
        if (strlen(t) >= WORD_LEN)
            return layer_fail(e, w, "the word '%.20s...' is too long to be a layer "
                              "or an option", t);
        for (char *c = t; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        strcpy(w->word[w->n_words++], t);
    }
    if (w->n_words == 0)
        return layer_fail(e, w, "there is a label but no layer after the ':'");
    return 0;
}

/* Appends s to the store and returns where it went. */
static const char *keep(char *store, size_t *used, const char *s)
{
    char *at = store + *used;
    strcpy(at, s);
    *used += strlen(s) + 1;
    return at;
}

static int parse_layers(const char *text, ArchSpec *spec, CnnError *e)
{
    size_t len = strlen(text), used = 0;
    int max_layers = 1;
    for (size_t i = 0; i < len; i++)
        max_layers += text[i] == ',';
    spec->layers = calloc((size_t)max_layers, sizeof *spec->layers);
    spec->store = malloc(2 * len + 2 * (size_t)max_layers + 2);
    if (!spec->layers || !spec->store)
        return cnn_fail(e, "out of memory reading a %zu-character spec", len);

    int channels = 0; /* what flows between layers, 0 = unknown */
    const char *seg = text;
    for (int index = 1;; index++) {
        const char *end = strchr(seg, ',');
        size_t seg_len = end ? (size_t)(end - seg) : strlen(seg);
        Words w;
        char label[32];
        if (split_layer(seg, seg_len, index, label, sizeof label, &w, e))
            return -1;
        ArchLayer l = {.stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
        int is_input, in_h = 0, in_w = 0, in_c = 0;
        if (parse_head(&w, &l, &is_input, &in_h, &in_w, e))
            return -1;
        if (is_input) {
            if (index != 1)
                return layer_fail(e, &w, "the input size must come first: move "
                                  "'%s' to the start of the spec", w.word[0]);
            if (parse_options(&w, &l, 1, &in_c, e))
                return -1;
            spec->in_h = in_h, spec->in_w = in_w, spec->in_c = in_c;
            channels = in_c;
        } else {
            if (l.kind == ARCH_MAXPOOL || l.kind == ARCH_AVGPOOL)
                l.stride_h = l.kh, l.stride_w = l.kw; /* PyTorch's default */
            if (l.kind == ARCH_CONV)
                l.groups = 1;
            if (l.kind == ARCH_CONV || l.kind == ARCH_FC)
                l.bias = 1;
            if (!arch_has_window(l.kind))
                l.stride_h = l.stride_w = l.dil_h = l.dil_w = 0;
            if (parse_options(&w, &l, 0, NULL, e))
                return -1;
            l.in_c = channels;
            l.out_c = l.kind == ARCH_CONV || l.kind == ARCH_FC ? l.channels : channels;
            if (check_layer(&w, &l, e))
                return -1;
            channels = l.out_c;
            l.label = label[0] ? keep(spec->store, &used, label) : NULL;
            l.text = keep(spec->store, &used, w.body);
            spec->layers[spec->n++] = l;
        }
        if (!end)
            break;
        seg = end + 1;
    }
    return 0;
}

void arch_free(ArchSpec *spec)
{
    free(spec->layers);
    free(spec->store);
    *spec = (ArchSpec){0};
}

int arch_parse(const char *text, ArchSpec *spec, CnnError *e)
{
    *spec = (ArchSpec){0};
    /* A known name alone. */
    char name[32];
    size_t a = 0, b = strlen(text);
    while (a < b && isspace((unsigned char)text[a]))
        a++;
    while (b > a && isspace((unsigned char)text[b - 1]))
        b--;
    if (a == b)
        return cnn_fail(e, "the architecture is empty: give layers such as "
                        "'conv3 p1, maxpool2' or a known name (lenet5, alexnet, "
                        "vgg11, vgg13, vgg16, vgg19)");
    if (b - a < sizeof name) {
        for (size_t i = a; i < b; i++)
            name[i - a] = (char)tolower((unsigned char)text[i]);
        name[b - a] = '\0';
        const char *known = arch_known_text(name);
        if (known) {
            int status = parse_layers(known, spec, e);
            for (int k = 0; arch_known_names[k]; k++)
                if (strcmp(arch_known_names[k], name) == 0)
                    spec->name = arch_known_names[k];
            if (status)
                arch_free(spec);
            return status;
        }
    }
    if (parse_layers(text, spec, e)) {
        arch_free(spec);
        return -1;
    }
    return 0;
}

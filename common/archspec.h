/* archspec.h: a network architecture written as one line of text, parsed.
 *
 * The short form the tools take (`cnn rf`, the parameter and FLOP counter of
 * chapter 08): layers separated by commas, each a head word with its window
 * size followed by options, with an optional "label:" in front.
 *
 *   in224 c3, conv1: conv3 64 p1, relu, pool1: maxpool2, fc 10
 *
 *   inN | inHxW      the input's height and width (first, at most once);
 *                    option cN: its channels
 *   convK | convKHxKW convolution; options sN stride, pN padding,
 *                    dN dilation (each N or HxW), gN groups, cN or N output
 *                    channels, nobias
 *   maxpoolK, poolK  max pooling (pool = max); options s, p, d; the stride
 *                    defaults to the window, as in PyTorch
 *   avgpoolK         average pooling; options s, p
 *   fc               fully connected; options cN or N output features, nobias
 *   gap              global average pooling
 *   relu tanh sigmoid bn lrn dropout
 *                    pointwise layers: one input position per output
 *
 * Numbers are whole, 1 .. ARCH_MAX_NUMBER (padding from 0); "HxW" gives
 * height and width, a single number both. A whole spec may instead be the
 * name of a known architecture (arch_known_text), e.g. "vgg16".
 *
 * Every malformed spec is refused with ONE sentence in a CnnError naming the
 * layer, the offending word and the fix.
 */
#ifndef CNN_ARCHSPEC_H
#define CNN_ARCHSPEC_H

#include "util.h"

#define ARCH_MAX_NUMBER 1000000

typedef enum {
    ARCH_CONV,
    ARCH_MAXPOOL,
    ARCH_AVGPOOL,
    ARCH_FC,
    ARCH_GAP,
    ARCH_RELU,
    ARCH_TANH,
    ARCH_SIGMOID,
    ARCH_BN,
    ARCH_LRN,
    ARCH_DROPOUT
} ArchKind;

typedef struct {
    ArchKind kind;
    const char *label;  /* "conv5" of "conv5: conv3 256 p1", or NULL        */
    const char *text;   /* the layer as written, label and extra blanks cut */
    /* Windows (conv, maxpool, avgpool); 0 for the other kinds. Defaults:
     * stride 1 for conv, the window for pooling; padding 0; dilation 1. */
    int kh, kw;
    int stride_h, stride_w;
    int pad_h, pad_w;
    int dil_h, dil_w;
    int groups;    /* conv: 1 unless gN; 0 for the other kinds           */
    int channels;  /* conv: output channels, fc: output features; 0 = not given */
    int bias;      /* conv and fc: 1 unless nobias; 0 for the others     */
    int in_c;      /* channels coming in, 0 when unknown                 */
    int out_c;     /* channels (fc: features) going out, 0 when unknown  */
} ArchLayer;

typedef struct {
    const char *name;  /* "vgg16" when the spec was a known name, else NULL */
    int in_c, in_h, in_w;  /* from "inHxW cC"; 0 when not given            */
    int n;                 /* layers, the input not counted                */
    ArchLayer *layers;
    char *store;           /* owns the strings above (arch_free frees it)  */
} ArchSpec;

/* Parses text into spec. 0, or -1 with one sentence in e and spec empty.
 * Either way, arch_free(spec) releases it. */
int arch_parse(const char *text, ArchSpec *spec, CnnError *e);
void arch_free(ArchSpec *spec);

/* The spec text of a known architecture ("lenet5", "alexnet", "vgg11",
 * "vgg13", "vgg16", "vgg19"), or NULL. */
const char *arch_known_text(const char *name);
/* The known names, NULL-terminated, in the order above. */
extern const char *const arch_known_names[];

/* "conv", "maxpool", ... as written in a spec. */
const char *arch_kind_name(ArchKind k);
/* 1 for the kinds that read a kh x kw window (conv, maxpool, avgpool). */
int arch_has_window(ArchKind k);
/* 1 for the pointwise kinds (relu, tanh, sigmoid, bn, lrn, dropout). */
int arch_is_pointwise(ArchKind k);

#endif

/* cmd_params.c: `cnn params MODEL`, the parameter and connection table of
 * a model, layer by layer (chapter 06's lenet_layer_table, eq. 6.25). For
 * the 1998 net the totals are the paper's: 60,000 trainable parameters and
 * 340,908 connections. */
#include <stdio.h>
#include <string.h>

#include "06-lenet5/lenet.h"
#include "06-lenet5/train.h"
#include "cnn_models.h"

enum { EXIT_USAGE = 2 };

/* 1234567 as "1,234,567" into buf. */
static const char *thousands(long long v, char *buf, size_t len)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v), o = 0;
    if (v < 0 && (size_t)o + 1 < len) buf[o++] = '-';
    for (int i = 0; i < n && (size_t)o + 1 < len; i++) {
        if (i && (n - i) % 3 == 0 && (size_t)o + 2 < len) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static const ModelFlag params_flags[] = {{"help", 1, NULL}, {NULL, 0, NULL}};

int cnn_cmd_params(int argc, char **argv)
{
    ModelArgs a;
    int st = model_parse_args("cnn params", params_flags, argc, argv, &a);
    if (st) return st;
    if (a.value[0]) {
        printf("usage: cnn params MODEL\nThe layers of MODEL (%s) with their "
               "output shapes, trainable parameters\nand connections (each "
               "multiply-add and bias addition of a forward pass).\n",
               LENET_MODEL_CHOICES);
        return 0;
    }
    int variant;
    if ((st = model_variant_arg("params", &a, &variant))) return st;
    if (a.n_pos > 1)
        return model_fail(EXIT_USAGE, "cnn params takes one model, but got "
                          "'%s' too", a.pos[1]);
    LenetLayerInfo rows[LENET_LAYERS];
    int n = lenet_layer_table((LenetVariant)variant, rows);
    long long params = 0, links = 0;
    char b1[32], b2[32], shape[32];
    printf("%s%s, input 1@32x32\n", lenet_model_name((LenetVariant)variant),
           variant == LENET_1998 ? " (LeCun, Bottou, Bengio and Haffner, 1998)"
                                 : " (ReLU, max-pooling, linear output)");
    printf("%-7s %-19s %-10s %12s %13s\n", "layer", "kind", "output",
           "parameters", "connections");
    for (int k = 0; k < n; k++) {
        if (rows[k].h == 1 && rows[k].w == 1)
            snprintf(shape, sizeof shape, "%d", rows[k].c);
        else
            snprintf(shape, sizeof shape, "%d@%dx%d", rows[k].c, rows[k].h,
                     rows[k].w);
        printf("%-7s %-19s %-10s %12s %13s\n", rows[k].name, rows[k].kind,
               shape, thousands(rows[k].params, b1, sizeof b1),
               thousands(rows[k].connections, b2, sizeof b2));
        params += rows[k].params;
        links += rows[k].connections;
    }
    printf("%-7s %-19s %-10s %12s %13s\n", "total", "", "",
           thousands(params, b1, sizeof b1), thousands(links, b2, sizeof b2));
    if (variant == LENET_1998)
        printf("(the output layer's 840 code values are fixed, not trained; "
               "C3 stores a full\n 16x6x5x5 kernel and 16 biases, 2,416 "
               "numbers, of which its table leaves %s\n trainable)\n",
               thousands(rows[2].params, b1, sizeof b1));
    return 0;
}

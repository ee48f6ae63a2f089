/* cnn_models.h: the cnn tool's commands on whole models (chapter 06 on):
 *
 *   cnn train MODEL [--data mnist|fashion-mnist] [--epochs N] [--batch N]
 *             [--lr X] [--momentum X] [--weight-decay X] [--seed N]
 *             [--threads N] [--checkpoint FILE [--resume]] ...
 *   cnn eval MODEL --checkpoint FILE [--data ...] [--split test|train]
 *   cnn predict MODEL --checkpoint FILE IMAGE.pgm|IMAGE.png ...
 *   cnn params MODEL
 *
 * Each returns the program's exit status: 0 done, 1 a problem with a file
 * or the data, 2 a mistake in the command line, 130 stopped by Ctrl-C
 * (after saving the checkpoint). Every error is one sentence on stderr.
 */
#ifndef CNN_MODELS_H
#define CNN_MODELS_H

#include <stdio.h>

int cnn_cmd_train(int argc, char **argv);
int cnn_cmd_eval(int argc, char **argv);
int cnn_cmd_predict(int argc, char **argv);
int cnn_cmd_params(int argc, char **argv);


/* ---- shared by the commands (cmd_train.c) ------------------------------- */

/* A command line of --flags: which flags it takes and what was given.
 * Flags are "--name VALUE" or "--name=VALUE"; a switch (value NULL in the
 * spec) takes no value. Words that are not flags are positional. */
#define MODEL_MAX_FLAGS 24
#define MODEL_MAX_POS 64

typedef struct {
    const char *name;   /* without the dashes */
    int is_switch;      /* 1: no value */
    const char *help;   /* for the usage text */
} ModelFlag;

typedef struct {
    const char *value[MODEL_MAX_FLAGS]; /* NULL: not given; "1" for a switch */
    const char *pos[MODEL_MAX_POS];
    int n_pos;
} ModelArgs;

/* Parses argv[0 .. argc-1] against flags (ending at a NULL name). 0, or
 * prints one sentence (command names the command) and returns 2. */
int model_parse_args(const char *command, const ModelFlag *flags, int argc,
                     char **argv, ModelArgs *a);
/* The value of flag k as an int / double in [lo, hi]; 0 or prints and 2. */
int model_flag_int(const char *command, const ModelFlag *flags,
                   const ModelArgs *a, int k, long long lo, long long hi,
                   long long *v);
int model_flag_double(const char *command, const ModelFlag *flags,
                      const ModelArgs *a, int k, double lo, double hi,
                      double *v);
/* The model named by the first positional word; prints and returns 2 when
 * it is missing or unknown, else 0. */
int model_variant_arg(const char *command, const ModelArgs *a, int *variant);
/* Prints "cnn: MESSAGE" on stderr and returns status. */
int model_fail(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif

/* cnn_args.h: the command line of `cnn op NAME ...`, parsed against the op's
 * description (cnn_op.h).
 *
 *   cnn op NAME [--FLAG VALUE ...] IN.npy ... -o OUT.npy ...
 *
 * Flags may come anywhere, as `--name value` or `--name=value`; every flag
 * takes a value. Words that are not flags are inputs, in the op's order,
 * until the one -o; every word after -o that is not a flag is an output.
 * Every failure here is a mistake in the command line (exit status 2).
 */
#ifndef CNN_ARGS_H
#define CNN_ARGS_H

#include "cnn_op.h"

typedef struct {
    const CnnOp *op;
    const char *in_path[CNN_OP_MAX_INPUTS + 1]; /* + the first extra one */
    int n_in;                                   /* all given, even extra */
    const char *out_path[CNN_OP_MAX_OUTPUTS];
    int n_out;                                  /* all given, even extra */
    CnnFlagValue flag[CNN_OP_MAX_FLAGS]; /* defaults where not given */
    int help;                            /* --help or -h was among the words */
} CnnCall;

/* Parses the n words that follow `cnn op NAME`. 0, or -1 + e. When the words
 * ask for help, returns 0 with call->help set and nothing else checked. */
int cnn_parse_call(const CnnOp *op, int n, char **words, CnnCall *call,
                   CnnError *e);

/* Parses text as the value of the flag spec describes (kind and range). */
int cnn_parse_flag_value(const CnnFlagSpec *spec, const char *text,
                         CnnFlagValue *v, CnnError *e);

#endif

/* cnn_help.h: the texts the cnn tool prints, generated from the op table. */
#ifndef CNN_HELP_H
#define CNN_HELP_H

#include <stdio.h>

#include "cnn_op.h"

/* "reference" or "student": which code this binary runs. */
const char *cnn_impl_name(void);

/* cnn --help */
void cnn_print_help(FILE *f);
/* cnn --version */
void cnn_print_version(FILE *f);
/* cnn op --list: one block per op */
void cnn_print_list(FILE *f);
/* cnn op NAME --help: usage line, the op's block, notes and an example */
void cnn_print_op_help(FILE *f, const CnnOp *op);
/* "conv2d" or "conv2d, maxpool2d and ..." */
void cnn_op_names(char *buf, size_t len);

#endif

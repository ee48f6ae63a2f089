/* cnn_op.h: how the cnn tool describes one op of the course.
 *
 * Every op is a CnnOp value: its name, its inputs (each with the rank it
 * must have), its outputs, its flags (PyTorch's argument names, each with a
 * kind and a default) and a run function. The command line, the listing of
 * `cnn op --list`, the help of `cnn op NAME --help` and every check that
 * does not depend on the op's meaning (counts, ranks, flag syntax and range)
 * are generated from this description by the tool itself, so adding an op
 * means writing one CnnOp and its run function in a file op_NAME.c and
 * adding it to the table in op_table.c.
 */
#ifndef CNN_OP_H
#define CNN_OP_H

#include "tensor.h"
#include "util.h"

#define CNN_OP_MAX_INPUTS 8
#define CNN_OP_MAX_OUTPUTS 8
#define CNN_OP_MAX_FLAGS 16

/* Largest value an integer flag accepts unless its spec says less: far
 * beyond any sensible stride or padding, and small enough that sizes
 * computed from it stay inside an int. */
#define CNN_FLAG_INT_MAX 1000000

#define CNN_RANK_ANY (-1)

typedef struct {
    const char *name;  /* as in PyTorch's signature, e.g. "weight" */
    int rank;          /* number of dimensions required, or CNN_RANK_ANY */
    const char *shape; /* the dimensions' names, e.g. "(N, C, H, W)" */
    int optional;      /* optional inputs come after the required ones */
} CnnInputSpec;

typedef struct {
    const char *name;  /* e.g. "y" */
    const char *shape; /* e.g. "(N, C_out, OH, OW)" */
} CnnOutputSpec;

typedef enum {
    CNN_FLAG_INT,      /* one integer */
    CNN_FLAG_INT_PAIR, /* "a" for (a, a) or "a,b" for (h, w) = (a, b) */
    CNN_FLAG_FLOAT,    /* one finite number */
    CNN_FLAG_BOOL,     /* 1 or 0 */
    CNN_FLAG_WORD      /* one of the words of def, "a|b|c" (the first is the
                        * default); i[0] = its position in that list */
} CnnFlagKind;

typedef struct {
    const char *name;  /* given as --name, e.g. "stride" */
    CnnFlagKind kind;
    const char *def;   /* the default, spelled as on the command line */
    double min, max;   /* accepted range, inclusive, of each number */
    const char *help;  /* a short phrase for the listing */
} CnnFlagSpec;

typedef struct {
    int i[2];  /* INT: i[0] (and i[1] = i[0]); INT_PAIR: (h, w); BOOL: i[0] */
    double f;  /* FLOAT */
} CnnFlagValue;

/* What a run function is given. Inputs are in spec order; an optional input
 * that was not given is an empty Tensor (ndim 0, data NULL) and k >= n_in. */
typedef struct CnnOp CnnOp;

typedef struct {
    const CnnOp *op;
    const Tensor *in;
    const char *const *path;  /* the file each input was read from */
    int n_in;                 /* how many inputs were given */
    const CnnFlagValue *flag; /* in spec order, defaults filled in */
} CnnOpArgs;

/* Computes the op: checks what the generic checks cannot (matching shapes,
 * divisibility), allocates and fills out[k] for every output spec k, and
 * returns 0; or returns -1 with ONE sentence in e. Whatever it allocated in
 * out is freed by the caller either way. */
typedef int (*CnnOpRun)(const CnnOpArgs *a, Tensor *out, CnnError *e);

struct CnnOp {
    const char *name;     /* the NAME of `cnn op NAME` */
    const char *summary;  /* one line, naming the PyTorch function it mirrors */
    CnnInputSpec in[CNN_OP_MAX_INPUTS];     /* ends at the first NULL name */
    CnnOutputSpec out[CNN_OP_MAX_OUTPUTS];  /* ends at the first NULL name */
    CnnFlagSpec flag[CNN_OP_MAX_FLAGS];     /* ends at the first NULL name */
    const char *example;  /* one command line, shown by `cnn op NAME --help` */
    CnnOpRun run;
};

/* The table (op_table.c): every op, then NULL. */
extern const CnnOp *const cnn_ops[];

const CnnOp *cnn_op_find(const char *name);
int cnn_op_n_inputs(const CnnOp *op);
int cnn_op_n_required(const CnnOp *op);
int cnn_op_n_outputs(const CnnOp *op);
int cnn_op_n_flags(const CnnOp *op);

/* Helpers for run functions. */

/* 1 when the optional input k was given. */
int cnn_op_has_input(const CnnOpArgs *a, int k);
/* Stores dimension d (called dim_name, e.g. "C") of input k in *v, or fails
 * with a sentence when it is smaller than min_size or larger than an int
 * (the course's functions take int sizes). */
int cnn_op_dim(const CnnOpArgs *a, int k, int d, const char *dim_name,
               int min_size, int *v, CnnError *e);

#endif

/* help.c: help, version and op listings of the cnn tool. Everything about an
 * op comes from its CnnOp description, so the text cannot drift from what
 * the parser accepts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn_help.h"
#include "05-fast-convolution/fastconv.h"

const char *cnn_impl_name(void)
{
#ifdef CNN_IMPL_STUDENT
    return "student";
#else
    return "reference";
#endif
}

/* What this binary computes with, for --version and --help. */
static const char *impl_description(void)
{
#ifdef CNN_IMPL_STUDENT
    return "the student build: it runs your code in chapters/";
#else
    return "the reference build: it runs the course's solutions";
#endif
}

void cnn_op_names(char *buf, size_t len)
{
    size_t used = 0;
    int n = 0;
    while (cnn_ops[n]) n++;
    buf[0] = '\0';
    for (int k = 0; k < n && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 k == 0 ? "" : k == n - 1 ? " and " : ", ",
                                 cnn_ops[k]->name);
}

void cnn_print_version(FILE *f)
{
    fprintf(f, "cnn%s (%s)\n",
            strcmp(cnn_impl_name(), "student") == 0 ? "-student" : "",
            impl_description());
    char engine[256]; /* what --algo runs on this CPU (chapter 05) */
    fprintf(f, "convolution engine: %s\n", fastconv_describe(engine, sizeof engine));
}

void cnn_print_help(FILE *f)
{
    char names[512];
    cnn_op_names(names, sizeof names);
    fprintf(f,
        "cnn: runs one op of the course on .npy tensors, with PyTorch's\n"
        "argument names and semantics. This is %s.\n"
        "\n"
        "usage:\n"
        "  cnn op NAME [--FLAG VALUE ...] IN.npy ... -o OUT.npy ...\n"
        "  cnn op --list         every op: inputs, outputs, flags, defaults\n"
        "  cnn op NAME --help    one op in detail, with an example\n"
        "  cnn rf SPEC           receptive fields of an architecture (cnn rf --help)\n"
        "  cnn train MODEL ...   train LeNet-5 (lenet5, lenet5-modern) on MNIST or\n"
        "                        Fashion-MNIST (cnn train --help)\n"
        "  cnn eval MODEL ...    loss, accuracy and confusion matrix of a checkpoint\n"
        "  cnn predict MODEL ... classify PGM or PNG pictures with a checkpoint\n"
        "  cnn params MODEL      parameters and connections, layer by layer\n"        "  cnn --help            this text (also: cnn help)\n"
        "  cnn --version         which implementation this binary runs\n"
        "\n"
        "Inputs are positional, in the order cnn op --list gives them;\n"
        "optional ones (in brackets) come last. Every output path follows\n"
        "the one -o. Every flag takes a value (--name value or --name=value;\n"
        "booleans as 1 or 0). A flag of kind \"int or h,w\" takes one integer\n"
        "for both height and width, or a pair like PyTorch's tuples:\n"
        "--stride 2,1 is stride=(2, 1).\n"
        "\n"
        "  --impl reference      run the course's solutions (the default)\n"
        "  --impl student        run your chapters/ code: build/bin/cnn-student,\n"
        "                        built by ./build.sh build when your code compiles\n"
        "\n"
        "ops: %s\n"
        "\n"
        "Exit status: 0 done; 1 a problem with a file or with the tensors'\n"
        "shapes; 2 a mistake in the command line. Errors are one line on\n"
        "stderr, and no output file is written unless all of them are.\n"
        "An output that exists is replaced whole; a symbolic link's target is\n"
        "written; a device or FIFO (/dev/null, /dev/stdout) is written to,\n"
        "never replaced.\n",
        impl_description(), names);
}

static const char *kind_text(CnnFlagKind kind)
{
    switch (kind) {
    case CNN_FLAG_INT: return "int";
    case CNN_FLAG_INT_PAIR: return "int or h,w";
    case CNN_FLAG_FLOAT: return "float";
    case CNN_FLAG_BOOL: return "1 or 0";
    case CNN_FLAG_WORD: return "word";
    }
    return "?";
}

/* ">= 1", "in [0, 1]", or "" when the range says nothing. */
static void range_text(const CnnFlagSpec *s, char *buf, size_t len)
{
    int no_max = s->max >= CNN_FLAG_INT_MAX || isinf(s->max);
    buf[0] = '\0';
    if (s->kind == CNN_FLAG_BOOL) return;
    if (s->kind == CNN_FLAG_WORD) { /* " (one of a|b|c)" */
        snprintf(buf, len, " (one of %s)", s->def);
        return;
    }
    if (isinf(s->min) && no_max) return;
    if (no_max)
        snprintf(buf, len, " >= %.10g", s->min);
    else if (isinf(s->min))
        snprintf(buf, len, " <= %.10g", s->max);
    else
        snprintf(buf, len, " in [%.10g, %.10g]", s->min, s->max);
}

static void print_flag(FILE *f, const CnnFlagSpec *s, int first)
{
    char range[96], def[64];
    range_text(s, range, sizeof range);
    /* a word flag's default is the first word of its list */
    snprintf(def, sizeof def, "%.*s", (int)strcspn(s->def, s->kind == CNN_FLAG_WORD ? "|" : ""),
             s->def);
    fprintf(f, "  %-9s--%-10s %s%s, default %s: %s\n", first ? "flags" : "",
            s->name, kind_text(s->kind), range, def, s->help);
}

static void print_op_block(FILE *f, const CnnOp *op)
{
    fprintf(f, "%s: %s\n", op->name, op->summary);
    for (int k = 0; k < cnn_op_n_inputs(op); k++)
        fprintf(f, "  %-9s%-12s %s%s\n", k == 0 ? "inputs" : "",
                op->in[k].name, op->in[k].shape,
                op->in[k].optional ? ", optional" : "");
    for (int k = 0; k < cnn_op_n_outputs(op); k++)
        fprintf(f, "  %-9s%-12s %s\n", k == 0 ? "outputs" : "",
                op->out[k].name, op->out[k].shape);
    if (cnn_op_n_flags(op) == 0) fprintf(f, "  flags    none\n");
    for (int k = 0; k < cnn_op_n_flags(op); k++)
        print_flag(f, &op->flag[k], k == 0);
}

void cnn_print_list(FILE *f)
{
    for (int k = 0; cnn_ops[k]; k++) {
        if (k) fputc('\n', f);
        print_op_block(f, cnn_ops[k]);
    }
}

static void print_usage_line(FILE *f, const CnnOp *op)
{
    fprintf(f, "usage: cnn op %s", op->name);
    for (int k = 0; k < cnn_op_n_flags(op); k++)
        fprintf(f, " [--%s VALUE]", op->flag[k].name);
    for (int k = 0; k < cnn_op_n_inputs(op); k++)
        fprintf(f, op->in[k].optional ? " [%s.npy]" : " %s.npy",
                op->in[k].name);
    fprintf(f, " -o");
    for (int k = 0; k < cnn_op_n_outputs(op); k++)
        fprintf(f, " %s.npy", op->out[k].name);
    fputc('\n', f);
}

void cnn_print_op_help(FILE *f, const CnnOp *op)
{
    print_usage_line(f, op);
    fputc('\n', f);
    print_op_block(f, op);
    fprintf(f,
        "\n"
        "Inputs in this order, optional ones last; float32 .npy files\n"
        "(save with np.save(path, arr.astype(np.float32))). Flags of kind\n"
        "\"int or h,w\" take one integer for both axes or a pair: 2,1 means\n"
        "(2, 1) as in PyTorch.\n"
        "\n"
        "example: %s\n", op->example);
}

/* main.c: the cnn tool.
 *
 *   cnn op NAME [--FLAG VALUE ...] IN.npy ... -o OUT.npy ...
 *   cnn op --list | cnn op NAME --help | cnn --help | cnn --version
 *
 * Runs one op of the course on .npy tensors with PyTorch's argument names
 * and semantics. The same sources build two binaries: build/bin/cnn runs the
 * reference solutions; build/bin/cnn-student (compiled with
 * -DCNN_IMPL_STUDENT) runs the student's chapters/ code. `cnn --impl
 * student ...` hands the command over to cnn-student beside it.
 *
 * Exit status: 0 done, 1 a problem with a file or the tensors (data), 2 a
 * mistake in the command line (usage). Every error is one sentence on
 * stderr, and no output file appears unless every output is complete.
 * Outputs are written through atomic_file.h: -o /dev/null or a FIFO is
 * written, never replaced, and a symbolic link's target gets the file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cnn_args.h"
#include "cnn_help.h"
#include "cnn_models.h"
#include "cnn_op.h"
#include "cnn_rf.h"
#include "npy.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

static int report(int status, const CnnError *e)
{
    fprintf(stderr, "cnn: %s\n", e->msg);
    return status;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("cnn: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* ---- --impl ------------------------------------------------------------- */

/* Removes "--impl VALUE" or "--impl=VALUE" from argv (anywhere after the
 * program name) and stores VALUE in *impl (NULL when absent). */
static int take_impl_flag(int *argc, char **argv, const char **impl,
                          CnnError *e)
{
    *impl = NULL;
    for (int i = 1; i < *argc; i++) {
        int joined = strncmp(argv[i], "--impl=", 7) == 0;
        if (!joined && strcmp(argv[i], "--impl") != 0) continue;
        if (*impl) return cnn_fail(e, "--impl is given twice; give it once");
        if (!joined && i + 1 >= *argc)
            return cnn_fail(e, "--impl needs a value: reference or student");
        *impl = joined ? argv[i] + 7 : argv[i + 1];
        int words = joined ? 1 : 2;
        memmove(&argv[i], &argv[i + words],
                (size_t)(*argc - i - words + 1) * sizeof *argv);
        *argc -= words;
        i--;
    }
    if (*impl && strcmp(*impl, "reference") != 0 &&
        strcmp(*impl, "student") != 0)
        return cnn_fail(e, "--impl takes reference or student, but got '%s'",
                        *impl);
    return 0;
}

#ifndef CNN_IMPL_STUDENT
/* The directory holding this executable, with a trailing '/'. */
static int own_directory(char *dir, size_t len, CnnError *e)
{
    ssize_t n = readlink("/proc/self/exe", dir, len - 1); /* Linux's name for it */
    if (n < 0)
        return cnn_fail(e, "cannot tell where this cnn binary lives (/proc/"
                        "self/exe: %s); run build/bin/cnn-student directly",
                        strerror(errno));
    dir[n] = '\0';
    strrchr(dir, '/')[1] = '\0';
    return 0;
}

/* In a workbook checkout (this binary in build/bin/ under the folder that
 * holds the Makefile), rebuilds cnn-student from the student's current
 * chapters/ code, as `./build.sh check` and `run` rebuild what they use, so
 * --impl student never runs stale code. bindir ends with '/'. */
static int rebuild_student(const char *bindir, CnnError *e)
{
    char root[4096], makefile[4200];
    int n = snprintf(root, sizeof root, "%s../..", bindir);
    if (n < 0 || (size_t)n >= sizeof root) return 0;
    snprintf(makefile, sizeof makefile, "%s/Makefile", root);
    if (access(makefile, R_OK) != 0) return 0; /* not built from a checkout */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO); /* keep stdout for the op */
        execlp("make", "make", "--no-print-directory", "-s", "-C", root,
               "build/bin/cnn-student", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return cnn_fail(e, "cannot run make to rebuild the student build: "
                        "run ./build.sh build");
    if (!WIFEXITED(st) || WEXITSTATUS(st) == 127)
        return cnn_fail(e, "make is not installed, so your code cannot be "
                        "rebuilt: run ./build.sh setup");
    if (WEXITSTATUS(st) != 0)
        return cnn_fail(e, "your chapters/ code does not compile (the "
                        "compiler's messages are above): fix it, or run "
                        "./build.sh check NN to see one chapter's errors");
    return 0;
}

/* The reference binary given --impl student: run cnn-student beside it with
 * the same words (argv without --impl). Returns only on failure. */
static int exec_student(char **argv, CnnError *e)
{
    char path[4096];
    if (own_directory(path, sizeof path - 16, e)) return EXIT_DATA;
    if (rebuild_student(path, e)) return EXIT_DATA;
    strcat(path, "cnn-student");
    if (access(path, X_OK) != 0) {
        cnn_fail(e, "the student build %s does not exist yet; run ./build.sh "
                 "build, which builds it when your chapters/ code compiles",
                 path);
        return EXIT_DATA;
    }
    argv[0] = path;
    execv(path, argv);
    cnn_fail(e, "cannot run the student build %s: %s", path, strerror(errno));
    return EXIT_DATA;
}
#endif

/* ---- files -------------------------------------------------------------- */

/* The outputs are checked before any work: each must name something
 * atomic_file.h can write (a file in an existing, writable directory, a
 * device, a FIFO), so a mistake costs no computation. */
static int check_output_paths(const CnnCall *c, CnnError *e)
{
    for (int k = 0; k < c->n_out; k++)
        if (atomic_check(c->out_path[k], e)) return -1;
    return 0;
}

/* Reads input k of the op from its file and checks its rank. */
static int load_input(const CnnOp *op, int k, const char *path, Tensor *t,
                      CnnError *e)
{
    const CnnInputSpec *s = &op->in[k];
    struct stat st;
    if (stat(path, &st) != 0)
        return cnn_fail(e, "cannot read the input %s from %s: %s", s->name,
                        path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return cnn_fail(e, "the input %s given as %s is a directory, not a "
                        ".npy file", s->name, path);
    if (npy_read(path, t, e)) return -1;
    if (s->rank != CNN_RANK_ANY && t->ndim != s->rank) {
        char shape[128];
        tensor_shape_str(t, shape, sizeof shape);
        return cnn_fail(e, "%s must be %d-D %s but %s has shape %s", s->name,
                        s->rank, s->shape, path, shape);
    }
    return 0;
}

/* Writes every output, or none: each goes to its own temporary file (a
 * device or FIFO is written directly), and the files are renamed into place
 * only once all of them are written (atomic_commit_all). */
static int write_outputs(const CnnCall *c, const Tensor *out, CnnError *e)
{
    AtomicFile af[CNN_OP_MAX_OUTPUTS];
    int opened = 0, status = 0;
    for (; opened < c->n_out && status == 0; opened++) {
        status = atomic_open(&af[opened], c->out_path[opened], e);
        if (status == 0) status = npy_write_to(&af[opened], &out[opened], e);
    }
    if (status == 0) return atomic_commit_all(af, c->n_out, e);
    for (int k = 0; k < opened; k++) atomic_abort(&af[k]);
    return status;
}

/* ---- cnn op ------------------------------------------------------------- */

/* Loads, runs and writes a parsed call; returns the exit status. */
static int run_call(const CnnCall *c)
{
    const CnnOp *op = c->op;
    Tensor in[CNN_OP_MAX_INPUTS] = {{0}}, out[CNN_OP_MAX_OUTPUTS] = {{0}};
    CnnError e = {""};
    int status = EXIT_DATA;
    if (check_output_paths(c, &e)) goto done;
    for (int k = 0; k < c->n_in; k++)
        if (load_input(op, k, c->in_path[k], &in[k], &e)) goto done;
    CnnOpArgs a = {op, in, c->in_path, c->n_in, c->flag};
    if (op->run(&a, out, &e) || write_outputs(c, out, &e)) goto done;
    status = 0;
done:
    for (int k = 0; k < CNN_OP_MAX_INPUTS; k++) tensor_free(&in[k]);
    for (int k = 0; k < CNN_OP_MAX_OUTPUTS; k++) tensor_free(&out[k]);
    return status ? report(status, &e) : 0;
}

static int cmd_op(int n, char **words)
{
    char names[512];
    cnn_op_names(names, sizeof names);
    if (n == 0)
        return usage_error("op needs the name of an op (%s): cnn op NAME ...; "
                           "cnn op --list describes them", names);
    if (strcmp(words[0], "--help") == 0 || strcmp(words[0], "-h") == 0) {
        cnn_print_help(stdout);
        return 0;
    }
    if (strcmp(words[0], "--list") == 0) {
        if (n > 1)
            return usage_error("cnn op --list takes nothing more, but got "
                               "'%s'", words[1]);
        cnn_print_list(stdout);
        return 0;
    }
    const CnnOp *op = cnn_op_find(words[0]);
    if (!op)
        return usage_error("unknown op '%s'; the ops are %s (cnn op --list "
                           "describes them)", words[0], names);
    CnnCall call;
    CnnError e = {""};
    if (cnn_parse_call(op, n - 1, words + 1, &call, &e))
        return report(EXIT_USAGE, &e);
    if (call.help) {
        cnn_print_op_help(stdout, op);
        return 0;
    }
    return run_call(&call);
}

/* cnn help [NAME] */
static int cmd_help(int n, char **words)
{
    if (n == 0) {
        cnn_print_help(stdout);
        return 0;
    }
    const CnnOp *op = cnn_op_find(words[0]);
    if (!op) {
        char names[512];
        cnn_op_names(names, sizeof names);
        return usage_error("unknown op '%s'; the ops are %s", words[0], names);
    }
    cnn_print_op_help(stdout, op);
    return 0;
}

/* The implementation asked for with --impl, if it is not this binary's:
 * the reference binary hands over to cnn-student, the student binary
 * refuses. Returns -1 to go on here, or an exit status. */
static int switch_impl(const char *impl, char **argv, CnnError *e)
{
    if (!impl || strcmp(impl, cnn_impl_name()) == 0) return -1;
#ifdef CNN_IMPL_STUDENT
    (void)argv;
    cnn_fail(e, "this is the student build, which runs your chapters/ code; "
             "for the reference run build/bin/cnn without --impl");
    return EXIT_USAGE;
#else
    return exec_student(argv, e);
#endif
}

int main(int argc, char **argv)
{
    CnnError e = {""};
    const char *impl;
    cnn_set_progname("cnn");
    if (take_impl_flag(&argc, argv, &impl, &e)) return report(EXIT_USAGE, &e);
    int status = switch_impl(impl, argv, &e);
    if (status >= 0) return report(status, &e);
    if (argc < 2)
        return usage_error("no command given; run cnn --help for the usage");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return cmd_help(argc - 2, argv + 2);
    if (strcmp(cmd, "--version") == 0) {
        cnn_print_version(stdout);
        return 0;
    }
    if (strcmp(cmd, "op") == 0) return cmd_op(argc - 2, argv + 2);
    if (strcmp(cmd, "rf") == 0) return cnn_cmd_rf(argc - 2, argv + 2);
    if (strcmp(cmd, "train") == 0) return cnn_cmd_train(argc - 2, argv + 2);
    if (strcmp(cmd, "eval") == 0) return cnn_cmd_eval(argc - 2, argv + 2);
    if (strcmp(cmd, "predict") == 0) return cnn_cmd_predict(argc - 2, argv + 2);
    if (strcmp(cmd, "params") == 0) return cnn_cmd_params(argc - 2, argv + 2);
    return usage_error("unknown command '%s'; the commands are op, rf, train, "
                       "eval, predict, params, help and --version (see cnn "
                       "--help)", cmd);
}

/* runner.c: main() of every chapter's graded test binary.
 *
 *   grade-runner [--label TEXT] [--json FILE] [--tap FILE] [--expect-fail]
 *                [--filter S] [--list] [--quiet]
 *
 * --list prints the tests, a line each: visibility, points, suite and title,
 * separated by tabs.
 *
 * A verdict that the code under test cannot forge. Every graded test runs
 * in three processes:
 *
 *   runner (this main)  --fork-->  supervisor  --Check forks-->  test
 *
 * The supervisor runs the one test through Check in fork mode (with its
 * timeout) and sends the outcome to the runner through a pipe. The test
 * process captures its own stdout and stderr into a file, calls the code
 * under test, and only when the test's own code has returned (its
 * assertions passed) does Check run the checked teardown, which writes a
 * random token, drawn by the runner for this run, into a second pipe. A test
 * passes only when Check reports a pass AND the token arrived. So:
 *   - exit(0), _exit(0), exit(1), abort(), a signal, a longjmp out of the
 *     test: no token, the test fails, and the message says how it ended;
 *   - printing (even a fake Check summary), writing to or closing fds 1
 *     and 2: the output went to the capture file, never to the table;
 *   - killing its parent (the supervisor): the runner sees the supervisor
 *     die without an outcome, fails that test and goes on with the next;
 *   - writing into an inherited file descriptor: the supervisor's record
 *     carries the token and must be the only thing in its pipe;
 *   - a test that never ends: Check's timeout, and a wall-clock limit here.
 * The table is printed by the runner, a row as each test finishes, and the
 * JSON and TAP records are written by it after the last test. Code that
 * runs before main (a constructor) is beyond any runner: the caller
 * (tests/harness/run_graded.py) accepts a run only with its complete
 * records and otherwise counts every test as failed.
 *
 * The limit: the code under test shares the test process's memory, so code
 * written to read the harness's internals (the token) could still forge a
 * pass. That takes deliberate reverse engineering, not a stray exit();
 * the grader's sandbox, the symbol check and the similarity report are the
 * lines of defence beyond this one.
 *
 * Exit status: 0 when every test passed (with --expect-fail: when every test
 * failed), 1 otherwise, 2 on a usage error. A run in which no test ran is a
 * failure: Check itself would report it as success.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "grade.h"

#define DEFAULT_TIMEOUT_S 10.0
/* What a test may print before its output is cut (the capture file's size
 * limit; writing more ends the test with SIGXFSZ). */
#define CAPTURE_MAX_BYTES (16L << 20)

static GradedSuite *registered;

void grade_register(GradedSuite *suite)
{
    suite->next = registered;
    registered = suite;
}

typedef struct {
    const GradedSuite *suite;
    const GradedTest *test;
    int ran, passed;
    char *msg;  /* why it failed, for the student */
} Outcome;

typedef struct {
    const char *label, *json_path, *tap_path, *filter;
    int expect_fail, list, quiet;
} Options;

/* Suites in a stable order: visible before hidden, then by the file and line
 * of their first test, i.e. the order the test files are written in. */
static int suite_cmp(const void *a, const void *b)
{
    const GradedSuite *x = *(GradedSuite *const *)a;
    const GradedSuite *y = *(GradedSuite *const *)b;
    if (x->hidden != y->hidden)
        return x->hidden - y->hidden;
    int c = strcmp((*x->tests[0].test)->file, (*y->tests[0].test)->file);
    if (c)
        return c;
    return (*x->tests[0].test)->line - (*y->tests[0].test)->line;
}

static int sorted_suites(GradedSuite ***out)
{
    int n = 0;
    for (GradedSuite *s = registered; s; s = s->next)
        n++;
    GradedSuite **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) {
        fprintf(stderr, "grade: out of memory\n");
        exit(1);
    }
    int i = 0;
    for (GradedSuite *s = registered; s; s = s->next)
        v[i++] = s;
    qsort(v, (size_t)n, sizeof *v, suite_cmp);
    *out = v;
    return n;
}

static int selected(const Options *o, const GradedTest *t)
{
    return !o->filter || strstr(t->title, o->filter) ||
           strstr((*t->test)->name, o->filter);
}

/* ---- one test, supervised --------------------------------------------------- */

static char log_dir[64];      /* a private temporary directory            */
static char capture_path[128]; /* where the running test's output goes     */
static char token[33];         /* this run's proof that a test's code ended */
static int token_fd = -1;      /* the test's end of the token pipe          */

/* A token nobody can guess before the run: 128 bits from the kernel's
 * generator (or, failing that, from the clock and the process id). */
static void draw_token(void)
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)sizeof b) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                     ((uint64_t)getpid() << 40);
        for (int i = 0; i < 16; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            b[i] = (unsigned char)(x >> 56);
        }
    }
    for (int i = 0; i < 16; i++)
        snprintf(token + 2 * i, 3, "%02x", b[i]);
}

/* Checked setup, in the test process: its stdout and stderr go to the
 * capture file (so nothing it prints reaches the table), with a size limit. */
static void capture_output(void)
{
    int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        fflush(stdout);
        fflush(stderr);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    struct rlimit rl = {CAPTURE_MAX_BYTES, CAPTURE_MAX_BYTES};
    setrlimit(RLIMIT_FSIZE, &rl);
}

/* Checked teardown, in the test process: Check runs it only after the
 * test's own code has returned, i.e. after every assertion passed. */
static void prove_completion(void)
{
    if (token_fd >= 0) {
        ssize_t n = write(token_fd, token, strlen(token));
        (void)n;
        close(token_fd);
        token_fd = -1;
    }
}

/* Everything the test process wrote (NUL-terminated, at most 64 KiB), or
 * NULL. The file is removed. */
static char *read_capture(void)
{
    FILE *f = fopen(capture_path, "r");
    if (!f)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    remove(capture_path);
    if (!buf || n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The lines of a sanitizer report that matter to a student: what happened
 * ("runtime error", "ERROR: AddressSanitizer: heap-buffer-overflow"), the
 * access ("WRITE of size 4"), the region ("0 bytes after 240-byte region"),
 * the SUMMARY, and the first stack frames in course code. Empty when the log
 * holds no report. */
static void sanitizer_digest(const char *log, char *out, size_t len)
{
    out[0] = '\0';
    int frames = 0;
    size_t used = 0;
    for (const char *p = log; *p;) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        char line[400];
        /* "==123==ERROR: AddressSanitizer: heap-buffer-overflow on address
         * 0x... at pc ..." says all it needs to before " on address" */
        const char *pid_end = n > 2 && p[0] == '=' && p[1] == '=' ? strstr(p + 2, "==") : NULL;
        if (pid_end && pid_end < p + n) {
            n -= (int)(pid_end + 2 - p);
            p = pid_end + 2;
        }
        snprintf(line, sizeof line, "%.*s", n, p);
        char *addr = strstr(line, " on address 0x");
        if (addr && strstr(line, "ERROR: "))
            *addr = '\0';
        /* "WRITE of size 4 at 0x602000000050 thread T0": drop the address */
        char *at = strstr(line, " at 0x");
        if (at && (!strncmp(line, "READ of size", 12) || !strncmp(line, "WRITE of size", 13)))
            *at = '\0';
        /* "    #0 0x55c8 in f file.c:14": drop the address */
        char *pc = strstr(line, " 0x"), *in = strstr(line, " in ");
        if (pc && in && pc < in && strstr(line, "    #"))
            memmove(pc, in, strlen(in) + 1);
        /* "0x602000000050 is located 0 bytes after 240-byte region [...)" */
        char *loc = strstr(line, " is located ");
        int keep = strstr(line, "runtime error:") || strstr(line, "ERROR: ") ||
                   !strncmp(line, "SUMMARY:", 8) ||
                   !strncmp(line, "READ of size", 12) ||
                   !strncmp(line, "WRITE of size", 13);
        if (loc && strstr(line, "region")) {
            memmove(line, loc + 1, strlen(loc + 1) + 1);
            char *br = strstr(line, " [0x");
            if (br)
                *br = '\0';
            keep = 1;
        }
        if (!keep && strstr(line, " in ") && strstr(line, "    #") &&
            (strstr(line, "chapters/") || strstr(line, "solutions/") ||
             strstr(line, "mutants/")) && frames < 4) {
            keep = 1;
            frames++;
        }
        if (keep && used + strlen(line) + 4 < len)
            used += (size_t)snprintf(out + used, len - used, "\n  %s", line);
        p += n + (nl ? 1 : 0);
    }
}

/* A test's time limit: Check's timeout as CK_TIMEOUT_MULTIPLIER scales it. */
static double time_limit_s(void)
{
    const char *mult = getenv("CK_TIMEOUT_MULTIPLIER");
    double k = mult && atof(mult) > 0 ? atof(mult) : 1.0;
    return DEFAULT_TIMEOUT_S * k;
}

/* How the test process ended, in words, from Check's result. Check counts a
 * process that exits with status 0 as a pass; without the token that is an
 * early exit, not a pass. */
static void describe_ending(enum test_result r, const char *m, int proved,
                            char *why, size_t len, const char **hint)
{
    int status, sig;
    *hint = NULL;
    why[0] = '\0';
    if (r == CK_PASS && !proved) {
        snprintf(why, len, "the test process exited with status 0 before the "
                 "test finished: did the code call exit()?");
    } else if (r == CK_FAILURE) {
        snprintf(why, len, "%s", m);
    } else if (m && sscanf(m, "Early exit with return value %d", &status) == 1) {
        snprintf(why, len, "the test process exited with status %d before the "
                 "test finished: did the code call exit()?", status);
    } else if (m && sscanf(m, "Received signal %d", &sig) == 1) {
        snprintf(why, len, "the test process was killed by signal %d (%s)%s",
                 sig, strsignal(sig),
                 sig == SIGABRT ? ": did the code call abort() or fail an assert()?"
                                : ".");
        if (sig == SIGSEGV || sig == SIGBUS)
            *hint = "the test crashed: most often an index outside an array.";
        else if (sig == SIGXFSZ)
            *hint = "the test printed more than 16 MiB: is something printing in a loop?";
    } else if (m && strstr(m, "timeout")) {
        snprintf(why, len, "the test did not finish within its time limit of "
                 "%g s.", time_limit_s());
        *hint = "the test ran past its time limit: an endless loop, or a loop "
                "bound that never reaches its end?";
    } else {
        snprintf(why, len, "%s", m ? m : "(no message)");
    }
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the supervisor: runs one test through Check and writes its outcome to
 * fd: "P" or "F", then the message. */
static void supervise(const GradedSuite *gs, const GradedTest *t, int fd)
{
    int tp[2];
    if (pipe(tp) != 0)
        _exit(3);
    token_fd = tp[1];
    Suite *s = suite_create(gs->name);
    TCase *tc = tcase_create("t");
    tcase_set_timeout(tc, DEFAULT_TIMEOUT_S);
    tcase_add_checked_fixture(tc, capture_output, prove_completion);
    tcase_add_test(tc, *t->test);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);
    close(tp[1]);
    token_fd = -1;

    /* The token, if the test's code ran to its end. The read end is
     * non-blocking: a process the test left behind may hold the write end. */
    char got[64] = "";
    set_nonblock(tp[0]);
    ssize_t n = read(tp[0], got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    close(tp[0]);
    int proved = strcmp(got, token) == 0;

    enum test_result r = CK_ERROR;
    const char *m = "the test did not run";
    TestResult **res = srunner_results(sr);
    if (srunner_ntests_run(sr) >= 1) {
        r = tr_rtype(res[0]);
        m = tr_msg(res[0]);
    }
    int passed = r == CK_PASS && proved;

    char *out = read_capture();
    char digest[2048] = "";
    if (out)
        sanitizer_digest(out, digest, sizeof digest);

    char why[4096];
    const char *hint;
    describe_ending(r, m, proved, why, sizeof why, &hint);
    if (digest[0] && r != CK_FAILURE) {
        snprintf(why, sizeof why, "a sanitizer (AddressSanitizer or UBSan) "
                 "stopped the test process.");
        hint = "a sanitizer stopped the test: its report below names the error and the line.";
    }

    FILE *f = fdopen(fd, "w");
    if (!f)
        _exit(3);
    /* The record: 'P' or 'F', this run's token, a newline, the message. The
     * test process inherited this pipe; anything it wrote into it makes the
     * record malformed, which counts as a failure. */
    fprintf(f, "%c%s\n", passed ? 'P' : 'F', token);
    if (!passed) {
        fprintf(f, "%s", why);
        if (hint)
            fprintf(f, "\nHint: %s", hint);
        if (digest[0])
            fprintf(f, "\nThe sanitizer reported:%s", digest);
    }
    if (out && !digest[0]) {
        /* What the test printed: shown to the student, cut to 20 lines. */
        int lines = 0;
        const char *p = out, *cut = NULL;
        for (; *p; p++)
            if (*p == '\n' && ++lines == 20) {
                cut = p;
                break;
            }
        fprintf(f, "%sThe test printed:\n%.*s%s", passed ? "" : "\n",
                (int)(cut ? cut - out : (long)strlen(out)), out,
                cut ? "\n(... cut)" : "");
    }
    fclose(f);
    free(out);
    free(res);
    srunner_free(sr);
}

/* Reads everything from fd until EOF or until the deadline (seconds). */
static char *read_all(int fd, double seconds, int *timed_out)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *timed_out = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double left = seconds - (double)(t1.tv_sec - t0.tv_sec) -
                      (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (left <= 0) {
            *timed_out = 1;
            break;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        if (len + 1024 > cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                break;
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* Runs one graded test in a supervisor process and records its outcome. */
static void run_one(const GradedSuite *gs, const GradedTest *t, Outcome *oc)
{
    *oc = (Outcome){gs, t, 1, 0, NULL};
    int rp[2];
    if (pipe(rp) != 0) {
        oc->msg = strdup("the runner could not create a pipe (too many open files?)");
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(rp[0]);
        close(rp[1]);
        oc->msg = strdup("the runner could not fork a process for the test (process limit?)");
        return;
    }
    if (pid == 0) {
        setpgid(0, 0); /* the supervisor and the test: one group to kill */
        close(rp[0]);
        supervise(gs, t, rp[1]);
        _exit(0);
    }
    setpgid(pid, pid);
    close(rp[1]);
    int timed_out;
    char *rec = read_all(rp[0], time_limit_s() + 20.0, &timed_out);
    close(rp[0]);
    /* Whatever the test left running: the whole group, again and again
     * until it is empty, since a process forked while the signal was being
     * delivered (a fork bomb) escapes one kill. */
    kill(-pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    for (int k = 0; k < 200 && kill(-pid, SIGKILL) == 0; k++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }

    size_t tl = strlen(token);
    int well_formed = rec && (rec[0] == 'P' || rec[0] == 'F') &&
                      strncmp(rec + 1, token, tl) == 0 && rec[1 + tl] == '\n';
    const char *body = well_formed ? rec + 2 + tl : NULL;
    if (well_formed && rec[0] == 'P') {
        oc->passed = 1;
        if (*body)
            oc->msg = strdup(body); /* what a passing test printed */
    } else if (well_formed) {
        oc->msg = strdup(body);
    } else if (rec && *rec) {
        oc->msg = strdup("the test wrote into the runner's result channel (a "
                         "file descriptor it inherited): its outcome cannot be "
                         "trusted and counts as a failure.");
    } else {
        char why[512];
        if (timed_out)
            snprintf(why, sizeof why, "the test did not finish within its "
                     "wall-clock limit of %.0f s: did the code stop or block "
                     "its test runner?", time_limit_s() + 20.0);
        else if (WIFSIGNALED(st))
            snprintf(why, sizeof why, "the test's supervising process was "
                     "killed by signal %d (%s) before the test finished: did "
                     "the code kill its parent process?", WTERMSIG(st),
                     strsignal(WTERMSIG(st)));
        else
            snprintf(why, sizeof why, "the test's supervising process ended "
                     "(status %d) before the test finished.",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        oc->msg = strdup(why);
    }
    free(rec);
}

static void print_indented(const char *msg)
{
    const char *p = msg;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        printf("          %.*s\n", len, p);
        p += len + (nl ? 1 : 0);
    }
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf8)
        n = 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string; bytes that are not valid UTF-8 (a test may print
 * anything) become U+FFFD, so the file always parses. */
static void json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    fputc('"', f);
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else if (c < 0x80)
            fputc(c, f);
        else {
            int n = utf8_len(s);
            if (n) {
                fwrite(s, 1, (size_t)n, f);
                s += n;
                continue;
            }
            fputs("\\ufffd", f);
        }
        s++;
    }
    fputc('"', f);
}

/* Gradescope's "tests" array, plus the label; graders merge these files. */
static int write_json(const char *path, const char *label, const Outcome *oc,
                      int n)
{
    CnnError e;
    AtomicFile af;
    if (atomic_open(&af, path, &e)) {
        fprintf(stderr, "grade: %s\n", e.msg);
        return -1;
    }
    FILE *f = af.fp;
    fprintf(f, "{\"label\": ");
    json_string(f, label);
    fprintf(f, ", \"tests\": [\n");
    for (int i = 0; i < n; i++) {
        fprintf(f, "  {\"name\": ");
        json_string(f, oc[i].test->title);
        fprintf(f, ", \"number\": ");
        json_string(f, (*oc[i].test->test)->name);
        fprintf(f, ", \"suite\": ");
        json_string(f, oc[i].suite->name);
        fprintf(f, ", \"score\": %g, \"max_score\": %g, \"status\": \"%s\", "
                "\"visibility\": \"%s\", \"output\": ",
                oc[i].passed ? oc[i].test->points : 0.0, oc[i].test->points,
                oc[i].passed ? "passed" : "failed",
                oc[i].suite->hidden ? "after_published" : "visible");
        json_string(f, oc[i].passed ? "" : oc[i].msg);
        fprintf(f, ", \"tags\": [\"%s\"]", oc[i].suite->hidden ? "hidden" : "visible");
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    /* Written last: a file without it was not finished by this runner. */
    fprintf(f, "], \"complete\": true}\n");
    if (atomic_commit(&af, &e)) {
        fprintf(stderr, "grade: %s\n", e.msg);
        return -1;
    }
    return 0;
}

/* TAP: one line a test, as the project's test driver counts them. With
 * expect_fail (the untouched skeleton), a test that fails is what is
 * expected, and one that passes is "not ok": it tests nothing. */
static int write_tap(const char *path, const Options *o, const Outcome *oc,
                     int n)
{
    CnnError e;
    AtomicFile af;
    if (atomic_open(&af, path, &e)) {
        fprintf(stderr, "grade: %s\n", e.msg);
        return -1;
    }
    FILE *f = af.fp;
    fprintf(f, "1..%d\n", n);
    for (int i = 0; i < n; i++) {
        int good = o->expect_fail ? !oc[i].passed : oc[i].passed;
        fprintf(f, "%s %d - %s: %s%s\n", good ? "ok" : "not ok", i + 1, o->label,
                oc[i].test->title,
                o->expect_fail ? (good ? " (fails on the skeleton)"
                                       : " (VACUOUS: passes on the skeleton)")
                               : "");
    }
    if (atomic_commit(&af, &e)) {
        fprintf(stderr, "grade: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: grade-runner [--label TEXT] [--json FILE] [--tap FILE] "
               "[--expect-fail] [--filter TEXT] [--list] [--quiet]\n");
}

static void parse_args(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--label") && has_value)
            o->label = argv[++i];
        else if (!strcmp(a, "--json") && has_value)
            o->json_path = argv[++i];
        else if (!strcmp(a, "--tap") && has_value)
            o->tap_path = argv[++i];
        else if (!strcmp(a, "--filter") && has_value)
            o->filter = argv[++i];
        else if (!strcmp(a, "--expect-fail"))
            o->expect_fail = 1;
        else if (!strcmp(a, "--list"))
            o->list = 1;
        else if (!strcmp(a, "--quiet"))
            o->quiet = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "grade: unknown or incomplete argument '%s'; "
                            "see --help.\n", a);
            exit(2);
        }
    }
}

static void print_row(const Outcome *oc)
{
    const GradedTest *t = oc->test;
    printf("  %-6s %4.1f / %-4.1f %s%s\n", oc->passed ? "PASS" : "FAIL",
           oc->passed ? t->points : 0.0, t->points, t->title,
           oc->suite->hidden ? "  (hidden)" : "");
    if (oc->msg)
        print_indented(oc->msg);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    Options o = {"graded tests", NULL, NULL, NULL, 0, 0, 0};
    parse_args(argc, argv, &o);

    GradedSuite **suites;
    int ns = sorted_suites(&suites);
    int total_tests = 0;
    for (int i = 0; i < ns; i++)
        total_tests += suites[i]->n_tests;

    if (o.list) {
        for (int i = 0; i < ns; i++)
            for (int k = 0; k < suites[i]->n_tests; k++)
                if (selected(&o, &suites[i]->tests[k]))
                    printf("%s\t%g\t%s\t%s\n",
                           suites[i]->hidden ? "hidden" : "visible",
                           suites[i]->tests[k].points, suites[i]->name,
                           suites[i]->tests[k].title);
        free(suites);
        return 0;
    }

    const char *tmp = getenv("TMPDIR");
    snprintf(log_dir, sizeof log_dir, "%s/grade-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(log_dir)) {
        fprintf(stderr, "grade: cannot make a temporary directory in %s; set "
                        "TMPDIR to a writable directory.\n", log_dir);
        return 1;
    }
    snprintf(capture_path, sizeof capture_path, "%s/output", log_dir);
    draw_token();

    Outcome *oc = calloc((size_t)total_tests + 1, sizeof *oc);
    if (!oc) {
        fprintf(stderr, "grade: out of memory\n");
        return 1;
    }
    if (!o.quiet)
        printf("%s\n  %-6s %-10s %s\n", o.label, "result", "points", "test");
    int n = 0;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k < suites[i]->n_tests; k++) {
            if (!selected(&o, &suites[i]->tests[k]))
                continue;
            run_one(suites[i], &suites[i]->tests[k], &oc[n]);
            if (!o.quiet)
                print_row(&oc[n]);
            n++;
        }
    remove(capture_path);
    rmdir(log_dir);

    double got = 0, max = 0, got_v = 0, max_v = 0;
    int n_pass = 0;
    for (int i = 0; i < n; i++) {
        const GradedTest *t = oc[i].test;
        double earned = oc[i].passed ? t->points : 0.0;
        got += earned;
        max += t->points;
        if (!oc[i].suite->hidden) {
            got_v += earned;
            max_v += t->points;
        }
        n_pass += oc[i].passed;
    }
    printf("%s: %g / %g points; %d of %d tests passed", o.label, got, max,
           n_pass, n);
    if (max_v < max)
        printf(" (visible %g / %g, hidden %g / %g)", got_v, max_v,
               got - got_v, max - max_v);
    printf("\n");

    int rc = 0;
    if (o.json_path && write_json(o.json_path, o.label, oc, n))
        rc = 1;
    if (o.tap_path && write_tap(o.tap_path, &o, oc, n))
        rc = 1;
    if (n == 0) {
        fprintf(stderr, "grade: no test ran%s.\n",
                o.filter ? " (no test matches --filter)" : "");
        rc = 1;
    } else if (o.expect_fail) {
        for (int i = 0; i < n; i++)
            if (oc[i].passed) {
                printf("vacuous: '%s' passes on code that should fail it\n",
                       oc[i].test->title);
                rc = 1;
            }
    } else if (n_pass < n) {
        rc = 1;
    }
    for (int i = 0; i < n; i++)
        free(oc[i].msg);
    free(oc);
    free(suites);
    return rc;
}

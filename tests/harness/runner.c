/* runner.c: main() of every chapter's graded test binary.
 *
 * Runs every registered graded suite (grade.h) through Check in fork mode,
 * one Check test case per graded test so each has its own timeout, and
 * reports: Check's summary line for each suite, a table of points with the
 * failure messages, a total, and optionally a JSON file for graders.
 *
 *   grade-runner [--label TEXT] [--json FILE] [--expect-fail] [--filter S]
 *                [--list] [--quiet]
 *
 * Each test's stderr is captured: a sanitizer's report is boiled down to the
 * lines that say what happened and where (they join the failure message);
 * anything else a test printed is passed through unchanged.
 *
 * Exit status: 0 when every test passed (with --expect-fail: when every test
 * failed), 1 otherwise, 2 on a usage error. A run in which no test ran is a
 * failure: Check itself would report it as success.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "grade.h"

#define DEFAULT_TIMEOUT_S 10.0

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
    char *msg;  /* Check's message for a failure or an error */
    char tcname[16]; /* the Check test case's name; Check keeps the pointer */
} Outcome;

typedef struct {
    const char *label, *json_path, *filter;
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

static const char *extra_hint(enum test_result r, const char *msg)
{
    if (r != CK_ERROR)
        return NULL;
    if (msg && strstr(msg, "timeout"))
        return "the test ran past its time limit: an endless loop, or a loop "
               "bound that never reaches its end?";
    if (msg && strstr(msg, "signal"))
        return "the test crashed: most often an index outside an array.";
    if (msg && strstr(msg, "Early exit"))
        return "the test stopped early: did the code call exit()?";
    return NULL;
}

/* ---- capturing each test's stderr ---------------------------------------- */

static char log_dir[64]; /* a private temporary directory, one file a test */
/* Index of the test about to run. Check runs the test cases of a suite in
 * the order they were added, calling each one's unchecked fixture in this
 * process before forking for its test, so a counter names the test; Check's
 * tcase_name() is not yet set while fixtures run. */
static int current_test;

static void next_test(void)
{
    current_test++;
}

static void log_path(char *buf, size_t len, const char *tcname)
{
    snprintf(buf, len, "%s/%s.err", log_dir, tcname);
}

/* A checked fixture: runs in the forked test process, before the test. */
static void capture_stderr(void)
{
    char path[128], name[16];
    snprintf(name, sizeof name, "t%d", current_test);
    log_path(path, sizeof path, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

/* The test's captured stderr (NUL-terminated, at most 64 KiB), or NULL. */
static char *read_log(const char *tcname)
{
    char path[128];
    log_path(path, sizeof path, tcname);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    remove(path);
    if (!buf || n == 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The lines of a sanitizer report that matter to a student: what happened
 * ("runtime error", "ERROR: AddressSanitizer: heap-buffer-overflow", the
 * SUMMARY) and the first stack frames in course code. Empty when the log
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
        /* "    #0 0x55c8 in f file.c:14": drop the address */
        char *pc = strstr(line, " 0x"), *in = strstr(line, " in ");
        if (pc && in && pc < in && strstr(line, "    #"))
            memmove(pc, in, strlen(in) + 1);
        int keep = strstr(line, "runtime error:") || strstr(line, "ERROR: ") ||
                   !strncmp(line, "SUMMARY:", 8);
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

/* Runs one suite through Check and records the outcome of each test. */
static void run_suite(const GradedSuite *gs, const Options *o, Outcome *out,
                      int *n_out)
{
    int first = *n_out, any = 0;
    for (int i = 0; i < gs->n_tests; i++)
        any |= selected(o, &gs->tests[i]);
    if (!any)
        return;
    Suite *s = suite_create(gs->name);
    for (int i = 0; i < gs->n_tests; i++) {
        const GradedTest *t = &gs->tests[i];
        if (!selected(o, t))
            continue;
        Outcome *oc = &out[*n_out];
        *oc = (Outcome){gs, t, 0, 0, NULL, ""};
        snprintf(oc->tcname, sizeof oc->tcname, "t%d", *n_out);
        TCase *tc = tcase_create(oc->tcname);
        tcase_set_timeout(tc, DEFAULT_TIMEOUT_S);
        tcase_add_unchecked_fixture(tc, next_test, NULL);
        tcase_add_checked_fixture(tc, capture_stderr, NULL);
        tcase_add_test(tc, *t->test);
        suite_add_tcase(s, tc);
        (*n_out)++;
    }
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    current_test = first - 1;
    srunner_run_all(sr, CK_SILENT);
    if (!o->quiet) {
        printf("%s suite %s: ", gs->hidden ? "hidden" : "visible", gs->name);
        fflush(stdout);
        srunner_print(sr, CK_MINIMAL);
    }
    int nr = srunner_ntests_run(sr);
    TestResult **res = srunner_results(sr);
    for (int k = 0; k < nr; k++) {
        int idx = atoi(tr_tcname(res[k]) + 1);
        if (idx < first || idx >= *n_out)
            continue;
        Outcome *oc = &out[idx];
        oc->ran = 1;
        oc->passed = tr_rtype(res[k]) == CK_PASS;
        char *log = read_log(oc->tcname);
        char digest[2048] = "";
        if (log)
            sanitizer_digest(log, digest, sizeof digest);
        if (log && !digest[0])
            fputs(log, stderr); /* the test's own output: pass it on */
        free(log);
        if (!oc->passed) {
            const char *m = tr_msg(res[k]) ? tr_msg(res[k]) : "(no message)";
            const char *h = digest[0] ? "a sanitizer stopped the test: its "
                            "report below names the error and the line."
                                      : extra_hint(tr_rtype(res[k]), m);
            size_t len = strlen(m) + (h ? strlen(h) + 16 : 0) +
                         strlen(digest) + 32;
            oc->msg = malloc(len);
            if (oc->msg)
                snprintf(oc->msg, len, "%s%s%s%s%s", m, h ? "\nHint: " : "",
                         h ? h : "", digest[0] ? "\nThe sanitizer reported:" : "",
                         digest);
        }
    }
    free(res);
    srunner_free(sr);
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

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
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
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "]}\n");
    if (atomic_commit(&af, &e)) {
        fprintf(stderr, "grade: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: grade-runner [--label TEXT] [--json FILE] "
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

int main(int argc, char **argv)
{
    Options o = {"graded tests", NULL, NULL, 0, 0, 0};
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
                    printf("%-8s %5.1f  %-28s %s\n",
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

    Outcome *oc = calloc((size_t)total_tests + 1, sizeof *oc);
    if (!oc) {
        fprintf(stderr, "grade: out of memory\n");
        return 1;
    }
    int n = 0;
    for (int i = 0; i < ns; i++)
        run_suite(suites[i], &o, oc, &n);

    double got = 0, max = 0, got_v = 0, max_v = 0;
    int n_pass = 0, n_ran = 0;
    if (!o.quiet)
        printf("\n%s\n  %-6s %-10s %s\n", o.label, "result", "points", "test");
    for (int i = 0; i < n; i++) {
        const GradedTest *t = oc[i].test;
        double earned = oc[i].passed ? t->points : 0.0;
        got += earned;
        max += t->points;
        if (!oc[i].suite->hidden) {
            got_v += earned;
            max_v += t->points;
        }
        n_ran += oc[i].ran;
        n_pass += oc[i].passed;
        if (!o.quiet) {
            printf("  %-6s %4.1f / %-4.1f %s%s\n", oc[i].passed ? "PASS" : "FAIL",
                   earned, t->points, t->title,
                   oc[i].suite->hidden ? "  (hidden)" : "");
            if (!oc[i].passed)
                print_indented(oc[i].ran ? (oc[i].msg ? oc[i].msg : "")
                                         : "(the test did not run)");
        }
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
    if (n_ran == 0) {
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
    for (int i = 0; i < n; i++) {
        char *left = read_log(oc[i].tcname); /* a test that never ran */
        free(left);
        free(oc[i].msg);
    }
    rmdir(log_dir);
    free(oc);
    free(suites);
    return rc;
}

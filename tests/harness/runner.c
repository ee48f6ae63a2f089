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
 * Exit status: 0 when every test passed (with --expect-fail: when every test
 * failed), 1 otherwise, 2 on a usage error. A run in which no test ran is a
 * failure: Check itself would report it as success.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        return "the test crashed: most often an index outside an array. The "
               "sanitizer's report printed above says which line.";
    if (msg && strstr(msg, "Early exit"))
        return "the test stopped early: a sanitizer found a memory error, a leak or "
               "undefined behaviour (its report, printed above, names the "
               "line), or the code called exit().";
    return NULL;
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
        tcase_add_test(tc, *t->test);
        suite_add_tcase(s, tc);
        (*n_out)++;
    }
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
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
        if (!oc->passed) {
            const char *m = tr_msg(res[k]) ? tr_msg(res[k]) : "(no message)";
            const char *h = extra_hint(tr_rtype(res[k]), m);
            size_t len = strlen(m) + (h ? strlen(h) + 16 : 0) + 1;
            oc->msg = malloc(len);
            if (oc->msg)
                snprintf(oc->msg, len, "%s%s%s", m, h ? "\nHint: " : "",
                         h ? h : "");
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
    for (int i = 0; i < n; i++)
        free(oc[i].msg);
    free(oc);
    free(suites);
    return rc;
}

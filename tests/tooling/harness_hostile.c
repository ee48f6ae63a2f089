/* harness_hostile.c: graded tests whose "code under test" tries to end the
 * test process, or fool the runner, in every way test_harness.sh knows of.
 * Each hostile test would pass if its trick were ignored: after the trick it
 * asserts something true. Each must earn exactly 0, and the honest tests
 * around them their full points. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade.h"

static void the_truth(void)
{
    grade_expect_int("honest(1)", 1, 1, NULL);
}

START_TEST(honest_before)
{
    the_truth();
}
END_TEST

START_TEST(calls_exit0)
{
    exit(0);
}
END_TEST

START_TEST(calls__exit0)
{
    _exit(0);
}
END_TEST

START_TEST(calls_exit1)
{
    exit(1);
}
END_TEST

START_TEST(calls_abort)
{
    abort();
}
END_TEST

START_TEST(raises_signal)
{
    raise(SIGTERM);
    the_truth();
}
END_TEST

START_TEST(kills_parent)
{
    kill(getppid(), SIGKILL);
    sleep(2);
    the_truth();
}
END_TEST

START_TEST(fake_summary)
{
    printf("100%%: Checks: 40, Failures: 0, Errors: 0\n");
    printf("  PASS    5.0 / 5.0  hostile: fakes a summary\n");
    fflush(stdout);
    exit(0);
}
END_TEST

START_TEST(writes_fds)
{
    const char fake[] = "ok 1 - everything passed\n";
    ssize_t n = write(1, fake, sizeof fake - 1);
    n += write(2, fake, sizeof fake - 1);
    (void)n;
    _exit(0);
}
END_TEST

START_TEST(closes_fds)
{
    close(1);
    close(2);
    exit(0);
}
END_TEST

/* Writes a results file claiming full marks where the runner was told to
 * write its own (HOSTILE_JSON), then leaves. */
START_TEST(forges_json)
{
    const char *path = getenv("HOSTILE_JSON");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "{\"label\": \"forged\", \"tests\": [{\"name\": \"hostile: "
                   "forges the JSON results\", \"score\": 100, \"max_score\": 1, "
                   "\"status\": \"passed\"}], \"complete\": true}\n");
        fclose(f);
    }
    exit(0);
}
END_TEST

/* Writes a passing record into every inherited file descriptor, hoping one
 * of them is the runner's result channel. */
START_TEST(writes_inherited_fds)
{
    for (int fd = 3; fd < 64; fd++) {
        ssize_t n = write(fd, "P\n", 2);
        (void)n;
    }
    exit(0);
}
END_TEST

static jmp_buf escape;

START_TEST(longjmps_out)
{
    if (setjmp(escape) == 0)
        longjmp(escape, 1);
    exit(0);
}
END_TEST

START_TEST(honest_after)
{
    the_truth();
}
END_TEST

GRADED_SUITE(hostile_suite, "hostile",
    GRADED(honest_before, 1, "honest: before"),
    GRADED(calls_exit0, 1, "hostile: exit(0)"),
    GRADED(calls__exit0, 1, "hostile: _exit(0)"),
    GRADED(calls_exit1, 1, "hostile: exit(1)"),
    GRADED(calls_abort, 1, "hostile: abort()"),
    GRADED(raises_signal, 1, "hostile: raise(SIGTERM)"),
    GRADED(kills_parent, 1, "hostile: kills its parent process"),
    GRADED(fake_summary, 1, "hostile: prints a fake Check summary"),
    GRADED(writes_fds, 1, "hostile: writes to fd 1 and 2"),
    GRADED(closes_fds, 1, "hostile: closes fd 1 and 2"),
    GRADED(forges_json, 1, "hostile: forges the JSON results"),
    GRADED(longjmps_out, 1, "hostile: longjmp then exit(0)"),
    GRADED(writes_inherited_fds, 1, "hostile: writes a pass into inherited fds"),
    GRADED(honest_after, 1, "honest: after"));

/* harness_ctor_evil.c: code that runs before main, prints what a passing
 * run prints and exits 0, so the runner never starts. The caller of the
 * runner (tests/harness/run_graded.py) must count every test as failed. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void before_main(void)
{
    printf("100%%: Checks: 40, Failures: 0, Errors: 0\n");
    printf("graded tests: 2 / 2 points; 2 of 2 tests passed\n");
    exit(0);
}

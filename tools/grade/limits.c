/* limits.c: an address-space cap for the grader's test runners
 * (tools/grade/), linked into them and into nothing else.
 *
 * An AddressSanitizer binary cannot start under an address-space limit
 * (RLIMIT_AS): it reserves terabytes of shadow memory first. So the limit is
 * set here, from inside, right after the sanitizer has made its reservations
 * and before any other code of the program runs: a function in
 * .preinit_array runs before every constructor (the grader renames the
 * .preinit_array section of a submission's objects, so the linker does not
 * run it and no student code runs earlier). The cap is the address space in use at that moment plus
 * CNN_GRADE_ADDRESS_MB megabytes (default below), as both the soft and the
 * hard limit, so no code can raise it again. It is generous on purpose: some
 * tests reserve (without touching) more than 2^31 floats of address space.
 * What a test may really allocate through malloc is capped much lower by
 * ASAN_OPTIONS mmap_limit_mb and max_allocation_size_mb, which the grader
 * sets beside this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_ADDRESS_MB 65536UL

#ifdef __SANITIZE_ADDRESS__
void __asan_init(void);
#endif

static void grade_cap_memory(void)
{
#ifdef __SANITIZE_ADDRESS__
    __asan_init(); /* a no-op when it already ran, as it should have */
#endif
    unsigned long pages = 0, mb = DEFAULT_ADDRESS_MB;
    const char *env = getenv("CNN_GRADE_ADDRESS_MB");
    if (env && atol(env) > 0)
        mb = (unsigned long)atol(env);
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    if (pages == 0)
        return; /* no /proc: the grader's other limits still hold */
    rlim_t cap = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)mb << 20);
    struct rlimit rl = {cap, cap};
    setrlimit(RLIMIT_AS, &rl);
}

__attribute__((section(".preinit_array"), used)) static void (*const grade_cap_entry)(void) =
    grade_cap_memory;

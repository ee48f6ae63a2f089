/* grade.c: comparisons and messages of the graded-test layer (grade.h). */
#include "grade.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Check passes a failure message from the forked test to the runner through
 * a fixed buffer (BUFSIZ in Check 0.15); stay well inside it. */
#define GRADE_MSG_MAX 3000

size_t grade_numel(const GradeCompare *cmp)
{
    size_t n = 1;
    for (int d = 0; d < cmp->ndim; d++)
        n *= cmp->shape[d];
    return n;
}

void grade_add_alt(GradeCompare *cmp, const double *values, const char *hint)
{
    if (cmp->n_alts < GRADE_MAX_ALTS) {
        cmp->alts[cmp->n_alts].values = values;
        cmp->alts[cmp->n_alts].hint = hint;
        cmp->n_alts++;
    }
}

/* The fill is a signalling NaN with a payload of its own: copying it keeps
 * its bits, but any arithmetic on it (y[i] += ..., on x86 and ARM alike)
 * returns a quiet NaN with other bits. So an element still holding exactly
 * this pattern was never written, and a NaN with the quiet bit added to it
 * was computed from the fill: the code read the output before setting it. */
#define GRADE_FILL_BITS 0x7fa5f111u
#define GRADE_QUIET_BIT 0x00400000u

void grade_fill_nan(float *x, size_t n)
{
    const uint32_t bits = GRADE_FILL_BITS;
    for (size_t i = 0; i < n; i++)
        memcpy(&x[i], &bits, sizeof bits);
}

static uint32_t bits_of(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Still the fill, bit for bit: never written. */
static int is_fill(float v)
{
    return bits_of(v) == GRADE_FILL_BITS;
}

/* A NaN made by arithmetic on the fill: the fill's payload, quieted (the
 * sign may have flipped, e.g. through a multiplication). */
static int is_from_fill(float v)
{
    return (bits_of(v) & 0x7fffffffu) == (GRADE_FILL_BITS | GRADE_QUIET_BIT);
}

void grade_format_index(char *buf, size_t len, const size_t *shape, int ndim,
                        size_t i)
{
    size_t idx[8];
    for (int d = ndim - 1; d >= 0; d--) {
        idx[d] = shape[d] ? i % shape[d] : 0;
        i = shape[d] ? i / shape[d] : 0;
    }
    size_t used = (size_t)snprintf(buf, len, "[");
    for (int d = 0; d < ndim && used < len; d++)
        used += (size_t)snprintf(buf + used, len - used, "%s%zu",
                                 d ? ", " : "", idx[d]);
    if (used < len)
        snprintf(buf + used, len - used, "]");
}

/* Appends printf-style text to a message buffer, never overflowing it. */
static void append(char *msg, size_t len, const char *fmt, ...)
{
    size_t used = strlen(msg);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, len - used, fmt, ap);
    va_end(ap);
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

/* Relative error of one element against the reference, with the floor of
 * grade.h: |got - want| / max(|want|, floor). */
static double rel_err(double got, double want, double floor)
{
    double denom = fabs(want) > floor ? fabs(want) : floor;
    if (denom == 0.0)
        return got == want ? 0.0 : INFINITY;
    return fabs(got - want) / denom;
}

static double floor_of(const GradeCompare *cmp, const double *want, size_t n)
{
    double frac = cmp->floor_frac > 0 ? cmp->floor_frac : 1e-3;
    double f = frac * max_abs(want, n);
    return f > 1e-30 ? f : 1e-30;
}

/* Index of the first element that fails, or n when all pass. Counts the
 * failing elements into *n_bad. */
static size_t first_mismatch_f(const GradeCompare *cmp, const float *got,
                               const double *want, size_t n, size_t *n_bad)
{
    double floor = floor_of(cmp, want, n);
    size_t first = n;
    *n_bad = 0;
    for (size_t i = 0; i < n; i++) {
        double e = isfinite(got[i]) ? rel_err(got[i], want[i], floor) : INFINITY;
        if (!(e <= cmp->rtol)) {
            if (first == n)
                first = i;
            (*n_bad)++;
        }
    }
    return first;
}

static int matches_alt(const GradeCompare *cmp, const float *got,
                       const double *alt, size_t n)
{
    double floor = floor_of(cmp, alt, n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(got[i]) || !isfinite(alt[i]))
            return 0;
        if (!(rel_err(got[i], alt[i], floor) <= cmp->rtol))
            return 0;
    }
    return 1;
}

/* The generic hints: mistakes recognisable without knowing the function.
 * `output` names the output array, e.g. "y". */
static void generic_hint(const float *got, const double *want, size_t n,
                         const char *output, char *msg, size_t len)
{
    size_t n_fill = 0, n_from_fill = 0, n_nan = 0, n_zero = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_fill(got[i]))
            n_fill++;
        else if (is_from_fill(got[i]))
            n_from_fill++;
        if (isnan(got[i]))
            n_nan++;
        else if (got[i] == 0.0f)
            n_zero++;
    }
    if (n_fill == n) {
        append(msg, len, "\nHint: no element of the output was written (it still "
               "holds the NaN the test filled it with): is the function still "
               "the skeleton's TODO?");
    } else if (n_from_fill > 0 && n_nan == n) {
        append(msg, len, "\nHint: every output is NaN: did you accumulate into "
               "%s without setting it to zero first? (The test fills %s with "
               "NaN before the call, and NaN + anything is NaN; sum into a "
               "local variable and store it.)", output, output);
    } else if (n_from_fill > 0) {
        append(msg, len, "\nHint: %zu of %zu outputs are NaN computed from the "
               "NaN the test filled %s with: did you accumulate into %s "
               "without setting it to zero first?", n_from_fill, n, output,
               output);
    } else if (n_fill > 0) {
        append(msg, len, "\nHint: %zu of %zu elements were never written (they "
               "still hold the test's NaN): check the loop bounds cover the "
               "whole output.", n_fill, n);
    } else if (n_nan > 0) {
        append(msg, len, "\nHint: %zu of %zu elements are NaN computed by the "
               "function itself (a 0/0, inf - inf or 0 * inf?).", n_nan, n);
    } else if (n_zero == n && max_abs(want, n) > 0) {
        append(msg, len, "\nHint: the output is all zeros: is the function "
               "still the skeleton's TODO, or is the sum never stored?");
    }
}

int grade_compare(const GradeCompare *cmp, const float *got,
                  const double *want, char *msg, size_t len)
{
    size_t n = grade_numel(cmp);
    size_t n_bad;
    size_t i = first_mismatch_f(cmp, got, want, n, &n_bad);
    if (i == n)
        return 0;

    char idx[128], shape[128];
    grade_format_index(idx, sizeof idx, cmp->shape, cmp->ndim, i);
    /* The shape as "(2, 4, 3, 3)" */
    shape[0] = '\0';
    append(shape, sizeof shape, "(");
    for (int d = 0; d < cmp->ndim; d++)
        append(shape, sizeof shape, "%s%zu", d ? ", " : "", cmp->shape[d]);
    append(shape, sizeof shape, cmp->ndim == 1 ? ",)" : ")");

    double floor = floor_of(cmp, want, n);
    msg[0] = '\0';
    append(msg, len, "%s(%s): %s has shape %s; first mismatch at %s%s "
           "(flat index %zu): expected " GRADE_FMT ", got " GRADE_FMT,
           cmp->func, cmp->params ? cmp->params : "",
           cmp->output, shape, cmp->output, idx, i, want[i], (double)got[i]);
    if (isfinite(got[i]))
        append(msg, len, " (relative error %.2e > tolerance %.0e)",
               rel_err(got[i], want[i], floor), cmp->rtol);
    append(msg, len, "; %zu of %zu elements differ.", n_bad, n);

    for (int a = 0; a < cmp->n_alts; a++) {
        if (matches_alt(cmp, got, cmp->alts[a].values, n)) {
            append(msg, len, "\nHint: %s", cmp->alts[a].hint);
            return -1;
        }
    }
    generic_hint(got, want, n, cmp->output ? cmp->output : "the output", msg,
                 len);
    return -1;
}

void grade_expect_close(const GradeCompare *cmp, const float *got,
                        const double *want)
{
    char msg[GRADE_MSG_MAX];
    if (grade_compare(cmp, got, want, msg, sizeof msg) != 0)
        ck_abort_msg("%s", msg);
}

void grade_hint_pick(GradeHintPick *p, const char *hint)
{
    if (!hint)
        return;
    for (int k = 0; k < p->n && k < GRADE_PICK_MAX; k++)
        if (strcmp(p->all[k], hint) == 0)
            return;
    if (p->n < GRADE_PICK_MAX)
        p->all[p->n] = hint;
    if (p->n <= GRADE_PICK_MAX)
        p->n++;
    if (!p->hint)
        p->hint = hint;
}

const char *grade_hint_picked(const GradeHintPick *p)
{
    static char both[2400];
    if (p->n <= 1)
        return p->hint;
    if (p->n > GRADE_PICK_MAX)
        return NULL; /* too many to be worth a hint */
    int used = snprintf(both, sizeof both, "%s mistakes give exactly this "
                        "result here:", p->n == 2 ? "two" : "three");
    for (int k = 0; k < p->n && used > 0 && (size_t)used < sizeof both; k++)
        used += snprintf(both + used, sizeof both - (size_t)used, " (%d) %s",
                         k + 1, p->all[k]);
    return both;
}

void grade_expect_int(const char *what, long long got, long long want,
                      const char *hint)
{
    if (got != want)
        ck_abort_msg("%s: expected %lld, got %lld.%s%s", what, want, got,
                     hint ? "\nHint: " : "", hint ? hint : "");
}

void grade_expect_double(const char *what, double got, double want,
                         double rtol, const char *hint)
{
    double e = rel_err(got, want, 1e-30);
    if (!(e <= rtol))
        ck_abort_msg("%s: expected " GRADE_FMT ", got " GRADE_FMT
                     " (relative error %.2e > tolerance %.0e).%s%s",
                     what, want, got, e, rtol, hint ? "\nHint: " : "",
                     hint ? hint : "");
}

/* rng.c: xoshiro256** (Blackman and Vigna), seeded by splitmix64.
 *
 * Everything here is integer arithmetic or IEEE-754 double operations that
 * are correctly rounded by definition (+, -, *, /, sqrt), so a seed gives
 * the same numbers on any machine and C library. That is also why the
 * logarithm of the polar method is computed here rather than by libm's log:
 * the C standard leaves log's last bit to the library, and one differing bit
 * would make a weight initialisation, and every number after it, differ
 * between two students' machines.
 */
#include "rng.h"

#include <math.h>

#include "util.h"

/* Round every product on its own, whatever the build's flags (gcc fuses
 * a * b + c into an fma under -std=gnu11 with -march=native, and an fma
 * rounds once instead of twice). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64: spreads one 64-bit seed over the four state words, so that
 * even seeds 0, 1, 2 give unrelated, non-zero states. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->has_spare = 0;
    r->spare = 0.0;
}

uint64_t rng_u64(Rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Rejection: of the 2^64 possible words, the lowest 2^64 mod n are refused,
 * which leaves a multiple of n values and so no modulo bias. At most half of
 * the words are ever refused, so the loop ends quickly. */
uint64_t rng_below(Rng *r, uint64_t n)
{
    uint64_t threshold, x;
    if (n == 0)
        cnn_die("rng_below: n must be positive");
    threshold = (0 - n) % n; /* 2^64 mod n, in 64-bit arithmetic */
    do
        x = rng_u64(r);
    while (x < threshold);
    return x % n;
}

/* The top 53 bits scaled by 2^-53: every multiple of 2^-53 in [0, 1) is
 * equally likely, and 1 is never returned. */
double rng_uniform(Rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Natural logarithm of x > 0 (normal or subnormal) from basic arithmetic,
 * the way fdlibm's e_log.c does it: x = (1 + f) 2^k with 1 + f in
 * [sqrt(1/2), sqrt(2)), and with s = f / (2 + f),
 *   log(1 + f) = 2 atanh(s) = 2s + s R,   R = 2 (s^2/3 + s^4/5 + ...),
 * |s| < 0.172, so 11 terms of R reach 2^-60. Rearranged as
 *   log(1 + f) = f - (f^2/2 - s (f^2/2 + R))
 * the large part f is exact and only small corrections carry rounding, and
 * log 2 is split in a high part whose product with k is exact plus a low
 * correction (fdlibm's constants), which keeps the result within an ulp. */
static double log_ieee(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
    static const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */
    static const double sqrt_half = 0.70710678118654752440;
    int k;
    double m = frexp(x, &k); /* x = m 2^k with m in [1/2, 1), exactly */
    double f, s, z, r, hfsq;

    if (m < sqrt_half) {
        m *= 2.0;
        k -= 1;
    }
    f = m - 1.0; /* exact (Sterbenz) */
    s = f / (2.0 + f);
    z = s * s;
    r = 0.0; /* Horner from the smallest term: r = 2z/3 + 2z^2/5 + ... */
    for (int j = 23; j >= 3; j -= 2)
        r = (r + 2.0 / j) * z;
    hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}

/* Marsaglia's polar method: a point uniform in the unit disc, (u, v) with
 * s = u^2 + v^2, gives two independent standard normals u f and v f with
 * f = sqrt(-2 log(s) / s). The second one is kept for the next call. */
double rng_normal(Rng *r)
{
    double u, v, s, f;

    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    f = sqrt(-2.0 * log_ieee(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

/* Computed in double and rounded once to float. Rounding can carry a value
 * just below hi up to hi itself; it is then moved to the float below hi so
 * the interval stays half-open. */
void rng_fill_uniform(Rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) {
        float v = (float)((double)lo + ((double)hi - lo) * rng_uniform(r));
        if (hi > lo && v >= hi)
            v = nextafterf(hi, lo);
        x[i] = v;
    }
}

void rng_fill_normal(Rng *r, float *x, size_t n, float mean, float std)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((double)mean + (double)std * rng_normal(r));
}

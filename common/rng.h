/* rng.h: a seeded random number generator that gives the same numbers on
 * every platform.
 *
 * The generator is xoshiro256** seeded through splitmix64; uniforms are built
 * from the top 53 bits (the float fills round those doubles once), and
 * normals by the Marsaglia polar method with a logarithm written in plain
 * IEEE-754 arithmetic (no libm call whose last bit could differ between C
 * libraries). Same seed, same sequence, on any machine with IEEE-754 doubles.
 */
#ifndef CNN_RNG_H
#define CNN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    int has_spare;   /* the polar method makes normals in pairs */
    double spare;
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_u64(Rng *r);
/* Uniform integer in [0, n), without modulo bias. n > 0. */
uint64_t rng_below(Rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_uniform(Rng *r);
/* Standard normal N(0, 1). */
double rng_normal(Rng *r);

/* x[i] ~ U[lo, hi) for i < n. */
void rng_fill_uniform(Rng *r, float *x, size_t n, float lo, float hi);
/* x[i] ~ N(mean, std^2) for i < n. */
void rng_fill_normal(Rng *r, float *x, size_t n, float mean, float std);

#endif

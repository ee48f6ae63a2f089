/* peak.c: measures the fp32 FMA throughput of one core.
 *
 * This file alone is compiled with -march=native: it asks what the hardware
 * can do, which is the yardstick every other figure of `./build.sh bench` is
 * read against. Sixteen independent accumulator chains hide the FMA latency
 * (4 cycles on current x86 cores, two FMA ports: at least 8 chains needed).
 */
#include "peak.h"

#include "timer.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#define ISA "AVX-512 (16 floats per FMA)"
#define LANES 16
typedef __m512 vec;
#define VSET(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VSUM(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ISA "AVX2+FMA (8 floats per FMA)"
#define LANES 8
typedef __m256 vec;
#define VSET(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
static float vsum(__m256 v)
{
    float t[8];
    _mm256_storeu_ps(t, v);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#define VSUM(v) vsum(v)
#else
#define ISA "scalar (no vector FMA available to the compiler)"
#define LANES 1
typedef float vec;
#define VSET(x) (x)
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VSUM(v) (v)
#endif

#define CHAINS 16

/* `iters` rounds of CHAINS independent FMAs; returns a value that depends
 * on all of them so that the compiler cannot drop the work. */
static float fma_kernel(long iters)
{
    vec acc[CHAINS];
    vec a = VSET(0.999999f), b = VSET(1e-7f);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = VSET((float)k);
    for (long i = 0; i < iters; i++) {
        /* unrolled so that the accumulators live in registers */
#if defined(__GNUC__)
#pragma GCC unroll 16
#endif
        for (int k = 0; k < CHAINS; k++)
            acc[k] = VFMA(acc[k], a, b);
    }
    vec s = acc[0];
    for (int k = 1; k < CHAINS; k++)
        s = VFMA(s, a, acc[k]);
    return VSUM(s);
}

double peak_gflops(double seconds, const char **isa)
{
    volatile float sink = 0;
    long iters = 1L << 20;
    double best = 0, t_end = timer_now() + seconds;
    do {
        double t0 = timer_now();
        sink += fma_kernel(iters);
        double dt = timer_now() - t0;
        double rate = 2.0 * CHAINS * LANES * (double)iters / dt * 1e-9;
        if (rate > best)
            best = rate;
    } while (timer_now() < t_end);
    (void)sink;
    *isa = ISA;
    return best;
}

/* peak.h: the machine's measured single-core float32 peak. */
#ifndef BENCH_PEAK_H
#define BENCH_PEAK_H

/* Runs a kernel of independent fused multiply-adds on the widest vectors the
 * compiler was allowed to use, for about `seconds`, and returns the best
 * rate seen in GFLOP/s (one FMA = 2 FLOP). *isa names the vector unit. */
double peak_gflops(double seconds, const char **isa);

#endif

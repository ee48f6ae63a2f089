/* timer.h: wall-clock time for benchmarks and progress reports. */
#ifndef CNN_TIMER_H
#define CNN_TIMER_H

/* Seconds from an arbitrary fixed point, monotonic, sub-microsecond. */
double timer_now(void);

#endif

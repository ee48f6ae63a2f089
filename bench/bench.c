/* bench.c: `./build.sh bench`, the measured speed of the course's code.
 *
 * Prints a table and writes the same figures to a .dat file (argv[1]) that a
 * gnuplot script can plot. Every rate is the best of several timed runs on
 * one core, against the machine's measured float32 peak. Timings belong here
 * and never in the tests.
 *
 * At this stage: chapter 01's direct conv2d_forward on a LeNet-sized and a
 * VGG-sized layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "01-convolution/conv.h"
#include "peak.h"
#include "rng.h"
#include "timer.h"
#include "util.h"

typedef struct {
    const char *name;  /* one word, for the .dat file */
    const char *what;  /* a human description of the layer */
    Conv2dGeom g;
} ConvCase;

typedef struct {
    const char *name, *what;
    double gflop, seconds, gflops;
} Row;

static double conv2d_flop(const Conv2dGeom *g)
{
    /* one multiply and one add per kernel tap: twice the MACs of chapter 01, eq. (1.11) */
    return 2.0 * g->n * g->c_out * conv2d_out_h(g) * conv2d_out_w(g) *
           (g->c_in / g->groups) * g->kh * g->kw;
}

/* Best time of repeated conv2d_forward calls, until ~min_seconds have run. */
static double time_conv2d(const Conv2dGeom *g, double min_seconds)
{
    size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    size_t nw = (size_t)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    size_t ny = (size_t)g->n * g->c_out * conv2d_out_h(g) * conv2d_out_w(g);
    float *x = xmalloc(nx * sizeof *x), *w = xmalloc(nw * sizeof *w);
    float *b = xmalloc((size_t)g->c_out * sizeof *b), *y = xmalloc(ny * sizeof *y);
    Rng r;
    rng_seed(&r, 1);
    rng_fill_uniform(&r, x, nx, -1, 1);
    rng_fill_uniform(&r, w, nw, -1, 1);
    rng_fill_uniform(&r, b, (size_t)g->c_out, -1, 1);

    double best = 1e30, t_start = timer_now();
    int runs = 0;
    do {
        double t0 = timer_now();
        conv2d_forward(g, x, w, b, y);
        double dt = timer_now() - t0;
        if (dt < best)
            best = dt;
        runs++;
    } while (runs < 3 || timer_now() - t_start < min_seconds);
    free(x), free(w), free(b), free(y);
    return best;
}

static int write_dat(const char *path, double peak, const Row *rows, int n,
                     CnnError *e)
{
    AtomicFile af;
    if (atomic_open(&af, path, e))
        return -1;
    fprintf(af.fp, "# ./build.sh bench: best of repeated runs, one core\n"
                   "# name\tgflop\tseconds\tgflops\tfraction_of_peak\n");
    fprintf(af.fp, "peak\t0\t0\t%.3f\t1\n", peak);
    for (int i = 0; i < n; i++)
        fprintf(af.fp, "%s\t%.6f\t%.6f\t%.3f\t%.5f\n", rows[i].name,
                rows[i].gflop, rows[i].seconds, rows[i].gflops,
                rows[i].gflops / peak);
    return atomic_commit(&af, e);
}

int main(int argc, char **argv)
{
    cnn_set_progname("bench");
    if (argc != 2)
        cnn_die("usage: bench OUT.dat (./build.sh bench runs it for you)");

    /* LeNet-5's C3 (6 -> 16 channels, 5x5, 14x14 maps) on a batch of 64, and
     * VGG-16's conv3_2 (256 -> 256 channels, 3x3, padding 1, 56x56 maps). */
    const ConvCase cases[] = {
        {"lenet_c3", "LeNet-5 C3: batch 64, 6x14x14 -> 16x10x10, 5x5",
         {64, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1}},
        {"vgg16_conv3_2", "VGG-16 conv3_2: batch 1, 256x56x56 -> 256x56x56, 3x3 pad 1",
         {1, 256, 56, 56, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
    };
    const int n = (int)(sizeof cases / sizeof cases[0]);
    Row rows[sizeof cases / sizeof cases[0]];

    const char *isa;
    double peak = peak_gflops(0.5, &isa);
    printf("float32 peak of one core, measured: %.1f GFLOP/s (%s)\n\n", peak, isa);
    printf("%-62s %8s %10s %9s %8s\n", "chapter 01: direct conv2d_forward", "GFLOP",
           "best (s)", "GFLOP/s", "of peak");
    for (int i = 0; i < n; i++) {
        const Conv2dGeom *g = &cases[i].g;
        double s = time_conv2d(g, 1.0);
        double f = conv2d_flop(g) * 1e-9;
        rows[i] = (Row){cases[i].name, cases[i].what, f, s, f / s};
        printf("%-62s %8.3f %10.4f %9.2f %7.1f%%\n", cases[i].what, f, s, f / s,
               100.0 * f / s / peak);
        fflush(stdout);
    }

    CnnError e;
    if (write_dat(argv[1], peak, rows, n, &e))
        cnn_die("%s", e.msg);
    printf("\nwritten: %s\n", argv[1]);
    return 0;
}

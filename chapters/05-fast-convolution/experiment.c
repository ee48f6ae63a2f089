/* experiment.c: chapter 05's experiment. Run it with `./build.sh run 05`
 * (your code) or `./build.sh run 05 --reference`.
 *
 *   experiment OUTDIR
 *
 * (a) The GEMM ladder (lesson section 3): GFLOP/s of each step from the
 *     triple loop to the engine's threaded SIMD GEMM on one 512 x 512 x 512
 *     product, beside the machine's measured peak: ladder.dat; and the
 *     blocked and SIMD GEMMs against the size n: ladder_sizes.dat.
 * (b) Which algorithm for which kernel size (section 6): direct, im2col,
 *     FFT and Winograd on one layer as the kernel grows from 1x1 to 15x15:
 *     crossover.dat.
 * (c) Bounded memory (section 5): the im2col path's time against the
 *     budget of its column buffers, on a 112 x 112 layer whose untiled
 *     columns take 29 MB: tile_budget.dat.
 * (d) Numerical error of Winograd, FFT and int8 (sections 7-9):
 *     winograd_error.dat, fft_error.dat, int8_error.dat, int8_spread.dat.
 * machine.txt names the CPU, the SIMD path and the peak, for the figures.
 *
 * Inputs come from seeded generators; timings are the best of a few runs on
 * one thread unless a line says otherwise (they vary from run to run, the
 * ratios much less). Every file is written atomically. It takes a few
 * seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "fastconv.h"
#include "rng.h"
#include "timer.h"
#include "util.h"
#include "../../bench/peak.h"

/* ---- small helpers ---------------------------------------------------------- */

static float *random_floats(size_t n, uint64_t seed)
{
    float *v = xmalloc(n * sizeof *v);
    Rng r;
    rng_seed(&r, seed);
    rng_fill_uniform(&r, v, n, -1, 1);
    return v;
}

static int open_dat(AtomicFile *af, const char *dir, const char *name,
                    CnnError *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return atomic_open(af, path, e);
}

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            snprintf(buf, len, "%s", strchr(line, ':') + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    fclose(f);
}

/* ---- (a) the GEMM ladder ----------------------------------------------------------- */

/* Two steps of the ladder that are not exercises, written here to be
 * measured: the reordered loops cut into cache blocks without packing, and
 * packing with a micro-kernel that keeps its tile in memory instead of in
 * registers. Both compute C = A B for row-major n x n matrices. */

/* >>> tiled */
static void gemm_tiled_unpacked(int n, const float *A, const float *B, float *C)
{
    memset(C, 0, (size_t)n * n * sizeof *C);
    for (int jc = 0; jc < n; jc += GEMM_NC)
        for (int pc = 0; pc < n; pc += GEMM_KC)
            for (int ic = 0; ic < n; ic += GEMM_MC)
                for (int i = ic; i < ic + GEMM_MC && i < n; i++)
                    for (int p = pc; p < pc + GEMM_KC && p < n; p++) {
                        const float a = A[(size_t)i * n + p];
                        const float *b = B + (size_t)p * n;
                        float *c = C + (size_t)i * n;
                        for (int j = jc; j < jc + GEMM_NC && j < n; j++)
                            c[j] += a * b[j];
                    }
}
/* <<< tiled */

/* The micro-kernel's loops with the tile read and written in C's memory at
 * every step: what the register tile of gemm_micro_kernel saves. */
static void kernel_in_memory(int kc, const float *pa, const float *pb, int m,
                             int nn, float *C, int ldc)
{
    for (int p = 0; p < kc; p++, pa += GEMM_MR, pb += GEMM_NR)
        for (int r = 0; r < m; r++)
            for (int c = 0; c < nn; c++)
                C[(size_t)r * ldc + c] += pa[r] * pb[c];
}

static void gemm_packed_memory_kernel(int n, const float *A, const float *B,
                                      float *C, float *ws)
{
    float *pa = ws, *pb = ws + (size_t)GEMM_MC * GEMM_KC;
    memset(C, 0, (size_t)n * n * sizeof *C);
    for (int jc = 0; jc < n; jc += GEMM_NC) {
        const int nc = n - jc < GEMM_NC ? n - jc : GEMM_NC;
        for (int pc = 0; pc < n; pc += GEMM_KC) {
            const int kc = n - pc < GEMM_KC ? n - pc : GEMM_KC;
            gemm_pack_b(GEMM_N, kc, nc, B + (size_t)pc * n + jc, n, GEMM_NR, pb);
            for (int ic = 0; ic < n; ic += GEMM_MC) {
                const int mc = n - ic < GEMM_MC ? n - ic : GEMM_MC;
                gemm_pack_a(GEMM_N, mc, kc, A + (size_t)ic * n + pc, n, GEMM_MR, pa);
                for (int jr = 0; jr < nc; jr += GEMM_NR)
                    for (int ir = 0; ir < mc; ir += GEMM_MR)
                        kernel_in_memory(kc, pa + (size_t)ir * kc, pb + (size_t)jr * kc,
                                         mc - ir < GEMM_MR ? mc - ir : GEMM_MR,
                                         nc - jr < GEMM_NR ? nc - jr : GEMM_NR,
                                         C + (size_t)(ic + ir) * n + jc + jr, n);
            }
        }
    }
}

enum { R_NAIVE, R_IKJ, R_TILED, R_PACKED, R_BLOCKED, R_SIMD, R_SIMD2, N_RUNGS };

static const char *const rung_label[N_RUNGS] = {
    "triple loop i,j,p (gemm_naive)",
    "loops reordered i,p,j (gemm_ikj)",
    "+ cache blocks, no packing",
    "+ packing, tile kept in memory",
    "+ 4x8 register tile (gemm_blocked)",
    "+ SIMD micro-kernel (gemm_isa)",
    "+ 2 threads",
};

/* Seconds of one run of rung r on n x n x n. */
static double run_rung(int r, int n, const float *A, const float *B, float *C,
                       void *ws, size_t ws_bytes)
{
    double t0 = timer_now();
    switch (r) {
    case R_NAIVE: gemm_naive(GEMM_N, GEMM_N, n, n, n, A, n, B, n, 0.0f, C, n); break;
    case R_IKJ: gemm_ikj(GEMM_N, GEMM_N, n, n, n, A, n, B, n, 0.0f, C, n); break;
    case R_TILED: gemm_tiled_unpacked(n, A, B, C); break;
    case R_PACKED: gemm_packed_memory_kernel(n, A, B, C, ws); break;
    case R_BLOCKED: gemm_blocked(GEMM_N, GEMM_N, n, n, n, A, n, B, n, 0.0f, C, n, ws); break;
    case R_SIMD:
    case R_SIMD2:
        fastconv_set_threads(r == R_SIMD ? 1 : 2);
        gemm_isa(simd_cpu_isa(), GEMM_N, GEMM_N, n, n, n, A, n, B, n, 0.0f, C,
                 n, ws, ws_bytes);
        fastconv_set_threads(1);
        break;
    }
    return timer_now() - t0;
}

/* Best of up to `tries` runs, stopping early once a quarter second is spent. */
static double best_time(int r, int n, const float *A, const float *B, float *C,
                        void *ws, size_t ws_bytes, int tries)
{
    double best = 1e30, spent = 0;
    for (int k = 0; k < tries && (k == 0 || spent < 0.25); k++) {
        double t = run_rung(r, n, A, B, C, ws, ws_bytes);
        best = t < best ? t : best;
        spent += t;
    }
    return best;
}

static int ladder(const char *dir, double peak, CnnError *e)
{
    const int n = 512;
    const size_t nn = (size_t)n * n;
    float *A = random_floats(nn, 1), *B = random_floats(nn, 2);
    float *C = xmalloc(nn * sizeof *C);
    size_t ws_bytes = gemm_workspace_bytes(2);
    if (ws_bytes < GEMM_BLOCKED_WS_FLOATS * sizeof(float))
        ws_bytes = GEMM_BLOCKED_WS_FLOATS * sizeof(float);
    void *ws = conv2d_workspace_alloc(ws_bytes);
    AtomicFile af;
    if (open_dat(&af, dir, "ladder.dat", e))
        return -1;
    fprintf(af.fp, "# the GEMM ladder: C = A B, n = %d, float32; best of a few "
                   "runs\n# rung gflops seconds \"label\"\n", n);
    printf("(a) the GEMM ladder, n = %d (peak %.0f GFLOP/s per core)\n", n, peak);
    for (int r = 0; r < N_RUNGS; r++) {
        const double s = best_time(r, n, A, B, C, ws, ws_bytes, r <= R_IKJ ? 1 : 3);
        const double gf = 2.0 * n * n * (double)n / s * 1e-9;
        fprintf(af.fp, "%d %.3f %.6f \"%s\"\n", r, gf, s, rung_label[r]);
        printf("    %-40s %7.1f GFLOP/s\n", rung_label[r], gf);
    }
    fprintf(af.fp, "# peak_one_core %.2f\n", peak);
    free(A), free(B), free(C), free(ws);
    return atomic_commit(&af, e);
}

static int ladder_sizes(const char *dir, CnnError *e)
{
    static const int sizes[] = {32, 64, 96, 128, 192, 256, 384, 512, 768, 1024};
    const int nsizes = (int)(sizeof sizes / sizeof sizes[0]);
    const size_t max = 1024 * 1024;
    float *A = random_floats(max, 3), *B = random_floats(max, 4);
    float *C = xmalloc(max * sizeof *C);
    size_t ws_bytes = gemm_workspace_bytes(2);
    if (ws_bytes < GEMM_BLOCKED_WS_FLOATS * sizeof(float))
        ws_bytes = GEMM_BLOCKED_WS_FLOATS * sizeof(float);
    void *ws = conv2d_workspace_alloc(ws_bytes);
    AtomicFile af;
    if (open_dat(&af, dir, "ladder_sizes.dat", e))
        return -1;
    fprintf(af.fp, "# GFLOP/s against n (square): gemm_blocked, gemm_isa on 1 "
                   "and 2 threads\n# n blocked simd simd2\n");
    for (int k = 0; k < nsizes; k++) {
        const int n = sizes[k];
        const double f = 2.0 * n * n * (double)n * 1e-9;
        fprintf(af.fp, "%d %.3f %.3f %.3f\n", n,
                f / best_time(R_BLOCKED, n, A, B, C, ws, ws_bytes, 3),
                f / best_time(R_SIMD, n, A, B, C, ws, ws_bytes, 5),
                f / best_time(R_SIMD2, n, A, B, C, ws, ws_bytes, 5));
    }
    free(A), free(B), free(C), free(ws);
    return atomic_commit(&af, e);
}

/* ---- (b) crossover against the kernel size ----------------------------------------------- */

/* Best time of conv2d_forward_algo(algo) on g, or NAN when algo cannot. */
static double conv_time(const Conv2dGeom *g, ConvAlgo algo, const float *x,
                        const float *w, const float *b, float *y)
{
    if (conv2d_forward_unsupported(g, algo))
        return NAN;
    const size_t bytes = conv2d_workspace_bytes(g, algo);
    void *ws = conv2d_workspace_alloc(bytes);
    double best = 1e30, spent = 0;
    for (int k = 0; k < 5 && (k < 2 || spent < 0.1); k++) {
        double t0 = timer_now();
        conv2d_forward_algo(g, x, w, b, y, algo, ws, bytes);
        double t = timer_now() - t0;
        best = t < best ? t : best;
        spent += t;
    }
    free(ws);
    return best;
}

static int crossover(const char *dir, CnnError *e)
{
    AtomicFile af;
    if (open_dat(&af, dir, "crossover.dat", e))
        return -1;
    fprintf(af.fp, "# one layer N=1, 16 -> 16 channels, 64x64, k x k kernel, "
                   "padding (k-1)/2; milliseconds, best of a few runs, 1 thread\n"
                   "# k direct im2col fft winograd\n");
    printf("(b) crossover against the kernel size (ms)\n    %3s %9s %9s %9s %9s\n",
           "k", "direct", "im2col", "fft", "winograd");
    for (int k = 1; k <= 15; k += 2) {
        const Conv2dGeom g = {.n = 1, .c_in = 16, .h = 64, .w = 64, .c_out = 16,
                              .kh = k, .kw = k, .stride_h = 1, .stride_w = 1,
                              .pad_h = (k - 1) / 2, .pad_w = (k - 1) / 2,
                              .dil_h = 1, .dil_w = 1, .groups = 1};
        float *x = random_floats(16 * 64 * 64, 10), *w = random_floats((size_t)256 * k * k, 11);
        float *b = random_floats(16, 12), *y = xmalloc(16 * 64 * 64 * sizeof *y);
        const double t[4] = {conv_time(&g, CONV_ALGO_DIRECT, x, w, b, y),
                             conv_time(&g, CONV_ALGO_IM2COL, x, w, b, y),
                             conv_time(&g, CONV_ALGO_FFT, x, w, b, y),
                             conv_time(&g, CONV_ALGO_WINOGRAD, x, w, b, y)};
        fprintf(af.fp, "%d %.4f %.4f %.4f %.4f\n", k, t[0] * 1e3, t[1] * 1e3,
                t[2] * 1e3, t[3] * 1e3);
        printf("    %3d %9.3f %9.3f %9.3f %9.3f\n", k, t[0] * 1e3, t[1] * 1e3,
               t[2] * 1e3, t[3] * 1e3);
        free(x), free(w), free(b), free(y);
    }
    return atomic_commit(&af, e);
}

/* ---- (c) bounded memory: time against the column budget ------------------------------------ */

static int tile_budget(const char *dir, CnnError *e)
{
    const Conv2dGeom g = {.n = 1, .c_in = 64, .h = 112, .w = 112, .c_out = 64,
                          .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
                          .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1,
                          .groups = 1};
    const size_t nx = (size_t)64 * 112 * 112, nw = (size_t)64 * 64 * 9;
    float *x = random_floats(nx, 20), *w = random_floats(nw, 21);
    float *b = random_floats(64, 22), *y = xmalloc(nx * sizeof *y);
    AtomicFile af;
    if (open_dat(&af, dir, "tile_budget.dat", e))
        return -1;
    const double untiled = (double)im2col_rows(&g) * im2col_pixels(&g) * sizeof(float);
    fprintf(af.fp, "# im2col forward, N=1, 64 -> 64, 112x112, 3x3 pad 1, 1 thread; "
                   "untiled columns: %.0f bytes\n"
                   "# budget_bytes tile_pixels workspace_bytes ms gflops\n", untiled);
    printf("(c) im2col time against the column budget (untiled: %.1f MiB)\n",
           untiled / 1048576);
    for (size_t budget = (size_t)32 << 10; budget <= (size_t)32 << 20; budget *= 2) {
        const size_t bytes = im2col_workspace_bytes(&g, 1, budget);
        void *ws = conv2d_workspace_alloc(bytes);
        const Im2colPlan pl = im2col_plan(&g, ws, bytes);
        double best = 1e30;
        for (int k = 0; k < 3; k++) {
            double t0 = timer_now();
            conv2d_forward_im2col(&g, x, w, b, y, ws, bytes);
            double t = timer_now() - t0;
            best = t < best ? t : best;
        }
        const double gf = 2.0 * 64 * 12544 * 576 / best * 1e-9;
        fprintf(af.fp, "%zu %zu %zu %.4f %.2f\n", budget, pl.tile, bytes,
                best * 1e3, gf);
        printf("    budget %8zu KiB: tile %5zu pixels, %7.2f ms, %6.1f GFLOP/s\n",
               budget >> 10, pl.tile, best * 1e3, gf);
        free(ws);
    }
    free(x), free(w), free(b), free(y);
    return atomic_commit(&af, e);
}

/* ---- (d) numerical error of Winograd, FFT and int8 ------------------------------------------ */

/* (d) The errors of Winograd F(2x2) and F(4x4), of the FFT and of int8
 * inference against double-precision references (sections 7-9). Writes
 * winograd_error.dat, int8_error.dat, int8_spread.dat and fft_error.dat;
 * the columns are in each file's first comment. */

/* ---- helpers ------------------------------------------------------------- */

/* The layer of eq. (1.6) in double (stride, padding, dilation, groups). */
static void b_conv_ref(const Conv2dGeom *g, const float *x, const float *w,
                       const float *b, double *y)
{
    const int OH = conv2d_out_h(g), OW = conv2d_out_w(g);
    const int cg = g->c_in / g->groups, og = g->c_out / g->groups;
    size_t yi = 0;
    for (int n = 0; n < g->n; n++)
        for (int o = 0; o < g->c_out; o++)
            for (int i = 0; i < OH; i++)
                for (int j = 0; j < OW; j++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < cg; c++)
                        for (int u = 0; u < g->kh; u++)
                            for (int v = 0; v < g->kw; v++) {
                                const int r = i * g->stride_h - g->pad_h + u * g->dil_h;
                                const int q = j * g->stride_w - g->pad_w + v * g->dil_w;
                                if (r < 0 || r >= g->h || q < 0 || q >= g->w)
                                    continue;
                                s += (double)x[(((size_t)n * g->c_in + (o / og) * cg + c) * g->h + r) * g->w + q] *
                                     w[(((size_t)o * cg + c) * g->kh + u) * g->kw + v];
                            }
                    y[yi++] = s;
                }
}

/* The tests' measure: max_i |got - ref| / max(|ref_i|, 0.01 max|ref|). */
static double b_err_max(const float *got, const double *ref, size_t n)
{
    double mx = 0.0, e = 0.0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(ref[i]));
    for (size_t i = 0; i < n; i++)
        e = fmax(e, fabs(got[i] - ref[i]) / fmax(fabs(ref[i]), 0.01 * mx));
    return e;
}

/* ||got - ref|| / ||ref||. */
static double b_err_rms(const float *got, const double *ref, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        num += (got[i] - ref[i]) * (got[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return den > 0 ? sqrt(num / den) : 0.0;
}

/* ---- Winograd: error against K ---------------------------------------------- */

static int b_winograd_error(const char *outdir, CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, outdir, "winograd_error.dat", e))
        return -1;
    fprintf(af.fp, "# Winograd vs im2col: error against a double-precision sum, "
                   "N=1 16x16 c_out=8 3x3 pad 1, U(-1,1) data\n"
                   "# c_in K err_im2col err_f2 err_f4 rms_im2col rms_f2 rms_f4\n");
    for (int c_in = 1; c_in <= 256; c_in *= 2) {
        const Conv2dGeom g = {.n = 1, .c_in = c_in, .h = 16, .w = 16, .c_out = 8,
                              .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
                              .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1,
                              .groups = 1};
        const size_t nx = (size_t)c_in * 256, nw = (size_t)8 * c_in * 9, ny = 8 * 256;
        Rng r;
        rng_seed(&r, 7);
        float *x = xmalloc(nx * sizeof *x), *w = xmalloc(nw * sizeof *w);
        rng_fill_uniform(&r, x, nx, -1.0f, 1.0f);
        rng_fill_uniform(&r, w, nw, -1.0f, 1.0f);
        float *y[3];
        double *ref = xmalloc(ny * sizeof *ref);
        b_conv_ref(&g, x, w, NULL, ref);
        const ConvAlgo algos[3] = {CONV_ALGO_IM2COL, CONV_ALGO_WINOGRAD, CONV_ALGO_WINOGRAD4};
        double em[3], er[3];
        for (int a = 0; a < 3; a++) {
            const size_t bytes = conv2d_workspace_bytes(&g, algos[a]);
            void *ws = conv2d_workspace_alloc(bytes);
            y[a] = xmalloc(ny * sizeof(float));
            if (conv2d_forward_algo(&g, x, w, NULL, y[a], algos[a], ws, bytes))
                cnn_die("winograd_error: %s refused a 3x3 stride-1 layer",
                        conv_algo_name(algos[a]));
            em[a] = b_err_max(y[a], ref, ny);
            er[a] = b_err_rms(y[a], ref, ny);
            free(ws);
            free(y[a]);
        }
        fprintf(af.fp, "%d %d %.4e %.4e %.4e %.4e %.4e %.4e\n", c_in, 9 * c_in,
                em[0], em[1], em[2], er[0], er[1], er[2]);
        free(x);
        free(w);
        free(ref);
    }
    return atomic_commit(&af, e);
}

/* ---- int8: error of the bench layers ------------------------------------------ */

/* Quantizes x (scale from max|x|) and w (per output channel, or one scale
 * for the whole tensor), runs conv2d_forward_int8, and returns y8. */
static void b_int8_run(const Conv2dGeom *g, const float *x, const float *w,
                       int per_tensor, float *y8, double *pred)
{
    const size_t nx = (size_t)g->n * g->c_in * g->h * g->w;
    const size_t per = (size_t)(g->c_in / g->groups) * g->kh * g->kw;
    const size_t nw = (size_t)g->c_out * per;
    int8_t *xq = xmalloc(nx), *wq = xmalloc(nw);
    float *ws_ = xmalloc((size_t)g->c_out * sizeof *ws_);
    const float xs = quant_scale(x, nx);
    quantize_int8(x, nx, xs, xq);
    if (per_tensor) {
        const float s = quant_scale(w, nw);
        for (int o = 0; o < g->c_out; o++)
            ws_[o] = s;
        quantize_int8(w, nw, s, wq);
    } else {
        quantize_weights_int8(g, w, wq, ws_);
    }
    void *ws = conv2d_workspace_alloc(int8_conv_workspace_bytes(g));
    conv2d_forward_int8(g, xq, xs, wq, ws_, NULL, y8, ws);
    if (pred) {
        /* eq. (5.47): rounding errors uniform in +-s/2 (variance s^2/12), so
         * the relative rms error of y is
         *   sqrt((s_x^2 / E[x^2] + mean_o s_w[o]^2 / E[w_o^2]) / 12). */
        double ex2 = 0.0, wterm = 0.0;
        for (size_t i = 0; i < nx; i++)
            ex2 += (double)x[i] * x[i] / nx;
        for (int o = 0; o < g->c_out; o++) {
            double ew2 = 0.0;
            for (size_t k = 0; k < per; k++)
                ew2 += (double)w[o * per + k] * w[o * per + k] / per;
            wterm += (double)ws_[o] * ws_[o] / ew2 / g->c_out;
        }
        *pred = sqrt(((double)xs * xs / ex2 + wterm) / 12.0);
    }
    free(ws);
    free(xq);
    free(wq);
    free(ws_);
}

static int b_int8_error(const char *outdir, CnnError *e)
{
    static const struct {
        const char *name;
        int c_in, hw, c_out, k, pad;
    } layers[] = {
        {"LeNet-conv1", 1, 28, 6, 5, 2},   {"LeNet-conv2", 6, 14, 16, 5, 0},
        {"VGG-64@32", 64, 32, 64, 3, 1},   {"VGG-128@16", 128, 16, 128, 3, 1},
        {"VGG-256@8", 256, 8, 256, 3, 1},
    };
    AtomicFile af;
    if (atomic_open_in(&af, outdir, "int8_error.dat", e))
        return -1;
    fprintf(af.fp, "# int8 vs fp32 (double reference), N=1, x ~ U[0,1), w ~ N(0, 2/fan_in)\n"
                   "# idx name K rel_err_max rel_err_rms rms_per_tensor predicted_rms\n");
    for (int l = 0; l < (int)(sizeof layers / sizeof layers[0]); l++) {
        const Conv2dGeom g = {.n = 1, .c_in = layers[l].c_in, .h = layers[l].hw,
                              .w = layers[l].hw, .c_out = layers[l].c_out,
                              .kh = layers[l].k, .kw = layers[l].k, .stride_h = 1,
                              .stride_w = 1, .pad_h = layers[l].pad,
                              .pad_w = layers[l].pad, .dil_h = 1, .dil_w = 1,
                              .groups = 1};
        const int K = g.c_in * g.kh * g.kw;
        const size_t nx = (size_t)g.c_in * g.h * g.w, nw = (size_t)g.c_out * K;
        const size_t ny = (size_t)g.c_out * conv2d_out_h(&g) * conv2d_out_w(&g);
        Rng r;
        rng_seed(&r, 100 + l);
        float *x = xmalloc(nx * sizeof *x), *w = xmalloc(nw * sizeof *w);
        float *y8 = xmalloc(ny * sizeof *y8);
        double *ref = xmalloc(ny * sizeof *ref), pred;
        rng_fill_uniform(&r, x, nx, 0.0f, 1.0f);
        rng_fill_normal(&r, w, nw, 0.0f, (float)sqrt(2.0 / K));
        b_conv_ref(&g, x, w, NULL, ref);
        b_int8_run(&g, x, w, 0, y8, &pred);
        double mx = 0.0, emax = 0.0;
        for (size_t i = 0; i < ny; i++) {
            mx = fmax(mx, fabs(ref[i]));
            emax = fmax(emax, fabs(y8[i] - ref[i]));
        }
        const double rms = b_err_rms(y8, ref, ny);
        b_int8_run(&g, x, w, 1, y8, NULL);
        fprintf(af.fp, "%d %s %d %.4e %.4e %.4e %.4e\n", l, layers[l].name, K,
                emax / mx, rms, b_err_rms(y8, ref, ny), pred);
        free(x);
        free(w);
        free(y8);
        free(ref);
    }
    return atomic_commit(&af, e);
}

/* ---- int8: per-channel against per-tensor weight scales ------------------------ */

static int b_int8_spread(const char *outdir, CnnError *e)
{
    static const double spreads[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    const Conv2dGeom g = {.n = 1, .c_in = 64, .h = 16, .w = 16, .c_out = 64,
                          .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
                          .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1,
                          .groups = 1};
    const size_t per = 64 * 9, nx = 64 * 256, nw = 64 * per, plane = 256;
    AtomicFile af;
    if (atomic_open_in(&af, outdir, "int8_spread.dat", e))
        return -1;
    fprintf(af.fp, "# int8 weights: one scale per output channel vs one per tensor;\n"
                   "# channel o's weights scaled by spread^(o/63); 64->64 16x16 3x3 pad 1\n"
                   "# spread rms_per_channel rms_per_tensor (mean over channels of the relative rms error)\n");
    Rng r;
    rng_seed(&r, 300);
    float *x = xmalloc(nx * sizeof *x), *w0 = xmalloc(nw * sizeof *w0);
    float *w = xmalloc(nw * sizeof *w), *y8 = xmalloc(64 * plane * sizeof *y8);
    double *ref = xmalloc(64 * plane * sizeof *ref);
    rng_fill_uniform(&r, x, nx, 0.0f, 1.0f);
    rng_fill_normal(&r, w0, nw, 0.0f, (float)sqrt(2.0 / per));
    for (int s = 0; s < (int)(sizeof spreads / sizeof spreads[0]); s++) {
        for (int o = 0; o < 64; o++)
            for (size_t k = 0; k < per; k++)
                w[o * per + k] = w0[o * per + k] * (float)pow(spreads[s], o / 63.0);
        b_conv_ref(&g, x, w, NULL, ref);
        double err[2];
        for (int pt = 0; pt < 2; pt++) {
            b_int8_run(&g, x, w, pt, y8, NULL);
            err[pt] = 0.0;
            for (int o = 0; o < 64; o++)
                err[pt] += b_err_rms(y8 + o * plane, ref + o * plane, plane) / 64;
        }
        fprintf(af.fp, "%g %.4e %.4e\n", spreads[s], err[0], err[1]);
    }
    free(x);
    free(w0);
    free(w);
    free(y8);
    free(ref);
    return atomic_commit(&af, e);
}

/* ---- FFT: accuracy against n ----------------------------------------------------- */

static int b_fft_error(const char *outdir, CnnError *e)
{
    AtomicFile af;
    if (atomic_open_in(&af, outdir, "fft_error.dat", e))
        return -1;
    fprintf(af.fp, "# fft_radix2 vs the DFT in double, x ~ U(-1,1) complex; errors relative to rms|X|\n"
                   "# n log2n err_fwd_max err_fwd_rms err_roundtrip_max\n");
    const int nmax = 4096;
    float *re = xmalloc(nmax * sizeof *re), *im = xmalloc(nmax * sizeof *im);
    double *xr = xmalloc(nmax * sizeof *xr), *xi = xmalloc(nmax * sizeof *xi);
    double *cr = xmalloc(nmax * sizeof *cr), *ci = xmalloc(nmax * sizeof *ci);
    Rng r;
    rng_seed(&r, 11);
    for (int n = 2, lg = 1; n <= nmax; n *= 2, lg++) {
        rng_fill_uniform(&r, re, (size_t)n, -1.0f, 1.0f);
        rng_fill_uniform(&r, im, (size_t)n, -1.0f, 1.0f);
        for (int j = 0; j < n; j++) {
            xr[j] = re[j];
            xi[j] = im[j];
            cr[j] = cos(2.0 * 3.14159265358979323846 * j / n); /* e^{-2 pi i j/n} */
            ci[j] = -sin(2.0 * 3.14159265358979323846 * j / n);
        }
        fft_radix2(re, im, n, 0);
        double emax = 0.0, esum = 0.0, xsum = 0.0;
        for (int k = 0; k < n; k++) {
            double sr = 0.0, si = 0.0; /* the DFT, twiddle index jk mod n */
            for (int j = 0; j < n; j++) {
                const int t = (int)((long)j * k % n);
                sr += xr[j] * cr[t] - xi[j] * ci[t];
                si += xr[j] * ci[t] + xi[j] * cr[t];
            }
            const double d = hypot(re[k] - sr, im[k] - si);
            emax = fmax(emax, d);
            esum += d * d;
            xsum += sr * sr + si * si;
        }
        const double xrms = sqrt(xsum / n);
        fft_radix2(re, im, n, 1);
        double rt = 0.0, x0 = 0.0;
        for (int j = 0; j < n; j++) {
            rt = fmax(rt, hypot(re[j] - xr[j], im[j] - xi[j]));
            x0 = fmax(x0, hypot(xr[j], xi[j]));
        }
        fprintf(af.fp, "%d %d %.4e %.4e %.4e\n", n, lg, emax / xrms,
                sqrt(esum / n) / xrms, rt / x0);
    }
    free(re); free(im); free(xr); free(xi); free(cr); free(ci);
    return atomic_commit(&af, e);
}

/* B's part of the experiment: four .dat files in outdir. */
static int b_experiment(const char *outdir, CnnError *e)
{
    if (b_winograd_error(outdir, e) || b_int8_error(outdir, e) ||
        b_int8_spread(outdir, e) || b_fft_error(outdir, e))
        return -1;
    return 0;
}

/* ---- main -------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    cnn_set_progname("experiment");
    if (argc != 2)
        cnn_die("usage: experiment OUTDIR (./build.sh run 05 runs it for you)");
    CnnError e;
    if (cnn_make_dirs(argv[1], &e))
        cnn_die("%s", e.msg);
    fastconv_set_threads(1);

    char cpu[256], engine[256];
    cpu_model(cpu, sizeof cpu);
    const char *isa;
    const double peak = peak_gflops(0.3, &isa);
    printf("%s; %s\n", cpu, fastconv_describe(engine, sizeof engine));
    AtomicFile af;
    if (open_dat(&af, argv[1], "machine.txt", &e))
        cnn_die("%s", e.msg);
    fprintf(af.fp, "%s, %s, peak %.0f GFLOP/s per core\n", cpu,
            simd_isa_name(simd_cpu_isa()), peak);
    if (atomic_commit(&af, &e))
        cnn_die("%s", e.msg);

    if (ladder(argv[1], peak, &e) || ladder_sizes(argv[1], &e) ||
        crossover(argv[1], &e) || tile_budget(argv[1], &e) ||
        b_experiment(argv[1], &e))
        cnn_die("%s", e.msg);
    printf("data: %s\n", argv[1]);
    return 0;
}

/* bench.c: `./build.sh bench`, the measured speed of the course's code.
 *
 *   bench OUT.dat
 *
 * What it measures, in one run on one machine, so that every figure can be
 * read against the others (absolute numbers do not carry over between
 * machines, or between days on a shared host; ratios do):
 *
 *   - the machine: CPU model, the SIMD path the engine runs, the measured
 *     float32 peak of one core (bench/peak.c);
 *   - GEMM: the engine's gemm (chapter 05) against OpenBLAS's sgemm on
 *     square matrices 256 .. 2048, on 1 and 2 threads;
 *   - convolution layers (LeNet, VGG-style, ImageNet-sized): every algorithm
 *     of chapter 05 forward, int8 inference, the engine's AUTO forward and
 *     forward + backward, PyTorch's conv2d forward and forward + backward,
 *     and OpenBLAS's sgemm on the GEMM an im2col path would run, on 1 and 2
 *     threads; each algorithm's workspace and the peak resident memory of a
 *     process that runs it;
 *   - the chapter's performance goals, met or missed, with the numbers.
 *
 * Timings are medians of interleaved repetitions: each round runs every
 * method once, so a slow moment of a shared machine hits all of them alike.
 * OpenBLAS is loaded at run time (dlopen) and PyTorch runs in a helper
 * process (bench/torch_bench.py) answering timing requests; each is
 * optional, and the table says when one is missing. Everything printed also
 * goes to OUT.dat (conv layers) and OUT_gemm.dat, which
 * plots/05-fast-convolution/bench.gp draws. Timings never enter the tests.
 *
 * A quick look at a few shapes (the figures need the whole run):
 *   BENCH_LAYERS=lenet_conv1,vgg_64   only these layers (names of make_layers)
 *   BENCH_METHODS=auto,torch,auto_train,torch_train   only these methods
 *   BENCH_THREADS=1                   only this thread count (1 or 2)
 *   BENCH_GEMM=0  BENCH_MEMORY=0      skip the square GEMMs, the memory table
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "01-convolution/conv.h"
#include "05-fast-convolution/fastconv.h"
#include "peak.h"
#include "rng.h"
#include "timer.h"
#include "util.h"

/* ---- the layers ---------------------------------------------------------------- */

typedef struct {
    const char *name;  /* one word, for the .dat file */
    const char *what;  /* for the table */
    Conv2dGeom g;
} Layer;

static Conv2dGeom square_layer(int n, int c_in, int hw, int c_out, int k, int pad)
{
    return (Conv2dGeom){.n = n, .c_in = c_in, .h = hw, .w = hw, .c_out = c_out,
                        .kh = k, .kw = k, .stride_h = 1, .stride_w = 1,
                        .pad_h = pad, .pad_w = pad, .dil_h = 1, .dil_w = 1,
                        .groups = 1};
}

#define N_LAYERS 6

static Layer layers[N_LAYERS];

static void make_layers(void)
{
    layers[0] = (Layer){"lenet_conv1", "LeNet conv1  N=64  1->6   28x28 5x5 p2",
                        square_layer(64, 1, 28, 6, 5, 2)};
    layers[1] = (Layer){"lenet_conv2", "LeNet conv2  N=64  6->16  14x14 5x5",
                        square_layer(64, 6, 14, 16, 5, 0)};
    layers[2] = (Layer){"vgg_64", "VGG 64       N=32  64->64 32x32 3x3 p1",
                        square_layer(32, 64, 32, 64, 3, 1)};
    layers[3] = (Layer){"vgg_128", "VGG 128      N=32 128->128 16x16 3x3 p1",
                        square_layer(32, 128, 16, 128, 3, 1)};
    layers[4] = (Layer){"vgg_256", "VGG 256      N=32 256->256 8x8 3x3 p1",
                        square_layer(32, 256, 8, 256, 3, 1)};
    layers[5] = (Layer){"imagenet_64", "ImageNet     N=1  64->64 224x224 3x3 p1",
                        square_layer(1, 64, 224, 64, 3, 1)};
}

/* Whether word is one of the comma-separated words of environment variable
 * var; every word is when var is unset or empty. */
static int env_selects(const char *var, const char *word)
{
    const char *list = getenv(var);
    if (!list || !*list)
        return 1;
    const size_t n = strlen(word);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Environment variable var as a switch: 0 when it says "0", else 1. */
static int env_on(const char *var)
{
    const char *v = getenv(var);
    return !(v && strcmp(v, "0") == 0);
}

static int thread_selected(int t)
{
    return env_selects("BENCH_THREADS", t == 1 ? "1" : "2");
}

/* Multiply-adds of direct convolution, chapter 01's eq. (1.11), times 2:
 * the work every method is credited with, so GFLOP/s compare times. */
static double conv_flop(const Conv2dGeom *g)
{
    return 2.0 * g->n * g->c_out * conv2d_out_h(g) * conv2d_out_w(g) *
           (g->c_in / g->groups) * g->kh * g->kw;
}

/* ---- the methods ------------------------------------------------------------------ */

typedef enum {
    M_DIRECT, M_IM2COL, M_WINOGRAD, M_WINOGRAD4, M_FFT, M_INT8, M_AUTO,
    M_TORCH, M_SGEMM, M_GEMM, M_AUTO_TRAIN, M_TORCH_TRAIN, N_METHODS
} Method;

static const char *const method_name[N_METHODS] = {
    "direct", "im2col", "winograd", "winograd4", "fft", "int8", "auto",
    "torch", "openblas_gemm", "own_gemm", "auto_train", "torch_train"};

/* The engine's algorithm behind a method, or -1. */
static int method_algo(Method m)
{
    switch (m) {
    case M_DIRECT: return CONV_ALGO_DIRECT;
    case M_IM2COL: return CONV_ALGO_IM2COL;
    case M_WINOGRAD: return CONV_ALGO_WINOGRAD;
    case M_WINOGRAD4: return CONV_ALGO_WINOGRAD4;
    case M_FFT: return CONV_ALGO_FFT;
    case M_AUTO:
    case M_AUTO_TRAIN: return CONV_ALGO_AUTO;
    default: return -1;
    }
}

/* ---- OpenBLAS, loaded if it is there ------------------------------------------------ */

typedef void (*SgemmFn)(int order, int ta, int tb, int m, int n, int k,
                        float alpha, const float *a, int lda, const float *b,
                        int ldb, float beta, float *c, int ldc);
typedef void (*SetThreadsFn)(int);
typedef char *(*StrFn)(void);

static struct {
    SgemmFn sgemm;
    SetThreadsFn set_threads;
    char about[256];
} blas;

static void *sym(void *h, const char *name)
{
    void *p = dlsym(h, name), *fn = NULL;
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

/* The core OpenBLAS picks for this CPU, found by loading it in a child
 * process (its choice is made once, when it is loaded). */
static void probe_openblas_core(char *core, size_t len)
{
    int fd[2];
    core[0] = '\0';
    if (pipe(fd) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
        StrFn name = NULL;
        if (h) {
            void *fn = sym(h, "openblas_get_corename");
            memcpy(&name, &fn, sizeof name);
        }
        if (name) {
            const char *s = name();
            if (write(fd[1], s, strlen(s)) < 0)
                _exit(1);
        }
        _exit(0);
    }
    close(fd[1]);
    ssize_t n = pid > 0 ? read(fd[0], core, len - 1) : -1;
    core[n > 0 ? n : 0] = '\0';
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

static void load_openblas(void)
{
    char core[64], forced[96] = "";
    probe_openblas_core(core, sizeof core);
    /* OpenBLAS 0.3.21 falls back to its Prescott (SSE3) kernels on CPUs it
     * does not know, which would make it look several times slower than it
     * is; name the kernels this CPU can run instead, unless the user did. */
    if (strcmp(core, "Prescott") == 0 && !getenv("OPENBLAS_CORETYPE")) {
        const char *want = simd_cpu_isa() == SIMD_AVX512 ? "SkylakeX"
                           : simd_cpu_isa() == SIMD_AVX2 ? "Haswell" : NULL;
        if (want) {
            setenv("OPENBLAS_CORETYPE", want, 1);
            snprintf(forced, sizeof forced, ", forced: it picks Prescott (SSE3) "
                     "on this CPU");
        }
    }
    /* Its idle threads spin for 2^28 cycles by default, stealing a core from
     * whatever runs next; 2^4 makes them sleep at once. */
    if (!getenv("OPENBLAS_THREAD_TIMEOUT"))
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        h = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    void *fn = h ? sym(h, "cblas_sgemm") : NULL;
    if (!fn) {
        snprintf(blas.about, sizeof blas.about,
                 "not found (install Debian's libopenblas-dev, or run "
                 "'./build.sh setup --optional', to compare with it)");
        return;
    }
    memcpy(&blas.sgemm, &fn, sizeof fn);
    fn = sym(h, "openblas_set_num_threads");
    memcpy(&blas.set_threads, &fn, sizeof fn);
    StrFn config = NULL, corename = NULL;
    fn = sym(h, "openblas_get_config");
    memcpy(&config, &fn, sizeof fn);
    fn = sym(h, "openblas_get_corename");
    memcpy(&corename, &fn, sizeof fn);
    /* "OpenBLAS 0.3.21 NO_LAPACKE ...": its first two words */
    char version[64];
    snprintf(version, sizeof version, "%s", config ? config() : "OpenBLAS ?");
    char *sp = strchr(version, ' ');
    if (sp) sp[strcspn(sp + 1, " ") + 1] = '\0';
    snprintf(blas.about, sizeof blas.about, "%s, %s kernels%s", version,
             corename ? corename() : "?", forced);
}

/* ---- PyTorch, in a helper process -------------------------------------------------- */

static struct {
    FILE *to, *from;
    pid_t pid;
    char about[256];
} torch;

static const char *torch_python(void)
{
    static const char *const candidates[] = {"/usr/bin/python3", "python3"};
    const char *env = getenv("CNN_PYTHON");
    if (env && *env)
        return env;
    for (int k = 0; k < 2; k++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import torch' >/dev/null 2>&1",
                 candidates[k]);
        if (system(cmd) == 0)
            return candidates[k];
    }
    return NULL;
}

static void start_torch(void)
{
    const char *py = torch_python();
    if (!py) {
        snprintf(torch.about, sizeof torch.about,
                 "not found (install python3-torch, or run './build.sh setup "
                 "--optional', to compare with it)");
        return;
    }
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        cnn_die("cannot create a pipe to PyTorch's helper (%s)", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        cnn_die("cannot start PyTorch's helper (%s)", strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]), close(out[0]);
        /* its own thread pool of 2 (set per request), no BLAS threads */
        setenv("OMP_NUM_THREADS", "2", 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        setenv("MKL_NUM_THREADS", "1", 1);
        execlp(py, py, "bench/torch_bench.py", (char *)NULL);
        _exit(127);
    }
    close(in[0]), close(out[1]);
    torch.to = fdopen(in[1], "w");
    torch.from = fdopen(out[0], "r");
    torch.pid = pid;
    char line[256] = "";
    if (!fgets(line, sizeof line, torch.from) || strncmp(line, "ready ", 6) != 0) {
        snprintf(torch.about, sizeof torch.about, "did not start (%.200s)",
                 line[0] ? line : "no answer from bench/torch_bench.py");
        torch.about[strcspn(torch.about, "\n")] = '\0';
        fclose(torch.to), fclose(torch.from);
        torch.to = torch.from = NULL;
        waitpid(pid, NULL, 0);
        return;
    }
    line[strcspn(line, "\n")] = '\0';
    snprintf(torch.about, sizeof torch.about, "%.60s, run by %.120s", line + 6, py);
}

static double torch_ask(const char *request)
{
    if (!torch.to)
        return NAN;
    char line[128];
    fprintf(torch.to, "%s\n", request);
    fflush(torch.to);
    if (!fgets(line, sizeof line, torch.from))
        cnn_die("PyTorch's helper stopped answering (after '%s')", request);
    return strncmp(line, "ok", 2) == 0 ? 0.0 : atof(line);
}

static void stop_torch(void)
{
    if (!torch.to)
        return;
    fprintf(torch.to, "quit\n");
    fclose(torch.to), fclose(torch.from);
    waitpid(torch.pid, NULL, 0);
}

/* ---- small helpers ------------------------------------------------------------------ */

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                snprintf(buf, len, "%s", v + 2);
                buf[strcspn(buf, "\n")] = '\0';
            }
            break;
        }
    fclose(f);
}

/* "0.52 0.61 0.70": the load average over 1, 5 and 15 minutes, which says
 * how shared the machine was while the bench ran. */
static void load_average(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double a, b, c;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

/* Lets the idle threads of the library that ran last (OpenMP's spin-wait,
 * OpenBLAS's, PyTorch's) go to sleep before another one is timed. */
static void settle(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static float *random_floats(size_t n, uint64_t seed)
{
    float *v = xmalloc(n * sizeof *v);
    Rng r;
    rng_seed(&r, seed);
    rng_fill_uniform(&r, v, n, -1, 1);
    return v;
}

static void set_threads(int t)
{
    fastconv_set_threads(t);
    if (blas.set_threads)
        blas.set_threads(t);
}

/* ---- one layer's buffers and methods ------------------------------------------------- */

typedef struct {
    Conv2dGeom g;
    size_t nx, nw, ny;
    float *x, *w, *b, *y, *dy, *dx, *dw, *db;
    int8_t *wq;
    float *w_scales, x_scale;
    void *ws;                  /* the largest workspace of any method */
    size_t ws_bytes;
    float *ga, *gb, *gc;       /* the im2col GEMM: (c_out x K) (K x N*P) */
    int gm, gn, gk;
    void *gemm_ws;
    size_t gemm_ws_bytes;
} Bufs;

static size_t method_ws(const Conv2dGeom *g, Method m)
{
    if (m == M_INT8)
        return int8_conv_f32_workspace_bytes(g);
    int a = method_algo(m);
    return a < 0 ? 0 : conv2d_workspace_bytes(g, (ConvAlgo)a);
}

static int method_supported(const Conv2dGeom *g, Method m)
{
    if (m == M_TORCH || m == M_TORCH_TRAIN)
        return torch.to != NULL;
    if (m == M_SGEMM)
        return blas.sgemm != NULL && g->groups == 1;
    if (m == M_GEMM)
        return g->groups == 1;
    if (m == M_INT8)
        return 1;
    return conv2d_forward_unsupported(g, (ConvAlgo)method_algo(m)) == NULL;
}

static void bufs_init(Bufs *B, const Conv2dGeom *g, int with_gemm)
{
    memset(B, 0, sizeof *B);
    B->g = *g;
    B->nx = conv2d_x_numel(g);
    B->nw = conv2d_weight_numel(g);
    B->ny = conv2d_y_numel(g);
    B->x = random_floats(B->nx, 1);
    B->w = random_floats(B->nw, 2);
    B->b = random_floats((size_t)g->c_out, 3);
    B->dy = random_floats(B->ny, 4);
    B->y = xmalloc(B->ny * sizeof(float));
    B->dx = xmalloc(B->nx * sizeof(float));
    B->dw = xmalloc(B->nw * sizeof(float));
    B->db = xmalloc((size_t)g->c_out * sizeof(float));
    B->wq = xmalloc(B->nw);
    B->w_scales = xmalloc((size_t)g->c_out * sizeof(float));
    quantize_weights_int8(g, B->w, B->wq, B->w_scales);
    B->x_scale = quant_scale(B->x, B->nx);
    for (int m = 0; m < N_METHODS; m++)
        if (method_supported(g, (Method)m) && method_ws(g, (Method)m) > B->ws_bytes)
            B->ws_bytes = method_ws(g, (Method)m);
    B->ws = conv2d_workspace_alloc(B->ws_bytes);
    if (with_gemm && g->groups == 1) {
        B->gm = g->c_out;
        B->gk = (int)im2col_rows(g);
        B->gn = (int)(im2col_pixels(g) * (size_t)g->n);
        B->ga = random_floats((size_t)B->gm * B->gk, 5);
        B->gb = random_floats((size_t)B->gk * B->gn, 6);
        B->gc = xmalloc((size_t)B->gm * B->gn * sizeof(float));
        B->gemm_ws_bytes = gemm_workspace_bytes(2);
        B->gemm_ws = conv2d_workspace_alloc(B->gemm_ws_bytes);
    }
}

static void bufs_free(Bufs *B)
{
    free(B->x), free(B->w), free(B->b), free(B->y), free(B->dy);
    free(B->dx), free(B->dw), free(B->db), free(B->wq), free(B->w_scales);
    free(B->ws), free(B->ga), free(B->gb), free(B->gc), free(B->gemm_ws);
}

/* Runs method m once; returns the seconds it took (NAN if it failed). */
static double run_method(Bufs *B, Method m, int threads)
{
    const Conv2dGeom *g = &B->g;
    char req[64];
    double t0 = timer_now();
    int rc = 0;
    switch (m) {
    case M_TORCH:
    case M_TORCH_TRAIN:
        snprintf(req, sizeof req, "time %d %s", threads,
                 m == M_TORCH ? "fwd" : "fwdbwd");
        return torch_ask(req);
    case M_SGEMM:
        blas.sgemm(101 /* row-major */, 111, 111, B->gm, B->gn, B->gk, 1.0f,
                   B->ga, B->gk, B->gb, B->gn, 0.0f, B->gc, B->gn);
        break;
    case M_GEMM:
        gemm(GEMM_N, GEMM_N, B->gm, B->gn, B->gk, B->ga, B->gk, B->gb, B->gn,
             0.0f, B->gc, B->gn, B->gemm_ws, B->gemm_ws_bytes);
        break;
    case M_INT8:
        conv2d_forward_int8_f32(g, B->x, B->x_scale, B->wq, B->w_scales, B->b,
                                B->y, B->ws);
        break;
    case M_AUTO_TRAIN:
        rc = conv2d_forward_algo(g, B->x, B->w, B->b, B->y, CONV_ALGO_AUTO,
                                 B->ws, B->ws_bytes) ||
             conv2d_backward_algo(g, B->x, B->w, B->dy, B->dx, B->dw, B->db,
                                  CONV_ALGO_AUTO, B->ws, B->ws_bytes);
        break;
    default:
        rc = conv2d_forward_algo(g, B->x, B->w, B->b, B->y,
                                 (ConvAlgo)method_algo(m), B->ws, B->ws_bytes);
    }
    double dt = timer_now() - t0;
    return rc ? NAN : dt;
}

/* The library a method runs in, for settle(). */
static int family(Method m)
{
    return m == M_TORCH || m == M_TORCH_TRAIN ? 2 : m == M_SGEMM ? 1 : 0;
}

/* ---- peak resident memory, one process per method ------------------------------------- */

/* Runs method m once on layer g in a child process and returns the child's
 * peak resident set in KiB (the child allocates everything itself). */
static long child_rss_kb(const Conv2dGeom *g, int m)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        if (m >= 0) {
            Bufs B;
            Conv2dGeom one = *g;
            bufs_init(&B, &one, 0);
            /* only this method's workspace counts: shrink to it */
            free(B.ws);
            B.ws_bytes = method_ws(g, (Method)m);
            B.ws = conv2d_workspace_alloc(B.ws_bytes);
            run_method(&B, (Method)m, 1);
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        long kb = ru.ru_maxrss;
        if (write(fd[1], &kb, sizeof kb) < 0)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    long kb = -1;
    if (pid < 0 || read(fd[0], &kb, sizeof kb) != (ssize_t)sizeof kb)
        kb = -1;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return kb;
}

/* ---- results ------------------------------------------------------------------------- */

typedef struct {
    double s[N_LAYERS][2][N_METHODS]; /* median seconds, NAN = not run */
    size_t ws[N_LAYERS][N_METHODS];
    long rss[N_LAYERS][N_METHODS];
    long rss_base;
    double peak;                      /* one core, GFLOP/s */
} Results;

static Results R;

/* ---- GEMM: the engine's against OpenBLAS ----------------------------------------------- */

#define N_GEMM_SIZES 4
static const int gemm_sizes[N_GEMM_SIZES] = {256, 512, 1024, 2048};
static double gemm_s[N_GEMM_SIZES][2][2]; /* [size][threads-1][ours, openblas] */

static void bench_gemm(void)
{
    printf("\nGEMM, square n x n x n, medians of interleaved runs (GFLOP/s)\n");
    printf("%6s %8s %12s %12s %8s %10s\n", "n", "threads", "own gemm",
           "OpenBLAS", "own/BLAS", "of peak");
    for (int k = 0; k < N_GEMM_SIZES; k++) {
        const int n = gemm_sizes[k];
        const size_t nn = (size_t)n * n;
        float *a = random_floats(nn, 11), *b = random_floats(nn, 12);
        float *c = xmalloc(nn * sizeof *c);
        const size_t wsb = gemm_workspace_bytes(2);
        void *ws = conv2d_workspace_alloc(wsb);
        const double flop = 2.0 * n * n * (double)n;
        for (int t = 1; t <= 2; t++) {
            set_threads(t);
            const int reps = n >= 2048 ? 5 : n >= 1024 ? 9 : 15;
            double own[15], ob[15];
            for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
                double t0 = timer_now();
                gemm(GEMM_N, GEMM_N, n, n, n, a, n, b, n, 0.0f, c, n, ws, wsb);
                double t1 = timer_now();
                if (r >= 0) own[r] = t1 - t0;
                if (blas.sgemm) {
                    settle();
                    t0 = timer_now();
                    blas.sgemm(101, 111, 111, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
                    t1 = timer_now();
                    if (r >= 0) ob[r] = t1 - t0;
                    settle();
                }
            }
            gemm_s[k][t - 1][0] = median(own, reps);
            gemm_s[k][t - 1][1] = blas.sgemm ? median(ob, reps) : NAN;
            const double go = flop / gemm_s[k][t - 1][0] * 1e-9;
            const double gb = flop / gemm_s[k][t - 1][1] * 1e-9;
            printf("%6d %8d %12.1f %12.1f %7.0f%% %9.0f%%\n", n, t, go, gb,
                   100.0 * go / gb, 100.0 * go / (R.peak * t));
            fflush(stdout);
        }
        free(a), free(b), free(c), free(ws);
    }
}

/* ---- convolution layers ------------------------------------------------------------------- */

static const Method fwd_cols[] = {M_DIRECT, M_IM2COL, M_WINOGRAD, M_WINOGRAD4,
                                  M_FFT, M_INT8, M_AUTO, M_TORCH};
#define N_FWD_COLS (int)(sizeof fwd_cols / sizeof fwd_cols[0])

static void print_conv_header(void)
{
    printf("%-40s %2s", "layer (forward: ms per call)", "th");
    for (int k = 0; k < N_FWD_COLS; k++)
        printf(" %9s", method_name[fwd_cols[k]]);
    printf(" | %9s %9s | %9s %9s\n", "auto", "torch", "own gemm", "OpenBLAS");
    printf("%-40s %2s", "", "");
    for (int k = 0; k < N_FWD_COLS; k++)
        printf(" %9s", "");
    printf(" | %19s | %19s\n", "forward + backward", "the im2col GEMM");
}

static void print_ms(double s)
{
    if (isnan(s))
        printf(" %9s", "-");
    else
        printf(" %9.2f", s * 1e3);
}

static void bench_layer(int li)
{
    const Conv2dGeom *g = &layers[li].g;
    Bufs B;
    bufs_init(&B, g, 1);
    if (torch.to) {
        char req[160];
        snprintf(req, sizeof req, "layer %d %d %d %d %d %d %d %d %d %d %d %d %d %d",
                 g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->stride_h,
                 g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w, g->groups);
        torch_ask(req);
    }
    for (int t = 1; t <= 2; t++) {
        if (!thread_selected(t)) {
            for (int m = 0; m < N_METHODS; m++)
                R.s[li][t - 1][m] = NAN;
            continue;
        }
        set_threads(t);
        double first[N_METHODS], samples[N_METHODS][9];
        int reps[N_METHODS] = {0}, have[N_METHODS] = {0}, last_family = -1;
        for (int m = 0; m < N_METHODS; m++) {
            R.s[li][t - 1][m] = NAN;
            if (!method_supported(g, (Method)m) ||
                !env_selects("BENCH_METHODS", method_name[m]))
                continue;
            if (family((Method)m) != last_family)
                settle();
            last_family = family((Method)m);
            first[m] = run_method(&B, (Method)m, t); /* warm-up */
            if (isnan(first[m]))
                continue;
            /* about half a second of repetitions each, at least 3, at most 9 */
            reps[m] = (int)fmin(9, fmax(3, 0.5 / fmax(first[m], 1e-9)));
        }
        for (int r = 0; r < 9; r++)
            for (int m = 0; m < N_METHODS; m++) {
                if (have[m] >= reps[m])
                    continue;
                if (family((Method)m) != last_family)
                    settle();
                last_family = family((Method)m);
                samples[m][have[m]++] = run_method(&B, (Method)m, t);
            }
        for (int m = 0; m < N_METHODS; m++)
            if (reps[m] > 0)
                R.s[li][t - 1][m] = median(samples[m], reps[m]);
        printf("%-40s %2d", layers[li].what, t);
        for (int k = 0; k < N_FWD_COLS; k++)
            print_ms(R.s[li][t - 1][fwd_cols[k]]);
        printf(" |");
        print_ms(R.s[li][t - 1][M_AUTO_TRAIN]);
        print_ms(R.s[li][t - 1][M_TORCH_TRAIN]);
        printf(" |");
        print_ms(R.s[li][t - 1][M_GEMM]);
        print_ms(R.s[li][t - 1][M_SGEMM]);
        printf("\n");
        fflush(stdout);
    }
    for (int m = 0; m < N_METHODS; m++)
        R.ws[li][m] = method_supported(g, (Method)m) ? method_ws(g, (Method)m) : 0;
    bufs_free(&B);
}

static void print_gflops(void)
{
    printf("\nThe same, as GFLOP/s (direct convolution's 2 x MACs / time; "
           "peak: %.0f per core)\n", R.peak);
    printf("%-40s %2s", "layer", "th");
    for (int k = 0; k < N_FWD_COLS; k++)
        printf(" %9s", method_name[fwd_cols[k]]);
    printf(" | %9s %9s\n", "auto fb", "torch fb");
    for (int li = 0; li < N_LAYERS; li++)
        for (int t = 1; t <= 2; t++) {
            const double f = conv_flop(&layers[li].g) * 1e-9;
            printf("%-40s %2d", layers[li].what, t);
            for (int k = 0; k < N_FWD_COLS; k++)
                printf(" %9.1f", f / R.s[li][t - 1][fwd_cols[k]]);
            /* forward + backward: three times the forward's work */
            printf(" | %9.1f %9.1f\n", 3 * f / R.s[li][t - 1][M_AUTO_TRAIN],
                   3 * f / R.s[li][t - 1][M_TORCH_TRAIN]);
        }
}

static void print_memory(void)
{
    static const Method mem_cols[] = {M_DIRECT, M_IM2COL, M_WINOGRAD, M_FFT,
                                      M_INT8, M_AUTO};
    const int nc = (int)(sizeof mem_cols / sizeof mem_cols[0]);
    printf("\nMemory: workspace (MiB) / peak resident set of a process that "
           "runs the layer once on 1 thread (MiB; an empty process: %.1f)\n",
           R.rss_base / 1024.0);
    printf("%-40s", "layer");
    for (int k = 0; k < nc; k++)
        printf(" %15s", method_name[mem_cols[k]]);
    printf("\n");
    for (int li = 0; li < N_LAYERS; li++) {
        printf("%-40s", layers[li].what);
        for (int k = 0; k < nc; k++) {
            const Method m = mem_cols[k];
            if (!method_supported(&layers[li].g, m)) {
                printf(" %15s", "-");
                continue;
            }
            char cell[32];
            snprintf(cell, sizeof cell, "%.2f / %.0f", R.ws[li][m] / 1048576.0,
                     R.rss[li][m] / 1024.0);
            printf(" %15s", cell);
        }
        printf("\n");
    }
}

/* ---- the goals ------------------------------------------------------------------------------ */

static void print_goals(void)
{
    printf("\nGoals (met or missed, with the numbers)\n");
    /* 1. own GEMM >= 75% of OpenBLAS on square 256..2048, 1 and 2 threads */
    double worst = INFINITY;
    char where[64] = "";
    for (int k = 0; k < N_GEMM_SIZES; k++)
        for (int t = 0; t < 2; t++) {
            double r = gemm_s[k][t][1] / gemm_s[k][t][0];
            if (r < worst) {
                worst = r;
                snprintf(where, sizeof where, "n = %d, %d thread%s", gemm_sizes[k],
                         t + 1, t ? "s" : "");
            }
        }
    if (blas.sgemm && isinf(worst))
        printf("  own GEMM vs OpenBLAS: not measured in this run (BENCH_GEMM=0)\n");
    else if (blas.sgemm)
        printf("  own GEMM >= 75%% of OpenBLAS sgemm, n = 256..2048, 1 and 2 "
               "threads: %s (worst %.0f%% at %s)\n",
               worst >= 0.75 ? "MET" : "MISSED", 100 * worst, where);
    else
        printf("  own GEMM vs OpenBLAS: not measured (OpenBLAS not found)\n");
    /* 2. auto >= PyTorch, forward and forward+backward, every layer and thread count */
    for (int train = 0; train < 2; train++) {
        const Method ours = train ? M_AUTO_TRAIN : M_AUTO;
        const Method theirs = train ? M_TORCH_TRAIN : M_TORCH;
        int met = 0, total = 0;
        double worst_r = INFINITY;
        char w[96] = "";
        for (int li = 0; li < N_LAYERS; li++)
            for (int t = 0; t < 2; t++) {
                double r = R.s[li][t][theirs] / R.s[li][t][ours];
                if (isnan(r))
                    continue;
                total++;
                met += r >= 1.0;
                if (r < worst_r) {
                    worst_r = r;
                    snprintf(w, sizeof w, "%s, %d thread%s", layers[li].name, t + 1,
                             t ? "s" : "");
                }
            }
        if (total)
            printf("  auto %s at least as fast as PyTorch on every layer and "
                   "thread count: %s (%d of %d; worst: %.2fx PyTorch's speed, %s)\n",
                   train ? "forward+backward" : "forward",
                   met == total ? "MET" : "MISSED", met, total, worst_r, w);
        else
            printf("  auto vs PyTorch: not measured (PyTorch not found)\n");
    }
    /* 3. Winograd faster than im2col on 3x3 layers with >= 64 channels */
    int met = 0, total = 0;
    double worst_r = INFINITY;
    for (int li = 0; li < N_LAYERS; li++) {
        const Conv2dGeom *g = &layers[li].g;
        if (g->kh != 3 || g->c_in < 64)
            continue;
        for (int t = 0; t < 2; t++) {
            double r = R.s[li][t][M_IM2COL] / R.s[li][t][M_WINOGRAD];
            total++;
            met += r > 1.0;
            worst_r = fmin(worst_r, r);
        }
    }
    printf("  Winograd F(2x2,3x3) faster than im2col on 3x3 layers with >= 64 "
           "channels: %s (%d of %d; slowest: %.2fx im2col's speed)\n",
           met == total ? "MET" : "MISSED", met, total, worst_r);
    /* 4. int8 faster than fp32 im2col on the VGG layers */
    met = 0, total = 0, worst_r = INFINITY;
    for (int li = 2; li <= 4; li++)
        for (int t = 0; t < 2; t++) {
            double r = R.s[li][t][M_IM2COL] / R.s[li][t][M_INT8];
            total++;
            met += r > 1.0;
            worst_r = fmin(worst_r, r);
        }
    printf("  int8 faster than float32 im2col on the VGG layers (%s): %s "
           "(%d of %d; slowest: %.2fx im2col's speed)\n", int8_conv_path(),
           met == total ? "MET" : "MISSED", met, total, worst_r);
}

/* ---- the .dat files ------------------------------------------------------------------------- */

static void write_dat(const char *path, const char *machine)
{
    CnnError e;
    AtomicFile af;
    if (atomic_open(&af, path, &e))
        cnn_die("%s", e.msg);
    fprintf(af.fp, "# ./build.sh bench on %s\n# peak_gflops_one_core %.2f\n"
                   "# layer threads method median_s gflops workspace_bytes "
                   "peak_rss_kib\n", machine, R.peak);
    for (int li = 0; li < N_LAYERS; li++)
        for (int t = 0; t < 2; t++)
            for (int m = 0; m < N_METHODS; m++) {
                double s = R.s[li][t][m];
                if (isnan(s))
                    continue;
                double f = conv_flop(&layers[li].g) *
                           (m == M_AUTO_TRAIN || m == M_TORCH_TRAIN ? 3 : 1);
                fprintf(af.fp, "%s %d %s %.6g %.3f %zu %ld\n", layers[li].name,
                        t + 1, method_name[m], s, f / s * 1e-9, R.ws[li][m],
                        R.rss[li][m]);
            }
    if (atomic_commit(&af, &e))
        cnn_die("%s", e.msg);

    char gpath[4200];
    snprintf(gpath, sizeof gpath, "%.*s_gemm.dat", (int)(strlen(path) - 4), path);
    if (atomic_open(&af, gpath, &e))
        cnn_die("%s", e.msg);
    fprintf(af.fp, "# ./build.sh bench on %s\n# peak_gflops_one_core %.2f\n"
                   "# n threads own_gflops openblas_gflops\n", machine, R.peak);
    for (int k = 0; k < N_GEMM_SIZES; k++)
        for (int t = 0; t < 2; t++) {
            const double f = 2.0 * gemm_sizes[k] * gemm_sizes[k] * (double)gemm_sizes[k];
            fprintf(af.fp, "%d %d %.3f %.3f\n", gemm_sizes[k], t + 1,
                    f / gemm_s[k][t][0] * 1e-9, f / gemm_s[k][t][1] * 1e-9);
        }
    if (atomic_commit(&af, &e))
        cnn_die("%s", e.msg);

    /* The same in the wide form plots/05-fast-convolution/bench.gp reads:
     * one row per layer, one block per thread count. */
    static const Method wide[] = {M_DIRECT, M_IM2COL, M_WINOGRAD, M_WINOGRAD4,
                                  M_FFT, M_INT8, M_AUTO, M_TORCH, M_AUTO_TRAIN,
                                  M_TORCH_TRAIN, M_GEMM, M_SGEMM};
    const int nw = (int)(sizeof wide / sizeof wide[0]);
    char spath[4200];
    snprintf(spath, sizeof spath, "%.*s_speed.dat", (int)(strlen(path) - 4), path);
    if (atomic_open(&af, spath, &e))
        cnn_die("%s", e.msg);
    fprintf(af.fp, "# ./build.sh bench on %s\n# peak_gflops_one_core %.2f\n"
                   "# GFLOP/s (direct convolution's 2 MACs, x3 forward+backward)\n"
                   "# block 0: 1 thread, block 1: 2 threads\n# layer", machine, R.peak);
    for (int k = 0; k < nw; k++)
        fprintf(af.fp, " %s", method_name[wide[k]]);
    fprintf(af.fp, "\n");
    for (int t = 0; t < 2; t++) {
        for (int li = 0; li < N_LAYERS; li++) {
            fprintf(af.fp, "%s", layers[li].name);
            for (int k = 0; k < nw; k++) {
                const Method m = wide[k];
                const double f = conv_flop(&layers[li].g) *
                                 (m == M_AUTO_TRAIN || m == M_TORCH_TRAIN ? 3 : 1);
                fprintf(af.fp, " %.3f", f / R.s[li][t][m] * 1e-9);
            }
            fprintf(af.fp, "\n");
        }
        fprintf(af.fp, "\n\n");
    }
    if (atomic_commit(&af, &e))
        cnn_die("%s", e.msg);

    static const Method mem[] = {M_DIRECT, M_IM2COL, M_WINOGRAD, M_FFT, M_INT8};
    const int nm = (int)(sizeof mem / sizeof mem[0]);
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%.*s_memory.dat", (int)(strlen(path) - 4), path);
    if (atomic_open(&af, mpath, &e))
        cnn_die("%s", e.msg);
    fprintf(af.fp, "# ./build.sh bench on %s\n# workspace MiB, then peak resident "
                   "set MiB of a process running the layer once (empty process: "
                   "%.1f MiB)\n# layer", machine, R.rss_base / 1024.0);
    for (int k = 0; k < nm; k++)
        fprintf(af.fp, " ws_%s", method_name[mem[k]]);
    for (int k = 0; k < nm; k++)
        fprintf(af.fp, " rss_%s", method_name[mem[k]]);
    fprintf(af.fp, "\n");
    for (int li = 0; li < N_LAYERS; li++) {
        fprintf(af.fp, "%s", layers[li].name);
        for (int k = 0; k < nm; k++)
            fprintf(af.fp, method_supported(&layers[li].g, mem[k]) ? " %.4f" : " nan",
                    R.ws[li][mem[k]] / 1048576.0);
        for (int k = 0; k < nm; k++)
            fprintf(af.fp, R.rss[li][mem[k]] >= 0 ? " %.2f" : " nan",
                    R.rss[li][mem[k]] / 1024.0);
        fprintf(af.fp, "\n");
    }
    if (atomic_commit(&af, &e))
        cnn_die("%s", e.msg);
    printf("\nwritten: %s, %s, %s and %s\n", path, gpath, spath, mpath);
}

int main(int argc, char **argv)
{
    cnn_set_progname("bench");
    if (argc != 2 || strlen(argv[1]) < 5 ||
        strcmp(argv[1] + strlen(argv[1]) - 4, ".dat") != 0)
        cnn_die("usage: bench OUT.dat (./build.sh bench runs it for you)");
    signal(SIGPIPE, SIG_IGN);
    const double t_start = timer_now();
    make_layers();

    char machine[256], engine[256];
    cpu_model(machine, sizeof machine);
    load_openblas();
    const char *isa;
    R.peak = peak_gflops(0.5, &isa);
    set_threads(2);
    char load0[64];
    load_average(load0, sizeof load0);
    printf("machine:  %s, %ld logical CPUs, load average %s (1, 5, 15 min)\n",
           machine, sysconf(_SC_NPROCESSORS_ONLN), load0);
    printf("engine:   %s\n", fastconv_describe(engine, sizeof engine));
    printf("peak:     %.1f GFLOP/s float32 on one core, measured (%s)\n", R.peak, isa);
    printf("OpenBLAS: %s\n", blas.about);

    /* Memory first, while this process is small: each child inherits it. */
    R.rss_base = child_rss_kb(&layers[0].g, -1);
    for (int li = 0; li < N_LAYERS; li++)
        for (int m = 0; m < N_METHODS; m++) {
            R.rss[li][m] = -1;
            if (env_on("BENCH_MEMORY") && env_selects("BENCH_LAYERS", layers[li].name) &&
                m != M_TORCH && m != M_TORCH_TRAIN && m != M_SGEMM && m != M_GEMM &&
                m != M_AUTO_TRAIN && method_supported(&layers[li].g, (Method)m))
                R.rss[li][m] = child_rss_kb(&layers[li].g, m);
        }

    start_torch();
    printf("PyTorch:  %s\n", torch.about);

    if (env_on("BENCH_GEMM"))
        bench_gemm();
    else
        for (int k = 0; k < N_GEMM_SIZES; k++)
            for (int t = 0; t < 2; t++)
                gemm_s[k][t][0] = gemm_s[k][t][1] = NAN;
    printf("\nConvolution layers, medians of interleaved runs (ms per call; "
           "- = the algorithm cannot do the layer)\n");
    print_conv_header();
    for (int li = 0; li < N_LAYERS; li++) {
        if (env_selects("BENCH_LAYERS", layers[li].name)) {
            bench_layer(li);
            continue;
        }
        for (int t = 0; t < 2; t++)
            for (int m = 0; m < N_METHODS; m++)
                R.s[li][t][m] = NAN;
    }
    stop_torch();
    print_gflops();
    print_memory();
    print_goals();
    char load1[64], where[512];
    load_average(load1, sizeof load1);
    printf("\nload average at the start %s, at the end %s: other programs "
           "running meanwhile slow some runs down, the 2-thread ones most\n",
           load0, load1);
    snprintf(where, sizeof where, "%.200s (load average %.40s at the start, %.40s at the end)",
             machine, load0, load1);
    write_dat(argv[1], where);
    printf("bench took %.0f s\n", timer_now() - t_start);
    return 0;
}

/* winograd_given.c: chapter 05, code that is given, not an exercise: which
 * layers Winograd's algorithm handles, its workspace and its cost. It is
 * compiled once and linked with your winograd.c and with the reference
 * solution alike. */
#include "winograd.h"

/* Rounds n up to a multiple of m. */
static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

const char *winograd_unsupported(const Conv2dGeom *g)
{
    if (g->kh != 3 || g->kw != 3)
        return "Winograd F(m x m, 3x3) needs a 3x3 kernel; use im2col or FFT "
               "for other kernel sizes.";
    if (g->stride_h != 1 || g->stride_w != 1)
        return "Winograd's algorithm computes stride-1 layers only; use "
               "im2col for a strided layer.";
    if (g->dil_h != 1 || g->dil_w != 1)
        return "Winograd's algorithm here needs dilation 1; use im2col or FFT "
               "for a dilated layer.";
    if (g->groups != 1)
        return "Winograd's algorithm here handles one group only; use im2col "
               "or direct for a grouped layer.";
    if (conv2d_out_h(g) < 1 || conv2d_out_w(g) < 1)
        return "the layer has no output (the kernel does not fit the padded "
               "input).";
    return NULL;
}

/* The reference lays the workspace out as three float arrays, each starting
 * on a 64-byte boundary (alpha = 6 covers both F(2x2) and F(4x4)):
 *   U  alpha^2 x KP x C_in        every transformed filter, eq. (5.27)
 *   V  alpha^2 x C_in x TB        one block of transformed input tiles
 *   M  alpha^2 x KP x TB          their products, summed over channels
 * with KP = C_out rounded up to a multiple of 4 (the micro-kernel's rows)
 * and TB = WINO_TILE_BLOCK tiles. */
size_t winograd_workspace_bytes(const Conv2dGeom *g)
{
    const size_t a2 = 36, kp = round_up((size_t)g->c_out, 4);
    const size_t c = (size_t)g->c_in, tb = WINO_TILE_BLOCK;
    size_t bytes = round_up(a2 * kp * c * sizeof(float), 64);
    bytes += round_up(a2 * c * tb * sizeof(float), 64);
    bytes += round_up(a2 * kp * tb * sizeof(float), 64);
    return bytes;
}

/* Eq. (5.32) for F(m x m, 3x3): per (output, input) channel pair a filter
 * transform of flops_f operations, per input channel and tile an input
 * transform of flops_in, per output channel and tile an output transform of
 * flops_out, and alpha^2 multiply-adds (2 operations) per channel pair and
 * tile. The per-transform counts are those of the add-and-shift formulas of
 * the lesson, applied to the rows, then to the columns. */
static double wino_flops(const Conv2dGeom *g, int m, double flops_f,
                         double flops_in, double flops_out)
{
    const double alpha = m + 2;
    const double tiles = (double)g->n * ((conv2d_out_h(g) + m - 1) / m) *
                         ((conv2d_out_w(g) + m - 1) / m);
    const double k = g->c_out, c = g->c_in;
    return k * c * flops_f + c * tiles * flops_in + k * tiles * flops_out +
           2.0 * k * c * tiles * alpha * alpha;
}

double winograd_flops(const Conv2dGeom *g)
{
    /* G g G^T: 7 columns/rows of 5 operations; B^T d B: 8 of 4; A^T m A:
     * 4 columns of 4, then 2 rows of 4. */
    return wino_flops(g, 2, 35, 32, 24);
}

double winograd4_flops(const Conv2dGeom *g)
{
    /* G g G^T: 9 columns/rows of 12; B^T d B: 12 of 19; A^T m A: 6 columns
     * of 13, then 4 rows of 13. */
    return wino_flops(g, 4, 108, 228, 130);
}

/* rf.c: chapter 04, the exercises. Implement the functions marked TODO in
 * the order they appear (the lesson's "Your turn" section), and check each
 * one with `./build.sh check 04`. The contracts are in rf.h; equation
 * numbers refer to lesson.md. No function here needs to allocate memory. */
#include <math.h>

#include "rf.h"

/* ---- the recurrence ------------------------------------------------------- */

/* >>> axis_todo */
/* One layer along one axis, eqs. (4.4)-(4.6):
 *   size  = prev.size + (k - 1) * d * prev.jump
 *   jump  = prev.jump * s
 *   first = prev.first - p * prev.jump. */
RfAxis rf_axis_step(RfAxis prev, int k, int s, int p, int d)
{
    /* TODO: the three lines above, in long long. Every term that grows is
     * measured in input pixels, so each count of layer-(l-1) units (the
     * taps' span d*(k-1), the padding p) is multiplied by prev.jump, the
     * jump of the layer the kernel reads, not by this layer's stride. Keep
     * every intermediate in long long: an int holds only 2^31. */
    (void)prev;
    (void)k;
    (void)s;
    (void)p;
    (void)d;
    return (RfAxis){0};
}
/* <<< axis_todo */

/* One layer on both axes, eqs. (4.4)-(4.6) per axis: height with (kh,
 * stride_h, pad_h, dil_h), width with (kw, stride_w, pad_w, dil_w); a
 * pointwise layer changes nothing. */
RfState rf_layer_step(RfState prev, const RfLayer *layer)
{
    /* TODO: return prev for RF_POINTWISE; for RF_CONV and RF_POOL (both
     * read a window) call rf_axis_step once per axis. */
    (void)prev;
    (void)layer;
    return (RfState){{0}, {0}};
}

/* out[0] = rf_input() (eq. 4.3), out[l] = the state after the first l
 * layers. */
void rf_stack(const RfLayer *layers, int n, RfState *out)
{
    /* TODO: start from rf_input() and apply rf_layer_step once per layer,
     * storing every intermediate state: out has n + 1 entries. */
    (void)layers;
    (void)n;
    (void)out;
}

/* The input positions unit i sees, eq. (4.8): lo = first + i*jump and
 * hi = lo + size - 1, both included. */
void rf_window(const RfAxis *a, long long i, long long *lo, long long *hi)
{
    /* TODO: two lines. Is hi the last position the unit sees, or one past
     * it? */
    (void)a;
    (void)i;
    (void)lo;
    (void)hi;
}

/* ---- the effective receptive field ----------------------------------------- */

/* The spread of |g| along each axis, eq. (4.14). */
void erf_spread(const float *g, int h, int w, double *sigma_h, double *sigma_w)
{
    /* TODO: two passes over the map, summing in double with weights
     * fabs(g[i*w + j]): first the mass m and the mean row and column, then
     * the weighted squared distances from those means. sigma is the square
     * root of (that sum / m). */
    (void)g;
    (void)h;
    (void)w;
    (void)sigma_h;
    (void)sigma_w;
}

/* The smallest r whose (2r+1) x (2r+1) square around (ci, cj) holds at
 * least frac of the total mass, eq. (4.15). */
int erf_mass_radius(const float *g, int h, int w, int ci, int cj, double frac)
{
    /* TODO: sum the total mass; then start with the centre pixel alone
     * (r = 0) and add one ring of pixels at a time (the pixels at Chebyshev
     * distance exactly r, clipped to the map) until the square holds
     * frac * total or more. Stop at the latest when the square covers the
     * whole map. */
    (void)g;
    (void)h;
    (void)w;
    (void)ci;
    (void)cj;
    (void)frac;
    return -1;
}

/* rf.c: chapter 04, the reference solution. The recurrence of eqs.
 * (4.4)-(4.6) on 64-bit integers, and the two statistics of the effective
 * receptive field, eqs. (4.14) and (4.15), summed in double. */
#include <math.h>

#include "rf.h"

/* ---- the recurrence ------------------------------------------------------- */

/* >>> axis_step */
RfAxis rf_axis_step(RfAxis prev, int k, int s, int p, int d)
{
    RfAxis next;
    /* The k taps span d*(k-1) units of the previous layer, and neighbouring
     * units of that layer are prev.jump input pixels apart, eq. (4.5). */
    next.size = prev.size + (long long)(k - 1) * d * prev.jump;
    next.jump = prev.jump * s;                  /* eq. (4.4) */
    next.first = prev.first - p * prev.jump;    /* eq. (4.6) */
    return next;
}
/* <<< axis_step */

/* Eqs. (4.4)-(4.6) on each axis with that axis's numbers. */
RfState rf_layer_step(RfState prev, const RfLayer *layer)
{
    if (layer->kind == RF_POINTWISE)
        return prev; /* one input position per output: nothing grows */
    RfState next;
    next.h = rf_axis_step(prev.h, layer->kh, layer->stride_h, layer->pad_h,
                          layer->dil_h);
    next.w = rf_axis_step(prev.w, layer->kw, layer->stride_w, layer->pad_w,
                          layer->dil_w);
    return next;
}

/* From the input, eq. (4.3), one layer at a time. */
void rf_stack(const RfLayer *layers, int n, RfState *out)
{
    out[0] = rf_input();
    for (int l = 1; l <= n; l++)
        out[l] = rf_layer_step(out[l - 1], &layers[l - 1]);
}

void rf_window(const RfAxis *a, long long i, long long *lo, long long *hi)
{
    *lo = a->first + i * a->jump; /* eq. (4.8) */
    *hi = *lo + a->size - 1;
}

/* ---- the effective receptive field ----------------------------------------- */

/* >>> spread */
void erf_spread(const float *g, int h, int w, double *sigma_h, double *sigma_w)
{
    const float (*ga)[w] = (const float (*)[w])g;
    /* First pass: the mass and the weighted mean position, eq. (4.14). */
    double m = 0, mi = 0, mj = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double a = fabs(ga[i][j]);
            m += a;
            mi += a * i;
            mj += a * j;
        }
    mi /= m;
    mj /= m;
    /* Second pass: the spread about the mean. (One pass with
     * sum a i^2 / m - mi^2 would subtract two large, nearly equal numbers.) */
    double vi = 0, vj = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double a = fabs(ga[i][j]);
            vi += a * (i - mi) * (i - mi);
            vj += a * (j - mj) * (j - mj);
        }
    *sigma_h = sqrt(vi / m);
    *sigma_w = sqrt(vj / m);
}
/* <<< spread */

/* Mass of the pixels of row i between columns j0 and j1 (inclusive),
 * both already inside the map. */
static double row_mass(const float *row, int j0, int j1)
{
    double s = 0;
    for (int j = j0; j <= j1; j++)
        s += fabs(row[j]);
    return s;
}

static int max_int(int a, int b) { return a > b ? a : b; }
static int min_int(int a, int b) { return a < b ? a : b; }

/* Eq. (4.15), growing the square one ring at a time. */
int erf_mass_radius(const float *g, int h, int w, int ci, int cj, double frac)
{
    const float (*ga)[w] = (const float (*)[w])g;
    double total = 0;
    for (int i = 0; i < h; i++)
        total += row_mass(ga[i], 0, w - 1);
    const double want = frac * total;
    /* Beyond r_max the square covers the whole map. */
    const int r_max = max_int(max_int(ci, h - 1 - ci), max_int(cj, w - 1 - cj));
    double inside = fabs(ga[ci][cj]);
    int r = 0;
    /* Grow the square ring by ring, eq. (4.15); each ring adds the rows
     * ci - r and ci + r and the two columns cj - r and cj + r between them,
     * wherever they lie inside the map. */
    while (inside < want && r < r_max) {
        r++;
        const int j0 = max_int(cj - r, 0), j1 = min_int(cj + r, w - 1);
        if (ci - r >= 0)
            inside += row_mass(ga[ci - r], j0, j1);
        if (ci + r < h)
            inside += row_mass(ga[ci + r], j0, j1);
        for (int i = max_int(ci - r + 1, 0); i <= min_int(ci + r - 1, h - 1); i++) {
            if (cj - r >= 0)
                inside += fabs(ga[i][cj - r]);
            if (cj + r < w)
                inside += fabs(ga[i][cj + r]);
        }
    }
    return r;
}

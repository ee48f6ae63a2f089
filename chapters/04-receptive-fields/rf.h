/* rf.h: chapter 04, receptive fields. The contract between the exercise
 * skeleton (chapters/04-receptive-fields/rf.c), the reference solution and
 * the tests. Every equation number refers to
 * chapters/04-receptive-fields/lesson.md.
 *
 * Coordinates: along each axis, input pixels are numbered 0, 1, 2, ... as
 * in the image array; a negative index, or one past the image's end, is a
 * position in the zero padding. The receptive field of a unit is the range
 * of input positions it can depend on, padding included, as every published
 * receptive-field calculator counts it. Height and width are computed
 * separately and may differ.
 *
 * Nothing here allocates memory or keeps state between calls.
 */
#ifndef RF_H
#define RF_H

/* ---- a layer and what a unit of it sees ---------------------------------- */

/* >>> layer */
/* What kind of layer: a convolution or a pooling window reads a kh x kw
 * window with the given stride, padding and dilation; a pointwise layer
 * (ReLU, tanh, batch normalisation, dropout, ...) reads one input position
 * per output and leaves the receptive field alone. */
typedef enum {
    RF_CONV,
    RF_POOL,      /* max or average pooling */
    RF_POINTWISE
} RfKind;

/* One layer's geometry, as PyTorch's Conv2d / MaxPool2d arguments. For
 * RF_CONV and RF_POOL: kh, kw, stride_h, stride_w, dil_h, dil_w >= 1 and
 * pad_h, pad_w >= 0. For RF_POINTWISE the other fields are not read. */
typedef struct {
    RfKind kind;
    int kh, kw;            /* window (kernel) size                  */
    int stride_h, stride_w;
    int pad_h, pad_w;      /* zeros added on each side              */
    int dil_h, dil_w;      /* spacing between taps (1 = dense)      */
} RfLayer;
/* <<< layer */

/* >>> state */
/* What the units of one layer see, along one axis, in input pixels:
 * unit i sees the input positions first + i*jump .. first + i*jump + size - 1
 * (eq. 4.2). 64-bit, because all three grow geometrically with depth:
 * forty stride-2 layers already have a jump of 2^40. */
typedef struct {
    long long size;   /* r: receptive-field size, >= 1                    */
    long long jump;   /* J: input pixels between neighbouring units, >= 1 */
    long long first;  /* first input position unit 0 sees; < 0 in padding */
} RfAxis;

typedef struct {
    RfAxis h, w;
} RfState;
/* <<< state */

/* ---- the recurrence ------------------------------------------------------- */

/* >>> api */
/* The input image itself, seen as layer 0, eq. (4.3): every pixel sees only
 * itself, size 1, jump 1, first 0, on both axes. (Given.) */
RfState rf_input(void);

/* One layer along one axis, eqs. (4.4)-(4.6): the axis state after a layer
 * with kernel k, stride s, padding p and dilation d whose input units have
 * the state prev:
 *   size  = prev.size + (k - 1) * d * prev.jump
 *   jump  = prev.jump * s
 *   first = prev.first - p * prev.jump.
 * k, s, d >= 1, p >= 0, prev.size >= 1, prev.jump >= 1. Exact in 64 bits
 * (no intermediate is an int) for every result whose magnitude is below
 * 2^62. */
RfAxis rf_axis_step(RfAxis prev, int k, int s, int p, int d);

/* One layer on both axes, eqs. (4.4)-(4.6) per axis: the state after
 * `layer` whose input units have the state prev. RF_CONV and RF_POOL apply
 * rf_axis_step with (kh, stride_h,
 * pad_h, dil_h) to the height and (kw, stride_w, pad_w, dil_w) to the width;
 * RF_POINTWISE returns prev unchanged. */
RfState rf_layer_step(RfState prev, const RfLayer *layer);

/* A stack of n >= 0 layers applied in order to an input image, eqs. (4.3)
 * and (4.4)-(4.6): writes out[0] = rf_input() and out[l] = the state after
 * layers[0 .. l-1], for l = 1 .. n. out has n + 1 entries, allocated by the
 * caller. */
void rf_stack(const RfLayer *layers, int n, RfState *out);

/* The input positions unit i (i >= 0) sees along one axis, eq. (4.8):
 *   *lo = a->first + i * a->jump,   *hi = *lo + a->size - 1   (inclusive),
 * exact in 64 bits while |*lo| and |*hi| stay below 2^62. */
void rf_window(const RfAxis *a, long long i, long long *lo, long long *hi);

/* The centre of unit 0's window, first + (size - 1) / 2, eq. (4.9): a whole
 * or half-integer input position. (Given.) */
double rf_center(const RfAxis *a);
/* <<< api */

/* ---- the effective receptive field ----------------------------------------- */

/* >>> erf */
/* g is an h x w map (row-major, h, w >= 1), such as the gradient of one
 * output unit with respect to the input image. Both functions weigh pixel
 * (i, j) by |g[i][j]|, sum in double, and need at least one g[i][j] != 0. */

/* The spread of the map along each axis, eq. (4.14): with
 * m = sum |g[i][j]| and the weighted mean row mu = sum |g[i][j]| i / m,
 *   sigma_h = sqrt( sum |g[i][j]| (i - mu)^2 / m ),
 * and sigma_w the same over the columns j. */
void erf_spread(const float *g, int h, int w, double *sigma_h, double *sigma_w);

/* The mass radius, eq. (4.15): the smallest r >= 0 such that the pixels with
 * |i - ci| <= r and |j - cj| <= r (the square of side 2r + 1 centred on
 * (ci, cj), cut off at the map's edges) hold at least frac of the map's
 * total mass sum |g[i][j]|. The square that covers the whole map holds all
 * the mass, however the sums round, so r never exceeds
 * max(ci, h - 1 - ci, cj, w - 1 - cj). 0 <= ci < h, 0 <= cj < w,
 * 0 < frac <= 1. */
int erf_mass_radius(const float *g, int h, int w, int ci, int cj, double frac);
/* <<< erf */

#endif

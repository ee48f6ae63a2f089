/* rf-growth.c: the interactive figure "receptive-field growth through a
 * stack of layers" (chapter 04), compiled to WebAssembly with the reference
 * code of chapter 04 itself: the receptive field's size, jump and first
 * position after each layer are rf_stack, eqs. (4.3)-(4.6), and the input
 * positions a unit sees are rf_window, eq. (4.8). One axis is shown: the
 * figure gives each layer the same geometry on both axes and reads the
 * height.
 *
 * needs: solutions/04-receptive-fields/rf.c chapters/04-receptive-fields/rf_given.c
 */
#include "solutions/04-receptive-fields/rf.c"

#define EXPORT(name) __attribute__((export_name(name)))

enum { MAX_LAYERS = 8 };
static RfLayer layers[MAX_LAYERS];
static RfState states[MAX_LAYERS + 1];

EXPORT("rf_max_layers")
int w_rf_max_layers(void) { return MAX_LAYERS; }

/* Layer idx: kind 0 conv, 1 pool, 2 pointwise; a k x k window. */
EXPORT("rf_set_layer")
void w_rf_set_layer(int idx, int kind, int k, int s, int p, int d)
{
    if (idx < 0 || idx >= MAX_LAYERS)
        return;
    RfLayer l = {.kind = kind == 0 ? RF_CONV : kind == 1 ? RF_POOL : RF_POINTWISE,
                 .kh = k, .kw = k, .stride_h = s, .stride_w = s,
                 .pad_h = p, .pad_w = p, .dil_h = d, .dil_w = d};
    layers[idx] = l;
}

/* Runs the first n layers through rf_stack; returns n, or -1 if too many. */
EXPORT("rf_run")
int w_rf_run(int n)
{
    if (n < 0 || n > MAX_LAYERS)
        return -1;
    rf_stack(layers, n, states);
    return n;
}

/* The height-axis state after layer l (0 = the input), as doubles: exact
 * for the small stacks the figure builds. */
EXPORT("rf_size")
double w_rf_size(int l) { return (double)states[l].h.size; }

EXPORT("rf_jump")
double w_rf_jump(int l) { return (double)states[l].h.jump; }

EXPORT("rf_first")
double w_rf_first(int l) { return (double)states[l].h.first; }

/* The first and last input positions unit i of layer l sees, eq. (4.8). */
EXPORT("rf_window_lo")
double w_rf_window_lo(int l, int i)
{
    long long lo, hi;
    rf_window(&states[l].h, i, &lo, &hi);
    return (double)lo;
}

EXPORT("rf_window_hi")
double w_rf_window_hi(int l, int i)
{
    long long lo, hi;
    rf_window(&states[l].h, i, &lo, &hi);
    return (double)hi;
}

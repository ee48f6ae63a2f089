/* lenet.c: chapter 06, the reference solution for lenet.h's passes. The
 * forward pass runs the layer table of lenet.h top to bottom, the backward
 * pass bottom to top, each layer's gradient ping-ponging between the two
 * scratch buffers g1 and g2. C5 runs as the linear layer it is, eq. (6.32). */
#include "lenet.h"

#include "02-pooling/pool.h"
#include "03-backprop/backprop.h"

/* The activation of a variant, forward (in place) and backward (in place). */
static void act_forward(const Lenet *m, float *h, size_t n)
{
    if (m->variant == LENET_1998) scaled_tanh_forward(h, h, n);
    else relu_forward(h, h, n);
}

static void act_backward(const Lenet *m, const float *h, float *d, size_t n)
{
    if (m->variant == LENET_1998) scaled_tanh_backward(h, d, d, n);
    else relu_backward(h, d, d, n);
}

/* The model's geometries at batch size n. */
typedef struct {
    Conv2dGeom c1, c3, c5;
    Pool2dGeom s2, s4;
    LinearGeom c5_fc, f6, out; /* C5 as a linear layer, eq. (6.32) */
} Shapes;

static Shapes shapes(const Lenet *m, int n)
{
    Shapes s = {.c1 = m->c1, .c3 = m->c3, .c5 = m->c5, .s2 = m->s2, .s4 = m->s4,
                .c5_fc = {.n = n, .in = LENET_C3 * LENET_K * LENET_K, .out = LENET_C5},
                .f6 = {.n = n, .in = LENET_C5, .out = LENET_F6},
                .out = {.n = n, .in = LENET_F6, .out = LENET_CLASSES}};
    s.c1.n = s.c3.n = s.c5.n = s.s2.n = s.s4.n = n;
    return s;
}

/* >>> forward */
void lenet_forward(Lenet *m, const float *x, int n, float *logits)
{
    const Shapes s = shapes(m, n);
    const LenetParams *p = &m->p;
    LenetActs *a = &m->a;
    const int old = m->variant == LENET_1998;
    a->x = x;

    conv2d_forward_algo(&s.c1, x, p->c1_w, p->c1_b, a->h1, m->algo, m->ws,
                        m->ws_bytes);                                  /* C1 */
    act_forward(m, a->h1, conv2d_y_numel(&s.c1));
    if (old) subsample_forward(&s.s2, a->h1, p->s2_w, p->s2_b, a->p2, a->h2);
    else maxpool2d_forward(&s.s2, a->h1, a->h2);                       /* S2 */
    if (old) act_forward(m, a->h2, pool2d_out_numel(&s.s2));

    conv2d_forward_algo(&s.c3, a->h2, p->c3_w, p->c3_b, a->h3, m->algo, m->ws,
                        m->ws_bytes);                                  /* C3 */
    act_forward(m, a->h3, conv2d_y_numel(&s.c3));
    if (old) subsample_forward(&s.s4, a->h3, p->s4_w, p->s4_b, a->p4, a->h4);
    else maxpool2d_forward(&s.s4, a->h3, a->h4);                       /* S4 */
    if (old) act_forward(m, a->h4, pool2d_out_numel(&s.s4));

    linear_forward(&s.c5_fc, a->h4, p->c5_w, p->c5_b, a->h5);          /* C5 */
    act_forward(m, a->h5, conv2d_y_numel(&s.c5));
    linear_forward(&s.f6, a->h5, p->f6_w, p->f6_b, a->h6);             /* F6 */
    act_forward(m, a->h6, (size_t)n * LENET_F6);

    if (old) rbf_forward(n, a->h6, logits);                        /* output */
    else linear_forward(&s.out, a->h6, p->out_w, p->out_b, logits);
}
/* <<< forward */

/* >>> backward */
void lenet_backward(Lenet *m, const float *dlogits, int n)
{
    const Shapes s = shapes(m, n);
    const LenetParams *p = &m->p;
    const LenetParams *dp = &m->dp;
    const LenetActs *a = &m->a;
    const int old = m->variant == LENET_1998;
    float *g1 = a->g1, *g2 = a->g2;

    if (old) rbf_backward(n, a->h6, dlogits, g1);                  /* output */
    else linear_backward(&s.out, a->h6, p->out_w, dlogits, g1, dp->out_w,
                         dp->out_b);
    act_backward(m, a->h6, g1, (size_t)n * LENET_F6);
    linear_backward(&s.f6, a->h5, p->f6_w, g1, g2, dp->f6_w, dp->f6_b); /* F6 */

    act_backward(m, a->h5, g2, conv2d_y_numel(&s.c5));
    linear_backward(&s.c5_fc, a->h4, p->c5_w, g2, g1, dp->c5_w, dp->c5_b); /* C5 */

    if (old) {                                                         /* S4 */
        act_backward(m, a->h4, g1, pool2d_out_numel(&s.s4));
        subsample_backward(&s.s4, a->p4, p->s4_w, g1, g2, dp->s4_w, dp->s4_b);
    } else {
        maxpool2d_backward(&s.s4, a->h3, g1, g2);
    }
    act_backward(m, a->h3, g2, conv2d_y_numel(&s.c3));
    conv2d_backward_algo(&s.c3, a->h2, p->c3_w, g2, g1, dp->c3_w, dp->c3_b,
                         m->algo, m->ws, m->ws_bytes);                 /* C3 */
    if (old) lenet_c3_mask(dp->c3_w);

    if (old) {                                                         /* S2 */
        act_backward(m, a->h2, g1, pool2d_out_numel(&s.s2));
        subsample_backward(&s.s2, a->p2, p->s2_w, g1, g2, dp->s2_w, dp->s2_b);
    } else {
        maxpool2d_backward(&s.s2, a->h1, g1, g2);
    }
    act_backward(m, a->h1, g2, conv2d_y_numel(&s.c1));
    conv2d_backward_algo(&s.c1, a->x, p->c1_w, g2, NULL, dp->c1_w, dp->c1_b,
                         m->algo, m->ws, m->ws_bytes);                 /* C1 */
}
/* <<< backward */

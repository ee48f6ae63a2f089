/* lenet.c: chapter 06, the exercise on the whole model: LeNet-5's forward
 * and backward passes, assembled from the layers you already have
 * (conv2d_forward_algo/conv2d_backward_algo of chapter 05's engine,
 * max-pooling of chapters 02 and 03, layers.h) and the given 1998 layers of
 * lenet.h (subsample_*, rbf_*, lenet_c3_mask). The contract is in lenet.h;
 * the lesson's section "Assembling the network" walks through it. */
#include "lenet.h"

#include "02-pooling/pool.h"
#include "03-backprop/backprop.h"

/* Forward pass: x (n, 1, 32, 32) -> logits (n, 10), keeping in m->a what
 * the backward pass needs. */
void lenet_forward(Lenet *m, const float *x, int n, float *logits)
{
    /* TODO: copy m->c1, m->c3, m->c5, m->s2 and m->s4 and set each copy's
     * .n to n (the model's geometries are for its largest batch); then,
     * layer by layer as in the table at the top of lenet.h:
     *   C1: conv2d_forward_algo(&c1, x, m->p.c1_w, m->p.c1_b, m->a.h1,
     *       m->algo, m->ws, m->ws_bytes), then the activation in place
     *       (scaled_tanh_forward for LENET_1998, relu_forward otherwise);
     *   S2: subsample_forward (1998, into p2 and h2, then the activation)
     *       or maxpool2d_forward (modern);
     *   C3 and S4 likewise; C5 with linear_forward on S4's 400 values
     *   per image (lenet.h explains why that is C5); F6 with
     *   linear_forward; the output with rbf_forward (1998) or
     *   linear_forward (modern).
     * Store x in m->a.x: the backward pass reads it. */
    (void)m;
    (void)x;
    (void)n;
    (void)logits;
}

/* Backward pass: dlogits (n, 10) -> every gradient in m->dp. */
void lenet_backward(Lenet *m, const float *dlogits, int n)
{
    /* TODO: the forward pass in reverse. Each layer's input gradient goes
     * into one of the scratch buffers m->a.g1, m->a.g2 and is the next
     * layer's dy, so they take turns. Activations go backward in place from
     * their outputs (h6, h5, ...); C1 needs no dx (pass NULL). In the 1998
     * net, mask C3's weight gradient with lenet_c3_mask. */
    (void)m;
    (void)dlogits;
    (void)n;
}

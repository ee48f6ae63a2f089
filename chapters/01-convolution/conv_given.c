/* conv_given.c: chapter 01, code that is given, not an exercise. It is
 * compiled once and linked with your conv.c and with the reference solution
 * alike. */
#include "conv.h"

/* Given: the output's height and width, eq. (1.7) on each axis. */
int conv2d_out_h(const Conv2dGeom *g)
{
    return conv_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->dil_h);
}

int conv2d_out_w(const Conv2dGeom *g)
{
    return conv_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->dil_w);
}

/* Given: the element counts of the layer's tensors, in size_t. */
size_t conv2d_x_numel(const Conv2dGeom *g)
{
    return (size_t)g->n * (size_t)g->c_in * (size_t)g->h * (size_t)g->w;
}

size_t conv2d_weight_numel(const Conv2dGeom *g)
{
    return (size_t)g->c_out * (size_t)(g->c_in / g->groups) * (size_t)g->kh *
           (size_t)g->kw;
}

size_t conv2d_y_numel(const Conv2dGeom *g)
{
    int oh = conv2d_out_h(g), ow = conv2d_out_w(g);
    if (oh <= 0 || ow <= 0)
        return 0;
    return (size_t)g->n * (size_t)g->c_out * (size_t)oh * (size_t)ow;
}

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

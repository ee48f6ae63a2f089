/* pool_given.c: chapter 02, code that is given, not an exercise. It is
 * compiled once and linked with your pool.c and with the reference solution
 * alike. */
#include "pool.h"

/* Given: the output's height and width, eqs. (2.4)-(2.6) on each axis. */
int pool2d_out_h(const Pool2dGeom *g)
{
    return pool_out_size(g->h, g->kh, g->stride_h, g->pad_h, g->ceil_mode);
}

int pool2d_out_w(const Pool2dGeom *g)
{
    return pool_out_size(g->w, g->kw, g->stride_w, g->pad_w, g->ceil_mode);
}

/* Given: the number of elements of y, n * c * OH * OW, in size_t so that
 * it does not wrap past 2^31. */
size_t pool2d_out_numel(const Pool2dGeom *g)
{
    int oh = pool2d_out_h(g), ow = pool2d_out_w(g);
    if (oh <= 0 || ow <= 0)
        return 0;
    return (size_t)g->n * (size_t)g->c * (size_t)oh * (size_t)ow;
}

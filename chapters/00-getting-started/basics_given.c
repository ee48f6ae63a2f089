/* basics_given.c: chapter 00, code that is given, not an exercise. It is
 * compiled once and linked with your basics.c and with the reference
 * solution alike, so both use the very same definitions. */
#include "basics.h"

/* Given: the number of elements N*C*H*W, computed in size_t. */
size_t dims4_numel(Dims4 d)
{
    return (size_t)d.n * (size_t)d.c * (size_t)d.h * (size_t)d.w;
}

/* >>> nhwc-to-nchw */
/* The inverse of nchw_to_nhwc, written with pointer-to-array casts: after
 * the casts, s[n][h][w][c] and t[n][c][h][w] are the tensors' elements and
 * the compiler does the offset arithmetic of eqs. (0.2) and (0.4). */
void nhwc_to_nchw(Dims4 d, const float *src, float *dst)
{
    const float (*s)[d.h][d.w][d.c] = (const float (*)[d.h][d.w][d.c])src;
    float (*t)[d.c][d.h][d.w] = (float (*)[d.c][d.h][d.w])dst;
    for (int n = 0; n < d.n; n++)
        for (int c = 0; c < d.c; c++)
            for (int h = 0; h < d.h; h++)
                for (int w = 0; w < d.w; w++)
                    t[n][c][h][w] = s[n][h][w][c];
}
/* <<< nhwc-to-nchw */

/* winograd.c: chapter 05, the exercises on Winograd's minimal filtering
 * algorithms. Implement the functions marked TODO in the order they appear
 * (the lesson's "Your turn" section) and check each with
 * `./build.sh check 05`. The contracts are in winograd.h; equation numbers
 * refer to lesson.md. Nothing here needs to allocate memory: the layer
 * functions get a workspace. */
#include "winograd.h"

/* c = a b for row-major matrices: a is ra x ca, b is ca x cb, c is
 * ra x cb. Given (not an exercise): the transforms are products of small
 * matrices, and this is all the matrix code you need. */
static void small_matmul(const float *a, const float *b, float *c, int ra,
                         int ca, int cb)
{
    for (int i = 0; i < ra; i++)
        for (int j = 0; j < cb; j++) {
            float s = 0.0f;
            for (int k = 0; k < ca; k++)
                s += a[i * ca + k] * b[k * cb + j];
            c[i * cb + j] = s;
        }
}

/* >>> wino_todo_matrices */
/* The matrices of F(2x2,3x3), eq. (5.25). TODO: fill them in from the
 * lesson (each is row-major: BT[r][c] is row r of B^T). You need their
 * transposes too (B, G^T, A): write them out as well, or transpose in code. */
static const float BT[4][4] = {{0}}; /* TODO: B^T, 4 x 4 */
static const float G[4][3] = {{0}};  /* TODO: G,   4 x 3 */
static const float AT[2][4] = {{0}}; /* TODO: A^T, 2 x 4 */
/* <<< wino_todo_matrices */

/* Filter transform, eq. (5.26): u = G g G^T (4x3 times 3x3 times 3x4). */
void winograd_filter_transform(const float g[9], float u[16])
{
    /* TODO: two calls of small_matmul, with a 4x3 temporary in between. */
    (void)small_matmul;
    (void)G;
    (void)g;
    (void)u;
}

/* Input transform, eq. (5.26): v = B^T d B. */
void winograd_input_transform(const float d[16], float v[16])
{
    /* TODO: as above, with B^T and B. */
    (void)BT;
    (void)d;
    (void)v;
}

/* Output transform, eq. (5.26): y = A^T m A (2x4 times 4x4 times 4x2). */
void winograd_output_transform(const float m[16], float y[4])
{
    /* TODO: as above, with A^T and A. */
    (void)AT;
    (void)m;
    (void)y;
}

/* >>> wino_todo_conv */
/* The layer by F(2x2,3x3), eqs. (5.27)-(5.28). */
int conv2d_forward_winograd(const Conv2dGeom *g, const float *x,
                            const float *w, const float *bias, float *y,
                            void *ws)
{
    /* TODO:
     * 0. If winograd_unsupported(g) is not NULL, return -1 (write nothing).
     * 1. U = ws as C_out x C_in x 16 floats: U[k][c] = the filter transform
     *    of w[k][c] (every filter once, eq. 5.27).
     * 2. V = the next C_in x 16 floats of ws (after U).
     *    OH, OW from conv2d_out_h/w; tiles TH = ceil(OH/2), TW = ceil(OW/2).
     *    For each image n and tile (ti, tj):
     *    a. for each input channel c: copy the 4x4 input window with corner
     *       (2ti - pad_h, 2tj - pad_w) into d, with 0 for the rows and
     *       columns outside the image; V[c] = input transform of d;
     *    b. for each output channel k: m[e] = sum_c U[k][c][e] * V[c][e]
     *       (e < 16: the elementwise product, summed over channels), then
     *       the output transform of m gives the 2x2 tile; add bias[k] (if
     *       bias is not NULL) and store the outputs (2ti+r, 2tj+s) that
     *       exist (r, s < 2, row < OH, column < OW).
     * 3. Return 0. */
    (void)g;
    (void)x;
    (void)w;
    (void)bias;
    (void)y;
    (void)ws;
    return 0;
}
/* <<< wino_todo_conv */

/* The layer by F(4x4,3x3), eq. (5.30): the same algorithm with 6x6 input
 * windows with corner (4ti - pad_h, 4tj - pad_w), 4x4 output tiles and the
 * F(4x4,3x3) matrices (B^T 6x6, G 6x3, A^T 4x6) of the lesson. */
int conv2d_forward_winograd4(const Conv2dGeom *g, const float *x,
                             const float *w, const float *bias, float *y,
                             void *ws)
{
    /* TODO: best done by making your F(2x2) code take m (2 or 4) and the
     * three matrices as parameters, so that both layers call it. The
     * workspace has room for C_out x C_in x 36 + C_in x 36 floats. */
    (void)g;
    (void)x;
    (void)w;
    (void)bias;
    (void)y;
    (void)ws;
    return 0;
}

/* Multiplications of the elementwise stage, eq. (5.29):
 *   N * C_out * C_in * ceil(OH/m) * ceil(OW/m) * (m + 2)^2. */
long long winograd_mults(const Conv2dGeom *g, int m)
{
    /* TODO: in long long: cast the first factor before multiplying. */
    (void)g;
    (void)m;
    return 0;
}

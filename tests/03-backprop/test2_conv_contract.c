/* test2_conv_contract.c: the rest of conv2d_backward's contract: NULL
 * outputs, overwriting, agreement with finite differences of the forward
 * pass (no gradient formula involved), and offsets past 2^31. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE (Linux, BSDs) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "grade.h"
#include "oracle_03.h"
#include "util.h"

#define COMMON_MISTAKES CB_DX_NO_FLIP, CB_DW_FLIPPED, CB_DB_ALL_CHANNELS, \
                        CB_DB_MEAN, CB_BATCH_FIRST, CB_BATCH_LAST, \
                        CB_BATCH_MEAN, CB_PAD_SIGN

/* Every choice of outputs: the ones asked for are right, the NULL ones are
 * left alone (a write through NULL crashes the test).
 * clause: conv-null, conv-null-independent */
START_TEST(test_cb_null_outputs)
{
    Conv2dGeom g = conv_geom(2, 2, 6, 5, 3, 3, 2);
    g.pad_h = 1;
    const ConvBackMistake m[] = {COMMON_MISTAKES, CB_RIGHT};
    for (int want = 0; want <= WANT_ALL; want++)
        check_conv2d_backward(&g, want, 4001, m);
}
END_TEST

/* x is only read for dweight, weight only for dx: with the other outputs
 * NULL, a NULL x (or weight) must not be touched. clause: conv-reads */
START_TEST(test_cb_null_inputs)
{
    Conv2dGeom g = conv_geom(1, 2, 5, 5, 2, 3, 3);
    g.pad_h = g.pad_w = 1;
    float *x = random_floats(50, 4011), *w = random_floats(36, 4012);
    float *dy = random_floats(50, 4013);
    float dx[50], dw[36], db[2];
    double want_dx[50], want_dw[36], want_db[2];
    float garbage[50];
    fill_garbage(garbage, 50, 4014);
    oracle_conv2d_backward(&g, x, w, dy, CB_RIGHT, want_dx, want_dw, want_db);

    char params[256], msg[3000];
    format_conv_geom(params, sizeof params, &g);
    const size_t sx[4] = {1, 2, 5, 5}, sw[4] = {2, 2, 3, 3}, sb[1] = {2};
    int bad;

    memcpy(dx, garbage, sizeof dx);
    memcpy(db, garbage, sizeof db);
    conv2d_backward(&g, NULL, w, dy, dx, NULL, db); /* x not needed */
    strncat(params, ", x = NULL, dweight = NULL", sizeof params - strlen(params) - 1);
    bad = compare_grad("conv2d_backward", "dx", params, 4, sx, dx, want_dx,
                       garbage, NULL, NULL, 0, msg, sizeof msg);
    if (!bad)
        bad = compare_grad("conv2d_backward", "dbias", params, 1, sb, db,
                           want_db, garbage, NULL, NULL, 0, msg, sizeof msg);

    if (!bad) {
        format_conv_geom(params, sizeof params, &g);
        strncat(params, ", weight = NULL, dx = NULL", sizeof params - strlen(params) - 1);
        memcpy(dw, garbage, sizeof dw);
        conv2d_backward(&g, x, NULL, dy, NULL, dw, NULL); /* weight not needed */
        bad = compare_grad("conv2d_backward", "dweight", params, 4, sw, dw,
                           want_dw, garbage, NULL, NULL, 0, msg, sizeof msg);
    }
    free(x);
    free(w);
    free(dy);
    if (bad)
        ck_abort_msg("%s", msg);
}
END_TEST

/* The same buffers twice in a row, as in a training loop: the second call
 * must not add to what the first one stored. clause: conv-overwrite */
START_TEST(test_cb_twice)
{
    Conv2dGeom g = conv_geom(2, 2, 6, 6, 2, 3, 3);
    g.stride_h = g.stride_w = 2;
    g.pad_h = g.pad_w = 1;
    const size_t nx = 144, nw = 36, ny = 2 * 2 * 3 * 3;
    float *x = random_floats(nx, 4021), *w = random_floats(nw, 4022);
    float *dy = random_floats(ny, 4023);
    float *out[3] = {xmalloc(nx * sizeof(float)), xmalloc(nw * sizeof(float)),
                     xmalloc(2 * sizeof(float))};
    float *first[3] = {xmalloc(nx * sizeof(float)), xmalloc(nw * sizeof(float)),
                       xmalloc(2 * sizeof(float))};
    double *want[3] = {xmalloc(nx * sizeof(double)), xmalloc(nw * sizeof(double)),
                       xmalloc(2 * sizeof(double))};
    const size_t count[3] = {nx, nw, 2};
    for (int k = 0; k < 3; k++)
        fill_garbage(out[k], count[k], 4024 + k);
    oracle_conv2d_backward(&g, x, w, dy, CB_RIGHT, want[0], want[1], want[2]);

    char params[300], msg[3000];
    const char *names[3] = {"dx", "dweight", "dbias"};
    const size_t shapes[3][4] = {{2, 2, 6, 6}, {2, 2, 3, 3}, {2, 0, 0, 0}};
    int bad = 0;
    /* The first call, on garbage, then the second, on the first's results. */
    for (int call = 1; call <= 2 && !bad; call++) {
        for (int k = 0; k < 3; k++)
            memcpy(first[k], out[k], count[k] * sizeof(float));
        conv2d_backward(&g, x, w, dy, out[0], out[1], out[2]);
        format_conv_geom(params, sizeof params, &g);
        strncat(params, call == 1 ? ", first call" : ", second call on the same buffers",
                sizeof params - strlen(params) - 1);
        for (int k = 0; k < 3 && !bad; k++)
            bad = compare_grad("conv2d_backward", names[k], params, k == 2 ? 1 : 4,
                               shapes[k], out[k], want[k], first[k], NULL, NULL, 0,
                               msg, sizeof msg);
    }
    for (int k = 0; k < 3; k++) {
        free(out[k]);
        free(first[k]);
        free(want[k]);
    }
    free(x);
    free(w);
    free(dy);
    if (bad)
        ck_abort_msg("%s", msg);
}
END_TEST

/* Random layers, each gradient against the central difference of the
 * forward pass's probe loss, eq. (3.15). clause: conv-db, conv-dw, conv-dx */
START_TEST(test_cb_numeric)
{
    Conv2dGeom a = conv_geom(2, 4, 7, 6, 4, 3, 2);
    a.stride_h = 2;
    a.pad_w = 1;
    a.dil_h = 2;
    a.groups = 2;
    Conv2dGeom b = conv_geom(1, 3, 6, 8, 2, 2, 3);
    b.stride_w = 3;
    b.pad_h = 2;
    b.dil_w = 2;
    for (int which = 0; which < 3; which++) {
        check_conv2d_backward_numeric(&a, which, 4101 + 10 * which);
        check_conv2d_backward_numeric(&b, which, 4201 + 10 * which);
    }
}
END_TEST

/* x with 2^31 + 65536 elements, reserved but never allocated (only the
 * pages the layer reads are touched): a 1x1 kernel with stride (32768,
 * 65535) reads the four corners, and the last one sits at offset
 * 32768 * 65536 + 65535 > 2^31 - 1. dx = NULL, so only dweight and dbias are
 * computed. clause: conv-size_t, conv-null */
START_TEST(test_cb_past_2_31)
{
    const int H = 32769, W = 65536;
    const size_t nx = (size_t)H * W, bytes = nx * sizeof(float);
    float *x = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_msg(x != MAP_FAILED, "test error: cannot reserve %zu bytes of "
                  "address space for x", bytes);
    Conv2dGeom g = conv_geom(1, 1, H, W, 1, 1, 1);
    g.stride_h = 32768;
    g.stride_w = 65535;
    /* y is 2 x 2: outputs (i, j) read x[i*32768][j*65535]. */
    x[0] = 1.0f;
    x[65535] = 2.0f;
    x[(size_t)32768 * W] = 4.0f;
    x[(size_t)32768 * W + 65535] = 8.0f;
    const float dy[4] = {1.0f, 10.0f, 100.0f, 1000.0f};
    float dw = 777.0f, db = 777.0f;
    conv2d_backward(&g, x, NULL, dy, NULL, &dw, &db);
    munmap(x, bytes);
    /* 1*1 + 10*2 + 100*4 + 1000*8, exact in float. Without the last output
     * row (i = 1) the sum is 21, without the last column (j = 1) 401,
     * without both 1: a loop bound, not an offset. Only the term past
     * offset 2^31 - 1 missing (421) points at the offset itself. (An int
     * offset usually overflows to a negative one: UBSan or a crash reports
     * it before any value is returned.) */
    const char *hint = NULL;
    if (dw == 421.0f)
        hint = "the pixel past offset 2^31 - 1 was read wrongly: compute "
               "offsets in size_t (or with pointer-to-array views), not int.";
    else if (dw == 21.0f || dw == 401.0f || dw == 1.0f)
        hint = "the terms of the last output row or column (i = OH-1 or "
               "j = OW-1) are missing: check the upper bound of the output "
               "positions each tap sums over.";
    grade_expect_double("conv2d_backward(N=1 C_in=1 H=32769 W=65536, C_out=1 "
                        "KH=1 KW=1, stride=(32768,65535)): dweight[0]", dw,
                        8421.0, 1e-6, hint);
    grade_expect_double("conv2d_backward(... the same ...): dbias[0]", db,
                        1111.0, 1e-6, NULL);
}
END_TEST

GRADED_SUITE(conv_contract_suite, "conv2d_backward contract",
    GRADED(test_cb_null_outputs, 3, "conv2d_backward: any of dx, dweight, dbias NULL"),
    GRADED(test_cb_null_inputs, 2, "conv2d_backward: x unused without dweight, weight unused without dx"),
    GRADED(test_cb_twice, 2, "conv2d_backward: called twice on the same buffers (overwrite)"),
    GRADED(test_cb_numeric, 4, "conv2d_backward: agrees with finite differences of the forward pass"),
    GRADED(test_cb_past_2_31, 2, "conv2d_backward: x with more than 2^31 elements"));

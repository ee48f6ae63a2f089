/* test_archspec.c: unit tests of the one-line architecture form
 * (common/archspec.[ch]): the fields every layer kind gets, the defaults,
 * channels flowing from layer to layer, labels, the known architectures,
 * and that a malformed spec is refused with one sentence naming the word.
 * (tests/tooling/test_cnn_04.sh tests the same form through `cnn rf`, with
 * every error message.)
 *
 * A plain Check program, linked with common/ only:
 *   build/asan/bin/test_archspec: tests/tooling/test_archspec.c + common/
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "archspec.h"
#include "util.h"

/* Parses text, which must succeed. */
static ArchSpec parse_ok(const char *text)
{
    ArchSpec s;
    CnnError e = {""};
    int rc = arch_parse(text, &s, &e);
    ck_assert_msg(rc == 0, "arch_parse(\"%s\") failed: %s", text, e.msg);
    return s;
}

/* Parses text, which must fail with a message containing word. */
static void parse_bad(const char *text, const char *word)
{
    ArchSpec s;
    CnnError e = {""};
    int rc = arch_parse(text, &s, &e);
    ck_assert_msg(rc == -1, "arch_parse(\"%s\") accepted a malformed spec", text);
    ck_assert_msg(strstr(e.msg, word) != NULL,
                  "arch_parse(\"%s\"): the message '%s' does not name '%s'", text,
                  e.msg, word);
    ck_assert_msg(strchr(e.msg, '\n') == NULL, "the message '%s' is not one line", e.msg);
    ck_assert_msg(s.n == 0 && s.layers == NULL, "a failed parse left layers behind");
    arch_free(&s);
}

START_TEST(test_conv_fields)
{
    ArchSpec s = parse_ok("conv3x5 64 s2x1 p1x2 d3 g4 nobias");
    ck_assert_int_eq(s.n, 1);
    const ArchLayer *l = &s.layers[0];
    ck_assert_int_eq(l->kind, ARCH_CONV);
    ck_assert_int_eq(l->kh, 3);
    ck_assert_int_eq(l->kw, 5);
    ck_assert_int_eq(l->stride_h, 2);
    ck_assert_int_eq(l->stride_w, 1);
    ck_assert_int_eq(l->pad_h, 1);
    ck_assert_int_eq(l->pad_w, 2);
    ck_assert_int_eq(l->dil_h, 3);
    ck_assert_int_eq(l->dil_w, 3);
    ck_assert_int_eq(l->groups, 4);
    ck_assert_int_eq(l->channels, 64);
    ck_assert_int_eq(l->bias, 0);
    ck_assert_ptr_null(l->label);
    ck_assert_str_eq(l->text, "conv3x5 64 s2x1 p1x2 d3 g4 nobias");
    ck_assert_int_eq(s.in_h, 0);
    ck_assert_ptr_null(s.name);
    arch_free(&s);
}
END_TEST

START_TEST(test_defaults)
{
    ArchSpec s = parse_ok("conv3, maxpool3, pool2x4, avgpool2 s1 p1, fc, gap, relu");
    ck_assert_int_eq(s.n, 7);
    const ArchLayer *c = &s.layers[0], *m = &s.layers[1], *p = &s.layers[2];
    const ArchLayer *a = &s.layers[3], *f = &s.layers[4], *g = &s.layers[5];
    /* conv: stride 1, no padding, dilation 1, one group, a bias */
    ck_assert(c->stride_h == 1 && c->stride_w == 1 && c->pad_h == 0 && c->dil_w == 1);
    ck_assert(c->groups == 1 && c->bias == 1 && c->channels == 0);
    /* pooling: the stride defaults to the window, as in PyTorch */
    ck_assert(m->kind == ARCH_MAXPOOL && m->stride_h == 3 && m->stride_w == 3);
    ck_assert(p->kind == ARCH_MAXPOOL && p->kh == 2 && p->kw == 4 && p->stride_w == 4);
    ck_assert(a->kind == ARCH_AVGPOOL && a->stride_h == 1 && a->pad_w == 1);
    ck_assert(m->groups == 0 && m->bias == 0);
    ck_assert(f->kind == ARCH_FC && f->bias == 1 && f->kh == 0 && f->stride_h == 0);
    ck_assert(g->kind == ARCH_GAP && arch_is_pointwise(s.layers[6].kind));
    ck_assert(arch_has_window(ARCH_AVGPOOL) && !arch_has_window(ARCH_FC));
    ck_assert_str_eq(arch_kind_name(ARCH_AVGPOOL), "avgpool");
    arch_free(&s);
}
END_TEST

/* Channels flow from the input through every layer that keeps them. */
START_TEST(test_channels)
{
    ArchSpec s = parse_ok("in32x28 c3, conv5 6, tanh, avgpool2, conv5 c16 g2, "
                          "bn, conv1, fc 120, dropout, fc 10 nobias");
    ck_assert(s.in_h == 32 && s.in_w == 28 && s.in_c == 3);
    ck_assert_int_eq(s.n, 9);
    const int in_c[] = {3, 6, 6, 6, 16, 16, 0, 120, 120};
    const int out_c[] = {6, 6, 6, 16, 16, 0, 120, 120, 10};
    for (int l = 0; l < 9; l++) {
        ck_assert_msg(s.layers[l].in_c == in_c[l], "layer %d ('%s'): in_c %d, want %d",
                      l + 1, s.layers[l].text, s.layers[l].in_c, in_c[l]);
        ck_assert_msg(s.layers[l].out_c == out_c[l], "layer %d ('%s'): out_c %d, want %d",
                      l + 1, s.layers[l].text, s.layers[l].out_c, out_c[l]);
    }
    ck_assert_int_eq(s.layers[8].bias, 0);
    arch_free(&s);
}
END_TEST

START_TEST(test_labels_and_text)
{
    ArchSpec s = parse_ok("  conv1_1 :  CONV3   64  P1 ,pool1:MaxPool2, x.y-z: relu");
    ck_assert_int_eq(s.n, 3);
    ck_assert_str_eq(s.layers[0].label, "conv1_1");
    ck_assert_str_eq(s.layers[0].text, "CONV3 64 P1");
    ck_assert_int_eq(s.layers[0].pad_h, 1);
    ck_assert_str_eq(s.layers[1].label, "pool1");
    ck_assert_str_eq(s.layers[1].text, "MaxPool2");
    ck_assert_str_eq(s.layers[2].label, "x.y-z");
    arch_free(&s);
}
END_TEST

/* The known architectures: their layer counts and a few layers. */
START_TEST(test_known)
{
    static const struct {
        const char *name;
        int n, in_h, convs;
    } want[] = {
        {"lenet5", 11, 32, 3},  {"alexnet", 22, 227, 5}, {"vgg11", 28, 224, 8},
        {"vgg13", 32, 224, 10}, {"vgg16", 38, 224, 13},  {"vgg19", 44, 224, 16},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        ck_assert_str_eq(arch_known_names[k], want[k].name);
        ck_assert_ptr_nonnull(arch_known_text(want[k].name));
        ArchSpec s = parse_ok(want[k].name);
        ck_assert_str_eq(s.name, want[k].name);
        ck_assert_msg(s.n == want[k].n && s.in_h == want[k].in_h,
                      "%s: %d layers on %d, want %d on %d", want[k].name, s.n,
                      s.in_h, want[k].n, want[k].in_h);
        int convs = 0;
        for (int l = 0; l < s.n; l++)
            convs += s.layers[l].kind == ARCH_CONV;
        ck_assert_int_eq(convs, want[k].convs);
        arch_free(&s);
    }
    ck_assert_ptr_null(arch_known_text("resnet50"));
    ArchSpec a = parse_ok(" AlexNet ");
    ck_assert_str_eq(a.name, "alexnet");
    ck_assert_str_eq(a.layers[4].label, "conv2");
    ck_assert(a.layers[4].groups == 2 && a.layers[4].pad_h == 2 && a.layers[4].in_c == 96);
    ck_assert(a.layers[21].kind == ARCH_FC && a.layers[21].channels == 1000);
    arch_free(&a);
}
END_TEST

START_TEST(test_bad)
{
    parse_bad("", "empty");
    parse_bad("conv3,,conv3", "layer 2 is empty");
    parse_bad("conv3, pool", "'pool'");
    parse_bad("conv3 p1 conv3", "'conv3'");
    parse_bad("convolution3", "'convolution3'");
    parse_bad("conv3 s0", "'s0'");
    parse_bad("conv3 g3 64", "groups");
    parse_bad("avgpool3 p2", "padding");
    parse_bad("maxpool3 d2 p3", "padding");
    parse_bad("fc 10 s2", "'s2'");
    parse_bad("relu 3", "'3'");
    parse_bad("conv3, in32", "must come first");
    parse_bad("vgg16, fc 10", "'vgg16'");
    parse_bad("a b: conv3", "label");
    parse_bad("conv3 1234567", "1234567");
}
END_TEST

/* Many layers and long specs: no fixed limit on their number. */
START_TEST(test_long)
{
    size_t n = 2000, len = n * 16 + 1;
    char *text = malloc(len);
    text[0] = '\0';
    for (size_t l = 0; l < n; l++)
        strcat(text, l ? ", conv3 s2 p1" : "conv3 s2 p1");
    ArchSpec s = parse_ok(text);
    ck_assert_int_eq(s.n, (int)n);
    ck_assert_str_eq(s.layers[n - 1].text, "conv3 s2 p1");
    arch_free(&s);
    free(text);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("archspec");
    TCase *tc = tcase_create("archspec");
    tcase_add_test(tc, test_conv_fields);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_channels);
    tcase_add_test(tc, test_labels_and_text);
    tcase_add_test(tc, test_known);
    tcase_add_test(tc, test_bad);
    tcase_add_test(tc, test_long);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

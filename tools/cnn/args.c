/* args.c: parsing `cnn op NAME ...` (see cnn_args.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnn_args.h"

/* ---- flag values -------------------------------------------------------- */

/* One integer filling all of text, or -1. A number too large for a long
 * comes back as LONG_MAX or LONG_MIN, which the range check refuses. */
static int parse_long(const char *text, long *v)
{
    char *end;
    *v = strtol(text, &end, 10);
    while (*end == ' ') end++;
    if (end == text || *end != '\0') return -1;
    return 0;
}

/* "a" or "a,b" (PyTorch's int or (h, w) tuple). */
static int parse_pair(const char *text, long v[2])
{
    const char *comma = strchr(text, ',');
    if (!comma) {
        if (parse_long(text, &v[0])) return -1;
        v[1] = v[0];
        return 0;
    }
    char first[64];
    size_t len = (size_t)(comma - text);
    if (len >= sizeof first) return -1;
    memcpy(first, text, len);
    first[len] = '\0';
    return parse_long(first, &v[0]) || parse_long(comma + 1, &v[1]) ? -1 : 0;
}

static int syntax_error(const CnnFlagSpec *s, const char *text, CnnError *e)
{
    switch (s->kind) {
    case CNN_FLAG_INT:
        return cnn_fail(e, "--%s takes an integer such as %s, but got '%s'",
                        s->name, s->def, text);
    case CNN_FLAG_INT_PAIR:
        return cnn_fail(e, "--%s takes an integer or a pair h,w such as %s or "
                        "%s,%s, but got '%s'",
                        s->name, s->def, s->def, s->def, text);
    case CNN_FLAG_FLOAT:
        return cnn_fail(e, "--%s takes a number such as %s, but got '%s'",
                        s->name, s->def, text);
    case CNN_FLAG_BOOL:
        return cnn_fail(e, "--%s takes 1 (true) or 0 (false), but got '%s'",
                        s->name, text);
    case CNN_FLAG_WORD:
        return cnn_fail(e, "--%s takes one of %s, but got '%s'", s->name,
                        s->def, text);
    }
    return cnn_fail(e, "--%s has an unknown kind", s->name);
}

static int check_range(const CnnFlagSpec *s, const char *text, double v,
                       CnnError *e)
{
    if (v < s->min)
        return cnn_fail(e, "--%s must be >= %.10g but got %s", s->name, s->min,
                        text);
    if (v > s->max)
        return cnn_fail(e, "--%s must be <= %.10g but got %s", s->name, s->max,
                        text);
    return 0;
}

static int parse_int_value(const CnnFlagSpec *s, const char *text,
                           CnnFlagValue *v, CnnError *e)
{
    long n[2] = {0, 0};
    int ok = s->kind == CNN_FLAG_INT_PAIR ? parse_pair(text, n) == 0
                                          : parse_long(text, &n[0]) == 0;
    if (!ok) return syntax_error(s, text, e);
    if (s->kind == CNN_FLAG_INT) n[1] = n[0];
    if (check_range(s, text, (double)n[0], e) ||
        check_range(s, text, (double)n[1], e))
        return -1;
    v->i[0] = (int)n[0], v->i[1] = (int)n[1];
    return 0;
}

int cnn_parse_flag_value(const CnnFlagSpec *s, const char *text,
                         CnnFlagValue *v, CnnError *e)
{
    memset(v, 0, sizeof *v);
    switch (s->kind) {
    case CNN_FLAG_INT:
    case CNN_FLAG_INT_PAIR:
        return parse_int_value(s, text, v, e);
    case CNN_FLAG_FLOAT: {
        char *end;
        errno = 0;
        v->f = strtod(text, &end);
        if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v->f))
            return syntax_error(s, text, e);
        return check_range(s, text, v->f, e);
    }
    case CNN_FLAG_BOOL:
        if (strcmp(text, "1") != 0 && strcmp(text, "0") != 0)
            return syntax_error(s, text, e);
        v->i[0] = v->i[1] = text[0] == '1';
        return 0;
    case CNN_FLAG_WORD: {
        /* the whole list is how set_defaults asks for the default: word 0 */
        if (strcmp(text, s->def) == 0) return 0;
        const size_t len = strlen(text);
        int k = 0;
        for (const char *w = s->def; w; k++) {
            const char *bar = strchr(w, '|');
            const size_t n = bar ? (size_t)(bar - w) : strlen(w);
            if (len > 0 && n == len && strncmp(w, text, n) == 0) {
                v->i[0] = v->i[1] = k;
                return 0;
            }
            w = bar ? bar + 1 : NULL;
        }
        return syntax_error(s, text, e);
    }
    }
    return syntax_error(s, text, e);
}

/* ---- the words ---------------------------------------------------------- */

static int find_flag(const CnnOp *op, const char *name, size_t len)
{
    for (int k = 0; k < cnn_op_n_flags(op); k++)
        if (strlen(op->flag[k].name) == len &&
            strncmp(op->flag[k].name, name, len) == 0)
            return k;
    return -1;
}

/* "--stride, --padding, --dilation and --groups" */
static void flag_list(const CnnOp *op, char *buf, size_t len)
{
    int n = cnn_op_n_flags(op);
    size_t used = 0;
    buf[0] = '\0';
    if (n == 0) snprintf(buf, len, "none");
    for (int k = 0; k < n && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s--%s",
                                 k == 0 ? "" : k == n - 1 ? " and " : ", ",
                                 op->flag[k].name);
}

/* "x, weight, [bias]" */
static void input_list(const CnnOp *op, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < cnn_op_n_inputs(op) && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used,
                                 op->in[k].optional ? "%s[%s]" : "%s%s",
                                 k ? ", " : "", op->in[k].name);
}

/* "dx, dweight, dbias" (sep ", ", suffix "") or "dx.npy dweight.npy ..."
 * (sep " ", suffix ".npy") */
static void output_list(const CnnOp *op, const char *sep, const char *suffix,
                        char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < cnn_op_n_outputs(op) && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s%s",
                                 k ? sep : "", op->out[k].name, suffix);
}

static int is_flag_word(const char *w)
{
    return w[0] == '-' && w[1] != '\0';
}

/* The value of the flag at words[*i]: after '=' or the next word. */
static int flag_value(const CnnFlagSpec *s, int n, char **words, int *i,
                      const char **value, CnnError *e)
{
    const char *word = words[*i], *eq = strchr(word, '=');
    if (eq) {
        *value = eq + 1;
        return 0;
    }
    /* "--padding -1" is a value (refused by its range); "-o" and "--x" are
     * not. */
    if (*i + 1 >= n || strcmp(words[*i + 1], "-o") == 0 ||
        strncmp(words[*i + 1], "--", 2) == 0)
        return cnn_fail(e, "--%s needs a value, e.g. --%s %s: every flag "
                        "takes one (booleans as 1 or 0)", s->name, s->name,
                        s->def);
    *value = words[++*i];
    return 0;
}

static int parse_flag(const CnnOp *op, int n, char **words, int *i,
                      CnnCall *c, int *given, CnnError *e)
{
    const char *word = words[*i], *name = word + 2, *value = NULL;
    if (word[1] != '-') {
        char flags[512];
        flag_list(op, flags, sizeof flags);
        return cnn_fail(e, "%s has no option %s; flags are written --name "
                        "value and its flags are %s", op->name, word, flags);
    }
    size_t len = strcspn(name, "=");
    int k = find_flag(op, name, len);
    if (k < 0) {
        char flags[512];
        flag_list(op, flags, sizeof flags);
        return cnn_fail(e, "%s has no flag --%.*s; its flags are %s", op->name,
                        (int)len, name, flags);
    }
    if (given[k])
        return cnn_fail(e, "--%s is given twice; give each flag once",
                        op->flag[k].name);
    given[k] = 1;
    if (flag_value(&op->flag[k], n, words, i, &value, e)) return -1;
    return cnn_parse_flag_value(&op->flag[k], value, &c->flag[k], e);
}

static int set_defaults(const CnnOp *op, CnnCall *c, CnnError *e)
{
    for (int k = 0; k < cnn_op_n_flags(op); k++)
        if (cnn_parse_flag_value(&op->flag[k], op->flag[k].def, &c->flag[k], e))
            return -1;
    return 0;
}

static int wants_help(int n, char **words)
{
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], "--help") == 0 || strcmp(words[i], "-h") == 0)
            return 1;
    return 0;
}

/* Sorts the words into flags, inputs and outputs; counts are checked
 * afterwards, so a path beyond the maximum is only counted. */
static int sort_words(const CnnOp *op, int n, char **words, CnnCall *c,
                      int *n_o, CnnError *e)
{
    int given[CNN_OP_MAX_FLAGS] = {0};
    for (int i = 0; i < n; i++) {
        const char *w = words[i];
        if (strcmp(w, "-o") == 0) {
            if (++*n_o > 1)
                return cnn_fail(e, "-o is given twice; put every output path "
                                "after one -o");
        } else if (is_flag_word(w)) {
            if (parse_flag(op, n, words, &i, c, given, e)) return -1;
        } else if (*n_o) {
            if (c->n_out < CNN_OP_MAX_OUTPUTS) c->out_path[c->n_out] = w;
            c->n_out++;
        } else {
            if (c->n_in <= CNN_OP_MAX_INPUTS) c->in_path[c->n_in] = w;
            c->n_in++;
        }
    }
    return 0;
}

static int check_inputs(const CnnOp *op, const CnnCall *c, CnnError *e)
{
    char names[512];
    input_list(op, names, sizeof names);
    if (c->n_in < cnn_op_n_required(op))
        return cnn_fail(e, "%s is missing its input %s: give the inputs %s, in "
                        "that order, before -o", op->name,
                        op->in[c->n_in].name, names);
    if (c->n_in > cnn_op_n_inputs(op))
        return cnn_fail(e, "%s takes at most %d inputs (%s) but was given %d; "
                        "the first extra one is %s", op->name,
                        cnn_op_n_inputs(op), names, c->n_in,
                        c->in_path[cnn_op_n_inputs(op)]);
    return 0;
}

static int check_outputs(const CnnOp *op, const CnnCall *c, int n_o,
                         CnnError *e)
{
    int want = cnn_op_n_outputs(op);
    char names[512], files[512];
    output_list(op, ", ", "", names, sizeof names);
    output_list(op, " ", ".npy", files, sizeof files);
    if (n_o == 0)
        return cnn_fail(e, "%s needs the path%s of its output%s (%s) after "
                        "-o, e.g. -o %s", op->name, want == 1 ? "" : "s",
                        want == 1 ? "" : "s", names, files);
    if (c->n_out != want)
        return cnn_fail(e, "%s writes %d output%s (%s) but %d path%s "
                        "follow%s -o", op->name, want, want == 1 ? "" : "s",
                        names, c->n_out, c->n_out == 1 ? "" : "s",
                        c->n_out == 1 ? "s" : "");
    for (int k = 0; k < c->n_out; k++)
        for (int j = 0; j < k; j++)
            if (strcmp(c->out_path[j], c->out_path[k]) == 0)
                return cnn_fail(e, "the output path %s is given twice; each "
                                "output needs its own file", c->out_path[k]);
    return 0;
}

int cnn_parse_call(const CnnOp *op, int n, char **words, CnnCall *c,
                   CnnError *e)
{
    int n_o = 0;
    memset(c, 0, sizeof *c);
    c->op = op;
    if (wants_help(n, words)) {
        c->help = 1;
        return 0;
    }
    if (set_defaults(op, c, e) || sort_words(op, n, words, c, &n_o, e) ||
        check_inputs(op, c, e) || check_outputs(op, c, n_o, e))
        return -1;
    return 0;
}

"""A similarity report of the submissions (./build.sh grade ... --similarity),
for an instructor to review, never a verdict.

Each exercise file becomes a stream of tokens with names, numbers, strings,
comments, layout and preprocessor lines normalized away (so renaming
variables or reformatting changes nothing). Fingerprints are hashes of
every K tokens in a row, thinned by winnowing (the smallest hash of every
window of W, as in MOSS), which keeps any shared run of W + K - 1 tokens
visible. Fingerprints of the skeleton are removed (everyone starts from it),
and so are those most of the class shares (the way everybody writes a
loop). Pairs are ranked by the share of the smaller side's fingerprints they
have in common; the page shows their matching lines side by side.
"""
import collections
import csv
import hashlib
import html
import io
import os
import re

from .common import write_atomic

K = 12          # tokens per fingerprint
W = 8           # winnowing window
TOP = 25        # pairs shown side by side
MIN_SHARE = 0.15

KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Bool _Complex size_t NULL""".split())

TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<pre>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
  | (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<num>\.?[0-9][0-9a-zA-Z_.]*(?:[eEpP][+-][0-9]+)?[a-zA-Z]*)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=]=?|[][(){};,.?:])
  | (?P<ws>\s+)
  | (?P<other>.)
""", re.S | re.M | re.X)


def tokens(text):
    """[(normalized token, line)] of C source TEXT."""
    out = []
    line = 1
    for m in TOKEN.finditer(text):
        kind, t = m.lastgroup, m.group()
        if kind == "id":
            out.append(("V" if t not in KEYWORDS else t, line))
        elif kind == "num":
            out.append(("N", line))
        elif kind == "str":
            out.append(("S", line))
        elif kind in ("op", "other"):
            out.append((t, line))
        line += t.count("\n")
    return out


def fingerprints(text):
    """{hash: (first line, last line)} selected by winnowing."""
    toks = tokens(text)
    grams = []
    for i in range(len(toks) - K + 1):
        h = hashlib.blake2b(" ".join(t for t, _ in toks[i:i + K]).encode(), digest_size=8).digest()
        grams.append((int.from_bytes(h, "big"), toks[i][1], toks[i + K - 1][1]))
    chosen = {}
    if not grams:
        return chosen
    if len(grams) < W:
        g = min(grams)
        return {g[0]: (g[1], g[2])}
    last = -1
    for s in range(len(grams) - W + 1):
        win = grams[s:s + W]
        m = min(range(W), key=lambda k: (win[k][0], -k))  # the rightmost minimum
        if s + m != last:
            last = s + m
            g = grams[last]
            chosen.setdefault(g[0], (g[1], g[2]))
    return chosen


def report(out, subs, kit, chapters, skel_dir):
    """Writes similarity.html and similarity.csv into OUT; returns the page."""
    skel = {}
    for c in chapters:
        fp = set()
        for f in kit["chapters"][c]["exercise_files"]:
            try:
                fp |= set(fingerprints(open(os.path.join(skel_dir, c, f), errors="replace").read()))
            except OSError:
                pass
        skel[c] = fp
    # per submission and chapter: {hash: [(file, l0, l1)]}
    prints = {}
    texts = {}
    for s in subs:
        for c in chapters:
            d = collections.defaultdict(list)
            for f, data in sorted(s.files.get(c, {}).items()):
                text = data.decode("utf-8", "replace")
                texts[(s.name, c, f)] = text
                for h, (l0, l1) in fingerprints(text).items():
                    if h not in skel[c]:
                        d[h].append((f, l0, l1))
            prints[(s.name, c)] = d
    n = len(subs)
    common = {}
    for c in chapters:
        count = collections.Counter(h for s in subs for h in prints[(s.name, c)])
        limit = max(3, n // 2)
        common[c] = {h for h, k in count.items() if k > limit} if n > 4 else set()
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            a, b = subs[i].name, subs[j].name
            shared_all = min_all = 0
            per = {}
            for c in chapters:
                A = set(prints[(a, c)]) - common[c]
                B = set(prints[(b, c)]) - common[c]
                if not A or not B:
                    continue
                sh = A & B
                per[c] = (len(sh), min(len(A), len(B)), sh)
                shared_all += len(sh)
                min_all += min(len(A), len(B))
            if min_all and shared_all:
                pairs.append((shared_all / min_all, a, b, per))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    # the CSV: every pair with something in common
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["submission_a", "submission_b", "share"] + chapters)
    for share, a, b, per in pairs:
        w.writerow([a, b, "%.3f" % share] + ["%.3f" % (per[c][0] / per[c][1]) if c in per else ""
                                             for c in chapters])
    write_atomic(os.path.join(out, "similarity.csv"), buf.getvalue())
    # the page
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Similarity report</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:110em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
             ".side{display:flex;gap:1em}.side>div{flex:1;overflow-x:auto}"
             "pre{font-size:12px;line-height:1.35;margin:0}mark{background:#ffe08a}"
             ".ln{color:#999;user-select:none}</style></head><body>",
             "<h1>Similarity report</h1>",
             "<p><b>For review, never a verdict.</b> Shared code can be legitimate: the "
             "lesson's own listings, a worked example, help given in the open, or the one "
             "natural way to write a short function. Names, layout and comments are ignored; "
             "the skeleton and code most of the class shares are left out. A pair's share is "
             "the fraction of the smaller side's fingerprints found in the other "
             "(K=%d tokens, window %d).</p>" % (K, W),
             "<p>%d submissions, %d pairs with code in common.</p>" % (n, len(pairs)),
             "<table><tr><th>#</th><th>pair</th><th>share</th>%s</tr>" %
             "".join("<th>%s</th>" % e(c[:2]) for c in chapters)]
    shown = [p for p in pairs if p[0] >= MIN_SHARE][:TOP]
    for k, (share, a, b, per) in enumerate(pairs[:200], 1):
        link = "<a href='#p%d'>%s &mdash; %s</a>" % (k, e(a), e(b)) if (share, a, b, per) in shown \
            else "%s &mdash; %s" % (e(a), e(b))
        parts.append("<tr><td>%d</td><td>%s</td><td>%.0f%%</td>%s</tr>" % (
            k, link, 100 * share, "".join("<td>%s</td>" % ("%.0f%%" % (100 * per[c][0] / per[c][1])
                                                         if c in per else "") for c in chapters)))
    parts.append("</table>")
    for k, (share, a, b, per) in enumerate(pairs[:200], 1):
        if (share, a, b, per) not in shown:
            continue
        parts.append("<h2 id='p%d'>%d. %s &mdash; %s: %.0f%% in common</h2>" % (
            k, k, e(a), e(b), 100 * share))
        for c in chapters:
            if c not in per or not per[c][0]:
                continue
            sh = per[c][2]
            parts.append("<h3>%s: %d of %d fingerprints</h3><div class='side'>" % (
                e(c), per[c][0], per[c][1]))
            for who in (a, b):
                marked = collections.defaultdict(set)
                for h in sh:
                    for f, l0, l1 in prints[(who, c)].get(h, []):
                        marked[f].update(range(l0, l1 + 1))
                parts.append("<div><b>%s</b>" % e(who))
                for f in sorted(marked):
                    lines = texts[(who, c, f)].splitlines()
                    parts.append("<p>%s</p><pre>" % e(f))
                    for ln, l in enumerate(lines, 1):
                        t = "<span class='ln'>%4d </span>%s" % (ln, e(l))
                        parts.append("<mark>%s</mark>" % t if ln in marked[f] else t)
                    parts.append("</pre>")
                parts.append("</div>")
            parts.append("</div>")
    parts.append("</body></html>")
    page = os.path.join(out, "similarity.html")
    write_atomic(page, "\n".join(parts) + "\n")
    return page

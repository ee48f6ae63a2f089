"""The grading manifest, tests/manifest.tsv: every graded test of every
chapter with its number, visibility, points, suite, title and tags, in one
place. Every output of the grader (Gradescope, JUnit, the gradebook, Autolab,
GitHub Classroom) takes points from it, never from a runner. It is made
from the test runners' --list (./build.sh grade --update-manifest) and
committed; ./build.sh test checks it against the runners."""
import os

from .common import GradeError, sha256_bytes, write_atomic

COLUMNS = ["chapter", "number", "visibility", "points", "suite", "title", "tags"]
HEADER = """\
# tests/manifest.tsv: the grading manifest. Every graded test of every chapter,
# its points, visibility and tags, in one place: the grader takes points from
# here for every output (Gradescope, JUnit, the gradebook, Autolab, GitHub
# Classroom). Made from the test runners' --list by
# `./build.sh grade --update-manifest`; `./build.sh test` checks it against them.
"""


def path(root):
    """tests/manifest.tsv (CNN_GRADE_MANIFEST names another file: the
    benchmark grades with a manifest made on the spot)."""
    return os.environ.get("CNN_GRADE_MANIFEST") or os.path.join(root, "tests", "manifest.tsv")


def fmt_points(p):
    return ("%g" % p)


def read(p):
    """{chapter: [row dict, ...]} in file order; {} when there is no file."""
    try:
        with open(p, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if f == COLUMNS:
            continue
        if len(f) != len(COLUMNS):
            raise GradeError("%s line %d has %d fields instead of %d: regenerate it with "
                             "'./build.sh grade --update-manifest'." % (p, n, len(f), len(COLUMNS)))
        r = dict(zip(COLUMNS, f))
        try:
            r["points"] = float(r["points"])
        except ValueError:
            raise GradeError("%s line %d: points '%s' is not a number." % (p, n, r["points"]))
        r["tags"] = [t for t in r["tags"].split(",") if t]
        out.setdefault(r["chapter"], []).append(r)
    return out


def rows_from_list(chapter, tests):
    """Manifest rows from a runner's --list ([visibility, points, suite, title])."""
    rows = []
    for k, (vis, pts, suite, title) in enumerate(tests, 1):
        rows.append({"chapter": chapter, "number": "%s.%02d" % (chapter[:2], k),
                     "visibility": vis, "points": float(pts), "suite": suite, "title": title,
                     "tags": [vis, "chapter-" + chapter[:2]]})
    return rows


def key(rows):
    return [(r["visibility"], fmt_points(r["points"]), r["suite"], r["title"]) for r in rows]


def chapter_hash(rows):
    return sha256_bytes(*["\t".join(k) for k in key(rows)])


def diff(old, new):
    """A short description of how NEW rows differ from OLD, or None."""
    if key(old) == key(new):
        return None
    o = {r["title"]: r for r in old}
    n = {r["title"]: r for r in new}
    added = [t for t in n if t not in o]
    removed = [t for t in o if t not in n]
    changed = [t for t in n if t in o and (n[t]["points"] != o[t]["points"] or
                                          n[t]["visibility"] != o[t]["visibility"])]
    parts = []
    if added:
        parts.append("%d test%s added" % (len(added), "s" * (len(added) > 1)))
    if removed:
        parts.append("%d removed" % len(removed))
    if changed:
        parts.append("%d with other points or visibility" % len(changed))
    if not parts:
        parts.append("suites or order changed")
    return ", ".join(parts)


def write(p, by_chapter):
    lines = [HEADER.rstrip("\n"), "\t".join(COLUMNS)]
    for c in sorted(by_chapter):
        for r in by_chapter[c]:
            lines.append("\t".join([r["chapter"], r["number"], r["visibility"],
                                    fmt_points(r["points"]), r["suite"], r["title"],
                                    ",".join(r["tags"])]))
    write_atomic(p, "\n".join(lines) + "\n")


def list_text(rows):
    """The rows in a runner's --list format (what run_graded.py reads)."""
    return "".join("%s\t%s\t%s\t%s\n" % (r["visibility"], fmt_points(r["points"]), r["suite"],
                                         r["title"]) for r in rows)


def check(man, kit, chapters):
    """Raises a GradeError when the manifest's tests of CHAPTERS differ from
    the kit's runners."""
    for c in chapters:
        new = rows_from_list(c, kit["chapters"][c]["tests"])
        old = man.get(c)
        if old is None:
            raise GradeError("chapter %s is not in tests/manifest.tsv yet: run "
                             "'./build.sh grade --update-manifest' (and commit it) first." % c)
        d = diff(old, new)
        if d:
            raise GradeError("the tests of chapter %s changed since tests/manifest.tsv was "
                             "made (%s): run './build.sh grade --update-manifest' (and commit "
                             "it) to grade with them." % (c, d))


def update(root, kit, say=print):
    """Rewrites tests/manifest.tsv from the kit's runners (chapters the kit
    could not build keep their rows). Returns the chapters that changed."""
    p = path(root)
    man = read(p)
    changed = []
    for c, e in sorted(kit["chapters"].items()):
        if not e.get("built"):
            if c in man:
                say("grade: chapter %s does not build now; its rows stay as they were." % c)
            continue
        new = rows_from_list(c, e["tests"])
        d = diff(man.get(c, []), new) if c in man else "new chapter"
        if d:
            changed.append(c)
            say("grade: manifest: chapter %s: %s" % (c, d))
        man[c] = new
    write(p, man)
    return changed

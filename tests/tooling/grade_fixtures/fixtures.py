#!/usr/bin/env python3
"""Prepared submissions for the grader's tests (tests/tooling/test_grade.sh),
and what the grader must make of each.

    fixtures.py chapters 00,01,02                 the chapters' folder names
    fixtures.py build DIR --chapters 00,01,02     writes one submission folder
                                                  per fixture into DIR
    fixtures.py check DIR OUT                     TAP lines: each submission's
                                                  grade in OUT is the expected one

A fixture is made from the course's own files, never copied into this
folder: "solution" is a chapter's reference solution, "skeleton" its
handed-out skeleton, and edits replace the body of one function or add
code. So the fixtures follow the chapters as they change, and nothing of
the solutions is stored here. @SUBS@, @OUT@ and @ROOT@ in an edit become
the folder of all the submissions, the grader's output folder and the
course's root, so hostile code aims at the real paths.

The hostile fixtures put one trick into relative_error of chapter 00 (three
tests call it: 2 + 2 visible points and 5 hidden) and leave the rest of the
solution intact, so each must earn exactly 100 - 9 = 91 for chapter 00
with a message saying what happened, unless its trick ends the whole
chapter (a constructor, an #include of a solution).
"""
import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CH00, CH01, CH02 = "00-getting-started", "01-convolution", "02-pooling"

# The body relative_error gets in each hostile fixture.
def hostile(body, includes=""):
    return {"includes": includes, "edits": [(CH00, "basics.c", "relative_error", body)]}


FIXTURES = [
    {"name": "reference", "what": "the reference solution of every tested chapter",
     "chapters": "all:solution", "expect": "full"},
    {"name": "skeleton", "what": "the untouched skeletons",
     "chapters": "all:skeleton", "expect": "zero"},
    {"name": "partial", "what": "two functions left as in the skeleton, chapter 02 not submitted",
     "chapters": {CH00: "solution", CH01: "solution"},
     "edits": [(CH00, "basics.c", "relative_error", "skeleton"),
               (CH01, "conv.c", "convolve2d_valid", "skeleton")],
     "expect": {CH00: 91, CH01: 91, CH02: 0},
     "status": {CH02: "not_submitted"},
     "messages": {CH00: ["relative_error returned -1: is it still the skeleton's"]}},
    {"name": "no_compile", "what": "chapter 01 has a syntax error; the others are graded",
     "chapters": {CH00: "solution", CH01: "solution", CH02: "solution"},
     "edits": [(CH01, "conv.c", "conv1d_full", "{\n    int x = 1\n    (void)x;\n}")],
     "expect": {CH00: 100, CH01: 0, CH02: 100}, "status": {CH01: "build_error"},
     "chapter_messages": {CH01: ["does not compile", "chapters/01-convolution/conv.c:",
                                 "error: expected"]}},
    # ---- hostile ------------------------------------------------------------------
    dict(name="hostile_exit0", what="exit(0) in the middle of a test",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["exited with status 0 before the test finished"]},
         **hostile("{\n    (void)a; (void)b;\n    exit(0);\n}", "#include <stdlib.h>\n")),
    dict(name="hostile_fake_summary", what="prints a passing Check summary, then exit(0)",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["exited with status 0 before the test finished"]},
         absent=["100%: Checks: 21"],
         **hostile('{\n    (void)a; (void)b;\n'
                   '    printf("100%%: Checks: 21, Failures: 0, Errors: 0\\n");\n'
                   '    printf("  PASS    2.0 / 2.0  relative_error: values and zeros\\n");\n'
                   '    printf("chapter 00-getting-started: 100 / 100 points\\n");\n'
                   '    fflush(stdout);\n    exit(0);\n}',
                   "#include <stdio.h>\n#include <stdlib.h>\n")),
    dict(name="hostile_abort", what="abort() in a test",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["killed by signal 6"]},
         **hostile("{\n    (void)a; (void)b;\n    abort();\n}", "#include <stdlib.h>\n")),
    dict(name="hostile_signal", what="SIGKILL to itself",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["killed by signal 9"]},
         **hostile("{\n    (void)a; (void)b;\n    kill(getpid(), SIGKILL);\n    return 0;\n}",
                   "#include <signal.h>\n#include <unistd.h>\n")),
    dict(name="hostile_endless", what="an endless loop",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["did not finish within its time limit"]},
         **hostile("{\n    volatile double s = a + b;\n    for (;;)\n        s = s + 1.0;\n}")),
    dict(name="hostile_fork_bomb", what="forks until the process limit, every child spinning",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["did not finish within its time limit"]},
         **hostile("{\n    (void)a; (void)b;\n    for (;;)\n        fork();\n}",
                   "#include <unistd.h>\n")),
    dict(name="hostile_alloc_100gb", what="a 100 GB allocation, written to",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["exceeds maximum supported size", "more than the"]},
         **hostile("{\n    size_t n = (size_t)100 << 30;\n    char *p = malloc(n);\n"
                   "    memset(p, 1, n);\n    return a + b + p[n - 1];\n}",
                   "#include <stdlib.h>\n#include <string.h>\n")),
    dict(name="hostile_alloc_loop", what="64 MB blocks allocated and written until memory runs out",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["more than the"]},
         **hostile("{\n    for (;;) {\n        char *p = malloc((size_t)64 << 20);\n"
                   "        if (!p)\n            return a + b;\n"
                   "        memset(p, 1, (size_t)64 << 20);\n    }\n}",
                   "#include <stdlib.h>\n#include <string.h>\n")),
    dict(name="hostile_mmap", what="100 GB of address space mapped directly and written",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["AddressSanitizer: SEGV on unknown address"]},
         **hostile("{\n    size_t n = (size_t)100 << 30;\n"
                   "    char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
                   "    for (size_t i = 0; i < n; i += 4096)\n        p[i] = 1;\n"
                   "    return a + b;\n}",
                   "#define _DEFAULT_SOURCE\n#include <stddef.h>\n#include <sys/mman.h>\n")),
    dict(name="hostile_write", what="writes to the results folder and to another submission",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["hostile: cannot write @OUT@/gradebook.csv",
                          "hostile: cannot write @SUBS@/reference/chapters/00-getting-started/basics.c"]},
         untouched=["@OUT@/reference/results.json", "@SUBS@/reference/chapters/00-getting-started/basics.c"],
         **hostile('{\n    const char *paths[] = {"@OUT@/gradebook.csv", "@OUT@/reference/results.json",\n'
                   '        "@SUBS@/reference/chapters/00-getting-started/basics.c"};\n'
                   '    for (int k = 0; k < 3; k++) {\n'
                   '        FILE *f = fopen(paths[k], "w");\n'
                   '        if (!f) {\n'
                   '            printf("hostile: cannot write %s: %s\\n", paths[k], strerror(errno));\n'
                   '            fflush(stdout);\n'
                   '            continue;\n        }\n'
                   '        fprintf(f, "{\\"score\\": 1000}\\n");\n        fclose(f);\n    }\n'
                   '    return a - b;\n}',
                   "#include <errno.h>\n#include <stdio.h>\n#include <string.h>\n")),
    dict(name="hostile_read", what="reads the reference solution and the hidden tests' sources",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["hostile: cannot read @ROOT@/solutions/00-getting-started/basics.c",
                          "hostile: cannot read @ROOT@/tests/00-getting-started/hidden/hidden_basics.c"]},
         **hostile('{\n    const char *paths[] = {"@ROOT@/solutions/00-getting-started/basics.c",\n'
                   '        "@ROOT@/tests/00-getting-started/hidden/hidden_basics.c"};\n'
                   '    for (int k = 0; k < 2; k++) {\n'
                   '        FILE *f = fopen(paths[k], "r");\n'
                   '        printf("hostile: %s %s%s%s\\n", f ? "READ" : "cannot read", paths[k],\n'
                   '               f ? "" : ": ", f ? "" : strerror(errno));\n'
                   '        fflush(stdout);\n'
                   '        if (f)\n            fclose(f);\n    }\n'
                   '    return a - b;\n}',
                   "#include <errno.h>\n#include <stdio.h>\n#include <string.h>\n")),
    {"name": "hostile_include", "what": "#include of the reference solution at compile time",
     "chapters": {CH00: "solution"},
     "includes": '#include "@ROOT@/solutions/00-getting-started/basics.c"\n',
     "expect": {CH00: 0}, "status": {CH00: "build_error"},
     "chapter_messages": {CH00: ["No such file or directory"]}},
    {"name": "hostile_ctor", "what": "a constructor that prints a passing summary and exits before main",
     "chapters": {CH00: "solution"},
     "includes": "#include <stdio.h>\n#include <stdlib.h>\n"
                 "__attribute__((constructor)) static void early(void)\n{\n"
                 '    printf("100%%: Checks: 21, Failures: 0, Errors: 0\\n");\n    exit(0);\n}\n',
     "expect": {CH00: 0}, "status": {CH00: "runner_failed"},
     "messages": {CH00: ["code that runs before main"]}},
    dict(name="hostile_symbols",
         what="defines strcmp, a Check function and harness functions that would make every test pass",
         chapters={CH00: "solution"}, expect={CH00: 91},
         messages={CH00: ["exited with status 0 before the test finished"]},
         chapter_messages={CH00: ["made them local", "strcmp", "_ck_assert_failed",
                                  "grade_expect_double"]},
         **hostile("{\n    (void)a; (void)b;\n    exit(0);\n}",
                   "#include <stdarg.h>\n#include <stddef.h>\n#include <stdlib.h>\n"
                   "int strcmp(const char *x, const char *y)\n{\n    (void)x; (void)y;\n    return 0;\n}\n"
                   "void _ck_assert_failed(const char *file, int line, const char *expr,\n"
                   "                       const char *msg, ...)\n{\n"
                   "    (void)file; (void)line; (void)expr; (void)msg;\n}\n"
                   "void grade_expect_double(const char *what, double got, double want,\n"
                   "                         double rtol, const char *hint)\n{\n"
                   "    (void)what; (void)got; (void)want; (void)rtol; (void)hint;\n}\n")),
    {"name": "hostile_preinit",
     "what": "a .preinit_array entry (runs before the memory cap) that exits: it must never run",
     "chapters": {CH00: "solution"},
     "includes": "#include <stdlib.h>\nstatic void before_all(void)\n{\n    exit(0);\n}\n"
                 "__attribute__((section(\".preinit_array\"), used))\n"
                 "static void (*const before_all_entry)(void) = before_all;\n",
     "expect": {CH00: 100}},
]


# ---- building -----------------------------------------------------------------------

def find_body(src, name):
    """(start, end) of the body, braces included, of function NAME's
    definition in SRC."""
    for m in re.finditer(r"(?m)^[A-Za-z_][^;{}()]*\b%s\s*\(" % re.escape(name), src):
        i, depth = m.end() - 1, 0
        while i < len(src):  # the parameter list
            depth += {"(": 1, ")": -1}.get(src[i], 0)
            i += 1
            if depth == 0:
                break
        j = i
        while j < len(src) and src[j] in " \t\n":
            j += 1
        if j >= len(src) or src[j] != "{":
            continue  # a declaration
        depth, k = 0, j
        while k < len(src):
            c = src[k]
            if src.startswith("/*", k):
                k = src.index("*/", k) + 2
                continue
            if c in "\"'":
                q, k = c, k + 1
                while src[k] != q:
                    k += 2 if src[k] == "\\" else 1
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return j, k + 1
            k += 1
    raise SystemExit("fixtures: no definition of %s found" % name)


def chapter_names(spec):
    chs = sorted(d for d in os.listdir(os.path.join(ROOT, "chapters")) if re.match(r"^\d\d-", d))
    if spec in (None, "", "all"):
        return chs
    want = ["%02d" % int(x) for x in re.split(r"[,\s]+", spec.strip()) if x]
    return [c for c in chs if c[:2] in want]


def exercise_files(ch):
    d = os.path.join(ROOT, "chapters", ch)
    return sorted(f for f in os.listdir(d) if f.endswith(".c") and f != "experiment.c"
                  and not f.endswith("_given.c"))


def subst(text, paths):
    for k, v in paths.items():
        text = text.replace("@%s@" % k, v)
    return text


def build(dest, chapters, paths):
    os.makedirs(dest, exist_ok=True)
    for fx in FIXTURES:
        spec = fx["chapters"]
        if isinstance(spec, str):
            kind = spec.split(":")[1]
            spec = {c: kind for c in chapters}
        for ch, kind in spec.items():
            if ch not in chapters:
                continue
            d = os.path.join(dest, fx["name"], "chapters", ch)
            os.makedirs(d, exist_ok=True)
            base = "solutions" if kind == "solution" else "chapters"
            for f in exercise_files(ch):
                src = open(os.path.join(ROOT, base, ch, f)).read()
                for ech, ef, fn, body in fx.get("edits", []):
                    if ech == ch and ef == f:
                        if body == "skeleton":
                            sk = open(os.path.join(ROOT, "chapters", ch, f)).read()
                            s0, s1 = find_body(sk, fn)
                            body = sk[s0:s1]
                        b0, b1 = find_body(src, fn)
                        src = src[:b0] + subst(body, paths) + src[b1:]
                if fx.get("includes") and ch == CH00 and f == "basics.c":
                    src = subst(fx["includes"], paths) + src
                with open(os.path.join(d, f), "w") as out:
                    out.write(src)


# ---- checking -----------------------------------------------------------------------

def check(subs, out, chapters, paths):
    n_fail = 0

    def tap(ok, desc, *detail):
        nonlocal n_fail
        print("%s - grade fixture %s" % ("ok" if ok else "not ok", desc))
        if not ok:
            n_fail += 1
            for d in detail:
                print("#   " + str(d)[:400])

    for fx in FIXTURES:
        name = fx["name"]
        spec = fx["chapters"]
        if not isinstance(spec, str) and not any(c in chapters for c in spec):
            continue
        if not isinstance(spec, str) and any(c not in chapters for c in list(fx.get("expect", {}))):
            print("ok - grade fixture %s # SKIP needs chapters %s" % (name, ", ".join(fx["expect"])))
            continue
        rec = json.load(open(os.path.join(out, name, "grade.json")))
        res = {c: json.load(open(os.path.join(out, name, "chapters", c + ".json"))) for c in chapters}
        gs = json.load(open(os.path.join(out, name, "results.json")))
        exp = fx["expect"]
        for c in chapters:
            full = sum(t["max_score"] for t in res[c]["tests"])
            want = full if exp == "full" else 0 if exp == "zero" else exp.get(c, 0)
            got = res[c]["score"]
            tap(abs(got - want) < 1e-9, "%s (%s): chapter %s earns %g" % (name, fx["what"], c, want),
                "got %g, status %s: %s" % (got, res[c]["status"], res[c]["message"][:300]),
                *["%s: %s" % (t["name"], t["output"][:200]) for t in res[c]["tests"]
                  if t["passed"] != (want > 0 and t["passed"])][:0])
            st = fx.get("status", {}).get(c)
            if st is None and (exp in ("full", "zero") or c in exp):
                st = "graded"
            if st:
                tap(res[c]["status"] == st, "%s: chapter %s is %s" % (name, c, st),
                    "status %s: %s" % (res[c]["status"], res[c]["message"][:300]))
        total = sum(res[c]["score"] for c in chapters)
        tap(abs(rec["total"] - total) < 1e-9 and abs(gs["score"] - total) < 1e-9,
            "%s: the total is the same in grade.json and results.json" % name,
            "chapters %g, grade.json %g, results.json %g" % (total, rec["total"], gs["score"]))
        for c, msgs in fx.get("messages", {}).items():
            failed = [t for t in res[c]["tests"] if not t["passed"]]
            for m in msgs:
                m = subst(m, paths)
                ok = bool(failed) and all(m in t["output"] for t in failed)
                tap(ok, "%s: every failed test of chapter %s says '%s'" % (name, c, m[:70]),
                    *["%s: %s" % (t["name"], t["output"][:300]) for t in failed
                      if m not in t["output"]][:2])
        for c, msgs in fx.get("chapter_messages", {}).items():
            text = res[c]["message"] + "\n" + open(os.path.join(out, name, "report.txt")).read()
            for m in msgs:
                tap(m in text, "%s: chapter %s's report says '%s'" % (name, c, m), text[:600])
        for m in fx.get("absent", []):
            text = open(os.path.join(out, name, "report.txt")).read()
            bad = [l for l in text.splitlines() if m in l and not l.startswith(" " * 10)]
            tap(not bad, "%s: '%s' never reaches the report's table" % (name, m), *bad[:2])
        for p in fx.get("untouched", []):
            p = subst(p, paths)
            text = open(p).read() if os.path.exists(p) else ""
            tap("1000" not in text, "%s: %s is untouched" % (name, p), text[:200])
    return n_fail


def main(argv):
    if len(argv) == 2 and argv[0] == "chapters":  # the chapter folders of "00,01"
        print("\n".join(chapter_names(argv[1])))
        return 0
    if len(argv) >= 2 and argv[0] == "build":
        chapters = chapter_names(argv[3] if len(argv) > 3 and argv[2] == "--chapters" else None)
        dest = os.path.abspath(argv[1])
        paths = {"SUBS": dest, "OUT": os.path.abspath(os.environ.get("GRADE_FIXTURE_OUT", "")),
                 "ROOT": ROOT}
        build(dest, chapters, paths)
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        chapters = chapter_names(argv[4] if len(argv) > 4 and argv[3] == "--chapters" else None)
        paths = {"SUBS": os.path.abspath(argv[1]), "OUT": os.path.abspath(argv[2]), "ROOT": ROOT}
        return 1 if check(argv[1], argv[2], chapters, paths) else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""./build.sh release [--chapters LIST] [--out DIR]: the student handout,
build/release/cnn-course/ and build/release/cnn-course.tar.gz.

In it: the lessons, headers, skeletons and given code, the visible tests and
the graded-test harness, common/, the data scripts and samples, the plot
scripts and figures, the notes pipeline, the cnn tool, the benchmark,
build.sh and the Makefile, a README for students, GitHub Classroom's
autograding files, pristine copies of the skeletons (.pristine/, so the
notes render from them) and a compiled reference library: for each chapter
and build (asan, opt) one object, lib/MODE/NN-topic.o, holding the
chapter's API functions and nothing else by name (every other symbol made
local and stripped, no debug information), which lib/handout.mk makes the
Makefile use wherever it would compile solutions/. So a chapter's tests
and experiment work before the earlier chapters are done.

Left out: solutions/, answers.md, hidden tests, mutants, the grader
(tools/grade/) and the project's own tests (tests/tooling/, tests/run_tests.sh,
tests/manifest.tsv).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

from .common import GradeError, discover_chapters, rel, resolve_chapters, root_dir
from . import kit as kitmod
from . import classroom

NAME = "cnn-course"

HANDOUT_MK = """\
# lib/handout.mk: the student handout's link to the reference implementation
# (made by ./build.sh release). The handout has no solutions/: wherever the
# Makefile would compile solutions/NN-topic/, it uses the precompiled
# lib/MODE/NN-topic.o instead (the chapter's API functions, nothing else).
impl_srcs = $(if $(filter solutions/%,$(1)),lib/$(notdir $(1)).c,$(filter-out %/experiment.c %_given.c,$(wildcard $(1)/*.c)))
build/asan/lib/%.o: lib/asan/%.o | $$(@D)/.dir
\tcp $< $@
build/opt/lib/%.o: lib/opt/%.o | $$(@D)/.dir
\tcp $< $@
"""

README = """\
# Classical CNNs in C: the student handout

A course workbook that teaches classical convolutional neural networks by
building them in plain C11. Each chapter pairs a lesson with a C exercise:
you fill in the functions, the graded tests tell you exactly what is wrong and
where, and an experiment turns your code into measurements and figures.

## Set up

On Debian 12 or later, or Ubuntu:

```sh
./build.sh          # installs what is missing, builds, runs the experiments, renders the notes
```

The notes are then in `build/notes/index.html` (they work offline).

## Work on a chapter

1. Read the lesson: `chapters/NN-topic/lesson.md`, or its page in `build/notes/`.
2. Fill in the functions marked `TODO` in `chapters/NN-topic/*.c`. The
   chapter's header (`*.h`) is the contract.
3. Run the chapter's graded tests:

   ```sh
   ./build.sh check 01
   ```

   Every failure names the function, its parameters and shape, the first
   index that differs, expected versus got, and a hint when it looks like a
   typical mistake. Tests run under AddressSanitizer and UBSan, each with a
   time limit.
4. Run the chapter's experiment with your code: `./build.sh run 01`
   (figures in `build/plots/01-convolution/`).

Functions of the other chapters come from a compiled reference library
(`lib/`), so being stuck on one chapter never blocks the next.
`./build.sh check 01 --reference` runs the tests on that library's version of
the chapter. `./build.sh help` lists every command.

These are the visible tests; your instructor also grades with tests you
cannot see, so test beyond them: the lessons' exercises say how.

## Chapters

@CHAPTERS@

## Licences

Code: MIT. Lessons and figures: CC BY 4.0. See LICENSE.
"""


def _walk(root, top, keep):
    base = os.path.join(root, top)
    out = []
    if os.path.isfile(base):
        return [top] if keep(top) else []
    for d, dirs, files in os.walk(base):
        dirs[:] = sorted(x for x in dirs if x not in ("__pycache__", "build"))
        for f in sorted(files):
            r = os.path.relpath(os.path.join(d, f), root)
            if keep(r):
                out.append(r)
    return out


def handout_files(root, chapters):
    """The repository's files that go into the handout, by relative path."""
    ch = set(chapters)

    def of_chapter(r):
        m = re.match(r"^[a-z]+/([0-9]{2}-[a-z0-9-]+)/", r)
        return not m or m.group(1) in ch

    def no_junk(r):
        return not r.endswith((".o", ".d", ".orig", ".rej", ".pyc")) and "/__pycache__/" not in r

    files = []
    for f in ("LICENSE", "build.sh", "Makefile", ".gitignore"):
        files += _walk(root, f, lambda r: True)
    files += _walk(root, "chapters", lambda r: of_chapter(r) and no_junk(r))
    files += _walk(root, "tests/harness", lambda r: r.endswith((".c", ".h", ".py")))
    for c in chapters:
        files += _walk(root, "tests/" + c, lambda r: r.count("/") == 2 and
                       r.endswith((".c", ".h", ".txt")))
    for top in ("common", "datasets", "notes", "tools/cnn", "bench"):
        files += _walk(root, top, no_junk)
    files += _walk(root, "plots", lambda r: of_chapter(r) and no_junk(r))
    banned = re.compile(r"(^|/)(solutions|hidden|mutants)/|(^|/)answers\.md$")
    return [f for f in files if not banned.search(f)]


def reference_library(root, kit, chapters, dest, jobs):
    """lib/{asan,opt}/NN-topic.o: each chapter's reference, its API only."""
    _, _, _, info = kitmod.kit_info(root)
    wanted = {}
    for c in chapters:
        asan = info[c]["ref"]
        opt = [o.replace("build/asan/", "build/opt/", 1) for o in asan]
        wanted[c] = {"asan": asan, "opt": opt}
    objs = [o for c in wanted for m in wanted[c] for o in wanted[c][m]]
    if objs:
        rc, out = kitmod.make(root, objs, jobs, check=False)
        if rc != 0:
            raise GradeError("the reference implementation does not compile: %s" %
                             kitmod.first_error(out))
    work = tempfile.mkdtemp(prefix="lib-", dir=os.path.dirname(dest))
    try:
        for c in chapters:
            api = os.path.join(work, c + ".api")
            with open(api, "w") as f:
                f.write("".join(s + "\n" for s in declared_api(root, kit, c)))
            for mode in ("asan", "opt"):
                o = [os.path.join(root, x) for x in wanted[c][mode]]
                if not o:
                    continue
                merged, local = os.path.join(work, "m.o"), os.path.join(work, "l.o")
                final = os.path.join(dest, "lib", mode, c + ".o")
                os.makedirs(os.path.dirname(final), exist_ok=True)
                for cmd in (["ld", "-r", "-o", merged] + o,
                            ["objcopy", "--keep-global-symbols=" + api, "--strip-debug",
                             merged, local],
                            ["objcopy", "--strip-unneeded", "-R", ".comment", local, final]):
                    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                    if r.returncode != 0:
                        raise GradeError("making the reference library of chapter %s failed: %s"
                                         % (c, r.stdout.decode("utf-8", "replace").strip()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(dest, "lib", "handout.mk"), "w") as f:
        f.write(HANDOUT_MK)


def declared_api(root, kit, c):
    """The reference's global symbols that the chapter's headers declare: all
    the handout's library may name (a helper the reference left non-static
    is made local like everything else)."""
    words = set()
    d = os.path.join(root, "chapters", c)
    for h in os.listdir(d):
        if h.endswith(".h"):
            words |= set(re.findall(r"[A-Za-z_]\w*", open(os.path.join(d, h), errors="replace").read()))
    return [s for s in kit["chapters"][c]["api"] if s in words]


def chapter_table(root, chapters):
    lines = ["| # | chapter | lesson |", "| --- | --- | --- |"]
    for c in chapters:
        title = c[3:].replace("-", " ")
        try:
            with open(os.path.join(root, "chapters", c, "lesson.md"), encoding="utf-8") as f:
                m = re.search(r'^title:\s*"?([^"\n]+)"?', f.read(4000), re.M)
            if m:
                title = m.group(1)
        except OSError:
            pass
        lines.append("| %s | %s | [lesson](chapters/%s/lesson.md) |" % (c[:2], title, c))
    return "\n".join(lines)


def main(argv):
    p = argparse.ArgumentParser(prog="./build.sh release")
    p.add_argument("--chapters", default=None)
    p.add_argument("--out", default=None, help="folder to write into (default build/release)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    try:
        a = p.parse_args(argv)
    except SystemExit as e:
        if e.code:
            raise GradeError("release takes --chapters LIST and --out DIR.", 2)
        raise
    root = root_dir()
    explicit = a.chapters not in (None, "", "all")
    avail = discover_chapters(root)
    want = resolve_chapters(a.chapters, avail)
    kit = kitmod.ensure(root, kitmod.default_dir(root), want if explicit else [],
                        say=lambda m: print(m, file=sys.stderr))
    if not explicit:
        for c in want:
            if not kit["chapters"].get(c, {}).get("built"):
                print("release: chapter %s is left out: %s" % (c, kit["chapters"].get(c, {}).get(
                    "error", "not in the kit")), file=sys.stderr)
        want = [c for c in want if kit["chapters"].get(c, {}).get("built")]
    out = os.path.abspath(a.out or os.path.join(root, "build", "release"))
    os.makedirs(out, exist_ok=True)
    dest = os.path.join(out, NAME)
    tmp = tempfile.mkdtemp(prefix=".%s-" % NAME, dir=out)
    os.chmod(tmp, 0o755)
    try:
        for r in handout_files(root, want):
            d = os.path.join(tmp, r)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(os.path.join(root, r), d)
        for c in want:
            for f in sorted(os.listdir(os.path.join(root, "chapters", c))):
                if f.endswith((".c", ".h")):
                    d = os.path.join(tmp, ".pristine", "chapters", c, f)
                    os.makedirs(os.path.dirname(d), exist_ok=True)
                    shutil.copy2(os.path.join(root, "chapters", c, f), d)
        reference_library(root, kit, want, tmp, a.jobs)
        with open(os.path.join(tmp, "README.md"), "w") as f:
            f.write(README.replace("@CHAPTERS@", chapter_table(root, want)))
        classroom.write(root, tmp)
        problems = audit(root, tmp, kit, want)
        if problems:
            raise GradeError("the handout would leak the solutions: %s" % "; ".join(problems[:3]))
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tarball = os.path.join(out, NAME + ".tar.gz")
    with tarfile.open(tarball + ".tmp", "w:gz") as t:
        t.add(dest, arcname=NAME, filter=_tar_filter)
    os.replace(tarball + ".tmp", tarball)
    print("release: %s/ and %s (chapters %s)" % (rel(dest), rel(tarball),
                                                 ", ".join(c[:2] for c in want)))
    return 0


def _tar_filter(ti):
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


RUN = 5  # consecutive lines that make a copied block


def _windows(text):
    """Hashes of every RUN consecutive non-blank lines (stripped) of TEXT
    that say something (at least 100 characters together)."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    out = set()
    for i in range(len(lines) - RUN + 1):
        w = lines[i:i + RUN]
        if sum(len(x) for x in w) >= 100:
            out.add("\n".join(w))
    return out


def _solution_blocks(root, chapters):
    """Blocks of the solutions that the skeletons and headers do not have."""
    handed = set()
    for c in chapters:
        for f in os.listdir(os.path.join(root, "chapters", c)):
            if f.endswith((".c", ".h")):
                handed |= _windows(open(os.path.join(root, "chapters", c, f), errors="replace").read())
    blocks = set()
    for c in chapters:
        d = os.path.join(root, "solutions", c)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if f.endswith(".c"):
                blocks |= _windows(open(os.path.join(d, f), errors="replace").read()) - handed
    return blocks


def audit(root, dest, kit, chapters):
    """What of the solutions is in the handout at DEST (nothing, or a list of
    sentences)."""
    problems = []
    sol = _solution_blocks(root, chapters)
    for d, dirs, files in os.walk(dest):
        for f in files:
            p = os.path.join(d, f)
            r = os.path.relpath(p, dest)
            if re.search(r"(^|/)(solutions|hidden|mutants)(/|$)|answers\.md$", r):
                problems.append("%s is in it" % r)
                continue
            if r.startswith("lib/") and r.endswith(".o"):
                c = os.path.basename(r)[:-2]
                names = subprocess.run(["nm", "--defined-only", "-P", p], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL).stdout.decode().split("\n")
                # (.L* are the assembler's local labels, nameless constants)
                names = {l.split()[0] for l in names if l.strip() and not l.startswith(".L")}
                extra = names - set(declared_api(root, kit, c))
                if extra:
                    problems.append("%s defines %s beyond the chapter's API" % (r, sorted(extra)[:4]))
                continue
            if f.endswith((".c", ".h", ".md", ".py", ".sh", ".lua", ".txt")):
                # One shared block is a loop nest any code has; a copy shares many.
                hits = _windows(open(p, errors="replace").read()) & sol
                if len(hits) >= 3:
                    problems.append("%s holds code of the solutions: %s" % (
                        r, sorted(hits)[0].splitlines()[0][:60]))
    return problems

"""./build.sh gradescope [--chapters LIST] [--out FILE]: the autograder
for Gradescope, build/autograder.zip, in Gradescope's layout (Gradescope unpacks it into
/autograder/source/ and copies run_autograder to /autograder/):

    setup.sh          installs the Debian packages; rebuilds the kit when
                      the image's compiler differs from the one it was built
                      with; then makes every source root-only, so that
                      student code, which runs as another user, can read
                      nothing but the kit
    run_autograder    grades /autograder/submission into
                      /autograder/results/results.json
    source tree       the grader, the Makefile, chapters/, solutions/
                      (.c only), tests/ (hidden ones included) and common/,
                      and the kit of trusted objects, prebuilt

The zip is for the instructor's Gradescope account only: it holds the
solutions. AUTOGRADER_ROOT (default /autograder) moves the whole tree, so a
test can run the package in a temporary folder; CNN_GRADE_SKIP_APT=1 skips
the package installation.
"""
import argparse
import os
import stat
import sys
import time
import zipfile

from .common import GradeError, discover_chapters, rel, resolve_chapters, root_dir
from . import kit as kitmod
from . import manifest as man

PACKAGES = ["gcc", "make", "binutils", "pkg-config", "check", "zlib1g-dev", "bubblewrap",
            "python3", "util-linux", "libgomp1"]

SETUP = r"""#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder's image (made by ./build.sh gradescope).
set -euo pipefail
AG=${AUTOGRADER_ROOT:-/autograder}
SRC=$AG/source
if [ -z "${CNN_GRADE_SKIP_APT:-}" ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends @PACKAGES@
fi
cd "$SRC"
chmod +x "$SRC/run_autograder" 2>/dev/null || true
# The kit's objects were compiled on the instructor's machine; on another
# compiler (Gradescope's image) they are rebuilt here from the sources.
if ! python3 tools/grade/grade.py grade --kit build/grade/kit --check-kit >/dev/null 2>&1; then
    echo "setup.sh: rebuilding the grader's kit for this image's compiler"
    python3 tools/grade/grade.py grade --build-kit --kit build/grade/kit
fi
# Student code runs as an unprivileged user: it may read the kit and
# nothing else of the source tree (solutions, hidden tests).
chmod -R go-rwx "$SRC"
chmod go+x "$AG" "$SRC" "$SRC/build" "$SRC/build/grade"
chmod -R go+rX "$SRC/build/grade/kit"
echo "setup.sh: the autograder is ready (chapters @CHAPTERS@)"
"""

RUN = r"""#!/usr/bin/env bash
# run_autograder: Gradescope runs this for each submission (made by
# ./build.sh gradescope). It grades $AG/submission and writes
# $AG/results/results.json.
set -uo pipefail
AG=${AUTOGRADER_ROOT:-/autograder}
SRC=$AG/source
mkdir -p "$AG/results"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$SRC"
python3 tools/grade/grade.py grade "$AG/submission" --kit build/grade/kit --out "$out" \
    --chapters "@CHAPTERS@" --jobs "$(nproc)" ${CNN_GRADE_OPTIONS:-} 2>"$out/stderr.txt"
rc=$?
cat "$out/stderr.txt" >&2
if [ -f "$out/submission/results.json" ]; then
    cp "$out/submission/results.json" "$AG/results/results.json.tmp"
    mv "$AG/results/results.json.tmp" "$AG/results/results.json"
else
    python3 - "$AG/results/results.json" "$out/stderr.txt" "$rc" <<'PY'
import json, sys
why = open(sys.argv[2], errors="replace").read().strip() or "status %s" % sys.argv[3]
json.dump({"score": 0.0, "output": "The autograder could not grade this submission: " + why,
           "visibility": "visible", "tests": []}, open(sys.argv[1], "w"))
PY
fi
"""


def _files(root):
    """(path in the package, path on disk) of the source tree it carries."""
    out = []

    def add_tree(top, keep):
        base = os.path.join(root, top)
        for d, dirs, files in os.walk(base):
            dirs[:] = sorted(x for x in dirs if x not in ("__pycache__",))
            for f in sorted(files):
                p = os.path.join(d, f)
                r = os.path.relpath(p, root)
                if keep(r):
                    out.append((r, p))

    for f in ("Makefile", "build.sh", "LICENSE"):
        if os.path.exists(os.path.join(root, f)):
            out.append((f, os.path.join(root, f)))
    add_tree("chapters", lambda r: r.endswith((".c", ".h")))
    add_tree("solutions", lambda r: r.endswith((".c", ".h")))
    add_tree("common", lambda r: r.endswith((".c", ".h")))
    add_tree("tests", lambda r: not r.startswith("tests/tooling/") and r.endswith(
        (".c", ".h", ".py", ".tsv")))
    add_tree("tools/grade", lambda r: r.endswith((".py", ".c", ".sh")))
    return out


def main(argv):
    p = argparse.ArgumentParser(prog="./build.sh gradescope")
    p.add_argument("--chapters", default=None)
    p.add_argument("--out", default=None, help="the zip to write (default build/autograder.zip)")
    p.add_argument("--kit", default=None, help="a prebuilt kit to put in the package")
    try:
        a = p.parse_args(argv)
    except SystemExit as e:
        if e.code:
            raise GradeError("gradescope takes --chapters LIST, --out FILE and --kit DIR.", 2)
        raise
    root = root_dir()
    avail = discover_chapters(root)
    explicit = a.chapters not in (None, "", "all")
    want = resolve_chapters(a.chapters, avail)
    kdir = os.path.abspath(a.kit) if a.kit else kitmod.default_dir(root)
    if a.kit:
        kit = kitmod.load(kdir, want if explicit else [])
    else:
        kit = kitmod.ensure(root, kdir, want if explicit else [],
                            say=lambda m: print(m, file=sys.stderr))
    manifest = man.read(man.path(root))
    want = [c for c in want if kit["chapters"].get(c, {}).get("built") and
            (explicit or c in manifest)]
    man.check(manifest, kit, want)
    if not want:
        raise GradeError("no chapter can be graded: build the kit first.")
    out = os.path.abspath(a.out or os.path.join(root, "build", "autograder.zip"))
    chapters = ",".join(c[:2] for c in want)
    scripts = {
        "setup.sh": SETUP.replace("@PACKAGES@", " ".join(PACKAGES)).replace("@CHAPTERS@", chapters),
        "run_autograder": RUN.replace("@CHAPTERS@", chapters),
    }
    tmp = out + ".tmp"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in scripts.items():
            i = zipfile.ZipInfo(name, stamp)
            i.external_attr = (stat.S_IFREG | 0o755) << 16
            z.writestr(i, text, zipfile.ZIP_DEFLATED)
        for arc, path in _files(root):
            z.write(path, arc)
        for d, dirs, files in os.walk(kdir):
            dirs.sort()
            for f in sorted(files):
                pth = os.path.join(d, f)
                z.write(pth, "build/grade/kit/" + os.path.relpath(pth, kdir))
    os.replace(tmp, out)
    print("gradescope: %s (chapters %s, %.1f MB): upload it as the autograder of a "
          "programming assignment; it holds the solutions, keep it private." %
          (rel(out), chapters, os.path.getsize(out) / 1e6))
    return 0

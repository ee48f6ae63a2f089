"""./build.sh classroom [DIR]: GitHub Classroom's autograding files for a
student handout (default: build/release/cnn-course, made by ./build.sh
release): .github/classroom/autograding.json, a test per visible graded test
with its points from tests/manifest.tsv, and .github/workflows/classroom.yml,
the workflow that runs them on every push.

Each test runs one graded test of the chapter's runner on the student's code
(its --filter selects the test by title; a title that is part of another
title selects both, which only makes the test stricter)."""
import argparse
import json
import os
import shlex

from .common import GradeError, discover_chapters, rel, root_dir, write_atomic
from . import manifest as man

WORKFLOW = """\
# GitHub Classroom autograding (made by ./build.sh classroom): runs the
# visible graded tests of .github/classroom/autograding.json on every push.
name: Autograding
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  autograding:
    name: Autograding
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: education/autograding@v1
"""


def tests_for(root, chapters, manifest):
    tests = []
    first = True
    for c in chapters:
        runner = "build/asan/run/%s/student" % c
        for r in manifest.get(c, []):
            if r["visibility"] != "visible":
                continue
            setup = "make --no-print-directory -s -j2 %s" % runner
            if first:
                setup = "sudo ./build.sh setup >/dev/null && " + setup
                first = False
            tests.append({
                "name": "[%s] %s" % (c[:2], r["title"]),
                "setup": setup,
                "run": "%s --quiet --filter %s" % (runner, shlex.quote(r["title"])),
                "input": "", "output": "", "comparison": "included",
                "timeout": 10, "points": int(r["points"]) if r["points"] == int(r["points"])
                else r["points"]})
    return tests


def main(argv):
    p = argparse.ArgumentParser(prog="./build.sh classroom")
    p.add_argument("dir", nargs="?", default=None)
    p.add_argument("--chapters", default=None)
    try:
        a = p.parse_args(argv)
    except SystemExit as e:
        if e.code:
            raise GradeError("classroom takes a handout folder and --chapters LIST.", 2)
        raise
    root = root_dir()
    d = os.path.abspath(a.dir or os.path.join(root, "build", "release", "cnn-course"))
    if not os.path.isdir(os.path.join(d, "chapters")):
        raise GradeError("%s is not a student handout (no chapters/ in it): make one with "
                         "'./build.sh release' or give its folder." % d)
    write(root, d, a.chapters)
    return 0


def write(root, d, chapters_spec=None):
    from .common import resolve_chapters
    manifest = man.read(man.path(root))
    chapters = [c for c in resolve_chapters(chapters_spec, discover_chapters(d)) if c in manifest]
    if not chapters:
        raise GradeError("tests/manifest.tsv lists no chapter of %s." % d)
    tests = tests_for(root, chapters, manifest)
    write_atomic(os.path.join(d, ".github", "classroom", "autograding.json"),
                 json.dumps({"tests": tests}, indent=2) + "\n")
    write_atomic(os.path.join(d, ".github", "workflows", "classroom.yml"), WORKFLOW)
    print("classroom: %s/.github/ (%d tests, %g points, chapters %s)" % (
        rel(d), len(tests), sum(t["points"] for t in tests), ", ".join(c[:2] for c in chapters)))
    return tests

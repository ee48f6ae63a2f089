#!/usr/bin/env python3
"""The instructor's tools of the workbook; build.sh calls them:

  ./build.sh grade SUBMISSION... [options]   grade submissions (see --help)
  ./build.sh gradescope [--chapters LIST]    build/autograder.zip for Gradescope
  ./build.sh classroom [DIR]                 GitHub Classroom autograding files
  ./build.sh release                         the student handout, build/release/

Every user error ends in one sentence on stderr and a non-zero exit
(2 for a usage error)."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gradelib.common import GradeError  # noqa: E402


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise GradeError("%s (see './build.sh %s --help')." % (message.rstrip("."),
                                                                self.prog.split()[-1]), 2)


def grade_parser():
    p = Parser(prog="./build.sh grade", description=(
        "Grades submissions: each chapter's exercise files are compiled against the "
        "prebuilt tests and run contained (bubblewrap, resource limits); the results "
        "go to the output folder: per submission report.txt, results.json "
        "(Gradescope), junit.xml; per run gradebook.csv and summary.md."))
    p.add_argument("submissions", nargs="*", metavar="SUBMISSION",
                   help="a folder holding a student's chapters/ tree, or a .zip or .tar.gz of one")
    p.add_argument("--out", default=None, help="output folder (default build/grades/)")
    p.add_argument("--chapters", default=None,
                   help="chapters to grade, e.g. 00,01,02 (default: every chapter)")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2,
                   help="chapters graded at once (default: the number of cores)")
    vis = p.add_mutually_exclusive_group()
    vis.add_argument("--hidden", dest="visible_only", action="store_false",
                     help="run the hidden tests too (the default)")
    vis.add_argument("--visible-only", dest="visible_only", action="store_true",
                     help="run only the tests students can see")
    p.set_defaults(visible_only=False)
    p.add_argument("--force", action="store_true",
                   help="grade again what is already graded with the same inputs")
    p.add_argument("--test-timeout", type=float, default=10.0, metavar="S",
                   help="time limit of one test in seconds (default 10, as students have)")
    p.add_argument("--chapter-timeout", type=float, default=0.0, metavar="S",
                   help="wall-clock limit of a chapter's whole run (default: 60 s plus "
                        "the test time limit per test, at most 600 s)")
    p.add_argument("--memory-mb", type=int, default=2048, metavar="MB",
                   help="memory one test may use (default 2048)")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "limits"], default=None,
                   help="containment: auto (default: bubblewrap when it works), bwrap, limits")
    p.add_argument("--similarity", action="store_true",
                   help="also write a similarity report of the submissions (similarity.html)")
    p.add_argument("--autolab", action="store_true",
                   help="print Autolab's autoresult line last (one submission)")
    p.add_argument("--update-manifest", action="store_true",
                   help="rewrite tests/manifest.tsv from the test runners first")
    p.add_argument("--kit", default=None, metavar="DIR",
                   help="use the grader's kit (prebuilt objects) in DIR as it is, "
                        "compiling nothing (default: build/grade/kit, kept up to date)")
    p.add_argument("--build-kit", action="store_true",
                   help="(re)build the kit (into --kit DIR if given) before grading")
    p.add_argument("--check-kit", action="store_true",
                   help="exit 0 when the kit (--kit DIR) was built with this machine's compiler")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    return p


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    try:
        if cmd == "grade":
            a = grade_parser().parse_args(rest)
            if a.out is None:
                from gradelib.common import root_dir
                a.out = os.path.join(root_dir(), "build", "grades")
            if a.jobs < 1:
                raise GradeError("--jobs takes a number of at least 1.", 2)
            if a.test_timeout <= 0 or a.memory_mb < 64:
                raise GradeError("--test-timeout must be positive and --memory-mb at least 64.", 2)
            from gradelib import run
            return run.grade(a)
        if cmd == "gradescope":
            from gradelib import gradescope
            return gradescope.main(rest)
        if cmd == "classroom":
            from gradelib import classroom
            return classroom.main(rest)
        if cmd == "release":
            from gradelib import release
            return release.main(rest)
        raise GradeError("unknown command '%s': give grade, gradescope, classroom or release." % cmd, 2)
    except GradeError as e:
        print("grade: %s" % e, file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print("grade: interrupted; run the same command again to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

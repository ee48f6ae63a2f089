#!/usr/bin/env python3
"""run_graded.py: runs a chapter's graded test binary and accepts its results
only when the binary finished them itself.

    run_graded.py RUNNER --list-from TRUSTED [--set visible|all] [--label L]
                  [--json OUT] [--tap OUT] [--expect-fail] [--quiet]
                  [--filter S]
                  [--list-file LIST] [--wrap JSON] [--workdir DIR] [--timeout S]

RUNNER links the code under test; its own main (tests/harness/runner.c)
already keeps a test's verdict out of that code's reach. What no runner can
guard against is code that runs before its main (a constructor) and ends the
process, or prints a fake table: this script is the check on that. TRUSTED is
a runner of the same tests that links only trusted code (the reference
build); its --list is the list of tests RUNNER must report. RUNNER's results
count only when its JSON file is complete and names exactly those tests;
otherwise every test counts as failed, with a sentence saying why.

For the grader (tools/grade/): --list-file LIST reads that list from a file
(the runner's --list format) instead of a trusted binary; --wrap '["cmd",
...]' runs RUNNER under that command prefix (a sandbox), --workdir DIR puts
the runner's results file in DIR (a folder the sandbox can write) and
--timeout S kills the whole run after S seconds of wall-clock time, which
counts every test as failed.

Writes OUT (Gradescope-shaped JSON) and a TAP file as the runner does, and
exits 0 when every test passed (with --expect-fail: when every test failed
and the runner did run them), 1 otherwise, 2 on a usage error.
"""
import argparse
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile


def trusted_list(trusted, which, list_file=None):
    """[(visibility, points, title)] of the tests TRUSTED --list prints (or
    LIST_FILE holds)."""
    if list_file:
        with open(list_file, "rb") as f:
            out = f.read()
    else:
        out = subprocess.run([trusted, "--list"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=True).stdout
    tests = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        vis, pts, _suite, title = parts
        if which == "all" or vis == which:
            tests.append((vis, float(pts), title))
    return tests


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def failed_results(label, expected, why):
    tests = [{"name": t, "score": 0, "max_score": p, "status": "failed",
              "visibility": "after_published" if v == "hidden" else "visible",
              "tags": [v], "output": why} for v, p, t in expected]
    return {"label": label, "tests": tests, "complete": True,
            "runner_failed": why}


def tap_of(label, tests, expect_fail):
    lines = ["1..%d" % len(tests)]
    for i, t in enumerate(tests, 1):
        passed = t["status"] == "passed"
        good = (not passed) if expect_fail else passed
        lines.append("%s %d - %s: %s" % ("ok" if good else "not ok", i, label,
                                         t["name"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runner")
    ap.add_argument("--list-from", dest="trusted")
    ap.add_argument("--list-file")
    ap.add_argument("--wrap", type=json.loads, default=[])
    ap.add_argument("--workdir")
    ap.add_argument("--timeout", type=float)
    ap.add_argument("--set", choices=["visible", "all"], default="all")
    ap.add_argument("--label", default="graded tests")
    ap.add_argument("--json")
    ap.add_argument("--tap")
    ap.add_argument("--expect-fail", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--filter")
    a = ap.parse_args()
    if not a.trusted and not a.list_file:
        ap.error("give the trusted list: --list-from TRUSTED or --list-file LIST")

    expected = trusted_list(a.trusted, a.set, a.list_file)
    if a.filter:
        expected = [e for e in expected if a.filter in e[2]]
    with tempfile.TemporaryDirectory(prefix="graded-", dir=a.workdir,
                                     ignore_cleanup_errors=True) as tmp:
        if a.workdir:
            os.chmod(tmp, 0o777)  # the sandbox may run as another user
        rj = os.path.join(tmp, "results.json")
        cmd = a.wrap + [a.runner, "--label", a.label, "--json", rj]
        if a.expect_fail:
            cmd.append("--expect-fail")
        if a.quiet:
            cmd.append("--quiet")
        if a.filter:
            cmd += ["--filter", a.filter]
        sys.stdout.flush()
        timed_out = False
        proc = subprocess.Popen(cmd, start_new_session=a.timeout is not None)
        try:
            rc = proc.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
        why = None
        try:
            # The code under test may have put something else there (a FIFO,
            # a symbolic link, a huge file): read only a regular file.
            fd = os.open(rj, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ValueError("not a regular file")
                res = json.loads(f.read(64 << 20).decode("utf-8"))
            names = sorted(t["name"] for t in res["tests"])
            if res.get("complete") is not True:
                why = "its results file is incomplete"
            elif names != sorted(e[2] for e in expected) and not a.filter:
                why = "its results do not name the chapter's tests"
            elif any(t["score"] > t["max_score"] for t in res["tests"]):
                why = "its results claim more than the maximum score"
        except (OSError, ValueError, KeyError, TypeError):
            why = "it wrote no results"
        if why is None and rc < 0:
            why = "it was killed by signal %d" % -rc
    if timed_out:
        why = "timeout"
        msg = ("the tests did not finish within the wall-clock limit of %g s "
               "for the whole run: an endless loop, a fork bomb or a test "
               "that blocks? Every test of this run counts as failed." % a.timeout)
        print("%s: %s" % (a.label, msg))
        res = failed_results(a.label, expected, msg)
        print("%s: 0 / %g points; 0 of %d tests passed" %
              (a.label, sum(e[1] for e in expected), len(expected)))
    elif why is not None:
        status = ("killed by signal %d" % -rc) if rc < 0 else ("exit status %d" % rc)
        msg = ("the test program ended (%s) before it reported its tests (%s): "
               "code that runs before main (a constructor), or that kills or "
               "replaces the test runner, does that. Every test of this run "
               "counts as failed." % (status, why))
        print("%s: %s" % (a.label, msg))
        res = failed_results(a.label, expected, msg)
        if not a.quiet:
            for v, p, t in expected:
                print("  FAIL    0.0 / %-4.1f %s%s" % (p, t, "  (hidden)" if v == "hidden" else ""))
        print("%s: 0 / %g points; 0 of %d tests passed" %
              (a.label, sum(e[1] for e in expected), len(expected)))
    if a.json:
        write_atomic(a.json, json.dumps(res, indent=1) + "\n")
    if a.tap:
        tap = tap_of(a.label, res["tests"], a.expect_fail)
        if why is not None:
            # Tests that never ran tested nothing, even on a skeleton.
            tap = tap.replace("\nok ", "\nnot ok ")
        write_atomic(a.tap, tap)
    n_pass = sum(t["status"] == "passed" for t in res["tests"])
    if why is not None or not res["tests"]:
        return 1
    if a.expect_fail:
        return 0 if n_pass == 0 else 1
    return 0 if n_pass == len(res["tests"]) else 1


if __name__ == "__main__":
    sys.exit(main())

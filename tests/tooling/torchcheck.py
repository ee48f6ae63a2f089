"""What the cross-checks against PyTorch (cross_check_torch*.py) share.

A cross-check writes float32 inputs as .npy files, runs one command of the
cnn binary on them (env CNN, default build/bin/cnn), compares what cnn
wrote with PyTorch computed in float64 from the same float32 inputs, and
prints one TAP line per check ("ok - ...", or "not ok - ..." followed by
indented detail lines); it exits 0 only if every check passes. Without
torch it prints one skipped line and exits 0. A script imports this module
first, from its own folder:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torchcheck
    torchcheck.require_torch("pooling torch cross-check")
    import numpy as np  # present whenever torch is

Run on its own (python3 tests/tooling/torchcheck.py), it checks its own
helpers and prints TAP like the scripts it serves, so the test driver,
which runs every script of this folder, counts it as one more check.
"""
import os
import subprocess
import sys

# Before numpy and torch load: one thread each, as the test driver asks.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

try:
    import numpy as np
    import torch
except ImportError:
    np = torch = None


def require_torch(what):
    """Exits 0 after one skipped TAP line naming `what` when torch (or numpy)
    is missing; otherwise keeps torch to one thread."""
    if torch is None:
        print("ok - %s # SKIP python3-torch is not installed" % what)
        sys.exit(0)
    torch.set_num_threads(1)


def cnn_binary(what):
    """The cnn binary to test, as an absolute path: env CNN, default
    build/bin/cnn. When it is missing, one failed TAP line naming `what` and
    the fix, and exit 1."""
    cnn = os.environ.get("CNN", "build/bin/cnn")
    if not os.access(cnn, os.X_OK):
        print("not ok - %s\n    %s is missing: run ./build.sh build" % (what, cnn))
        sys.exit(1)
    return os.path.abspath(cnn)


def rel_err(got, want, floor_frac=1e-3):
    """max over elements of |got - want| / max(|want|, floor_frac * max|want|):
    relative, with a floor so that elements near zero are held to the scale of
    the whole output (an output that is zero everywhere must be zero exactly).
    0 for an empty output."""
    if want.size == 0:
        return 0.0
    floor = max(floor_frac * float(np.abs(want).max()), 1e-30)
    return float((np.abs(got.astype(np.float64) - want) / np.maximum(np.abs(want), floor)).max())


def mismatch(got, want):
    """"" when got is float32 with want's shape, otherwise what differs."""
    if got.dtype != np.float32 or got.shape != want.shape:
        return "got %s %s, want float32 %s" % (got.dtype, got.shape, want.shape)
    return ""


def save_inputs(d, inputs, stem="in"):
    """Saves the arrays `inputs` as d/STEM0.npy, d/STEM1.npy, ...; their paths."""
    paths = []
    for k, arr in enumerate(inputs):
        p = os.path.join(d, "%s%d.npy" % (stem, k))
        np.save(p, arr)
        paths.append(p)
    return paths


def run_raw(cnn, args, inputs, outputs, d, stem="in"):
    """Saves `inputs`, runs `cnn ARGS INPUT... -o OUTPUT...` (outputs named
    d/NAME.npy) and returns (the finished process, the output paths)."""
    outs = [os.path.join(d, "%s.npy" % name) for name in outputs]
    cmd = [cnn] + list(args) + save_inputs(d, inputs, stem) + ["-o"] + outs
    return subprocess.run(cmd, capture_output=True, text=True), outs


def run_cnn(cnn, args, inputs, outputs, d):
    """run_raw, then loads and removes the outputs: (list of arrays, "") or,
    when cnn fails, (None, "cnn exited N: its stderr") with whatever it left
    in place."""
    p, outs = run_raw(cnn, args, inputs, outputs, d)
    if p.returncode != 0:
        return None, "cnn exited %d: %s" % (p.returncode, p.stderr.strip())
    got = [np.load(o) for o in outs]
    for o in outs:
        os.remove(o)
    return got, ""


class Tap:
    """TAP lines: one per check, counted. Details of a failure go on the
    lines below it, indented, so that no line of a message (a stderr echoed
    back) can pass for a TAP line of its own."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, title):
        self.n += 1
        print("ok - %s" % title)

    def not_ok(self, title, detail=""):
        self.n += 1
        self.failed += 1
        print("not ok - %s" % title)
        if detail:
            print("    " + str(detail).replace("\n", "\n    "))

    def report(self, good, title, detail=""):
        """ok(title) when good, else not_ok(title, detail)."""
        if good:
            self.ok(title)
        else:
            self.not_ok(title, detail)

    def within(self, title, err, msg, tolerance):
        """A compared case: err (None when it could not run) below tolerance.
        msg says what was measured, or why the case could not run."""
        if err is not None and err < tolerance:
            self.ok("%s: %s" % (title, msg))
        else:
            self.not_ok(title, "%s (tolerance %.0e)" % (msg, tolerance))

    def status(self):
        """The exit status: 1 when a check failed."""
        return 1 if self.failed else 0


def _self_test():
    tap = Tap()
    if np is None:
        print("ok - torchcheck helpers # SKIP python3-numpy is not installed")
        return 0
    want = np.array([[1.0, -2.0], [0.0, 4.0]])
    got = want.astype(np.float32)
    got[0, 1] = -2.002
    tap.report(abs(rel_err(got, want) - 1e-3) < 1e-6,
               "rel_err is relative to each element", rel_err(got, want))
    got = want.astype(np.float32)
    got[1, 0] = 0.004  # beside a zero: judged against 1e-3 * max|want| = 0.004
    tap.report(abs(rel_err(got, want) - 1.0) < 1e-6 and
               abs(rel_err(got, want, 1e-2) - 0.1) < 1e-6,
               "rel_err floors |want| at floor_frac * max|want|", rel_err(got, want))
    tap.report(rel_err(np.zeros((0, 3), np.float32), np.zeros((0, 3))) == 0.0,
               "rel_err of an empty output is 0")
    tap.report(mismatch(want.astype(np.float32), want) == "" and
               mismatch(want, want) != "" and
               mismatch(np.zeros(3, np.float32), want) != "",
               "mismatch accepts float32 of the same shape only")
    return tap.status()


if __name__ == "__main__":
    sys.exit(_self_test())

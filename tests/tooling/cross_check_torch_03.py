"""Cross-check of chapter 03's backward ops against torch.autograd, and the
mistakes a user can make with them.

`cnn op conv2d_backward`, `cnn op max_pool2d_backward` and
`cnn op avg_pool2d_backward` (env CNN, default build/bin/cnn) are run on
float32 inputs and a random grad_y; the gradients autograd computes in
float64 from the same float32 inputs are the reference. The error of a
gradient is

    max over elements of |got - want| / max(|want|, 1e-3 * max|want|)

(relative, with a floor so that elements near zero are held to the scale of
the whole gradient), and must stay below 1e-4 for every output of a case.
Max pooling is checked on inputs whose values in a window are all distinct
(a random permutation), except in the cases built to have ties, where torch
and the course both route to the first maximum in row-major order, and in
those holding -inf (whole windows of it route to their first cell inside
the image, in torch as in the course).

Each user error (a grad_y of the wrong shape, a missing flag, ...) must end in
one line on stderr, the documented exit status and no output file.

Prints one TAP line per case; exits 0 only if all pass. Without torch it
prints one skipped line. Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
(set below as well).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchcheck  # noqa: E402  (sets the thread counts before torch loads)

torchcheck.require_torch("chapter 03 torch cross-check")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

TOLERANCE = 1e-4
N_RANDOM_CONV = 20
N_RANDOM_POOL = 16
SEED = 20240603


def flag(v):
    return str(v[0]) if v[0] == v[1] else "%d,%d" % tuple(v)


def run_cnn(cnn, op, flags, inputs, outputs, d):
    """Saves inputs, runs `cnn op`, returns (list of arrays, error text)."""
    return torchcheck.run_cnn(cnn, ["op", op] + flags, inputs, outputs, d)


def compare(names, got, want):
    errs = []
    for name, g, w in zip(names, got, want):
        bad = torchcheck.mismatch(g, w)
        if bad:
            return None, "%s: %s" % (name, bad)
        errs.append("%s %.1e" % (name, torchcheck.rel_err(g, w)))
    worst = max(torchcheck.rel_err(g, w) for g, w in zip(got, want))
    return worst, "max relative error " + ", ".join(errs)


# ---- conv2d ---------------------------------------------------------------

def conv_case(n, c, h, w, oc, kh, kw, stride=(1, 1), padding=(0, 0),
              dilation=(1, 1), groups=1, desc=""):
    return dict(n=n, c=c, h=h, w=w, oc=oc, kh=kh, kw=kw, stride=stride,
                padding=padding, dilation=dilation, groups=groups, desc=desc)


CONV_FIXED = [
    conv_case(1, 1, 5, 5, 1, 3, 3, desc="one channel, 3x3"),
    conv_case(2, 3, 8, 7, 4, 3, 3, stride=(2, 2), desc="stride 2"),
    conv_case(2, 2, 11, 10, 3, 2, 2, stride=(3, 4), desc="stride > kernel"),
    conv_case(1, 2, 6, 6, 3, 3, 3, padding=(1, 1), desc="padding 1"),
    conv_case(1, 2, 5, 7, 3, 5, 3, padding=(2, 3), desc="padding wider than half the kernel"),
    conv_case(2, 2, 9, 9, 2, 3, 3, dilation=(2, 3), desc="dilation (2, 3)"),
    conv_case(3, 4, 6, 6, 6, 3, 3, groups=2, desc="batch 3, groups 2"),
    conv_case(2, 6, 7, 5, 6, 3, 3, groups=6, padding=(1, 1), desc="depthwise"),
    conv_case(2, 3, 9, 8, 4, 3, 2, stride=(2, 1), padding=(1, 0),
              dilation=(1, 2), desc="odd sizes, h != w pairs"),
    conv_case(2, 4, 13, 12, 6, 3, 3, stride=(2, 3), padding=(2, 1),
              dilation=(2, 2), groups=2, desc="everything at once"),
    conv_case(2, 3, 6, 6, 5, 1, 1, padding=(1, 2), desc="1x1 kernel with padding"),
]


def random_conv(r):
    groups = int(r.integers(1, 4))
    cg, og = int(r.integers(1, 4)), int(r.integers(1, 4))
    kh, kw = int(r.integers(1, 5)), int(r.integers(1, 5))
    stride = tuple(int(v) for v in r.integers(1, 5, 2))
    padding = tuple(int(v) for v in r.integers(0, 3, 2))
    dilation = tuple(int(v) for v in r.integers(1, 4, 2))
    h = max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]) + int(r.integers(0, 9))
    w = max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]) + int(r.integers(0, 9))
    return conv_case(int(r.integers(1, 4)), cg * groups, h, w, og * groups, kh,
                     kw, stride, padding, dilation, groups, desc="random")


def describe_conv(k):
    return ("x (%d, %d, %d, %d), weight (%d, %d, %d, %d), stride %s, padding %s, "
            "dilation %s, groups %d" % (
                k["n"], k["c"], k["h"], k["w"], k["oc"], k["c"] // k["groups"],
                k["kh"], k["kw"], flag(k["stride"]), flag(k["padding"]),
                flag(k["dilation"]), k["groups"]))


def run_conv(cnn, k, r, d):
    x = r.uniform(-1, 1, (k["n"], k["c"], k["h"], k["w"])).astype(np.float32)
    wt = r.uniform(-1, 1, (k["oc"], k["c"] // k["groups"], k["kh"], k["kw"])).astype(np.float32)
    b = np.zeros(k["oc"])
    tx = torch.from_numpy(x).double().requires_grad_()
    tw = torch.from_numpy(wt).double().requires_grad_()
    tb = torch.from_numpy(b).double().requires_grad_()
    y = F.conv2d(tx, tw, tb, stride=k["stride"], padding=k["padding"],
                 dilation=k["dilation"], groups=k["groups"])
    dy = r.uniform(-1, 1, tuple(y.shape)).astype(np.float32)
    y.backward(torch.from_numpy(dy).double())
    flags = ["--stride", flag(k["stride"]), "--padding", flag(k["padding"]),
             "--dilation", flag(k["dilation"]), "--groups", str(k["groups"])]
    got, msg = run_cnn(cnn, "conv2d_backward", flags, [x, wt, dy],
                       ["grad_x", "grad_weight", "grad_bias"], d)
    if got is None:
        return None, msg
    return compare(["grad_x", "grad_weight", "grad_bias"], got,
                   [tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()])


# ---- pooling --------------------------------------------------------------

def pool_case(kind, n, c, h, w, k, stride=None, padding=(0, 0), ceil_mode=0,
              count_include_pad=1, ties=False, desc="", neg_inf=False):
    return dict(kind=kind, n=n, c=c, h=h, w=w, k=k, stride=stride or k,
                padding=padding, ceil_mode=ceil_mode,
                count_include_pad=count_include_pad, ties=ties, desc=desc,
                neg_inf=neg_inf)


POOL_FIXED = [
    pool_case("max", 2, 3, 8, 8, (2, 2), desc="2x2, stride 2"),
    pool_case("max", 1, 2, 9, 7, (3, 3), (2, 2), (1, 1), desc="overlapping 3x3, stride 2, padding 1"),
    pool_case("max", 2, 2, 7, 9, (3, 2), (2, 3), (1, 1), 1, desc="ceil mode, h != w"),
    pool_case("max", 1, 2, 11, 10, (2, 2), (4, 3), desc="stride > kernel"),
    pool_case("max", 2, 2, 6, 6, (3, 3), (1, 1), (1, 1), ties=True, desc="ties, overlapping"),
    pool_case("max", 1, 1, 5, 5, (2, 2), (2, 2), (1, 1), 1, ties=True, desc="ties, padding, ceil mode"),
    pool_case("max", 2, 2, 6, 7, (3, 3), (2, 2), (1, 1), 1, desc="-inf pixels, whole -inf windows",
              neg_inf=True),
    pool_case("max", 1, 2, 5, 6, (2, 3), (1, 1), (1, 1), desc="-inf pixels, overlapping windows",
              neg_inf=True),
    pool_case("avg", 2, 3, 8, 8, (2, 2), desc="2x2, stride 2"),
    pool_case("avg", 1, 2, 9, 7, (3, 3), (2, 2), (1, 1), 0, 1, desc="padding 1, count_include_pad"),
    pool_case("avg", 1, 2, 9, 7, (3, 3), (2, 2), (1, 1), 0, 0, desc="padding 1, no count_include_pad"),
    pool_case("avg", 2, 2, 7, 9, (3, 2), (2, 3), (1, 1), 1, 1, desc="ceil mode, count_include_pad"),
    pool_case("avg", 2, 2, 7, 9, (3, 2), (2, 3), (1, 1), 1, 0, desc="ceil mode, no count_include_pad"),
    pool_case("avg", 1, 2, 11, 10, (2, 3), (4, 5), desc="stride > kernel"),
]


def random_pool(r, kind):
    k = tuple(int(v) for v in r.integers(1, 5, 2))
    stride = tuple(int(v) for v in r.integers(1, 6, 2))
    padding = tuple(int(r.integers(0, kk // 2 + 1)) for kk in k)
    h = k[0] + int(r.integers(0, 10))
    w = k[1] + int(r.integers(0, 10))
    return pool_case(kind, int(r.integers(1, 3)), int(r.integers(1, 4)), h, w,
                     k, stride, padding, int(r.integers(0, 2)),
                     int(r.integers(0, 2)), desc="random")


def describe_pool(k):
    s = ("x (%d, %d, %d, %d), kernel_size %s, stride %s, padding %s, ceil_mode %d"
         % (k["n"], k["c"], k["h"], k["w"], flag(k["k"]), flag(k["stride"]),
            flag(k["padding"]), k["ceil_mode"]))
    if k["kind"] == "avg":
        s += ", count_include_pad %d" % k["count_include_pad"]
    return s


def pool_input(k, r):
    shape = (k["n"], k["c"], k["h"], k["w"])
    size = int(np.prod(shape))
    if k["ties"]:
        # Few distinct values: most windows hold their maximum several times.
        return r.integers(0, 3, shape).astype(np.float32)
    x = (r.permutation(size).reshape(shape) / size - 0.5).astype(np.float32)
    if k["neg_inf"]:
        x.reshape(-1)[r.random(size) < 0.3] = -np.inf
        x[:, :, :2, :2] = -np.inf  # the first window: -inf only
    return x


def run_pool(cnn, k, r, d):
    x = pool_input(k, r)
    tx = torch.from_numpy(x).double().requires_grad_()
    if k["kind"] == "max":
        y = F.max_pool2d(tx, k["k"], k["stride"], k["padding"],
                         ceil_mode=bool(k["ceil_mode"]))
    else:
        y = F.avg_pool2d(tx, k["k"], k["stride"], k["padding"],
                         ceil_mode=bool(k["ceil_mode"]),
                         count_include_pad=bool(k["count_include_pad"]))
    dy = r.uniform(-1, 1, tuple(y.shape)).astype(np.float32)
    y.backward(torch.from_numpy(dy).double())
    flags = ["--kernel_size", flag(k["k"]), "--stride", flag(k["stride"]),
             "--padding", flag(k["padding"]), "--ceil_mode", str(k["ceil_mode"])]
    if k["kind"] == "avg":
        flags += ["--count_include_pad", str(k["count_include_pad"])]
    op = "max_pool2d_backward" if k["kind"] == "max" else "avg_pool2d_backward"
    got, msg = run_cnn(cnn, op, flags, [x, dy], ["grad_x"], d)
    if got is None:
        return None, msg
    return compare(["grad_x"], got, [tx.grad.numpy()])


# ---- mistakes a user can make ----------------------------------------------

ERRORS = [
    # (description, op, flags, input shapes, outputs, exit status, word in the message)
    ("conv2d_backward: grad_y of the wrong shape", "conv2d_backward",
     ["--padding", "1"], [(1, 2, 5, 5), (3, 2, 3, 3), (1, 3, 3, 3)],
     ["gx", "gw", "gb"], 1, "grad_y"),
    ("conv2d_backward: groups that do not divide C_in", "conv2d_backward",
     ["--groups", "2"], [(1, 3, 5, 5), (4, 1, 3, 3), (1, 4, 3, 3)],
     ["gx", "gw", "gb"], 1, "groups"),
    ("conv2d_backward: two outputs instead of three", "conv2d_backward", [],
     [(1, 2, 5, 5), (3, 2, 3, 3), (1, 3, 3, 3)], ["gx", "gw"], 2, "output"),
    ("max_pool2d_backward: no --kernel_size", "max_pool2d_backward", [],
     [(1, 1, 4, 4), (1, 1, 2, 2)], ["gx"], 1, "kernel_size"),
    ("avg_pool2d_backward: grad_y of the wrong shape", "avg_pool2d_backward",
     ["--kernel_size", "2", "--ceil_mode", "1"], [(1, 1, 5, 5), (1, 1, 2, 2)],
     ["gx"], 1, "grad_y"),
    ("max_pool2d_backward: a NaN in x", "max_pool2d_backward",
     ["--kernel_size", "2"], [(1, 1, 4, 4), (1, 1, 2, 2)], ["gx"], 1, "NaN"),
    ("max_pool2d_backward: padding more than half the kernel", "max_pool2d_backward",
     ["--kernel_size", "2", "--padding", "2"], [(1, 1, 4, 4), (1, 1, 4, 4)],
     ["gx"], 1, "padding"),
    ("conv2d_backward: a 1-D grad_y", "conv2d_backward", [],
     [(1, 2, 5, 5), (3, 2, 3, 3), (3,)], ["gx", "gw", "gb"], 1, "grad_y"),
]


def run_error(cnn, case, d):
    """Returns an error text, or "" when the tool failed as it should."""
    desc, op, flags, shapes, outs, status, word = case
    inputs = [np.zeros(shape, np.float32) for shape in shapes]
    if word == "NaN":
        inputs[0].reshape(-1)[inputs[0].size // 2] = np.nan
    p, _ = torchcheck.run_raw(cnn, ["op", op] + flags, inputs, outs, d, stem="e")
    lines = p.stderr.strip().splitlines()
    left = [f for f in os.listdir(d) if not f.startswith("e")]
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    if p.returncode != status:
        return "exit status %d, want %d (stderr: %s)" % (p.returncode, status, p.stderr.strip())
    if len(lines) != 1 or word not in lines[0]:
        return "want one line on stderr naming '%s', got: %s" % (word, p.stderr.strip())
    if left:
        return "files left behind: %s" % ", ".join(left)
    return ""


def main():
    cnn = torchcheck.cnn_binary("chapter 03 torch cross-check")
    ops = subprocess.run([cnn, "op", "--list"], capture_output=True, text=True).stdout
    r = np.random.default_rng(SEED)
    cases = [("conv", k) for k in CONV_FIXED]
    cases += [("conv", random_conv(r)) for _ in range(N_RANDOM_CONV)]
    if "max_pool2d_backward:" in ops:
        cases += [("pool", k) for k in POOL_FIXED]
        cases += [("pool", random_pool(r, "max" if i % 2 else "avg"))
                  for i in range(N_RANDOM_POOL)]
    tap = torchcheck.Tap()
    with tempfile.TemporaryDirectory() as d:
        for i, (kind, k) in enumerate(cases, 1):
            if kind == "conv":
                err, msg = run_conv(cnn, k, r, d)
                title = "conv2d_backward vs autograd %d (%s): %s" % (i, k["desc"], describe_conv(k))
            else:
                err, msg = run_pool(cnn, k, r, d)
                title = "%s_pool2d_backward vs autograd %d (%s): %s" % (
                    k["kind"], i, k["desc"], describe_pool(k))
            tap.within(title, err, msg, TOLERANCE)
    print("# %d of %d cases agree with torch.autograd" % (tap.n - tap.failed, tap.n))
    with tempfile.TemporaryDirectory() as d:
        for case in ERRORS:
            if case[1] not in ops:
                continue
            why = run_error(cnn, case, d)
            tap.report(not why, "%s: one sentence, status %d, no output" % (case[0], case[5]), why)
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())

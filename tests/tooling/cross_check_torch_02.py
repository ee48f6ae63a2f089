"""Cross-check of `cnn op max_pool2d`, `avg_pool2d` and `adaptive_avg_pool2d`
against torch.nn.functional (chapter 02, pooling).

Every case writes a float32 x, runs the cnn binary (env CNN, default
build/bin/cnn) and compares its output with PyTorch computed in float64 from
the same x. The error of a case is

    max over elements of |got - want| / max(|want|, 1e-3 * max|want|)

and must stay below 1e-4 (max pooling is exact; average pooling sums a few
floats). Hand-picked cases cover each flag on its own; random ones mix odd
sizes, strides larger than the kernel, padding up to kernel/2, ceil_mode and
count_include_pad. Special values: max pooling of inputs holding -inf and
NaN must equal torch's element for element (NaN where torch has NaN), and
average pooling of -inf too. Then every user error the pooling ops add must
end in one line on stderr, a non-zero status and no output file. Prints one TAP-like
line per case; exits 0 only if all pass. Without torch it prints one skipped
line.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchcheck  # noqa: E402  (sets the thread counts before torch loads)

torchcheck.require_torch("pooling torch cross-check")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

TOLERANCE = 1e-4
N_RANDOM = 40
SEED = 20240602


def case(op, n, c, h, w, k=(2, 2), stride=None, padding=(0, 0), ceil=0,
         cip=1, desc=""):
    return dict(op=op, n=n, c=c, h=h, w=w, k=k, stride=stride,
                padding=padding, ceil=ceil, cip=cip, desc=desc)


FIXED = [
    case("max_pool2d", 1, 1, 4, 4, desc="2x2, default stride"),
    case("max_pool2d", 2, 3, 7, 9, k=(3, 3), stride=(2, 2), desc="3x3 stride 2, odd sizes"),
    case("max_pool2d", 2, 2, 8, 6, k=(3, 2), stride=(1, 2), desc="kh > kw"),
    case("max_pool2d", 1, 2, 6, 9, k=(2, 3), stride=(3, 1), desc="kh < kw, sh > sw"),
    case("max_pool2d", 1, 3, 11, 10, k=(2, 2), stride=(3, 4), desc="stride > kernel"),
    case("max_pool2d", 2, 2, 7, 8, k=(3, 5), stride=(2, 2), padding=(1, 2), desc="padding (1,2)"),
    case("max_pool2d", 1, 2, 7, 6, k=(2, 2), stride=(2, 2), ceil=1, desc="ceil_mode"),
    case("max_pool2d", 1, 2, 4, 9, k=(2, 3), stride=(3, 2), padding=(1, 0), ceil=1,
         desc="ceil_mode, last window dropped by the rule"),
    case("max_pool2d", 2, 64, 112, 112, k=(3, 3), stride=(2, 2), padding=(1, 1),
         desc="ResNet stem pool"),
    case("avg_pool2d", 1, 1, 4, 4, desc="2x2, default stride"),
    case("avg_pool2d", 2, 3, 7, 9, k=(3, 3), stride=(2, 2), desc="3x3 stride 2"),
    case("avg_pool2d", 2, 2, 7, 8, k=(3, 5), stride=(2, 2), padding=(1, 2), cip=1,
         desc="padding, count_include_pad"),
    case("avg_pool2d", 2, 2, 7, 8, k=(3, 5), stride=(2, 2), padding=(1, 2), cip=0,
         desc="padding, count_include_pad 0"),
    case("avg_pool2d", 1, 2, 6, 7, k=(3, 3), stride=(2, 2), padding=(1, 1), ceil=1,
         cip=1, desc="ceil_mode clipped window, count_include_pad"),
    case("avg_pool2d", 1, 2, 6, 7, k=(3, 3), stride=(2, 2), padding=(1, 1), ceil=1,
         cip=0, desc="ceil_mode clipped window, count_include_pad 0"),
    case("avg_pool2d", 1, 3, 11, 10, k=(2, 1), stride=(3, 4), desc="stride > kernel"),
    case("adaptive_avg_pool2d", 1, 1, 1, 1, desc="1x1 plane"),
    case("adaptive_avg_pool2d", 3, 5, 7, 9, desc="batch 3"),
    case("adaptive_avg_pool2d", 2, 512, 7, 7, desc="ResNet head"),
]


def random_case(r):
    op = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"][int(r.integers(0, 3))]
    k = tuple(int(v) for v in r.integers(1, 6, 2))
    stride = tuple(int(v) for v in r.integers(1, 7, 2))
    padding = tuple(int(r.integers(0, kk // 2 + 1)) for kk in k)
    ceil = int(r.integers(0, 2))
    h = max(1, k[0] - 2 * padding[0]) + int(r.integers(0, 9))
    w = max(1, k[1] - 2 * padding[1]) + int(r.integers(0, 9))
    return case(op, int(r.integers(1, 4)), int(r.integers(1, 4)), h, w, k, stride,
                padding, ceil, int(r.integers(0, 2)), desc="random")


def flag(v):
    return str(v[0]) if v[0] == v[1] else "%d,%d" % v


def describe(k):
    s = "x (%d, %d, %d, %d)" % (k["n"], k["c"], k["h"], k["w"])
    if k["op"] == "adaptive_avg_pool2d":
        return s
    s += ", kernel %s, stride %s, padding %s, ceil_mode %d" % (
        flag(k["k"]), flag(k["stride"]) if k["stride"] else "default",
        flag(k["padding"]), k["ceil"])
    if k["op"] == "avg_pool2d":
        s += ", count_include_pad %d" % k["cip"]
    return s


def torch_ref(k, x):
    t = torch.from_numpy(x).double()
    if k["op"] == "adaptive_avg_pool2d":
        return F.adaptive_avg_pool2d(t, 1).numpy()
    args = dict(kernel_size=k["k"], stride=k["stride"], padding=k["padding"],
                ceil_mode=bool(k["ceil"]))
    if k["op"] == "max_pool2d":
        return F.max_pool2d(t, **args).numpy()
    return F.avg_pool2d(t, count_include_pad=bool(k["cip"]), **args).numpy()


def cnn_args(k):
    args = ["op", k["op"]]
    if k["op"] != "adaptive_avg_pool2d":
        args += ["--kernel_size", flag(k["k"]), "--padding", flag(k["padding"]),
                 "--ceil_mode", str(k["ceil"])]
        if k["stride"]:
            args += ["--stride", flag(k["stride"])]
        if k["op"] == "avg_pool2d":
            args += ["--count_include_pad", str(k["cip"])]
    return args


def run_case(cnn, k, r, d):
    """Returns (error, message); error is None when the case could not run."""
    x = r.uniform(-1, 1, (k["n"], k["c"], k["h"], k["w"])).astype(np.float32)
    try:
        want = torch_ref(k, x)
    except RuntimeError as ex:  # a random shape torch refuses: cnn must too
        p, outs = torchcheck.run_raw(cnn, cnn_args(k), [x], ["y"], d)
        if p.returncode != 0 and not os.path.exists(outs[0]):
            return 0.0, "refused as torch does (%s)" % str(ex).splitlines()[0]
        return None, "torch refuses (%s) but cnn exited %d" % (str(ex).splitlines()[0], p.returncode)
    got, msg = torchcheck.run_cnn(cnn, cnn_args(k), [x], ["y"], d)
    if got is None:
        return None, msg
    got = got[0]
    bad = torchcheck.mismatch(got, want)
    if bad:
        return None, bad
    err = torchcheck.rel_err(got, want)
    return err, "max relative error %.2e" % err


# Special values: (title, op, kernel, stride, padding, ceil_mode, what to plant)
SPECIAL = [
    ("max_pool2d, NaN pixels", "max_pool2d", (2, 2), (2, 2), (0, 0), 0, "nan"),
    ("max_pool2d, NaN next to padding, overlapping windows", "max_pool2d",
     (3, 3), (1, 2), (1, 1), 1, "nan"),
    ("max_pool2d, -inf pixels and -inf padding", "max_pool2d", (3, 3), (2, 2),
     (1, 1), 0, "-inf"),
    ("max_pool2d, -inf and NaN in one window", "max_pool2d", (3, 2), (2, 2),
     (1, 1), 1, "both"),
    ("avg_pool2d, -inf pixels", "avg_pool2d", (2, 3), (2, 2), (1, 1), 1, "-inf"),
]


def run_special(cnn, sp, r, d):
    title, op, k, stride, padding, ceil, what = sp
    x = r.uniform(-1, 1, (2, 2, 7, 6)).astype(np.float32)
    flat = x.reshape(-1)
    picks = r.choice(flat.size, 12, replace=False)
    if what in ("-inf", "both"):
        flat[picks[:8]] = -np.inf
        x[0, 0, :3, :3] = -np.inf          # a whole window of -inf
    if what in ("nan", "both"):
        flat[picks[8:]] = np.nan
    k_ = dict(op=op, k=k, stride=stride, padding=padding, ceil=ceil, cip=1)
    t = torch.from_numpy(x).double()
    args = dict(kernel_size=k, stride=stride, padding=padding, ceil_mode=bool(ceil))
    want = (F.max_pool2d(t, **args) if op == "max_pool2d" else F.avg_pool2d(t, **args)).numpy()
    got, msg = torchcheck.run_cnn(cnn, cnn_args(k_), [x], ["y"], d)
    if got is None:
        return False, msg
    got = got[0]
    if got.shape != want.shape:
        return False, "shape %s, want %s" % (got.shape, want.shape)
    with np.errstate(invalid="ignore"):  # inf - inf where both are -inf
        same = (np.isnan(got) == np.isnan(want)) & (
            (got == want) | np.isnan(want) | (np.abs(got - want) <= 1e-6 * np.abs(want)))
    if same.all():
        return True, "%d NaN, %d -inf outputs, all equal" % (
            int(np.isnan(want).sum()), int(np.isneginf(want).sum()))
    i = tuple(int(v) for v in np.argwhere(~same)[0])
    return False, "first difference at y%s: torch %r, cnn %r" % (list(i), want[i], got[i])


# User errors: (title, op, flags, shape of x, words the one-line message must hold)
ERRORS = [
    ("max_pool2d without --kernel_size", "max_pool2d", [], (1, 1, 4, 4), "--kernel_size"),
    ("avg_pool2d with padding > kernel/2", "avg_pool2d",
     ["--kernel_size", "3", "--padding", "2"], (1, 1, 6, 6), "half of --kernel_size"),
    ("max_pool2d with a kernel larger than the padded input", "max_pool2d",
     ["--kernel_size", "5"], (1, 1, 3, 3), "does not fit"),
    ("adaptive_avg_pool2d with --output_size 2", "adaptive_avg_pool2d",
     ["--output_size", "2"], (1, 2, 4, 4), "only --output_size 1"),
    ("adaptive_avg_pool2d with --output_size 1,3", "adaptive_avg_pool2d",
     ["--output_size", "1,3"], (1, 2, 4, 4), "only --output_size 1"),
    ("max_pool2d with --ceil_mode 2", "max_pool2d",
     ["--kernel_size", "2", "--ceil_mode", "2"], (1, 1, 4, 4), "--ceil_mode"),
    ("avg_pool2d with a 3-D x", "avg_pool2d", ["--kernel_size", "2"], (1, 4, 4), "x"),
]


def run_error(cnn, e, d):
    title, op, flags, shape, words = e
    p, _ = torchcheck.run_raw(cnn, ["op", op] + flags, [np.zeros(shape, np.float32)],
                              ["ey"], d, stem="e")
    lines = p.stderr.strip().splitlines()
    leftovers = [f for f in os.listdir(d) if f.startswith("ey")]
    if p.returncode != 0 and len(lines) == 1 and words in lines[0] and not leftovers:
        return True, lines[0]
    return False, "status %d, stderr %r, files left %s" % (p.returncode, p.stderr, leftovers)


def main():
    cnn = torchcheck.cnn_binary("pooling torch cross-check")
    r = np.random.default_rng(SEED)
    cases = FIXED + [random_case(r) for _ in range(N_RANDOM)]
    tap = torchcheck.Tap()
    with tempfile.TemporaryDirectory() as d:
        for i, k in enumerate(cases, 1):
            err, msg = run_case(cnn, k, r, d)
            title = "%s vs torch %d (%s): %s" % (k["op"], i, k["desc"], describe(k))
            tap.within(title, err, msg, TOLERANCE)
        for sp in SPECIAL:
            good, msg = run_special(cnn, sp, r, d)
            if good:
                tap.ok("%s: %s" % (sp[0], msg))
            else:
                tap.not_ok(sp[0], msg)
        for e in ERRORS:
            good, msg = run_error(cnn, e, d)
            if good:
                tap.ok("%s: one sentence, non-zero exit, no output: %s" % (e[0], msg))
            else:
                tap.not_ok(e[0], msg)
    print("# %d of %d pooling checks pass (torch.nn.functional max_pool2d, "
          "avg_pool2d, adaptive_avg_pool2d)" % (tap.n - tap.failed, tap.n))
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())

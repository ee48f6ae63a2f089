"""Cross-check of `cnn op conv2d` against torch.nn.functional.conv2d.

Every case writes float32 inputs, runs the cnn binary (env CNN, default
build/bin/cnn) and compares its output with PyTorch computed in float64 from
the same float32 inputs. The error of a case is

    max over elements of |got - want| / max(|want|, 1e-3 * max|want|)

(relative, with a floor so that outputs near zero are held to the scale of
the whole output), and must stay below 1e-4. Prints one TAP-like line per
case; exits 0 only if all pass. Without torch it prints one skipped line.
Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 (set below as well).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchcheck  # noqa: E402  (sets the thread counts before torch loads)

torchcheck.require_torch("torch cross-check")
import numpy as np  # noqa: E402
import torch  # noqa: E402

TOLERANCE = 1e-4
N_RANDOM = 24
SEED = 20240601


def case(n, c, h, w, oc, kh, kw, stride=(1, 1), padding=(0, 0),
         dilation=(1, 1), groups=1, bias=True, desc=""):
    return dict(n=n, c=c, h=h, w=w, oc=oc, kh=kh, kw=kw, stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=bias,
                desc=desc)


# Hand-picked cases: each feature on its own, then together.
FIXED = [
    case(1, 1, 5, 5, 1, 3, 3, desc="one channel, 3x3"),
    case(2, 3, 8, 8, 4, 3, 3, stride=(2, 2), desc="stride 2"),
    case(2, 3, 10, 9, 4, 3, 3, stride=(3, 3), desc="stride 3"),
    case(1, 2, 6, 6, 3, 3, 3, padding=(1, 1), desc="padding 1"),
    case(1, 2, 5, 7, 3, 5, 5, padding=(2, 2), desc="padding 2"),
    case(2, 2, 9, 9, 2, 3, 3, dilation=(2, 2), desc="dilation 2"),
    case(2, 4, 6, 6, 6, 3, 3, groups=2, desc="groups 2"),
    case(1, 6, 7, 5, 3, 3, 3, groups=3, desc="groups 3"),
    case(3, 8, 6, 7, 8, 3, 3, groups=4, desc="groups 4"),
    case(2, 4, 7, 7, 4, 3, 3, groups=4, padding=(1, 1), desc="depthwise"),
    case(4, 3, 5, 5, 2, 3, 3, desc="batch 4"),
    case(2, 3, 6, 11, 4, 2, 4, desc="non-square input and kernel"),
    case(2, 3, 7, 7, 4, 3, 3, bias=False, desc="no bias"),
    case(1, 3, 9, 8, 2, 3, 2, stride=(2, 1), padding=(1, 0),
         dilation=(1, 2), desc="pairs for stride, padding, dilation"),
    case(2, 4, 12, 10, 6, 3, 3, stride=(2, 2), padding=(2, 2),
         dilation=(2, 2), groups=2, bias=False,
         desc="stride 2, padding 2, dilation 2, groups 2, no bias"),
    case(1, 2, 3, 3, 2, 5, 5, padding=(1, 1), desc="kernel as big as the padded input"),
    case(2, 3, 6, 6, 5, 1, 1, desc="1x1 kernel"),
]


def random_case(r):
    groups = int(r.integers(1, 5))
    cg, og = int(r.integers(1, 5)), int(r.integers(1, 4))
    kh, kw = int(r.integers(1, 6)), int(r.integers(1, 6))
    stride = tuple(int(v) for v in r.integers(1, 4, 2))
    padding = tuple(int(v) for v in r.integers(0, 3, 2))
    dilation = tuple(int(v) for v in r.integers(1, 3, 2))
    # The smallest input the dilated kernel fits, plus a random margin.
    h = max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]) + int(r.integers(0, 8))
    w = max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]) + int(r.integers(0, 8))
    return case(int(r.integers(1, 4)), cg * groups, h, w, og * groups, kh, kw,
                stride, padding, dilation, groups, bool(r.integers(0, 2)),
                desc="random")


def flag(v):
    return str(v[0]) if v[0] == v[1] else "%d,%d" % v


def describe(k):
    return ("x (%d, %d, %d, %d), weight (%d, %d, %d, %d), stride %s, "
            "padding %s, dilation %s, groups %d, %s" % (
                k["n"], k["c"], k["h"], k["w"], k["oc"], k["c"] // k["groups"],
                k["kh"], k["kw"], flag(k["stride"]), flag(k["padding"]),
                flag(k["dilation"]), k["groups"],
                "bias" if k["bias"] else "no bias"))


def run_case(cnn, k, r, d):
    """Returns (error, message); error is None when the case could not run."""
    x = r.uniform(-1, 1, (k["n"], k["c"], k["h"], k["w"])).astype(np.float32)
    wt = r.uniform(-1, 1, (k["oc"], k["c"] // k["groups"], k["kh"], k["kw"])).astype(np.float32)
    b = r.uniform(-1, 1, (k["oc"],)).astype(np.float32) if k["bias"] else None
    args = ["op", "conv2d", "--stride", flag(k["stride"]),
            "--padding", flag(k["padding"]), "--dilation", flag(k["dilation"]),
            "--groups", str(k["groups"])]
    got, msg = torchcheck.run_cnn(cnn, args, [x, wt] + ([b] if b is not None else []),
                                  ["y"], d)
    if got is None:
        return None, msg
    got = got[0]
    want = torch.nn.functional.conv2d(
        torch.from_numpy(x).double(), torch.from_numpy(wt).double(),
        None if b is None else torch.from_numpy(b).double(),
        stride=k["stride"], padding=k["padding"], dilation=k["dilation"],
        groups=k["groups"]).numpy()
    bad = torchcheck.mismatch(got, want)
    if bad:
        return None, bad
    err = torchcheck.rel_err(got, want)
    return err, "max relative error %.2e" % err


def main():
    cnn = torchcheck.cnn_binary("torch cross-check")
    r = np.random.default_rng(SEED)
    cases = FIXED + [random_case(r) for _ in range(N_RANDOM)]
    tap = torchcheck.Tap()
    with tempfile.TemporaryDirectory() as d:
        for i, k in enumerate(cases, 1):
            err, msg = run_case(cnn, k, r, d)
            title = "conv2d vs torch %d (%s): %s" % (i, k["desc"], describe(k))
            tap.within(title, err, msg, TOLERANCE)
    print("# %d of %d cases agree with torch.nn.functional.conv2d" % (tap.n - tap.failed, tap.n))
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())

"""Cross-check of chapter 05's engine (`--algo` of `cnn op conv2d` and
`cnn op conv2d_backward`) against PyTorch, and the messages of an algorithm
that cannot compute a layer.

For layers of many shapes (padding, stride, dilation, groups, batch,
kernel sizes 1 to 7, non-square), every algorithm that the engine says can
compute the layer is run through `cnn` (env CNN, default build/bin/cnn) on
float32 inputs, and compared with torch.nn.functional.conv2d (forward) or
torch.autograd (dx, dweight, dbias) in float64 from the same inputs. The
error of an output is

    max over elements of |got - want| / max(|want|, 1e-2 * max|want|)

(the graded tests' measure) and must stay below 1e-4, or 1e-3 for Winograd
F(4x4, 3x3) (lesson, eq. 5.31). An algorithm that cannot compute a layer
(Winograd on a 5x5 kernel, FFT with a stride, either of them backward)
must exit with status 1 and one line on stderr saying why, and write no
file; an unknown --algo is a command-line mistake (status 2).

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

torchcheck.require_torch("chapter 05 torch cross-check")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ALGOS = ["direct", "im2col", "winograd", "winograd4", "fft", "auto"]
SEED = 20240605

# (N, C_in, H, W, C_out, KH, KW, stride, padding, dilation, groups)
LAYERS = [
    (2, 3, 9, 8, 4, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    (1, 16, 12, 10, 8, 3, 3, (1, 1), (0, 2), (1, 1), 1),
    (3, 4, 11, 7, 6, 3, 3, (2, 1), (1, 1), (1, 1), 2),
    (1, 2, 10, 13, 3, 5, 5, (1, 1), (2, 2), (1, 1), 1),
    (2, 4, 9, 9, 4, 3, 2, (1, 1), (1, 0), (2, 1), 1),
    (1, 6, 8, 8, 6, 1, 1, (1, 1), (0, 0), (1, 1), 3),
    (1, 3, 16, 15, 2, 7, 7, (1, 1), (3, 3), (1, 1), 1),
    (2, 5, 6, 7, 5, 3, 3, (1, 1), (1, 1), (1, 1), 5),
]


def pair(v):
    return "%d,%d" % tuple(v)


def rel_err(got, want):
    return torchcheck.rel_err(got, want, floor_frac=1e-2)  # the graded tests' floor


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    cnn = torchcheck.cnn_binary("chapter 05 torch cross-check")
    rng = np.random.default_rng(SEED)
    tap = torchcheck.Tap()

    with tempfile.TemporaryDirectory() as d:
        def path(name):
            return os.path.join(d, name)

        for li, (n, ci, h, w, co, kh, kw, s, p, dil, g) in enumerate(LAYERS):
            x = rng.uniform(-1, 1, (n, ci, h, w)).astype(np.float32)
            wt = rng.uniform(-1, 1, (co, ci // g, kh, kw)).astype(np.float32)
            b = rng.uniform(-1, 1, (co,)).astype(np.float32)
            np.save(path("x.npy"), x)
            np.save(path("w.npy"), wt)
            np.save(path("b.npy"), b)
            flags = ["--stride", pair(s), "--padding", pair(p), "--dilation", pair(dil),
                     "--groups", str(g)]
            xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            wtt = torch.tensor(wt, dtype=torch.float64, requires_grad=True)
            bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
            y = F.conv2d(xt, wtt, bt, stride=s, padding=p, dilation=dil, groups=g)
            dy = rng.uniform(-1, 1, tuple(y.shape)).astype(np.float32)
            np.save(path("dy.npy"), dy)
            y.backward(torch.tensor(dy, dtype=torch.float64))
            want_y = y.detach().numpy()
            want_grads = [xt.grad.numpy(), wtt.grad.numpy(), bt.grad.numpy()]
            shape = "N=%d %d->%d %dx%d k=%dx%d s=%s p=%s d=%s g=%d" % (
                n, ci, co, h, w, kh, kw, pair(s), pair(p), pair(dil), g)
            can_wino = (kh, kw) == (3, 3) and s == (1, 1) and dil == (1, 1) and g == 1
            can_fft = s == (1, 1)
            for algo in ALGOS:
                out = path("y_%d_%s.npy" % (li, algo))
                r = run([cnn, "op", "conv2d"] + flags + ["--algo", algo,
                        path("x.npy"), path("w.npy"), path("b.npy"), "-o", out])
                able = {"winograd": can_wino, "winograd4": can_wino, "fft": can_fft}.get(algo, True)
                if not able:
                    good = (r.returncode == 1 and "cannot compute this layer" in r.stderr
                            and len(r.stderr.strip().split("\n")) == 1 and not os.path.exists(out))
                    tap.report(good, "conv2d --algo %s refuses %s in one line" % (algo, shape),
                               "exit %d: %s" % (r.returncode, r.stderr.strip()))
                    continue
                if r.returncode != 0:
                    tap.report(False, "conv2d --algo %s on %s" % (algo, shape), r.stderr.strip())
                    continue
                e = rel_err(np.load(out), want_y)
                tol = 1e-3 if algo == "winograd4" else 1e-4
                tap.report(e < tol, "conv2d --algo %s on %s: error %.1e < %.0e" % (algo, shape, e, tol))
            for algo in ["im2col", "auto", "winograd", "fft"]:
                outs = [path("d%s_%d_%s.npy" % (t, li, algo)) for t in ("x", "w", "b")]
                r = run([cnn, "op", "conv2d_backward"] + flags + ["--algo", algo,
                        path("x.npy"), path("w.npy"), path("dy.npy"), "-o"] + outs)
                if algo in ("winograd", "fft"):
                    forward_ok = can_wino if algo == "winograd" else can_fft
                    good = (r.returncode == 1 and "cannot compute" in r.stderr
                            and not any(os.path.exists(o) for o in outs))
                    tap.report(good, "conv2d_backward --algo %s refuses %s (%s)" % (
                        algo, shape, "forward only" if forward_ok else "nor the forward"),
                        "exit %d: %s" % (r.returncode, r.stderr.strip()))
                    continue
                if r.returncode != 0:
                    tap.report(False, "conv2d_backward --algo %s on %s" % (algo, shape), r.stderr.strip())
                    continue
                errs = [rel_err(np.load(o), wg) for o, wg in zip(outs, want_grads)]
                tap.report(max(errs) < 1e-4, "conv2d_backward --algo %s on %s: dx %.1e, dw %.1e, db %.1e" % (
                    algo, shape, errs[0], errs[1], errs[2]))

        r = run([cnn, "op", "conv2d", "--algo", "fastest", path("x.npy"), path("w.npy"),
                 "-o", path("bad.npy")])
        tap.report(r.returncode == 2 and "--algo takes one of direct|im2col|winograd|winograd4|fft|auto"
                   in r.stderr and not os.path.exists(path("bad.npy")),
                   "an unknown --algo is a command-line mistake naming the choices",
                   "exit %d: %s" % (r.returncode, r.stderr.strip()))
        r = run([cnn, "op", "conv2d", "--help"])
        tap.report(r.returncode == 0 and "--algo" in r.stdout and "default direct" in r.stdout,
                   "cnn op conv2d --help lists --algo and its default")
    sys.exit(tap.status())


if __name__ == "__main__":
    main()

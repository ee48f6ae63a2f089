"""Cross-check of `cnn rf` (chapter 04, receptive fields) against PyTorch's
own convolution geometry.

For each architecture, every layer that reads a window becomes a one-channel
torch.nn.functional.conv2d with a kernel of ones and the same kernel size,
stride, padding and dilation (a pooling window reads the same positions as
such a convolution); pointwise layers are left out. With positive weights,
the gradient of one output unit with respect to the input is non-zero
exactly at the input positions that reach the unit, so its first and last
non-zero row and column are the unit's window: first + i * jump and
first + i * jump + RF - 1 in the table `cnn rf` prints. Units whose window
lies inside the image are compared (a window reaching into the padding is
cut off by the image's edge, which the gradient cannot see past).

Hand-picked stacks cover each parameter, h != w, and AlexNet and VGG-16
shrunk to a small input; random stacks mix everything. Prints one TAP-like
line per case; exits 0 only if all pass. Without torch it prints one
skipped line.
"""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchcheck  # noqa: E402  (sets the thread counts before torch loads)

torchcheck.require_torch("cnn rf torch cross-check")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CNN = torchcheck.cnn_binary("cnn rf torch cross-check")
N_RANDOM = 25
SEED = 20240604


def parse_pair(text, conv=int):
    if "x" in text[1:]:
        i = text.index("x", 1)
        return conv(text[:i]), conv(text[i + 1:])
    return conv(text), conv(text)


def windows(spec):
    """The layers of `spec` that read a window, as (kh, kw, sh, sw, ph, pw,
    dh, dw), from the spec text itself (the test's own reading of it)."""
    out = []
    for layer in spec.split(","):
        words = layer.split(":")[-1].split()
        head = words[0]
        for prefix in ("maxpool", "avgpool", "pool", "conv"):
            if head.startswith(prefix):
                break
        else:
            continue  # in, relu, ...
        kh, kw = parse_pair(head[len(prefix):])
        pool = prefix != "conv"
        s = (kh, kw) if pool else (1, 1)
        p, d = (0, 0), (1, 1)
        for w in words[1:]:
            if w[0] == "s":
                s = parse_pair(w[1:])
            elif w[0] == "p":
                p = parse_pair(w[1:])
            elif w[0] == "d":
                d = parse_pair(w[1:])
        out.append((kh, kw) + s + p + d)
    return out


def table(spec):
    """Rows of `cnn rf spec` that read a window: (RF, jump, first) pairs."""
    r = subprocess.run([CNN, "rf", spec], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("cnn rf failed: " + r.stderr.strip())
    rows = []
    for line in r.stdout.splitlines():
        f = line.split()
        if f and f[0] != "input" and f[0] != "layer" and len(f) >= 6 and ":" not in f[0]:
            try:
                rows.append(tuple(parse_pair(x) for x in f[-4:-1]))
            except ValueError:
                pass
    return rows


def check(desc, spec, h, w):
    layers = windows(spec)
    rows = table("in%dx%d, %s" % (h, w, spec))
    if len(rows) != len(layers):
        return "the table has %d rows for %d layers" % (len(rows), len(layers))
    x = torch.zeros(1, 1, h, w, dtype=torch.float64, requires_grad=True)
    y, maps = x, []
    for (kh, kw, sh, sw, ph, pw, dh, dw) in layers:
        y = F.conv2d(y, torch.ones(1, 1, kh, kw, dtype=torch.float64),
                     stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
        maps.append(y)
    n_units = 0
    for l, (y, ((rh, rw), (jh, jw), (fh, fw))) in enumerate(zip(maps, rows)):
        oh, ow = y.shape[2], y.shape[3]
        ii = [i for i in range(oh) if fh + i * jh >= 0 and fh + i * jh + rh - 1 < h]
        jj = [j for j in range(ow) if fw + j * jw >= 0 and fw + j * jw + rw - 1 < w]
        for i, j in [(a, b) for a in ii[:2] + ii[-1:] for b in jj[:2] + jj[-1:]]:
            g, = torch.autograd.grad(y[0, 0, i, j], x, retain_graph=True)
            nz = g[0, 0].nonzero()
            got = (nz[:, 0].min().item(), nz[:, 0].max().item(),
                   nz[:, 1].min().item(), nz[:, 1].max().item())
            want = (fh + i * jh, fh + i * jh + rh - 1, fw + j * jw, fw + j * jw + rw - 1)
            if got != want:
                return ("layer %d unit (%d, %d): PyTorch reaches rows %d..%d, "
                        "columns %d..%d; the table says %d..%d, %d..%d"
                        % ((l + 1, i, j) + got + want))
            n_units += 1
    return n_units


FIXED = [
    ("one 3x3 layer", "conv3", 9, 9),
    ("stride, padding", "conv3 s2 p1, conv3 s2 p1, conv3 p1", 40, 40),
    ("dilation 2 and 3", "conv3 d2 p2, conv3 d3, conv2 d2", 40, 40),
    ("pooling: default stride, padding, dilation", "conv3, maxpool2, maxpool3 s2 p1, pool2 d2, avgpool3 s1", 60, 60),
    ("h != w both ways", "conv3x5 s2x1 p1x2, conv5x3 s1x3 d1x2, maxpool2x3", 50, 70),
    ("stride larger than the kernel", "conv2 s3, conv3 s4", 60, 60),
    ("1x1 kernels with padding and stride", "conv1 p1, conv3, conv1 s2 p2", 20, 20),
    ("AlexNet's geometry on 163 x 163", "conv11 s4, maxpool3 s2, conv5 p2, maxpool3 s2, "
     "conv3 p1, conv3 p1, conv3 p1", 163, 163),
    ("VGG-16's geometry on 96 x 96", "conv3 p1, conv3 p1, maxpool2, conv3 p1, conv3 p1, maxpool2, "
     "conv3 p1, conv3 p1, conv3 p1, maxpool2, conv3 p1, conv3 p1, conv3 p1, maxpool2", 96, 96),
]


def random_spec(rng):
    layers = []
    for _ in range(rng.randint(1, 5)):
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        dh, dw = rng.randint(1, 3), rng.randint(1, 3)
        ph, pw = rng.randint(0, 2), rng.randint(0, 2)
        if rng.random() < 0.3:
            layers.append("maxpool%dx%d s%dx%d p%dx%d" % (kh, kw, sh, sw, min(ph, kh // 2), min(pw, kw // 2)))
        else:
            layers.append("conv%dx%d s%dx%d p%dx%d d%dx%d" % (kh, kw, sh, sw, ph, pw, dh, dw))
        if rng.random() < 0.3:
            layers.append("relu")
    return ", ".join(layers)


def main():
    tap = torchcheck.Tap()
    cases = list(FIXED)
    rng = random.Random(SEED)
    for t in range(N_RANDOM):
        cases.append(("random stack %d" % (t + 1), random_spec(rng), rng.randint(60, 90), rng.randint(60, 90)))
    for desc, spec, h, w in cases:
        try:
            res = check(desc, spec, h, w)
        except RuntimeError as err:
            res = str(err)
        if isinstance(res, int) and res > 0:
            tap.ok("%s: %d units' windows match PyTorch (%s)" % (desc, res, spec))
        elif isinstance(res, int):
            tap.ok("%s: no unit's window fits the %dx%d input (%s)" % (desc, h, w, spec))
        else:
            tap.not_ok("%s (%s)" % (desc, spec), res)
    print("# %d failed" % tap.failed)
    sys.exit(tap.status())


main()

#!/usr/bin/env python3
"""lenet_torch.py: one training epoch of the modern LeNet-5 over Fashion-MNIST
(60,000 images, batch 64, SGD with momentum), in PyTorch and in the
workbook's C (`cnn train --bench`), at 1 and 2 threads; prints seconds per
epoch, the ratio C / PyTorch (the goal: at most 0.5) and the C run's peak
memory (the goal: at most 64 MB).

    OMP_NUM_THREADS is set per run here; run from the repo root:
    /usr/bin/python3 bench/lenet_torch.py [--threads 1,2] [--images N]
                                          [--cnn build/bin/cnn] [--repeat R]

The same network on both sides (lenet.h's LENET_MODERN): 1@32x32 input (the
28x28 image padded by 2), conv 5x5 1->6, ReLU, max-pool 2, conv 5x5 6->16,
ReLU, max-pool 2, conv 5x5 16->120, ReLU, linear 120->84, ReLU, linear 84->10,
softmax cross-entropy; SGD lr 0.05, momentum 0.9, weight decay 5e-4. Only the
training steps are timed (no test set), PyTorch with its data already in
memory as float tensors (the C side reads every batch from the IDX file).
Each configuration runs in its own process (OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS=1 set before torch loads, torch.set_num_threads too);
with --repeat R the fastest of R runs counts on each side.
"""
import argparse
import gzip
import os
import re
import struct
import subprocess
import sys
import time


def idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, rows, cols = struct.unpack(">III", data[4:16])
    return data[16:], n, rows, cols


def find_fashion():
    for d in ("build/data/fashion-mnist", "datasets/samples/fashion-mnist"):
        for suffix in ("", ".gz"):
            p = os.path.join(d, "train-images-idx3-ubyte" + suffix)
            if os.path.exists(p):
                return d, p
    return None, None


def torch_worker(threads, images):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    _, path = find_fashion()
    if path:
        raw, n, _, _ = idx_images(path)
        x = torch.frombuffer(bytearray(raw), dtype=torch.uint8)[: n * 784]
        x = x.view(n, 1, 28, 28).float().div(255).sub(0.1307).div(0.3081)
        x = F.pad(x, (2, 2, 2, 2), value=(0 - 0.1307) / 0.3081)
        labels = torch.randint(0, 10, (n,))
    else:
        n = images
        x = torch.randn(n, 1, 32, 32)
        labels = torch.randint(0, 10, (n,))
    # as many images as asked, cycling through the data set
    reps = (images + n - 1) // n
    x = x.repeat(reps, 1, 1, 1)[:images]
    labels = labels.repeat(reps)[:images]

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 6, 5)
            self.c3 = nn.Conv2d(6, 16, 5)
            self.c5 = nn.Conv2d(16, 120, 5)
            self.f6 = nn.Linear(120, 84)
            self.out = nn.Linear(84, 10)

        def forward(self, t):
            t = F.max_pool2d(F.relu(self.c1(t)), 2)
            t = F.max_pool2d(F.relu(self.c3(t)), 2)
            t = F.relu(self.c5(t)).flatten(1)
            return self.out(F.relu(self.f6(t)))

    model = LeNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    perm = torch.randperm(images)
    t0 = time.perf_counter()
    for s in range(0, images, 64):
        idx = perm[s:s + 64]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[idx]), labels[idx])
        loss.backward()
        opt.step()
    print("seconds %.4f" % (time.perf_counter() - t0))


def run_torch(threads, images):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, "--worker", str(threads), str(images)],
                         env=env, capture_output=True, text=True)
    m = re.search(r"seconds ([0-9.]+)", out.stdout)
    if not m:
        sys.exit("lenet_torch.py: the PyTorch run failed: " + (out.stderr.strip().splitlines() or ["?"])[-1])
    return float(m.group(1))


def run_c(cnn, threads, images, data_dir):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    cmd = [cnn, "train", "lenet5-modern", "--data-dir", data_dir, "--epochs", "1",
           "--batch", "64", "--lr", "0.05", "--momentum", "0.9", "--weight-decay", "5e-4",
           "--threads", str(threads), "--bench", "--quiet", "--limit-train", str(images)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    m = re.search(r"trained (\d+) images in ([0-9.]+) s: .* peak memory ([0-9.]+) MB", out.stdout)
    if out.returncode != 0 or not m:
        sys.exit("lenet_torch.py: %s failed: %s" % (" ".join(cmd), out.stderr.strip()))
    return float(m.group(2)), float(m.group(3)), int(m.group(1))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        torch_worker(int(sys.argv[2]), int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--images", type=int, default=60000)
    ap.add_argument("--cnn", default="build/bin/cnn")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    data_dir, path = find_fashion()
    if not data_dir:
        sys.exit("lenet_torch.py: no Fashion-MNIST: run datasets/fetch.sh fashion-mnist")
    if not os.access(a.cnn, os.X_OK):
        sys.exit("lenet_torch.py: %s is missing: run ./build.sh build" % a.cnn)
    _, n, _, _ = idx_images(path)
    images = min(a.images, n)
    print("modern LeNet-5, one epoch of %d Fashion-MNIST images (%s), batch 64, SGD momentum"
          % (images, data_dir))
    print("%-8s %12s %12s %10s %14s" % ("threads", "PyTorch s", "C s", "C/PyTorch", "C peak MB"))
    for t in [int(v) for v in a.threads.split(",")]:
        tt = min(run_torch(t, images) for _ in range(a.repeat))
        cs = [run_c(a.cnn, t, images, data_dir) for _ in range(a.repeat)]
        c, mem, _ = min(cs)
        print("%-8d %12.2f %12.2f %10.2f %14.1f" % (t, tt, c, c / tt, mem))


if __name__ == "__main__":
    main()

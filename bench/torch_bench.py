"""torch_bench.py: PyTorch's conv2d, timed on request for bench.c.

bench.c starts this once and talks to it over stdin/stdout, one line per
request, so that PyTorch's runs interleave with the course's own in the same
bench (same machine state, medians of interleaved repetitions):

    layer N C_in H W C_out KH KW SH SW PH PW DH DW GROUPS   -> "ok"
    time THREADS fwd|fwdbwd                                 -> seconds
    quit

`layer` makes random float32 tensors for that layer; `time` runs one
forward pass (or forward and backward: dx, dweight, dbias through autograd)
with torch.set_num_threads(THREADS) and answers the seconds it took,
measured around the call only. The first line it prints is
"ready torch VERSION" or "error SENTENCE".
"""
import sys
import time


def main():
    try:
        import torch
        import torch.nn.functional as F
    except Exception as exc:  # any failure to import is "no PyTorch here"
        print("error PyTorch cannot be imported (%s)" % exc.__class__.__name__,
              flush=True)
        return
    torch.manual_seed(0)
    print("ready torch %s" % torch.__version__, flush=True)
    t = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "layer":
            n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, g = map(int, words[1:15])
            t = {
                "x": torch.randn(n, c, h, w),
                "w": torch.randn(o, c // g, kh, kw),
                "b": torch.randn(o),
                "args": dict(stride=(sh, sw), padding=(ph, pw),
                             dilation=(dh, dw), groups=g),
            }
            with torch.no_grad():
                y = F.conv2d(t["x"], t["w"], t["b"], **t["args"])
            t["dy"] = torch.randn_like(y)
            print("ok", flush=True)
        elif words[0] == "time":
            threads, mode = int(words[1]), words[2]
            torch.set_num_threads(threads)
            if mode == "fwd":
                with torch.no_grad():
                    t0 = time.perf_counter()
                    F.conv2d(t["x"], t["w"], t["b"], **t["args"])
                    dt = time.perf_counter() - t0
            else:
                x = t["x"].detach().requires_grad_(True)
                w = t["w"].detach().requires_grad_(True)
                b = t["b"].detach().requires_grad_(True)
                t0 = time.perf_counter()
                y = F.conv2d(x, w, b, **t["args"])
                y.backward(t["dy"])
                dt = time.perf_counter() - t0
            print("%.9f" % dt, flush=True)
        else:
            print("error unknown request '%s'" % words[0], flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""test_notes_browser.py: the notes' interactive figures, in a real browser,
against the course's cnn tool.

    test_notes_browser.py [--site DIR] [--cnn PATH]

Opens the interactive figures of a rendered notes site (DIR, default: a new
student edition built here) in headless Chromium, moves their sliders and
switches, clicks output cells, and compares what each figure shows with the
answer of build/bin/cnn for the same parameters:

  conv-taps     the output size, and the input cells one output reads: cnn
                conv2d on a batch of one-hot images with an all-ones kernel
                (output (i, j) of image b is non-zero exactly when (i, j)
                reads the pixel b is hot at);
  pool-windows  the output size and every output value: cnn max_pool2d and
                avg_pool2d on the figure's own input;
  rf-growth     the receptive field of unit 0 of the last layer, clipped to
                the image: cnn conv2d (all-ones kernels) and avg_pool2d
                chained layer by layer over a batch of one-hot rows; and
                the size, jump and first position after every layer: cnn rf.

It also types queries into the index page's search box and follows the
results. Prints TAP ("ok N - ...", "not ok N - ..."); a figure that the site does
not have (its chapter is not written, or clang is missing) is skipped.
Exits 0 only if every check passed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "notes"))
import check_site  # noqa: E402  (the Browser class)

results = []


def report(ok, desc, details=()):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), desc))
    for d in details:
        print("    " + d)
    sys.stdout.flush()


def skip(desc, why):
    results.append(True)
    print("ok %d - %s # SKIP %s" % (len(results), desc, why))


class Cnn:
    def __init__(self, path, tmp):
        self.path, self.tmp, self.k = path, tmp, 0

    def run(self, op, inputs, flags):
        """Runs `cnn op OP`; returns the output array, or None when the tool
        refuses the parameters (no output)."""
        paths = []
        for arr in inputs:
            self.k += 1
            p = os.path.join(self.tmp, "in%d.npy" % self.k)
            np.save(p, np.ascontiguousarray(arr, dtype=np.float32))
            paths.append(p)
        out = os.path.join(self.tmp, "out%d.npy" % self.k)
        args = [self.path, "op", op]
        for k, v in flags.items():
            args += ["--" + k, str(v)]
        r = subprocess.run(args + paths + ["-o", out], capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip()
        return np.load(out), ""


# ---- driving a widget -----------------------------------------------------

SET = r"""
((name, key, value) => {
  const w = document.querySelector('div.widget[data-widget="' + name + '"]');
  const input = w.querySelector('[name="' + key + '"]');
  if (!input) throw new Error('no control ' + key);
  if (input.type === 'checkbox') {
    if (input.checked !== !!value) { input.checked = !!value; input.dispatchEvent(new Event('change')); }
  } else if (input.tagName === 'SELECT') {
    input.value = value; input.dispatchEvent(new Event('change'));
  } else {
    input.value = value; input.dispatchEvent(new Event('input'));
    if (String(input.value) !== String(value)) throw new Error(key + ' cannot be ' + value);
  }
  return true;
})
"""

CLICK = r"""
((name, i, j) => {
  const w = document.querySelector('div.widget[data-widget="' + name + '"]');
  const cell = w.querySelector('rect.wout[data-i="' + i + '"][data-j="' + j + '"]');
  if (!cell) return false;
  cell.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  return true;
})
"""

STATE = r"""
((name) => {
  const w = document.querySelector('div.widget[data-widget="' + name + '"]');
  const all = (sel, f) => [...w.querySelectorAll(sel)].map(f);
  return {
    outH: +w.getAttribute('data-out-h'), outW: +w.getAttribute('data-out-w'),
    i: +w.getAttribute('data-i'), j: +w.getAttribute('data-j'),
    reads: all('rect[data-read="tap"]', e => [+e.getAttribute('data-row'), +e.getAttribute('data-col')]),
    xs: all('rect[data-x]', e => [+e.getAttribute('data-row'), +e.getAttribute('data-col'), +e.getAttribute('data-x')]),
    ys: all('rect[data-y]', e => [+e.getAttribute('data-i'), +e.getAttribute('data-j'), +e.getAttribute('data-y')]),
    status: (w.querySelector('.widget-status') || {}).textContent,
    rf: all('tr[data-layer]', e => ({l: +e.getAttribute('data-layer'),
          size: +e.getAttribute('data-size'), jump: +e.getAttribute('data-jump'),
          first: +e.getAttribute('data-first'), lo: +e.getAttribute('data-lo'),
          hi: +e.getAttribute('data-hi')})),
  };
})
"""


def widget(browser, name, settings, click=None):
    for key, value in settings:
        browser.eval(SET + "(%s, %s, %s)" % (js(name), js(key), js(value)))
    if click is not None and not browser.eval(CLICK + "(%s, %d, %d)" % (js(name), *click)):
        raise AssertionError("no output cell (%d, %d) to click" % click)
    return browser.eval(STATE + "(%s)" % js(name))


def js(v):
    import json
    return json.dumps(v)


# ---- the checks -------------------------------------------------------------

CONV_CASES = [  # n, k, s, p, d, (i, j)
    (7, 3, 2, 1, 1, (1, 2)),
    (9, 3, 1, 3, 3, (0, 8)),
    (8, 5, 3, 2, 1, (2, 0)),
    (6, 2, 1, 0, 2, (3, 3)),
    (9, 1, 2, 3, 1, (0, 0)),
    (3, 5, 1, 0, 1, None),      # no output
]


def check_conv(browser, cnn):
    for n, k, s, p, d, cell in CONV_CASES:
        desc = "conv-taps n=%d k=%d stride=%d padding=%d dilation=%d" % (n, k, s, p, d)
        st = widget(browser, "conv-taps", [("n", n), ("k", k), ("s", s), ("p", p), ("d", d)])
        if cell is not None and st["outH"] >= 1:
            st = widget(browser, "conv-taps", [], click=cell)
        x = np.zeros((n * n, 1, n, n), np.float32)
        for b in range(n * n):
            x[b, 0, b // n, b % n] = 1.0
        y, err = cnn.run("conv2d", [x, np.ones((1, 1, k, k), np.float32)],
                         {"stride": s, "padding": p, "dilation": d})
        problems = []
        if y is None:
            if st["outH"] >= 1:
                problems.append("cnn refuses the shape (%s) but the figure shows an output of %d"
                                % (err, st["outH"]))
            report(not problems, desc + ": no output, as cnn says", problems)
            continue
        oh, ow = y.shape[2], y.shape[3]
        if (st["outH"], st["outW"]) != (oh, ow):
            problems.append("output size: figure %dx%d, cnn %dx%d" % (st["outH"], st["outW"], oh, ow))
        i, j = st["i"], st["j"]
        if cell is not None and (i, j) != tuple(cell):
            problems.append("the click selected (%d, %d), not %s" % (i, j, cell))
        want = sorted([b // n, b % n] for b in range(n * n) if y[b, 0, i, j] != 0)
        got = sorted(st["reads"])
        if got != want:
            problems.append("output (%d, %d) reads: figure %s, cnn %s" % (i, j, got, want))
        report(not problems, desc + ": output %dx%d, cells read by (%d, %d)" % (oh, ow, i, j),
               problems)


POOL_CASES = [  # mode, n, k, s, p, ceil_mode, count_include_pad
    ("max", 6, 3, 2, 1, 0, 1),
    ("avg", 6, 3, 2, 1, 0, 1),
    ("avg", 7, 3, 2, 1, 1, 0),
    ("max", 7, 2, 3, 1, 1, 1),
    ("avg", 5, 4, 3, 2, 1, 1),
    ("max", 9, 1, 4, 0, 0, 1),
]


def check_pool(browser, cnn):
    for mode, n, k, s, p, ceil, cip in POOL_CASES:
        desc = "pool-windows %s n=%d k=%d stride=%d padding=%d ceil_mode=%d count_include_pad=%d" % (
            mode, n, k, s, p, ceil, cip)
        st = widget(browser, "pool-windows", [("mode", mode), ("n", n), ("k", k), ("s", s),
                                              ("p", p), ("ceil_mode", ceil),
                                              ("count_include_pad", cip)])
        x = np.zeros((1, 1, n, n), np.float32)
        for r, c, v in st["xs"]:
            x[0, 0, r, c] = v
        problems = []
        if len(st["xs"]) != n * n:
            problems.append("the figure shows %d input values, not %d" % (len(st["xs"]), n * n))
        flags = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil}
        if mode == "avg":
            flags["count_include_pad"] = cip
        y, err = cnn.run(mode + "_pool2d", [x], flags)
        if y is None:
            problems.append("cnn refused: %s" % err)
        else:
            oh, ow = y.shape[2], y.shape[3]
            if (st["outH"], st["outW"]) != (oh, ow):
                problems.append("output size: figure %dx%d, cnn %dx%d" % (st["outH"], st["outW"], oh, ow))
            shown = {(i, j): v for i, j, v in st["ys"]}
            for i in range(oh):
                for j in range(ow):
                    v = shown.get((i, j))
                    if v is None or np.float32(v) != y[0, 0, i, j]:
                        problems.append("y[%d][%d]: figure %s, cnn %r" % (i, j, v, float(y[0, 0, i, j])))
        report(not problems, desc + ": output size and every value", problems[:6])


RF_CASES = [  # input length, layers (kind, k, s, p, d)
    (40, [("conv", 3, 1, 1, 1), ("conv", 3, 1, 1, 1), ("pool", 2, 2, 0, 1), ("conv", 3, 1, 1, 1)]),
    (48, [("conv", 3, 1, 0, 1), ("conv", 3, 1, 2, 2), ("conv", 3, 1, 4, 4)]),
    (30, [("conv", 5, 2, 2, 1), ("pool", 3, 2, 1, 1), ("conv", 3, 1, 1, 1)]),
]


def check_rf(browser, cnn):
    for length, layers in RF_CASES:
        desc = "rf-growth " + ", ".join("%s k%d s%d p%d d%d" % l for l in layers)
        settings = [("layers", len(layers))]
        for idx, (kind, k, s, p, d) in enumerate(layers):
            settings += [("kind%d" % idx, kind), ("k%d" % idx, k), ("s%d" % idx, s),
                         ("p%d" % idx, p), ("d%d" % idx, d)]
        st = widget(browser, "rf-growth", settings)
        # A batch of one-hot rows through the stack: unit 0 of the last layer
        # is non-zero for image b exactly when it sees pixel b.
        x = np.zeros((length, 1, 1, length), np.float32)
        for b in range(length):
            x[b, 0, 0, b] = 1.0
        problems, y = [], x
        for kind, k, s, p, d in layers:
            if kind == "conv":
                y, err = cnn.run("conv2d", [y, np.ones((1, 1, 1, k), np.float32)],
                                 {"stride": "1,%d" % s, "padding": "0,%d" % p,
                                  "dilation": "1,%d" % d})
            else:
                y, err = cnn.run("avg_pool2d", [y], {"kernel_size": "1,%d" % k,
                                                     "stride": "1,%d" % s, "padding": "0,%d" % p})
            if y is None:
                problems.append("cnn refused a layer: %s" % err)
                break
        if y is not None:
            seen = [b for b in range(length) if y[b, 0, 0, 0] != 0]
            last = st["rf"][-1] if st["rf"] else None
            if last is None or last["l"] != len(layers):
                problems.append("the figure shows no row for layer %d" % len(layers))
            else:
                lo, hi = max(last["lo"], 0), min(last["hi"], length - 1)
                if seen != list(range(lo, hi + 1)):
                    problems.append("unit 0 sees: figure [%d, %d] (clipped [%d, %d]), cnn %s"
                                    % (last["lo"], last["hi"], lo, hi,
                                       "[%d, %d]" % (seen[0], seen[-1]) if seen else "nothing"))
                if last["size"] != last["hi"] - last["lo"] + 1:
                    problems.append("size %d but window [%d, %d]" % (last["size"], last["lo"], last["hi"]))
        # And every row against the tool's own calculator, cnn rf.
        spec = ", ".join(("conv%d s%d p%d d%d" if kind == "conv" else "maxpool%d s%d p%d d%d")
                         % (k, s, p, d) for kind, k, s, p, d in layers)
        r = subprocess.run([cnn.path, "rf", spec], capture_output=True, text=True)
        # The table's rows: "input" and "#1".. "#n", each ending in RF, jump,
        # first, centre (the line above the table also starts with "input").
        rows = [line.split() for line in r.stdout.splitlines()
                if re.match(r"^(input|#\d+)\s.*\s-?\d+\s+-?[\d.]+$", line)]
        if r.returncode != 0 or len(rows) != len(layers) + 1:
            problems.append("cnn rf %r: %s" % (spec, r.stderr.strip() or r.stdout[-200:]))
        else:
            for row, shown in zip(rows, st["rf"]):
                want = tuple(int(v) for v in row[-4:-1])
                got = (shown["size"], shown["jump"], shown["first"])
                if want != got:
                    problems.append("layer %d: figure r, J, first = %s, cnn rf %s"
                                    % (shown["l"], got, want))
        report(not problems, desc + ": receptive field of unit 0, and r, J, first of every "
               "layer as cnn rf says", problems)


SEARCH = r"""
((q) => new Promise(done => {
  const box = document.getElementById('search-box');
  box.value = q;
  box.dispatchEvent(new Event('input'));
  setTimeout(() => done([...document.querySelectorAll('#search-results ol.search-hits li')].map(
    li => ({href: li.querySelector('a').getAttribute('href'), text: li.textContent}))), 400);
}))
"""


def check_search(browser, site):
    """The index page's search box, offline: a query finds sections whose
    text holds it, each a link to a page and anchor of the site."""
    browser.open("file://" + os.path.join(site, "index.html"))
    for query in ("dilation", "(1.7)", "zero padding"):
        hits = browser.eval(SEARCH + "(%s)" % js(query))
        problems = []
        if not hits:
            problems.append("no result")
        for h in hits[:5]:
            page, _, anchor = h["href"].partition("#")
            if not os.path.exists(os.path.join(site, page)):
                problems.append("result %s: no such page" % h["href"])
            elif anchor and ('id="%s"' % anchor) not in open(os.path.join(site, page),
                                                              encoding="utf-8").read():
                problems.append("result %s: no such anchor" % h["href"])
            words = query.lower().split()
            if not any(w in h["text"].lower() for w in words):
                problems.append("result %s does not show %r" % (h["href"], query))
        report(not problems, "the search box finds %r offline (%d sections)" % (query, len(hits)),
               problems)
    errors = browser.problems_logged()
    report(not errors, "the search runs without a script error", errors)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--site")
    ap.add_argument("--cnn", default=os.path.join(ROOT, "build", "bin", "cnn"))
    ap.add_argument("--chromium", default=shutil.which("chromium") or "")
    args = ap.parse_args(argv)
    if not args.chromium:
        skip("interactive figures in a browser", "chromium is not installed")
        print("# 1 checks, 0 failed")
        return 0
    tmp = tempfile.mkdtemp(prefix="test_notes_browser.")
    try:
        site = args.site
        if not site:
            site = os.path.join(tmp, "site")
            r = subprocess.run(["bash", os.path.join(ROOT, "notes", "build_notes.sh"),
                                "--out", site], capture_output=True, text=True)
            report(r.returncode == 0, "the notes build", r.stderr.splitlines()[-5:])
            if r.returncode != 0:
                return 1
        page = os.path.join(site, "interactive.html")
        if not os.path.exists(page):
            skip("interactive figures in a browser", "the site has none (clang or lld missing?)")
            print("# %d checks, 0 failed" % len(results))
            return 0
        if not os.access(args.cnn, os.X_OK):
            r = subprocess.run(["make", "-s", "-C", ROOT, "build/bin/cnn"], capture_output=True,
                               text=True)
            if r.returncode != 0:
                report(False, "build/bin/cnn builds", r.stderr.splitlines()[-5:])
                return 1
        cnn = Cnn(args.cnn, tmp)
        with check_site.Browser(args.chromium) as browser:
            browser.viewport(1280, 900)
            browser.open("file://" + page)
            browser.eval(check_site.WIDGETS_SETTLED)
            present = browser.eval("[...document.querySelectorAll('div.widget')].map(w => "
                                   "[w.getAttribute('data-widget'), w.classList.contains('widget-ready')])")
            present = dict(present)
            for name, fn in (("conv-taps", check_conv), ("pool-windows", check_pool),
                             ("rf-growth", check_rf)):
                if name not in present:
                    skip("interactive figure %s" % name, "not in this build (its chapter is not written)")
                    continue
                report(present[name], "interactive figure %s starts" % name)
                if present[name]:
                    try:
                        fn(browser, cnn)
                    except (check_site.BrowserError, AssertionError) as e:
                        report(False, "interactive figure %s responds" % name, [str(e)])
            errors = browser.problems_logged()
            report(not errors, "no script error and no request outside the site", errors)
            check_search(browser, site)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = results.count(False)
    print("# %d checks, %d failed" % (len(results), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""check_site.py: opens every page of a rendered notes site in headless
Chromium and checks what a reader would see.

    check_site.py [--chromium PATH] [--screens DIR | --no-screens]
                  [--pages GLOB]... SITE

For each page (index, chapters, interactive figures, and in the instructor
edition the answers and solution pages) it fails on:

  - math that did not render (a .math element without KaTeX's output, or
    KaTeX's error text);
  - an image that did not load, a link to a file of the site that does not
    exist or to an anchor the target page does not have;
  - an empty page (less than 200 characters of text in <main>);
  - a figure whose smallest text, once the SVG is scaled to the width it is
    shown at on a desktop, is smaller than 9 px (font-size x rendered width /
    viewBox width; PNG figures are not measured);
  - an interactive figure that does not start, a script error, a request
    that leaves the site (the notes must work offline);
  - an equation number that overlaps its equation, at desktop and at phone
    width (400 px).

It writes two screenshots per page into DIR (default SITE/screens):
NAME-desktop.png (1280 px wide, 2400 tall) and NAME-phone.png (400 px wide,
3200 tall), each of the stretch of the page that shows the most kinds of
content (display math, code, figures, interactive figures). Prints one line per
page and per problem; exits 1 if any problem was found.

Chromium is driven over its DevTools protocol on a pipe
(--remote-debugging-pipe), so nothing but the Python standard library is
needed; the Browser class is also used by tests/tooling/test_notes_browser.py.
"""
import argparse
import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

DESKTOP = (1280, 900)
PHONE = (400, 800)
MIN_FIGURE_TEXT_PX = 9.0
MAX_SHOT_HEIGHT = 16000   # image pixels; longer pages are scaled down
SHOT_HEIGHT = (2400, 3200)  # CSS px of a page's screenshot, desktop and phone
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--mute-audio", "--disable-extensions", "--remote-debugging-pipe",
]


class BrowserError(Exception):
    pass


class Browser:
    """Headless Chromium over the DevTools protocol on fds 3 and 4."""

    def __init__(self, chromium="chromium", timeout=30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="notes-chromium.")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Copies first: a pipe end may itself be fd 3 or 4, and os.pipe's
            # fds close on exec while dup2's copies do not.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=child_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.call("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(domain + ".enable")

    # -- protocol ------------------------------------------------------------

    def _send(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._to_chrome, data)
            data = data[n:]

    def _read(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer within %.0f s" % self.timeout)
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium exited (status %s)" % self.proc.poll())
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=None):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise BrowserError("%s: %s" % (method, reply["error"].get("message")))
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        for k, ev in enumerate(self.events):
            if ev["method"] == method:
                del self.events[k]
                return ev
        while True:
            ev = self._read(deadline)
            if ev.get("method") == method:
                return ev
            if "method" in ev:
                self.events.append(ev)

    # -- pages ---------------------------------------------------------------

    def viewport(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": mobile})

    def open(self, url):
        self.events = []
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")
        self.eval("document.fonts ? document.fonts.ready.then(() => true) : true")

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression,
                                           "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise BrowserError("script error: %s" % text)
        return r.get("result", {}).get("value")

    def screenshot(self, path, width, height=None, top=0):
        """A PNG of the page from `top`, `height` CSS px tall (default:
        the whole page, scaled down if it is longer than MAX_SHOT_HEIGHT)."""
        full = self.eval("Math.ceil(document.documentElement.scrollHeight)")
        height = min(height or full, max(full - top, 1))
        scale = min(1.0, MAX_SHOT_HEIGHT / height)
        shot = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": top, "width": width, "height": height, "scale": scale}},
            timeout=60)
        with open(path + ".tmp", "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        os.replace(path + ".tmp", path)

    def problems_logged(self):
        """Script errors and requests that left the site since open()."""
        out = []
        for ev in self.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("script error: %s" % (d.get("exception", {}).get("description")
                                                 or d.get("text")))
            elif m == "Network.requestWillBeSent":
                url = p.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:", "blob:")):
                    out.append("requests %s from the network" % url)
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                out.append("console error: %s" % e.get("text", "")[:200])
        return out

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- figures ----------------------------------------------------------------

def _px(value):
    """A CSS/SVG length in px, or None."""
    m = re.match(r"\s*([0-9.]+)\s*(px|pt|em)?\s*$", value or "")
    if not m:
        return None
    v = float(m.group(1))
    return v * {"pt": 4.0 / 3.0, "em": 16.0}.get(m.group(2), 1.0)


def svg_text_metrics(path):
    """(smallest font size in user units of any non-empty text, viewBox
    width), or None when the SVG has no text or no size."""
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return None
    root = tree.getroot()
    vb = root.get("viewBox")
    width = float(vb.split()[2]) if vb and len(vb.split()) == 4 else _px(root.get("width"))
    if not width:
        return None
    smallest = [None]

    def walk(el, size):
        style = el.get("style") or ""
        m = re.search(r"font-size\s*:\s*([^;]+)", style)
        own = _px(m.group(1)) if m else _px(el.get("font-size"))
        if own:
            size = own
        tag = el.tag.split("}")[-1]
        if tag in ("text", "tspan") and (el.text or "").strip():
            if smallest[0] is None or size < smallest[0]:
                smallest[0] = size
        for child in el:
            walk(child, size)

    walk(root, 16.0)
    if smallest[0] is None:
        return None
    return smallest[0], width


# ---- one page ------------------------------------------------------------

PAGE_FACTS = r"""
(() => {
  const main = document.querySelector('main');
  const maths = [...document.querySelectorAll('.math')];
  const imgs = [...document.images].filter(i => !i.closest('.widget'));
  return {
    text: main ? main.innerText.trim().length : 0,
    math: maths.length,
    mathBad: maths.filter(e => !e.querySelector('.katex')).map(e => e.textContent.slice(0, 60)),
    katexErrors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 60)),
    images: imgs.map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0,
                            width: i.getBoundingClientRect().width})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    widgets: [...document.querySelectorAll('div.widget[data-widget]')].map(w => ({
      name: w.getAttribute('data-widget'), ready: w.classList.contains('widget-ready'),
      failed: w.classList.contains('widget-failed'), error: w.getAttribute('data-error')})),
    code: document.querySelectorAll('pre code').length,
    highlighted: document.querySelectorAll('pre code span').length,
  };
})()
"""

WIDGETS_SETTLED = r"""
new Promise(done => {
  const t0 = Date.now();
  (function poll() {
    const ws = [...document.querySelectorAll('div.widget[data-widget]')];
    if (ws.every(w => w.classList.contains('widget-ready') || w.classList.contains('widget-failed'))
        || Date.now() - t0 > 5000) done(true);
    else setTimeout(poll, 50);
  })();
})
"""

# Equation numbers lying on their formula: the tag's box against every box
# of the formula line (KaTeX's .base elements).
# Where to take a page's screenshot: the stretch of `height` px from the
# top of some element that holds the most kinds of content among display
# math, code listings, figures and interactive figures.
BEST_STRETCH = r"""
((height) => {
  const kinds = {math: '.math.display', code: '.listing, div.sourceCode',
                 fig: 'figure', widget: 'div.widget.widget-ready'};
  const items = [];
  for (const [k, sel] of Object.entries(kinds))
    for (const e of document.querySelectorAll(sel)) {
      const r = e.getBoundingClientRect();
      if (r.height > 0) items.push({k, top: r.top + scrollY, bottom: r.bottom + scrollY});
    }
  let best = 0, bestTop = 0;
  for (const it of items) {
    const top = Math.max(0, it.top - 60), seen = new Set();
    for (const o of items) if (o.top >= top && o.bottom <= top + height) seen.add(o.k);
    if (seen.size > best || (seen.size === best && top < bestTop)) { best = seen.size; bestTop = top; }
  }
  return bestTop;
})
"""

TAG_OVERLAPS = r"""
(() => {
  const bad = [];
  for (const tag of document.querySelectorAll('.katex-display .tag')) {
    const t = tag.getBoundingClientRect();
    if (t.width === 0) continue;
    const html = tag.closest('.katex-html');
    for (const base of html.querySelectorAll(':scope > .base')) {
      const b = base.getBoundingClientRect();
      const ox = Math.min(t.right, b.right) - Math.max(t.left, b.left);
      const oy = Math.min(t.bottom, b.bottom) - Math.max(t.top, b.top);
      if (ox > 1 && oy > 1) { bad.push(tag.textContent); break; }
    }
  }
  return bad;
})()
"""


def check_page(browser, site, page, screens, ids_by_page, svg_cache):
    problems, notes = [], []
    url = "file://" + urllib.parse.quote(os.path.join(site, page))
    name = page[:-5]

    browser.viewport(*DESKTOP)
    browser.open(url)
    browser.eval(WIDGETS_SETTLED)
    facts = browser.eval(PAGE_FACTS)
    problems += browser.problems_logged()
    ids_by_page[page] = set(facts["ids"])

    if facts["text"] < 200:
        problems.append("the page is empty (%d characters of text)" % facts["text"])
    for tex in facts["mathBad"]:
        problems.append("math not rendered: %s" % tex)
    for tex in facts["katexErrors"]:
        problems.append("KaTeX could not typeset: %s" % tex)
    if facts["code"] and not facts["highlighted"]:
        problems.append("code listings are not highlighted")
    for w in facts["widgets"]:
        if not w["ready"]:
            problems.append("interactive figure %s did not start: %s"
                            % (w["name"], w["error"] or "no answer within 5 s"))
    smallest = None
    for img in facts["images"]:
        src = img["src"] or ""
        if not img["ok"]:
            problems.append("image %s did not load" % src)
            continue
        if not src.endswith(".svg"):
            continue
        path = os.path.join(site, urllib.parse.unquote(src.split("#")[0]))
        if path not in svg_cache:
            svg_cache[path] = svg_text_metrics(path)
        m = svg_cache[path]
        if not m:
            continue
        px = m[0] * img["width"] / m[1]
        smallest = px if smallest is None else min(smallest, px)
        if round(px, 1) < MIN_FIGURE_TEXT_PX:
            problems.append("figure %s: its smallest text is %.1f px at desktop width "
                            "(font-size %.1f of a %.0f-unit-wide drawing shown %.0f px wide); "
                            "it must be at least %.0f px" % (src, px, m[0], m[1], img["width"],
                                                              MIN_FIGURE_TEXT_PX))
    for tag in browser.eval(TAG_OVERLAPS):
        problems.append("equation number %s overlaps its equation at desktop width" % tag)
    if screens:
        top = browser.eval(BEST_STRETCH + "(%d)" % SHOT_HEIGHT[0])
        browser.screenshot(os.path.join(screens, name + "-desktop.png"), DESKTOP[0],
                           SHOT_HEIGHT[0], top)

    browser.viewport(*PHONE, mobile=True)
    browser.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    for tag in browser.eval(TAG_OVERLAPS):
        problems.append("equation number %s overlaps its equation at phone width" % tag)
    # At phone width a figure can only shrink: its text size is reported,
    # not held to the desktop rule.
    phone_smallest = None
    widths = browser.eval("[...document.images].filter(i => !i.closest('.widget'))"
                          ".map(i => [i.getAttribute('src'), i.getBoundingClientRect().width])")
    for src, width in widths:
        m = svg_cache.get(os.path.join(site, urllib.parse.unquote((src or "").split("#")[0])))
        if m and width:
            px = m[0] * width / m[1]
            phone_smallest = px if phone_smallest is None else min(phone_smallest, px)
    overflow = browser.eval("document.documentElement.scrollWidth - window.innerWidth")
    if overflow and overflow > 2:
        problems.append("the page is %d px wider than a 400-px phone screen" % overflow)
    if screens:
        top = browser.eval(BEST_STRETCH + "(%d)" % SHOT_HEIGHT[1])
        browser.screenshot(os.path.join(screens, name + "-phone.png"), PHONE[0],
                           SHOT_HEIGHT[1], top)

    notes.append("%d equations, %d listings, %d figures%s, %d interactive" % (
        facts["math"], facts["code"], len(facts["images"]),
        "" if smallest is None else " (smallest text %.1f px on a desktop, %.1f px on a phone)"
        % (smallest, phone_smallest or 0), len(facts["widgets"])))
    return facts, problems, notes


def check_links(site, page, links, ids_by_page):
    problems = []
    for href in links:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
            problems.append("links outside the site: %s" % href)
            continue
        path, _, frag = href.partition("#")
        target = path or page
        if path and not os.path.exists(os.path.join(site, urllib.parse.unquote(path))):
            problems.append("broken link: %s (no such file)" % href)
            continue
        frag = urllib.parse.unquote(frag)
        if frag and target in ids_by_page and frag not in ids_by_page[target]:
            problems.append("broken link: %s (%s has no id %s)" % (href, target, frag))
    return problems


def pages_of(site):
    pages = sorted(p for p in os.listdir(site) if p.endswith(".html")
                   and p != "course-notes.html")
    pages.sort(key=lambda p: (p != "index.html", p))
    return pages


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--screens", default=None)
    ap.add_argument("--no-screens", action="store_true", help="take no screenshots")
    ap.add_argument("--pages", action="append", metavar="GLOB",
                    help="check only the pages matching GLOB (a shell pattern such as "
                         "'*-answers.html'); may be given more than once")
    args = ap.parse_args(argv)
    site = os.path.abspath(args.site)
    if not os.path.isdir(site):
        print("notes check: %s is not a directory; render the notes first" % site)
        return 1
    screens = None
    if not args.no_screens:
        screens = args.screens or os.path.join(site, "screens")
        os.makedirs(screens, exist_ok=True)
    pages = pages_of(site)
    if args.pages:
        import fnmatch
        pages = [p for p in pages if any(fnmatch.fnmatch(p, g) for g in args.pages)]
    if not pages:
        print("notes check: %s has no pages" % site)
        return 1
    t0 = time.monotonic()
    ids_by_page, svg_cache, links, failed = {}, {}, {}, 0
    try:
        with Browser(args.chromium) as browser:
            for page in pages:
                try:
                    facts, problems, notes = check_page(browser, site, page, screens,
                                                        ids_by_page, svg_cache)
                    links[page] = facts["links"]
                except BrowserError as e:
                    problems, notes = ["could not be checked: %s" % e], []
                    links[page] = []
                print("%s %s: %s" % ("ok  " if not problems else "FAIL", page,
                                     "; ".join(notes) if notes else ""))
                for p in problems:
                    print("     - " + p)
                failed += bool(problems)
    except (BrowserError, OSError) as e:
        print("notes check: Chromium could not be started or stopped answering: %s" % e)
        return 1
    for page in pages:
        problems = check_links(site, page, links.get(page, []), ids_by_page)
        if problems:
            failed += 1
            print("FAIL %s: links" % page)
            for p in sorted(set(problems)):
                print("     - " + p)
    print("notes check: %d pages, %d with problems, in %.0f s%s" % (
        len(pages), failed, time.monotonic() - t0,
        "; screenshots in %s" % screens if screens else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

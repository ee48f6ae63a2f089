#!/usr/bin/env python3
"""pdf_pages.py: page numbers for the contents of the printed book.

    pdf_pages.py BOOK.pdf BOOK.html

BOOK.html's contents list one entry per section of the book, each with an
empty <span class="page" data-label="Chapter 1"></span>. Every section
starts on a new page whose first lines hold its label (printed in capitals).
This finds that page in BOOK.pdf (with pdftotext) and writes its number into
the span; the book is then printed again. Fails, naming the label, when a
section cannot be found.
"""
import re
import subprocess
import sys


def pages_text(pdf):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"],
                         check=True, capture_output=True, text=True).stdout
    return out.split("\f")


def norm(s):
    return " ".join(s.upper().split())


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: pdf_pages.py BOOK.pdf BOOK.html\n")
        return 2
    pdf, page = argv
    pages = pages_text(pdf)
    heads = [norm(" ".join(p.strip().splitlines()[:6])) for p in pages]
    with open(page, encoding="utf-8") as f:
        html = f.read()
    start = 1  # the sections come in order: search on from the previous one

    def fill(m):
        nonlocal start
        label = norm(m.group(2))
        for k in range(start, len(heads)):
            if re.search(r"(^| )" + re.escape(label) + r"( |$)", heads[k]):
                start = k + 1
                return '%s%d%s' % (m.group(1), k + 1, m.group(3))
        raise LookupError('no page starts with "%s"' % m.group(2))

    try:
        html = re.sub(r'(<span class="page" data-label="([^"]*)">)[^<]*(</span>)',
                      fill, html)
    except LookupError as e:
        sys.stderr.write("%s\n" % e)
        return 1
    with open(page + ".tmp", "w", encoding="utf-8") as f:
        f.write(html)
    import os
    os.replace(page + ".tmp", page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

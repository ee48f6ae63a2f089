#!/usr/bin/env python3
"""search_index.py: the offline search index of the course notes.

    search_index.py SITE PAGE.html ...  > SITE/search-index.js

Splits each page (rendered by pandoc, before its math is typeset) into its
sections, at every h2 and h3 heading, and prints a script that sets
window.SEARCH_INDEX to a list of entries

    {"p": page, "a": anchor, "t": page title, "s": section title, "x": text}

(a script rather than a .json file, because a page opened from file:// may
not fetch one). Math is indexed as its TeX source, code listings as their
code. search.js does the searching.
"""
import html.parser
import json
import os
import re
import sys


class Sections(html.parser.HTMLParser):
    """Collects the text of <main>, cut at h2/h3 headings with an id."""

    SKIP = {"script", "style", "nav"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections = []          # [anchor, heading, [text parts]]
        self.in_main = 0
        self.skip = 0
        self.heading = None          # [anchor, [parts]] while inside h2/h3
        self.in_title = False
        self.title_parts = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.in_main += 1
            self.sections.append(["", "", []])
            return
        if not self.in_main:
            return
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "h1" and "title" in (a.get("class") or ""):
            self.in_title = True
        elif tag in ("h2", "h3") and a.get("id") and not self.skip:
            self.heading = [a["id"], []]

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        elif not self.in_main:
            return
        elif tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "h1" and self.in_title:
            self.in_title = False
            self.title = " ".join("".join(self.title_parts).split())
        elif tag in ("h2", "h3") and self.heading:
            anchor, parts = self.heading
            self.sections.append([anchor, " ".join("".join(parts).split()), []])
            self.heading = None
        elif tag in ("p", "li", "div", "pre", "td", "th", "figcaption"):
            if self.sections:
                self.sections[-1][2].append(" ")

    def handle_data(self, data):
        if not self.in_main or self.skip:
            return
        if self.in_title:
            self.title_parts.append(data)
        elif self.heading is not None:
            self.heading[1].append(data)
        elif self.sections:
            self.sections[-1][2].append(data)


def index_page(site, page):
    with open(os.path.join(site, page), encoding="utf-8") as f:
        text = f.read()
    parser = Sections()
    parser.feed(text)
    entries = []
    for anchor, heading, parts in parser.sections:
        body = re.sub(r"\s+", " ", "".join(parts)).strip()
        if not body and not heading:
            continue
        entries.append({"p": page, "a": anchor, "t": parser.title,
                        "s": heading or parser.title, "x": body})
    return entries


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: search_index.py SITE PAGE.html ...\n")
        return 2
    site, pages = argv[0], argv[1:]
    entries = []
    for page in pages:
        try:
            entries.extend(index_page(site, page))
        except OSError as e:
            sys.stderr.write("notes: cannot index %s: %s\n" % (page, e.strerror))
            return 1
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    # "</" must not end the script early.
    data = data.replace("</", "<\\/")
    sys.stdout.write("/* search-index.js: built by notes/search_index.py */\n")
    sys.stdout.write("window.SEARCH_INDEX = " + data + ";\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

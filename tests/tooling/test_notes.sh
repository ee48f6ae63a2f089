#!/usr/bin/env bash
# test_notes.sh: tests notes/build_notes.sh, the renderer of the course notes.
#
# Renders both editions of the real lessons, and of a small synthetic course
# built in a temporary directory for the cases the real lessons may not
# cover (nested snippets, a missing include, a missing figure, an include
# from solutions/...). Prints one line per check, "ok - ..." or
# "not ok - ..." followed by indented details; exits 0 only if all pass.
# Run it from anywhere; ./build.sh test runs it from the repository root.
# shellcheck disable=SC2016  # '$x$' is markdown math, meant literally
set -uo pipefail
export LC_ALL=C.UTF-8

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/notes/build_notes.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_notes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failed=0
checks=0
detail=()

ok() { checks=$((checks + 1)); printf 'ok - %s\n' "$1"; }
not_ok() {
  checks=$((checks + 1)); failed=$((failed + 1))
  printf 'not ok - %s\n' "$1"
  local line
  for line in "${detail[@]}"; do printf '    %s\n' "$line"; done
}
skip() { checks=$((checks + 1)); printf 'ok - %s # SKIP %s\n' "$1" "$2"; }

# check DESCRIPTION COMMAND...: COMMAND returns 0 on success and may fill
# the array `detail` with what went wrong.
check() {
  local desc=$1; shift
  detail=()
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# build NAME ARGS...: runs the driver, keeping its status and output.
build() {
  local name=$1; shift
  "$build" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
}
rc_of() { cat "$tmp/$1.rc"; }

# ---- reading the rendered pages ----------------------------------------

html_pages() { find "$1" -name '*.html' | sort; }

# The text of the listing taken from SOURCE (snippet SNIPPET or "" for a
# whole file) in PAGE, with the markup stripped and entities decoded.
listing_text() {
  local page=$1 source=$2 snippet=$3
  awk -v src="data-source=\"$source\"" -v snip="data-snippet=\"$snippet\"" '
    !found && index($0, "<div class=\"listing\"") && index($0, src) &&
        (snip == "data-snippet=\"\"" ? !index($0, "data-snippet=") : index($0, snip)) {
      found = 1; next
    }
    found == 1 && index($0, "<pre") { found = 2 }
    found == 2 {
      line = $0
      done = index(line, "</pre>")
      gsub(/<[^>]*>/, "", line)
      gsub(/&lt;/, "<", line); gsub(/&gt;/, ">", line)
      gsub(/&quot;/, "\"", line); gsub(/&#39;/, "\047", line)
      gsub(/&amp;/, "\\&", line)
      print line
      if (done) exit
    }' "$page"
}

# What a listing must show, computed here independently of the filter: the
# lines strictly between ">>> NAME" and "<<< NAME" (or the whole file),
# without any marker line, blank lines trimmed at both ends, common
# indentation removed.
expected_snippet() {
  local file=$1 snippet=$2
  awk -v name="$snippet" '
    function marker(s) { return s ~ /(>>>|<<<)[ \t]+[A-Za-z0-9_.-]+/ }
    function is(s, kind) {
      return s ~ (kind "[ \t]+" name "([^A-Za-z0-9_.-]|$)")
    }
    name == "" { if (!marker($0)) print; next }
    inside && is($0, "<<<") { exit }
    inside && !marker($0) { print }
    is($0, ">>>") { inside = 1 }' "$file" |
  awk '
    { line[NR] = $0 }
    END {
      first = 1; last = NR
      while (first <= last && line[first] ~ /^[ \t]*$/) first++
      while (last >= first && line[last] ~ /^[ \t]*$/) last--
      indent = -1
      for (i = first; i <= last; i++) {
        if (line[i] ~ /^[ \t]*$/) continue
        match(line[i], /^[ \t]*/)
        if (indent < 0 || RLENGTH < indent) indent = RLENGTH
      }
      for (i = first; i <= last; i++)
        print (line[i] ~ /^[ \t]*$/ ? "" : substr(line[i], indent + 1))
    }'
}

# ---- reusable checks ---------------------------------------------------

build_succeeded() { # NAME DIR N
  local name=$1 dir=$2 n=$3
  if [[ $(rc_of "$name") != 0 ]]; then
    detail=("exit status $(rc_of "$name")" "$(head -5 "$tmp/$name.err")")
    return 1
  fi
  if ! grep -qx "notes: wrote $dir/index.html ($n chapters)" "$tmp/$name.out"; then
    detail=("expected: notes: wrote $dir/index.html ($n chapters)"
            "got: $(cat "$tmp/$name.out")")
    return 1
  fi
}

# Every chapter in order in index.html, with a page holding prev/next links.
index_lists_chapters() { # DIR SLUG...
  local dir=$1; shift
  local slugs=("$@") i prev_pos=0 pos
  [[ -f $dir/index.html ]] || { detail=("no index.html"); return 1; }
  for ((i = 0; i < ${#slugs[@]}; i++)); do
    pos=$(grep -n "<li><a href=\"${slugs[i]}.html\">" "$dir/index.html" | head -1 | cut -d: -f1)
    if [[ -z $pos ]]; then detail+=("index.html does not link ${slugs[i]}.html"); continue; fi
    ((pos > prev_pos)) || detail+=("${slugs[i]} is listed out of order")
    prev_pos=$pos
  done
  local listed
  listed=$(grep -c '^<li><a href="[0-9][0-9]-[^"]*\.html">' "$dir/index.html")
  [[ $listed == "${#slugs[@]}" ]] ||
    detail+=("index.html lists $listed chapters, expected ${#slugs[@]}")
  ((${#detail[@]} == 0))
}

pages_have_pager() { # DIR SLUG...
  local dir=$1; shift
  local slugs=("$@") i n=$# page
  for ((i = 0; i < n; i++)); do
    page=$dir/${slugs[i]}.html
    [[ -f $page ]] || { detail+=("missing ${slugs[i]}.html"); continue; }
    local want_prev="" want_next=""
    ((i > 0)) && want_prev="rel=\"prev\" href=\"${slugs[i - 1]}.html\""
    ((i + 1 < n)) && want_next="rel=\"next\" href=\"${slugs[i + 1]}.html\""
    if [[ -n $want_prev ]]; then
      [[ $(grep -c "$want_prev" "$page") -ge 2 ]] ||
        detail+=("${slugs[i]}.html: no previous link (top and bottom) to ${slugs[i - 1]}.html")
    elif grep -q 'rel="prev"' "$page"; then
      detail+=("${slugs[i]}.html: the first chapter has a previous link")
    fi
    if [[ -n $want_next ]]; then
      [[ $(grep -c "$want_next" "$page") -ge 2 ]] ||
        detail+=("${slugs[i]}.html: no next link (top and bottom) to ${slugs[i + 1]}.html")
    elif grep -q 'rel="next"' "$page"; then
      detail+=("${slugs[i]}.html: the last chapter has a next link")
    fi
    [[ $(grep -c 'class="up" href="index.html"' "$page") -ge 2 ]] ||
      detail+=("${slugs[i]}.html: no index link at top and bottom")
    if grep -q '^<h[23] id=' "$page" && ! grep -q '<nav id="TOC"' "$page"; then
      detail+=("${slugs[i]}.html: has sections but no table of contents")
    fi
  done
  ((${#detail[@]} == 0))
}

# Whether the build typesets math itself (node can load KaTeX) or leaves it
# to the browser; the checks below expect the one the build does.
KATEX_JS=${KATEX_DIR:-/usr/share/javascript/katex}/katex.min.js
server_math=0
command -v node >/dev/null && node -e 'require(process.argv[1])' "$KATEX_JS" 2>/dev/null &&
  server_math=1

# The TeX source of every formula of PAGE, one per line: from KaTeX's MathML
# annotation when typeset at build time, else from pandoc's math spans.
math_sources() { # PAGE
  if ((server_math)); then
    tr '\n' ' ' <"$1" | grep -o '<annotation encoding="application/x-tex">[^<]*</annotation>' |
      sed 's/^<annotation encoding="application\/x-tex">//; s/<\/annotation>$//'
  else
    tr '\n' ' ' <"$1" | grep -o '<span class="math [a-z]*">[^<]*</span>' |
      sed -E 's/^<span class="math [a-z]*">//; s/<\/span>$//'
  fi
}

# KaTeX's stylesheet and fonts are loaded from DIR/katex/; the math is
# typeset at build time (no script needed) when node is there, else by the
# local KaTeX in the browser.
katex_is_local() { # DIR
  local dir=$1 page url
  for f in katex/katex.min.js katex/katex.min.css; do
    [[ -s $dir/$f ]] || detail+=("missing $f")
  done
  while read -r url; do
    [[ -s $dir/katex/$url ]] || detail+=("katex.min.css needs $url, not in the site")
  done < <(grep -o 'url([^)]*)' "$dir/katex/katex.min.css" 2>/dev/null |
           sed 's/^url(//; s/)$//; s/["'\'']//g' | sort -u)
  for page in $(html_pages "$dir"); do
    grep -q 'class="math' "$page" || continue
    grep -q '<link rel="stylesheet" href="katex/katex.min.css" />' "$page" ||
      detail+=("${page#"$dir"/}: has math but does not load katex/katex.min.css")
    if ((server_math)); then
      grep -q 'katex.render(\|src="katex/katex.min.js"' "$page" &&
        detail+=("${page#"$dir"/}: math typeset at build time, yet KaTeX's script is loaded")
      tr '\n' ' ' <"$page" | grep -q '<span class="math \(inline\|display\)">[^<]' &&
        detail+=("${page#"$dir"/}: a formula was not typeset at build time")
    else
      grep -q '<script defer="" src="katex/katex.min.js"></script>' "$page" ||
        detail+=("${page#"$dir"/}: has math but does not load katex/katex.min.js")
      grep -q 'katex.render(' "$page" ||
        detail+=("${page#"$dir"/}: has math but no call of katex.render")
    fi
  done
  ((${#detail[@]} == 0))
}

# No src= or href= in any page points to the network.
nothing_remote() { # DIR
  local dir=$1 hits
  hits=$(grep -rnoE '(src|href)="(https?:)?//[^"]*"' --include='*.html' "$dir")
  [[ -z $hits ]] && return 0
  detail=("${hits//$dir\//}")
  return 1
}

# Every local src= and href= (before any #) names a file of the site.
links_resolve() { # DIR
  local dir=$1 page target
  for page in $(html_pages "$dir"); do
    while read -r target; do
      target=${target%%#*}
      [[ -z $target ]] && continue
      [[ -e $dir/$target ]] || detail+=("${page#"$dir"/}: $target does not exist")
    done < <(grep -oE '(src|href)="[^"]*"' "$page" | sed -E 's/^(src|href)="//; s/"$//')
  done
  ((${#detail[@]} == 0))
}

listing_matches() { # PAGE SOURCE-FILE REL SNIPPET
  local page=$1 file=$2 rel=$3 snippet=$4
  listing_text "$page" "$rel" "$snippet" >"$tmp/got"
  expected_snippet "$file" "$snippet" >"$tmp/want"
  if [[ ! -s $tmp/want ]]; then
    detail=("the expected text of $rel ${snippet:+snippet $snippet }is empty"); return 1
  fi
  if ! cmp -s "$tmp/got" "$tmp/want"; then
    mapfile -t detail < <(diff -u "$tmp/want" "$tmp/got" | head -12)
    detail=("listing of $rel ${snippet:+snippet $snippet }differs (- source, + page):" "${detail[@]}")
    return 1
  fi
}

# A failed build: non-zero exit, exactly one "notes:" sentence holding every
# word in WANT..., no output directory and no temporary left behind.
failed_cleanly() { # NAME OUTDIR WANT...
  local name=$1 out=$2; shift 2
  local err word
  err=$(cat "$tmp/$name.err")
  [[ $(rc_of "$name") != 0 ]] || detail+=("exit status 0, expected a failure")
  [[ $(grep -c '^notes: ' <<<"$err") == 1 ]] ||
    detail+=("expected one 'notes:' sentence on stderr, got:" "$err")
  for word in "$@"; do
    grep -qF -- "$word" <<<"$err" || detail+=("the message does not name '$word': $err")
  done
  [[ ! -e $out ]] || detail+=("$out was created")
  [[ -z $(find "$(dirname "$out")" -maxdepth 1 -name '.notes-tmp.*') ]] ||
    detail+=("a .notes-tmp.* directory was left behind")
  ((${#detail[@]} == 0))
}

# ---- a synthetic course ------------------------------------------------

syn=$tmp/syn
mkdir -p "$syn"/chapters/{00-first,01-second,02-third} "$syn"/solutions/01-second \
  "$syn"/plots/01-second "$syn"/tests/01-second/hidden
cat >"$syn/chapters/01-second/geom.h" <<'EOF'
#ifndef GEOM_H
#define GEOM_H

/* >>> geom */
typedef struct {
    int n, c_in, h, w;      /* x: (n, c_in, h, w) */
    /* >>> inner */
    int c_out, kh, kw;      /* a < b && c > d */

    /* <<< inner */
} Geom;
/* <<< geom */

static inline int twice(int x)
{
    /* >>> body */
    if (x > 0) {
        return 2 * x;
    }
    /* <<< body */
    return 0;
}
/* >>> geometry */
int not_this_one;
/* <<< geometry */
#endif
EOF
cat >"$syn/chapters/01-second/lesson.md" <<'EOF'
---
summary: A one-line SUMMARY_TOKEN of the chapter.
---

# Second chapter

Inline math $y_i = \sum_j w_{ij} x_j$ and a numbered equation:

$$ o = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 \tag{2.6} $$

## Listings

```{.c include="chapters/01-second/geom.h" snippet="geom"}
```

```{.c include="chapters/01-second/geom.h" snippet="body"}
```

```{.c include="chapters/01-second/geom.h" lines="14-15"}
```

## A figure

![The FIGURE_CAPTION_TOKEN.](../../plots/01-second/fig.svg)

Back to [the first chapter](../00-first/lesson.md).

## Cross-references

See (2.6) and Figure 1.1, but (9.9) is no equation. A [later
chapter](../07-later/lesson.md) is not written; the [index](../../notes/index.md) is.

<div class="widget" data-widget="conv-taps"></div>
EOF
printf '# First chapter\n\nNo math here.\n' >"$syn/chapters/00-first/lesson.md"
printf -- '---\ntitle: "02 · Third chapter"\n---\n\n## Only section\n\n$x$ as in (2.6).\n' \
  >"$syn/chapters/02-third/lesson.md"
cat >"$syn/plots/01-second/fig.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#369"/></svg>
EOF
printf '/* SOLUTION_TOKEN */\nint twice(int x) { return 2 * x; }\n' >"$syn/solutions/01-second/geom.c"
printf '# Answers\n\n1. ANSWER_TOKEN: $2 + 2 = 4$.\n' >"$syn/solutions/01-second/answers.md"
printf '/* HIDDEN_TOKEN */\n' >"$syn/tests/01-second/hidden/t.c"
syn_slugs=(00-first 01-second 02-third)

build syn-student --root "$syn" --out "$tmp/out/syn-student"
build syn-instructor --root "$syn" --out "$tmp/out/syn-instructor" --instructor
S=$tmp/out/syn-student I=$tmp/out/syn-instructor

check "synthetic course: student edition builds and reports 3 chapters" \
  build_succeeded syn-student "$S" 3
check "synthetic course: instructor edition builds and reports 3 chapters" \
  build_succeeded syn-instructor "$I" 3
for ed in student instructor; do
  d=$tmp/out/syn-$ed
  check "synthetic course ($ed): index.html lists every chapter in order" \
    index_lists_chapters "$d" "${syn_slugs[@]}"
  check "synthetic course ($ed): each chapter page exists with prev/next/index links (and a TOC)" \
    pages_have_pager "$d" "${syn_slugs[@]}"
  check "synthetic course ($ed): KaTeX and its fonts are loaded from the local copy" \
    katex_is_local "$d"
  check "synthetic course ($ed): no src= or href= points to http(s)" nothing_remote "$d"
  check "synthetic course ($ed): every local link and image resolves inside the site" \
    links_resolve "$d"
done

titles_and_summary() {
  grep -q '<span class="chapter-title">First chapter</span>' "$S/index.html" ||
    detail+=("title of 00 not taken from its first heading")
  grep -q '<span class="chapter-title">Third chapter</span>' "$S/index.html" &&
    grep -q '<h1 class="title">Third chapter</h1>' "$S/02-third.html" ||
    detail+=("title of 02 not taken from its YAML title without its number")
  grep -q 'SUMMARY_TOKEN' "$S/index.html" || detail+=("summary of 01 not in index.html")
  grep -q '<h1 class="title">Second chapter</h1>' "$S/01-second.html" ||
    detail+=("01-second.html does not show its title")
  ((${#detail[@]} == 0))
}
check "synthetic course: chapter titles and summaries reach the index" titles_and_summary

math_elements() {
  local page=$S/01-second.html
  math_sources "$page" >"$tmp/math"
  grep -qxF 'y_i = \sum_j w_{ij} x_j' "$tmp/math" ||
    detail+=("no inline math element in 01-second.html")
  grep -qF '\tag{2.6}' "$tmp/math" ||
    detail+=("no display math element keeping \\tag{2.6} in 01-second.html")
  if ((server_math)); then
    grep -q '<span class="katex-display">' "$page" ||
      detail+=("display math not typeset by KaTeX at build time")
  fi
  ((${#detail[@]} == 0))
}
check "synthetic course: math is emitted as KaTeX elements, \\tag kept" math_elements

check "synthetic course: snippet with a nested snippet equals the source region" \
  listing_matches "$S/01-second.html" "$syn/chapters/01-second/geom.h" \
  chapters/01-second/geom.h geom
check "synthetic course: an indented snippet is dedented" \
  listing_matches "$S/01-second.html" "$syn/chapters/01-second/geom.h" \
  chapters/01-second/geom.h body

lines_listing() {
  listing_text "$S/01-second.html" chapters/01-second/geom.h "" >"$tmp/got"
  printf '%s\n' 'static inline int twice(int x)' '{' >"$tmp/want"
  cmp -s "$tmp/got" "$tmp/want" && return 0
  mapfile -t detail < <(diff -u "$tmp/want" "$tmp/got")
  return 1
}
check "synthetic course: lines=\"14-15\" shows those two lines" lines_listing

listing_dressing() {
  local page=$S/01-second.html
  grep -q '<div class="listing-caption">' "$page" || detail+=("no caption above listings")
  grep -q '<code>chapters/01-second/geom.h</code>' "$page" ||
    detail+=("the caption does not show the source path")
  grep -q '<pre class="sourceCode c">' "$page" || detail+=("listing not marked as C")
  grep -q '<span class="kw">typedef</span>' "$page" || detail+=("C keywords not highlighted")
  grep -q 'code span.kw' "$page" || detail+=("no highlighting style in the page")
  ((${#detail[@]} == 0))
}
check "synthetic course: listings carry the source path and C highlighting" listing_dressing

figure_copied() {
  local page=$S/01-second.html
  grep -q '<img src="figures/01-second/fig.svg"' "$page" ||
    detail+=("the image link was not rewritten to figures/01-second/fig.svg")
  cmp -s "$syn/plots/01-second/fig.svg" "$S/figures/01-second/fig.svg" ||
    detail+=("figures/01-second/fig.svg is not a copy of plots/01-second/fig.svg")
  grep -q '<figcaption[^>]*><strong>Figure 1.1.</strong> The FIGURE_CAPTION_TOKEN.</figcaption>' "$page" ||
    detail+=("the figure has no caption numbered Figure 1.1")
  grep -q 'href="00-first.html"' "$page" ||
    detail+=("the link to ../00-first/lesson.md was not rewritten to 00-first.html")
  ((${#detail[@]} == 0))
}
check "synthetic course: figures are copied into the site and captioned" figure_copied

student_has_no_solutions() {
  local d=$S hits
  [[ -z $(find "$d" -name '*-answers.html' -o -name '*-solution.html') ]] ||
    detail+=("answers or solution pages in the student edition")
  hits=$(grep -rlE 'SOLUTION_TOKEN|ANSWER_TOKEN|HIDDEN_TOKEN|Instructor edition' "$d")
  [[ -z $hits ]] || detail+=("solution material in: ${hits//$d\//}")
  if grep -q 'href="[^"]*-\(answers\|solution\)\.html"' "$d/index.html"; then
    detail+=("index.html links answers or solution code")
  fi
  ((${#detail[@]} == 0))
}
check "synthetic course: the student edition has no answers and no solution code" \
  student_has_no_solutions

instructor_has_solutions() {
  local d=$I
  grep -q 'ANSWER_TOKEN' "$d/01-second-answers.html" 2>/dev/null ||
    detail+=("01-second-answers.html missing or without the answers")
  math_sources "$d/01-second-answers.html" 2>/dev/null | grep -qxF '2 + 2 = 4' ||
    detail+=("answers page has no math")
  grep -q 'SOLUTION_TOKEN' "$d/01-second-solution.html" 2>/dev/null ||
    detail+=("01-second-solution.html missing or without the solution code")
  grep -q 'data-source="solutions/01-second/geom.c"' "$d/01-second-solution.html" 2>/dev/null ||
    detail+=("solution page does not list solutions/01-second/geom.c")
  local page
  for page in index.html 01-second.html; do
    grep -q 'href="01-second-answers.html"' "$d/$page" || detail+=("$page does not link the answers")
    grep -q 'href="01-second-solution.html"' "$d/$page" || detail+=("$page does not link the solution code")
  done
  for page in $(html_pages "$d"); do
    grep -q 'Instructor edition: contains solutions' "$page" ||
      detail+=("${page#"$d"/} lacks the instructor-edition mark")
  done
  [[ ! -e $d/00-first-answers.html ]] || detail+=("answers page for a chapter without answers.md")
  ((${#detail[@]} == 0))
}
check "synthetic course: the instructor edition has answers and solution code, marked" \
  instructor_has_solutions

crossrefs() {
  local page=$S/01-second.html
  grep -q '<span id="eq-2.6" class="equation">' "$page" ||
    detail+=("the equation tagged 2.6 is not the link target eq-2.6")
  grep -q '<a href="#eq-2.6" class="eqref">(2.6)</a>' "$page" ||
    detail+=("(2.6) in the text is not a link to #eq-2.6")
  grep -q '(9.9) is no equation' "$page" || detail+=("(9.9), no equation, was changed")
  grep -q '<img src="figures/01-second/fig.svg" id="fig-1.1"' "$page" ||
    detail+=("the figure is not the link target fig-1.1")
  grep -q 'Figure <a href="#fig-1.1" class="figref">1.1</a>' "$page" ||
    detail+=("Figure 1.1 in the text is not a link to #fig-1.1")
  grep -q 'href="01-second.html#eq-2.6" class="eqref">(2.6)</a>' "$S/02-third.html" ||
    detail+=("(2.6) in another chapter is not a link to 01-second.html#eq-2.6")
  grep -q '<span class="planned" title="not written yet">later chapter</span>' "$page" ||
    detail+=("a link to a lesson not written yet is not shown as text")
  grep -q 'href="index.html">index</a>' "$page" ||
    detail+=("a link to notes/index.md does not go to index.html")
  ((${#detail[@]} == 0))
}
check "synthetic course: equations and figures are numbered link targets, references link to them" \
  crossrefs

widget_without_chapter() {
  grep -q 'data-widget=' "$S/01-second.html" &&
    detail+=("a widget whose chapter is not written is in the page")
  [[ -e $S/widgets || -e $S/interactive.html ]] &&
    detail+=("widgets/ or interactive.html in a course without their chapters")
  [[ ! -s $tmp/syn-student.err ]] || detail+=("the build printed: $(cat "$tmp/syn-student.err")")
  ((${#detail[@]} == 0))
}
check "synthetic course: an interactive figure whose chapter is not written is left out quietly" \
  widget_without_chapter

search_index() { # DIR EDITION
  local d=$1 ed=$2
  grep -q '<input id="search-box" type="search"' "$d/index.html" || detail+=("no search box")
  grep -q '<script defer src="search-index.js"></script>' "$d/index.html" &&
    grep -q '<script defer src="search.js"></script>' "$d/index.html" ||
    detail+=("index.html does not load search-index.js and search.js")
  [[ -s $d/search.js ]] || detail+=("no search.js")
  local py
  py=$(command -v python3)
  if ! "$py" - "$d" "$ed" >"$tmp/search.out" 2>&1 <<'EOF'
import json, os, sys
d, ed = sys.argv[1], sys.argv[2]
text = open(os.path.join(d, "search-index.js"), encoding="utf-8").read()
prefix = "window.SEARCH_INDEX = "
start = text.index(prefix) + len(prefix)
entries = json.loads(text[start:text.rindex(";")])
pages = {e["p"] for e in entries}
for want in ("00-first.html", "01-second.html", "02-third.html"):
    assert want in pages, "no entry for " + want
hit = [e for e in entries if e["a"] == "cross-references"]
assert hit and "no equation" in hit[0]["x"], "section Cross-references not indexed with its text"
answers = any("ANSWER_TOKEN" in e["x"] for e in entries)
if ed == "student":
    assert not answers, "the student index holds the answers"
else:
    assert answers, "the instructor index lacks the answers"
EOF
  then detail+=("$(tail -1 "$tmp/search.out")"); fi
  grep -q '<div class="outline"><a href="01-second.html#listings">Listings</a>' "$d/index.html" ||
    detail+=("index.html does not outline 01-second's sections")
  ((${#detail[@]} == 0))
}
check "synthetic course (student): a search box over every chapter, an outline, no answers" \
  search_index "$S" student
check "synthetic course (instructor): the search covers the answers" search_index "$I" instructor

# Failures, each on a copy of the synthetic course with one thing broken.
broken_case() { # NAME EDITION-FLAG SED-EXPR WANT...
  local name=$1 expr=$3 flags=()
  [[ -n $2 ]] && flags=("$2")
  shift 3
  rm -rf "$tmp/broken"; cp -r "$syn" "$tmp/broken"
  sed -i "$expr" "$tmp/broken/chapters/01-second/lesson.md"
  mkdir -p "$tmp/out/fail"
  build "$name" --root "$tmp/broken" --out "$tmp/out/fail/$name" "${flags[@]}"
  failed_cleanly "$name" "$tmp/out/fail/$name" "$@"
}
check "a missing include file fails with one sentence naming lesson and path, no output left" \
  broken_case missing-file "" 's#include="chapters/01-second/geom.h" snippet="geom"#include="chapters/01-second/gone.h" snippet="geom"#' \
  chapters/01-second/lesson.md chapters/01-second/gone.h "does not exist"
check "a missing snippet fails with one sentence naming lesson, path and snippet, no output left" \
  broken_case missing-snippet "" 's#snippet="geom"#snippet="geo"#' \
  chapters/01-second/lesson.md chapters/01-second/geom.h '"geo"' '>>> geo'
check "an unclosed line range fails with one sentence, no output left" \
  broken_case bad-lines "" 's#lines="14-15"#lines="14-99"#' \
  chapters/01-second/lesson.md chapters/01-second/geom.h 14-99
check "a missing figure fails with one sentence naming it, no output left" \
  broken_case missing-figure "" 's#fig.svg#gone.svg#' \
  chapters/01-second/lesson.md plots/01-second/gone.svg
check "a remote image is refused with one sentence, no output left" \
  broken_case remote-image "" 's#(../../plots/01-second/fig.svg)#(https://example.org/f.png)#' \
  chapters/01-second/lesson.md example.org/f.png
check "the student edition refuses to include from solutions/" \
  broken_case student-solutions "" 's#include="chapters/01-second/geom.h" snippet="body"#include="solutions/01-second/geom.c"#' \
  chapters/01-second/lesson.md solutions/01-second/geom.c "student edition"
check "the student edition refuses chapters/../solutions/ too" \
  broken_case student-dotdot "" 's#include="chapters/01-second/geom.h" snippet="body"#include="chapters/../solutions/01-second/geom.c"#' \
  chapters/01-second/lesson.md solutions/01-second/geom.c "student edition"
check "the student edition refuses to include hidden tests" \
  broken_case student-hidden "" 's#include="chapters/01-second/geom.h" snippet="body"#include="tests/01-second/hidden/t.c"#' \
  chapters/01-second/lesson.md tests/01-second/hidden/t.c "student edition"
check "an unknown interactive figure fails with one sentence naming it" \
  broken_case unknown-widget "" 's#data-widget="conv-taps"#data-widget="no-such-widget"#' \
  chapters/01-second/lesson.md no-such-widget conv-taps
check "an include outside the repository is refused" \
  broken_case outside "" 's#include="chapters/01-second/geom.h" snippet="body"#include="../escape.c"#' \
  chapters/01-second/lesson.md ../escape.c

instructor_may_include_solutions() {
  rm -rf "$tmp/broken"; cp -r "$syn" "$tmp/broken"
  sed -i 's#include="chapters/01-second/geom.h" snippet="body"#include="solutions/01-second/geom.c"#' \
    "$tmp/broken/chapters/01-second/lesson.md"
  build instr-sol --root "$tmp/broken" --out "$tmp/out/instr-sol" --instructor
  [[ $(rc_of instr-sol) == 0 ]] || detail=("$(cat "$tmp/instr-sol.err")")
  ((${#detail[@]} == 0))
}
check "the instructor edition may include from solutions/" instructor_may_include_solutions

failed_rebuild_keeps_site() {
  local out=$tmp/out/keep
  build keep1 --root "$syn" --out "$out"
  [[ $(rc_of keep1) == 0 ]] || { detail=("first build failed: $(cat "$tmp/keep1.err")"); return 1; }
  cp "$out/01-second.html" "$tmp/before.html"
  rm -rf "$tmp/broken"; cp -r "$syn" "$tmp/broken"
  sed -i 's#fig.svg#gone.svg#' "$tmp/broken/chapters/01-second/lesson.md"
  build keep2 --root "$tmp/broken" --out "$out"
  [[ $(rc_of keep2) != 0 ]] || detail+=("the broken rebuild succeeded")
  cmp -s "$out/01-second.html" "$tmp/before.html" || detail+=("the previous site was changed")
  [[ -z $(find "$tmp/out" -maxdepth 1 -name '.notes-tmp.*') ]] ||
    detail+=("a .notes-tmp.* directory was left behind")
  ((${#detail[@]} == 0))
}
check "a failed rebuild leaves the previous site untouched" failed_rebuild_keeps_site

refuses_foreign_dir() {
  mkdir -p "$tmp/out/foreign"; echo keep >"$tmp/out/foreign/precious.txt"
  build foreign --root "$syn" --out "$tmp/out/foreign"
  [[ $(rc_of foreign) != 0 ]] || detail+=("it built over a directory that is not a site")
  [[ -f $tmp/out/foreign/precious.txt ]] || detail+=("it removed a file it did not write")
  [[ $(grep -c '^notes: ' "$tmp/foreign.err") == 1 ]] ||
    detail+=("expected one 'notes:' sentence, got: $(cat "$tmp/foreign.err")")
  ((${#detail[@]} == 0))
}
check "an --out directory that is not a notes site is never replaced" refuses_foreign_dir

# --pdf prints the book when Chromium is here, else says what to install.
have_chromium=0
command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
  command -v google-chrome >/dev/null && have_chromium=1
pdf_option() {
  build pdf --root "$syn" --out "$tmp/out/pdf" --pdf
  if ((have_chromium)); then
    [[ $(rc_of pdf) == 0 ]] || { detail=("$(cat "$tmp/pdf.err")"); return 1; }
    [[ $(head -c 5 "$tmp/out/pdf/course-notes.pdf" 2>/dev/null) == %PDF- ]] ||
      detail+=("course-notes.pdf missing or not a PDF")
    grep -qx "notes: wrote $tmp/out/pdf/course-notes.pdf (student edition)" "$tmp/pdf.out" ||
      detail+=("the build does not say where the PDF is: $(cat "$tmp/pdf.out")")
    local slug
    for slug in "${syn_slugs[@]}"; do
      grep -q "<section class=\"chapter\" id=\"$slug\">" "$tmp/out/pdf/course-notes.html" ||
        detail+=("course-notes.html lacks chapter $slug")
    done
  else
    failed_cleanly pdf "$tmp/out/pdf" "chromium"
  fi
  ((${#detail[@]} == 0))
}
check "--pdf prints all lessons with Chromium, or names the package to install" pdf_option

# The book: A4, a contents page with page numbers, a number on every page
# but the title page; the instructor edition marked on every page and
# holding the answers and solution code, the student edition neither.
pdf_book() { # NAME EDITION
  local name=$1 ed=$2 flags=() pdf p pages text
  [[ $ed == instructor ]] && flags=(--instructor)
  # The student book is the one pdf_option printed.
  [[ -e $tmp/$name.rc ]] || build "$name" --root "$syn" --out "$tmp/out/$name" --pdf "${flags[@]}"
  [[ $(rc_of "$name") == 0 ]] || { detail=("$(cat "$tmp/$name.err")"); return 1; }
  pdf=$tmp/out/$name/course-notes.pdf
  # Every link of the printed page stays in it and finds its target.
  local page=$tmp/out/$name/course-notes.html target
  grep -q 'href="[^"#]*\.html' "$page" && detail+=("the print page links other pages: $(grep -o 'href="[^"#]*\.html[^"]*"' "$page" | head -3 | tr '\n' ' ')")
  while read -r target; do
    grep -q "id=\"$target\"" "$page" || detail+=("the print page links #$target, which it lacks")
  done < <(grep -o 'href="#[^"]\+"' "$page" | sed 's/^href="#//; s/"$//' | sort -u)
  pdfinfo "$pdf" | grep -qE '^Page size: +59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts \(A4\)' ||
    detail+=("not A4: $(pdfinfo "$pdf" | grep 'Page size')")
  pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
  ((pages >= 4)) || detail+=("only $pages pages")
  text=$(pdftotext -f 2 -l 2 "$pdf" - 2>/dev/null)
  grep -q '^Contents' <<<"$text" || detail+=("page 2 is not the contents")
  grep -qE '^Second chapter' <<<"$text" || detail+=("the contents do not list the chapters")
  [[ $(grep -cE '^[0-9]+$' <<<"$text") -ge 4 ]] ||
    detail+=("the contents have no page numbers: $(tr '\n' ' ' <<<"$text")")
  for ((p = 2; p <= pages; p++)); do
    text=$(pdftotext -layout -f "$p" -l "$p" "$pdf" - 2>/dev/null)
    grep -qE "^ *$p *$" <<<"$text" || detail+=("page $p has no page number")
    if [[ $ed == instructor ]]; then
      grep -q 'Instructor edition: contains solutions' <<<"$text" ||
        detail+=("page $p lacks the instructor mark")
    fi
  done
  text=$(pdftotext "$pdf" - 2>/dev/null)
  if [[ $ed == instructor ]]; then
    grep -q ANSWER_TOKEN <<<"$text" || detail+=("the instructor book lacks the answers")
    grep -q SOLUTION_TOKEN <<<"$text" || detail+=("the instructor book lacks the solution code")
    grep -qx "notes: wrote $tmp/out/$name/course-notes.pdf (instructor edition, with answers and solution code)" \
      "$tmp/$name.out" || detail+=("the build does not say where the PDF is")
  else
    grep -qE 'ANSWER_TOKEN|SOLUTION_TOKEN|Instructor edition' <<<"$text" &&
      detail+=("the student book holds instructor material")
  fi
  ((${#detail[@]} == 0))
}
if ((have_chromium)) && command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then
  check "--pdf: an A4 book with contents and page numbers, no answers in the student edition" \
    pdf_book pdf student
  check "--instructor --pdf: the answers and solution code, the mark on every page" \
    pdf_book pdf-instructor instructor
else
  skip "--pdf: an A4 book with contents and page numbers" "chromium or poppler-utils missing"
  skip "--instructor --pdf: the answers and solution code, the mark on every page" \
    "chromium or poppler-utils missing"
fi

# ---- the real lessons --------------------------------------------------

real_slugs=()
for lesson in "$root"/chapters/[0-9][0-9]-*/lesson.md; do
  [[ -f $lesson ]] && real_slugs+=("$(basename "$(dirname "$lesson")")")
done
n=${#real_slugs[@]}
build real-student --out "$tmp/out/real-student"
build real-instructor --out "$tmp/out/real-instructor" --instructor
RS=$tmp/out/real-student RI=$tmp/out/real-instructor

check "course notes: student edition builds ($n chapters)" build_succeeded real-student "$RS" "$n"
check "course notes: instructor edition builds ($n chapters)" build_succeeded real-instructor "$RI" "$n"
for ed in student instructor; do
  d=$tmp/out/real-$ed
  check "course notes ($ed): index.html lists every chapter in order" \
    index_lists_chapters "$d" "${real_slugs[@]}"
  if ((n)); then
    check "course notes ($ed): each chapter page exists with prev/next/index links (and a TOC)" \
      pages_have_pager "$d" "${real_slugs[@]}"
  else
    skip "course notes ($ed): each chapter page exists with prev/next links" "no lesson yet"
  fi
  check "course notes ($ed): KaTeX and its fonts are loaded from the local copy" katex_is_local "$d"
  check "course notes ($ed): no src= or href= points to http(s)" nothing_remote "$d"
  check "course notes ($ed): every local link and image resolves inside the site" links_resolve "$d"
done

real_math() {
  local slug found=0
  for slug in "${real_slugs[@]}"; do
    grep -q 'class="math \(inline\|display\)"' "$RS/$slug.html" 2>/dev/null && found=1
    # Every $$...\tag{..}$$ of the lesson must reach the page as display
    # math, and be a link target eq-N.k.
    local tags_md tags_html tag
    tags_md=$(grep -o '\\tag{[^}]*}' "$root/chapters/$slug/lesson.md" | sort -u)
    tags_html=$(math_sources "$RS/$slug.html" | grep -o '\\tag{[^}]*}' | sort -u)
    [[ $tags_md == "$tags_html" ]] ||
      detail+=("$slug: equation tags in the lesson and in display math differ")
    while read -r tag; do
      [[ -n $tag ]] || continue
      grep -q "<span id=\"eq-$tag\" class=\"equation\">" "$RS/$slug.html" ||
        detail+=("$slug: equation ($tag) is not the link target eq-$tag")
    done < <(sed 's/^\\tag{//; s/}$//' <<<"$tags_md")
  done
  ((found)) || detail+=("no page has a math element")
  ((${#detail[@]} == 0))
}
real_lessons=()
for slug in "${real_slugs[@]}"; do real_lessons+=("$root/chapters/$slug/lesson.md"); done
if ((n)) && grep -qs '\$' "${real_lessons[@]}"; then
  check "course notes: math elements exist and every \\tag reaches display math" real_math
else
  skip "course notes: math elements exist" "no lesson with math yet"
fi

# Every listing of the real lessons, checked line by line against its source.
real_listings() {
  local slug block path snip
  for slug in "${real_slugs[@]}"; do
    while read -r block; do
      [[ $block == *'lines="'* ]] && continue
      path=$(sed -E 's/.*include="([^"]+)".*/\1/' <<<"$block")
      snip=""
      [[ $block == *'snippet="'* ]] && snip=$(sed -E 's/.*snippet="([^"]+)".*/\1/' <<<"$block")
      local saved=("${detail[@]}")
      detail=()
      if ! listing_matches "$RS/$slug.html" "$root/$path" "$path" "$snip"; then
        saved+=("$slug.html:" "${detail[@]}")
      fi
      detail=("${saved[@]}")
    done < <(grep -oE '^```+ *\{[^}]*include="[^"]+"[^}]*\}' "$root/chapters/$slug/lesson.md")
  done
  ((${#detail[@]} == 0))
}
listings=0
((n)) && listings=$(cat "${real_lessons[@]}" | grep -cE '^```+ *\{[^}]*include="')
if ((listings)); then
  check "course notes: each of the $listings listings of the lessons equals its source" real_listings
else
  skip "course notes: every listing equals its source" "no lesson includes code yet"
fi

real_gnuplot() {
  local page
  page=$(grep -l 'include="[^"]*\.gp"' "${real_lessons[@]}" | head -1)
  page=$RS/$(basename "$(dirname "$page")").html
  grep -q '<code class="sourceCode gnuplot">' "$page" ||
    detail+=("${page##*/}: a gnuplot listing is not marked as gnuplot")
  tr '\n' ' ' <"$page" | grep -q '<code class="sourceCode gnuplot">.*<span class="kw">' ||
    detail+=("${page##*/}: gnuplot keywords are not highlighted")
  ((${#detail[@]} == 0))
}
if ((n)) && grep -qs 'include="[^"]*\.gp"' "${real_lessons[@]}"; then
  check "course notes: gnuplot listings are highlighted" real_gnuplot
else
  skip "course notes: gnuplot listings are highlighted" "no lesson shows a gnuplot script"
fi

real_student_clean() {
  local d=$RS hits
  [[ -z $(find "$d" -name '*-answers.html' -o -name '*-solution.html') ]] ||
    detail+=("answers or solution pages in the student edition")
  hits=$(grep -rlE 'data-source="solutions/|Instructor edition' "$d")
  [[ -z $hits ]] || detail+=("solution material in: ${hits//$d\//}")
  ((${#detail[@]} == 0))
}
check "course notes: the student edition has no answers and no solution code" real_student_clean

real_instructor_complete() {
  local d=$RI slug f
  for slug in "${real_slugs[@]}"; do
    if [[ -f $root/solutions/$slug/answers.md ]]; then
      [[ -f $d/$slug-answers.html ]] || detail+=("no $slug-answers.html")
      grep -q "href=\"$slug-answers.html\"" "$d/$slug.html" "$d/index.html" ||
        detail+=("$slug-answers.html not linked")
    fi
    for f in "$root/solutions/$slug"/*.c; do
      [[ -f $f ]] || continue
      grep -q "data-source=\"solutions/$slug/$(basename "$f")\"" "$d/$slug-solution.html" 2>/dev/null ||
        detail+=("$slug-solution.html does not list $(basename "$f")")
    done
  done
  ((${#detail[@]} == 0))
}
check "course notes: the instructor edition has every answers.md and solution file" \
  real_instructor_complete

# No line of a solution's code reaches the student edition, in any file
# (pages, scripts, search index), and its interactive figures export only
# their own small functions: no solution's layer is in them.
real_no_leak() {
  local py
  py=$(command -v python3)
  if ! "$py" - "$root" "$RS" >"$tmp/leak.out" 2>&1 <<'EOF'
import base64, glob, html, os, re, sys
root, site = sys.argv[1], sys.argv[2]
text = ""
for dirpath, _, files in os.walk(site):
    for f in files:
        if f.endswith((".html", ".js")):
            text += html.unescape(open(os.path.join(dirpath, f), encoding="utf-8").read())
problems = []
# Lines the student may see anyway: everything handed out (chapters/,
# common/, tools/, the visible tests).
given = ""
for pattern in ("chapters/*/*", "common/*", "tools/*/*", "tests/*/*.[ch]"):
    for f in glob.glob(os.path.join(root, pattern)):
        if os.path.isfile(f):
            given += open(f, encoding="utf-8", errors="replace").read()
# The search index joins lines with spaces: compare with whitespace
# collapsed, so a header's declaration split over two lines counts as given.
given_flat = re.sub(r"\s+", " ", given)
for sol in sorted(glob.glob(os.path.join(root, "solutions", "*", "*.c"))):
    for line in open(sol, encoding="utf-8", errors="replace"):
        code = line.strip()
        if len(code) < 24 or code.startswith(("/*", "*", "//")) or code in given \
                or re.sub(r"\s+", " ", code) in given_flat:
            continue
        if code in text:
            problems.append("%s: %s" % (os.path.relpath(sol, root), code))
js = os.path.join(site, "widgets", "widgets.js")
if os.path.exists(js):
    allowed = {"memory"}
    for c in glob.glob(os.path.join(root, "notes", "widgets", "*.c")):
        allowed |= set(re.findall(r'EXPORT\("([A-Za-z0-9_]+)"\)', open(c).read()))
    for name, b64 in re.findall(r'wasm\["([^"]+)"\] = "([^"]+)"', open(js).read()):
        wasm = base64.b64decode(b64)
        # the export section (id 7): count, then (name, kind, index) each
        i, exports = 8, []
        while i < len(wasm):
            sec, i = wasm[i], i + 1
            size = shift = 0
            while True:
                b, i = wasm[i], i + 1
                size |= (b & 0x7F) << shift; shift += 7
                if b < 0x80: break
            if sec == 7:
                j, count = i + 1, wasm[i]
                for _ in range(count):
                    n = wasm[j]; exports.append(wasm[j + 1:j + 1 + n].decode()); j += 1 + n + 2
            i += size
        extra = set(exports) - allowed
        if extra:
            problems.append("widget %s exports %s" % (name, ", ".join(sorted(extra))))
for p in problems[:8]:
    print(p)
sys.exit(1 if problems else 0)
EOF
  then mapfile -t detail <"$tmp/leak.out"; fi
  ((${#detail[@]} == 0))
}
check "course notes: no line of solution code in any file of the student edition; widgets export only their own functions" \
  real_no_leak

real_widgets() {
  if [[ ! -f $root/solutions/01-convolution/conv.c ]]; then return 0; fi
  grep -q '<div class="widget" data-widget="conv-taps">' "$RS/01-convolution.html" ||
    detail+=("01-convolution.html has no conv-taps figure")
  grep -q '<script defer src="widgets/widgets.js"></script>' "$RS/01-convolution.html" ||
    detail+=("01-convolution.html does not load widgets/widgets.js")
  grep -q 'CNNWidgets.wasm\["conv-taps"\] = "AGFzbQ' "$RS/widgets/widgets.js" 2>/dev/null ||
    detail+=("widgets/widgets.js holds no WebAssembly module for conv-taps")
  grep -q 'data-widget="conv-taps"' "$RS/interactive.html" 2>/dev/null ||
    detail+=("interactive.html does not show conv-taps")
  ((${#detail[@]} == 0))
}
if command -v clang >/dev/null && command -v wasm-ld >/dev/null; then
  check "course notes: the interactive figures are built and lesson 01 shows conv-taps" real_widgets
else
  skip "course notes: the interactive figures are built" "clang or lld is not installed"
fi

# The --check of the notes (check_site.py) on both real editions: every page
# of the student edition; of the instructor edition the pages only it has.
check_site() { # NAME ARGS...
  local name=$1; shift
  "$(command -v python3)" "$root/notes/check_site.py" --no-screens "$@" >"$tmp/$name.check" 2>&1
}
real_browser_check() { # DIR [PAGES...]
  local dir=$1; shift
  local pages=() g
  for g in "$@"; do pages+=(--pages "$g"); done
  if ! check_site real-check "${pages[@]}" "$dir"; then
    mapfile -t detail < <(grep -v '^ok ' "$tmp/real-check.check" | head -20)
    return 1
  fi
}
# The check itself fails where it must: a missing figure, math KaTeX did not
# typeset, an anchor that does not exist, an empty page.
check_catches() {
  local d=$tmp/out/broken-site page=01-convolution.html
  rm -rf "$d"; cp -r "$RS" "$d"
  local fig
  fig=$(grep -o 'src="figures/[^"]*\.svg"' "$d/$page" | head -1 | sed 's/^src="//; s/"$//')
  rm -f "$d/$fig"
  sed -i '0,/<span class="math display">/s//<span class="math display">\\frac{ NOT_TYPESET<\/span><span class="math display">/' "$d/$page"
  sed -i 's#</main>#<p><a href="02-pooling.html\#no-such-anchor">x</a></p></main>#' "$d/$page"
  printf '<!DOCTYPE html><html><head><title>e</title></head><body><main></main></body></html>\n' \
    >"$d/empty.html"
  if check_site catches --pages "$page" --pages empty.html --pages 02-pooling.html "$d"; then
    detail+=("check_site.py passed a broken site")
  fi
  local want
  for want in "image $fig did not load" "math not rendered: \\frac{ NOT_TYPESET" \
      "02-pooling.html has no id no-such-anchor" "empty.html: " "the page is empty"; do
    grep -qF -- "$want" "$tmp/catches.check" || detail+=("the check does not report: $want")
  done
  ((${#detail[@]} == 0)) || detail+=("its output:" "$(head -20 "$tmp/catches.check")")
  ((${#detail[@]} == 0))
}
# build_notes.sh --check runs the check after the site is in place: the
# synthetic course's pages are nearly empty, so it fails, says so in one
# sentence, and leaves the site and its screenshots to look at.
check_option() {
  build syn-check --root "$syn" --out "$tmp/out/syn-check" --check
  [[ $(rc_of syn-check) != 0 ]] || detail+=("--check passed nearly empty pages")
  grep -q "^notes: the check of $tmp/out/syn-check found the problems listed above.$" \
    "$tmp/syn-check.err" || detail+=("no closing sentence: $(tail -2 "$tmp/syn-check.err")")
  grep -q '^FAIL 00-first.html' "$tmp/syn-check.out" &&
    grep -q 'the page is empty' "$tmp/syn-check.out" ||
    detail+=("the check does not name the empty page: $(head -5 "$tmp/syn-check.out")")
  [[ -f $tmp/out/syn-check/index.html ]] || detail+=("the site was not kept")
  [[ -s $tmp/out/syn-check/screens/01-second-desktop.png &&
     -s $tmp/out/syn-check/screens/01-second-phone.png ]] ||
    detail+=("no desktop and phone screenshots in screens/")
  ((${#detail[@]} == 0))
}

if ((have_chromium)) && ((n)); then
  check "--check renders, then fails naming each page's problems; the site and screenshots stay" \
    check_option
  check "notes --check: every page of the student edition passes in headless Chromium" \
    real_browser_check "$RS"
  check "notes --check: the instructor edition's own pages pass in headless Chromium" \
    real_browser_check "$RI" index.html '*-answers.html' '*-solution.html'
  check "notes --check fails on a missing figure, untypeset math, a broken anchor, an empty page" \
    check_catches
else
  skip "notes --check in headless Chromium" "chromium is not installed"
fi

printf '# %d checks, %d failed\n' "$checks" "$failed"
((failed == 0))

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

# KaTeX is loaded from DIR/katex/ and its stylesheet's fonts are all there.
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
    grep -q '<script defer="" src="katex/katex.min.js"></script>' "$page" ||
      detail+=("${page#"$dir"/}: has math but does not load katex/katex.min.js")
    grep -q '<link rel="stylesheet" href="katex/katex.min.css" />' "$page" ||
      detail+=("${page#"$dir"/}: has math but does not load katex/katex.min.css")
    grep -q 'katex.render(' "$page" ||
      detail+=("${page#"$dir"/}: has math but no call of katex.render")
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
EOF
printf '# First chapter\n\nNo math here.\n' >"$syn/chapters/00-first/lesson.md"
printf -- '---\ntitle: "02 · Third chapter"\n---\n\n## Only section\n\n$x$\n' \
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
  grep -q '<span class="math inline">y_i = \\sum_j w_{ij} x_j</span>' "$page" ||
    detail+=("no inline math element in 01-second.html")
  grep -q '<span class="math display">.*\\tag{2.6}.*</span>' "$page" ||
    detail+=("no display math element keeping \\tag{2.6} in 01-second.html")
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
  grep -q '<figcaption[^>]*>The FIGURE_CAPTION_TOKEN.</figcaption>' "$page" ||
    detail+=("the figure has no caption")
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
  grep -q '<span class="math inline">2 + 2 = 4</span>' "$d/01-second-answers.html" 2>/dev/null ||
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

# --pdf prints every lesson when Chromium is here, else says what to install.
pdf_option() {
  build pdf --root "$syn" --out "$tmp/out/pdf" --pdf
  if command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
     command -v google-chrome >/dev/null; then
    [[ $(rc_of pdf) == 0 ]] || { detail=("$(cat "$tmp/pdf.err")"); return 1; }
    [[ $(head -c 5 "$tmp/out/pdf/course-notes.pdf" 2>/dev/null) == %PDF- ]] ||
      detail+=("course-notes.pdf missing or not a PDF")
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
    # Every $$...\tag{..}$$ of the lesson must reach the page as display math.
    local tags_md tags_html
    tags_md=$(grep -o '\\tag{[^}]*}' "$root/chapters/$slug/lesson.md" | sort -u)
    tags_html=$(tr '\n' ' ' <"$RS/$slug.html" |
                grep -o '<span class="math display">[^<]*</span>' |
                grep -o '\\tag{[^}]*}' | sort -u)
    [[ $tags_md == "$tags_html" ]] ||
      detail+=("$slug: equation tags in the lesson and in display math differ")
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

printf '# %d checks, %d failed\n' "$checks" "$failed"
((failed == 0))

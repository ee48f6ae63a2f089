#!/usr/bin/env bash
# build_notes.sh: renders the course notes into an offline static HTML site.
#
#   notes/build_notes.sh [--instructor] [--out DIR] [--root DIR] [--pdf] [--check]
#
# Every chapters/NN-topic/lesson.md becomes NN-topic.html, listed by
# index.html with the course outline and a search box (search-index.js, built
# here; search.js runs offline). Math is typeset at build time by KaTeX under
# node (katex-render.js), so a page needs no script to show it; without node
# the local copy of KaTeX in DIR/katex/ typesets it in the browser. Nothing
# is fetched from a network. C and gnuplot are highlighted by pandoc, code
# listings come from the real source files (include-code.lua), the figures
# from plots/ are copied into DIR/figures/ (figures.lua), equations and
# figures are numbered link targets (crossref.lua), and the interactive
# figures of notes/widgets/ are compiled from the course's reference C code
# to WebAssembly with clang (skipped, with one note, when clang or lld is
# missing: the static figures remain).
#
#   --instructor  also render, for each chapter, solutions/NN-topic/answers.md
#                 as NN-topic-answers.html and the solution code as
#                 NN-topic-solution.html (default DIR: build/notes-instructor)
#   --out DIR     where the site goes (default: build/notes)
#   --root DIR    the repository to render (default: the one holding this
#                 script)
#   --pdf         also print the whole book (title page, contents, every
#                 chapter; in the instructor edition with answers and solution
#                 code) into DIR/course-notes.pdf with headless Chromium: A4,
#                 page numbers, the instructor mark on every page
#   --check       open every page in headless Chromium (check_site.py) and
#                 fail on math that did not render, a missing image, a broken
#                 link, an empty page, figure text smaller than 9 px, an
#                 interactive figure that does not start, or an equation
#                 number on its formula; screenshots in DIR/screens/
#
# The site is rendered into a temporary directory beside DIR and moved into
# place only when every page rendered: a failed build leaves DIR as it was.
# shellcheck disable=SC2016  # pandoc's $variable$ syntax is meant literally
set -euo pipefail
export LC_ALL=C.UTF-8  # sorted globs; pandoc reads -V values as UTF-8

COURSE_TITLE="Classical CNNs in C"
KATEX_DIR=${KATEX_DIR:-/usr/share/javascript/katex}

die() { printf 'notes: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^#   /usage: /'
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
edition=student
out=""
pdf=0
check=0

while (($#)); do
  case $1 in
    --instructor) edition=instructor ;;
    --out)
      (($# >= 2)) || die "--out needs a directory; use --out DIR."
      out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    --root)
      (($# >= 2)) || die "--root needs a directory; use --root DIR."
      [[ -d $2 ]] || die "--root $2 is not a directory; give the repository root."
      root=$(cd "$2" && pwd); shift ;;
    --pdf) pdf=1 ;;
    --check) check=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1'; $(usage)." ;;
  esac
  shift
done

command -v pandoc >/dev/null ||
  die "pandoc is not installed; install the Debian package pandoc (./build.sh setup)."
for f in katex.min.js katex.min.css fonts; do
  [[ -e $KATEX_DIR/$f ]] ||
    die "KaTeX is missing ($KATEX_DIR/$f); install the Debian package libjs-katex (./build.sh setup)."
done
chromium=""
if ((pdf || check)); then
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null; then chromium=$(command -v "$c"); break; fi
  done
  if [[ -z $chromium ]]; then
    ((pdf)) && die "--pdf prints with headless Chromium, which is not installed; install the Debian package chromium."
    die "--check opens the pages in headless Chromium, which is not installed; install the Debian package chromium (./build.sh setup --optional)."
  fi
fi
python=""
for p in python3 /usr/bin/python3; do
  command -v "$p" >/dev/null && { python=$(command -v "$p"); break; }
done
[[ -n $python ]] || die "python3 is not installed; install the Debian package python3 (./build.sh setup)."
# node typesets the math at build time; without it, the browser does.
node=""
if command -v node >/dev/null &&
   node -e 'require(process.argv[1])' "$KATEX_DIR/katex.min.js" >/dev/null 2>&1; then
  node=$(command -v node)
fi
# clang and lld compile the interactive figures to WebAssembly.
clang=""
if command -v clang >/dev/null && command -v wasm-ld >/dev/null; then
  clang=$(command -v clang)
fi
[[ -d $root/chapters ]] ||
  die "$root has no chapters/ folder; run from the repository or give it with --root."

if [[ -z $out ]]; then
  if [[ $edition == instructor ]]; then out=$root/build/notes-instructor
  else out=$root/build/notes; fi
fi
[[ $out == /* ]] || out=$PWD/$out
while [[ $out == */ && $out != / ]]; do out=${out%/}; done
# A previous site is replaced; anything else in the way is left alone.
if [[ -e $out ]]; then
  [[ -d $out ]] || die "--out $out is a file; choose a directory."
  if [[ ! -e $out/.notes-site ]] && [[ -n $(ls -A "$out") ]]; then
    die "--out $out exists and is not a notes site; choose another directory or empty it."
  fi
fi
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.notes-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
site=$tmp/site
work=$tmp/work
mkdir -p "$site/katex" "$work"
: >"$work/figures.list"

# ---- assets ------------------------------------------------------------

cp "$here/style.css" "$site/style.css"
cp "$here/search.js" "$site/search.js"
cp "$KATEX_DIR/katex.min.js" "$KATEX_DIR/katex.min.css" "$site/katex/"
mkdir -p "$site/katex/fonts"
cp -L "$KATEX_DIR"/fonts/KaTeX_* "$site/katex/fonts/"
if [[ -r /usr/share/doc/libjs-katex/copyright ]]; then
  cp /usr/share/doc/libjs-katex/copyright "$site/katex/COPYRIGHT"
fi

# ---- pandoc ------------------------------------------------------------

html_escape() {
  local s=$1
  s=${s//&/&amp;}; s=${s//</&lt;}; s=${s//>/&gt;}; s=${s//\"/&quot;}
  printf '%s' "$s"
}

# render SOURCE BASE -- PANDOC-ARGS...: one pandoc run with the filters.
# SOURCE (relative to the root) names the page in messages; BASE is the
# folder relative links in it are resolved against. On failure the filter's
# sentence (or pandoc's own message) is shown and the build stops.
render() {
  local source=$1 base=$2; shift 3
  local status=0
  NOTES_ROOT=$root NOTES_SOURCE=$source NOTES_BASE=$base \
    NOTES_CHAPTER=${chapter_number:-} \
    NOTES_EDITION=$edition NOTES_FIGURES=$work/figures.list \
    NOTES_FALLBACK_TITLE_HTML=${fallback_title:-} \
    NOTES_XREF=$work/xref.tsv NOTES_XREF_OUT=${xref_out:-} \
    NOTES_PRINT=${print_mode:-0} NOTES_LESSONS="${lesson_slugs[*]}" \
    NOTES_WIDGETS_KNOWN="${widgets_known[*]}" NOTES_WIDGETS_BUILT="${widgets_built[*]}" \
    pandoc --from markdown --to html5 --wrap=none \
      --lua-filter "$here/chapter-meta.lua" \
      --lua-filter "$here/include-code.lua" \
      --lua-filter "$here/figures.lua" \
      --lua-filter "$here/crossref.lua" \
      --katex=katex/ --highlight-style=tango \
      --syntax-definition="$here/gnuplot.xml" \
      -V course-title="$COURSE_TITLE" \
      "$@" 2>"$work/stderr" || status=$?
  if ((status != 0)); then
    if grep -q '^notes: ' "$work/stderr"; then
      grep '^notes: ' "$work/stderr" >&2
    else
      cat "$work/stderr" >&2
      printf 'notes: pandoc could not render %s; fix the error above.\n' "$source" >&2
    fi
    exit 1
  fi
  cat "$work/stderr" >&2
}

page_args=(--standalone --template "$here/template.html")
[[ $edition == instructor ]] && page_args+=(-V instructor=true)

# ---- the chapters ------------------------------------------------------

# The interactive figures: notes/widgets/NAME.c (+ NAME.js). Known ones may
# be named by a lesson; built ones are shown (see build_widgets below).
widgets_known=() widgets_built=()
for w in "$here"/widgets/*.c; do
  [[ -f $w && -f ${w%.c}.js ]] && widgets_known+=("$(basename "${w%.c}")")
done

lesson_slugs=()
for lesson in "$root"/chapters/[0-9][0-9]-*/lesson.md; do
  [[ -f $lesson ]] && lesson_slugs+=("$(basename "$(dirname "$lesson")")")
done

slugs=() nums=() titles=() summaries=()
: >"$work/xref.tsv"
xref_out=$work/xref.tsv
for lesson in "$root"/chapters/[0-9][0-9]-*/lesson.md; do
  [[ -f $lesson ]] || continue
  slug=$(basename "$(dirname "$lesson")")
  name=${slug#??-}
  fallback_title=$(html_escape "${name//-/ }")
  fallback_title=${fallback_title^}
  chapter_number=$((10#${slug%%-*}))
  render "chapters/$slug/lesson.md" "chapters/$slug" -- "$lesson" \
    --standalone --template "$here/title.tpl" -o "$work/$slug.meta"
  slugs+=("$slug")
  nums+=("${slug%%-*}")
  titles+=("$(sed -n 1p "$work/$slug.meta")")
  summaries+=("$(sed -n '2,$p' "$work/$slug.meta")")
done
chapter_number=""
xref_out=""
: >"$work/figures.list"   # the title pass copies nothing
n=${#slugs[@]}

# ---- interactive figures -------------------------------------------------

# build_widgets: compiles each notes/widgets/NAME.c, with the reference files
# its "needs:" line names, to WebAssembly (no C library: -nostdlib, the few
# <math.h> names are builtins, runtime.c has memset and memcpy), and writes
# DIR/widgets/widgets.js: the loader, every widget's drawing code, every
# module as base64. A widget whose reference code is not written yet is left
# out (silently: its chapter is not there either), and so are all of them
# without clang and lld (the build says so once).
build_widgets() {
  local name c needs f missing incs js=$site/widgets/widgets.js
  ((${#widgets_known[@]})) || return 0
  if [[ -z $clang ]]; then
    printf 'note: clang and lld are not installed, so the notes have no interactive figures (the static figures remain); install the Debian packages clang and lld to build them.\n' >&2
    return 0
  fi
  mkdir -p "$work/wasm"
  for name in "${widgets_known[@]}"; do
    c=$here/widgets/$name.c
    needs=$(sed -n 's/^ *\** *needs: *//p' "$c" | head -1)
    missing=""
    for f in $needs; do [[ -f $root/$f ]] || missing+=" $f"; done
    [[ -z $missing ]] || continue
    incs=(-I"$root" -I"$root/chapters" -I"$here/widgets/include")
    for f in $needs; do
      [[ $f == */[0-9][0-9]-*/* ]] && incs+=(-I"$root/chapters/$(basename "$(dirname "$f")")")
    done
    local sources=("$c" "$here/widgets/runtime.c")
    for f in $needs; do [[ $f == *_given.c ]] && sources+=("$root/$f"); done
    if ! "$clang" --target=wasm32 -std=c11 -O2 -nostdlib -fno-builtin \
         -Wall -Wextra "${incs[@]}" -Wl,--no-entry -Wl,--gc-sections \
         -o "$work/wasm/$name.wasm" "${sources[@]}" 2>"$work/clang.err"; then
      sed -n '1,12p' "$work/clang.err" >&2
      die "the interactive figure $name did not compile (notes/widgets/$name.c against $needs); fix the first error above."
    fi
    widgets_built+=("$name")
  done
  ((${#widgets_built[@]})) || return 0
  mkdir -p "$site/widgets"
  {
    cat "$here/widgets/widgets.js"
    for name in "${widgets_built[@]}"; do
      cat "$here/widgets/$name.js"
      printf 'window.CNNWidgets.wasm["%s"] = "%s";\n' "$name" \
        "$(base64 -w0 "$work/wasm/$name.wasm")"
    done
  } >"$js"
}
build_widgets

has_answers() { [[ -f $root/solutions/$1/answers.md ]]; }
solution_files() {
  local f
  for f in "$root/solutions/$1"/*.h "$root/solutions/$1"/*.c; do
    [[ -f $f ]] && printf '%s\n' "${f#"$root"/}"
  done
  return 0
}

# Links to a chapter's instructor pages, or nothing in the student edition.
instructor_links() {
  local slug=$1 links=""
  [[ $edition == instructor ]] || return 0
  if has_answers "$slug"; then
    links="<a class=\"answers\" href=\"$slug-answers.html\">Answers</a>"
  fi
  if [[ -n $(solution_files "$slug") ]]; then
    [[ -z $links ]] || links+=" · "
    links+="<a class=\"solution\" href=\"$slug-solution.html\">Solution code</a>"
  fi
  printf '%s' "$links"
}

chapter_link() { # CLASS REL INDEX ARROW-BEFORE ARROW-AFTER
  local i=$3
  printf '<a class="%s" rel="%s" href="%s.html">%s<span class="num">%s</span> %s%s</a>' \
    "$1" "$2" "${slugs[i]}" "$4" "${nums[i]}" "${titles[i]}" "$5"
}

for ((i = 0; i < n; i++)); do
  slug=${slugs[i]}
  if ((i > 0)); then prev=$(chapter_link prev prev $((i - 1)) '← ' '')
  else prev='<span class="prev"></span>'; fi
  if ((i + 1 < n)); then next=$(chapter_link next next $((i + 1)) '' ' →')
  else next='<span class="next"></span>'; fi
  nav="$prev<a class=\"up\" href=\"index.html\">Contents</a>$next"
  fallback_title=$(sed -n 1p "$work/$slug.meta")
  chapter_number=$((10#${nums[i]}))
  args=("${page_args[@]}" --toc --toc-depth=3
        -V page-kind=chapter -V nav="$nav" -V chapter-number="$((10#${nums[i]}))"
        -V source-path="chapters/$slug/lesson.md")
  links=$(instructor_links "$slug")
  [[ -n $links ]] && args+=(-V instructor-links="Instructor: $links")
  render "chapters/$slug/lesson.md" "chapters/$slug" -- \
    "$root/chapters/$slug/lesson.md" "${args[@]}" -o "$site/$slug.html"
  chapter_number=""

  [[ $edition == instructor ]] || continue
  # The answers and solution pages point back to their chapter and to
  # each other.
  back="<a class=\"prev\" href=\"$slug.html\">← <span class=\"num\">${nums[i]}</span> ${titles[i]}</a>"
  back+="<a class=\"up\" href=\"index.html\">Contents</a>"
  mapfile -t files < <(solution_files "$slug")
  to_solution='<span class="next"></span>' to_answers='<span class="next"></span>'
  ((${#files[@]})) && to_solution="<a class=\"next\" href=\"$slug-solution.html\">Solution code →</a>"
  has_answers "$slug" && to_answers="<a class=\"next\" href=\"$slug-answers.html\">Answers →</a>"
  if has_answers "$slug"; then
    fallback_title="Answers: ${titles[i]}"
    chapter_number=$((10#${nums[i]}))
    render "solutions/$slug/answers.md" "solutions/$slug" -- \
      "$root/solutions/$slug/answers.md" "${page_args[@]}" --toc --toc-depth=3 \
      -V page-kind=answers -V nav="$back$to_solution" \
      -V chapter-number="$chapter_number" \
      -V source-path="solutions/$slug/answers.md" -o "$site/$slug-answers.html"
    chapter_number=""
  fi
  if ((${#files[@]})); then
    {
      printf 'The reference solution of this chapter, every file in full.\n\n'
      for f in "${files[@]}"; do
        printf '## %s\n\n```{include="%s"}\n```\n\n' "$(basename "$f")" "$f"
      done
    } >"$work/$slug-solution.md"
    fallback_title="Solution code: ${titles[i]}"
    render "solutions/$slug/*.c" "solutions/$slug" -- \
      "$work/$slug-solution.md" "${page_args[@]}" --toc --toc-depth=2 \
      -V page-kind=solution -V nav="$back$to_answers" \
      -V chapter-number="$((10#${nums[i]}))" -o "$site/$slug-solution.html"
  fi
done

# ---- the interactive figures' page ---------------------------------------

# interactive.html shows every interactive figure built, each with its
# notes/widgets/NAME.md (a heading and a paragraph); lessons show theirs
# beside the static figure they animate.
if ((${#widgets_built[@]})); then
  {
    printf -- '---\ntitle: Interactive figures\n---\n\n'
    printf 'Each figure below runs the reference C code of the course, compiled to\n'
    printf 'WebAssembly, in your browser: move the sliders, click an output cell.\n'
    printf 'Each one also sits in its lesson, beside the static figure it animates.\n\n'
    for name in "${widgets_built[@]}"; do
      if [[ -f $here/widgets/$name.md ]]; then cat "$here/widgets/$name.md"
      else printf '## %s\n' "$name"; fi
      printf '\n\n::: {.widget data-widget="%s"}\n:::\n\n' "$name"
    done
  } >"$work/interactive.md"
  fallback_title="Interactive figures"
  render "notes/widgets/interactive.md" "notes/widgets" -- "$work/interactive.md" \
    "${page_args[@]}" -V page-kind=interactive \
    -V nav='<span class="prev"></span><a class="up" href="index.html">Contents</a><span class="next"></span>' \
    -o "$site/interactive.html"
fi

# ---- the index ---------------------------------------------------------

# outline PAGE: the page's sections (level-2 headings) as links.
outline() {
  local page=$1
  { grep -o '<h2 id="[^"]*"[^>]*>.*</h2>' "$site/$page" | grep -v '^<h2 id="toc-title"' || true; } |
    sed -E 's#^<h2 id="([^"]*)"[^>]*>(.*)</h2>$#\1\t\2#' |
    while IFS=$'\t' read -r id text; do
      text=$(sed -E 's/<[^>]*>//g' <<<"$text")
      printf '<a href="%s#%s">%s</a>\n' "$page" "$id" "$text"
    done | paste -sd'\v' | sed 's/\v/ · /g'
}

{
  cat "$here/index.md"
  printf '\n\n## Search\n\n```{=html}\n'
  cat <<'EOF'
<form class="search" role="search" action="#" onsubmit="return false">
<label for="search-box">Search every chapter</label>
<input id="search-box" type="search" placeholder="a word, a function, an equation number like (1.7)" autocomplete="off" spellcheck="false">
</form>
<div id="search-results" aria-live="polite"></div>
<noscript><p class="search-note">The search box needs JavaScript; every chapter's contents are listed below.</p></noscript>
EOF
  printf '```\n\n## Chapters\n\n```{=html}\n'
  if ((n == 0)); then
    printf '<p class="no-chapters">No chapter has a lesson yet.</p>\n'
  else
    printf '<ol class="chapters">\n'
    for ((i = 0; i < n; i++)); do
      slug=${slugs[i]}
      printf '<li><a href="%s.html"><span class="num">%s</span> <span class="chapter-title">%s</span></a>' \
        "$slug" "${nums[i]}" "${titles[i]}"
      [[ -n ${summaries[i]} ]] && printf '\n<div class="summary">%s</div>' "${summaries[i]}"
      sections=$(outline "$slug.html")
      [[ -n $sections ]] && printf '\n<div class="outline">%s</div>' "$sections"
      links=$(instructor_links "$slug")
      [[ -n $links ]] && printf '\n<div class="instructor-links">%s</div>' "$links"
      printf '</li>\n'
    done
    printf '</ol>\n'
  fi
  printf '```\n'
  if ((${#widgets_built[@]})); then
    printf '\n## Interactive figures\n\n'
    printf 'Some figures can be played with: [the interactive figures](interactive.html)\n'
    printf 'run the reference C code of the course in your browser.\n'
  fi
} >"$work/index.md"
fallback_title=$COURSE_TITLE
render "notes/index.md" "notes" -- "$work/index.md" "${page_args[@]}" \
  -V is-index=true -V page-kind=index -V search=true -o "$site/index.html"

# ---- one page holding the whole book, for the PDF -------------------------

# print_section KIND SLUG N TITLE SOURCE BASE FILE: one section of the book
# (a lesson, its answers or its solution code), every id prefixed so that
# the sections can share one page.
print_section() {
  local kind=$1 slug=$2 num=$3 title=$4 source=$5 base=$6 file=$7 id label
  case $kind in
    chapter) id=$slug; label="Chapter $num" ;;
    answers) id=$slug-answers; label="Answers to chapter $num" ;;
    solution) id=$slug-solution; label="Solution code of chapter $num" ;;
  esac
  fallback_title=$title
  chapter_number=$num
  print_mode=1
  render "$source" "$base" -- "$file" --standalone \
    --template "$here/print-chapter.html" --id-prefix="$id-" \
    -V chapter-id="$id" -V section-class="$kind" -V chapter-label="$label" \
    -V chapter-number="$num" -o "$work/$id.print.html"
  print_mode=0
  chapter_number=""
  cat "$work/$id.print.html" >>"$work/print-sections.html"
  printf '<li class="%s"><a href="#%s">%s</a><span class="page" data-label="%s"></span></li>\n' \
    "$kind" "$id" "$(if [[ $kind == chapter ]]; then
      printf '<span class="num">%s</span> %s' "${nums[i]}" "$title"
    else printf '%s' "$title"; fi)" "$label" >>"$work/print-contents.html"
}

if ((pdf)); then
  : >"$work/print-sections.html"
  : >"$work/print-contents.html"
  for ((i = 0; i < n; i++)); do
    slug=${slugs[i]}
    num=$((10#${nums[i]}))
    print_section chapter "$slug" "$num" "${titles[i]}" "chapters/$slug/lesson.md" \
      "chapters/$slug" "$root/chapters/$slug/lesson.md"
    [[ $edition == instructor ]] || continue
    if has_answers "$slug"; then
      print_section answers "$slug" "$num" "Answers" "solutions/$slug/answers.md" \
        "solutions/$slug" "$root/solutions/$slug/answers.md"
    fi
    if [[ -f $work/$slug-solution.md ]]; then
      print_section solution "$slug" "$num" "Solution code" "solutions/$slug/*.c" \
        "solutions/$slug" "$work/$slug-solution.md"
    fi
  done
  # The page's body is raw HTML, so pandoc sees neither math nor code in
  # it: take KaTeX's loader and the highlighting style from tiny documents.
  printf '%s\n' '$math$' >"$work/math.tpl"
  printf '%s\n' '$highlighting-css$' >"$work/highlight.tpl"
  printf '$x$\n' | pandoc --from markdown --to html5 --standalone --katex=katex/ \
    --metadata pagetitle=math \
    --template "$work/math.tpl" -o "$work/katex-head.html"
  printf '```c\nint x;\n```\n' | pandoc --from markdown --to html5 --standalone \
    --metadata pagetitle=code \
    --highlight-style=tango --template "$work/highlight.tpl" -o "$work/highlight.css"
  {
    printf '```{=html}\n<ol class="chapters print-contents">\n'
    cat "$work/print-contents.html"
    printf '</ol>\n```\n'
  } >"$work/print.md"
  fallback_title=$COURSE_TITLE
  print_args=()
  [[ $edition == instructor ]] && print_args+=(-V instructor=true)
  render "notes/print.html" "notes" -- "$work/print.md" --standalone \
    --template "$here/print.html" "${print_args[@]}" \
    -V katex-head="$(cat "$work/katex-head.html")" \
    -V highlight-css="$(cat "$work/highlight.css")" \
    -V date="$(date -u +%Y-%m-%d)" \
    --include-after-body "$work/print-sections.html" -o "$site/course-notes.html"
  # Links between lessons point into the one page: NN-topic.html#x is the
  # section's #NN-topic-x there, NN-topic.html its chapter, index.html the
  # title page.
  sed_links=(-e 's#href="index\.html"#href="\#"#g')
  for ((i = 0; i < n; i++)); do
    sed_links+=(-e "s#href=\"${slugs[i]}\.html\#\([^\"]*\)\"#href=\"\#${slugs[i]}-\1\"#g"
                -e "s#href=\"${slugs[i]}\.html\"#href=\"\#${slugs[i]}\"#g")
  done
  sed -i "${sed_links[@]}" "$site/course-notes.html"
fi

# ---- search index and math ---------------------------------------------------

# The search index is taken from the pages before their math is typeset, so
# that it holds the TeX source (searchable) rather than KaTeX's markup.
search_pages=()
for ((i = 0; i < n; i++)); do
  search_pages+=("${slugs[i]}.html")
  [[ -f $site/${slugs[i]}-answers.html ]] && search_pages+=("${slugs[i]}-answers.html")
done
"$python" "$here/search_index.py" "$site" "${search_pages[@]}" >"$site/search-index.js" ||
  die "the search index could not be built; see the message above."

if [[ -n $node ]]; then
  mapfile -t pages < <(cd "$site" && ls ./*.html)
  (cd "$site" && "$node" "$here/katex-render.js" "$KATEX_DIR/katex.min.js" "${pages[@]}") ||
    die "KaTeX could not typeset the math; see the message above."
else
  printf 'note: node is not installed, so the math is typeset by KaTeX in the reader'"'"'s browser; install the Debian package nodejs to typeset it at build time.\n' >&2
fi

# ---- figures -----------------------------------------------------------

sort -u "$work/figures.list" | while IFS=$'\t' read -r src dest; do
  mkdir -p "$site/$(dirname "$dest")"
  cp "$root/$src" "$site/$dest"
done

# ---- PDF (optional) ------------------------------------------------------

# print_pdf HTML PDF: headless Chromium prints the page (A4, margins, page
# numbers and the edition mark come from the page's @page rules).
print_pdf() {
  if ! "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update \
      --disable-sync --user-data-dir="$tmp/chromium" --run-all-compositor-stages-before-draw \
      --virtual-time-budget=20000 --no-pdf-header-footer --generate-pdf-document-outline \
      --print-to-pdf="$2" "file://$1" >"$work/chromium.log" 2>&1 || [[ ! -s $2 ]]; then
    tail -5 "$work/chromium.log" >&2
    die "Chromium could not print $out/course-notes.pdf; see its messages above."
  fi
}

if ((pdf)); then
  print_pdf "$site/course-notes.html" "$site/course-notes.pdf"
  # The contents get their page numbers from the first printing, then the
  # book is printed again (pdftotext, Debian package poppler-utils).
  if command -v pdftotext >/dev/null; then
    if "$python" "$here/pdf_pages.py" "$site/course-notes.pdf" "$site/course-notes.html" \
         2>"$work/pages.err"; then
      print_pdf "$site/course-notes.html" "$site/course-notes.pdf"
    else
      printf 'note: the contents of the PDF have no page numbers: %s\n' "$(head -1 "$work/pages.err")" >&2
    fi
  else
    printf 'note: the contents of the PDF have no page numbers; install the Debian package poppler-utils for them.\n' >&2
  fi
fi

# ---- into place --------------------------------------------------------

printf '%s edition\n' "$edition" >"$site/.notes-site"
if [[ -e $out ]]; then mv "$out" "$tmp/old"; fi
mv "$site" "$out"
printf 'notes: wrote %s/index.html (%d chapters)\n' "$out" "$n"
((pdf)) && printf 'notes: wrote %s/course-notes.pdf (%s)\n' "$out" \
  "$( [[ $edition == instructor ]] && echo "instructor edition, with answers and solution code" || echo "student edition")"

# ---- check in a browser (optional) -------------------------------------------

if ((check)); then
  "$python" "$here/check_site.py" --chromium "$chromium" --screens "$out/screens" "$out" ||
    die "the check of $out found the problems listed above."
fi
exit 0

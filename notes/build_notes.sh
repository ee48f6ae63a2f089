#!/usr/bin/env bash
# build_notes.sh: renders the course notes into an offline static HTML site.
#
#   notes/build_notes.sh [--instructor] [--out DIR] [--root DIR] [--pdf]
#
# Every chapters/NN-topic/lesson.md becomes NN-topic.html, listed by
# index.html. Math is typeset in the browser by the local copy of KaTeX in
# DIR/katex/ (nothing is fetched from a network), C is highlighted by pandoc,
# code listings come from the real source files (include-code.lua) and the
# figures from plots/ are copied into DIR/figures/ (figures.lua).
#
#   --instructor  also render, for each chapter, solutions/NN-topic/answers.md
#                 as NN-topic-answers.html and the solution code as
#                 NN-topic-solution.html (default DIR: build/notes-instructor)
#   --out DIR     where the site goes (default: build/notes)
#   --root DIR    the repository to render (default: the one holding this
#                 script)
#   --pdf         also print all lessons into DIR/course-notes.pdf with
#                 headless Chromium
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
if ((pdf)); then
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null; then chromium=$(command -v "$c"); break; fi
  done
  [[ -n $chromium ]] ||
    die "--pdf prints with headless Chromium, which is not installed; install the Debian package chromium."
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
    pandoc --from markdown --to html5 --wrap=none \
      --lua-filter "$here/chapter-meta.lua" \
      --lua-filter "$here/include-code.lua" \
      --lua-filter "$here/figures.lua" \
      --katex=katex/ --highlight-style=tango \
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

slugs=() nums=() titles=() summaries=()
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
: >"$work/figures.list"   # the title pass copies nothing
n=${#slugs[@]}

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

# ---- the index ---------------------------------------------------------

{
  cat "$here/index.md"
  printf '\n\n## Chapters\n\n```{=html}\n'
  if ((n == 0)); then
    printf '<p class="no-chapters">No chapter has a lesson yet.</p>\n'
  else
    printf '<ol class="chapters">\n'
    for ((i = 0; i < n; i++)); do
      slug=${slugs[i]}
      printf '<li><a href="%s.html"><span class="num">%s</span> <span class="chapter-title">%s</span></a>' \
        "$slug" "${nums[i]}" "${titles[i]}"
      [[ -n ${summaries[i]} ]] && printf '\n<div class="summary">%s</div>' "${summaries[i]}"
      links=$(instructor_links "$slug")
      [[ -n $links ]] && printf '\n<div class="instructor-links">%s</div>' "$links"
      printf '</li>\n'
    done
    printf '</ol>\n'
  fi
  printf '```\n'
} >"$work/index.md"
fallback_title=$COURSE_TITLE
render "notes/index.md" "notes" -- "$work/index.md" "${page_args[@]}" \
  -V is-index=true -V page-kind=index -o "$site/index.html"

# ---- one page holding every lesson, for the PDF ---------------------------

if ((pdf)); then
  : >"$work/print-sections.html"
  for ((i = 0; i < n; i++)); do
    slug=${slugs[i]}
    fallback_title=${titles[i]}
    chapter_number=$((10#${nums[i]}))
    render "chapters/$slug/lesson.md" "chapters/$slug" -- \
      "$root/chapters/$slug/lesson.md" --standalone \
      --template "$here/print-chapter.html" --id-prefix="$slug-" \
      -V chapter-id="$slug" -V chapter-number="$((10#${nums[i]}))" \
      -o "$work/$slug.print.html"
    cat "$work/$slug.print.html" >>"$work/print-sections.html"
  done
  chapter_number=""
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
    printf '```{=html}\n<ol class="chapters">\n'
    for ((i = 0; i < n; i++)); do
      printf '<li><a href="#%s"><span class="num">%s</span> <span class="chapter-title">%s</span></a></li>\n' \
        "${slugs[i]}" "${nums[i]}" "${titles[i]}"
    done
    printf '</ol>\n```\n'
  } >"$work/print.md"
  fallback_title=$COURSE_TITLE
  render "notes/print.html" "notes" -- "$work/print.md" --standalone \
    --template "$here/print.html" \
    -V katex-head="$(cat "$work/katex-head.html")" \
    -V highlight-css="$(cat "$work/highlight.css")" \
    --include-after-body "$work/print-sections.html" -o "$site/course-notes.html"
fi

# ---- figures -----------------------------------------------------------

sort -u "$work/figures.list" | while IFS=$'\t' read -r src dest; do
  mkdir -p "$site/$(dirname "$dest")"
  cp "$root/$src" "$site/$dest"
done

# ---- PDF (optional) ------------------------------------------------------

if ((pdf)); then
  # KaTeX typesets on DOMContentLoaded; the virtual time budget lets the
  # fonts and figures load before the page is printed.
  if ! "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
      --no-first-run --disable-background-networking --disable-component-update \
      --disable-sync --user-data-dir="$tmp/chromium" --run-all-compositor-stages-before-draw \
      --virtual-time-budget=20000 --no-pdf-header-footer \
      --print-to-pdf="$site/course-notes.pdf" "file://$site/course-notes.html" \
      >"$work/chromium.log" 2>&1 || [[ ! -s $site/course-notes.pdf ]]; then
    tail -5 "$work/chromium.log" >&2
    die "Chromium could not print $out/course-notes.pdf; see its messages above."
  fi
fi

# ---- into place --------------------------------------------------------

printf '%s edition\n' "$edition" >"$site/.notes-site"
if [[ -e $out ]]; then mv "$out" "$tmp/old"; fi
mv "$site" "$out"
printf 'notes: wrote %s/index.html (%d chapters)\n' "$out" "$n"

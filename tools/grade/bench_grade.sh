#!/usr/bin/env bash
# bench_grade.sh [DATFILE]: how long the grader takes, for ./build.sh bench.
#
# Times `./build.sh grade` on one submission (the reference solution of every
# chapter the grader can grade), then on 20 submissions (10 reference, 10
# untouched skeletons) with --jobs 2, each into a fresh output folder, with
# the kit already built (its one-off cost is printed apart). Prints a small
# table and, with DATFILE, writes the numbers as a gnuplot-readable table.
# Chapters: CNN_BENCH_GRADE_CHAPTERS (default: every chapter that builds),
# graded with a manifest made from their tests as they are now.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
py=${CNN_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
chapters=${CNN_BENCH_GRADE_CHAPTERS:-all}
mkdir -p build/tmp
tmp=$(mktemp -d "$ROOT/build/tmp/bench-grade.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t=$(now)
"$py" tools/grade/grade.py grade --build-kit --kit "$tmp/kit" >/dev/null
kit_s=$(secs "$t" "$(now)")
# The chapters as they are now, even if tests/manifest.tsv is behind them.
export CNN_GRADE_MANIFEST=$tmp/manifest.tsv
"$py" tools/grade/grade.py grade --kit "$tmp/kit" --update-manifest >/dev/null 2>&1

# submissions: the reference and the skeleton of every chapter
for kind in reference skeleton; do
    for c in chapters/[0-9][0-9]-*/; do
        c=$(basename "$c")
        src=chapters/$c
        [ "$kind" = reference ] && src=solutions/$c
        mkdir -p "$tmp/$kind/chapters/$c"
        for f in chapters/"$c"/*.c; do
            f=$(basename "$f")
            case "$f" in experiment.c|*_given.c) continue ;; esac
            [ -f "$src/$f" ] && cp "$src/$f" "$tmp/$kind/chapters/$c/"
        done
    done
done
mkdir -p "$tmp/many"
for k in $(seq -w 1 10); do
    cp -r "$tmp/reference" "$tmp/many/ref-$k"
    cp -r "$tmp/skeleton" "$tmp/many/skel-$k"
done

grade() { "$py" tools/grade/grade.py grade --kit "$tmp/kit" --chapters "$chapters" --quiet "$@"; }
t=$(now)
grade "$tmp/reference" --out "$tmp/out1" --jobs 2
one_s=$(secs "$t" "$(now)")
n_ch=$(find "$tmp/out1/reference/chapters" -name '*.json' | wc -l)
t=$(now)
grade "$tmp"/many/* --out "$tmp/out20" --jobs 2
many_s=$(secs "$t" "$(now)")

printf '%-44s %8s\n' "grader" "seconds"
printf '%-44s %8s\n' "kit of trusted objects (once)" "$kit_s"
printf '%-44s %8s\n' "1 submission, $n_ch chapters, --jobs 2" "$one_s"
printf '%-44s %8s\n' "20 submissions, $n_ch chapters each, --jobs 2" "$many_s"
if [ $# -ge 1 ]; then
    {
        echo "# grader timings (seconds): kit, one submission, 20 submissions with --jobs 2; chapters: $n_ch"
        echo "kit $kit_s"
        echo "one $one_s"
        echo "twenty $many_s"
    } >"$1.tmp" && mv "$1.tmp" "$1"
fi

#!/usr/bin/env bash
# build.sh: the one entry point of the workbook. `./build.sh help` lists the
# subcommands. It drives make (Makefile) for compiling; everything it makes
# goes under build/, except the reference figures in plots/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
PROG=./build.sh
JOBS=$(nproc 2>/dev/null || echo 2)
# Wall-clock limit of one chapter's experiment (./build.sh run), in seconds.
RUN_LIMIT_S=${CNN_RUN_LIMIT_S:-600}

# Packages every command may need, by Debian name. Optional ones are only
# installed by `setup --optional` (CI does that, to cross-check with PyTorch).
# nodejs typesets the notes' math at build time (KaTeX); chromium checks the
# notes and prints the PDF, clang and lld compile their interactive figures
# to WebAssembly, poppler-utils numbers the PDF's contents.
REQUIRED_PKGS=(gcc make patch pkg-config check zlib1g-dev gnuplot-nox pandoc
               libjs-katex nodejs bubblewrap python3 python3-numpy)
OPTIONAL_PKGS=(python3-torch chromium clang lld poppler-utils libopenblas-dev)

# ---- output helpers -----------------------------------------------------------

if [ -t 1 ]; then BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' RESET=$'\e[0m'
else BOLD='' RED='' GREEN='' RESET=''; fi

say()  { printf '%s\n' "$*"; }
step() { printf '%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
# die MESSAGE [STATUS]: one sentence on stderr, non-zero exit (2 = usage).
die()  { printf 'build.sh: %s\n' "$1" >&2; exit "${2:-1}"; }

# ---- dependencies ------------------------------------------------------------

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing_pkgs() {
    local p
    for p in "$@"; do pkg_installed "$p" || printf '%s ' "$p"; done
}

# install_pkgs PKG...: as root, or through passwordless sudo; otherwise say
# the exact command and fail.
install_pkgs() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            die "missing Debian packages ($*): install them with 'sudo apt-get install $*' and run this again."
        fi
    fi
    step "installing $*"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; then
        "${sudo[@]}" apt-get update -q >/dev/null
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
            || die "apt-get could not install $*: see the messages above."
    fi
}

cmd_setup() {
    local want=("${REQUIRED_PKGS[@]}")
    case "${1:-}" in
        "") ;;
        --optional) want+=("${OPTIONAL_PKGS[@]}") ;;
        *) die "setup takes no argument but --optional (got '$1')." 2 ;;
    esac
    command -v dpkg-query >/dev/null \
        || die "this is not a Debian or Ubuntu system: install the equivalents of ${want[*]} by hand."
    local missing
    missing=$(missing_pkgs "${want[@]}")
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        install_pkgs $missing
    fi
    say "setup: all ${#want[@]} packages are installed."
}

# ensure_setup: every command calls this first; quick when nothing is missing.
ensure_setup() {
    [ -n "$(missing_pkgs "${REQUIRED_PKGS[@]}")" ] && cmd_setup
    return 0
}

# A python3 that has numpy (the first python3 on PATH may be a private one).
find_python() {
    local p
    for p in "${CNN_PYTHON:-}" python3 /usr/bin/python3; do
        [ -n "$p" ] && command -v "$p" >/dev/null \
            && "$p" -c 'import numpy' 2>/dev/null && { command -v "$p"; return; }
    done
    echo ""
}

# ---- chapters ------------------------------------------------------------------

chapters() { (cd chapters && ls -d [0-9][0-9]-*/ 2>/dev/null | tr -d /); }

# Every chapter of the course, written or planned, for the messages.
PLANNED_CHAPTERS="00 getting started|01 convolution|02 pooling|03 backpropagation|04 receptive fields|05 fast convolution|06 LeNet-5|07 AlexNet|08 VGG|09 normalization|10 convolution variants|11 architecture comparison"

# chapter_dir NN: "01", "1" or "01-convolution" -> "01-convolution"
chapter_dir() {
    local want=$1 c
    local have
    have=$(chapters | cut -c1-2 | paste -sd' ')
    if ! [[ $want =~ ^[0-9]{1,2}$ || $want =~ ^[0-9]{2}-[a-z0-9-]+$ ]]; then
        die "'$want' is not a chapter number: give one of $have." 2
    fi
    local num
    num=$(printf '%02d' "$((10#${want:0:2}))")
    [[ $want =~ ^[0-9]$ ]] && num=$(printf '%02d' "$((10#$want))")
    for c in $(chapters); do
        if [ "${c:0:2}" = "$num" ] && { [ ${#want} -le 2 ] || [ "$c" = "$want" ]; }; then
            echo "$c"; return
        fi
    done
    local planned
    planned=$(tr '|' '\n' <<<"$PLANNED_CHAPTERS" | grep "^$num " | cut -c4-)
    if [ -n "$planned" ] && [ ${#want} -le 2 ]; then
        die "chapter $num ($planned) is planned but not written yet: the chapters are $have." 2
    fi
    die "there is no chapter $want: the chapters are $have." 2
}

make_q() { make --no-print-directory -s -j"$JOBS" "$@"; }

# ---- build ---------------------------------------------------------------------

cmd_build() {
    [ $# -eq 0 ] || die "build takes no arguments (got '$*')." 2
    ensure_setup
    step "building"
    make_q reference
    # The students' code: a chapter in progress may not compile, and that must
    # stop neither the main job nor the other chapters (`check NN` shows the
    # compiler's messages for one chapter).
    mkdir -p build
    if ! make_q -k student >build/student-build.log 2>&1; then
        say "note: some of your code in chapters/ does not compile (see build/student-build.log); './build.sh check NN' shows the errors of chapter NN."
    fi
}

# ---- check: the student's graded tests -------------------------------------------

# run_graded CHAPTER IMPL [ARGS]: runs a chapter's graded tests; IMPL is
# student (the visible tests on chapters/) or reference (every test on
# solutions/). The runner prints each test as it finishes; run_graded.py
# accepts its results only if the runner finished them (tests/harness/).
# Returns the runner's status.
run_graded() {
    local ch=$1 impl=$2
    shift 2
    local runner="build/asan/run/$ch/$impl" ref="build/asan/run/$ch/reference"
    if ! make_q "$ref"; then
        printf 'build.sh: the reference tests of chapter %s did not compile: see the first error above.\n' "$ch" >&2
        return 1
    fi
    if ! make_q "$runner"; then
        printf 'build.sh: chapter %s did not compile: fix the first error above and run this again.\n' "$ch" >&2
        return 1
    fi
    local set=all
    [ "$impl" = student ] && set=visible
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$(find_python)" tests/harness/run_graded.py \
        "$runner" --list-from "$ref" --set "$set" --label "chapter $ch ($impl code)" "$@"
}

cmd_check() {
    local impl=student list=() c
    while [ $# -gt 0 ]; do
        case "$1" in
            --reference) impl=reference ;;
            -*) die "check does not know the option '$1' (it takes a chapter number and --reference)." 2 ;;
            *) c=$(chapter_dir "$1") || exit 2
               [[ " ${list[*]} " == *" $c "* ]] || list+=("$c") ;;
        esac
        shift
    done
    [ ${#list[@]} -gt 0 ] || mapfile -t list < <(chapters)
    ensure_setup
    local ch rc=0
    for ch in "${list[@]}"; do
        step "chapter $ch: graded tests on the $impl code (each test has a time limit of 10 s)"
        run_graded "$ch" "$impl" || rc=1
        echo
    done
    return $rc
}

# ---- run: experiments and figures ------------------------------------------------

# draw_figures CHAPTER DATADIR OUTDIR: runs the chapter's gnuplot scripts; the
# figures appear in OUTDIR only once all of them are drawn.
draw_figures() {
    local ch=$1 data=$2 out=$3 gp tmp
    compgen -G "plots/$ch/*.gp" >/dev/null || return 0
    mkdir -p build/tmp "$out"
    tmp=$(mktemp -d build/tmp/figures.XXXXXX)
    for gp in plots/"$ch"/*.gp; do
        gnuplot -e "datadir='$data'; outdir='$tmp'" "$gp" \
            || { rm -rf "$tmp"; die "gnuplot failed on $gp: see its message above."; }
    done
    local f
    for f in "$tmp"/*; do [ -e "$f" ] && mv -f "$f" "$out/"; done
    rm -rf "$tmp"
}

# ensure_data CHAPTER: the training chapters (06 on) read MNIST and
# Fashion-MNIST; fetch them on demand (datasets/fetch.sh verifies what is
# already there in a moment). Without network the experiments use the
# committed samples in datasets/samples/ and say so.
ensure_data() {
    [ "$((10#${1:0:2}))" -ge 6 ] || return 0
    bash datasets/fetch.sh all \
        || say "note: the data sets could not be fetched (see above); chapter $1 uses the small samples in datasets/samples/."
}

run_experiment() {
    local ch=$1 impl=$2
    if [ ! -f "chapters/$ch/experiment.c" ]; then
        say "chapter $ch has no experiment."
        return 0
    fi
    local bin="build/opt/experiment/$ch/$impl" data="build/data/$ch/$impl" out
    if [ "$impl" = reference ]; then out="plots/$ch"; else out="build/plots/$ch"; fi
    make_q "$bin" || die "chapter $ch's experiment did not compile: fix the first error above."
    ensure_data "$ch"
    step "chapter $ch: experiment with the $impl code"
    local rc=0
    timeout --signal=KILL "$RUN_LIMIT_S" "$bin" "$data" 2>&1 || rc=$?
    if [ $rc -eq 137 ] && [ "$impl" = student ]; then
        die "chapter $ch's experiment did not finish within $RUN_LIMIT_S s (an endless loop?): run ./build.sh check ${ch:0:2} to find where; its figures were not redrawn."
    elif [ $rc -eq 137 ]; then
        die "chapter $ch's experiment did not finish within $RUN_LIMIT_S s; its figures were not redrawn."
    elif [ $rc -gt 128 ]; then
        die "the experiment crashed (signal $((rc - 128))): run ./build.sh check ${ch:0:2} to find where; its figures were not redrawn."
    elif [ $rc -ne 0 ]; then
        die "chapter $ch's experiment failed (see its message above); its figures were not redrawn."
    fi
    draw_figures "$ch" "$data" "$out"
    say "figures: $out/"
}

cmd_run() {
    local impl=student ch=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --reference) impl=reference ;;
            -*) die "run does not know the option '$1' (it takes a chapter number and --reference)." 2 ;;
            *) [ -z "$ch" ] || die "run takes one chapter, got '$ch' and '$1'." 2
               ch=$(chapter_dir "$1") || exit 2 ;;
        esac
        shift
    done
    [ -n "$ch" ] || die "run needs a chapter number, e.g. './build.sh run 01'." 2
    ensure_setup
    run_experiment "$ch" "$impl"
}

# ---- notes -------------------------------------------------------------------------

cmd_notes() {
    ensure_setup
    local a
    for a in "$@"; do
        case "$a" in
            --instructor|--pdf|--check) ;;
            *) die "notes does not know '$a' (it takes --instructor, --pdf and --check)." 2 ;;
        esac
    done
    local root
    root=$(pristine_root)
    bash notes/build_notes.sh --root "$root" --out "build/$( [[ " $* " == *" --instructor "* ]] && echo notes-instructor || echo notes)" "$@"
}

# pristine_root: a tree to render the notes from in which the exercise
# skeletons are as handed out, so that a student's edits (finished code, a
# deleted snippet marker) never show in, or break, the notes. That is the
# repository itself when no skeleton differs from the last commit, and
# otherwise a copy under build/ with the committed skeletons put back. A
# student handout (./build.sh release) carries the skeletons as handed out
# in .pristine/, which wins over git (a student's own commits are not
# pristine).
pristine_root() {
    local changed
    if [ -d .pristine/chapters ]; then
        local f differ=0 r=build/notes-src d
        while read -r f; do
            cmp -s ".pristine/$f" "$f" || { differ=1; break; }
        done < <(cd .pristine && find chapters -type f)
        if [ $differ -eq 0 ]; then echo "$ROOT"; return; fi
        rm -rf "$r"; mkdir -p "$r"
        for d in chapters solutions plots notes tests; do [ ! -e "$d" ] || cp -r "$d" "$r/"; done
        cp -r .pristine/chapters/. "$r/chapters/"
        echo "$ROOT/$r"; return
    fi
    changed=$(git status --porcelain -- 'chapters/*/*.c' 'chapters/*/*.h' 2>/dev/null | grep -c . || true)
    if [ "${changed:-0}" -eq 0 ] || ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
        echo "$ROOT"; return
    fi
    local r=build/notes-src f
    rm -rf "$r"; mkdir -p "$r"
    cp -r chapters solutions plots notes tests "$r/"
    git ls-files -- 'chapters/*/*.c' 'chapters/*/*.h' | while read -r f; do
        git show "HEAD:$f" >"$r/$f"
    done
    echo "$ROOT/$r"
}

# ---- bench ---------------------------------------------------------------------------

cmd_bench() {
    [ $# -eq 0 ] || die "bench takes no arguments (got '$*')." 2
    ensure_setup
    make_q build/bin/bench
    mkdir -p build/bench
    build/bin/bench build/bench/bench.dat
    # chapter 05's bench figures, drawn from this run into build/bench/
    local gp
    for gp in plots/05-fast-convolution/bench_*.gp; do
        [ -e "$gp" ] || continue
        gnuplot -e "datadir='build/bench'; outdir='build/bench'" "$gp" \
            || die "gnuplot failed on $gp: see its message above."
    done
    say "figures: build/bench/"
    # Chapter 06: one training epoch of LeNet-5 over Fashion-MNIST's 60,000
    # images, C against PyTorch, at 1 and 2 threads (its data on demand).
    local py
    py=$(find_python)
    if [ -n "$py" ] && "$py" -c 'import torch' 2>/dev/null && [ -f bench/lenet_torch.py ]; then
        step "LeNet-5: one Fashion-MNIST epoch, C against PyTorch"
        make_q build/bin/cnn
        "$py" bench/lenet_torch.py --threads 1,2 --cnn build/bin/cnn \
            || say "bench: the LeNet-5 epoch benchmark failed (see above)."
    else
        say "bench: no PyTorch here (./build.sh setup --optional installs python3-torch): the LeNet-5 epoch comparison is skipped."
    fi
    # The course's own tooling: how long a grade and the test suite take.
    if [ -f tools/grade/bench_grade.sh ]; then
        step "grading: one submission, and 20 with --jobs 2"
        bash tools/grade/bench_grade.sh build/bench/bench_grade.dat \
            || say "bench: the grading benchmark failed (see above)."
    fi
    if [ -f build/test/duration.txt ]; then
        say "the last ./build.sh test took $(cat build/test/duration.txt)"
    else
        say "./build.sh test has not run in this checkout yet: run it to time it."
    fi
}

# ---- test: the project's own test suite ----------------------------------------------

cmd_test() {
    [ $# -eq 0 ] || die "test takes no arguments (got '$*')." 2
    ensure_setup
    bash tests/run_tests.sh
}

# ---- the instructor's tools: grade, gradescope, classroom, release --------------------
# tools/grade/grade.py does the work; `./build.sh grade --help` lists its options.

cmd_instructor() {
    [ -f tools/grade/grade.py ] || die "'$1' is an instructor's command: it is not part of the student handout." 2
    ensure_setup
    local py
    py=$(find_python)
    "${py:-python3}" tools/grade/grade.py "$@"
}

# ---- the main job ---------------------------------------------------------------------

cmd_all() {
    cmd_build
    local ch
    for ch in $(chapters); do run_experiment "$ch" reference; done
    cmd_notes
    say ""
    say "${GREEN}The course notes are ready: build/notes/index.html${RESET}"
}

cmd_clean() {
    [ $# -eq 0 ] || die "clean takes no arguments." 2
    rm -rf build
    say "removed build/"
}

cmd_help() {
    cat <<EOF
usage: ./build.sh [COMMAND [ARGS]]

  (no command)        set up what is missing, build, run every chapter's
                      experiment with the reference code, draw the figures,
                      render the notes and say where they are
  setup [--optional]  install the Debian packages the workbook needs
                      (--optional adds python3-torch for cross-checks,
                      chromium, clang and lld for the notes)
  build               compile everything: tests, experiments, the cnn tool
  check [NN ...] [--reference]
                      run chapter NN's graded tests (default: every chapter)
                      on your code in chapters/, or on the reference solution
  run NN [--reference]
                      run chapter NN's experiment with your code (figures in
                      build/plots/NN-*) or the reference (figures in plots/);
                      from chapter 06 on, it first fetches MNIST and
                      Fashion-MNIST into build/data/ (datasets/fetch.sh)
  notes [--instructor] [--pdf] [--check]
                      render the course notes to build/notes/ (instructor
                      edition with answers and solutions: build/notes-instructor/);
                      --pdf also prints the book to course-notes.pdf there,
                      --check opens every page in headless Chromium and
                      fails on what a reader would see broken
  bench               measure speed (GFLOP/s) and print a table
  test                the project's own test suite (what CI runs)
  grade SUBMISSION... [--out DIR] [--chapters LIST] [--jobs N]
        [--hidden|--visible-only] [--force] [--similarity] [--autolab]
                      grade students' submissions (folders, .zip, .tar.gz)
                      in a sandbox; reports and gradebook in build/grades/
                      (grade --help lists every option)
  gradescope          the Gradescope autograder, build/autograder.zip
  classroom [DIR]     GitHub Classroom autograding files for a handout
                      (default: build/release/cnn-course)
  release             the student handout (no solutions, no hidden tests)
                      in build/release/, and a tarball of it
  clean               remove build/
  help                this text
EOF
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case "$cmd" in
        "")            cmd_all ;;
        help|-h|--help) cmd_help ;;
        setup)         cmd_setup "$@" ;;
        build)         cmd_build "$@" ;;
        check)         cmd_check "$@" ;;
        run)           cmd_run "$@" ;;
        notes)         cmd_notes "$@" ;;
        bench)         cmd_bench "$@" ;;
        test)          cmd_test "$@" ;;
        grade|gradescope|classroom|release) cmd_instructor "$cmd" "$@" ;;
        clean)         cmd_clean "$@" ;;
        *) die "unknown command '$cmd': './build.sh help' lists the commands." 2 ;;
    esac
}

main "$@"

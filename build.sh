#!/usr/bin/env bash
# build.sh: the one entry point of the workbook. `./build.sh help` lists the
# subcommands. It drives make (Makefile) for compiling; everything it makes
# goes under build/, except the reference figures in plots/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
PROG=./build.sh
JOBS=$(nproc 2>/dev/null || echo 2)

# Packages every command may need, by Debian name. Optional ones are only
# installed by `setup --optional` (CI does that, to cross-check with PyTorch).
REQUIRED_PKGS=(gcc make patch pkg-config check zlib1g-dev gnuplot-nox pandoc
               libjs-katex bubblewrap python3 python3-numpy)
OPTIONAL_PKGS=(python3-torch)

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

# chapter_dir NN: "01", "1" or "01-convolution" -> "01-convolution"
chapter_dir() {
    local want=$1 c
    [[ $want =~ ^[0-9]+ ]] || die "'$want' is not a chapter number: give one of $(chapters | cut -c1-2 | paste -sd' ')." 2
    local num
    num=$(printf '%02d' "$((10#${BASH_REMATCH[0]}))")
    for c in $(chapters); do
        [ "${c:0:2}" = "$num" ] && { echo "$c"; return; }
    done
    die "there is no chapter $num: the chapters are $(chapters | cut -c1-2 | paste -sd' ')." 2
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

# run_graded CHAPTER IMPL: runs a chapter's graded tests; IMPL is student or
# reference. Returns the runner's status.
run_graded() {
    local ch=$1 impl=$2 runner="build/asan/run/$1/$2"
    if ! make_q "$runner"; then
        printf 'build.sh: chapter %s did not compile: fix the first error above and run this again.\n' "$ch" >&2
        return 1
    fi
    local label="chapter $ch ($impl code)"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$runner" --label "$label"
}

cmd_check() {
    local impl=student list=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --reference) impl=reference ;;
            -*) die "check does not know the option '$1' (it takes a chapter number and --reference)." 2 ;;
            *) list+=("$(chapter_dir "$1")") ;;
        esac
        shift
    done
    [ ${#list[@]} -gt 0 ] || mapfile -t list < <(chapters)
    ensure_setup
    local ch rc=0
    for ch in "${list[@]}"; do
        step "chapter $ch: graded tests on the $impl code"
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

run_experiment() {
    local ch=$1 impl=$2
    if [ ! -f "chapters/$ch/experiment.c" ]; then
        say "chapter $ch has no experiment."
        return 0
    fi
    local bin="build/opt/experiment/$ch/$impl" data="build/data/$ch/$impl" out
    if [ "$impl" = reference ]; then out="plots/$ch"; else out="build/plots/$ch"; fi
    make_q "$bin" || die "chapter $ch's experiment did not compile: fix the first error above."
    step "chapter $ch: experiment with the $impl code"
    "$bin" "$data" || die "chapter $ch's experiment failed (see above); its figures were not redrawn."
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
               ch=$(chapter_dir "$1") ;;
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
            --instructor|--pdf) ;;
            *) die "notes does not know '$a' (it takes --instructor and --pdf)." 2 ;;
        esac
    done
    bash notes/build_notes.sh "$@"
}

# ---- bench ---------------------------------------------------------------------------

cmd_bench() {
    [ $# -eq 0 ] || die "bench takes no arguments (got '$*')." 2
    ensure_setup
    make_q build/bin/bench
    mkdir -p build/bench
    build/bin/bench build/bench/bench.dat
}

# ---- test: the project's own test suite ----------------------------------------------

PASSED=0 FAILED=0 SKIPPED=0
pass() { PASSED=$((PASSED + ${1:-1})); }
fail() { FAILED=$((FAILED + ${1:-1})); }

# count_check LOG: adds the Check summaries ("Checks: 5, Failures: 1,
# Errors: 0") of a log to the totals.
count_check() {
    local line n f e
    while read -r line; do
        n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
        f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
        e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
        pass $((n - f - e)); fail $((f + e))
    done < <(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$1")
}

# count_tap LOG: adds "ok - ..." / "not ok - ..." lines ("# SKIP" = skipped).
count_tap() {
    local ok nok skip
    skip=$(grep -cE '^ok .*# SKIP' "$1" || true)
    ok=$(grep -cE '^ok ' "$1" || true)
    nok=$(grep -cE '^not ok ' "$1" || true)
    pass $((ok - skip)); fail "$nok"; SKIPPED=$((SKIPPED + skip))
}

test_warnings() {
    step "warning-free build (-std=c11 -Wall -Wextra -Wpedantic -Werror)"
    local log=build/test/build.log
    if make_q build >"$log" 2>&1; then pass; say "ok: everything compiles without a warning"
    else fail; cat "$log"; return; fi
    # The skeletons are built without -Werror for students; hold them to it here.
    local f bad=0
    for f in chapters/*/*.c; do
        gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Werror \
            -Icommon $(printf -- '-I%s ' chapters/*/) -fsyntax-only "$f" 2>>"$log" || bad=1
    done
    if [ $bad = 0 ]; then pass; say "ok: the skeletons compile without a warning"
    else fail; cat "$log"; fi
}

test_solutions() {
    local ch log
    for ch in $(chapters); do
        step "chapter $ch: every graded test on the reference solution (ASan + UBSan)"
        log=build/test/$ch-reference.log
        make_q "build/asan/run/$ch/reference" >"$log" 2>&1 || { fail; cat "$log"; continue; }
        if "build/asan/run/$ch/reference" --label "chapter $ch reference" >>"$log" 2>&1; then
            grep -E 'suite|points;' "$log"
        else
            cat "$log"
        fi
        count_check "$log"
    done
}

test_skeletons() {
    local ch log out n p
    for ch in $(chapters); do
        step "chapter $ch: every visible graded test must fail on the untouched skeleton"
        log=build/test/$ch-skeleton.log
        make_q "build/asan/run/$ch/student" >"$log" 2>&1 || { fail; cat "$log"; continue; }
        "build/asan/run/$ch/student" --label "chapter $ch skeleton" --expect-fail --quiet >>"$log" 2>&1 || true
        out=$(grep -E 'points; [0-9]+ of [0-9]+ tests passed' "$log" | tail -n1)
        if [[ $out =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ passed ]]; then
            p=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
            pass $((n - p)); fail "$p"
            say "$out"
            grep '^vacuous:' "$log" || true
        else
            fail; cat "$log"
        fi
    done
}

# Each mutant is a patch of the reference solution making one typical mistake;
# some graded test must fail on it, and the hint the patch names must appear.
test_mutants() {
    local ch m name hint dir log json
    for ch in $(chapters); do
        compgen -G "tests/$ch/mutants/*.patch" >/dev/null || continue
        step "chapter $ch: mutants (planted mistakes) must be caught"
        for m in tests/"$ch"/mutants/*.patch; do
            name=$(basename "$m" .patch)
            hint=$(sed -n '1s/^Hint: //p' "$m")
            dir=build/mutants/$ch/$name
            log=$dir.log
            rm -rf "$dir"; mkdir -p "$dir/solutions"
            cp -r "solutions/$ch" "$dir/solutions/"
            if [ -z "$hint" ]; then
                fail; say "not ok - mutant $name: its first line must be 'Hint: TEXT'"; continue
            fi
            if ! patch -s -p1 -d "$dir" <"$m" >"$log" 2>&1; then
                fail; say "not ok - mutant $name: the patch no longer applies to solutions/$ch"; cat "$log"; continue
            fi
            json=$dir/result.json
            if ! make_q RUNNER_OUT="$dir/run" RUNNER_CHAPTER="$ch" RUNNER_IMPL="$dir/solutions/$ch" \
                    RUNNER_MODE=asan RUNNER_SET=all "$dir/run" >>"$log" 2>&1; then
                # A mutant that does not compile would be caught by any student's
                # compiler, not by a test: the patch itself is broken.
                fail; say "not ok - mutant $name does not compile"; tail -n 20 "$log"; continue
            fi
            if "$dir/run" --quiet --json "$json" >>"$log" 2>&1; then
                fail; say "not ok - mutant $name survived: every graded test passes on it ($hint)"
            elif grep -qF -- "$hint" "$json"; then
                pass; say "ok - mutant $name caught, with the hint '$hint'"
            else
                fail; say "not ok - mutant $name is caught but no message says '$hint'"
            fi
        done
    done
}

test_tooling() {
    local log py
    step "tooling: common/ runtime (npy, IDX, RNG, atomic files, ...)"
    log=build/test/common.log
    if make_q build/asan/bin/test_common >"$log" 2>&1; then
        build/asan/bin/test_common >>"$log" 2>&1 || cat "$log"
        grep -E 'Checks: ' "$log" || true
        count_check "$log"
    else
        fail; cat "$log"
    fi
    py=$(find_python)
    local t
    for t in tests/tooling/*.sh tests/tooling/*.py; do
        [ -e "$t" ] || continue
        step "tooling: $(basename "$t")"
        log=build/test/$(basename "$t").log
        case "$t" in
            *.py) if [ -z "$py" ]; then fail; say "not ok - $t needs a python3 with numpy: run ./build.sh setup"; continue; fi
                  CNN=build/bin/cnn CNN_PYTHON=$py OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
                      "$py" "$t" >"$log" 2>&1 || true ;;
            *)    CNN=build/bin/cnn CNN_PYTHON=$py bash "$t" >"$log" 2>&1 || true ;;
        esac
        count_tap "$log"
        if grep -qE '^not ok ' "$log"; then cat "$log"
        else say "$(grep -cE '^ok ' "$log") ok"; fi
    done
}

cmd_test() {
    [ $# -eq 0 ] || die "test takes no arguments (got '$*')." 2
    ensure_setup
    local t0=$SECONDS
    mkdir -p build/test
    test_warnings
    test_solutions
    test_skeletons
    test_mutants
    test_tooling
    echo
    say "build.sh test took $((SECONDS - t0)) s"
    [ "$SKIPPED" -eq 0 ] || say "$SKIPPED skipped (each says why in build/test/*.log)"
    say "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
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
                      (--optional adds python3-torch for cross-checks)
  build               compile everything: tests, experiments, the cnn tool
  check [NN ...] [--reference]
                      run chapter NN's graded tests (default: every chapter)
                      on your code in chapters/, or on the reference solution
  run NN [--reference]
                      run chapter NN's experiment with your code (figures in
                      build/plots/NN-*) or the reference (figures in plots/)
  notes [--instructor] [--pdf]
                      render the course notes to build/notes/ (instructor
                      edition with answers and solutions: build/notes-instructor/)
  bench               measure speed (GFLOP/s) and print a table
  test                the project's own test suite (what CI runs)
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
        clean)         cmd_clean "$@" ;;
        *) die "unknown command '$cmd': './build.sh help' lists the commands." 2 ;;
    esac
}

main "$@"

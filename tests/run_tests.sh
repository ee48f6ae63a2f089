#!/usr/bin/env bash
# run_tests.sh: the project's own test suite (`./build.sh test` runs it).
#
# Every step writes TAP ("ok N - ...", "not ok N - ...", "# SKIP reason")
# into build/test/tap/STEP.tap and its full output into build/test/STEP.log;
# the totals are counted from the TAP files alone, never from what a program
# prints for people. The last line is exactly "N passed, N failed".
#
# Steps, in order:
#   build      everything compiles without a warning (the skeletons too)
#   structure  each chapter: points total 100, every mutant has a hint, every
#              clause of tests/NN/clauses.txt has a test tagged with it,
#              every snippet a lesson includes exists
#   reference  each chapter: every graded test passes on the solution
#   skeleton   each chapter: every visible graded test fails on the skeleton
#   mutants    each chapter: every planted mistake is caught, with its hint
#   tooling    common/, the graded-test layer, the cnn tool, build.sh, notes
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=$(nproc 2>/dev/null || echo 2)
OUT=build/test
TAP=$OUT/tap
rm -rf "$TAP"
mkdir -p "$TAP"

if [ -t 1 ]; then BOLD=$'\e[1m' RESET=$'\e[0m'; else BOLD='' RESET=''; fi
step() { printf '%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
make_q() { make --no-print-directory -s -j"$JOBS" "$@"; }
chapters() { (cd chapters && ls -d [0-9][0-9]-*/ 2>/dev/null | tr -d /); }

PY=$(command -v /usr/bin/python3 || command -v python3)

# tap_line FILE OK DESCRIPTION [DETAIL...]: appends one TAP line (and the
# details as TAP comments).
tap_line() {
    local f=$1 good=$2 desc=$3
    shift 3
    if [ "$good" = 1 ]; then echo "ok - $desc" >>"$f"
    else
        echo "not ok - $desc" >>"$f"
        local l
        for l in "$@"; do printf '#   %s\n' "$l" >>"$f"; done
    fi
}

# show TAPFILE: prints the failures of a TAP file, or how many passed.
show() {
    local nok
    nok=$(grep -c '^not ok' "$1" || true)
    if [ "$nok" -gt 0 ]; then grep -A6 '^not ok' "$1" | grep -v '^--$' | head -n 60
    else echo "$(grep -c '^ok' "$1" || true) ok"; fi
}

# ---- build -------------------------------------------------------------------

test_build() {
    step "warning-free build (-std=c11 -Wall -Wextra -Wpedantic -Werror)"
    local t=$TAP/build.tap log=$OUT/build.log
    if make_q build >"$log" 2>&1; then tap_line "$t" 1 "everything compiles without a warning"
    else tap_line "$t" 0 "everything compiles without a warning" "$(tail -n 20 "$log")"; fi
    # Students build their own files without -Werror; hold the skeletons to it.
    if make_q skeleton-werror >>"$log" 2>&1; then tap_line "$t" 1 "the skeletons compile without a warning"
    else tap_line "$t" 0 "the skeletons compile without a warning" "$(tail -n 20 "$log")"; fi
    show "$t"
}

# ---- structure -----------------------------------------------------------------

test_structure() {
    local ch t=$TAP/structure.tap
    step "structure: points, hints, clauses, snippets"
    for ch in $(chapters); do
        local ref=build/asan/run/$ch/reference total
        total=$("$ref" --list 2>/dev/null | awk -F'\t' '{s += $2} END {printf "%g", s}')
        [ "$total" = 100 ]; tap_line "$t" $((! $?)) "chapter $ch: graded tests total 100 points" "they total ${total:-nothing}"
        local m
        for m in tests/"$ch"/mutants/*.patch; do
            [ -e "$m" ] || continue
            grep -qE '^Hint: .{10,}' <(head -n1 "$m")
            tap_line "$t" $((! $?)) "chapter $ch: mutant $(basename "$m") starts with 'Hint: TEXT'"
        done
        if [ -f "tests/$ch/clauses.txt" ]; then
            # Tags: "clause: ID" or "clause: ID1, ID2" in a comment of a test file.
            local tags id missing=()
            tags=$(grep -rhoE 'clause: [A-Za-z0-9_.-]+(, *[A-Za-z0-9_.-]+)*' tests/"$ch" --include=*.c \
                   | sed -E 's/^clause: //; s/, */\n/g')
            while IFS=: read -r id _; do
                id=$(echo "$id" | tr -d '[:space:]')
                [ -n "$id" ] && [ "${id:0:1}" != "#" ] || continue
                grep -qxF -- "$id" <<<"$tags" || missing+=("$id")
            done <"tests/$ch/clauses.txt"
            [ ${#missing[@]} -eq 0 ]
            tap_line "$t" $((! $?)) "chapter $ch: every contract clause has a test" "no test tagged 'clause: ${missing[*]}'"
        else
            tap_line "$t" 0 "chapter $ch: tests/$ch/clauses.txt lists the header's contract clauses" "it is missing"
        fi
        # Snippets: include="PATH" snippet="NAME" must name a file holding
        # the marker ">>> NAME" (and "<<< NAME").
        local inc bad=()
        while read -r inc; do
            local path snip
            path=$(sed -E 's/.*include="([^"]+)".*/\1/' <<<"$inc")
            snip=$(sed -nE 's/.*snippet="([^"]+)".*/\1/p' <<<"$inc")
            if [ ! -f "$path" ]; then bad+=("$path (no such file)")
            elif [ -n "$snip" ] && ! { grep -qF ">>> $snip" "$path" && grep -qF "<<< $snip" "$path"; }; then
                bad+=("$path snippet $snip")
            fi
        done < <(grep -ho 'include="[^"]*"[^}]*' chapters/"$ch"/lesson.md solutions/"$ch"/answers.md 2>/dev/null)
        [ ${#bad[@]} -eq 0 ]
        tap_line "$t" $((! $?)) "chapter $ch: every code listing of the lesson resolves" "${bad[@]}"
    done
    show "$t"
}

# ---- graded tests on the reference, the skeleton and the mutants ----------------------

graded() { "$PY" tests/harness/run_graded.py "$@"; }

test_reference() {
    local ch
    for ch in $(chapters); do
        step "chapter $ch: every graded test on the reference solution (ASan + UBSan)"
        local ref=build/asan/run/$ch/reference log=$OUT/$ch-reference.log
        graded "$ref" --list-from "$ref" --label "chapter $ch reference" \
            --tap "$TAP/$ch-reference.tap" >"$log" 2>&1
        grep -E 'points; ' "$log" | tail -n1
        show "$TAP/$ch-reference.tap" | grep -v ' ok$' || true
        grep -q . "$TAP/$ch-reference.tap" 2>/dev/null \
            || tap_line "$TAP/$ch-reference.tap" 0 "chapter $ch: the reference runner ran" "$(tail -n 5 "$log")"
    done
}

test_skeleton() {
    local ch
    for ch in $(chapters); do
        step "chapter $ch: every visible graded test must fail on the untouched skeleton"
        local log=$OUT/$ch-skeleton.log
        graded "build/asan/run/$ch/student" --list-from "build/asan/run/$ch/reference" \
            --set visible --label "chapter $ch skeleton" --expect-fail --quiet \
            --tap "$TAP/$ch-skeleton.tap" >"$log" 2>&1
        grep -E 'points; ' "$log" | tail -n1
        grep '^not ok' "$TAP/$ch-skeleton.tap" || true
        grep -q . "$TAP/$ch-skeleton.tap" 2>/dev/null \
            || tap_line "$TAP/$ch-skeleton.tap" 0 "chapter $ch: the skeleton runner ran" "$(tail -n 5 "$log")"
    done
}

# Each mutant is a patch of the reference solution making one typical mistake;
# some graded test must fail on it, and the hint the patch names must appear.
# one_mutant CHAPTER PATCH TAPFILE
one_mutant() {
    local ch=$1 m=$2 t=$3 name hint dir log json
    name=$(basename "$m" .patch)
    hint=$(sed -n '1s/^Hint: //p' "$m")
    dir=build/mutants/$ch/$name
    log=$dir.log
    rm -rf "$dir" "build/asan/$dir"; mkdir -p "$dir/solutions"
    : >"$t"
    cp -r "solutions/$ch" "$dir/solutions/"
    if ! patch -s -p1 -d "$dir" <"$m" >"$log" 2>&1; then
        tap_line "$t" 0 "mutant $ch/$name: the patch applies to solutions/$ch" "$(head -n 5 "$log")"; return
    fi
    # Only the patched files need compiling: every other file of the mutant
    # is the reference's, whose object the build step made (copied after the
    # sources, so make sees it up to date).
    local src obj
    for src in "$dir/solutions/$ch"/*.c; do
        obj=build/asan/solutions/$ch/$(basename "$src" .c).o
        if cmp -s "$src" "solutions/$ch/$(basename "$src")" && [ -f "$obj" ]; then
            mkdir -p "build/asan/$dir/solutions/$ch"
            cp "$obj" "build/asan/$dir/solutions/$ch/"
        fi
    done
    # -j1: mutants already run side by side; the objects they share with the
    # standard runners were built by the build step.
    if ! make --no-print-directory -s RUNNER_OUT="$dir/run" RUNNER_CHAPTER="$ch" \
            RUNNER_IMPL="$dir/solutions/$ch" RUNNER_MODE=asan RUNNER_SET=all "$dir/run" >>"$log" 2>&1; then
        # A mutant that does not compile would be caught by a compiler, not
        # by a test: the patch itself is broken.
        tap_line "$t" 0 "mutant $ch/$name compiles" "$(tail -n 5 "$log")"; return
    fi
    json=$dir/result.json
    if graded "$dir/run" --list-from "build/asan/run/$ch/reference" --quiet \
            --label "mutant $name" --json "$json" >>"$log" 2>&1; then
        tap_line "$t" 0 "mutant $ch/$name is caught" "every graded test passes on it ($hint)"
    else
        # One hint per mistake: some failure shows the hint, and no failure
        # shows a different one (a failure may show no hint at all).
        local verdict
        verdict=$("$PY" - "$json" "$hint" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print("the graded run wrote no results (%s): see its log" % e)
    sys.exit(0)
hint = sys.argv[2]
failed = [t for t in d["tests"] if t["status"] != "passed"]
if not any(hint in (t.get("output") or "") for t in failed):
    print("no failure message says '%s'" % hint)
for t in failed:
    out = t.get("output") or ""
    if hint not in out and "Hint:" in out:
        other = [l for l in out.splitlines() if l.startswith("Hint:")][0]
        print("'%s' gives another hint: %s" % (t["name"], other[:160]))
PY
)
        if [ -n "$hint" ] && [ -z "$verdict" ]; then
            tap_line "$t" 1 "mutant $ch/$name is caught, with the hint '$hint' and no other"
        else
            local lines=()
            mapfile -t lines <<<"$verdict"
            tap_line "$t" 0 "mutant $ch/$name is caught with its hint and no other" "${lines[@]:0:4}"
        fi
    fi
}

test_mutants() {
    local ch m pids=() n=0
    step "mutants (planted mistakes) must be caught, $JOBS at a time"
    mkdir -p "$TAP/mutants"
    for ch in $(chapters); do
        for m in tests/"$ch"/mutants/*.patch; do
            [ -e "$m" ] || continue
            one_mutant "$ch" "$m" "$TAP/mutants/$ch-$(basename "$m" .patch).tap" &
            pids+=($!)
            n=$((n + 1))
            if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
        done
    done
    wait
    for ch in $(chapters); do
        compgen -G "$TAP/mutants/$ch-*.tap" >/dev/null || continue
        cat "$TAP/mutants/$ch-"*.tap >"$TAP/$ch-mutants.tap"
        printf 'chapter %s: ' "$ch"; show "$TAP/$ch-mutants.tap"
    done
    rm -rf "$TAP/mutants"
}

# ---- tooling ---------------------------------------------------------------------------

test_tooling() {
    local log t
    # Check programs over common/: tests/tooling/test_NAME.c
    local c
    for c in tests/tooling/test_*.c; do
        [ -e "$c" ] || continue
        local bin tap
        bin=build/asan/bin/$(basename "$c" .c)
        tap=$TAP/tooling-$(basename "$c" .c).tap
        step "tooling: $(basename "$c") (Check)"
        log=$OUT/$(basename "$c" .c).log
        if make_q "$bin" >"$log" 2>&1; then
            CK_TAP_LOG_FILE_NAME=$tap "$bin" >>"$log" 2>&1
            grep -q . "$tap" 2>/dev/null || tap_line "$tap" 0 "$(basename "$c") ran" "$(tail -n 5 "$log")"
        else
            tap_line "$tap" 0 "$(basename "$c") builds" "$(tail -n 5 "$log")"
        fi
        show "$tap"
    done
    for t in tests/tooling/*.sh tests/tooling/*.py; do
        [ -e "$t" ] || continue
        local name
        name=$(basename "$t")
        step "tooling: $name"
        log=$OUT/$name.log
        case "$t" in
            *.py) CNN=build/bin/cnn CNN_PYTHON=$PY OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
                      "$PY" "$t" >"$log" 2>&1 ;;
            *)    CNN=build/bin/cnn CNN_PYTHON=$PY bash "$t" >"$log" 2>&1 ;;
        esac
        local rc=$?
        grep -E '^(not )?ok\b' "$log" >"$TAP/tooling-$name.tap"
        if ! grep -q . "$TAP/tooling-$name.tap"; then
            tap_line "$TAP/tooling-$name.tap" 0 "$name reports its checks" "exit $rc: $(tail -n 3 "$log")"
        elif [ $rc -ne 0 ] && ! grep -q '^not ok' "$TAP/tooling-$name.tap"; then
            tap_line "$TAP/tooling-$name.tap" 0 "$name exits 0 when all its checks pass" "exit $rc: $(tail -n 3 "$log")"
        fi
        show "$TAP/tooling-$name.tap"
    done
}

# ---- totals ------------------------------------------------------------------------------

count() {
    local passed=0 failed=0 skipped=0 f
    for f in "$TAP"/*.tap; do
        [ -e "$f" ] || continue
        local ok nok skip
        ok=$(grep -cE '^ok\b' "$f" || true)
        skip=$(grep -cE '^ok\b.*# SKIP' "$f" || true)
        nok=$(grep -cE '^not ok\b' "$f" || true)
        passed=$((passed + ok - skip)); failed=$((failed + nok)); skipped=$((skipped + skip))
    done
    [ "$skipped" -eq 0 ] || echo "$skipped skipped (each says why in $TAP/*.tap)"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

t0=$SECONDS
test_build
test_structure
test_reference
test_skeleton
test_mutants
test_tooling
echo
echo "the test suite took $((SECONDS - t0)) s"
echo "$((SECONDS - t0)) s (on $(date '+%Y-%m-%d %H:%M'), $(nproc 2>/dev/null || echo ?) cores)" >"$OUT/duration.txt"
count

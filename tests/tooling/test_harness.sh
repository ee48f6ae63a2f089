#!/usr/bin/env bash
# Tests of the graded-test layer (tests/harness/): runs the demo suites of
# harness_demo.c, whose outcomes are known, and checks the runner's table,
# messages, hints, sanitizer digests, timeouts, exit statuses and JSON.
# Run from the repo root by ./build.sh test; one "ok"/"not ok" line a check.
set -u
demo=build/asan/bin/harness_demo
py=${CNN_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n_fail=0

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }
# has DESCRIPTION FILE TEXT: FILE contains TEXT (fixed string)
has() { if grep -qF -- "$3" "$2"; then ok "$1"; else nok "$1" "missing: $3"; fi; }

make --no-print-directory -s "$demo" || { echo "not ok - the demo suites build"; exit 1; }

# A short timeout keeps the endless test quick (10 s x 0.1 = 1 s).
export CK_TIMEOUT_MULTIPLIER=0.1
"$demo" --label "demo run" --json "$tmp/r.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok "failures make the exit status 1" || nok "failures make the exit status 1" "got $rc"

has "each suite prints Check's summary" "$tmp/out" "visible suite demo: 20%: Checks: 5, Failures: 3, Errors: 1"
has "a timeout is an error in Check's summary" "$tmp/out" "visible suite demo slow: 0%: Checks: 1, Failures: 0, Errors: 1"
has "hidden suites are marked" "$tmp/out" "hidden suite demo hidden: 100%"
has "the total counts points and tests" "$tmp/out" "demo run: 6 / 13 points; 2 of 7 tests passed (visible 2 / 9, hidden 4 / 4)"
has "a passing test earns its points" "$tmp/out" "PASS    2.0 / 2.0  demo: passes"
has "a mismatch names function, parameters, shape and first index" "$tmp/out" \
    "demo_conv(N=1 C=1): y has shape (2, 3); first mismatch at y[0, 0] (flat index 0): expected 1, got 6"
has "a mismatch counts the differing elements" "$tmp/out" "6 of 6 elements differ."
has "a known mistake's hint is shown" "$tmp/out" "Hint: DEMO-ALT-HINT kernel flipped"
has "a near miss prints enough digits to see it" "$tmp/out" \
    "expected 3, got 3.0000999 (relative error 3.33e-05 > tolerance 1e-06)"
has "an unwritten output is recognised" "$tmp/out" "no element of the output was written"
has "a timeout gets its hint" "$tmp/out" "the test ran past its time limit"
has "a memory error's line is in the message" "$tmp/out" \
    "SUMMARY: AddressSanitizer: heap-buffer-overflow tests/tooling/harness_demo.c:"
has "a sanitizer stop gets its hint" "$tmp/out" "a sanitizer stopped the test"
if grep -q "Shadow byte" "$tmp/out" "$tmp/err"; then
    nok "the sanitizer's full report is boiled down" "a shadow-byte dump reached the output"
else
    ok "the sanitizer's full report is boiled down"
fi
has "a test's own stderr passes through" "$tmp/err" "demo_pass says hello on stderr"

# The JSON file: Gradescope's fields, one entry a test, hidden ones marked.
if "$py" - "$tmp/r.json" >"$tmp/json.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in d["tests"]}
assert d["label"] == "demo run", d["label"]
assert len(t) == 7, len(t)
assert t["demo: passes"]["score"] == 2 and t["demo: passes"]["status"] == "passed"
assert t["demo: matches a known mistake"]["score"] == 0
assert t["demo: matches a known mistake"]["max_score"] == 3
assert "DEMO-ALT-HINT" in t["demo: matches a known mistake"]["output"]
assert t["demo: a hidden test"]["visibility"] == "after_published"
assert t["demo: passes"]["visibility"] == "visible"
PY
then ok "the JSON results carry scores, messages and visibility"
else nok "the JSON results carry scores, messages and visibility" "$(cat "$tmp/json.out")"; fi

# --filter, and the exit statuses that depend on it.
"$demo" --filter "demo: passes" --quiet >"$tmp/out" 2>&1
[ $? -eq 0 ] && ok "all selected tests passing exits 0" || nok "all selected tests passing exits 0"
"$demo" --filter "no such test" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "no test ran" "$tmp/out"; then ok "a run in which no test ran fails"
else nok "a run in which no test ran fails" "exit $rc: $(cat "$tmp/out")"; fi

# --expect-fail: used on the skeletons, where a passing test is vacuous.
"$demo" --filter "known mistake" --expect-fail --quiet >"$tmp/out" 2>&1
[ $? -eq 0 ] && ok "--expect-fail accepts tests that all fail" || nok "--expect-fail accepts tests that all fail"
"$demo" --filter "demo: passes" --expect-fail --quiet >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "vacuous: 'demo: passes'" "$tmp/out"; then ok "--expect-fail names a test that passes"
else nok "--expect-fail names a test that passes" "exit $rc: $(cat "$tmp/out")"; fi

"$demo" --list >"$tmp/out" 2>&1
if [ "$(grep -c demo "$tmp/out")" -eq 7 ] && grep -q "^hidden" "$tmp/out"; then ok "--list lists every test with its visibility"
else nok "--list lists every test with its visibility" "$(cat "$tmp/out")"; fi

"$demo" --bogus >"$tmp/out" 2>&1
[ $? -eq 2 ] && ok "an unknown option is a usage error" || nok "an unknown option is a usage error"

# No temporary files are left behind.
mkdir "$tmp/t"
TMPDIR="$tmp/t" "$demo" --quiet >/dev/null 2>&1
[ -z "$(ls -A "$tmp/t")" ] && ok "the runner leaves no temporary files" || nok "the runner leaves no temporary files" "$(ls -A "$tmp/t")"

exit $((n_fail > 0))

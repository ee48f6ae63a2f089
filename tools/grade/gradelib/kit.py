"""The grader's kit: everything trusted that a chapter's test runner links,
built once and reused for every submission (build/grade/kit/ by default).

    kit.json              what is in it, per chapter (see build())
    include/              the headers a submission compiles against
                          (chapters/*/*.h, common/*.h, tests/harness/grade.h)
    obj/                  the harness, common/ and the tests' objects
                          (hidden ones included), as built by the Makefile
    lib/given-NN.a        each chapter's given code
    lib/ref-NN.a          each chapter's reference implementation, linked
                          into the OTHER chapters' runners only
    api/NN.txt            the chapter's API: the global symbols its reference
                          defines; every other global symbol of a submission
                          is made local
    skel/NN/*.c           the exercise skeletons (a file missing from a
                          submission is graded as the skeleton)
    datasets/samples/     the committed data samples, which tests read from
                          datasets/samples/ of their working folder

A chapter's objects come from the Makefile (make grade-kit-info lists them).
A chapter whose reference or tests do not compile is left out, with the
compiler's message, and the others are still graded. The kit is checked
when it is made: each chapter's reference goes through the very pipeline a
submission goes through, and its runner's --list is the chapter's tests.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

from .common import (GradeError, discover_chapters, exercise_files, locked, read_json,
                     sha256_bytes, sha256_file, write_json)
from . import chapter as chap

KIT_VERSION = 6


def default_dir(root):
    return os.path.join(root, "build", "grade", "kit")


def toolchain_id(cc):
    """The compiler and sanitizer runtime the kit's objects need."""
    def out(args):
        try:
            return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  check=False).stdout.decode("utf-8", "replace").strip()
        except OSError:
            return ""
    ver = out([cc, "-dumpfullversion"]) or "?"
    machine = out([cc, "-dumpmachine"]) or "?"
    asan = os.path.realpath(out([cc, "-print-file-name=libasan.so"]) or "?")
    return "gcc %s %s | %s" % (ver, machine, asan)


def make(root, args, jobs=2, check=True):
    cmd = ["make", "--no-print-directory", "-s", "-j%d" % jobs] + args
    r = subprocess.run(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode("utf-8", "replace")
    if check and r.returncode != 0:
        raise GradeError("make failed: %s" % first_error(out))
    return r.returncode, out


def first_error(text):
    lines = [l for l in text.splitlines() if "error" in l.lower()]
    return (lines[0] if lines else (text.strip().splitlines() or ["(no message)"])[-1]).strip()


def kit_info(root):
    """The Makefile's lists: (cc, ldflags, shared objects, {chapter: info})."""
    _, out = make(root, ["grade-kit-info"], jobs=1)
    shared, chapters = None, {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "shared" and len(f) == 4:
            shared = (f[1], f[2].split(), f[3].split())
        elif len(f) == 5:
            chapters[f[0]] = {"cflags": f[1].split(), "tests": f[2].split(),
                              "ref": f[3].split(), "given": f[4].split()}
    if shared is None:
        raise GradeError("the Makefile has no usable grade-kit-info target: this grader "
                         "needs the Makefile of the same version.")
    return shared[0], shared[1], shared[2], chapters


def _stat_key(paths):
    parts = []
    for p in paths:
        try:
            st = os.stat(p)
            parts.append("%s:%d:%d" % (p, st.st_size, st.st_mtime_ns))
        except OSError:
            parts.append(p + ":missing")
    return parts


def _headers(root):
    hs = sorted(glob.glob(os.path.join(root, "chapters", "*", "*.h")))
    hs += sorted(glob.glob(os.path.join(root, "common", "*.h")))
    hs.append(os.path.join(root, "tests", "harness", "grade.h"))
    return hs


def _samples(root):
    """The committed data samples tests may read (datasets/samples/)."""
    return sorted(glob.glob(os.path.join(root, "datasets", "samples", "**", "*"), recursive=True))


def ensure(root, kdir, want, jobs=2, say=print, rebuild=False):
    """The kit, made or brought up to date, in which every chapter of WANT can
    be graded. Returns its kit.json as a dict."""
    os.makedirs(os.path.dirname(kdir), exist_ok=True)
    with locked(kdir + ".lock", "the grader's kit (%s)" % kdir):
        return _ensure(root, kdir, want, jobs, say, rebuild)


def _ensure(root, kdir, want, jobs, say, rebuild):
    cc, ldflags, shared, info = kit_info(root)
    chapters = [c for c in discover_chapters(root) if c in info]
    all_objs = list(shared) + [o for c in chapters for k in ("tests", "ref", "given")
                               for o in info[c][k]]
    uptodate = subprocess.run(["make", "--no-print-directory", "-s", "-q"] + all_objs, cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    failed, bad_objs = {}, set()
    if not uptodate:
        # One make for everything; what does not compile (a chapter being
        # written) is left out, and only what needs it goes with it.
        rc, out = make(root, ["-k"] + all_objs, jobs, check=False)
        if rc != 0:
            bad_objs = set(o for o in all_objs if re.search(r"[\[ ']%s[\]' ]" % re.escape(o), out))
            if not bad_objs:
                raise GradeError("make failed building the grader's objects: %s" % first_error(out))
        for o in shared:
            if o in bad_objs and not o.startswith("build/asan/common/"):
                raise GradeError("the grader's harness does not compile: %s" % first_error(out))
        for c in chapters:
            objs = info[c]["tests"] + info[c]["ref"] + info[c]["given"]
            if bad_objs & set(objs):
                errs = [l for l in out.splitlines() if "/%s/" % c in l and "error" in l]
                failed[c] = "its reference, tests or given code do not compile: " + (
                    errs[0].strip() if errs else first_error(out))
        shared = [o for o in shared if o not in bad_objs]
    sources = _stat_key(sorted(all_objs) + _headers(root) + _samples(root) + [
        os.path.join(root, "chapters", c, f) for c in chapters
        for f in exercise_files(os.path.join(root, "chapters", c))])
    me = os.path.dirname(os.path.abspath(__file__))
    fingerprint = sha256_bytes(str(KIT_VERSION), cc, " ".join(ldflags),
                               json.dumps(info, sort_keys=True), json.dumps(failed, sort_keys=True),
                               "\n".join(sources), sha256_file(os.path.join(me, "chapter.py")),
                               sha256_file(os.path.join(me, "kit.py")))
    old = read_json(os.path.join(kdir, "kit.json"))
    if not rebuild and old and old.get("fingerprint") == fingerprint:
        kit = old
    else:
        kit = _assemble(root, kdir, cc, ldflags, shared, info, chapters, failed, fingerprint,
                        say)
        for o in sorted(bad_objs):
            if o.startswith("build/asan/common/"):
                say("grade: note: %s does not compile; chapters that need it are left out." % o)
    _check_want(kit, want)
    return kit


def load(kdir, want):
    """A kit made earlier (--kit DIR), used as it is: nothing is compiled."""
    kit = read_json(os.path.join(kdir, "kit.json"))
    if not kit or kit.get("version") != KIT_VERSION:
        raise GradeError("%s holds no grader's kit of this version: make one with "
                         "'./build.sh grade --build-kit --kit %s'." % (kdir, kdir))
    _check_want(kit, want)
    return kit


def _check_want(kit, want):
    bad = [c for c in want if not kit["chapters"].get(c, {}).get("built")]
    if bad:
        c = bad[0]
        why = kit["chapters"].get(c, {}).get("error", "it is not a chapter of this course")
        raise GradeError("chapter %s cannot be graded: %s (grade the others with --chapters)."
                         % (c, why))


def _copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(src, dst)


def _objpath(o):
    """build/asan/tests/x.o -> obj/tests/x.o"""
    parts = o.split("/", 2)
    return os.path.join("obj", parts[2] if len(parts) == 3 and parts[0] == "build" else o)


def _api(objs):
    if not objs:
        return []
    out = subprocess.run(["nm", "-g", "-P", "--defined-only"] + objs, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
    names = set()
    for line in out.splitlines():
        p = line.split()
        if len(p) >= 2 and not line.endswith(":") and not p[0].startswith(chap.GENERATED_PREFIXES):
            names.add(p[0])
    return sorted(names)


def _assemble(root, kdir, cc, ldflags, shared, info, chapters, failed, fingerprint, say):
    say("grade: preparing the grader's kit (the trusted objects of %d chapters)" % len(chapters))
    tmp = tempfile.mkdtemp(prefix=".kit-", dir=os.path.dirname(kdir))
    os.chmod(tmp, 0o755)  # the sandboxed users read it
    try:
        j = lambda *p: os.path.join(tmp, *p)
        kit = {"version": KIT_VERSION, "fingerprint": fingerprint,
               "cc": shutil.which(cc) or cc, "toolchain": toolchain_id(cc),
               "ldflags": ldflags, "shared": [], "chapters": {}}
        kit["cc"] = os.path.realpath(kit["cc"])
        for h in _headers(root):
            _copy(h, j("include", os.path.relpath(h, root)))
        for f in _samples(root):  # tests read them from datasets/samples/
            if os.path.isfile(f):
                _copy(f, j(os.path.relpath(f, root)))
        common = [o for o in shared if o.startswith("build/asan/common/")]
        for o in shared:
            if o not in common:
                _copy(os.path.join(root, o), j(_objpath(o)))
                kit["shared"].append(_objpath(o))
        os.makedirs(j("lib"), exist_ok=True)
        if common:  # an archive: a chapter links only the parts it uses
            subprocess.run(["ar", "rcs", j("lib", "common.a")] +
                           [os.path.join(root, o) for o in common], check=True)
            kit["common_archive"] = os.path.join("lib", "common.a")
        for c in chapters:
            i = info[c]
            e = {"built": c not in failed, "cflags": i["cflags"],
                 "exercise_files": exercise_files(os.path.join(root, "chapters", c))}
            if c in failed:
                e["error"] = failed[c]
                kit["chapters"][c] = e
                continue
            e["tests_visible"] = [_objpath(o) for o in i["tests"] if "/hidden/" not in o]
            e["tests_hidden"] = [_objpath(o) for o in i["tests"] if "/hidden/" in o]
            for o in i["tests"]:
                _copy(os.path.join(root, o), j(_objpath(o)))
            os.makedirs(j("lib"), exist_ok=True)
            for kind in ("ref", "given"):
                if i[kind]:
                    a = os.path.join("lib", "%s-%s.a" % (kind, c))
                    subprocess.run(["ar", "rcs", j(a)] + [os.path.join(root, o) for o in i[kind]],
                                   check=True)
                    e[kind + "_archive"] = a
            e["api"] = _api([os.path.join(root, o) for o in i["ref"]])
            e["api_file"] = os.path.join("api", c + ".txt")
            os.makedirs(j("api"), exist_ok=True)
            with open(j(e["api_file"]), "w") as f:
                f.write("".join(s + "\n" for s in e["api"]))
            for f in e["exercise_files"]:
                _copy(os.path.join(root, "chapters", c, f), j("skel", c, f))
            kit["chapters"][c] = e
        # Check each chapter through a submission's own pipeline, with the
        # reference as the submission; its runner's --list is the tests.
        for c in chapters:
            e = kit["chapters"][c]
            if not e["built"]:
                continue
            err = _validate(tmp, kit, c, [os.path.join(root, o) for o in info[c]["ref"]])
            if isinstance(err, str):
                e["built"], e["error"] = False, err
            else:
                e["tests"] = err
        for c in chapters:
            e = kit["chapters"][c]
            if e["built"]:
                e["hash"] = _chapter_hash(tmp, kit, c)
        write_json(j("kit.json"), kit)
        if os.path.isdir(kdir):
            shutil.rmtree(kdir)
        os.replace(tmp, kdir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for c, e in sorted(kit["chapters"].items()):
        if not e["built"]:
            say("grade: note: chapter %s is left out of the kit: %s" % (c, e["error"]))
    return kit


def _validate(kdir, kit, c, ref_objs):
    """Links the reference of chapter C as a submission would be linked and
    lists its tests: [[visibility, points, suite, title], ...], or an error
    sentence."""
    work = tempfile.mkdtemp(prefix="validate-", dir=kdir)
    try:
        os.makedirs(os.path.join(work, "build"))
        names = []
        for k, o in enumerate(ref_objs):
            n = "ref%d.o" % k
            shutil.copy(o, os.path.join(work, "build", n))
            names.append(n)
        script, _ = chap.build_script(kit, kdir, c, [], False,
                                      prebuilt=["build/" + n for n in names])
        r = subprocess.run(["sh", "-c", script], cwd=work, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            logs = ""
            for n in ("merge.log", "localize.log", "link.log"):
                p = os.path.join(work, "build", n)
                if os.path.exists(p):
                    logs += open(p, errors="replace").read()
            return "its reference does not link with its tests: " + first_error(logs or r.stdout.decode())
        out = subprocess.run([os.path.join(work, "run"), "--list"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
        tests = [l.split("\t") for l in out.splitlines() if l.count("\t") == 3]
        if not tests:
            return "its test runner lists no test"
        return [[v, float(p), s, t] for v, p, s, t in tests]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _chapter_hash(kdir, kit, c):
    """A hash of everything trusted a chapter's grade depends on."""
    inc, tests, shared, archives, api = chap.kit_paths(kit, kdir, c, False)
    parts = [kit["toolchain"], json.dumps(kit["chapters"][c]["cflags"]),
             json.dumps(kit["ldflags"]), json.dumps(kit["chapters"][c].get("tests"))]
    for p in sorted(tests + shared + archives + [api]):
        parts.append(os.path.relpath(p, kdir) + ":" + sha256_file(p))
    for h in sorted(glob.glob(os.path.join(inc, "**", "*.h"), recursive=True)):
        parts.append(os.path.relpath(h, kdir) + ":" + sha256_file(h))
    for f in kit["chapters"][c]["exercise_files"]:
        parts.append(f + ":" + sha256_file(os.path.join(kdir, "skel", c, f)))
    for f in sorted(glob.glob(os.path.join(kdir, "datasets", "**", "*"), recursive=True)):
        if os.path.isfile(f):
            parts.append(os.path.relpath(f, kdir) + ":" + sha256_file(f))
    return sha256_bytes(*parts)

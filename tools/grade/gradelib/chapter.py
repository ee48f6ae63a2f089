"""Grading one chapter of one submission: compile the submission's exercise
files against the kit, localize every global symbol that is not the
chapter's API, link the chapter's test runner, run its graded tests, and
turn the outcome into a chapter result. The compiler and the runner both
run contained (sandbox.py); the caller (run_graded.py) that accepts the
runner's results runs outside."""
import json
import os
import shlex
import subprocess
import sys
import time

from .common import root_dir, write_atomic
from . import sandbox as sbx

# Exit statuses of the build script, by step.
COMPILE, MERGE, LOCALIZE, LINK = 10, 11, 12, 13
STEP = {COMPILE: "compile", MERGE: "merge", LOCALIZE: "localize", LINK: "link"}

# What the compiler may use: memory (address space), CPU seconds, wall clock.
COMPILE_AS_MB = 4096
COMPILE_CPU_S = 120
COMPILE_WALL_S = 180

# Address space a test process may reserve beyond what it has at start (see
# tools/grade/limits.c): tests reserve untouched tensors past 2^31 floats.
ADDRESS_MB = 64 << 10

# Symbols a compiler or sanitizer generates for the code's own globals.
GENERATED_PREFIXES = ("__odr_asan_gen_",)


def kit_paths(kit, kdir, chapter, visible_only):
    """(include dir, test objects, shared objects, archives, api file) of the
    chapter's link, as absolute paths."""
    ch = kit["chapters"][chapter]
    j = lambda p: os.path.join(kdir, p)
    tests = [j(p) for p in ch["tests_visible"] + ([] if visible_only else ch["tests_hidden"])]
    shared = [j(p) for p in kit["shared"]]
    archives = [j(kit["common_archive"])] if kit.get("common_archive") else []
    for c, info in sorted(kit["chapters"].items()):
        if not info.get("built"):
            continue
        if info.get("given_archive"):
            archives.append(j(info["given_archive"]))
        if c != chapter and info.get("ref_archive"):
            archives.append(j(info["ref_archive"]))
    return j("include"), tests, shared, archives, j(ch["api_file"])


def build_script(kit, kdir, chapter, files, visible_only, out="run", prebuilt=None):
    """A POSIX shell script, run in the scratch folder, that compiles FILES
    (names in chapters/CHAPTER/), merges them into one object, makes every
    global symbol but the chapter's API local, renames .preinit_array (so the
    linker no longer runs it: no code of theirs runs before the grader's
    address-space cap), and links OUT.
    PREBUILT: objects (paths relative to the scratch folder) to use instead
    of compiling FILES."""
    inc, tests, shared, archives, api = kit_paths(kit, kdir, chapter, visible_only)
    ch = kit["chapters"][chapter]
    q = shlex.quote
    cflags = ch["cflags"] + ["-fdiagnostics-color=never",
                             "-I" + os.path.join(inc, "common"),
                             "-I" + os.path.join(inc, "tests", "harness"),
                             "-I" + os.path.join(inc, "chapters"),
                             "-I" + os.path.join(inc, "chapters", chapter)]
    cc = q(kit["cc"])
    lines = ["set -u", "mkdir -p build", "st=0"]
    for f in files:
        src = "chapters/%s/%s" % (chapter, f)
        lines.append("%s %s -c %s -o %s 2>>build/compile.log || st=1" % (
            cc, " ".join(q(x) for x in cflags), q(src), q("build/" + f[:-2] + ".o")))
    objs = " ".join(q(p) for p in prebuilt) if prebuilt else \
        " ".join(q("build/" + f[:-2] + ".o") for f in files)
    lines += [
        "[ $st = 0 ] || exit %d" % COMPILE,
        "ld -r -o build/merged.o %s 2>build/merge.log || exit %d" % (objs, MERGE),
        "nm -g -P --defined-only build/merged.o >build/globals.txt 2>build/localize.log || exit %d" % LOCALIZE,
        "objcopy --keep-global-symbols=%s --rename-section .preinit_array=.grade.preinit_disabled "
        "build/merged.o build/student.o "
        "2>>build/localize.log || exit %d" % (q(api), LOCALIZE),
        "%s -o %s build/student.o %s %s -Wl,--start-group %s -Wl,--end-group %s 2>build/link.log || exit %d" % (
            cc, q(out), " ".join(q(t) for t in tests), " ".join(q(s) for s in shared),
            " ".join(q(a) for a in archives), " ".join(q(x) for x in kit["ldflags"]), LINK),
    ]
    binds = [inc, api] + tests + shared + archives
    return "\n".join(lines) + "\n", binds


def first_lines(text, n=25):
    lines = text.splitlines()
    more = len(lines) - n
    return "\n".join(lines[:n]) + ("\n(... %d more lines)" % more if more > 0 else "")


def build(kit, kdir, chapter, scratch, files, visible_only, sandbox=None, uid=None):
    """Compiles and links the chapter's runner in SCRATCH (which holds
    chapters/CHAPTER/FILES). Returns (ok, message, warnings, extra_globals)."""
    script, binds = build_script(kit, kdir, chapter, files, visible_only)
    if sandbox is None:
        cmd = ["sh", "-c", script]
    else:
        lim = sbx.Limits(cpu_s=COMPILE_CPU_S, fsize_mb=256, nproc=64, as_mb=COMPILE_AS_MB)
        cmd = sandbox.wrap(uid=uid, ro=binds, rw=[scratch], cwd=scratch, env={},
                           limits=lim) + ["sh", "-c", script]
    try:
        r = subprocess.run(cmd, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=COMPILE_WALL_S)
        rc, out = r.returncode, r.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, out = -1, ""
    if sandbox is not None:
        sandbox.sweep(uid)

    def log(name):
        try:
            with open(os.path.join(scratch, "build", name), encoding="utf-8", errors="replace") as f:
                return f.read(1 << 20)
        except OSError:
            return ""

    compile_log = log("compile.log")
    extra = []
    for line in log("globals.txt").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith(GENERATED_PREFIXES):
            extra.append(parts[0])
    api = set(kit["chapters"][chapter]["api"])
    extra = sorted(set(s for s in extra if s not in api))
    if rc == 0:
        return True, "", compile_log.strip(), extra
    if rc == -1:
        return False, ("the compiler did not finish within %d s." % COMPILE_WALL_S), "", extra
    if rc == COMPILE:
        return False, "the code does not compile:\n" + first_lines(compile_log.strip()), "", extra
    if rc == LINK:
        return False, ("the code compiles but does not link with the chapter's tests:\n" +
                       first_lines(_tidy_link_log(log("link.log"), scratch))), compile_log.strip(), extra
    step = STEP.get(rc, "build")
    detail = (log("merge.log") + log("localize.log") + out).strip()
    return False, "the %s step failed (status %d): %s" % (step, rc, first_lines(detail, 10)), \
        compile_log.strip(), extra


def _tidy_link_log(text, scratch):
    """The linker's messages without the kit's long paths."""
    out = []
    for line in text.splitlines():
        line = line.replace(scratch + "/", "")
        if "/usr/bin/ld:" in line:
            line = line.split("/usr/bin/ld:", 1)[1].strip()
            if line.startswith("build/student.o:"):
                line = line[len("build/student.o:"):].strip()
        out.append(line)
    return "\n".join(out)


# ---- running ---------------------------------------------------------------------

def asan_options(memory_mb):
    return ":".join(["detect_leaks=1", "mmap_limit_mb=%d" % memory_mb,
                     "max_allocation_size_mb=%d" % memory_mb, "allocator_may_return_null=0"])


def run(kit, kdir, chapter, scratch, list_file, json_out, label, visible_only, timeout_s,
        test_timeout_mult, memory_mb, sandbox=None, uid=None, log_path=None):
    """Runs the runner SCRATCH/run through run_graded.py. Returns the parsed
    results (run_graded's JSON) and whether the whole run timed out."""
    outdir = os.path.join(scratch, "out")
    os.makedirs(outdir, exist_ok=True)
    if uid is not None:
        os.chown(outdir, uid, uid)
    env = {"ASAN_OPTIONS": asan_options(memory_mb),
           "UBSAN_OPTIONS": "print_stacktrace=1",
           "CK_TIMEOUT_MULTIPLIER": "%g" % test_timeout_mult,
           "CNN_GRADE_ADDRESS_MB": str(max(ADDRESS_MB, memory_mb)),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    wrap = []
    if sandbox is not None:
        lim = sbx.Limits(cpu_s=int(timeout_s) + 30, fsize_mb=64, nproc=64, nofile=256,
                         tmp_mb=256)
        samples = os.path.join(kdir, "datasets", "samples")
        wrap = sandbox.wrap(uid=uid, ro=[scratch] + ([samples] if os.path.isdir(samples) else []),
                            rw=[outdir], cwd=scratch, env=env, limits=lim)
    run_graded = os.path.join(root_dir(), "tests", "harness", "run_graded.py")
    cmd = [sys.executable, run_graded, os.path.join(scratch, "run"), "--list-file", list_file,
           "--set", "visible" if visible_only else "all", "--label", label,
           "--json", json_out, "--workdir", outdir, "--timeout", "%g" % timeout_s, "--quiet"]
    if wrap:
        cmd += ["--wrap", json.dumps(wrap)]
    penv = dict(os.environ)
    if sandbox is None:
        penv.update(env)
    if log_path:
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path or os.devnull, "wb") as logf:
        subprocess.run(cmd, cwd=scratch, stdout=logf, stderr=subprocess.STDOUT, env=penv,
                       timeout=timeout_s + 120)
    if sandbox is not None:
        sandbox.sweep(uid)
    with open(json_out, encoding="utf-8") as f:
        return json.load(f)


# ---- the chapter's result ---------------------------------------------------------

MEMORY_NOTE = ("The grader stopped the test: it used more than the %d MB of memory a "
               "test may use (an allocation in a loop, or a size computed wrongly?).")


def annotate(output, memory_mb):
    """Plain words for the grader's own limits, which the runner cannot
    name."""
    if "mmap_limit_mb" in output:
        # The sanitizer's own check failed: it says so in code, and the
        # runner takes its exit for a call of exit().
        rest = [l for l in output.splitlines() if "mmap_limit_mb" not in l
                and "did the code call exit()" not in l and l != "The test printed:"]
        return "\n".join([MEMORY_NOTE % memory_mb] + rest)
    if "allocator is out of memory" in output or "allocation-size-too-big" in output \
            or "exceeds maximum supported size" in output:
        output = output.rstrip() + "\n" + MEMORY_NOTE % memory_mb
    return output


def result(chapter, tests_manifest, status, *, res=None, message="", warnings="", extra=(),
           files=None, memory_mb=2048, seconds=0.0, visible_only=False):
    """The chapter result every report is made from. TESTS_MANIFEST: the
    chapter's rows of the manifest (the points come from there, never from
    the runner)."""
    by_name = {}
    if res is not None:
        for t in res.get("tests", []):
            by_name[t.get("name")] = t
    runner_failed = res.get("runner_failed") if res else None
    tests = []
    for row in tests_manifest:
        if visible_only and row["visibility"] == "hidden":
            continue
        t = by_name.get(row["title"])
        passed = bool(t) and t.get("status") == "passed" and status == "graded"
        if status == "graded":
            out = (t or {}).get("output") or ("" if t else "the runner did not report this test.")
            out = annotate(out, memory_mb) if not passed else out
        elif status == "not_submitted":
            out = "not run: the submission has no file of this chapter."
        elif status == "grader_error":
            out = "not run: the grader failed on this chapter (see its message)."
        else:
            out = "not run: the chapter did not build (see its build messages)."
        tests.append({"name": row["title"], "number": row["number"], "suite": row["suite"],
                      "visibility": row["visibility"], "tags": row["tags"],
                      "max_score": row["points"], "score": row["points"] if passed else 0.0,
                      "passed": passed, "output": out})
    if status == "graded" and runner_failed:
        status = "timeout" if runner_failed == "timeout" else "runner_failed"
        message = tests[0]["output"] if tests else runner_failed
    return {"chapter": chapter, "status": status,
            "score": sum(t["score"] for t in tests),
            "max_score": sum(t["max_score"] for t in tests),
            "message": message, "warnings": warnings, "extra_globals": list(extra),
            "files": files or {}, "seconds": round(seconds, 2), "tests": tests}


def grade(kit, kdir, chapter, manifest_rows, sub_files, skeleton_dir, scratch, out_json,
          list_file, *, visible_only, timeout_s, test_timeout_mult, memory_mb, sandbox, uid,
          log_path):
    """Grades SUB_FILES ({name: bytes} of one chapter) in SCRATCH; writes the
    chapter result to OUT_JSON and returns it."""
    t0 = time.monotonic()
    os.makedirs(os.path.dirname(out_json), exist_ok=True)
    ch = kit["chapters"][chapter]
    names = ch["exercise_files"]
    files = {}
    if not any(n in sub_files for n in names):
        r = result(chapter, manifest_rows, "not_submitted",
                   message="the submission has no file of chapter %s (%s)." % (chapter, ", ".join(names)),
                   visible_only=visible_only)
        write_atomic(out_json, json.dumps(r, indent=1) + "\n")
        return r
    sbx.prepare_dir(scratch, uid)
    src = os.path.join(scratch, "chapters", chapter)
    os.makedirs(src)
    for n in names:
        if n in sub_files:
            data, files[n] = sub_files[n], "submitted"
        else:
            with open(os.path.join(skeleton_dir, n), "rb") as f:
                data = f.read()
            files[n] = "skeleton"
        with open(os.path.join(src, n), "wb") as f:
            f.write(data)
    samples = os.path.join(kdir, "datasets", "samples")
    if os.path.isdir(samples):  # tests read datasets/samples/ of their folder
        os.makedirs(os.path.join(scratch, "datasets"))
        os.symlink(samples, os.path.join(scratch, "datasets", "samples"))
    sbx.chown_tree(scratch, uid)
    ok, msg, warnings, extra = build(kit, kdir, chapter, scratch, names, visible_only, sandbox, uid)
    if not ok:
        r = result(chapter, manifest_rows, "build_error", message=msg, warnings=warnings,
                   extra=extra, files=files, seconds=time.monotonic() - t0,
                   visible_only=visible_only)
    else:
        label = "chapter %s" % chapter
        res = run(kit, kdir, chapter, scratch, list_file, out_json + ".runner", label, visible_only,
                  timeout_s, test_timeout_mult, memory_mb, sandbox, uid, log_path)
        r = result(chapter, manifest_rows, "graded", res=res, warnings=warnings, extra=extra,
                   files=files, memory_mb=memory_mb, seconds=time.monotonic() - t0,
                   visible_only=visible_only)
        try:
            os.unlink(out_json + ".runner")
        except OSError:
            pass
    write_atomic(out_json, json.dumps(r, indent=1) + "\n")
    return r

"""./build.sh grade: grades submissions, chapter by chapter, in parallel.

Each (submission, chapter) is one task. A task's inputs (the kit's objects
of the chapter, its manifest rows, the submission's files of the chapter
and the grading options) are hashed; a chapter result with the same hash in
the output folder is reused unless --force, so re-running skips what is
already graded and an interrupted run resumes where it stopped."""
import concurrent.futures as cf
import json
import os
import queue
import shutil
import sys
import threading
import time

from .common import (GradeError, Progress, discover_chapters, out, read_json, rel,
                     resolve_chapters, root_dir, sha256_bytes, write_atomic)
from . import chapter as chap
from . import kit as kitmod
from . import manifest as man
from . import reports
from . import sandbox as sbx
from . import submission as subm


class Options:
    def __init__(self, a):
        self.out = os.path.abspath(a.out)
        self.jobs = max(1, a.jobs)
        self.force = a.force
        self.visible_only = a.visible_only
        self.test_timeout = a.test_timeout
        self.chapter_timeout = a.chapter_timeout
        self.memory_mb = a.memory_mb
        self.autolab = a.autolab
        self.similarity = a.similarity
        self.quiet = a.quiet

    def key(self):
        return "visible_only=%d test_timeout=%g chapter_timeout=%g memory=%d" % (
            self.visible_only, self.test_timeout, self.chapter_timeout, self.memory_mb)


def grade(a):
    root = root_dir()
    o = Options(a)
    avail = discover_chapters(root)
    want = resolve_chapters(a.chapters, avail)
    if not want:
        raise GradeError("there is no chapter to grade (no chapters/NN-topic/ folder).")
    work = os.path.join(root, "build", "grade")
    kdir = os.path.abspath(a.kit or os.environ.get("CNN_GRADE_KIT") or kitmod.default_dir(root))
    if _inside(o.out, os.path.join(work, "scratch")) or _inside(o.out, kdir):
        raise GradeError("the output folder may not be inside the grader's scratch or kit "
                         "folders: choose another --out.", 2)
    say = out if not o.quiet else (lambda *x: None)
    explicit = a.chapters not in (None, "", "all")
    if a.check_kit:
        k = read_json(os.path.join(kdir, "kit.json")) or {}
        here = kitmod.toolchain_id(k.get("cc") or "gcc") if k else ""
        if k.get("version") == kitmod.KIT_VERSION and k.get("toolchain") == here:
            print("grade: the kit in %s was built with this compiler (%s)." % (rel(kdir), here))
            return 0
        print("grade: the kit in %s was not built with this compiler (%s)." % (rel(kdir), here))
        return 1
    if a.kit and not a.build_kit:
        kit = kitmod.load(kdir, want if explicit else [])
    else:
        kit = kitmod.ensure(root, kdir, want if explicit and not a.update_manifest else [],
                            say=lambda m: print(m, file=sys.stderr), rebuild=a.build_kit)
        if a.build_kit and not a.submissions and not a.update_manifest:
            print("grade: the kit is ready: %s" % rel(kdir))
            return 0
    if not explicit:
        # Every chapter by default: one that does not build yet (being
        # written) is left out, with the reason, rather than stopping all.
        for c in want:
            if not kit["chapters"].get(c, {}).get("built"):
                print("grade: chapter %s is not graded: %s" % (
                    c, kit["chapters"].get(c, {}).get("error", "it is not in the kit")),
                    file=sys.stderr)
        want = [c for c in want if kit["chapters"].get(c, {}).get("built")]
    mpath = man.path(root)
    if a.update_manifest:
        changed = man.update(root, kit, say=lambda m: print(m, file=sys.stderr))
        print("grade: %s %s." % (rel(mpath), "updated (commit it)" if changed else "is up to date"))
        if not a.submissions:
            return 0
    manifest = man.read(mpath)
    man.check(manifest, kit, want)
    if not a.submissions:
        raise GradeError("give the submissions to grade: folders, .zip or .tar.gz files.", 2)
    if o.autolab and len(a.submissions) != 1:
        raise GradeError("--autolab grades exactly one submission (got %d)." % len(a.submissions), 2)

    sandbox = sbx.probe(_scratch_base(work), a.sandbox)
    if sandbox.note:
        print("grade: " + sandbox.note, file=sys.stderr)
    lists = os.path.join(work, "lists")
    for c in want:
        write_atomic(os.path.join(lists, c + ".tsv"), man.list_text(manifest[c]))

    kit_chapters = {c: kit["chapters"][c]["exercise_files"] for c in want}
    subs, names = [], set()
    for p in a.submissions:
        s = subm.open_submission(p, kit_chapters)
        base, k = s.name, 2
        while s.name in names:
            s.name = "%s-%d" % (base, k)
            k += 1
        names.add(s.name)
        subs.append(s)
    os.makedirs(o.out, exist_ok=True)
    from .common import locked
    with locked(os.path.join(o.out, ".lock"), "the output folder %s" % o.out), \
            locked(kdir + ".lock", "the grader's kit", shared=True):
        return _grade_all(root, o, kit, kdir, manifest, want, subs, sandbox, work, lists, say)


def _inside(p, d):
    p, d = os.path.realpath(p), os.path.realpath(d)
    return p == d or p.startswith(d + os.sep)


def _scratch_base(work):
    d = os.path.join(work, "scratch")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    for p in (os.path.dirname(work), work):  # the job users must reach the scratch
        try:
            st = os.stat(p)
            if not st.st_mode & 0o001:
                os.chmod(p, st.st_mode | 0o001)
        except OSError:
            pass
    return d


def _inputs_hash(kit, manifest, c, s, o):
    return sha256_bytes(kit["chapters"][c]["hash"], man.chapter_hash(manifest[c]),
                        s.chapter_hash(c), o.key())


def _grade_all(root, o, kit, kdir, manifest, want, subs, sandbox, work, lists, say):
    t_run = time.monotonic()
    desc = sbx.describe(sandbox)
    refused = [s for s in subs if s.refused]
    todo = [s for s in subs if not s.refused]
    # Which chapters need grading, which are already graded with these inputs.
    tasks, pending, regraded = [], {}, set()
    old = {}
    for s in todo:
        sdir = os.path.join(o.out, s.name)
        old[s.name] = read_json(os.path.join(sdir, "grade.json"))
        pending[s.name] = set()
        for c in want:
            h = _inputs_hash(kit, manifest, c, s, o)
            prev = read_json(os.path.join(sdir, "chapters", c + ".json"))
            if not o.force and prev and prev.get("inputs") == h:
                continue
            tasks.append((s, c, h))
            pending[s.name].add(c)
            regraded.add(s.name)
    prog = Progress(len(tasks), "chapters")
    for s in refused:
        prog.clear()
        print("grade: %s" % s.refused, file=sys.stderr, flush=True)
        sdir = os.path.join(o.out, s.name)
        reports.write_submission(sdir, s.name, s.path, [], [], s.refused, desc, {})
    done_subs = []
    errors = []
    lock = threading.Lock()
    slots = queue.Queue()
    for k in range(o.jobs):
        slots.put(k)
    scratch_base = _scratch_base(work)

    def run_task(s, c, h):
        slot = slots.get()
        try:
            uid = sandbox.uid(slot)
            with lock:
                prog.show("%s %s" % (s.name, c))
            sdir = os.path.join(o.out, s.name)
            n_tests = len(manifest[c])
            # A chapter whose every test ran into its time limit still ends.
            timeout = o.chapter_timeout or min(600.0, 60.0 + n_tests * o.test_timeout)
            scratch = os.path.join(scratch_base, "slot-%d" % slot)
            try:
                r = chap.grade(kit, kdir, c, manifest[c], s.files.get(c, {}),
                               os.path.join(kdir, "skel", c), scratch,
                               os.path.join(sdir, "chapters", c + ".json"),
                               os.path.join(lists, c + ".tsv"),
                               visible_only=o.visible_only, timeout_s=timeout,
                               test_timeout_mult=o.test_timeout / 10.0, memory_mb=o.memory_mb,
                               sandbox=sandbox, uid=uid,
                               log_path=os.path.join(sdir, "logs", c + ".log"))
                r["inputs"] = h
            except Exception as e:  # the grader's own failure: reported, never cached
                r = chap.result(c, manifest[c], "grader_error", visible_only=o.visible_only,
                                message="the grader itself failed on this chapter (%s: %s); "
                                        "grade it again." % (type(e).__name__, e))
                r["inputs"] = ""
                with lock:
                    errors.append("%s %s: %s" % (s.name, c, e))
            write_atomic(os.path.join(sdir, "chapters", c + ".json"), json.dumps(r, indent=1) + "\n")
            shutil.rmtree(scratch, ignore_errors=True)
            return r
        finally:
            slots.put(slot)

    def finish(s):
        sdir = os.path.join(o.out, s.name)
        results = [read_json(os.path.join(sdir, "chapters", c + ".json")) for c in want]
        prev = old.get(s.name)
        fresh = s.name in regraded or not prev or prev.get("refused")
        rec_extra = {"inputs": {c: results[i]["inputs"] for i, c in enumerate(want)},
                     "submission_hash": {c: s.chapter_hash(c) for c in want}}
        rec = reports.write_submission(sdir, s.name, s.path, results, s.notes, None, desc,
                                       rec_extra) if fresh else old[s.name]
        line = ""
        if fresh and prev and not prev.get("refused") and abs(prev["total"] - rec["total"]) > 1e-9:
            same = all(prev.get("submission_hash", {}).get(c) == s.chapter_hash(c) for c in want)
            line = "  score moved: %s -> %s (%s)" % (
                reports.fmt(prev["total"]), reports.fmt(rec["total"]),
                "the tests, points or grading options changed" if same else "the submission changed")
        with lock:
            if not o.quiet:
                extra = "" if fresh else "  (unchanged since it was graded; --force grades it again)"
                text = reports.summary_table(s.name, results, extra=extra)
                if line:
                    text += "\n" + line
                if len(subs) == 1 and fresh:
                    brief = reports.failures_brief(results)
                    if brief:
                        text += "\n" + brief
                    text += "\n  details: %s" % rel(os.path.join(sdir, "report.txt"))
                prog.say(text)
            elif line:
                prog.say("%s:%s" % (s.name, line))
            done_subs.append((s, results, line))

    with cf.ThreadPoolExecutor(max_workers=o.jobs) as ex:
        futs = {}
        for s, c, h in tasks:
            futs[ex.submit(run_task, s, c, h)] = (s, c)
        for s in todo:
            if not pending[s.name]:
                finish(s)
        for f in cf.as_completed(futs):
            s, c = futs[f]
            f.result()
            with lock:
                prog.advance()
                pending[s.name].discard(c)
                last = not pending[s.name]
            if last:
                finish(s)
    prog.clear()
    for e in errors:
        print("grade: internal error while grading %s" % e, file=sys.stderr)
    recs = reports.records(o.out)
    gb = reports.gradebook(o.out, recs)
    summ, short = reports.class_summary(o.out, recs)
    if o.similarity:
        from . import similarity
        html = similarity.report(o.out, [s for s in todo], kit, want,
                                 os.path.join(kdir, "skel"))
        say("similarity report (for review, never a verdict): %s" % rel(html))
    if not o.quiet and len(subs) > 1:
        say("")
        say("gradebook: %s    what to re-teach: %s" % (rel(gb), rel(summ)))
        if short:
            say("the tests failed most often:")
            for l in short:
                say(l)
        say("graded %d submission%s (%d chapters) in %.1f s" % (
            len(subs), "s" * (len(subs) != 1), len(tasks), time.monotonic() - t_run))
    elif not o.quiet:
        say("gradebook: %s" % rel(gb))
    if o.autolab and done_subs:
        out(reports.autolab(done_subs[0][1]))
    return 1 if refused or errors else 0

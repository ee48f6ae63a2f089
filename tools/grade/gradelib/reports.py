"""The grader's outputs, all made from chapter results (chapter.result()):
per submission a table (terminal and report.txt), Gradescope's
results.json and JUnit XML; per run the CSV gradebook, the summary of the
failures most common across the class, and Autolab's autoresult line."""
import collections
import csv
import io
import json
import os
import re
import time
import xml.etree.ElementTree as ET

from .common import read_json, write_atomic, write_json

STATUS_WORDS = {
    "graded": "",
    "build_error": "does not build",
    "not_submitted": "not submitted",
    "timeout": "timed out",
    "runner_failed": "tests could not run",
    "refused": "refused",
    "grader_error": "grader error",
}


def fmt(x):
    return ("%.1f" % x).rstrip("0").rstrip(".") if x != int(x) else "%d" % x


def totals(results):
    return (sum(r["score"] for r in results), sum(r["max_score"] for r in results))


def chapter_notes(r):
    """What a student should know about a chapter beyond its tests."""
    notes = []
    if r["status"] in ("build_error", "not_submitted", "timeout", "runner_failed",
                       "grader_error") and r["message"]:
        notes.append(r["message"])
    skel = sorted(f for f, how in r.get("files", {}).items() if how == "skeleton")
    if skel and r["status"] != "not_submitted":
        notes.append("not in the submission, graded as handed out: %s." % ", ".join(skel))
    if r.get("extra_globals"):
        ex = r["extra_globals"]
        notes.append("your files define global symbols that are not part of the chapter's API: "
                     "%s%s. The grader made them local to your files, so they replace nothing "
                     "(declare your helpers static)." %
                     (", ".join(ex[:12]), " and %d more" % (len(ex) - 12) if len(ex) > 12 else ""))
    if r.get("warnings") and r["status"] == "graded":
        w = r["warnings"].splitlines()
        notes.append("the compiler warned:\n" + "\n".join(w[:15]) +
                     ("\n(... %d more lines)" % (len(w) - 15) if len(w) > 15 else ""))
    return notes


# ---- the table ---------------------------------------------------------------------

def summary_table(name, results, refused=None, extra=""):
    lines = ["%s%s" % (name, extra)]
    if refused:
        lines.append("  " + refused)
        return "\n".join(lines)
    w = max([len(r["chapter"]) for r in results] + [7])
    lines.append("  %-*s  %11s  %9s  %s" % (w, "chapter", "score", "tests", ""))
    for r in results:
        n_pass = sum(t["passed"] for t in r["tests"])
        first = short_reason(r) if r["status"] != "graded" else ""
        word = STATUS_WORDS.get(r["status"], r["status"])
        note = (word + (": " + first if first and word else "")) if word else ""
        if r["status"] == "graded" and r.get("extra_globals"):
            note = "extra global symbols made local"
        lines.append("  %-*s  %5s / %-3s  %3d / %-3d  %s" % (
            w, r["chapter"], fmt(r["score"]), fmt(r["max_score"]), n_pass, len(r["tests"]),
            note[:90]))
    got, mx = totals(results)
    lines.append("  %-*s  %5s / %-3s" % (w, "total", fmt(got), fmt(mx)))
    return "\n".join(lines)


def indent(text, k=10):
    return "\n".join(" " * k + l for l in text.splitlines())


def full_report(name, results, notes, header):
    out = [header, "", summary_table(name, results)]
    for n in notes:
        out += ["", "note: " + n]
    for r in results:
        out += ["", "chapter %s: %s / %s%s" % (r["chapter"], fmt(r["score"]), fmt(r["max_score"]),
                                                 "  (%s)" % STATUS_WORDS[r["status"]]
                                                 if STATUS_WORDS.get(r["status"]) else "")]
        for n in chapter_notes(r):
            out.append(indent("note: " + n, 2))
        if r["status"] != "graded":
            continue
        for t in r["tests"]:
            out.append("  %-6s %4s / %-4s %s%s" % ("PASS" if t["passed"] else "FAIL",
                                                 "%.1f" % t["score"], "%.1f" % t["max_score"],
                                                 t["name"], "  (hidden)" if t["visibility"] == "hidden" else ""))
            if not t["passed"] and t["output"]:
                out.append(indent(t["output"]))
    return "\n".join(out) + "\n"


def failures_brief(results, limit=12):
    """The failed tests, a line each with the hint, for the terminal."""
    out = []
    for r in results:
        if r["status"] != "graded":
            continue
        for t in r["tests"]:
            if t["passed"]:
                continue
            hint = hint_of(t["output"])
            first = (t["output"].splitlines() or [""])[0]
            out.append("    FAIL [%s] %s: %s" % (r["chapter"][:2], t["name"], (hint or first)[:120]))
    if len(out) > limit:
        out = out[:limit] + ["    ... and %d more failures (see report.txt)" % (len(out) - limit)]
    return "\n".join(out)


def short_reason(r):
    """One line saying why a chapter was not graded: the first compiler or
    linker error when there is one."""
    lines = r["message"].splitlines() or [""]
    for l in lines:
        if re.search(r"\berror\b|undefined reference", l):
            return l.strip()
    return lines[0]


def hint_of(output):
    for l in (output or "").splitlines():
        if l.startswith("Hint: "):
            return l[6:].strip()
    return None


# The runner's own hints say how a test ended, not which mistake it was.
GENERIC_HINTS = ("a sanitizer stopped the test", "the test ran past its time limit",
                 "the test crashed", "the test printed more than")


def best_hint(counter):
    """The most common hint that names a mistake (else the most common one)."""
    for h, n in counter.most_common():
        if not h.startswith(GENERIC_HINTS):
            return h, n
    return counter.most_common(1)[0] if counter else None


# ---- Gradescope ----------------------------------------------------------------------

HIDDEN_OUTPUT = "Hidden test: its message is withheld."


def gradescope(results, notes, refused=None):
    tests = []
    out = []
    if refused:
        return {"score": 0.0, "max_score": 0.0, "output": refused, "visibility": "visible",
                "stdout_visibility": "hidden", "tests": []}
    for n in notes:
        out.append("Note: " + n)
    for r in results:
        out.append("Chapter %s: %s / %s%s" % (r["chapter"], fmt(r["score"]), fmt(r["max_score"]),
                                               " (%s)" % STATUS_WORDS[r["status"]]
                                               if STATUS_WORDS.get(r["status"]) else ""))
        cn = chapter_notes(r)
        if cn:
            tests.append({"name": "[%s] %s: build and submission" % (r["chapter"][:2], r["chapter"]),
                          "number": "%s.00" % r["chapter"][:2], "score": 0.0, "max_score": 0.0,
                          "status": "failed" if r["status"] != "graded" else "passed",
                          "visibility": "visible", "output": "\n\n".join(cn),
                          "tags": ["build", "chapter-" + r["chapter"][:2]]})
        for t in r["tests"]:
            hidden = t["visibility"] == "hidden"
            tests.append({"name": "[%s] %s" % (r["chapter"][:2], t["name"]),
                          "number": t["number"], "score": t["score"], "max_score": t["max_score"],
                          "status": "passed" if t["passed"] else "failed",
                          "visibility": "after_published" if hidden else "visible",
                          "output": (HIDDEN_OUTPUT if hidden and not t["passed"] else
                                     "" if t["passed"] else t["output"]),
                          "tags": t["tags"]})
    got, mx = totals(results)
    return {"score": got, "max_score": mx, "output": "\n".join(out), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


# ---- JUnit ----------------------------------------------------------------------------

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(s):
    return _BAD_XML.sub("?", s or "")


def junit(name, results):
    root = ET.Element("testsuites", name=_x(name))
    n_all = n_fail = 0
    t_all = 0.0
    for r in results:
        fails = sum(not t["passed"] for t in r["tests"])
        s = ET.SubElement(root, "testsuite", name=r["chapter"], tests=str(len(r["tests"])),
                          failures=str(fails), errors="0", time="%.2f" % r.get("seconds", 0))
        props = ET.SubElement(s, "properties")
        for k, v in (("score", fmt(r["score"])), ("max_score", fmt(r["max_score"])),
                     ("status", r["status"])):
            ET.SubElement(props, "property", name=k, value=v)
        for t in r["tests"]:
            c = ET.SubElement(s, "testcase", classname="%s.%s" % (r["chapter"], _x(t["suite"])),
                              name=_x(t["name"]), time="0")
            ET.SubElement(c, "properties")
            c[0].append(ET.Element("property", name="points", value=fmt(t["max_score"])))
            c[0].append(ET.Element("property", name="visibility", value=t["visibility"]))
            if not t["passed"]:
                f = ET.SubElement(c, "failure", message=_x((t["output"].splitlines() or [""])[0][:200]),
                                  type=r["status"])
                f.text = _x(t["output"])
        cn = chapter_notes(r)
        if cn:
            ET.SubElement(s, "system-out").text = _x("\n\n".join(cn))
        n_all += len(r["tests"])
        n_fail += fails
        t_all += r.get("seconds", 0)
    root.set("tests", str(n_all))
    root.set("failures", str(n_fail))
    root.set("time", "%.2f" % t_all)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---- per submission -------------------------------------------------------------------------

def write_submission(sdir, name, source, results, notes, refused, sandbox_desc, record_extra):
    got, mx = totals(results)
    header = "Submission %s (%s), graded %s; sandbox: %s" % (
        name, source, time.strftime("%Y-%m-%d %H:%M"), sandbox_desc)
    if refused:
        write_atomic(os.path.join(sdir, "report.txt"), header + "\n\n" + refused + "\n")
    else:
        write_atomic(os.path.join(sdir, "report.txt"), full_report(name, results, notes, header))
    write_json(os.path.join(sdir, "results.json"), gradescope(results, notes, refused))
    write_atomic(os.path.join(sdir, "junit.xml"), junit(name, results))
    rec = {"name": name, "source": source, "total": got, "max_score": mx,
           "refused": refused, "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
           "chapters": {r["chapter"]: {"score": r["score"], "max_score": r["max_score"],
                                       "status": r["status"]} for r in results}}
    rec.update(record_extra)
    write_json(os.path.join(sdir, "grade.json"), rec)
    return rec


# ---- per run ---------------------------------------------------------------------------------

def records(out):
    recs = []
    try:
        names = sorted(os.listdir(out))
    except OSError:
        return recs
    for n in names:
        r = read_json(os.path.join(out, n, "grade.json"))
        if isinstance(r, dict) and "total" in r:
            recs.append(r)
    return recs


def gradebook(out, recs):
    chapters = sorted({c for r in recs for c in r["chapters"]})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["submission"] + chapters + ["total", "max_score", "status", "graded_at"])
    for r in recs:
        status = "refused" if r.get("refused") else ";".join(
            sorted({"%s %s" % (c, STATUS_WORDS[v["status"]]) for c, v in r["chapters"].items()
                    if STATUS_WORDS.get(v["status"])})) or "graded"
        w.writerow([r["name"]] + [fmt(r["chapters"][c]["score"]) if c in r["chapters"] else ""
                                  for c in chapters] +
                   [fmt(r["total"]), fmt(r["max_score"]), status, r.get("graded_at", "")])
    path = os.path.join(out, "gradebook.csv")
    write_atomic(path, buf.getvalue())
    return path


def class_summary(out, recs, top=10):
    """summary.md: per chapter, how the class did, and the tests failed most
    often with their most common hint: what to re-teach."""
    per_chapter = collections.defaultdict(lambda: {"n": 0, "sum": 0.0, "max": 0.0,
                                                   "status": collections.Counter()})
    fails = collections.defaultdict(lambda: {"n": 0, "hints": collections.Counter(), "points": 0})
    graded_n = collections.Counter()
    for rec in recs:
        if rec.get("refused"):
            continue
        for c in rec["chapters"]:
            r = read_json(os.path.join(out, rec["name"], "chapters", c + ".json"))
            if not r:
                continue
            pc = per_chapter[c]
            pc["n"] += 1
            pc["sum"] += r["score"]
            pc["max"] = r["max_score"]
            pc["status"][r["status"]] += 1
            if r["status"] != "graded":
                continue
            graded_n[c] += 1
            for t in r["tests"]:
                if t["passed"]:
                    continue
                f = fails[(c, t["name"])]
                f["n"] += 1
                f["points"] = t["max_score"]
                h = hint_of(t["output"])
                if h:
                    f["hints"][h] += 1
    lines = ["# What to re-teach", "",
             "Made from %d graded submissions in this folder. A test failed by many "
             "is a topic worth another look; the hint is the mistake the tests "
             "recognised most often." % sum(1 for r in recs if not r.get("refused")), "",
             "| chapter | submissions | mean score | did not build | not submitted |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for c in sorted(per_chapter):
        pc = per_chapter[c]
        lines.append("| %s | %d | %s / %s | %d | %d |" % (
            c, pc["n"], fmt(round(pc["sum"] / pc["n"], 1)) if pc["n"] else "-", fmt(pc["max"]),
            pc["status"]["build_error"], pc["status"]["not_submitted"]))
    ranked = sorted(fails.items(), key=lambda kv: (-kv[1]["n"], -kv[1]["points"], kv[0]))
    lines += ["", "## The tests failed most often", ""]
    short = []
    if not ranked:
        lines.append("No test failed.")
    for k, ((c, name), f) in enumerate(ranked[:top], 1):
        hint = best_hint(f["hints"])
        share = "%d of %d" % (f["n"], graded_n[c])
        lines.append("%d. **[%s] %s** (%s points): failed by %s submissions." % (
            k, c[:2], name, fmt(f["points"]), share))
        if hint:
            lines.append("   Most common hint (%d): %s" % (hint[1], hint[0]))
        if k <= 5:
            short.append("  %s  [%s] %s%s" % (share, c[:2], name,
                                              ("\n      hint: " + hint[0][:110]) if hint else ""))
    path = os.path.join(out, "summary.md")
    write_atomic(path, "\n".join(lines) + "\n")
    return path, short


def autolab(results):
    got, _ = totals(results)
    return json.dumps({"scores": {r["chapter"]: r["score"] for r in results},
                       "scoreboard": [got]})

"""Small helpers every part of the grader uses: errors, atomic files,
hashing, chapter names, progress."""
import contextlib
import fcntl
import hashlib
import json
import os
import re
import sys
import tempfile
import time


class GradeError(Exception):
    """A user error: one sentence, printed as "grade: SENTENCE", exit 1 (or
    the status given)."""

    def __init__(self, msg, status=1):
        super().__init__(msg)
        self.status = status


def root_dir():
    """The repository (or unpacked grader package) this file belongs to."""
    here = os.path.dirname(os.path.abspath(__file__))  # tools/grade/gradelib
    return os.path.dirname(os.path.dirname(os.path.dirname(here)))


def rel(path, start=None):
    """PATH relative to the current directory when it is below it."""
    r = os.path.relpath(path, start or os.getcwd())
    return path if r.startswith("..") else r


# ---- files ------------------------------------------------------------------

def write_atomic(path, data, mode=0o644):
    """Writes DATA (str or bytes) to PATH through a temporary file in the same
    folder and a rename, so PATH is never half-written. Refuses to replace
    anything but a regular file (a rename would replace a device or a FIFO)."""
    if os.path.lexists(path) and not os.path.isfile(path) or os.path.islink(path):
        raise GradeError("%s exists and is not a regular file: remove it or choose "
                         "another output folder." % path)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path, obj):
    write_atomic(path, json.dumps(obj, indent=1, sort_keys=False) + "\n")


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


@contextlib.contextmanager
def locked(path, what, shared=False):
    """A lock on PATH (created if needed) for the block, exclusive unless
    SHARED; waits up to 10 minutes for another process to let go, then fails
    with a sentence naming WHAT."""
    kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except OSError:
            t0 = time.monotonic()
            while True:
                time.sleep(0.2)
                try:
                    fcntl.flock(fd, kind | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() - t0 > 600:
                        raise GradeError("%s is in use by another grading run; "
                                         "wait for it to finish." % what)
        yield
    finally:
        os.close(fd)


# ---- hashing -----------------------------------------------------------------

def sha256_bytes(*parts):
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, str):
            p = p.encode("utf-8")
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---- chapters ----------------------------------------------------------------

CHAPTER_RE = re.compile(r"^[0-9]{2}-[a-z0-9-]+$")


def discover_chapters(root):
    """The chapters of the course: chapters/NN-topic/ folders, sorted."""
    d = os.path.join(root, "chapters")
    try:
        names = os.listdir(d)
    except OSError:
        return []
    return sorted(n for n in names if CHAPTER_RE.match(n) and os.path.isdir(os.path.join(d, n)))


def exercise_files(chapter_dir):
    """A chapter's exercise files: its .c files except experiment.c and the
    given code (*_given.c), by name."""
    try:
        names = os.listdir(chapter_dir)
    except OSError:
        return []
    return sorted(n for n in names if n.endswith(".c") and n != "experiment.c"
                  and not n.endswith("_given.c")
                  and os.path.isfile(os.path.join(chapter_dir, n)))


def resolve_chapters(spec, available):
    """Chapter names from a list like "00,1,02-pooling" or "all"."""
    if spec is None or spec.strip() in ("", "all"):
        return list(available)
    out = []
    for item in re.split(r"[,\s]+", spec.strip()):
        if not item:
            continue
        if re.fullmatch(r"[0-9]{1,2}", item):
            num = "%02d" % int(item)
            match = [c for c in available if c[:2] == num]
        else:
            match = [c for c in available if c == item]
        if not match:
            raise GradeError("there is no chapter '%s': the chapters are %s." %
                             (item, ", ".join(c[:2] for c in available) or "none"), 2)
        if match[0] not in out:
            out.append(match[0])
    return sorted(out)


# ---- progress ------------------------------------------------------------------

def out(text=""):
    """print() that outlives a closed stdout (`grade ... | head`): the
    grading goes on and its files are written all the same."""
    try:
        print(text, flush=True)
    except (BrokenPipeError, OSError):
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass


class Progress:
    """One line on a terminal (stderr), rewritten as work advances; silent when
    stderr is not a terminal."""

    def __init__(self, total, what="chapters"):
        self.total, self.done, self.what = total, 0, what
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.current = ""

    def show(self, current=None):
        if current is not None:
            self.current = current
        if not self.tty:
            return
        el = time.monotonic() - self.t0
        line = "grading: %d/%d %s, %.0f s  %s" % (self.done, self.total, self.what, el,
                                                  self.current)
        sys.stderr.write("\r\033[K" + line[:150])
        sys.stderr.flush()

    def advance(self, current=None):
        self.done += 1
        self.show(current)

    def clear(self):
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def say(self, text):
        """Prints TEXT (stdout) above the progress line."""
        self.clear()
        out(text)
        self.show()

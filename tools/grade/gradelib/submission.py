"""Reading a submission: a folder holding a student's chapters/ tree, or a
.zip, .tar.gz (.tgz, .tar) of one. Only the chapters' exercise files are
read, by name; everything else (an extra top folder, __MACOSX/, build
output, stray files) is ignored. An archive that could do harm when
unpacked (an absolute path, a '..', a link, a device, a huge size) is
refused as a whole, with one sentence. Nothing is unpacked to disk: the
exercise files are read into memory."""
import os
import re
import stat
import tarfile
import zipfile

from .common import sha256_bytes

MAX_MEMBERS = 20000          # entries in an archive or files in a folder
MAX_TOTAL = int(os.environ.get("CNN_GRADE_MAX_UNPACKED_MB", "512")) << 20
                             # bytes an archive unpacks to
MAX_FILE = 1 << 20           # bytes of one exercise file
MAX_DEPTH = 8                # folders above chapters/ we look through
IGNORED_DIRS = {"__MACOSX", ".git", "build", "node_modules", ".pristine"}


class Refused(Exception):
    pass


class Submission:
    def __init__(self, path, name):
        self.path, self.name = path, name
        self.files = {}        # chapter -> {file name: bytes}
        self.notes = []        # what the grader noticed (a file too large, ...)
        self.refused = None    # the sentence, when the submission is refused

    def chapter_hash(self, chapter):
        files = self.files.get(chapter, {})
        return sha256_bytes(*[p for n in sorted(files) for p in (n, files[n])])


def submission_name(path):
    base = os.path.basename(os.path.abspath(path))
    for ext in (".tar.gz", ".tgz", ".zip", ".tar"):
        if base.lower().endswith(ext):
            base = base[: -len(ext)]
            break
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "submission"


# ---- entries: (relative path, size, reader) of every regular file ------------------

def _check_name(arch, name):
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        raise Refused("%s is refused: it holds an absolute path (%s)." % (arch, name))
    parts = [p for p in n.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Refused("%s is refused: it holds a path that climbs out of it with '..' (%s)."
                      % (arch, name))
    return "/".join(parts)


def _zip_entries(path, arch):
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise Refused("%s is not a readable zip archive (%s)." % (arch, e))
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Refused("%s is refused: it holds %d entries (at most %d)." % (arch, len(infos), MAX_MEMBERS))
    total = 0
    out = []
    for i in infos:
        n = _check_name(arch, i.filename)
        mode = i.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise Refused("%s is refused: it holds a symbolic link (%s)." % (arch, i.filename))
        kind = stat.S_IFMT(mode)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise Refused("%s is refused: %s is not a regular file." % (arch, i.filename))
        total += i.file_size
        if total > MAX_TOTAL:
            raise Refused("%s is refused: it unpacks to more than %d MB." % (arch, MAX_TOTAL >> 20))
        if not i.is_dir():
            out.append((n, i.file_size, lambda i=i: _read_limited(z.open(i), arch, i.filename)))
    return out


def _tar_entries(path, arch):
    try:
        t = tarfile.open(path, "r:*")
        members = []
        for m in t:
            members.append(m)
            if len(members) > MAX_MEMBERS:
                raise Refused("%s is refused: it holds more than %d entries." % (arch, MAX_MEMBERS))
    except (tarfile.TarError, OSError, EOFError) as e:
        raise Refused("%s is not a readable tar archive (%s)." % (arch, e))
    total = 0
    out = []
    for m in members:
        n = _check_name(arch, m.name)
        if m.issym() or m.islnk():
            raise Refused("%s is refused: it holds a %s link (%s -> %s)." %
                          (arch, "symbolic" if m.issym() else "hard", m.name, m.linkname))
        if not (m.isfile() or m.isdir()):
            raise Refused("%s is refused: %s is not a regular file." % (arch, m.name))
        total += m.size
        if total > MAX_TOTAL:
            raise Refused("%s is refused: it unpacks to more than %d MB." % (arch, MAX_TOTAL >> 20))
        if m.isfile():
            out.append((n, m.size, lambda m=m: _read_limited(t.extractfile(m), arch, m.name)))
    return out


def _read_limited(f, arch, name):
    data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Refused("%s: %s is larger than %d KB." % (arch, name, MAX_FILE >> 10))
    return data


def _dir_entries(path):
    out = []
    count = 0
    for d, dirs, files in os.walk(path, followlinks=False):
        depth = os.path.relpath(d, path).count(os.sep)
        dirs[:] = [x for x in dirs if x not in IGNORED_DIRS and depth < MAX_DEPTH + 3]
        for f in files:
            count += 1
            if count > MAX_MEMBERS:
                raise Refused("%s is refused: it holds more than %d files." % (path, MAX_MEMBERS))
            full = os.path.join(d, f)
            relp = os.path.relpath(full, path).replace(os.sep, "/")
            out.append((relp, None, lambda full=full: _read_file(full)))
    return out


def _read_file(full):
    st = os.lstat(full)
    if stat.S_ISLNK(st.st_mode):
        raise Refused("%s is a symbolic link: submit the file itself." % full)
    if not stat.S_ISREG(st.st_mode):
        raise Refused("%s is not a regular file." % full)
    fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        return _read_limited(f, os.path.dirname(full), os.path.basename(full))


# ---- finding the exercise files ------------------------------------------------------

def _ignored(relp):
    parts = relp.split("/")
    return any(p in IGNORED_DIRS or p.startswith("._") for p in parts)


def locate(entries, kit_chapters):
    """{chapter: {file name: entry}} of the exercise files among ENTRIES,
    and notes. The shallowest chapters/ tree wins; without one, chapter
    folders (NN-topic/) anywhere; without those, files whose name belongs to
    a single chapter."""
    by_num = {c[:2]: c for c in kit_chapters}
    names = {c: set(kit_chapters[c]) for c in kit_chapters}
    notes = []
    cands = []  # (depth, prefix, chapter, file, entry)
    for e in entries:
        relp = e[0]
        if _ignored(relp):
            continue
        parts = relp.split("/")
        if len(parts) < 2 or not parts[-1].endswith(".c"):
            continue
        m = re.match(r"^([0-9]{2})-[A-Za-z0-9_-]+$", parts[-2])
        if not m or m.group(1) not in by_num:
            continue
        c = by_num[m.group(1)]
        if parts[-1] not in names[c]:
            continue
        with_tree = len(parts) >= 3 and parts[-3] == "chapters"
        prefix = "/".join(parts[:-3] if with_tree else parts[:-2])
        cands.append((0 if with_tree else 1, len(parts), prefix, c, parts[-1], e))
    found = {}
    if cands:
        best = min((k[0], k[1]) for k in cands)
        prefixes = sorted({k[2] for k in cands if (k[0], k[1]) == best})
        if len(prefixes) > 1:
            raise Refused("holds more than one copy of the chapters (%s): submit one."
                          % ", ".join((p or ".") + "/" for p in prefixes[:3]))
        prefix = prefixes[0]
        for kind, depth, p, c, f, e in cands:
            if p == prefix and kind == best[0]:
                found.setdefault(c, {})[f] = e
        return found, notes
    # Loose files: a name that belongs to exactly one chapter.
    owner = {}
    for c in kit_chapters:
        for f in kit_chapters[c]:
            owner.setdefault(f, []).append(c)
    loose = {}
    for e in entries:
        relp = e[0]
        if _ignored(relp):
            continue
        f = relp.split("/")[-1]
        if f in owner:
            loose.setdefault(f, []).append(e)
    for f, es in sorted(loose.items()):
        if len(owner[f]) > 1:
            notes.append("%s is an exercise file of chapters %s: put it in its chapters/NN-topic/ "
                         "folder to have it graded." % (f, ", ".join(owner[f])))
            continue
        es.sort(key=lambda e: e[0].count("/"))
        if len(es) > 1 and es[0][0].count("/") == es[1][0].count("/"):
            notes.append("the submission holds %s twice (%s, %s): neither was graded." %
                         (f, es[0][0], es[1][0]))
            continue
        found.setdefault(owner[f][0], {})[f] = es[0]
    return found, notes


def open_submission(path, kit_chapters, name=None):
    """A Submission for PATH (a folder or an archive); refused ones carry the
    sentence in .refused. KIT_CHAPTERS: {chapter: [exercise file names]}."""
    s = Submission(path, name or submission_name(path))
    arch = os.path.basename(os.path.normpath(path))
    try:
        if os.path.isdir(path):
            entries = _dir_entries(path)
        elif not os.path.isfile(path):
            raise Refused("%s does not exist." % path)
        else:
            low = path.lower()
            if low.endswith(".zip"):
                entries = _zip_entries(path, arch)
            elif low.endswith((".tar.gz", ".tgz", ".tar", ".tar.xz", ".tar.bz2")):
                entries = _tar_entries(path, arch)
            elif zipfile.is_zipfile(path):
                entries = _zip_entries(path, arch)
            else:
                raise Refused("%s is neither a folder nor a .zip or .tar.gz archive." % arch)
        found, s.notes = locate(entries, kit_chapters)
        for c, files in found.items():
            for f, e in files.items():
                try:
                    s.files.setdefault(c, {})[f] = e[2]()
                except Refused as r:
                    s.notes.append("%s was not graded: %s" % (f, r))
    except Refused as r:
        msg = str(r)
        if msg.startswith("holds"):
            msg = "%s is refused: it %s" % (arch, msg)
        s.refused = msg
    return s

"""Containment of a submission's code: every command that compiles or runs it
goes through Sandbox.wrap().

Layers, outermost first:
  prlimit   CPU seconds, file size, processes, open files, no core dumps (and
            address space for the compiler; the test runners cap their own,
            see tools/grade/limits.c, since AddressSanitizer cannot start
            under RLIMIT_AS)
  setpriv   as root: an unprivileged user of its own for each parallel job,
            so the process limit counts only that job's processes (the kernel
            does not apply RLIMIT_NPROC to root)
  bwrap     bubblewrap: new user, pid, network, ipc, uts and cgroup
            namespaces, no capabilities, a new session, killed with its
            parent; the system read-only, a private /tmp of bounded size, and
            only the paths the caller names: the kit's objects (read-only)
            and the submission's scratch folder. Solutions, hidden test
            sources, other submissions and the results folder are not there.

Modes, tried in this order by probe():
  bwrap     setpriv to the job's user, then bubblewrap in a user namespace
  bwrap-root  bubblewrap as root (no user namespaces), setpriv inside it
  limits    no bubblewrap: resource limits and the job's user only
"""
import os
import pwd
import shutil
import signal
import subprocess
import sys

SYSTEM_RO = ["/usr", "/etc/ld.so.cache", "/etc/alternatives"]


def bwrap_path():
    """bubblewrap (CNN_GRADE_BWRAP names another one, e.g. a missing one to
    test the fallback)."""
    return os.environ.get("CNN_GRADE_BWRAP") or shutil.which("bwrap")
PATH = "/usr/local/bin:/usr/bin:/bin"


class Limits:
    def __init__(self, cpu_s=300, fsize_mb=64, nproc=64, nofile=256, as_mb=None,
                 tmp_mb=128):
        self.cpu_s, self.fsize_mb, self.nproc = cpu_s, fsize_mb, nproc
        self.nofile, self.as_mb, self.tmp_mb = nofile, as_mb, tmp_mb


def _prlimit(lim, nproc):
    a = [shutil.which("prlimit") or "prlimit", "--cpu=%d" % lim.cpu_s,
         "--fsize=%d" % (lim.fsize_mb << 20), "--nofile=%d" % lim.nofile, "--core=0"]
    if nproc:
        a.append("--nproc=%d" % nproc)
    if lim.as_mb:
        a.append("--as=%d" % (lim.as_mb << 20))
    return a + ["--"]


def _setpriv(uid):
    return [shutil.which("setpriv") or "setpriv", "--reuid=%d" % uid, "--regid=%d" % uid,
            "--clear-groups", "--"]


def _user_processes(uid):
    n = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.stat("/proc/" + p).st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


class Sandbox:
    def __init__(self, mode, uid_base=None, note=None):
        self.mode = mode
        self.uid_base = uid_base
        self.note = note
        self.is_root = os.geteuid() == 0

    # ---- users -------------------------------------------------------------

    def uid(self, slot):
        """The user a job slot's commands run as (None: the caller's own)."""
        if not self.is_root:
            return None
        u, found = self.uid_base, -1
        while True:
            try:
                pwd.getpwuid(u)
            except KeyError:
                found += 1
                if found == slot:
                    return u
            u += 1

    def sweep(self, uid):
        """Kills whatever the job's user left running (only needed without a
        pid namespace; harmless otherwise)."""
        if uid is None or self.mode != "limits":
            return
        for _ in range(3):
            left = False
            for p in os.listdir("/proc"):
                if not p.isdigit():
                    continue
                try:
                    if os.stat("/proc/" + p).st_uid == uid:
                        os.kill(int(p), signal.SIGKILL)
                        left = True
                except OSError:
                    pass
            if not left:
                return

    # ---- the wrapper -----------------------------------------------------------

    def wrap(self, *, uid, ro=(), rw=(), cwd, env, limits):
        """The command prefix that runs a command contained: ro and rw are host
        paths made visible (at the same path) read-only and writable; env is
        the whole environment."""
        env = dict(env)
        env.setdefault("PATH", PATH)
        env.setdefault("TMPDIR", "/tmp")
        env.setdefault("HOME", cwd)
        env.setdefault("LANG", "C.UTF-8")
        nproc = limits.nproc
        if not self.is_root:
            nproc = _user_processes(os.getuid()) + limits.nproc
        pre = _prlimit(limits, nproc)
        if self.mode == "limits":
            # No pid namespace: a reaper (as root, out of the code's reach)
            # reaps what the code leaves behind, see reaper.py.
            reaper = [sys.executable, "-S", os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))), "reaper.py"), "--"]
            cmd = pre + reaper + (_setpriv(uid) if uid is not None else [])
            return cmd + ["env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())]
        b = [bwrap_path() or "bwrap"]
        if self.mode == "bwrap":
            b += ["--unshare-all"]
        else:  # bwrap-root: no user namespace; the user changes inside
            b += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                  "--unshare-cgroup-try"]
        b += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        if self.mode == "bwrap-root":
            b += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        b += ["--hostname", "grade", "--clearenv"]
        for k, v in sorted(env.items()):
            b += ["--setenv", k, v]
        for p in SYSTEM_RO:
            b += ["--ro-bind-try", p, p]
        for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(link):
                b += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                b += ["--ro-bind", link, link]
        b += ["--proc", "/proc", "--dev", "/dev",
              "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp"]
        for p in ro:
            b += ["--ro-bind", p, p]
        for p in rw:
            b += ["--bind", p, p]
        b += ["--chdir", cwd, "--"]
        if self.mode == "bwrap":
            return pre + (_setpriv(uid) if uid is not None else []) + b
        return pre + b + (_setpriv(uid) if uid is not None else [])


def prepare_dir(path, uid):
    """An empty folder at PATH that the job's user may write."""
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    if uid is not None:
        os.chown(path, uid, uid)
    return path


def chown_tree(path, uid):
    if uid is None:
        return
    for d, dirs, files in os.walk(path):
        os.lchown(d, uid, uid)
        for f in files:
            os.lchown(os.path.join(d, f), uid, uid)


def probe(scratch_base, want=None, uid_base=None):
    """The first mode that runs /bin/true here. WANT ("bwrap", "limits" or None
    for the best available) comes from --sandbox or CNN_GRADE_SANDBOX."""
    want = want or os.environ.get("CNN_GRADE_SANDBOX") or "auto"
    if want not in ("auto", "bwrap", "bwrap-root", "limits"):
        from .common import GradeError
        raise GradeError("unknown sandbox '%s': give auto, bwrap or limits." % want, 2)
    uid_base = uid_base or int(os.environ.get("CNN_GRADE_UID_BASE", "61000"))
    modes = {"auto": ["bwrap", "bwrap-root", "limits"], "bwrap": ["bwrap", "bwrap-root"],
             "bwrap-root": ["bwrap-root"], "limits": ["limits"]}[want]
    if os.geteuid() != 0:
        modes = [m for m in modes if m != "bwrap-root"] or ["limits"]
    why = {}
    for mode in modes:
        if mode != "limits" and not (bwrap_path() and os.access(bwrap_path(), os.X_OK)):
            why[mode] = "bwrap is not installed"
            continue
        sb = Sandbox(mode, uid_base)
        uid = sb.uid(0)
        d = prepare_dir(os.path.join(scratch_base, "probe"), uid)
        cmd = sb.wrap(uid=uid, rw=[d], cwd=d, env={}, limits=Limits(cpu_s=10)) + ["/bin/true"]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=30, cwd=d)
            ok = r.returncode == 0
            why[mode] = r.stdout.decode("utf-8", "replace").strip().splitlines()[:1]
        except (OSError, subprocess.TimeoutExpired) as e:
            ok, why[mode] = False, [str(e)]
        shutil.rmtree(d, ignore_errors=True)
        if ok:
            if mode == "limits" and want != "limits":
                reason = "; ".join("%s: %s" % (m, (w or ["failed"])[0] if isinstance(w, list) else w)
                                   for m, w in why.items() if m != "limits")
                sb.note = ("bubblewrap cannot run here (%s): grading with resource limits only, "
                           "so a submission's code can read what its user may read." % reason)
            return sb
    from .common import GradeError
    raise GradeError("no way to run a submission contained works here (%s)." %
                     "; ".join("%s: %s" % (m, w) for m, w in why.items()))


def describe(sb):
    if sb.mode == "bwrap":
        who = "an unprivileged user per job" if sb.is_root else "your user"
        return "bubblewrap (user namespace, %s) and resource limits" % who
    if sb.mode == "bwrap-root":
        return "bubblewrap (as root, then an unprivileged user per job) and resource limits"
    return "resource limits only"


if __name__ == "__main__":  # a quick look: python3 -m gradelib.sandbox
    s = probe(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    print(s.mode, s.note or "")

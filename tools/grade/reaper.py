"""reaper.py -- COMMAND...: runs COMMAND as a child subreaper, for the
grader's limits-only sandbox (no bubblewrap, so no pid namespace and no init
of its own to reap).

Processes a submission leaves behind (a fork bomb's children, killed by the
test runner) become this process's children instead of the system's init,
and are reaped at once: a zombie still counts against the job user's process
limit, which would fail every later test. It runs as root, before the
switch to the job's user, so the submission cannot kill it. When COMMAND
ends, whatever is left of its descendants is killed. Exits with COMMAND's
status (128 + N for a signal N)."""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children(me):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == me:
                    out.append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    return out


def main(argv):
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: reaper.py -- COMMAND...", file=sys.stderr)
        return 2
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    status = None
    me = os.getpid()
    while status is None:
        try:
            p, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if p == pid:
            status = st
    # What it left running: kill it, and whatever that leaves, until none.
    while True:
        left = children(me)
        for c in left:
            try:
                os.kill(c, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            break
        if not left:
            time.sleep(0.01)
    if status is None:
        return 1
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

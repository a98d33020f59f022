"""Alphora sandbox runner: one long-lived process per sandbox, driven by the JVM over stdin/stdout.

Protocol: newline-delimited JSON objects (UTF-8), requests on stdin, events on stdout; see
io.alphora.sandbox.runner.RunnerProcess for the Java side and the list of ops and events.

Process layout. Runs execute in "cells". A cell is a process G forked from this runner into a new
PID namespace, where it is PID 1 (a tiny init). G keeps one pre-forked, pre-warmed child M (the
"spare") blocked on the cell socket. An exec sends the request plus the run's stdin/stdout/stderr
pipe ends (SCM_RIGHTS) to an idle cell; its spare becomes the run's main process. When M exits, G
reports its status and rusage, kills what M left behind (kill(-1) inside the namespace), reaps
everything, reports "done" and forks the next spare. A run therefore costs one fork, done while
idle: on this kind of VM every copy-on-write page fault costs microseconds, so the runner itself
never forks per run and the spare pays its warm-up faults before the request arrives. A Python
run whose namespace holds nothing else when it ends reports its own exit ("quick exit") before
the kernel tears its address space down, which takes about a millisecond here; the runner still
waits for G's "done" before it reuses the cell.

Timeout, cancel, output limit and shutdown SIGKILL G: the kernel then kills every process of the
namespace, including setsid()/double-forked daemons, and G is only reapable once they are all
gone. A killed cell is not reused; the pool forks a fresh one.

Kill modes (reported in the "ready" event):
  pidns   as above; the runner unshares CLONE_NEWPID, forks G, and restores its own
          pid_ns_for_children with setns().
  pidns + userns (ready.userns = true)  when CLONE_NEWPID alone is not permitted: an intermediate
          process C unshares CLONE_NEWUSER|CLONE_NEWPID, forks G and waits for it.
  pgroup  fallback without namespaces: M calls setsid(), kills are killpg() plus a sweep of the
          orphans G inherits as child subreaper. WEAKER: a process that calls setsid() while its
          parent is still alive escapes.
Environment knobs: ALPHORA_RUNNER_KILL_MODE=pgroup|userns forces a weaker mode (tests);
ALPHORA_RUNNER_POOL=N idle cells kept armed (default 2, 0 = fork a cell per exec);
ALPHORA_RUNNER_PGROUP_QUICK=1 lets pgroup mode report a Python run's exit early too, once a scan of
/proc finds nothing else left in the run's session: meant for a PID namespace of a few processes
(a container's), where that scan costs tens of microseconds instead of a host-wide one.
"""
import _socket
import atexit
import codecs
import ctypes
import gc
import io
import json
import os
import resource
import runpy
import select
import signal
import struct
import sys
import time

VERSION = 1
RUNNER_FILE = __file__
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
CHUNK = 65536
STDIN_CAP = 1 << 20          # pending stdin bytes per run before "stdin" ops are dropped
DRAIN_CAP = 1 << 20          # bytes read after a background main exits, before its exit event
LINGER = 0.2                 # seconds to wait for pipes still open after a run's processes are gone
MAX_LINE = 256 << 20         # longer request lines are discarded
IDLE_RETIRE = 5.0            # idle cells above the pool size are retired after this many seconds
RLIMITS = {"nofile": "RLIMIT_NOFILE", "fsize": "RLIMIT_FSIZE", "nproc": "RLIMIT_NPROC",
           "as": "RLIMIT_AS", "cpu": "RLIMIT_CPU"}
POLLIN = select.POLLIN | select.POLLHUP | select.POLLERR
POLLOUT = select.POLLOUT | select.POLLERR

_libc = ctypes.CDLL(None, use_errno=True)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":")).encode
_utf8_decoder = codecs.getincrementaldecoder("utf-8")
_BASE_PATH = list(sys.path)
_MAXFD = min(max(os.sysconf("SC_OPEN_MAX"), 256), 65536)

MODE = "pgroup"
USERNS = False
POOL = 2
PGROUP_QUICK = False
NSFD = -1                    # our own PID namespace, to undo unshare(CLONE_NEWPID) after each fork
WAKE_R = WAKE_W = -1
runs = {}                    # id -> Run, until every process of the run is gone
cells = {}                   # reaped pid -> Cell
by_fd = {}                   # fd -> (owner, role): (Run, 1|2|"in"|"q") or (Cell, "cell")
poller = select.poll()
outq = []
shutdown_at = None
cell_backoff = 0.0


# Set in Docker containers: the container's own cgroup is mounted there (not on the local backend,
# where /sys/fs/cgroup is the host's). Its OOM-kill and refused-fork counters, read when a run
# starts and ends, say which container limit ended it, without the service seeing the host's
# cgroup files (a remote daemon).
CGROUP_DIR = os.environ.get("ALPHORA_CGROUP_DIR")


def _counter(path, key):
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(" ")
                if k == key:
                    return int(v)
    except (OSError, ValueError):
        pass
    return None


def _cgroup_counters():
    if not CGROUP_DIR:
        return None
    v1 = os.path.join(CGROUP_DIR, "memory", "memory.oom_control")
    if os.path.exists(v1):
        return (_counter(v1, "oom_kill"), _counter(os.path.join(CGROUP_DIR, "pids", "pids.events"), "max"))
    return (_counter(os.path.join(CGROUP_DIR, "memory.events"), "oom_kill"),
            _counter(os.path.join(CGROUP_DIR, "pids.events"), "max"))


def _grew(before, after, i):
    return before is not None and after is not None and None not in (before[i], after[i]) and after[i] > before[i]


class Run(object):
    __slots__ = ("id", "cell", "background", "pid", "fds", "stdin_fd", "stdin_buf", "stdin_eof", "dec",
                 "sent", "limit", "deadline", "linger", "reason", "truncated", "status", "cpu", "rss",
                 "cpu0", "done", "quick", "started", "exited", "killed", "t0", "wall", "errors", "cg0")

    def __init__(self, rid):
        self.id, self.cell, self.background, self.pid = rid, None, False, None
        self.fds = {}
        self.stdin_fd, self.stdin_buf, self.stdin_eof = None, bytearray(), False
        self.dec = {1: _utf8_decoder("replace"), 2: _utf8_decoder("replace")}
        self.sent, self.limit, self.deadline, self.linger = 0, None, None, None
        self.reason, self.truncated, self.status, self.cpu, self.rss = None, False, None, 0.0, 0
        self.cpu0 = 0.0
        self.done = self.quick = self.started = self.exited = self.killed = False
        self.t0, self.wall = time.monotonic(), 0.0
        self.errors = []
        self.cg0 = _cgroup_counters()


class Cell(object):
    __slots__ = ("sock", "fd", "pid", "gpid", "ready", "run", "rbuf", "wbuf", "wfds", "idle_since",
                 "dead", "doomed", "born")

    def __init__(self, sock, pid):
        self.sock, self.fd, self.pid = sock, sock.fileno(), pid
        self.gpid = pid if not USERNS else None
        self.ready, self.run, self.rbuf, self.wbuf, self.wfds = False, None, b"", b"", None
        self.dead = self.doomed = False
        self.born = self.idle_since = time.monotonic()


# ---------------------------------------------------------------------------------------------
# events

def emit(obj):
    outq.append((_encode(obj) + "\n").encode("utf-8", "replace"))


def flush():
    if not outq:
        return
    data = b"".join(outq) if len(outq) > 1 else outq[0]
    del outq[:]
    view = memoryview(data)
    while view:
        try:
            n = os.write(1, view)
        except BrokenPipeError:
            die()
        view = view[n:]


def error(rid, message, run=None):
    emit({"ev": "error", "id": rid, "message": message})
    if run is not None and message not in run.errors and len(run.errors) < 8:
        run.errors.append(message)    # summarised in the exit event


def die():
    """The JVM is gone (stdin EOF / stdout EPIPE): everything dies, nobody is listening."""
    for cell in list(cells.values()):
        destroy(cell)
    await_cells(0.5)
    os._exit(0)


def await_cells(timeout):
    """Reap the killed cells ourselves rather than leave zombies to whatever init adopts them."""
    end = time.monotonic() + timeout
    while cells and time.monotonic() < end:
        reap()
        if cells:
            time.sleep(0.002)


# ---------------------------------------------------------------------------------------------
# cell side: G (namespace init) and M (a run's main process). Never returns into the runner loop.

_sock = None                 # in cell processes: the socket to the runner, fd 3
_open_sock = True
_quit_fd = -1                # in M: the run's "main is done" pipe, see _quick_exit


def _send(text):
    try:
        _sock.sendall(text.encode("utf-8", "replace"))
        return True
    except Exception:
        return False


def _report(msg):
    if _open_sock:          # after it is closed, fd 3 may be one of the user's files
        _send("E " + msg.replace("\n", " ")[:4000] + "\n")


def _close_sock():
    global _open_sock
    _open_sock = False
    _sock.close()


def _cell_entry(sock, fn):
    """First code in a process forked by the runner: drop the runner's signal plumbing and fds."""
    global _sock
    try:
        signal.set_wakeup_fd(-1)     # else a signal would write into whatever fd reuses that number
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)        # our stdout is the JVM channel: cells must not hold it
        os.dup2(sock.fileno(), 3, inheritable=False)
        sock.detach()
        # Run pipes of other cells must not leak: an inherited write end would keep a run from
        # ever seeing EOF on its output.
        os.closerange(4, _MAXFD)
        _sock = _socket.socket(fileno=3)
        fn()
    except BaseException as e:
        _report("cell process failed: %r" % (e,))
    finally:
        os._exit(1)                   # never return into the runner's code


def _c_main():
    """userns mode: create user+pid namespaces, fork G, wait for it (its exit = namespace empty)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _set_name("alphora-cell")
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
        _report("unshare(CLONE_NEWUSER|CLONE_NEWPID): " + os.strerror(ctypes.get_errno()))
        os._exit(1)
    _write_file("/proc/self/setgroups", "deny")
    _write_file("/proc/self/uid_map", "%d %d 1" % (uid, uid))
    _write_file("/proc/self/gid_map", "%d %d 1" % (gid, gid))
    pid = os.fork()
    if pid == 0:
        _g_main()                     # its parent-death signal now follows C, which follows us
    _send("G %d\n" % pid)
    _close_sock()
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os._exit(0)


def _write_file(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _set_name(name):
    """/proc/PID/comm: lets process listings tell the runner's helpers from a run's processes."""
    _libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def _g_main():
    """The cell's init: keep a spare M, report its exit, clean up after it, repeat."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)   # the runner dies -> the cell dies
    _set_name("alphora-cell")
    os.setsid()
    if MODE == "pgroup":
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    failures = 0
    while True:
        flag_r, flag_w = os.pipe()
        os.set_blocking(flag_r, False)
        try:
            m = os.fork()
        except OSError as e:
            os.close(flag_r)
            os.close(flag_w)
            _report("cannot fork a spare: %s" % e)
            time.sleep(1.0)
            continue
        if m == 0:
            os.close(flag_r)
            _m_main(flag_w)
        os.close(flag_w)
        cpu, rss = 0.0, 0
        while True:
            pid, status, ru = os.wait4(-1, 0)
            cpu += ru.ru_utime + ru.ru_stime
            rss = max(rss, ru.ru_maxrss)
            if pid == m:
                break
        try:
            flag = os.read(flag_r, 1)        # M writes B/F once it has taken a request
        except OSError:
            flag = b""
        os.close(flag_r)
        if not flag:
            _reap_all(m, True)
            failures += 1
            if not _send("S\n"):
                os._exit(0)
            if failures > 2:
                time.sleep(min(1.0, 0.01 * 2 ** failures))
            continue
        failures = 0
        report = "X %d %.6f %d\n" % (status, cpu, rss)
        if flag == b"B":              # background: the exit event must not wait for leftovers
            if not _send(report):
                _reap_all(m, True)
                os._exit(0)           # the runner is gone: nothing may outlive it
            _reap_all(m, False)
            report = ""
        else:
            _reap_all(m, True)
        if not _send(report + "D\n"):   # one message, one wake-up of the runner
            os._exit(0)


def _reap_all(m, kill):
    """Reap every process left in the cell, killing them first unless they are background."""
    while True:
        if kill:
            _kill_all(m)
        try:
            os.wait4(-1, 0)
        except ChildProcessError:
            return


def _kill_all(m):
    if MODE != "pgroup":
        try:
            os.kill(-1, signal.SIGKILL)   # in our namespace: everything but us
        except OSError:
            pass                          # ESRCH: nothing left
        return
    try:
        os.killpg(m, signal.SIGKILL)
    except OSError:
        pass
    me = str(os.getpid())
    for name in os.listdir("/proc"):       # orphans reparented to us (child subreaper)
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == me:
                        os.kill(int(name), signal.SIGKILL)
            except (OSError, IndexError):
                pass


def _m_main(flag_w):
    """A spare: warm up, take a request and the run's pipes, set up cwd/rlimits/env, run."""
    code = 127
    try:
        code = _m_run(flag_w)
    except BaseException as e:
        _report("run setup failed: %r" % (e,))
    finally:
        os._exit(code)                # never return into G's or the runner's code


def _m_run(flag_w):
    """Returns the exit code (python kinds) or does not return (argv exec)."""
    os.setsid()
    _set_name("alphora-spare")
    _prewarm()
    me = os.readlink("/proc/self")     # /proc is the host's: the pid the runner sees
    _send("R %s\n" % me)
    data, anc, _flags, _addr = _sock.recvmsg(CHUNK, _socket.CMSG_SPACE(4 * 4))
    fds = []
    for level, kind, payload in anc:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.extend(struct.unpack("%di" % (len(payload) // 4), payload[:len(payload) // 4 * 4]))
    if not data:
        os._exit(0)               # the runner is gone
    chunks = [data]
    while not chunks[-1].endswith(b"\n"):
        chunk = _sock.recv(CHUNK)
        if not chunk:
            os._exit(0)
        chunks.append(chunk)
    req = json.loads(b"".join(chunks) if len(chunks) > 1 else data)
    os.write(flag_w, b"B" if req.get("background") else b"F")
    os.close(flag_w)
    _set_name(os.path.basename(sys.executable) or "python3")
    if len(fds) not in (3, 4):
        raise ValueError("expected 3 or 4 descriptors, got %d" % len(fds))
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)
    if len(fds) == 4:
        global _quit_fd
        _quit_fd = fds[3]
        os.set_inheritable(_quit_fd, False)   # SCM_RIGHTS descriptors arrive inheritable
    ru = resource.getrusage(resource.RUSAGE_SELF)
    _send("P %s %.6f\n" % (me, ru.ru_utime + ru.ru_stime))   # CPU spent warming up is not the run's
    cwd = req.get("cwd")
    if cwd:
        try:
            os.chdir(cwd)
        except OSError as e:
            msg = "cannot chdir to %r: %s" % (cwd, e.strerror)
            _report(msg)
            os.write(2, (msg + "\n").encode("utf-8", "replace"))
            return 127
    rl = req.get("rlimits")
    if rl:
        _apply_rlimits(rl)
    env = req.get("env")
    if env is None:               # the runner's own environment, minus its knobs
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALPHORA_RUNNER_")}
    if req["kind"] == "argv":
        return _exec_argv(req["argv"], env)   # no quick exit: the program is not ours
    return _run_python(req, env)


def _drop_privileges():
    """No capability survives into a run, not even across execve() as uid 0: the bounding set is
    emptied, then the thread's sets, and no_new_privs stops setuid binaries from granting any back.
    (In userns mode the spare would otherwise hold every capability of its nested namespace.)"""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break                              # EINVAL: past the last capability of this kernel
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)   # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()                  # effective, permitted, inheritable x 2: all zero
    if _libc.capset(header, data) != 0:
        _report("capset failed: errno %d" % ctypes.get_errno())
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _report("no_new_privs failed: errno %d" % ctypes.get_errno())


def _prewarm():
    """Build the run's std streams and touch what a run touches, while still idle."""
    _drop_privileges()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if fd == 0:
            s = io.TextIOWrapper(io.open(0, "rb", closefd=False), encoding="utf-8", errors="strict",
                                 newline="\n")
        else:   # what -u builds: unbuffered raw file + write_through, so output is live
            s = io.TextIOWrapper(io.open(fd, "wb", buffering=0, closefd=False), encoding="utf-8",
                                 errors="backslashreplace", newline="\n", write_through=True)
        s.mode = "r" if fd == 0 else "w"
        setattr(sys, name, s)
        setattr(sys, "__%s__" % name, s)
    env = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    code = compile("def f(a, *b, **c):\n    return [x for x in a if x] or {1: 'x'}\nf([0])\n",
                   "<string>", "exec", dont_inherit=True)
    exec(code, {"__builtins__": sys.modules["builtins"]})
    json.loads('{"op":"exec","id":"x","kind":"python_code","code":"print(1)","env":{"A":"b"},"timeout":1.5}')


def _apply_rlimits(rl):
    import resource
    for key, value in rl.items():
        name = RLIMITS.get(key)
        if name is None:
            _report("unknown rlimit %r ignored" % key)
            continue
        try:
            v = int(value) if value is not None and int(value) >= 0 else resource.RLIM_INFINITY
            hard = v + 1 if key == "cpu" and v != resource.RLIM_INFINITY else v
            resource.setrlimit(getattr(resource, name), (v, hard))
        except (ValueError, OSError, TypeError) as e:
            _report("setrlimit %s=%r failed: %s" % (key, value, e))


def _exec_argv(argv, env):
    for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):   # CPython ignores these; exec keeps SIG_IGN
        signal.signal(s, signal.SIG_DFL)
    try:
        os.execvpe(argv[0], argv, env)    # the cell socket is close-on-exec
    except (OSError, ValueError) as e:
        msg = "cannot execute %r: %s" % (argv[0], getattr(e, "strerror", None) or e)
        _report(msg)
        try:
            os.write(2, (msg + "\n").encode("utf-8", "replace"))
        except OSError:
            pass
        return 126 if getattr(e, "errno", None) == 13 else 127


_SUBPROCESS_ENTRIES = (
    "subprocess", "multiprocessing", "pty", "_posixsubprocess", "concurrent.futures.process",
    "os.system", "os.popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.posix_spawnp",
    "os.execv", "os.execve", "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execvp", "os.execvpe",
    "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp",
    "os.spawnvpe")


def _install_policy(policy):
    """The import policy (blocked_imports, allowed_imports, allow_subprocess) as a speed bump for the
    run's own code: imports made by the run's code (its __main__ and files outside the interpreter's
    library directories) of a blocked module fail with ImportError, and blocked functions such as
    os.system raise PermissionError. Library code is not checked, and importlib or ctypes can get
    around it: the OS boundary (namespaces, cgroups) is what actually contains the run."""
    import builtins
    blocked = set(policy.get("blocked_imports") or ())
    allowed = set(policy.get("allowed_imports") or ())
    if not policy.get("allow_subprocess", True):
        blocked.update(_SUBPROCESS_ENTRIES)
    # the interpreter's own library directories (importing sysconfig here would cost every run ms)
    libs = (os.path.dirname(os.__file__) + os.sep,) + tuple(
        p + os.sep for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    original = builtins.__import__

    def denied(name):
        for b in blocked:
            if name == b or name.startswith(b + "."):
                return "blocked_imports" if b in (policy.get("blocked_imports") or ()) else "allow_subprocess=false"
        if allowed and name.split(".")[0] not in allowed and name not in allowed:
            return "allowed_imports"
        return None

    def from_user(g):
        if g is None:
            return True
        if g.get("__name__") == "__main__":
            return True
        f = g.get("__file__")
        return bool(f) and not str(f).startswith(libs)

    def stub(entry):
        def blocked_call(*args, **kwargs):
            raise PermissionError("%s is blocked by the sandbox's security policy" % entry)
        blocked_call._alphora_blocked = True
        return blocked_call

    def patch():
        for entry in blocked:
            mod, _, attr = entry.rpartition(".")
            m = sys.modules.get(mod) if mod else None
            if m is not None and not getattr(getattr(m, attr, None), "_alphora_blocked", False) \
                    and hasattr(m, attr):
                try:
                    setattr(m, attr, stub(entry))
                except (AttributeError, TypeError):
                    pass

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and from_user(globals):
            why = denied(name)
            for f in fromlist or ():
                why = why or (denied(name + "." + f) if name + "." + f in blocked else None)
            if why:
                raise ImportError("import of %r is blocked by the sandbox's security policy (%s)" % (name, why),
                                  name=name)
        module = original(name, globals, locals, fromlist, level)
        patch()
        return module

    patch()
    builtins.__import__ = guarded


def _run_python(req, env):
    """Run code or a file as __main__ with the semantics of `python -u -c` / `python -u file`."""
    os.environ.clear()
    os.environ.update(env)
    policy = os.environ.pop("ALPHORA_POLICY", None)   # never visible to the run, nor inherited
    if policy:
        _install_policy(json.loads(policy))   # set by the service only (it drops any user value)
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    for finder in list(sys.path_importer_cache.values()):   # packages installed since start-up
        if hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
    skip = (RUNNER_FILE,)
    try:
        if req["kind"] == "python_code":
            sys.argv = ["-c"]
            sys.path[:] = [""] + extra + _BASE_PATH
            main = type(sys)("__main__")
            main.__builtins__ = sys.modules["builtins"]
            sys.modules["__main__"] = main
            _close_sock()
            code = compile(req["code"], "<string>", "exec", dont_inherit=True)
            exec(code, main.__dict__)
        else:
            path = req["file"]
            skip = (RUNNER_FILE, runpy.__file__)
            sys.argv = [path] + [str(a) for a in (req.get("args") or [])]
            sys.path[:] = [os.path.dirname(os.path.realpath(path))] + extra + _BASE_PATH
            _close_sock()
            if not os.path.isdir(path):
                try:
                    open(path, "rb").close()
                except OSError as e:
                    sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                                     % (sys.executable, path, e.errno, e.strerror))
                    return _finish(2)
            runpy.run_path(path, run_name="__main__")
        rc = 0
    except SystemExit as e:
        rc = _exit_status(e)
    except BaseException as e:
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename in skip:
            tb = tb.tb_next    # hide runner/runpy frames: the traceback looks like python's own
        e.__traceback__ = tb
        try:
            sys.excepthook(type(e), e, tb)
        except BaseException:
            sys.__excepthook__(type(e), e, tb)
        if isinstance(e, KeyboardInterrupt):   # like CPython >= 3.8: die by SIGINT
            _finish(1)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        rc = 1
    rc = _finish(rc)
    if _quit_fd >= 0:
        _quick_exit(rc)
    return rc


def _quick_exit(rc):
    """Report the exit before the kernel tears this address space down (about a millisecond
    here, and G only hears of the exit afterwards), provided nothing else is left of the run for G
    to kill. Code the run forked could write here too: a forged report only ends its own run
    early, and the runner still waits for G's "done" before reusing the cell."""
    if not _alone():
        return
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    try:
        os.closerange(0, 3)           # all output is in the pipes: the runner sees EOF now
        os.write(_quit_fd, ("Q %d %.6f %d\n" % (rc & 0xFF, cpu, max(me.ru_maxrss, kids.ru_maxrss))).encode())
    except OSError:
        pass
    os._exit(rc)


def _alone():
    """pidns: no process in the namespace but G. pgroup: none in this session but us (M called
    setsid(); what the run started stays in it unless it called setsid() itself, which escapes
    pgroup mode's kills too). Zombies count: their parent may still read the pipes."""
    if MODE != "pgroup":
        try:
            os.kill(-1, 0)
            return False
        except ProcessLookupError:
            return True
        except OSError:
            return False
    me = os.getpid()
    try:
        names = os.listdir("/proc")
    except OSError:
        return False
    for name in names:
        if name.isdigit() and int(name) != me:
            try:
                with open("/proc/" + name + "/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[3]) == me:
                        return False
            except (OSError, IndexError, ValueError):
                pass                  # gone meanwhile
    return True


def _exit_status(e):
    c = e.code
    if c is None:
        return 0
    if isinstance(c, int):
        return c & 0xFF
    try:
        sys.stderr.write(str(c) + "\n")
    except BaseException:
        pass
    return 1


def _finish(rc):
    """What Py_FinalizeEx would do that matters: join non-daemon threads, run atexit, flush."""
    t = sys.modules.get("threading")
    if t is not None:
        try:
            t._shutdown()
        except BaseException:
            pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            pass
    return rc


# ---------------------------------------------------------------------------------------------
# runner side: cells

def new_cell():
    mine, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        if MODE == "pidns" and not USERNS:
            if _libc.unshare(CLONE_NEWPID) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "unshare(CLONE_NEWPID): " + os.strerror(err))
            pid = -1
            try:
                pid = os.fork()
            finally:
                if pid != 0 and _libc.setns(NSFD, CLONE_NEWPID) != 0:
                    os.write(2, b"alphora_runner: setns failed\n")   # cannot happen after unshare
            if pid == 0:
                _cell_entry(theirs, _g_main)
        else:
            pid = os.fork()
            if pid == 0:
                _cell_entry(theirs, _c_main if USERNS else _g_main)
    except BaseException:
        mine.close()
        raise
    finally:
        theirs.close()
    mine.setblocking(False)
    cell = Cell(mine, pid)
    cells[pid] = cell
    by_fd[cell.fd] = (cell, "cell")
    poller.register(cell.fd, POLLIN)
    return cell


def pick_cell():
    best = None
    for cell in cells.values():
        if cell.run is None and not cell.dead and not cell.doomed:
            if cell.ready:
                return cell
            best = best or cell
    return best or new_cell()


def _kill_tree(root):
    """pgroup mode: SIGKILL every descendant of root (a cell's init, a child subreaper, so its
    run's orphans - setsid'ed or double-forked - stay below it). Repeated until none is left: a
    process forked between the scan and the kill is orphaned to root and found by the next scan."""
    for _ in range(20):
        children = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open("/proc/%s/stat" % name) as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(name))
                except (OSError, IndexError, ValueError):
                    pass
        todo, found = list(children.get(root, ())), []
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, ()))
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def destroy(cell):
    """SIGKILL the cell's init: the kernel kills every process in its namespace."""
    cell.doomed = True
    if cell.dead:
        return
    try:
        if MODE == "pgroup" and cell.gpid is not None:
            _kill_tree(cell.gpid)
        if cell.gpid is not None:
            os.kill(cell.gpid, signal.SIGKILL)
        else:
            os.kill(cell.pid, signal.SIGKILL)    # userns, G not known yet: C's death takes G along
        if MODE == "pgroup" and cell.run is not None and cell.run.pid is not None:
            os.killpg(cell.run.pid, signal.SIGKILL)
    except OSError:
        pass


def on_cell_readable(cell):
    try:
        data = cell.sock.recv(CHUNK)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    if not data:
        unwatch_cell(cell)
        return
    lines = (cell.rbuf + data).split(b"\n")
    cell.rbuf = lines.pop()
    for line in lines:
        tag, _, rest = line.decode("utf-8", "replace").partition(" ")
        run = cell.run
        if tag == "R":
            cell.ready = run is None
        elif tag == "P":
            if run is not None and not run.exited:
                pid, cpu0 = rest.split()
                run.pid, run.cpu0 = int(pid), float(cpu0)
                if not run.started:
                    run.started = True
                    emit({"ev": "start", "id": run.id, "pid": run.pid})
        elif tag == "E":
            if run is not None:
                error(run.id, rest, run)
            else:
                os.write(2, ("alphora_runner: cell: %s\n" % rest).encode("utf-8", "replace"))
        elif tag == "S":
            cell.ready = False        # the spare died unused; G forks another
        elif tag == "X" and run is not None:
            status, cpu, rss = rest.split()
            main_exited(run, int(status), float(cpu), int(rss))
        elif tag == "D" and run is not None:
            cell.run = None
            cell.idle_since = time.monotonic()
            run.done = True
            if run.killed:
                destroy(cell)         # never reuse a cell that was asked to kill
            maybe_finish(run)
        elif tag == "G":
            cell.gpid = int(rest)
            if cell.doomed:
                destroy(cell)


def on_cell_writable(cell):
    try:
        if cell.wfds is not None:
            n = cell.sock.sendmsg([cell.wbuf], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS,
                                                struct.pack("%di" % len(cell.wfds), *cell.wfds))])
            for fd in cell.wfds:      # in flight now; our copies would keep the pipes from EOF
                os.close(fd)
            cell.wfds = None
        else:
            n = cell.sock.send(cell.wbuf)
        cell.wbuf = cell.wbuf[n:] if n < len(cell.wbuf) else b""
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        cell.wbuf = b""               # the cell is dying; its reaping ends the run
    if cell.fd in by_fd:
        poller.modify(cell.fd, POLLIN | POLLOUT if cell.wbuf else POLLIN)


def unwatch_cell(cell):
    if by_fd.pop(cell.fd, None) is not None:
        poller.unregister(cell.fd)
        cell.sock.close()
        if cell.wfds:
            for fd in cell.wfds:
                os.close(fd)
            cell.wfds = None


def on_reaped(pid, status, ru):
    global cell_backoff
    cell = cells.pop(pid, None)
    if cell is None:
        return                        # an orphan that came to us as child subreaper
    cell.dead = True
    unwatch_cell(cell)
    run = cell.run
    if run is not None and not run.done:
        run.done = True
        if run.status is None:        # killed with its namespace: the init's rusage covers it
            run.cpu, run.rss = ru.ru_utime + ru.ru_stime, ru.ru_maxrss
            if not run.killed and not run.exited:
                run.errors.append("the run's cell died unexpectedly")
        maybe_finish(run)
    if not cell.doomed and time.monotonic() - cell.born < 1.0:
        cell_backoff = time.monotonic() + 1.0     # cells die at birth: do not fork in a loop


def reap():
    while True:
        try:
            pid, status, ru = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        on_reaped(pid, status, ru)


# ---------------------------------------------------------------------------------------------
# runner side: runs

def op_exec(req):
    rid = req.get("id")
    if not isinstance(rid, str) or not rid:
        return error(None, "exec: missing id")
    old = runs.get(rid)
    if old is not None and not old.exited:
        return error(rid, "exec: duplicate id")
    try:
        req = _validate(req)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        return _refuse(rid, "exec: %s" % e)
    if shutdown_at is not None:
        return _refuse(rid, "exec: the runner is shutting down")
    if old is not None:
        return _refuse(rid, "exec: background processes of an earlier run with this id are still alive")
    stdin = req.pop("stdin", None)
    payload = memoryview((_encode_ascii(req) + "\n").encode("ascii"))
    try:
        cell = pick_cell()
    except OSError as e:
        return _refuse(rid, "exec: cannot start run: %s" % e)
    run = Run(rid)
    run.background = bool(req.get("background"))
    roles = (1, 2, "in")
    if (MODE != "pgroup" or PGROUP_QUICK) and req["kind"] != "argv" and not run.background:
        roles += ("q",)               # lets M report its exit early, see _quick_exit
    ends = []
    try:
        for role in roles:
            r, w = os.pipe()
            mine, theirs = (w, r) if role == "in" else (r, w)
            ends.append(theirs)
            os.set_blocking(mine, False)
            if role == "in":
                run.stdin_fd = mine
                run.fds[mine] = role
            else:
                by_fd[mine] = (run, role)
                run.fds[mine] = role
                poller.register(mine, POLLIN)
    except OSError as e:
        for fd in ends:
            os.close(fd)
        cleanup(run)
        return _refuse(rid, "exec: cannot start run: %s" % e)
    run.cell = cell
    limit, timeout = req.get("max_output"), req.get("timeout")
    run.limit = int(limit) if limit is not None and limit >= 0 else None
    run.deadline = run.t0 + timeout if timeout is not None and timeout > 0 else None
    runs[rid] = run
    cell.run, cell.ready = run, False
    cell.wbuf, cell.wfds = payload, (ends[2], ends[0], ends[1]) + tuple(ends[3:])   # 0, 1, 2, quit
    on_cell_writable(cell)
    if stdin:
        run.stdin_buf += stdin.encode("utf-8", "surrogateescape")
    run.stdin_eof = not req.get("stdin_open")
    pump_stdin(run)


def _validate(req):
    kind = req.get("kind")
    if kind == "python_code":
        if not isinstance(req.get("code"), str):
            raise ValueError("python_code needs a string 'code'")
    elif kind == "python_file":
        if not isinstance(req.get("file"), str) or not req["file"]:
            raise ValueError("python_file needs 'file'")
    elif kind == "argv":
        argv = req.get("argv")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError("argv needs a non-empty list of strings")
    else:
        raise ValueError("unknown kind %r" % (kind,))
    env = req.get("env")
    if env is not None:
        req["env"] = {str(k): str(v) for k, v in env.items()}
    for key in ("timeout", "max_output"):
        if req.get(key) is not None:
            req[key] = float(req[key])
    if req.get("rlimits") is not None and not isinstance(req["rlimits"], dict):
        raise ValueError("rlimits must be an object")
    if req.get("stdin") is not None and not isinstance(req["stdin"], str):
        raise ValueError("stdin must be a string")
    return req


def _refuse(rid, message):
    """Every exec with an id gets exactly one exit event, even when it never started."""
    error(rid, message)
    emit({"ev": "exit", "id": rid, "code": -1, "signal": None, "reason": "error", "truncated": False,
          "cpu_time": 0.0, "max_rss_mb": 0.0, "wall": 0.0, "error": message})


def kill(run, reason):
    if not run.exited and run.reason is None and run.status is None:
        run.reason = reason
    run.killed = True
    if not run.done:
        destroy(run.cell)


def pump_stdin(run):
    fd = run.stdin_fd
    if fd is None:
        return
    buf = run.stdin_buf
    try:
        while buf:
            n = os.write(fd, buf)
            del buf[:n]
    except BlockingIOError:
        if fd not in by_fd:
            by_fd[fd] = (run, "in")
            poller.register(fd, POLLOUT)
        return
    except OSError:           # the program closed its stdin or is gone
        unwatch(run, fd)
        return
    if run.stdin_eof:
        unwatch(run, fd)
    elif fd in by_fd:
        del by_fd[fd]
        poller.unregister(fd)


def op_stdin(req):
    rid = req.get("id")
    run = runs.get(rid)
    if run is None or run.exited:
        return error(rid, "stdin: unknown id")
    if run.stdin_fd is None:
        return error(rid, "stdin: the run's stdin is closed", run)
    data = req.get("data") or ""
    if not isinstance(data, str):
        return error(rid, "stdin: data must be a string")
    b = data.encode("utf-8", "surrogateescape")
    if len(run.stdin_buf) + len(b) > STDIN_CAP:
        error(rid, "stdin: more than %d bytes pending, data dropped" % STDIN_CAP, run)
    else:
        run.stdin_buf += b
    if req.get("eof"):
        run.stdin_eof = True
    pump_stdin(run)


def unwatch(run, fd):
    if by_fd.pop(fd, None) is not None:
        poller.unregister(fd)
    run.fds.pop(fd, None)
    if fd == run.stdin_fd:
        run.stdin_fd = None
        del run.stdin_buf[:]
    os.close(fd)


def output_open(run):
    return any(r == 1 or r == 2 for r in run.fds.values())


def on_quit(run, fd):
    try:
        data = os.read(fd, 4096)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    unwatch(run, fd)                  # one report per run; EOF or garbage end it too
    parts = data.split()
    if len(parts) != 4 or parts[0] != b"Q" or run.exited or run.status is not None:
        return
    if not run.started and not run.cell.dead:
        on_cell_readable(run.cell)    # "start" first
    try:
        main_exited(run, int(parts[1]) << 8, float(parts[2]), int(parts[3]))
    except ValueError:
        return
    run.quick = True
    maybe_finish(run)


def on_output(run, fd, role):
    if not run.started and not run.exited and not run.cell.dead:
        on_cell_readable(run.cell)    # "start" must precede the first "out" (M sends P first)
        if fd not in run.fds:
            return
    try:
        data = os.read(fd, CHUNK)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    if not data:
        if not run.exited and not run.truncated:
            tail = run.dec[role].decode(b"", True)
            if tail:
                emit({"ev": "out", "id": run.id, "fd": role, "data": tail})
        unwatch(run, fd)
        maybe_finish(run)
        return
    if not run.exited:                # after a background run's exit event: discarded
        forward(run, role, data)


def forward(run, role, data):
    cut = False
    if run.limit is not None and run.sent + len(data) > run.limit:
        data = data[:run.limit - run.sent]
        cut = True
    run.sent += len(data)
    text = run.dec[role].decode(data)
    if text:
        emit({"ev": "out", "id": run.id, "fd": role, "data": text})
    if cut:
        run.truncated = True
        kill(run, "output_limit")
        for f, r in list(run.fds.items()):
            if r == 1 or r == 2 or r == "q":
                unwatch(run, f)
        maybe_finish(run)


def main_exited(run, status, cpu, rss_kb):
    run.status, run.cpu, run.rss = status, cpu, rss_kb
    run.wall = time.monotonic() - run.t0
    if run.background and not run.exited:
        # Leftovers may hold the pipes open for ever; what the main process wrote is already in
        # the pipes, so a bounded non-blocking drain gets all of it.
        budget = DRAIN_CAP
        for fd, role in list(run.fds.items()):
            while role in (1, 2) and budget > 0 and fd in run.fds and not run.truncated:
                try:
                    data = os.read(fd, CHUNK)
                except (BlockingIOError, InterruptedError):
                    break
                if not data:
                    break
                budget -= len(data)
                forward(run, role, data)
        send_exit(run)
    maybe_finish(run)


def maybe_finish(run):
    if run.exited:
        if run.done:
            cleanup(run)
        return
    if not run.done and not run.quick:
        return
    if output_open(run):
        if run.linger is None:        # only possible when a process outside the cell holds them
            run.linger = time.monotonic() + LINGER
        return
    send_exit(run)
    if run.done:                      # after a quick exit: kept (deadline, id) until G's "done"
        cleanup(run)


def send_exit(run):
    if run.exited:
        return
    for role in (1, 2):
        if not run.truncated:
            tail = run.dec[role].decode(b"", True)
            if tail:
                emit({"ev": "out", "id": run.id, "fd": role, "data": tail})
    run.exited = True
    st = run.status
    if st is None:
        if run.killed:
            code, sig = -9, 9
        else:
            code, sig = -1, None
            if not run.errors:
                run.errors.append("the run ended without reporting an exit status")
    elif os.WIFSIGNALED(st):
        sig = os.WTERMSIG(st)
        code = -sig
    else:
        code, sig = os.WEXITSTATUS(st), None
    if not run.wall:
        run.wall = time.monotonic() - run.t0
    ev = {"ev": "exit", "id": run.id, "code": code, "signal": sig, "reason": run.reason,
          "truncated": run.truncated, "cpu_time": round(max(0.0, run.cpu - run.cpu0), 6),
          "max_rss_mb": round(run.rss / 1024.0, 3), "wall": round(run.wall, 6),
          "error": "; ".join(run.errors) if run.errors else None}
    if run.cg0 is not None and run.reason is None and (code != 0 or sig is not None):
        cg = _cgroup_counters()       # only a failed run may be put down to a limit
        ev["oom_killed"], ev["fork_refused"] = _grew(run.cg0, cg, 0), _grew(run.cg0, cg, 1)
    emit(ev)


def cleanup(run):
    for fd in list(run.fds):
        unwatch(run, fd)
    if runs.get(run.id) is run:
        del runs[run.id]


def check_timers(now):
    nxt = None
    for run in list(runs.values()):
        if run.deadline is not None and not run.exited and run.status is None:
            if now >= run.deadline:
                if not run.cell.dead:
                    on_cell_readable(run.cell)    # it may just have exited
                if run.status is None and not run.exited:
                    kill(run, "timeout")
                run.deadline = None
            else:
                nxt = run.deadline if nxt is None else min(nxt, run.deadline)
        if run.linger is not None and not run.exited:
            if now >= run.linger:
                for fd, role in list(run.fds.items()):
                    if (role == 1 or role == 2) and fd in run.fds:
                        on_output(run, fd, role)
                for fd in [f for f, r in run.fds.items() if r == 1 or r == 2]:
                    unwatch(run, fd)
                maybe_finish(run)
            else:
                nxt = run.linger if nxt is None else min(nxt, run.linger)
    if shutdown_at is None:
        idle = [c for c in cells.values() if c.run is None and not c.doomed]
        if len(idle) < POOL:
            if now >= cell_backoff:
                try:
                    for _ in range(POOL - len(idle)):
                        new_cell()
                except OSError as e:
                    _backoff("cannot fork a cell: %s" % e)
            else:
                nxt = cell_backoff if nxt is None else min(nxt, cell_backoff)
        elif len(idle) > POOL:     # shrink back after a burst, oldest idle first
            idle.sort(key=lambda c: c.idle_since)
            for cell in idle[:len(idle) - POOL]:
                if now - cell.idle_since >= IDLE_RETIRE:
                    destroy(cell)
                else:
                    t = cell.idle_since + IDLE_RETIRE
                    nxt = t if nxt is None else min(nxt, t)
                    break
    return nxt


def _backoff(message):
    global cell_backoff
    cell_backoff = time.monotonic() + 1.0
    os.write(2, ("alphora_runner: %s\n" % message).encode("utf-8", "replace"))


# ---------------------------------------------------------------------------------------------
# start-up and main loop

def probe_mode():
    global NSFD
    forced = os.environ.get("ALPHORA_RUNNER_KILL_MODE", "")
    if forced == "pgroup":
        return "pgroup", False
    NSFD = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    if forced != "userns" and _libc.unshare(CLONE_NEWPID) == 0:
        if _libc.setns(NSFD, CLONE_NEWPID) == 0:
            return "pidns", False
    pid = os.fork()
    if pid == 0:
        try:
            uid, gid = os.getuid(), os.getgid()
            if _libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
                os._exit(1)
            _write_file("/proc/self/setgroups", "deny")
            _write_file("/proc/self/uid_map", "%d %d 1" % (uid, uid))
            _write_file("/proc/self/gid_map", "%d %d 1" % (gid, gid))
            p = os.fork()
            if p == 0:
                os._exit(0)
            os._exit(os.waitpid(p, 0)[1])
        except BaseException:
            os._exit(1)
    ok = os.waitpid(pid, 0)[1] == 0
    return ("pidns", True) if ok else ("pgroup", False)


def on_stdin(state):
    """Splits our stdin into request lines; state = [pending parts, pending bytes, discarding]."""
    try:
        data = os.read(0, CHUNK)
    except (BlockingIOError, InterruptedError):
        return
    if not data:
        die()
    parts, start = state[0], 0
    while True:
        i = data.find(b"\n", start)
        if i < 0:
            break
        if state[2]:
            state[2] = False          # the end of a discarded over-long line
        else:
            parts.append(data[start:i])
            line = b"".join(parts)
            if line.strip():
                handle(line)
        del parts[:]
        state[1] = 0
        start = i + 1
    if start < len(data) and not state[2]:
        parts.append(data[start:])
        state[1] += len(data) - start
        if state[1] > MAX_LINE:
            error(None, "request line longer than %d bytes discarded" % MAX_LINE)
            del parts[:]
            state[1] = 0
            state[2] = True


def handle(line):
    global shutdown_at
    try:
        req = json.loads(line)
    except ValueError as e:
        return error(None, "malformed request: %s" % e)
    if not isinstance(req, dict):
        return error(None, "malformed request: not an object")
    op = req.get("op")
    rid = req.get("id") if isinstance(req.get("id"), str) else None
    try:
        if op == "exec":
            op_exec(req)
        elif op == "stdin":
            op_stdin(req)
        elif op == "cancel":
            run = runs.get(rid)
            if run is None:
                error(rid, "cancel: unknown id")
            else:
                kill(run, "cancelled")
        elif op == "ping":
            emit({"ev": "pong"})
        elif op == "shutdown":
            for run in list(runs.values()):
                kill(run, "killed")
            for cell in list(cells.values()):
                destroy(cell)
            shutdown_at = time.monotonic() + 1.5
        else:
            error(rid, "unknown op %r" % (op,))
    except Exception as e:            # never let one bad request take the runner down
        error(rid, "%s failed: %r" % (op, e))


def main():
    global MODE, USERNS, POOL, PGROUP_QUICK, WAKE_R, WAKE_W
    # Die with the JVM even if it cannot close our stdin. PDEATHSIG follows the *thread* that
    # forked us, which is why the Java side spawns runners from one long-lived thread.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)   # userns/pgroup orphans come back to us
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # a terminal ^C is the JVM's business
    WAKE_R, WAKE_W = os.pipe()
    os.set_blocking(WAKE_R, False)
    os.set_blocking(WAKE_W, False)
    signal.set_wakeup_fd(WAKE_W, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, lambda s, f: None)
    MODE, USERNS = probe_mode()
    try:
        POOL = max(0, int(os.environ.get("ALPHORA_RUNNER_POOL", "2")))
    except ValueError:
        POOL = 2
    PGROUP_QUICK = os.environ.get("ALPHORA_RUNNER_PGROUP_QUICK") == "1"
    reap()
    gc.collect()
    gc.freeze()                       # fewer copy-on-write faults in the forked children
    emit({"ev": "ready", "pid": os.getpid(), "version": VERSION, "kill_mode": MODE, "userns": USERNS})
    flush()
    poller.register(0, POLLIN)
    poller.register(WAKE_R, POLLIN)
    stdin_state = [[], 0, False]
    nxt = check_timers(time.monotonic())
    while True:
        timeout = None if nxt is None else max(0, int((nxt - time.monotonic()) * 1000) + 1)
        if shutdown_at is not None:
            timeout = 50 if timeout is None else min(timeout, 50)
        for fd, ev in poller.poll(timeout):
            if fd == 0:
                on_stdin(stdin_state)
            elif fd == WAKE_R:
                try:
                    while os.read(WAKE_R, 4096):
                        pass
                except (BlockingIOError, InterruptedError):
                    pass
                reap()
            else:
                entry = by_fd.get(fd)
                if entry is None:
                    continue
                owner, role = entry
                if role == "cell":
                    if ev & select.POLLOUT:
                        on_cell_writable(owner)
                    if ev & ~select.POLLOUT and fd in by_fd:
                        on_cell_readable(owner)
                elif role == "in":
                    pump_stdin(owner)
                elif role == "q":
                    on_quit(owner, fd)
                else:
                    on_output(owner, fd, role)
        nxt = check_timers(time.monotonic())
        flush()
        if shutdown_at is not None and (not runs or time.monotonic() > shutdown_at):
            for cell in list(cells.values()):
                destroy(cell)
            for run in list(runs.values()):
                if not run.exited:
                    send_exit(run)
            flush()
            await_cells(0.5)
            os._exit(0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""attack_extract.py SIGNAL CWD ERRFILE -- COMMAND...: for
tests/cli/extract-secrets.sh, run as the same unprivileged user as COMMAND
(an instantly-extract held up by a slow fake API): start COMMAND in CWD with
core dumps allowed (RLIMIT_CORE unlimited), give it a second to read its key,
then try what another process of the same user could do to get the key:
read /proc/PID/environ, read /proc/PID/mem, ptrace(PTRACE_ATTACH); print
/proc/PID/limits' core line; send SIGNAL (ABRT or SEGV) and say how it ended
and whether the kernel dumped core, and which core files CWD holds.

$ATTACK_SECRET is the key to look for; it is never printed. One line per
finding on stdout ("environ: refused", "mem: readable, key present", ...)."""
import ctypes
import errno
import os
import resource
import signal
import subprocess
import sys
import time

PTRACE_ATTACH, PTRACE_DETACH, WALL = 16, 17, 0x40000000


def allow_core():
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def why(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def main():
    sig = getattr(signal, "SIG" + sys.argv[1])
    cwd, errfile = sys.argv[2], sys.argv[3]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    secret = os.environ["ATTACK_SECRET"].encode()
    print("core rlimit of the attacker: %s" % (resource.getrlimit(resource.RLIMIT_CORE),))
    with open(errfile, "wb") as err:
        child = subprocess.Popen(cmd, cwd=cwd, preexec_fn=allow_core, stdout=subprocess.DEVNULL, stderr=err)
    pid = child.pid
    time.sleep(1.0)
    if child.poll() is not None:
        print("extract: ended early (%s)" % child.returncode)
        return 1
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = f.read()
        print("environ: readable, key %s" % ("present" if secret in env else "absent"))
    except OSError as e:
        print("environ: refused (%s)" % why(e))
    try:
        found = False
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read().splitlines()
        with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
            for line in maps:
                parts = line.split()
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                if not parts[1].startswith("rw") or hi - lo > 1 << 28:
                    continue
                try:
                    mem.seek(lo)
                    if secret in mem.read(hi - lo):
                        found = True
                except OSError:
                    pass
        print("mem: readable, key %s" % ("present" if found else "absent"))
    except OSError as e:
        print("mem: refused (%s)" % why(e))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        os.waitpid(pid, WALL)
        libc.ptrace(PTRACE_DETACH, pid, None, None)
        print("ptrace: attached")
    else:
        print("ptrace: refused (%s)" % errno.errorcode.get(ctypes.get_errno(), "?"))
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                print("core limit: %s %s" % tuple(line.split()[4:6]))
    os.kill(pid, sig)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print("ended: signal %d, core dumped: %s" % (os.WTERMSIG(status), "yes" if os.WCOREDUMP(status) else "no"))
    else:
        print("ended: exit %d, core dumped: no" % os.WEXITSTATUS(status))
    cores = sorted(n for n in os.listdir(cwd) if n.startswith("core"))
    print("core files: %s" % (" ".join(cores) if cores else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

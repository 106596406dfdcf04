#!/usr/bin/env python3
"""Run a command; report its peak resident memory; optionally bound the
size of the files it writes.

    peak_rss.py [--rss FILE] [--fsize BYTES] [--term-after SECONDS] -- CMD...

--rss FILE         write the command's peak RSS in KiB (getrusage of the
                   child: ru_maxrss) to FILE
--fsize BYTES      RLIMIT_FSIZE for the command, with SIGXFSZ ignored: a write
                   past BYTES in any file it writes (a temporary file too)
                   fails with EFBIG instead of passing unseen
--term-after S     send SIGTERM after S seconds (measure a run that would go on)

Exits with the command's status (128+N after signal N).
"""
import argparse
import resource
import signal
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rss")
    p.add_argument("--fsize", type=int)
    p.add_argument("--term-after", type=float)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

    def limit():
        if a.fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (a.fsize, a.fsize))

    proc = subprocess.Popen(cmd, preexec_fn=limit)
    try:
        rc = proc.wait(timeout=a.term_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait()
    if a.rss:
        with open(a.rss, "w") as f:
            f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return 128 - rc if rc < 0 else rc


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Helpers of bench/transform.sh: measure one command, count rows, report.

  measure.py run RESULTS.tsv SIZE LABEL RUN [--fresh-dir DIR] [--log FILE]
                 [--ok-status 0,1] -- CMD...
      Run CMD once (stdout to /dev/null, stderr to FILE) and append
      "SIZE LABEL RUN wall_seconds peak_rss_kb" to RESULTS.tsv. Wall time
      is measured with a monotonic clock around the spawn and the wait.
      Peak RSS is GNU time's %M (ru_maxrss from wait4 of a child that GNU
      time forks: its pre-exec footprint is GNU time's ~1 MB, not this
      Python process's ~14 MB, which Linux would otherwise carry over
      through exec into ru_maxrss). Without /usr/bin/time, ru_maxrss of our
      own child is used and a warning says it includes Python's footprint.
      --fresh-dir empties DIR first (outputs of the previous run). An exit
      status outside --ok-status (default 0) is a failure: measure.py exits
      non-zero.

  measure.py rows DIR
      Print "table rows" for each TABLE.csv in DIR (CSV records, not lines).

  measure.py report RESULTS.tsv META_N META_5N TRANSFORM_LABEL [CHECKS]
      Print the table and the target checks. CHECKS holds "SIZE LABEL ok|bad"
      lines from the driver's row-count check.
"""

import csv
import json
import os
import shutil
import sys
import time

GNU_TIME = "/usr/bin/time"


def cmd_run(argv):
    if "--" not in argv:
        sys.exit("measure.py run: missing -- CMD")
    i = argv.index("--")
    opts, cmd = argv[:i], argv[i + 1:]
    results, size, label, run = opts[:4]
    fresh = log = None
    ok = {0}
    rest = opts[4:]
    while rest:
        if rest[0] == "--fresh-dir":
            fresh = rest[1]
        elif rest[0] == "--log":
            log = rest[1]
        elif rest[0] == "--ok-status":
            ok = {int(x) for x in rest[1].split(",")}
        else:
            sys.exit("measure.py run: unknown option " + rest[0])
        rest = rest[2:]
    if fresh:
        shutil.rmtree(fresh, ignore_errors=True)
        os.makedirs(fresh)
    fa = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    if log:
        fa.append((os.POSIX_SPAWN_OPEN, 2, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
    gnu_time = GNU_TIME if os.access(GNU_TIME, os.X_OK) else None
    full = cmd
    if gnu_time:
        tfile = results + ".time"
        full = [gnu_time, "-f", "%M %U %S", "-o", tfile, "--"] + cmd
    else:
        print("measure.py: warning: %s not found (Debian package 'time'); peak RSS includes "
              "the Python parent's pre-exec footprint" % GNU_TIME, file=sys.stderr)
    t0 = time.perf_counter()
    try:
        pid = os.posix_spawnp(full[0], full, os.environ, file_actions=fa)
    except OSError as e:
        sys.exit("measure.py: cannot run %s: %s" % (full[0], e))
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss
    cpu = ru.ru_utime + ru.ru_stime      # includes GNU time's own (~0)
    if gnu_time:
        try:
            with open(tfile) as f:
                last = f.read().split("\n")
            rss = int([l for l in last if l.strip()][-1].split()[0])
        except (OSError, ValueError, IndexError):
            if code in ok:
                sys.exit("measure.py: cannot read GNU time's output for " + label)
    if code not in ok:
        print("measure.py: %s failed (exit status %d): %s" % (label, code, " ".join(cmd)),
              file=sys.stderr)
        if log and os.path.exists(log):
            with open(log, errors="replace") as f:
                tail = f.read()[-2000:]
            print(tail, file=sys.stderr)
        sys.exit(code if code > 0 else 128 - code)
    with open(results, "a") as f:
        f.write("%s\t%s\t%s\t%.4f\t%d\t%.3f\n" % (size, label, run, wall, rss, cpu))
    print("  %-6s %-22s run %s: %8.2f s wall %8.2f s cpu %7.1f MB%s" % (
        size, label, run, wall, cpu, rss / 1024, "" if code == 0 else "  (exit status %d)" % code),
        file=sys.stderr)


def cmd_rows(argv):
    d = argv[0]
    csv.field_size_limit(1 << 30)
    for t in ("synced_leads", "campaigns", "campaign_analytics",
              "campaign_analytics_overview", "leads_complete"):
        p = os.path.join(d, t + ".csv")
        if not os.path.exists(p):
            print(t, "missing")
            continue
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            n = sum(1 for _ in csv.reader(f)) - 1
        print(t, n)


def fmt_int(n):
    return "{:,}".format(int(round(n)))


def cmd_report(argv):
    results, meta_n, meta_5n, tlabel = argv[:4]
    checks = {}
    if len(argv) > 4 and os.path.exists(argv[4]):
        for line in open(argv[4]):
            size, label, verdict = line.rstrip("\n").split("\t")
            checks[(size, label)] = verdict
    metas = {}
    for key, p in (("N", meta_n), ("5N", meta_5n)):
        if p and os.path.exists(p):
            with open(p) as f:
                metas[key] = json.load(f)
    best = {}
    runs = {}
    for line in open(results):
        size, label, run, wall, rss, cpu = line.rstrip("\n").split("\t")
        k = (size, label)
        wall, rss, cpu = float(wall), int(rss), float(cpu)
        b = best.setdefault(k, [wall, rss, cpu])
        if wall < b[0]:
            b[0], b[2] = wall, cpu        # cpu time of the best run
        b[1] = max(b[1], rss)
        runs[k] = runs.get(k, 0) + 1

    labels = ["zcat", tlabel, "python baseline"]
    print()
    print("%-5s %9s %-20s %4s %8s %8s %10s %7s %11s %7s" % (
        "size", "leads", "command", "runs", "best s", "cpu s", "leads/s", "MB/s", "peak RSS MB", "× zcat"))
    print("-" * 99)
    for size in ("N", "5N"):
        m = metas.get(size)
        if not m:
            continue
        z = best.get((size, "zcat"))
        for lab in labels:
            b = best.get((size, lab))
            if not b:
                continue
            wall, rss, cpu = b
            print("%-5s %9s %-20s %4d %8.2f %8.2f %10s %7.1f %11.1f %7.2f" % (
                size, fmt_int(m["leads"]), lab, runs[(size, lab)], wall, cpu,
                fmt_int(m["leads"] / wall), m["uncompressed_bytes"] / 1e6 / wall,
                rss / 1024, wall / z[0] if z else float("nan")))
        print()
    for size in ("N", "5N"):
        m = metas.get(size)
        if m:
            print("%-3s archive: %s leads, %s lines, %.1f MB uncompressed, %.1f MB gzip (%.1f:1)" % (
                size, fmt_int(m["leads"]), fmt_int(m["lines"]), m["uncompressed_bytes"] / 1e6,
                m["file_bytes"] / 1e6, m["uncompressed_bytes"] / m["file_bytes"]))
    print()
    for size in ("N", "5N"):
        t = best.get((size, tlabel))
        p = best.get((size, "python baseline"))
        if t and p:
            print("python baseline / %s (%s): %.1f× (wall time)" % (tlabel, size, p[0] / t[0]))
    print()
    print("Targets (informative):")

    def check(ok, text):
        print("  %s  %s" % ("PASS" if ok else "MISS", text))

    for size in ("N", "5N"):
        if (size, tlabel) in checks:
            check(checks[(size, tlabel)] == "ok",
                  "%s wrote every row the archive holds (%s)" % (tlabel, size))
    for size in ("N", "5N"):
        t, z = best.get((size, tlabel)), best.get((size, "zcat"))
        if t and z:
            r = t[0] / z[0]
            check(r <= 1.5, "wall time ≤ 1.5× zcat (%s): %.2f s vs %.2f s = %.2f×" % (size, t[0], z[0], r))
    for size in ("N", "5N"):
        t, p = best.get((size, tlabel)), best.get((size, "python baseline"))
        if t and p:
            r = p[0] / t[0]
            check(r >= 5, "≥ 5× faster than the Python baseline (%s): %.1f×" % (size, r))
    for size in ("N", "5N"):
        t = best.get((size, tlabel))
        if t:
            check(t[1] <= 16 * 1024, "peak RSS ≤ 16 MB (%s): %.1f MB" % (size, t[1] / 1024))
    t1, t5 = best.get(("N", tlabel)), best.get(("5N", tlabel))
    if t1 and t5:
        grow = t5[1] - t1[1]
        flat = grow <= max(1024, 0.10 * t1[1])
        check(flat, "peak RSS flat when the archive grows 5× (N→5N): %.1f MB → %.1f MB (%+.1f MB, %+.0f%%; "
              "flat = at most +10%% or +1 MB)" % (t1[1] / 1024, t5[1] / 1024, grow / 1024,
                                                100.0 * grow / t1[1]))
        print("  info  throughput N→5N: %s → %s leads/s" % (
            fmt_int(metas["N"]["leads"] / t1[0]), fmt_int(metas["5N"]["leads"] / t5[0])))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "run":
        cmd_run(argv)
    elif cmd == "rows":
        cmd_rows(argv)
    elif cmd == "report":
        cmd_report(argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

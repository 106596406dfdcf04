#!/usr/bin/env python3
"""Archives for bench/portal.sh, derived from bench/gen_archive.py's.

usage: portal_night.py remap IN OUT --clients K
       portal_night.py night2 IN OUT [--seed S] [--changed 0.05] [--removed 0.01] [--new 0.01]

remap: gen_archive.py maps its campaigns to 3 clients; this gives the
(client, campaign) pairs of IN, in order of first appearance, to K clients
round-robin (client i is c1000000-0000-4000-8000-<i, 12 digits>): pair p
belongs to client p mod K. Every line's client_id is rewritten (the
run_summary's campaign map too); nothing else changes.

night2: the next night's archive of the same workspace (issue 8's shape):
every envelope's extracted_at one day later; of the leads, --changed have
new activity (one more open; a third of them a reply, then an interest code;
timestamp_updated and timestamp_last_touch moved on), --removed are gone
from their campaign (the complete listing no longer holds them) and --new
are new leads (a copy of a lead with a new id and no activity). The
leads_complete markers count the leads listed.

Streams gzip in and out (gzip level 1, mtime 0); only changed leads are
parsed as JSON. Deterministic for (IN, seed, fractions).
"""

import argparse
import gzip
import json
import random
import re
import sys
import time

ENV = re.compile(r'^\{"v":1,"type":"([a-z_]+)","client_id":(null|"[0-9a-f-]{36}"),"campaign_id":(null|"[0-9a-f-]{36}"),'
                 r'"extracted_at":"([0-9T:.Z-]+)"')


def client_uuid(i):
    return "c1000000-0000-4000-8000-%012d" % i


def shift(ts, days=1):
    base, frac = ts[:19], ts[19:]
    t = time.strptime(base, "%Y-%m-%dT%H:%M:%S")
    s = int(time.mktime(t) - time.timezone) + days * 86400
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + frac


class GzOut:
    """gzip (level 1, mtime 0, no name); close() closes the file too."""

    def __init__(self, path):
        self.raw = open(path, "wb")
        self.gz = gzip.GzipFile(filename="", mode="wb", compresslevel=1, fileobj=self.raw, mtime=0)
        self.write = self.gz.write

    def close(self):
        self.gz.close()
        self.raw.close()


def opener(path, mode):
    """Read: gzip or plain, by the magic number. Write: gzip when the name ends in .gz."""
    if mode == "r":
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        return gzip.open(path, "rt", encoding="utf-8", newline="\n") if gz else open(path, "r", newline="\n")
    return GzOut(path) if path.endswith(".gz") else open(path, "wb")


def remap(a):
    pairs = {}
    out = opener(a.out, "w")
    with opener(a.inp, "r") as f:
        for line in f:
            m = ENV.match(line)
            if not m:
                sys.exit("portal_night.py: %s: not an archive line: %.80s" % (a.inp, line))
            if m.group(1) == "run_summary":
                d = json.loads(line)
                camps = {}
                for k, v in d["data"].get("campaigns", {}).items():
                    c, k2 = k.split("/")
                    p = pairs.get((c, k2))
                    camps[(client_uuid(p % a.clients) if p is not None else c) + "/" + k2] = v
                d["data"]["campaigns"] = camps
                line = json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n"
            else:
                c, k = m.group(2)[1:-1], m.group(3)[1:-1]
                p = pairs.setdefault((c, k), len(pairs))
                line = line[:m.start(2)] + '"' + client_uuid(p % a.clients) + '"' + line[m.end(2):]
            out.write(line.encode("utf-8"))
    out.close()
    print("portal_night.py: %d pairs over %d clients" % (len(pairs), min(a.clients, len(pairs))), file=sys.stderr)


def night2(a):
    rng = random.Random(a.seed)
    shifted = {}
    out = opener(a.out, "w")
    listed = {}
    n = {"changed": 0, "removed": 0, "new": 0, "leads": 0}
    with opener(a.inp, "r") as f:
        for line in f:
            m = ENV.match(line)
            if not m:
                sys.exit("portal_night.py: %s: not an archive line: %.80s" % (a.inp, line))
            typ, ext = m.group(1), m.group(4)
            if ext not in shifted:
                shifted[ext] = shift(ext)
            line = line[:m.start(4)] + shifted[ext] + line[m.end(4):]
            pair = (m.group(2), m.group(3))
            if typ == "lead":
                n["leads"] += 1
                r = rng.random()
                if r < a.removed:
                    n["removed"] += 1
                    continue
                if r < a.removed + a.changed:
                    d = json.loads(line)
                    x = d["data"]
                    x["email_open_count"] = int(x.get("email_open_count") or 0) + 1
                    if rng.random() < 0.33:
                        x["email_reply_count"] = int(x.get("email_reply_count") or 0) + 1
                        x["lt_interest_status"] = rng.choice((1, 1, 0, -1))
                    upd = shift(x.get("timestamp_updated") or ext)
                    x["timestamp_updated"] = upd
                    x["timestamp_last_touch"] = upd
                    x["timestamp_last_open"] = upd
                    line = json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n"
                    n["changed"] += 1
                listed[pair] = listed.get(pair, 0) + 1
                if rng.random() < a.new:
                    d = json.loads(line)
                    x = d["data"]
                    x["id"] = "%08x-%04x-4%03x-8%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                                              rng.getrandbits(12), rng.getrandbits(12),
                                                              rng.getrandbits(48))
                    for k in ("email_open_count", "email_reply_count", "email_click_count"):
                        x[k] = 0
                    for k in ("timestamp_last_touch", "timestamp_last_open", "timestamp_last_reply",
                              "timestamp_last_click", "timestamp_last_contact", "lt_interest_status",
                              "timestamp_last_interest_change"):
                        x.pop(k, None)
                    x["status_summary"] = {}
                    x["status"] = 1
                    out.write(line.encode("utf-8"))
                    line = json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n"
                    listed[pair] += 1
                    n["new"] += 1
            elif typ == "leads_complete":
                d = json.loads(line)
                d["data"]["leads"] = listed.get(pair, 0)
                line = json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n"
            out.write(line.encode("utf-8"))
    out.close()
    print("portal_night.py: night 2 of %d leads: %d changed, %d removed, %d new" % (
        n["leads"], n["changed"], n["removed"], n["new"]), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("remap")
    r.add_argument("inp")
    r.add_argument("out")
    r.add_argument("--clients", type=int, required=True)
    g = sub.add_parser("night2")
    g.add_argument("inp")
    g.add_argument("out")
    g.add_argument("--seed", type=int, default=2)
    g.add_argument("--changed", type=float, default=0.05)
    g.add_argument("--removed", type=float, default=0.01)
    g.add_argument("--new", type=float, default=0.01)
    a = ap.parse_args()
    if a.cmd == "remap" and a.clients < 1:
        ap.error("--clients must be at least 1")
    (remap if a.cmd == "remap" else night2)(a)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks of instantly-extract's output, for tests/cli/extract.sh.

    extract_check.py summary ARCHIVE
        print facts about an archive, one per line, for the shell to grep:
          count TYPE N            records per type
          lines N                 all lines
          leads CLIENT CAMPAIGN N lead records per (client, campaign)
          complete CLIENT CAMPAIGN LEADS PAGES   each leads_complete
          dup_leads N             (client, lead id) pairs written twice
          last TYPE               type of the last line
          status CLIENT CAMPAIGN S   from the run_summary
          summary KEY VALUE       run_summary counters (requests, retries,
                                  http_429, http_5xx, status, ...)
          window START END        start_date/end_date of analytics records
                                  (one line per distinct pair)
          extracted_at_ok 0|1     every extracted_at a UTC ms timestamp
    extract_check.py verbatim ARCHIVE WSDIR
        every record's data is, byte for byte, an item the fake served from
        WSDIR (leads/, campaigns.json, daily/, overview/)
    extract_check.py requests STATS START END UNMAPPED...
        the requests the fake saw (its /_stats JSON): every lead listing
        names the singular "campaign" and limit 100 and no other filter;
        every analytics call names the window (the end as its last instant);
        a User-Agent and a Bearer
        token on each; no request about an UNMAPPED campaign
    extract_check.py tables DIR_A DIR_B
        the COPY CSVs in two transform outputs hold the same rows, the
        extracted_at column aside (leads_complete.csv not compared)
"""
import csv
import gzip
import json
import os
import re
import sys
from collections import Counter

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def lines(path):
    op = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with op(path, "rb") as f:
        for raw in f:
            yield raw.rstrip(b"\n")


def data_text(raw):
    """The bytes of the envelope's data value (the last key: written last)."""
    i = raw.index(b',"data":')
    return raw[i + 8:-1]


def summary(path):
    counts, per, dup, seen = Counter(), Counter(), 0, set()
    windows, ts_ok, last, n = set(), 1, None, 0
    for raw in lines(path):
        n += 1
        r = json.loads(raw)
        t = r["type"]
        counts[t] += 1
        last = r
        if not TS.match(r.get("extracted_at") or ""):
            ts_ok = 0
        if t == "lead":
            per[(r["client_id"], r["campaign_id"])] += 1
            k = (r["client_id"], r["data"]["id"])
            dup += k in seen
            seen.add(k)
        elif t == "leads_complete":
            print("complete", r["client_id"], r["campaign_id"], r["data"]["leads"], r["data"]["pages"])
        if "start_date" in r:
            windows.add((r["start_date"], r["end_date"]))
    for t, c in sorted(counts.items()):
        print("count", t, c)
    print("lines", n)
    for (c, k), v in sorted(per.items()):
        print("leads", c, k, v)
    print("dup_leads", dup)
    print("extracted_at_ok", ts_ok)
    for w in sorted(windows):
        print("window", *w)
    if last is not None:
        print("last", last["type"])
        if last["type"] == "run_summary":
            d = last["data"]
            for k in ("requests", "retries", "http_429", "http_5xx", "transport_errors", "status"):
                print("summary", k, d.get(k))
            for c in d.get("campaigns", []):
                print("status", c["client_id"], c["campaign_id"], c["status"])
                if c.get("error"):
                    print("error", c["client_id"], c["campaign_id"], c["error"])


def verbatim(path, ws):
    served = set()

    def add_file(p):
        with open(p, "rb") as f:
            for ln in f:
                ln = ln.rstrip(b"\n").rstrip(b",")
                if ln not in (b"[", b"]", b""):
                    served.add(ln)
    add_file(os.path.join(ws, "campaigns.json"))
    for sub in ("leads", "daily"):
        for name in os.listdir(os.path.join(ws, sub)):
            add_file(os.path.join(ws, sub, name))
    for name in os.listdir(os.path.join(ws, "overview")):
        with open(os.path.join(ws, "overview", name), "rb") as f:
            served.add(f.read().strip())
    bad = 0
    for raw in lines(path):
        t = json.loads(raw)["type"]
        if t in ("lead", "campaign", "analytics_daily", "analytics_overview") and data_text(raw) not in served:
            bad += 1
            if bad <= 3:
                print("not served verbatim:", data_text(raw)[:300])
    if bad:
        sys.exit("%d records differ from what the API sent" % bad)


def requests(stats, start, end, unmapped):
    d = json.load(open(stats))
    bad = []
    for r in d["requests"]:
        where = "%s %s %s" % (r["method"], r["path"], json.dumps(r.get("query")))
        if not r.get("user_agent"):
            bad.append("no User-Agent: " + where)
        if not (r.get("authorization") or "").startswith("Bearer <len"):
            bad.append("no Bearer token: " + where)
        text = json.dumps(r)
        for u in unmapped:
            if u in text:
                bad.append("asked about the unmapped campaign: " + where)
        if r["endpoint"] == "POST /api/v2/leads/list":
            b = r.get("body")
            if not isinstance(b, dict) or set(b) - {"campaign", "limit", "starting_after"} or \
                    "campaign" not in b or b.get("limit") != 100:
                bad.append("lead listing body: %s" % json.dumps(b))
        if "analytics" in r["path"]:
            q = r.get("query") or {}
            if q.get("start_date") != start or q.get("end_date") != end + "T23:59:59.999Z":
                bad.append("analytics window: " + where)
        if r["endpoint"] == "GET /api/v2/campaigns" and (r.get("query") or {}).get("limit") != "100":
            bad.append("campaign listing without limit=100: " + where)
    if d["leads_list"]["ignored_keys"] or d["leads_list"]["without_campaign"]:
        bad.append("leads_list: %s" % json.dumps(d["leads_list"]))
    if d.get("window_fallbacks"):
        bad.append("window fallbacks: %s" % json.dumps(d["window_fallbacks"])[:300])
    for b in bad[:10]:
        print(b)
    if bad:
        sys.exit(1)


def table_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    i = head.index("extracted_at")
    return head, sorted(tuple(x for j, x in enumerate(r) if j != i) for r in body)


def tables(a, b):
    bad = 0
    for name in sorted(os.listdir(a)):
        if not name.endswith(".csv") or name == "leads_complete.csv":
            continue
        ha, ra = table_rows(os.path.join(a, name))
        hb, rb = table_rows(os.path.join(b, name))
        if ha != hb or ra != rb:
            bad += 1
            print("%s differs: %d rows vs %d" % (name, len(ra), len(rb)))
            for x, y in zip(ra, rb):
                if x != y:
                    print("  ", x[:6], "\n  ", y[:6])
                    break
    if bad:
        sys.exit(1)


def main(argv):
    cmd = argv[1]
    if cmd == "summary":
        summary(argv[2])
    elif cmd == "verbatim":
        verbatim(argv[2], argv[3])
    elif cmd == "requests":
        requests(argv[2], argv[3], argv[4], argv[5:])
    elif cmd == "tables":
        tables(argv[2], argv[3])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)

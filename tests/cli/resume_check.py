#!/usr/bin/env python3
"""Compare an archive written by interrupted and resumed runs of
instantly-extract --resume with an uninterrupted run's.

    resume_check.py EXPECTED.gz ACTUAL.gz...

Both are read as gzip (several members: one archive) or plain NDJSON. They
must hold the same records, each exactly as often: every line but the
run_summary, with only extracted_at taken out (the time a response came,
which legitimately differs); the run_summary must be the last line, once,
and say the same per campaign (status, leads, pages, leads_complete,
daily_rows, overview, error), the same item counts, status, window and
base URL (requests, retries and times differ). No lead may be there twice
for one (client, campaign). Prints what differs; exit status 0 when
nothing does in any ACTUAL.
"""
import collections
import gzip
import json
import re
import sys
import zlib


EXTRACTED_AT = re.compile(rb',"extracted_at":"[^"]*"')


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def split(path):
    """The records (lines without extracted_at, counted), the run_summary
    lines, the last line's type."""
    items, summaries, last = collections.Counter(), [], None
    for n, line in enumerate(read(path), 1):
        last = "run_summary" if b'"type":"run_summary"' in line[:40] else "other"
        if last == "run_summary":
            summaries.append((n, json.loads(line)))
            continue
        norm = EXTRACTED_AT.sub(b"", line, count=1)
        if norm == line:
            raise SystemExit("%s:%d: no extracted_at" % (path, n))
        items[norm] += 1
    return items, summaries, last


def summary_facts(rec):
    d = rec["data"]
    camps = sorted(
        (c["client_id"], c["campaign_id"], c["status"], c["leads"], c["pages"], c["leads_complete"],
         c["daily_rows"], c["overview"], c["error"]) for c in d["campaigns"])
    return {"status": d["status"], "items": d["items"], "window": d["window"], "base_url": d["base_url"],
            "campaigns": camps}


def check(exp_items, exp_sum, path):
    """What differs between the expected archive and the one at path."""
    try:
        got_items, got_sum, got_last = split(path)
    except (OSError, EOFError, zlib.error, ValueError) as e:
        return ["not a whole archive: %s" % e]
    bad = []
    twice = [k for k, v in got_items.items() if v > 1 and b'"type":"lead"' in k[:40]]
    if twice:
        bad.append("%d lead records twice or more, e.g. %s" % (len(twice), twice[0][:200]))
    if got_items != exp_items:
        missing = exp_items - got_items
        extra = got_items - exp_items
        bad.append("records differ: %d missing, %d extra" % (sum(missing.values()), sum(extra.values())))
        for k in list(missing)[:3]:
            bad.append("  missing: %r" % k[:300])
        for k in list(extra)[:3]:
            bad.append("  extra:   %r" % k[:300])
    if len(got_sum) != 1 or got_last != "run_summary":
        bad.append("%d run_summary lines, the last line a %s" % (len(got_sum), got_last))
    elif summary_facts(got_sum[0][1]) != summary_facts(exp_sum[0][1]):
        bad.append("run summaries differ:\n  expected %s\n  got      %s" % (
            json.dumps(summary_facts(exp_sum[0][1]))[:2000], json.dumps(summary_facts(got_sum[0][1]))[:2000]))
    return bad


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: resume_check.py EXPECTED ACTUAL...")
    exp_items, exp_sum, _ = split(sys.argv[1])
    failed = 0
    for path in sys.argv[2:]:
        bad = check(exp_items, exp_sum, path)
        if bad:
            failed += 1
            print("%s:" % path)
            for b in bad:
                print("  " + b)
        else:
            print("%s: same, %d records" % (path, sum(exp_items.values())))
    return 1 if failed else 0
if __name__ == "__main__":
    sys.exit(main())

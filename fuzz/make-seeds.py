#!/usr/bin/env python3
"""fuzz/make-seeds.py OUTDIR [TRANSFORM]: the raw seed inputs of every fuzz
target, from the project's samples and test fixtures, JSONTestSuite's parsing
cases (tests/data/jsontestsuite) and the recorded real API items
(tests/data/real-instantly).

The committed corpus (fuzz/corpus/TARGET) is these seeds minimised with
libFuzzer's -merge=1 (see fuzz/README.md); this script says where they came
from and makes them again. TRANSFORM (an instantly-transform binary) is used
to make the loader's seeds from real transform output directories.
"""
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(top, "tests", "data")
out = sys.argv[1]
transform = sys.argv[2] if len(sys.argv) > 2 else None
TABLES = ["synced_leads", "campaigns", "campaign_analytics", "campaign_analytics_overview", "leads_complete"]


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


jts = sorted(glob.glob(os.path.join(data, "jsontestsuite", "test_parsing", "*.json")))
real = sorted(glob.glob(os.path.join(data, "real-instantly", "*.json")))
if not jts or not real:
    sys.exit("make-seeds.py: no JSONTestSuite cases or real items under %s" % data)
fixtures = sorted(glob.glob(os.path.join(top, "tests", "data", "transform", "*", "input.ndjson")))
sample = read(os.path.join(top, "samples", "sample.ndjson"))

# ---- fuzz_transform: archives ------------------------------------------------
put("fuzz_transform", "sample.ndjson", sample)
put("fuzz_transform", "sample.ndjson.gz", gzip.compress(sample, mtime=0))
for f in fixtures:
    put("fuzz_transform", os.path.basename(os.path.dirname(f)) + ".ndjson", read(f))
# every JSONTestSuite case as an archive line
for f in jts:
    put("fuzz_transform", "jts-" + os.path.basename(f), read(f))
# every real item in the envelope the extract writes around it
KIND = {"campaign": "campaign", "lead": "lead", "analytics_daily": "analytics_daily",
        "analytics_overview": "analytics_overview"}
for f in real:
    kind = os.path.basename(f).split("__")[0]
    if kind not in KIND:
        continue
    item = json.loads(read(f))
    env = {"v": 1, "type": KIND[kind], "client_id": "11111111-1111-4111-8111-111111111111",
           "campaign_id": item.get("campaign") or item.get("id") or item.get("campaign_id")
           or "8ad64aaf-8294-4538-8400-4a99dcf016e8",
           "extracted_at": "2026-11-27T02:00:01.204Z"}
    if kind.startswith("analytics"):
        env["start_date"], env["end_date"] = "2026-10-28", "2026-11-26"
    env["data"] = item
    put("fuzz_transform", "real-" + os.path.basename(f)[:-5] + ".ndjson",
        json.dumps(env, ensure_ascii=False, separators=(",", ":")) + "\n")

# ---- fuzz_page: header (6 bytes) + body --------------------------------------
# header byte 0: shape (0 list, 1 array, 2 object) | 4 tag | 8 small items |
# 16 stop at item 3 | 32 an abandoned first attempt; bytes 1-5 chunk sizes - 1
def page(name, flags, chunks, body):
    put("fuzz_page", name, bytes([flags] + chunks) + (body.encode() if isinstance(body, str) else body))


by_kind = {}
for f in real:
    by_kind.setdefault(os.path.basename(f).split("__")[0], []).append(read(f))
for kind, items in by_kind.items():
    if kind == "analytics_daily":
        page(kind + "-array", 1, [0, 6, 63, 254, 2], b"[" + b",".join(items[:6]) + b"]")
    else:
        for i, it in enumerate(items[:4]):
            page("%s-object-%d" % (kind, i), 2 | 4, [0, 0, 1, 31, 200], it)
        page(kind + "-list", 0 | 4, [0, 2, 15, 127, 255],
             b'{"items":[' + b",".join(items[:4]) + b'],"next_starting_after":"' +
             (b"019a4e2f-3c1d-7000-8000-00000000abcd") + b'"}')
        page(kind + "-list-stop", 0 | 16 | 32, [3, 3, 3, 3, 3],
             b'{"items":[' + b",".join(items[:4]) + b'],"next_starting_after":null}')
page("error-200", 0, [0, 0, 0, 0, 0], '{"error":"Too Many Requests","message":"slow down"}')
page("error-object", 2, [1, 1, 1, 1, 1], '{"error":{"code":42}}')
page("empty-list", 0, [0, 0, 0, 0, 0], '{"items":[]}')
page("small-items", 8 | 4, [0, 1, 2, 3, 4], '{"items":[{"id":"a"},{"id":"' + "x" * 100 + '"}]}')
for f in jts:
    b = read(f)
    page("jts-list-" + os.path.basename(f), 0, [0, 1, 2, 7, 255], b'{"items":[' + b + b"]}")
    page("jts-array-" + os.path.basename(f), 1, [0, 0, 0, 0, 0], b)

# ---- fuzz_clientmap: CSV ------------------------------------------------------
cm = read(os.path.join(top, "samples", "clients.csv"))
put("fuzz_clientmap", "clients.csv", cm)
put("fuzz_clientmap", "clients-crlf.csv", cm.replace(b"\n", b"\r\n"))
put("fuzz_clientmap", "clients-upper.csv", cm.upper().replace(b"CLIENT_ID,CAMPAIGN_ID", b"client_id,campaign_id"))
put("fuzz_clientmap", "workspaces.csv",
    'campaign_id,"client_id",api_key_env,note\n'
    '8ad64aaf-8294-4538-8400-4a99dcf016e8,11111111-1111-4111-8111-111111111111,,x\n'
    '9b6f458e-6dc5-4762-83d5-a528aedd2235,11111111-1111-4111-8111-111111111111,KEY_B,"a, b"\n'
    '9b6f458e-6dc5-4762-83d5-a528aedd2235,22222222-2222-4222-8222-222222222222,KEY_B,\n'
    '9b6f458e-6dc5-4762-83d5-a528aedd2235,22222222-2222-4222-8222-222222222222,KEY_B,repeat\n'
    '23189011-78cc-49db-8e32-da035d1b1135,33333333-3333-4333-8333-333333333333,INSTANTLY_API_KEY,\n')
put("fuzz_clientmap", "two-keys.csv",
    "client_id,campaign_id,api_key_env\n"
    "11111111-1111-4111-8111-111111111111,8ad64aaf-8294-4538-8400-4a99dcf016e8,A\n"
    "22222222-2222-4222-8222-222222222222,8ad64aaf-8294-4538-8400-4a99dcf016e8,B\n")
put("fuzz_clientmap", "bad-uuid.csv", "client_id,campaign_id\nnot-a-uuid,8ad64aaf-8294-4538-8400-4a99dcf016e8\n")
put("fuzz_clientmap", "quoted-newline.csv", 'client_id,campaign_id\n"11111111-1111-4111-8111-1111\n11111111",x\n')

# ---- fuzz_icp: synonyms file [NUL payload] -----------------------------------
syn = [read(os.path.join(top, "schemas", "icp-synonyms.conf"))]
syn += [read(f) for f in glob.glob(os.path.join(top, "tests", "data", "transform", "*", "synonyms.conf"))]
payloads = []
for f in real:
    if os.path.basename(f).startswith("lead__"):
        p = json.loads(read(f)).get("payload")
        if isinstance(p, dict) and p:
            payloads.append(json.dumps(p, ensure_ascii=False).encode())
for i, s in enumerate(syn):
    put("fuzz_icp", "syn-%d.conf" % i, s)
    for j, p in enumerate(payloads[:6]):
        put("fuzz_icp", "syn-%d-payload-%d" % (i, j), s + b"\0" + p)
put("fuzz_icp", "continued", "job_title: a, b\n  c,d # comment\n\twebsite: x\nindustry:\n")
put("fuzz_icp", "payload-kinds", b"job_title: Job Title, functie\nwebsite: url\n\0"
    b'{"Job-Title":"  CEO \\t","functie":"x","URL":12,"url":true,"website":null,"jobtitle":{"a":1}}')

# ---- fuzz_load: summary NUL 5 tables [NUL psql answer] -----------------------
if transform:
    inputs = [("sample", os.path.join(top, "samples", "sample.ndjson"))]
    inputs += [(os.path.basename(os.path.dirname(f)), f) for f in fixtures]
    for name, f in inputs:
        for fmt in ("csv", "text"):
            with tempfile.TemporaryDirectory() as d:
                r = subprocess.run([transform, "-q", "--format", fmt, "-o", d, f],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if not os.path.exists(os.path.join(d, "summary.json")):
                    continue
                ext = "csv" if fmt == "csv" else "txt"
                parts = [read(os.path.join(d, "summary.json"))]
                parts += [read(os.path.join(d, "%s.%s" % (t, ext))) for t in TABLES]
                put("fuzz_load", "%s-%s" % (name, fmt), b"\0".join(parts))
                if name == "sample":
                    known = b"f\n11111111-1111-4111-8111-111111111111 8ad64aaf-8294-4538-8400-4a99dcf016e8\n"
                    put("fuzz_load", "%s-%s-known" % (name, fmt), b"\0".join(parts + [known]))
                    put("fuzz_load", "%s-%s-psql-fails" % (name, fmt), b"\0".join(parts + [b"!t\n"]))

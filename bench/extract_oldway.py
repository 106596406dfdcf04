#!/usr/bin/env python3
"""The portal's old sync, the baseline of bench/extract.sh (stdlib only).

  extract_oldway.py --base-url URL --clients CSV --until YYYY-MM-DD --days N
                    [--api-key-file FILE] [--manifest manifest.json]
                    [--page-pause-ms 200] [--campaign-pause-ms 500]
                    [--output FILE] [--summary FILE]

Emulates what the portal did before instantly-extract: one request at a
time with plain urllib (a new connection per request, as urllib does), the
same endpoints and parameters as instantly-extract:

  GET  /api/v2/campaigns?limit=100[&starting_after=ID]   until an empty page
  for each mapped campaign (the client map's distinct campaign ids, in
  listing order):
    GET  /api/v2/campaigns/analytics/daily?campaign_id=ID&start_date=..&end_date=..
    GET  /api/v2/campaigns/analytics/overview?id=ID&start_date=..&end_date=..
    POST /api/v2/leads/list {"campaign":ID,"limit":100[,"starting_after":C]}
         until a page without items or without next_starting_after

sleeping 200 ms between pages (of any listing, and between the requests of
one campaign) and 500 ms between campaigns. A 429 is answered by a plain
sleep of one second and the same request again (at most 5 times); anything
else that is not 200 is an error. Nothing is written unless --output is
given (NDJSON lines, one per item, like the old code's dump).

The API key comes from $INSTANTLY_API_KEY or --api-key-file. Prints one
line on stdout:

  oldway: requests R leads L campaigns C http_429 N wall S

(--summary FILE: the same figures as a JSON object in FILE) and, with
--manifest, checks that L equals the manifest's leads of the
mapped campaigns (exit status 1 if not).
"""

import argparse
import csv
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

UA = "old-portal-sync"


class Client:
    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key
        self.requests = 0
        self.http_429 = 0

    def call(self, method, path, query=None, body=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Authorization": "Bearer " + self.key, "User-Agent": UA,
                   "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in range(6):
            self.requests += 1
            req = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(req, timeout=180) as resp:
                    return json.loads(resp.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                e.read()
                if e.code == 429 and attempt < 5:
                    self.http_429 += 1
                    time.sleep(1.0)
                    continue
                raise SystemExit("oldway: %s %s: HTTP %d" % (method, path, e.code))
        raise SystemExit("oldway: %s %s: still rate limited" % (method, path))


def main():
    ap = argparse.ArgumentParser(description="the portal's old sync (baseline)")
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--clients", required=True)
    ap.add_argument("--until", required=True)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--api-key-file")
    ap.add_argument("--manifest")
    ap.add_argument("--page-pause-ms", type=float, default=200)
    ap.add_argument("--campaign-pause-ms", type=float, default=500)
    ap.add_argument("--output")
    ap.add_argument("--summary")
    a = ap.parse_args()

    if a.api_key_file:
        with open(a.api_key_file) as f:
            key = f.readline().strip()
    else:
        key = os.environ.get("INSTANTLY_API_KEY", "")
    if not key:
        raise SystemExit("oldway: no API key ($INSTANTLY_API_KEY or --api-key-file)")
    until = datetime.date.fromisoformat(a.until)
    since = until - datetime.timedelta(days=a.days - 1)
    window = {"start_date": since.isoformat(), "end_date": until.isoformat()}
    page_pause = a.page_pause_ms / 1000.0
    camp_pause = a.campaign_pause_ms / 1000.0

    with open(a.clients, newline="") as f:
        mapped = {row["campaign_id"].strip().lower() for row in csv.DictReader(f)}

    out = open(a.output, "w") if a.output else None

    def emit(kind, cid, item):
        if out:
            out.write(json.dumps({"type": kind, "campaign_id": cid, "data": item}) + "\n")

    api = Client(a.base_url, key)
    t0 = time.monotonic()

    # the campaign listing, page by page
    campaigns, cursor = [], None
    while True:
        q = {"limit": 100}
        if cursor:
            q["starting_after"] = cursor
        page = api.call("GET", "/api/v2/campaigns", q)
        items = page.get("items") or []
        campaigns.extend(items)
        cursor = page.get("next_starting_after")
        if not items or not cursor:
            break
        time.sleep(page_pause)

    leads_total, done = 0, 0
    for camp in campaigns:
        cid = str(camp.get("id", "")).lower()
        if cid not in mapped:
            continue
        if done:
            time.sleep(camp_pause)
        emit("campaign", cid, camp)
        for row in api.call("GET", "/api/v2/campaigns/analytics/daily",
                            dict(campaign_id=cid, **window)) or []:
            emit("analytics_daily", cid, row)
        time.sleep(page_pause)
        emit("analytics_overview", cid,
             api.call("GET", "/api/v2/campaigns/analytics/overview", dict(id=cid, **window)))
        cursor = None
        while True:
            time.sleep(page_pause)
            body = {"campaign": cid, "limit": 100}
            if cursor:
                body["starting_after"] = cursor
            page = api.call("POST", "/api/v2/leads/list", body=body)
            items = page.get("items") or []
            for lead in items:
                emit("lead", cid, lead)
            leads_total += len(items)
            cursor = page.get("next_starting_after")
            if not items or not cursor:
                break
        done += 1

    wall = time.monotonic() - t0
    if out:
        out.close()
    print("oldway: requests %d leads %d campaigns %d http_429 %d wall %.3f" % (
        api.requests, leads_total, done, api.http_429, wall))
    sys.stdout.flush()
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump({"requests": api.requests, "leads": leads_total, "campaigns": done,
                       "http_429": api.http_429, "wall": round(wall, 4)}, f)
            f.write("\n")
    if done != len(mapped):
        print("oldway: %d mapped campaigns, %d found in the listing" % (len(mapped), done),
              file=sys.stderr)
        return 1
    if a.manifest:
        with open(a.manifest) as f:
            m = json.load(f)
        want = m.get("leads_mapped")
        if want is None:
            want = sum(m["leads"][c] for c in m["mapped"])
        if leads_total != want:
            print("oldway: fetched %d leads, the manifest's mapped campaigns hold %d" % (
                leads_total, want), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

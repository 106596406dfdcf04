#!/usr/bin/env python3
"""tests/gen_archive.py: a small archive (NDJSON, as instantly-extract writes
it) of leads of one campaign of one client, for the load tests
(tests/cli/load.sh, tests/cli/load-delta.sh). bench/gen_archive.py makes the
large, realistic ones of the benchmarks.

usage: gen_archive.py [--analytics] OUT EXTRACTED_AT COMPLETE LEAD-SPEC...

  OUT            the file written (UTF-8, one record a line)
  EXTRACTED_AT   every record's extracted_at
  COMPLETE       1: a leads_complete marker ends the listing; 0: none (partial)
  LEAD-SPEC      N (the lead number: its id ends in N, its email is leadN@...)
                 or N=JSON (the lead's personalization: a JSON string or null;
                 without =, the lead has no personalization at all)
  --analytics    also an analytics_daily and an analytics_overview record

The client is 11111111-1111-4111-8111-111111111111; the campaign is
$CAMPAIGN, by default 9b6f458e-6dc5-4762-83d5-a528aedd2235.
"""
import argparse
import json
import os

CLIENT = "11111111-1111-4111-8111-111111111111"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--analytics", action="store_true")
    ap.add_argument("out")
    ap.add_argument("extracted_at")
    ap.add_argument("complete", choices=["0", "1"])
    ap.add_argument("specs", nargs="*", metavar="LEAD-SPEC")
    a = ap.parse_args()
    campaign = os.environ.get("CAMPAIGN", "9b6f458e-6dc5-4762-83d5-a528aedd2235")

    def env(t, data, **kw):
        d = {"v": 1, "type": t, "client_id": CLIENT, "campaign_id": campaign,
             "extracted_at": a.extracted_at}
        d.update(kw)
        d["data"] = data
        return json.dumps(d, ensure_ascii=False)

    lines = [env("campaign", {"id": campaign, "name": "Q4 NL", "status": 1})]
    for s in a.specs:
        n, eq, text = s.partition("=")
        lead = {"id": "019f19e7-cbee-7984-a98a-%012d" % int(n), "email": "lead%s@example.com" % n,
                "email_reply_count": 0, "payload": {"Functie": "CTO", "n": int(n)}}
        if eq:
            lead["personalization"] = json.loads(text)
        lines.append(env("lead", lead))
    if a.analytics:
        lines.append(env("analytics_daily", {"date": "2026-11-20", "sent": 10},
                         start_date="2026-08-29", end_date="2026-11-26"))
        lines.append(env("analytics_overview", {"emails_sent_count": 10, "total_opportunity_value": "12.50"},
                         start_date="2026-08-29", end_date="2026-11-26"))
    if a.complete == "1":
        lines.append(env("leads_complete", {"leads": len(a.specs), "pages": 1}))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The transform's files, loaded into a real PostgreSQL server started here,
# give back exactly what the input said, field by field: NULL vs '', quotes,
# commas, CR, LF, backslashes, a value that is exactly \. , a line that is
# exactly \. inside a value, 100 KB values, U+0000 -> U+FFFD, jsonb. CSV goes
# in through server-side COPY (and psql \copy where no value holds a \. line),
# the text format through psql \copy.
. "$(dirname "$0")/../lib.sh"
pg_start

python3 - "$T/in.ndjson" <<'PY'
import json, sys
C1 = "11111111-1111-4111-8111-111111111111"; C2 = "22222222-2222-4222-8222-222222222222"
K1 = "9b6f458e-6dc5-4762-83d5-a528aedd2235"; K2 = "8ad64aaf-8294-4538-8400-4a99dcf016e8"
def env(t, c, k, data, **kw):
    d = {"v": 1, "type": t, "client_id": c, "campaign_id": k, "extracted_at": "2026-11-27T02:00:05.123Z"}
    d.update(kw); d["data"] = data
    return json.dumps(d, ensure_ascii=False)
tricky = [
    "", "plain", 'say "hi", ok', "comma,separated", "line1\nline2", "cr\rhere", "crlf\r\nhere",
    "back\\slash", "\\.", "before\n\\.\nafter", "x\r\n\\.\r\ny", "\\N", "tab\there", "NULL",
    "unicode: déjà vu — 日本語 😀", "nul\u0000inside", " padded ", "\"", "'", "x" * 100001 + "\nend",
]
lines = []
for i, t in enumerate(tricky):
    lead = {"id": "019f19e7-cbee-7984-a98a-%012x" % i, "status": 1, "email_open_count": 0,
            "email_reply_count": str(i % 2), "email_click_count": 0, "status_summary": {},
            "email": "p%02d@example.com" % i, "first_name": t, "last_name": None,
            "personalization": t, "timestamp_created": "2026-06-30T19:00:49.261Z",
            "timestamp_last_contact": "" if i % 3 else "2026-07-01T09:00:00+02:00",
            "payload": {"note": t, "nul\u0000key": t, "n": 1.50, "deep": {"a": [1, None, True]}, "Functie": " CTO "}}
    if i == 5: del lead["payload"]
    if i == 6: lead["payload"] = {}
    lines.append(env("lead", C1 if i % 2 else C2, K1, lead))
lines.append(env("campaign", C1, K1, {"id": K1, "name": 'Q4 "NL", \\. \n\\.\n', "status": 1,
                 "timestamp_created": "2026-06-30T21:16:58.192Z", "sequences": [{"steps": []}]}))
lines.append(env("analytics_daily", C1, K1, {"date": "2026-11-20", "sent": 96, "opened": "3"}))
lines.append(env("analytics_daily", C1, K1, {"date": "2026-11-21"}))
lines.append(env("analytics_overview", C1, K1, {"emails_sent_count": 96, "total_opportunity_value": 12.5},
                 start_date="2026-08-29", end_date="2026-11-26"))
lines.append(env("leads_complete", C1, K1, {"leads": 10, "pages": 1}))
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY

cat > "$T/tables.sql" <<'SQL'
create table synced_leads (
	client_id uuid, campaign_id uuid, instantly_lead_id uuid, email text, first_name text,
	last_name text, company_name text, phone text, company_domain text, personalization text,
	website text, job_title text, industry text, company_size text, linkedin_url text,
	vacancy_url text, verification_status integer, lead_status text, interest_status text,
	lt_interest_status integer, instantly_status integer, sender_account text,
	email_open_count integer, email_reply_count integer, email_click_count integer,
	timestamp_created timestamptz, timestamp_updated timestamptz, timestamp_last_contact timestamptz,
	timestamp_last_open timestamptz, timestamp_last_reply timestamptz, timestamp_last_click timestamptz,
	timestamp_last_touch timestamptz, timestamp_last_interest_change timestamptz, payload jsonb,
	extracted_at timestamptz);
create table campaigns (client_id uuid, campaign_id uuid, name text, status integer,
	timestamp_created timestamptz, timestamp_updated timestamptz, item jsonb, extracted_at timestamptz);
create table campaign_analytics (client_id uuid, campaign_id uuid, date date, emails_sent integer,
	leads_contacted integer, new_leads_contacted integer, opened integer, unique_opened integer,
	replies integer, unique_replies integer, replies_automatic integer, unique_replies_automatic integer,
	clicked integer, unique_clicks integer, opportunities integer, unique_opportunities integer,
	bounced integer, extracted_at timestamptz);
create table campaign_analytics_overview (client_id uuid, campaign_id uuid, start_date date, end_date date,
	open_count integer, open_count_unique integer, open_count_unique_by_step integer, link_click_count integer,
	link_click_count_unique integer, link_click_count_unique_by_step integer, reply_count integer,
	reply_count_unique integer, reply_count_unique_by_step integer, reply_count_automatic integer,
	reply_count_automatic_unique integer, reply_count_automatic_unique_by_step integer,
	bounced_count integer, unsubscribed_count integer, completed_count integer, emails_sent_count integer,
	contacted_count integer, new_leads_contacted_count integer, total_opportunities integer,
	total_opportunity_value numeric, total_interested integer, total_meeting_booked integer,
	total_meeting_completed integer, total_closed integer, extracted_at timestamptz);
create table leads_complete (client_id uuid, campaign_id uuid, leads integer, pages integer, extracted_at timestamptz);
SQL
tables="synced_leads campaigns campaign_analytics campaign_analytics_overview leads_complete"
for db in servercsv clientcsv clienttext; do
	psql_q -c "create database $db" && psql_q -d "$db" -f "$T/tables.sql"
done

ok "transform to CSV" exit_is 0 "$TRANSFORM" -q -o "$T/csv" "$T/in.ndjson"
ok "transform to COPY text" exit_is 0 "$TRANSFORM" -q -f text -o "$T/txt" "$T/in.ndjson"
ok "summary: values holding a \\. line and U+0000 replacements counted" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
def nuls(x):
    if isinstance(x, str): return x.count("\u0000")
    if isinstance(x, list): return sum(nuls(v) for v in x)
    if isinstance(x, dict): return sum(nuls(k) + nuls(v) for k, v in x.items())
    return 0
recs = [json.loads(l) for l in open(sys.argv[2])]
want = sum(nuls(r) for r in recs if r["type"] == "lead")
lead = s["tables"]["synced_leads"]
assert lead["eod_marker_values"] == 4, lead["eod_marker_values"]
assert s["tables"]["campaigns"]["eod_marker_values"] == 1, s["tables"]["campaigns"]
assert lead["nul_replaced"] == want, (lead["nul_replaced"], want)
' "$T/csv/summary.json" "$T/in.ndjson"
warns_eod() { "$TRANSFORM" -o "$T/csv2" "$T/in.ndjson" 2>&1 | grep -q 'psql.s \\copy before PostgreSQL 18'; }
ok "CSV: the transform warns about \\. lines" warns_eod

chmod -R a+rX "$T/csv"
load_server_csv() {
	for t in $tables; do
		psql_q -d servercsv -c "copy $t from '$T/csv/$t.csv' with (format csv, header)" || return 1
	done
}
load_client_text() {
	for t in $tables; do
		psql_q -d clienttext -c "\\copy $t from '$T/txt/$t.txt' with (format text, header)" || return 1
	done
}
ok "CSV loads through server-side COPY" load_server_csv
ok "text format loads through psql \\copy" load_client_text
# psql 15 \copy cuts CSV at a "\." line: tables without such values load,
# the leads table does not (which is why the text format exists)
load_client_csv() {
	for t in campaign_analytics campaign_analytics_overview leads_complete; do
		psql_q -d clientcsv -c "\\copy $t from '$T/csv/$t.csv' with (format csv, header)" || return 1
	done
}
ok "CSV without \\. lines loads through psql \\copy" load_client_csv
psql_cut() { ! psql_q -d clientcsv -c "\\copy synced_leads from '$T/csv/synced_leads.csv' with (format csv, header)" 2>"$T/cut.err" && grep -q "unterminated CSV quoted field" "$T/cut.err"; }
ok "psql 15 \\copy of a CSV value with a \\. line fails (why --format text exists)" psql_cut

dump() {	# dump DB: every table as JSON rows, sorted
	for t in $tables; do
		psql_q -d "$1" -At -c "select '$t', row_to_json(x)::text from $t x order by row_to_json(x)::text"
	done
}
same_tables() { dump servercsv > "$T/a.json" && dump clienttext > "$T/b.json" && same_file "$T/a.json" "$T/b.json"; }
ok "server CSV and psql text give identical tables" same_tables

check() {
	python3 - "$T/in.ndjson" "$T/a.json" <<'PY'
import json, sys
from datetime import datetime
def fix(x):
    """what the warehouse must hold for a JSON value: U+0000 -> U+FFFD"""
    if isinstance(x, str): return x.replace("\u0000", "\ufffd")
    if isinstance(x, list): return [fix(v) for v in x]
    if isinstance(x, dict): return {fix(k): fix(v) for k, v in x.items()}
    return x
def ts(s):
    return None if s is None or s.strip() == "" else datetime.fromisoformat(s.replace("Z", "+00:00"))
rows = {}
for line in open(sys.argv[2], encoding="utf-8"):
    table, js = line.rstrip("\n").split("|", 1)
    rows.setdefault(table, []).append(json.loads(js))
leads = {r["instantly_lead_id"]: r for r in rows["synced_leads"]}
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    rec = json.loads(line)
    d = rec["data"]
    if rec["type"] == "lead":
        r = leads.pop(d["id"])
        assert r["client_id"] == rec["client_id"] and r["campaign_id"] == rec["campaign_id"]
        for col in ("email", "first_name", "last_name", "personalization"):
            assert r[col] == fix(d.get(col)), (col, repr(r[col])[:80], repr(d.get(col))[:80])
        assert r["payload"] == fix(d.get("payload")), (r["payload"], d.get("payload"))
        assert r["email_reply_count"] == int(d["email_reply_count"])
        assert r["lead_status"] == ("replied" if int(d["email_reply_count"]) else
                                    "emailed" if d["timestamp_last_contact"] else "not_yet_emailed"), r["lead_status"]
        assert r["job_title"] == ("CTO" if d.get("payload", {}).get("Functie") else None), r["job_title"]
        assert ts(r["timestamp_created"]) == ts(d["timestamp_created"])
        assert ts(r["timestamp_last_contact"]) == ts(d["timestamp_last_contact"])
        assert ts(r["extracted_at"]) == ts(rec["extracted_at"])
        assert r["company_name"] is None and r["verification_status"] is None
        n += 1
    elif rec["type"] == "campaign":
        (r,) = rows["campaigns"]
        assert r["name"] == d["name"] and r["item"] == fix(d) and r["status"] == 1, r
        n += 1
    elif rec["type"] == "analytics_daily":
        r = [x for x in rows["campaign_analytics"] if x["date"] == d["date"]][0]
        assert r["emails_sent"] == (int(d["sent"]) if "sent" in d else None)
        assert r["opened"] == (int(d["opened"]) if "opened" in d else None)
        assert r["bounced"] is None and r["clicked"] is None
        n += 1
    elif rec["type"] == "analytics_overview":
        (r,) = rows["campaign_analytics_overview"]
        assert r["start_date"] == rec["start_date"] and r["end_date"] == rec["end_date"]
        assert r["emails_sent_count"] == 96 and float(r["total_opportunity_value"]) == 12.5 and r["total_closed"] is None
        n += 1
    elif rec["type"] == "leads_complete":
        (r,) = rows["leads_complete"]
        assert r["leads"] == 10 and r["pages"] == 1
        n += 1
assert not leads, leads.keys()
print("checked", n, "records")
PY
}
ok "every field as the input said (NULL vs '', \\., CR/LF, 100 KB, U+FFFD, jsonb)" check

# The transform's value rules agree with PostgreSQL's: what it accepts, the
# server loads (a single value it lets through would fail a whole load).
python3 - "$T/edge.ndjson" <<'PY'
import json, sys
C = "11111111-1111-4111-8111-111111111111"; K = "9b6f458e-6dc5-4762-83d5-a528aedd2235"
ts = ["2026-06-30T19:00:49.261Z", "2026-06-30T19:00Z", "2026-06-30T19:00:49-0530", "2026-06-30T19:00:49+02",
      "2026-06-30T19:00:49", "2026-06-30T19:00:49.123456789Z", "2026-06-30T23:59:60Z", "2026-06-30T23:59:60.000Z",
      "2026-06-30T24:00:00Z", "2026-06-30T24:00:00.0Z", "2024-02-29T00:00:00+14:00", "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999Z", "2026-06-30T10:00:00,5Z", "2026-06-30T23:59:60.5Z", "2026-06-30T24:00:00.5Z"]
nums = ["12.5", "1e131071", "-0.0", "1.5e-16383", "1e131072", "0.00e-16382", "1e-16383"]
with open(sys.argv[1], "w") as f:
    for i, t in enumerate(ts):
        f.write(json.dumps({"v": 1, "type": "lead", "client_id": C, "campaign_id": K, "extracted_at": "2026-11-27T02:00:05.123Z",
                            "data": {"id": "019f19e7-cbee-7984-a98a-%012d" % i, "timestamp_created": t}}) + "\n")
    for n in nums:
        f.write(json.dumps({"v": 1, "type": "analytics_overview", "client_id": C, "campaign_id": K,
                            "extracted_at": "2026-11-27T02:00:05.123Z", "start_date": "2026-01-01", "end_date": "2026-01-31",
                            "data": {"total_opportunity_value": n}}) + "\n")
        f.write('{"v":1,"type":"analytics_overview","client_id":"%s","campaign_id":"%s","extracted_at":"2026-11-27T02:00:05.123Z",'
                '"start_date":"2026-01-01","end_date":"2026-01-31","data":{"total_opportunity_value":%s}}\n' % (C, K, n))
PY
ok "edge values: transform finishes with rejects (exit 1)" exit_is 1 "$TRANSFORM" -q -o "$T/edge" "$T/edge.ndjson"
ok "edge values: the transform rejects what PostgreSQL would refuse (3 timestamps, 3 numeric strings, 3 numbers)" python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["line"] for x in r] == [14, 15, 16, 23, 24, 25, 26, 27, 28], [(x["line"], x["reason"]) for x in r]
' "$T/edge/rejects.ndjson"
edge_load() {
	chmod -R a+rX "$T/edge"	# the server reads it (the transform made it private)
	psql_q -d servercsv -c "truncate synced_leads, campaign_analytics_overview" &&
	psql_q -d servercsv -c "copy synced_leads from '$T/edge/synced_leads.csv' with (format csv, header)" &&
	psql_q -d servercsv -c "copy campaign_analytics_overview from '$T/edge/campaign_analytics_overview.csv' with (format csv, header)" &&
	test "$(psql_q -d servercsv -Atc "select count(*) from synced_leads where timestamp_created is not null")" = 13 &&
	test "$(psql_q -d servercsv -Atc "select count(*) from campaign_analytics_overview where total_opportunity_value is not null")" = 8
}
ok "edge values: every timestamp and number the transform let through loads" edge_load

# --table streams: after a fatal error it cannot take back what it wrote,
# so it ends the stream with a line no COPY reads, and psql rolls back
# (the sample: no value holds a \. line, which psql 15 would stop at first)
for _ in $(seq 200); do cat "$SRCDIR/samples/sample.ndjson"; done | gzip -c > "$T/many.gz"
head -c $(($(stat -c %s "$T/many.gz") * 3 / 4)) "$T/many.gz" > "$T/cut.gz"
# poisoned_stream FORMAT: the cut archive streamed into psql's \copy
poisoned_stream() {
	local rc
	psql_q -d servercsv -c "truncate synced_leads" || return 1
	"$TRANSFORM" -q --table synced_leads -f "$1" "$T/cut.gz" 2>/dev/null |
		psql_q -d servercsv -c "\\copy synced_leads from stdin with (format $1, header)" 2>"$T/poison.$1.err"
	rc=$?
	test $rc -ne 0 && test "$(psql_q -d servercsv -Atc "select count(*) from synced_leads")" = 0 &&
		grep -q "instantly-transform failed" "$T/poison.$1.err"
}
for fmt in csv text; do
	ok "--table $fmt, truncated gzip: psql \\copy fails and loads nothing" poisoned_stream "$fmt"
done

done_testing

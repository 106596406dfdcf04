#!/bin/bash
# archive-schemas.sh: the archive v1 JSON Schemas (schemas/archive-v1/),
# the hand-made sample archive (samples/sample.ndjson, samples/clients.csv)
# and the recorded real API items (tests/data/real-instantly) agree:
#   - every schema is a valid draft 2020-12 schema whose $refs resolve;
#   - every sample line is valid against the schema of its type;
#   - every real item is valid as the `data` of its type;
#   - records the format forbids are rejected (negative cases);
#   - the sample is consistent (leads_complete counts, run_summary last,
#     clients.csv = the sample's client/campaign pairs) and still carries
#     the edge cases it exists for.
# The checks are in validate_archive.py (python3-jsonschema).
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no $PY"
"$PY" -c 'from jsonschema import Draft202012Validator, RefResolver' 2>/dev/null ||
	skip_all "no python3 jsonschema module with draft 2020-12 (apt-get install python3-jsonschema)"
export PYTHONDONTWRITEBYTECODE=1

SCHEMAS=$SRCDIR/schemas/archive-v1
SAMPLE=$SRCDIR/samples/sample.ndjson
CLIENTS=$SRCDIR/samples/clients.csv
REAL=$SRCDIR/tests/data/real-instantly
va() { "$PY" "$SRCDIR/tests/cli/validate_archive.py" "$SCHEMAS" "$@"; }

# ---- the schemas themselves
ok "schemas: valid draft 2020-12, \$id/title/description, \$refs resolve" va meta

# ---- the sample archive, one point per record type
for t in campaign analytics_daily analytics_overview lead leads_complete run_summary; do
	ok "sample: every $t line is valid" va lines "$SAMPLE" "$t"
done
ok "sample: every line is valid against the schema of its type" va lines "$SAMPLE"

# ---- the recorded real items, as `data` of their type
for t in campaign analytics_daily analytics_overview lead; do
	ok "real-instantly: every ${t}__*.json is valid $t data" va items "$REAL" "$t"
done
unknown_real() {
	for f in "$REAL"/*.json; do
		case ${f##*/} in
		campaign__* | analytics_daily__* | analytics_overview__* | lead__*) ;;
		*) echo "no type for ${f##*/}"; return 1 ;;
		esac
	done
}
ok "real-instantly: every item file has a known type prefix" unknown_real
# SOURCES.md names where each file came from: one line per file, no more
sources_listed() {
	# shellcheck disable=SC2016 # the backquotes are SOURCES.md's, not a command substitution
	diff <(cd "$REAL" && printf '%s\n' *.json) \
		<(sed -n 's/^- `\([^`]*\.json\)`: .*/\1/p' "$REAL/SOURCES.md" | LC_ALL=C sort)
}
ok "real-instantly: SOURCES.md has one line for each item file, and none for a missing one" sources_listed

# ---- negative cases: a valid record, then variants the schemas must reject
A=11111111-1111-4111-8111-111111111111
C=8ad64aaf-8294-4538-8400-4a99dcf016e8
AT=2026-11-27T02:00:05.123Z
LEAD_DATA='{"id":"019f2b10-4c1e-7a01-9b2c-3d4e5f6a7b01","timestamp_created":"2026-10-02T19:00:49.261Z","timestamp_updated":"2026-10-02T21:17:41.534Z","organization":"c6ea1bfd-6fac-4e41-925c-4628477e2954","status":1,"email_open_count":0,"email_reply_count":0,"email_click_count":0,"company_domain":"example.com","status_summary":{},"email":"fakefirst@example.com"}'
LEAD_NO_ID=${LEAD_DATA/\"id\":\"019f2b10-4c1e-7a01-9b2c-3d4e5f6a7b01\",/}
OVERVIEW_DATA='{"open_count":0,"reply_count":0,"emails_sent_count":12,"total_opportunity_value":0}'

lead_ok="{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}"
ok "reject: the base lead record is valid" va accept lead "$lead_ok"
ok "reject: lead envelope without client_id" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}" client_id
ok "reject: v 2" va reject lead \
	"{\"v\":2,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}" v
ok "reject: v \"1\" (a string)" va reject lead \
	"{\"v\":\"1\",\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}" v
ok "reject: lead data without id" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_NO_ID}" id
ok "reject: lead with client_id null" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":null,\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}" client_id
ok "reject: campaign_id not a UUID" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"8ad64aaf82944538840004a99dcf016e8\",\"extracted_at\":\"$AT\",\"data\":$LEAD_DATA}" campaign_id
ok "reject: extracted_at without a zone" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"2026-11-27T02:00:05.123\",\"data\":$LEAD_DATA}" extracted_at
ok "reject: extracted_at with a final newline" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\\n\",\"data\":$LEAD_DATA}" extracted_at
ok "reject: lead status \"n/a\"" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":${LEAD_DATA/\"status\":1/\"status\":\"n/a\"}}" status
ok "reject: lead email_open_count \" 2\" (not a digit string)" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":${LEAD_DATA/\"email_open_count\":0/\"email_open_count\":\" 2\"}}" email_open_count
ok "reject: lead data that is an array" va reject lead \
	"{\"v\":1,\"type\":\"lead\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":[$LEAD_DATA]}" data

ov_ok="{\"v\":1,\"type\":\"analytics_overview\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"start_date\":\"2026-10-28\",\"end_date\":\"2026-11-26\",\"data\":$OVERVIEW_DATA}"
ok "reject: the base analytics_overview record is valid" va accept analytics_overview "$ov_ok"
ok "reject: analytics_overview without start_date" va reject analytics_overview \
	"{\"v\":1,\"type\":\"analytics_overview\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"end_date\":\"2026-11-26\",\"data\":$OVERVIEW_DATA}" start_date
ok "reject: analytics_overview end_date not a date" va reject analytics_overview \
	"{\"v\":1,\"type\":\"analytics_overview\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"start_date\":\"2026-10-28\",\"end_date\":\"26-11-2026\",\"data\":$OVERVIEW_DATA}" end_date
ok "reject: analytics_daily row without date" va reject analytics_daily \
	"{\"v\":1,\"type\":\"analytics_daily\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":{\"sent\":3}}" date
ok "reject: leads_complete without pages" va reject leads_complete \
	"{\"v\":1,\"type\":\"leads_complete\",\"client_id\":\"$A\",\"campaign_id\":\"$C\",\"extracted_at\":\"$AT\",\"data\":{\"leads\":8}}" pages
ok "reject: run_summary with a client_id" va reject run_summary \
	"{\"v\":1,\"type\":\"run_summary\",\"client_id\":\"$A\",\"campaign_id\":null,\"extracted_at\":\"$AT\",\"data\":{\"requests\":3}}" client_id

# ---- the sample's own consistency
ok "sample: leads_complete counts, run_summary last, clients.csv = the pairs" \
	va invariants "$SAMPLE" "$CLIENTS"
ok "sample: carries its edge cases" va coverage "$SAMPLE"

done_testing

#!/usr/bin/env bash
# instantly-load against a real PostgreSQL server started here: the schema
# with --init-schema, exact values through psql 15's \copy (also a "\." line
# in a CSV value), idempotence, newest-wins upserts, one transaction that a
# failure rolls back whole, deletions only for complete listings, the report;
# killed (SIGTERM, SIGKILL): what is left, and the next load's cleaning.
# (load-encoding.sh: client encodings and psql's environment; load-unmap.sh:
# campaigns taken away from their client.)
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_start
psql_q -c "create database w"
export PGDATABASE=w

C1=11111111-1111-4111-8111-111111111111
K1=9b6f458e-6dc5-4762-83d5-a528aedd2235
# archive OUT EXTRACTED_AT COMPLETE(0/1) LEAD-SPEC...: an archive of leads of
# campaign $CAMPAIGN (default K1) for client C1, with analytics records;
# LEAD-SPEC is N (lead number) or N=JSON (its personalization)
archive() { python3 "$SRCDIR/tests/gen_archive.py" --analytics "$@"; }
transform() { "$TRANSFORM" -q -o "$1" "$2"; }	# transform DIR ARCHIVE
load() { "$LOAD" -q "$@"; }
# load_reports ERE ARGS...: instantly-load ARGS (its exit status aside); its report matches ERE
load_reports() {
	local re=$1; shift
	"$LOAD" "$@" > "$T/.report" 2>&1
	grep -Eq "$re" "$T/.report" || { cat "$T/.report"; return 1; }
}
# load_to REPORT ARGS...: instantly-load ARGS, its report (stderr) into the file REPORT
load_to() { local r=$1; shift; "$LOAD" "$@" 2> "$r"; }
dump() {	# every warehouse table, sorted, without loaded_at
	for t in campaigns synced_leads campaign_analytics campaign_analytics_overview; do
		echo "== $t"
		psql_q -At -c "select to_jsonb(x) - 'loaded_at' from $t x order by 1::text"
	done
}

# ---- first load: schema, exact values
tricky='"line1\nline2\r\n\\.\nafter a backslash-dot line, a \"quote\", a comma, \u00e9 and \ud83d\ude00"'
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
archive "$T/a1.ndjson" 2026-11-27T02:00:00.000Z 1 1 "2=\"nul \\u0000 here\"" "3=\"\"" "4=$tricky" "5=\"$big\""
transform "$T/d1" "$T/a1.ndjson"
ok "the transform counted the \\. line" grep -q '"eod_marker_values":1' "$T/d1/summary.json"
ok "--init-schema on an empty database: a load without clients fails (foreign key), exit 5" \
	exit_is 5 "$LOAD" -q --init-schema "$T/d1"
ok "... and leaves nothing behind: no tables" test "$(psql_q -At -c "select count(*) from pg_tables where tablename = 'synced_leads'")" = 0
psql_q -q -f "$SRCDIR/schemas/sql/01-auth.sql" -f "$SRCDIR/schemas/sql/02-tables.sql" -f "$SRCDIR/schemas/sql/03-rls.sql"
psql_q -c "insert into clients (id, name) values ('$C1', 'Client 1')"
# every campaign of this file is mapped to C1 (load-unmap.sh tests the others)
psql_q -c "insert into client_campaigns (client_id, campaign_id) select '$C1', k::uuid from unnest(array['$K1',
	'22222222-0000-4000-8000-000000000002', '33333333-0000-4000-8000-000000000003', '44444444-0000-4000-8000-000000000004',
	'55555555-0000-4000-8000-00000000000a', '66666666-0000-4000-8000-000000000006', '77777777-0000-4000-8000-000000000007']) k"
ok "load: exit 0" load "$T/d1"
ok "every row arrived" test "$(psql_q -At -c "select count(*) from synced_leads")" = 5
exact() {
	python3 - "$T/a1.ndjson" <<'PY'
import json, os, subprocess, sys
want = {}
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if r["type"] == "lead":
        want[r["data"]["id"]] = r["data"]
out = subprocess.run([os.environ["PGBIN"] + "/psql", "-X", "-At", "-c",
    "select json_agg(json_build_object('id', instantly_lead_id, 'p', personalization, 'payload', payload, 'job', job_title)) from synced_leads"],
    capture_output=True, check=True).stdout.decode("utf-8")
got = {x["id"]: x for x in json.loads(out)}
assert set(got) == set(want), (set(got), set(want))
for k, d in want.items():
    p = d.get("personalization")
    p = p.replace("\0", "\ufffd") if p is not None else None	# U+0000 is stored as U+FFFD
    assert got[k]["p"] == p, (k, (got[k]["p"] or "")[:80], (p or "")[:80])
    assert got[k]["payload"] == d["payload"] and got[k]["job"] == "CTO", got[k]
print("exact:", len(got), "leads")
PY
}
ok "values exact: NULL vs '', a \\. line, CR/LF, quotes, unicode, U+0000 as U+FFFD, 100 KB, jsonb" exact
ok "the daily, overview and campaign rows arrived" test "$(psql_q -At -c "select (select count(*) from campaigns)::text || (select count(*) from campaign_analytics) || (select total_opportunity_value from campaign_analytics_overview)")" = "1112.50"

ok "--init-schema where the schema is: applies again, loads (nothing new)" \
	load_reports "synced_leads +0 inserted +0 updated +5 unchanged" --init-schema "$T/d1"
# dsn_not_pgdatabase: --dsn names w while PGDATABASE names another database
dsn_not_pgdatabase() { PGDATABASE=postgres load_reports "synced_leads +0 inserted +0 updated +5 unchanged" --dsn "dbname=w" "$T/d1"; }
ok "--dsn: the database named there, not the PG* one" dsn_not_pgdatabase
ok "--dsn of a database without the tables: exit 5" exit_is 5 "$LOAD" -q --dsn "dbname=postgres" "$T/d1"

# ---- idempotent, and the report says so
dump > "$T/dump.1"
ok "loading the same DIR again: exit 0" load_to "$T/report.2" "$T/d1"
dump > "$T/dump.2"
ok "loading the same DIR twice leaves identical tables" same_file "$T/dump.1" "$T/dump.2"
ok "the report: 0 inserted, 0 updated, 5 unchanged leads" grep -Eq "synced_leads +0 inserted +0 updated +5 unchanged +0 deleted" "$T/report.2"

# ---- newer archive: updates, deletes what the complete listing lost
archive "$T/a2.ndjson" 2026-11-28T02:00:00.000Z 1 1 2 "3=\"now set\"" 6
transform "$T/d2" "$T/a2.ndjson"
ok "a newer complete listing: exit 0" load_to "$T/report.3" "$T/d2"
ok "the report: 1 inserted (6), 2 updated (2 3), 1 unchanged (1: same values), 2 deleted (4 5)" grep -Eq "synced_leads +1 inserted +2 updated +1 unchanged +2 deleted" "$T/report.3"
ok "leads 4 and 5 are gone, 6 is there" test "$(psql_q -At -c "select string_agg(right(instantly_lead_id::text, 1), '' order by instantly_lead_id) from synced_leads")" = 1236

# ---- an older archive never overwrites newer rows, nor brings back deleted leads
dump > "$T/dump.3"
ok "reprocessing the older archive: exit 0" load_to "$T/report.4" "$T/d1"
ok "... the report: nothing inserted or updated" grep -Eq "synced_leads +0 inserted +0 updated +5 unchanged +0 deleted" "$T/report.4"
dump > "$T/dump.4"
ok "... every newer row as it was, deleted leads still deleted" same_file "$T/dump.3" "$T/dump.4"
archive "$T/a3.ndjson" 2026-11-29T02:00:00.000Z 0 1
transform "$T/d3" "$T/a3.ndjson"
ok "a partial listing (no leads_complete marker): exit 0" load "$T/d3"
ok "... deletes nothing" test "$(psql_q -At -c "select count(*) from synced_leads")" = 4

# a complete listing with a rejected line (it may have been a lead): no deletion
archive "$T/r.ndjson" 2026-11-29T03:00:00.000Z 1 1
printf '{"v":1,"type":"lead","client_id":"%s","campaign_id":"%s",\n' "$C1" "$K1" >> "$T/r.ndjson"
ok "a complete listing with a rejected line: transform exit 1" exit_is 1 "$TRANSFORM" -q -o "$T/dr" "$T/r.ndjson"
# warns_deletes_none: the load of dr says it deletes no lead, and the 4 leads stay
warns_deletes_none() { load_reports "deleting no leads" "$T/dr" && is "$(psql_q -At -c "select count(*) from synced_leads")" 4; }
ok "... the load warns and deletes nothing" warns_deletes_none

# ---- duplicates inside one load: the newest wins
{ archive "$T/x.ndjson" 2026-11-30T01:00:00.000Z 0 "1=\"older\""; cat "$T/x.ndjson";
  archive "$T/y.ndjson" 2026-11-30T03:00:00.000Z 0 "1=\"newest\""; cat "$T/y.ndjson";
  archive "$T/z.ndjson" 2026-11-30T02:00:00.000Z 0 "1=\"middle\""; cat "$T/z.ndjson"; } > "$T/dups.ndjson"
transform "$T/d4" "$T/dups.ndjson"
ok "duplicates in one load: exit 0" load "$T/d4"
ok "... the newest extracted_at wins" test "$(psql_q -At -c "select personalization from synced_leads where instantly_lead_id::text like '%000000000001'")" = newest

# ---- campaigns new to the warehouse go straight in (no staging), unless a
# lead key repeats: mixed with a known campaign, and with repeats
K2=22222222-0000-4000-8000-000000000002
K3=33333333-0000-4000-8000-000000000003
{ CAMPAIGN=$K2 archive "$T/n2.ndjson" 2026-11-30T04:00:00.000Z 1 1 2 3; cat "$T/n2.ndjson"
  archive "$T/n1.ndjson" 2026-11-30T04:00:00.000Z 0 "1=\"known\""; cat "$T/n1.ndjson"
  CAMPAIGN=$K3 archive "$T/n3.ndjson" 2026-11-30T04:00:00.000Z 0 "1=\"first\"" 2; cat "$T/n3.ndjson"
  CAMPAIGN=$K3 archive "$T/n4.ndjson" 2026-11-30T05:00:00.000Z 0 "1=\"second\""; cat "$T/n4.ndjson"; } > "$T/mixed.ndjson"
transform "$T/d6" "$T/mixed.ndjson"
ok "new campaigns, a known one, repeated keys: exit 0" load_to "$T/report.6" -v "$T/d6"
ok "... the new campaign without repeats (3 rows) went straight in" contains "$T/report.6" "1 of 3 campaigns new to the warehouse, 3 of 7 rows straight in"
ok "... the warehouse answered the question (no fallback to staging)" lacks "$T/report.6" "asking the warehouse"
ok "... the report: 5 inserted, 1 updated, 0 unchanged" grep -Eq "synced_leads +5 inserted +1 updated +0 unchanged" "$T/report.6"
ok "... every row there, the newest of the repeated key" test "$(psql_q -At -c "select count(*) filter (where campaign_id = '$K2') || ' ' || count(*) filter (where campaign_id = '$K3') || ' ' || max(personalization) filter (where campaign_id = '$K3') from synced_leads")" = "3 2 second"
ok "... loading it again: nothing inserted" load_reports "synced_leads +0 inserted +0 updated +6 unchanged" "$T/d6"

# two extracts of a new campaign in one DIR: the later listing's deletions
# apply in the first load already, and a second load changes nothing
K4=44444444-0000-4000-8000-000000000004
{ CAMPAIGN=$K4 archive "$T/e1.ndjson" 2026-11-30T06:00:00.000Z 1 1 2; cat "$T/e1.ndjson"
  CAMPAIGN=$K4 archive "$T/e2.ndjson" 2026-11-30T07:00:00.000Z 1 3; cat "$T/e2.ndjson"; } > "$T/twice.ndjson"
transform "$T/d7" "$T/twice.ndjson"
ok "a new campaign listed twice in one DIR: its older leads deleted in the first load" \
	load_reports "synced_leads +3 inserted +0 updated +0 unchanged +2 deleted" "$T/d7"
ok "... and a second load changes nothing" load_reports "synced_leads +0 inserted +0 updated +3 unchanged +0 deleted" "$T/d7"

# a known campaign's listing drops leads while a new campaign goes straight in:
# the report counts each deleted lead once
K6=66666666-0000-4000-8000-000000000006
{ archive "$T/f1.ndjson" 2026-12-02T00:00:00.000Z 1 1; cat "$T/f1.ndjson"
  CAMPAIGN=$K6 archive "$T/f2.ndjson" 2026-12-02T00:00:00.000Z 1 1 2; cat "$T/f2.ndjson"; } > "$T/drop.ndjson"
transform "$T/d10" "$T/drop.ndjson"
deleted_once() {
	before=$(psql_q -At -c "select count(*) from synced_leads where campaign_id = '$K1'")
	"$LOAD" "$T/d10" 2> "$T/report.10" || return 1
	after=$(psql_q -At -c "select count(*) from synced_leads where campaign_id = '$K1'")
	{ [ "$after" = 1 ] && grep -Eq "synced_leads +2 inserted +[01] updated +[01] unchanged +$((before - 1)) deleted" "$T/report.10"; } ||
		{ echo "before $before after $after"; cat "$T/report.10"; return 1; }
}
ok "deletions with a new campaign beside: each deleted lead counted once" deleted_once

# the same UUIDs in upper case: the same campaign, the same lead
sed "s/$K2/$(echo $K2 | tr a-f A-F)/g" "$T/mixed.ndjson" > "$T/upper.ndjson"
transform "$T/d8" "$T/upper.ndjson"
ok "upper-case UUIDs of a known campaign: loads (exit 0), nothing new" \
	load_reports "synced_leads +0 inserted +0 updated +6 unchanged" "$T/d8"
K5=55555555-0000-4000-8000-00000000000a
{ CAMPAIGN=$K5 archive "$T/c1.ndjson" 2026-11-30T06:00:00.000Z 0 "10=\"lower\""; cat "$T/c1.ndjson"
  CAMPAIGN=$(echo $K5 | tr a-f A-F) archive "$T/c2.ndjson" 2026-11-30T07:00:00.000Z 0 "10=\"upper\"" | sed 's/019f19e7-cbee-7984-a98a-/019F19E7-CBEE-7984-A98A-/'; cat "$T/c2.ndjson"; } > "$T/cases.ndjson"
transform "$T/d9" "$T/cases.ndjson"
# one_row_newest: d9's lead in two cases is inserted once, with the newer value
one_row_newest() {
	load_reports "synced_leads +1 inserted" "$T/d9" &&
		is "$(psql_q -At -c "select personalization from synced_leads where campaign_id = '$K5'")" upper
}
ok "one lead of a new campaign in two cases: one row, the newest" one_row_newest

# ---- any failure leaves the tables as they were
dump > "$T/dump.5"
CAMPAIGN=77777777-0000-4000-8000-000000000007 archive "$T/bad.ndjson" 2026-12-03T00:00:00.000Z 1 1 2 3
transform "$T/bad" "$T/bad.ndjson"
sed -i '3s/"not_yet_emailed"/"sent-ish"/' "$T/bad/synced_leads.csv"
ok "a row the database refuses (lead_status check): exit 5" exit_is 5 "$LOAD" -q "$T/bad"
unchanged() { dump > "$T/dump.now" && same_file "$T/dump.5" "$T/dump.now"; }
ok "... nothing changed" unchanged
# no_summary: d2's CSV files without its summary.json are refused (exit 3)
no_summary() { mkdir -p "$T/nosum" && cp "$T/d2"/*.csv "$T/nosum/" && exit_is 3 "$LOAD" -q "$T/nosum"; }
ok "a DIR without summary.json: exit 3, nothing changed" no_summary
# Failures mid-load, made deterministic: a session holds lead_listings in
# SHARE mode, so a load waits at its first write of it (the deletions, after
# staging and upserts), mid-transaction, until the session goes. A big load,
# newer than every listing: had it committed, the tables would differ.
archive "$T/big.ndjson" 2026-12-05T00:00:00.000Z 1 $(seq 1 40000)
transform "$T/d5" "$T/big.ndjson"
block() {
	PGAPPNAME=blocker "$PGBIN/psql" -X -q -c "begin" -c "lock table lead_listings in share mode" \
		-c "select pg_sleep(120)" >/dev/null 2>&1 &
	bp=$!
	for _ in $(seq 250); do
		[ "$(psql_q -At -c "select count(*) from pg_stat_activity where application_name = 'blocker' and query like '%pg_sleep%'")" = 1 ] &&
			return 0
		sleep 0.02
	done
	echo "the blocking session did not start"; return 1
}
unblock() {
	psql_q -At -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'blocker'" >/dev/null 2>&1 || true
	wait "$bp" 2>/dev/null || true
}
under_way() {	# wait (10 s at most) until a load waits for the blocking session
	for _ in $(seq 500); do
		psql_q -At -c "select count(*) from pg_stat_activity where wait_event_type = 'Lock'
			and application_name <> 'blocker' and pid <> pg_backend_pid()" 2>/dev/null | grep -q '^[1-9]' && return 0
		sleep 0.02
	done
	echo "the load did not reach its deletions"; return 1
}
staging() {	# wait (4 s at most) until a load's statements on staging run
	for _ in $(seq 200); do
		psql_q -At -c "select count(*) from pg_stat_activity where query like '%ie_stage%' and pid <> pg_backend_pid()" 2>/dev/null |
			grep -q '^[1-9]' && return 0
		sleep 0.02
	done
}
killed() {
	block || return 1
	"$LOAD" -q "$T/d5" 2> "$T/killed.err" &
	lp=$!
	under_way || { unblock; wait "$lp"; return 1; }
	pkill -9 -P "$lp" psql
	wait "$lp"
	rc=$?
	unblock
	{ [ "$rc" -eq 5 ] && grep -q "psql killed by signal 9" "$T/killed.err"; } ||
		{ echo "exit $rc"; cat "$T/killed.err"; return 1; }
}
ok "psql killed mid-load: exit 5, said so" killed
sleep 0.5
ok "... nothing changed" unchanged

stopped() {	# the server stopped (fast shutdown) once the load is under way
	block || return 1
	"$LOAD" -q "$T/d5" 2> "$T/stopped.err" &
	lp=$!
	under_way || { unblock; wait "$lp"; return 1; }
	pg_stop
	wait "$lp"
	rc=$?
	wait "$bp" 2>/dev/null || true
	pg_restart
	[ "$rc" -eq 5 ] || { echo "exit $rc"; cat "$T/stopped.err"; return 1; }
}
ok "the server stopped mid-load: exit 5" stopped
ok "... after a restart, nothing changed" unchanged

# the loader itself killed: psql stopped, temporary files gone, nothing changed
sigterm() {
	mkdir -p "$T/tmp"
	block || return 1
	TMPDIR=$T/tmp "$LOAD" -q "$T/d5" 2> "$T/sigterm.err" &
	lp=$!
	under_way || { unblock; wait "$lp"; return 1; }
	kill -TERM "$lp"
	wait "$lp"
	rc=$?
	unblock
	sleep 0.5
	{ [ "$rc" -eq 143 ] && [ -z "$(ls -A "$T/tmp")" ]; } || { echo "exit $rc; left: $(ls -A "$T/tmp")"; return 1; }
}
ok "SIGTERM to the loader mid-load: dies of it, no temporary file left" sigterm
ok "... nothing changed" unchanged
# the loader SIGKILLed: what is left (its temporary directory) is private,
# the warehouse unchanged or fully loaded, the next load removes it
K8=88888888-0000-4000-8000-000000000008
psql_q -c "insert into client_campaigns values ('$C1', '$K8')"
CAMPAIGN=$K8 archive "$T/k8.ndjson" 2026-12-04T00:00:00.000Z 1 $(seq 1 20000)
transform "$T/d8k" "$T/k8.ndjson"
sigkill() {
	mkdir -p "$T/tmpk"
	block || return 1
	TMPDIR=$T/tmpk "$LOAD" -q "$T/d8k" 2> /dev/null &
	lp=$!
	under_way || { unblock; wait "$lp"; return 1; }
	kill -KILL "$lp"
	wait "$lp" || true
	left=$(echo "$T"/tmpk/instantly-load.*)
	modes="$(stat -c %a "$left") $(stat -c %a "$left"/* | sort -u | tr '\n' ' ')"
	unblock	# its psql, orphaned, goes on: with the script written whole, it may commit
	[ -d "$left" ] || { echo "nothing left: $(ls -A "$T/tmpk")"; return 1; }
	is "$modes" "700 600 " || return 1
	flock "$left" true	# its psql (holding the directory's lock) has ended
	n=$(psql_q -At -c "select count(*) from synced_leads where campaign_id = '$K8'")
	[ "$n" = 0 ] || [ "$n" = 20000 ] || { echo "$n leads: half a load"; return 1; }
}
ok "SIGKILL to the loader mid-load: its directory left is 0700, files 0600; the warehouse unchanged or fully loaded" sigkill
reaped() {
	left=$(echo "$T"/tmpk/instantly-load.*)
	{ TMPDIR=$T/tmpk "$LOAD" -q "$T/d1" 2> "$T/reap.err" && [ -d "$left" ]; } || { cat "$T/reap.err"; return 1; }	# young: kept
	touch -d '-2 minutes' "$left"
	mkdir -m 700 "$T/tmpk/instantly-load.BUSY01" "$T/tmpk/instantly-load.OTHER1" "$T/victim"
	: > "$T/victim/keep"
	ln -s "$T/victim" "$T/tmpk/instantly-load.LINK01"
	chown nobody "$T/tmpk/instantly-load.OTHER1"
	touch -h -d '-2 minutes' "$T/tmpk/instantly-load.BUSY01" "$T/tmpk/instantly-load.OTHER1" "$T/tmpk/instantly-load.LINK01"
	flock "$T/tmpk/instantly-load.BUSY01" sleep 3 &
	fp=$!
	sleep 0.2
	TMPDIR=$T/tmpk "$LOAD" "$T/d1" 2> "$T/reap.err" || { cat "$T/reap.err"; return 1; }
	wait "$fp"
	{ [ ! -e "$left" ] && grep -q "removed the temporary directory of a load that was killed" "$T/reap.err" &&
		is "$(names "$T/tmpk" | tr '\n' ' ')" "instantly-load.BUSY01 instantly-load.LINK01 instantly-load.OTHER1 " &&
		[ -e "$T/victim/keep" ]; } || { ls -la "$T/tmpk"; cat "$T/reap.err"; return 1; }
}
ok "... the next load removes it (older than a minute), not a younger one, one in use, a link, another user's" reaped
# tmpdir_empty: a load with its own TMPDIR leaves it empty
tmpdir_empty() { mkdir -p "$T/tmp2" && TMPDIR=$T/tmp2 "$LOAD" -q "$T/d1" && is "$(ls -A "$T/tmp2")" ""; }
ok "TMPDIR empty after loads that converted and split files" tmpdir_empty
nl=$'\n'
mkdir "$T/bad${nl}name" && cp "$T/d1"/* "$T/bad${nl}name/"
# control_char_dir DIR: instantly-load refuses DIR (exit 3), naming the control character
control_char_dir() { exit_is 3 "$LOAD" -q "$1" 2> "$T/nl.err" && contains "$T/nl.err" "a control character"; }
ok "a DIR name with a line break: refused (exit 3), nothing run" control_char_dir "$T/bad${nl}name"

# --init-schema inside a load blocks no reader of the portal
readers() {
	"$LOAD" -q --init-schema "$T/d5" &
	lp=$!
	staging
	out=$(psql_q -At -c "set lock_timeout = '500ms'" -c "select count(*) from campaigns" -c "select count(*) from synced_leads" 2>&1)
	wait "$lp"
	case $out in *ERROR*) echo "$out"; return 1 ;; esac
}
ok "--init-schema during a load: the portal's reads go on" readers

# ---- issue 10: no password on a command line; psql's messages escaped
dsn_password() {
	for d in "host=/tmp password=hunter2" "dbname=w PASSWORD = hunter2" "postgresql://u:hunter2@localhost/w" \
		"postgresql:///w?password=hunter2" "postgres://localhost/w?sslmode=disable&password=x"; do
		{ exit_is 2 "$LOAD" --dsn "$d" "$T/d1" 2> "$T/dsnpw.err" && grep -q "holds a password" "$T/dsnpw.err" &&
			! grep -q hunter2 "$T/dsnpw.err"; } || { echo "accepted: $d"; return 1; }
	done
	# words that merely contain "password", and a user without one, are fine
	"$LOAD" -q --dsn "dbname=w application_name=passwordless" "$T/d1" &&
		"$LOAD" -q --dsn "postgresql://$PGUSER@/w?host=$PGHOST" "$T/d1"
}
ok "--dsn with a password (visible in ps) is a usage error; without one it connects" dsn_password
psql_escaped() {
	rm -rf "$T/evil" && cp -r "$T/d1" "$T/evil"
	python3 - "$T/evil/synced_leads.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
i = rows[0].index("email_open_count")
rows[1][i] = "\x1b[2J\x1b]0;pwned\x07\r\ninstantly-load: loaded 9 tables"
with open(sys.argv[1], "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
PY
	exit_is 5 "$LOAD" "$T/evil" 2> "$T/evil.err" || return 1
	! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$T/evil.err" && contains "$T/evil.err" '\x1b[2J' &&
		! grep -q '^instantly-load: loaded 9 tables' "$T/evil.err" && contains "$T/evil.err" "ERROR:"
}
ok "psql's messages quoting a hostile value reach stderr escaped, a line each (exit 5)" psql_escaped

# ---- --print-sql: the script, for users who run psql themselves
# one_transaction: --print-sql's script is BEGIN, one COMMIT, then only VACUUM, ANALYZE and psql's \set, \if, \endif
one_transaction() {
	"$LOAD" --print-sql "$T/d2" > "$T/script.sql" && head -5 "$T/script.sql" | grep -q "^BEGIN;" &&
		is "$(grep -c "^COMMIT;" "$T/script.sql")" 1 && ! sed "1,/^COMMIT;/d" "$T/script.sql" | grep -Evq "^(VACUUM|ANALYZE) |^\\\\(set|if|endif)"
}
ok "--print-sql prints one transaction (then VACUUM and ANALYZE)" one_transaction
ok "... which psql runs as it is" psql_q -f "$T/script.sql"

done_testing

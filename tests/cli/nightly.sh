#!/usr/bin/env bash
# tests/nightly: samples/nightly.sh and samples/reprocess.sh as users run
# them: against the fake Instantly API and a real PostgreSQL server, with the
# programs of the build; the lock, the kept and pruned archives, the log
# lines, a failed load (archive kept, exit status, the next run succeeds),
# and reprocessing a range of days.
. "$(dirname "$0")/../lib.sh"

command -v flock >/dev/null || skip_all "no flock"
pg_bindir >/dev/null || skip_all "no PostgreSQL server binaries"
KEY=ietest-nightly-key
NIGHTLY=$SRCDIR/samples/nightly.sh
REPROCESS=$SRCDIR/samples/reprocess.sh
TODAY=$(date -u +%Y-%m-%d)

fake_sample "$KEY"
pg_start
psql_q -f "$SRCDIR/schemas/sql/01-auth.sql" -f "$SRCDIR/schemas/sql/02-tables.sql" -f "$SRCDIR/schemas/sql/03-rls.sql" >/dev/null 2>&1
pg_map_clients "$T/ws/clients.csv"

export ARCHIVE_DIR=$T/archive WORK_DIR=$T/work BIN_DIR=$BUILDDIR INSTANTLY_API_KEY=$KEY
export EXTRACT_ARGS="--base-url $URL --since 2026-10-28 --until 2026-11-26 --retry-wait 0.05"
leads() { psql_q -At -c "select count(*) from synced_leads"; }
# night NAME [VAR=VALUE]...: run nightly.sh with more settings; log in $T/NAME.log
night() { _n=$1; shift; set +e; env "$@" bash "$NIGHTLY" >"$T/$_n.log" 2>"$T/$_n.err"; _rc=$?; set -e; return $_rc; }

first() {
	night n1 || { cat "$T/n1.log" "$T/n1.err"; return 1; }
	test -s "$ARCHIVE_DIR/$TODAY.ndjson.gz" && is "$(leads)" 28 &&
	grep -q " nightly extract ok (exit 0, .* s): 3 campaigns: 3 complete, .*28 leads" "$T/n1.log" &&
	grep -q " nightly transform ok (exit 0, .* s): 52 lines read: 51 rows, 0 rejects, 1 skipped$" "$T/n1.log" &&
	grep -q " nightly load ok (exit 0, .* s): loaded 4 tables in one transaction: 47 rows inserted, 0 updated" "$T/n1.log" &&
	grep -q " nightly done: .*$TODAY.ndjson.gz loaded$" "$T/n1.log" && [ -z "$(ls -A "$WORK_DIR")" ]
}
ok "a night: the client map from the warehouse, extract, transform, load; one log line a stage" first
second() {
	night n2 && [ "$(printf '%s\n' "$ARCHIVE_DIR"/*.ndjson.gz | wc -l)" = 2 ] && test -s "$ARCHIVE_DIR/$TODAY.ndjson.gz" && is "$(leads)" 28
}
ok "a second run the same day keeps the first archive and loads the same rows" second
settings_file() {
	cat > "$T/settings.conf" <<EOF2
INSTANTLY_API_KEY=$KEY
PGHOST=$PGHOST
PGPORT=$PGPORT
PGUSER=$PGUSER
ARCHIVE_DIR=$T/archive2
EOF2
	set +e
	env -u INSTANTLY_API_KEY -u PGHOST -u PGPORT -u PGUSER -u ARCHIVE_DIR bash "$NIGHTLY" "$T/settings.conf" >"$T/ns.log" 2>"$T/ns.err"
	_r=$?; set -e
	[ $_r = 0 ] || { cat "$T/ns.log" "$T/ns.err"; return 1; }
	test -s "$T/archive2/$TODAY.ndjson.gz" && contains "$T/ns.log" "nightly done"
}
ok "a settings file: every variable it sets reaches the programs and psql (the key, PG*)" settings_file
locked() {
	flock "$ARCHIVE_DIR/.nightly.lock" sleep 3 &
	_lp=$!
	sleep 0.5
	exit_is 75 night n3
	_r=$?
	wait "$_lp"
	[ $_r = 0 ] && contains "$T/n3.log" "another run holds"
}
ok "while another run holds the lock: exit 75, nothing done" locked
# reprocess_locked: reprocess.sh while another process holds the nightly lock: exit 75
reprocess_locked() {
	local lp r
	flock "$ARCHIVE_DIR/.nightly.lock" sleep 2 &
	lp=$!
	sleep 0.5
	exit_is 75 bash "$REPROCESS" "$TODAY"
	r=$?
	wait "$lp"
	return $r
}
ok "...and reprocess.sh takes the same lock (75)" reprocess_locked

rm -f "$ARCHIVE_DIR"/*.ndjson.gz
cp "$T/ws/clients.csv" "$T/map.csv"
failed_load() {
	pg_stop
	exit_is 5 night n4 CLIENT_MAP="$T/map.csv" || return 1
	test -s "$ARCHIVE_DIR/$TODAY.ndjson.gz" && contains "$T/n4.log" "load failed (exit 5)" &&
		contains "$T/n4.log" "the archive is kept: $ARCHIVE_DIR/$TODAY.ndjson.gz"
}
ok "the warehouse is down: exit 5, the archive is kept" failed_load
pg_restart
# next_night: the run after a failed load, with the same client map, is done
next_night() { env CLIENT_MAP="$T/map.csv" bash "$NIGHTLY" > "$T/n5.log" 2>&1 && contains "$T/n5.log" "nightly done"; }
ok "the next run succeeds" next_night

partial() {
	ctl '{"fail_once_path":"/leads/list"}'
	exit_is 1 night n6 EXTRACT_ARGS="$EXTRACT_ARGS --retries 0" || return 1
	grep -q " nightly extract warnings (exit 1, " "$T/n6.log" && grep -q "nightly done: .*, with warnings$" "$T/n6.log" &&
		contains "$T/n6.err" "partial"
}
ok "a partial extract: loaded, exit 1, the log says so" partial
# issue 11: an extract that stops short is resumed by the next run of the day
fake_requests() { curl -sS "$URL/_stats?requests=0" | sed -n 's/^{"requests_total":\([0-9]*\).*/\1/p'; }
stopped_night() {	# stopped_night NAME DIR: a night whose extract the API stops after 4 requests (401)
	rm -rf "$2"
	ctl '{"fail_after":4,"fail_status":401}'
	exit_is 3 night "$1" ARCHIVE_DIR="$2" CLIENT_MAP="$T/map.csv" RETENTION_DAYS=0 \
		EXTRACT_ARGS="$EXTRACT_ARGS -j 1 --checkpoint 0"
	_r=$?
	ctl '{"fail_after":null,"fail_status":500,"reset_stats":true}'
	{ [ $_r = 0 ] && contains "$T/$1.log" "extract FAILED (exit 6" && [ -s "$2/.$TODAY.ndjson.gz.resume" ] &&
		[ -s "$2/.$TODAY.ndjson.gz.partial" ] && [ ! -e "$2/$TODAY.ndjson.gz" ]; } || { ls -la "$2"; return 1; }
}
resumed_night() {
	stopped_night n40 "$T/ar" || return 1
	# what a stopped extract of an earlier day left: removed
	touch "$T/ar/.2020-01-01.ndjson.gz.resume" "$T/ar/.2020-01-01.ndjson.gz.partial"
	psql_q -c "delete from synced_leads" >/dev/null
	night n41 ARCHIVE_DIR="$T/ar" CLIENT_MAP="$T/map.csv" RETENTION_DAYS=0 || { cat "$T/n41.log" "$T/n41.err"; return 1; }
	{ contains "$T/n41.log" "going on with the stopped extract of $T/ar/$TODAY.ndjson.gz" &&
	contains "$T/n41.log" "removed $T/ar/.2020-01-01.ndjson.gz.resume" &&
	contains "$T/n41.log" "nightly done: $T/ar/$TODAY.ndjson.gz loaded" && is "$(leads)" 28 &&
	is "$(names "$T/ar" | grep -vxF -e .nightly.lock -e .nightly-runs.tsv)" "$TODAY.ndjson.gz" &&
	zcat "$T/ar/$TODAY.ndjson.gz" | tail -n 1 | grep -q '"status":"complete".*"resumed":1' &&
	is "$(zcat "$T/ar/$TODAY.ndjson.gz" | grep -c '"type":"lead"')" 28 &&
	is "$(zcat "$T/ar/$TODAY.ndjson.gz" | grep -c '"type":"leads_complete"')" 4 &&
	# what the first run fetched was not fetched again (a whole extract: 14 requests)
	[ "$(fake_requests)" -lt 13 ]; } || { echo "$(fake_requests) requests"; return 1; }
}
ok "an extract stopped mid-way (exit 3): the next run the same day resumes it (--resume), loads, the archive complete" resumed_night
changed_map_night() {
	stopped_night n42 "$T/ar2" || return 1
	head -n 3 "$T/map.csv" > "$T/map-less.csv"
	night n43 ARCHIVE_DIR="$T/ar2" CLIENT_MAP="$T/map-less.csv" RETENTION_DAYS=0 || { cat "$T/n43.log" "$T/n43.err"; return 1; }
	contains "$T/n43.log" "the stopped extract had other inputs; starting over" &&
	contains "$T/n43.log" "nightly done: $T/ar2/$TODAY.ndjson.gz loaded" &&
	is "$(names "$T/ar2" | grep -vxF -e .nightly.lock -e .nightly-runs.tsv)" "$TODAY.ndjson.gz"
}
ok "...and when the client map changed since, it starts over" changed_map_night
refused() {
	rm -f "$ARCHIVE_DIR"/*.ndjson.gz
	psql_q -c "update synced_leads set email = 'before@example.com'" >/dev/null
	exit_is 3 night n7 INSTANTLY_API_KEY=wrong || return 1
	grep -q " nightly extract FAILED (exit 6, .*HTTP 401" "$T/n7.log" && [ -z "$(ls "$ARCHIVE_DIR"/*.ndjson.gz 2>/dev/null)" ] &&
	is "$(psql_q -At -c "select count(*) from synced_leads where email = 'before@example.com'")" 28
}
ok "the API refuses the key: exit 3, no archive, nothing loaded" refused
bad_setting() { exit_is 2 night n8 RETENTION_DAYS=soon && contains "$T/n8.err" "RETENTION_DAYS"; }
ok "a bad setting: exit 2" bad_setting

retention() {
	night n9 || return 1
	old=$(date -u -d '40 days ago' +%F) young=$(date -u -d '20 days ago' +%F)
	# by the date in the name, not the file's time (a restored archive keeps an old one)
	cp "$ARCHIVE_DIR/$TODAY.ndjson.gz" "$ARCHIVE_DIR/$old.ndjson.gz"
	cp "$ARCHIVE_DIR/$TODAY.ndjson.gz" "$ARCHIVE_DIR/${old}T010203Z.ndjson.gz"
	cp -p "$ARCHIVE_DIR/$TODAY.ndjson.gz" "$ARCHIVE_DIR/$young.ndjson.gz"
	touch -d '200 days ago' "$ARCHIVE_DIR/$young.ndjson.gz"
	echo keep > "$ARCHIVE_DIR/notes.ndjson.gz"; touch -d '200 days ago' "$ARCHIVE_DIR/notes.ndjson.gz"
	mkdir -p "$WORK_DIR/$old"	# left by a failed run
	night n10a RETENTION_DAYS=0 || return 1
	[ -e "$ARCHIVE_DIR/$old.ndjson.gz" ] || { echo "RETENTION_DAYS=0 deleted"; return 1; }
	night n10 RETENTION_DAYS=30 || return 1
	[ ! -e "$ARCHIVE_DIR/$old.ndjson.gz" ] && [ ! -e "$ARCHIVE_DIR/${old}T010203Z.ndjson.gz" ] &&
	[ -e "$ARCHIVE_DIR/$young.ndjson.gz" ] && [ -e "$ARCHIVE_DIR/notes.ndjson.gz" ] && [ ! -e "$WORK_DIR/$old" ] &&
	[ -e "$ARCHIVE_DIR/$TODAY.ndjson.gz" ] &&
		contains "$T/n10.log" "prune ok: 3 archive(s) or work directories dated before"
}
ok "retention by the date in the name: older archives and work directories pruned, younger ones, other files and RETENTION_DAYS=0 kept" retention

reprocess() {
	rm -f "$ARCHIVE_DIR"/*.ndjson.gz
	# shellcheck disable=SC2086 # $EXTRACT_ARGS: options, split on purpose
	"$EXTRACT" --clients "$T/map.csv" $EXTRACT_ARGS -o "$ARCHIVE_DIR/2026-11-20.ndjson.gz" 2>/dev/null &&
	"$EXTRACT" --clients "$T/map.csv" $EXTRACT_ARGS -o "$ARCHIVE_DIR/2026-11-21.ndjson.gz" 2>/dev/null &&
	cp "$ARCHIVE_DIR/2026-11-21.ndjson.gz" "$ARCHIVE_DIR/2026-11-25.ndjson.gz" || return 1
	psql_q -c "delete from synced_leads" >/dev/null
	bash "$REPROCESS" 2026-11-19 2026-11-21 > "$T/rp.log" 2>"$T/rp.err" || { cat "$T/rp.log" "$T/rp.err"; return 1; }
	is "$(grep -c ': loaded$' "$T/rp.log")" 2 &&
	grep -n ': loaded$' "$T/rp.log" | head -1 | grep -q 2026-11-20 && ! grep -q 2026-11-25 "$T/rp.log" && is "$(leads)" 28
}
ok "reprocess.sh FROM TO: the archives of those days, oldest first" reprocess
ok "reprocess.sh: no archive in the range is exit 3" exit_is 3 bash "$REPROCESS" 2020-01-01 2020-01-02
# bad_range: a day that does not exist, and a range that ends before it starts: exit 2
bad_range() { exit_is 2 bash "$REPROCESS" 2026-13-01 && exit_is 2 bash "$REPROCESS" 2026-11-21 2026-11-20; }
ok "reprocess.sh: a bad date or range is exit 2" bad_range
reprocess_fail() {
	pg_stop
	exit_is 5 bash "$REPROCESS" 2026-11-20 2026-11-21 > "$T/rp2.log" 2>&1
	_r=$?
	pg_restart
	[ $_r = 0 ] && contains "$T/rp2.log" "2026-11-20.ndjson.gz: load failed (exit 5); later days not loaded"
}
ok "reprocess.sh stops at the first failed load (exit 5)" reprocess_fail
report() {
	(cd "$T" && bash "$SRCDIR/samples/report.sh" "$T/chart.svg") > "$T/report.txt" 2>&1 || { cat "$T/report.txt"; return 1; }
	[ "$(grep -c '^== client ' "$T/report.txt")" = 2 ] && contains "$T/report.txt" "not_yet_emailed" &&
	contains "$T/report.txt" "company_size" && contains "$T/report.txt" " (none) " &&
	python3 - "$T/chart.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
lines = root.findall(ns + "polyline")
dots = [c.find(ns + "title").text for c in root.findall(ns + "circle")]
if len(lines) != 2:
    sys.exit("%d lines, wanted one per client (2)" % len(lines))
if not any(d == "Sample client 2222 2026-11-17: 96" for d in dots) or not any(d == "Sample client 1111 2026-11-24: 130" for d in dots):
    sys.exit("the values are not the warehouse's: %s" % dots[:12])
PY
}
psql_q -c "update clients set name = 'Sample client ' || left(id::text, 4)" >/dev/null
ok "report.sh: per client through RLS, and an SVG chart of emails sent per day with the warehouse's values" report
hostile_names() {
	# names are the portal's: a line break, a '|', a control character, SQL,
	# and the same name twice must break neither the SQL, nor the report, nor the SVG
	psql_q -c "update clients set name = E'Evil\\n\"}''; reset role; create table pwned as select * from synced_leads; --'
		where id = (select id from clients order by id limit 1)" \
		-c "update clients set name = E'Smith & <Sons> | Ltd\\x01' where id = (select id from clients order by id desc limit 1)" >/dev/null || return 1
	(cd "$T" && bash "$SRCDIR/samples/report.sh" "$T/chart2.svg") > "$T/report2.txt" 2>&1 || { cat "$T/report2.txt"; return 1; }
	is "$(psql_q -At -c "select count(*) from pg_tables where tablename = 'pwned'")" 0 &&
	[ "$(grep -c '^== client ' "$T/report2.txt")" = 2 ] &&
	python3 - "$T/chart2.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
if len(root.findall(ns + "polyline")) != 2:
    sys.exit("not one line per client")
days = [t.text for t in root.findall(ns + "text") if t.text and t.text[:2] == "11"]
if any("Ltd" in d for d in days):
    sys.exit("a name split into the days")
PY
	psql_q -c "update clients set name = 'Acme'" >/dev/null
	(cd "$T" && bash "$SRCDIR/samples/report.sh" "$T/chart3.svg") >/dev/null 2>&1 &&
	python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); sys.exit(len(r.findall("{http://www.w3.org/2000/svg}polyline")) != 2)' "$T/chart3.svg"
}
ok "report.sh: hostile or equal client names break neither the SQL (no injection), the report nor the SVG" hostile_names

# ---- issue 10: private files, secrets per stage, no fixed names -------------
private_night() {
	rm -rf "$T/priv"
	(umask 022 && night n20 ARCHIVE_DIR="$T/priv/archive" WORK_DIR="$T/priv/work" \
		EXTRACT_ARGS="$EXTRACT_ARGS" RETENTION_DAYS=0) || { cat "$T/n20.log" "$T/n20.err"; return 1; }
	_bad=$(find "$T/priv" -perm /077 -printf '%m %p\n')
	[ -z "$_bad" ] || { echo "open to others:"; echo "$_bad"; return 1; }
	[ "$(stat -c %a "$T/priv/archive/$TODAY.ndjson.gz")" = 600 ]
}
ok "umask 022: the dated archive (0600), the archive and work directories (0700) are private" private_night
failed_private() {	# a failed load leaves the work directory (personal data): private too
	rm -rf "$T/priv2"; pg_stop
	(umask 000 && exit_is 5 night n21 ARCHIVE_DIR="$T/priv2/archive" WORK_DIR="$T/priv2/work" CLIENT_MAP="$T/map.csv")
	_r=$?; pg_restart
	{ [ $_r = 0 ] && [ -n "$(ls -A "$T/priv2/work")" ]; } || { echo "no work directory left"; return 1; }
	_bad=$(find "$T/priv2" -perm /077 -printf '%m %p\n')
	[ -z "$_bad" ] || { echo "open to others:"; echo "$_bad"; return 1; }
}
ok "umask 000 and a failed load: what is left (archive, work directory, CSVs) is private" failed_private
open_dir() {
	mkdir -p "$T/open/archive"; chmod 755 "$T/open/archive"
	night n22 ARCHIVE_DIR="$T/open/archive" WORK_DIR="$T/open/work" RETENTION_DAYS=0 &&
		contains "$T/n22.err" "$T/open/archive is open to other users"
}
ok "an archive directory made by someone else, open to others: warned" open_dir
group_night() {
	rm -rf "$T/grp"
	night n23 ARCHIVE_DIR="$T/grp/archive" WORK_DIR="$T/grp/work" RETENTION_DAYS=0 INSTANTLY_ETL_UMASK=027 &&
		[ "$(stat -c %a "$T/grp/archive/$TODAY.ndjson.gz")" = 640 ] && [ "$(stat -c %a "$T/grp/archive")" = 750 ] &&
		exit_is 2 night n24 INSTANTLY_ETL_UMASK=002
}
ok "INSTANTLY_ETL_UMASK=027 opens the archives to a group (0640), 002 is refused" group_night
# spies in BIN_DIR: each program records the environment it got, then runs
mkdir -p "$T/spy"
for p in instantly-extract instantly-transform instantly-load; do
	printf '#!/bin/sh\nenv > "%s/%s.env"\nexec "%s/%s" "$@"\n' "$T/spy" "$p" "$BUILDDIR" "$p" > "$T/spy/$p"
	chmod +x "$T/spy/$p"
done
has_var() { grep -q "^$2=" "$T/spy/instantly-$1.env" || { echo "$1 lacks $2"; return 1; }; }
no_var() { ! grep -q "^$2=" "$T/spy/instantly-$1.env" || { echo "$1 got $2"; return 1; }; }
secrets_per_stage() {
	cat > "$T/spy.conf" <<EOF2
INSTANTLY_API_KEY=$KEY
PGPASSWORD=not-checked-by-trust-auth
PGHOST=$PGHOST
ACME_NOTE=shell-only
EOF2
	rm -f "$T"/spy/*.env
	set +e
	env -u INSTANTLY_API_KEY BIN_DIR="$T/spy" bash "$NIGHTLY" "$T/spy.conf" >"$T/spy.log" 2>"$T/spy.err"
	_r=$?; set -e
	[ $_r = 0 ] || { cat "$T/spy.log" "$T/spy.err"; return 1; }
	has_var extract INSTANTLY_API_KEY && no_var extract PGPASSWORD &&
	no_var transform INSTANTLY_API_KEY && no_var transform PGPASSWORD &&
	has_var load PGPASSWORD && has_var load PGHOST && no_var load INSTANTLY_API_KEY &&
	no_var extract ACME_NOTE
}
ok "each stage gets only its secrets: the key only the extract, PGPASSWORD only the load" secrets_per_stage
env_key_hidden() {	# a key from cron's environment, not a file, is hidden too
	rm -f "$T"/spy/*.env
	night n25 BIN_DIR="$T/spy" PGPASSWORD=x || { cat "$T/n25.log" "$T/n25.err"; return 1; }
	has_var extract INSTANTLY_API_KEY && no_var transform INSTANTLY_API_KEY && no_var load INSTANTLY_API_KEY &&
		no_var transform PGPASSWORD && no_var extract PGPASSWORD
}
ok "...also when the key and PGPASSWORD come from the environment" env_key_hidden
workspace_keys() {	# a key variable the map names (api_key_env) reaches only the extract
	{ echo "client_id,campaign_id,api_key_env"; tail -n +2 "$T/map.csv" | sed 's/$/,ACME_KEY/'; } > "$T/map-ws.csv"
	rm -f "$T"/spy/*.env
	night n26 BIN_DIR="$T/spy" CLIENT_MAP="$T/map-ws.csv" ACME_KEY="$KEY" || { cat "$T/n26.log" "$T/n26.err"; return 1; }
	has_var extract ACME_KEY && no_var transform ACME_KEY && no_var load ACME_KEY
}
ok "a workspace key named in the map's api_key_env reaches only the extract" workspace_keys
tmpdir_quote() {	# the map's export puts no path into SQL
	mkdir -p "$T/it's; x"
	night n29 TMPDIR="$T/it's; x" RETENTION_DAYS=0 || { cat "$T/n29.log" "$T/n29.err"; return 1; }
	contains "$T/n29.log" "nightly done"
}
ok "a TMPDIR holding a quote: the client map is still exported (no path inside the SQL)" tmpdir_quote
# spies in PATH for the helpers the script runs (sort, date, flock, awk,
# psql...): the environment each got, appended
mkdir -p "$T/hspy"
for c in sort comm date flock mktemp awk find mkdir cat grep sed tail head rm basename psql; do
	_real=$(command -v "$c") || continue
	printf '#!/bin/sh\nenv >> "%s/%s.env"\nexec "%s" "$@"\n' "$T/hspy" "$c" "$_real" > "$T/hspy/$c"
	chmod +x "$T/hspy/$c"
done
helpers_clean() {
	cat > "$T/hs.conf" <<EOF2
export INSTANTLY_API_KEY=$KEY
export PGPASSWORD=not-checked-by-trust-auth
declare -x ACME_KEY=$KEY
PGHOST=$PGHOST
CLIENT_MAP_SQL="select client_id, campaign_id, 'ACME_KEY' as api_key_env from client_campaigns order by 1, 2"
EOF2
	rm -f "$T"/hspy/*.env
	set +e
	env PATH="$T/hspy:$PATH" bash "$NIGHTLY" "$T/hs.conf" >"$T/hs.log" 2>"$T/hs.err"
	_r=$?; set -e
	[ $_r = 0 ] || { cat "$T/hs.log" "$T/hs.err"; return 1; }
	{ [ -s "$T/hspy/psql.env" ] && [ -s "$T/hspy/date.env" ] && [ -s "$T/hspy/sort.env" ]; } || { echo "spies not run"; return 1; }
	_leak=$(cd "$T/hspy" && grep -l -E '^(INSTANTLY_API_KEY|PGPASSWORD|ACME_KEY)=' -- *.env | grep -v '^psql.env$')
	[ -z "$_leak" ] || { echo "a secret in the environment of: $_leak"; return 1; }
	! grep -q -E '^(INSTANTLY_API_KEY|ACME_KEY)=' "$T/hspy/psql.env" || { echo "psql got an API key"; return 1; }
}
ok "no helper (sort, comm, date, flock, awk...) gets a secret, psql no API key, also from a settings file's export/declare -x" helpers_clean
reprocess_helpers_clean() {	# reprocess.sh: its date check ran with the key and PGPASSWORD exported
	rm -f "$T"/hspy/*.env
	set +e
	printf 'export PGPASSWORD=not-checked-by-trust-auth\nPGHOST=%s\n' "$PGHOST" > "$T/rp.conf"
	env PATH="$T/hspy:$PATH" bash "$REPROCESS" "$T/rp.conf" "$TODAY" >"$T/hs2.log" 2>"$T/hs2.err"
	_r=$?; set -e
	[ $_r = 0 ] || { cat "$T/hs2.log" "$T/hs2.err"; return 1; }
	[ -s "$T/hspy/date.env" ] || { echo "spies not run"; return 1; }
	_leak=$(cd "$T/hspy" && grep -l -E '^(INSTANTLY_API_KEY|PGPASSWORD)=' -- *.env | grep -v '^psql.env$')
	[ -z "$_leak" ] || { echo "a secret in the environment of: $_leak"; return 1; }
	! grep -q '^INSTANTLY_API_KEY=' "$T/hspy/psql.env" 2>/dev/null || { echo "psql got the API key"; return 1; }
	{ [ -s "$T/hspy/psql.env" ] && grep -q '^PGPASSWORD=' "$T/hspy/psql.env"; } || { echo "the load's psql lacks PGPASSWORD"; return 1; }
}
ok "reprocess.sh with a settings file: no helper gets the key or PGPASSWORD, the load's psql PGPASSWORD only" reprocess_helpers_clean
dsn_password() {
	exit_is 2 night n27 LOAD_DSN="host=$PGHOST password=hunter2" && contains "$T/n27.err" "must not hold a password" &&
	exit_is 2 night n28 LOAD_DSN="postgresql://u:hunter2@localhost/db"
}
ok "a password in LOAD_DSN (it would be on psql's command line) is refused" dsn_password
dsn_password_siblings() {	# libpq's "password = x", a URI's &password=; reprocess.sh and report.sh
	for d in "host=$PGHOST password = hunter2" "host=$PGHOST  password=hunter2" "postgresql://localhost/db?sslmode=disable&password=hunter2"; do
		{ exit_is 2 night n29 LOAD_DSN="$d" && contains "$T/n29.err" "must not hold a password"; } || { echo "nightly: $d"; return 1; }
		set +e; env LOAD_DSN="$d" bash "$REPROCESS" "$TODAY" >"$T/n30.log" 2>"$T/n30.err"; _r=$?; set -e
		{ [ $_r = 2 ] && contains "$T/n30.err" "must not hold a password"; } || { echo "reprocess ($_r): $d"; return 1; }
		set +e; env REPORT_DSN="$d" bash "$SRCDIR/samples/report.sh" "$T/n31.svg" >"$T/n31.log" 2>&1; _r=$?; set -e
		{ [ $_r = 2 ] && contains "$T/n31.log" "must not hold a password"; } || { echo "report ($_r): $d"; return 1; }
	done
	night n32 LOAD_DSN="host=$PGHOST passfile=$T/password.txt" RETENTION_DAYS=0 || { cat "$T/n32.err"; return 1; }
}
ok "...also written 'password = x' or '&password=', and in reprocess.sh and report.sh; passfile=...password... is fine" dsn_password_siblings
report_names() {
	# no fixed names beside the chart: a link planted at CHART.data is left alone
	mkdir -p "$T/rep"; echo precious > "$T/precious"
	ln -s "$T/precious" "$T/rep/chart.svg.data"; ln -s "$T/precious" "$T/rep/chart.svg.tmp"
	bash "$SRCDIR/samples/report.sh" "$T/rep/chart.svg" > "$T/rep.txt" 2>&1 || { cat "$T/rep.txt"; return 1; }
	is "$(cat "$T/precious")" precious && [ "$(stat -c %a "$T/rep/chart.svg")" = 600 ] &&
		! names "$T/rep" | grep -qv -e '^chart.svg$' -e '^chart.svg.data$' -e '^chart.svg.tmp$'
}
ok "report.sh writes through no fixed temporary name (links planted there untouched), the chart 0600, nothing left" report_names
report_escapes() {
	{ psql_q -c "update synced_leads set industry = E'\\x1b[2J\\x1b]0;pwned\\x07Evil\\u202e' where instantly_lead_id = (select instantly_lead_id from synced_leads limit 1)" >/dev/null &&
		bash "$SRCDIR/samples/report.sh" "$T/rep/chart2.svg" > "$T/rep2.txt" 2>&1; } || { cat "$T/rep2.txt"; return 1; }
	! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae' "$T/rep2.txt" && contains "$T/rep2.txt" "?[2J?]0;pwned?Evil?"
}
ok "report.sh: an ICP value with escapes reaches the terminal with them replaced" report_escapes
done_testing

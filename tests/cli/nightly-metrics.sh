#!/usr/bin/env bash
# tests/nightly-metrics: what samples/nightly.sh leaves for monitoring, run
# against the fake Instantly API and a real PostgreSQL server: the
# Prometheus text file of METRICS_FILE (promtool check metrics, its values
# against the stages' own summaries, atomic and 0644, the last success kept
# through a failed run) and `nightly.sh --status` (the runs' history: when,
# how long, exit status, rows, the archive of each day).
. "$(dirname "$0")/../lib.sh"

command -v flock >/dev/null || skip_all "no flock"
pg_bindir >/dev/null || skip_all "no PostgreSQL server binaries"
command -v promtool >/dev/null || { echo "no promtool: install the Debian package prometheus (tests/deps.sh)"; exit 1; }
KEY=ietest-metrics-key
NIGHTLY=$SRCDIR/samples/nightly.sh
TODAY=$(date -u +%Y-%m-%d)

fake_sample "$KEY"
pg_warehouse
pg_map_clients "$T/ws/clients.csv"

export ARCHIVE_DIR=$T/archive WORK_DIR=$T/work BIN_DIR=$BUILDDIR INSTANTLY_API_KEY=$KEY
export EXTRACT_ARGS="--base-url $URL --since 2026-10-28 --until 2026-11-26 --retry-wait 0.05"
export METRICS_FILE=$T/textfile/instantly-etl.prom
M=$METRICS_FILE
night() { _n=$1; shift; set +e; env "$@" bash "$NIGHTLY" >"$T/$_n.log" 2>"$T/$_n.err"; _rc=$?; set -e; return $_rc; }
# m NAME[{LABELS}]: the value of a sample
m() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }' "$M" || { echo "no sample $1 in $M"; return 1; }; }
lint() { promtool check metrics < "$M" > "$T/lint.out" 2>&1 || { cat "$T/lint.out"; return 1; }; [ ! -s "$T/lint.out" ] || { cat "$T/lint.out"; return 1; }; }

first() {
	night n1 || { cat "$T/n1.log" "$T/n1.err"; return 1; }
	test -s "$M" && is "$(stat -c %a "$M")" 644 && is "$(stat -c %a "$(dirname "$M")")" 755 &&
	is "$(stat -c %a "$ARCHIVE_DIR/$TODAY.ndjson.gz")" 600
}
ok "a night with METRICS_FILE: the file is written, 0644 in a 0755 directory (counts only), the archive stays 0600" first
ok "promtool check metrics: valid, and no naming or help problem" lint
values() {
	is "$(m instantly_etl_last_run_exit_status)" 0 &&
	is "$(m instantly_etl_last_success_timestamp_seconds)" "$(m instantly_etl_last_run_end_timestamp_seconds)" &&
	awk -v s="$(m instantly_etl_last_run_start_timestamp_seconds)" -v n="$(date +%s)" 'BEGIN { exit !(s > n - 120 && s <= n) }' &&
	for s in extract transform load; do is "$(m "instantly_etl_stage_exit_status{stage=\"$s\"}")" 0 || return 1; done &&
	is "$(m 'instantly_etl_extract_campaigns{status="complete"}')" 3 &&
	is "$(m 'instantly_etl_extract_items{type="lead"}')" 28 &&
	is "$(m instantly_etl_extract_requests)" "$(sed -n 's/.* \([0-9]*\) requests (.*/\1/p' "$T/n1.err")" &&
	is "$(m 'instantly_etl_transform_rows{table="synced_leads"}')" 28 &&
	is "$(m 'instantly_etl_transform_rows{table="campaign_analytics"}')" 11 &&
	is "$(m 'instantly_etl_transform_rejects{table="other"}')" 0 &&
	is "$(m 'instantly_etl_load_rows{table="synced_leads",outcome="inserted"}')" 28 &&
	is "$(m 'instantly_etl_load_rows{table="campaigns",outcome="inserted"}')" 4 &&
	is "$(m 'instantly_etl_load_rows{table="synced_leads",outcome="deleted"}')" 0
}
ok "its values: exit status, times, each stage's exit status, campaigns, leads, requests, rows per table and outcome" values

retries() {
	ctl '{"fail_every":4,"fail_status":429,"reset_stats":true}'
	night n2; _r=$?; ctl '{"fail_every":null,"fail_status":500}'
	[ $_r = 0 ] || { cat "$T/n2.log"; return 1; }
	lint && n429=$(m instantly_etl_extract_http_429_responses) && [ "$n429" -gt 0 ] &&
	is "$(m instantly_etl_extract_retries)" "$(sed -n 's/.*(\([0-9]*\) retried, .*/\1/p' "$T/n2.err")" &&
	is "$n429" "$(sed -n 's/.*retried, \([0-9]*\) [^0-9]* 429, .*/\1/p' "$T/n2.err")" &&
	is "$(m 'instantly_etl_load_rows{table="synced_leads",outcome="unchanged"}')" 28 &&
	is "$(m 'instantly_etl_load_rows{table="synced_leads",outcome="updated"}')" 0
}
ok "429s and retries counted as the extract's summary says; a second load of the same leads: 28 unchanged" retries

failed() {
	good=$(m instantly_etl_last_success_timestamp_seconds) ino=$(stat -c %i "$M")
	sleep 1
	exit_is 3 night n3 INSTANTLY_API_KEY=wrong || return 1
	lint && is "$(m instantly_etl_last_run_exit_status)" 3 && is "$(m instantly_etl_last_success_timestamp_seconds)" "$good" &&
	is "$(m 'instantly_etl_stage_exit_status{stage="extract"}')" 6 && ! grep -q 'stage="transform"' "$M" &&
	! grep -q instantly_etl_load_rows "$M" && [ "$(stat -c %i "$M")" != "$ino" ] &&
	! names "$(dirname "$M")" | grep -qvxF instantly-etl.prom
}
ok "a failed run (the key refused): exit status 3, the extract's 6, no later stage; the last success kept; replaced by a rename, no temporary left" failed
failed_load() {
	good=$(m instantly_etl_last_success_timestamp_seconds)
	pg_stop
	exit_is 5 night n4 CLIENT_MAP="$T/ws/clients.csv"; _r=$?
	pg_restart
	[ $_r = 0 ] && lint && is "$(m instantly_etl_last_run_exit_status)" 5 && is "$(m 'instantly_etl_stage_exit_status{stage="load"}')" 5 &&
	is "$(m instantly_etl_last_success_timestamp_seconds)" "$good" && is "$(m 'instantly_etl_transform_rows{table="synced_leads"}')" 28
}
ok "a failed load: exit 5, the load's status, the transform's rows, the last success kept" failed_load
never() {
	rm -f "$M"
	exit_is 3 night n5 INSTANTLY_API_KEY=wrong && is "$(m instantly_etl_last_success_timestamp_seconds)" 0
}
ok "no success known: instantly_etl_last_success_timestamp_seconds 0 (the alert fires)" never
locked() {
	cp "$M" "$T/before.prom"
	flock "$ARCHIVE_DIR/.nightly.lock" sleep 3 & _lp=$!
	sleep 0.5
	exit_is 75 night n6; _r=$?
	wait "$_lp"
	[ $_r = 0 ] && same_file "$T/before.prom" "$M"
}
ok "a run that finds the lock held (75) leaves the metrics of the run that holds it" locked
unwritable() {
	echo file > "$T/notadir"
	night n7 METRICS_FILE="$T/notadir/x.prom" || { cat "$T/n7.log" "$T/n7.err"; return 1; }
	contains "$T/n7.err" "nightly: warning: metrics: cannot create $T/notadir"
}
ok "a metrics file that cannot be written: a warning, the run's exit status unchanged (0)" unwritable
umask_group() { night n8 INSTANTLY_ETL_UMASK=027 && is "$(stat -c %a "$M")" 644 && is "$(stat -c %a "$ARCHIVE_DIR/$TODAY.ndjson.gz")" 600; }
ok "INSTANTLY_ETL_UMASK=027: the metrics still 0644" umask_group

# ---- nightly.sh --status ---------------------------------------------------------
status() {
	bash "$NIGHTLY" --status > "$T/st.out" 2>&1 || { cat "$T/st.out"; return 1; }
	runs=$(grep -c '^  20[0-9-]*T[0-9:]*Z ' "$T/st.out")
	{ is "$runs" "$(wc -l < "$ARCHIVE_DIR/.nightly-runs.tsv")" &&
	grep -Eq "^  $TODAY"'T[0-9:]+Z +[0-9.]+ s +0  ok +28 +51 +0  47/0/0/0 +'"$TODAY"'\.ndjson\.gz \([0-9.]+KB?\)$' "$T/st.out" &&
	grep -Eq '^  [0-9T:Z-]+ +[0-9.]+ s +3  extract failed \(6\) +- +- +-  -/-/-/- +-$' "$T/st.out" &&
	grep -Eq '^  [0-9T:Z-]+ +[0-9.]+ s +5  load failed \(5\) ' "$T/st.out" &&
	grep -Eq '^  [0-9T:Z-]+ +[0-9.]+ s +0  ok +28 +51 +0  0/19/28/0 ' "$T/st.out" && grep -q "^last success: $TODAY" "$T/st.out" &&
	grep -q "^  $TODAY.ndjson.gz  [0-9]* bytes$" "$T/st.out"; } || { cat "$T/st.out"; return 1; }
}
ok "--status: each run's start, duration, exit status and meaning, leads, rows, rejects, rows loaded, its archive and size; the last success; the archives kept" status
pruned() {
	for f in "$ARCHIVE_DIR"/"$TODAY"T*.ndjson.gz; do rm -f "$f"; done
	{ bash "$NIGHTLY" --status > "$T/st2.out" 2>&1 && grep -Eq "${TODAY}T[0-9]{6}Z\.ndjson\.gz \(pruned\)$" "$T/st2.out"; } || { cat "$T/st2.out"; return 1; }
}
ok "--status: an archive no longer kept is shown as pruned" pruned
status_conf() {
	printf "ARCHIVE_DIR=%s\nSTATUS_RUNS=2\n" "$ARCHIVE_DIR" > "$T/st.conf"
	env -u ARCHIVE_DIR bash "$NIGHTLY" --status "$T/st.conf" > "$T/st3.out" && [ "$(grep -c "^  20[0-9-]*T" "$T/st3.out")" = 2 ]
}
ok "--status with a settings file, and STATUS_RUNS=2: the last two runs" status_conf
torn_line() {	# a run killed while appending its line to the history
	local f=$ARCHIVE_DIR/.nightly-runs.tsv runs
	runs=$(grep -c '' "$f")
	printf '2026-01-01T00:00:00Z\t17' >> "$f"
	night torn || return 1
	STATUS_RUNS=1000 bash "$NIGHTLY" --status > "$T/st5.out" 2>&1 || { cat "$T/st5.out"; return 1; }
	! grep -q "2026-01-01T00:00:00Z" "$T/st5.out" &&
	is "$(grep -Ec '^  20[0-9T:Z-]+ +[0-9.]+ s ' "$T/st5.out")" "$((runs + 1))" &&
	is "$(tail -n 1 "$f" | awk -F '\t' '{ print NF }')" 15
}
ok "--status: a line torn by a kill mid-append is not shown, and the next run's line stays whole" torn_line
empty_status() {
	bash "$NIGHTLY" --status > "$T/st4.out" 2>&1 </dev/null &&
	env ARCHIVE_DIR="$T/nowhere" WORK_DIR="$T/nowork" bash "$NIGHTLY" --status > "$T/st4.out" 2>&1 &&
	contains "$T/st4.out" "none recorded yet" && [ ! -e "$T/nowhere" ] && [ ! -e "$T/nowork" ]
}
ok "--status before any run: none recorded; it creates nothing (no directory, no lock)" empty_status
history_trim() {
	h=$ARCHIVE_DIR/.nightly-runs.tsv
	last=$(tail -n 1 "$h")
	for _ in $(seq 1 1005); do printf '%s\n' "$last"; done >> "$h"
	night n9 && is "$(wc -l < "$h")" 1000 && tail -n 1 "$h" | grep -q "	0	0	0	0	28	"
}
ok "the history keeps the last 1000 runs" history_trim
done_testing

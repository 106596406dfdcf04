#!/usr/bin/env bash
# samples/nightly.sh: the production pipeline, for cron.
#
#     instantly-extract → ARCHIVE_DIR/DATE.ndjson.gz (kept) → instantly-transform
#     → WORK_DIR/DATE/ → instantly-load
#
# One run at a time (a lock); a dated archive kept for RETENTION_DAYS days and
# then pruned; one log line per stage, with its counts, on stdout (for the
# cron mail or a log file); and an exit status a scheduler can act on.
#
# Settings come from the environment, or from a file given as the only
# argument (sourced by bash: NAME=value lines; PG*, INSTANTLY_*, proxy,
# locale and TMPDIR variables it sets are exported to the programs, other
# variables stay in this script). Keep that file 0600.
#
# Secrets reach only the stage that uses them: the API keys (INSTANTLY_API_KEY,
# INSTANTLY_API_KEY_*, and every variable the client map's api_key_env column
# names) only instantly-extract; PGPASSWORD only psql and instantly-load;
# instantly-transform neither. A password in LOAD_DSN would be on psql's
# command line (visible in ps): it is refused; use PGPASSWORD or ~/.pgpass.
# A workspace key under another name is known as a secret only once the map
# is read: set it in the settings file (not exported), or name it
# INSTANTLY_API_KEY_*, so that the map's export (psql) never sees it either.
#
# Everything it writes (archives, work directories, the client map, logs of
# the stages) is private: umask 077, or INSTANTLY_ETL_UMASK (e.g. 027, to let
# a group read; never the world), as the programs do.
#
#   CLIENT_MAP       the client map CSV (client_id,campaign_id[,api_key_env]);
#                    default: exported from the warehouse with psql before
#                    the extract, by CLIENT_MAP_SQL
#   CLIENT_MAP_SQL   the query of that export (default: select client_id,
#                    campaign_id from client_campaigns); several workspaces
#                    need a third column api_key_env, e.g. from a table
#                    mapping clients to workspaces
#   ARCHIVE_DIR      where the dated archives are kept (default
#                    /var/lib/instantly-etl/archive)
#   WORK_DIR         where the transform writes (default
#                    /var/lib/instantly-etl/work); a run's directory is
#                    removed after a successful load
#   RETENTION_DAYS   archives (ARCHIVE_DIR/YYYY-MM-DD*.ndjson.gz, by the date
#                    in the name) and work directories of failed runs older
#                    than this many days are deleted (default 90; 0: never)
#   LOCK_FILE        default ARCHIVE_DIR/.nightly.lock
#   INSTANTLY_API_KEY, or per-workspace keys named in the client map
#   PG* / LOAD_DSN   the warehouse (psql's variables, or a DSN for --dsn)
#   EXTRACT_ARGS, TRANSFORM_ARGS, LOAD_ARGS   more options per stage
#                    (word-split), e.g. EXTRACT_ARGS="--days 30 --rate 20"
#   BIN_DIR          where the programs are (default: PATH)
#   METRICS_FILE     a Prometheus text file (for node_exporter's textfile
#                    collector) written at the end of every run, atomically,
#                    mode 0644 (counts and times only, no personal data):
#                    the run's and each stage's start, end and exit status,
#                    rows per table and outcome, rejects, requests, retries,
#                    429s, and instantly_etl_last_success_timestamp_seconds
#                    (kept from the file when a run fails); default: none.
#                    Its directory is made 0755 when missing; node_exporter's
#                    user must be able to reach it
#   RUNS_FILE        the runs' history, one line a run, that --status shows
#                    (default ARCHIVE_DIR/.nightly-runs.tsv; the last 1000 kept)
#   CREDENTIALS_DIRECTORY   set by systemd (LoadCredential=): the programs
#                    read the API keys there (instantly-api-key, a workspace's
#                    under its api_key_env name) and the database password
#                    (pg-password), which the client map's psql gets too; it
#                    is not passed on to instantly-transform
#
#     nightly.sh --status [SETTINGS_FILE]
#
# prints the last runs from RUNS_FILE (when, how long, exit status, rows,
# the archive kept for that day, or that it was pruned) and the archives kept;
# it runs nothing, takes no lock and changes nothing.
#
# Exit status:
#   0   every stage succeeded
#   1   loaded, with warnings: the extract was partial (some campaign failed)
#       or the transform rejected lines; the logs say which
#   2   a setting is wrong (usage)
#   3   the extract failed: nothing was loaded (what it fetched is kept, and
#       the next run of the same day goes on from there: --resume)
#   4   the transform failed: nothing was loaded; the archive is kept
#   5   the load failed: the warehouse is unchanged; the archive is kept
#       (samples/reprocess.sh loads it; the next run loads a fresh extract)
#   75  another run holds the lock: nothing was done (EX_TEMPFAIL: try later)
set -u -o pipefail

status_only=0
[ "${1:-}" != --status ] || { status_only=1; shift; }
[ $# -le 1 ] || { echo "usage: $0 [--status] [SETTINGS_FILE]" >&2; exit 2; }
# no secret in the environment of any command run before its stage (sort,
# date, flock...: /proc/PID/environ): un-exported before the first one
for _v in $(compgen -v INSTANTLY_API_KEY) PGPASSWORD; do export -n "${_v?}" 2>/dev/null; done
if [ $# -eq 1 ]; then
	declare -A _before=()
	for _v in $(compgen -v); do _before[$_v]=1; done
	# shellcheck disable=SC1090 # the settings file is the user's, named at run time
	. "$1" || { echo "nightly: cannot read settings from $1" >&2; exit 2; }
	# what the programs read is exported: PG* (psql, the load), INSTANTLY_*,
	# proxies, locale, TMPDIR; secrets only to their stage (below); the rest
	# (this script's own settings, a workspace key's variable) stays here,
	# even if the file exports it (export, declare -x)
	for _v in $(compgen -v); do
		[ -z "${_before[$_v]+x}" ] || continue
		case $_v in
		PGPASSWORD|INSTANTLY_API_KEY*) export -n "${_v?}" ;;
		PG*|INSTANTLY_*|*_proxy|*_PROXY|LANG|LC_*|TZ|TMPDIR) export "${_v?}" ;;
		*) export -n "${_v?}" 2>/dev/null ;;
		esac
	done
	unset _before
fi
# private files whatever the umask cron gives (the programs do the same)
if [ -n "${INSTANTLY_ETL_UMASK:-}" ]; then
	[[ $INSTANTLY_ETL_UMASK =~ ^0?[01]?[0-7]7$ ]] ||
		{ echo "nightly: INSTANTLY_ETL_UMASK=$INSTANTLY_ETL_UMASK must keep others out (e.g. 027)" >&2; exit 2; }
	umask "$INSTANTLY_ETL_UMASK"
else
	umask 077
fi

# ---- secrets: kept in this shell, not exported; given to a stage only ----
api_secrets=$(compgen -v INSTANTLY_API_KEY || true)
db_secrets=PGPASSWORD
hide_secrets() { for _v in $api_secrets $db_secrets; do export -n "${_v?}" 2>/dev/null; done; }
hide_secrets
# with_secrets api|db|psql|none COMMAND...: COMMAND in a subshell that exports
# only that kind of secret (an exported variable is no argument: ps shows none);
# psql: db, and the password of the credential pg-password (systemd's
# LoadCredential=; the programs read it themselves) as PGPASSWORD
with_secrets() {
	local kind=$1; shift
	(
		# shellcheck disable=SC2086 # lists of variable names
		case $kind in
		api) for _v in $api_secrets; do [ -z "${!_v+x}" ] || export "${_v?}"; done; unset $db_secrets ;;
		db|psql) for _v in $db_secrets; do [ -z "${!_v+x}" ] || export "${_v?}"; done; unset $api_secrets ;;
		*) unset $api_secrets $db_secrets CREDENTIALS_DIRECTORY ;;
		esac
		if [ "$kind" = psql ] && [ -n "${CREDENTIALS_DIRECTORY:-}" ] && [ -e "$CREDENTIALS_DIRECTORY/pg-password" ]; then
			[ -f "$CREDENTIALS_DIRECTORY/pg-password" ] ||
				{ echo "nightly: credential pg-password: $CREDENTIALS_DIRECTORY/pg-password is not a regular file" >&2; exit 3; }
			_pw=
			{ IFS= read -r _pw || true; } < "$CREDENTIALS_DIRECTORY/pg-password" || exit 3
			_pw=${_pw%"${_pw##*[![:space:]]}"}
			if [ -n "$_pw" ]; then PGPASSWORD=$_pw; export PGPASSWORD; fi
			unset _pw
		fi
		exec "$@"
	)
}
# (libpq takes "password = x" too, and ?password= or &password= in a URI)
if [[ ${LOAD_DSN:-} =~ (^|[[:space:]?\&])password[[:space:]]*= || ${LOAD_DSN:-} == *://*:*@* ]]; then
	echo "nightly: LOAD_DSN must not hold a password (psql's command line is visible to every user): use PGPASSWORD or ~/.pgpass" >&2
	exit 2
fi
: "${ARCHIVE_DIR:=/var/lib/instantly-etl/archive}"
: "${WORK_DIR:=/var/lib/instantly-etl/work}"
: "${RETENTION_DAYS:=90}"
: "${LOCK_FILE:=$ARCHIVE_DIR/.nightly.lock}"
: "${EXTRACT_ARGS:=}" "${TRANSFORM_ARGS:=}" "${LOAD_ARGS:=}"
: "${CLIENT_MAP_SQL:=select client_id, campaign_id from client_campaigns order by 1, 2}"
: "${RUNS_FILE:=$ARCHIVE_DIR/.nightly-runs.tsv}" "${METRICS_FILE:=}"
bin() { if [ -n "${BIN_DIR:-}" ]; then echo "$BIN_DIR/$1"; else echo "$1"; fi; }

log() { printf '%s nightly %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "$1 failed (exit ${3:-$2}): ${4:-see above}"; exit "$2"; }

# ---- the runs' history (RUNS_FILE, --status) and metrics (METRICS_FILE) ----
declare -A st_t0=() st_t1=() st_rc=()
run_t0=
stage_done() { st_t0[$1]=$2; st_t1[$1]=$3; st_rc[$1]=$rc; }	# stage_done NAME T0 T1 (rc)
# the counts the stages' stderr holds (their text log lines), as
# "stage key [label] value" lines: the extract's summary line, the
# transform's rows and rejects per table, the load's rows per table and outcome
# shellcheck disable=SC2317 # run by finish_run, from the EXIT trap (shellcheck does not see calls in a trap's string)
stage_counts() {
	local f
	for f in extract transform load; do if [ -f "$tmp/$f.err" ]; then sed "s/^/$f	/" "$tmp/$f.err"; fi; done |
	awk -F '\t' '
	$1 == "extract" && $2 ~ /^[^:]*: [0-9]+ campaigns: / { ex = $2 }
	$1 == "transform" && $2 ~ /^[^:]*: [a-z_]+: [0-9]+ rows, [0-9]+ rejects \([0-9]+ lines\)$/ {
		split($2, w, " "); t = w[2]; sub(/:$/, "", t)
		print "transform rows " t " " w[3]; print "transform rejects " t " " w[5] }
	$1 == "transform" && $2 ~ /^[^:]*: other lines: [0-9]+ \([0-9]+ skipped, [0-9]+ rejected\)$/ {
		split($2, w, " "); print "transform rejects other " w[7] }
	$1 == "load" && $2 ~ /^[^:]*: [a-z_]+ +[0-9]+ inserted +[0-9]+ updated +[0-9]+ unchanged +[0-9]+ deleted( +[0-9]+ not mapped)?$/ {
		n = split($2, w, " ")
		print "load rows " w[2] " inserted " w[3]; print "load rows " w[2] " updated " w[5]
		print "load rows " w[2] " unchanged " w[7]; print "load rows " w[2] " deleted " w[9]
		print "load rows " w[2] " not_mapped " (n >= 11 ? w[11] : 0) }
	END {
		if (ex == "") exit
		sub(/^[^:]*: /, "", ex)
		n = split(ex, w, /[ ,;:()]+/)
		for (i = 1; i < n; i++) if (w[i] ~ /^[0-9]+$/) {
			k = w[i + 1]
			if (k !~ /^[a-z]/) k = w[i + 2]	# "0 × 429"
			print "extract " k " " w[i]
		}
	}'
}
# the metrics file: Prometheus text format, gauges of the last run
# shellcheck disable=SC2317 # run by finish_run, from the EXIT trap (shellcheck does not see calls in a trap's string)
write_metrics() {	# write_metrics EXIT_STATUS T0 T1 COUNTS_FILE
	local code=$1 t0=$2 t1=$3 counts=$4 dir base tmpm last s
	dir=$(dirname -- "$METRICS_FILE") base=$(basename -- "$METRICS_FILE")
	[ -d "$dir" ] || (umask 022 && mkdir -p -- "$dir") || { echo "nightly: warning: metrics: cannot create $dir" >&2; return 1; }
	# the last success: this run's end, or what the file said
	if [ "$code" = 0 ]; then
		last=$t1
	else
		last=$(sed -n 's/^instantly_etl_last_success_timestamp_seconds \([0-9.e+]*\)$/\1/p' "$METRICS_FILE" 2>/dev/null | tail -n 1)
		: "${last:=0}"
	fi
	tmpm=$(mktemp "$dir/.$base.tmp.XXXXXX") || { echo "nightly: warning: metrics: cannot write in $dir" >&2; return 1; }
	if {
		g() { printf '# HELP instantly_etl_%s %s\n# TYPE instantly_etl_%s gauge\n' "$1" "$2" "$1"; }
		g last_run_start_timestamp_seconds "When the last nightly run started (Unix time)."
		printf 'instantly_etl_last_run_start_timestamp_seconds %s\n' "$t0"
		g last_run_end_timestamp_seconds "When the last nightly run ended (Unix time)."
		printf 'instantly_etl_last_run_end_timestamp_seconds %s\n' "$t1"
		g last_run_duration_seconds "How long the last nightly run took."
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "instantly_etl_last_run_duration_seconds %.3f\n", b - a }'
		g last_run_exit_status "Exit status of the last nightly run (0 ok, 1 loaded with warnings, 2 bad setting, 3 extract failed, 4 transform failed, 5 load failed)."
		printf 'instantly_etl_last_run_exit_status %s\n' "$code"
		g last_success_timestamp_seconds "When the last nightly run that exited 0 ended (Unix time; 0: none yet)."
		printf 'instantly_etl_last_success_timestamp_seconds %s\n' "$last"
		if [ ${#st_rc[@]} -gt 0 ]; then
			g stage_start_timestamp_seconds "When each stage of the last run started (Unix time)."
			for s in extract transform load; do [ -z "${st_rc[$s]:-}" ] || printf 'instantly_etl_stage_start_timestamp_seconds{stage="%s"} %s\n' "$s" "${st_t0[$s]%??????}"; done
			g stage_end_timestamp_seconds "When each stage of the last run ended (Unix time)."
			for s in extract transform load; do [ -z "${st_rc[$s]:-}" ] || printf 'instantly_etl_stage_end_timestamp_seconds{stage="%s"} %s\n' "$s" "${st_t1[$s]%??????}"; done
			g stage_exit_status "Exit status of each stage's program in the last run (a stage that did not run has none)."
			for s in extract transform load; do [ -z "${st_rc[$s]:-}" ] || printf 'instantly_etl_stage_exit_status{stage="%s"} %s\n' "$s" "${st_rc[$s]}"; done
		fi
		awk '
		function g(name, help) { if (!(name in seen)) { seen[name] = 1; printf "# HELP instantly_etl_%s %s\n# TYPE instantly_etl_%s gauge\n", name, help, name } }
		$1 == "extract" && $2 == "requests" { e["extract_requests"] = $3 }
		$1 == "extract" && $2 == "retried" { e["extract_retries"] = $3 }
		$1 == "extract" && $2 == "429" { e["extract_http_429_responses"] = $3 }
		$1 == "extract" && $2 == "5xx" { e["extract_http_5xx_responses"] = $3 }
		$1 == "extract" && ($2 == "complete" || $2 == "failed" || $2 == "not" || $2 == "with") {
			c[$2 == "not" ? "not_found" : $2 == "with" ? "cursor_repeated" : $2] = $3 }
		$1 == "extract" && ($2 == "leads" || $2 == "daily" || $2 == "overviews") {
			it[$2 == "leads" ? "lead" : $2 == "daily" ? "analytics_daily" : "analytics_overview"] = $3 }
		$1 == "transform" { if (!($3 in tables)) { tables[$3] = 1; ts[++tn] = $3 } tr[$2, $3] = $4 }
		$1 == "load" { if (!($3 in ltables)) { ltables[$3] = 1; ls[++ln] = $3 } ld[$3, $4] = $5 }
		END {
			if ("extract_requests" in e) {
				g("extract_requests", "HTTP requests the extract of the last run made, retries included.")
				print "instantly_etl_extract_requests " e["extract_requests"]
				g("extract_retries", "Requests the extract of the last run retried.")
				print "instantly_etl_extract_retries " e["extract_retries"]
				g("extract_http_429_responses", "429 Too Many Requests answers the extract of the last run got.")
				print "instantly_etl_extract_http_429_responses " e["extract_http_429_responses"]
				g("extract_http_5xx_responses", "5xx answers the extract of the last run got.")
				print "instantly_etl_extract_http_5xx_responses " e["extract_http_5xx_responses"]
				g("extract_campaigns", "Campaigns of the last run by how their extract ended.")
				split("complete failed not_found cursor_repeated", k, " ")
				for (i = 1; i <= 4; i++) printf "instantly_etl_extract_campaigns{status=\"%s\"} %d\n", k[i], c[k[i]]
				g("extract_items", "Items the extract of the last run archived, by type.")
				split("lead analytics_daily analytics_overview", k, " ")
				for (i = 1; i <= 3; i++) printf "instantly_etl_extract_items{type=\"%s\"} %d\n", k[i], it[k[i]]
			}
			if (tn) {
				g("transform_rows", "Rows the transform of the last run made, per table.")
				for (i = 1; i <= tn; i++) if ((("rows", ts[i]) in tr)) printf "instantly_etl_transform_rows{table=\"%s\"} %d\n", ts[i], tr["rows", ts[i]]
				g("transform_rejects", "Lines the transform of the last run rejected, per table (other: lines of no table).")
				for (i = 1; i <= tn; i++) printf "instantly_etl_transform_rejects{table=\"%s\"} %d\n", ts[i], tr["rejects", ts[i]]
			}
			if (ln) {
				g("load_rows", "Rows the load of the last run inserted, updated, left unchanged or deleted, and rows of unmapped campaigns not loaded, per table.")
				split("inserted updated unchanged deleted not_mapped", k, " ")
				for (i = 1; i <= ln; i++) for (j = 1; j <= 5; j++)
					printf "instantly_etl_load_rows{table=\"%s\",outcome=\"%s\"} %d\n", ls[i], k[j], ld[ls[i], k[j]]
			}
		}' <(sort "$counts")
	} > "$tmpm" && chmod 0644 "$tmpm" && mv -f -- "$tmpm" "$METRICS_FILE"; then
		return 0
	fi
	rm -f -- "$tmpm"; echo "nightly: warning: metrics: cannot write $METRICS_FILE" >&2; return 1
}
# at exit (after the lock was taken): a line in RUNS_FILE, and the metrics
# shellcheck disable=SC2317 # run by the EXIT trap (shellcheck does not see calls in a trap's string)
finish_run() {	# finish_run EXIT_STATUS
	local code=$1 t1 counts=$tmp/counts
	[ -n "$run_t0" ] || return 0
	t1=$(date +%s.%N)
	stage_counts > "$counts" 2>/dev/null || : > "$counts"
	# v KEY [LABEL]: the sum of KEY's counts (of LABEL's only), - if none (a
	# function, so global: local names variables only)
	v() { awk -v k="$1" -v l="${2:-}" '$1 " " $2 == k && (l == "" || $4 == l) { s += $NF; f = 1 } END { if (f) print s; else print "-" }' "$counts"; }
	# a line torn by a kill or a power cut before ours ends where it is
	if [ -s "$RUNS_FILE" ] && [ -n "$(tail -c 1 -- "$RUNS_FILE")" ]; then echo >> "$RUNS_FILE"; fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$(date -u -d "@${run_t0%.*}" +%Y-%m-%dT%H:%M:%SZ)" "${run_t0%.*}" \
		"$(awk -v a="$run_t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$code" \
		"${st_rc[extract]:--}" "${st_rc[transform]:--}" "${st_rc[load]:--}" \
		"$(v "extract leads")" "$(v "transform rows")" "$(v "transform rejects")" \
		"$(v "load rows" inserted)" "$(v "load rows" updated)" "$(v "load rows" unchanged)" "$(v "load rows" deleted)" \
		"$( [ -n "${archive:-}" ] && [ -e "$archive" ] && echo "$archive" || echo -)" >> "$RUNS_FILE" || echo "nightly: warning: cannot write the runs' history $RUNS_FILE" >&2
	if [ "$(wc -l < "$RUNS_FILE" 2>/dev/null || echo 0)" -gt 1000 ]; then
		if ! { tail -n 1000 "$RUNS_FILE" > "$RUNS_FILE.tmp.$$" && mv -f "$RUNS_FILE.tmp.$$" "$RUNS_FILE"; }; then
			rm -f "$RUNS_FILE.tmp.$$"
		fi
	fi
	# (seconds with milliseconds: %N's last 6 digits dropped; no printf %f, which follows LC_NUMERIC)
	[ -z "$METRICS_FILE" ] || write_metrics "$code" "${run_t0%??????}" "${t1%??????}" "$counts" || true
}
# --status: the last runs of RUNS_FILE and the archives kept
show_status() {
	local n=${STATUS_RUNS:-14} what
	echo "runs (newest last), from $RUNS_FILE:"
	if [ ! -s "$RUNS_FILE" ]; then
		echo "  none recorded yet"
	else
		printf '  %-20s  %7s  %4s  %-22s  %6s  %6s  %7s  %-21s  %s\n' "started (UTC)" took exit result \
			leads rows rejects "loaded ins/upd/unch/del" archive
		# (a line without its 15 fields was torn: not shown)
		awk -F '\t' 'NF == 15' < "$RUNS_FILE" | tail -n "$n" | while IFS=$'\t' read -r when _ took code rx rt rl leads rows rej ins upd unch del arc; do
			case $code in
			0) what=ok ;; 1) what="loaded, with warnings" ;; 2) what="bad setting" ;; 3) [ "$rx" = - ] && what="client map failed" || what="extract failed ($rx)" ;;
			4) what="transform failed ($rt)" ;; 5) what="load failed ($rl)" ;; 129|130|143) what="stopped by a signal" ;;
			*) what="failed" ;;
			esac
			if [ "$arc" = - ]; then
				arc=-
			elif [ -e "$arc" ]; then
				arc="$(basename -- "$arc") ($(numfmt --to=iec --suffix=B "$(stat -c %s -- "$arc")"))"
			else
				arc="$(basename -- "$arc") (pruned)"
			fi
			printf '  %-20s  %5s s  %4s  %-22s  %6s  %6s  %7s  %-23s  %s\n' "$when" "$took" "$code" "$what" \
				"$leads" "$rows" "$rej" "$ins/$upd/$unch/$del" "$arc"
		done
		awk -F '\t' 'NF == 15 && $4 == 0 { w = $1 } END { print "last success: " (w == "" ? "none recorded" : w) }' "$RUNS_FILE"
	fi
	echo "archives kept in $ARCHIVE_DIR (RETENTION_DAYS=$RETENTION_DAYS):"
	if [ -d "$ARCHIVE_DIR" ]; then
		find "$ARCHIVE_DIR" -maxdepth 1 -type f -regextype posix-extended \
			-regex '.*/[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{6}Z)?\.ndjson\.gz' -printf '%f %s\n'
	fi | sort |
	awk '{ n++; s += $2; if (n == 1) first = $1; last = $1; printf "  %s  %d bytes\n", $1, $2 }
		END { if (!n) print "  none"; else printf "  %d archive(s), %d bytes, %s to %s\n", n, s, substr(first, 1, 10), substr(last, 1, 10) }'
}
case $RETENTION_DAYS in ''|*[!0-9]*) echo "nightly: RETENTION_DAYS must be a number of days" >&2; exit 2;; esac
if [ "$status_only" = 1 ]; then show_status; exit $?; fi
mkdir -p "$ARCHIVE_DIR" "$WORK_DIR" || { echo "nightly: cannot create $ARCHIVE_DIR or $WORK_DIR" >&2; exit 2; }
for d in "$ARCHIVE_DIR" "$WORK_DIR"; do	# made before by someone else, open to all?
	[ -z "$(find "$d" -maxdepth 0 -perm /007)" ] ||
		echo "nightly: warning: $d is open to other users (chmod o-rwx it): archives hold personal data" >&2
done

# one run at a time: the lock is held until this process exits
exec 9>>"$LOCK_FILE" || { echo "nightly: cannot open the lock $LOCK_FILE" >&2; exit 2; }
flock -n 9
case $? in
0) ;;
1) log "another run holds $LOCK_FILE; nothing done"; exit 75 ;;
*) echo "nightly: cannot take the lock $LOCK_FILE (is flock installed?)" >&2; exit 2 ;;
esac
run_t0=$(date +%s.%N)

stamp=$(date -u +%Y-%m-%d)
archive=$ARCHIVE_DIR/$stamp.ndjson.gz
# the extract runs with --resume: one that stops short (killed, the API or
# the network gone) leaves .ARCHIVE.partial and .ARCHIVE.resume, and the
# next run of the same day goes on with it instead of starting over; those
# of earlier days are removed (a night's extract is not resumed the next)
resume_of=
for _f in "$ARCHIVE_DIR"/.[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*.ndjson.gz.{resume,partial}; do
	[ -f "$_f" ] || continue
	_b=${_f##*/}
	if [[ ${_b:1:10} < $stamp ]]; then
		rm -f -- "$_f" && log "removed $_f, left by a stopped extract of an earlier day"
	elif [[ $_f == *.resume ]]; then
		resume_of=$_f
	fi
done
if [ -n "$resume_of" ]; then
	_b=${resume_of##*/.}
	archive=$ARCHIVE_DIR/${_b%.resume}
	stamp=${_b%.ndjson.gz.resume}
	log "extract: going on with the stopped extract of $archive"
# a second run on the same day keeps the first archive
elif [ -e "$archive" ]; then
	stamp=$(date -u +%Y-%m-%dT%H%M%SZ); archive=$ARCHIVE_DIR/$stamp.ndjson.gz
fi
out=$WORK_DIR/$stamp
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nightly.XXXXXX") || exit 2
trap 'finish_run $?; rm -rf "$tmp"' EXIT	# the history, the metrics
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM	# the EXIT trap runs
warn=0

# the stage's summary line (its stderr is passed on to ours, whole): the
# last one; when it failed, its first error
summary_of() {
	if [ "$2" -le 1 ]; then
		grep -v -e ': warning: ' -e ': error: ' -e "^Try '" "$1" | tail -n 1
	else
		grep -v -e ': warning: ' -e "^Try '" "$1" | head -n 1
	fi | sed -e 's/^[a-z-]*: //' -e 's/^error: //'
}
run_stage() {	# run_stage NAME COMMAND...: runs it, logs one line, sets rc
	local name=$1 t0 t1; shift
	t0=$(date +%s.%N)
	"$@" 2>"$tmp/$name.err"
	rc=$?
	cat "$tmp/$name.err" >&2
	t1=$(date +%s.%N)
	stage_done "$name" "$t0" "$t1"
	log "$name $(case $rc in 0) echo ok ;; 1) echo warnings ;; *) echo FAILED ;; esac)" \
		"(exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s): $(summary_of "$tmp/$name.err" $rc)"
}

# the client map: given, or the warehouse's own
map=${CLIENT_MAP:-}
if [ -z "$map" ]; then
	map=$tmp/clients.csv
	# to stdout: no path inside the SQL (TMPDIR may hold a quote); UTF-8
	PGCLIENTENCODING=UTF8 with_secrets psql psql -X -q ${LOAD_DSN:+"$LOAD_DSN"} -v ON_ERROR_STOP=1 \
		-c "\\copy ($CLIENT_MAP_SQL) to stdout with (format csv, header)" > "$map" ||
		die "client map (psql)" 3 "" "cannot read client_campaigns from the warehouse"
fi
# the key variables the map names (its api_key_env column) are secrets too
# shellcheck disable=SC2013 # variable names: words, one a line
for _v in $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { gsub(/[\r" ]/, "", $i); if ($i == "api_key_env") c = i } next }
		c { gsub(/[\r" ]/, "", $c); if ($c ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print $c }' "$map" | sort -u); do
	case " $api_secrets $db_secrets " in *" $_v "*) ;; *) api_secrets="$api_secrets $_v" ;; esac
done
hide_secrets

# shellcheck disable=SC2086 # $EXTRACT_ARGS: options, split on purpose
run_stage extract with_secrets api "$(bin instantly-extract)" --clients "$map" -o "$archive" --resume --no-progress $EXTRACT_ARGS
if [ $rc -eq 2 ] && [ -n "$resume_of" ] && grep -q ': not resumed: ' "$tmp/extract.err"; then
	# the stopped extract had other inputs (the client map changed since): over again
	rm -f -- "$resume_of" "${resume_of%.resume}.partial"
	log "extract: the stopped extract had other inputs; starting over"
	# shellcheck disable=SC2086 # $EXTRACT_ARGS: options, split on purpose
	run_stage extract with_secrets api "$(bin instantly-extract)" --clients "$map" -o "$archive" --resume --no-progress $EXTRACT_ARGS
fi
case $rc in 0) ;; 1) warn=1 ;; 2) die extract 2 $rc "a usage error" ;; *) die extract 3 $rc ;; esac

rm -rf "$out"
# shellcheck disable=SC2086 # $TRANSFORM_ARGS: options, split on purpose
run_stage transform with_secrets none "$(bin instantly-transform)" -o "$out" $TRANSFORM_ARGS "$archive"
case $rc in 0) ;; 1) warn=1 ;; *) die transform 4 $rc "the archive is kept: $archive" ;; esac

# shellcheck disable=SC2086 # $LOAD_ARGS: options, split on purpose
run_stage load with_secrets db "$(bin instantly-load)" ${LOAD_DSN:+--dsn "$LOAD_DSN"} $LOAD_ARGS "$out"
[ $rc -eq 0 ] || die load 5 $rc "the warehouse is unchanged; the archive is kept: $archive"
rm -rf "$out"

# retention, by the date in the name: ARCHIVE_DIR/YYYY-MM-DD[THHMMSSZ].ndjson.gz
# and WORK_DIR/YYYY-MM-DD* (left by failed runs) before today - RETENTION_DAYS
if [ "$RETENTION_DAYS" -gt 0 ]; then
	cutoff=$(date -u -d "$RETENTION_DAYS days ago" +%Y-%m-%d)
	pruned=0 kept=0
	for f in "$ARCHIVE_DIR"/*.ndjson.gz "$WORK_DIR"/*; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		[[ $b =~ ^([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9]{6}Z)?(\.ndjson\.gz)?$ ]] || continue
		if [[ ${BASH_REMATCH[1]} < $cutoff ]] && [ "$f" != "$archive" ]; then
			rm -rf -- "$f" && pruned=$((pruned + 1))
		elif [[ $f == *.ndjson.gz ]]; then
			kept=$((kept + 1))
		fi
	done
	log "prune ok: $pruned archive(s) or work directories dated before $cutoff deleted; $kept archive(s) kept"
fi
log "done: $archive loaded$([ $warn -eq 1 ] && echo ', with warnings')"
exit $warn

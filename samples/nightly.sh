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

[ $# -le 1 ] || { echo "usage: $0 [SETTINGS_FILE]" >&2; exit 2; }
# no secret in the environment of any command run before its stage (sort,
# date, flock...: /proc/PID/environ): un-exported before the first one
for _v in $(compgen -v INSTANTLY_API_KEY) PGPASSWORD; do export -n "${_v?}" 2>/dev/null; done
if [ $# -eq 1 ]; then
	declare -A _before=()
	for _v in $(compgen -v); do _before[$_v]=1; done
	# shellcheck disable=SC1090
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
# with_secrets api|db|none COMMAND...: COMMAND in a subshell that exports
# only that kind of secret (an exported variable is no argument: ps shows none)
with_secrets() {
	local kind=$1; shift
	(
		# shellcheck disable=SC2086 # lists of variable names
		case $kind in
		api) for _v in $api_secrets; do [ -z "${!_v+x}" ] || export "${_v?}"; done; unset $db_secrets ;;
		db) for _v in $db_secrets; do [ -z "${!_v+x}" ] || export "${_v?}"; done; unset $api_secrets ;;
		*) unset $api_secrets $db_secrets ;;
		esac
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
bin() { if [ -n "${BIN_DIR:-}" ]; then echo "$BIN_DIR/$1"; else echo "$1"; fi; }

log() { printf '%s nightly %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "$1 failed (exit ${3:-$2}): ${4:-see above}"; exit "$2"; }
case $RETENTION_DAYS in ''|*[!0-9]*) echo "nightly: RETENTION_DAYS must be a number of days" >&2; exit 2;; esac
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
trap 'rm -rf "$tmp"' EXIT
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
	log "$name $( [ $rc -eq 0 ] && echo ok || { [ $rc -eq 1 ] && echo warnings || echo FAILED; })" \
		"(exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s): $(summary_of "$tmp/$name.err" $rc)"
}

# the client map: given, or the warehouse's own
map=${CLIENT_MAP:-}
if [ -z "$map" ]; then
	map=$tmp/clients.csv
	# to stdout: no path inside the SQL (TMPDIR may hold a quote); UTF-8
	PGCLIENTENCODING=UTF8 with_secrets db psql -X -q ${LOAD_DSN:+"$LOAD_DSN"} -v ON_ERROR_STOP=1 \
		-c "\\copy ($CLIENT_MAP_SQL) to stdout with (format csv, header)" > "$map" ||
		die "client map (psql)" 3 "" "cannot read client_campaigns from the warehouse"
fi
# the key variables the map names (its api_key_env column) are secrets too
for _v in $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { gsub(/[\r" ]/, "", $i); if ($i == "api_key_env") c = i } next }
		c { gsub(/[\r" ]/, "", $c); if ($c ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print $c }' "$map" | sort -u); do
	case " $api_secrets $db_secrets " in *" $_v "*) ;; *) api_secrets="$api_secrets $_v" ;; esac
done
hide_secrets

# shellcheck disable=SC2086
run_stage extract with_secrets api "$(bin instantly-extract)" --clients "$map" -o "$archive" --resume --no-progress $EXTRACT_ARGS
if [ $rc -eq 2 ] && [ -n "$resume_of" ] && grep -q ': not resumed: ' "$tmp/extract.err"; then
	# the stopped extract had other inputs (the client map changed since): over again
	rm -f -- "$resume_of" "${resume_of%.resume}.partial"
	log "extract: the stopped extract had other inputs; starting over"
	# shellcheck disable=SC2086
	run_stage extract with_secrets api "$(bin instantly-extract)" --clients "$map" -o "$archive" --resume --no-progress $EXTRACT_ARGS
fi
case $rc in 0) ;; 1) warn=1 ;; 2) die extract 2 $rc "a usage error" ;; *) die extract 3 $rc ;; esac

rm -rf "$out"
# shellcheck disable=SC2086
run_stage transform with_secrets none "$(bin instantly-transform)" -o "$out" $TRANSFORM_ARGS "$archive"
case $rc in 0) ;; 1) warn=1 ;; *) die transform 4 $rc "the archive is kept: $archive" ;; esac

# shellcheck disable=SC2086
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

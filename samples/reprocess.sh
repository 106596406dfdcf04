#!/usr/bin/env bash
# samples/reprocess.sh: transform and reload archived days, oldest first.
#
#     reprocess.sh [SETTINGS_FILE] FROM [TO]
#
# Every archive ARCHIVE_DIR/DATE*.ndjson.gz (as samples/nightly.sh keeps
# them) whose DATE is from FROM to TO (YYYY-MM-DD, both included; TO
# defaults to FROM) is transformed and loaded, in date order, each load in
# its own transaction. The loader lets the newest extracted_at win, so
# reloading old days never overwrites what a later day brought; use it after
# a fix to the transform's rules (a new ICP synonym, say), or to load a day
# whose load failed. It stops at the first failure.
#
# Settings: as samples/nightly.sh (ARCHIVE_DIR, WORK_DIR, LOCK_FILE,
# TRANSFORM_ARGS, LOAD_ARGS, LOAD_DSN, BIN_DIR, PG*); it takes the same lock,
# so it never runs at the same time as the nightly job. No API key reaches
# anything it runs; PGPASSWORD only instantly-load; files are private (umask
# 077 or INSTANTLY_ETL_UMASK).
#
# Exit status: 0 every day loaded; 1 loaded, but a transform rejected lines;
# 2 usage; 3 no archive in the range; 4 a transform failed; 5 a load failed
# (that day and the later ones are not loaded); 75 the lock is held.
set -u -o pipefail

usage() { echo "usage: $0 [SETTINGS_FILE] FROM [TO]   (dates YYYY-MM-DD)" >&2; exit 2; }
isdate() { [[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] && date -u -d "$1" +%F >/dev/null 2>&1; }
# no API key is needed here; PGPASSWORD only for the load: out of the
# environment before the first command (date, below)
for _v in $(compgen -v INSTANTLY_API_KEY); do unset "$_v"; done
export -n PGPASSWORD 2>/dev/null
if [ $# -ge 1 ] && [ -f "$1" ] && ! isdate "$1"; then
	declare -A _before=()
	for _v in $(compgen -v); do _before[$_v]=1; done
	# shellcheck disable=SC1090 # the settings file is the user's, named at run time
	. "$1" || { echo "reprocess: cannot read settings from $1" >&2; exit 2; }
	for _v in $(compgen -v); do	# as nightly.sh
		[ -z "${_before[$_v]+x}" ] || continue
		case $_v in
		INSTANTLY_API_KEY*) unset "$_v" ;;
		PGPASSWORD) export -n "${_v?}" ;;
		PG*|INSTANTLY_*|*_proxy|*_PROXY|LANG|LC_*|TZ|TMPDIR) export "${_v?}" ;;
		*) export -n "${_v?}" 2>/dev/null ;;
		esac
	done
	unset _before
	shift
fi
# a password in LOAD_DSN would be on the load's command line (ps)
if [[ ${LOAD_DSN:-} =~ (^|[[:space:]?\&])password[[:space:]]*= || ${LOAD_DSN:-} == *://*:*@* ]]; then
	echo "reprocess: LOAD_DSN must not hold a password (a command line is visible to every user): use PGPASSWORD or ~/.pgpass" >&2
	exit 2
fi
# private files whatever the umask (as nightly.sh and the programs)
if [ -n "${INSTANTLY_ETL_UMASK:-}" ]; then
	[[ $INSTANTLY_ETL_UMASK =~ ^0?[01]?[0-7]7$ ]] ||
		{ echo "reprocess: INSTANTLY_ETL_UMASK=$INSTANTLY_ETL_UMASK must keep others out (e.g. 027)" >&2; exit 2; }
	umask "$INSTANTLY_ETL_UMASK"
else
	umask 077
fi
{ [ $# -ge 1 ] && [ $# -le 2 ]; } || usage
from=$1 to=${2:-$1}
{ isdate "$from" && isdate "$to"; } || usage
[[ ! $from > $to ]] || { echo "reprocess: $from is after $to" >&2; exit 2; }
: "${ARCHIVE_DIR:=/var/lib/instantly-etl/archive}"
: "${WORK_DIR:=/var/lib/instantly-etl/work}"
: "${LOCK_FILE:=$ARCHIVE_DIR/.nightly.lock}"
: "${TRANSFORM_ARGS:=}" "${LOAD_ARGS:=}"
bin() { if [ -n "${BIN_DIR:-}" ]; then echo "$BIN_DIR/$1"; else echo "$1"; fi; }
log() { printf '%s reprocess %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

mkdir -p "$WORK_DIR" || exit 2
exec 9>>"$LOCK_FILE" || { echo "reprocess: cannot open the lock $LOCK_FILE" >&2; exit 2; }
flock -n 9
case $? in
0) ;;
1) log "another run holds $LOCK_FILE; nothing done"; exit 75 ;;
*) echo "reprocess: cannot take the lock $LOCK_FILE (is flock installed?)" >&2; exit 2 ;;
esac

# the archives in the range, in date order (names start with the date)
days=()
for f in "$ARCHIVE_DIR"/*.ndjson.gz; do
	[ -e "$f" ] || continue
	d=$(basename "$f"); d=${d:0:10}
	isdate "$d" || continue
	[[ $d < $from || $d > $to ]] || days+=("$f")
done
[ ${#days[@]} -gt 0 ] || { log "no archive from $from to $to in $ARCHIVE_DIR"; exit 3; }
mapfile -t days < <(printf '%s\n' "${days[@]}" | sort)

warn=0
for f in "${days[@]}"; do
	out=$WORK_DIR/reprocess-$(basename "$f" .ndjson.gz)
	rm -rf "$out"
	# shellcheck disable=SC2086 # $TRANSFORM_ARGS: options, split on purpose
	"$(bin instantly-transform)" -o "$out" $TRANSFORM_ARGS "$f"
	rc=$?
	case $rc in
	0) ;;
	1) warn=1 ;;
	*) log "$(basename "$f"): transform failed (exit $rc)"; exit 4 ;;
	esac
	# shellcheck disable=SC2086 # $LOAD_ARGS: options, split on purpose
	( [ -z "${PGPASSWORD+x}" ] || export PGPASSWORD; exec "$(bin instantly-load)" ${LOAD_DSN:+--dsn "$LOAD_DSN"} $LOAD_ARGS "$out" )
	rc=$?
	[ $rc -eq 0 ] || { log "$(basename "$f"): load failed (exit $rc); later days not loaded"; exit 5; }
	rm -rf "$out"
	log "$(basename "$f"): loaded"
done
log "done: ${#days[@]} archive(s) from $from to $to"
exit $warn

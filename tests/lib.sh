# shellcheck shell=bash
# tests/lib.sh: sourced by every shell test (tests/cli/*.sh).
#
# Gives: set -eu, a private temp dir $T removed on exit, TAP helpers, the
# programs under test ($TRANSFORM, $EXTRACT, $LOAD, from the build tree or
# the environment automake sets), $SRCDIR (the source tree), and a throwaway
# PostgreSQL server (pg_start / pg_stop) for the tests that need one.
set -eu

: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILDDIR:=$SRCDIR}"
: "${TRANSFORM:=$BUILDDIR/instantly-transform}"
: "${EXTRACT:=$BUILDDIR/instantly-extract}"
: "${LOAD:=$BUILDDIR/instantly-load}"
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/ietest.XXXXXX")
export T SRCDIR BUILDDIR TRANSFORM EXTRACT LOAD
_tap_n=0
_tap_failed=0
_cleanup_hooks=""
_cleanup() {
	for h in $_cleanup_hooks; do "$h" || true; done
	rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
at_exit() { _cleanup_hooks="$_cleanup_hooks $1"; }

plan() { echo "1..$1"; }
ok() {	# ok DESCRIPTION COMMAND...: one test point, passes when COMMAND succeeds
	_d=$1; shift
	_tap_n=$((_tap_n + 1))
	if "$@" >"$T/.ok.out" 2>&1; then
		echo "ok $_tap_n - $_d"
	else
		echo "not ok $_tap_n - $_d"
		sed 's/^/# /' "$T/.ok.out" | head -n 40
		_tap_failed=$((_tap_failed + 1))
	fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# ok_timing DESC COMMAND...: ok, but skipped under make check-valgrind, where
# the programs run many times slower (for points about timing: "no 429")
ok_timing() { if [ -n "${IE_VALGRIND_LOGS:-}" ]; then skip "under valgrind, a point about timing: $1"; else ok "$@"; fi; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# same_file EXPECTED ACTUAL: byte equality, with a diff when not
same_file() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -n 60; return 1; }; }
# exit_is CODE COMMAND...: COMMAND exits with CODE
exit_is() { _want=$1; shift; set +e; "$@"; _got=$?; set -e; [ "$_got" -eq "$_want" ] || { echo "exit $_got, wanted $_want"; return 1; }; }
# is GOT WANTED: string equality
is() { [ "$1" = "$2" ] || { echo "got '$1', wanted '$2'"; return 1; }; }
# contains FILE TEXT: FILE has TEXT (fixed string)
contains() { grep -qF -- "$2" "$1" || { echo "no '$2' in $1:"; head -n 20 "$1"; return 1; }; }
# lacks FILE TEXT: FILE does not have TEXT (fixed string)
lacks() { ! grep -qF -- "$2" "$1" || { echo "'$2' in $1:"; grep -nF -- "$2" "$1" | head -n 20; return 1; }; }
# names DIR: the names in DIR, hidden ones too, sorted, one a line
names() { (cd "$1" && shopt -s nullglob dotglob && for _n in *; do printf '%s\n' "$_n"; done); }
# has_name DIR GLOB: DIR has an entry, hidden or not, whose name matches GLOB
has_name() {
	local _f
	for _f in "$1"/.[!.]* "$1"/..?* "$1"/*; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		# shellcheck disable=SC2254 # $2 is a glob: unquoted on purpose
		case ${_f##*/} in $2) return 0 ;; esac
	done
	return 1
}

# ---- a throwaway PostgreSQL server -------------------------------------
# pg_start: initdb + postgres on a Unix socket in $T/pg; sets PGHOST, PGPORT,
# PGUSER, PGDATABASE for psql. As root the server runs as user postgres.
pg_bindir() {
	for d in ${PG_BINDIR:-} $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}
pg_start() {
	PGBIN=$(pg_bindir) || skip_all "no PostgreSQL server binaries (install postgresql)"
	mkdir -p "$T/pg"
	_as=""
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$T/pg"
		chmod 755 "$T"
		_as="runuser -u postgres --"
	fi
	$_as "$PGBIN/initdb" -D "$T/pg/data" -A trust -U postgres -E UTF8 --locale=C >"$T/pg/initdb.log" 2>&1
	at_exit pg_stop
	export PGBIN PGHOST="$T/pg" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	pg_restart
}
pg_restart() {	# (re)start the server of pg_start on its data directory
	$_as "$PGBIN/postgres" -D "$T/pg/data" -k "$T/pg" -c listen_addresses= -c port=5432 \
		-c fsync=off -c full_page_writes=off -c synchronous_commit=off >>"$T/pg/server.log" 2>&1 &
	PG_PID=$!
	for _i in $(seq 1 100); do
		"$PGBIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" && return 0
		kill -0 "$PG_PID" 2>/dev/null || { cat "$T/pg/server.log"; return 1; }
		sleep 0.1
	done
	echo "PostgreSQL did not start"; cat "$T/pg/server.log"; return 1
}
pg_stop() {	# fast shutdown of the postmaster itself (runuser does not pass signals on)
	[ -n "${PG_PID:-}" ] || return 0
	_pm=$(head -n 1 "$T/pg/data/postmaster.pid" 2>/dev/null || true)
	kill -INT "${_pm:-$PG_PID}" 2>/dev/null || true
	# (bounded: a server that does not stop is killed, the test never hangs)
	if ! gone_within 600 "$PG_PID"; then
		kill -QUIT "${_pm:-$PG_PID}" 2>/dev/null || true
		gone_within 100 "$PG_PID" || kill -KILL "${_pm:-$PG_PID}" "$PG_PID" 2>/dev/null || true
	fi
	wait "$PG_PID" 2>/dev/null || true
	PG_PID=
}
# alive PID: PID is a process that has not ended (a zombie has)
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c 1)" != Z ]; }
# gone_within TICKS PID: wait up to TICKS x 50 ms for PID to end
gone_within() { for _g in $(seq 1 "$1"); do alive "$2" || return 0; sleep 0.05; done; ! alive "$2"; }
# stop_child PID: SIGTERM, then SIGKILL if it has not ended within 10 s,
# and reap it. (A child killed between its fork and its exec, while it is
# still a copy of this shell, takes the TERM for the shell's trap, which
# the exec then forgets: the program would run on and a bare wait hang.)
stop_child() {
	kill "$1" 2>/dev/null || true
	gone_within 200 "$1" || { echo "# pid $1 ignored SIGTERM: killed" >&2; kill -KILL "$1" 2>/dev/null || true; }
	wait "$1" 2>/dev/null || true
}
psql_q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
# pg_warehouse: pg_start, then a database w (PGDATABASE) with the warehouse
# schema of schemas/sql/ applied
pg_warehouse() {
	pg_start
	psql_q -c "create database w"
	export PGDATABASE=w
	for _f in "$SRCDIR"/schemas/sql/[0-9]*.sql; do psql_q -f "$_f"; done
}
# pg_client ID NAME CAMPAIGN...: in the warehouse, the client ID named NAME,
# with each CAMPAIGN mapped to it (client_campaigns)
pg_client() {
	local id=$1 name=$2 k maps=""
	shift 2
	for k; do maps="$maps${maps:+, }('$id', '$k')"; done
	psql_q -c "insert into clients (id, name) values ('$id', '$name')" >/dev/null
	[ -z "$maps" ] || psql_q -c "insert into client_campaigns (client_id, campaign_id) values $maps" >/dev/null
}
# pg_map_clients CSV [PSQL-OPTION...]: the warehouse's clients (each named
# "c") and client_campaigns from the client map CSV (client_id,campaign_id)
pg_map_clients() {
	local csv=$1
	shift
	psql_q "$@" -c "create temp table map (client_id uuid, campaign_id uuid)" \
		-c "\\copy map from '$csv' with (format csv, header)" \
		-c "insert into clients (id, name) select distinct client_id, 'c' from map" \
		-c "insert into client_campaigns select distinct client_id, campaign_id from map" >/dev/null
}

# csv_get FILE ROW COLUMN: print one field of a COPY CSV file (ROW from 1,
# after the header); NULL and "" both print as an empty line
csv_get() {
	python3 - "$@" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="") as f:
    r = csv.reader(f)
    head = next(r)
    rows = list(r)
print(rows[int(sys.argv[2]) - 1][head.index(sys.argv[3])])
PY
}

# ---- the fake Instantly API (tests/fake-api) ---------------------------------
FAKEDIR=$SRCDIR/tests/fake-api
FAKE_PIDS=""
fake_start() {	# fake_start NAME DATADIR ARGS...: a fake on a free port; sets URL
	_fname=$1 _fdata=$2; shift 2
	# the interpreter itself, not a wrapper script (pyenv's shim), so that
	# the PID killed is the server's; no descriptor of the test's own kept open
	: "${FAKE_PYTHON:=$(python3 -c 'import sys; print(sys.executable)')}"
	"$FAKE_PYTHON" "$FAKEDIR/fake_instantly.py" --port 0 --data "$_fdata" "$@" >"$T/$_fname.out" 2>"$T/$_fname.err" 8>&- 9>&- &
	_fpid=$!
	FAKE_PIDS="$FAKE_PIDS $_fpid"
	[ -n "${_fake_hooked:-}" ] || { at_exit fake_stop; _fake_hooked=1; }
	for _i in $(seq 1 600); do
		# (the background job may not have opened its output yet: sed's
		# exit status 2 would end the test under set -e)
		URL=$(sed -n 's/^listening on //p' "$T/$_fname.out" 2>/dev/null || true)
		[ -n "$URL" ] && return 0
		kill -0 "$_fpid" 2>/dev/null || { cat "$T/$_fname.err"; return 1; }
		sleep 0.05
	done
	echo "the fake did not say where it listens"; return 1
}
# ctl JSON: change the fake's settings at $URL (POST /_control)
ctl() { curl -sS -f -H 'Content-Type: application/json' --data-binary "$1" -o /dev/null "$URL/_control"; }
fake_stop() { for _p in $FAKE_PIDS; do stop_child "$_p"; done; FAKE_PIDS=""; }
# fake_sample KEY: the workspace of samples/sample.ndjson (make_workspace.py
# --from-sample) in $T/ws, served by a fake (fake_start fake) that wants the
# API key KEY, its today 2026-11-27; sets URL
fake_sample() {
	python3 "$FAKEDIR/make_workspace.py" --out "$T/ws" --from-sample "$SRCDIR/samples/sample.ndjson" 2>/dev/null &&
		fake_start fake "$T/ws" --api-key "$1" --today 2026-11-27
}

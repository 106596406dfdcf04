#!/usr/bin/env bash
# bench/load.sh [N] -- throughput of instantly-load into PostgreSQL.
#
# Generates (or reuses from bench/.cache/) a realistic archive v1 of N leads
# (default 200000), transforms it once (not timed) and then, on the same
# synced_leads data in the same run, measures three ways of getting it into
# a throwaway PostgreSQL server that this script starts (default settings:
# a normal durable server, fsync and synchronous_commit on):
#
#   raw copy         \copy synced_leads.csv into an unindexed table (the
#                    floor: same columns and types, no key, index or FK)
#   instantly-load   $LOAD DIR into the warehouse schema (staging tables,
#                    \copy, upserts, one transaction: the whole command is
#                    timed), then again into the same database: the
#                    idempotent re-load, every row unchanged, timed apart
#   batched upserts  the portal's old way: INSERT ... VALUES of 500 rows
#                    ... ON CONFLICT DO UPDATE, one autocommit statement per
#                    batch, one psql session (bench/load_batched.py writes
#                    the SQL beforehand; only the psql run is timed)
#
# Every run gets a fresh database (CREATE DATABASE, schema, clients) and a
# CHECKPOINT before the timed command, so no run inherits another's work.
# After every run the target table must hold the archive's rows (else the
# script fails), and the first run of each method is fingerprinted (a hash
# of every row's CSV columns): all methods must have loaded the same data.
#
# Prints best-of-R wall time, rows/s and MB/s of CSV, the ratios
# instantly-load/raw copy (throughput) and batched/instantly-load (time),
# then the targets as PASS/MISS lines. The targets are informative: the
# script exits 0 whatever the figures, and non-zero only when a command
# fails or a load leaves the wrong number of rows.
#
# Environment:
#   LOAD          the program under test, a command line (word-split); default
#                 ./instantly-load at the repository root, else the newest
#                 build/*/instantly-load
#   TRANSFORM     instantly-transform, found the same way (not measured)
#   PYTHON        interpreter for the helpers (default: python3)
#   PG_BINDIR     PostgreSQL server binaries (default: the newest
#                 /usr/lib/postgresql/*/bin); its psql is used throughout,
#                 by instantly-load too (it comes first in PATH)
#   RUNS          runs of the raw copy and of instantly-load (default 3)
#   RUNS_BATCHED  runs of the batched upserts (default 1; 0 skips them)
#   BATCH         rows per INSERT of the batched upserts (default 500)
#   SEED          generator seed (default 1)
#   BENCH_CACHE   archive cache directory (default bench/.cache)
#   BENCH_TMP     where the transform's output, the generated SQL and the
#                 server's data directory go (default ${TMPDIR:-/tmp}; needs
#                 about 6 KB per lead)
#
# The machine should be otherwise idle: commands run one at a time. As root
# the server runs as user postgres (runuser), like tests/lib.sh's pg_start.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

N=${1:-200000}
case $N in ''|*[!0-9]*) echo "usage: $0 [N]  (N: number of leads, default 200000)" >&2; exit 2;; esac
RUNS=${RUNS:-3}
RUNS_BATCHED=${RUNS_BATCHED:-1}
BATCH=${BATCH:-500}
SEED=${SEED:-1}
CACHE=${BENCH_CACHE:-$here/.cache}
for v in RUNS RUNS_BATCHED BATCH; do
	case ${!v} in ''|*[!0-9]*) echo "load.sh: $v must be a number" >&2; exit 2;; esac
done
if [ "$RUNS" -lt 1 ] || [ "$BATCH" -lt 1 ]; then echo "load.sh: RUNS and BATCH must be at least 1" >&2; exit 2; fi

PYTHON=${PYTHON:-python3}
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')

default_prog() {	# default_prog NAME: ./NAME at the repository root, else the newest build/*/NAME
	local p=$root/$1 c
	if [ ! -x "$p" ]; then
		# shellcheck disable=SC2012  # build directory names have no spaces
		c=$(ls -t "$root"/build/*/"$1" 2>/dev/null | head -n 1)
		[ -z "$c" ] || p=$c
	fi
	printf '%s\n' "$p"
}
LOAD=${LOAD:-$(default_prog instantly-load)}
TRANSFORM=${TRANSFORM:-$(default_prog instantly-transform)}
read -r -a lcmd <<<"$LOAD"
read -r -a tcmd <<<"$TRANSFORM"
for p in "${lcmd[0]:-LOAD}" "${tcmd[0]:-TRANSFORM}"; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "load.sh: $p: not found or not executable" >&2
		echo "  build it (./instantly-load, ./instantly-transform) or set LOAD=... TRANSFORM=..." >&2
		exit 2
	fi
done

PGBIN=
# shellcheck disable=SC2012  # version directories: 13, 15...
for d in ${PG_BINDIR:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
	[ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] && { PGBIN=$d; break; }
done
[ -n "$PGBIN" ] || { echo "load.sh: no PostgreSQL server binaries (install postgresql or set PG_BINDIR)" >&2; exit 2; }
export PATH="$PGBIN:$PATH"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

mkdir -p "$CACHE"
work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/instantly-bench-load.XXXXXX")

# ---- the server ---------------------------------------------------------
# initdb + postgres on a Unix socket in $work/pg, as tests/lib.sh's pg_start
# but with the default (durable) settings; stopped by its PID on any exit.
pg_pid=
pg_stop() {	# fast shutdown of the postmaster itself (runuser does not pass signals on)
	[ -n "$pg_pid" ] || return 0
	local pm
	pm=$(head -n 1 "$work/pg/data/postmaster.pid" 2>/dev/null || true)
	kill -INT "${pm:-$pg_pid}" 2>/dev/null || true
	wait "$pg_pid" 2>/dev/null || true
	pg_pid=
}
cleanup() { pg_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

pg_start() {
	local as=() _
	mkdir "$work/pg"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$work/pg"
		chmod 755 "$work"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$PGBIN/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale=C \
		>"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; return 1; }
	"${as[@]}" "$PGBIN/postgres" -D "$work/pg/data" -k "$work/pg" -c listen_addresses= -c port=5432 \
		>"$work/pg/server.log" 2>&1 &
	pg_pid=$!
	unset PGHOSTADDR PGSERVICE PGOPTIONS
	export PGHOST="$work/pg" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	for _ in $(seq 1 100); do
		pg_isready -q -h "$PGHOST" -p "$PGPORT" && return 0
		kill -0 "$pg_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "load.sh: PostgreSQL did not start" >&2
	cat "$work/pg/server.log" >&2
	return 1
}

# ---- the archive and its tables -----------------------------------------
genhash=$(sha1sum "$here/gen_archive.py" | cut -c1-8)
archive() {	# archive N -> path (generated once per N, seed and generator version)
	local n=$1 base
	base="$CACHE/archive-n$n-s$SEED-$genhash"
	if [ ! -s "$base.ndjson.gz" ] || [ ! -s "$base.meta.json" ]; then
		# drop archives of older generator versions for this N and seed
		rm -f "$CACHE/archive-n$n-s$SEED-"*.ndjson.gz "$CACHE/archive-n$n-s$SEED-"*.meta.json
		echo "generating $n leads -> $base.ndjson.gz" >&2
		"$PYTHON" "$here/gen_archive.py" "$n" "$base.ndjson.gz" --seed "$SEED" \
			--meta "$base.meta.json.tmp"
		mv "$base.meta.json.tmp" "$base.meta.json"
	else
		echo "reusing $base.ndjson.gz" >&2
	fi
	printf '%s\n' "$base"
}
aN=$(archive "$N")

echo "load:      ${lcmd[*]}" >&2
echo "transform: ${tcmd[*]}" >&2
echo "psql:      $(command -v psql) ($(psql --version))" >&2

# the CSV tables that instantly-load reads, and the same tables in COPY text
# format for load_batched.py (exact NULLs); exit status 1 = some lines
# rejected, which the row check below catches
csv=$work/csv txt=$work/txt
for f in csv text; do
	d=$csv; [ $f = csv ] || d=$txt
	rc=0; "${tcmd[@]}" -q -f $f -o "$d" "$aN.ndjson.gz" || rc=$?
	[ "$rc" -le 1 ] || { echo "load.sh: ${tcmd[*]} -f $f failed (exit status $rc)" >&2; exit 1; }
done
jget() {	# jget FILE KEY...: one value of a JSON file
	"$PYTHON" -c 'import functools, json, sys
print(functools.reduce(lambda d, k: d[k], sys.argv[2:], json.load(open(sys.argv[1]))))' "$@"
}
expect=$(jget "$aN.meta.json" expected_rows synced_leads)	# what the archive holds
got=$(jget "$csv/summary.json" tables synced_leads rows)	# what the transform wrote
if [ "$got" != "$expect" ]; then
	echo "load.sh: the transform wrote $got synced_leads rows, the archive holds $expect" >&2
	exit 1
fi
cols=$(head -n 1 "$csv/synced_leads.csv")	# the CSV header: plain column names
csv_bytes=$(stat -c %s "$csv/synced_leads.csv")

# the clients: every distinct client_id (first column) of every table
clients=$(for f in "$txt"/*.txt; do tail -n +2 "$f" | cut -f1; done | sort -u)
if [ -z "$clients" ] || printf '%s\n' "$clients" | grep -qvE '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$'; then
	echo "load.sh: unexpected client_id values in $txt" >&2
	exit 1
fi
clients_sql="INSERT INTO clients (id, name) VALUES $(printf '%s\n' "$clients" |
	awk -v q="'" '{ printf "%s(%s%s%s, %sbench client %d%s)", (NR > 1 ? ", " : ""), q, $1, q, q, NR, q }')"

if [ "$RUNS_BATCHED" -gt 0 ]; then
	echo "generating the batched upserts ($BATCH rows per INSERT) -> $work/batched.sql" >&2
	"$PYTHON" "$here/load_batched.py" --batch "$BATCH" "$txt/synced_leads.txt" >"$work/batched.sql"
fi
rm -rf "$txt"

pg_start
echo "server:    $(psql_q -At -c 'SELECT version()' | cut -d, -f1), data in $work/pg" >&2
server_version=$(psql_q -At -c 'SHOW server_version' | cut -d' ' -f1)
settings=$(psql_q -At -F= -c "SELECT name, current_setting(name) FROM pg_settings
	WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level',
		'shared_buffers', 'max_wal_size', 'work_mem', 'temp_buffers') ORDER BY name" | paste -sd' ')

# ---- measurements -------------------------------------------------------
results=$work/results.tsv
: >"$results"
: >"$work/checks"

newdb() {	# newdb NAME [raw]: a fresh database, the schema, the clients (and the raw table)
	local db=$1 raw=()
	[ -z "${2:-}" ] || raw=(-c 'CREATE TABLE raw (LIKE synced_leads INCLUDING DEFAULTS)')
	psql_q -c "CREATE DATABASE $db"
	psql_q -d "$db" -c 'SET client_min_messages = warning' \
		-f "$root/schemas/sql/01-auth.sql" -f "$root/schemas/sql/02-tables.sql" \
		-f "$root/schemas/sql/03-rls.sql" -c "$clients_sql" "${raw[@]}"
	psql_q -d "$db" -c CHECKPOINT
}

timed() {	# timed KEY RUN LOG CMD...: run CMD once (stdout to /dev/null, stderr to LOG), record its wall time
	local key=$1 run=$2 log=$3 t0 t1 rc=0
	shift 3
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$log" || rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -ne 0 ]; then
		echo "load.sh: $key failed (exit status $rc): $*" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	awk -v k="$key" -v r="$run" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%s\t%s\t%.4f\n", k, r, b - a }' >>"$results"
	awk -v k="$key" -v r="$run" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "  %-16s run %s: %8.2f s\n", k, r, b - a }' >&2
}

check_rows() {	# check_rows DB TABLE KEY: TABLE must hold $expect rows
	local n
	n=$(psql_q -At -d "$1" -c "SELECT count(*) FROM $2")
	if [ "$n" != "$expect" ]; then
		echo "load.sh: after $3, $2 holds $n rows, expected $expect" >&2
		exit 1
	fi
}

fingerprint() {	# fingerprint DB TABLE KEY: hash of every row's CSV columns, to compare methods
	psql_q -At -d "$1" -c "SELECT '$3', sum(hashtextextended(ROW($cols)::text, 0)) FROM $2" \
		| tr '|' '\t' >>"$work/fingerprints"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$csv"/*.csv >/dev/null	# warm the page cache
[ "$RUNS_BATCHED" -eq 0 ] || cat "$work/batched.sql" >/dev/null
max=$RUNS; [ "$RUNS_BATCHED" -le "$max" ] || max=$RUNS_BATCHED
echo >&2
echo "== $N leads, $expect synced_leads rows: $RUNS run(s) of raw copy and instantly-load, $RUNS_BATCHED of batched upserts" >&2
for r in $(seq 1 "$max"); do
	if [ "$r" -le "$RUNS" ]; then
		# 1. the floor
		db=bench_raw_$r
		newdb "$db" raw
		timed "raw copy" "$r" "$work/raw.err" psql_q -d "$db" \
			-c "\\copy raw ($cols) FROM '$csv/synced_leads.csv' WITH (FORMAT csv, HEADER)"
		check_rows "$db" raw "raw copy run $r"
		[ "$r" -gt 1 ] || fingerprint "$db" raw "raw copy"
		psql_q -c "DROP DATABASE $db"

		# 3. instantly-load, then the same load again (nothing changes)
		db=bench_load_$r
		newdb "$db"
		timed "instantly-load" "$r" "$work/load.err" env PGDATABASE="$db" "${lcmd[@]}" "$csv"
		check_rows "$db" synced_leads "instantly-load run $r"
		[ "$r" -gt 1 ] || fingerprint "$db" synced_leads "instantly-load"
		grep -h 'synced_leads' "$work/load.err" | sed 's/^/    /' >&2 || true
		before=$(psql_q -At -d "$db" -c 'SELECT max(loaded_at) FROM synced_leads')
		psql_q -d "$db" -c CHECKPOINT
		timed "re-load" "$r" "$work/reload.err" env PGDATABASE="$db" "${lcmd[@]}" "$csv"
		check_rows "$db" synced_leads "re-load run $r"
		grep -h 'synced_leads' "$work/reload.err" | sed 's/^/    /' >&2 || true
		after=$(psql_q -At -d "$db" -c 'SELECT max(loaded_at) FROM synced_leads')
		[ "$before" = "$after" ] && v=ok || v=bad
		printf 're-load\t%s\t%s\n' "$r" "$v" >>"$work/checks"
		psql_q -c "DROP DATABASE $db"
	fi
	if [ "$r" -le "$RUNS_BATCHED" ]; then
		# 2. the portal's old way
		db=bench_batched_$r
		newdb "$db"
		timed "batched upserts" "$r" "$work/batched.err" psql_q -d "$db" -f "$work/batched.sql"
		check_rows "$db" synced_leads "batched upserts run $r"
		[ "$r" -gt 1 ] || fingerprint "$db" synced_leads "batched upserts"
		psql_q -c "DROP DATABASE $db"
	fi
done
pg_stop

# ---- report -------------------------------------------------------------
echo
echo "instantly-load benchmark: N = $N leads ($expect synced_leads rows), seed $SEED, $(nproc) CPU(s), $(uname -m)"
echo "server: PostgreSQL $server_version, default settings ($settings)"
echo "best wall time of the runs, each into a fresh database; MB/s = synced_leads.csv ($(awk -v b="$csv_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB)"
echo "load average at start: $load0"
"$PYTHON" - "$results" "$work/checks" "$work/fingerprints" "$expect" "$csv_bytes" "$BATCH" <<-'EOF'
	import sys
	results, checks, fps, expect, nbytes, batch = sys.argv[1:]
	expect, nbytes = int(expect), int(nbytes)
	best, runs = {}, {}
	for line in open(results):
	    key, run, wall = line.rstrip("\n").split("\t")
	    best[key] = min(best.get(key, float("inf")), float(wall))
	    runs[key] = runs.get(key, 0) + 1
	rows = [("raw copy", "raw \\copy, unindexed table (floor)"),
	        ("instantly-load", "instantly-load, fresh database"),
	        ("re-load", "instantly-load again, rows unchanged"),
	        ("batched upserts", "batched upserts, %s rows/INSERT" % batch)]
	raw = best.get("raw copy")
	print()
	print("%-38s %4s %8s %10s %7s %10s" % ("method", "runs", "best s", "rows/s", "MB/s", "× raw copy"))
	print("-" * 82)
	for key, label in rows:
	    if key in best:
	        w = best[key]
	        print("%-38s %4d %8.2f %10s %7.1f %10.2f" % (label, runs[key], w, "{:,}".format(round(expect / w)),
	              nbytes / 1e6 / w, w / raw))
	print()
	load, reload_, batched = best.get("instantly-load"), best.get("re-load"), best.get("batched upserts")
	print("instantly-load / raw copy throughput:     %.2f" % (raw / load))
	if batched:
	    print("instantly-load / batched upserts speed:   %.1f×" % (batched / load))
	print("re-load / first load wall time:           %.2f" % (reload_ / load))
	print()
	print("Targets (informative):")
	def check(ok, text):
	    print("  %s  %s" % ("PASS" if ok else "MISS", text))
	check(True, "every run left %s rows in its table (count(*) after each run)" % "{:,}".format(expect))
	f = dict(l.rstrip("\n").split("\t") for l in open(fps))
	check(len(set(f.values())) == 1, "the same rows in every method (hash of the CSV columns, first run of each: %s)"
	      % ", ".join(sorted(f)))
	c = [l.split("\t")[2].strip() for l in open(checks) if l.startswith("re-load\t")]
	check(c and all(v == "ok" for v in c), "the re-load changed no row (max(loaded_at) unchanged, %d run(s))" % len(c))
	check(raw / load >= 0.7, "instantly-load throughput ≥ 0.7 × raw copy: %.2f s vs %.2f s = %.2f"
	      % (load, raw, raw / load))
	if batched:
	    check(batched / load >= 5, "instantly-load ≥ 5× faster than batched upserts: %.2f s vs %.2f s = %.1f×"
	          % (load, batched, batched / load))
	EOF

#!/usr/bin/env bash
# bench/portal.sh [N] -- the portal's reads, as a client through row-level
# security and as an operator, right after a load and after a second night.
#
# Builds (or reuses from bench/.cache/) an archive of N leads (default
# 200000) of CLIENTS clients (default 25 up to 200,000 leads, else one per
# 10,000 leads: 100 at 1,000,000), 4 campaigns each (bench/gen_archive.py,
# then bench/portal_night.py remap), and the next night's archive (issue 8's
# shape: 5% of the leads changed, 1% gone, 1% new; portal_night.py night2).
# Then, in a throwaway PostgreSQL server at default (durable) settings, two
# warehouses side by side:
#
#   portal   this tree's schema (schemas/sql/0*.sql, the portal views and
#            rollups) loaded by $LOAD: the typical query of each view
#   today    the schema and loader of OLD_REF (default 3193f32, the release
#            before the portal interface; built from git into the work
#            directory, or OLD_LOAD): the same questions asked of the base
#            tables, through that release's policies
#
# each loaded with night 1, measured, loaded with night 2, measured again.
# A measurement is RUNS (default 20) runs of each query, each run as another
# client (client r mod CLIENTS, in a transaction: SET LOCAL ROLE
# authenticated and the client's claims in request.jwt.claims, as
# 03-rls.sql expects), and RUNS runs of the operator's workspace-wide
# queries; the first run is the first read after the load. Times are psql's
# \timing (client side, Unix socket). Prints p50, p95 and the first run per
# query, the cost of the portal's parts of each load (portal_refresh or
# portal_refresh_changes, the VACUUM and ANALYZE after the COMMIT, from the
# server's log), and PASS/MISS per target: every client query p95 <= 10 ms,
# the operator's workspace-wide counts p95 <= 200 ms (targets for 1,000,000
# leads; informative: the script exits 0 whatever the figures, non-zero
# when a command fails).
#
# Environment: LOAD, TRANSFORM (as bench/load.sh), OLD_LOAD (the "today"
# loader; default: built from OLD_REF), OLD_REF, CLIENTS, RUNS, SEED,
# BENCH_CACHE, BENCH_TMP (about 15 KB per lead), PG_BINDIR, PYTHON.
# The machine should be otherwise idle. As root the server runs as user
# postgres (runuser).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"

N=${1:-200000}
case $N in ''|*[!0-9]*) echo "usage: $0 [N]  (N: number of leads, default 200000)" >&2; exit 2;; esac
if [ "$N" -le 200000 ]; then dc=25; else dc=$((N / 10000)); fi
CLIENTS=${CLIENTS:-$dc}
RUNS=${RUNS:-20}
SEED=${SEED:-1}
OLD_REF=${OLD_REF:-3193f32}
CACHE=${BENCH_CACHE:-$here/.cache}
for v in CLIENTS RUNS SEED; do
	case ${!v} in ''|*[!0-9]*) echo "portal.sh: $v must be a number" >&2; exit 2;; esac
done
if [ "$CLIENTS" -lt 1 ] || [ "$RUNS" -lt 1 ]; then echo "portal.sh: CLIENTS and RUNS must be at least 1" >&2; exit 2; fi
CAMPAIGNS=$((CLIENTS * 4))

PYTHON=${PYTHON:-python3}
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
LOAD=${LOAD:-$(default_prog instantly-load)}
TRANSFORM=${TRANSFORM:-$(default_prog instantly-transform)}
for p in "$LOAD" "$TRANSFORM"; do
	[ -x "$p" ] || { echo "portal.sh: $p: not found or not executable (build it, or set LOAD, TRANSFORM)" >&2; exit 2; }
done
pg_find

mkdir -p "$CACHE"
bench_workdir portal
log() { echo "portal.sh: $*" >&2; }

# ---- the "today" loader and schema ---------------------------------------
old_sql=$work/old-sql
OLD_LOAD=${OLD_LOAD:-}
mkdir -p "$old_sql"
for f in 01-auth.sql 02-tables.sql 03-rls.sql; do
	git -C "$root" show "$OLD_REF:schemas/sql/$f" > "$old_sql/$f" ||
		{ echo "portal.sh: cannot read $OLD_REF:schemas/sql/$f (a git checkout is needed, or set OLD_REF)" >&2; exit 2; }
done
if [ -z "$OLD_LOAD" ]; then
	log "building instantly-load of $OLD_REF in $work/old"
	mkdir -p "$work/old"
	git -C "$root" archive "$OLD_REF" | tar -x -C "$work/old"
	(cd "$work/old" && autoreconf -fi >/dev/null 2>&1 && ./configure -q >/dev/null &&
		make src/load/schema-sql.h src/lib/icp-default.h >/dev/null 2>&1 && make -j2 instantly-load >/dev/null 2>&1) ||
		{ echo "portal.sh: cannot build instantly-load of $OLD_REF (set OLD_LOAD)" >&2; exit 1; }
	OLD_LOAD=$work/old/instantly-load
fi

# ---- the archives -------------------------------------------------------
genhash=$(cat "$here/gen_archive.py" "$here/portal_night.py" | sha1sum | cut -c1-8)
base="$CACHE/portal-n$N-k$CLIENTS-s$SEED-$genhash"
if [ ! -s "$base.night2.ndjson.gz" ]; then
	rm -f "$CACHE/portal-n$N-k$CLIENTS-s$SEED-"*
	log "generating $N leads of $CLIENTS clients -> $base.*"
	"$PYTHON" "$here/gen_archive.py" "$N" "$work/gen.ndjson.gz" --seed "$SEED" --campaigns "$CAMPAIGNS"
	"$PYTHON" "$here/portal_night.py" remap "$work/gen.ndjson.gz" "$base.night1.tmp.ndjson.gz" --clients "$CLIENTS"
	rm -f "$work/gen.ndjson.gz"
	"$PYTHON" "$here/portal_night.py" night2 "$base.night1.tmp.ndjson.gz" "$base.night2.tmp.ndjson.gz" --seed "$((SEED + 1))"
	mv "$base.night1.tmp.ndjson.gz" "$base.night1.ndjson.gz"
	mv "$base.night2.tmp.ndjson.gz" "$base.night2.ndjson.gz"
else
	log "reusing $base.*"
fi
for n in 1 2; do
	rc=0; "$TRANSFORM" -q -o "$work/t$n" "$base.night$n.ndjson.gz" || rc=$?
	[ "$rc" -eq 0 ] || { echo "portal.sh: $TRANSFORM failed on night $n (exit status $rc)" >&2; exit 1; }
done
# the client map: every (client, campaign) of night 1
tail -n +2 "$work/t1/campaigns.csv" | cut -d, -f1,2 | tr -d '"' | sort -u > "$work/map.csv"
cut -d, -f1 "$work/map.csv" | sort -u > "$work/clients.txt"
[ "$(wc -l < "$work/clients.txt")" -eq "$CLIENTS" ] || { echo "portal.sh: expected $CLIENTS clients in the archive" >&2; exit 1; }

# ---- the server ---------------------------------------------------------
# bench/lib.sh's pg_start; statement durations in the log (the loads' parts are read from it)
pg_options=(-c log_min_duration_statement=0 -c "log_line_prefix=%m [%d] ")
pg_start || exit 1
server_version=$(psql_q -At -c 'SHOW server_version' | cut -d' ' -f1)

newdb() {	# newdb NAME SQLDIR: a database with the schema of SQLDIR and the client map
	psql_q -c "CREATE DATABASE $1"
	for f in "$2"/0*.sql; do psql_q -d "$1" -c 'SET client_min_messages = warning' -f "$f"; done
	psql_q -d "$1" -c "CREATE TEMP TABLE m (client_id uuid, campaign_id uuid)" \
		-c "\\copy m FROM '$work/map.csv' WITH (FORMAT csv)" \
		-c "INSERT INTO clients SELECT DISTINCT client_id, 'bench client' FROM m" \
		-c "INSERT INTO client_campaigns SELECT client_id, campaign_id FROM m"
}

results=$work/results.tsv
: > "$results"
loads=$work/loads.tsv
: > "$loads"

load_night() {	# load_night KIND DB NIGHT PROGRAM: load, record wall time and the portal's parts
	local kind=$1 db=$2 night=$3 prog=$4 t0 t1 mark
	mark=$(wc -l < "$work/pg/server.log")
	t0=$(date +%s.%N)
	PGDATABASE=$db "$prog" "$work/t$night" 2> "$work/load-$kind-$night.log" ||
		{ echo "portal.sh: $prog failed on night $night:" >&2; tail -n 20 "$work/load-$kind-$night.log" >&2; exit 1; }
	t1=$(date +%s.%N)
	sleep 1	# the server's last log lines
	grep -E 'synced_leads' "$work/load-$kind-$night.log" | sed 's/^/    /' >&2 || true
	tail -n +"$((mark + 1))" "$work/pg/server.log" | "$PYTHON" -c '
import re, sys
kind, night, wall = sys.argv[1:4]
parts = {"refresh": 0.0, "vacuum": 0.0, "analyze": 0.0}
for line in sys.stdin:
    m = re.search(r"duration: ([0-9.]+) ms  statement: (.*)", line)
    if not m:
        continue
    ms, st = float(m.group(1)), m.group(2)
    if "to_regprocedure('\''portal_refresh" in st or st.startswith("DO $$\nDECLARE\n\tversion constant text := '\''instantly-etl portal"):
        parts["refresh"] += ms
    elif st.startswith("VACUUM "):
        parts["vacuum"] += ms
    elif st.startswith("ANALYZE "):
        parts["analyze"] += ms
print("%s\t%s\t%s\t%.0f\t%.0f\t%.0f" % (kind, night, wall, parts["refresh"], parts["vacuum"], parts["analyze"]))
' "$kind" "$night" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >> "$loads"
	log "$kind: night $night loaded in $(tail -n 1 "$loads" | cut -f3) s"
}

# measure KIND DB PHASE: RUNS runs of each query, as clients and as an operator
measure() {
	local kind=$1 db=$2 phase=$3 sql=$work/q.sql r c q
	local -a names queries opnames opqueries
	if [ "$kind" = portal ]; then
		names=(lead_counts icp_counts daily leads_by_status leads_by_interest leads_newest)
		queries=(
			"SELECT lead_status, interest_status, sum(leads) AS leads FROM portal_lead_counts GROUP BY 1, 2"
			"SELECT field, value, leads FROM portal_icp_counts ORDER BY field, leads DESC"
			"SELECT * FROM portal_daily ORDER BY date"
			"SELECT * FROM portal_leads WHERE client_id = '@C@' AND lead_status = 'replied' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50"
			"SELECT * FROM portal_leads WHERE client_id = '@C@' AND interest_status = 'positive' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50"
			"SELECT * FROM portal_leads WHERE client_id = '@C@' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50")
		opnames=(ws_lead_counts ws_icp_counts ws_daily)
		opqueries=(
			"SELECT lead_status, sum(leads) FROM portal_lead_counts GROUP BY 1"
			"SELECT field, value, leads FROM portal_icp_workspace"
			"SELECT date, sum(emails_sent) FROM portal_daily GROUP BY date")
	else
		names=(lead_counts icp_counts daily leads_by_status leads_by_interest leads_newest)
		queries=(
			"SELECT lead_status, interest_status, count(*) AS leads FROM synced_leads GROUP BY 1, 2"
			"SELECT 'job_title' AS field, job_title AS value, count(*) AS leads FROM synced_leads GROUP BY 2 UNION ALL SELECT 'industry', industry, count(*) FROM synced_leads GROUP BY 2 UNION ALL SELECT 'company_size', company_size, count(*) FROM synced_leads GROUP BY 2 ORDER BY 1, 3 DESC"
			"SELECT date, sum(emails_sent), sum(opened), sum(replies), sum(clicked), sum(bounced), sum(opportunities) FROM campaign_analytics GROUP BY date ORDER BY date"
			"SELECT * FROM synced_leads WHERE client_id = '@C@' AND lead_status = 'replied' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50"
			"SELECT * FROM synced_leads WHERE client_id = '@C@' AND interest_status = 'positive' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50"
			"SELECT * FROM synced_leads WHERE client_id = '@C@' ORDER BY timestamp_last_touch DESC NULLS LAST, instantly_lead_id LIMIT 50")
		opnames=(ws_lead_counts ws_icp_counts ws_daily)
		opqueries=(
			"SELECT lead_status, count(*) FROM synced_leads GROUP BY 1"
			"SELECT 'job_title', job_title, count(*) FROM synced_leads GROUP BY 2 UNION ALL SELECT 'industry', industry, count(*) FROM synced_leads GROUP BY 2 UNION ALL SELECT 'company_size', company_size, count(*) FROM synced_leads GROUP BY 2"
			"SELECT date, sum(emails_sent) FROM campaign_analytics GROUP BY date")
	fi
	mapfile -t cl < "$work/clients.txt"
	{
		printf '%s\n' '\o /dev/null'
		for r in $(seq 0 $((RUNS - 1))); do
			c=${cl[$((r % ${#cl[@]}))]}
			for q in "${!names[@]}"; do
				echo "BEGIN; SET LOCAL ROLE authenticated;"
				echo "SELECT set_config('request.jwt.claims', '{\"client_id\":\"$c\",\"user_role\":\"client\"}', true);"
				printf '\\echo @@ client %s %s\n' "${names[$q]}" "$r"
				printf '%s\n' '\timing on'
				echo "${queries[$q]//@C@/$c};"
				printf '%s\n' '\timing off'
				echo "COMMIT;"
			done
			for q in "${!opnames[@]}"; do
				echo "BEGIN; SET LOCAL ROLE authenticated;"
				echo "SELECT set_config('request.jwt.claims', '{\"user_role\":\"operator\"}', true);"
				printf '\\echo @@ operator %s %s\n' "${opnames[$q]}" "$r"
				printf '%s\n' '\timing on'
				echo "${opqueries[$q]};"
				printf '%s\n' '\timing off'
				echo "COMMIT;"
			done
		done
	} > "$sql"
	psql_q -d "$db" -f "$sql" | awk -v k="$kind" -v p="$phase" '
		/^@@ / { who = $2; name = $3; run = $4; next }
		/^Time: / { printf "%s\t%s\t%s\t%s\t%s\t%s\n", k, p, who, name, run, $2 }' >> "$results"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
log "server: PostgreSQL $server_version, load average $load0"
for kind in portal today; do
	db=bench_$kind
	if [ $kind = portal ]; then newdb "$db" "$root/schemas/sql"; prog=$LOAD; else newdb "$db" "$old_sql"; prog=$OLD_LOAD; fi
	psql_q -d "$db" -c CHECKPOINT
	load_night "$kind" "$db" 1 "$prog"
	measure "$kind" "$db" "after night 1"
	load_night "$kind" "$db" 2 "$prog"
	measure "$kind" "$db" "after night 2"
	size=$(psql_q -d "$db" -At -c "SELECT pg_size_pretty(pg_total_relation_size('synced_leads'))")
	echo -e "size\t$kind\t$size" >> "$loads"
	psql_q -c "DROP DATABASE $db"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
pg_stop

echo
echo "portal benchmark: $N leads of $CLIENTS clients ($CAMPAIGNS campaigns), seed $SEED, $(nproc) CPU(s), PostgreSQL $server_version (default settings)"
echo "today = schema and loader of $OLD_REF, base tables through its policies; portal = this tree's views"
echo "load average at start: $load0; at the end: $load1"
"$PYTHON" - "$results" "$loads" "$N" "$RUNS" <<-'EOF'
	import sys
	results, loads, n, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	t = {}
	for line in open(results):
	    kind, phase, who, name, run, ms = line.rstrip("\n").split("\t")
	    t.setdefault((phase, who, name, kind), []).append((int(run), float(ms)))
	def stats(v):
	    if not v:
	        return None
	    first = min(v)[1]
	    s = sorted(ms for _, ms in v)
	    rank = lambda p: s[max(0, -(-len(s) * p // 100) - 1)]
	    return rank(50), rank(95), first
	print()
	print("loads (s: wall; ms: portal_refresh in the transaction, VACUUM and ANALYZE after it)")
	print("%-8s %-6s %8s %10s %9s %9s" % ("", "night", "wall s", "refresh ms", "vacuum ms", "analyze ms"))
	for line in open(loads):
	    f = line.rstrip("\n").split("\t")
	    if f[0] == "size":
	        print("%-8s synced_leads after night 2, with its indexes: %s" % (f[1], f[2]))
	    else:
	        print("%-8s %-6s %8s %10s %9s %9s" % tuple(f))
	targets = []
	for phase in ("after night 1", "after night 2"):
	    print()
	    print("%s: ms over %d runs, each another client (first = the first read after the load)" % (phase, runs))
	    print("%-9s %-18s %27s   %27s" % ("", "", "portal view  p50   p95 first", "today  p50   p95 first"))
	    for who in ("client", "operator"):
	        names = sorted({k[2] for k in t if k[0] == phase and k[1] == who},
	                       key=lambda x: ["lead_counts", "icp_counts", "daily", "leads_by_status", "leads_by_interest",
	                                      "leads_newest", "ws_lead_counts", "ws_icp_counts", "ws_daily"].index(x))
	        for name in names:
	            a, b = stats(t.get((phase, who, name, "portal"), [])), stats(t.get((phase, who, name, "today"), []))
	            fmt = lambda x: "%9.1f %5.1f %5.1f" % x if x and x[0] < 100 else ("%9.0f %5.0f %5.0f" % x if x else "%21s" % "-")
	            print("%-9s %-18s %27s   %27s" % (who, name, fmt(a), fmt(b)))
	            if a:
	                limit = 10 if who == "client" else 200
	                targets.append((a[1] <= limit, "%s %s %s p95 %.1f ms <= %d ms" % (phase, who, name, a[1], limit)))
	print()
	print("Targets (for 1,000,000 leads; this run: %s):" % "{:,}".format(n))
	for ok, text in targets:
	    print("  %s  %s" % ("PASS" if ok else "MISS", text))
	EOF

#!/usr/bin/env bash
# bench/nightly-scale.sh [N] -- two nights of samples/nightly.sh at scale.
#
# Issue 11's end-to-end night: N leads (default 1,000,000) over CAMPAIGNS
# mapped campaigns (60) of WORKSPACES workspaces (3), served by the fake API
# (tests/fake-api/fake_instantly.py) with RATE requests per sliding second per
# workspace (100) and LATENCY_MS of latency on every request (50), run
# through samples/nightly.sh twice into a throwaway PostgreSQL server (default,
# durable settings: fsync and synchronous_commit on):
#
#   night 1   a fresh warehouse (schema, clients, client_campaigns); the
#             workspace of make_workspace.py --synthetic (1-2 KB leads)
#   night 2   the fake restarted on make_workspace.py --night-after night 1:
#             in every campaign CHANGED (5%) of the leads changed (one more
#             open, sometimes a reply or another status, a newer
#             timestamp_updated), REMOVED (1%) gone, NEW (1%) new
#
# The workspaces: one fake server, one data directory with every campaign,
# and one API key per workspace (the fake's api_key and extra_keys: each key
# has its own rate-limit windows, as a workspace has); the client map has an
# api_key_env column (INSTANTLY_API_KEY_WS1...) that gives each workspace a
# third of the campaigns (round robin over the sorted campaign ids). Every
# workspace's campaign listing shows all the campaigns (the fake serves the
# same data to every key); the extract asks only for its own.
#
# How the stages are measured: nightly.sh runs the programs itself, from
# BIN_DIR. BIN_DIR is a directory of wrappers that run the real programs
# under GNU time (/usr/bin/time -f '%e %M %U %S'): wall time, peak RSS
# (ru_maxrss of the program, or of a child it waited for: psql for the
# load; the PostgreSQL server's memory is not in it; file pages a program
# maps count too: instantly-load mmaps synced_leads.csv, so its figure is
# about that file's size, page cache rather than memory of its own), CPU
# time. The
# wrapper of instantly-load first hard-links the night's synced_leads.csv
# aside (nightly.sh deletes the transform's directory after a successful
# load), outside the timed command. Nothing else changes in nightly.sh's
# run: its lock, client map, secrets handling, log lines.
#
# Each stage against its floor, measured in the same run after the night:
#
#   extract    R / RATE: R = the most requests one workspace had answered
#              (the fake's /_stats, 429s not counted); the workspaces run
#              in parallel, each at RATE
#   transform  zcat ARCHIVE >/dev/null (GNU time too)
#   load       psql \copy of the night's synced_leads.csv into an unindexed
#              table of text columns (no key, no index, no type parsing), in
#              a database of its own, after a CHECKPOINT (as bench/load.sh's
#              raw copy, but text columns: the issue's floor)
#
# and the disk: the archive's size; for context, the warehouse database
# (pg_database_size) and synced_leads with its indexes and TOAST
# (pg_total_relation_size); the WAL written during the night
# (pg_current_wal_lsn before and after nightly.sh; only the load writes);
# synced_leads' n_dead_tup after the night; the fake's CPU time during the
# extract (per cent of one core: near 100% means the Python fake, not the
# extract, set the pace).
#
# Checked after each night (the script fails when it does not hold):
# nightly.sh exits 0; the warehouse's synced_leads holds exactly the rows of
# the fake's workspace for the mapped (client, campaign) pairs -- the
# count, and an md5 of every row's client, campaign, lead id, opens and
# replies, sorted, computed from the workspace's files and from the
# warehouse -- and the raw copy loaded as many rows. Night 2 must show the
# changed opens and replies, the new leads and no removed one.
#
# Prints, per night, a table of the three stages: wall time, peak RSS, the
# floor's wall time (and RSS), the ratio to the floor; then the disk
# figures. The figures are informative: the script exits 0 whatever they
# are, and non-zero only when a command fails or the data is wrong.
#
# Run by hand, like the other bench/*.sh. With the defaults it needs about
# 3.3 GB in BENCH_CACHE (two workspaces of 1.6 GB, kept for the next run)
# and about 8 GB in BENCH_TMP (the warehouse grows to 2.8 GB, the floor's
# table, the CSV, the archives, WAL), and more than 3 GB of memory (the
# fake holds its workspace: 2.4 GB of RSS for 1,000,000 leads; the first
# generation took more than 3 GB). It took 15 and 19 minutes on 2 cores
# loaded by other work (load average 4 to 11): 6 minutes generating the
# workspaces (the first run only: they are cached), 2 to 5 per night
# loading the fake, 4 to 5 per night in nightly.sh. Smaller:
# bash bench/nightly-scale.sh 20000.
#
# Environment:
#   CAMPAIGNS    mapped campaigns (60); N / CAMPAIGNS leads each (rounded up)
#   WORKSPACES   workspaces, one API key each (3)
#   RATE         requests/s per workspace: the fake's rate limit and the
#                extract's --rate (100)
#   LATENCY_MS   the fake's latency per request (50)
#   PARALLEL     the extract's --parallel, for every workspace together
#                (default 16 per workspace: 48)
#   CHANGED, REMOVED, NEW   night 2's fractions (0.05, 0.01, 0.01)
#   SEED         workspace seed (1; night 2 uses SEED + 1)
#   EXTRACT, TRANSFORM, LOAD   the programs (a command line each, word-split);
#                default ./instantly-* at the repository root, else the
#                newest build/*/instantly-* (set them when a sanitizer build
#                may be the newest); the report names them
#   NIGHTLY      the script run (default samples/nightly.sh)
#   PYTHON       interpreter for the fake and the helpers (python3)
#   PG_BINDIR    PostgreSQL server binaries (default: the newest
#                /usr/lib/postgresql/*/bin); its psql comes first in PATH
#   BENCH_CACHE  workspace cache (default bench/.cache; rebuilt when
#                make_workspace.py changes)
#   BENCH_TMP    where archives, work directories and the server's data go
#                (default ${TMPDIR:-/tmp})
#
# As root the server runs as user postgres (runuser), like tests/lib.sh's
# pg_start. The machine should be otherwise idle: the fake takes about one
# core during the extract.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
fakedir=$root/tests/fake-api

N=${1:-1000000}
CAMPAIGNS=${CAMPAIGNS:-60}
WORKSPACES=${WORKSPACES:-3}
RATE=${RATE:-100}
LATENCY_MS=${LATENCY_MS:-50}
PARALLEL=${PARALLEL:-$((16 * WORKSPACES))}
CHANGED=${CHANGED:-0.05}
REMOVED=${REMOVED:-0.01}
NEW=${NEW:-0.01}
SEED=${SEED:-1}
CACHE=${BENCH_CACHE:-$here/.cache}
NIGHTLY=${NIGHTLY:-$root/samples/nightly.sh}
TODAY=2026-11-27	# the fake's today (only its fallback window uses it)
KEY=bench-nightly-ws

usage() { echo "usage: $0 [N]  (N: number of leads, default 1000000; settings: see the header)" >&2; exit 2; }
[ $# -le 1 ] || usage
for v in N CAMPAIGNS WORKSPACES RATE LATENCY_MS PARALLEL SEED; do
	case ${!v} in ''|*[!0-9]*) echo "nightly-scale.sh: $v=${!v}: not a non-negative integer" >&2; usage;; esac
done
for v in CHANGED REMOVED NEW; do
	[[ ${!v} =~ ^(0(\.[0-9]+)?|1(\.0*)?)$ ]] || { echo "nightly-scale.sh: $v=${!v}: a fraction from 0 to 1" >&2; usage; }
done
if [ "$N" -lt 1 ] || [ "$CAMPAIGNS" -lt 1 ] || [ "$WORKSPACES" -lt 1 ] || [ "$RATE" -lt 1 ] || [ "$PARALLEL" -lt 1 ]; then
	echo "nightly-scale.sh: N, CAMPAIGNS, WORKSPACES, RATE and PARALLEL must be at least 1" >&2
	exit 2
fi
if [ "$WORKSPACES" -gt "$CAMPAIGNS" ]; then
	echo "nightly-scale.sh: more workspaces ($WORKSPACES) than campaigns ($CAMPAIGNS)" >&2
	exit 2
fi
LEADS=$(((N + CAMPAIGNS - 1) / CAMPAIGNS))

PYTHON=${PYTHON:-python3}
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
GNU_TIME=/usr/bin/time
"$GNU_TIME" -f %e -o /dev/null true 2>/dev/null ||
	{ echo "nightly-scale.sh: $GNU_TIME (GNU time) is needed for the peak RSS" >&2; exit 2; }
[ -r "$NIGHTLY" ] || { echo "nightly-scale.sh: $NIGHTLY: not found" >&2; exit 2; }

EXTRACT=${EXTRACT:-$(default_prog instantly-extract)}
TRANSFORM=${TRANSFORM:-$(default_prog instantly-transform)}
LOAD=${LOAD:-$(default_prog instantly-load)}
read -r -a xcmd <<<"$EXTRACT"
read -r -a tcmd <<<"$TRANSFORM"
read -r -a lcmd <<<"$LOAD"
for p in "${xcmd[0]:-EXTRACT}" "${tcmd[0]:-TRANSFORM}" "${lcmd[0]:-LOAD}"; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "nightly-scale.sh: $p: not found or not executable" >&2
		echo "  build the programs (./instantly-*, build/*/instantly-*) or set EXTRACT=... TRANSFORM=... LOAD=..." >&2
		exit 2
	fi
done

pg_find

mkdir -p "$CACHE"
bench_workdir nightly
FAKE_PID=
fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=
}
bench_at_exit() { fake_stop; }	# bench/lib.sh's exit trap: the fake, then the server
fail() { echo "nightly-scale.sh: $*" >&2; exit 1; }

# ---- helpers (Python, stdlib) ---------------------------------------------
cat >"$work/h.py" <<'EOF'
import csv, hashlib, json, os, sys, urllib.request

def ctl(url, body):
    req = urllib.request.Request(url + "/_control", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()

def pairs(ws):
    with open(os.path.join(ws, "clients.csv"), newline="") as f:
        return sorted({(r["client_id"].strip().lower(), r["campaign_id"].strip().lower())
                       for r in csv.DictReader(f)})

def wsmap(ws, nws, out):
    """The client map with api_key_env: campaign i (sorted) -> workspace i % nws + 1."""
    p = pairs(ws)
    camps = sorted({c for _, c in p})
    w = {c: i % int(nws) + 1 for i, c in enumerate(camps)}
    with open(out, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["client_id", "campaign_id", "api_key_env"])
        for cl, c in p:
            wr.writerow([cl, c, "INSTANTLY_API_KEY_WS%d" % w[c]])

def fmt(v):
    return "" if v is None else str(v)

def digest(ws):
    """Rows and md5 of what synced_leads must hold: one line per (client, campaign, lead)."""
    lines = []
    by_camp = {}
    for cl, c in pairs(ws):
        if c not in by_camp:
            by_camp[c] = []
            with open(os.path.join(ws, "leads", c + ".json"), encoding="utf-8") as f:
                for line in f:
                    line = line.strip().rstrip(",")
                    if line in ("[", "]", ""):
                        continue
                    it = json.loads(line)
                    by_camp[c].append("%s|%s|%s" % (str(it["id"]).lower(), fmt(it.get("email_open_count")),
                                                     fmt(it.get("email_reply_count"))))
        lines.extend("%s|%s|%s" % (cl, c, x) for x in by_camp[c])
    lines.sort()
    print(len(lines), hashlib.md5("\n".join(lines).encode()).hexdigest())

def stats(url, rate, nws, fake_cpu, wall, out):
    """Requests per workspace (answered, 429s apart) from /_stats; the floor."""
    with urllib.request.urlopen(url + "/_stats", timeout=300) as r:
        s = json.loads(r.read())
    if s.get("requests_dropped"):
        sys.exit("h.py: /_stats dropped %d requests (raise --max-logged-requests)" % s["requests_dropped"])
    per = {i: [0, 0] for i in range(int(nws))}
    for q in s["requests"]:
        w = per.setdefault(q.get("workspace", -1), [0, 0])
        w[1 if q["status"] == 429 else 0] += 1
    worst = max(v[0] for v in per.values())
    json.dump({"requests": s["requests_total"], "rate_limited": s["rate_limited"],
               "by_status": s["by_status"], "max_in_flight": s["max_in_flight"],
               "per_workspace": {str(k): v for k, v in sorted(per.items())},
               "floor": worst / float(rate), "R": worst, "fake_cpu": float(fake_cpu)},
              open(out, "w"))

def cpu(pid):	# utime + stime of a process (all its threads), seconds
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    print("%.2f" % ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")))

def summary(archive):	# the run_summary record (the archive's last line)
    import gzip
    last = None
    with gzip.open(archive, "rt", encoding="utf-8") as f:
        for line in f:
            last = line
    d = json.loads(last)
    if d.get("type") != "run_summary":
        sys.exit("h.py: %s does not end with a run_summary" % archive)
    d = d["data"]
    print(d.get("status"), d.get("requests"), d.get("retries"), d.get("http_429"), (d.get("items") or {}).get("lead"))

cmd = sys.argv[1]
{"ctl": ctl, "wsmap": wsmap, "digest": digest, "stats": stats, "cpu": cpu, "summary": summary}[cmd](*sys.argv[2:])
EOF
h=("$PYTHON" "$work/h.py")

# ---- the workspaces (cached) ------------------------------------------------
wshash=$(cat "$fakedir/make_workspace.py" "$fakedir/fake_instantly.py" | sha1sum | cut -c1-8)
cached() {	# cached NAME MAKE_WORKSPACE_ARGS...: a workspace directory, made once
	local base=$CACHE/$1
	shift
	if [ ! -s "$base/manifest.json" ]; then
		rm -rf "$base" "$base.tmp"
		echo "generating $base ..." >&2
		"$PYTHON" "$fakedir/make_workspace.py" --out "$base.tmp" "$@" >&2
		mv "$base.tmp" "$base"
	else
		echo "reusing $base" >&2
	fi
	printf '%s\n' "$base"
}
name1=nightly-c$CAMPAIGNS-l$LEADS-s$SEED-$wshash
# drop the workspaces of older generator versions
for d in "$CACHE"/nightly-c*; do
	[ -e "$d" ] || continue
	case $d in *-"$wshash"|*-"$wshash"-*) ;; *) rm -rf "$d" ;; esac
done
ws1=$(cached "$name1" --synthetic --campaigns "$CAMPAIGNS" --leads-per-campaign "$LEADS" \
	--unmapped 1 --unmapped-leads 100 --seed "$SEED")
ws2=$(cached "$name1-n2-$CHANGED-$REMOVED-$NEW" --night-after "$ws1" \
	--changed "$CHANGED" --removed "$REMOVED" --new "$NEW" --seed "$((SEED + 1))")
"${h[@]}" wsmap "$ws1" "$WORKSPACES" "$work/clients.csv"
cmp -s "$ws1/clients.csv" "$ws2/clients.csv" || fail "$ws2: another client map than $ws1"

# ---- the fake ---------------------------------------------------------------
keys=()
for i in $(seq 1 "$WORKSPACES"); do
	keys+=("$KEY$i")
	export "INSTANTLY_API_KEY_WS$i=$KEY$i"
done
extra=
for k in "${keys[@]:1}"; do extra="$extra,\"$k\""; done
start_fake() {	# start_fake WS: sets FAKE_PID, URL; the keys, rate limit and latency
	local ws=$1 i
	: >"$work/fake.out"
	"$PYTHON" "$fakedir/fake_instantly.py" --port 0 --data "$ws" --api-key "${keys[0]}" \
		--today "$TODAY" --rate-limit "$RATE" --latency-ms "$LATENCY_MS" \
		--max-logged-requests 10000000 >"$work/fake.out" 2>"$work/fake.err" &
	FAKE_PID=$!
	for i in $(seq 1 6000); do	# up to 10 min: a big workspace takes a while to load
		if [ "$(wc -l <"$work/fake.out")" -ge 2 ]; then break; fi
		if ! kill -0 "$FAKE_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	URL=$(sed -n 's/^listening on //p' "$work/fake.out" 2>/dev/null || true)
	if [ -z "$URL" ] || [ "$(wc -l <"$work/fake.out")" -lt 2 ]; then
		cat "$work/fake.out" "$work/fake.err" >&2
		fail "the fake API did not start"
	fi
	"${h[@]}" ctl "$URL" "{\"extra_keys\": [${extra#,}], \"reset_stats\": true}"
	echo "fake: $URL (pid $FAKE_PID): $(sed -n 2p "$work/fake.out")" >&2
}

# ---- the server and the warehouse -------------------------------------------
pg_start || exit 1	# bench/lib.sh: default (durable) settings
export PGDATABASE=warehouse
psql_q -d postgres -c 'CREATE DATABASE warehouse' -c 'CREATE DATABASE floor'
clients_sql=$(tail -n +2 "$work/clients.csv" | awk -F, -v q="'" '
	!($1 in seen) { seen[$1] = 1; c = c (c ? ", " : "") "(" q $1 q ", " q "bench client " ++n q ")" }
	{ p = p (p ? ", " : "") "(" q $1 q ", " q $2 q ")" }
	END { print "INSERT INTO clients (id, name) VALUES " c "; INSERT INTO client_campaigns (client_id, campaign_id) VALUES " p ";" }')
psql_q -c 'SET client_min_messages = warning' \
	-f "$root/schemas/sql/01-auth.sql" -f "$root/schemas/sql/02-tables.sql" \
	-f "$root/schemas/sql/03-rls.sql" -c "$clients_sql"
server_version=$(psql_q -At -c 'SHOW server_version' | cut -d' ' -f1)
settings=$(psql_q -At -F= -c "SELECT name, current_setting(name) FROM pg_settings
	WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_wal_size')
	ORDER BY name" | paste -sd' ')

# ---- the wrappers nightly.sh runs (BIN_DIR) ---------------------------------
bindir=$work/bin
mkdir "$bindir"
wrap() {	# wrap NAME NIGHT CMD...: $bindir/NAME runs CMD "$@" under GNU time into $work/NIGHT-NAME.time
	local name=$1 night=$2
	shift 2
	{
		echo '#!/bin/bash'
		if [ "$name" = instantly-load ]; then
			# the night's synced_leads.csv, kept for the floor (nightly.sh deletes the directory)
			echo 'for d; do :; done'
			# shellcheck disable=SC2016 # $d: the wrapper's variable
			printf 'ln -f "$d/synced_leads.csv" %q 2>/dev/null || cp "$d/synced_leads.csv" %q || exit 70\n' \
				"$work/$night-synced_leads.csv" "$work/$night-synced_leads.csv"
		fi
		printf 'exec %q -f "%%e %%M %%U %%S" -o %q' "$GNU_TIME" "$work/$night-$name.time"
		printf ' %q' "$@"
		printf ' "$@"\n'
	} >"$bindir/$name"
	chmod 755 "$bindir/$name"
}
time_of() {	# time_of FILE: "wall rss_kb user sys" (the last line: GNU time notes an exit status before)
	[ -s "$1" ] || fail "$1: no GNU time figures"
	tail -n 1 "$1"
}

# ---- the nights ---------------------------------------------------------------
res=$work/results
: >"$res"
mkdir -p "$work/archive" "$work/work"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$(date +%s)
night() {	# night NUM WS
	local n=$1 ws=$2 rc=0 lsn0 lsn1 c0 c1 t0 t1 archive exp got cols rawn seen f
	echo >&2
	echo "== night $n: $ws" >&2
	start_fake "$ws"
	exp=$("${h[@]}" digest "$ws")
	wrap instantly-extract "n$n" "${xcmd[@]}"
	wrap instantly-transform "n$n" "${tcmd[@]}"
	wrap instantly-load "n$n" "${lcmd[@]}"
	seen=$(echo "$work/archive"/*.ndjson.gz)
	psql_q -c CHECKPOINT
	lsn0=$(psql_q -At -c 'SELECT pg_current_wal_lsn()')
	c0=$("${h[@]}" cpu "$FAKE_PID")
	t0=$(date +%s.%N)
	env ARCHIVE_DIR="$work/archive" WORK_DIR="$work/work" RETENTION_DAYS=0 BIN_DIR="$bindir" \
		CLIENT_MAP="$work/clients.csv" \
		EXTRACT_ARGS="--base-url $URL --rate $RATE --parallel $PARALLEL" \
		bash "$NIGHTLY" >"$work/n$n-nightly.log" 2>"$work/n$n-nightly.err" || rc=$?
	t1=$(date +%s.%N)
	c1=$("${h[@]}" cpu "$FAKE_PID")
	sed 's/^/  /' "$work/n$n-nightly.log" >&2
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$work/n$n-nightly.err" >&2
		fail "night $n: nightly.sh exited $rc"
	fi
	lsn1=$(psql_q -At -c 'SELECT pg_current_wal_lsn()')
	"${h[@]}" stats "$URL" "$RATE" "$WORKSPACES" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
		"$(time_of "$work/n$n-instantly-extract.time" | cut -d' ' -f1)" "$work/n$n-stats.json"
	fake_stop
	# the night's archive: the one ARCHIVE_DIR did not hold before
	archive=
	for f in "$work/archive"/*.ndjson.gz; do
		[[ " $seen " == *" $f "* ]] || { [ -z "$archive" ] || fail "night $n: two new archives"; archive=$f; }
	done
	[ -s "$archive" ] || fail "night $n: no new archive in $work/archive"

	# the data: what the fake served is what the warehouse holds
	got=$(psql_q -At -F' ' -c "SELECT count(*), md5(coalesce(string_agg(
		client_id || '|' || campaign_id || '|' || instantly_lead_id || '|' ||
		coalesce(email_open_count::text, '') || '|' || coalesce(email_reply_count::text, ''),
		E'\\n' ORDER BY client_id::text, campaign_id::text, instantly_lead_id::text), '')) FROM synced_leads")
	[ "$got" = "$exp" ] || fail "night $n: synced_leads holds '$got' (rows md5), the fake's workspace '$exp'"
	# night 2 must differ from night 1 (else the check above proves nothing about the changes)
	if [ "$n" -gt 1 ] && [ "$exp" = "$(sed -n 's/^night1\.digest //p' "$res")" ]; then
		fail "night $n: the workspace's rows are night 1's: nothing changed"
	fi
	echo "  check: synced_leads = the fake's workspace: ${exp%% *} rows, md5 ${exp#* }" >&2

	# the floors
	"$GNU_TIME" -f '%e %M %U %S' -o "$work/n$n-zcat.time" zcat "$archive" >/dev/null ||
		fail "night $n: zcat $archive failed"
	cols=$(head -n 1 "$work/n$n-synced_leads.csv")
	[[ $cols =~ ^[a-z_]+(,[a-z_]+)*$ ]] || fail "night $n: unexpected CSV header: $cols"
	psql_q -d floor -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS raw' \
		-c "CREATE TABLE raw ($(printf '%s\n' "$cols" | sed 's/,/ text, /g') text)" -c CHECKPOINT
	"$GNU_TIME" -f '%e %M %U %S' -o "$work/n$n-rawcopy.time" psql -X -q -v ON_ERROR_STOP=1 -d floor \
		-c "\\copy raw ($cols) FROM '$work/n$n-synced_leads.csv' WITH (FORMAT csv, HEADER)" ||
		fail "night $n: the raw copy failed"
	rawn=$(psql_q -d floor -At -c 'SELECT count(*) FROM raw')
	[ "$rawn" = "${exp%% *}" ] || fail "night $n: the raw copy loaded $rawn rows, expected ${exp%% *}"
	psql_q -d floor -c 'DROP TABLE raw'

	{
		echo "night$n.leads $(jq_m "$ws" leads_mapped)"
		echo "night$n.rows ${exp%% *}"
		echo "night$n.digest $exp"
		echo "night$n.nightly_wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
		for s in instantly-extract instantly-transform instantly-load zcat rawcopy; do
			echo "night$n.$s $(time_of "$work/n$n-$s.time")"
		done
		echo "night$n.archive_bytes $(stat -c %s "$archive")"
		echo "night$n.csv_bytes $(stat -c %s "$work/n$n-synced_leads.csv")"
		echo "night$n.summary $("${h[@]}" summary "$archive")"
		echo "night$n.wal_bytes $(psql_q -At -c "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint")"
		echo "night$n.db_bytes $(psql_q -At -c 'SELECT pg_database_size(current_database())')"
		echo "night$n.leads_bytes $(psql_q -At -c "SELECT pg_total_relation_size('synced_leads')")"
		echo "night$n.tup $(psql_q -At -F' ' -c "SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'synced_leads'")"
		echo "night$n.load_line $(grep ' nightly load ' "$work/n$n-nightly.log" | sed 's/^[^ ]* nightly load //')"
		echo "night$n.night $(night_of "$ws")"
	} >>"$res"
	rm -f "$work/n$n-synced_leads.csv"
}
jq_m() { "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1] + "/manifest.json"))[sys.argv[2]])' "$@"; }
night_of() { "$PYTHON" -c 'import json, sys; n = json.load(open(sys.argv[1] + "/manifest.json")).get("night")
print("%d %d %d" % (n["changed"], n["removed"], n["new"]) if n else "-")' "$1"; }

night 1 "$ws1"
night 2 "$ws2"
t_end=$(date +%s)
archives=$(du -sb "$work/archive" | cut -f1)
pg_stop

# ---- report -------------------------------------------------------------------
echo
echo "nightly.sh at scale: $N leads asked ($CAMPAIGNS campaigns x $LEADS), $WORKSPACES workspaces, seed $SEED"
echo "fake API: $RATE requests/s per workspace, $LATENCY_MS ms latency; extract --rate $RATE --parallel $PARALLEL"
echo "server: PostgreSQL $server_version, default settings ($settings)"
echo "programs: ${xcmd[*]}, ${tcmd[*]}, ${lcmd[*]}; $NIGHTLY"
echo "$(nproc) CPU(s), $(uname -m); load average at start: $load0, at end: $(cut -d' ' -f1-3 /proc/loadavg); whole script $((t_end - t_start)) s"
"$PYTHON" - "$res" "$work/n1-stats.json" "$work/n2-stats.json" "$RATE" "$archives" <<'EOF'
import json, sys

res, st1, st2, rate, archives = sys.argv[1:]
r = {}
for line in open(res):
    k, _, v = line.rstrip("\n").partition(" ")
    r[k] = v
stats = {1: json.load(open(st1)), 2: json.load(open(st2))}

def t(k):	# wall, rss_kb, user, sys
    w, m, u, s = r[k].split()
    return float(w), int(m), float(u), float(s)

mb = lambda b: b / 1e6
print()
for n in (1, 2):
    p = "night%d." % n
    st = stats[n]
    status, reqs, retries, h429, items = r[p + "summary"].split()
    ch = r[p + "night"]
    what = "a fresh warehouse" if ch == "-" else "%s leads changed, %s removed, %s new" % tuple(
        "{:,}".format(int(x)) for x in ch.split())
    print("night %d: %s leads in the fake's mapped campaigns, %s synced_leads rows; %s" % (
        n, "{:,}".format(int(r[p + "leads"])), "{:,}".format(int(r[p + "rows"])), what))
    print("%-10s %8s %9s %8s | %-30s %8s %9s %8s" % ("stage", "wall s", "peak MB", "cpu s", "floor", "wall s",
                                                 "peak MB", "x floor"))
    print("-" * 101)
    x = t(p + "instantly-extract")
    print("%-10s %8.2f %9.1f %8.2f | %-30s %8.2f %9s %8.2f" % (
        "extract", x[0], x[1] / 1024, x[2] + x[3], "R/rate: %d req / %s/s" % (st["R"], rate), st["floor"], "-",
        x[0] / st["floor"]))
    for stage, fl, label in (("instantly-transform", "zcat", "zcat archive"),
                             ("instantly-load", "rawcopy", "raw \\copy, text table")):
        a, b = t(p + stage), t(p + fl)
        print("%-10s %8.2f %9.1f %8.2f | %-30s %8.2f %9.1f %8.2f" % (
            stage.split("-")[1], a[0], a[1] / 1024, a[2] + a[3], label, b[0], b[1] / 1024, a[0] / b[0]))
    tot = sum(t(p + s)[0] for s in ("instantly-extract", "instantly-transform", "instantly-load"))
    print("%-10s %8.2f %9s %8s | %-30s %8.2f" % ("3 stages", tot, "", "", "the floors' sum",
                                                st["floor"] + t(p + "zcat")[0] + t(p + "rawcopy")[0]))
    print("nightly.sh wall time (with its own steps): %s s" % r[p + "nightly_wall"])
    pw = st["per_workspace"]
    print("extract: archive %s, %s requests (%s retries, %s x 429), %s leads; fake: %s answered per workspace, "
          "%d x 429, at most %d in flight, fake cpu %.1f s = %.0f%% of a core over the extract" % (
              status, reqs, retries, h429, items, "/".join(str(v[0]) for v in pw.values()),
              st["rate_limited"], st["max_in_flight"], st["fake_cpu"], 100 * st["fake_cpu"] / x[0]))
    print("load: %s; synced_leads.csv %.1f MB (the load mmaps it: in its peak RSS)" % (
        r[p + "load_line"], mb(int(r[p + "csv_bytes"]))))
    live, dead = (r[p + "tup"].split() + ["?", "?"])[:2]
    print("disk: archive %.1f MB (%s bytes, %.0f bytes/row); warehouse database %.1f MB, synced_leads %.1f MB "
          "(with indexes, TOAST); WAL written during the night %.1f MB; synced_leads n_dead_tup %s" % (
              mb(int(r[p + "archive_bytes"])), r[p + "archive_bytes"], int(r[p + "archive_bytes"]) / int(r[p + "rows"]),
              mb(int(r[p + "db_bytes"])), mb(int(r[p + "leads_bytes"])), mb(int(r[p + "wal_bytes"])), dead))
    print()
print("archives kept after the two nights (ARCHIVE_DIR): %.1f MB" % mb(int(archives)))
print("Checked after each night: nightly.sh exit 0; synced_leads = the fake's workspace (row count and md5 of")
print("client, campaign, lead id, opens, replies); the raw copy loaded the same number of rows.")
EOF

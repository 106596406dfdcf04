#!/usr/bin/env bash
# bench/transform.sh [N] -- throughput and memory of instantly-transform.
#
# Generates (or reuses from bench/.cache/) a realistic archive v1 of N leads
# (default 200000) and one of 5N leads, then for each size measures, on the
# same file in the same run:
#
#   zcat FILE > /dev/null                              (the floor: gunzip only)
#   $TRANSFORM -o DIR FILE                             (the C program)
#   python3 bench/transform_baseline.py -o DIR FILE    (stdlib json + csv)
#
# and prints best-of-R wall time, leads/s, MB/s of uncompressed input, peak
# RSS (ru_maxrss from wait4, per command), the ratios to zcat and
# python/transform, then the issue's targets as PASS/MISS lines. The
# targets are informative: the script exits 0 whatever the figures, and
# non-zero only when a command fails.
#
# Environment:
#   TRANSFORM   the program under test, a command line (word-split), default
#               ./instantly-transform from the repository root
#   PYTHON      interpreter for the baseline and helpers (default: python3,
#               resolved to its real path so a pyenv shim is not measured)
#   RUNS        runs per command at size N (default 3; best wall time kept)
#   RUNS_LARGE  runs per command at size 5N (default 1)
#   SEED        generator seed (default 1)
#   BENCH_CACHE archive cache directory (default bench/.cache)
#   BENCH_TMP   where outputs are written (default ${TMPDIR:-/tmp})
#   SKIP_LARGE  1: measure size N only
#
# The machine should be otherwise idle: commands run one at a time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"

N=${1:-200000}
case $N in ''|*[!0-9]*) echo "usage: $0 [N]  (N: number of leads, default 200000)" >&2; exit 2;; esac
N5=$((N * 5))
RUNS=${RUNS:-3}
RUNS_LARGE=${RUNS_LARGE:-1}
SEED=${SEED:-1}
CACHE=${BENCH_CACHE:-$here/.cache}

PYTHON=${PYTHON:-python3}
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
TRANSFORM=${TRANSFORM:-$root/instantly-transform}
read -r -a tcmd <<<"$TRANSFORM"
if [ "${#tcmd[@]}" -eq 0 ] || ! command -v "${tcmd[0]}" >/dev/null 2>&1; then
	echo "transform.sh: ${tcmd[0]:-TRANSFORM}: not found or not executable" >&2
	echo "  build it (./instantly-transform at the repository root) or set TRANSFORM=..." >&2
	exit 2
fi
tlabel=$(basename "${tcmd[0]}")
case $tlabel in python*) tlabel="stand-in (python)";; esac
tlabel=${tlabel:0:20}

measure=("$PYTHON" "$here/measure.py")
mkdir -p "$CACHE"
bench_workdir transform

# ---- archives ---------------------------------------------------------------
archive() { cached_archive "$1"; }	# archive N -> path (bench/lib.sh)

aN=$(archive "$N")
if [ "${SKIP_LARGE:-0}" = 1 ]; then a5=; else a5=$(archive "$N5"); fi

# ---- measurements -----------------------------------------------------------
results="$work/results.tsv"
: >"$results"
: >"$work/checks"
echo "transform: ${tcmd[*]}" >&2
echo "python:    $PYTHON ($("$PYTHON" -c 'import platform; print(platform.python_version())'))" >&2
echo "zcat:      $(command -v zcat) ($(gzip --version | head -n1))" >&2

rowcheck() {	# rowcheck KEY LABEL OUTDIR META: compare row counts with the archive's
	local key=$1 label=$2 dir=$3 meta=$4
	"${measure[@]}" rows "$dir" >"$work/rows" || return 0
	"$PYTHON" - "$key" "$label" "$work/rows" "$meta" "$work/checks" <<-'EOF'
	import json, sys
	key, label, rows, meta, checks = sys.argv[1:]
	exp = json.load(open(meta))["expected_rows"]
	got = dict(l.split() for l in open(rows))
	bad = ["%s %s (expected %d)" % (t, got.get(t), n) for t, n in exp.items() if got.get(t) != str(n)]
	print("  rows %-22s %s" % (label, "WARN " + "; ".join(bad) if bad else
	      "ok (" + ", ".join("%s %s" % (t, got[t]) for t in exp) + ")"), file=sys.stderr)
	with open(checks, "a") as f:
	    f.write("%s\t%s\t%s\n" % (key, label, "bad" if bad else "ok"))
	EOF
}

bench_size() {	# bench_size KEY BASE RUNS
	local key=$1 base=$2 runs=$3 file r
	file="$base.ndjson.gz"
	echo >&2
	echo "== $key: $(basename "$file") ($runs run(s) per command)" >&2
	cat "$file" >/dev/null	# warm the page cache
	for r in $(seq 1 "$runs"); do
		"${measure[@]}" run "$results" "$key" zcat "$r" --log "$work/zcat.err" -- zcat "$file"
		# exit status 1 = finished, some lines rejected (the row check
		# below reports it); 2 and above is a failure
		"${measure[@]}" run "$results" "$key" "$tlabel" "$r" --fresh-dir "$work/out-t" \
			--ok-status 0,1 --log "$work/transform.err" -- "${tcmd[@]}" -o "$work/out-t" "$file"
		"${measure[@]}" run "$results" "$key" "python baseline" "$r" --fresh-dir "$work/out-py" \
			--log "$work/python.err" -- "$PYTHON" "$here/transform_baseline.py" -o "$work/out-py" "$file"
	done
	rowcheck "$key" "$tlabel" "$work/out-t" "$base.meta.json"
	rowcheck "$key" "python baseline" "$work/out-py" "$base.meta.json"
	# same transform? (the baseline need not match byte for byte: informative)
	local t same=() diff=()
	for t in synced_leads campaigns campaign_analytics campaign_analytics_overview leads_complete; do
		if cmp -s "$work/out-t/$t.csv" "$work/out-py/$t.csv"; then same+=("$t"); else diff+=("$t"); fi
	done
	echo "  outputs byte-identical to the baseline: ${same[*]:-none}${diff:+; different: ${diff[*]}}" >&2
	rm -rf "$work/out-t" "$work/out-py"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
bench_size N "$aN" "$RUNS"
[ -z "$a5" ] || bench_size 5N "$a5" "$RUNS_LARGE"

echo
echo "instantly-transform benchmark: N = $N leads (5N = $N5), seed $SEED, $(nproc) CPU(s), $(uname -m)"
echo "best wall time of the runs (cpu s: user+sys of that run); peak RSS = max ru_maxrss (GNU time %M) of the runs; MB/s = uncompressed input"
echo "load average at start: $load0"
"${measure[@]}" report "$results" "$aN.meta.json" "${a5:+$a5.meta.json}" "$tlabel" "$work/checks"

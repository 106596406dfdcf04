#!/bin/bash
# transform-golden.sh: instantly-transform against the golden fixtures of
# tests/data/transform/<case>/ (see make-fixtures.py there).
#
# Per case, two TAP points:
#   1. outputs: exit status (0 without rejects, 1 with), the five CSV tables
#      byte for byte (a table with no expected/TABLE.csv: its header alone,
#      no rows), and the rejected line numbers of rejects.ndjson;
#   2. accounting: summary.json has, for every table,
#      rows + rejects + skipped == lines, and rows == the records written;
#      where given, lines_read == the input's lines == the tables' lines +
#      other.lines, and the total rejects == the objects in rejects.ndjson.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

{ [ -f "$TRANSFORM" ] && [ -x "$TRANSFORM" ]; } || skip_all "no $TRANSFORM"
case $TRANSFORM in /*) ;; *) TRANSFORM=$PWD/$TRANSFORM ;; esac
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
DATA=$SRCDIR/tests/data/transform
TABLE_NAMES="synced_leads campaigns campaign_analytics campaign_analytics_overview leads_complete"

# same_csv EXPECTED ACTUAL: byte equality; the diff is cut to keep the TAP
# output readable when a line holds a 100 KiB value
same_csv() {
	[ -f "$2" ] || { echo "missing $2"; return 1; }
	cmp -s "$1" "$2" && return 0
	echo "differs: $2"
	diff -u "$1" "$2" | cut -c1-400 | head -n 40
	return 1
}

# header_of TABLE: the header line of TABLE, from the first case whose
# expected output has rows of it (a case without rows has no expected file)
header_of() {
	for g_h in "$DATA"/*/expected/"$1".csv; do
		head -n 1 "$g_h"
		return 0
	done
	echo "no case has rows of $1" >&2
	return 1
}

# no_rows TABLE ACTUAL: ACTUAL is TABLE's header line and nothing else
no_rows() {
	[ -f "$2" ] || { echo "missing $2"; return 1; }
	g_hdr=$(header_of "$1") || return 1
	printf '%s\n' "$g_hdr" | cmp -s - "$2" && return 0
	echo "$2: rows where none were expected (or not the header):"
	head -n 5 "$2" | cut -c1-300
	return 1
}

# reject_lines REJECTS: the "line" of every object, sorted numerically; each
# object must have a "reason"
reject_lines() {
	"$PY" -c '
import json, sys
out = []
with open(sys.argv[1], "rb") as f:
    for n, raw in enumerate(f, 1):
        if not raw.strip():
            continue
        o = json.loads(raw)
        if "reason" not in o:
            sys.exit("rejects.ndjson line %d has no reason" % n)
        out.append(int(o["line"]))
for x in sorted(out):
    print(x)
' "$1"
}

run_case() {	# run_case CASE: run the program once, remember its exit status
	g_c=$1 g_d=$DATA/$1 g_o=$T/$1
	rm -rf "$g_o"
	mkdir -p "$g_o"
	set --
	if [ -f "$g_d/args" ]; then
		while IFS= read -r g_a || [ -n "$g_a" ]; do set -- "$@" "$g_a"; done <"$g_d/args"
	fi
	set +e
	(cd "$g_d" && "$TRANSFORM" -o "$g_o" "$@" input.ndjson) >"$T/$g_c.stdout" 2>"$T/$g_c.stderr"
	echo $? >"$T/$g_c.rc"
	set -e
}

check_outputs() {	# check_outputs CASE
	g_c=$1 g_d=$DATA/$1 g_o=$T/$1 g_bad=0
	g_want=0
	[ -s "$g_d/expected/rejected-lines" ] && g_want=1
	g_got=$(cat "$T/$g_c.rc")
	if [ "$g_got" != "$g_want" ]; then
		echo "exit $g_got, wanted $g_want; stderr:"
		head -n 10 "$T/$g_c.stderr" | cut -c1-300
		g_bad=1
	fi
	for g_t in $TABLE_NAMES; do
		if [ -f "$g_d/expected/$g_t.csv" ]; then
			same_csv "$g_d/expected/$g_t.csv" "$g_o/$g_t.csv" || g_bad=1
		else
			no_rows "$g_t" "$g_o/$g_t.csv" || g_bad=1
		fi
	done
	if [ -f "$g_o/rejects.ndjson" ]; then
		if reject_lines "$g_o/rejects.ndjson" >"$T/$g_c.rejected" 2>"$T/$g_c.rejerr"; then
			if ! cmp -s "$g_d/expected/rejected-lines" "$T/$g_c.rejected"; then
				echo "rejected lines differ (expected vs got):"
				diff "$g_d/expected/rejected-lines" "$T/$g_c.rejected" | head -n 20
				g_bad=1
			fi
		else
			echo "rejects.ndjson unreadable:"; head -n 5 "$T/$g_c.rejerr"
			g_bad=1
		fi
	else
		echo "missing $g_o/rejects.ndjson"
		g_bad=1
	fi
	return $g_bad
}

check_accounting() {	# check_accounting CASE
	g_o=$T/$1
	[ -f "$g_o/summary.json" ] || { echo "missing $g_o/summary.json"; return 1; }
	"$PY" -c '
import csv, json, sys
out, inp, names = sys.argv[1], sys.argv[2], sys.argv[3].split()
s = json.load(open(out + "/summary.json"))
tables = s.get("tables") if isinstance(s, dict) else None
if isinstance(tables, list):
    tables = {t.get("name", t.get("table")): t for t in tables}
if not isinstance(tables, dict):
    sys.exit("summary.json: no \"tables\" object: %s" % json.dumps(s)[:300])
bad = []
for name in names:
    t = tables.get(name)
    if not isinstance(t, dict):
        bad.append("%s: missing from summary tables" % name)
        continue
    try:
        lines, rows, rej, skip = (int(t[k]) for k in
                                  ("lines", "rows", "rejects", "skipped"))
    except (KeyError, TypeError, ValueError) as e:
        bad.append("%s: %r in %s" % (name, e, json.dumps(t)))
        continue
    if rows + rej + skip != lines:
        bad.append("%s: rows %d + rejects %d + skipped %d != lines %d"
                   % (name, rows, rej, skip, lines))
    with open("%s/%s.csv" % (out, name), newline="", encoding="utf-8",
              errors="surrogateescape") as f:
        written = sum(1 for _ in csv.reader(f)) - 1
    if rows != written:
        bad.append("%s: summary rows %d, file has %d records"
                   % (name, rows, written))
# the lines read, where the summary gives one total
data = open(inp, "rb").read()
nlines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
total = None
for k in ("lines_read", "lines"):
    v = s.get(k)
    if isinstance(v, int) and not isinstance(v, bool):
        total = v
        if v != nlines:
            bad.append("summary %s %d, input has %d lines" % (k, v, nlines))
        break
tlines = sum(int(tables[n].get("lines", 0)) for n in names
             if isinstance(tables.get(n), dict))
other = s.get("other")
if total is not None:
    if isinstance(other, dict) and isinstance(other.get("lines"), int):
        if tlines + other["lines"] != total:
            bad.append("tables lines %d + other lines %d != lines read %d"
                       % (tlines, other["lines"], total))
    elif tlines > total:
        bad.append("tables lines %d > lines read %d" % (tlines, total))
# rejects: the summary total matches the rejects file
nrej = sum(1 for l in open(out + "/rejects.ndjson", "rb") if l.strip())
v = s.get("rejects")
if isinstance(v, int) and not isinstance(v, bool) and v != nrej:
    bad.append("summary rejects %d, rejects.ndjson has %d" % (v, nrej))
if bad:
    sys.exit("\n".join(bad))
' "$g_o" "$DATA/$1/input.ndjson" "$TABLE_NAMES"
}

cases=$(cd "$DATA" && for d in */; do [ -f "$d/input.ndjson" ] && echo "${d%/}"; done)
[ -n "$cases" ] || skip_all "no cases under $DATA"

for c in $cases; do
	run_case "$c"
	ok "$c: $(head -c 150 "$DATA/$c/README")" check_outputs "$c"
	ok "$c: summary accounting" check_accounting "$c"
done
done_testing

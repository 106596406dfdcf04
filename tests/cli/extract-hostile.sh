#!/usr/bin/env bash
# tests/extract-hostile: instantly-extract against a hostile or broken API
# (tests/fake-api --hostile) over loopback: nesting that never ends outside
# an item, an items array that never ends, a fresh cursor forever, a body
# that stalls halfway, a body longer than its Content-Length, and a 200 whose
# "items" is of the wrong type. Each time the campaign it hits fails with a
# message naming it, the bound and the option; the other campaigns complete
# (exit 1); peak memory (getrusage) stays near a normal run's and no file
# grows past the bound (RLIMIT_FSIZE on the extract: a write past it would
# fail the run with exit 4). Errors are printed at -q (issue 10, defect 9).
# The bounds are set small here to keep each case to seconds; one case runs
# with the default bounds and checks they are what --help and the man page
# say.
. "$(dirname "$0")/../lib.sh"

KEY=ietest-hostile-key
K8=8ad64aaf-8294-4538-8400-4a99dcf016e8	# 8 leads in the sample, client 1
K9=9b6f458e-6dc5-4762-83d5-a528aedd2235	# 7 leads, clients 1 and 2
K6=23189011-78cc-49db-8e32-da035d1b1135	# 6 leads, client 2
C1=11111111-1111-4111-8111-111111111111
C2=22222222-2222-4222-8222-222222222222
CHECK="python3 $SRCDIR/tests/cli/extract_check.py"
PEAK=(python3 "$SRCDIR/tests/cli/peak_rss.py")
MiB=1048576

fake_sample "$KEY"

# hx NAME ARGS...: the extract at -q into $T/NAME.gz (stderr $T/NAME.err),
# its peak RSS in KiB in $T/NAME.rss, no file it writes past $FSIZE bytes
# (default 8 MiB: the temporary files, the archive, stderr), stopped with
# SIGTERM after $TERM_AFTER seconds if set; its facts in
# $T/NAME.sum; returns its exit status
hx() {
	_n=$1; shift
	set +e
	env INSTANTLY_API_KEY="$KEY" TMPDIR="$T" "${PEAK[@]}" --rss "$T/$_n.rss" --fsize "${FSIZE:-$((8 * MiB))}" ${TERM_AFTER:+--term-after "$TERM_AFTER"} -- \
		"$EXTRACT" --clients "${CLIENTS:-$T/ws/clients.csv}" --base-url "$URL" --no-progress --until 2026-11-26 \
		--retry-wait 0.05 --rate 1000 -q -o "$T/$_n.gz" "$@" 2>"$T/$_n.err"
	_rc=$?
	set -e
	rm -f "$T/$_n.sum"
	[ ! -e "$T/$_n.gz" ] || $CHECK summary "$T/$_n.gz" > "$T/$_n.sum" || { echo "summary failed"; return 99; }
	return $_rc
}
has() { grep -qxF -- "$2" "$T/$1.sum" || { echo "no '$2' in $1:"; cat "$T/$1.sum"; echo "stderr:"; head -20 "$T/$1.err"; return 1; }; }
hostile() { ctl '{"reset_stats":true,"hostile":'"$1"',"hostile_campaign":"'"$K8"'"}'; }

# ---- a normal run: the memory to compare with --------------------------------
hostile null
normal() { hx base && [ ! -s "$T/base.err" ] && has base "summary status complete" && [ -s "$T/base.rss" ]; }
ok "a normal run at -q: exit 0, complete, nothing on stderr" normal
BASE_KB=$(cat "$T/base.rss" 2>/dev/null || echo 0)
SLACK_KB=$((32 * 1024))	# what a hostile run may use beyond a normal one's peak

# common checks after a run that K8's lead listing broke: exit 1; K8 failed,
# its error (run summary and -q stderr) holds MSG; the others complete; the
# peak RSS near a normal run's; the archive small
broken() {	# broken NAME REGEX (extended)
	has "$1" "status $C1 $K8 failed" && has "$1" "status $C1 $K9 ok" && has "$1" "status $C2 $K9 ok" &&
	has "$1" "status $C2 $K6 ok" && has "$1" "complete $C1 $K9 7 2" && has "$1" "complete $C2 $K6 6 2" &&
	! grep -q "^complete $C1 $K8 " "$T/$1.sum" &&
	{ grep -qE "^error $C1 $K8 .*($2)" "$T/$1.sum" || { echo "K8's error is not /$2/:"; grep "^error" "$T/$1.sum"; return 1; }; } &&
	{ grep -qE "campaign $K8: .*($2)" "$T/$1.err" || { echo "stderr:"; cat "$T/$1.err"; return 1; }; } &&
	{ [ "$(cat "$T/$1.rss")" -le $((BASE_KB + SLACK_KB)) ] ||
		{ echo "peak RSS $(cat "$T/$1.rss") KiB, a normal run's $BASE_KB KiB"; return 1; }; } &&
	{ [ "$(stat -c %s "$T/$1.gz")" -le $MiB ] || { echo "archive of $(stat -c %s "$T/$1.gz") bytes"; return 1; }; }
}

# ---- the default bounds are the documented ones -------------------------------
defaults_documented() {
	"$EXTRACT" --help > "$T/help.txt" &&
	man_text=$(MANWIDTH=200 man -l "$SRCDIR/man/instantly-extract.1" 2>/dev/null || cat "$SRCDIR/man/instantly-extract.1") &&
	for want in "--max-depth N         JSON nesting of a response (default 128)" \
		"--max-response SIZE   bytes of one response body, decoded (default 128M)" \
		"temporary file until it is complete (default 512M)" \
		"100000, 10 million leads a campaign)" "waiting (default 4 x --parallel; at least --parallel)" \
		"nothing for this long fails, and is retried (default 30)"; do
		contains "$T/help.txt" "$want" || return 1
	done &&
	for want in "(default 128;" "(default" "128M" "512M" "(default 100000:" "(default 4" "30)"; do
		printf '%s' "$man_text" | grep -qF -- "$want" || { echo "man page: no '$want'"; return 1; }
	done
}
ok "--help and the man page give the default bounds" defaults_documented

# ---- nesting that never ends, outside any item --------------------------------
hostile '"deep_nesting"'
deep_default() {	# the default --max-depth: 128 levels, as documented
	exit_is 1 hx deep --retries 0 --timeout 30 && broken deep "JSON nested deeper than 128 levels \(--max-depth\)"
}
ok "endless nesting outside an item, default bounds: K8 fails at 128 levels (--max-depth), the others complete, memory flat" deep_default
deep_small() {
	hostile '"deep_nesting"'
	{ exit_is 1 hx deep16 --max-depth 16 && broken deep16 "JSON nested deeper than 16 levels \(--max-depth\)" &&
	curl -sS -f "$URL/_stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["hostile"] != 1)'; } ||
	{ echo "the bound was retried"; return 1; }
}
ok "endless nesting, --max-depth 16: the bound named, not retried (one hostile answer)" deep_small

# ---- an items array that never ends --------------------------------------------
hostile '"endless_items"'
items_response() {	# --max-response trips first
	FSIZE=$((4 * MiB)) exit_is 1 hx items1 --max-response 2M --max-spill 1G &&
	broken items1 "the response is larger than 2097152 bytes \(--max-response\)"
}
ok "endless items, --max-response 2M: K8 fails naming the bound, the others complete, memory flat" items_response
items_spill() {	# --max-spill trips first; no file may pass 2 MiB (RLIMIT_FSIZE)
	FSIZE=$((2 * MiB)) exit_is 1 hx items2 --max-response 512M --max-spill 1M &&
	broken items2 "passed 1048576 bytes \(--max-spill\)"
}
ok "endless items, --max-spill 1M: K8 fails naming the bound, the spill never passes 2 MiB (exit 1, not a write error)" items_spill

# ---- a fresh cursor forever --------------------------------------------------
hostile '"endless_cursor"'
pages() {
	{ exit_is 1 hx pages --max-pages 30 && broken pages "still goes on after 30 pages \\(30 leads\\): stopped at the bound --max-pages 30" &&
	has pages "leads $C1 $K8 30" &&
	curl -sS -f "$URL/_stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["hostile"] != 30)'; } ||
	{ echo "not 30 pages asked for"; return 1; }
}
ok "a fresh cursor forever, --max-pages 30: K8 fails after 30 pages (no leads_complete), the others complete" pages

ctl '{"reset_stats":true,"hostile":"endless_cursor","hostile_campaign":"campaigns"}'
list_pages() {	# the campaign listing: ended at the bound, the mapped campaigns asked for by id
	exit_is 0 hx lpages --max-pages 5 && has lpages "summary status complete" && has lpages "complete $C1 $K8 8 2" &&
	has lpages "complete $C2 $K6 6 2" && curl -sS -f -o "$T/lpages.stats" "$URL/_stats" &&
	python3 - "$T/lpages.stats" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["by_endpoint"].get("GET /api/v2/campaigns", 0)
by_id = d["by_endpoint"].get("GET /api/v2/campaigns/{id}", 0)
if n != 5 or by_id < 2:
    sys.exit("%d listing pages (wanted 5), %d campaigns asked for by id" % (n, by_id))
PY
}
ok "a campaign listing with a fresh cursor forever, --max-pages 5: ended there, mapped campaigns asked for by id, exit 0" list_pages

# ---- a body that stalls halfway -----------------------------------------------
hostile '"stall_body"'
stall() {
	_t0=$(date +%s)
	exit_is 1 hx stall --stall-timeout 1 --retries 1 &&
	broken stall "after 2 attempts: Timeout: the answer stalled, nothing received for 1 s \(--stall-timeout\)" &&
	{ [ $(( $(date +%s) - _t0 )) -le 20 ] || { echo "took $(( $(date +%s) - _t0 )) s"; return 1; }; }
}
ok "a body that stalls halfway: given up after --stall-timeout (not --timeout's 180 s), retried, reported" stall

# ---- a body longer than its Content-Length (the instance of defect 9) ----------
hostile '"long_body"'
long_body() {	# default retries: what it leaves on a reused connection is retried
	# (its last attempt may have met what its attempt before left on a connection)
	exit_is 1 hx long && broken long "malformed JSON: parse error: premature EOF|the answer is not HTTP"
}
ok "a body longer than its Content-Length, at -q: K8's failure printed, the others complete (exit 1)" long_body

# ---- a 200 whose items are of the wrong type --------------------------------
for kind in string object number null; do
	hostile '"items_'$kind'"'
	wrong_type() { exit_is 1 hx "items_$1" --retries 1 && broken "items_$1" '"items" is not an array'; }
	ok "a 200 with \"items\" a $kind: K8 fails (\"items\" is not an array), the others complete" wrong_type $kind
done
hostile null

# ---- requests held at once: memory grows with requests in flight, not the map ----
# a map of the sample's campaigns and N more the API does not know (each a
# GET /campaigns/{id} that answers 404)
big_map() {	# big_map FILE N
	python3 - "$T/ws/clients.csv" "$1" "$2" <<'PY'
import sys, uuid, random
rnd = random.Random(10)
rows = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as f:
    f.write("\n".join(rows) + "\n")
    for _ in range(int(sys.argv[3])):
        f.write("33333333-3333-4333-8333-333333333333,%s\n" % uuid.UUID(int=rnd.getrandbits(128), version=4))
PY
}
big_map "$T/map40.csv" 40
tight() {	# -j 2 and 2 requests held at most: everything still fetched, in order
	ctl '{"reset_stats":true}'
	CLIENTS=$T/map40.csv exit_is 0 hx tight -j 2 --max-requests 2 && has tight "summary status complete" &&
	[ "$(grep -c '^status .* not_found$' "$T/tight.sum")" -eq 40 ] && has tight "complete $C1 $K8 8 2" &&
	has tight "complete $C1 $K9 7 2" && has tight "complete $C2 $K9 7 2" && has tight "complete $C2 $K6 6 2" &&
	curl -sS -f -o "$T/tight.stats" "$URL/_stats" && python3 - "$T/tight.stats" <<'PY'
import json, sys
rq = json.load(open(sys.argv[1]))["requests"]
# (a request ends when its answer leaves, sent_ms: the fake's thread
# records ms later, when the client may have sent its next request already)
ev = sorted([(r["t"], 1) for r in rq] + [(r["t"] + r.get("sent_ms", r["ms"]) / 1000.0, -1) for r in rq],
            key=lambda e: (e[0], e[1]))
now = most = 0
for _, d in ev:
    now += d
    most = max(most, now)
if most > 2:
    sys.exit("%d requests at once at the server" % most)
PY
}
ok "--max-requests 2 -j 2 over 43 campaigns (40 unknown): all fetched or not_found, exit 0" tight
ok "--max-requests below --parallel is a usage error" exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" \
	--clients "$T/map40.csv" --base-url "$URL" -j 4 --max-requests 3 -o "$T/u.gz"
big_map "$T/map20k.csv" 20000
held() {	# every answer 0.4 s late; after 3 s the run is stopped (SIGTERM) and its peak measured
	ctl '{"reset_stats":true,"latency_ms":400}'
	TERM_AFTER=3 CLIENTS=$T/map20k.csv hx big20k >/dev/null 2>&1
	ctl '{"latency_ms":0}'
	[ "$(stat -c %s "$T/big20k.err")" = 0 ] || { cat "$T/big20k.err"; return 1; }	# it did run
	# (its peak includes the map of 20,000 rows: about 7 MB)
	[ "$(cat "$T/big20k.rss")" -le $((BASE_KB + SLACK_KB)) ] ||
		{ echo "peak RSS $(cat "$T/big20k.rss") KiB with a 20,000-row map, a normal run's $BASE_KB KiB"; return 1; }
}
ok "a 20,000-row map of unknown campaigns: peak memory near a normal run's (requests made as room frees up)" held

# ---- every failure is an error, printed at -q (defect 9) ------------------------
{ echo "client_id,campaign_id,api_key_env"
  tail -n +2 "$T/ws/clients.csv" | while IFS=, read -r c k; do
	if [ "$k" = "$K6" ]; then echo "$c,$k,WS_B_KEY"; else echo "$c,$k,"; fi
  done; } > "$T/ws2.csv"
refused_q() { WS_B_KEY=not-a-key CLIENTS=$T/ws2.csv exit_is 1 hx ref &&
	contains "$T/ref.err" "the workspace of WS_B_KEY" && contains "$T/ref.err" "HTTP 401"; }
ok "-q: a workspace whose key is refused is printed (exit 1)" refused_q
all_refused_q() { exit_is 6 env INSTANTLY_API_KEY=wrong "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" -q \
	-o "$T/all.gz" 2>"$T/all.err" && contains "$T/all.err" "HTTP 401"; }
ok "-q: every workspace refused is printed (exit 6)" all_refused_q
output_q() { exit_is 4 env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" -q \
	-o "$T/no/such/dir/a.gz" 2>"$T/out.err" && contains "$T/out.err" "no/such/dir"; }
ok "-q: an output error is printed (exit 4)" output_q
hostile null

done_testing

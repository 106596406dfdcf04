#!/usr/bin/env bash
# tests/extract: instantly-extract against the fake Instantly API on
# loopback (tests/fake-api), through libcurl, into real gzip archives: what
# it asks, what it writes, the paging guards, retries, rate limits, failures,
# the key's secrecy, signals, and extract → transform → load into a real
# PostgreSQL.
. "$(dirname "$0")/../lib.sh"

KEY=ietest-secret-key-4711
K8=8ad64aaf-8294-4538-8400-4a99dcf016e8	# 8 leads in the sample, client 1
K9=9b6f458e-6dc5-4762-83d5-a528aedd2235	# 7 leads, clients 1 and 2
K6=23189011-78cc-49db-8e32-da035d1b1135	# 6 leads, client 2
C1=11111111-1111-4111-8111-111111111111
C2=22222222-2222-4222-8222-222222222222
NOPE=0badc0de-0000-4000-8000-000000000000	# a campaign the API does not know
CHECK=(python3 "$SRCDIR/tests/cli/extract_check.py")

fake_sample "$KEY"
UNMAPPED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unmapped"][0])' "$T/ws/manifest.json")
MAIN_URL=$URL

stats() { curl -sS -f -o "$T/stats.json" "$URL/_stats"; }
reset() {	# the fake's defaults and empty counters
	ctl '{"reset_stats":true,"rate_limit":null,"rate_limit_minute":null,"retry_after":null,"latency_ms":0,
	"leads_latency_ms":0,"fail_every":null,"fail_status":500,"fail_once_path":null,"cut_body_every":null,
	"short_pages":false,"repeat_cursor":[],"payment_required":false,"api_key":"'"$KEY"'"}'
}
# x NAME ARGS...: run the extract into $T/NAME.gz (stderr $T/NAME.err); its
# facts in $T/NAME.sum (extract_check.py summary); returns its exit status
x() {
	_n=$1; shift
	set +e
	env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "${CLIENTS:-$T/ws/clients.csv}" --base-url "$URL" \
		--no-progress --until 2026-11-26 --retry-wait 0.05 -o "$T/$_n.gz" "$@" 2>"$T/$_n.err"
	_rc=$?
	set -e
	rm -f "$T/$_n.sum"
	[ ! -e "$T/$_n.gz" ] || "${CHECK[@]}" summary "$T/$_n.gz" > "$T/$_n.sum" || { echo "summary failed"; return 99; }
	return $_rc
}
has() { grep -qxF -- "$2" "$T/$1.sum" || { echo "no '$2' in $1:"; cat "$T/$1.sum"; echo "stderr:"; head -20 "$T/$1.err"; return 1; }; }
hasnt() { ! grep -qF -- "$2" "$T/$1.sum" || { echo "'$2' in $1"; return 1; }; }
no_file() { [ ! -e "$1" ] || { echo "$1 exists"; return 1; }; }
no_temp() { ! has_name "$T" '*.tmp.*' || { ls -a "$T"; return 1; }; }

# ---- the command line ------------------------------------------------------
# help_version: --help names --clients, --version the program (both exit 0)
help_version() { "$EXTRACT" --help | grep -q -- --clients && "$EXTRACT" --version | grep -q instantly-extract; }
ok "--help and --version exit 0" help_version
ok "an unknown option is a usage error (2)" exit_is 2 "$EXTRACT" --bogus
ok "no --clients is a usage error (2)" exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" -o "$T/u.gz"
no_key() { exit_is 2 env -u INSTANTLY_API_KEY "$EXTRACT" --clients "$T/ws/clients.csv" -o "$T/u.gz" 2>"$T/u.err" &&
	contains "$T/u.err" INSTANTLY_API_KEY && no_file "$T/u.gz"; }
ok "no API key: usage error naming INSTANTLY_API_KEY, no output" no_key
plain_http() {
	for u in http://api.example.com http://127.attacker.example http://10.0.0.1 'http://[::2]:80'; do
		{ exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$u" \
			-o "$T/u.gz" 2>"$T/u.err" && contains "$T/u.err" "loopback"; } || { echo "$u accepted"; return 1; }
	done
}
ok "plain http to any host but a loopback address is refused (the key would travel in clear)" plain_http
bad_window() { exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/ws/clients.csv" --since 2026-11-20 \
	--until 2026-11-01 -o "$T/u.gz" 2>"$T/u.err" && contains "$T/u.err" "after it ends" &&
	exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/ws/clients.csv" --since 2026-02-30 -o "$T/u.gz"; }
ok "a window that ends before it starts, or a day that does not exist: usage error" bad_window

map_error() {	# map_error CSV-TEXT MESSAGE
	printf '%b' "$1" > "$T/map.csv"
	exit_is 3 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/map.csv" --base-url "$URL" -o "$T/u.gz" 2>"$T/u.err" &&
		contains "$T/u.err" "$2" && no_file "$T/u.gz"
}
ok "client map: a bad UUID names file, line and field (exit 3)" \
	map_error "client_id,campaign_id\n$C1,$K8\n$C1,not-a-uuid\n" "map.csv:3: campaign_id: 'not-a-uuid' is not a UUID"
ok "client map: a header without campaign_id (exit 3)" \
	map_error "client,campaign\n$C1,$K8\n" "map.csv:1: the header must name the columns client_id and campaign_id"
ok "client map: a missing field (exit 3)" map_error "client_id,campaign_id\n$C1\n" "map.csv:2: campaign_id: missing"
ok "client map: a missing file (exit 3)" map_error "" "map.csv" # (empty file: no header)
# map_missing: a client map that is not there is exit 3, named with the system's reason
map_missing() { exit_is 3 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/none.csv" -o "$T/u.gz" 2>"$T/u.err" &&
	contains "$T/u.err" "none.csv: No such file"; }
ok "client map: unreadable path (exit 3)" map_missing

# ---- a whole run -----------------------------------------------------------
reset
ok "a run over the sample workspace exits 0" x basic -v
stats; cp "$T/stats.json" "$T/basic.stats"
# has_all NAME LINE...: the facts of run NAME have every LINE
has_all() { local n=$1 l; shift; for l; do has "$n" "$l" || return 1; done; }
ok "every mapped campaign once per client (4), with its daily rows (11) and overviews (4)" \
	has_all basic "count campaign 4" "count analytics_daily 11" "count analytics_overview 4"
ok "every lead of every mapped campaign, per client (8, 7, 7, 6), none twice" has_all basic \
	"leads $C1 $K8 8" "leads $C1 $K9 7" "leads $C2 $K9 7" "leads $C2 $K6 6" "dup_leads 0" "count lead 28"
ok "a leads_complete marker per client and campaign, with the lead and page counts" has_all basic \
	"complete $C1 $K8 8 2" "complete $C1 $K9 7 2" "complete $C2 $K9 7 2" "complete $C2 $K6 6 2"
ok "the run summary is the last record: complete, 14 requests, no retries" has_all basic \
	"last run_summary" "summary status complete" "summary requests 14" "summary retries 0"
ok "the run summary counts what the server saw (14 requests)" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["requests_total"] != 14)' "$T/basic.stats"
ok "every record's data is the API's item byte for byte (numbers, escapes, key order)" "${CHECK[@]}" verbatim "$T/basic.gz" "$T/ws"
# unmapped_absent: the unmapped campaign's id appears nowhere in the basic run's archive
unmapped_absent() { ! zcat "$T/basic.gz" | grep -q "$UNMAPPED"; }
ok "nothing of the unmapped campaign is asked for or written" unmapped_absent
ok "requests: singular campaign and limit 100, the window on analytics, a User-Agent and a token" \
	"${CHECK[@]}" requests "$T/basic.stats" 2026-08-29 2026-11-26 "$UNMAPPED"
ok "the analytics records carry the window (90 days up to --until 2026-11-26)" has basic "window 2026-08-29 2026-11-26"
ok "extracted_at: UTC with milliseconds on every record" has basic "extracted_at_ok 1"
# schema_valid: the basic run's archive, line by line and as a whole, against schemas/archive-v1
schema_valid() {
	zcat "$T/basic.gz" > "$T/basic.ndjson" && python3 "$SRCDIR/tests/cli/validate_archive.py" "$SRCDIR/schemas/archive-v1" lines "$T/basic.ndjson" &&
		python3 "$SRCDIR/tests/cli/validate_archive.py" "$SRCDIR/schemas/archive-v1" invariants "$T/basic.ndjson" "$T/ws/clients.csv"
}
ok "the archive is valid against the archive v1 schemas" schema_valid
ok "compressed transfer: every answer came gzip-encoded" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["gzip_responses"] != d["requests_total"])' "$T/basic.stats"
secret_kept() {
	! grep -qF "$KEY" "$T/basic.err" && ! zcat "$T/basic.gz" | grep -qF "$KEY" &&
	grep -q "POST $URL/api/v2/leads/list: 200" "$T/basic.err"	# -v did log the requests
}
ok "the key is in no output: archive, verbose log" secret_kept
ok "a stderr summary line with the counts" contains "$T/basic.err" "3 campaigns: 3 complete, 0 failed, 0 not found"

key_file() {
	printf '%s\n' "$KEY" > "$T/key"; chmod 600 "$T/key"
	env -u INSTANTLY_API_KEY "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --api-key-file "$T/key" \
		--until 2026-11-26 -o "$T/kf.gz" 2>"$T/kf.err" && { [ ! -s "$T/kf.err" ] || ! grep -qv '3 campaigns' "$T/kf.err"; } &&
	chmod 644 "$T/key" && env -u INSTANTLY_API_KEY "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" \
		--api-key-file "$T/key" --until 2026-11-26 -o "$T/kf.gz" 2>"$T/kf.err" && contains "$T/kf.err" "can be read by other users"
}
ok "--api-key-file: the key from a file; a warning when others can read it" key_file
stdout_pipe() {
	env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --until 2026-11-26 2>/dev/null |
		"$TRANSFORM" -o "$T/piped" 2>"$T/piped.err" && [ -s "$T/piped/synced_leads.csv" ] &&
	[ "$(($(wc -l < "$T/piped/synced_leads.csv") - 1))" = 28 ]
}
ok "to stdout, gzipped: instantly-extract | instantly-transform" stdout_pipe
json_log() {
	x jl --log-format json -v || return 1
	python3 - "$T/jl.err" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
if not lines or any(set(l) < {"time", "prog", "level", "msg"} for l in lines):
    sys.exit("not JSON log lines: %s" % lines[:2])
if not any("3 campaigns" in l["msg"] for l in lines) or not any(l["level"] == "debug" for l in lines):
    sys.exit("no summary or request lines")
PY
}
ok "--log-format json: one JSON object per log line, requests and summary included" json_log
quiet() { x qq -q && [ ! -s "$T/qq.err" ]; }
ok "-q: nothing on stderr when all goes well" quiet
plain_out() { x plain --plain && head -c 8 "$T/plain.gz" | grep -q '^{"v":1,' && has plain "count lead 28"; }
ok "--plain writes NDJSON" plain_out
window() { x win --since 2026-11-24 --until 2026-11-25 && has win "window 2026-11-24 2026-11-25" &&
	has win "count analytics_daily 6"; }
ok "--since/--until: the window asked and written (2 days: 6 daily rows)" window
missing_dir() { exit_is 4 env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" \
	-o "$T/no/such/dir/a.gz" 2>"$T/md.err" && contains "$T/md.err" "no/such/dir"; }
ok "-o in a missing directory: output error (4)" missing_dir

# ---- paging guards ---------------------------------------------------------
python3 "$FAKEDIR/make_workspace.py" --out "$T/big" --synthetic --campaigns 3 --leads-per-campaign 250 --seed 3 2>/dev/null
BIGC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mapped"][0])' "$T/big/manifest.json")
fake_start big "$T/big" --api-key "$KEY" --today 2026-11-27
all_leads() {	# all_leads NAME: every mapped lead of the big workspace, once per client
	python3 - "$T/big/manifest.json" "$T/big/clients.csv" "$T/$1.sum" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1]))
pairs = list(csv.DictReader(open(sys.argv[2])))
want = sum(m["leads"][p["campaign_id"]] for p in pairs)
got = [l.split() for l in open(sys.argv[3])]
n = [int(l[2]) for l in got if l[:2] == ["count", "lead"]]
dup = [l for l in got if l[0] == "dup_leads"][0][1]
if n != [want] or dup != "0":
    sys.exit("leads %s, wanted %d; dup %s" % (n, want, dup))
PY
}
big() { CLIENTS=$T/big/clients.csv x "$@"; }
big_pages() { big bigrun && all_leads bigrun && grep -q "^complete .* 250 4$" "$T/bigrun.sum"; }
ok "a listing of 250 leads: pages of 100, 100, 50, then the empty page; all leads, once" big_pages
ctl '{"short_pages":true,"reset_stats":true}'
short() { big short && all_leads short && grep -q "^complete .* 250 5$" "$T/short.sum" && has short "summary status complete"; }
ok "short pages in the middle (67 of 100) do not end the listing" short
ctl '{"short_pages":false,"repeat_cursor":["'"$BIGC"'"],"reset_stats":true}'
repeated() {
	exit_is 1 big rep && has rep "summary status partial" && grep -q "^status .* $BIGC cursor_repeated$" "$T/rep.sum" &&
	! grep -q "^complete .* $BIGC " "$T/rep.sum" && grep -q "^leads .* $BIGC 100$" "$T/rep.sum" && has rep "dup_leads 0" &&
	contains "$T/rep.err" "a second time after 100 leads" && contains "$T/rep.err" "100 items of that page not trusted" &&
	[ "$(grep -c '^status .* ok$' "$T/rep.sum")" -ge 2 ]
}
ok "a repeated cursor ends that listing: its page not trusted, reported, no completion marker, exit 1, the others complete" repeated
repeated_q() { exit_is 1 big repq -q && contains "$T/repq.err" "campaign $BIGC: the lead listing sent the cursor"; }
ok "-q: the repeated cursor is an error, printed (issue 10, defect 9)" repeated_q
ctl '{"repeat_cursor":[],"reset_stats":true}'

# ---- retries ---------------------------------------------------------------
ctl '{"fail_once_path":"/leads/list"}'
once() { big once && all_leads once && has once "summary retries 1" && has once "summary http_5xx 1" && has once "summary status complete"; }
ok "a 500 on a lead page is retried: nothing lost, nothing twice" once
ctl '{"fail_once_path":null,"cut_body_every":4,"reset_stats":true}'
cut() { big cut && all_leads cut && has cut "summary status complete" &&
	! grep -q '^summary transport_errors 0$' "$T/cut.sum"; }
ok "bodies cut mid-way are retried: nothing lost, nothing twice" cut
ctl '{"cut_body_every":null,"fail_every":3,"fail_status":503,"reset_stats":true}'
every3() { big ev3 --retries 8 && all_leads ev3 && has ev3 "summary status complete"; }
ok "every third request a 503: retried to the end" every3
ctl '{"fail_every":null,"rate_limit":4,"reset_stats":true}'
limited() { big lim --rate 50 && all_leads lim && ! grep -q '^summary http_429 0$' "$T/lim.sum" && has lim "summary status complete" &&
	contains "$T/lim.err" "rate limited (429)" && contains "$T/lim.err" "then at most 25.0 requests/s"; }
ok "over the workspace rate limit: 429s retried and the rate lowered; nothing lost" limited
ctl '{"rate_limit":5,"reset_stats":true}'
under() { big under --rate 5 && has under "summary http_429 0" && all_leads under; }
ok_timing "at the server's rate (5/s): no 429 at all" under
ctl '{"rate_limit":null,"retry_after":null,"reset_stats":true}'

# ---- failures --------------------------------------------------------------
ctl '{"fail_once_path":"/leads/list"}'
partial() {
	exit_is 1 big part --retries 0 && has part "summary status partial" && [ "$(grep -c '^status .* failed$' "$T/part.sum")" -ge 1 ] &&
	[ "$(grep -c '^status .* ok$' "$T/part.sum")" -ge 2 ] && [ "$(grep -c '^complete ' "$T/part.sum")" -ge 2 ] &&
	grep -q '^error .*lead listing: after 1 attempts: HTTP 500' "$T/part.sum" && contains "$T/part.err" "partial"
}
ok "a campaign that fails for good: reported, the others complete, exit 1 (partial)" partial
ctl '{"fail_once_path":null,"leads_latency_ms":2500,"reset_stats":true}'
timeout() { exit_is 1 big tmo --timeout 1 --retries 1 && grep -q '^error .*lead listing: after 2 attempts: Timeout' "$T/tmo.sum"; }
ok "a request that outlasts --timeout fails, is retried, then reported" timeout
ctl '{"leads_latency_ms":0,"reset_stats":true}'
URL=$MAIN_URL
gap_after_429() {	# gap_after_429 NAME MIN ARGS...: after every 429, nothing sent for MIN seconds
	_g=$1 _min=$2; shift 2
	x "$_g" --rate 4 -j 1 "$@" || return 1
	curl -sS -f -o "$T/$_g.stats" "$URL/_stats"
	python3 - "$T/$_g.stats" "$_min" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["requests"]
gaps = [b["t"] - a["t"] for a, b in zip(r, r[1:]) if a["status"] == 429]
if not gaps or min(gaps) < float(sys.argv[2]):
    sys.exit("after a 429 the next request came %s s later" % [round(g, 3) for g in gaps[:8]])
PY
}
ctl '{"rate_limit":2,"retry_after":1,"reset_stats":true}'
ok "Retry-After is honoured: after a 429 nothing is sent for its seconds" gap_after_429 ra 0.95
ctl '{"rate_limit":2,"retry_after":null,"reset_stats":true}'
ok "a 429 without Retry-After: the exponential backoff (--retry-wait 0.6: 0.3 s at least)" gap_after_429 nora 0.29 --retry-wait 0.6
ctl '{"rate_limit":null,"retry_after":null,"reset_stats":true}'
notfound() {
	{ cat "$T/ws/clients.csv"; echo "$C1,$NOPE"; } > "$T/nf.csv"
	CLIENTS=$T/nf.csv x nf && grep -qx "status $C1 $NOPE not_found" "$T/nf.sum" && ! zcat "$T/nf.gz" | grep -v run_summary | grep -q "$NOPE" &&
	contains "$T/nf.err" "does not know it (404)"
}
ok "a mapped campaign the API does not know: not_found, nothing written, exit 0" notfound
ctl '{"api_key":"another-key"}'
refused() { exit_is 6 x refused && no_file "$T/refused.gz" && no_temp && contains "$T/refused.err" "HTTP 401" &&
	contains "$T/refused.err" "check the API key"; }
ok "a wrong key: 401 stops the run (exit 6), nothing at -o" refused
ctl '{"api_key":"'"$KEY"'","payment_required":true}'
# no_plan: the fake answers 402: exit 6, HTTP 402 named, nothing at -o
no_plan() { exit_is 6 env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" -o "$T/pay.gz" 2>"$T/pay.err" &&
	contains "$T/pay.err" "HTTP 402" && no_file "$T/pay.gz"; }
ok "no paid plan: 402 stops the run (exit 6)" no_plan
ctl '{"payment_required":false,"cloudflare_block":true}'
cloudflare() { exit_is 6 x cf && no_file "$T/cf.gz" && contains "$T/cf.err" "HTTP 403: error code: 1010 (Cloudflare refused the client)"; }
ok "Cloudflare's 403 (error code: 1010, a text body) is named as such, not as a missing scope; exit 6" cloudflare
ctl '{"cloudflare_block":false}'

# ---- several workspaces: a key per workspace, named in the client map ---------
{ echo "client_id,campaign_id,api_key_env"
  tail -n +2 "$T/ws/clients.csv" | while IFS=, read -r c k; do
	if [ "$k" = "$K6" ]; then echo "$c,$k,WS_B_KEY"; else echo "$c,$k,"; fi
  done; } > "$T/ws2.csv"
export WS_B_KEY=second-workspace-key
two_workspaces() {
	ctl '{"extra_keys":["second-workspace-key"],"rate_limit":4,"reset_stats":true}'
	CLIENTS=$T/ws2.csv x two --rate 4 || return 1
	stats
	has two "count lead 28" && has two "summary status complete" && has two "summary http_429 0" &&
	python3 - "$T/stats.json" "$K6" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
k6 = sys.argv[2]
lists = sorted(r["workspace"] for r in d["requests"] if r["endpoint"] == "GET /api/v2/campaigns")
if lists != [0, 0, 1, 1]:
    sys.exit("campaign listings per workspace: %s" % lists)
# the limits are per workspace: together they went past one workspace's 4/s
ts = sorted(r["t"] for r in d["requests"])
most = max(sum(1 for u in ts if t <= u < t + 1.0) for t in ts)
if most <= 4:
    sys.exit("at most %d requests in a second: one limiter for both workspaces?" % most)
for r in d["requests"]:
    if r["endpoint"] == "GET /api/v2/campaigns":
        continue	# (every workspace lists its campaigns)
    about_k6 = k6 in json.dumps(r.get("query")) + json.dumps(r.get("body")) + r["path"]
    if about_k6 != (r["workspace"] == 1):
        sys.exit("a request with the wrong key: %s %s workspace %s" % (r["method"], r["path"], r["workspace"]))
PY
}
ok_timing "two workspaces: each campaign asked for with its workspace's key, each listing with its own; limits per workspace (4/s each: no 429)" two_workspaces
one_refused() {
	ctl '{"extra_keys":[],"rate_limit":null,"reset_stats":true}'
	CLIENTS=$T/ws2.csv exit_is 1 x ref1 || return 1
	grep -q "^status $C2 $K6 failed$" "$T/ref1.sum" && grep -q "^status $C1 $K8 ok$" "$T/ref1.sum" &&
	grep -q "^error $C2 $K6 .*HTTP 401" "$T/ref1.sum" && ! zcat "$T/ref1.gz" | grep -v run_summary | grep -q "$K6" &&
	contains "$T/ref1.err" "the workspace of WS_B_KEY"
}
ok "a workspace whose key is refused: its campaigns fail, the others complete, exit 1" one_refused
same_key() {	# WS_B_KEY holds the default key, and a row names INSTANTLY_API_KEY: one workspace
	sed -e 's/,WS_B_KEY$/,SAME_KEY/' -e "s/^\($C1,$K8\),\$/\1,INSTANTLY_API_KEY/" "$T/ws2.csv" > "$T/ws3.csv"
	{ grep -q INSTANTLY_API_KEY "$T/ws3.csv" && grep -q SAME_KEY "$T/ws3.csv"; } || { echo "bad map"; cat "$T/ws3.csv"; return 1; }
	ctl '{"reset_stats":true}'
	SAME_KEY=$KEY CLIENTS=$T/ws3.csv x same || return 1
	stats
	has same "count lead 28" && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=sum(r["endpoint"]=="GET /api/v2/campaigns" for r in d["requests"]); sys.exit(n != 2 and "%d listing requests" % n)' "$T/stats.json"
}
ok "variables that hold the same key are one workspace (one listing, one limiter); INSTANTLY_API_KEY named is the default" same_key
unset_key() { exit_is 2 env -u WS_B_KEY INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws2.csv" --base-url "$URL" -o "$T/u.gz" 2>"$T/u.err" &&
	contains "$T/u.err" "names the API key variable WS_B_KEY, which is not set"; }
ok "a key variable the map names but the environment lacks: usage error" unset_key
ok "client map: a campaign in two workspaces (exit 3)" \
	map_error "client_id,campaign_id,api_key_env\n$C1,$K8,A\n$C2,$K8,B\n" "campaign $K8 is in one workspace, but line 2 names 'A' and this line 'B'"
ok "client map: api_key_env must be a variable name (exit 3)" \
	map_error "client_id,campaign_id,api_key_env\n$C1,$K8,no-such=name\n" "map.csv:2: api_key_env: 'no-such=name' is not an environment variable name"

sigterm() {
	ctl '{"leads_latency_ms":400,"reset_stats":true}'
	env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" -o "$T/term.gz" 2>/dev/null &
	_p=$!
	sleep 1
	kill -TERM "$_p"
	set +e; wait "$_p"; _rc=$?; set -e
	ctl '{"leads_latency_ms":0}'
	[ "$_rc" = 143 ] && no_file "$T/term.gz" && no_temp
}
ok "SIGTERM mid-run: nothing at the -o path, no temporary file" sigterm
parallel() {
	ctl '{"latency_ms":100,"reset_stats":true}'
	x par --rate 100 -j 8 || return 1
	stats; ctl '{"latency_ms":0}'
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["max_in_flight"] < 3)' "$T/stats.json"
}
ok "several requests in flight at once (curl multi)" parallel
# help_exits: --help (its lines joined) names each exit status with its meaning
help_exits() {
	local h c
	h=$("$EXTRACT" --help | tr "\n" " ")
	for c in "0 every" "1 partial" "2 usage" "3 the client map" "4 output" "6 the API"; do
		case $h in *"$c"*) ;; *) echo "no $c"; return 1 ;; esac
	done
}
ok "--help names every exit status" help_exits

# ---- extract → transform → load: the warehouse -------------------------------
if ! pg_bindir >/dev/null; then
	skip "no PostgreSQL server binaries"
	done_testing; exit
fi
pipeline() {
	# the same window as the sample archive, which recorded this workspace
	x pipe --since 2026-10-28 --until 2026-11-26 || return 1
	"$TRANSFORM" -o "$T/tx" "$T/pipe.gz" 2>"$T/tx.err" || { cat "$T/tx.err"; return 1; }
	# the sample archive's e-mail records and partial listing aside, the same tables
	"$TRANSFORM" -o "$T/ts" "$SRCDIR/samples/sample.ndjson" 2>/dev/null || [ $? = 1 ] || return 1
	"${CHECK[@]}" tables "$T/ts" "$T/tx"
}
ok "extract → transform gives the same tables as the recorded sample archive" pipeline
pg_start
warehouse() {
	psql_q -f "$SRCDIR/schemas/sql/01-auth.sql" -f "$SRCDIR/schemas/sql/02-tables.sql" -f "$SRCDIR/schemas/sql/03-rls.sql" >/dev/null
	pg_map_clients "$T/ws/clients.csv"
	"$LOAD" "$T/tx" 2>"$T/ld.err" >/dev/null || { cat "$T/ld.err"; return 1; }
	psql_q -At -c "select count(*) from synced_leads" > "$T/n"
	is "$(cat "$T/n")" 28 || return 1
	psql_q -At -c "select client_id, campaign_id, count(*) from synced_leads group by 1, 2 order by 1, 2" > "$T/per"
	printf '%s\n' "$C1|$K8|8" "$C1|$K9|7" "$C2|$K6|6" "$C2|$K9|7" | sort > "$T/want"
	same_file "$T/want" "$T/per" || return 1
	is "$(psql_q -At -c "select count(*) from campaigns")|$(psql_q -At -c "select count(*) from campaign_analytics")|$(psql_q -At -c "select count(*) from campaign_analytics_overview")|$(psql_q -At -c "select count(*) from lead_listings")" "4|11|4|4"
}
ok "… and instantly-load puts exactly those rows in the warehouse" warehouse
reload() {
	{ x pipe2 --since 2026-10-28 --until 2026-11-26 && "$TRANSFORM" -o "$T/tx2" "$T/pipe2.gz" 2>/dev/null &&
		"$LOAD" "$T/tx2" > "$T/ld2.out" 2>&1; } || { cat "$T/ld2.out"; return 1; }
	is "$(psql_q -At -c "select count(*) from synced_leads")" 28
}
ok "a second nightly run over the same data changes no row count" reload
done_testing

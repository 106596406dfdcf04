#!/usr/bin/env bash
# tests/fake-api: the loopback Instantly API v2 fake that the extract tests
# run against, checked with curl (libcurl) over loopback: each behaviour of
# the real API it copies (pagination end, short pages, repeated cursor,
# ignored body keys, limits, errors, rate limit) and each fault it injects.
. "$(dirname "$0")/../lib.sh"

command -v curl >/dev/null || skip_all "no curl"
KEY=ietest-secret-key-4711
K8=8ad64aaf-8294-4538-8400-4a99dcf016e8	# 8 leads in the sample
K9=9b6f458e-6dc5-4762-83d5-a528aedd2235	# 7 leads, two clients
NOPE=0badc0de-0000-4000-8000-000000000000	# no such campaign or lead
export KEY K8 K9 NOPE


# ---- helpers ---------------------------------------------------------------
# call ARGS... URL: one request with a User-Agent and the key; body in $T/b,
# headers in $T/h; prints the HTTP status
call() { curl -sS -A ietest/1.0 -H "Authorization: Bearer $KEY" -o "$T/b" -D "$T/h" -w '%{http_code}' "$@"; }
get() { call "$URL$1"; }
leads() { call -H 'Content-Type: application/json' --data-binary "$1" "$URL/api/v2/leads/list"; }
DEFAULTS='{"payment_required":false,"rate_limit":null,"rate_limit_minute":null,"retry_after":null,
	"latency_ms":0,"leads_latency_ms":0,"fail_every":null,"fail_status":500,"fail_once_path":null,
	"cut_body_every":null,"slow_body":false,"short_pages":false,"repeat_cursor":[]}'
# One Python process runs every check (python3 takes half a second to start
# on some machines): py ARGS... <<'PY' runs the script on stdin with
# sys.argv[1:] = ARGS (no tabs or newlines in them), py_c CODE ARGS... the
# same with the script as an argument; both print its output and return its
# exit status.
mkfifo "$T/py.in" "$T/py.out"
python3 -c '
import contextlib, io, sys, traceback
for line in sys.stdin:
    argv = line.rstrip("\n").split("\t")
    out, rc = io.StringIO(), 0
    try:
        sys.argv = argv
        with contextlib.redirect_stdout(out):
            exec(compile(open(argv[0], encoding="utf-8").read(), "<check>", "exec"), {"__name__": "__main__"})
    except SystemExit as e:
        if isinstance(e.code, str):
            out.write(e.code + "\n")
        rc = e.code if isinstance(e.code, int) else int(e.code is not None)
    except BaseException:
        out.write(traceback.format_exc())
        rc = 1
    text = out.getvalue()
    sys.stdout.write(text + ("" if text.endswith("\n") or not text else "\n") + "__rc__ %d\n" % rc)
    sys.stdout.flush()
' <"$T/py.in" >"$T/py.out" &
PY_PID=$!
exec 8>"$T/py.in" 9<"$T/py.out"
py_stop() { exec 8>&- 9<&-; wait "$PY_PID" 2>/dev/null || true; }
at_exit py_stop
py() {
	cat > "$T/py.code"
	{ printf '%s' "$T/py.code"; for _a; do printf '\t%s' "$_a"; done; printf '\n'; } >&8
	while IFS= read -r _l <&9; do
		case $_l in __rc__\ *) return "${_l#__rc__ }";; esac
		printf '%s\n' "$_l"
	done
	echo "the checker died"; return 1
}
py_c() { _code=$1; shift; printf '%s\n' "$_code" | py "$@"; }
# pj FILE EXPR: the Python expression EXPR holds for d, the JSON in FILE
pj() {
	py "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
if not eval(sys.argv[2]):
    print("not true:", sys.argv[2])
    print(json.dumps(d, ensure_ascii=False)[:1500])
    sys.exit(1)
PY
}
body_is() { is "$(cat "$T/b")" "$1"; }
header() { tr -d '\r' < "$T/h" | sed -n "s/^$1: //Ip" | tail -n 1; }

# walk KIND FILTER LIMIT: page a listing to its end (KIND leads or campaigns;
# FILTER a JSON fragment like "campaign":"..", for leads). Writes $T/walk
# (one line per page: item count, next_starting_after or -), $T/walk.ids (every
# id in order) and $T/last (the raw last answer)
walk() {
	_cur="" ; : > "$T/walk"; : > "$T/walk.ids"
	for _i in $(seq 1 60); do
		if [ "$1" = leads ]; then
			_code=$(leads "{$2${2:+,}\"limit\":$3${_cur:+,\"starting_after\":\"$_cur\"}}")
		else
			_code=$(get "/api/v2/campaigns?limit=$3${_cur:+&starting_after=$_cur}")
		fi
		[ "$_code" = 200 ] || { echo "HTTP $_code: $(cat "$T/b")"; return 1; }
		py "$T/b" "$T/walk" "$T/walk.ids" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
items = d["items"]
with open(sys.argv[2], "a") as w:
    w.write("%d %s\n" % (len(items), d.get("next_starting_after") or "-"))
with open(sys.argv[3], "a") as w:
    for x in items:
        w.write(x["id"] + "\n")
if items and d.get("next_starting_after") != items[-1]["id"]:
    sys.exit("the cursor is not the last item's id")
PY
		cp "$T/b" "$T/last"
		_cur=$(tail -n 1 "$T/walk" | cut -d' ' -f2)
		[ "$_cur" = - ] && return 0
	done
	echo "no end after 60 pages"; return 1
}
pages() { is "$(cut -d' ' -f1 "$T/walk" | tr '\n' ' ')" "$1"; }

# ---- the workspace ---------------------------------------------------------
python3 "$FAKEDIR/make_workspace.py" --out "$T/ws" --from-sample "$SRCDIR/samples/sample.ndjson" 2>"$T/mk.err"
workspace_ok() {
	pj "$T/ws/manifest.json" 'len(d["campaigns"]) == 4 and len(d["unmapped"]) == 1 and d["leads_total"] == 26' &&
	UNMAPPED=$(py_c 'import json,sys; print(json.load(open(sys.argv[1]))["unmapped"][0])' "$T/ws/manifest.json") &&
	! grep -q "$UNMAPPED" "$T/ws/clients.csv" && cmp "$T/ws/clients.csv" "$SRCDIR/samples/clients.csv" &&
	test -s "$T/ws/leads/$UNMAPPED.json" && test -s "$T/ws/leads/$K8.json"
}
ok "make_workspace --from-sample: 4 campaigns, one in no client map, 26 leads" workspace_ok
export UNMAPPED
ok "starts on a free port and says where" fake_start main "$T/ws" --api-key "$KEY" --today 2026-11-27

# ---- pagination ------------------------------------------------------------
t_campaigns() {
	walk campaigns "" 3 && pages "3 1 0 " &&
	is "$(cat "$T/walk.ids")" "$(sort -r "$T/walk.ids")" &&
	is "$(sort -u "$T/walk.ids" | wc -l)" 4 && grep -qx "$UNMAPPED" "$T/walk.ids"
}
ok "GET /campaigns: descending ids, cursor = last id, every campaign once" t_campaigns
t_end() {
	walk leads "\"campaign\":\"$K8\"" 3 && pages "3 3 2 0 " &&
	is "$(sed -n 3p "$T/walk" | cut -d' ' -f2)" "$(tail -n 1 "$T/walk.ids")" &&
	is "$(cat "$T/last")" '{"items":[]}'
}
ok "the last data page still has next_starting_after; the next answer is exactly {\"items\":[]}" t_end
t_asc() { is "$(cat "$T/walk.ids")" "$(sort "$T/walk.ids")" && is "$(sort -u "$T/walk.ids" | wc -l)" 8; }
ok "POST /leads/list: ascending ids, each lead once" t_asc
t_campaign() {
	is "$(leads "{\"campaign\":\"$K9\",\"limit\":100}")" 200 &&
	pj "$T/b" 'len(d["items"]) == 7 and all(x["campaign"] == "'$K9'" for x in d["items"])'
}
ok "body key campaign (singular) is honoured: that campaign's leads only" t_campaign
t_campaign_id() {
	is "$(leads "{\"campaign_id\":\"$K9\",\"limit\":100}")" 200 &&
	pj "$T/b" 'len(d["items"]) == 26 and any(x.get("campaign") == "'"$UNMAPPED"'" for x in d["items"])' &&
	is "$(leads "{\"campaign_ids\":[\"$K9\"],\"limit\":100}")" 200 && pj "$T/b" 'len(d["items"]) == 26'
}
ok "campaign_id and campaign_ids are silently ignored: every lead of the workspace" t_campaign_id
t_over100() {
	is "$(leads "{\"campaign\":\"$K8\",\"limit\":101}")" 200 && body_is '{"items":[]}' &&
	is "$(get '/api/v2/campaigns?limit=500')" 200 && body_is '{"items":[]}'
}
ok "limit above 100: HTTP 200 and an empty list" t_over100
t_nolimit() {
	is "$(leads '{}')" 200 && pj "$T/b" 'len(d["items"]) == 10 and d["next_starting_after"] == d["items"][-1]["id"]' &&
	is "$(get '/api/v2/campaigns')" 200 && pj "$T/b" 'len(d["items"]) == 4'
}
ok "no limit: pages of 10" t_nolimit
t_limit0() {
	is "$(leads '{"limit":0}')" 400 &&
	pj "$T/b" 'd == {"statusCode": 400, "error": "Bad Request", "message": "body/limit must be >= 1"}' &&
	is "$(get '/api/v2/campaigns?limit=abc')" 400 && pj "$T/b" 'd["statusCode"] == 400 and d["error"] == "Bad Request"'
}
ok "limit 0 or not a number: 400 envelope" t_limit0
t_badjson() { is "$(leads '{"limit":10,')" 400 && pj "$T/b" 'd["statusCode"] == 400 and d["error"] == "Bad Request" and d["message"]'; }
ok "malformed JSON body: 400 envelope" t_badjson
t_415() {
	is "$(call --data-binary '{"limit":1}' "$URL/api/v2/leads/list")" 415 &&
	pj "$T/b" 'd["statusCode"] == 415 and d["error"] == "Unsupported Media Type"'
}
ok "a body sent as form data (libcurl's default Content-Type): 415" t_415
t_badcursor() {
	is "$(leads "{\"campaign\":\"$K8\",\"limit\":3,\"starting_after\":\"someone@example.com\"}")" 500 &&
	pj "$T/b" 'd["statusCode"] == 500' &&
	is "$(get "/api/v2/campaigns?starting_after=not-a-cursor")" 500 &&
	is "$(leads "{\"campaign\":\"$K8\",\"limit\":3,\"starting_after\":\"$NOPE\"}")" 500
}
ok "a malformed or unknown cursor: HTTP 500" t_badcursor
t_short() {
	ctl '{"short_pages":true}' && walk leads "\"campaign\":\"$K8\"" 4 && pages "3 3 2 0 " &&
	is "$(sort -u "$T/walk.ids" | wc -l)" 8 && walk leads "" 10 && pages "7 7 10 2 0 " &&
	is "$(sort -u "$T/walk.ids" | wc -l)" 26 && ctl "$DEFAULTS"
}
ok "short_pages: pages shorter than limit while more exist, nothing lost" t_short
t_repeat() {
	ctl "{\"repeat_cursor\":[\"$K9\"]}" &&
	is "$(leads "{\"campaign\":\"$K9\",\"limit\":3}")" 200 && c1=$(py_c 'import json,sys; print(json.load(open(sys.argv[1]))["next_starting_after"])' "$T/b") &&
	for _i in 1 2 3; do
		is "$(leads "{\"campaign\":\"$K9\",\"limit\":3,\"starting_after\":\"$c1\"}")" 200 &&
		pj "$T/b" 'd["next_starting_after"] == "'"$c1"'" and len(d["items"]) == 3' || return 1
	done &&
	walk leads "\"campaign\":\"$K8\"" 3 && pages "3 3 2 0 " && ctl "$DEFAULTS"
}
ok "repeat_cursor CAMPAIGN: that listing answers the cursor it was sent, forever; others not" t_repeat

# ---- single objects ----------------------------------------------------------
t_one() {
	is "$(get "/api/v2/campaigns/$K8")" 200 && pj "$T/b" 'd["id"] == "'$K8'" and "items" not in d' &&
	is "$(header content-type)" "application/json; charset=utf-8" && grep -q 'NL Vacatures – HR-managers' "$T/b"
}
ok "GET /campaigns/{id}: the bare object, UTF-8 JSON" t_one
t_404() {
	is "$(get "/api/v2/campaigns/$NOPE")" 404 &&
	pj "$T/b" 'd == {"statusCode": 404, "error": "Not Found", "message": "Resource not found"}'
}
ok "GET /campaigns/{unknown id}: 404 envelope" t_404
t_lead() { is "$(get "/api/v2/leads/019f2b10-4c1e-7a01-9b2c-3d4e5f6a7b01")" 200 && pj "$T/b" 'd["campaign"] == "'$K9'"'; }
ok "GET /leads/{id}: the bare lead" t_lead

# ---- auth, plan ---------------------------------------------------------------
t_401() {
	is "$(curl -sS -A ietest/1.0 -o "$T/b" -w '%{http_code}' "$URL/api/v2/campaigns")" 401 &&
	body_is '{"statusCode":401,"error":"Unauthorized","message":"Missing Authorization header"}'
}
ok "no Authorization header: 401 Missing Authorization header" t_401
t_401b() {
	is "$(curl -sS -A ietest/1.0 -H "Authorization: Bearer wrong" -o "$T/b" -w '%{http_code}' "$URL/api/v2/campaigns")" 401 &&
	body_is '{"statusCode":401,"error":"Unauthorized","message":"Invalid authorization header"}'
}
ok "a wrong key: 401 Invalid authorization header" t_401b
t_403() {
	is "$(curl -sS -H 'User-Agent:' -H "Authorization: Bearer $KEY" -o "$T/b" -D "$T/h" -w '%{http_code}' "$URL/api/v2/campaigns")" 403 &&
	body_is 'error code: 1010' && header content-type | grep -q '^text/plain'
}
ok "no User-Agent at all: 403, text/plain 'error code: 1010' (Cloudflare)" t_403
t_402() {
	ctl '{"payment_required":true}' &&
	is "$(get /api/v2/campaigns)" 402 &&
	pj "$T/b" 'd["statusCode"] == 402 and d["error"] == "Payment Required"' &&
	is "$(leads '{}')" 402 && ctl "$DEFAULTS" && is "$(get /api/v2/campaigns)" 200
}
ok "payment_required: 402 envelope on every endpoint" t_402

# ---- analytics ---------------------------------------------------------------
t_daily() {
	is "$(get "/api/v2/campaigns/analytics/daily?campaign_id=$K8&start_date=2026-11-24&end_date=2026-11-25")" 200 &&
	pj "$T/b" 'sorted(r["date"] for r in d) == ["2026-11-24", "2026-11-25"] and not any("campaign_id" in r for r in d)'
}
ok "analytics/daily: rows of the window, both ends inclusive, no campaign id in them" t_daily
t_daily_ws() {
	is "$(get "/api/v2/campaigns/analytics/daily?start_date=2026-11-24&end_date=2026-11-24")" 200 &&
	want=$(py_c '
import glob, json, sys
rows = [json.loads(l.rstrip(",\n")) for f in glob.glob(sys.argv[1] + "/*.json") for l in open(f) if l.startswith("{")]
print(sum(r.get("sent", 0) for r in rows if r["date"] == "2026-11-24"))' "$T/ws/daily") &&
	pj "$T/b" 'len(d) == 1 and d[0]["sent"] == '"$want"
}
ok "analytics/daily without campaign_id: the workspace aggregate" t_daily_ws
t_range() {
	is "$(get "/api/v2/campaigns/analytics/daily?campaign_id=$K8&start_date=2026-11-26&end_date=2026-11-01")" 400 &&
	body_is '{"message":"Start Date must be earlier than End Date"}' &&
	is "$(get "/api/v2/campaigns/analytics/overview?id=$K8&start_date=2026-11-26&end_date=2026-11-01")" 400 &&
	body_is '{"message":"Start Date must be earlier than End Date"}'
}
ok "analytics with start after end: 400 {\"message\":...} without the envelope" t_range
t_overview() {
	is "$(get "/api/v2/campaigns/analytics/overview?id=$K8&start_date=2026-10-28&end_date=2026-11-26")" 200 &&
	cmp "$T/b" <(tr -d '\n' < "$T/ws/overview/$K8.json")
}
ok "analytics/overview: one object, as stored" t_overview
t_zero() {
	is "$(get "/api/v2/campaigns/analytics/overview?id=$NOPE&start_date=2026-10-28&end_date=2026-11-26")" 200 &&
	pj "$T/b" 'isinstance(d, dict) and d["emails_sent_count"] == 0 and set(d.values()) == {0} and "completed_count" not in d' &&
	is "$(get "/api/v2/campaigns/analytics/overview?id=$K8&start_date=2025-01-01&end_date=2025-01-31")" 200 &&
	pj "$T/b" 'set(d.values()) == {0}'
}
ok "analytics/overview with no data: all zeros, not 404" t_zero
t_fallback() {
	is "$(get "/api/v2/campaigns/analytics/overview?id=$K8")" 200 && curl -sS -o "$T/s" "$URL/_stats" &&
	pj "$T/s" '[{k: v for k, v in x.items() if k != "n"} for x in d["window_fallbacks"]] == [{"path": "/api/v2/campaigns/analytics/overview", "missing": ["start_date", "end_date"], "start_date": "2026-10-29", "end_date": "2026-11-27"}]'
}
ok "analytics without a window: the last 30 days, the fallback recorded in /_stats" t_fallback

# ---- rate limit --------------------------------------------------------------
t_429() {
	ctl '{"rate_limit":1}' && is "$(get /api/v2/campaigns)" 200 && is "$(get /api/v2/campaigns)" 429 &&
	body_is '{"statusCode":429,"error":"Too Many Requests","message":"Rate limit exceeded"}' &&
	is "$(header retry-after)" ""
}
ok "rate_limit: 429 with the documented body, no Retry-After by default" t_429
t_retry_after() {
	ctl '{"rate_limit":1,"retry_after":7}' && get /api/v2/campaigns >/dev/null && is "$(get /api/v2/campaigns)" 429 &&
	is "$(header retry-after)" 7 && sleep 1.05 && is "$(get /api/v2/campaigns)" 200
}
ok "retry_after: Retry-After on 429s; the window slides" t_retry_after
t_minute() {
	ctl "$DEFAULTS" && ctl '{"rate_limit_minute":2}' && is "$(get /api/v2/campaigns)" 200 &&
	is "$(leads '{}')" 200 && is "$(get /api/v2/campaigns)" 429 && ctl "$DEFAULTS"
}
ok "rate_limit_minute: a per-minute limit too" t_minute

# ---- latency, faults -----------------------------------------------------------
ms() { echo $(($(date +%s%N) / 1000000)); }
t_latency() {
	local pids=()
	{ ctl '{"latency_ms":300}' &&
	t=$(curl -sS -A t -H "Authorization: Bearer $KEY" -o /dev/null -w '%{time_total}' "$URL/api/v2/campaigns") &&
	py_c "import sys; sys.exit(not float('$t') >= 0.3)"; } || { echo "took $t s"; return 1; }
	t0=$(ms) && for _i in 1 2 3 4; do
		curl -sS -A t -H "Authorization: Bearer $KEY" -o /dev/null "$URL/api/v2/campaigns" & pids+=("$!")
	done && wait "${pids[@]}" && t1=$(ms) &&
	{ [ $((t1 - t0)) -lt 900 ] || { echo "4 requests of 300 ms took $((t1 - t0)) ms"; return 1; }; } &&
	curl -sS -o "$T/s" "$URL/_stats" && pj "$T/s" 'd["max_in_flight"] >= 2' && ctl "$DEFAULTS"
}
ok "latency_ms: every request waits, concurrent requests overlap" t_latency
t_leads_latency() {
	{ ctl '{"leads_latency_ms":400}' &&
	a=$(curl -sS -A t -H "Authorization: Bearer $KEY" -o /dev/null -w '%{time_total}' "$URL/api/v2/campaigns") &&
	b=$(curl -sS -A t -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{}' -o /dev/null -w '%{time_total}' "$URL/api/v2/leads/list") &&
	py_c "import sys; sys.exit(not (float('$a') < 0.3 and float('$b') >= 0.4))" && ctl "$DEFAULTS"; } || { echo "campaigns $a s, leads $b s"; return 1; }
}
ok "leads_latency_ms: extra delay on /leads/list only" t_leads_latency
t_fail_every() {
	ctl '{"fail_every":3,"fail_status":503}' && codes="" &&
	for _i in 1 2 3 4 5 6; do codes="$codes$(get /api/v2/campaigns) "; done &&
	is "$codes" "200 200 503 200 200 503 " &&
	pj "$T/b" 'd == {"statusCode": 503, "error": "Service Unavailable", "message": "Service temporarily unavailable"}' &&
	ctl "$DEFAULTS"
}
ok "fail_every 3, fail_status 503: every third request fails, counted" t_fail_every
t_fail_once() {
	ctl '{"fail_once_path":"/leads/list"}' && is "$(get /api/v2/campaigns)" 200 &&
	is "$(leads '{}')" 500 && pj "$T/b" 'd["statusCode"] == 500 and d["error"] == "Internal Server Error"' &&
	is "$(leads '{}')" 200 && ctl "$DEFAULTS"
}
ok "fail_once_path: the first matching request answers 500, the retry works" t_fail_once
t_cut() {
	ctl '{"cut_body_every":2}' || return 1
	curl -sS -A t -H "Authorization: Bearer $KEY" -o /dev/null "$URL/api/v2/campaigns" || return 1
	curl -sS -A t -H "Authorization: Bearer $KEY" -o "$T/cut" "$URL/api/v2/campaigns" 2>"$T/cut.err"
	rc=$?
	ctl "$DEFAULTS" && is "$rc" 18 && grep -q 'transfer closed' "$T/cut.err" &&
	test -s "$T/cut" && ! py_c 'import json,sys; json.load(open(sys.argv[1]))' "$T/cut" >/dev/null
}
ok "cut_body_every 2: the second answer is cut halfway, curl exits 18" t_cut
t_slow() {
	{ ctl '{"slow_body":true,"slow_body_bytes":2048,"slow_body_pause_ms":100}' &&
	w=$(curl -sS -A t -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"limit":10}' -o "$T/b" \
		-w '%{time_starttransfer} %{time_total}' "$URL/api/v2/leads/list") && ctl "$DEFAULTS" &&
	py_c "import sys; s, t = map(float, sys.argv[1].split()); sys.exit(not t - s >= 0.3)" "$w" &&
	pj "$T/b" 'len(d["items"]) == 10'; } || { echo "first byte, end: $w"; return 1; }
}
ok "slow_body: the body comes in chunks with pauses, whole" t_slow

# ---- HTTP ---------------------------------------------------------------------
t_gzip() {
	is "$(call --compressed "$URL/api/v2/campaigns")" 200 && is "$(header content-encoding)" gzip && cp "$T/b" "$T/unz" &&
	is "$(get /api/v2/campaigns)" 200 && is "$(header content-encoding)" "" && cmp "$T/b" "$T/unz" &&
	curl -sS -A t -H "Authorization: Bearer $KEY" -H 'Accept-Encoding: gzip' "$URL/api/v2/campaigns" | gunzip | cmp - "$T/b"
}
ok "gzip only when asked (Accept-Encoding: gzip), the same JSON inside" t_gzip
t_keepalive() {
	is "$(curl -sS -A t -H "Authorization: Bearer $KEY" -o /dev/null -o /dev/null -w '%{num_connects} ' \
		"$URL/api/v2/campaigns" "$URL/api/v2/campaigns/$K8")" "1 0 "
}
ok "HTTP/1.1 keep-alive: two requests, one connection" t_keepalive
t_numbers() {
	py "$T/ws/campaigns.json" <<'PY' &&
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read().rstrip().rstrip("]")
t += ',\n{"id":"00000000-0000-4000-8000-00000000abcd","name":"Getallen – test","status":-1,"pl_value":12.50,"x":1E5,"z":-0,"big":12345678901234567890,"s":"0042","campaign_schedule":{"schedules":[]},"timestamp_created":"2026-11-01T00:00:00.000Z","timestamp_updated":"2026-11-01T00:00:00.000Z"}\n]\n'
open(p, "w", encoding="utf-8").write(t)
PY
	ctl '{"reload":true}' && is "$(get /api/v2/campaigns/00000000-0000-4000-8000-00000000abcd)" 200 &&
	grep -qF '"status":-1,"pl_value":12.50,"x":1E5,"z":-0,"big":12345678901234567890,"s":"0042"' "$T/b" &&
	grep -qF 'Getallen – test' "$T/b"
}
ok "numbers come back as written (12.50, 1E5, -0, 20 digits), numeric strings too" t_numbers

# ---- /_stats, /_control ------------------------------------------------------
t_stats() {
	curl -sS -o "$T/s" "$URL/_stats" &&
	pj "$T/s" 'd["by_endpoint"]["POST /api/v2/leads/list"] >= 5 and d["by_endpoint"]["GET /api/v2/campaigns"] >= 10 and d["rate_limited"] == 3 and d["errors_injected"] == 3 and d["bodies_cut"] == 1' &&
	pj "$T/s" 'd["leads_list"]["ignored_keys"] == {"campaign_id": 1, "campaign_ids": 1} and d["leads_list"]["by_campaign"]["'$K9'"] >= 5' &&
	pj "$T/s" 'any(r["method"] == "POST" and r["body"] == {"campaign_id": "'$K9'", "limit": 100} and r.get("ignored_keys") == ["campaign_id"] for r in d["requests"])'
}
ok "/_stats: requests per endpoint, 429s, injected errors, cut bodies, ignored keys, each request's body" t_stats
t_redact() {
	! grep -qF "$KEY" "$T/s" && grep -qF "\"authorization\":\"Bearer <len ${#KEY}>\"" "$T/s" &&
	grep -qF '"authorization":null' "$T/s" && ! grep -qF "$KEY" "$T/main.out" "$T/main.err"
}
ok "/_stats: the key never shown, Authorization as Bearer <len N>" t_redact
t_control() {
	is "$(curl -sS -o "$T/b" -w '%{http_code}' -d '{"fail_evry":2}' "$URL/_control")" 400 &&
	curl -sS -o "$T/b" "$URL/_control" && pj "$T/b" 'd["fail_every"] is None and d["api_key"] == "<len '${#KEY}'>"'
}
ok "/_control: a misspelt setting refused, GET shows the settings" t_control

# ---- a synthetic workspace -------------------------------------------------
t_synth() {
	for d in s1 s2; do
		python3 "$FAKEDIR/make_workspace.py" --out "$T/$d" --synthetic --campaigns 3 --leads-per-campaign 120 --seed 5 2>/dev/null || return 1
	done
	diff -r "$T/s1" "$T/s2" && py "$T/s1" <<'PY'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
assert len(m["mapped"]) == 3 and len(m["unmapped"]) == 1, m
sizes, v7 = [], 0
for name in os.listdir(os.path.join(d, "leads")):
    for line in open(os.path.join(d, "leads", name), encoding="utf-8"):
        if line.startswith("{"):
            t = line.rstrip(",\n")
            sizes.append(len(t.encode()))
            v7 += json.loads(t)["id"][14] == "7"
assert len(sizes) == 480 and 1000 <= min(sizes) and max(sizes) <= 2048, (min(sizes), max(sizes))
assert v7 > 0.8 * len(sizes), v7
mapped = {l.split(",")[1].strip() for l in open(os.path.join(d, "clients.csv")).readlines()[1:]}
assert mapped == set(m["mapped"]) and not mapped & set(m["unmapped"])
PY
}
ok "make_workspace --synthetic: deterministic, 1-2 KB leads, v7-like ids, an unmapped campaign" t_synth
t_synth_serve() {
	FAKE_INSTANTLY_KEY=$KEY fake_start synth "$T/s1" --today 2026-11-27 && walk leads "" 100 && pages "100 100 100 100 80 0 " &&
	is "$(sort -u "$T/walk.ids" | wc -l)" 480 && is "$(cat "$T/last")" '{"items":[]}'
}
ok "a second fake (key from FAKE_INSTANTLY_KEY) pages 480 synthetic leads by 100" t_synth_serve

done_testing

#!/usr/bin/env bash
# instantly-transform as users run it: options, inputs (plain, gzip,
# concatenated members, stdin), exit codes, atomic outputs, signals.
. "$(dirname "$0")/../lib.sh"

C=11111111-1111-4111-8111-111111111111
K=9b6f458e-6dc5-4762-83d5-a528aedd2235
export C K
rec() { printf '{"v":1,"type":"%s","client_id":"%s","campaign_id":"%s","extracted_at":"2026-11-27T02:00:05.123Z"%s,"data":%s}\n' "$1" "$C" "$K" "${3:-}" "$2"; }
{
	rec campaign '{"id":"'$K'","name":"Q4 NL","status":1,"timestamp_created":"2026-06-30T21:16:58.192Z","timestamp_updated":"2026-06-30T21:16:58.192Z"}'
	rec lead '{"id":"019f19e7-cbee-7984-a98a-670c65cc875f","status":1,"email_open_count":0,"email_reply_count":1,"email_click_count":0,"email":"a@example.com","payload":{"Functie":"CTO"}}'
	rec lead '{"id":"019f19e7-cbee-7984-a98a-670c65cc8760","status":-1,"email_open_count":"3","email_reply_count":0,"email_click_count":0,"email":"b@example.com","payload":{}}'
	rec analytics_daily '{"date":"2026-11-20","sent":96,"opened":3}' ',"start_date":"2026-08-29","end_date":"2026-11-26"'
	rec analytics_overview '{"emails_sent_count":96,"total_opportunity_value":12.5}' ',"start_date":"2026-08-29","end_date":"2026-11-26"'
	rec leads_complete '{"leads":2,"pages":2}'
	printf '{"v":1,"type":"run_summary","client_id":null,"campaign_id":null,"extracted_at":"2026-11-27T02:00:09.000Z","data":{"requests":7}}\n'
} > "$T/good.ndjson"
gzip -c "$T/good.ndjson" > "$T/good.ndjson.gz"
head -n 3 "$T/good.ndjson" | gzip -c > "$T/cat.gz"
tail -n +4 "$T/good.ndjson" | gzip -c >> "$T/cat.gz"
{ head -n 2 "$T/good.ndjson"; echo '{"v":1,"type":"lead",'; printf '{"v":1,"type":"lead","x":"\xff"}\n'; tail -n +3 "$T/good.ndjson"; } > "$T/bad.ndjson"

tables="synced_leads campaigns campaign_analytics campaign_analytics_overview leads_complete"
ls_dir() {	# ls_dir DIR: its names, hidden ones too, sorted, each followed by a space
	(cd "$1" && shopt -s nullglob dotglob && set -- * && for n; do printf '%s ' "$n"; done)
}

# prints PATTERN ARG...: the transform, given ARG..., prints a line matching PATTERN
prints() { _p=$1; shift; "$TRANSFORM" "$@" | grep -q -- "$_p"; }
ok "--help prints usage, exit 0" prints "^Usage: instantly-transform" --help
ok "--version, exit 0" prints "^instantly-transform (instantly-etl) [0-9]" --version
ok "no output chosen: usage error 2" exit_is 2 "$TRANSFORM" "$T/good.ndjson"
ok "-o with --table: usage error 2" exit_is 2 "$TRANSFORM" -o "$T/x" --table campaigns "$T/good.ndjson"
ok "unknown table: usage error 2" exit_is 2 "$TRANSFORM" --table nope "$T/good.ndjson"
ok "unknown option: usage error 2" exit_is 2 "$TRANSFORM" --nope -o "$T/x" "$T/good.ndjson"
ok "bad --format: usage error 2" exit_is 2 "$TRANSFORM" -f xml -o "$T/x" "$T/good.ndjson"

ok "plain file: exit 0" exit_is 0 "$TRANSFORM" -q -o "$T/plain" "$T/good.ndjson"
ok "every table file, rejects and summary" test "$(ls_dir "$T/plain")" = "campaign_analytics.csv campaign_analytics_overview.csv campaigns.csv leads_complete.csv rejects.ndjson summary.json synced_leads.csv "
# same_tables DIR: DIR has the tables of $T/plain, byte for byte
same_tables() {
	for t in $tables; do cmp "$T/plain/$t.csv" "$1/$t.csv" || return 1; done
}
# transform_same_tables DIR ARG...: a quiet run of the transform with -o DIR and
# ARG... gives the tables of $T/plain
transform_same_tables() { _d=$1; shift; "$TRANSFORM" -q -o "$_d" "$@" && same_tables "$_d"; }
ok "gzip file: same tables" transform_same_tables "$T/gz" "$T/good.ndjson.gz"
ok "concatenated gzip members: same tables" transform_same_tables "$T/cat" "$T/cat.gz"
from_stdin() { "$TRANSFORM" -q -o "$T/stdin" < "$T/good.ndjson.gz" && same_tables "$T/stdin"; }
ok "stdin: same tables" from_stdin
dash_is_stdin() { "$TRANSFORM" -q -o "$T/dash" - < "$T/good.ndjson" && cmp "$T/plain/synced_leads.csv" "$T/dash/synced_leads.csv"; }
ok "- is stdin" dash_is_stdin
table_to_stdout() {
	"$TRANSFORM" -q --table synced_leads "$T/good.ndjson.gz" > "$T/leads.csv" &&
		cmp "$T/plain/synced_leads.csv" "$T/leads.csv"
}
ok "--table streams one table to stdout" table_to_stdout
deep_outdir() { "$TRANSFORM" -q -o "$T/deep/er/out/" "$T/good.ndjson" && cmp "$T/plain/synced_leads.csv" "$T/deep/er/out/synced_leads.csv"; }
ok "-o creates missing parent directories" deep_outdir
touch "$T/afile"
outdir_under_file() {
	exit_is 4 "$TRANSFORM" -q -o "$T/afile/out" "$T/good.ndjson" 2> "$T/afile.err" &&
		contains "$T/afile.err" "afile: not a directory"
}
ok "-o under a file: output error 4, named" outdir_under_file
two_files() { "$TRANSFORM" -q -o "$T/two" "$T/good.ndjson" "$T/good.ndjson.gz" && test "$(wc -l < "$T/two/synced_leads.csv")" -eq 5; }
ok "two files: their lines add up" two_files
# lines_are FILE N: FILE has N lines
lines_are() { test "$(wc -l < "$1")" -eq "$2" || { echo "$1: $(wc -l < "$1") lines, wanted $2"; return 1; }; }
rows_of_good() {
	lines_are "$T/plain/synced_leads.csv" 3 && lines_are "$T/plain/campaigns.csv" 2 &&
	lines_are "$T/plain/campaign_analytics.csv" 2 && lines_are "$T/plain/campaign_analytics_overview.csv" 2 &&
	lines_are "$T/plain/leads_complete.csv" 2 && test ! -s "$T/plain/rejects.ndjson"
}
ok "rows: 2 leads, 1 campaign, 1 daily, 1 overview, 1 complete" rows_of_good

accounting() {	# accounting DIR: every line accounted for in summary.json
	python3 - "$1/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
total = s["other"]["lines"]
for name, t in s["tables"].items():
    assert t["rows"] + t["rejects"] + t["skipped"] == t["lines"], (name, t)
    total += t["lines"]
assert s["other"]["rejects"] + s["other"]["skipped"] == s["other"]["lines"], s["other"]
assert total == s["lines_read"] == sum(i["lines"] for i in s["inputs"]), (total, s["lines_read"])
print("lines", s["lines_read"], "rejects", s["rejects"])
PY
}
ok "summary: every line accounted for" accounting "$T/plain"
ok "summary: run summary record skipped with its reason" contains "$T/plain/summary.json" '"extract run summary":1'

ok "rejects: exit 1" exit_is 1 "$TRANSFORM" -q -o "$T/bad" "$T/bad.ndjson"
ok "rejects: the good rows still written" test "$(wc -l < "$T/bad/synced_leads.csv")" -eq 3
ok "rejects: two lines, with numbers and text" python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["line"] for x in r] == [3, 4], r
assert r[0]["text"] == "{\"v\":1,\"type\":\"lead\",", r[0]
assert "UTF-8" in r[1]["reason"] and r[1]["field"] == "x" and "\ufffd" in r[1]["text"], r[1]
assert all(x["input"].endswith("bad.ndjson") for x in r)
' "$T/bad/rejects.ndjson"
ok "rejects: accounting holds" accounting "$T/bad"
reject_named() {
	"$TRANSFORM" -o "$T/bad2" "$T/bad.ndjson" 2> "$T/bad2.err"
	contains "$T/bad2.err" 'bad.ndjson:4: "x": malformed JSON at byte 26: invalid UTF-8'
}
ok "rejects: message names file, line and field" reject_named
{
	rec lead '{"id":"019f19e7-cbee-7984-a98a-670c65cc875f","email_open_count":{"n":1}}'
	rec lead '{"id":"019f19e7-cbee-7984-a98a-670c65cc875f","timestamp_created":"'"$(printf 'é%.0s' $(seq 30))"'"}'
} > "$T/values.ndjson"
ok "rejects: the reason names the value, cut between characters" python3 -c '
import json, subprocess, sys
p = subprocess.run([sys.argv[1], "-q", "-t", "campaigns", "--rejects", sys.argv[3], sys.argv[2]], capture_output=True)
r = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
assert p.returncode == 1, p.returncode
assert r[0]["field"] == "data.email_open_count" and r[0]["reason"] == "not an integer: an object", r[0]
assert r[1]["reason"] == "not an ISO-8601 date-time: \"" + "\u00e9" * 20 + "...\"", r[1]["reason"]
' "$TRANSFORM" "$T/values.ndjson" "$T/values.rejects"

# outputs that are not regular files are written in place, never replaced
# the rejects go to /dev/stderr of a process whose stderr is a regular file
rejects_to_stderr() {
	"$TRANSFORM" -q -t campaigns --rejects /dev/stderr --summary /dev/null "$T/values.ndjson" >/dev/null 2>>"$T/err.txt"
}
rejects_appended() {
	echo before > "$T/err.txt"
	exit_is 1 rejects_to_stderr && test -L /dev/stderr && test -c /dev/null &&
	test "$(head -n 1 "$T/err.txt")" = before && test "$(grep -c '"reason"' "$T/err.txt")" -eq 2
}
ok "--rejects /dev/stderr (a regular file behind it): appended, /dev/stderr still a link" rejects_appended
summary_to_fifo() {
	local reader
	mkfifo "$T/sumfifo" || return 1
	cat "$T/sumfifo" > "$T/sumfifo.out" &
	reader=$!
	"$TRANSFORM" -q -o "$T/viafifo" --summary "$T/sumfifo" "$T/good.ndjson" && wait "$reader" &&
	test -p "$T/sumfifo" && contains "$T/sumfifo.out" '"lines_read":7'
}
ok "--summary into a FIFO: read whole by its reader" summary_to_fifo
summary_via_link() {
	echo old > "$T/target.json" && ln -s target.json "$T/link.json" &&
	"$TRANSFORM" -q -o "$T/vialink" --summary "$T/link.json" "$T/good.ndjson" &&
	test -L "$T/link.json" && contains "$T/target.json" '"lines_read":7' && ! has_name "$T" '*.tmp.*'
}
ok "--summary through a symbolic link: the target replaced, the link kept" summary_via_link

# fatal errors leave no output at all, and old outputs untouched
cp -r "$T/plain" "$T/keep"
head -c 200 "$T/good.ndjson.gz" > "$T/trunc.gz"
ok "truncated gzip: exit 3" exit_is 3 "$TRANSFORM" -q -o "$T/keep" "$T/trunc.gz"
ok "truncated gzip: previous outputs untouched, no temp files" diff -r "$T/plain" "$T/keep"
truncated_named() { "$TRANSFORM" -o "$T/t2" "$T/trunc.gz" 2>&1 | grep -q "trunc.gz: .*truncated gzip"; }
ok "truncated gzip: message says so" truncated_named
ok "truncated gzip: a new directory stays empty" test "$(ls_dir "$T/t2")" = ""
fails_clean_in_shm() {
	local d rc left
	[ -d /dev/shm ] && [ -w /dev/shm ] || return 0
	d=$(mktemp -d /dev/shm/ietest.XXXXXX) || return 1
	"$TRANSFORM" -q -o "$d" "$T/trunc.gz" 2>/dev/null; rc=$?
	left=$(ls -A "$d"); rm -rf "$d"
	test $rc -eq 3 && test -z "$left"
}
ok "-o under /dev/shm is atomic as anywhere: a failed run leaves nothing" fails_clean_in_shm
# a larger archive cut in the middle, and one with garbage after its end:
# the error names the last whole line, as many as zcat gives
for _ in $(seq 3000); do cat "$T/good.ndjson"; done | gzip -c > "$T/big.gz"
head -c $(($(stat -c %s "$T/big.gz") / 2)) "$T/big.gz" > "$T/bigcut.gz"
{ cat "$T/good.ndjson.gz"; printf '\0\0\0\0'; } > "$T/garbage.gz"
after_line() {	# after_line FILE: transform's "after line N" = zcat's whole lines
	want=$(zcat "$1" 2>/dev/null | wc -l)
	# shellcheck disable=SC2069 # meant: its stderr to the pipe, its stdout (a table) dropped
	"$TRANSFORM" -q -t campaigns "$1" 2>&1 >/dev/null | grep -F "after line $want:" ||
		{ echo "wanted after line $want:"; "$TRANSFORM" -q -t campaigns "$1" 2>&1 >/dev/null; return 1; }
}
ok "truncated gzip: the error says after which line, every line before it read" after_line "$T/bigcut.gz"
ok "trailing garbage: the error says after which line" after_line "$T/garbage.gz"
ok "missing input: exit 3" exit_is 3 "$TRANSFORM" -q -o "$T/m" "$T/good.ndjson" "$T/nope.gz"
ok "missing input: nothing written" test "$(ls_dir "$T/m")" = ""
ok "unwritable output: exit 4" exit_is 4 "$TRANSFORM" -q -o /dev/null/x "$T/good.ndjson"
to_full_stdout() { "$TRANSFORM" -q --table campaigns "$T/good.ndjson" > /dev/full; }
ok "full stdout: exit 4" exit_is 4 to_full_stdout

# a signal mid-run removes the temporary files
mkfifo "$T/fifo"
mkdir "$T/sig"
( "$TRANSFORM" -q -o "$T/sig" "$T/fifo" & echo $! > "$T/sig.pid"; wait ) &
exec 7> "$T/fifo"
head -n 3 "$T/good.ndjson" >&7
sleep 0.3
only_temporary() { has_name "$T/sig" '.synced_leads.csv.tmp.*' && ! has_name "$T/sig" '[!.]*'; }
ok "while running: temporary files only" only_temporary
kill -TERM "$(cat "$T/sig.pid")"
exec 7>&-
sleep 0.3
ok "SIGTERM: no file left behind" test "$(ls_dir "$T/sig")" = ""

# formats
text_files() { "$TRANSFORM" -q -f text -o "$T/text" "$T/good.ndjson" && test -f "$T/text/synced_leads.txt" && test ! -e "$T/text/synced_leads.csv"; }
ok "--format text: .txt files" text_files
text_fields() { sed -n 2p "$T/text/campaigns.txt" | grep -qP "^$C\t$K\tQ4 NL\t1\t"; }
ok "--format text: \\N for NULL, tabs" text_fields

# line endings, empty input, long lines
sed 's/$/\r/' "$T/good.ndjson" > "$T/crlf.ndjson"
ok "CRLF lines: same tables" transform_same_tables "$T/crlf" "$T/crlf.ndjson"
head -c -1 "$T/good.ndjson" > "$T/nonl.ndjson"
ok "no final newline: same tables" transform_same_tables "$T/nonl" "$T/nonl.ndjson"
: > "$T/empty.ndjson"
headers_only() { "$TRANSFORM" -q -o "$T/empty" "$T/empty.ndjson" && test "$(cat "$T/empty"/*.csv | wc -l)" -eq 5; }
ok "empty input: exit 0, headers only" headers_only
gzip -c < "$T/empty.ndjson" > "$T/empty.gz"
ok "empty gzip: exit 0" exit_is 0 "$TRANSFORM" -q -o "$T/emptygz" "$T/empty.gz"
big=$(head -c 150000 /dev/zero | tr '\0' 'x')
rec lead '{"id":"019f19e7-cbee-7984-a98a-670c65cc8761","status":1,"email_open_count":0,"email_reply_count":0,"email_click_count":0,"personalization":"'"$big"'","payload":{"note":"'"$big"'"}}' > "$T/big.ndjson"
big_whole() {
	"$TRANSFORM" -q -o "$T/big" "$T/big.ndjson" && python3 -c '
import csv, sys
csv.field_size_limit(1 << 30)
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 1 and rows[0]["personalization"] == "x" * 150000
assert rows[0]["payload"] == "{\"note\":\"" + "x" * 150000 + "\"}"
' "$T/big/synced_leads.csv"
}
ok "a 150 KB value: one row, the value whole" big_whole
ok "line over --max-line-bytes: exit 1" exit_is 1 "$TRANSFORM" -q --max-line-bytes 100000 -o "$T/long" "$T/good.ndjson" "$T/big.ndjson"
ok "line over --max-line-bytes: rejected with its number, text cut at 64 KiB" python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["line"] == 1 and r[0]["input"].endswith("big.ndjson"), r
assert r[0]["reason"] == "line longer than 100000 bytes" and r[0]["truncated"] is True, r[0]["reason"]
assert len(r[0]["text"]) == 65536, len(r[0]["text"])
' "$T/long/rejects.ndjson"

# the limit counts the line, not its CR; a cut line says it was cut
python3 - "$T/limit.ndjson" <<'PY'
import sys
head = '{"v":1,"type":"lead","client_id":"11111111-1111-4111-8111-111111111111","campaign_id":"9b6f458e-6dc5-4762-83d5-a528aedd2235","extracted_at":"2026-11-27T02:00:05.123Z","data":{"id":"019f19e7-cbee-7984-a98a-670c65cc875f","notes":"'
def line(n):	# a record of exactly n bytes
    return head + "x" * (n - len(head) - 3) + '"}}'
with open(sys.argv[1], "wb") as f:
    f.write((line(1024) + "\r\n").encode())	# 1: 1024 bytes + CRLF: fits
    f.write((line(1025) + "\r\n").encode())	# 2: over
    f.write((line(1524) + "\n").encode())	# 3: over
    f.write(b"{not json\n")			# 4: malformed
PY
ok "--max-line-bytes: a CRLF line of exactly the limit is read, longer ones are cut" python3 -c '
import json, subprocess, sys
p = subprocess.run([sys.argv[1], "-q", "--max-line-bytes", "1024", "-o", sys.argv[2], sys.argv[3]])
assert p.returncode == 1, p.returncode
r = [json.loads(l) for l in open(sys.argv[2] + "/rejects.ndjson")]
assert [(x["line"], x["truncated"], len(x["text"])) for x in r[:2]] == [(2, True, 1024), (3, True, 1024)], r
s = json.load(open(sys.argv[2] + "/summary.json"))
assert s["tables"]["synced_leads"]["rows"] == 1, s["tables"]["synced_leads"]
assert s["other"]["reasons"] == {"rejected: line too long": 2, "rejected: malformed JSON or text": 1}, s["other"]
' "$TRANSFORM" "$T/limit" "$T/limit.ndjson"

# ICP synonyms file
printf 'job_title: rol\nbogus: x\n' > "$T/icp-bad.conf"
# (this point was an sh -c whose last command, `test ${PIPESTATUS:-0} -eq 0`
# under sh, always passed: now the message itself is checked)
bad_synonyms_named() {
	exit_is 2 "$TRANSFORM" -q --icp-synonyms "$T/icp-bad.conf" -o "$T/icp" "$T/good.ndjson" 2> "$T/icp-bad.err" &&
		contains "$T/icp-bad.err" 'icp-bad.conf:2: unknown field "bogus"'
}
ok "bad synonyms file: exit 2, file and line named" bad_synonyms_named
ok "bad synonyms file: exit status 2" exit_is 2 "$TRANSFORM" -q --icp-synonyms "$T/icp-bad.conf" -o "$T/icp" "$T/good.ndjson"
printf 'job_title: rol\n' > "$T/icp.conf"
icp_replaced() {
	"$TRANSFORM" -q --icp-synonyms "$T/icp.conf" -o "$T/icp2" "$T/good.ndjson" &&
	test "$(csv_get "$T/icp2/synced_leads.csv" 1 job_title)" = "" &&
	test "$(csv_get "$T/plain/synced_leads.csv" 1 job_title)" = CTO
}
ok "synonyms file: Functie no longer a job title" icp_replaced

done_testing

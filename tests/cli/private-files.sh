#!/usr/bin/env bash
# tests/private-files: what the suite writes is private whatever the umask,
# never written through a name another user controls, cleaned after a crash,
# and no value from data or the network reaches a terminal raw (issue 10:
# defects 3, 6, 7 and 8).
. "$(dirname "$0")/../lib.sh"

KEY=ietest-secret-key-4711
SAMPLE=$SRCDIR/samples/sample.ndjson

# modes FILE...: "MODE NAME" of each file and directory under the given ones
modes() { find "$@" -printf '%m %p\n' | sort -k2; }
# private PATH...: nothing under them grants a permission to group or others
private() {
	_bad=$(find "$@" \( -perm /077 \) -printf '%m %p\n')
	[ -z "$_bad" ] || { echo "readable or writable by others:"; echo "$_bad"; return 1; }
}

# ---- defect 3: private whatever the umask --------------------------------
for m in 022 000; do
	tf_private() {
		(umask "$1" && "$TRANSFORM" -q -o "$T/u$1/a/b/out" "$SAMPLE") && private "$T/u$1" &&
			[ "$(stat -c %a "$T/u$1/a/b/out/synced_leads.csv")" = 600 ] &&
			[ "$(stat -c %a "$T/u$1/a/b")" = 700 ]
	}
	ok "umask $m: the transform's directories 0700, its CSVs, rejects and summary 0600" tf_private $m
done
tf_group() {
	(umask 022 && INSTANTLY_ETL_UMASK=027 "$TRANSFORM" -q -o "$T/g/out" "$SAMPLE") &&
		[ "$(stat -c %a "$T/g/out/summary.json")" = 640 ] && [ "$(stat -c %a "$T/g/out")" = 750 ]
}
ok "INSTANTLY_ETL_UMASK=027 opens them to the group (0640, 0750), never to others" tf_group
bad_umask() {
	for v in 022 026 002 0 777 0700 abc 8 -077 '027 '; do
		{ exit_is 2 env INSTANTLY_ETL_UMASK="$v" "$TRANSFORM" -q -o "$T/bu" "$SAMPLE" 2>"$T/bu.err" &&
			contains "$T/bu.err" INSTANTLY_ETL_UMASK && [ ! -e "$T/bu" ]; } || { echo "value '$v'"; return 1; }
	done
}
ok "an INSTANTLY_ETL_UMASK that lets others in (or locks the owner out) is a usage error, nothing written" bad_umask
bad_umask_all() {
	for p in "$EXTRACT --clients /dev/null -o $T/bx.gz" "$LOAD $T/nodir"; do
		# shellcheck disable=SC2086 # $p is a command line, split on purpose
		{ exit_is 2 env INSTANTLY_ETL_UMASK=002 INSTANTLY_API_KEY=k $p 2>"$T/bx.err" &&
			contains "$T/bx.err" INSTANTLY_ETL_UMASK; } || { echo "$p"; return 1; }
	done
}
ok "the extract and the load check INSTANTLY_ETL_UMASK too" bad_umask_all
tf_table() { (umask 000 && "$TRANSFORM" -q --table synced_leads "$SAMPLE" > "$T/shell-made.csv") && [ "$(stat -c %a "$T/shell-made.csv")" = 666 ]; }
ok "a file the shell creates (--table > FILE) is the shell's: documented, not ours" tf_table

fake_sample "$KEY"
ex() { env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --no-progress \
	--until 2026-11-26 --retry-wait 0.05 "$@"; }
ex_private() { mkdir -p "$T/ex" && (umask 000 && ex -q -o "$T/ex/arch.ndjson.gz") && private "$T/ex/arch.ndjson.gz"; }
ok "umask 000: the extract's archive 0600" ex_private

# ---- defect 6: never through a name another user controls ------------------
# a world-writable sticky directory (like /tmp) where "nobody" plants names
chmod 711 "$T"
mkdir -m 1777 "$T/sticky"
echo "root's own data" > "$T/victim"
chmod 600 "$T/victim"
as_nobody() { runuser -u nobody -- "$@"; }
planted_link() {
	as_nobody ln -s "$T/victim" "$T/sticky/$1"
}
planted_link arch.ndjson.gz
ex_link() {
	exit_is 4 ex -q -o "$T/sticky/arch.ndjson.gz" 2>"$T/link.err" && contains "$T/link.err" "owned by another user" &&
		is "$(cat "$T/victim")" "root's own data" && [ -L "$T/sticky/arch.ndjson.gz" ]
}
ok "extract -o through a link another user planted in a sticky directory: refused (4), its target untouched" ex_link
mkdir -m 1777 "$T/sticky/out"
as_nobody ln -s "$T/victim" "$T/sticky/out/synced_leads.csv"
tf_link() {
	exit_is 4 "$TRANSFORM" -q -o "$T/sticky/out" "$SAMPLE" 2>"$T/tlink.err" && contains "$T/tlink.err" "owned by another user" &&
		is "$(cat "$T/victim")" "root's own data" && [ ! -e "$T/sticky/out/campaigns.csv" ]
}
ok "transform -o DIR with a planted link among its outputs: refused (4), nothing written" tf_link
as_nobody mkfifo "$T/sticky/fifo.csv"
ex_fifo() {	# (a writer into a FIFO nobody reads would block: timeout)
	exit_is 4 timeout 20 env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" \
		--no-progress -q -o "$T/sticky/fifo.csv" 2>"$T/exfifo.err" && contains "$T/exfifo.err" "owned by another user"
}
ok "a FIFO another user planted is not written into (the extract refuses, exit 4)" ex_fifo
# a directory another user owns: they could swap the finished file for
# theirs before the rename (and the loader would load it)
mkdir -p "$T/theirs/out"; chown -R nobody "$T/theirs"
their_dir() {
	exit_is 4 ex -q -o "$T/theirs/arch.ndjson.gz" 2>"$T/their.err" && contains "$T/their.err" "its directory is owned by another user" &&
		exit_is 4 "$TRANSFORM" -q -o "$T/theirs/out" "$SAMPLE" 2>"$T/their2.err" && [ -z "$(ls -A "$T/theirs/out")" ] &&
		[ ! -e "$T/theirs/arch.ndjson.gz" ]
}
ok "an output in a directory another user owns: refused (4), nothing written" their_dir
ln -s "$T/victim" "$T/own-link"
own_link() {
	ex -q -o "$T/own-link" && [ -L "$T/own-link" ] && gzip -t "$T/victim"
}
# a planted link into /proc (/proc/self/root/PATH is any file) was taken for
# one of our own descriptors and followed, owner unchecked: data appended to
# the file of the attacker's choice
as_nobody ln -s "/proc/self/root$T/victim" "$T/sticky/proc.ndjson.gz"
ex_proc_link() {
	exit_is 4 ex -q -o "$T/sticky/proc.ndjson.gz" 2>"$T/plink.err" && contains "$T/plink.err" "owned by another user" &&
		is "$(cat "$T/victim")" "root's own data"
}
ok "a planted link into /proc (/proc/self/root/...) is refused too (4), its target untouched" ex_proc_link
# a link another user planted as a directory on the way, or further down a
# chain that starts with a link of ours
mkdir -m 700 "$T/rootdir"; echo "root's own data" > "$T/rootdir/arch.ndjson.gz"
as_nobody ln -s "$T/rootdir" "$T/sticky/dirlink"
ex_dir_link() {
	exit_is 4 ex -q -o "$T/sticky/dirlink/arch.ndjson.gz" 2>"$T/dlink.err" && contains "$T/dlink.err" "owned by another user" &&
		is "$(cat "$T/rootdir/arch.ndjson.gz")" "root's own data" && ! has_name "$T/rootdir" '*tmp*'
}
ok "extract -o STICKY/LINK/FILE, LINK another user's link to a directory of ours: refused (4), nothing written" ex_dir_link
tf_dir_link() {
	exit_is 4 "$TRANSFORM" -q -o "$T/sticky/dirlink/a/out" "$SAMPLE" 2>"$T/tdlink.err" &&
		contains "$T/tdlink.err" "owned by another user" && [ ! -e "$T/rootdir/a" ]
}
ok "transform -o STICKY/LINK/NEW/DIR: refused (4), not even an empty directory made through the link" tf_dir_link
as_nobody ln -s "$T/victim" "$T/sticky/chain"
ln -s "$T/sticky/chain" "$T/root-link"
ex_chain_link() {
	exit_is 4 ex -q -o "$T/root-link" 2>"$T/clink.err" && contains "$T/clink.err" "owned by another user" &&
		is "$(cat "$T/victim")" "root's own data"
}
ok "a link of ours to a link another user planted: refused (4), the target untouched" ex_chain_link
ok "a link of our own is still followed: the file replaced, the link kept" own_link

# ---- defect 7: what a crash leaves ------------------------------------------
mkdir -p "$T/crash"
: & dead=$!	# a process that has ended
wait "$dead"
printf 'half\n' > "$T/crash/.synced_leads.csv.tmp.$dead.AbC123"
printf 'half\n' > "$T/crash/.campaigns.csv.tmp.$$.AbC123"
printf 'old\n' > "$T/crash/.summary.json.tmp.XyZ789"
sweep() {
	"$TRANSFORM" -o "$T/crash" "$SAMPLE" 2>"$T/crash.err"
	[ ! -e "$T/crash/.synced_leads.csv.tmp.$dead.AbC123" ] &&
		contains "$T/crash.err" "left by an earlier run (process $dead) that was killed" &&
		[ -e "$T/crash/.campaigns.csv.tmp.$$.AbC123" ] && [ -e "$T/crash/.summary.json.tmp.XyZ789" ] &&
		contains "$T/crash.err" ".summary.json.tmp.XyZ789: a temporary file left by an earlier run"
}
ok "the next run removes what a killed run left (dead PID), reports old-style leftovers, keeps a live run's" sweep

# the killed run had the PID this one has (a container's fixed PID; here a
# shell that execs the program keeps its PID): still a leftover, not ours
mkdir -p "$T/crash2"
sweep_same_pid() {
	# a subshell writes a leftover named with its own PID, then becomes the transform (exec: the same PID)
	( printf 'half\n' > "$T/crash2/.synced_leads.csv.tmp.$BASHPID.AbC123"; exec "$TRANSFORM" -o "$T/crash2" "$SAMPLE" ) 2>"$T/crash2.err"
	! has_name "$T/crash2" '*tmp*' || { ls -A "$T/crash2"; return 1; }
	contains "$T/crash2.err" "that was killed"
}
ok "a leftover whose PID is this run's own (a container's fixed PID) is removed too, with a warning" sweep_same_pid

# a transform stuck reading a FIFO, killed by each signal that ends a process
mkfifo "$T/in.fifo"
sig_clean() {
	_s=$1
	rm -rf "$T/sig"
	"$TRANSFORM" -q -o "$T/sig" "$T/in.fifo" 2>/dev/null &
	_p=$!
	exec 7<>"$T/in.fifo"	# read-write: never blocks
	head -n 5 "$SAMPLE" >&7
	for _i in $(seq 1 100); do has_name "$T/sig" '*tmp*' && break; sleep 0.05; done
	has_name "$T/sig" '*tmp*' || { echo "no temporary file seen"; exec 7>&-; return 1; }
	kill -s "$_s" "$_p"
	wait "$_p" 2>/dev/null
	exec 7>&-
	[ -z "$(ls -A "$T/sig")" ] || { echo "after SIG$_s:"; ls -A "$T/sig"; return 1; }
}
for s in ABRT QUIT USR1 XFSZ ALRM IO PWR RTMIN+3; do
	ok "SIG$s: the transform's temporary files are removed" sig_clean $s
done

# the extract, waiting on a slow API, killed by SIGABRT (it left its
# temporary archive behind) and by the other signals
ex_sig_clean() {
	rm -rf "$T/exsig"; mkdir -p "$T/exsig"
	ctl '{"latency_ms":3000}'
	# (the program itself in the background, not a function: $! is its PID)
	env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --no-progress -q \
		-o "$T/exsig/arch.ndjson.gz" 2>/dev/null &
	_p=$!
	for _i in $(seq 1 100); do has_name "$T/exsig" '*tmp*' && break; sleep 0.05; done
	has_name "$T/exsig" '*tmp*' || { echo "no temporary file seen"; ctl '{"latency_ms":0}'; return 1; }
	kill -s "$1" "$_p"
	wait "$_p" 2>/dev/null
	ctl '{"latency_ms":0}'
	[ -z "$(ls -A "$T/exsig")" ] || { echo "after SIG$1:"; ls -A "$T/exsig"; return 1; }
}
for s in ABRT TERM QUIT; do
	ok "SIG$s: the extract's temporary archive is removed" ex_sig_clean $s
done

# ---- defect 8: no raw control characters on a terminal or in a log ---------
C=11111111-1111-4111-8111-111111111111
K=9b6f458e-6dc5-4762-83d5-a528aedd2235
printf '{"v":1,"type":"lead","client_id":"%s","campaign_id":"%s","extracted_at":"2026-11-27T02:00:05.123Z","data":{"id":"019f19e7-cbee-7984-a98a-670c65cc875f","email_open_count":"\\u001b[2J\\u001b[Hpwned\\r\\ninstantly-transform: 0 rejects\\u0007","email":"a@example.com"}}\n' "$C" "$K" > "$T/esc.ndjson"
raw_free() {	# FILE: no C0 control but LF, no DEL, no C1 (UTF-8 C2 80..9F)
	! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" || { echo "raw control characters in $1:"; od -c "$1" | head; return 1; }
}
tf_escape() {
	exit_is 1 "$TRANSFORM" -o "$T/esc" "$T/esc.ndjson" 2>"$T/esc.err" && raw_free "$T/esc.err" &&
		contains "$T/esc.err" '\x1b[2J' && [ "$(grep -c 'instantly-transform: 0 rejects' "$T/esc.err")" = 0 ]
}
ok "a rejected value with ESC, CR, LF and BEL reaches stderr escaped (no forged line)" tf_escape
tf_escape_json() {
	"$TRANSFORM" --log-format json -o "$T/escj" "$T/esc.ndjson" 2>"$T/escj.err"
	raw_free "$T/escj.err" && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/escj.err"
}
ok "and in the JSON log format every line is one valid JSON object" tf_escape_json

# an API whose error text carries escapes: a 200 with a top-level "error"
cat > "$T/evil_api.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def handle_one(self):
        body = json.dumps({"error": "\u001b]0;owned\u0007\u001b[2J\r\ninstantly-extract: all good\u009b31m"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = handle_one
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("listening on http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/evil_api.py" > "$T/evil.out" 2>&1 &
EVIL=$!
at_exit evil_stop
evil_stop() { stop_child "$EVIL"; }
for _i in $(seq 1 100); do EURL=$(sed -n 's/^listening on //p' "$T/evil.out" 2>/dev/null || true); [ -n "$EURL" ] && break; sleep 0.05; done
ex_escape() {
	set +e
	env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$EURL" --no-progress \
		--retry-wait 0.01 -o "$T/evil.gz" 2>"$T/evil.err"
	set -e
	raw_free "$T/evil.err" && contains "$T/evil.err" '\x1b[2J' && ! grep -q '^instantly-extract: all good' "$T/evil.err"
}
ok "an API error text with escapes reaches stderr escaped" ex_escape

done_testing

#!/usr/bin/env bash
# tests/extract-resume: instantly-extract --resume against the fake Instantly
# API on loopback. Runs are interrupted at random points (SIGKILL, SIGTERM; at
# a random time or after a random number of requests, gzip or --plain; while the fake answers
# 500s, 429s or cut bodies, while requests time out; with several requests in
# flight; with the fake stopped mid-run and started again), then resumed, one
# or more times; the finished archive must hold what an uninterrupted run's
# holds, every item once, with the same markers and summary counts
# (resume_check.py). Also: a resume with other inputs is refused, no journal
# is a fresh run, links at the side files are refused, the files are private,
# a torn journal record is dropped, a running run's journal is not taken
# over, the window is the first run's, and without --resume nothing changes.
#
# The choices come from a seeded RNG: the seed is printed; RESUME_SEED=N
# makes the same choices (the timing of a kill cannot be replayed exactly).
. "$(dirname "$0")/../lib.sh"

KEY=ietest-resume-key
KEY2=ietest-resume-key-two
CASES=${RESUME_CASES:-30}
SEED=${RESUME_SEED:-$(($(date +%s) % 1000000))}
echo "# seed $SEED (RESUME_SEED=$SEED repeats these choices)"
RANDOM=$SEED
CHECK="python3 $SRCDIR/tests/cli/resume_check.py"

# 6 campaigns of 250 leads (3 pages and the empty one each), one shared by
# two clients; 110 unmapped ones, so that the campaign listing has 2 pages;
# two workspaces (the fake serves the same data to both keys)
python3 "$FAKEDIR/make_workspace.py" --out "$T/ws" --synthetic --campaigns 6 --leads-per-campaign 250 \
	--unmapped 110 --unmapped-leads 1 --seed 11 >/dev/null 2>&1
awk -F, 'NR == 1 { print $0 ",api_key_env"; next } { print $0 "," (substr($2, 1, 1) ~ /[0-7]/ ? "IE_KEY_B" : "") }' \
	"$T/ws/clients.csv" > "$T/map.csv"
start_fake() {	# start_fake [--port N]
	# (the last start's "listening on" line must not be taken for this one's)
	rm -f "$T/fake.out"
	fake_start fake "$T/ws" --api-key "$KEY" --today 2026-11-27 --latency-ms 3 "$@" &&
	ctl '{"extra_keys":["'"$KEY2"'"]}'
}
start_fake
PORT=${URL##*:}
quiet() {	# the fake's faults off, counters empty
	ctl '{"reset_stats":true,"rate_limit":null,"fail_every":null,"cut_body_every":null,"leads_latency_ms":0}'
}
requests() { curl -sS "$URL/_stats?requests=0" | sed -n 's/^{"requests_total":\([0-9]*\).*/\1/p'; }

BASE=(--clients "$T/map.csv" --until 2026-11-26 --no-progress --rate 5000 --retry-wait 0.02 --retries 8)
# x OUT ARGS...: the extract, in the foreground; stderr appended to OUT.err
x() { _o=$1; shift; env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" -o "$_o" "$@" 2>>"$_o.err"; }
# xbg OUT ARGS...: the same in the background, its PID in XPID
xbg() { _o=$1; shift; env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" -o "$_o" "$@" 2>>"$_o.err" & XPID=$!; }
side() { echo "$(dirname "$1")/.$(basename "$1").$2"; }	# side FILE partial|resume
no_side() { { [ ! -e "$(side "$1" partial)" ] && [ ! -e "$(side "$1" resume)" ]; } || { ls -la "$(dirname "$1")"; return 1; }; }

# ---- the reference: an uninterrupted run -------------------------------------
quiet
t0=$(date +%s%N)
x "$T/ref.gz"
REF_MS=$((($(date +%s%N) - t0) / 1000000))
REF_REQ=$(requests)
echo "# an uninterrupted run: $REF_MS ms, $REF_REQ requests"
PAIRS=$(($(wc -l < "$T/map.csv") - 1))
ref_ok() {
	$CHECK "$T/ref.gz" "$T/ref.gz" >/dev/null && is "$(zcat "$T/ref.gz" | grep -c '"type":"lead"')" $((250 * PAIRS)) &&
	is "$(zcat "$T/ref.gz" | grep -c '"type":"leads_complete"')" "$PAIRS" &&
	zcat "$T/ref.gz" | tail -n 1 | grep -q '"status":"complete"'
}
ok "the reference run: complete, 6 campaigns, $PAIRS (client, campaign) pairs, 250 leads each" ref_ok
members() { python3 - "$1" <<'PY'
import sys, zlib
data, n = open(sys.argv[1], "rb").read(), 0
while data:
    d = zlib.decompressobj(31)
    d.decompress(data)
    data, n = d.unused_data, n + 1
print(n)
PY
}
one_member() { is "$(members "$T/ref.gz")" 1 && ! has_name "$T" '.ref.gz.*'; }
ok "without --resume: one gzip member, as before, and no file beside it" one_member
quiet
mkdir "$T/u"
x "$T/u/r.gz" --resume --checkpoint 0
not_interrupted() {
	$CHECK "$T/ref.gz" "$T/u/r.gz" && is "$(stat -c %a "$T/u/r.gz")" 600 && [ "$(members "$T/u/r.gz")" -gt 10 ] &&
		no_side "$T/u/r.gz" && ! zcat "$T/u/r.gz" | tail -n 1 | grep -q resumed
}
ok "--resume, not interrupted: the same archive (of many gzip members), 0600, nothing left beside it" not_interrupted
mkdir "$T/tr1" "$T/tr2"
transform_same() {
	"$TRANSFORM" -q -o "$T/tr1" "$T/ref.gz" && "$TRANSFORM" -q -o "$T/tr2" "$T/u/r.gz" || return 1
	for f in "$T"/tr1/*.csv; do
		# extracted_at (and any time of this run) differs; nothing else may
		cmp -s <(sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|\+00(:00)?)?/TIME/g' "$f" | sort) \
			<(sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|\+00(:00)?)?/TIME/g' "$T/tr2/$(basename "$f")" | sort) ||
			{ echo "$(basename "$f") differs"; return 1; }
	done
}
ok "instantly-transform reads the archive of gzip members as the one-member one (same rows)" transform_same

# ---- interrupted at random points, resumed ---------------------------------------
# interrupt MODE DIR: start a --resume run into DIR/r.gz, interrupt it as MODE
# says; 0 when it was interrupted mid-run (the journal is there)
interrupt() {
	_mode=$1 _d=$2
	_cp=$(( RANDOM % 3 == 0 ? 1 : 0 ))	# --checkpoint 0.02 one time in three, else 0
	_j=$(( RANDOM % 3 == 0 ? 1 : 8 ))	# -j 1 one time in three, else 8 in flight
	_frac=$(( 10 + RANDOM % 75 ))		# when: 10..85 % of an uninterrupted run
	_sig=KILL
	_args=(--resume -j "$_j" --checkpoint "$( [ $_cp = 1 ] && echo 0.02 || echo 0)" ${PLAIN:+"$PLAIN"})
	quiet
	case $_mode in
	term) _sig=TERM ;;
	count|plain) ;;
	500) ctl '{"fail_every":3}' ;;
	429) ctl '{"rate_limit":40}'; _sig=TERM ;;
	cut) ctl '{"cut_body_every":4}' ;;
	timeout) ctl '{"leads_latency_ms":1100}'; _args+=(--timeout 1) ;;
	down) ;;
	esac
	echo "#   case $_case: $_mode, SIG$_sig, -j $_j, checkpoint $_cp, at $_frac %" >> "$T/cases"
	xbg "$_d/r.gz" "${_args[@]}"
	case $_mode in
	count|plain)	# after a number of requests
		_n=$(( 2 + REF_REQ * _frac / 100 ))
		for _i in $(seq 1 500); do
			[ "$(requests)" -ge "$_n" ] 2>/dev/null && break
			kill -0 "$XPID" 2>/dev/null || break
			sleep 0.01
		done ;;
	timeout) sleep "$(awk -v f="$_frac" 'BEGIN { printf "%.3f", 0.2 + 1.2 * f / 100 }')" ;;
	down)	# the network goes: the fake stops mid-run, the extract retries
		sleep "$(awk -v m="$REF_MS" -v f="$_frac" 'BEGIN { printf "%.3f", m * f / 100000 }')"
		fake_stop
		sleep 0.$(( 1 + RANDOM % 4 )) ;;
	*) # a time into the run, or sooner when it has made 85% of the
	   # reference's requests (a loaded machine: the kill would come too late)
		sleep_or_requests "$(awk -v m="$REF_MS" -v f="$_frac" 'BEGIN { printf "%d", m * f / 100 * ('"$( [ "$_mode" = 429 ] || [ "$_mode" = 500 ] && echo 2 || echo 1)"') }')" \
			$(( REF_REQ * 85 / 100 )) ;;
	esac
	kill -"$_sig" "$XPID" 2>/dev/null || true
	wait "$XPID" 2>/dev/null || true
	[ "$_mode" != down ] || start_fake --port "$PORT"
	[ -e "$(side "$_d/r.gz" resume)" ]
}
# sleep_or_requests MS N: wait MS milliseconds, or until the fake has
# answered N requests or the extract ended
sleep_or_requests() {
	local end=$(( $(date +%s%N) / 1000000 + $1 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ]; do
		{ [ "$(requests)" -ge "$2" ] 2>/dev/null || ! kill -0 "$XPID" 2>/dev/null; } && return 0
		sleep 0.02
	done
}
modes=(kill term count 500 429 cut timeout down plain)
interrupted=0 resumes=0 fails=""
t_all=$(date +%s%N)
_case=0
# until 30 runs were interrupted mid-run (a kill may come after a run ended,
# on a loaded machine), at least $CASES runs, at most 90
while [ $_case -lt 90 ] && { [ $_case -lt "$CASES" ] || [ $interrupted -lt 30 ]; }; do
	_case=$((_case + 1))
	d=$T/c$_case
	mkdir "$d"
	mode=${modes[$(( (_case - 1) % ${#modes[@]} ))]}
	PLAIN=	# plain: --plain (NDJSON, no gzip) for this case's runs, after a count of requests
	[ "$mode" != plain ] || PLAIN=--plain
	if interrupt "$mode" "$d"; then
		interrupted=$((interrupted + 1))
		# private, and never a finished FILE while a part is missing
		[ "$(stat -c %a "$(side "$d/r.gz" partial)")" = 600 ] && [ "$(stat -c %a "$(side "$d/r.gz" resume)")" = 600 ] &&
			[ ! -e "$d/r.gz" ] || fails="$fails $_case(modes)"
		# one time in three the resume is interrupted too
		if [ $(( RANDOM % 3 )) = 0 ]; then
			xbg "$d/r.gz" --resume -j 4 --checkpoint 0 $PLAIN
			sleep "$(awk -v m="$REF_MS" -v f="$(( RANDOM % 60 ))" 'BEGIN { printf "%.3f", m * f / 100000 }')"
			kill -KILL "$XPID" 2>/dev/null || true
			wait "$XPID" 2>/dev/null || true
			resumes=$((resumes + 1))
		fi
	fi
	quiet
	set +e
	x "$d/r.gz" --resume -j 8 --checkpoint 0 $PLAIN
	rc=$?
	set -e
	resumes=$((resumes + 1))
	if [ $rc != 0 ] || ! no_side "$d/r.gz" >/dev/null; then
		fails="$fails $_case"
		echo "# case $_case ($mode): exit $rc"; sed 's/^/#   /' "$d/r.gz.err" 2>/dev/null | head -30
		tail -n 1 "$T/cases"
	fi
done
# every archive against the reference, in one go
if ! $CHECK "$T/ref.gz" "$T"/c*/r.gz > "$T/checks" 2>&1; then
	while IFS= read -r _c; do
		fails="$fails $_c"
		echo "# case $_c: $(grep "case $_c:" "$T/cases")"
		grep -A8 "/c$_c/r.gz:\$" "$T/checks" | sed 's/^/#   /'
		sed 's/^/#   /' "$T/c$_c/r.gz.err" | head -20
	done < <(sed -n 's|^.*/c\([0-9]*\)/r.gz:$|\1|p' "$T/checks")
	[ -n "$fails" ] || { fails=" (resume_check.py)"; sed 's/^/#   /' "$T/checks" | head -20; }
fi
T_ALL=$((($(date +%s%N) - t_all) / 1000000))
echo "# $_case cases, $interrupted interrupted mid-run, $resumes resumed runs, in $T_ALL ms"
ok "$_case runs interrupted at random points (kill, term, after N requests, 500s, 429s, cut bodies, timeouts, the API gone, --plain) and resumed: every archive the uninterrupted one's${fails:+ (failed:$fails)}" test -z "$fails"
ok "at least 30 of them were interrupted mid-run ($interrupted)" test "$interrupted" -ge 30

# ---- the API refuses everything at first: exit 6, the run kept -------------------
mkdir "$T/d6"
fake_stop
set +e
x "$T/d6/r.gz" --resume --retries 1 --checkpoint 0
rc6=$?
set -e
start_fake --port "$PORT"
unreachable() {
	[ "$rc6" = 6 ] && [ ! -e "$T/d6/r.gz" ] && [ -e "$(side "$T/d6/r.gz" resume)" ] &&
		contains "$T/d6/r.gz.err" "run again with --resume"
}
ok "the API unreachable from the start: exit 6, no FILE, the partial run kept" unreachable
quiet
resume_ok() { x "$1" --resume && $CHECK "$T/ref.gz" "$1" && no_side "$1"; }
ok "...and the resume completes it" resume_ok "$T/d6/r.gz"

# ---- what a resume refuses ---------------------------------------------------
# a kept partial run to try things on
mkdir "$T/k"
# until_paged FILE PID: wait until the journal of FILE notes a page of leads
# (the run is half-way), at most 20 s
until_paged() {
	for _i in $(seq 1 400); do
		grep -aq '^P ' "$(side "$1" resume)" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 0
		sleep 0.05
	done
}
keep_partial() {	# a run of $T/k/r.gz killed half-way (the journal stays)
	rm -f "$T/k/"* "$T/k/".r.gz.*
	quiet
	ctl '{"leads_latency_ms":60}'
	xbg "$T/k/r.gz" --resume -j 2 --checkpoint 0
	until_paged "$T/k/r.gz" "$XPID"
	kill -KILL "$XPID"; wait "$XPID" 2>/dev/null || true
	quiet
	[ -s "$(side "$T/k/r.gz" resume)" ] && [ -e "$(side "$T/k/r.gz" partial)" ]
}
ok "a partial run to try resumes on" keep_partial
sums() { sha256sum "$(side "$T/k/r.gz" resume)" "$(side "$T/k/r.gz" partial)"; }
refused() {	# refused WHAT ARGS...: exit 2 naming WHAT, nothing changed
	_what=$1; shift
	_before=$(sums)
	: > "$T/k/r.gz.err"
	exit_is 2 x "$T/k/r.gz" --resume "$@" && contains "$T/k/r.gz.err" "not resumed" &&
		contains "$T/k/r.gz.err" "$_what" && is "$(sums)" "$_before" && [ ! -e "$T/k/r.gz" ]
}
head -n 5 "$T/map.csv" > "$T/map-less.csv"
ok "a resume with another client map is refused (exit 2), nothing changed" \
	refused "the client map" --clients "$T/map-less.csv"
ok "...another --base-url" refused "--base-url" --base-url "http://127.0.0.1:1"
ok "...--plain" refused "--plain" --plain
ok "...another window (--until)" refused "window" --until 2026-11-25
ok "...another window (--days)" refused "window" --days 30
no_o() {
	exit_is 2 env INSTANTLY_API_KEY=k "$EXTRACT" --clients "$T/map.csv" --resume >/dev/null 2>"$T/o.err" &&
		contains "$T/o.err" "needs -o"
}
ok "--resume without -o: usage error" no_o
without_resume() {
	_before=$(sums)
	env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" -o "$T/k/r.gz" 2>"$T/k/nr.err" &&
		contains "$T/k/nr.err" "this run does not use it" && [ -e "$T/k/r.gz" ] && is "$(sums)" "$_before" &&
		rm -f "$T/k/r.gz"
}
ok "a run without --resume warns of the partial run and leaves it" without_resume
lock_held() {
	exec 7<"$(side "$T/k/r.gz" resume)"
	flock -n 7 || return 1
	: > "$T/k/r.gz.err"
	exit_is 4 x "$T/k/r.gz" --resume
	_r=$?
	exec 7<&-
	[ $_r = 0 ] && contains "$T/k/r.gz.err" "is locked" && [ ! -e "$T/k/r.gz" ]
}
ok "a journal another run holds (locked) is not taken over: exit 4" lock_held
torn() {
	_j=$(side "$T/k/r.gz" resume)
	# a record half written: its header and a part of it
	printf 'IEJ1 500 0badf00d\nC\noffset 99999999\nL 0 more 41' >> "$_j"
	: > "$T/k/r.gz.err"
	x "$T/k/r.gz" --resume && contains "$T/k/r.gz.err" "cut short or damaged" && $CHECK "$T/ref.gz" "$T/k/r.gz" &&
		no_side "$T/k/r.gz"
}
ok "a torn journal record (power lost while writing it) is dropped; the resume is complete" torn
keep_partial >/dev/null
flip() {	# a checkpoint whose bytes changed: its checksum fails, it and the rest are dropped
	_j=$(side "$T/k/r.gz" resume)
	python3 - "$_j" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.rfind(b"IEJ1 ")
i = b.rfind(b"IEJ1 ", 0, i)          # the last but one record
j = b.find(b"offset ", i) + 7
b[j] = ord("9") if b[j] != ord("9") else ord("8")
open(p, "wb").write(bytes(b))
PY
	: > "$T/k/r.gz.err"
	x "$T/k/r.gz" --resume && contains "$T/k/r.gz.err" "cut short or damaged" && $CHECK "$T/ref.gz" "$T/k/r.gz"
}
ok "a damaged checkpoint (a flipped byte) is dropped with those after it; the resume is complete" flip
linked() {	# linked partial|resume: a link planted at that side file is refused
	keep_partial >/dev/null || return 1
	_f=$(side "$T/k/r.gz" "$1")
	mv "$_f" "$T/k/saved"
	echo secret > "$T/k/victim"
	ln -s "$T/k/victim" "$_f"
	: > "$T/k/r.gz.err"
	exit_is 4 x "$T/k/r.gz" --resume && contains "$T/k/r.gz.err" "a symbolic link" && is "$(cat "$T/k/victim")" secret &&
		[ ! -e "$T/k/r.gz" ]
	_r=$?
	rm -f "$_f"; mv "$T/k/saved" "$_f"
	return $_r
}
ok "a symbolic link planted at .FILE.resume is refused (exit 4), its target untouched" linked resume
ok "...and at .FILE.partial" linked partial
still() { x "$T/k/r.gz" --resume && $CHECK "$T/ref.gz" "$T/k/r.gz"; }
ok "...the partial run is still resumable after those" still
foreign_dir_link() {
	mkdir -p "$T/real"
	ln -s "$T/real" "$T/k/lnk"
	chown -h nobody "$T/k/lnk"
	set +e
	env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" -o "$T/k/lnk/f.gz" --resume 2>"$T/k/f.err"
	_r=$?
	set -e
	is "$_r" 4 && contains "$T/k/f.err" "owned by another user" && [ -z "$(ls -A "$T/real")" ]
}
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	ok "a link another user owns on the way to FILE is refused (exit 4), as atomic_open does" foreign_dir_link
else
	skip "not root: cannot make a link another user owns"
fi

ok "no journal: --resume is a fresh run" resume_ok "$T/k/fresh.gz"
gone_partial() {
	keep_partial >/dev/null || return 1
	rm -f "$(side "$T/k/r.gz" partial)"
	: > "$T/k/r.gz.err"
	x "$T/k/r.gz" --resume && contains "$T/k/r.gz.err" "the partial archive is gone" && $CHECK "$T/ref.gz" "$T/k/r.gz"
}
ok "the partial archive gone, the journal there: warned, started over, complete" gone_partial

over_before() {	# killed after the journal said "over" (F) and before the rename: the rename is all that is left
	keep_partial >/dev/null || return 1
	python3 - "$(side "$T/k/r.gz" resume)" <<'PY'
import sys, zlib
body = b"F 1\n"
with open(sys.argv[1], "ab") as f:
    f.write(b"IEJ1 %d %08x\n" % (len(body), zlib.crc32(body)) + body + b"\n")
PY
	_part=$(sha256sum < "$(side "$T/k/r.gz" partial)")
	ctl '{"reset_stats":true}'
	: > "$T/k/r.gz.err"
	exit_is 1 x "$T/k/r.gz" --resume && contains "$T/k/r.gz.err" "was over (exit status 1)" &&
		is "$(sha256sum < "$T/k/r.gz")" "$_part" && no_side "$T/k/r.gz" && is "$(requests)" 0
}
ok "a run killed between its last journal record (over) and the rename: the resume only renames, with its exit status" over_before

not_regular() {
	: > "$T/k/dn.err"
	exit_is 4 env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" -o /dev/null --resume \
		2>"$T/k/dn.err" && contains "$T/k/dn.err" "--resume writes a regular file" && [ ! -e /dev/.null.resume ]
}
ok "--resume to a path that is no regular file (/dev/null): refused (exit 4)" not_regular
group_mode() {	# the side files stay 0600; FILE gets the mode any archive gets (INSTANTLY_ETL_UMASK)
	rm -f "$T/k/g.gz"
	ctl '{"leads_latency_ms":60}'
	env INSTANTLY_ETL_UMASK=027 INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" "${BASE[@]}" --base-url "$URL" \
		-o "$T/k/g.gz" --resume -j 2 --checkpoint 0 2>/dev/null &
	_p=$!
	until_paged "$T/k/g.gz" $_p
	_modes=$(stat -c %a "$(side "$T/k/g.gz" partial)" "$(side "$T/k/g.gz" resume)" | tr '\n' ' ')
	wait $_p
	quiet
	is "$_modes" "600 600 " && is "$(stat -c %a "$T/k/g.gz")" 640
}
ok "INSTANTLY_ETL_UMASK=027: .FILE.partial and .FILE.resume 0600 while it runs, FILE 0640 at the end" group_mode

# ---- the window is the first run's ------------------------------------------------
window() {
	rm -f "$T/k/"* "$T/k/".r.gz.*
	ctl '{"leads_latency_ms":60}'
	# the first run asked for the 90 days up to yesterday; the resume, run
	# "after midnight", asks for the default 90 days (up to today)
	env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" --clients "$T/map.csv" --no-progress --rate 5000 \
		--base-url "$URL" --since 2026-08-27 --until 2026-11-24 -o "$T/k/w.gz" --resume -j 2 --checkpoint 0 2>/dev/null &
	_p=$!
	until_paged "$T/k/w.gz" $_p
	kill -KILL $_p; wait $_p 2>/dev/null || true
	quiet
	[ -e "$(side "$T/k/w.gz" resume)" ] || { echo "not interrupted"; return 1; }
	env INSTANTLY_API_KEY="$KEY" IE_KEY_B="$KEY2" "$EXTRACT" --clients "$T/map.csv" --no-progress --rate 5000 \
		--base-url "$URL" -o "$T/k/w.gz" --resume 2>"$T/k/w.err" || { cat "$T/k/w.err"; return 1; }
	zcat "$T/k/w.gz" | tail -n 1 | grep -q '"window":{"start_date":"2026-08-27","end_date":"2026-11-24"}' &&
	[ "$(zcat "$T/k/w.gz" | grep '"type":"analytics_overview"' | grep -vc '"end_date":"2026-11-24"')" = 0 ] &&
	curl -sS "$URL/_stats" | python3 -c '
import json, sys
reqs = [r for r in json.load(sys.stdin)["requests"] if "analytics" in r["path"]]
assert reqs and all(r["query"]["end_date"].startswith("2026-11-24") for r in reqs), reqs[:2]'
}
ok "a resume after midnight (no window given) keeps the interrupted run's window" window

echo "# run time of this file: $SECONDS s"
done_testing

#!/usr/bin/env bash
# tests/faults: resources and signals, each program against a real fault.
#
#  - a full disk: a small tmpfs, full or nearly full, as the extract's -o,
#    the extract's spill file (TMPDIR), the transform's -o DIR and the
#    loader's temporary files (TMPDIR): exit 4 with a message naming the
#    path, no partial output, the old output intact, the warehouse unchanged;
#  - a read-only output directory: a tmpfs remounted read-only (root ignores
#    modes) and, for the transform, a 0555 directory written by a non-root
#    user: the same;
#  - SIGKILL at a random moment of each stage, FAULT_RUNS times (default 6;
#    `make check-faults` runs 50): the extract against the fake API with
#    latency, the transform of a generated archive, the load into a real
#    PostgreSQL. Afterwards the output path holds the old file or the new
#    complete one (byte-compared with a reference run; the extract's archive
#    compared without its timestamps), the warehouse's checksum is the one
#    before or the one after a full load, and whatever was left is private
#    (no group/world permission bits) and of a kind the docs name.
#
# Every file or directory the programs create must be private whatever the
# umask: each run picks umask 022 or 000 at random. FAULT_SEED (with the
# reference times FAULT_XDUR, FAULT_TDUR, FAULT_LDUR, in ms) replays the
# random choices (the kill moments, the umasks); the replay line is printed.
# Mounting needs root (CI is root): a failed mount is a failure, not a skip.
. "$(dirname "$0")/../lib.sh"

RUNS=${FAULT_RUNS:-6}
SEED=${FAULT_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
echo "# FAULT_SEED=$SEED FAULT_RUNS=$RUNS"
KEY=ietest-secret-key-4711
MAN=$SRCDIR/man
chmod 755 "$T"	# the non-root user of the 0555 case, and the postgres user, pass through

# ---- mounts -------------------------------------------------------------------
MOUNTS=""
unmount_all() { for m in $MOUNTS; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done; }
at_exit unmount_all
# tmpfs DIR SIZE: a fresh tmpfs of SIZE on DIR (mode 0700), or the test fails
tmpfs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2,mode=0700" ietest-faults "$1" 2>"$T/mount.err"; then
		echo "Bail out! cannot mount a tmpfs on $1 ($(cat "$T/mount.err")): this test needs root (CAP_SYS_ADMIN); CI runs as root"
		exit 1
	fi
	MOUNTS="$1 $MOUNTS"
}
# fill DIR [BYTES]: fill the filesystem of DIR, leaving about BYTES free
fill() {
	dd if=/dev/zero of="$1/.filler" bs=4096 2>/dev/null || true
	[ -z "${2:-}" ] || truncate -s "-$2" "$1/.filler"
	chmod 600 "$1/.filler"
}
ro() { mount -o remount,ro "$1" || { echo "Bail out! cannot remount $1 read-only"; exit 1; }; }

# ---- checks -------------------------------------------------------------------
# private PATH...: nothing under PATH (PATH included) has a group or world bit
private() {
	local bad
	bad=$(find "$@" -perm /077 -printf '%M %p\n' 2>/dev/null) || true
	[ -z "$bad" ] || { echo "not private (group/world bits):"; echo "$bad"; return 1; }
}
# only DIR NAME...: DIR holds exactly these names (.filler aside)
only() {
	local dir=$1 got want; shift
	got=$(names "$dir" | grep -vx '.filler' | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | grep -v '^$' | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || { echo "in $dir: '$got', wanted '$want'"; ls -la "$dir"; return 1; }
}
# same_dir A B: the same names, byte-identical
same_dir() {
	local f
	[ "$(names "$1")" = "$(names "$2")" ] || { echo "names differ: $1: $(names "$1" | tr '\n' ' ') / $2: $(names "$2" | tr '\n' ' ')"; return 1; }
	for f in "$1"/*; do same_file "$f" "$2/${f##*/}" || return 1; done
}
# exit4 ERRFILE COMMAND...: COMMAND exits 4, its stderr in ERRFILE (shown when not)
exit4() {
	local f=$1 rc; shift
	set +e; "$@" 2>"$f"; rc=$?; set -e
	[ "$rc" = 4 ] || { echo "exit $rc, wanted 4; stderr (its end):"; tail -n 20 "$f"; return 1; }
}
# says FILE: the error names a path and a cause (no empty or bare message)
says() { grep -Eq 'No space left on device|Read-only file system|Permission denied' "$1" || { echo "stderr:"; cat "$1"; return 1; }; }

# What a killed run may leave, and where the docs name it: the kind of a name
# (an extended regex), then the text that the README or a man page must hold.
LEFTOVER_KINDS='^\..+\.tmp\.[0-9]+\.[A-Za-z0-9]{6}$	.NAME.tmp.PID.XXXXXX
^instantly-load\.[A-Za-z0-9]{6}$	instantly-load.XXXXXX'
docs_text() {	# the README and the man pages as a reader sees them
	cat "$SRCDIR/README.md"
	for m in "$MAN"/*.[0-9]; do groff -man -Tascii -P-cbou -rLL=2000n -rHY=0 "$m" 2>/dev/null || return 1; done
}
docs_text > "$T/docs.txt"
# leftovers_named DIR...: every entry at the top of each DIR (.filler and the
# test's own copies aside) is of a kind the docs name
leftovers_named() {
	local dir f named re doc
	for dir in "$@"; do
		for f in $(names "$dir"); do	# (names without blanks)
			case $f in .filler) continue ;; esac
			# shellcheck disable=SC2086 # $KEEP: a list of names, split on purpose
			[ -n "${KEEP:-}" ] && printf '%s\n' $KEEP | grep -qxF "$f" && continue
			named=""
			while IFS='	' read -r re doc; do
				if printf '%s\n' "$f" | grep -Eq "$re"; then
					grep -qF -- "$doc" "$T/docs.txt" || { echo "$dir/$f: its kind '$doc' is named in no doc (README.md, man/)"; return 1; }
					named=1
				fi
			done <<< "$LEFTOVER_KINDS"
			[ -n "$named" ] || { echo "$dir/$f: left behind, of no documented kind"; ls -la "$dir"; return 1; }
		done
	done
}
not() { ! "$@"; }
none() { [ -z "$1" ] || { printf '%s' "$1"; return 1; }; }	# none LIST: LIST is empty, else printed
pick_umask() { if [ $((RANDOM % 2)) = 0 ]; then um=022; else um=000; fi; }	# sets um (no subshell: the seed must carry)

# ---- data: a workspace for the fake API with large pages (a page of 100
# leads is more than the extract keeps in memory, 512 KiB: it spills to
# TMPDIR), a generated archive for the transform
python3 "$FAKEDIR/make_workspace.py" --out "$T/ws" --synthetic --campaigns 3 --leads-per-campaign 700 --seed 7 \
	--end-date 2026-11-26 >/dev/null 2>&1
python3 - "$T/ws/leads" <<'PY'
import json, os, sys
d = sys.argv[1]
for f in os.listdir(d):
    p = os.path.join(d, f)
    leads = json.load(open(p, encoding="utf-8"))
    for i, l in enumerate(leads):
        l["personalization"] = ("%s %d " % (l.get("personalization") or "", i)) + "x" * 6000
    with open(p, "w", encoding="utf-8") as o:
        o.write("[\n" + ",\n".join(json.dumps(l, ensure_ascii=False) for l in leads) + "\n]\n")
PY
fake_start fake "$T/ws" --api-key "$KEY" --today 2026-11-27
ctl '{"latency_ms":40}'
# xr OUT [ENV...]: the extract of the whole window into OUT; xr_exec: the
# same, exec'd (kill_at runs it in the background, where $! must be the
# extract itself: a function's subshell would take the SIGKILL instead, and
# the extract would run on)
xr_exec() {
	_o=$1; shift
	exec env INSTANTLY_API_KEY="$KEY" "$@" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --no-progress -q \
		--since 2026-10-28 --until 2026-11-26 --rate 200 --retry-wait 0.05 -o "$_o"
}
xr() { ( xr_exec "$@" ); }
# the archive's content without its times (the order of records aside), as a digest
cat > "$T/norm.py" <<'PY'
import gzip, hashlib, json, sys
recs = []
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        r.pop("extracted_at", None)
        if r.get("type") == "run_summary":
            for k in ("started_at", "finished_at"):
                r["data"].pop(k, None)
        recs.append(json.dumps(r, sort_keys=True))
if not recs or r.get("type") != "run_summary":
    sys.exit("no run_summary at the end")
print(hashlib.sha256("\n".join(sorted(recs)).encode()).hexdigest(), len(recs))
PY
norm() { python3 "$T/norm.py" "$1"; }

mkdir -p "$T/ref"
t0=$(date +%s%N)
ok "reference extract: exit 0" xr "$T/ref/new.ndjson.gz"
XDUR=${FAULT_XDUR:-$(( ($(date +%s%N) - t0) / 1000000 ))}
norm "$T/ref/new.ndjson.gz" > "$T/ref/new.norm"
again() { xr "$T/ref/again.gz" && norm "$T/ref/again.gz" | cmp -s - "$T/ref/new.norm"; }
ok "reference extract: $(cut -d' ' -f2 "$T/ref/new.norm") records in $XDUR ms, the same twice (without its times)" again
# the old archive: another window
env INSTANTLY_API_KEY="$KEY" "$EXTRACT" --clients "$T/ws/clients.csv" --base-url "$URL" --no-progress -q \
	--since 2026-11-20 --until 2026-11-26 --rate 200 -o "$T/ref/old.ndjson.gz"
chmod 600 "$T/ref/old.ndjson.gz"
ok "the old archive differs from the new one" not cmp -s "$T/ref/old.ndjson.gz" "$T/ref/new.ndjson.gz"

python3 "$SRCDIR/bench/gen_archive.py" --seed 3 --campaigns 12 12000 "$T/big.ndjson.gz" >/dev/null 2>&1
t0=$(date +%s%N)
ok "reference transform of a 12,000-lead archive: exit 0" "$TRANSFORM" -q -o "$T/ref/tnew" "$T/big.ndjson.gz"
TDUR=${FAULT_TDUR:-$(( ($(date +%s%N) - t0) / 1000000 ))}
"$TRANSFORM" -q -o "$T/ref/told" "$SRCDIR/samples/sample.ndjson" 2>/dev/null || [ $? = 1 ]
chmod 600 "$T/ref/told"/*
TABLE_FILES=$(ls "$T/ref/tnew")

# ==== a full disk =================================================================
tmpfs "$T/full" 4m
# x_full NAME FREE: the extract with -o on the full tmpfs, FREE bytes left
x_full() {
	rm -rf "$T/full"/* "$T/full"/.[!.]* 2>/dev/null || true
	cp "$T/ref/old.ndjson.gz" "$T/full/a.ndjson.gz"
	fill "$T/full" "$2"
	exit4 "$T/$1.err" xr "$T/full/a.ndjson.gz" && says "$T/$1.err" && contains "$T/$1.err" "$T/full" &&
	same_file "$T/ref/old.ndjson.gz" "$T/full/a.ndjson.gz" && only "$T/full" a.ndjson.gz
}
ok "full disk, extract -o: exit 4, message names the path, the old archive intact, no temporary file" x_full xf0 ""
ok "nearly full disk (64 KiB free), extract -o: the same" x_full xf64 65536

# the spill file: TMPDIR on the full tmpfs, -o elsewhere
x_spill() {
	rm -rf "$T/full"/* "$T/full"/.[!.]* "$T/xs" 2>/dev/null || true
	mkdir -p "$T/xs" && cp "$T/ref/old.ndjson.gz" "$T/xs/a.ndjson.gz"
	fill "$T/full" "$2"
	exit4 "$T/$1.err" xr "$T/xs/a.ndjson.gz" TMPDIR="$T/full" && says "$T/$1.err" &&
	same_file "$T/ref/old.ndjson.gz" "$T/xs/a.ndjson.gz" && only "$T/xs" a.ndjson.gz && only "$T/full"
}
ok "full disk as TMPDIR (the extract's spill file): exit 4, the old archive intact, nothing left" x_spill xs0 ""
ok "nearly full disk (256 KiB free) as TMPDIR: the same" x_spill xs256 262144

# t_full NAME FREE: the transform with -o DIR on the full tmpfs, old tables there
t_full() {
	rm -rf "$T/full"/* "$T/full"/.[!.]* 2>/dev/null || true
	cp -r "$T/ref/told" "$T/full/out"
	fill "$T/full" "$2"
	exit4 "$T/$1.err" "$TRANSFORM" -q -o "$T/full/out" "$T/big.ndjson.gz" && says "$T/$1.err" &&
	same_dir "$T/ref/told" "$T/full/out" && only "$T/full" out
}
ok "full disk, transform -o DIR: exit 4, every old table intact, no temporary file" t_full tf0 ""
ok "nearly full disk (1 MiB free), transform -o DIR: the same" t_full tf1m 1048576
t_full_new() {	# a DIR that does not exist yet
	rm -rf "$T/full"/* "$T/full"/.[!.]* 2>/dev/null || true
	fill "$T/full" 1048576
	exit4 "$T/tfn.err" "$TRANSFORM" -q -o "$T/full/new" "$T/big.ndjson.gz" && says "$T/tfn.err" &&
	{ [ ! -e "$T/full/new" ] || only "$T/full/new"; }
}
ok "nearly full disk, transform -o NEWDIR: exit 4, no table file" t_full_new

# ---- the warehouse
pg_start
# the load's input: old tables, and new ones holding campaigns the warehouse
# has (upserts) and campaigns new to it (the loader splits those through
# temporary files in TMPDIR)
python3 "$SRCDIR/bench/gen_archive.py" --seed 11 --campaigns 6 1500 "$T/w-old.ndjson.gz" >/dev/null 2>&1
python3 "$SRCDIR/bench/gen_archive.py" --seed 11 --campaigns 6 3000 "$T/w-upd.ndjson.gz" >/dev/null 2>&1
python3 "$SRCDIR/bench/gen_archive.py" --seed 12 --campaigns 6 3000 "$T/w-fresh.ndjson.gz" >/dev/null 2>&1
"$TRANSFORM" -q -o "$T/lold" "$T/w-old.ndjson.gz"
"$TRANSFORM" -q -o "$T/lnew" "$T/w-upd.ndjson.gz" "$T/w-fresh.ndjson.gz"
cat "$T/lold/campaigns.csv" "$T/lnew/campaigns.csv" | python3 -c '
import csv, sys
seen = set()
print("client_id,campaign_id")
for r in csv.reader(sys.stdin):
    if r[0] != "client_id" and (r[0], r[1]) not in seen:
        seen.add((r[0], r[1])); print("%s,%s" % (r[0], r[1]))' > "$T/lmap.csv"
head -n 1 "$T/lold/campaigns.csv" | grep -q '^client_id,campaign_id,' || echo "Bail out! campaigns.csv does not start with client_id,campaign_id"
psql_q -c "create database wold"
psql_q -d wold -f "$SRCDIR/schemas/sql/01-auth.sql" -f "$SRCDIR/schemas/sql/02-tables.sql" -f "$SRCDIR/schemas/sql/03-rls.sql" >/dev/null
pg_map_clients "$T/lmap.csv" -d wold
PGDATABASE=wold "$LOAD" -q "$T/lold"
# the warehouse's content, loaded_at aside, as one digest
WSUM="select md5(string_agg(t, E'\\n' order by t)) from (
	select 'c' || (to_jsonb(x) - 'loaded_at')::text t from campaigns x union all
	select 'l' || (to_jsonb(x) - 'loaded_at')::text from synced_leads x union all
	select 'a' || (to_jsonb(x) - 'loaded_at')::text from campaign_analytics x union all
	select 'o' || (to_jsonb(x) - 'loaded_at')::text from campaign_analytics_overview x union all
	select 'd' || (to_jsonb(x) - 'loaded_at')::text from lead_listings x) s"
wsum() { psql_q -d "$1" -At -c "$WSUM"; }
fresh_w() { psql_q -c "drop database if exists w" -c "create database w template wold"; }
BEFORE=$(wsum wold)
fresh_w
ref_load() { env PGDATABASE=w TMPDIR="$T" "$LOAD" -v "$T/lnew" 2>"$T/lref.err" || { cat "$T/lref.err"; return 1; }; }
ok "reference load of old and new campaigns: exit 0" ref_load
AFTER=$(wsum w)
fresh_w >/dev/null
t0=$(date +%s%N)
ok "reference load again, on the old warehouse: exit 0" env PGDATABASE=w TMPDIR="$T" "$LOAD" -q "$T/lnew"
LDUR=${FAULT_LDUR:-$(( ($(date +%s%N) - t0) / 1000000 ))}
ok "... the same warehouse" is "$(wsum w)" "$AFTER"
ok "the load changes the warehouse ($BEFORE → $AFTER)" test "$BEFORE" != "$AFTER"
split_seen() { grep -Eq "synced_leads: [1-9][0-9]* of [0-9]+ campaigns new to the warehouse" "$T/lref.err" || { cat "$T/lref.err"; return 1; }; }
ok "the reference load split campaigns new to the warehouse from the others (through temporary files)" split_seen

l_full() {
	rm -rf "$T/full"/* "$T/full"/.[!.]* 2>/dev/null || true
	fill "$T/full" "$2"
	fresh_w >/dev/null
	exit4 "$T/$1.err" env PGDATABASE=w TMPDIR="$T/full" "$LOAD" -q "$T/lnew" && says "$T/$1.err" &&
	is "$(wsum w)" "$BEFORE" && only "$T/full"
}
ok "full disk as the loader's TMPDIR: exit 4, the warehouse unchanged, nothing left" l_full lf0 ""
ok "nearly full disk (256 KiB free) as the loader's TMPDIR: the same" l_full lf256 262144
# a lead whose value holds a line "\.": the loader converts that table to
# COPY text in TMPDIR before anything else
python3 - "$T/w-old.ndjson.gz" "$T/eod.ndjson" <<'PY'
import gzip, json, sys
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    done = False
    for line in f:
        r = json.loads(line)
        if r["type"] == "lead" and not done:
            r["data"]["personalization"] = "first line\n\\.\nafter the marker"
            done = True
        o.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
"$TRANSFORM" -q -o "$T/leod" "$T/eod.ndjson"
l_eod() {
	rm -rf "$T/full"/* "$T/full"/.[!.]* 2>/dev/null || true
	fill "$T/full" ""
	fresh_w >/dev/null
	grep -q '"eod_marker_values":1' "$T/leod/summary.json" &&
	exit4 "$T/leod.err" env PGDATABASE=w TMPDIR="$T/full" "$LOAD" -q "$T/leod" && says "$T/leod.err" &&
	is "$(wsum w)" "$BEFORE" && only "$T/full"
}
ok "full disk as the loader's TMPDIR, a table with a \\. line (converted to COPY text there): exit 4, the warehouse unchanged" l_eod
umount "$T/full" && MOUNTS=${MOUNTS/"$T/full "/}

# ==== a read-only output directory ==================================================
tmpfs "$T/ro" 8m
cp "$T/ref/old.ndjson.gz" "$T/ro/a.ndjson.gz"
cp -r "$T/ref/told" "$T/ro/out"
ro "$T/ro"
r_x() {
	exit4 "$T/rx.err" xr "$T/ro/a.ndjson.gz" && says "$T/rx.err" && contains "$T/rx.err" "$T/ro" &&
	same_file "$T/ref/old.ndjson.gz" "$T/ro/a.ndjson.gz" && only "$T/ro" a.ndjson.gz out
}
ok "read-only directory, extract -o: exit 4, message, the old archive intact, nothing else" r_x
r_spill() {
	mkdir -p "$T/xr" && cp "$T/ref/old.ndjson.gz" "$T/xr/a.gz" &&
	exit4 "$T/rs.err" xr "$T/xr/a.gz" TMPDIR="$T/ro" && says "$T/rs.err" &&
	same_file "$T/ref/old.ndjson.gz" "$T/xr/a.gz" && only "$T/xr" a.gz
}
ok "read-only TMPDIR (the extract's spill file): exit 4, message, the old archive intact" r_spill
r_t() {
	exit4 "$T/rt.err" "$TRANSFORM" -q -o "$T/ro/out" "$T/big.ndjson.gz" && says "$T/rt.err" &&
	same_dir "$T/ref/told" "$T/ro/out"
}
ok "read-only directory, transform -o DIR: exit 4, message, every old table intact" r_t
r_tn() { exit4 "$T/rn.err" "$TRANSFORM" -q -o "$T/ro/new/sub" "$T/big.ndjson.gz" && says "$T/rn.err" && [ ! -e "$T/ro/new" ]; }
ok "read-only directory, transform -o NEWDIR: exit 4, message, nothing made" r_tn
r_l() {
	fresh_w >/dev/null &&
	exit4 "$T/rl.err" env PGDATABASE=w TMPDIR="$T/ro" "$LOAD" -q "$T/lnew" && says "$T/rl.err" &&
	is "$(wsum w)" "$BEFORE"
}
ok "read-only TMPDIR for the loader: exit 4, message, the warehouse unchanged" r_l
umount "$T/ro" && MOUNTS=${MOUNTS/"$T/ro "/}

# a 0555 directory and a user whom modes bind
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/ro555" && cp -r "$T/ref/told" "$T/ro555/out" && chmod 644 "$T/ro555/out"/* &&
		chown -R nobody "$T/ro555" && chmod 555 "$T/ro555" "$T/ro555/out" && chmod 644 "$T/big.ndjson.gz"
	r_555() {
		exit4 "$T/r5.err" runuser -u nobody -- "$TRANSFORM" -q -o "$T/ro555/out" "$T/big.ndjson.gz" &&
		contains "$T/r5.err" "Permission denied" && same_dir "$T/ref/told" "$T/ro555/out"
	}
	ok "0555 directory, non-root user, transform -o DIR: exit 4, Permission denied, every old table intact" r_555
else
	skip "no user nobody, or not root: the 0555 case needs both"
fi

# ==== what a finished run creates is private, whatever the umask ==============
# modes UMASK: the extract's archive, the transform's directory (made with
# its parents) and tables, under UMASK: no group or world bit anywhere
modes() {
	rm -rf "$T/m$1" && mkdir -m 700 "$T/m$1" &&
	( umask "$1" && xr "$T/m$1/a.ndjson.gz" TMPDIR="$T/m$1" && "$TRANSFORM" -q -o "$T/m$1/new/out" "$T/m$1/a.ndjson.gz" ) &&
	ls "$T/m$1/new/out/summary.json" >/dev/null && private "$T/m$1"
}
ok "umask 022: the archive, the new output directories and every table are private" modes 022
ok "umask 000: the same" modes 000

# ==== SIGKILL at random moments ================================================
# kill_at MS CMD...: start CMD in the background, SIGKILL it after MS
# milliseconds; 0 when it was killed, 1 when it had finished first
kill_at() {
	_ms=$1; shift
	"$@" 2>/dev/null &
	_pid=$!
	sleep "$(printf '%d.%03d' $((_ms / 1000)) $((_ms % 1000)))"
	if kill -KILL "$_pid" 2>/dev/null; then wait "$_pid" 2>/dev/null || true; return 0; fi
	wait "$_pid" 2>/dev/null || true
	return 1
}
# the kill moments are drawn from [0, 1.5 × the reference run's time]: a
# replay needs the seed and those times
REPLAY="FAULT_SEED=$SEED FAULT_RUNS=$RUNS FAULT_XDUR=$XDUR FAULT_TDUR=$TDUR FAULT_LDUR=$LDUR"
echo "# replay: $REPLAY make check TESTS=tests/cli/faults.sh"
fails_at() { echo "run $1 (umask $2, SIGKILL after $3 ms; replay: $REPLAY): $4"; }

# ---- the extract
killed=0 finished=0 old=0 new=0 bad="" priv="" named="" alive=""
mkdir -p "$T/kx"
for i in $(seq 1 "$RUNS"); do
	rm -rf "$T/kx" "$T/kxtmp"; mkdir -p "$T/kx" "$T/kxtmp"; chmod 700 "$T/kx" "$T/kxtmp"
	cp "$T/ref/old.ndjson.gz" "$T/kx/a.ndjson.gz"
	pick_umask; ms=$((RANDOM % (XDUR * 3 / 2 + 1)))
	if (umask "$um"; kill_at "$ms" xr_exec "$T/kx/a.ndjson.gz" TMPDIR="$T/kxtmp"); then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	if pgrep -f -- "-o $T/kx/a.ndjson.gz" >/dev/null; then alive="$alive$(fails_at "$i" "$um" "$ms" "the extract still runs after its SIGKILL")
"; fi
	if cmp -s "$T/ref/old.ndjson.gz" "$T/kx/a.ndjson.gz"; then old=$((old + 1))
	elif norm "$T/kx/a.ndjson.gz" 2>/dev/null | cmp -s - "$T/ref/new.norm"; then new=$((new + 1))
	else bad="$bad$(fails_at "$i" "$um" "$ms" "the archive is neither the old one nor a complete new one")
"; fi
	# the test's own copies are 0600 in 0700 directories: any bit is the extract's
	private "$T/kx" "$T/kxtmp" >"$T/pv.out" || priv="$priv$(fails_at "$i" "$um" "$ms" "$(cat "$T/pv.out")")
"
	KEEP=a.ndjson.gz
	leftovers_named "$T/kx" "$T/kxtmp" >"$T/ln.out" 2>&1 || named="$named$(fails_at "$i" "$um" "$ms" "$(cat "$T/ln.out")")
"
	KEEP=
done
echo "# extract: $RUNS runs of about $XDUR ms: $killed killed ($finished had finished); afterwards $old old archives, $new complete new ones"
ok "SIGKILL of the extract: the extract itself is killed, nothing of it runs on" none "$alive"
ok "SIGKILL of the extract, $RUNS runs: the old archive or a complete new one, never a half" none "$bad"
ok "SIGKILL of the extract: the output and whatever was left are private" none "$priv"
ok "SIGKILL of the extract: whatever was left is of a kind the docs name" none "$named"

# ---- the transform
killed=0 finished=0 bad="" priv="" named="" mixed=0 allold=0 allnew=0 between=0
for i in $(seq 1 "$RUNS"); do
	rm -rf "$T/kt"; cp -r "$T/ref/told" "$T/kt"; chmod 700 "$T/kt"
	pick_umask; ms=$((RANDOM % (TDUR * 3 / 2 + 1)))
	if (umask "$um"; kill_at "$ms" "$TRANSFORM" -q -o "$T/kt" "$T/big.ndjson.gz"); then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	# the transform removes the old summary.json first and renames the new
	# one last: a directory without one is between the two, and the loader
	# refuses it; with one, it is all old or all new
	no=0 nn=0
	for f in $TABLE_FILES; do
		if [ "$f" = summary.json ] && [ ! -e "$T/kt/$f" ]; then :
		elif cmp -s "$T/ref/told/$f" "$T/ref/tnew/$f" && cmp -s "$T/ref/told/$f" "$T/kt/$f"; then :	# the same in both (an empty rejects file)
		elif cmp -s "$T/ref/told/$f" "$T/kt/$f"; then no=$((no + 1))
		elif cmp -s "$T/ref/tnew/$f" "$T/kt/$f"; then nn=$((nn + 1))
		else bad="$bad$(fails_at "$i" "$um" "$ms" "$f is neither the old table nor the complete new one")
"; fi
	done
	if [ ! -e "$T/kt/summary.json" ]; then
		between=$((between + 1))
		[ "$no" -gt 0 ] && [ "$nn" -gt 0 ] && mixed=$((mixed + 1))
		rc=0; "$LOAD" --print-sql "$T/kt" >/dev/null 2>"$T/kt.err" || rc=$?	# (set -e: its exit 3 is the point)
		[ "$rc" = 3 ] && grep -q "no summary.json" "$T/kt.err" || bad="$bad$(fails_at "$i" "$um" "$ms" "no summary.json, and the loader did not refuse the directory (exit $rc)")
"
	elif [ "$no" -gt 0 ] && [ "$nn" -gt 0 ]; then
		bad="$bad$(fails_at "$i" "$um" "$ms" "a summary.json beside a mix of old and new tables ($no old, $nn new)")
"
	elif [ "$nn" = 0 ]; then allold=$((allold + 1))
	else allnew=$((allnew + 1)); fi
	KEEP=$TABLE_FILES
	private "$T/kt" >"$T/pv.out" || priv="$priv$(fails_at "$i" "$um" "$ms" "$(cat "$T/pv.out")")
"
	leftovers_named "$T/kt" >"$T/ln.out" 2>&1 || named="$named$(fails_at "$i" "$um" "$ms" "$(cat "$T/ln.out")")
"
	KEEP=
done
echo "# transform: $RUNS runs of about $TDUR ms: $killed killed ($finished had finished); afterwards $allold all-old directories, $allnew all-new, $between between the two (no summary.json; $mixed of them with old and new tables): the loader refused each"
ok "SIGKILL of the transform, $RUNS runs: each file the old one or the complete new one, never a half; a summary.json only beside its own tables, else the loader refuses the directory" none "$bad"
ok "SIGKILL of the transform: new tables and whatever was left are private" none "$priv"
ok "SIGKILL of the transform: whatever was left is of a kind the docs name" none "$named"

# ---- the load
# idle_w: no session on database w any more (a killed loader's psql ends
# when its script pipe closes; its transaction is then rolled back)
idle_w() {
	for _i in $(seq 1 600); do
		[ "$(psql_q -At -c "select count(*) from pg_stat_activity where datname = 'w' and pid <> pg_backend_pid()")" = 0 ] && return 0
		sleep 0.05
	done
	echo "a session on w stayed 30 s"; return 1
}
killed=0 finished=0 wold=0 wnew=0 bad="" priv="" named=""
for i in $(seq 1 "$RUNS"); do
	fresh_w >/dev/null
	rm -rf "$T/kl"; mkdir -p "$T/kl"; chmod 700 "$T/kl"
	pick_umask; ms=$((RANDOM % (LDUR * 3 / 2 + 1)))
	if (umask "$um"; kill_at "$ms" env PGDATABASE=w TMPDIR="$T/kl" "$LOAD" -q "$T/lnew"); then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	idle_w || { bad="$bad$(fails_at "$i" "$um" "$ms" "a session stayed")
"; continue; }
	s=$(wsum w)
	if [ "$s" = "$BEFORE" ]; then wold=$((wold + 1))
	elif [ "$s" = "$AFTER" ]; then wnew=$((wnew + 1))
	else bad="$bad$(fails_at "$i" "$um" "$ms" "the warehouse is neither as before ($BEFORE) nor fully loaded ($AFTER): $s")
"; fi
	private "$T/kl" >"$T/pv.out" || priv="$priv$(fails_at "$i" "$um" "$ms" "$(cat "$T/pv.out")")
"
	leftovers_named "$T/kl" >"$T/ln.out" 2>&1 || named="$named$(fails_at "$i" "$um" "$ms" "$(cat "$T/ln.out")")
"
	has_name "$T/kl" '*' && echo "# load run $i left: $(cd "$T/kl" && find . -mindepth 1 | tr '\n' ' ')"
done
echo "# load: $RUNS runs of about $LDUR ms: $killed killed ($finished had finished); afterwards $wold warehouses as before, $wnew fully loaded"
ok "SIGKILL of the load, $RUNS runs: the warehouse as before or fully loaded, never between" none "$bad"
ok "SIGKILL of the load: whatever was left is private" none "$priv"
ok "SIGKILL of the load: whatever was left is of a kind the docs name" none "$named"

done_testing

#!/usr/bin/env bash
# instantly-load writes only what changed (issue 11), against a real
# PostgreSQL: unchanged rows are not rewritten (same ctid and xmin, no
# update in pg_stat), changed ones are, new ones inserted, gone ones deleted
# for complete listings only; the counts; an older archive never overwrites
# a newer one that left a row unchanged (complete and partial listings,
# --no-delete); deleted stays deleted; rows loaded before content_hash
# existed; the schema applied again keeps the hashes; a second load at the
# same time waits and then compares with what the first wrote; a failure
# changes nothing; exact values (a "\." line, NULL and '', U+0000) through
# the comparison, also when the file is converted to COPY text.
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_start
psql_q -c "create database w"
export PGDATABASE=w

C1=11111111-1111-4111-8111-111111111111
K1=9b6f458e-6dc5-4762-83d5-a528aedd2235
K2=22222222-0000-4000-8000-000000000002
# night NAME AT COMPLETE SPEC...: the archive $T/NAME.ndjson (tests/gen_archive.py:
# leads of campaign $CAMPAIGN, default K1, for client C1; SPEC is N or N=JSON,
# its personalization) and its transform $T/NAME, printed
night() { _n=$1; shift; python3 "$SRCDIR/tests/gen_archive.py" "$T/$_n.ndjson" "$@" && "$TRANSFORM" -q -o "$T/$_n" "$T/$_n.ndjson" && echo "$T/$_n"; }
q() { psql_q -At -c "$1"; }
lead() { echo "019f19e7-cbee-7984-a98a-$(printf %012d "$1")"; }
# rows: "lead-number:ctid:xmin" of every lead of K1
rows() { q "select right(instantly_lead_id::text, 2)::int || ':' || ctid || ':' || xmin from synced_leads where campaign_id = '$K1' order by 1"; }
row() { rows | grep "^$1:"; }
perso() { q "select coalesce(personalization, '<NULL>') from synced_leads where instantly_lead_id = '$(lead "$1")' and campaign_id = '${2:-$K1}'"; }
ext() { q "select to_char(extracted_at at time zone 'UTC', 'DD HH24') from synced_leads where instantly_lead_id = '$(lead "$1")' and campaign_id = '${2:-$K1}'"; }
report() { grep -Eq "synced_leads +$2 inserted +$3 updated +$4 unchanged +$5 deleted" "$1" || { cat "$1"; return 1; }; }
# stat: n_tup_ins n_tup_upd n_tup_del of synced_leads (the loader's session
# has ended; its statistics may take a moment to arrive)
stat() { q "select n_tup_ins || ' ' || n_tup_upd || ' ' || n_tup_del from pg_stat_user_tables where relname = 'synced_leads'"; }
stat_is() {	# stat_is "INS UPD DEL" +INS +UPD +DEL: the counters moved by exactly that
	read -r i0 u0 d0 <<<"$1"
	for _ in $(seq 50); do
		read -r i u d <<<"$(stat)"
		[ "$i" = $((i0 + $2)) ] && [ "$u" = $((u0 + $3)) ] && [ "$d" = $((d0 + $4)) ] && return 0
		sleep 0.1
	done
	echo "pg_stat_user_tables: $i $u $d, wanted +$2 +$3 +$4 on $1"; return 1
}

d1=$(night d1 2026-11-27T02:00:00.000Z 1 1 2 '3=""' 4 '5=null' 6)
for f in "$SRCDIR"/schemas/sql/[0-9]*.sql; do psql_q -f "$f"; done
q "insert into clients (id, name) values ('$C1', 'Client 1')" >/dev/null
q "insert into client_campaigns (client_id, campaign_id) values ('$C1', '$K1'), ('$C1', '$K2')" >/dev/null
# load_log LOG ARGS...: instantly-load ARGS, its messages in $T/LOG
load_log() { local log=$1; shift; "$LOAD" "$@" 2> "$T/$log"; }
first_load() { load_log r1b "$1" && test "$(q "select count(content_hash) from synced_leads")" = 6; }
ok "first load: 6 inserted, each with its content_hash" first_load "$d1"
ok "... the report" report "$T/r1b" 6 0 0 0
rows > "$T/rows1"
again() { "$LOAD" -q "$d1" && is "$(rows)" "$(cat "$T/rows1")"; }
ok "loading it again: nothing rewritten (ctid and xmin of every row as they were)" again

# ---- night 2: complete; 1 unchanged, 2 changed, 3 '' -> NULL, 4 gone, 5 NULL -> '', 6 unchanged, 7 new
d2=$(night d2 2026-11-28T02:00:00.000Z 1 1 '2="now set"' '3=null' '5=""' 6 7)
before=$(stat)
ok "night 2: exit 0" load_log r2 "$d2"
ok "... the report: 1 inserted, 3 updated, 2 unchanged, 1 deleted" report "$T/r2" 1 3 2 1
kept() { for i in "$@"; do is "$(row "$i")" "$(grep "^$i:" "$T/rows1")" || return 1; done; }
rewritten() { for i in "$@"; do [ "$(row "$i")" != "$(grep "^$i:" "$T/rows1")" ] || { echo "$i kept"; return 1; }; done; }
ok "... the unchanged rows (1, 6) not rewritten: same ctid and xmin" kept 1 6
ok "... the changed rows (2, 3, 5) rewritten" rewritten 2 3 5
ok "... pg_stat: 1 insert, 3 updates, 1 deletion, no more" stat_is "$before" 1 3 1
ok "... the values: NULL and '' exact, lead 4 gone, 7 there" is "$(perso 2)|$(perso 3)|$(perso 5)|$(q "select count(*) from synced_leads where instantly_lead_id = '$(lead 4)'")|$(q "select count(*) from synced_leads where instantly_lead_id = '$(lead 7)'")" "now set|<NULL>||0|1"
ok "... an unchanged row keeps its extracted_at (the listing's complete_at is the newer time)" \
	test "$(ext 1)|$(ext 2)|$(q "select to_char(complete_at at time zone 'UTC', 'DD HH24') from lead_listings")" = "27 02|28 02|28 02"

# ---- an older archive never overwrites what a newer one said, also unchanged
d15=$(night d15 2026-11-27T12:00:00.000Z 1 '1="older, other"' 2 '6="older, other"' 4)
ok "an older complete archive (between nights 1 and 2), rows 1 and 6 other than both: exit 0" "$LOAD" -q "$d15"
ok "... rows 1 and 6 as night 2 said (unchanged there), lead 4 still deleted" \
	test "$(perso 1)|$(perso 6)|$(perso 2)|$(q "select count(*) from synced_leads where instantly_lead_id = '$(lead 4)'")" = "<NULL>|<NULL>|now set|0"
night1_again() {
	load_log r1c "$1" && grep -Eq "synced_leads +0 inserted +0 updated +[0-9]+ unchanged +0 deleted" "$T/r1c" &&
		test "$(q "select count(*) from synced_leads where instantly_lead_id::text like '%000000000004'")" = 0
}
ok "night 1 again: nothing changes, deleted stays deleted" night1_again "$d1"

# partial listings set no watermark: their unchanged rows get the newer extracted_at
rows > "$T/rows2"
d3=$(night d3 2026-11-29T02:00:00.000Z 0 1 '2="now set"')
ok "night 3, partial (1 and 2 unchanged, the others not listed): exit 0, 2 unchanged" load_log r3 "$d3"
ok "... the report: 0 inserted, 0 updated, 2 unchanged, 0 deleted" report "$T/r3" 0 0 2 0
ok "... the unchanged rows of the partial listing carry its extracted_at; nothing deleted" \
	test "$(ext 1)|$(ext 2)|$(ext 6)|$(q "select count(*) from synced_leads where campaign_id = '$K1'")" = "29 02|29 02|27 02|6"
ok "... their content and loaded_at as they were" test "$(q "select count(*) from synced_leads where loaded_at > (select max(loaded_at) from synced_leads where instantly_lead_id = '$(lead 7)')")" = 0
d25=$(night d25 2026-11-28T12:00:00.000Z 0 '1="older, partial"' '2="older, partial"' '6="older, partial"')
ok "an older partial archive (between nights 2 and 3): exit 0" "$LOAD" -q "$d25"
ok "... rows 1 and 2 as night 3 said (unchanged there); row 6 (not in night 3) from it" \
	test "$(perso 1)|$(perso 2)|$(perso 6)" = "<NULL>|now set|older, partial"
# --no-delete: the listing sets no watermark either
d4=$(night d4 2026-11-30T02:00:00.000Z 1 1 '2="now set"')
no_delete() { load_log r4 --no-delete "$1" && grep -Eq "synced_leads +0 inserted +0 updated +2 unchanged +0 deleted" "$T/r4"; }
ok "night 4, complete but --no-delete: the unchanged rows carry its extracted_at, nothing deleted" no_delete "$d4"
ok "... extracted_at of 1 and 2 moved on" test "$(ext 1)|$(ext 2)|$(q "select count(*) from synced_leads where campaign_id = '$K1'")" = "30 02|30 02|6"
d35=$(night d35 2026-11-29T12:00:00.000Z 0 '1="older again"')
ok "... an older archive after it: exit 0" "$LOAD" -q "$d35"
ok "... it overwrites nothing" is "$(perso 1)" "<NULL>"

# ---- exact values through the comparison, the file converted to COPY text
# (a "\." line): the hashes of the other rows still match
tricky='"line1\nline2\r\n\\.\nafter a backslash-dot line, a \"quote\", a comma, \t a tab, \\\\ a backslash, \u00e9 and \ud83d\ude00"'
d5=$(night d5 2026-12-01T02:00:00.000Z 1 1 '2="now set"' "3=$tricky" '5="nul \u0000 here"' '6="older, partial"' 7)
ok "a \\. line and U+0000 in changed rows: the file goes in as COPY text; exit 0" load_log r5 "$d5"
ok "... the report: 2 updated (3, 5), 4 unchanged (1 2 6 7: their hashes match across the formats)" report "$T/r5" 0 2 4 0
exact() {
	python3 - "$(perso 3)" "$(perso 5)" <<'PY'
import sys
want3 = "line1\nline2\r\n\\.\nafter a backslash-dot line, a \"quote\", a comma, \t a tab, \\\\ a backslash, \u00e9 and \U0001F600"
assert sys.argv[1] == want3, repr(sys.argv[1])
assert sys.argv[2] == "nul \ufffd here", repr(sys.argv[2])
PY
}
ok "... the values exact (\\. line, CR LF, tab, backslashes, unicode; U+0000 as U+FFFD)" exact
# unchanged6 LOG DIR: the load of DIR (its messages in $T/LOG) finds the 6 rows unchanged
unchanged6() { load_log "$1" "$2" && grep -Eq "synced_leads +0 inserted +0 updated +6 unchanged +0 deleted" "$T/$1"; }
load_again() { load_log r5b "$1"; grep -Eq "synced_leads +0 inserted +0 updated +6 unchanged +0 deleted" "$T/r5b"; }
ok "... loading it again (COPY text): nothing to do" load_again "$d5"
d6=$(night d6 2026-12-01T03:00:00.000Z 1 1 '2="now set"' "3=$tricky" '5="nul \u0000 here"' '6="older, partial"' 7)
ok "... a newer listing of the same rows: 6 unchanged" unchanged6 r6 "$d6"
"$TRANSFORM" -q -f text -o "$T/d6t" "$T/d6.ndjson"
ok "... the transform's own COPY text format: the same hashes, 6 unchanged" unchanged6 r6t "$T/d6t"

# ---- rows loaded before content_hash existed; the schema applied again
hashes() { q "select string_agg(instantly_lead_id || ' ' || content_hash, ',' order by instantly_lead_id) from synced_leads"; }
hashes > "$T/h1"
init_kept() {
	load_log r7 --init-schema "$1" && grep -Eq "synced_leads +0 inserted +0 updated +6 unchanged" "$T/r7" &&
		test "$(hashes)" = "$(cat "$T/h1")"
}
ok "--init-schema on the populated warehouse: the hashes kept, nothing rewritten" init_kept "$d6"
by_hand_kept() { psql_q -f "$SRCDIR/schemas/sql/02-tables.sql" && test "$(hashes)" = "$(cat "$T/h1")"; }
ok "... and schemas/sql/02-tables.sql applied by hand: the same" by_hand_kept
q "alter table synced_leads drop column content_hash" >/dev/null
no_hash_column() { load_log r8 "$1"; test $? -eq 5 && grep -q "no content_hash column.*--init-schema" "$T/r8"; }
ok "a warehouse of the release before (no content_hash): a load without --init-schema says what to do (exit 5)" no_hash_column "$d6"
init_hashes() {
	load_log r9 --init-schema "$1" && grep -Eq "synced_leads +0 inserted +6 updated +0 unchanged" "$T/r9" &&
		test "$(hashes)" = "$(cat "$T/h1")"
}
ok "... with --init-schema: its rows count as changed once and get their hash" init_hashes "$d6"
nothing_to_do() { "$LOAD" "$1" 2>&1 | grep -Eq "synced_leads +0 inserted +0 updated +6 unchanged"; }
ok "... then nothing to do" nothing_to_do "$d6"
q "update synced_leads set content_hash = null where instantly_lead_id = '$(lead 7)'" >/dev/null
one_hash_missing() { "$LOAD" "$1" 2>&1 | grep -Eq "synced_leads +0 inserted +1 updated +5 unchanged" && test "$(hashes)" = "$(cat "$T/h1")"; }
ok "a row without its hash (loaded before it, one row): rewritten once, the others not" one_hash_missing "$d6"

# ---- a failure late in the load changes nothing
dump() { for t in campaigns synced_leads lead_listings; do psql_q -At -c "select to_jsonb(x) - 'loaded_at' from $t x order by 1::text"; done; }
dump > "$T/dump.a"
d9=$(night d9 2026-12-02T02:00:00.000Z 1 1 '2="changed again"' 3 6 7 8 9)
sed -i '$s/"not_yet_emailed"/"sent-ish"/' "$d9/synced_leads.csv"
ok "a row the database refuses, the last of the file (a new lead): exit 5" exit_is 5 "$LOAD" -q "$d9"
nothing_changed() { dump > "$T/dump.b"; same_file "$T/dump.a" "$T/dump.b"; }
ok "... nothing changed (no update, no deletion, no listing)" nothing_changed
d10=$(night d10 2026-12-02T02:00:00.000Z 1 1 '2="changed again"' '3="changed too"')
sed -i '$s/"not_yet_emailed"/"sent-ish"/' "$d10/synced_leads.csv"	# lead 3, changed
refused_changed() { "$LOAD" -q "$1"; test $? -eq 5 && dump > "$T/dump.c" && same_file "$T/dump.a" "$T/dump.c"; }
ok "a changed row the database refuses, the last: exit 5, nothing changed" refused_changed "$d10"

# ---- a second load at the same time: waits for the first, then compares
# with what the first wrote. A session holds lead_listings, so load A stops
# mid-transaction (after its comparison and upserts); load B then waits for
# A's lock; both finish once the session goes.
block() {
	PGAPPNAME=blocker "$PGBIN/psql" -X -q -c "begin" -c "lock table lead_listings in share mode" \
		-c "select pg_sleep(60)" >/dev/null 2>&1 &
	bp=$!
	for _ in $(seq 250); do
		[ "$(q "select count(*) from pg_stat_activity where application_name = 'blocker' and query like '%pg_sleep%'")" = 1 ] && return 0
		sleep 0.02
	done
	echo "the blocking session did not start"; return 1
}
unblock() { q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'blocker'" >/dev/null 2>&1 || true; wait "$bp" 2>/dev/null || true; }
waiting() {	# waiting N: N sessions (not the blocker) wait for a lock (10 s at most)
	for _ in $(seq 500); do
		[ "$(q "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and application_name <> 'blocker'")" = "$1" ] && return 0
		sleep 0.02
	done
	echo "not $1 waiting: $(q "select string_agg(query, ' | ') from pg_stat_activity where wait_event_type = 'Lock'")"; return 1
}
dA=$(night dA 2026-12-03T02:00:00.000Z 1 1 '2="from A"' 3 6 7 10)
dB=$(night dB 2026-12-04T02:00:00.000Z 1 1 '2="from A"' '3="from B"' 6 10)
concurrent() {
	block || return 1
	"$LOAD" "$dA" 2> "$T/rA" &
	pa=$!
	waiting 1 || { unblock; wait $pa; return 1; }
	"$LOAD" "$dB" 2> "$T/rB" &
	pb=$!
	waiting 2 || { unblock; wait $pa $pb; return 1; }
	unblock
	wait $pa || { echo A; cat "$T/rA"; return 1; }
	wait $pb || { echo B; cat "$T/rB"; return 1; }
	# A: 2, 3 and 6 changed, 1 and 7 unchanged, 10 new, 5 gone; B, after
	# A: 1, 2, 6 and 10 unchanged, 3 changed, 7 gone
	report "$T/rA" 1 3 2 1 && report "$T/rB" 0 1 4 1 &&
		is "$(perso 2)|$(perso 3)|$(q "select string_agg(right(instantly_lead_id::text, 2), ' ' order by instantly_lead_id) from synced_leads where campaign_id = '$K1'")" "from A|from B|01 02 03 06 10"
}
ok "a second load while the first holds the lock: waits, then sees what the first wrote (its counts, the result)" concurrent

# ---- campaigns new to the warehouse still go straight in, with their hashes
dK2=$(CAMPAIGN=$K2 night dK2 2026-12-04T03:00:00.000Z 1 1 2 3)
new_campaign() {
	load_log rk -v "$1" && grep -q "1 of 1 campaigns new to the warehouse, 3 of 3 rows straight in" "$T/rk" &&
		test "$(q "select count(content_hash) from synced_leads where campaign_id = '$K2'")" = 3
}
ok "a new campaign: straight in (-v says so), hashed" new_campaign "$dK2"
known_campaign() {
	load_log rk2 -v "$1" && grep -q "1 campaigns known to the warehouse, 3 rows to compare" "$T/rk2" &&
		grep -Eq "synced_leads +0 inserted +0 updated +3 unchanged" "$T/rk2"
}
ok "... loaded again: compared, nothing to do" known_campaign "$dK2"

# ---- many rows: the loader hashes the second half of a large file in a
# thread of its own (src/load/split.c, hash_rows: from 4,096 rows). 3,000
# leads loaded (one thread), then the same 3,000 after 2,000 new ones: the
# thread hashes rows 2,501 to 5,000, i.e. 2,500 of the old leads, whose
# hashes must equal the first load's (personalizations with quotes and a
# line break: the CSV's doubled quotes and quoted newlines)
K3=33333333-0000-4000-8000-000000000003
q "insert into client_campaigns (client_id, campaign_id) values ('$C1', '$K3')" >/dev/null
specs() { local i; for i in $(seq "$1" "$2"); do printf '%s=%s\n' "$i" "\"said \\\"hi\\\", lead $i\\nbye\""; done; }
mapfile -t old_specs < <(specs 1 3000)
mapfile -t new_specs < <(specs 3001 5000)
dm1=$(CAMPAIGN=$K3 night dm1 2026-12-01T02:00:00.000Z 1 "${old_specs[@]}")
dm2=$(CAMPAIGN=$K3 night dm2 2026-12-02T02:00:00.000Z 1 "${new_specs[@]}" "${old_specs[@]}")
loads_as() { local log=$1 dir=$2; shift 2; load_log "$log" "$dir" && report "$T/$log" "$@"; }	# loads_as LOG DIR INS UPD UNCH DEL
ok "3,000 leads of a new campaign" loads_as rm1 "$dm1" 3000 0 0 0
ok "... 2,000 new leads, then the 3,000: the 3,000 unchanged (hashed in two threads, as in one)" \
	loads_as rm2 "$dm2" 2000 0 3000 0
ok "... loaded again: all 5,000 unchanged" loads_as rm3 "$dm2" 0 0 5000 0
ok "... a personalization as it was written" is "$(q "select personalization from synced_leads where campaign_id = '$K3'
	and instantly_lead_id = '$(lead 4321)'")" "said \"hi\", lead 4321
bye"

done_testing

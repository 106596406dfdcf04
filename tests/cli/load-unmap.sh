#!/usr/bin/env bash
# A campaign taken away from a client (issue 10, defect 4): after DELETE FROM
# client_campaigns of a pair, the client sees nothing of it at once (RLS),
# the other client and an operator see what they saw; the next load deletes
# the pair's rows from every data table and reports them per table, and
# leaves out the archive's rows of the pair; mapped again, the next load
# brings them back. An older warehouse's policies are upgraded by
# --init-schema at the end of the load, so the portal's reads go on.
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_warehouse

A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
B=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
KA1=a1a1a1a1-0000-4000-8000-000000000001
KA2=a2a2a2a2-0000-4000-8000-000000000002
KA3=a3a3a3a3-0000-4000-8000-000000000003
KB=b1b1b1b1-0000-4000-8000-000000000001
pg_client "$A" A "$KA1" "$KA2"
pg_client "$B" B "$KB"
# gen OUT LEADS CLIENT:CAMPAIGN...: per pair a campaign, LEADS leads, a day, an overview, a complete listing
cat > "$T/gen.py" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
lines = []
for pair in sys.argv[3:]:
    c, k = pair.split(":")
    def env(t, data, **kw):
        d = {"v": 1, "type": t, "client_id": c, "campaign_id": k, "extracted_at": "2026-12-01T02:00:00.000Z"}
        d.update(kw); d["data"] = data
        return json.dumps(d)
    lines.append(env("campaign", {"id": k, "name": "c " + k[:4], "status": 1}))
    lines += [env("lead", {"id": "019f19e7-cbee-7984-a98a-%012d" % i, "email": "l%d@example.com" % i}) for i in range(1, n + 1)]
    lines.append(env("analytics_daily", {"date": "2026-11-20", "sent": 10}, start_date="2026-08-29", end_date="2026-11-26"))
    lines.append(env("analytics_overview", {"emails_sent_count": 10}, start_date="2026-08-29", end_date="2026-11-26"))
    lines.append(env("leads_complete", {"leads": n, "pages": 1}))
open(out, "w").write("\n".join(lines) + "\n")
PY
python3 "$T/gen.py" "$T/a.ndjson" 2 "$A:$KA1" "$A:$KA2" "$B:$KB"
"$TRANSFORM" -q -o "$T/d" "$T/a.ndjson"

DATA="campaigns synced_leads campaign_analytics campaign_analytics_overview lead_listings"
# rows ROLE CLAIMS [WHERE]: what each data table shows, "n n n n n"
rows() {
	q="begin; set local role $1; select set_config('request.jwt.claims', \$c\$$2\$c\$, true);"
	for t in $DATA; do q="$q select count(*) from $t ${3:+where $3};"; done
	psql_q -At -c "$q commit;" | grep -v '^{' | tr '\n' ' ' | sed 's/ $//'
}
CA='{"client_id":"'$A'","user_role":"client"}'
CB='{"client_id":"'$B'","user_role":"client"}'
OP='{"user_role":"operator"}'
owner() { psql_q -At -c "select (select count(*) from campaigns where $1) || ' ' || (select count(*) from synced_leads where $1) || ' ' ||
	(select count(*) from campaign_analytics where $1) || ' ' || (select count(*) from campaign_analytics_overview where $1) || ' ' ||
	(select count(*) from lead_listings where $1)"; }

# load_logged LOG ARG...: instantly-load ARG..., its messages in LOG
load_logged() { _log=$1; shift; "$LOAD" "$@" 2> "$_log"; }
ok "first load: exit 0" load_logged "$T/r1" "$T/d"
ok "... client A sees its two campaigns (campaigns leads daily overview listings)" is "$(rows authenticated "$CA")" "2 4 2 2 2"

psql_q -c "delete from client_campaigns where client_id = '$A' and campaign_id = '$KA2'"
ok "KA2 unmapped: client A at once sees nothing of it, in every table" is "$(rows authenticated "$CA" "campaign_id = '$KA2'")" "0 0 0 0 0"
ok "... and the rest of its rows" is "$(rows authenticated "$CA")" "1 2 1 1 1"
ok "... client B unchanged" is "$(rows authenticated "$CB")" "1 2 1 1 1"
ok "... an operator sees every row, KA2's too" is "$(rows authenticated "$OP")" "3 6 3 3 3"
ok "... the rows are still there until the next load" is "$(owner "campaign_id = '$KA2'")" "1 2 1 1 1"

ok "the next load: exit 0" load_logged "$T/r2" "$T/d"
report() {	# report FILE TABLE "INS UPD UNCH DEL [UNMAPPED]"
	# shellcheck disable=SC2086 # $3 is split on purpose: "INS UPD UNCH DEL [UNMAPPED]"
	set -- "$1" "$2" $3
	re="$2 +$3 inserted +$4 updated +$5 unchanged +$6 deleted"
	[ -n "${7:-}" ] && re="$re +$7 not mapped" || re="$re\$"
	grep -Eq "instantly-load: $re" "$1" || { echo "no /$re/ in:"; cat "$1"; return 1; }
}
ok "... KA2's rows deleted and counted: campaigns 1" report "$T/r2" campaigns "0 0 2 1 1"
ok "... synced_leads 2" report "$T/r2" synced_leads "0 0 4 2 2"
ok "... campaign_analytics 1" report "$T/r2" campaign_analytics "0 0 2 1 1"
ok "... campaign_analytics_overview 1" report "$T/r2" campaign_analytics_overview "0 0 2 1 1"
ok "... lead_listings 1" report "$T/r2" lead_listings "0 0 0 1"
total_and_warning() {
	contains "$T/r2" "loaded 5 tables in one transaction: 0 rows inserted, 0 updated, 10 unchanged, 6 deleted" &&
	contains "$T/r2" "warning: 5 rows of campaigns that client_campaigns does not map to their client were not loaded"
}
ok "... the total and a warning" total_and_warning
ok "... gone from every table" is "$(owner "campaign_id = '$KA2'")" "0 0 0 0 0"
ok "... the others as they were (operator)" is "$(rows authenticated "$OP")" "2 4 2 2 2"
# (the loads below are judged by what they report, whatever their status)
load_again() {
	load_logged "$T/r3" "$T/d"
	grep -Eq "synced_leads +0 inserted +0 updated +4 unchanged +0 deleted +2 not mapped" "$T/r3" && ! grep -q lead_listings "$T/r3"
}
ok "a load again: nothing more deleted, KA2's rows still left out" load_again

psql_q -c "insert into client_campaigns values ('$A', '$KA2')"
brought_back() { load_logged "$T/r4" "$T/d"; grep -Eq "synced_leads +2 inserted +0 updated +4 unchanged +0 deleted$" "$T/r4"; }
ok "KA2 mapped again: the next load brings it back" brought_back
ok "... client A sees it again, everywhere" is "$(rows authenticated "$CA" "campaign_id = '$KA2'")" "1 2 1 1 1"

psql_q -c "delete from client_campaigns where client_id = '$A' and campaign_id = '$KA2'"
no_delete_unmapped() {
	load_logged "$T/r5" --no-delete "$T/d"
	grep -Eq "synced_leads +0 inserted +0 updated +4 unchanged +2 deleted +2 not mapped" "$T/r5"
}
ok "--no-delete keeps leads of listings, not the rows of an unmapped pair" no_delete_unmapped

# a campaign new to the warehouse but not mapped: not \copy'd straight in
python3 "$T/gen.py" "$T/n.ndjson" 3 "$A:$KA3"
"$TRANSFORM" -q -o "$T/dn" "$T/n.ndjson"
new_unmapped() {
	load_logged "$T/r6" -v "$T/dn"
	grep -Eq "synced_leads +0 inserted +0 updated +0 unchanged +0 deleted +3 not mapped" "$T/r6" &&
		grep -q "0 of 1 campaigns new to the warehouse" "$T/r6"
}
ok "an unmapped campaign new to the warehouse: nothing inserted, nothing deleted, 3 leads not mapped" new_unmapped
ok "... no row of it anywhere" is "$(owner "campaign_id = '$KA3'")" "0 0 0 0 0"

# ---- --init-schema on a warehouse with an older release's policies: they
# are upgraded at the end of the load, and the portal reads during it
psql_q -c "create database old"
for f in "$SRCDIR"/schemas/sql/0[12]-*.sql; do psql_q -d old -f "$f"; done
psql_q -d old -f "$SRCDIR/tests/data/rls-0.1.0.sql"
psql_q -d old -c "insert into clients (id, name) values ('$A', 'A'), ('$B', 'B')" \
	-c "insert into client_campaigns values ('$A', '$KA1'), ('$B', '$KB')" \
	-c "insert into lead_listings (client_id, campaign_id, complete_at) values ('$A', '$KA1', '2026-01-01'), ('$B', '$KB', '2026-01-01')"
# (known campaigns: every lead goes through staging, the longer part of a load)
python3 "$T/gen.py" "$T/big.ndjson" 20000 "$A:$KA1" "$B:$KB"
"$TRANSFORM" -q -o "$T/big" "$T/big.ndjson"
# the order in the load's script: every statement on staging (the upserts,
# the deletions, the portal's rollups) before the policies' upgrade, which
# locks its tables against readers until the COMMIT
lock_last() {
	local r s
	PGDATABASE=old "$LOAD" -q --print-sql --init-schema "$T/big" > "$T/big.sql" || return 1
	r=$(grep -n -F -e '-- instantly-etl warehouse schema, part 3 of 4' "$T/big.sql" | cut -d: -f1)
	s=$(grep -n 'ie_stage' "$T/big.sql" | tail -n 1 | cut -d: -f1)
	{ [ -n "$r" ] && [ -n "$s" ] && [ "$s" -lt "$r" ]; } || { echo "the last statement on staging at line ${s:-none}, the policies at ${r:-none}"; return 1; }
}
ok "--init-schema: the policies' upgrade after every statement on staging (the rollups' refresh too)" lock_last
upgraded() {	# sample the load's locks while its statements on staging run
	PGDATABASE=old "$LOAD" -q --init-schema "$T/big" & lp=$!
	seen=0 held=0
	while kill -0 "$lp" 2>/dev/null; do
		s=$(psql_q -d old -At -c "select count(distinct a.pid) || ' ' || count(l.pid) from pg_stat_activity a
			left join pg_locks l on l.pid = a.pid and l.mode = 'AccessExclusiveLock' and l.granted
				and l.relation in (select oid from pg_class where relname in ('campaigns', 'synced_leads', 'campaign_analytics',
					'campaign_analytics_overview', 'lead_listings'))
			where a.query like '%ie_stage%' and a.pid <> pg_backend_pid()")
		# shellcheck disable=SC2086 # split on purpose: the query's two counts
		set -- $s
		seen=$((seen + $1)) held=$((held + $2))
	done
	wait "$lp" || { echo "load failed"; return 1; }
	echo "samples during staging: $seen, with a table locked against readers: $held"
	[ "$seen" -gt 0 ] && [ "$held" = 0 ] &&
	is "$(psql_q -d old -At -c "select count(*) from pg_policy where obj_description(oid, 'pg_policy') like 'instantly-etl RLS v2%'")" 5
}
ok "--init-schema upgrades older policies at the end of the load: the portal's reads go on meanwhile" upgraded

done_testing

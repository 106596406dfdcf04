#!/usr/bin/env bash
# The portal's read interface (schemas/sql/04-portal.sql) on a real
# PostgreSQL server, loaded by instantly-load:
#   - the views exist with their columns, run with the caller's rights
#     (security_invoker) and are granted like the tables;
#   - the rollups equal a GROUP BY over synced_leads after every kind of
#     load (the operator's workspace rollup its sums over every client):
#     inserts, updates and deletions (complete listings), an older
#     archive reprocessed, a campaign unmapped, and a load that fails at its
#     COMMIT (nothing changes);
#   - through every view a client sees its rows only (and at once nothing
#     more of a campaign taken away), an operator every row, anon nothing;
#   - each view's typical query, as a client through RLS, is index scans of
#     that client's rows only (EXPLAIN (FORMAT JSON): no Seq Scan of a big
#     table; the scans' conditions hold client_id);
#   - the warehouse is ready to read when the load ends: vacuumed (a reader
#     dirties no page), analyzed after a large change only;
#   - an older warehouse is upgraded by --init-schema: rollups filled,
#     views made, the replaced indexes dropped.
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_warehouse
# no autovacuum: what the tables look like after a load is the loader's doing
psql_q -c "alter system set autovacuum = off" -c "select pg_reload_conf()" >/dev/null

A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
B=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
KA1=a1a1a1a1-0000-4000-8000-000000000001
KA2=a2a2a2a2-0000-4000-8000-000000000002
KB=b1b1b1b1-0000-4000-8000-000000000001
pg_client "$A" A "$KA1" "$KA2"
pg_client "$B" B "$KB"

# gen OUT NIGHT LEADS CLIENT:CAMPAIGN...: per pair a campaign, LEADS leads
# (statuses, interests, job titles, industries and sizes spread, some NULL),
# 3 days of analytics and a complete listing. Night 2 (a day later): every
# 4th lead has replied (positive), the last 3 leads are gone, 2 are new;
# "2b": night 2 again (same extracted_at) with 2 leads a pair changed.
cat > "$T/gen.py" <<'PY'
import json, sys
out, night, n = sys.argv[1], int(sys.argv[2].rstrip("b")), int(sys.argv[3])
tweak = sys.argv[2].endswith("b")	# "2b": night 2 with 2 leads of each pair changed, same extracted_at
ext = "2026-12-0%dT02:00:00.000Z" % night
titles = ["CEO", "CTO", "Directeur", None]
inds = ["Bouw", "Zorg", None]
sizes = ["1-10", "11-50", "51-200", None, 12]
lines = []
for pair in sys.argv[4:]:
    c, k = pair.split(":")
    def env(t, data, **kw):
        d = {"v": 1, "type": t, "client_id": c, "campaign_id": k, "extracted_at": ext}
        d.update(kw); d["data"] = data
        return json.dumps(d)
    lines.append(env("campaign", {"id": k, "name": "c " + k[:4], "status": 1}))
    ids = list(range(1, n + 1))
    if night == 2:
        ids = ids[:-3] + [n + 1, n + 2]
    for i in ids:
        x = {"id": "019f19e7-cbee-7984-a98a-%012d" % i, "status": 1,
             "email": ("changed%d@example.com" if tweak and i <= 2 else "l%d@example.com") % i,
             "email_reply_count": 1 if i % 5 == 0 else 0, "email_open_count": i % 3,
             "timestamp_updated": "2026-11-%02dT10:00:00.000Z" % (1 + i % 28),
             "timestamp_last_touch": "2026-11-%02dT%02d:00:00.000Z" % (1 + i % 28, i % 24)}
        if i % 7 == 0:
            x["status"] = -1
        if i % 4 == 1:
            x["lt_interest_status"] = [1, 0, -1][i % 3]
        if night == 2 and i % 4 == 0:
            x["email_reply_count"] = 1
            x["lt_interest_status"] = 2
        if titles[i % 4]:
            x["job_title"] = titles[i % 4]
        p = {}
        if inds[i % 3]:
            p["Branche"] = inds[i % 3]
        if sizes[i % 5] is not None:
            p["companySize"] = sizes[i % 5]
        x["payload"] = p
        lines.append(env("lead", x))
    for d in (1, 2, 3):
        lines.append(env("analytics_daily", {"date": "2026-11-%02d" % d, "sent": 10 * d + night, "opened": d,
                     "replies": 1, "clicks": 0, "opportunities": night}, start_date="2026-11-01", end_date="2026-11-03"))
    lines.append(env("leads_complete", {"leads": len(ids), "pages": 1}))
open(out, "w").write("\n".join(lines) + "\n")
PY
PAIRS=("$A:$KA1" "$A:$KA2" "$B:$KB")
python3 "$T/gen.py" "$T/n1.ndjson" 1 40 "${PAIRS[@]}"
python3 "$T/gen.py" "$T/n2.ndjson" 2 40 "${PAIRS[@]}"
"$TRANSFORM" -q -o "$T/d1" "$T/n1.ndjson"
"$TRANSFORM" -q -o "$T/d2" "$T/n2.ndjson"

# ---- the views
ok "the five views run with the caller's rights (security_invoker)" is "$(psql_q -At -c "select string_agg(relname, ' ' order by relname)
	from pg_class where relkind = 'v' and relname like 'portal%' and 'security_invoker=true' = any (reloptions)")" \
	"portal_daily portal_icp_counts portal_icp_workspace portal_lead_counts portal_leads"
has_cols() {	# has_cols VIEW COL...: the view has these columns
	v=$1; shift
	for c; do
		[ "$(psql_q -At -c "select count(*) from information_schema.columns where table_name = '$v' and column_name = '$c'")" = 1 ] ||
			{ echo "$v has no column $c"; return 1; }
	done
}
ok "portal_lead_counts: client_id campaign_id lead_status interest_status leads" \
	has_cols portal_lead_counts client_id campaign_id lead_status interest_status leads
ok "portal_icp_counts: client_id field value leads" has_cols portal_icp_counts client_id field value leads
ok "portal_icp_workspace: field value leads" has_cols portal_icp_workspace field value leads
ok "portal_daily: client_id date emails_sent opened replies clicked bounced opportunities" \
	has_cols portal_daily client_id date emails_sent opened replies clicked bounced opportunities
lead_list_cols() {	# every column of synced_leads but the loader's content_hash
	is "$(psql_q -At -c "select count(*) from information_schema.columns s
	where s.table_name = 'synced_leads' and s.column_name <> 'content_hash' and not exists (select from information_schema.columns v
	where v.table_name = 'portal_leads' and v.column_name = s.column_name)")" 0
}
ok "portal_leads: every column of synced_leads (but the loader's content_hash)" lead_list_cols
ok "anon and authenticated may SELECT the views and the rollups, nothing else" is "$(psql_q -At -c "select count(*) from
	unnest(array['portal_lead_counts', 'portal_icp_counts', 'portal_daily', 'portal_leads', 'portal_lead_rollup', 'portal_icp_rollup',
	 'portal_icp_workspace', 'portal_icp_workspace_rollup']) v,
	unnest(array['anon', 'authenticated']) r
	where has_table_privilege(r, v, 'SELECT') and not has_table_privilege(r, v, 'INSERT, UPDATE, DELETE, TRUNCATE')")" 16
refresh_as_client() {	# refresh_as_client SQL: the portal's role running SQL: refused by the rollups' grants
	local out
	out=$("$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -c "set role authenticated" -c "$1" 2>&1) &&
		{ echo "$1 ran as authenticated"; return 1; }
	case $out in *"permission denied for table portal_lead_rollup"*) ;; *) echo "$out"; return 1 ;; esac
}
ok "portal_refresh runs with its caller's rights: the portal's role changes nothing through it" \
	refresh_as_client "select portal_refresh(null, null)"
ok "... portal_refresh_changes too" refresh_as_client "create temp table c (client_id uuid, campaign_id uuid,
	lead_status text, interest_status text, job_title text, industry text, company_size text, n int);
	select portal_refresh_changes('{}', '{}', 'c')"
ok "the lead list indexes: (client_id, status | interest | nothing, timestamp_last_touch DESC NULLS LAST, instantly_lead_id)" is \
	"$(psql_q -At -c "select string_agg(regexp_replace(indexdef, '.*USING btree ', ''), ' ' order by indexname) from pg_indexes
	where indexname like 'synced_leads_%touch_idx'")" "(client_id, interest_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id) \
(client_id, lead_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id) (client_id, timestamp_last_touch DESC NULLS LAST, instantly_lead_id)"
ok "the rollups have RLS on and synced_leads' policy" is "$(psql_q -At -c "select count(*) from pg_class c join pg_policy p on p.polrelid = c.oid
	where c.relname in ('portal_lead_rollup', 'portal_icp_rollup') and c.relrowsecurity and pg_get_expr(p.polqual, p.polrelid) =
	(select pg_get_expr(polqual, polrelid) from pg_policy where polrelid = 'synced_leads'::regclass)")" 2
ok "the workspace rollup has RLS on and a policy for operators only" is "$(psql_q -At -c "select pg_get_expr(p.polqual, p.polrelid)
	from pg_class c join pg_policy p on p.polrelid = c.oid where c.relname = 'portal_icp_workspace_rollup' and c.relrowsecurity")" \
	"((( SELECT auth.jwt() AS jwt) ->> 'user_role'::text) = 'operator'::text)"
psql_q -At -c "select oid, relname from pg_class where relname like 'portal%' order by 2" > "$T/oids.1"
# applied_again: the schema files applied again, the portal's relations are
# those of $T/oids.1 (same oid, same name)
applied_again() {
	local f
	for f in "$SRCDIR"/schemas/sql/0*.sql; do
		"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -f "$f" 2>/dev/null || return 1
	done
	"$PGBIN/psql" -X -At -c "select oid, relname from pg_class where relname like 'portal%' order by 2" | cmp - "$T/oids.1"
}
ok "applied again: nothing replaced (same relations)" applied_again

# ---- the rollups follow every load
# same [DB]: the rollups hold exactly the GROUP BYs over synced_leads (as the owner)
same() {
	d=$(psql_q -d "${1:-w}" -At -c "select
	 (select count(*) from (select client_id, campaign_id, lead_status, interest_status, leads from portal_lead_rollup
	  except all select client_id, campaign_id, lead_status, interest_status, count(*) from synced_leads group by 1, 2, 3, 4) x)
	+ (select count(*) from (select client_id, campaign_id, lead_status, interest_status, count(*) from synced_leads group by 1, 2, 3, 4
	  except all select client_id, campaign_id, lead_status, interest_status, leads from portal_lead_rollup) x)
	+ (select count(*) from (select client_id, campaign_id, field, value, leads from portal_icp_rollup except all
	  select client_id, campaign_id, f, v, count(*) from synced_leads s cross join lateral (values ('job_title', job_title),
	   ('industry', industry), ('company_size', company_size)) x (f, v) group by 1, 2, 3, 4) x)
	+ (select count(*) from (select client_id, campaign_id, f, v, count(*) from synced_leads s cross join lateral
	  (values ('job_title', job_title), ('industry', industry), ('company_size', company_size)) x (f, v) group by 1, 2, 3, 4
	  except all select client_id, campaign_id, field, value, leads from portal_icp_rollup) x)
	+ (select count(*) from (select field, value, leads from portal_icp_workspace_rollup except all
	  select f, v, count(*) from synced_leads s cross join lateral (values ('job_title', job_title),
	   ('industry', industry), ('company_size', company_size)) x (f, v) group by 1, 2) x)
	+ (select count(*) from (select f, v, count(*) from synced_leads s cross join lateral (values ('job_title', job_title),
	   ('industry', industry), ('company_size', company_size)) x (f, v) group by 1, 2
	  except all select field, value, leads from portal_icp_workspace_rollup) x)")
	[ "$d" = 0 ] || { echo "$d rows differ"; return 1; }
}
# load_log LOG ARGS...: instantly-load ARGS, its messages in $T/LOG
load_log() { local log=$1; shift; "$LOAD" "$@" 2> "$T/$log"; }
# load_says LOG ERE ARGS...: load_log LOG ARGS..., and its messages match ERE
load_says() { local log=$1 ere=$2; shift 2; load_log "$log" "$@" && grep -Eq "$ere" "$T/$log"; }
rollup() { psql_q -At -c "select 'L', client_id, campaign_id, lead_status, interest_status, leads from portal_lead_rollup
	union all select 'I', client_id, campaign_id, field, value, leads from portal_icp_rollup
	union all select 'W', null, null, field, value, leads from portal_icp_workspace_rollup order by 1, 2, 3, 4, 5, 6"; }
ok "first load (campaigns new to the warehouse, \\copy straight in)" load_log r1 "$T/d1"
ok "... rollups = GROUP BY over synced_leads" same
ok "... 120 leads counted, NULL interests, titles, industries and sizes as groups of their own" is "$(psql_q -At -c "select
	(select sum(leads) from portal_lead_rollup), (select count(*) from portal_lead_rollup where interest_status is null) > 0,
	(select string_agg(field || ':' || sum, ' ' order by field) from (select field, sum(leads) from portal_icp_rollup
	 where value is null group by field) x)")" "120|t|company_size:24 industry:39 job_title:30"
rollup > "$T/rollup.1"
ok "night 2: updates, 9 leads deleted by complete listings, 6 new" \
	load_says r2 "synced_leads +6 inserted +[0-9]+ updated +[0-9]+ unchanged +9 deleted" "$T/d2"
ok "... rollups = GROUP BY over synced_leads" same
changed() { ! rollup | cmp -s - "$1"; }
unchanged() { rollup | same_file "$1" /dev/stdin; }
ok "... and they changed (replies counted)" changed "$T/rollup.1"
rollup > "$T/rollup.2"
ok "night 1 reprocessed (an older archive): exit 0, nothing resurrected" load_log r3 "$T/d1"
ok "... rollups = GROUP BY over synced_leads" same
ok "... as after night 2" unchanged "$T/rollup.2"

# a load that fails at its COMMIT (after the rollups were changed):
# nothing changes, the rollups neither. The load must change a lead (a
# load that changes none leaves the rollups alone): one lead's status
# and title edited by hand (the rollups kept with it), which night 2
# loaded again puts back
psql_q <<'SQL'
update synced_leads set lead_status = case lead_status when 'replied' then 'emailed' else 'replied' end,
	job_title = 'edited by hand', content_hash = 0
	where (client_id, campaign_id, instantly_lead_id) = (select client_id, campaign_id, instantly_lead_id
		from synced_leads order by 1, 2, 3 limit 1);
select portal_refresh();
create function fail_at_commit() returns trigger language plpgsql as $$ begin raise exception 'refused at commit'; end $$;
create constraint trigger fail_at_commit after insert or delete on portal_lead_rollup deferrable initially deferred
	for each row execute function fail_at_commit();
SQL
rollup > "$T/rollup.h"
ok "a load that fails at its COMMIT: exit 5" exit_is 5 "$LOAD" -q "$T/d2"
ok "... the rollups as before" unchanged "$T/rollup.h"
ok "... = GROUP BY over synced_leads" same
psql_q -c "drop trigger fail_at_commit on portal_lead_rollup" -c "drop function fail_at_commit()"
# where each pair's rollup rows lie: a night rewrites the rows of the
# pairs whose leads it changed, and no other
rollup_at() { psql_q -At -c "select campaign_id, ctid from portal_lead_rollup union all
	select campaign_id, ctid from portal_icp_rollup order by 1, 2"; }
rollup_at > "$T/at.1"
edited=$(psql_q -At -c "select campaign_id from synced_leads where content_hash = 0")
ok "... loaded again: the lead put back (1 updated), its rollups with it (as after night 2)" \
	load_says rh "synced_leads +0 inserted +1 updated" "$T/d2"
ok "... as after night 2" unchanged "$T/rollup.2"
rewritten_only() {	# rewritten_only BEFORE CAMPAIGN: the rollup rows of CAMPAIGN moved, every other one where it was
	local now
	now=$(rollup_at)
	same_file <(grep -v "^$2|" "$1") <(printf '%s\n' "$now" | grep -v "^$2|") &&
	test -z "$(comm -12 <(grep "^$2|" "$1") <(printf '%s\n' "$now" | grep "^$2|"))"
}
ok "... only the rollup rows of that lead's pair rewritten" rewritten_only "$T/at.1" "$edited"
# load_then LOG ERE DIR CHECK...: load_says LOG ERE DIR, then CHECK...
load_then() { local log=$1 ere=$2 dir=$3; shift 3; load_says "$log" "$ere" "$dir" && "$@"; }
all_at() { rollup_at; psql_q -At -c "select 'workspace', ctid from portal_icp_workspace_rollup order by 2"; }
unmoved() { all_at | same_file "$1" /dev/stdin; }	# unmoved BEFORE: every rollup row where it was, the workspace's too
all_at > "$T/at.2"
ok "a load that changes nothing rewrites no rollup row (nor the workspace's)" \
	load_then rn "synced_leads +0 inserted +0 updated" "$T/d2" unmoved "$T/at.2"

# rollups that were not kept with synced_leads (a pair's rows deleted by
# hand): a change of that pair would take its sums below zero; the pair is
# counted again instead
psql_q <<'SQL'
update synced_leads set lead_status = case lead_status when 'replied' then 'emailed' else 'replied' end, content_hash = 0
	where (client_id, campaign_id, instantly_lead_id) = (select client_id, campaign_id, instantly_lead_id
		from synced_leads order by 1, 2, 3 limit 1);
delete from portal_lead_rollup where campaign_id = (select campaign_id from synced_leads where content_hash = 0);
delete from portal_icp_rollup where campaign_id = (select campaign_id from synced_leads where content_hash = 0);
SQL
ok "rollups missing a pair's rows: the load that changes one of its leads counts the pair again (= GROUP BY)" \
	load_then rb "synced_leads +0 inserted +1 updated" "$T/d2" same
# a warehouse whose portal part is of its first release: no
# portal_refresh_changes(), every pair loaded counted again
psql_q <<'SQL'
update synced_leads set job_title = 'edited by hand', content_hash = 0
	where (client_id, campaign_id, instantly_lead_id) = (select client_id, campaign_id, instantly_lead_id
		from synced_leads order by 1, 2, 3 limit 1);
drop function portal_refresh_changes(uuid[], uuid[], regclass);
SQL
ok "a portal of the first release (no portal_refresh_changes): each pair loaded counted again (= GROUP BY)" \
	load_then ro "synced_leads +0 inserted +1 updated" "$T/d2" same
psql_q -f "$SRCDIR/schemas/sql/04-portal.sql"

# ---- who sees what through the views
CA='{"client_id":"'$A'","user_role":"client"}'
CB='{"client_id":"'$B'","user_role":"client"}'
OP='{"user_role":"operator"}'
views() {	# views ROLE CLAIMS: "leads icp_leads daily_rows lead_rows clients" through the four views
	psql_q -At -c "begin" -c "set local role $1" -c "select set_config('request.jwt.claims', \$c\$$2\$c\$, true)" -c "select
		(select coalesce(sum(leads), 0) from portal_lead_counts) || ' ' ||
		(select coalesce(sum(leads), 0) from portal_icp_counts where field = 'industry') || ' ' ||
		(select count(*) from portal_daily) || ' ' || (select count(*) from portal_leads) || ' ' ||
		(select count(distinct c) from (select client_id from portal_lead_counts union all select client_id from portal_icp_counts
		 union all select client_id from portal_daily union all select client_id from portal_leads) x (c))" -c "commit" |
		grep -v '^{' | grep -v '^$'
}
ok "client A sees its 2 campaigns' rows only, in every view (leads icp daily list clients)" is "$(views authenticated "$CA")" "78 78 3 78 1"
ok "client B its 1 campaign's" is "$(views authenticated "$CB")" "39 39 3 39 1"
ok "an operator every row" is "$(views authenticated "$OP")" "117 117 6 117 2"
ok "anon nothing" is "$(views anon "$CA")" "0 0 0 0 0"
workspace() {	# workspace ROLE CLAIMS: "leads of the industry field" through portal_icp_workspace
	psql_q -At -c "begin" -c "set local role $1" -c "select set_config('request.jwt.claims', \$c\$$2\$c\$, true)" \
		-c "select coalesce(sum(leads), 0) from portal_icp_workspace where field = 'industry'" -c "commit" | grep -v '^{' | grep -v '^$'
}
ok "portal_icp_workspace: an operator sees the workspace's counts" is "$(workspace authenticated "$OP")" 117
ok "... a client nothing (its counts are in portal_icp_counts), anon nothing" is \
	"$(workspace authenticated "$CA") $(workspace anon "$OP") $(workspace authenticated '')" "0 0 0"
ok "no claims: nothing" is "$(views authenticated '')" "0 0 0 0 0"
ok "portal_daily sums the client's campaigns" is "$(psql_q -At -c "begin" -c "set local role authenticated" \
	-c "select set_config('request.jwt.claims', '$CA', true)" -c "select emails_sent || ' ' || opened || ' ' || opportunities ||
	' ' || (bounced is null) from portal_daily where date = '2026-11-02'" -c "commit" | grep -v '^{')" "44 4 4 true"
psql_q -c "delete from client_campaigns where client_id = '$A' and campaign_id = '$KA2'"
ok "KA2 unmapped: client A at once sees nothing of it through the views" is "$(views authenticated "$CA")" "39 39 3 39 1"
ok "... the operator still sees its rows until the next load" is "$(views authenticated "$OP")" "117 117 6 117 2"
ok "the next load removes them" load_log r4 "$T/d2"
ok "... rollups = GROUP BY" same
ok "... no rollup row of KA2 left" is "$(psql_q -At -c "select count(*) from portal_lead_rollup where campaign_id = '$KA2'")" 0
psql_q -c "insert into client_campaigns values ('$A', '$KA2')"
ok "mapped again, loaded again: counted again" load_log r5 "$T/d2"
ok "... rollups = GROUP BY" same
ok "... client A sees it again" is "$(views authenticated "$CA")" "78 78 3 78 1"
# unmapped, and the next archive does not hold the pair at all
python3 "$T/gen.py" "$T/n3.ndjson" 2 40 "$A:$KA1" "$B:$KB"
"$TRANSFORM" -q -o "$T/d3" "$T/n3.ndjson"
psql_q -c "delete from client_campaigns where client_id = '$A' and campaign_id = '$KA2'"
ok "KA2 unmapped again, a load without it in the archive: its 39 leads deleted" \
	load_says r6 "synced_leads +0 inserted +0 updated +78 unchanged +39 deleted" "$T/d3"
ok "... rollups = GROUP BY (its pair recomputed all the same)" same
psql_q -c "insert into client_campaigns values ('$A', '$KA2')"
"$LOAD" -q "$T/d2"

# ---- ready to read when the load ends
ok "after the load: synced_leads vacuumed, all visible, no dead tuple" is "$(psql_q -At -c "select (v.last_vacuum is not null) || ' ' ||
	(c.relallvisible = c.relpages) || ' ' || v.n_dead_tup from pg_stat_user_tables v join pg_class c on c.oid = v.relid
	where v.relname = 'synced_leads'")" "true true 0"
# (a page already dirty is not counted as dirtied again: written out first;
# the catalogs read by planning first)
reader_writes_nothing() {	# after a checkpoint, counting synced_leads dirties no page
	"$PGBIN/psql" -X -q -c checkpoint &&
	! "$PGBIN/psql" -X -At -c "explain select count(*) from synced_leads" \
		-c "explain (analyze, buffers, costs off) select count(*) from synced_leads" | grep dirtied
}
ok "... the first reader writes nothing (no page dirtied: hint bits set)" reader_writes_nothing
analyzed() { psql_q -At -c "select coalesce(last_analyze::text, 'never') from pg_stat_user_tables where relname = 'synced_leads'"; }
a1=$(analyzed)
ok "... analyzed when more than a tenth changed (reltuples current)" test "$a1" != never
# not_analyzed_again ANALYZED DIR: instantly-load -q DIR, and synced_leads'
# last_analyze is still ANALYZED
not_analyzed_again() {
	"$LOAD" -q "$2" && test "$(
	"$PGBIN/psql" -X -At -c "select last_analyze from pg_stat_user_tables where relname = 'synced_leads'")" = "$1"
}
ok "a load that changes nothing: not analyzed again" not_analyzed_again "$a1" "$T/d2"
python3 "$T/gen.py" "$T/n2b.ndjson" 2b 40 "${PAIRS[@]}"
"$TRANSFORM" -q -o "$T/d2b" "$T/n2b.ndjson"
# vacuumed_not_analyzed ANALYZED LOG ERE DIR: load_says LOG ERE DIR, then
# synced_leads was vacuumed after its last_analyze, still ANALYZED
vacuumed_not_analyzed() {
	load_says "$2" "$3" "$4" && test "$(
	"$PGBIN/psql" -X -At -c "select last_analyze::text || (last_vacuum > last_analyze) from pg_stat_user_tables where relname = 'synced_leads'")" = "${1}true"
}
# neither_again ANALYZED VACUUMED LOG ERE DIR: load_says LOG ERE DIR, then
# synced_leads's last_analyze and last_vacuum are still ANALYZED, VACUUMED
neither_again() {
	load_says "$3" "$4" "$5" && test "$(
	"$PGBIN/psql" -X -At -c "select last_analyze || ' ' || last_vacuum from pg_stat_user_tables where relname = 'synced_leads'")" = "$1 $2"
}
v1=$(psql_q -At -c "select last_vacuum from pg_stat_user_tables where relname = 'synced_leads'")
ok "a load that changes 6 of 117 leads: neither vacuumed (dead rows a twentieth) nor analyzed again" \
	neither_again "$a1" "$v1" r7 "synced_leads +0 inserted +6 updated +111 unchanged" "$T/d2b"
ok "... rollups = GROUP BY" same
ok "... its 6 dead rows left" is "$(psql_q -At -c "select n_dead_tup from pg_stat_user_tables where relname = 'synced_leads'")" 6
ok "the next load that changes 6: 12 dead rows, over a tenth of 117: vacuumed, not analyzed again" \
	vacuumed_not_analyzed "$a1" r8 "synced_leads +0 inserted +6 updated +111 unchanged" "$T/d2"
ok "... no dead row left" is "$(psql_q -At -c "select n_dead_tup from pg_stat_user_tables where relname = 'synced_leads'")" 0
ok "... rollups = GROUP BY" same

psql_q -c "delete from clients where id = '$B'"
ok "a client deleted: its rollup rows go with its rows (rollups = GROUP BY, the workspace's too)" same

# ---- a first load writes a client's leads together, in (client, campaign) order
# (the planner's correlation for client_id about 1: the lead lists read in
# index order, not sorted, whatever its row estimate through the policies)
psql_q -c "create database ord"
for f in "$SRCDIR"/schemas/sql/0*.sql; do psql_q -d ord -f "$f"; done
psql_q -d ord -c "insert into clients (id, name) values ('$A', 'A'), ('$B', 'B')" \
	-c "insert into client_campaigns values ('$A', '$KA1'), ('$A', '$KA2'), ('$B', '$KB')"
# the archive lists the campaigns in another order: B's, then A's second, then A's first
python3 "$T/gen.py" "$T/ord.ndjson" 1 40 "$B:$KB" "$A:$KA2" "$A:$KA1"
"$TRANSFORM" -q -o "$T/dord" "$T/ord.ndjson"
ok "a first load of campaigns listed out of order" env PGDATABASE=ord "$LOAD" -q "$T/dord"
# (the planner's figure, from the loader's ANALYZE: 120 rows, all sampled;
# a tuple may fill a gap left on an earlier page, so not every row is in order)
ok "... the rows lie on disk in client_id and campaign_id order (the planner's correlation > 0.9)" is \
	"$(psql_q -d ord -At -c "select string_agg(attname || ' ' || (correlation > 0.9), ' ' order by attname) from pg_stats
	where tablename = 'synced_leads' and attname in ('client_id', 'campaign_id')")" "campaign_id true client_id true"
ok "... rollups = GROUP BY over synced_leads" same ord
# a row of such a campaign that breaks a CHECK: the \copy's message names its line, as a \copy straight in did
psql_q -c "create database ordbad"
for f in "$SRCDIR"/schemas/sql/0*.sql; do psql_q -d ordbad -f "$f"; done
psql_q -d ordbad -c "insert into clients (id, name) values ('$A', 'A'), ('$B', 'B')" \
	-c "insert into client_campaigns values ('$A', '$KA1'), ('$A', '$KA2'), ('$B', '$KB')"
cp -r "$T/dord" "$T/dbad"
sed -i -E '4s/"(emailed|not_yet_emailed|replied|bounced)"/"bogus"/' "$T/dbad/synced_leads.csv"
ok "a new campaign's lead with a lead_status the CHECK refuses: exit 5" exit_is 5 env PGDATABASE=ordbad "$LOAD" -q "$T/dbad"
# refused_named DIR: the load of DIR into ordbad names the CHECK and the
# line, and loads nothing
refused_named() {
	env PGDATABASE=ordbad "$LOAD" -q "$1" > "$T/refused.out" 2>&1
	contains "$T/refused.out" "lead_status_check" && contains "$T/refused.out" ", line 4: " &&
	is "$(psql_q -d ordbad -At -c "select count(*) from synced_leads")" 0
}
ok "... the message names the constraint and the file's line 4; nothing loaded" refused_named "$T/dbad"

# ---- the typical queries, as a client through RLS: index scans of its rows
psql_q -c "create database big"
for f in "$SRCDIR"/schemas/sql/0*.sql; do psql_q -d big -f "$f"; done
psql_q -d big <<'SQL'
insert into clients select ('aaaaaaaa-aaaa-4aaa-8aaa-' || lpad(i::text, 12, '0'))::uuid, 'c' || i from generate_series(1, 40) i;
insert into client_campaigns select c.id, gen_random_uuid() from clients c, generate_series(1, 3);
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, interest_status, job_title, industry,
		company_size, timestamp_last_touch, extracted_at)
	select m.client_id, m.campaign_id, gen_random_uuid(), (array['replied','bounced','emailed','not_yet_emailed'])[1 + i % 4],
		(array['positive','neutral','negative'])[1 + i % 3], 't' || i % 20, 'i' || i % 7, 's' || i % 5,
		now() - i * interval '1 hour', now()
	from client_campaigns m, generate_series(1, 300) i;
insert into campaign_analytics (client_id, campaign_id, date, emails_sent, extracted_at)
	select client_id, campaign_id, d, 5, now() from client_campaigns, generate_series('2026-06-01'::date, '2026-11-30', '1 day') d;
select portal_refresh();
vacuum analyze;
SQL
C7=aaaaaaaa-aaaa-4aaa-8aaa-000000000007
cat > "$T/plan.py" <<'PY'
import json, sys
# plan.py EXPLAIN_JSON [--index NAME] RELATION...: every scan of a listed
# relation is an index scan whose condition holds client_id; no Seq Scan of
# one; at least one scan; with --index, one of them reads index NAME.
args = sys.argv[2:]
want = None
if args[0] == "--index":
    want, args = args[1], args[2:]
plan, rels = json.load(open(sys.argv[1]))[0]["Plan"], set(args)
seen, bad, used = [], [], set()
def walk(n):
    used.add(n.get("Index Name"))
    rel = n.get("Relation Name")
    if rel in rels:
        seen.append(rel)
        if n["Node Type"] == "Seq Scan":
            bad.append("Seq Scan on " + rel)
        elif n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan"):
            cond = n.get("Index Cond", "") + n.get("Recheck Cond", "")
            if "client_id" not in cond:
                bad.append("%s on %s without client_id: %s" % (n["Node Type"], rel, cond))
        else:
            bad.append("%s on %s" % (n["Node Type"], rel))
    for c in n.get("Plans", []):
        walk(c)
walk(plan)
if want and want not in used:
    bad.append("no scan of " + want)
if bad or not seen:
    print("\n".join(bad) or "no scan of " + " ".join(rels))
    print(json.dumps(plan, indent=1)[:3000])
    sys.exit(1)
PY
indexed() {	# indexed QUERY RELATION...: as client 7 of big, through RLS, the plan reads RELATIONs by index, client_id in the condition
	q=$1; shift
	psql_q -d big -At -c "begin" -c "set local role authenticated" \
		-c "select set_config('request.jwt.claims', '{\"client_id\":\"$C7\",\"user_role\":\"client\"}', true)" \
		-c "explain (format json, costs off) $q" -c "commit" | sed -n '/^\[/,/^\]/p' > "$T/plan.json"
	python3 "$T/plan.py" "$T/plan.json" "$@"
}
ok "portal_lead_counts (the client's counts): index scan of its rollup rows" \
	indexed "select lead_status, interest_status, sum(leads) from portal_lead_counts group by 1, 2" portal_lead_rollup
ok "portal_icp_counts (the client's ICP fields): index scan of its rollup rows" \
	indexed "select field, value, leads from portal_icp_counts order by field, leads desc" portal_icp_rollup
ok "portal_daily (a month): index scan of its analytics rows" \
	indexed "select * from portal_daily where date between '2026-10-01' and '2026-10-31' order by date" campaign_analytics
for q in "lead_status = 'replied':status" "interest_status = 'positive':interest"; do
	ok "portal_leads by ${q#*:}, newest first, 50: index scan of its leads (synced_leads_${q#*:}_touch_idx)" \
		indexed "select * from portal_leads where ${q%:*} and client_id = '$C7'
		order by timestamp_last_touch desc nulls last, instantly_lead_id limit 50" --index "synced_leads_${q#*:}_touch_idx" synced_leads
done
ok "portal_leads all, newest first, 50: index scan of its leads" indexed "select * from portal_leads where client_id = '$C7'
	order by timestamp_last_touch desc nulls last, instantly_lead_id limit 50" synced_leads
workspace_plan() {	# the operator's workspace-wide ICP counts read the workspace rollup only
	psql_q -d big -At -c "begin" -c "set local role authenticated" -c "select set_config('request.jwt.claims', '$OP', true)" \
		-c "explain (costs off) select field, value, leads from portal_icp_workspace" -c "commit" > "$T/wplan" || return 1
	if ! grep -q "Scan on portal_icp_workspace_rollup" "$T/wplan" || grep -Eq "portal_icp_rollup|synced_leads" "$T/wplan"; then
		cat "$T/wplan"
		return 1
	fi
}
ok "portal_icp_workspace (an operator): a scan of the workspace rollup, not of the per-campaign rollup" workspace_plan
ok "portal_leads without client_id in the query: still an index scan of its leads only" \
	indexed "select * from portal_leads where lead_status = 'emailed' order by timestamp_last_touch desc nulls last limit 50" synced_leads

# ---- an older warehouse: --init-schema adds the portal in the load
psql_q -c "create database old"
psql_q -d old -f "$SRCDIR/schemas/sql/01-auth.sql"
# the release before: 02-tables.sql with (client, status) and (client, interest) indexes, and its policies
sed -e 's/synced_leads_status_touch_idx/synced_leads_status_idx/; s/synced_leads_interest_touch_idx/synced_leads_interest_idx/' \
	-e 's/(client_id, lead_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id)/(client_id, lead_status)/' \
	-e 's/(client_id, interest_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id)/(client_id, interest_status)/' \
	-e '/synced_leads_touch_idx/,+1d' "$SRCDIR/schemas/sql/02-tables.sql" | psql_q -d old
psql_q -d old -f "$SRCDIR/tests/data/rls-0.1.0.sql"
psql_q -d old -c "insert into clients (id, name) values ('$A', 'A'), ('$B', 'B')" \
	-c "insert into client_campaigns values ('$A', '$KA1'), ('$A', '$KA2'), ('$B', '$KB')"
# load_old ARGS...: instantly-load ARGS into the database old
load_old() { PGDATABASE=old "$LOAD" "$@"; }
ok "an older warehouse (no portal): a load without --init-schema works, no rollup" load_old -q "$T/d1" &&
	is "$(psql_q -d old -At -c "select to_regclass('portal_lead_rollup') is null")" t
ok "--init-schema: the portal added in the load" load_old -q --init-schema "$T/d2"
ok "... rollups = GROUP BY over synced_leads" same old
ok "... the views, the new indexes; the replaced ones dropped" is "$(psql_q -d old -At -c "select
	(select count(*) from pg_class where relkind = 'v' and relname like 'portal%'),
	(select string_agg(indexname, ' ' order by indexname) from pg_indexes where tablename = 'synced_leads')")" \
	"5|synced_leads_interest_touch_idx synced_leads_pkey synced_leads_portal_idx synced_leads_status_touch_idx synced_leads_touch_idx"
ok "... a client reads them" is "$(PGDATABASE=old views authenticated "$CB")" "39 39 3 39 1"
# a warehouse of the portal's first release (no workspace rollup): filled by the schema applied again
psql_q -d old -c "drop view portal_icp_workspace" -c "drop table portal_icp_workspace_rollup"
ok "a warehouse without the workspace rollup: the schema applied again creates and fills it" \
	psql_q -d old -c "set client_min_messages = warning" -f "$SRCDIR/schemas/sql/04-portal.sql"
ok "... = GROUP BY over synced_leads" same old

done_testing

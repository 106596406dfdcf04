#!/usr/bin/env bash
# The warehouse schema (schemas/sql/*.sql) on a real PostgreSQL server:
# it applies, and applies again without change; and its row-level security
# works as the portal's requests use it (SET LOCAL ROLE + request.jwt.claims):
# two clients, an operator and anon each see exactly their rows in every
# table, nobody but the owner writes, and a missing or malformed claim sees
# nothing without an error.
. "$(dirname "$0")/../lib.sh"
pg_start

SQL=$SRCDIR/schemas/sql
apply() { for f in "$SQL"/[0-9]*.sql; do psql_q -d "$1" -f "$f" || return 1; done; }
psql_q -c "create database w"
ok "schema applies to an empty database" apply w
psql_q -d w -At -c "select tablename, policyname from pg_policies order by 1" > "$T/policies.1"
ok "schema applies again (safe to re-apply)" apply w
psql_q -d w -At -c "select tablename, policyname from pg_policies order by 1" > "$T/policies.2"
# one_policy_each: the policies before and after the second apply are the same 10
one_policy_each() { same_file "$T/policies.1" "$T/policies.2" && is "$(wc -l < "$T/policies.2")" 10; }
ok "re-applying leaves one policy per table" one_policy_each

A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
B=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
KA=11111111-1111-4111-8111-111111111111
KB=22222222-2222-4222-8222-222222222222
# client A: 1 campaign, 3 leads, 2 days, 1 overview; client B: 1, 2, 1, 1
psql_q -d w <<SQL
insert into clients (id, name) values ('$A', 'Client A'), ('$B', 'Client B');
insert into client_campaigns values ('$A', '$KA'), ('$B', '$KB');
insert into campaigns (client_id, campaign_id, name, item, extracted_at) values
	('$A', '$KA', 'A1', '{}', now()), ('$B', '$KB', 'B1', '{}', now());
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, extracted_at)
	select '$A', '$KA', gen_random_uuid(), 'emailed', now() from generate_series(1, 3);
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, extracted_at)
	select '$B', '$KB', gen_random_uuid(), 'replied', now() from generate_series(1, 2);
insert into campaign_analytics (client_id, campaign_id, date, extracted_at) values
	('$A', '$KA', '2026-11-01', now()), ('$A', '$KA', '2026-11-02', now()), ('$B', '$KB', '2026-11-01', now());
insert into campaign_analytics_overview (client_id, campaign_id, start_date, end_date, extracted_at) values
	('$A', '$KA', '2026-09-01', '2026-11-29', now()), ('$B', '$KB', '2026-09-01', '2026-11-29', now());
insert into lead_listings (client_id, campaign_id, complete_at) values ('$A', '$KA', now()), ('$B', '$KB', now());
SQL

TABLES="clients client_campaigns campaigns synced_leads campaign_analytics campaign_analytics_overview lead_listings"
# counts ROLE CLAIMS: the rows each table shows to a request, as "n n n n n n"
counts() {
	q="begin; set local role $1;"
	[ -n "$2" ] && q="$q select set_config('request.jwt.claims', \$c\$$2\$c\$, true);"
	for t in $TABLES; do q="$q select count(*) from $t;"; done
	psql_q -d w -At -c "$q commit;" 2>&1 | grep -v '^{\|^\[\|^SET\|^BEGIN\|^COMMIT\|^$' | tr '\n' ' ' | sed 's/ $//' |
		grep -v '^set_config'
}
sees() {	# sees DESCRIPTION ROLE CLAIMS "EXPECTED COUNTS"
	got=$(counts "$2" "$3")
	ok "$1 (clients client_campaigns campaigns leads daily overview listings: $4)" test "$got" = "$4" || echo "# got: $got"
}
sees "client A sees its rows only" authenticated '{"client_id":"'$A'","user_role":"client","role":"authenticated"}' "1 1 1 3 2 1 1"
sees "client B sees its rows only" authenticated '{"client_id":"'$B'","user_role":"client"}' "1 1 1 2 1 1 1"
sees "an operator sees every row" authenticated '{"user_role":"operator"}' "2 2 2 5 3 2 2"
sees "anon sees nothing" anon '' "0 0 0 0 0 0 0"
sees "anon with a client's claims sees nothing" anon '{"client_id":"'$A'","user_role":"operator"}' "0 0 0 0 0 0 0"
sees "no claims: nothing" authenticated '' "0 0 0 0 0 0 0"
sees "claims that are not JSON: nothing, no error" authenticated '{"client_id":' "0 0 0 0 0 0 0"
sees "a client_id that is not a UUID: nothing, no error" authenticated '{"client_id":"'$A'x"}' "0 0 0 0 0 0 0"
sees "a client_id that is a number: nothing" authenticated '{"client_id":12}' "0 0 0 0 0 0 0"
sees "a claim with \\u0000 (jsonb refuses it): nothing, no error" authenticated '{"client_id":"\u0000"}' "0 0 0 0 0 0 0"
deep=$(printf '[%.0s' $(seq 20000))
sees "claims nested too deep for jsonb: nothing, no error" authenticated "$deep" "0 0 0 0 0 0 0"
sees "claims that are an array: nothing" authenticated '[{"client_id":"'$A'"}]' "0 0 0 0 0 0 0"
sees "user_role \"Operator\" is not operator" authenticated '{"user_role":"Operator"}' "0 0 0 0 0 0 0"
sees "an unknown client sees nothing" authenticated '{"client_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc"}' "0 0 0 0 0 0 0"

# nobody but the owner writes, not even an operator
denied() {	# denied SQL: as an operator, the statement fails with "permission denied"
	out=$(psql_q -d w -At -c "begin; set local role authenticated;
		select set_config('request.jwt.claims', '{\"user_role\":\"operator\",\"client_id\":\"$A\"}', true); $1; commit;" 2>&1)
	case $out in *"permission denied"*) return 0 ;; *) echo "$out"; return 1 ;; esac
}
for t in $TABLES; do
	col=client_id; [ "$t" = clients ] && col=id
	ok "$t: an operator cannot insert" denied "insert into $t ($col) values ('$A')"
	ok "$t: an operator cannot update" denied "update $t set $col = $col"
	ok "$t: an operator cannot delete" denied "delete from $t"
done
ok "rows unchanged after the attempts" test "$(counts authenticated '{"user_role":"operator"}')" = "2 2 2 5 3 2 2"

# the claim is read once per statement: an InitPlan, not a per-row call
# claims_initplan: as client A, the plan of a read of synced_leads has an InitPlan
claims_initplan() {
	psql_q -d w -At -c "begin; set local role authenticated;
		select set_config('request.jwt.claims', '{\"client_id\":\"$A\"}', true);
		explain select * from synced_leads; commit;" | grep -q "InitPlan"
}
ok "policies read the claims in an InitPlan" claims_initplan

# ---- a campaign taken away from a client: its access ends at once
KA2=33333333-3333-4333-8333-333333333333
psql_q -d w <<SQL
insert into client_campaigns values ('$A', '$KA2');
insert into campaigns (client_id, campaign_id, name, item, extracted_at) values ('$A', '$KA2', 'A2', '{}', now());
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, extracted_at)
	values ('$A', '$KA2', gen_random_uuid(), 'emailed', now());
insert into campaign_analytics (client_id, campaign_id, date, extracted_at) values ('$A', '$KA2', '2026-11-01', now());
insert into campaign_analytics_overview (client_id, campaign_id, start_date, end_date, extracted_at)
	values ('$A', '$KA2', '2026-09-01', '2026-11-29', now());
insert into lead_listings (client_id, campaign_id, complete_at) values ('$A', '$KA2', now());
SQL
CA='{"client_id":"'$A'","user_role":"client"}'
sees "client A with a second campaign mapped sees it" authenticated "$CA" "1 2 2 4 3 2 2"
psql_q -d w -c "delete from client_campaigns where client_id = '$A' and campaign_id = '$KA2'"
sees "its mapping deleted: client A at once sees nothing of it, in every table" authenticated "$CA" "1 1 1 3 2 1 1"
sees "... client B unchanged" authenticated '{"client_id":"'$B'","user_role":"client"}' "1 1 1 2 1 1 1"
sees "... an operator still sees every row" authenticated '{"user_role":"operator"}' "2 2 3 6 4 3 3"
psql_q -d w -c "insert into client_campaigns values ('$A', '$KA2')"
sees "mapped again: client A sees it again" authenticated "$CA" "1 2 2 4 3 2 2"

# ---- the policies of an older release are upgraded in place
psql_q -c "create database old"
for f in "$SQL"/0[12]-*.sql; do psql_q -d old -f "$f"; done
# the release before: client_id = claim OR operator, with RLS on
psql_q -d old -f "$SRCDIR/tests/data/rls-0.1.0.sql"
psql_q -d old <<SQL
insert into clients (id, name) values ('$A', 'Client A');
insert into campaigns (client_id, campaign_id, name, item, extracted_at) values ('$A', '$KA2', 'A2', '{}', now());
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, extracted_at)
	values ('$A', '$KA2', gen_random_uuid(), 'emailed', now());
SQL
counts_old() { psql_q -d old -At -c "begin; set local role authenticated; select set_config('request.jwt.claims', '$CA', true);
	select count(*) from campaigns; select count(*) from synced_leads; commit;" | grep -v '^{' | tr '\n' ' '; }
ok "the older policies: a client sees its unmapped campaign (the defect)" is "$(counts_old)" "1 1 "
# apply_rls DB: schemas/sql/03-*.sql (the policies) applied to DB
apply_rls() { local f; for f in "$SQL"/03-*.sql; do psql_q -d "$1" -f "$f" || return 1; done; }
ok "the schema applied again upgrades them" apply_rls old
ok "... the client now sees nothing of the unmapped campaign" is "$(counts_old)" "0 0 "
ok "... still one policy per table, the five data tables' of this version" is \
	"$(psql_q -d old -At -c "select count(*), count(*) filter (where obj_description(oid, 'pg_policy') like 'instantly-etl RLS v2%') from pg_policy")" "7|5"
# applied again while a reader holds its table: nothing to change, no lock waited for
reader() { PGAPPNAME=reader "$PGBIN/psql" -X -q -d old -c "begin" -c "lock table synced_leads, campaigns in access share mode" -c "select pg_sleep(20)" >/dev/null 2>&1; }
reapply() {
	reader & rp=$!
	for _ in $(seq 100); do
		[ "$(psql_q -d old -At -c "select count(*) from pg_stat_activity where application_name = 'reader' and query like '%pg_sleep%'")" = 1 ] && break
		sleep 0.05
	done
	PGOPTIONS="-c lock_timeout=500" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d old -f "$SQL/03-rls.sql"; rc=$?
	psql_q -d old -At -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'reader'" >/dev/null
	wait $rp || true
	return $rc
}
ok "... and applied once more, while a reader holds the tables: nothing waits (lock_timeout 500 ms)" reapply

# ---- the portal's queries, as a client through RLS, stay index-served
psql_q -c "create database big"
apply big
psql_q -d big <<'SQL'
insert into clients select ('aaaaaaaa-aaaa-4aaa-8aaa-' || lpad(i::text, 12, '0'))::uuid, 'c' || i from generate_series(1, 40) i;
insert into client_campaigns select c.id, gen_random_uuid() from clients c, generate_series(1, 3);
insert into campaigns (client_id, campaign_id, item, extracted_at) select client_id, campaign_id, '{}', now() from client_campaigns;
insert into synced_leads (client_id, campaign_id, instantly_lead_id, lead_status, interest_status, extracted_at)
	select m.client_id, m.campaign_id, gen_random_uuid(), (array['replied','bounced','emailed','not_yet_emailed'])[1 + i % 4],
		(array['positive','neutral','negative'])[1 + i % 3], now()
	from client_campaigns m, generate_series(1, 300) i;
insert into campaign_analytics (client_id, campaign_id, date, extracted_at)
	select client_id, campaign_id, d, now() from client_campaigns, generate_series('2026-06-01'::date, '2026-11-30', '1 day') d;
insert into campaign_analytics_overview (client_id, campaign_id, start_date, end_date, extracted_at)
	select client_id, campaign_id, d::date, d::date + 89, now() from client_campaigns, generate_series('2026-06-01'::date, '2026-11-30', '1 day') d;
analyze;
SQL
BIGA='{"client_id":"aaaaaaaa-aaaa-4aaa-8aaa-000000000007","user_role":"client"}'
plan() {	# plan QUERY: its EXPLAIN as client 7 of database big, through RLS
	psql_q -d big -At -c "begin" -c "set local role authenticated" -c "select set_config('request.jwt.claims', '$BIGA', true)" \
		-c "explain (costs off) $1" -c "commit" | grep -v '^{' | tee -a "$T/plans"
}
indexed() {	# indexed QUERY INDEX: the plan reads INDEX with client_id in its condition, no Seq Scan of the table
	p=$(plan "$1")
	case $p in *"Index"*" on $2"*) ;; *) echo "$p"; return 1 ;; esac
	{ echo "$p" | grep -q "Index Cond: ((client_id = ANY" && ! echo "$p" | grep -q "Seq Scan on ${2%%_*}"; } || { echo "$p"; return 1; }
}
ok "a client's lead list by status: index scan on synced_leads_status_touch_idx" \
	indexed "select * from synced_leads where lead_status = 'replied' order by timestamp_created desc limit 50" synced_leads_status_touch_idx
ok "a client's lead list by interest: index scan on synced_leads_interest_touch_idx" \
	indexed "select * from synced_leads where interest_status = 'positive' limit 50" synced_leads_interest_touch_idx
ok "a client's daily chart over a month: index scan on campaign_analytics_date_idx" \
	indexed "select date, sum(emails_sent) from campaign_analytics where date between '2026-10-01' and '2026-10-31' group by date" campaign_analytics_date_idx
ok "a client's overview windows: index scan on campaign_analytics_overview_window_idx" \
	indexed "select * from campaign_analytics_overview where end_date >= '2026-11-20'" campaign_analytics_overview_window_idx
# initplans_only: the plans shown above have an InitPlan and no SubPlan
initplans_only() { contains "$T/plans" InitPlan && lacks "$T/plans" SubPlan; }
ok "the claims and the client's mapped campaigns are InitPlans (once per statement)" initplans_only
[ -n "${RLS_PLANS:-}" ] && cp "$T/plans" "$RLS_PLANS"

# on a database that already has what Supabase provides, none of it changes
psql_q -c "create database supa"
psql_q -d supa <<'SQL'
create schema auth;
create function auth.jwt() returns jsonb language sql stable
	as $$ select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
			      nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
SQL
psql_q -d supa -At -c "select md5(prosrc) from pg_proc where proname = 'jwt'" > "$T/jwt.before"
ok "schema applies where auth.jwt() exists" apply supa
# jwt_unchanged: auth.jwt()'s text in database supa is what it was before the schema
jwt_unchanged() { is "$(psql_q -d supa -At -c "select md5(prosrc) from pg_proc where proname = 'jwt'")" "$(cat "$T/jwt.before")"; }
ok "an existing auth.jwt() is left as it was" jwt_unchanged
ok "roles anon and authenticated exist and cannot log in" test "$(psql_q -At -c "select count(*) from pg_roles where rolname in ('anon', 'authenticated') and not rolcanlogin")" = 2

done_testing

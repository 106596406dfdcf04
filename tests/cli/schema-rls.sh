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
ok "re-applying leaves one policy per table" sh -c 'cmp "$T/policies.1" "$T/policies.2" && test "$(wc -l < "$T/policies.2")" -eq 7'

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
ok "policies read the claims in an InitPlan" sh -c '
	"$PGBIN/psql" -X -q -d w -At -c "begin; set local role authenticated;
		select set_config('"'"'request.jwt.claims'"'"', '"'"'{\"client_id\":\"'$A'\"}'"'"', true);
		explain select * from synced_leads; commit;" | grep -q "InitPlan"'

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
ok "an existing auth.jwt() is left as it was" sh -c 'psql_q() { "$PGBIN/psql" -X -q "$@"; }; test "$(psql_q -d supa -At -c "select md5(prosrc) from pg_proc where proname = '"'"'jwt'"'"'")" = "$(cat "$T/jwt.before")"'
ok "roles anon and authenticated exist and cannot log in" test "$(psql_q -At -c "select count(*) from pg_roles where rolname in ('anon', 'authenticated') and not rolcanlogin")" = 2

done_testing

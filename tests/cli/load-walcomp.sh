#!/usr/bin/env bash
# instantly-load asks for WAL compression for its own transaction (issue
# 11: a night's full-page images are most of its WAL), against a real
# PostgreSQL: a superuser's load runs with the fastest method the server
# was built with (lz4, else zstd, else pglz); --no-wal-compression does not
# ask; a role that may not set wal_compression loads all the same, without
# it and without a warning; a role granted SET ON PARAMETER (PostgreSQL 15)
# gets it; a server that compresses already keeps its own method. What the load's transaction ran
# with is seen by a statement trigger on synced_leads.
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_warehouse

C1=11111111-1111-4111-8111-111111111111
K1=9b6f458e-6dc5-4762-83d5-a528aedd2235
pg_client "$C1" c1 "$K1"
psql_q -c "create table seen (n serial, who text, setting text)" \
	-c "create function seen() returns trigger language plpgsql as \$\$ begin
		insert into seen (who, setting) values (current_user, current_setting('wal_compression')); return null; end \$\$" \
	-c "create trigger seen after insert or update on synced_leads for each statement execute function seen()" \
	-c "create role etl login bypassrls" -c "grant all on all tables in schema public to etl" \
	-c "grant all on all sequences in schema public to etl" -c "grant usage on schema public to etl" >/dev/null
# night N: an archive of 20 leads of K1, extracted on day N, each lead's
# payload holding N (every lead changes from one night to the next)
night() {
	python3 - "$T/n$1.ndjson" "$1" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
C1, K = "11111111-1111-4111-8111-111111111111", "9b6f458e-6dc5-4762-83d5-a528aedd2235"
at = "2026-11-%02dT02:00:00.000Z" % n
def env(t, data):
    return json.dumps({"v": 1, "type": t, "client_id": C1, "campaign_id": K, "extracted_at": at, "data": data})
lines = [env("campaign", {"id": K, "name": "Q4 NL", "status": 1})]
lines += [env("lead", {"id": "019f19e7-cbee-7984-a98a-%012d" % i, "email": "lead%d@example.com" % i,
                       "payload": {"night": n, "i": i}}) for i in range(20)]
lines.append(env("leads_complete", {"leads": 20, "pages": 1}))
open(out, "w").write("\n".join(lines) + "\n")
PY
	"$TRANSFORM" -q -o "$T/n$1" "$T/n$1.ndjson"
}
# the method a load asks for: the fastest one this server was built with
best=$(psql_q -At -c "select case when 'lz4' = any (enumvals) then 'lz4' when 'zstd' = any (enumvals) then 'zstd'
	else 'on' end from pg_settings where name = 'wal_compression'")
last() { psql_q -At -c "select who || ' ' || setting from seen order by n desc limit 1"; }
# load ROLE N [OPTION...]: night N loaded by ROLE
load() {
	_r=$1 _n=$2; shift 2
	night "$_n" || return 1
	if ! PGUSER=$_r "$LOAD" "$@" "$T/n$_n" >"$T/load$_n.out" 2>"$T/load$_n.err"; then
		cat "$T/load$_n.err"; return 1
	fi
}
nowarn() { ! grep -qi 'warn\|wal_compression\|permission' "$1" || { cat "$1"; return 1; }; }

ok "the server does not compress WAL (the tests' setting)" is "$(psql_q -At -c 'show wal_compression')" off
ok "a superuser's load: its transaction compresses WAL with $best" load postgres 1 &&
	ok "  the trigger saw it" is "$(last)" "postgres $best"
ok "  the session's setting is back after the load (SET LOCAL)" is "$(psql_q -At -c 'show wal_compression')" off
ok "--no-wal-compression: not asked" load postgres 2 --no-wal-compression && ok "  the trigger saw off" is "$(last)" "postgres off"
ok "a role that may not set wal_compression: loaded all the same" load etl 3
ok "  without it" is "$(last)" "etl off"
ok "  no error or warning about it" nowarn "$T/load3.err"
ok "  the leads are those of night 3" is "$(psql_q -At -c "select count(*) from synced_leads where payload->>'night' = '3'")" 20
if [ "$(psql_q -At -c 'show server_version_num')" -ge 150000 ]; then
	psql_q -c "grant set on parameter wal_compression to etl" >/dev/null
	ok "a role granted SET ON PARAMETER wal_compression: it gets $best" load etl 4
	ok "  the trigger saw it" is "$(last)" "etl $best"
	psql_q -c "revoke set on parameter wal_compression from etl" >/dev/null
fi
psql_q -c "alter system set wal_compression = pglz" -c "select pg_reload_conf()" >/dev/null
for _ in $(seq 50); do [ "$(psql_q -At -c 'show wal_compression')" = pglz ] && break; sleep 0.1; done
ok "a server that compresses already: its method is kept" load postgres 5 && ok "  the trigger saw pglz" is "$(last)" "postgres pglz"
psql_q -c "alter system reset wal_compression" -c "select pg_reload_conf()" >/dev/null
printed() { "$LOAD" --print-sql "$@" "$T/n5" 2>/dev/null | grep -c "set_config('wal_compression'"; }
ok "--print-sql: the script asks for it" is "$(printed)" 1
ok "--print-sql --no-wal-compression: it does not" is "$(printed --no-wal-compression)" 0
done_testing

#!/usr/bin/env bash
# tests/credentials: the secrets systemd hands a service with LoadCredential=
# ($CREDENTIALS_DIRECTORY/NAME, src/lib/credentials.h), as the packaged unit
# instantly-etl-nightly.service gives them: instantly-extract reads the API
# key (instantly-api-key, a workspace's key under its api_key_env name) from
# there with no key in its environment, against the fake API; instantly-load
# gives the password of pg-password to psql alone (a PostgreSQL server that
# asks for a password); nightly.sh runs end to end on credentials only.
. "$(dirname "$0")/../lib.sh"

KEY=ietest-credential-key-0815
K6=23189011-78cc-49db-8e32-da035d1b1135	# 6 leads, client 2
fake_sample "$KEY"
C=$T/creds
mkdir -m 700 "$C"
# cr NAME [VALUE]: the credential NAME holds VALUE (0400, as systemd makes them)
cr() { rm -f "$C/$1"; printf '%s\n' "${2-}" > "$C/$1"; chmod 400 "$C/$1"; }
# x NAME ARGS...: the extract with CREDENTIALS_DIRECTORY=$C and no key in its
# environment (or INSTANTLY_API_KEY=$XKEY when XKEY is set)
x() {
	_n=$1; shift
	set +e
	env -u INSTANTLY_API_KEY ${XKEY:+INSTANTLY_API_KEY="$XKEY"} CREDENTIALS_DIRECTORY="$C" "$EXTRACT" --clients "${CLIENTS:-$T/ws/clients.csv}" \
		--base-url "$URL" --no-progress --until 2026-11-26 --retry-wait 0.05 -o "$T/$_n.gz" "$@" 2>"$T/$_n.err"
	_rc=$?
	set -e
	return $_rc
}
leads_in() { zcat "$1" | grep -c '"type":"lead"'; }

cr instantly-api-key "$KEY"
from_file() { x c1 || { cat "$T/c1.err"; return 1; }; is "$(leads_in "$T/c1.gz")" 28; }
ok "the API key from \$CREDENTIALS_DIRECTORY/instantly-api-key, none in the environment: all 28 leads" from_file
cred_first() { XKEY=wrong-key x c2 || { cat "$T/c2.err"; return 1; }; is "$(leads_in "$T/c2.gz")" 28; }
ok "the credential comes before INSTANTLY_API_KEY (a wrong key there is not used)" cred_first
key_file_first() {
	printf 'wrong-key\n' > "$T/keyfile"; chmod 600 "$T/keyfile"
	exit_is 6 x c3 --api-key-file "$T/keyfile" && contains "$T/c3.err" "401"
}
ok "--api-key-file, given, comes before the credential" key_file_first
cr instantly-api-key ""
empty() { exit_is 2 x c4 && contains "$T/c4.err" "no API key" && contains "$T/c4.err" "credential instantly-api-key" &&
	XKEY=$KEY x c5 && is "$(leads_in "$T/c5.gz")" 28; }
ok "an empty credential is none (the unit's SetCredential= default): no key is a usage error naming it; the environment's key is used" empty
rm -f "$C/instantly-api-key"
no_file_env() { XKEY=$KEY x c6 && is "$(leads_in "$T/c6.gz")" 28; }
ok "no credential file: INSTANTLY_API_KEY is used (cron, as before)" no_file_env
bad_cred() {
	mkdir "$C/instantly-api-key"
	exit_is 2 x c7 && contains "$T/c7.err" "$C/instantly-api-key is not a regular file" && [ ! -e "$T/c7.gz" ] || return 1
	rmdir "$C/instantly-api-key"
	head -c 4000 /dev/zero | tr '\0' k > "$C/instantly-api-key"
	exit_is 2 x c8 && contains "$T/c8.err" "credential instantly-api-key: $C/instantly-api-key: the first line is longer than" &&
		[ ! -e "$T/c8.gz" ]
}
ok "a credential that is a directory, or too long: usage error naming the file, no output" bad_cred
open_cred() {
	cr instantly-api-key "$KEY"; chmod 644 "$C/instantly-api-key"
	x c9 && contains "$T/c9.err" "can be read by other users" && ! grep -q "$KEY" "$T/c9.err"
}
ok "a credential others can read: used, with a warning that does not show it" open_cred
crlf() { printf '%s \r\nsecond line\n' "$KEY" > "$C/instantly-api-key"; x c10 && is "$(leads_in "$T/c10.gz")" 28; }
ok "the first line only, trailing white space and CR dropped" crlf

# several workspaces: a key per workspace under its api_key_env name
{ echo "client_id,campaign_id,api_key_env"
  tail -n +2 "$T/ws/clients.csv" | while IFS=, read -r c k; do
	if [ "$k" = "$K6" ]; then echo "$c,$k,WS_B_KEY"; else echo "$c,$k,"; fi
  done; } > "$T/ws2.csv"
workspaces() {
	ctl '{"extra_keys":["second-workspace-key"]}'
	cr instantly-api-key "$KEY"; cr WS_B_KEY second-workspace-key
	CLIENTS=$T/ws2.csv x c11 || { cat "$T/c11.err"; return 1; }
	is "$(leads_in "$T/c11.gz")" 28 && rm -f "$C/WS_B_KEY" &&
	CLIENTS=$T/ws2.csv exit_is 2 x c12 && contains "$T/c12.err" "names the API key variable WS_B_KEY, which is not set (nor a credential WS_B_KEY)"
}
ok "a workspace's key from the credential its api_key_env names; missing: usage error naming both" workspaces
key_not_shown() { ! grep -rq "$KEY" "$T"/*.err; }
ok "the key does not reach the environment of a child (the extract keeps it)" key_not_shown

# ---- instantly-load: pg-password to psql only -----------------------------------
pg_bindir >/dev/null || { done_testing; exit; }
pg_warehouse
PW="s3cret pass'word"
pg_map_clients "$T/ws/clients.csv"
psql_q -c "create role etl login bypassrls password \$\$$PW\$\$" -c "grant all on all tables in schema public to etl" \
	-c "grant usage on schema public to etl" >/dev/null
# etl must give its password (scram), over the socket
sed -i '1i local all etl scram-sha-256' "$T/pg/data/pg_hba.conf"
psql_q -c "select pg_reload_conf()" >/dev/null
"$TRANSFORM" -o "$T/out" "$SRCDIR/samples/sample.ndjson" 2>/dev/null || [ $? -le 1 ]
cat > "$T/psql-spy" <<SH
#!/bin/sh
env > "$T/psql.env"
tr '\0' '\n' < /proc/\$PPID/environ > "$T/load.env"
exec "$PGBIN/psql" "\$@"
SH
chmod +x "$T/psql-spy"
# ld: the load as etl, CREDENTIALS_DIRECTORY=$C, PGPASSWORD=$LPW if set
ld() { env -u PGPASSWORD ${LPW:+PGPASSWORD="$LPW"} PGUSER=etl CREDENTIALS_DIRECTORY="$C" "$LOAD" --psql "$T/psql-spy" "$T/out"; }
needs_pw() { rm -f "$C/pg-password"; exit_is 5 ld 2>"$T/l0.err" && contains "$T/l0.err" "password"; }
ok "the server asks etl for a password: without one the load fails (exit 5)" needs_pw
with_pw() {
	cr pg-password "$PW"
	ld 2>"$T/l1.err" || { cat "$T/l1.err"; return 1; }
	{ is "$(psql_q -At -c "select count(*) from synced_leads")" 28 || { cat "$T/l1.err"; false; }; } &&
	grep -qxF "PGPASSWORD=$PW" "$T/psql.env" && ! grep -q '^PGPASSWORD=' "$T/load.env" &&
	grep -q "^CREDENTIALS_DIRECTORY=" "$T/load.env"
}
ok "the password of \$CREDENTIALS_DIRECTORY/pg-password: psql gets it as PGPASSWORD, instantly-load's own environment never holds it" with_pw
cred_over_env() { LPW=wrong ld 2>"$T/l2.err" && grep -qxF "PGPASSWORD=$PW" "$T/psql.env" && is "$(grep -c '^PGPASSWORD=' "$T/psql.env")" 1; }
ok "the credential replaces a PGPASSWORD of the environment (psql sees one, the credential's)" cred_over_env
empty_pw() { cr pg-password ""; LPW=$PW ld 2>"$T/l3.err" || { cat "$T/l3.err"; return 1; }; grep -qxF "PGPASSWORD=$PW" "$T/psql.env"; }
ok "an empty pg-password (SetCredential= default): PGPASSWORD or ~/.pgpass as before" empty_pw
bad_pw() {
	rm -f "$C/pg-password" "$T/psql.env"; mkdir "$C/pg-password"
	exit_is 3 ld 2>"$T/l4.err"; _r=$?; rmdir "$C/pg-password"
	[ $_r = 0 ] && contains "$T/l4.err" "credential pg-password: $C/pg-password is not a regular file" && [ ! -e "$T/psql.env" ]
}
ok "a pg-password that cannot be read: the load fails naming it (exit 3, an unreadable input), psql not run" bad_pw
done_testing

#!/usr/bin/env bash
# tests/systemd-units: instantly-etl-nightly.service and .timer
# (systemd/): systemd-analyze verify passes on them (no running systemd is
# needed; the ExecStart script must exist: the source tree's nightly.sh, as
# make install would name it), its checks are real (a missing ExecStart
# fails), the sandbox rates "OK" in systemd-analyze security, and the
# service's own command line and environment, run the way systemd would
# (an unprivileged user, nothing in the environment but what the unit sets
# and systemd's PATH,
# the settings and secrets as files in $CREDENTIALS_DIRECTORY), syncs the
# fake API into a PostgreSQL server that asks for a password.
. "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: install the Debian package systemd (tests/deps.sh)"; exit 1; }
U=$T/units SHARE=$T/share ETC=$T/etc
mkdir -p "$U" "$SHARE/samples" "$ETC/instantly-etl/credentials"
cp "$SRCDIR/samples/nightly.sh" "$SHARE/samples/" && chmod 755 "$SHARE/samples/nightly.sh"
# as the Makefile makes it (UNIT_SED), with this test's directories
sed -e "s|@pkgdatadir[@]|$SHARE|g" -e "s|@sysconfdir[@]|$ETC|g" "$SRCDIR/systemd/instantly-etl-nightly.service.in" > "$U/instantly-etl-nightly.service"
cp "$SRCDIR/systemd/instantly-etl-nightly.timer" "$U/"
S=$U/instantly-etl-nightly.service TM=$U/instantly-etl-nightly.timer
verify() { systemd-analyze verify --man=no "$@" > "$T/verify.out" 2>&1 || { cat "$T/verify.out"; return 1; }; [ ! -s "$T/verify.out" ] || { cat "$T/verify.out"; return 1; }; }
ok "systemd-analyze verify: the service and the timer, no warning" verify "$S" "$TM"
broken() { sed "s|^ExecStart=$SHARE/samples/nightly.sh|ExecStart=$T/no-such/nightly.sh|" "$S" > "$T/instantly-etl-nightly.service" &&
	! systemd-analyze verify --man=no "$T/instantly-etl-nightly.service" > "$T/v2.out" 2>&1 && contains "$T/v2.out" "is not executable"; }
ok "...and it checks: an ExecStart that does not exist fails it" broken
no_variable_left() { ! grep -n "@[a-z]*@" "$BUILDDIR/systemd/instantly-etl-nightly.service"; }
ok "...and the Makefile's own unit (the installed paths) has no @variable@ left" no_variable_left
# has FILE LINE...: FILE has each LINE (whole lines)
has() { local f=$1 l; shift; for l; do grep -qxF -- "$l" "$f" || { echo "no line '$l' in $f"; return 1; }; done; }
ok "the service: oneshot, its own user, StateDirectory, the settings and secrets by LoadCredential=" has "$S" \
	Type=oneshot User=instantly-etl StateDirectory=instantly-etl UMask=0077 \
	"LoadCredential=nightly.conf:$ETC/instantly-etl/nightly.conf" \
	"LoadCredential=instantly-api-key:$ETC/instantly-etl/credentials/instantly-api-key" \
	"LoadCredential=pg-password:$ETC/instantly-etl/credentials/pg-password" \
	"ExecStart=$SHARE/samples/nightly.sh \${CREDENTIALS_DIRECTORY}/nightly.conf"
no_secret_env() { ! grep -E "^Environment=.*(KEY|PASSWORD|PGPASS)" "$S"; }
ok "no secret in the unit's environment (Environment= names no key or password)" no_secret_env
ok "the sandbox: ProtectSystem=strict, ProtectHome, PrivateTmp, NoNewPrivileges, no capabilities, AF_UNIX/INET/INET6 only, @system-service" has "$S" \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
	"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" SystemCallFilter=@system-service PrivateDevices=yes
security() {
	systemd-analyze security --offline=true --no-pager "$S" > "$T/sec.out" 2>&1 || { tail -n 5 "$T/sec.out"; return 1; }
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$T/sec.out")
	echo "# exposure $level" >&2
	{ [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; } || { tail -n 3 "$T/sec.out"; return 1; }
}
ok "systemd-analyze security rates the service's exposure 2.0 or less (OK)" security
ok "the timer: daily, a randomised delay, Persistent=true, wanted by timers.target" has "$TM" \
	"OnCalendar=*-*-* 03:00:00" RandomizedDelaySec=30min Persistent=true WantedBy=timers.target

# ---- the service's command, as systemd would run it -----------------------------
pg_bindir >/dev/null || { done_testing; exit; }
id nobody >/dev/null 2>&1 || { done_testing; exit; }
KEY=ietest-unit-key
fake_sample "$KEY"
pg_warehouse
pg_map_clients "$T/ws/clients.csv"
psql_q -c "create role etl login bypassrls password 'unit-pw-42'" \
	-c "grant all on all tables in schema public to etl" -c "grant usage on schema public to etl" >/dev/null
sed -i '1i local all etl scram-sha-256' "$T/pg/data/pg_hba.conf"
psql_q -c "select pg_reload_conf()" >/dev/null
# the settings file (the shipped one, commented, and what an admin adds) and
# the secrets, where the unit's LoadCredential= lines name them
{ cat "$SRCDIR/samples/nightly.conf"
  printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=etl\nPGDATABASE=w\nBIN_DIR=%s\n' "$PGHOST" "$PGPORT" "$BUILDDIR"
  printf 'EXTRACT_ARGS="--base-url %s --since 2026-10-28 --until 2026-11-26 --retry-wait 0.05"\n' "$URL"; } > "$ETC/instantly-etl/nightly.conf"
printf '%s\n' "$KEY" > "$ETC/instantly-etl/credentials/instantly-api-key"
printf 'unit-pw-42\n' > "$ETC/instantly-etl/credentials/pg-password"
chmod 600 "$ETC/instantly-etl/nightly.conf" "$ETC/instantly-etl/credentials"/*
# what systemd does at start: the credentials copied (0400, the service's
# user), StateDirectory= made; %S is the state root; then ExecStart= with
# only Environment= (and PATH) in the environment, as the unit's user
CRED=$T/run-credentials STATE=$T/state
mkdir -p "$CRED" "$STATE/instantly-etl"
while IFS= read -r l; do
	l=${l#LoadCredential=}; id=${l%%:*} src=${l#*:}
	[ -e "$src" ] && cp "$src" "$CRED/$id" || printf '\n' > "$CRED/$id"	# SetCredential= default
done < <(grep '^LoadCredential=' "$S")
chown -R nobody "$CRED" "$STATE/instantly-etl" && chmod 500 "$CRED" && chmod 400 "$CRED"/*
chmod 711 "$STATE/instantly-etl" "$T"
envs=$(sed -n 's/^Environment=//p' "$S" | sed "s|%S|$STATE|g")
cmd=$(sed -n 's/^ExecStart=//p' "$S" | sed "s|\${CREDENTIALS_DIRECTORY}|$CRED|g")
service() {
	# shellcheck disable=SC2086 # the unit's words
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CREDENTIALS_DIRECTORY="$CRED" $envs \
		runuser -u nobody -- $cmd > "$T/svc.out" 2> "$T/svc.err" || { cat "$T/svc.out" "$T/svc.err"; return 1; }
	grep -q "nightly done: $STATE/instantly-etl/archive/" "$T/svc.out" &&
	is "$(psql_q -At -c 'select count(*) from synced_leads')" 28 &&
	is "$(stat -c '%U %a' "$STATE/instantly-etl/archive")" "nobody 700" &&
	is "$(stat -c '%a' "$STATE/instantly-etl/metrics/instantly-etl.prom")" 644 &&
	grep -q '^instantly_etl_last_run_exit_status 0$' "$STATE/instantly-etl/metrics/instantly-etl.prom"
}
ok "the unit's ExecStart and Environment, as nobody with an empty environment: the key and password only as credentials; 28 leads loaded, archives 0700, metrics 0644" service
no_secret_out() { ! grep -q -e "$KEY" -e unit-pw-42 "$T/svc.out" "$T/svc.err"; }
ok "no secret in the output" no_secret_out
status() {
	# shellcheck disable=SC2086 # the unit's words
	{ env -i PATH=/usr/bin:/bin $envs bash "$SHARE/samples/nightly.sh" --status > "$T/st.out" 2>&1 &&
	  grep -q ' 0  ok  ' "$T/st.out"; } || { cat "$T/st.out"; return 1; }
}
ok "nightly.sh --status as root on the service's state directory: the run" status
done_testing

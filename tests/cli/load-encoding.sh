#!/usr/bin/env bash
# instantly-load and the client encoding (issue 10, defect 1): psql reads the
# script, \copy's file names included, in its client encoding, and in SJIS,
# BIG5, GBK, GB18030, UHC, JOHAB or SHIFT_JIS_2004 an ASCII byte (the quote)
# can be the second byte of a character. Under each of them, and under
# PGOPTIONS, a DSN's client_encoding and a psqlrc, a directory (and TMPDIR)
# named to close the quote early loads exactly or is refused: no SQL of its
# name runs. Text is stored as it is (José, not JosÃ©) under LATIN1 and
# WIN1252; a path that is not valid UTF-8 is refused; PGOPTIONS's
# search_path cannot send the rows elsewhere; psql gets no API key.
. "$(dirname "$0")/../lib.sh"
[ -x "$LOAD" ] || skip_all "no $LOAD"
pg_warehouse

C1=11111111-1111-4111-8111-111111111111
K1=9b6f458e-6dc5-4762-83d5-a528aedd2235
pg_client "$C1" "Client 1" "$K1"
python3 - "$T/a.ndjson" "$C1" "$K1" <<'PY'
import json, sys
out, c, k = sys.argv[1:]
def env(t, data):
    return json.dumps({"v": 1, "type": t, "client_id": c, "campaign_id": k,
                       "extracted_at": "2026-11-27T02:00:00.000Z", "data": data}, ensure_ascii=False)
lines = [env("campaign", {"id": k, "name": "Q4 Señor ぁ€", "status": 1})]
lines += [env("lead", {"id": "019f19e7-cbee-7984-a98a-%012d" % n, "email": "l%d@example.com" % n,
                        "first_name": "José", "personalization": "ぁ€😀 ü 你好 한국 \\ ' \" ;"}) for n in (1, 2)]
lines.append(env("leads_complete", {"leads": 2, "pages": 1}))
open(out, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
"$TRANSFORM" -q -o "$T/base" "$T/a.ndjson"

# the rows as stored, read back in UTF-8
stored() { psql_q -At -c "select string_agg(first_name || '|' || personalization, '#' order by instantly_lead_id) || '#' || (select string_agg(name, ',') from campaigns) from synced_leads"; }
want='José|ぁ€😀 ü 你好 한국 \ '"'"' " ;#José|ぁ€😀 ü 你好 한국 \ '"'"' " ;#Q4 Señor ぁ€'
fresh_start() { psql_q -c "set client_min_messages = warning" -c "drop table if exists pwned" -c "truncate synced_leads, campaigns, campaign_analytics, campaign_analytics_overview, lead_listings"; }
no_pwned() { is "$(psql_q -At -c "select count(*) from pg_class where relname = 'pwned'")" 0; }

# Directory names that close \copy's quote early when psql reads them in an
# encoding where the byte before the quote starts a two-byte character; the
# attacker also plants the file that the cut name points to (NAME up to its
# quote), so that psql's \copy finds a file and sends the rest as SQL.
# V1-V3 are valid UTF-8 (they must load exactly), V4-V5 are not (refused).
pay="; COMMIT; CREATE TABLE IF NOT EXISTS pwned(x int); COMMIT; BEGIN; --"
names=(
	"yぁ'$pay"			# E3 81 81: 81 leads in all seven encodings
	"y€'$pay"			# E2 82 AC: AC leads in all but SJIS/SHIFT_JIS_2004 (kana)
	"yぁ'; CREATE TABLE IF NOT EXISTS pwned(x int); --"	# the review's name
	$'y\x81'"'$pay"			# a lone lead byte: not UTF-8
	$'y\xc3'"'$pay"			# a UTF-8 lead byte without its trail: eats the quote in UTF8 too
)
mkname() {	# mkname I: $T/eI/NAME with the transform's files, the cut name planted
	d=$T/e$1; n=${names[$1]}
	mkdir -p "$d/$n/tmp" && cp "$T/base"/* "$d/$n/" && : > "$d/${n%%\'*}'" && mkdir -p "$d/${n%%\'*}'tmp"
	printf '%s' "$d/$n"
}
for i in "${!names[@]}"; do dirs[i]=$(mkname "$i"); done

# run ENC I: load dir I with PGCLIENTENCODING=ENC (TMPDIR inside it: the
# split file's name goes into the script too); exact or refused, no pwned
run() {
	enc=$1 i=$2
	fresh_start >/dev/null
	set +e
	PGCLIENTENCODING=$enc TMPDIR="${dirs[$i]}/tmp" "$LOAD" -q "${dirs[$i]}" > "$T/run.out" 2>&1
	rc=$?
	set -e
	no_pwned || { echo "pwned: load exit $rc"; cat "$T/run.out"; return 1; }
	if [ "$i" -ge 3 ]; then
		{ [ "$rc" -eq 3 ] && grep -q "not valid UTF-8" "$T/run.out"; } || { echo "exit $rc, wanted a refusal (3)"; cat "$T/run.out"; return 1; }
	else
		[ "$rc" -eq 0 ] || { echo "exit $rc"; cat "$T/run.out"; return 1; }
		is "$(stored)" "$want"
	fi
}
encodings="SJIS SHIFT_JIS_2004 BIG5 GBK GB18030 UHC JOHAB LATIN1 WIN1252 UTF8"
for enc in $encodings; do
	for i in "${!names[@]}"; do
		ok "PGCLIENTENCODING=$enc, directory $i: loads exactly or is refused, nothing of its name runs" run "$enc" "$i"
	done
done
# every other client encoding the server knows: the first name, exact
others=$(psql_q -At -c "select string_agg(e, ' ') from (select pg_encoding_to_char(i) e from generate_series(0, 63) i) x
	where e <> '' and e not in ($(echo "$encodings" | sed "s/[A-Z0-9_]*/'&'/g; s/ /, /g"))")
knows_more() { echo "$1" | grep -q EUC_JP && echo "$1" | grep -q KOI8R; }
ok "the server knows more client encodings (e.g. EUC_JP, KOI8R, WIN1251)" knows_more "$others"
for enc in $others; do
	ok "PGCLIENTENCODING=$enc, directory 0: loads exactly, nothing of its name runs" run "$enc" 0
done

# the encoding set elsewhere than PGCLIENTENCODING
run_env() {	# run_env DESCRIPTION ENV... -- LOAD-ARGS...: directory 0 loads exactly, nothing runs
	fresh_start >/dev/null
	e=(); while [ "$1" != -- ]; do e+=("$1"); shift; done; shift
	env "${e[@]}" TMPDIR="${dirs[0]}/tmp" "$LOAD" -q "$@" "${dirs[0]}" > "$T/run.out" 2>&1 || { cat "$T/run.out"; return 1; }
	no_pwned && is "$(stored)" "$want"
}
ok "PGOPTIONS=-c client_encoding=SJIS: exact, nothing runs" run_env PGOPTIONS="-c client_encoding=SJIS" --
ok "a DSN with client_encoding=BIG5: exact, nothing runs" run_env PGDATABASE=postgres -- --dsn "dbname=w client_encoding=BIG5"

# --print-sql, run by a psql whose psqlrc sets another encoding
printed() {
	fresh_start >/dev/null
	TMPDIR="${dirs[0]}/tmp" "$LOAD" --print-sql "${dirs[0]}" > "$T/script.sql" &&
	printf '\\encoding GBK\n' > "$T/psqlrc" &&
	PSQLRC=$T/psqlrc "$PGBIN/psql" -q -v ON_ERROR_STOP=1 -f "$T/script.sql" > /dev/null 2>&1
	no_pwned && is "$(stored)" "$want"
}
ok "--print-sql run by psql with a psqlrc saying \\encoding GBK: exact, nothing runs" printed
ok "... the script pins UTF8 on its first line" is "$(head -n 1 "$T/script.sql")" '\encoding UTF8'

# search_path from PGOPTIONS cannot send the rows to other tables
hijack() {
	fresh_start >/dev/null
	psql_q -c "create schema evil" -c "create table evil.synced_leads (like public.synced_leads including all)" -c "create table evil.campaigns (like public.campaigns including all)"
	PGOPTIONS="-c search_path=evil,public" "$LOAD" -q "$T/base" || return 1
	is "$(psql_q -At -c "select (select count(*) from evil.synced_leads) + (select count(*) from evil.campaigns)")" 0 &&
	is "$(stored)" "$want"
}
ok "PGOPTIONS=-c search_path=evil,public: the rows go to public's tables" hijack

# psql's environment: no key under any name; the encoding pinned; the
# loader's temporary directory private (0700, files 0600) whatever the umask
cat > "$T/psql-spy" <<SH
#!/bin/sh
env > "$T/psql.env"
for d in "\$TMPDIR"/instantly-load.*; do [ -d "\$d" ] && stat -c '%a %n' "\$d" "\$d"/*; done >> "$T/tmp.modes" 2>&1
exec "$PGBIN/psql" "\$@"
SH
chmod +x "$T/psql-spy"
spied() {
	fresh_start >/dev/null
	mkdir -p "$T/spytmp"
	(umask 0; INSTANTLY_API_KEY=sekrit-1 ACME_WORKSPACE_KEY=sekrit-2 PGCLIENTENCODING=SJIS TMPDIR=$T/spytmp \
		"$LOAD" -q --psql "$T/psql-spy" "$T/base") || return 1
	{ ! grep -q sekrit "$T/psql.env" && grep -qx PGCLIENTENCODING=UTF8 "$T/psql.env" && grep -qx PGDATABASE=w "$T/psql.env" &&
		grep -q "^PATH=" "$T/psql.env"; } || { cat "$T/psql.env"; return 1; }
}
ok "psql gets no API key (INSTANTLY_API_KEY, a workspace's key), PGCLIENTENCODING=UTF8, the PG* it needs" spied
private_tmp_modes() {
	grep -q instantly-load "$T/tmp.modes" && ! grep -v '^700 .*instantly-load\.[^/]*$' "$T/tmp.modes" | grep -v "^600 "
}
ok "under umask 0 the temporary directory is 0700 and its files 0600" private_tmp_modes

# a relative TMPDIR whose name psql would expand ("~root/..." is /root/...)
tilde() {
	fresh_start >/dev/null
	mkdir -p "$T/cwd/~root" && cd "$T/cwd" && TMPDIR='~root' "$LOAD" -q "$T/base" && is "$(stored)" "$want"
}
ok "TMPDIR='~root' (relative): the files are named by their absolute path" tilde

done_testing

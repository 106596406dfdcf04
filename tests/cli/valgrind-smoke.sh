#!/usr/bin/env bash
# tests/valgrind-smoke: each program once under valgrind memcheck
# (tests/valgrind.sh) on the sample data: the extract against the fake API
# on loopback, the transform of its archive, the load into a real
# PostgreSQL. Any memcheck error or definite leak fails (exit 97). The short
# version of `make check-valgrind`, which runs the whole suite this way.
# Normal build only: valgrind cannot run AddressSanitizer binaries.
. "$(dirname "$0")/../lib.sh"

command -v valgrind >/dev/null || { echo "Bail out! no valgrind: install it (tests/deps.sh lists it)"; exit 1; }
# the programs themselves, also under make check-valgrind (where $EXTRACT
# and the others are already wrappers that run valgrind)
X=$BUILDDIR/instantly-extract TR=$BUILDDIR/instantly-transform LD=$BUILDDIR/instantly-load
for p in "$X" "$TR" "$LD"; do
	if grep -aq __asan_init "$p"; then
		skip_all "an AddressSanitizer build: valgrind cannot run it (the normal build runs this test)"
	fi
done
export IE_VALGRIND_LOGS=$T/vg
mkdir -p "$IE_VALGRIND_LOGS"
VG=(sh "$SRCDIR/tests/valgrind.sh")
KEY=ietest-secret-key-4711

# vg_clean PROGRAM: its one log says 0 errors and nothing definitely lost
vg_clean() {
	set -- "$IE_VALGRIND_LOGS/$1".*.log
	{ [ $# = 1 ] && [ -e "$1" ]; } || { echo "wanted one valgrind log, got: $*"; return 1; }
	grep -q "ERROR SUMMARY: 0 errors" "$1" || { head -n 60 "$1"; return 1; }
	! grep -q "definitely lost: [1-9]" "$1" || { head -n 60 "$1"; return 1; }
}

# the harness itself: a definite leak and an invalid read are caught
cat > "$T/bad.c" <<'C'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
	char *p = malloc(16);
	strcpy(p, "leaked");
	if (argc > 1) { free(p); return p[0] == 'l' ? 0 : 2; }	/* use after free */
	p = NULL;	/* definite leak */
	return 0;
}
C
${CC:-cc} -g -O0 -o "$T/bad" "$T/bad.c"
ok "the harness fails a program with a definite leak (exit 97)" exit_is 97 "${VG[@]}" "$T/bad"
ok "the harness fails a program with a use after free (exit 97)" exit_is 97 "${VG[@]}" "$T/bad" uaf
rm -f "$IE_VALGRIND_LOGS"/bad.*

# ---- the extract, against the fake API
fake_sample "$KEY"
ok "extract under valgrind: exit 0" exit_is 0 env INSTANTLY_API_KEY="$KEY" "${VG[@]}" "$X" --clients "$T/ws/clients.csv" \
	--base-url "$URL" --no-progress --since 2026-10-28 --until 2026-11-26 --retry-wait 0.05 -o "$T/a.ndjson.gz"
ok "extract: no memcheck error, no definite leak" vg_clean instantly-extract

# ---- the transform of that archive
ok "transform under valgrind: exit 0" exit_is 0 "${VG[@]}" "$TR" -q -o "$T/out" "$T/a.ndjson.gz"
ok "transform: no memcheck error, no definite leak" vg_clean instantly-transform

# ---- the load into a real PostgreSQL
pg_start
psql_q -f "$SRCDIR/schemas/sql/01-auth.sql" -f "$SRCDIR/schemas/sql/02-tables.sql" -f "$SRCDIR/schemas/sql/03-rls.sql" >/dev/null
pg_map_clients "$T/ws/clients.csv"
ok "load under valgrind: exit 0" exit_is 0 "${VG[@]}" "$LD" -q "$T/out"
ok "load: no memcheck error, no definite leak" vg_clean instantly-load
ok "load: the rows arrived" is "$(psql_q -At -c "select count(*) from synced_leads")" 28

done_testing

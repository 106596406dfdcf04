#!/usr/bin/env bash
# tests/install: `make install` puts the programs, the man pages, the
# warehouse schema, the archive format, the ICP synonyms and the samples in
# place (into a DESTDIR), they run from there, and `make uninstall` takes
# them all away again.
. "$(dirname "$0")/../lib.sh"

command -v make >/dev/null || skip_all "no make"
[ -f "$BUILDDIR/Makefile" ] || skip_all "no configured build tree"
R=$T/root
make -s -C "$BUILDDIR" install DESTDIR="$R" >"$T/install.log" 2>&1 || { cat "$T/install.log"; exit 1; }
prefix=$(sed -n 's/^prefix = //p' "$BUILDDIR/Makefile")
P=$R$prefix
have() { for f; do [ -e "$P/$f" ] || { echo "missing: $f"; return 1; }; done; }
ok "the three programs, executable" sh -c 'for p in extract transform load; do [ -x "$0/bin/instantly-$p" ] || exit 1; done' "$P"
ok "the installed programs run" sh -c '"$0/bin/instantly-extract" --version && "$0/bin/instantly-transform" --version && "$0/bin/instantly-load" --version' "$P"
ok "a man page for each program, the archive format and the pipeline" have share/man/man1/instantly-extract.1 \
	share/man/man1/instantly-transform.1 share/man/man1/instantly-load.1 share/man/man5/instantly-archive.5 \
	share/man/man7/instantly-etl.7
ok "the warehouse schema and the table reference" have share/instantly-etl/sql/01-auth.sql \
	share/instantly-etl/sql/02-tables.sql share/instantly-etl/sql/03-rls.sql share/instantly-etl/sql/04-portal.sql \
	share/instantly-etl/TABLES.md share/instantly-etl/RLS.md share/instantly-etl/PORTAL.md
ok "the archive format and its JSON Schemas" have share/instantly-etl/archive-v1/FORMAT.md \
	share/instantly-etl/archive-v1/envelope.schema.json share/instantly-etl/archive-v1/lead.schema.json
ok "the ICP synonyms file, the same as built in" cmp "$P/share/instantly-etl/icp-synonyms.conf" "$SRCDIR/schemas/icp-synonyms.conf"
ok "the samples: nightly.sh, reprocess.sh and report.sh executable, an archive and a client map" sh -c \
	'[ -x "$0/nightly.sh" ] && [ -x "$0/reprocess.sh" ] && [ -x "$0/report.sh" ] && [ -s "$0/sample.ndjson" ] && [ -s "$0/clients.csv" ]' \
	"$P/share/instantly-etl/samples"
ok "the installed transform reads the installed sample" sh -c \
	'"$0/bin/instantly-transform" -o "$1/out" "$0/share/instantly-etl/samples/sample.ndjson" 2>/dev/null; [ $? -le 1 ] && [ -s "$1/out/synced_leads.csv" ]' "$P" "$T"
make -s -C "$BUILDDIR" uninstall DESTDIR="$R" >"$T/uninstall.log" 2>&1
ok "make uninstall leaves no file behind" sh -c 'left=$(find "$0" -type f | head); [ -z "$left" ] || { echo "$left"; exit 1; }' "$R"
done_testing

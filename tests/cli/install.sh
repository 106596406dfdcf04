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
executables() { for p in extract transform load; do [ -x "$P/bin/instantly-$p" ] || { echo "not executable: instantly-$p"; return 1; }; done; }
ok "the three programs, executable" executables
installed_run() { "$P/bin/instantly-extract" --version && "$P/bin/instantly-transform" --version && "$P/bin/instantly-load" --version; }
ok "the installed programs run" installed_run
ok "a man page for each program, the archive format and the pipeline" have share/man/man1/instantly-extract.1 \
	share/man/man1/instantly-transform.1 share/man/man1/instantly-load.1 share/man/man5/instantly-archive.5 \
	share/man/man7/instantly-etl.7
ok "the warehouse schema and the table reference" have share/instantly-etl/sql/01-auth.sql \
	share/instantly-etl/sql/02-tables.sql share/instantly-etl/sql/03-rls.sql share/instantly-etl/sql/04-portal.sql \
	share/instantly-etl/TABLES.md share/instantly-etl/RLS.md share/instantly-etl/PORTAL.md
ok "the archive format and its JSON Schemas" have share/instantly-etl/archive-v1/FORMAT.md \
	share/instantly-etl/archive-v1/envelope.schema.json share/instantly-etl/archive-v1/lead.schema.json
ok "the ICP synonyms file, the same as built in" cmp "$P/share/instantly-etl/icp-synonyms.conf" "$SRCDIR/schemas/icp-synonyms.conf"
samples_installed() {
	local s=$P/share/instantly-etl/samples
	[ -x "$s/nightly.sh" ] && [ -x "$s/reprocess.sh" ] && [ -x "$s/report.sh" ] && [ -s "$s/sample.ndjson" ] && [ -s "$s/clients.csv" ]
}
ok "the samples: nightly.sh, reprocess.sh and report.sh executable, an archive and a client map" samples_installed
reads_sample() {
	local rc
	"$P/bin/instantly-transform" -o "$T/out" "$P/share/instantly-etl/samples/sample.ndjson" 2>/dev/null; rc=$?
	[ $rc -le 1 ] && [ -s "$T/out/synced_leads.csv" ]
}
ok "the installed transform reads the installed sample" reads_sample
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$BUILDDIR/Makefile" | sed "s|\${prefix}|$prefix|")
unitdir=$(sed -n 's/^systemdsystemunitdir = //p' "$BUILDDIR/Makefile" | sed "s|\${prefix}|$prefix|")
units_installed() {
	[ -s "$R$unitdir/instantly-etl-nightly.timer" ] &&
	grep -qx "ExecStart=$prefix/share/instantly-etl/samples/nightly.sh \${CREDENTIALS_DIRECTORY}/nightly.conf" "$R$unitdir/instantly-etl-nightly.service" &&
	grep -qx "LoadCredential=nightly.conf:$sysconfdir/instantly-etl/nightly.conf" "$R$unitdir/instantly-etl-nightly.service"
}
ok "the systemd units, the service naming the installed nightly.sh and settings" units_installed
settings_private() {
	[ "$(stat -c %a "$R$sysconfdir/instantly-etl/nightly.conf")" = 600 ] && [ "$(stat -c %a "$R$sysconfdir/instantly-etl/credentials")" = 700 ] &&
	! grep -v -e "^#" -e "^\$" "$R$sysconfdir/instantly-etl/nightly.conf"
}
ok "the commented settings file, 0600, and its credentials directory 0700" settings_private
settings_kept() {
	echo "PGHOST=mine" >> "$R$sysconfdir/instantly-etl/nightly.conf" && make -s -C "$BUILDDIR" install DESTDIR="$R" >/dev/null 2>&1 &&
	grep -qx PGHOST=mine "$R$sysconfdir/instantly-etl/nightly.conf" && cp "$SRCDIR/samples/nightly.conf" "$R$sysconfdir/instantly-etl/nightly.conf"
}
ok "make install keeps an admin's settings file" settings_kept
make -s -C "$BUILDDIR" uninstall DESTDIR="$R" >"$T/uninstall.log" 2>&1
nothing_left() { local left; left=$(find "$R" -type f | head); [ -z "$left" ] || { echo "$left"; return 1; }; }
ok "make uninstall leaves no file behind" nothing_left
done_testing

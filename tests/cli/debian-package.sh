#!/usr/bin/env bash
# tests/cli/debian-package.sh: the Debian package (`make check-package`, run
# once by tests/run-all.sh: it compiles everything again). From a copy of the
# distribution (make distdir into $T: dpkg-buildpackage writes nothing in
# the source or build tree) it builds instantly-etl_*.deb with
# `dpkg-buildpackage -us -uc -b`, runs lintian (no error; the warnings are
# printed), installs it with apt-get, checks what it holds (programs, man
# pages, schemas, SQL, samples, the units, the settings file 0600 as a
# conffile, the system user), verifies the installed units, runs the
# installed programs on the installed sample into a PostgreSQL server of
# tests/lib.sh, then purges it and finds nothing left: no file of it, no
# settings or credentials, no state directory, no user or group.
# As root only; a machine where the package is already installed is left
# alone (skipped).
. "$SRCDIR/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "installs a package: root only"
# never inside the package's own build (its make check would run this again)
[ -z "${DEB_HOST_ARCH:-}${DEB_BUILD_OPTIONS:-}" ] || skip_all "inside a package build"
for c in dpkg-buildpackage dh lintian fakeroot apt-get; do
	command -v "$c" >/dev/null || { echo "no $c: install debhelper, lintian, dpkg-dev, fakeroot (tests/deps.sh)"; exit 1; }
done
if dpkg-query -W -f='${Status}' instantly-etl 2>/dev/null | grep -q 'ok installed\|config-files'; then
	skip_all "the package instantly-etl is installed on this machine: not touching it"
fi
getent passwd instantly-etl >/dev/null && skip_all "a user instantly-etl exists already: not touching it"
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$BUILDDIR/Makefile")
D=$T/instantly-etl-$version
t_start=$(date +%s)
since() { echo "$(( $(date +%s) - $1 )) s"; }

# ---- build --------------------------------------------------------------------
copy() { make -s -C "$BUILDDIR" distdir distdir="$D" > "$T/distdir.log" 2>&1 || { tail -n 20 "$T/distdir.log"; return 1; }; test -x "$D/debian/rules"; }
ok "a copy of the distribution, with debian/, outside the trees" copy
t0=$(date +%s)
build() {
	# a clean environment: no MAKEFLAGS (TESTS=this test) or automake test
	# variables of the make check that runs this test reach the package's build
	( cd "$D" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$T" LC_ALL=C.UTF-8 \
		DEB_BUILD_OPTIONS="parallel=${JOBS:-2}" dpkg-buildpackage -us -uc -b ) > "$T/build.log" 2>&1 ||
		{ tail -n 40 "$T/build.log"; return 1; }
	DEB=$(ls "$T"/instantly-etl_"$version"_*.deb) && test -s "$DEB"
}
ok "dpkg-buildpackage -us -uc -b builds instantly-etl_${version}_*.deb" build
echo "# build: $(since "$t0")"
DEB=$(ls "$T"/instantly-etl_"$version"_*.deb 2>/dev/null || true)
[ -n "$DEB" ] || { done_testing; exit 1; }
ok "the build ran the unit tests" grep -q "^# PASS: *[1-9]" "$T/build.log"
t0=$(date +%s)
set +e
lintian --tag-display-limit 0 --show-overrides "$DEB" > "$T/lintian.out" 2>&1
lint_rc=$?
set -e
grep -v 'root privileges' "$T/lintian.out" | sed 's/^/# lintian: /'	# every tag, overridden ones (O:) too
lint() { { [ "$lint_rc" -le 1 ] && ! grep -q '^E: ' "$T/lintian.out"; } || { grep '^E: ' "$T/lintian.out"; echo "lintian exit $lint_rc"; return 1; }; }
ok "lintian: no error" lint
echo "# lintian: $(since "$t0")"
contents() {
	dpkg-deb -c "$DEB" | awk '{ print $1, $6 }' > "$T/contents"
	for f in ./usr/bin/instantly-extract ./usr/bin/instantly-transform ./usr/bin/instantly-load \
		./usr/share/man/man1/instantly-extract.1.gz ./usr/share/man/man5/instantly-archive.5.gz \
		./usr/share/man/man7/instantly-etl.7.gz ./usr/share/man/man8/instantly-etl-nightly.8.gz \
		./usr/share/instantly-etl/sql/02-tables.sql ./usr/share/instantly-etl/archive-v1/lead.schema.json \
		./usr/share/instantly-etl/icp-synonyms.conf ./usr/share/instantly-etl/samples/nightly.sh \
		./usr/share/instantly-etl/samples/sample.ndjson ./lib/systemd/system/instantly-etl-nightly.service \
		./lib/systemd/system/instantly-etl-nightly.timer; do
		grep -q " $f\$" "$T/contents" || { echo "not in the package: $f"; return 1; }
	done
	{ grep -q '^-rw------- ./etc/instantly-etl/nightly.conf$' "$T/contents" &&
	  grep -q '^drwx------ ./etc/instantly-etl/credentials/$' "$T/contents"; } || { grep etc "$T/contents"; return 1; }
	dpkg-deb -I "$DEB" conffiles | grep -qx /etc/instantly-etl/nightly.conf
}
ok "the .deb: programs, man pages, schemas and SQL, samples, units; nightly.conf 0600, a conffile; credentials/ 0700" contents

# ---- install ----------------------------------------------------------------------
installed=
purge() {	# at exit too: never leave it installed
	[ -n "$installed" ] || return 0
	installed=
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o DPkg::Lock::Timeout=120 instantly-etl > "$T/purge.log" 2>&1
}
at_exit purge
t0=$(date +%s)
install_it() {
	installed=1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "$DEB" \
		> "$T/install.log" 2>&1 || { tail -n 20 "$T/install.log"; return 1; }
	dpkg-query -W -f='${Status}' instantly-etl | grep -q 'install ok installed'
}
ok "apt-get install ./instantly-etl_*.deb" install_it
echo "# install: $(since "$t0")"
system_user() {
	local u uid
	u=$(getent passwd instantly-etl) && getent group instantly-etl >/dev/null &&
	uid=$(echo "$u" | cut -d: -f3) && [ "$uid" -lt 1000 ] && echo "$u" | grep -q ":/usr/sbin/nologin$"
}
ok "the system user and group instantly-etl: a system account, no login shell" system_user
conf_private() { [ "$(stat -c "%U %a" /etc/instantly-etl/nightly.conf)" = "root 600" ]; }
ok "/etc/instantly-etl/nightly.conf: root's, 0600" conf_private
units() {
	m=--man=no
	command -v man >/dev/null && m=--man=yes
	{ systemd-analyze verify $m /lib/systemd/system/instantly-etl-nightly.service /lib/systemd/system/instantly-etl-nightly.timer \
		> "$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]; } || { cat "$T/verify.out"; return 1; }
	# shellcheck disable=SC2016 # ${CREDENTIALS_DIRECTORY}: the unit's text, expanded by systemd, not here
	grep -qx 'ExecStart=/usr/share/instantly-etl/samples/nightly.sh ${CREDENTIALS_DIRECTORY}/nightly.conf' /lib/systemd/system/instantly-etl-nightly.service &&
	grep -qx 'LoadCredential=nightly.conf:/etc/instantly-etl/nightly.conf' /lib/systemd/system/instantly-etl-nightly.service
}
ok "systemd-analyze verify on the installed units (their ExecStart and man pages installed)" units
timer_not_enabled() { ! has_name /etc/systemd/system/timers.target.wants instantly-etl-nightly.timer; }
ok "the timer is not enabled by the package (the admin enables it once configured)" timer_not_enabled
from_path() { instantly-extract --version && instantly-transform --version && instantly-load --version; }
ok "the installed programs run from PATH" from_path
pg_start
run_installed() {
	psql_q -c "create database pkg" >/dev/null && export PGDATABASE=pkg
	/usr/bin/instantly-transform -o "$T/out" /usr/share/instantly-etl/samples/sample.ndjson 2>"$T/tf.err"; [ $? -le 1 ] || { cat "$T/tf.err"; return 1; }
	for f in /usr/share/instantly-etl/sql/*.sql; do psql_q -f "$f" >/dev/null || return 1; done
	psql_q -c "create temp table map (client_id uuid, campaign_id uuid)" \
		-c "\\copy map from '/usr/share/instantly-etl/samples/clients.csv' with (format csv, header)" \
		-c "insert into clients (id, name) select distinct client_id, 'c' from map" \
		-c "insert into client_campaigns select distinct client_id, campaign_id from map" >/dev/null || return 1
	/usr/bin/instantly-load "$T/out" 2>"$T/ld.err" || { cat "$T/ld.err"; return 1; }
	n=$(psql_q -At -c "select count(*) from synced_leads") && [ "$n" -gt 0 ] && echo "# $n leads loaded" >&2 &&
	is "$n" "$(($(wc -l < "$T/out/synced_leads.csv") - 1))"
}
ok "the installed transform on the installed sample, loaded by the installed instantly-load with the installed schema" run_installed
installed_status() { /usr/share/instantly-etl/samples/nightly.sh --status /etc/instantly-etl/nightly.conf | grep -q "none recorded yet"; }
ok "the installed nightly.sh --status" installed_status

# ---- purge --------------------------------------------------------------------------
dpkg -L instantly-etl | sort > "$T/files"
# what the service and the admin add: state, archives, metrics, credentials
mkdir -p /var/lib/instantly-etl/archive /var/lib/instantly-etl/metrics
echo x > /var/lib/instantly-etl/archive/2026-01-01.ndjson.gz
echo x > /var/lib/instantly-etl/metrics/instantly-etl.prom
chown -R instantly-etl: /var/lib/instantly-etl
echo secret > /etc/instantly-etl/credentials/instantly-api-key
t0=$(date +%s)
purged() {
	purge || { tail -n 20 "$T/purge.log"; return 1; }
	! dpkg-query -W -f='${Status}' instantly-etl 2>/dev/null | grep -q 'installed\|config-files' || { echo "still known to dpkg"; return 1; }
	left=
	while read -r f; do
		[ "$f" = /. ] && continue
		if [ -d "$f" ]; then	# (/lib is a link to usr/lib)
			case $f in */instantly-etl*) left="$left $f" ;; esac	# its own directories
		elif [ -e "$f" ] || [ -L "$f" ]; then
			left="$left $f"
		fi
	done < "$T/files"
	[ -z "$left" ] || { echo "left:$left"; return 1; }
	for p in /etc/instantly-etl /var/lib/instantly-etl /usr/share/instantly-etl /usr/share/doc/instantly-etl; do
		[ ! -e "$p" ] || { echo "left: $p"; return 1; }
	done
	{ ! getent passwd instantly-etl && ! getent group instantly-etl; } || { echo "the user or group is left"; return 1; }
}
ok "apt-get purge: no file of the package, no settings or credentials, no state directory, no user or group left" purged
echo "# purge: $(since "$t0")"
echo "# the whole test: $(since "$t_start")"
done_testing

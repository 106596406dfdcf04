# shellcheck shell=bash
# tests/deps.sh: sourced by tests/run-all.sh and samples/demo.sh.
# ie_install_deps [test]: install the Debian packages instantly-etl needs to
# build and run (and with "test", to test: fuzzing, valgrind), those that are
# missing only. As root it runs apt-get; otherwise
# it prints the command to run and fails.

IE_DEBIAN_PACKAGES="gcc make autoconf automake pkg-config
	libcurl4-openssl-dev libyajl-dev libcsv-dev zlib1g-dev
	postgresql postgresql-client python3 python3-jsonschema groff-base procps curl"
# for the test suite only (ie_install_deps test): clang and
# libclang-rt-14-dev (libFuzzer, the sanitizer runtimes) for the fuzz targets
# (make fuzz, tests/cli/fuzz.sh); valgrind for make check-valgrind and
# tests/cli/valgrind-smoke.sh
IE_TEST_PACKAGES="clang libclang-rt-14-dev valgrind"
# the Debian package and the systemd units (make check-package,
# tests/cli/systemd-units.sh): debhelper, lintian, dpkg-dev, fakeroot;
# systemd for systemd-analyze verify (no running systemd needed); prometheus
# for promtool check metrics (tests/cli/metrics.sh)
IE_TEST_PACKAGES="$IE_TEST_PACKAGES debhelper lintian dpkg-dev fakeroot systemd prometheus"
# and for tests/cli/shellcheck.sh, the shell script checker
IE_TEST_PACKAGES="$IE_TEST_PACKAGES shellcheck"

ie_missing_packages() {	# [test]: the test suite's packages too
	for p in $IE_DEBIAN_PACKAGES ${1:+$IE_TEST_PACKAGES}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

ie_install_deps() {	# [test]: the test suite's packages too
	missing=$(ie_missing_packages "${1:-}" | tr '\n' ' ')
	[ -n "${missing// /}" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages: $missing" >&2
		echo "install them with: sudo apt-get update && sudo apt-get install -y $missing" >&2
		return 1
	fi
	echo "installing Debian packages: $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# the postgresql package must not start a system cluster here: tests
	# start their own throwaway servers
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		_ie_policy=1
	fi
	# shellcheck disable=SC2086 # $missing: package names, one word each
	apt-get install -y -q --no-install-recommends $missing >&2
	_rc=$?
	[ -n "${_ie_policy:-}" ] && rm -f /usr/sbin/policy-rc.d
	return $_rc
}

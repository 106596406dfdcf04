#!/usr/bin/env bash
# tests/run-all.sh: the whole test suite, as CI runs it.
#
# Installs the missing Debian packages (as root), then builds twice out of
# tree, a normal build (warnings as errors) in build/normal and an
# AddressSanitizer + UndefinedBehaviorSanitizer build in build/sanitize, runs
# `make check` in both, the short fuzz run (`make fuzz-check`), the Debian
# package (`make check-package`) and `make distcheck` once, and ends with the line
# "N passed, N failed, N skipped" summed over both builds.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
. tests/deps.sh
ie_install_deps test || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 skipped=0 status=0

count() {	# add up the automake test-suite.log summary of one build
	log=$1/test-suite.log
	if [ ! -f "$log" ]; then
		echo "no $log: the build or the test run failed early" >&2
		failed=$((failed + 1))
		return
	fi
	get() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" "$log" | head -n 1; }
	# a test script counts as one; its TAP points are in the per-test logs
	# (a script skipped whole prints "1..0 # SKIP" and no point: a skip, not one less pass)
	p=$(cat "$1"/tests/unit/*.log "$1"/tests/cli/*.log 2>/dev/null | grep -c '^ok ' || true)
	s=$(cat "$1"/tests/unit/*.log "$1"/tests/cli/*.log 2>/dev/null | grep -c '^ok .*# SKIP' || true)
	a=$(cat "$1"/tests/unit/*.log "$1"/tests/cli/*.log 2>/dev/null | grep -c '^1\.\.0 # SKIP' || true)
	f=$(cat "$1"/tests/unit/*.log "$1"/tests/cli/*.log 2>/dev/null | grep -c '^not ok ' || true)
	e=$(get ERROR)
	passed=$((passed + p - s))
	skipped=$((skipped + s + a))
	failed=$((failed + f + ${e:-0}))
}

build() {	# build DIR CONFIGURE-ARGS...
	dir=$1; shift
	rm -rf "$dir"; mkdir -p "$dir"
	( cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" ) || return 1
}

autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; echo "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }

for variant in normal sanitize; do
	case $variant in
	normal) args=(--enable-werror) ;;
	sanitize) args=(--enable-werror --enable-sanitizers) ;;
	esac
	echo "=== $variant build ==="
	if ! build "build/$variant" "${args[@]}"; then
		echo "build/$variant: build failed"
		failed=$((failed + 1)); status=1
		continue
	fi
	( cd "build/$variant" && make -s -j"$jobs" check ) || status=1
	count "build/$variant"
done

# once HEADING NAME TARGET LOG SHOW: make TARGET in the normal build, once,
# and add up the TAP points of its log build/normal/tests/cli/LOG.log
# (skipped ones apart), printing the log's lines that match the ERE SHOW;
# NAME names it in a "not ok" line when the log is missing or has no plan
once() {
	local name=$2 target=$3 log=build/normal/tests/cli/$4.log show=$5 s a
	echo "=== $1 ==="
	if [ ! -f build/normal/Makefile ]; then
		echo "not ok - $name: no normal build"
		failed=$((failed + 1)); status=1
		return
	fi
	( cd build/normal && make -s "$target" ) || status=1
	if [ ! -f "$log" ]; then
		echo "not ok - $name: no $log"
		failed=$((failed + 1)); status=1
		return
	fi
	grep -E "$show" "$log" || true
	s=$(grep -c '^ok .*# SKIP' "$log" || true)
	a=$(grep -c '^1\.\.0 # SKIP' "$log" || true)
	passed=$((passed + $(grep -c '^ok ' "$log" || true) - s))
	skipped=$((skipped + s + a))
	failed=$((failed + $(grep -c '^not ok ' "$log" || true)))
	grep -q '^1\.\.[0-9]' "$log" || { echo "not ok - $name: the test ended early"; failed=$((failed + 1)); status=1; }
}
# the short fuzz run (tests/cli/fuzz.sh: one TAP point per target; `make
# fuzz` and `make fuzz-long` are the long runs), and the Debian package
# (tests/cli/debian-package.sh: it builds the .deb from a copy of the
# distribution, lintian, installs, runs, purges)
once "short fuzz run" "short fuzz run" fuzz-check fuzz '^(ok|not ok|# fuzz_)'
once "the Debian package (make check-package)" "the Debian package" check-package debian-package \
	'^(ok|not ok|# [a-z]+: [0-9]+ s|# the whole)'

echo "=== make distcheck ==="
if ( cd build/normal && make -s -j"$jobs" distcheck >distcheck.log 2>&1 ); then
	passed=$((passed + 1))
	echo "ok - make distcheck"
else
	tail -n 40 build/normal/distcheck.log
	echo "not ok - make distcheck"
	failed=$((failed + 1)); status=1
fi

# what failed, named, next to the count (a CI report may show only the end)
if [ "$failed" -ne 0 ]; then
	echo "=== what failed ==="
	for variant in normal sanitize; do
		for log in "build/$variant"/tests/unit/*.log "build/$variant"/tests/cli/*.log; do
			[ -f "$log" ] || continue
			# each failing point and the first lines it printed ("# ..."),
			# and what the TAP driver said of a test that ended without
			# them (missing plan, exit status)
			awk -v w="$variant: ${log#build/"$variant"/}: " '
				/^ERROR: / { print w $0; n = 0; next }
				/^(not ok |Bail out!)/ { print w $0; n = 8; next }
				n > 0 && /^(PASS|FAIL|ERROR): / { next }
				n > 0 && /^# / { print "    " $0; n--; next }
				{ n = 0 }' "$log" | cut -c 1-300
		done
	done
	# the test run inside make distcheck (its tree is left after a failure)
	[ -f build/normal/distcheck.log ] && grep -E '^(FAIL|ERROR): ' build/normal/distcheck.log | sed 's|^|distcheck: |'
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

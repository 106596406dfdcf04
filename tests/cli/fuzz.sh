#!/usr/bin/env bash
# tests/cli/fuzz.sh: the short fuzz run of the suite (`make fuzz-check`, run
# once by tests/run-all.sh, not in every build). For each libFuzzer target of
# fuzz/ one test point: it builds with clang (-fsanitize=fuzzer,address,
# undefined), replays every regression fixture of fuzz/regressions/TARGET,
# then fuzzes for FUZZ_SHORT_SECONDS (default 8) from the committed corpus
# with no crash, leak, undefined behaviour or hang; the executions and the
# coverage are printed as TAP comments. No clang is a failure, not a skip:
# tests/deps.sh installs it. The long runs are `make fuzz` and
# `make fuzz-long` (fuzz/README.md).
. "$SRCDIR/tests/lib.sh"

secs=${FUZZ_SHORT_SECONDS:-8}
targets="fuzz_transform fuzz_page fuzz_clientmap fuzz_icp fuzz_load"

have_clang() {
	command -v "${FUZZ_CC:-clang}" >/dev/null ||
		{ echo "no ${FUZZ_CC:-clang} on PATH: install the Debian packages clang and libclang-rt-14-dev (tests/deps.sh)"; return 1; }
}

# short TARGET: build, replay the fixtures, fuzz; the stats in $T/TARGET.stats
short() {
	t=$1 bin=$BUILDDIR/fuzz/$1
	have_clang || return 1
	make -s -C "$BUILDDIR" ${FUZZ_CC:+FUZZ_CC="$FUZZ_CC"} "fuzz/$t" || { echo "$t: the build failed"; return 1; }
	if [ -d "$SRCDIR/fuzz/regressions/$t" ]; then
		"$bin" -runs=1 "$SRCDIR"/fuzz/regressions/"$t"/* >"$T/$t.replay" 2>&1 ||
			{ grep -a -E 'ERROR|SUMMARY|runtime error|fuzz: |Running:' "$T/$t.replay" | tail -n 20; return 1; }
	fi
	mkdir -p "$T/work/$t"
	set -- "$T/work/$t" "$SRCDIR/fuzz/corpus/$t"
	[ -d "$SRCDIR/fuzz/regressions/$t" ] && set -- "$@" "$SRCDIR/fuzz/regressions/$t"
	"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$T/$t-" "$@" >"$T/$t.log" 2>&1 ||
		{ grep -a -E 'ERROR|SUMMARY|runtime error|fuzz: |Test unit written|Base64' "$T/$t.log" | tail -n 20; return 1; }
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$t.log")
	last=$(grep -a -E '^#[0-9]+.*cov: ' "$T/$t.log" | tail -n 1)
	{ [ -n "$runs" ] && [ "$runs" -gt 0 ]; } || { echo "$t: no executions"; tail -n 20 "$T/$t.log"; return 1; }
	echo "$t: $runs executions in $secs s, cov: ${last#*cov: }" >"$T/$t.stats"
}

for t in $targets; do
	ok "$t: built with clang, fixtures replayed, fuzzed $secs s with no crash, leak, UB or hang" short "$t"
	[ -f "$T/$t.stats" ] && sed 's/^/# /' "$T/$t.stats"
done
done_testing

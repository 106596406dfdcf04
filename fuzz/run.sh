#!/bin/sh
# fuzz/run.sh SECONDS MAX_LEN TIMEOUT RSS_MB TARGET...: run each libFuzzer
# target of $FUZZ_DIR (the build tree's fuzz/) for SECONDS, one after the
# other on one core, over its work corpus ($FUZZ_DIR/work/TARGET: new inputs
# go there), the committed seed corpus and the regression fixtures
# ($SRCDIR/fuzz/corpus/TARGET, $SRCDIR/fuzz/regressions/TARGET, read only),
# and print one line per target: executions, executions per second, coverage
# (libFuzzer's cov: edges and ft: features) and corpus size. A crash, leak,
# undefined behaviour or hang stops with the reproducer's name
# ($FUZZ_DIR/work/TARGET-crash-*) and exit 1. Used by `make fuzz`,
# `make fuzz-long` and tests/cli/fuzz.sh.
set -u
[ $# -ge 5 ] || { echo "usage: $0 SECONDS MAX_LEN TIMEOUT RSS_MB TARGET..." >&2; exit 2; }
secs=$1 maxlen=$2 timeout=$3 rss=$4
shift 4
: "${FUZZ_DIR:?}" "${SRCDIR:?}"
status=0
for t in "$@"; do
	bin=$FUZZ_DIR/$t
	work=$FUZZ_DIR/work/$t
	log=$FUZZ_DIR/work/$t.log
	mkdir -p "$work" || exit 1
	[ -x "$bin" ] || { echo "$t: $bin not built (make fuzz-build)" >&2; status=1; continue; }
	set -- "$work"
	for d in "$SRCDIR/fuzz/corpus/$t" "$SRCDIR/fuzz/regressions/$t"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	dict=
	[ -f "$SRCDIR/fuzz/$t.dict" ] && dict=-dict=$SRCDIR/fuzz/$t.dict
	echo "$t: fuzzing for $secs s ($log)"
	# -jobs/-workers 0: one process, one core; -close_fd_mask=2: the
	# targets' stderr chatter off (libFuzzer's own report stays)
	"$bin" -max_total_time="$secs" -max_len="$maxlen" -timeout="$timeout" -rss_limit_mb="$rss" \
		-print_final_stats=1 -artifact_prefix="$FUZZ_DIR/work/$t-" ${dict:+"$dict"} "$@" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
	if [ "$rc" -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz: |artifact_prefix|Test unit written)' "$log" | head -n 20 >&2
		echo "$t: FAILED (exit $rc) after ${runs:-?} executions; see $log" >&2
		status=1
		continue
	fi
	echo "$t: ${runs:-?} executions in $secs s (${rate:-?}/s), cov: ${cov:-?} ft: ${ft:-?}, corpus ${corp:-?}"
done
exit $status

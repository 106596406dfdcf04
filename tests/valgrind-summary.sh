#!/bin/sh
# tests/valgrind-summary.sh LOGDIR: sum up the logs tests/valgrind.sh wrote
# (one per program run): runs, runs with errors, errors, bytes definitely
# lost; lists the logs with errors. Exits 1 when there is any error or
# definite leak (or no log at all), else 0.
dir=$1
set -- "$dir"/*.log
[ -e "$1" ] || { echo "valgrind: no logs in $dir: nothing ran under valgrind"; exit 1; }
runs=0 bad=0 errors=0 lost=0 badlogs=""
for f in "$@"; do
	runs=$((runs + 1))
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) error.*/\1/p' "$f" | tr -d , | tail -n 1)
	l=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -n 1)
	# a run killed on purpose (SIGKILL) writes no summary: not an error,
	# but counted apart
	if [ -z "$e" ]; then
		killed=$((${killed:-0} + 1))
		continue
	fi
	# a program ended by a signal (a test's SIGTERM, SIGABRT) never ran its
	# frees: what its frames held at that moment is not a leak; its memory
	# errors still count
	if grep -q "Process terminating with default action of signal" "$f"; then
		k=$(grep -c "definitely lost in loss record" "$f")
		sig_lost=$((${sig_lost:-0} + ${l:-0})); e=$((e - k)); l=0
	fi
	errors=$((errors + e)); lost=$((lost + ${l:-0}))
	if [ "$e" -gt 0 ] || [ "${l:-0}" -gt 0 ]; then
		bad=$((bad + 1)); badlogs="$badlogs $f"
	fi
done
set -- "$dir"/*.novalgrind
novg=0; [ -e "$1" ] && novg=$#
echo "valgrind: $novg more runs without valgrind (their TMPDIR full or read-only on purpose)"
echo "valgrind: $runs program runs ($((runs - ${killed:-0})) finished, ${killed:-0} without a summary: killed), $bad with errors; $errors errors, $lost bytes definitely lost"
echo "valgrind: ${sig_lost:-0} bytes held at the death by a signal of a program (not counted as leaks)"
for f in $badlogs; do echo "--- $f"; head -n 80 "$f"; done
[ "$bad" -eq 0 ]

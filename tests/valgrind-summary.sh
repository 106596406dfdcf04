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
	errors=$((errors + e)); lost=$((lost + ${l:-0}))
	if [ "$e" -gt 0 ] || [ "${l:-0}" -gt 0 ]; then
		bad=$((bad + 1)); badlogs="$badlogs $f"
	fi
done
echo "valgrind: $runs program runs ($((runs - ${killed:-0})) finished, ${killed:-0} without a summary: killed), $bad with errors; $errors errors, $lost bytes definitely lost"
for f in $badlogs; do echo "--- $f"; head -n 80 "$f"; done
[ "$bad" -eq 0 ]

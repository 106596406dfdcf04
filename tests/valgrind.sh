#!/bin/sh
# tests/valgrind.sh PROGRAM ARGS...: run PROGRAM under valgrind memcheck.
#
# Used by `make check-valgrind` (as the unit tests' LOG_COMPILER, and exec'd
# by the wrappers that $EXTRACT, $TRANSFORM and $LOAD point at) and by
# tests/cli/valgrind-smoke.sh. Any memcheck error, and any definite leak,
# makes the program exit 97 (IE_VALGRIND_EXIT) instead of its own status, so
# the test that ran it fails. Valgrind's report goes to a file of its own in
# $IE_VALGRIND_LOGS (PROGRAM.PID.log), never to the program's stderr, which
# the tests read. Children (psql, run by the load) are not traced.
: "${IE_VALGRIND_LOGS:?IE_VALGRIND_LOGS: where valgrind writes its logs}"
: "${IE_VALGRIND:=valgrind}"
: "${IE_VALGRIND_EXIT:=97}"
_name=$(basename "$1")
# Valgrind keeps files of its own in $TMPDIR and cannot start without them:
# where the test made TMPDIR full or read-only (tests/cli/faults.sh), the
# program runs without valgrind, and a PROGRAM.PID.novalgrind file says so.
{ _probe=$(mktemp "${TMPDIR:-/tmp}/.ie-vg-probe.XXXXXX" 2>/dev/null) &&
	head -c 65536 /dev/zero > "$_probe" 2>/dev/null && rm -f "$_probe"; } || {
	[ -z "$_probe" ] || rm -f "$_probe"
	echo "TMPDIR=${TMPDIR:-/tmp} unusable by valgrind: run without it: $*" > "$IE_VALGRIND_LOGS/$_name.$$.novalgrind"
	exec "$@"
}
exec $IE_VALGRIND --tool=memcheck --error-exitcode="$IE_VALGRIND_EXIT" \
	--leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-origins=yes --num-callers=30 --child-silent-after-fork=yes --trace-children=no --vgdb=no \
	--log-file="$IE_VALGRIND_LOGS/$_name.%p.log" "$@"

#!/usr/bin/env bash
# The man pages ship, render without groff warnings, and document every
# option that --help lists and every exit status.
. "$(dirname "$0")/../lib.sh"

MAN=$SRCDIR/man
ok "instantly-extract(1), instantly-transform(1), instantly-load(1), instantly-archive(5) and instantly-etl(7) exist" \
	test -s "$MAN/instantly-extract.1" -a -s "$MAN/instantly-transform.1" -a -s "$MAN/instantly-load.1" \
	-a -s "$MAN/instantly-archive.5" -a -s "$MAN/instantly-etl.7"

# renders_clean PAGE: groff has no warning about PAGE
renders_clean() {
	local out
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$1" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}
for page in "$MAN"/*.[1-8]; do
	if command -v groff >/dev/null 2>&1; then
		ok "$(basename "$page"): groff renders it without warnings" renders_clean "$page"
	else
		skip "$(basename "$page"): no groff"
	fi
done

# every long option of --help, as it appears in the page's source (\- for -),
# and every exit status of the program
# none_extra LIST EXTRA: the page's option list was read, and nothing is extra
none_extra() { test -s "$1" && test -z "$2"; }
documents() {	# documents PROGRAM PAGE CODES...
	prog=$1 page=$2; shift 2
	"$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u > "$T/options"
	ok "$(basename "$page"): --help lists options" test -s "$T/options"
	missing=
	while read -r opt; do
		src=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$src" "$page" || missing="$missing $opt"
	done < "$T/options"
	ok "$(basename "$page") documents every --help option${missing:+ (missing:$missing)}" test -z "$missing"
	# and the other way: every option the page's OPTIONS section names is in --help
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | grep -o -- '\\-\\-[a-z][a-z\\-]*' |
		sed 's/\\-/-/g' | sort -u > "$T/man-options"
	extra=$(comm -13 "$T/options" "$T/man-options" | tr '\n' ' ')
	ok "$(basename "$page"): every option it documents is in --help${extra:+ (not in --help: $extra)}" \
		none_extra "$T/man-options" "$extra"
	for code in "$@"; do
		ok "$(basename "$page") documents exit status $code" grep -qx "\.B $code" "$page"
	done
}
documents "$EXTRACT" "$MAN/instantly-extract.1" 0 1 2 3 4 6
documents "$TRANSFORM" "$MAN/instantly-transform.1" 0 1 2 3 4
documents "$LOAD" "$MAN/instantly-load.1" 0 2 3 4 5
done_testing

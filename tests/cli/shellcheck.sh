#!/usr/bin/env bash
# tests/cli/shellcheck.sh: every shell script of samples/, tests/, bench/
# and fuzz/ is clean under `shellcheck -x` (with the settings of the tree's
# .shellcheckrc): one point per script, found by globbing the folders, so
# that a new script is checked without being listed here. A finding that is
# meant is silenced where it is, by a disable directive whose reason follows
# it on the same line.
. "$(dirname "$0")/../lib.sh"

command -v shellcheck >/dev/null 2>&1 ||
	skip_all "no shellcheck (apt-get install shellcheck; tests/deps.sh lists it)"

# the scripts, relative to the top of the tree, where shellcheck runs (as the
# scripts do, some source "tests/lib.sh"): *.sh, and any other file that
# starts with a shell's #! line (tests/data and the fuzz corpus hold data)
cd "$SRCDIR" || exit 1
scripts() {
	local f first
	find samples tests bench fuzz \( -path tests/data -o -path fuzz/corpus -o -path fuzz/regressions \) -prune \
		-o -type f -print | LC_ALL=C sort |
	while IFS= read -r f; do
		case $f in
		*.sh) echo "$f" ;;
		*) IFS= read -r first < "$f" 2>/dev/null || first=
		   case $first in '#!'*/sh | '#!'*/bash | '#!'*' sh' | '#!'*' bash' | '#!'*/sh' '* | '#!'*/bash' '*) echo "$f" ;; esac ;;
		esac
	done
}
scripts > "$T/scripts"
ok "scripts found in samples/, tests/, bench/ and fuzz/" test -s "$T/scripts"

# clean SCRIPT: no finding of any level (style notes included)
clean() { shellcheck -x --severity=style --format=gcc "$1" > "$T/sc.out" 2>&1 || { cat "$T/sc.out"; return 1; }; }
while IFS= read -r s; do
	ok "shellcheck: $s" clean "$s"
done < "$T/scripts"

# a directive that silences a finding says why (after it, on the same line)
unexplained() {
	local list
	mapfile -t list < "$T/scripts"
	! grep -n '# shellcheck disable=[A-Z0-9,]*[[:space:]]*$' "${list[@]}"
}
ok "every '# shellcheck disable=' says why" unexplained
done_testing

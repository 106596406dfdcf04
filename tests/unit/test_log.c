/* log: what reaches a human-readable line is escaped, so that no value from
 * data or the network can move a terminal's cursor or forge a log line. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "tap.h"

static void
esc_is(const char *in, const char *want, const char *what)
{
	char out[256];

	log_escape(out, sizeof out, in);
	is_str(out, want, "%s", what);
}

int
main(void)
{
	char small[8];
	size_t n;

	esc_is("plain text: 12 rows, 'quoted' \"too\"", "plain text: 12 rows, 'quoted' \"too\"", "printable ASCII kept");
	esc_is("José, Zoë, 東京, 😀", "José, Zoë, 東京, 😀", "printable non-ASCII kept");
	esc_is("\033[2J\033[H", "\\x1b[2J\\x1b[H", "ESC (clear screen) escaped");
	esc_is("a\rb\nc\td", "a\\rb\\nc\\td", "CR, LF and TAB escaped");
	esc_is("bell\a del\x7f nul-free", "bell\\x07 del\\x7f nul-free", "BEL and DEL escaped");
	esc_is("line\ninstantly-load: loaded 0 rows", "line\\ninstantly-load: loaded 0 rows", "a forged log line stays on one line");
	esc_is("\xc2\x9b" "2J", "\\u009b2J", "C1 CSI (U+009B) escaped");
	esc_is("\xc2\x85", "\\u0085", "C1 NEL escaped");
	esc_is("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029", "line and paragraph separators escaped");
	esc_is("\xe2\x80\xae" "fdp.exe", "\\u202efdp.exe", "right-to-left override escaped");
	esc_is("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069", "bidi isolates escaped");
	esc_is("a\xe2\x80\x8b" "b\xef\xbb\xbf" "c\xd8\x9c" "d\xe2\x81\xa0", "a\\u200bb\\ufeffc\\u061cd\\u2060",
	       "zero-width and invisible characters escaped (they could hide text)");
	esc_is("\xff\xfe bad", "\\xff\\xfe bad", "invalid UTF-8 bytes escaped");
	esc_is("\xc3", "\\xc3", "a cut sequence at the end escaped");
	esc_is("\xe2\x82", "\\xe2\\x82", "a cut three-byte sequence escaped");
	esc_is("\xed\xa0\x80", "\\xed\\xa0\\x80", "a surrogate escaped byte by byte");
	esc_is("\xc0\xaf", "\\xc0\\xaf", "an overlong '/' escaped");
	esc_is("", "", "empty");

	n = log_escape(small, sizeof small, "\033\033\033");
	ok(n < sizeof small && strlen(small) == n, "a small buffer is cut short, terminated (%zu)", n);
	is_str(small, "\\x1b", "never half an escape");
	n = log_escape(small, sizeof small, "abcdefghij");
	is_str(small, "abcdefg", "plain text cut at the buffer");
	n = log_escape(small, sizeof small, "abcdef\xc3\xa9");
	is_str(small, "abcdef", "never half a character");

	return tap_done();
}

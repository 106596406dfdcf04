/* val: the exact readings of docs/normalisation.md for integers, timestamps,
 * dates, UUIDs and trimming. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "val.h"

static void
int_ok(const char *s, int is_string, int32_t want)
{
	int32_t got = 12345;
	const char *why;
	int rc = val_int32(s, strlen(s), is_string, &got, &why);

	ok(rc == 0 && got == want, "%s %s reads as %d (got %d)", is_string ? "string" : "number", s, want, got);
}

static void
int_bad(const char *s, int is_string, const char *why_want)
{
	int32_t got;
	const char *why = "";
	int rc = val_int32(s, strlen(s), is_string, &got, &why);

	ok(rc < 0 && strcmp(why, why_want) == 0, "%s %s rejected: %s (got %s)", is_string ? "string" : "number", s,
	   why_want, rc < 0 ? why : "accepted");
}

int
main(void)
{
	const char *s;
	size_t n;

	/* integers: numbers with integral values, digit strings */
	int_ok("12", 0, 12);
	int_ok("-3", 0, -3);
	int_ok("0", 0, 0);
	int_ok("-0", 0, 0);
	int_ok("1.0", 0, 1);
	int_ok("1.000000000000000000000000000000", 0, 1);
	int_ok("1e2", 0, 100);
	int_ok("1E+2", 0, 100);
	int_ok("1000e-3", 0, 1);
	int_bad("1500e-3", 0, "not an integer");
	int_ok("0.5e1", 0, 5);
	int_ok("2147483647", 0, 2147483647);
	int_ok("-2147483648", 0, INT32_MIN);
	int_ok("0e999999999", 0, 0);
	int_ok("12", 1, 12);
	int_ok("-3", 1, -3);
	int_ok("007", 1, 7);
	int_ok("000000000000000000000042", 1, 42);
	int_bad("1.5", 0, "not an integer");
	int_bad("1e-1", 0, "not an integer");
	int_bad("2147483648", 0, "out of range for integer");
	int_bad("-2147483649", 0, "out of range for integer");
	int_bad("1e10", 0, "out of range for integer");
	int_bad("1e999999999999", 0, "out of range for integer");
	int_bad("99999999999999999999999", 0, "out of range for integer");
	int_bad(" 12", 1, "not an integer");
	int_bad("12 ", 1, "not an integer");
	int_bad("+12", 1, "not an integer");
	int_bad("1.5", 1, "not an integer");
	int_bad("1e2", 1, "not an integer");
	int_bad("n/a", 1, "not an integer");
	int_bad("", 1, "not an integer");
	int_bad("-", 1, "not an integer");
	int_bad("99999999999", 1, "out of range for integer");
	int_bad("01", 0, "not an integer");	/* not JSON number syntax */

	/* JSON number syntax for numeric strings */
	ok(val_is_json_number("0", 1) && val_is_json_number("-1.5e-3", 7) && val_is_json_number("12.50", 5),
	   "JSON numbers accepted");
	ok(!val_is_json_number("01", 2) && !val_is_json_number("1.", 2) && !val_is_json_number(".5", 2) &&
	   !val_is_json_number("NaN", 3) && !val_is_json_number("+1", 2) && !val_is_json_number("1e", 2) &&
	   !val_is_json_number("", 0),
	   "not JSON numbers rejected");

	/* PostgreSQL numeric's limits, as PostgreSQL 15 answered for each */
	{
		static const char *const fits[] = { "1e131071", "9.9e131071", "0.1e131072", "1e-16383",
			"0.0e-16382", "0e1073741822", "0e-16383", "10e131070", "-0.0",
			"100000000000000000000000000000e131041", "0.000001e131077", "-12.5E+3", "0", NULL };
		static const char *const overflow[] = { "1e131072", "0.1e131073", "1.5e-16383", "0.00e-16382",
			"0e1073741823", "0e-1073741822", "0e-16384", "10e131071", "-1e200000", "-1e-999999",
			"1e99999999999999999999", NULL };
		int k, good = 1;
		for (k = 0; fits[k]; k++)
			if (!val_pg_numeric_ok(fits[k], strlen(fits[k]))) {
				printf("# should fit: %s\n", fits[k]);
				good = 0;
			}
		ok(good, "numbers PostgreSQL's numeric holds");
		good = 1;
		for (k = 0; overflow[k]; k++)
			if (val_pg_numeric_ok(overflow[k], strlen(overflow[k]))) {
				printf("# should overflow: %s\n", overflow[k]);
				good = 0;
			}
		ok(good, "numbers that overflow PostgreSQL's numeric");
	}

	/* trimming: the six ASCII whitespace characters, nothing else */
	s = " \t\n\r\v\fx y\f\v\r\n\t ";
	n = strlen(s);
	val_trim(&s, &n);
	is_mem(s, n, "x y", "trim removes space, tab, LF, CR, VT, FF at both ends");
	s = "\xc2\xa0x\xc2\xa0";	/* NBSP is not ASCII whitespace */
	n = strlen(s);
	val_trim(&s, &n);
	ok(n == 5, "trim keeps a no-break space");
	ok(val_blank(" \t\r\n", 4) && val_blank("", 0) && !val_blank(" a ", 3), "blank");

	/* UUIDs */
	ok(val_is_uuid("019f19e7-cbee-7984-a98a-670c65cc875f", 36), "UUID v7 lower case");
	ok(val_is_uuid("9B6F458E-6DC5-4762-83D5-A528AEDD2235", 36), "UUID upper case");
	ok(!val_is_uuid("9b6f458e6dc5476283d5a528aedd2235", 32), "UUID without hyphens rejected");
	ok(!val_is_uuid("{9b6f458e-6dc5-4762-83d5-a528aedd2235}", 38), "UUID in braces rejected");
	ok(!val_is_uuid("9b6f458e-6dc5-4762-83d5-a528aedd223g", 36), "UUID with a non-hex digit rejected");

	/* dates */
	ok(val_is_date("2026-02-28", 10) && val_is_date("2024-02-29", 10) && val_is_date("2000-02-29", 10), "dates");
	ok(!val_is_date("2026-02-29", 10) && !val_is_date("1900-02-29", 10) && !val_is_date("2026-13-01", 10) &&
	   !val_is_date("2026-04-31", 10) && !val_is_date("2026-4-1", 8) && !val_is_date("0000-01-01", 10) &&
	   !val_is_date("2026-01-01T", 11),
	   "bad dates rejected");

	/* timestamps */
	{
		static const char *const good[] = {
			"2026-06-30T19:00:49.261Z", "2026-06-30T19:00:49Z", "2026-06-30T19:00Z",
			"2026-06-30T19:00:49.261+02:00", "2026-06-30T19:00:49-0530", "2026-06-30T19:00:49+02",
			"2026-06-30T19:00:49", "2026-06-30T19:00:49.123456789Z", "2026-06-30T23:59:60Z",
			"2026-06-30T24:00:00Z", "2026-06-30T24:00:00.000Z", "2026-06-30T23:59:60.00Z",
		};
		static const char *const bad[] = {
			"2026-06-30", "2026-06-30 19:00:49Z", " 2026-06-30T19:00:49Z", "2026-06-30T19:00:49Z ",
			"2026-06-30T25:00:00Z", "2026-06-30T19:60:00Z", "2026-06-30T19:00:49.Z",
			"2026-02-30T19:00:49Z", "2026-06-30T19:00:49X", "yesterday", "1751310049",
			"2026-06-30T19:00:49+2", "2026-06-30T24:00:01Z", "2026-06-30T10:00:00,5Z",
			"2026-06-30T23:59:60.5Z", "2026-06-30T24:00:00.5Z",
		};
		size_t i;
		for (i = 0; i < sizeof good / sizeof good[0]; i++)
			ok(val_is_timestamp(good[i], strlen(good[i])), "timestamp %s", good[i]);
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			ok(!val_is_timestamp(bad[i], strlen(bad[i])), "not a timestamp: '%s'", bad[i]);
	}
	return tap_done();
}

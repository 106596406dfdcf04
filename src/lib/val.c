#include "config.h"

#include <string.h>

#include "val.h"

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

void
val_trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n;

	while (len > 0 && is_space((unsigned char)p[0])) {
		p++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)p[len - 1]))
		len--;
	*s = p;
	*n = len;
}

int
val_blank(const char *s, size_t n)
{
	val_trim(&s, &n);
	return n == 0;
}

int
val_is_json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit((unsigned char)s[i]))
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit((unsigned char)s[i]))
			return 0;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit((unsigned char)s[i]))
			return 0;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
	}
	return i == n;
}

/* The digit at virtual position k of a number's int digits then fraction
 * digits. */
static int
digit_at(const char *ip, size_t nint, const char *fp, size_t k)
{
	return (k < nint ? ip[k] : fp[k - nint]) - '0';
}

int
val_int32(const char *s, size_t n, int is_string, int32_t *out, const char **why)
{
	const char *ip, *fp = "";
	size_t i = 0, nint, nfrac = 0, total, a, b, k;
	long exp = 0, scale;
	int neg = 0, exp_neg = 0;
	int64_t v = 0;

	*why = "not an integer";
	if (is_string) {
		/* an optional '-' and ASCII digits, nothing else */
		if (i < n && s[i] == '-')
			i++;
		if (i == n)
			return -1;
		for (k = i; k < n; k++)
			if (!is_digit((unsigned char)s[k]))
				return -1;
	} else if (!val_is_json_number(s, n)) {
		return -1;
	}
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	ip = s + i;
	for (nint = 0; i < n && is_digit((unsigned char)s[i]); i++)
		nint++;
	if (i < n && s[i] == '.') {
		fp = s + ++i;
		for (; i < n && is_digit((unsigned char)s[i]); i++)
			nfrac++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (s[i] == '+' || s[i] == '-')
			exp_neg = s[i++] == '-';
		for (; i < n; i++)
			if (exp < 1000000)
				exp = exp * 10 + (s[i] - '0');
		if (exp_neg)
			exp = -exp;
	}
	/* value = D[a..b] * 10^scale, D the int then fraction digits, a and b
	 * its first and last non-zero digit */
	total = nint + nfrac;
	for (a = 0; a < total && digit_at(ip, nint, fp, a) == 0; a++)
		;
	if (a == total) {
		*out = 0;
		return 0;
	}
	for (b = total - 1; digit_at(ip, nint, fp, b) == 0; b--)
		;
	scale = exp - (long)nfrac + (long)(total - 1 - b);
	if (scale < 0)
		return -1;
	if ((long)(b - a + 1) + scale > 10) {
		*why = "out of range for integer";
		return -1;
	}
	for (k = a; k <= b; k++)
		v = v * 10 + digit_at(ip, nint, fp, k);
	while (scale-- > 0)
		v *= 10;
	if (neg)
		v = -v;
	if (v < INT32_MIN || v > INT32_MAX) {
		*why = "out of range for integer";
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

int
val_is_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) {
			return 0;
		}
	}
	return 1;
}

static int
num(const char *s, size_t len, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int
val_is_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if (!num(s, 4, &y) || !num(s + 5, 2, &m) || !num(s + 8, 2, &d))
		return 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

int
val_is_timestamp(const char *s, size_t n)
{
	int h, mi, sec, zh, zm;
	size_t i;

	if (n < 16 || !val_is_date(s, 10) || s[10] != 'T')
		return 0;
	if (!num(s + 11, 2, &h) || s[13] != ':' || !num(s + 14, 2, &mi))
		return 0;
	if (h > 24 || mi > 59 || (h == 24 && mi != 0))
		return 0;
	i = 16;
	if (i < n && s[i] == ':') {
		if (n < i + 3 || !num(s + i + 1, 2, &sec) || sec > 60 || (h == 24 && sec != 0))
			return 0;
		i += 3;
		if (i < n && s[i] == '.') {	/* PostgreSQL takes no decimal comma */
			size_t f = ++i;
			int nonzero = 0;
			while (i < n && is_digit((unsigned char)s[i]))
				nonzero |= s[i++] != '0';
			if (i == f)
				return 0;
			/* no time after 23:59:60 or 24:00:00 */
			if (nonzero && (sec == 60 || h == 24))
				return 0;
		}
	}
	if (i == n)
		return 1;
	if (s[i] == 'Z')
		return i + 1 == n;
	if (s[i] != '+' && s[i] != '-')
		return 0;
	i++;
	if (n < i + 2 || !num(s + i, 2, &zh) || zh > 15)
		return 0;
	i += 2;
	if (i == n)
		return 1;
	if (s[i] == ':')
		i++;
	if (n != i + 2 || !num(s + i, 2, &zm) || zm > 59)
		return 0;
	return 1;
}

int
val_pg_numeric_ok(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	long long exp = 0, lead = 0, intdigits = 0, fracdigits = 0, first = -1;
	int neg = 0, nonzero = 0;

	/* lead: the decimal weight of the first nonzero digit (10^lead) */
	if (p < end && *p == '-')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, intdigits++)
		if (first < 0 && *p != '0')
			first = intdigits;
	if (first >= 0) {
		nonzero = 1;
		lead = intdigits - 1 - first;
	}
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			fracdigits++;
			if (!nonzero && *p != '0') {
				nonzero = 1;
				lead = -fracdigits;
			}
		}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			neg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (exp < (1LL << 40))
				exp = exp * 10 + (*p - '0');
		if (neg)
			exp = -exp;
	}
	if (exp >= 1073741823 || fracdigits - exp > 16383)
		return 0;
	return !nonzero || lead + exp <= 131071;
}

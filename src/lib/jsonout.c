#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonout.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;	/* overlong */
		if (c == 0xED && s[1] > 0x9F)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] > 0x8F)
			return 0;
		return 4;
	}
	return 0;
}

size_t
utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		/* ASCII runs, eight bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, u + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i == n)
			break;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (!(k = utf8_seq(u + i, n - i)))
			break;
		i += k;
	}
	return i;
}

int
jsonout_string(buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	char esc[8];

	if (buf_putc(b, '"') < 0)
		return -1;
	while (i < n) {
		unsigned c = u[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_seq(u + i, n - i)) != 0) {
			i += k;
			continue;
		}
		/* flush the clean run before i, then the special byte */
		if (buf_append(b, s + run, i - run) < 0)
			return -1;
		if (c >= 0x80) {
			if (buf_append(b, "\xEF\xBF\xBD", 3) < 0)
				return -1;
		} else {
			const char *e = NULL;
			switch (c) {
			case '"': e = "\\\""; break;
			case '\\': e = "\\\\"; break;
			case '\n': e = "\\n"; break;
			case '\r': e = "\\r"; break;
			case '\t': e = "\\t"; break;
			case '\b': e = "\\b"; break;
			case '\f': e = "\\f"; break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", c);
				e = esc;
			}
			if (buf_puts(b, e) < 0)
				return -1;
		}
		i++;
		run = i;
	}
	if (buf_append(b, s + run, n - run) < 0)
		return -1;
	return buf_putc(b, '"');
}

int
jsonout_cstr(buf *b, const char *s)
{
	return s ? jsonout_string(b, s, strlen(s)) : buf_puts(b, "null");
}

int
jsonout_key(buf *b, int *first, const char *key)
{
	if (!*first && buf_putc(b, ',') < 0)
		return -1;
	*first = 0;
	if (jsonout_cstr(b, key) < 0)
		return -1;
	return buf_putc(b, ':');
}

int
jsonout_u64(buf *b, uint64_t v)
{
	return buf_printf(b, "%" PRIu64, v);
}

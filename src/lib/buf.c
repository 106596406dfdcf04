#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void
buf_free(buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int
buf_reserve(buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > b->max - b->len) {	/* first: the first allocation may pass max */
		errno = ENOBUFS;
		return -1;
	}
	if (n <= b->cap - b->len)
		return 0;
	want = b->len + n;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if (cap < want)
		cap = want;
	p = realloc(b->p, cap);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int
buf_append(buf *b, const void *s, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

int
buf_putc(buf *b, int c)
{
	if (buf_reserve(b, 1) < 0)
		return -1;
	b->p[b->len++] = (char)c;
	return 0;
}

int
buf_puts(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* tap.h: the few TAP helpers the C unit tests need. */
#ifndef IE_TAP_H
#define IE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, gotlen, want, ...) tap_is_mem((got), (gotlen), (want), __FILE__, __LINE__, __VA_ARGS__)

static int __attribute__((format(printf, 4, 5), unused))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		printf("#   failed at %s:%d\n", file, line);
		tap_failed++;
	}
	return pass;
}

static int __attribute__((format(printf, 6, 7), unused))
tap_is_mem(const char *got, size_t gotlen, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = got && gotlen == strlen(want) && memcmp(got, want, gotlen) == 0;
	char desc[512];

	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	tap_ok(pass, file, line, "%s", desc);
	if (!pass)
		printf("#   got:  '%.*s'\n#   want: '%s'\n", got ? (int)gotlen : 6, got ? got : "(null)", want);
	return pass;
}

static int __attribute__((format(printf, 5, 6), unused))
tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char desc[512];

	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	return tap_is_mem(got, got ? strlen(got) : 0, want, file, line, "%s", desc);
}

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* The whole file at path, NUL-terminated (*len without the NUL); NULL when
 * it cannot be read. free() it. */
static __attribute__((unused)) char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		p[n] = '\0';
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

#endif

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ierr.h"

void
ierr_clear(ierr *e)
{
	if (e) {
		e->field[0] = '\0';
		e->msg[0] = '\0';
	}
}

static void
vset(ierr *e, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int
ierr_set(ierr *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->field[0] = '\0';
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int
ierr_field(ierr *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int
ierr_sys(ierr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!e)
		return -1;
	e->field[0] = '\0';
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(errnum));
	return -1;
}

int
ierr_oom(ierr *e)
{
	return ierr_set(e, "out of memory");
}

int
ierr_prefix(ierr *e, const char *fmt, ...)
{
	char prefix[sizeof e->msg], old[sizeof e->msg];
	size_t pl, ol;
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	pl = strnlen(prefix, sizeof e->msg - 3);
	ol = strnlen(old, sizeof old);
	if (pl + 2 + ol >= sizeof e->msg)
		ol = sizeof e->msg - pl - 3;	/* cut the end, keep the prefix */
	memcpy(e->msg, prefix, pl);
	memcpy(e->msg + pl, ": ", 2);
	memcpy(e->msg + pl + 2, old, ol);
	e->msg[pl + 2 + ol] = '\0';
	return -1;
}

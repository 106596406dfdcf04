/* ierr: a caller-owned error with a position.
 *
 * Library functions report failure by returning -1 (or NULL) and filling an
 * ierr the caller passed in; only main() decides how to print it and which
 * exit code follows. `field` names the JSON field or option involved, when
 * there is one ("" otherwise); `msg` is the problem, lower case, no full stop.
 */
#ifndef IE_IERR_H
#define IE_IERR_H

#include <stddef.h>

typedef struct ierr {
	char field[160];
	char msg[864];
} ierr;

/* Clear both parts. */
void ierr_clear(ierr *e);

/* Set msg from a printf format and clear field. Returns -1 so that callers can
 * write `return ierr_set(e, ...)`. e may be NULL (then nothing is recorded). */
int ierr_set(ierr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set field (copied, truncated to fit) and msg. Returns -1. */
int ierr_field(ierr *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ierr_set, appending ": strerror(errnum)". Returns -1. */
int ierr_sys(ierr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put "PREFIX: " before the message (e.g. the file it is about). Returns -1. */
int ierr_prefix(ierr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

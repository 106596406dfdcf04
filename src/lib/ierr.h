/* ierr: a caller-owned error with a position, and the return codes.
 *
 * Functions report failure by returning a negative code (or NULL) and
 * filling an ierr the caller passed in: a function that takes an ierr never
 * fails without a message in it. Only main() decides how to print it and
 * which exit code follows (src/lib/exitcodes.h). `field` names the JSON
 * field or option involved, when there is one ("" otherwise); `msg` is the
 * problem, lower case, no full stop.
 *
 * The codes (every caller may test `< 0`; those that must tell the kinds
 * apart compare with the names, never with a bare number):
 *
 *   IERR_OK     0  done
 *   IERR_FAIL  -1  failed, e says why; where a function tells several kinds
 *                  apart, this is the ordinary one: the thing being read is
 *                  at fault (a transform record rejected, an input
 *                  unreadable)
 *   IERR_LIMIT -2  a bound the user set was passed (the extract's
 *                  --max-spill): the data's fault, the same again if retried
 *   IERR_FATAL -3  stop everything: not the data's fault (out of memory, an
 *                  output that cannot be written): no reject, no retry
 *   IERR_USAGE -4  refused: the command line asks for what cannot be (a
 *                  --resume whose window or map differs, an API key that
 *                  cannot go in a header): a usage error, exit 2
 *
 * A function returns only the codes its comment names.
 */
#ifndef IE_IERR_H
#define IE_IERR_H

#include <stddef.h>

enum {
	IERR_OK = 0,
	IERR_FAIL = -1,
	IERR_LIMIT = -2,
	IERR_FATAL = -3,
	IERR_USAGE = -4,
};

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

/* Set msg to "out of memory" (the one wording, everywhere) and clear field.
 * Returns IERR_FAIL, for `return ierr_oom(e);`. */
int ierr_oom(ierr *e);

/* The same failure as fatal: IERR_FATAL when rc < 0 (the message stays as
 * it is), rc otherwise; e.g. `return ierr_fatal(ierr_oom(e));` where -1
 * would mean "the record's fault". */
static inline int
ierr_fatal(int rc)
{
	return rc < 0 ? IERR_FATAL : rc;
}

/* Put "PREFIX: " before the message (e.g. the file it is about). Returns -1. */
int ierr_prefix(ierr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

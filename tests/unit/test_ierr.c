/* The error contract (src/lib/ierr.h): the codes, the out-of-memory
 * helper, and messages that are cut, never overrun, whatever their length. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ierr.h"
#include "tap.h"

static char big[4000];

int
main(void)
{
	ierr e;
	int rc;

	/* the codes: distinct, negative but IERR_OK, -1 the ordinary failure;
	 * IERR_LIMIT stays -2, what spool_add's callers test */
	ok(IERR_OK == 0 && IERR_FAIL == -1 && IERR_LIMIT == -2 && IERR_FATAL < -1 && IERR_USAGE < -1 &&
	   IERR_FATAL != IERR_USAGE && IERR_FATAL != IERR_LIMIT && IERR_USAGE != IERR_LIMIT,
	   "the codes: 0, -1, -2 and two more, all distinct");

	/* the one out-of-memory helper */
	ierr_field(&e, "data.id", "something else");
	rc = ierr_oom(&e);
	ok(rc == IERR_FAIL, "ierr_oom returns IERR_FAIL");
	is_str(e.msg, "out of memory", "ierr_oom fills the message");
	is_str(e.field, "", "... and clears the field");
	ok(ierr_oom(NULL) == IERR_FAIL, "ierr_oom(NULL): nothing recorded, still IERR_FAIL");

	/* ierr_fatal: a failure becomes IERR_FATAL, its message kept */
	rc = ierr_fatal(ierr_oom(&e));
	ok(rc == IERR_FATAL, "ierr_fatal(ierr_oom(e)) is IERR_FATAL");
	is_str(e.msg, "out of memory", "... with the message");
	ok(ierr_fatal(0) == 0 && ierr_fatal(1) == 1, "ierr_fatal leaves success (0, 1) alone");
	ok(ierr_fatal(IERR_USAGE) == IERR_FATAL && ierr_fatal(-1) == IERR_FATAL, "... and makes every failure fatal");

	/* every setter returns IERR_FAIL and fills the message */
	ok(ierr_set(&e, "x %d", 1) == IERR_FAIL && !strcmp(e.msg, "x 1"), "ierr_set: IERR_FAIL, message");
	ok(ierr_field(&e, "f", "y") == IERR_FAIL && !strcmp(e.field, "f") && !strcmp(e.msg, "y"),
	   "ierr_field: IERR_FAIL, field and message");
	ok(ierr_sys(&e, ENOENT, "open %s", "a") == IERR_FAIL && !strcmp(e.msg, "open a: No such file or directory"),
	   "ierr_sys: IERR_FAIL, the system's reason appended (%s)", e.msg);
	ierr_set(&e, "b");
	ok(ierr_prefix(&e, "file:%d", 3) == IERR_FAIL && !strcmp(e.msg, "file:3: b"), "ierr_prefix: IERR_FAIL, prefix");
	ok(ierr_set(NULL, "z") == IERR_FAIL && ierr_sys(NULL, 1, "z") == IERR_FAIL && ierr_prefix(NULL, "z") == IERR_FAIL &&
	   ierr_field(NULL, "f", "z") == IERR_FAIL, "a NULL ierr: nothing recorded, IERR_FAIL");

	/* long texts: cut to fit, NUL-ended (the sanitizer build watches for
	 * an overrun) */
	memset(big, 'a', sizeof big - 1);
	ierr_set(&e, "%s", big);
	ok(strlen(e.msg) == sizeof e.msg - 1, "ierr_set: a 4000-byte message cut to %zu bytes", sizeof e.msg - 1);
	ierr_field(&e, big, "m");
	ok(strlen(e.field) == sizeof e.field - 1 && !strcmp(e.msg, "m"), "ierr_field: a 4000-byte field cut to %zu bytes",
	   sizeof e.field - 1);
	ierr_sys(&e, ENOENT, "%s", big);
	ok(strlen(e.msg) == sizeof e.msg - 1, "ierr_sys: a full message, the reason cut off, not overrun");
	ierr_set(&e, "%.*s", (int)sizeof e.msg - 10, big);
	ierr_sys(&e, ENOENT, "%.*s", (int)sizeof e.msg - 10, big);
	ok(strlen(e.msg) == sizeof e.msg - 1 && !memcmp(e.msg + sizeof e.msg - 10, ": No such", 9),
	   "ierr_sys: a nearly full message keeps what of the reason fits");
	ierr_set(&e, "%s", big);
	ierr_prefix(&e, "pre");
	ok(strlen(e.msg) == sizeof e.msg - 1 && !strncmp(e.msg, "pre: aaa", 8),
	   "ierr_prefix on a full message: the prefix kept, the end cut");
	ierr_set(&e, "tail");
	ierr_prefix(&e, "%s", big);
	ok(strlen(e.msg) == sizeof e.msg - 1 && e.msg[0] == 'a', "ierr_prefix with a 4000-byte prefix: cut to fit");
	ierr_set(&e, "%s", big);
	ierr_prefix(&e, "%s", big);
	ok(strlen(e.msg) == sizeof e.msg - 1, "ierr_prefix, both too long: still NUL-ended within the message");
	return tap_done();
}

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "private.h"

static int known;
static mode_t mask;

int
private_init(ierr *e)
{
	const char *env = getenv(PRIVATE_UMASK_ENV);
	mode_t old = umask(077);

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 8);

		if (*end || end == env || v < 0 || v > 0777 || (v & 07) != 07 || (v & 0600) || env[0] == '-' || env[0] == '+') {
			umask(old | 077);
			mask = old | 077;
			known = 1;
			return ierr_set(e, "%s=%s: not an octal umask that keeps others out and lets the owner read and write (e.g. 027)",
					PRIVATE_UMASK_ENV, env);
		}
		mask = (mode_t)v;
	} else {
		mask = old | 077;
	}
	umask(mask);
	known = 1;
	return 0;
}

mode_t
private_umask(void)
{
	if (!known) {
		/* read without changing it: set, then put back */
		mask = umask(077);
		umask(mask);
		known = 1;
	}
	return mask;
}

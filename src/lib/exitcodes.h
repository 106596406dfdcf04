/* Exit codes shared by the three programs (README.md, "Exit status"). */
#ifndef IE_EXITCODES_H
#define IE_EXITCODES_H

enum {
	EXIT_OK = 0,		/* everything done */
	EXIT_REJECTS = 1,	/* done, but some input was rejected (transform)
				 * or some campaigns failed (extract: partial) */
	EXIT_USAGE = 2,		/* bad command line or configuration */
	EXIT_INPUT = 3,		/* input unreadable: missing file, corrupt or
				 * truncated gzip, read error */
	EXIT_OUTPUT = 4,	/* output failed: cannot write, out of memory */
	EXIT_DATABASE = 5,	/* the database refused the load (load: rolled
				 * back, nothing changed) */
	EXIT_API = 6,		/* the API refused the run (extract: 401, 402,
				 * 403, or the campaign listing failed) */
};

#endif

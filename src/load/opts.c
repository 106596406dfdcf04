/* Command line of instantly-load. Keep in step with man/instantly-load.1
 * (a test compares the two). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"

static const char usage_text[] =
	"Usage: instantly-load [OPTION]... DIR\n"
	"Load the tables that instantly-transform wrote to DIR into PostgreSQL, in one\n"
	"transaction: staging tables filled with psql's \\copy, then upserts (the newest\n"
	"extracted_at wins), the deletion of leads gone from a complete listing and of\n"
	"the rows of campaigns that client_campaigns no longer maps to their client.\n"
	"Leads whose content equals the warehouse's (synced_leads.content_hash) are not\n"
	"sent or written again.\n"
	"\n"
	"  -d, --dsn DSN          connect to DSN (a psql connection string or URI,\n"
	"                         without a password; by default the PG* environment\n"
	"                         variables; a password goes in PGPASSWORD or ~/.pgpass)\n"
	"      --init-schema      apply the warehouse schema first, in the same transaction\n"
	"      --print-sql        print the psql script instead of running it\n"
	"      --no-delete        never delete leads gone from complete listings\n"
	"      --no-wal-compression  do not ask for WAL compression (by default the load's\n"
	"                         transaction compresses its full-page images where the\n"
	"                         role may set wal_compression)\n"
	"      --psql PROGRAM     the psql to run (default: psql)\n"
	"      --log-format FORMAT  text (default) or json\n"
	"  -q, --quiet            print errors only\n"
	"  -v, --verbose          print debug lines\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"Exit status: 0 loaded, 2 usage error, 3 DIR incomplete or unreadable, 4 output\n"
	"error, 5 the database refused the load (rolled back: nothing changed).\n"
	"\n"
	"See instantly-load(1).\n";

enum { OPT_INIT = 256, OPT_PRINT, OPT_NO_DELETE, OPT_PSQL, OPT_NO_WALCOMP };

static const struct option longopts[] = {
	{ "dsn", required_argument, NULL, 'd' },
	{ "init-schema", no_argument, NULL, OPT_INIT },
	{ "print-sql", no_argument, NULL, OPT_PRINT },
	{ "no-delete", no_argument, NULL, OPT_NO_DELETE },
	{ "no-wal-compression", no_argument, NULL, OPT_NO_WALCOMP },
	{ "psql", required_argument, NULL, OPT_PSQL },
	LOG_LONGOPTS,
};

/* A password in a connection string or URI: keyword "password" (any case,
 * spaces around '='), "?password=" / "&password=" in a URI, or
 * "scheme://user:secret@". On a command line it is visible to every user
 * (ps, /proc/PID/cmdline), ours and psql's. */
static int
dsn_has_password(const char *d)
{
	const char *p, *at, *colon, *start;

	for (p = d; (p = strcasestr(p, "password")) != NULL; p += 8) {
		const char *q = p + 8;
		int word_start = p == d || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '?' || p[-1] == '&';
		while (*q == ' ' || *q == '\t')
			q++;
		if (word_start && *q == '=')
			return 1;
	}
	if ((start = strstr(d, "://")) != NULL) {
		start += 3;
		at = strchr(start, '@');
		colon = strchr(start, ':');
		if (at && colon && colon < at && !memchr(start, '/', (size_t)(at - start)))
			return 1;
	}
	return 0;
}

/* 0: go on; 1: done (--help, --version); -1: usage error */
int
ld_opts_parse(struct ld_opts *o, int argc, char **argv)
{
	int c, rc, verbosity = 0;

	memset(o, 0, sizeof *o);
	o->psql = "psql";
	while ((c = getopt_long(argc, argv, "d:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (dsn_has_password(optarg))
				return log_usage("--dsn holds a password, which every user can read on a command line (ps): "
						 "put it in PGPASSWORD, ~/.pgpass or PGPASSFILE");
			o->dsn = optarg;
			break;
		case OPT_INIT:
			o->init_schema = 1;
			break;
		case OPT_PRINT:
			o->print_sql = 1;
			break;
		case OPT_NO_DELETE:
			o->no_delete = 1;
			break;
		case OPT_PSQL:
			o->psql = optarg;
			break;
		case OPT_NO_WALCOMP:
			o->no_wal_compression = 1;
			break;
		default:
			if ((rc = log_common_option(c, optarg, "instantly-load", usage_text, &verbosity)) != 0)
				return rc;
			break;
		}
	}
	log_set_verbosity(verbosity);
	if (optind != argc - 1)
		return log_usage(optind >= argc ? "no DIR given" : "one DIR only");
	o->dir = argv[optind];
	return 0;
}

/* Command line of instantly-transform. Keep in step with
 * man/instantly-transform.1 (a test compares the two). */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "transform.h"

static const char usage_text[] =
	"Usage: instantly-transform -o DIR [OPTION]... [FILE]...\n"
	"  or:  instantly-transform --table NAME [OPTION]... [FILE]...\n"
	"Turn instantly-etl archives (gzipped or plain NDJSON, archive format v1) into\n"
	"PostgreSQL COPY files, one per table. With no FILE, or FILE -, read stdin.\n"
	"\n"
	"  -o, --output-dir DIR     write DIR/TABLE.csv for every table, DIR/rejects.ndjson\n"
	"                           and DIR/summary.json, all renamed into place at the end\n"
	"  -t, --table NAME         write only table NAME, to stdout (for psql \\copy)\n"
	"  -f, --format FORMAT      csv (default) or text (COPY text format, .txt files)\n"
	"      --icp-synonyms FILE  ICP synonym lists replacing the built-in ones per field\n"
	"      --rejects FILE       write rejected lines here (default DIR/rejects.ndjson)\n"
	"      --summary FILE       write the run summary here (default DIR/summary.json)\n"
	"      --max-line-bytes N   reject lines longer than N bytes (default 8388608)\n"
	"      --show-rejects N     print the first N rejects on stderr (default 10)\n"
	"      --log-format FORMAT  text (default) or json\n"
	"  -q, --quiet              print errors only\n"
	"  -v, --verbose            print every reject and debug lines\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Tables: synced_leads, campaigns, campaign_analytics, campaign_analytics_overview,\n"
	"leads_complete.\n"
	"\n"
	"Exit status: 0 all lines made rows (or were skipped), 1 finished but some lines\n"
	"were rejected, 2 usage error, 3 input error (unreadable file, corrupt or truncated\n"
	"gzip), 4 output error. After exit status 2, 3 or 4 no output file is left.\n"
	"\n"
	"See instantly-transform(1) and instantly-archive(5).\n";

enum { OPT_ICP = 256, OPT_REJECTS, OPT_SUMMARY, OPT_MAX_LINE, OPT_SHOW_REJECTS };

static const struct option longopts[] = {
	{ "output-dir", required_argument, NULL, 'o' },
	{ "table", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'f' },
	{ "icp-synonyms", required_argument, NULL, OPT_ICP },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "max-line-bytes", required_argument, NULL, OPT_MAX_LINE },
	{ "show-rejects", required_argument, NULL, OPT_SHOW_REJECTS },
	LOG_LONGOPTS,
};

static int
parse_size(const char *s, size_t min, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v < min || v > ((size_t)1 << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

int
tf_opts_parse(struct tf_opts *o, int argc, char **argv)
{
	int c, rc, verbosity = 0;
	size_t n;

	memset(o, 0, sizeof *o);
	o->table = -1;
	o->format = COPY_CSV;
	o->max_line = 8u << 20;
	o->max_shown_rejects = 10;
	while ((c = getopt_long(argc, argv, "o:t:f:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->outdir = optarg;
			break;
		case 't':
			if ((o->table = tbl_index(optarg)) < 0)
				return log_usage("unknown table '%s'", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o->format = COPY_CSV;
			else if (strcmp(optarg, "text") == 0)
				o->format = COPY_TEXT;
			else
				return log_usage("unknown format '%s' (csv or text)", optarg);
			break;
		case OPT_ICP:
			o->icp_file = optarg;
			break;
		case OPT_REJECTS:
			o->rejects_path = optarg;
			break;
		case OPT_SUMMARY:
			o->summary_path = optarg;
			break;
		case OPT_MAX_LINE:
			if (parse_size(optarg, 1024, &o->max_line) < 0)
				return log_usage("invalid --max-line-bytes '%s' (1024 to 1073741824)", optarg);
			break;
		case OPT_SHOW_REJECTS:
			if (parse_size(optarg, 0, &n) < 0)
				return log_usage("invalid --show-rejects '%s'", optarg);
			o->max_shown_rejects = (int)n;
			break;
		default:
			if ((rc = log_common_option(c, optarg, "instantly-transform", usage_text, &verbosity)) != 0)
				return rc;
			break;
		}
	}
	log_set_verbosity(verbosity);
	if (!o->outdir && o->table < 0)
		return log_usage("%s", "say where to write: -o DIR, or --table NAME for stdout");
	if (o->outdir && o->table >= 0)
		return log_usage("%s", "-o and --table cannot be used together");
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	if (o->ninputs == 0 && isatty(STDIN_FILENO))
		return log_usage("%s", "no input files, and stdin is a terminal");
	return 0;
}

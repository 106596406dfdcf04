/* Command line of instantly-extract. Keep in step with
 * man/instantly-extract.1 (a test compares the two). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "log.h"
#include "val.h"

static const char usage_text[] =
	"Usage: instantly-extract --clients FILE [OPTION]...\n"
	"Fetch the mapped campaigns, their daily analytics and overview, and all their\n"
	"leads from the Instantly API v2 into an archive (gzipped NDJSON, format v1).\n"
	"The API key is read from $INSTANTLY_API_KEY or --api-key-file, never from the\n"
	"command line.\n"
	"\n"
	"  -c, --clients FILE        the client map: CSV with a header naming client_id and\n"
	"                            campaign_id, and optionally api_key_env (- for stdin);\n"
	"                            only these campaigns are fetched\n"
	"  -o, --output FILE         write the archive to FILE, renamed into place at the end\n"
	"                            (default: stdout)\n"
	"      --resume              with -o FILE: keep what is fetched in .FILE.partial and\n"
	"                            a journal .FILE.resume (both 0600, beside FILE), so that\n"
	"                            a run that is interrupted (signal, crash, power loss,\n"
	"                            network gone) and started again with --resume goes on\n"
	"                            where it stopped; both are gone once FILE is complete.\n"
	"                            No journal: a fresh run (default: off)\n"
	"      --checkpoint SECONDS  with --resume: at most this long between journal\n"
	"                            checkpoints; 0: after every response (default 1)\n"
	"      --plain               write plain NDJSON instead of gzip\n"
	"      --base-url URL        the API (default " EX_DEFAULT_BASE_URL "); plain http only\n"
	"                            to a loopback address\n"
	"      --api-key-file FILE   read the API key from the first line of FILE\n"
	"  -d, --days N              analytics window: the N days up to --until (default 90)\n"
	"      --since DATE          first day of the window (YYYY-MM-DD, UTC)\n"
	"      --until DATE          last day of the window (default today, UTC)\n"
	"      --rate N              at most N requests per second (default 10; the API allows\n"
	"                            100 per workspace, shared by everything that uses it)\n"
	"      --rate-per-minute N   and at most N requests in any minute (default: no more\n"
	"                            than --rate gives)\n"
	"  -j, --parallel N          requests in flight at once (default 16)\n"
	"      --retries N           retries of a request after 5xx and network errors\n"
	"                            (default 5); after 429s: 4N+4\n"
	"      --retry-wait SECONDS  first backoff, doubled at each retry (default 1)\n"
	"      --max-retry-after SECONDS  longest Retry-After honoured (default 120)\n"
	"      --timeout SECONDS     time allowed for one request (default 180)\n"
	"      --stall-timeout SECONDS  an answer that has begun and then receives\n"
	"                            nothing for this long fails, and is retried (default 30)\n"
	"\n"
	"Bounds on what the API can make the extract do (a bound that trips fails that\n"
	"campaign, exit status 1; SIZE takes a K, M or G suffix, powers of 1024):\n"
	"      --max-depth N         JSON nesting of a response (default 128)\n"
	"      --max-response SIZE   bytes of one response body, decoded (default 128M)\n"
	"      --max-spill SIZE      bytes one response adds to the archive, held in a\n"
	"                            temporary file until it is complete (default 512M)\n"
	"      --max-pages N         pages of one listing: 100 leads a page (default\n"
	"                            100000, 10 million leads a campaign)\n"
	"      --max-requests N      requests held in memory at once, in flight or\n"
	"                            waiting (default 4 x --parallel; at least --parallel)\n"
	"\n"
	"      --progress            show progress on stderr (default: when it is a terminal)\n"
	"      --no-progress         do not show progress\n"
	"      --log-format FORMAT   text (default) or json\n"
	"  -q, --quiet               print errors only\n"
	"  -v, --verbose             also print one line per request (never the key)\n"
	"  -h, --help                show this help and exit\n"
	"  -V, --version             show the version and exit\n"
	"\n"
	"Exit status: 0 every campaign complete (or unknown to the API: a warning), 1\n"
	"partial (some campaign failed or its lead listing ended on a repeated cursor;\n"
	"the archive holds everything else), 2 usage error, 3 the client map is\n"
	"unreadable or invalid, 4 output error, 6 the API refused the run (401, 402,\n"
	"403) or the campaign listing failed. After 2, 3, 4 or 6 the -o path is left\n"
	"as it was (with --resume, the partial run is kept for the next --resume).\n"
	"\n"
	"See instantly-extract(1) and instantly-archive(5).\n";

enum {
	OPT_PLAIN = 256, OPT_BASE_URL, OPT_KEY_FILE, OPT_SINCE, OPT_UNTIL, OPT_RATE, OPT_RATE_MINUTE,
	OPT_RETRIES, OPT_RETRY_WAIT, OPT_MAX_RETRY_AFTER, OPT_TIMEOUT, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_STALL_TIMEOUT, OPT_MAX_DEPTH, OPT_MAX_RESPONSE, OPT_MAX_SPILL, OPT_MAX_PAGES, OPT_MAX_REQUESTS,
	OPT_RESUME, OPT_CHECKPOINT
};

static const struct option longopts[] = {
	{ "clients", required_argument, NULL, 'c' },
	{ "output", required_argument, NULL, 'o' },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "api-key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "days", required_argument, NULL, 'd' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "rate-per-minute", required_argument, NULL, OPT_RATE_MINUTE },
	{ "parallel", required_argument, NULL, 'j' },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-wait", required_argument, NULL, OPT_RETRY_WAIT },
	{ "max-retry-after", required_argument, NULL, OPT_MAX_RETRY_AFTER },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "stall-timeout", required_argument, NULL, OPT_STALL_TIMEOUT },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "max-response", required_argument, NULL, OPT_MAX_RESPONSE },
	{ "max-spill", required_argument, NULL, OPT_MAX_SPILL },
	{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
	{ "max-requests", required_argument, NULL, OPT_MAX_REQUESTS },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	LOG_LONGOPTS,
};

/* A number in [min, max]; -1 when s is not one. */
static int
number(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!*s)
		return -1;
	v = strtod(s, &end);
	if (*end || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

static int
integer(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A size in bytes: digits, then K, M or G (powers of 1024) or nothing; in
 * [min, max]. -1 when s is not one. */
static int
size_arg(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		mul = (uint64_t)1 << 10;
	else if (*end == 'M' || *end == 'm')
		mul = (uint64_t)1 << 20;
	else if (*end == 'G' || *end == 'g')
		mul = (uint64_t)1 << 30;
	if (mul != 1)
		end++;
	if (*end || v > max / mul || v * mul < min)
		return -1;
	*out = v * mul;
	return 0;
}

/* days since 1970-01-01 <-> YYYY-MM-DD */
static long
day_number(const char *d)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = atoi(d) - 1900;
	tm.tm_mon = atoi(d + 5) - 1;
	tm.tm_mday = atoi(d + 8);
	tm.tm_hour = 12;
	return (long)(timegm(&tm) / 86400);
}

static void
day_string(long day, char out[11])
{
	time_t t = (time_t)day * 86400 + 43200;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int
date_arg(const char *opt, const char *s, char out[11])
{
	if (!val_is_date(s, strlen(s)))
		return log_usage("%s: '%s' is not a date (YYYY-MM-DD)", opt, s);
	memcpy(out, s, 11);
	return 0;
}

int
ex_opts_parse(struct ex_opts *o, int argc, char **argv)
{
	int c, rc, verbosity = 0, days_given = 0;
	double d;
	long l;

	memset(o, 0, sizeof *o);
	o->base_url = EX_DEFAULT_BASE_URL;
	o->days = 90;
	o->rate = 10;
	o->parallel = 16;
	o->retries = 5;
	o->retry_wait = 1;
	o->max_retry_after = 120;
	o->timeout = 180;
	o->stall_timeout = 30;
	o->max_depth = 128;
	o->max_response = (uint64_t)128 << 20;
	o->max_spill = (uint64_t)512 << 20;
	o->max_pages = 100000;
	o->max_requests = 0;	/* 4 x --parallel */
	o->progress = -1;
	o->checkpoint = 1;
	while ((c = getopt_long(argc, argv, "c:o:d:j:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->clients_path = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_PLAIN:
			o->plain = 1;
			break;
		case OPT_BASE_URL:
			o->base_url = optarg;
			break;
		case OPT_KEY_FILE:
			o->api_key_file = optarg;
			break;
		case 'd':
			if (integer(optarg, 1, 3660, &l) < 0)
				return log_usage("invalid --days '%s' (1 to 3660)", optarg);
			o->days = (int)l;
			days_given = 1;
			o->window_given |= 1;
			break;
		case OPT_SINCE:
			if (date_arg("--since", optarg, o->since) < 0)
				return -1;
			o->window_given |= 2;
			break;
		case OPT_UNTIL:
			if (date_arg("--until", optarg, o->until) < 0)
				return -1;
			o->window_given |= 4;
			break;
		case OPT_RATE:
			if (number(optarg, 0.1, 10000, &o->rate) < 0)
				return log_usage("invalid --rate '%s' (0.1 to 10000 requests a second)", optarg);
			break;
		case OPT_RATE_MINUTE:
			if (integer(optarg, 1, 1000000, &l) < 0)
				return log_usage("invalid --rate-per-minute '%s' (1 to 1000000)", optarg);
			o->rate_minute = (int)l;
			break;
		case 'j':
			if (integer(optarg, 1, 256, &l) < 0)
				return log_usage("invalid --parallel '%s' (1 to 256)", optarg);
			o->parallel = (int)l;
			break;
		case OPT_RETRIES:
			if (integer(optarg, 0, 100, &l) < 0)
				return log_usage("invalid --retries '%s' (0 to 100)", optarg);
			o->retries = (int)l;
			break;
		case OPT_RETRY_WAIT:
			if (number(optarg, 0, 3600, &o->retry_wait) < 0)
				return log_usage("invalid --retry-wait '%s' (0 to 3600 seconds)", optarg);
			break;
		case OPT_MAX_RETRY_AFTER:
			if (number(optarg, 0, 86400, &o->max_retry_after) < 0)
				return log_usage("invalid --max-retry-after '%s' (0 to 86400 seconds)", optarg);
			break;
		case OPT_TIMEOUT:
			if (number(optarg, 1, 86400, &d) < 0)
				return log_usage("invalid --timeout '%s' (1 to 86400 seconds)", optarg);
			o->timeout = (long)d;
			break;
		case OPT_STALL_TIMEOUT:
			if (integer(optarg, 1, 86400, &l) < 0)
				return log_usage("invalid --stall-timeout '%s' (1 to 86400 seconds)", optarg);
			o->stall_timeout = l;
			break;
		case OPT_MAX_DEPTH:
			if (integer(optarg, 2, 100000, &l) < 0)
				return log_usage("invalid --max-depth '%s' (2 to 100000)", optarg);
			o->max_depth = (int)l;
			break;
		case OPT_MAX_RESPONSE:
			if (size_arg(optarg, 1024, (uint64_t)1 << 40, &o->max_response) < 0)
				return log_usage("invalid --max-response '%s' (1K to 1024G)", optarg);
			break;
		case OPT_MAX_SPILL:
			if (size_arg(optarg, 1024, (uint64_t)1 << 40, &o->max_spill) < 0)
				return log_usage("invalid --max-spill '%s' (1K to 1024G)", optarg);
			break;
		case OPT_MAX_PAGES:
			if (integer(optarg, 1, 1000000000, &l) < 0)
				return log_usage("invalid --max-pages '%s' (1 to 1000000000)", optarg);
			o->max_pages = (uint64_t)l;
			break;
		case OPT_MAX_REQUESTS:
			if (integer(optarg, 1, 1000000, &l) < 0)
				return log_usage("invalid --max-requests '%s' (1 to 1000000)", optarg);
			o->max_requests = (int)l;
			break;
		case OPT_RESUME:
			o->resume = 1;
			break;
		case OPT_CHECKPOINT:
			if (number(optarg, 0, 3600, &o->checkpoint) < 0)
				return log_usage("invalid --checkpoint '%s' (0 to 3600 seconds)", optarg);
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			o->progress = 0;
			break;
		default:
			if ((rc = log_common_option(c, optarg, "instantly-extract", usage_text, &verbosity)) != 0)
				return rc;
			break;
		}
	}
	log_set_verbosity(verbosity);
	if (!o->max_requests)
		o->max_requests = 4 * o->parallel;
	else if (o->max_requests < o->parallel)
		return log_usage("--max-requests %d is less than --parallel %d (requests in flight are held too)",
				 o->max_requests, o->parallel);
	if (optind < argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (!o->clients_path)
		return log_usage("%s", "say which campaigns to fetch: --clients FILE (the client map)");
	if (o->resume && !o->output)
		return log_usage("%s", "--resume needs -o FILE (a partial run cannot be kept on stdout)");
	if (o->progress >= 0)
		log_progress_set(o->progress);
	o->progress = log_progress_on();
	/* the window: --since/--until, or --days up to --until (today) */
	if (!o->until[0]) {
		time_t now = time(NULL);
		day_string((long)(now / 86400), o->until);
	}
	if (o->since[0] && days_given)
		return log_usage("%s", "--days and --since cannot be used together");
	if (!o->since[0])
		day_string(day_number(o->until) - (o->days - 1), o->since);
	if (strcmp(o->since, o->until) > 0)
		return log_usage("the window starts (%s) after it ends (%s)", o->since, o->until);
	return 0;
}

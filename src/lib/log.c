#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "jsonout.h"
#include "log.h"

static const char *prog = "instantly-etl";
static int verbosity;
static int json;
static int progress_shown;
static double progress_last;
static int progress_mode = -1;

void
log_progress_set(int on)
{
	progress_mode = on;
}

void
log_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	prog = slash ? slash + 1 : name;
}

const char *
log_prog(void)
{
	return prog;
}

void
log_set_verbosity(int v)
{
	verbosity = v;
}

int
log_verbosity(void)
{
	return verbosity;
}

int
log_set_format(const char *fmt)
{
	if (strcmp(fmt, "text") == 0)
		json = 0;
	else if (strcmp(fmt, "json") == 0)
		json = 1;
	else
		return -1;
	return 0;
}

double
log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
log_progress_clear(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char msg[2048];
	va_list ap;

	if ((lvl == LOG_WARN || lvl == LOG_INFO) && verbosity < 0)
		return;
	if (lvl == LOG_DEBUG && verbosity < 1)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_progress_clear();
	if (json) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		buf b;
		int first = 1;

		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_init(&b, sizeof msg * 8);
		buf_putc(&b, '{');
		jsonout_key(&b, &first, "time");
		jsonout_cstr(&b, ts);
		jsonout_key(&b, &first, "prog");
		jsonout_cstr(&b, prog);
		jsonout_key(&b, &first, "level");
		jsonout_cstr(&b, names[lvl]);
		jsonout_key(&b, &first, "msg");
		jsonout_cstr(&b, msg);
		buf_puts(&b, "}\n");
		if (b.p)
			fwrite(b.p, 1, b.len, stderr);
		buf_free(&b);
	} else if (lvl == LOG_WARN) {
		fprintf(stderr, "%s: warning: %s\n", prog, msg);
	} else {
		fprintf(stderr, "%s: %s\n", prog, msg);
	}
	fflush(stderr);
}

int
log_progress_on(void)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	return (progress_mode >= 0 ? progress_mode : tty) && !json && verbosity >= 0;
}

void
log_progress(const char *fmt, ...)
{
	va_list ap;
	double now;

	if (!log_progress_on())
		return;
	now = log_now();
	if (progress_shown && now - progress_last < 0.25)
		return;
	progress_last = now;
	fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = 1;
}

int
log_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", log_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", log_prog());
	return -1;
}

int
log_common_option(int c, const char *arg, const char *name, const char *usage, int *verb)
{
	switch (c) {
	case LOG_OPT_FORMAT:
		if (log_set_format(arg) < 0)
			return log_usage("unknown log format '%s' (text or json)", arg);
		return 0;
	case 'q':
		*verb = -1;
		return 0;
	case 'v':
		*verb = 1;
		return 0;
	case 'h':
		fputs(usage, stdout);
		return 1;
	case 'V':
		printf("%s (%s) %s\n", name, PACKAGE_NAME, PACKAGE_VERSION);
		return 1;
	default:	/* '?': getopt said what was wrong */
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
		return -1;
	}
}

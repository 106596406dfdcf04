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

/* ---- escaping for human-readable lines --------------------------------------
 *
 * Messages carry values from data and the network (rejected values, the
 * API's error texts, file names). Written raw to a terminal or a log file,
 * an ESC could rewrite the screen and a CR or LF could forge a line. In the
 * text format every byte that is not printable is escaped: C0 controls and
 * DEL as \n, \r, \t or \xNN, bytes that are not valid UTF-8 as \xNN, and the
 * Unicode characters that control a terminal or the reading direction (C1
 * controls U+0080..U+009F, U+2028, U+2029, the bidirectional marks and
 * overrides U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069, and the
 * invisible ones that can hide text: U+200B..U+200D, U+2060..U+2064, U+FEFF,
 * U+FFF9..U+FFFB) as \uXXXX.
 * Printable text, also non-ASCII ("José"), is kept. */

static int
invisible(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
	    (cp >= 0xFFF9 && cp <= 0xFFFB);
}

size_t
log_escape(char *out, size_t outlen, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (outlen == 0)
		return 0;
#define PUT(str) do { size_t l_ = strlen(str); \
		if (o + l_ >= outlen) goto full; \
		memcpy(out + o, str, l_); o += l_; } while (0)
	while (*s) {
		char esc[16];
		unsigned c = *s;
		size_t k;

		if (c >= 0x20 && c < 0x7F) {
			if (o + 1 >= outlen)
				goto full;
			out[o++] = (char)c;
			s++;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '\n': PUT("\\n"); break;
			case '\r': PUT("\\r"); break;
			case '\t': PUT("\\t"); break;
			default:
				snprintf(esc, sizeof esc, "\\x%02x", c);
				PUT(esc);
			}
			s++;
			continue;
		}
		k = utf8_valid_prefix((const char *)s, strnlen((const char *)s, 4));
		if (k == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			PUT(esc);
			s++;
			continue;
		}
		/* one valid sequence: its length from the lead byte */
		k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		{
			unsigned cp = k == 2 ? ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu) :
			    k == 3 ? ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu) :
			    ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
			if (invisible(cp)) {
				snprintf(esc, sizeof esc, "\\u%04x", cp);
				PUT(esc);
			} else {
				if (o + k >= outlen)
					goto full;
				memcpy(out + o, s, k);
				o += k;
			}
		}
		s += k;
	}
#undef PUT
	out[o] = '\0';
	return o;
full:
	out[o] = '\0';
	return o;
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
	} else {
		char safe[sizeof msg * 4];
		log_escape(safe, sizeof safe, msg);
		fprintf(stderr, "%s: %s%s\n", prog, lvl == LOG_WARN ? "warning: " : "", safe);
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
	char msg[1024], safe[sizeof msg * 4];
	va_list ap;
	double now;

	if (!log_progress_on())
		return;
	now = log_now();
	if (progress_shown && now - progress_last < 0.25)
		return;
	progress_last = now;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_escape(safe, sizeof safe, msg);
	fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: %s", prog, safe);
	fflush(stderr);
	progress_shown = 1;
}

int
log_usage(const char *fmt, ...)
{
	char msg[2048], safe[sizeof msg * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_escape(safe, sizeof safe, msg);
	fprintf(stderr, "%s: %s", log_prog(), safe);
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

/* log: messages on stderr, readable or JSON, and progress on a terminal.
 *
 * Readable: "PROG: message" (errors), "PROG: warning: message".
 * JSON (--log-format=json): one object a line,
 *   {"time":"2026-11-28T03:00:00Z","prog":"PROG","level":"error","msg":"..."}
 * Verbosity: -1 quiet (errors only), 0 normal (errors, warnings, notes),
 * 1 verbose (and debug lines).
 */
#ifndef IE_LOG_H
#define IE_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_init(const char *prog);
const char *log_prog(void);
void log_set_verbosity(int v);
int log_verbosity(void);
/* "text" or "json"; returns -1 for anything else. */
int log_set_format(const char *fmt);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Progress: shown only when stderr is a terminal, not quiet, not JSON; at
 * most a few times a second (the call is cheap when too soon). */
int log_progress_on(void);
/* Force progress on (1) or off (0) whatever stderr is; -1: the default. */
void log_progress_set(int on);
void log_progress(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Clear the progress line (before other output, and at the end). */
void log_progress_clear(void);

/* Escape in for a human-readable line into out (NUL-terminated, cut short
 * when outlen is too small; at most 4 bytes out per byte in): C0 controls and
 * DEL as \n, \r, \t or \xNN, bytes that are not valid UTF-8 as \xNN, and C1
 * controls, U+2028/U+2029, the bidirectional controls and the invisible
 * (zero-width) characters as \uXXXX; other
 * text is kept. Returns the length written. The text log format passes every
 * message (and progress and usage line) through it, so that no value from
 * data or the network can move a terminal's cursor or forge a log line. */
size_t log_escape(char *out, size_t outlen, const char *in);

/* Monotonic seconds. */
double log_now(void);

/* The options every program shares, for getopt_long's loop: --log-format
 * (its option code is LOG_OPT_FORMAT), -q, -v, -h (prints usage), -V (prints
 * "NAME (PACKAGE) VERSION"), and anything else (what getopt found wrong).
 * Returns 0 when the parse goes on, 1 when help or the version was printed
 * (exit 0), -1 on a usage error (reported). *verbosity is set for -q, -v. */
#define LOG_OPT_FORMAT 1000
/* Their entries, the end of every program's getopt_long table. */
#define LOG_LONGOPTS \
	{ "log-format", required_argument, NULL, LOG_OPT_FORMAT }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }
int log_common_option(int c, const char *arg, const char *name, const char *usage, int *verbosity);

/* A usage error on stderr: "PROG: MESSAGE" and a pointer to PROG --help.
 * Returns -1. */
int log_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

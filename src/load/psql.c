/* Run psql with the load script on its stdin and read its report. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials.h"
#include "fdio.h"
#include "load.h"
#include "log.h"
#include "tmpfiles.h"

struct totals {
	int tables;
	unsigned long long ins, upd, unch, del, unmapped;
};

/* One report line: "ie-report|TABLE|inserted|updated|unchanged|deleted|
 * unmapped" (the last: rows of pairs client_campaigns does not map, not
 * loaded). */
static int
report_line(const char *line, struct totals *t)
{
	char name[64];
	unsigned long long ins, upd, unch, del, unm;

	if (strncmp(line, "ie-report|", 10) != 0)
		return 0;
	if (sscanf(line + 10, "%63[^|]|%llu|%llu|%llu|%llu|%llu", name, &ins, &upd, &unch, &del, &unm) != 6)
		return 0;
	if (unm > 0)
		log_info("%-28s %8llu inserted %8llu updated %8llu unchanged %8llu deleted %8llu not mapped", name,
			 ins, upd, unch, del, unm);
	else
		log_info("%-28s %8llu inserted %8llu updated %8llu unchanged %8llu deleted", name, ins, upd, unch,
			 del);
	t->tables++;
	t->ins += ins;
	t->upd += upd;
	t->unch += unch;
	t->del += del;
	t->unmapped += unm;
	return 1;
}

extern char **environ;

/* What psql may inherit: what libpq and psql read (PG*, Kerberos, OpenSSL,
 * LDAP for services), finding programs and libraries, home, user, locale,
 * time zone, TMPDIR. Nothing else: no API key (INSTANTLY_API_KEY, or a
 * workspace's key under any name) reaches it. PGCLIENTENCODING is set to
 * UTF8 (the script pins it too) and PSQLRC dropped (psql runs with -X). */
static int
env_allowed(const char *v)
{
	static const char *const names[] = { "PATH=", "HOME=", "USER=", "LOGNAME=", "LANG=", "LANGUAGE=", "TZ=",
					     "TMPDIR=", "LD_LIBRARY_PATH=", NULL };
	static const char *const prefixes[] = { "PG", "LC_", "KRB5", "OPENSSL_", "SSL_CERT_", "LDAP", NULL };
	size_t i;

	if (!strncmp(v, "PGCLIENTENCODING=", 17))
		return 0;
	for (i = 0; names[i]; i++)
		if (!strncmp(v, names[i], strlen(names[i])))
			return 1;
	for (i = 0; prefixes[i]; i++)
		if (!strncmp(v, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static char enc[] = "PGCLIENTENCODING=UTF8";

/* psql's environment (env_allowed), built before fork: a NULL-ended array
 * of pointers into environ and one constant, then the password of the
 * credential pg-password (credentials.h) as PGPASSWORD, in place of ours:
 * in psql's environment only, never in this process's. free_env() it. */
static char **
child_env(ierr *e)
{
	size_t n = 0, k = 0;
	char **env, *pw;

	if (cred_env(CRED_PG_PASSWORD, "PGPASSWORD", &pw, e) < 0)
		return NULL;
	while (environ[n])
		n++;
	if (!(env = malloc((n + 3) * sizeof *env))) {
		cred_free(pw);
		ierr_oom(e);
		return NULL;
	}
	for (n = 0; environ[n]; n++)
		if (env_allowed(environ[n]) && !(pw && !strncmp(environ[n], "PGPASSWORD=", 11)))
			env[k++] = environ[n];
	env[k++] = enc;
	env[k++] = pw;
	env[k] = NULL;
	return env;
}

/* The array of child_env(), the password in it overwritten. */
static void
free_env(char **env)
{
	size_t i;

	for (i = 0; env[i]; i++)
		if (env[i] == enc)
			cred_free(env[i + 1]);
	free(env);
}

/* An anonymous private file for psql's stderr: its messages quote values
 * from the data (a key, a row), so they reach our stderr only through
 * log_error(), escaped (no ESC or line break from a value reaches a
 * terminal or a log). Nothing is left on disk: unlinked at once. */
static int
err_file(ierr *e)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof path, "%s/instantly-load-err.XXXXXX", dir) >= sizeof path)
		return ierr_set(e, "TMPDIR too long");
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return ierr_sys(e, errno, "cannot create a temporary file in %s", dir);
	unlink(path);
	return fd;
}

/* The input of the load that runs (ld_psql_run), for relay_errors() */
static const struct ld_input *relay_input;

/* One of psql's message lines as our error. The \copy of the new
 * campaigns' leads (split.c) reads them in (client_id, campaign_id) order:
 * its "COPY synced_leads, line K" names the line of the transform's file
 * instead, as a \copy of that file would have. */
static void
relay_line(const char *p)
{
	static const char ctx[] = "COPY synced_leads, line ";
	const struct ld_input *in = relay_input;
	const char *at = strstr(p, ctx), *num;
	char *end;
	unsigned long long k;

	if (at && in && in->fresh_line) {
		num = at + sizeof ctx - 1;
		errno = 0;
		k = strtoull(num, &end, 10);
		if (end != num && !errno && k >= 2 && k - 2 < in->fresh_rows) {
			log_error("%.*s%llu%s", (int)(num - p), p, (unsigned long long)in->fresh_line[k - 2], end);
			return;
		}
	}
	log_error("%s", p);
}

/* psql's messages, from err_file(), as our errors: a line each (at most
 * 64 KiB of them, the rest counted). */
static void
relay_errors(int fd)
{
	char chunk[65536], *p, *nl;
	ssize_t n;
	off_t size;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > 0 && lseek(fd, 0, SEEK_SET) == 0 && (n = read(fd, chunk, sizeof chunk - 1)) > 0) {
		chunk[n] = '\0';
		for (p = chunk; *p; p = nl + 1) {
			if ((nl = strchr(p, '\n')) != NULL)
				*nl = '\0';
			if (*p)
				relay_line(p);
			if (!nl)
				break;
		}
		if (size > n)
			log_error("(%lld more bytes of psql's messages not shown)", (long long)(size - n));
	}
	close(fd);
}

/* Start psql on a script read from its stdin: *to and *from are its stdin
 * and stdout. quiet_errors sends its stderr to /dev/null; otherwise to
 * *errfd (err_file()), for relay_errors(). */
static pid_t
spawn(const struct ld_opts *o, int quiet_errors, int *to, int *from, int *errfd, ierr *e)
{
	int in[2], out[2];
	const char *argv[16];
	char **env;
	int argc = 0;
	pid_t pid;

	argv[argc++] = o->psql;
	argv[argc++] = "-X";			/* no ~/.psqlrc */
	argv[argc++] = "-q";
	argv[argc++] = "-A";
	argv[argc++] = "-t";
	argv[argc++] = "-v";
	argv[argc++] = "ON_ERROR_STOP=1";
	if (o->dsn) {
		argv[argc++] = "-d";
		argv[argc++] = o->dsn;
	}
	argv[argc++] = "-f";
	argv[argc++] = "-";
	argv[argc] = NULL;

	*errfd = -1;
	if (!quiet_errors && (*errfd = err_file(e)) < 0)
		return -1;
	if (!(env = child_env(e))) {
		close(*errfd);
		return -1;
	}
	if (pipe(in) < 0) {
		free_env(env);
		close(*errfd);
		return ierr_sys(e, errno, "pipe");
	}
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		free_env(env);
		close(*errfd);
		return ierr_sys(e, errno, "pipe");
	}
	if ((pid = fork()) < 0) {
		ierr_sys(e, errno, "fork");
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		free_env(env);
		close(*errfd);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		if (quiet_errors && freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		if (!quiet_errors && dup2(*errfd, STDERR_FILENO) < 0)
			_exit(127);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		environ = env;
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", log_prog(), argv[0], strerror(errno));
		_exit(127);
	}
	free_env(env);
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	tmpfiles_child(pid);
	return pid;
}

/* The change detection's turn in the middle of the script (delta, not
 * NULL): psql has printed the warehouse's hashes of the leads compared
 * (each line to ld_delta_line()) and LD_PREFETCH_END, and waits, holding
 * the lock, for the rest of the script; ld_delta_finish() writes the files
 * that the rest reads. 0: go on; 1: psql ended first (its exit status
 * says why); -1: our failure (e set): psql is stopped, its transaction
 * rolls back. */
static int
delta_turn(struct ld_input *delta, FILE *f, uint64_t *unchanged, ierr *e)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 1;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (n == (ssize_t)sizeof LD_PREFETCH_END && !memcmp(line, LD_PREFETCH_END "\n", (size_t)n)) {
			rc = ld_delta_finish(delta, unchanged, e) < 0 ? -1 : 0;
			break;
		}
		if (ld_delta_line(delta, line, e) < 0) {
			rc = -1;
			break;
		}
	}
	free(line);
	return rc;
}

/* Write the script, read stdout line by line into line_cb, wait. With
 * delta, the script stops after LD_PREFETCH_END for delta_turn(). Returns
 * psql's exit status, 128 + signal when killed, or -1. */
static int
converse(pid_t pid, int to, int from, int errfd, const char *script, size_t len, struct ld_input *delta,
	 void (*line_cb)(const char *, void *), void *arg, ierr *e)
{
	static const char mark[] = "\\echo " LD_PREFETCH_END "\n";
	char line[1024];
	const char *cut = delta ? memmem(script, len, mark, sizeof mark - 1) : NULL;
	FILE *f = fdopen(from, "r");
	int status, failed = 0;

	if (!f) {
		close(from);
		ierr_sys(e, errno, "fdopen");
		failed = 1;
		kill(pid, SIGTERM);
		close(to);
	} else if (cut) {
		uint64_t unchanged = 0;
		char set[64];
		int rc;

		cut += sizeof mark - 1;
		if (fdio_write_all(to, script, (size_t)(cut - script)) < 0 && errno != EPIPE)
			log_error("writing the script to psql: %s", strerror(errno));
		rc = delta_turn(delta, f, &unchanged, e);
		if (rc < 0) {
			failed = 1;	/* the transaction is open: psql stopped, it rolls back */
			kill(pid, SIGTERM);
		} else if (rc == 0) {
			snprintf(set, sizeof set, "\\set ie_unchanged %llu\n", (unsigned long long)unchanged);
			if ((fdio_write_all(to, set, strlen(set)) < 0 ||
			     fdio_write_all(to, cut, len - (size_t)(cut - script)) < 0) && errno != EPIPE)
				log_error("writing the script to psql: %s", strerror(errno));
		}
		close(to);
	} else {
		/* the scripts are small and psql prints little, at their end:
		 * writing it all before reading cannot block both sides */
		if (fdio_write_all(to, script, len) < 0 && errno != EPIPE)
			log_error("writing the script to psql: %s", strerror(errno));
		close(to);
	}
	if (f) {
		while (fgets(line, sizeof line, f))
			line_cb(line, arg);
		fclose(f);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			tmpfiles_child(0);
			relay_errors(errfd);
			return ierr_sys(e, errno, "waitpid");
		}
	tmpfiles_child(0);
	relay_errors(errfd);
	if (failed)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void
count_reports(const char *line, void *arg)
{
	(void)report_line(line, arg);
}

int
ld_psql_run(const struct ld_opts *o, const struct ld_input *in, const buf *script, ierr *e)
{
	struct totals t = { 0, 0, 0, 0, 0, 0 };
	int to, from, errfd, rc;
	pid_t pid;

	log_debug("running %s with a script of %zu bytes", o->psql, script->len);
	if ((pid = spawn(o, 0, &to, &from, &errfd, e)) < 0)
		return -1;
	relay_input = in;
	rc = converse(pid, to, from, errfd, script->p, script->len, o->delta, count_reports, &t, e);
	relay_input = NULL;
	if (rc < 0)
		return -1;
	if (rc > 128)
		return ierr_set(e, "psql killed by signal %d: the load was rolled back, nothing changed", rc - 128);
	if (rc == 127)
		return ierr_set(e, "cannot run %s", o->psql);
	if (rc != 0)
		return ierr_set(e, "psql failed (exit status %d): the load was rolled back, nothing changed", rc);
	if (t.tables == 0)
		return ierr_set(e, "psql finished without the load's report: was the transaction committed? check the tables");
	/* the last line: the whole load, for logs that keep one line a stage */
	log_info("loaded %d tables in one transaction: %llu rows inserted, %llu updated, %llu unchanged, %llu deleted",
		 t.tables, t.ins, t.upd, t.unch, t.del);
	if (t.unmapped > 0)
		log_warn("%llu rows of campaigns that client_campaigns does not map to their client were not loaded",
			 t.unmapped);
	return 0;
}

static void
append_line(const char *line, void *arg)
{
	(void)buf_puts(arg, line);
}

int
ld_psql_query(const struct ld_opts *o, const buf *query, buf *out, ierr *e)
{
	int to, from, errfd;
	pid_t pid;

	if ((pid = spawn(o, log_verbosity() <= 0, &to, &from, &errfd, e)) < 0)
		return -1;
	return converse(pid, to, from, errfd, query->p, query->len, NULL, append_line, out, e);
}

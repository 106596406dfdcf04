/* Run psql with the load script on its stdin and read its report. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"
#include "log.h"

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One report line: "ie-report|TABLE|inserted|updated|unchanged|deleted". */
static int
report_line(char *line)
{
	char name[64];
	unsigned long long ins, upd, unch, del;

	if (strncmp(line, "ie-report|", 10) != 0)
		return 0;
	if (sscanf(line + 10, "%63[^|]|%llu|%llu|%llu|%llu", name, &ins, &upd, &unch, &del) != 5)
		return 0;
	log_info("%-28s %8llu inserted %8llu updated %8llu unchanged %8llu deleted", name, ins, upd, unch, del);
	return 1;
}

int
ld_psql_run(const struct ld_opts *o, const buf *script, ierr *e)
{
	int in[2], out[2], status, reports = 0;
	const char *argv[16];
	int argc = 0;
	pid_t pid;
	FILE *f;
	char line[1024];
	struct sigaction sa, old_pipe;

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

	if (pipe(in) < 0 || pipe(out) < 0)
		return ierr_sys(e, errno, "pipe");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);	/* a psql that dies early: EPIPE */
	if ((pid = fork()) < 0) {
		ierr_sys(e, errno, "fork");
		goto fail;
	}
	if (pid == 0) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", log_prog(), argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	log_debug("running %s with a script of %zu bytes", o->psql, script->len);
	/* the script is small and psql prints only the report at its end, so
	 * writing it all before reading cannot block both sides */
	if (write_all(in[1], script->p, script->len) < 0 && errno != EPIPE)
		log_error("writing the script to psql: %s", strerror(errno));
	close(in[1]);
	if ((f = fdopen(out[0], "r")) != NULL) {
		while (fgets(line, sizeof line, f))
			reports += report_line(line);
		fclose(f);
	} else {
		close(out[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ierr_sys(e, errno, "waitpid");
			sigaction(SIGPIPE, &old_pipe, NULL);
			return -1;
		}
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (WIFSIGNALED(status))
		return ierr_set(e, "psql killed by signal %d: the load was rolled back, nothing changed",
				WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		return ierr_set(e, "cannot run %s", o->psql);
	if (WEXITSTATUS(status) != 0)
		return ierr_set(e, "psql failed (exit status %d): the load was rolled back, nothing changed",
				WEXITSTATUS(status));
	if (reports == 0)
		return ierr_set(e, "psql finished without the load's report: was the transaction committed? check the tables");
	return 0;
fail:
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return -1;
}

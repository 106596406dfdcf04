/* The registry of temporary paths (src/lib/tmpfiles.h): what a fatal
 * signal removes, in which order, and what it leaves alone. Each case runs
 * in a child process that dies of the signal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "ierr.h"
#include "tap.h"
#include "tmpfiles.h"

static char base[256];

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0) {
		perror(path);
		_exit(99);
	}
	close(fd);
}

static void
must(int slot)
{
	if (slot < 0)
		_exit(98);
}

/* In a child: a directory registered before its two files (the handler
 * must still empty it first), a file outside it, and an atomic output
 * being written; then sig. Returns how the child ended. */
static int
die_of(int sig, const char *dir, char *tmpname, size_t tmplen)
{
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(pfd) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		char p[512];
		atomic_file *f;
		ierr e;

		close(pfd[0]);
		atomic_init();
		if (mkdir(dir, 0700) < 0)
			_exit(97);
		must(tmpfiles_add(dir, TMPFILES_DIR, &e));
		snprintf(p, sizeof p, "%s/a", dir);
		touch(p);
		must(tmpfiles_add(p, TMPFILES_FILE, &e));
		snprintf(p, sizeof p, "%s/b", dir);
		must(tmpfiles_add(p, TMPFILES_FILE, &e));	/* registered before it exists */
		touch(p);
		snprintf(p, sizeof p, "%s/out.csv", base);
		if (!(f = atomic_open(p, &e)))
			_exit(96);
		/* tell the parent the temporary name: atomic.c's, by its prefix */
		if (write(pfd[1], "x", 1) != 1)
			_exit(95);
		raise(sig);
		_exit(0);	/* not reached */
	}
	close(pfd[1]);
	n = read(pfd[0], tmpname, tmplen > 0 ? 1 : 0);
	close(pfd[0]);
	(void)n;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Any file left in base whose name starts with prefix? */
static int
left(const char *prefix)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '^%s'", base, prefix);
	return system(cmd) == 0;
}

int
main(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGPIPE, SIGALRM };
	static const char *const names[] = { "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGPIPE", "SIGALRM" };
	char dir[300], tmp[8];
	size_t i;
	int status, slot[TMPFILES_MAX], k;
	ierr e;

	snprintf(base, sizeof base, "%s/test_tmpfiles.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(base)) {
		perror(base);
		return 1;
	}
	signal(SIGPIPE, SIG_DFL);

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		snprintf(dir, sizeof dir, "%s/d%zu", base, i);
		status = die_of(sigs[i], dir, tmp, sizeof tmp);
		ok(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == sigs[i], "%s: the process dies of it",
		   names[i]);
		ok(!exists(dir), "%s: the registered directory and its files are gone", names[i]);
		ok(!left(".out.csv.tmp."), "%s: the atomic output's temporary file is gone", names[i]);
		ok(!exists(dir) && !left("d"), "%s: nothing else left", names[i]);
	}

	/* a forked child that has not exec'd (the loader's psql, before
	 * execvp) dies of a signal: its parent's paths stay */
	{
		int pfd[2];
		pid_t pid;

		snprintf(dir, sizeof dir, "%s/forked", base);
		if (pipe(pfd) < 0)
			return 1;
		if ((pid = fork()) == 0) {
			pid_t g;
			int st;
			char c = 0;

			close(pfd[0]);
			tmpfiles_init();
			if (mkdir(dir, 0700) < 0)
				_exit(97);
			must(tmpfiles_add(dir, TMPFILES_DIR, &e));
			if ((g = fork()) == 0) {
				raise(SIGTERM);
				_exit(0);
			}
			waitpid(g, &st, 0);
			c = WIFSIGNALED(st) && exists(dir) ? 'y' : 'n';
			if (write(pfd[1], &c, 1) != 1)
				_exit(95);
			raise(SIGTERM);
			_exit(0);
		}
		close(pfd[1]);
		tmp[0] = 0;
		if (read(pfd[0], tmp, 1) != 1)
			tmp[0] = 0;
		close(pfd[0]);
		waitpid(pid, &status, 0);
		ok(tmp[0] == 'y', "a forked child's death (before exec) leaves its parent's directory");
		ok(!exists(dir), "... which the parent's own death removes");
	}

	/* the registered child (the loader's psql) is stopped first */
	{
		int pfd[2];
		pid_t pid, g = 0;
		int gone = 0;

		if (pipe(pfd) < 0)
			return 1;
		if ((pid = fork()) == 0) {
			close(pfd[0]);
			tmpfiles_init();
			if ((g = fork()) == 0) {
				close(pfd[1]);
				for (;;)
					pause();
			}
			tmpfiles_child(g);
			if (write(pfd[1], &g, sizeof g) != (ssize_t)sizeof g)
				_exit(95);
			raise(SIGTERM);
			_exit(0);
		}
		close(pfd[1]);
		if (read(pfd[0], &g, sizeof g) != (ssize_t)sizeof g)
			g = 0;
		close(pfd[0]);
		waitpid(pid, &status, 0);
		for (k = 0; g > 0 && k < 500 && !gone; k++) {
			struct timespec ts = { 0, 10000000 };
			gone = kill(g, 0) < 0 && errno == ESRCH;
			nanosleep(&ts, NULL);
		}
		ok(g > 0 && gone, "the registered child got SIGTERM and ended");
		if (g > 0 && !gone)
			kill(g, SIGKILL);
	}

	/* the slots: all of them, then a refusal with a message; released,
	 * one removes its file, one keeps it */
	for (k = 0; k < TMPFILES_MAX; k++)
		slot[k] = tmpfiles_reserve(&e);
	ierr_clear(&e);
	ok(tmpfiles_reserve(&e) == -1 && strstr(e.msg, "too many temporary files"), "slot %d refused: %s",
	   TMPFILES_MAX + 1, e.msg);
	for (k = 0; k < TMPFILES_MAX; k++)
		tmpfiles_release(slot[k], 0);
	snprintf(dir, sizeof dir, "%s/kept", base);
	touch(dir);
	slot[0] = tmpfiles_add(dir, TMPFILES_FILE, &e);
	ok(slot[0] >= 0 && tmpfiles_has_base("kept") && !tmpfiles_has_base("kep"), "a file registered, found by its name");
	tmpfiles_release(slot[0], 0);
	ok(exists(dir) && !tmpfiles_has_base("kept"), "released without removal: still there, no longer registered");
	slot[0] = tmpfiles_add(dir, TMPFILES_FILE, &e);
	tmpfiles_release(slot[0], 1);
	ok(!exists(dir), "released with removal: gone");
	{
		char longp[PATH_MAX + 10];
		memset(longp, 'x', sizeof longp - 1);
		longp[sizeof longp - 1] = '\0';
		ierr_clear(&e);
		ok(tmpfiles_add(longp, TMPFILES_FILE, &e) == -1 && strstr(e.msg, "too long"), "a path too long: refused (%s)",
		   e.msg);
		slot[0] = tmpfiles_reserve(&e);
		ok(slot[0] >= 0, "... and its slot was given back");
		tmpfiles_release(slot[0], 0);
	}

	rmdir(base);
	return tap_done();
}

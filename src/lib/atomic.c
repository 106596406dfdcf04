#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

#define MAX_PENDING 32

struct atomic_file {
	int fd;
	int slot;	/* -1: written in place (not a regular file) */
	char *path;
};

/* Temporary names the signal handler must remove: fixed storage, so that the
 * handler needs no allocation. A slot is live while its first byte is set. */
static char pending[MAX_PENDING][PATH_MAX];
static volatile sig_atomic_t pending_live[MAX_PENDING];

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending_live[i])
			unlink(pending[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
atomic_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* The process's umask, read once (umask() can only be read by setting it). */
static mode_t
file_umask(void)
{
	static int known;
	static mode_t mask;

	if (!known) {
		mask = umask(022);
		umask(mask);
		known = 1;
	}
	return mask;
}

static int
temp_name(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash)
		n = snprintf(out, outlen, "%.*s/.%s.tmp.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		n = snprintf(out, outlen, ".%s.tmp.XXXXXX", path);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* One of the process's own descriptors by name: /proc/..., /dev/fd/N, or a
 * link into /proc such as /dev/stdout. */
static int
proc_fd(const char *path)
{
	char target[16];
	ssize_t n;

	if (!strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/fd/", 8))
		return 1;
	n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strncmp(target, "/proc/", 6);
}

atomic_file *
atomic_open(const char *path, ierr *e)
{
	atomic_file *f;
	sigset_t all, old;
	int slot;

	struct stat st = { 0 };

	/* a terminal, a pipe, /dev/stdout, /dev/null: nothing to rename into
	 * place, and renaming over it would replace it with a file (even when
	 * /dev/stderr leads to a regular file, the link must stay) */
	if (proc_fd(path) || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
		if (S_ISDIR(st.st_mode)) {
			ierr_set(e, "%s: is a directory", path);
			return NULL;
		}
		if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
			free(f);
			ierr_set(e, "out of memory");
			return NULL;
		}
		if ((f->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
			ierr_sys(e, errno, "cannot open %s", path);
			free(f->path);
			free(f);
			return NULL;
		}
		f->slot = -1;
		return f;
	}
	for (slot = 0; slot < MAX_PENDING && pending_live[slot]; slot++)
		;
	if (slot == MAX_PENDING) {
		ierr_set(e, "too many output files open");
		return NULL;
	}
	/* a link to a regular file: replace the file, keep the link */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (!real) {
			ierr_sys(e, errno, "cannot resolve %s", path);
			return NULL;
		}
		f = atomic_open(real, e);
		free(real);
		return f;
	}
	if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
		free(f);
		ierr_set(e, "out of memory");
		return NULL;
	}
	if (temp_name(path, pending[slot], sizeof pending[slot]) < 0) {
		free(f->path);
		free(f);
		ierr_set(e, "file name too long");
		return NULL;
	}
	/* create and register with signals blocked: no window where a file
	 * exists that the handler does not know */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* a random name: a run killed by SIGKILL leaves its file behind, and
	 * the next run may well have the same PID (containers) */
	f->fd = mkostemp(pending[slot], O_CLOEXEC);
	if (f->fd >= 0) {
		pending_live[slot] = 1;
		/* mkostemp makes it 0600: give it the mode a new file gets */
		if (fchmod(f->fd, 0666 & ~file_umask()) < 0) {
			int err = errno;
			close(f->fd);
			unlink(pending[slot]);
			pending_live[slot] = 0;
			f->fd = -1;
			errno = err;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (f->fd < 0) {
		ierr_sys(e, errno, "cannot create %s", pending[slot]);
		free(f->path);
		free(f);
		return NULL;
	}
	f->slot = slot;
	return f;
}

int
atomic_fd(const atomic_file *f)
{
	return f->fd;
}

const char *
atomic_path(const atomic_file *f)
{
	return f->path;
}

static void
release(atomic_file *f, int unlink_it)
{
	sigset_t all, old;

	if (f->slot < 0) {
		free(f->path);
		free(f);
		return;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (unlink_it)
		unlink(pending[f->slot]);
	pending_live[f->slot] = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(f->path);
	free(f);
}

int
atomic_sync(atomic_file *f, ierr *e)
{
	int rc = 0;

	if (f->fd < 0)
		return 0;	/* done before */
	if (fsync(f->fd) < 0 && errno != EINVAL)
		rc = ierr_sys(e, errno, "cannot write %s", f->path);
	if (close(f->fd) < 0 && rc == 0)
		rc = ierr_sys(e, errno, "cannot write %s", f->path);
	f->fd = -1;
	return rc;
}

int
atomic_commit(atomic_file *f, ierr *e)
{
	int rc = atomic_sync(f, e);

	if (rc == 0 && f->slot >= 0 && rename(pending[f->slot], f->path) < 0)
		rc = ierr_sys(e, errno, "cannot rename into %s", f->path);
	release(f, rc < 0);
	return rc;
}

void
atomic_abort(atomic_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	release(f, 1);
}

int
atomic_sync_dir(const char *dir, ierr *e)
{
	int fd, rc = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ierr_sys(e, errno, "cannot open directory %s", dir);
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = ierr_sys(e, errno, "cannot sync directory %s", dir);
	close(fd);
	return rc;
}

int
atomic_mkdirs(const char *dir, ierr *e)
{
	char *p, *s;
	struct stat st = { 0 };
	int rc = 0;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (!(p = strdup(dir)))
		return ierr_set(e, "out of memory");
	/* every prefix that ends before a '/', then the whole path */
	for (s = p + 1; rc == 0; s++) {
		int last = *s == '\0';
		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = ierr_sys(e, errno, "%s: cannot create directory", p);
		else if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = ierr_set(e, "%s: not a directory", p);
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

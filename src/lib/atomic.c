#include "config.h"

#include <dirent.h>
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
#include "log.h"
#include "private.h"
#include "tmpfiles.h"

struct atomic_file {
	int fd;
	int slot;	/* its temporary name in tmpfiles.c; -1: written in place */
	char *path;
};

/* The handlers are tmpfiles.c's: one set for every temporary path. */
void
atomic_init(void)
{
	tmpfiles_init();
}

/* The temporary name: ".NAME.tmp.PID.XXXXXX" beside the target. The PID
 * tells a later run whether the writer is still alive (see sweep()). */
static int
temp_name(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash)
		n = snprintf(out, outlen, "%.*s/.%s.tmp.%ld.XXXXXX", (int)(slash - path), path, slash + 1,
			     (long)getpid());
	else
		n = snprintf(out, outlen, ".%s.tmp.%ld.XXXXXX", path, (long)getpid());
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Owned by another user: neither us nor root. Such a name (a link planted in
 * /tmp, a FIFO) is under that user's control: we never write through it. */
static int
foreign(const struct stat *st)
{
	return st->st_uid != geteuid() && st->st_uid != 0;
}

/* One of the process's own descriptors by name: /proc/..., /dev/fd/N, or a
 * link into /proc such as /dev/stdout. Not a link another user made: one to
 * /proc/self/root/etc/shadow, say, would open any file (it is refused as
 * any foreign link is). */
static int
proc_fd(const char *path)
{
	char target[16];
	struct stat st;
	ssize_t n;

	if (!strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/fd/", 8))
		return 1;
	n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	if (strncmp(target, "/proc/", 6) != 0)
		return 0;
	return lstat(path, &st) == 0 && !foreign(&st);
}

/* Remove what a killed writer of path left: ".NAME.tmp.PID.XXXXXX" files of
 * ours whose PID no longer runs (warned, naming the file). Those of a live
 * process are another run's (left alone); the older ".NAME.tmp.XXXXXX" form
 * carries no PID and is only reported. */
static void
sweep(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX], prefix[NAME_MAX + 8], full[PATH_MAX];
	size_t plen;
	DIR *d;
	struct dirent *de;

	if (slash) {
		if ((size_t)(slash - path) >= sizeof dir)
			return;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (!dir[0])
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	if ((size_t)snprintf(prefix, sizeof prefix, ".%s.tmp.", base) >= sizeof prefix)
		return;
	plen = strlen(prefix);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		const char *rest = de->d_name + plen;
		char *end;
		long pid;
		struct stat st;

		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, de->d_name) >= sizeof full)
			continue;
		if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		pid = strtol(rest, &end, 10);
		if (end == rest || *end != '.' || strlen(end + 1) != 6) {
			if (strlen(rest) == 6)
				log_warn("%s: a temporary file left by an earlier run; remove it when no run writes %s",
					 full, path);
			continue;
		}
		if (pid <= 0)
			continue;
		if (pid == (long)getpid()) {
			/* ours, or an earlier process's that had our PID (a
			 * container's fixed PID, an exec'ing wrapper) */
			if (tmpfiles_has_base(de->d_name))
				continue;
		} else if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
			continue;
		}
		if (unlink(full) == 0)
			log_warn("removed %s, left by an earlier run (process %ld) that was killed", full, pid);
	}
	closedir(d);
}

/* Follow path as the kernel would, component by component, and refuse it
 * when a symbolic link on the way is another user's: in a directory
 * component ("/tmp/out/x" where "/tmp/out" was planted as a link to a
 * directory of root's), the last one, or further down a chain (a link of
 * ours to a name in /tmp where another user planted a link). What does not
 * exist yet is not checked (it is created by us). 0, or -1 (e set). */
static int
check_links(const char *path, ierr *e)
{
	char res[PATH_MAX], rest[2 * PATH_MAX], target[PATH_MAX];
	size_t rlen = 0;
	char *p;
	int hops = 0;

	if ((size_t)snprintf(rest, sizeof rest, "%s", path) >= sizeof rest)
		return ierr_set(e, "%s: file name too long", path);
	if (rest[0] != '/') {
		if (!getcwd(res, sizeof res))
			return ierr_sys(e, errno, "cannot resolve %s", path);
		rlen = strlen(res);
		if (rlen == 1)
			rlen = 0;	/* "/" */
	}
	res[rlen] = '\0';
	p = rest;
	for (;;) {
		char *comp, *next;
		size_t clen;
		struct stat st;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		comp = p;
		next = strchr(p, '/');
		clen = next ? (size_t)(next - p) : strlen(p);
		p = next ? next : p + clen;
		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			while (rlen > 0 && res[rlen - 1] != '/')
				rlen--;
			if (rlen > 0)
				rlen--;
			res[rlen] = '\0';
			continue;
		}
		if (rlen + 1 + clen >= sizeof res)
			return ierr_set(e, "%s: file name too long", path);
		res[rlen++] = '/';
		memcpy(res + rlen, comp, clen);
		rlen += clen;
		res[rlen] = '\0';
		if (lstat(res, &st) < 0)
			return 0;	/* not there yet (or not ours to see): made by us */
		if (!S_ISLNK(st.st_mode))
			continue;
		if (foreign(&st))
			return ierr_set(e, "%s: a symbolic link owned by another user (uid %ld) on the way to %s: not written through",
					res, (long)st.st_uid, path);
		if (++hops > 40)
			return ierr_sys(e, ELOOP, "cannot resolve %s", path);
		if ((n = readlink(res, target, sizeof target - 1)) < 0)
			return ierr_sys(e, errno, "cannot resolve %s", res);
		target[n] = '\0';
		/* the link's target, then what was left of the path */
		if ((size_t)n + 1 + strlen(p) >= sizeof rest)
			return ierr_set(e, "%s: file name too long", path);
		memmove(rest + n + 1, p, strlen(p) + 1);
		memcpy(rest, target, (size_t)n);
		rest[n] = '/';
		p = rest;
		if (target[0] == '/') {
			rlen = 0;
		} else {	/* relative to the link's directory */
			while (rlen > 0 && res[rlen - 1] != '/')
				rlen--;
			if (rlen > 0)
				rlen--;
		}
		res[rlen] = '\0';
	}
}

int
atomic_check_links(const char *path, ierr *e)
{
	return check_links(path, e);
}

/* Write in place (a FIFO, a terminal, /dev/null, one of our descriptors). */
static atomic_file *
open_in_place(const char *path, const struct stat *lst, ierr *e)
{
	atomic_file *f;
	struct stat st;

	if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
		free(f);
		ierr_oom(e);
		return NULL;
	}
	/* O_NOFOLLOW: a link swapped in after the check is not followed */
	if ((f->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | (lst ? O_NOFOLLOW : 0))) < 0) {
		ierr_sys(e, errno, "cannot open %s", path);
		free(f->path);
		free(f);
		return NULL;
	}
	if (lst && (fstat(f->fd, &st) < 0 || st.st_dev != lst->st_dev || st.st_ino != lst->st_ino)) {
		ierr_set(e, "%s: changed while it was opened; not written", path);
		close(f->fd);
		free(f->path);
		free(f);
		return NULL;
	}
	f->slot = -1;
	return f;
}

atomic_file *
atomic_open(const char *path, ierr *e)
{
	atomic_file *f;
	sigset_t all, old;
	char *tmp;
	int slot;

	struct stat st = { 0 };

	/* one of our own descriptors (/dev/stdout, /proc/self/fd/N): in place */
	if (proc_fd(path))
		return open_in_place(path, NULL, e);
	if (check_links(path, e) < 0)
		return NULL;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			/* a link to a regular file: replace the file, keep the
			 * link; but only a link that we (or root) made */
			char *real;
			if (foreign(&st)) {
				ierr_set(e, "%s: a symbolic link owned by another user (uid %ld): not written through",
					 path, (long)st.st_uid);
				return NULL;
			}
			if (!(real = realpath(path, NULL))) {
				ierr_sys(e, errno, "cannot resolve %s", path);
				return NULL;
			}
			f = atomic_open(real, e);
			free(real);
			return f;
		}
		if (S_ISDIR(st.st_mode)) {
			ierr_set(e, "%s: is a directory", path);
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			/* a FIFO, a terminal, /dev/null: nothing to rename into
			 * place, and renaming over it would replace it */
			if (foreign(&st)) {
				ierr_set(e, "%s: owned by another user (uid %ld): not written", path, (long)st.st_uid);
				return NULL;
			}
			return open_in_place(path, &st, e);
		}
	}
	/* the file is made and renamed in its directory: one that another user
	 * owns is theirs to change under us (swap the finished file for theirs
	 * before the rename, keep ours): not written there */
	{
		const char *slash = strrchr(path, '/');
		char dir[PATH_MAX];
		struct stat dst;

		if (!slash)
			strcpy(dir, ".");
		else if (slash == path)
			strcpy(dir, "/");
		else if ((size_t)(slash - path) < sizeof dir) {
			memcpy(dir, path, (size_t)(slash - path));
			dir[slash - path] = '\0';
		} else {
			ierr_set(e, "file name too long");
			return NULL;
		}
		if (stat(dir, &dst) == 0 && foreign(&dst)) {
			ierr_set(e, "%s: its directory is owned by another user (uid %ld), who could change the file "
				 "before it is complete: not written", path, (long)dst.st_uid);
			return NULL;
		}
	}
	if ((slot = tmpfiles_reserve(e)) < 0) {
		ierr_set(e, "too many output files open");
		return NULL;
	}
	if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
		free(f);
		tmpfiles_release(slot, 0);
		ierr_oom(e);
		return NULL;
	}
	tmp = tmpfiles_name(slot);
	if (temp_name(path, tmp, PATH_MAX) < 0) {
		free(f->path);
		free(f);
		tmpfiles_release(slot, 0);
		ierr_set(e, "file name too long");
		return NULL;
	}
	sweep(path);
	/* create and register with signals blocked: no window where a file
	 * exists that the handler does not know */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* a random name: a run killed by SIGKILL leaves its file behind, and
	 * the next run may well have the same PID (containers); O_EXCL, 0600 */
	f->fd = mkostemp(tmp, O_CLOEXEC);
	if (f->fd >= 0) {
		tmpfiles_arm(slot, TMPFILES_FILE);
		/* mkostemp makes it 0600: give it the mode a new file gets
		 * (private_init()'s umask: 0600 unless an admin opened it to a
		 * group) */
		if (fchmod(f->fd, 0666 & ~private_umask()) < 0) {
			int err = errno;
			close(f->fd);
			f->fd = -1;
			tmpfiles_release(slot, 1);
			errno = err;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (f->fd < 0) {
		ierr_sys(e, errno, "cannot create %s", tmp);
		tmpfiles_release(slot, 0);	/* not armed, or released above */
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
	tmpfiles_release(f->slot, unlink_it);
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

	if (rc == 0 && f->slot >= 0 && rename(tmpfiles_name(f->slot), f->path) < 0)
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

	/* not even an empty directory where another user's link points */
	if (check_links(dir, e) < 0)
		return -1;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (!(p = strdup(dir)))
		return ierr_oom(e);
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

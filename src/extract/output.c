/* output: the archive writer (gzip or plain, to a file renamed into place at
 * the end, or to stdout) and the per-response spool. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "fdio.h"

#define ZBUF (1 << 16)
#define SPOOL_MEM (1 << 19)	/* a response larger than this goes to a temporary file */

static int
deflate_start(struct ex_out *o, ierr *e)
{
	if (o->gz) {
		/* windowBits 15 + 16: a gzip member, as gzip(1) writes */
		if (deflateInit2(&o->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
		    buf_reserve(&o->zbuf, ZBUF) < 0) {
			ex_out_abort(o);
			return ierr_oom(e);
		}
		o->z_ready = 1;
	}
	return 0;
}

int
ex_out_open(struct ex_out *o, const char *path, int plain, ierr *e)
{
	memset(o, 0, sizeof *o);
	o->fd = STDOUT_FILENO;
	o->name = path ? path : "stdout";
	o->gz = !plain;
	buf_init(&o->zbuf, ZBUF);
	if (path) {
		if (!(o->af = atomic_open(path, e)))
			return -1;
		o->fd = atomic_fd(o->af);
	}
	return deflate_start(o, e);
}

int
ex_out_open_fd(struct ex_out *o, int fd, const char *name, uint64_t offset, int plain, ierr *e)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->name = name;
	o->gz = !plain;
	o->members = 1;
	o->offset = offset;
	buf_init(&o->zbuf, ZBUF);
	return deflate_start(o, e);
}

static int
deflate_some(struct ex_out *o, int flush, ierr *e)
{
	int zr;

	do {
		o->z.next_out = (Bytef *)o->zbuf.p;
		o->z.avail_out = ZBUF;
		zr = deflate(&o->z, flush);
		if (zr == Z_STREAM_ERROR)
			return ierr_set(e, "%s: gzip: internal error", o->name);
		if (fdio_write_all(o->fd, o->zbuf.p, ZBUF - o->z.avail_out) < 0)
			return ierr_sys(e, errno, "%s: write error", o->name);
		o->offset += ZBUF - o->z.avail_out;
	} while (o->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int
ex_out_write(struct ex_out *o, const char *s, size_t n, ierr *e)
{
	if (!o->gz) {
		if (fdio_write_all(o->fd, s, n) < 0)
			return ierr_sys(e, errno, "%s: write error", o->name);
		o->offset += n;
		o->dirty |= n > 0;
		return 0;
	}
	o->dirty |= n > 0;
	while (n > 0) {
		size_t m = n > (1u << 30) ? (1u << 30) : n;

		o->z.next_in = (Bytef *)s;
		o->z.avail_in = (uInt)m;
		if (deflate_some(o, Z_NO_FLUSH, e) < 0)
			return -1;
		s += m;
		n -= m;
	}
	return 0;
}

int
ex_out_checkpoint(struct ex_out *o, ierr *e)
{
	if (!o->dirty)
		return 0;
	if (o->gz) {
		o->z.next_in = NULL;
		o->z.avail_in = 0;
		if (deflate_some(o, Z_FINISH, e) < 0)
			return -1;
		if (deflateReset(&o->z) != Z_OK)
			return ierr_set(e, "%s: gzip: internal error", o->name);
	}
	o->dirty = 0;
	if (fdatasync(o->fd) < 0)
		return ierr_sys(e, errno, "cannot write %s", o->name);
	return 0;
}

int
ex_out_close(struct ex_out *o, ierr *e)
{
	int rc = 0;

	if (o->members) {	/* --resume: the last member, on disk; resume.c renames */
		rc = ex_out_checkpoint(o, e);
		if (o->z_ready)
			deflateEnd(&o->z);
		o->z_ready = 0;
		buf_free(&o->zbuf);
		return rc;
	}

	if (o->gz) {
		o->z.next_in = NULL;
		o->z.avail_in = 0;
		rc = deflate_some(o, Z_FINISH, e);
		deflateEnd(&o->z);
		o->z_ready = 0;
	}
	buf_free(&o->zbuf);
	if (rc < 0) {
		ex_out_abort(o);
		return -1;
	}
	if (o->af) {
		rc = atomic_commit(o->af, e);
		o->af = NULL;
		return rc;
	}
	return 0;
}

void
ex_out_abort(struct ex_out *o)
{
	ierr e;

	/* To stdout, lines are gone already: end the gzip stream without its
	 * trailer, so that the reader sees a truncated archive and fails
	 * instead of taking it for a whole one. */
	if (o->z_ready && !o->af && !o->members) {
		o->z.next_in = NULL;
		o->z.avail_in = 0;
		(void)deflate_some(o, Z_SYNC_FLUSH, &e);
	}
	if (o->z_ready) {
		deflateEnd(&o->z);
		o->z_ready = 0;
	}
	buf_free(&o->zbuf);
	atomic_abort(o->af);
	o->af = NULL;
}

/* ---- the spool --------------------------------------------------------- */

void
spool_init(struct ex_spool *s)
{
	buf_init(&s->mem, SPOOL_MEM);
	s->fd = -1;
	s->bytes = s->lines = 0;
	s->max = 0;
}

static int
spill_open(struct ex_spool *s, ierr *e)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int n;

	if (!dir || !*dir)
		dir = "/tmp";
	/* An O_TMPFILE file has no name at all, so not even a SIGKILL can
	 * leave it behind; where the file system cannot make one, a named
	 * file unlinked at once (a kill between the two leaves an empty
	 * instantly-extract.XXXXXX, as instantly-etl(7) says). */
	if ((s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return ierr_sys(e, errno, "cannot create a temporary file in %s", dir);
	n = snprintf(path, sizeof path, "%s/instantly-extract.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return ierr_set(e, "TMPDIR is too long");
	if ((s->fd = mkostemp(path, O_CLOEXEC)) < 0)
		return ierr_sys(e, errno, "cannot create a temporary file in %s", dir);
	unlink(path);
	return 0;
}

int
spool_add(struct ex_spool *s, const char *line, size_t n, ierr *e)
{
	if (s->max && n > s->max - (s->bytes < s->max ? s->bytes : s->max)) {
		ierr_set(e, "what one response adds to the archive passed %llu bytes (--max-spill)",
			 (unsigned long long)s->max);
		return IERR_LIMIT;
	}
	if (s->fd < 0 && buf_append(&s->mem, line, n) == 0)
		goto added;
	if (s->fd < 0 && spill_open(s, e) < 0)
		return -1;
	if (fdio_write_all(s->fd, line, n) < 0)
		return ierr_sys(e, errno, "temporary file: write error");
added:
	s->bytes += n;
	s->lines++;
	return 0;
}

int
spool_commit(struct ex_spool *s, struct ex_out *o, ierr *e)
{
	char block[1 << 16];
	ssize_t n;

	if (s->mem.len && ex_out_write(o, s->mem.p, s->mem.len, e) < 0)
		return -1;
	if (s->fd >= 0) {
		if (lseek(s->fd, 0, SEEK_SET) < 0)
			return ierr_sys(e, errno, "temporary file");
		while ((n = read(s->fd, block, sizeof block)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return ierr_sys(e, errno, "temporary file: read error");
			}
			if (ex_out_write(o, block, (size_t)n, e) < 0)
				return -1;
		}
	}
	o->lines += s->lines;
	spool_discard(s);
	return 0;
}

void
spool_discard(struct ex_spool *s)
{
	buf_reset(&s->mem);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	s->bytes = s->lines = 0;
}

void
spool_free(struct ex_spool *s)
{
	spool_discard(s);
	buf_free(&s->mem);
}

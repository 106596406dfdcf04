/* The output files of a run: one per table, the rejects and the summary,
 * all written under temporary names and renamed into place together at the
 * end (the summary last), or all removed after a failure. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "fdio.h"
#include "transform.h"

struct tf_outputs {
	atomic_file *table[TBL_N];
	atomic_file *rejects;
	atomic_file *summary;
};

static atomic_file *
open_in(const char *dir, const char *name, const char *ext, ierr *e)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof path, "%s/%s%s", dir, name, ext) >= (int)sizeof path) {
		ierr_set(e, "%s: path too long", dir);
		return NULL;
	}
	return atomic_open(path, e);
}

struct tf_outputs *
tf_outputs_open(struct tf_ctx *x, ierr *e)
{
	const struct tf_opts *o = x->opts;
	struct tf_outputs *out = calloc(1, sizeof *out);
	const char *ext = o->format == COPY_CSV ? ".csv" : ".txt";
	int t;

	if (!out) {
		ierr_oom(e);
		return NULL;
	}
	if (o->outdir && atomic_mkdirs(o->outdir, e) < 0)
		goto fail;
	for (t = 0; t < TBL_N; t++) {
		int fd = -1;
		if (o->outdir) {
			if (!(out->table[t] = open_in(o->outdir, tbl_defs[t].name, ext, e)))
				goto fail;
			fd = atomic_fd(out->table[t]);
		} else if (t == o->table) {
			fd = STDOUT_FILENO;
		}
		if (!(x->out[t] = copyout_new(fd, o->format))) {
			ierr_oom(e);
			goto fail;
		}
		if (copyout_header(x->out[t], tbl_defs[t].cols, tbl_defs[t].ncols, e) < 0)
			goto fail;
	}
	if (o->rejects_path)
		out->rejects = atomic_open(o->rejects_path, e);
	else if (o->outdir)
		out->rejects = open_in(o->outdir, "rejects", ".ndjson", e);
	if ((o->rejects_path || o->outdir) && !out->rejects)
		goto fail;
	x->rejects_fd = out->rejects ? atomic_fd(out->rejects) : -1;
	if (o->summary_path)
		out->summary = atomic_open(o->summary_path, e);
	else if (o->outdir)
		out->summary = open_in(o->outdir, "summary", ".json", e);
	if ((o->summary_path || o->outdir) && !out->summary)
		goto fail;
	return out;
fail:
	tf_outputs_abort(out);
	return NULL;
}

static int
write_buf(int fd, const buf *b, const char *path, ierr *e)
{
	return fdio_write_all(fd, b->p, b->len) < 0 ? ierr_sys(e, errno, "%s: write error", path) : 0;
}

int
tf_outputs_commit(struct tf_ctx *x, struct tf_outputs *o, ierr *e)
{
	buf b;
	int t, rc = 0;

	for (t = 0; t < TBL_N; t++)
		if (copyout_flush(x->out[t], e) < 0)
			return ierr_prefix(e, "%s", o->table[t] ? atomic_path(o->table[t]) : "stdout");
	if (o->rejects && write_buf(atomic_fd(o->rejects), &x->rejects, atomic_path(o->rejects), e) < 0)
		return -1;
	buf_reset(&x->rejects);
	if (o->summary) {
		buf_init(&b, (size_t)1 << 24);
		if (tf_summary_json(x, &b) < 0)
			rc = ierr_oom(e);
		else
			rc = write_buf(atomic_fd(o->summary), &b, atomic_path(o->summary), e);
		buf_free(&b);
		if (rc < 0)
			return -1;
	}
	/* everything on disk before the first rename */
	for (t = 0; t < TBL_N; t++)
		if (o->table[t] && atomic_sync(o->table[t], e) < 0)
			return -1;
	if ((o->rejects && atomic_sync(o->rejects, e) < 0) || (o->summary && atomic_sync(o->summary, e) < 0))
		return -1;
	/* rename: tables, rejects, then the summary, whose presence says the
	 * directory is complete; the old summary goes first, so that a failure
	 * halfway never leaves new tables beside an old summary */
	if (o->summary) {
		struct stat st;
		const char *sp = atomic_path(o->summary);
		if (lstat(sp, &st) == 0 && S_ISREG(st.st_mode) && unlink(sp) < 0)
			return ierr_sys(e, errno, "cannot remove the old %s", sp);
	}
	for (t = 0; t < TBL_N; t++) {
		if (!o->table[t])
			continue;
		rc = atomic_commit(o->table[t], e);
		o->table[t] = NULL;
		if (rc < 0)
			return -1;
	}
	if (o->rejects) {
		rc = atomic_commit(o->rejects, e);
		o->rejects = NULL;
		if (rc < 0)
			return -1;
	}
	if (o->summary) {
		rc = atomic_commit(o->summary, e);
		o->summary = NULL;
		if (rc < 0)
			return -1;
	}
	return x->opts->outdir ? atomic_sync_dir(x->opts->outdir, e) : 0;
}

void
tf_outputs_abort(struct tf_outputs *o)
{
	int t;

	if (!o)
		return;
	for (t = 0; t < TBL_N; t++)
		atomic_abort(o->table[t]);
	atomic_abort(o->rejects);
	atomic_abort(o->summary);
	free(o);
}

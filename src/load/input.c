/* What the transform's directory holds: its summary.json (written last, so
 * its presence says the directory is complete) and one file per table. */
#include "config.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copyout.h"
#include "jrec.h"
#include "load.h"
#include "log.h"
#include "tmpfiles.h"

static char *
slurp(const char *path, size_t max, size_t *len, ierr *e)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (!f) {
		ierr_sys(e, errno, "%s", path);
		return NULL;
	}
	if (!(p = malloc(max + 1))) {
		fclose(f);
		ierr_oom(e);
		return NULL;
	}
	n = fread(p, 1, max + 1, f);
	if (ferror(f) || n > max) {
		ierr_set(e, "%s: %s", path, ferror(f) ? "read error" : "too large for a summary");
		fclose(f);
		free(p);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

static int
get_u64(const jv *obj, const char *key, uint64_t *out)
{
	const jv *v = jv_get(obj, key);
	char *end;

	if (!v || v->type != JV_NUMBER)
		return -1;
	*out = strtoull(v->s, &end, 10);
	return end == v->s + v->n ? 0 : -1;
}

/* ---- CSV -> COPY text, for psql's \copy before PostgreSQL 18 ------------- */

struct conv {
	copyout *out;
	int failed;
	ierr *e;
};

static void
conv_field(void *s, size_t len, void *data)
{
	struct conv *c = data;

	/* CSV_EMPTY_IS_NULL: an unquoted empty field comes as NULL, "" as "" */
	if ((s ? copyout_text(c->out, s, len) : copyout_null(c->out)) < 0)
		c->failed = 1;
}

static void
conv_row(int ch, void *data)
{
	struct conv *c = data;

	(void)ch;
	if (!c->failed && copyout_row_end(c->out, c->e) < 0)
		c->failed = 1;
}

/* Write the CSV file src as COPY text to dst (header line included).
 * *out_failed is set when writing dst failed (not the input's fault). */
static int
csv_to_text(const char *src, const char *dst, int *out_failed, ierr *e)
{
	struct csv_parser p;
	struct conv c = { NULL, 0, e };
	char block[1 << 16];
	size_t n;
	FILE *in;
	int fd, rc = 0;

	if (!(in = fopen(src, "rb")))
		return ierr_sys(e, errno, "%s", src);
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fclose(in);
		*out_failed = 1;
		return ierr_sys(e, errno, "cannot create %s", dst);
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0 ||
	    !(c.out = copyout_new(fd, COPY_TEXT))) {
		rc = ierr_oom(e);
		goto out;
	}
	while (!c.failed && (n = fread(block, 1, sizeof block, in)) > 0)
		if (csv_parse(&p, block, n, conv_field, conv_row, &c) != n) {
			rc = ierr_set(e, "%s: not CSV: %s", src, csv_strerror(csv_error(&p)));
			goto out;
		}
	/* a write that failed (a full disk) is that error, whatever the
	 * parser would say of the input it did not finish */
	if (c.failed) {
		*out_failed = 1;
		rc = e->msg[0] ? -1 : ierr_set(e, "cannot write %s", dst);
	} else if (ferror(in)) {
		rc = ierr_set(e, "%s: read error", src);
	} else if (csv_fini(&p, conv_field, conv_row, &c) != 0) {
		rc = ierr_set(e, "%s: not CSV: %s", src, csv_strerror(csv_error(&p)));
	} else if (c.failed || copyout_flush(c.out, e) < 0) {
		*out_failed = 1;
		rc = -1;
	}
out:
	csv_free(&p);
	copyout_free(c.out);
	if (close(fd) < 0 && rc == 0) {
		*out_failed = 1;
		rc = ierr_sys(e, errno, "%s", dst);
	}
	fclose(in);
	if (rc < 0)
		unlink(dst);	/* no half file left behind */
	return rc;
}

/* ---- the directory ------------------------------------------------------- */

/* The loader's own directory: mkdtemp() makes it with a random name, mode
 * 0700, and fails on anything already there (a planted symlink included);
 * the files in it are made with O_EXCL, mode 0600. The script names it by
 * its absolute path (psql runs in our directory, but would expand a leading
 * "~" of a relative one). */
static const char *
tmp_base(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

#define STALE_PREFIX "instantly-load."
#define STALE_AGE 60	/* seconds: mkdtemp() to flock() is far shorter */

void
ld_reap_stale(void)
{
	const char *tmp = tmp_base();
	struct dirent *de;
	DIR *d = opendir(tmp);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct dirent *fe;
		DIR *sub;
		int fd, sfd;

		if (strncmp(de->d_name, STALE_PREFIX, strlen(STALE_PREFIX)) != 0 ||
		    strlen(de->d_name) != strlen(STALE_PREFIX) + 6)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid() || time(NULL) - st.st_mtime < STALE_AGE)
			continue;
		if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {	/* a loader at work */
			close(fd);
			continue;
		}
		/* its entries: the loader's files (unlinkat() removes a link,
		 * never what it points to) */
		if ((sfd = dup(fd)) >= 0 && (sub = fdopendir(sfd)) != NULL) {
			while ((fe = readdir(sub)) != NULL)
				if (strcmp(fe->d_name, ".") && strcmp(fe->d_name, ".."))
					(void)unlinkat(fd, fe->d_name, 0);
			closedir(sub);
		} else if (sfd >= 0) {
			close(sfd);
		}
		if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
			log_warn("%s/%s: removed the temporary directory of a load that was killed", tmp, de->d_name);
		else
			log_warn("%s/%s: the temporary directory of a load that was killed: cannot remove it: %s", tmp,
				 de->d_name, strerror(errno));
		close(fd);
	}
	closedir(d);
}

/* Release the registration of tmpdir and its files (removed or kept by
 * the caller). */
static void
forget_tmp(struct ld_input *in)
{
	while (in->ntmpslots > 0)
		tmpfiles_release(in->tmpslot[--in->ntmpslots], 0);
}

/* Register dir, just made, and every file the loader may make in it (a
 * converted table, the halves of a split synced_leads, the delta's two):
 * a fatal signal removes them (tmpfiles.h). Signals are blocked by the
 * caller. 0, or -1 (e set). */
static int
register_tmp(struct ld_input *in, const char *dir, ierr *e)
{
	static const char *const split[] = { "staged-synced_leads.csv", "staged-synced_leads.txt",
					     "fresh-synced_leads.csv", "fresh-synced_leads.txt",
					     "delta-synced_leads.csv", "delta-synced_leads.txt", "delta-keys.txt" };
	char path[PATH_MAX];
	int i, n, slot;

	for (i = 0; i < TBL_N + (int)(sizeof split / sizeof split[0]); i++) {
		if (i < TBL_N)
			n = snprintf(path, sizeof path, "%s/%s.txt", dir, tbl_defs[i].name);
		else
			n = snprintf(path, sizeof path, "%s/%s", dir, split[i - TBL_N]);
		if (n < 0 || (size_t)n >= sizeof path)
			return ierr_set(e, "%s: path too long", dir);
		if ((slot = tmpfiles_add(path, TMPFILES_FILE, e)) < 0)
			return -1;
		in->tmpslot[in->ntmpslots++] = slot;
	}
	if ((slot = tmpfiles_add(dir, TMPFILES_DIR, e)) < 0)
		return -1;
	in->tmpslot[in->ntmpslots++] = slot;
	return 0;
}

static const char *make_tmpdir(struct ld_input *in, ierr *e);

const char *
ld_tmpdir(struct ld_input *in, ierr *e)
{
	const char *d = make_tmpdir(in, e);

	if (!d)
		in->tmp_failed = 1;	/* TMPDIR full, read-only, ...: an output error */
	return d;
}

static const char *
make_tmpdir(struct ld_input *in, ierr *e)
{
	char path[PATH_MAX], real[PATH_MAX];
	sigset_t all, old;
	int rc;

	if (in->tmpdir)
		return in->tmpdir;
	/* --print-sql's directory outlives us: another name, never reaped */
	if (snprintf(path, sizeof path, "%s/%s", tmp_base(),
		     in->keep ? "instantly-load-sql.XXXXXX" : STALE_PREFIX "XXXXXX") >= (int)sizeof path) {
		ierr_set(e, "TMPDIR too long");
		return NULL;
	}
	/* made and registered with signals blocked: no moment where it
	 * exists and a signal would leave it */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (!mkdtemp(path)) {
		ierr_sys(e, errno, "cannot create a temporary directory %s", path);
		rc = -1;
	} else if ((rc = register_tmp(in, path, e)) < 0) {
		rmdir(path);
		forget_tmp(in);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		return NULL;
	/* held while we run, and by our psql (inherited: no O_CLOEXEC), so
	 * that another loader's ld_reap_stale() leaves it alone */
	if ((in->tmpfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) < 0 || flock(in->tmpfd, LOCK_EX) < 0) {
		ierr_sys(e, errno, "%s", path);
		if (in->tmpfd >= 0)
			close(in->tmpfd);
		in->tmpfd = -1;
		rmdir(path);
		forget_tmp(in);
		return NULL;
	}
	if (!realpath(path, real)) {
		ierr_sys(e, errno, "%s", path);
		rmdir(path);
		forget_tmp(in);
		return NULL;
	}
	if (ld_text_check(real, "temporary directory (TMPDIR)", e) < 0) {
		rmdir(path);
		forget_tmp(in);
		return NULL;
	}
	if (!(in->tmpdir = strdup(real))) {
		ierr_oom(e);
		rmdir(path);
		forget_tmp(in);
		return NULL;
	}
	return in->tmpdir;
}

int
ld_input_read(struct ld_input *in, const char *dir, int keep, ierr *e)
{
	char path[PATH_MAX + 64], real[PATH_MAX];
	const jv *root, *tables, *t, *other;
	size_t len;
	char *text;
	jrec *j;
	int id, rc = -1, text_format;
	uint64_t other_rejects = 0, rejects = 0;

	memset(in, 0, sizeof *in);
	in->tmpfd = -1;
	in->keep = keep;
	if (!realpath(dir, real))
		return ierr_sys(e, errno, "%s", dir);
	if (ld_text_check(real, "directory", e) < 0)	/* psql reads the name in the script */
		return -1;
	if (snprintf(path, sizeof path, "%s/summary.json", real) >= (int)sizeof path)
		return ierr_set(e, "%s: path too long", dir);
	if (access(path, F_OK) != 0)
		return ierr_set(e, "%s: no summary.json: not a complete instantly-transform output directory", dir);
	if (!(text = slurp(path, (size_t)16 << 20, &len, e)))
		return -1;
	if (!(j = jrec_new(16))) {
		free(text);
		return ierr_oom(e);
	}
	if (!(root = jrec_parse(j, text, len, e))) {
		ierr_prefix(e, "%s", path);
		goto out;
	}
	tables = jv_get(root, "tables");
	t = jv_get(root, "format");
	if (!tables || tables->type != JV_OBJECT || !t || t->type != JV_STRING) {
		ierr_set(e, "%s: not an instantly-transform summary", path);
		goto out;
	}
	text_format = t->n == 4 && memcmp(t->s, "text", 4) == 0;
	for (id = 0; id < TBL_N; id++) {
		const jv *tv = jv_get(tables, tbl_defs[id].name);
		struct stat st;
		if (!tv || get_u64(tv, "rows", &in->rows[id]) < 0 || get_u64(tv, "rejects", &rejects) < 0 ||
		    get_u64(tv, "eod_marker_values", &in->eod_values[id]) < 0) {
			ierr_set(e, "%s: no counts for table %s", path, tbl_defs[id].name);
			goto out;
		}
		if (id == TBL_SYNCED_LEADS)
			in->lead_rejects += rejects;
		in->text[id] = text_format;
		if (snprintf(path, sizeof path, "%s/%s.%s", real, tbl_defs[id].name, text_format ? "txt" : "csv") >=
		    (int)sizeof path) {
			ierr_set(e, "%s: path too long", dir);
			goto out;
		}
		if (stat(path, &st) < 0) {
			ierr_sys(e, errno, "%s", path);
			goto out;
		}
		if (!(in->path[id] = strdup(path))) {
			ierr_oom(e);
			goto out;
		}
	}
	other = jv_get(root, "other");
	if (other && get_u64(other, "rejects", &other_rejects) == 0)
		in->lead_rejects += other_rejects;	/* an unreadable line may have been a lead */

	/* psql's \copy before PostgreSQL 18 ends CSV data at a "\." line even
	 * inside quotes: such tables go in as COPY text, converted here */
	for (id = 0; id < TBL_N; id++) {
		if (in->text[id] || in->eod_values[id] == 0)
			continue;
		if (!ld_tmpdir(in, e))
			goto out;
		if (snprintf(path, sizeof path, "%s/%s.txt", in->tmpdir, tbl_defs[id].name) >= (int)sizeof path) {
			ierr_set(e, "%s: path too long", in->tmpdir);
			goto out;
		}
		log_info("%s: %" PRIu64 " values hold a line that is exactly \"\\.\": loading it as COPY text",
			 tbl_defs[id].name, in->eod_values[id]);
		if (csv_to_text(in->path[id], path, &in->tmp_failed, e) < 0)
			goto out;
		free(in->path[id]);
		if (!(in->path[id] = strdup(path))) {
			ierr_oom(e);
			goto out;
		}
		in->text[id] = 1;
	}
	rc = 0;
out:
	jrec_free(j);
	free(text);
	return rc;
}

int
ld_is_temp(const struct ld_input *in, const char *path)
{
	size_t n = in->tmpdir ? strlen(in->tmpdir) : 0;

	return n && path && !strncmp(path, in->tmpdir, n) && path[n] == '/';
}

void
ld_input_free(struct ld_input *in)
{
	int id;

	if (in->fresh_path) {
		if (ld_is_temp(in, in->fresh_path))
			unlink(in->fresh_path);
		free(in->fresh_path);
		in->fresh_path = NULL;
	}
	free(in->fresh_line);
	in->fresh_line = NULL;
	free(in->pairs);
	in->pairs = NULL;
	ld_delta_free(in);
	if (in->delta_path) {
		unlink(in->delta_path);
		free(in->delta_path);
		in->delta_path = NULL;
	}
	if (in->keys_path) {
		unlink(in->keys_path);
		free(in->keys_path);
		in->keys_path = NULL;
	}

	for (id = 0; id < TBL_N; id++) {
		if (ld_is_temp(in, in->path[id]))
			unlink(in->path[id]);
		free(in->path[id]);
		in->path[id] = NULL;
	}
	if (in->tmpdir) {
		rmdir(in->tmpdir);
		free(in->tmpdir);
		in->tmpdir = NULL;
	}
	if (in->tmpfd >= 0) {
		close(in->tmpfd);
		in->tmpfd = -1;
	}
	forget_tmp(in);	/* removed above, or kept for --print-sql's script */
}

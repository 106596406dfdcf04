/* resume: instantly-extract --resume, an extract that survives being
 * interrupted (a signal, a crash, a power cut, the network gone).
 *
 * With --resume and -o FILE the archive is written to ".FILE.partial"
 * beside FILE, and what is in it is recorded in the journal ".FILE.resume"
 * (both 0600, made and opened without following a link, refused when
 * another user owns them or a link on the way to them; neither is a
 * temporary file of atomic.c, whose sweep leaves them alone). When the run
 * is over the partial file is renamed to FILE and the journal removed; a
 * run that stops before leaves both, and the next --resume goes on from
 * them: what was written is kept, each listing goes on from its last
 * complete page, and the finished FILE holds every item once, with the
 * markers (leads_complete) and the summary counts an uninterrupted run
 * writes.
 *
 * The partial file is a gzip archive of several members (FORMAT.md: read
 * as one archive): a checkpoint ends the member, fdatasync()s the file,
 * and then appends a record to the journal (and fdatasync()s it): the
 * byte offset, the run's counters, and the events since the last one (a
 * page of a listing and its next cursor, a campaign fetched by id, its
 * daily rows, its overview). What the journal says is so on disk before
 * it is said. A resume truncates the partial file to the last checkpoint's
 * offset and replays the events; what was written after it is fetched
 * again. Checkpoints come after a response is written, at most every
 * --checkpoint seconds (0: after every response).
 *
 * Journal records: "IEJ1 LEN CRC32\n" + LEN bytes of text lines + "\n".
 * A record cut short (power lost while it was written) or whose CRC does
 * not match ends the journal: it and what follows are dropped, so a torn
 * write costs the pages of one checkpoint, never a wrong archive.
 *
 *   H    the header: version, the fingerprint of the inputs (client map,
 *        base URL, gzip or plain), the analytics window, started_at
 *   C    a checkpoint: offset, counters, events
 *   R    a resume began here
 *   F N  the run is over with exit status N; FILE is renamed next
 *
 * The journal is locked (flock) while a run uses it: a second run on the
 * same FILE is refused, a journal whose process died is taken over.
 * Failures (a campaign that failed, a 404) are not journaled: a resume
 * asks again. The inputs must be the same: a resume with another client
 * map, base URL, --plain, or window is refused (exit status 2). The window
 * is the first run's, also when the resume runs after midnight. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "archive.h"
#include "fdio.h"
#include "extract.h"
#include "log.h"
#include "private.h"

#define MAGIC "IEJ1"
#define JOURNAL_VERSION 1
#define MAX_RECORD ((size_t)256 << 20)

struct ex_resume {
	char target[PATH_MAX];	/* FILE, links of ours resolved */
	char partial[PATH_MAX];
	char journal[PATH_MAX];
	char dir[PATH_MAX];
	int pfd, jfd;
	uint64_t jlen;		/* journal bytes that are whole records */
	uint64_t offset;	/* the partial file's length at the last checkpoint */
	buf pending;		/* events since the last checkpoint */
	int pending_failed;	/* out of memory noting one: the next checkpoint fails */
	double last_cp;
	int done_status;	/* an F record: the run was over (-1: none) */
};

/* ---- names ---------------------------------------------------------------- */

static int
side_name(char *out, const char *target, const char *suffix)
{
	const char *slash = strrchr(target, '/');
	int n;

	if (slash)
		n = snprintf(out, PATH_MAX, "%.*s/.%s.%s", (int)(slash - target), target, slash + 1, suffix);
	else
		n = snprintf(out, PATH_MAX, ".%s.%s", target, suffix);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* FILE as --resume writes it: a regular file or nothing yet; a link of
 * ours to one is followed (the file is replaced, the link kept), another
 * user's is refused, as atomic_open() does. */
static int
resolve_target(struct ex_resume *rs, const char *path, ierr *e)
{
	struct stat st;
	const char *slash;

	if (atomic_check_links(path, e) < 0)
		return -1;
	if (strlen(path) >= PATH_MAX)
		return ierr_set(e, "%s: file name too long", path);
	strcpy(rs->target, path);
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			char *real;

			if (st.st_uid != geteuid() && st.st_uid != 0)
				return ierr_set(e, "%s: a symbolic link owned by another user (uid %ld): not written through",
						path, (long)st.st_uid);
			if (!(real = realpath(path, NULL)))
				return ierr_sys(e, errno, "cannot resolve %s", path);
			if (strlen(real) >= PATH_MAX) {
				free(real);
				return ierr_set(e, "%s: file name too long", path);
			}
			strcpy(rs->target, real);
			free(real);
			if (stat(rs->target, &st) < 0)
				return ierr_sys(e, errno, "%s", rs->target);
		}
		if (!S_ISREG(st.st_mode))
			return ierr_set(e, "%s: --resume writes a regular file (this is %s)", path,
					S_ISDIR(st.st_mode) ? "a directory" : "no regular file");
	}
	slash = strrchr(rs->target, '/');
	if (!slash)
		strcpy(rs->dir, ".");
	else if (slash == rs->target)
		strcpy(rs->dir, "/");
	else
		snprintf(rs->dir, sizeof rs->dir, "%.*s", (int)(slash - rs->target), rs->target);
	if (stat(rs->dir, &st) == 0 && st.st_uid != geteuid() && st.st_uid != 0)
		return ierr_set(e, "%s: its directory is owned by another user (uid %ld), who could change the file "
				"before it is complete: not written", path, (long)st.st_uid);
	if (side_name(rs->partial, rs->target, "partial") < 0 || side_name(rs->journal, rs->target, "resume") < 0)
		return ierr_set(e, "%s: file name too long", path);
	return 0;
}

/* Open (creating) one of our files: never through a link, ours alone. */
static int
open_private(const char *path, ierr *e)
{
	struct stat st;
	int fd;

	if (atomic_check_links(path, e) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return ierr_set(e, "%s: a symbolic link: not used (remove it)", path);
		return ierr_sys(e, errno, "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return ierr_set(e, "%s: not a regular file of ours: not used", path);
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
		close(fd);
		return ierr_sys(e, errno, "cannot chmod %s", path);
	}
	return fd;
}

/* ---- encoding ------------------------------------------------------------- */

static int
put_hex(buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (!*s)
		return buf_putc(b, '-');
	for (; *s; s++)
		if (buf_putc(b, hex[(unsigned char)*s >> 4]) < 0 || buf_putc(b, hex[*s & 15]) < 0)
			return -1;
	return 0;
}

static int
unhex(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s), i;

	if (strcmp(s, "-") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n % 2 || n / 2 >= outlen)
		return -1;
	for (i = 0; i < n; i += 2) {
		static const char hex[] = "0123456789abcdef";
		const char *hi = s[i] ? strchr(hex, s[i]) : NULL, *lo = s[i + 1] ? strchr(hex, s[i + 1]) : NULL;

		if (!hi || !lo || (hi == hex && lo == hex))
			return -1;	/* not hex, or a NUL byte */
		out[i / 2] = (char)((hi - hex) << 4 | (lo - hex));
	}
	out[n / 2] = '\0';
	return 0;
}

uint64_t
resume_map_digest(const struct ex_map *m)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i, j;

#define MIX(s, n) do { const unsigned char *p_ = (const unsigned char *)(s); size_t k_; \
		for (k_ = 0; k_ < (n); k_++) h = (h ^ p_[k_]) * 1099511628211ULL; \
		h = (h ^ 0xff) * 1099511628211ULL; } while (0)
	for (i = 0; i < m->ncamps; i++) {
		const struct ex_campaign *c = &m->camps[i];

		MIX(c->id, strlen(c->id));
		MIX(c->ws->key_env, strlen(c->ws->key_env));
		for (j = 0; j < c->nclients; j++)
			MIX(c->clients[j], strlen(c->clients[j]));
	}
#undef MIX
	return h;
}

/* ---- noting events ------------------------------------------------------ */

static void
note_done(struct ex_resume *rs, int rc)
{
	if (rc < 0)
		rs->pending_failed = 1;
}

void
resume_note_list(struct ex_run *r, struct ex_workspace *ws, const char *next, struct ex_campaign *const *listed,
		 size_t n)
{
	struct ex_resume *rs = r->resume;
	size_t i;
	int rc;

	if (!rs)
		return;
	rc = buf_printf(&rs->pending, "L %zu %s ", (size_t)(ws - r->map->ws), next ? "more" : "end");
	rc |= put_hex(&rs->pending, next ? next : "");
	for (i = 0; i < n; i++)
		rc |= buf_printf(&rs->pending, " %zu", (size_t)(listed[i] - r->map->camps));
	rc |= buf_putc(&rs->pending, '\n');
	note_done(rs, rc);
}

void
resume_note_leads(struct ex_run *r, struct ex_campaign *c, const char *next, uint64_t items)
{
	struct ex_resume *rs = r->resume;
	int rc;

	if (!rs)
		return;
	rc = buf_printf(&rs->pending, "P %zu %s ", (size_t)(c - r->map->camps), next ? "more" : "end");
	rc |= put_hex(&rs->pending, next ? next : "");
	rc |= buf_printf(&rs->pending, " %" PRIu64 "\n", items);
	note_done(rs, rc);
}

void
resume_note(struct ex_run *r, char what, struct ex_campaign *c, uint64_t n)
{
	struct ex_resume *rs = r->resume;

	if (rs)
		note_done(rs, buf_printf(&rs->pending, "%c %zu %" PRIu64 "\n", what, (size_t)(c - r->map->camps), n));
}

/* ---- the journal ---------------------------------------------------------- */

static int
journal_append(struct ex_resume *rs, const buf *payload, ierr *e)
{
	char head[64];
	int hn = snprintf(head, sizeof head, MAGIC " %zu %08lx\n", payload->len,
			  (unsigned long)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)payload->p, (uInt)payload->len));
	buf rec;
	ssize_t w;
	size_t done = 0;

	buf_init(&rec, MAX_RECORD + 128);
	if (buf_append(&rec, head, (size_t)hn) < 0 || buf_append(&rec, payload->p, payload->len) < 0 ||
	    buf_putc(&rec, '\n') < 0) {
		buf_free(&rec);
		return ierr_oom(e);
	}
	while (done < rec.len) {
		w = pwrite(rs->jfd, rec.p + done, rec.len - done, (off_t)(rs->jlen + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = w < 0 ? errno : EIO;

			buf_free(&rec);
			/* what was written of it is a torn record: the next
			 * resume drops it, and so does the next append */
			return ierr_sys(e, err, "cannot write %s", rs->journal);
		}
		done += (size_t)w;
	}
	if (fdatasync(rs->jfd) < 0) {
		buf_free(&rec);
		return ierr_sys(e, errno, "cannot write %s", rs->journal);
	}
	rs->jlen += rec.len;
	buf_free(&rec);
	return 0;
}

static int
counters(buf *b, const struct ex_run *r)
{
	int rc = buf_printf(b, "n %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, r->http.n.requests,
			    r->http.n.retries, r->n.http_429, r->n.http_5xx, r->http.n.transport_errors);
	int t;

	for (t = 0; t < ARCH_NTYPES; t++)
		rc |= buf_printf(b, " %" PRIu64, r->n.items[t]);
	return rc | buf_putc(b, '\n');
}

int
resume_checkpoint(struct ex_run *r, int force, ierr *e)
{
	struct ex_resume *rs = r->resume;
	double now = log_now();
	buf rec;
	int rc;

	if (!rs || (!rs->pending.len && !force))
		return 0;
	if (!force && now - rs->last_cp < r->opts->checkpoint)
		return 0;
	if (rs->pending_failed)
		return ierr_set(e, "out of memory noting what the run did, for %s", rs->journal);
	/* the data first, on disk; then the journal says so */
	if (ex_out_checkpoint(r->out, e) < 0)
		return -1;
	buf_init(&rec, MAX_RECORD);
	rc = buf_printf(&rec, "C\noffset %" PRIu64 "\n", r->out->offset);
	rc |= counters(&rec, r);
	rc |= buf_append(&rec, rs->pending.p, rs->pending.len);
	if (rc < 0) {
		buf_free(&rec);
		return ierr_set(e, "out of memory writing %s", rs->journal);
	}
	rc = journal_append(rs, &rec, e);
	buf_free(&rec);
	if (rc < 0)
		return -1;
	rs->offset = r->out->offset;
	buf_reset(&rs->pending);
	rs->last_cp = now;
	return 0;
}

/* ---- reading the journal -------------------------------------------------- */

struct header {
	int version;
	char fingerprint[128];
	char base_url[1100];
	char since[11], until[11];
	char started_at[32];
	int ok;
};

static void
fingerprint(const struct ex_run *r, char out[128])
{
	snprintf(out, 128, "map=%016" PRIx64 ":%zu:%zu plain=%d", r->map_digest, r->map->ncamps, r->map->npairs,
		 r->opts->plain);
}

/* the lines of one record's payload */
static char *
next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

static int
bad(const struct ex_resume *rs, unsigned long rec, const char *what, ierr *e)
{
	return ierr_set(e, "%s: record %lu: %s (not a journal of this program, or damaged: remove it and %s to start "
			"over)", rs->journal, rec, what, rs->partial);
}

static struct ex_campaign *
camp_at(struct ex_run *r, const char *s)
{
	char *end;
	unsigned long long i = strtoull(s, &end, 10);

	return *s && *end == '\0' && i < r->map->ncamps ? &r->map->camps[i] : NULL;
}

/* One checkpoint's events, applied to the run. */
static int
apply_checkpoint(struct ex_run *r, char *p, char *end, unsigned long recno, ierr *e)
{
	struct ex_resume *rs = r->resume;
	char *line, *tok[6 + ARCH_NTYPES], cursor[1025];
	uint64_t offset = 0;
	int ntok, t;

	while ((line = next_line(&p, end))) {
		char *save = NULL, *w;

		/* the first words; a listing's campaigns (as many as the page
		 * listed) are read from save on */
		for (ntok = 0, w = strtok_r(line, " ", &save); w; w = ntok < (int)(sizeof tok / sizeof *tok) &&
		     !(ntok == 4 && !strcmp(tok[0], "L")) ? strtok_r(NULL, " ", &save) : NULL)
			tok[ntok++] = w;
		if (ntok == 0)
			continue;
		if (!strcmp(tok[0], "C")) {
			continue;
		} else if (!strcmp(tok[0], "offset") && ntok == 2) {
			offset = strtoull(tok[1], NULL, 10);
		} else if (!strcmp(tok[0], "n") && ntok == 6 + ARCH_NTYPES) {
			r->http.n.requests = strtoull(tok[1], NULL, 10);
			r->http.n.retries = strtoull(tok[2], NULL, 10);
			r->n.http_429 = strtoull(tok[3], NULL, 10);
			r->n.http_5xx = strtoull(tok[4], NULL, 10);
			r->http.n.transport_errors = strtoull(tok[5], NULL, 10);
			for (t = 0; t < ARCH_NTYPES; t++)
				r->n.items[t] = strtoull(tok[6 + t], NULL, 10);
		} else if (!strcmp(tok[0], "L") && ntok == 4) {
			unsigned long long w_i = strtoull(tok[1], NULL, 10);
			struct ex_workspace *ws;
			int more = !strcmp(tok[2], "more");

			if (w_i >= r->map->nws || unhex(tok[3], cursor, sizeof cursor) < 0)
				return bad(rs, recno, "a bad listing event", e);
			ws = &r->map->ws[w_i];
			while ((w = strtok_r(NULL, " ", &save))) {
				struct ex_campaign *c = camp_at(r, w);

				if (!c)
					return bad(rs, recno, "a campaign out of range", e);
				c->listed = 1;
			}
			ws->rs_pages++;
			free(ws->rs_cursor);
			ws->rs_cursor = NULL;
			if (more) {
				if (!(ws->rs_cursor = strdup(cursor)) || api_cursor_seen(&ws->rs_seen, cursor) < 0)
					return ierr_oom(e);
			} else {
				ws->listing_over = 1;
				api_cursor_set_free(&ws->rs_seen);
			}
		} else if (!strcmp(tok[0], "P") && ntok == 5) {
			struct ex_campaign *c = camp_at(r, tok[1]);
			int more = !strcmp(tok[2], "more");

			if (!c || unhex(tok[3], cursor, sizeof cursor) < 0)
				return bad(rs, recno, "a bad lead listing event", e);
			c->leads += strtoull(tok[4], NULL, 10);
			c->lead_pages++;
			c->rs_pages++;
			free(c->rs_cursor);
			c->rs_cursor = NULL;
			if (more) {
				if (!(c->rs_cursor = strdup(cursor)) || api_cursor_seen(&c->rs_seen, cursor) < 0)
					return ierr_oom(e);
			} else {
				c->leads_done = 1;
				api_cursor_set_free(&c->rs_seen);
			}
		} else if ((!strcmp(tok[0], "G") || !strcmp(tok[0], "D") || !strcmp(tok[0], "O")) && ntok == 3) {
			struct ex_campaign *c = camp_at(r, tok[1]);

			if (!c)
				return bad(rs, recno, "a campaign out of range", e);
			if (tok[0][0] == 'G') {
				c->listed = 1;
			} else if (tok[0][0] == 'D') {
				c->daily_done = 1;
				c->daily_rows = strtoull(tok[2], NULL, 10);
			} else {
				c->overview = 1;
			}
		} else {
			return bad(rs, recno, "an unknown line", e);
		}
	}
	rs->offset = offset;
	return 0;
}

static int
read_all(int fd, buf *b, const char *name, ierr *e)
{
	char block[1 << 16];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return ierr_sys(e, errno, "%s", name);
	while ((n = read(fd, block, sizeof block)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ierr_sys(e, errno, "cannot read %s", name);
		}
		if (buf_append(b, block, (size_t)n) < 0)
			return ierr_set(e, "%s: too large to read", name);
	}
	return 0;
}

struct record {
	char *body;
	size_t len;
};

/* Split the journal (in all) into its whole records, checked; rs->jlen: the
 * length of those. *recs is malloc'd. */
static int
journal_split(struct ex_resume *rs, buf *all, struct record **recs, size_t *nrecs, ierr *e)
{
	size_t pos = 0, cap = 0;

	*recs = NULL;
	*nrecs = 0;
	rs->jlen = 0;
	while (pos < all->len) {
		char *p = all->p + pos, *nl = memchr(p, '\n', all->len - pos);
		unsigned long crc;
		size_t len, left;
		int hn = -1;

		char head[48];

		if (!nl || nl - p >= (ptrdiff_t)sizeof head)
			goto torn;
		memcpy(head, p, (size_t)(nl - p));
		head[nl - p] = '\0';	/* sscanf reads no further than the line */
		if (sscanf(head, MAGIC " %zu %8lx%n", &len, &crc, &hn) != 2 || hn != nl - p)
			goto torn;
		left = all->len - pos - (size_t)(hn + 1);
		if (len >= left || nl[1 + len] != '\n' ||
		    crc32(crc32(0L, Z_NULL, 0), (const Bytef *)nl + 1, (uInt)len) != crc)
			goto torn;
		if (*nrecs == cap) {
			struct record *more = realloc(*recs, (cap = cap ? 2 * cap : 64) * sizeof **recs);

			if (!more)
				return ierr_oom(e);
			*recs = more;
		}
		(*recs)[*nrecs].body = nl + 1;
		(*recs)[*nrecs].len = len;
		(*nrecs)++;
		pos += (size_t)hn + 1 + len + 1;
		rs->jlen = pos;
	}
	return 0;
torn:
	log_warn("%s: a record cut short or damaged at byte %zu (a write the interruption tore): it and what "
		 "follows are dropped", rs->journal, pos);
	return 0;
}

static int
header_parse(struct ex_resume *rs, struct record *rec, struct header *h, ierr *e)
{
	char *p = rec->body, *end = rec->body + rec->len, *l = next_line(&p, end);

	memset(h, 0, sizeof *h);
	if (!l || strcmp(l, "H") != 0)
		return bad(rs, 1, "no header", e);
	while ((l = next_line(&p, end))) {
		if (!strncmp(l, "version ", 8))
			h->version = atoi(l + 8);
		else if (!strncmp(l, "fingerprint ", 12))
			snprintf(h->fingerprint, sizeof h->fingerprint, "%s", l + 12);
		else if (!strncmp(l, "base_url ", 9) && unhex(l + 9, h->base_url, sizeof h->base_url) < 0)
			return bad(rs, 1, "a bad base_url", e);
		else if (!strncmp(l, "window ", 7) && strlen(l) == 7 + 21)
			memcpy(h->since, l + 7, 10), memcpy(h->until, l + 18, 10);
		else if (!strncmp(l, "started_at ", 11))
			snprintf(h->started_at, sizeof h->started_at, "%s", l + 11);
	}
	if (h->version != JOURNAL_VERSION)
		return ierr_set(e, "%s: a journal of version %d, this program reads version %d: remove it and %s to start "
				"over", rs->journal, h->version, JOURNAL_VERSION, rs->partial);
	if (!h->since[0] || !h->started_at[0] || !h->fingerprint[0])
		return bad(rs, 1, "an incomplete header", e);
	h->ok = 1;
	return 0;
}

/* The records after the header: checkpoints applied, resumes counted, the
 * end of the run noted. */
static int
journal_apply(struct ex_run *r, struct record *recs, size_t nrecs, ierr *e)
{
	struct ex_resume *rs = r->resume;
	size_t i;

	for (i = 1; i < nrecs; i++) {
		char *p = recs[i].body, *end = p + recs[i].len, *l = next_line(&p, end);

		if (l && !strcmp(l, "C")) {
			if (apply_checkpoint(r, p, end, (unsigned long)i + 1, e) < 0)
				return -1;
		} else if (l && !strcmp(l, "R")) {
			r->resumes++;
		} else if (l && l[0] == 'F' && l[1] == ' ') {
			rs->done_status = atoi(l + 2);
		} else {
			return bad(rs, (unsigned long)i + 1, "an unknown record", e);
		}
	}
	return 0;
}

/* The offset of the last checkpoint among recs (0: none), read without
 * touching the records. */
static uint64_t
last_offset(const struct record *recs, size_t nrecs)
{
	size_t i;

	for (i = nrecs; i-- > 1;) {
		uint64_t off;

		if (recs[i].len > 9 && !memcmp(recs[i].body, "C\noffset ", 9) &&
		    sscanf(recs[i].body + 9, "%" SCNu64, &off) == 1)
			return off;
	}
	return 0;
}

/* The window: the interrupted run's; what the command line says must agree.
 * 0; IERR_USAGE it does not; IERR_FAIL a bad journal (e set for both). */
static int
check_window(struct ex_resume *rs, struct ex_opts *o, const struct header *h, ierr *e)
{
	struct tm a, b;
	long days;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (!strptime(h->since, "%Y-%m-%d", &a) || !strptime(h->until, "%Y-%m-%d", &b))
		return bad(rs, 1, "a bad window", e);
	days = (long)((timegm(&b) - timegm(&a)) / 86400) + 1;
	if (((o->window_given & 2) && strcmp(o->since, h->since) != 0) ||
	    ((o->window_given & 4) && strcmp(o->until, h->until) != 0) ||
	    (!(o->window_given & 2) && days != o->days)) {
		ierr_set(e, "%s: not resumed: the interrupted run's analytics window was %s to %s (%ld days), this one "
			 "asks for %s to %s; give the same window (--since %s --until %s), or remove %s and %s to start "
			 "over", rs->target, h->since, h->until, days, o->since, o->until, h->since, h->until, rs->journal,
			 rs->partial);
		return IERR_USAGE;
	}
	memcpy(o->since, h->since, 11);
	memcpy(o->until, h->until, 11);
	return 0;
}

static void
free_restored(struct ex_run *r)
{
	size_t i;

	for (i = 0; i < r->map->nws; i++) {
		free(r->map->ws[i].rs_cursor);
		r->map->ws[i].rs_cursor = NULL;
		api_cursor_set_free(&r->map->ws[i].rs_seen);
	}
	for (i = 0; i < r->map->ncamps; i++) {
		free(r->map->camps[i].rs_cursor);
		r->map->camps[i].rs_cursor = NULL;
		api_cursor_set_free(&r->map->camps[i].rs_seen);
	}
}

static void
rs_free(struct ex_run *r)
{
	struct ex_resume *rs = r->resume;

	if (!rs)
		return;
	if (rs->pfd >= 0)
		close(rs->pfd);
	if (rs->jfd >= 0)
		close(rs->jfd);	/* the lock goes with it */
	buf_free(&rs->pending);
	free(rs);
	r->resume = NULL;
	free_restored(r);
}

/* Open the journal, locked: the one at its path now (a run that finished
 * meanwhile removed the one we opened). */
static int
open_locked(struct ex_resume *rs, ierr *e)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		struct stat a, b;

		if ((rs->jfd = open_private(rs->journal, e)) < 0)
			return -1;
		if (flock(rs->jfd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno;

			close(rs->jfd);
			rs->jfd = -1;
			if (err == EWOULDBLOCK)
				return ierr_set(e, "%s: another instantly-extract is writing it (%s is locked)", rs->target,
						rs->journal);
			return ierr_sys(e, err, "cannot lock %s", rs->journal);
		}
		if (fstat(rs->jfd, &a) == 0 && lstat(rs->journal, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return 0;
		close(rs->jfd);
		rs->jfd = -1;
	}
	return ierr_set(e, "%s: keeps changing under us", rs->journal);
}

static int
write_header(struct ex_run *r, ierr *e)
{
	struct ex_resume *rs = r->resume;
	char fp[128];
	buf h;
	int rc;

	fingerprint(r, fp);
	buf_init(&h, 1 << 16);
	rc = buf_printf(&h, "H\nversion %d\nfingerprint %s\nbase_url ", JOURNAL_VERSION, fp);
	rc |= put_hex(&h, r->opts->base_url);
	rc |= buf_printf(&h, "\nwindow %s %s\nstarted_at %s\n", r->opts->since, r->opts->until, r->started_at);
	if (rc < 0) {
		buf_free(&h);
		return ierr_oom(e);
	}
	rc = journal_append(rs, &h, e);
	buf_free(&h);
	return rc;
}

int
resume_open(struct ex_run *r, struct ex_opts *o, int *status, ierr *e)
{
	struct ex_resume *rs = calloc(1, sizeof *rs);
	struct record *recs = NULL;
	size_t nrecs = 0;
	struct header h;
	struct stat st;
	buf all;
	int rc = -1, fresh, have_partial;
	char fp[128];

	if (!rs)
		return ierr_oom(e);
	rs->pfd = rs->jfd = -1;
	rs->done_status = -1;
	buf_init(&rs->pending, MAX_RECORD - 4096);
	buf_init(&all, (size_t)4 << 30);
	r->resume = rs;
	if (resolve_target(rs, o->output, e) < 0 || open_locked(rs, e) < 0 || read_all(rs->jfd, &all, rs->journal, e) < 0 ||
	    journal_split(rs, &all, &recs, &nrecs, e) < 0)
		goto out;
	fresh = nrecs == 0;
	if (!fresh) {
		if (header_parse(rs, &recs[0], &h, e) < 0)
			goto out;
		fingerprint(r, fp);
		if (strcmp(fp, h.fingerprint) != 0 || strcmp(h.base_url, o->base_url) != 0) {
			const char *what = strcmp(h.base_url, o->base_url) != 0 ? "--base-url"
					   : strcmp(strstr(fp, " plain="), strstr(h.fingerprint, " plain=") ? strstr(h.fingerprint, " plain=") : "") != 0
						   ? "--plain"
						   : "the client map";

			ierr_set(e, "%s: not resumed: %s differs from the interrupted run's (%s); run with the same, or "
				 "remove %s and %s to start over", o->output, what,
				 !strcmp(what, "--base-url") ? h.base_url : h.fingerprint, rs->journal, rs->partial);
			rc = IERR_USAGE;
			goto out;
		}
		if ((rc = check_window(rs, o, &h, e)) < 0)
			goto out;
		rc = -1;
	}
	have_partial = lstat(rs->partial, &st) == 0;
	if (!fresh) {
		uint64_t off = last_offset(recs, nrecs);
		size_t i;

		for (i = 1; i < nrecs; i++)
			if (recs[i].len >= 2 && recs[i].body[0] == 'F' && recs[i].body[1] == ' ')
				rs->done_status = atoi(recs[i].body + 2);
		if (rs->done_status >= 0) {
			/* over before: only the rename (and the removal) were left */
			if (have_partial && rename(rs->partial, rs->target) < 0) {
				ierr_sys(e, errno, "cannot rename %s to %s", rs->partial, rs->target);
				goto out;
			}
			if (atomic_sync_dir(rs->dir, e) < 0 || unlink(rs->journal) < 0)
				goto out;
			log_info("%s: the run that left %s was over (exit status %d): nothing to resume", rs->target,
				 rs->journal, rs->done_status);
			*status = rs->done_status;
			rc = 1;
			goto out;
		}
		if (off > 0 && (!have_partial || (uint64_t)st.st_size < off)) {
			log_warn("%s: %s, the journal says %" PRIu64 " bytes were written: starting over", rs->target,
				 have_partial ? "the partial archive is shorter" : "the partial archive is gone", off);
			fresh = 1;
		}
	}
	if ((rs->pfd = open_private(rs->partial, e)) < 0)
		goto out;
	if (fresh) {
		rs->jlen = 0;
		if (ftruncate(rs->jfd, 0) < 0 || ftruncate(rs->pfd, 0) < 0) {
			ierr_sys(e, errno, "cannot truncate %s", rs->journal);
			goto out;
		}
		if (write_header(r, e) < 0 || atomic_sync_dir(rs->dir, e) < 0)
			goto out;
	} else {
		if (journal_apply(r, recs, nrecs, e) < 0)
			goto out;
		if (ftruncate(rs->jfd, (off_t)rs->jlen) < 0 || ftruncate(rs->pfd, (off_t)rs->offset) < 0 ||
		    fdatasync(rs->pfd) < 0) {
			ierr_sys(e, errno, "cannot truncate %s", rs->partial);
			goto out;
		}
		memcpy(r->started_at, h.started_at, sizeof r->started_at);
		{
			buf rec;

			buf_init(&rec, 16);
			rc = buf_puts(&rec, "R\n") < 0 ? ierr_oom(e) : journal_append(rs, &rec, e);
			buf_free(&rec);
			if (rc < 0)
				goto out;
			rc = -1;
		}
		r->resumes++;
		log_info("%s: resuming the run started at %s (%" PRIu64 " items kept, window %s to %s)", rs->target,
			 r->started_at, r->n.items[ARCH_LEAD] + r->n.items[ARCH_CAMPAIGN] + r->n.items[ARCH_ANALYTICS_DAILY] +
					      r->n.items[ARCH_ANALYTICS_OVERVIEW] + r->n.items[ARCH_LEADS_COMPLETE],
			 o->since, o->until);
	}
	if (lseek(rs->pfd, 0, SEEK_END) < 0) {
		ierr_sys(e, errno, "%s", rs->partial);
		goto out;
	}
	if (ex_out_open_fd(r->out, rs->pfd, rs->partial, rs->offset, o->plain, e) < 0)
		goto out;
	rs->last_cp = log_now();
	rc = 0;
out:
	free(recs);
	buf_free(&all);
	if (rc != 0)
		rs_free(r);
	return rc;
}

int
resume_finish(struct ex_run *r, int status, ierr *e)
{
	struct ex_resume *rs = r->resume;
	buf rec;
	int rc;

	if (ex_out_close(r->out, e) < 0)
		return -1;
	/* the mode an archive gets (atomic_open's): 0600 unless
	 * INSTANTLY_ETL_UMASK opens it to a group */
	if (fchmod(rs->pfd, 0666 & ~private_umask()) < 0)
		return ierr_sys(e, errno, "cannot chmod %s", rs->partial);
	buf_init(&rec, 64);
	rc = buf_printf(&rec, "F %d\n", status) < 0 ? ierr_oom(e) : journal_append(rs, &rec, e);
	buf_free(&rec);
	if (rc < 0)
		return -1;
	if (rename(rs->partial, rs->target) < 0)
		return ierr_sys(e, errno, "cannot rename %s to %s", rs->partial, rs->target);
	if (atomic_sync_dir(rs->dir, e) < 0)
		return -1;
	if (unlink(rs->journal) < 0)
		log_warn("cannot remove %s: %s", rs->journal, strerror(errno));
	(void)atomic_sync_dir(rs->dir, e);
	rs_free(r);
	return 0;
}

void
resume_close(struct ex_run *r)
{
	if (!r->resume)
		return;
	ex_out_abort(r->out);	/* what is after the last checkpoint is dropped by the next resume */
	log_info("the run so far is kept in %s (journal %s): run again with --resume to go on", r->resume->partial,
		 r->resume->journal);
	rs_free(r);
}

void
resume_warn_stale(const char *output)
{
	char j[PATH_MAX];
	struct stat st;

	if (side_name(j, output, "resume") == 0 && lstat(j, &st) == 0)
		log_warn("%s is left by an interrupted --resume run of %s: this run does not use it (--resume would)", j,
			 output);
}

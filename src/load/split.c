/* The leads file, scanned once: campaigns new to the warehouse skip the
 * staging table, and known campaigns send only the rows that changed.
 *
 * Staging costs a second write of every row. A campaign that has no lead in
 * synced_leads and no complete listing in lead_listings cannot conflict with
 * the warehouse, so when none of its lead keys repeats inside the load its
 * rows can be \copy'd straight into synced_leads. This file finds those
 * campaigns (one scan of the table file, one query) and splits their rows
 * off; the script locks synced_leads and checks again inside its
 * transaction, so a concurrent load makes this one fail, never mix.
 *
 * Every row gets a content hash (content_hash below: the values of every
 * column but the key and extracted_at), appended as a last column to the
 * files the script reads; the warehouse keeps it in synced_leads.content_hash.
 * The rows of a known campaign (LD_DELTA) are held back: once the script's
 * transaction holds its lock, psql prints the warehouse's (lead, hash) of
 * those campaigns (ld_delta_line) and ld_delta_finish() writes only the new
 * and changed rows for staging, with the keys of the leads a complete
 * listing no longer holds (deleted) and of the unchanged rows of a listing
 * that sets no watermark (their extracted_at is moved on, see
 * instantly-load(1)). Unchanged rows are not sent at all. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "load.h"
#include "log.h"
#include "val.h"

/* ---- rows of a COPY file ----------------------------------------------- */

struct rows {
	const char *p, *end;	/* the file, mapped */
	int csv;
};

/* The number of bytes c in [p, p + n), eight at a time: a payload's JSON
 * in CSV holds a doubled quote every few bytes, too many for a memchr()
 * each. */
static size_t
count_byte(const char *p, size_t n, char c)
{
	const uint64_t ones = 0x0101010101010101ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
	const uint64_t cc = ones * (unsigned char)c;
	size_t k = 0;

	for (; n >= 8; p += 8, n -= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		x ^= cc;	/* a byte c is now 0 */
		/* the top bit of each byte that is 0, exactly (no carry
		 * between bytes: each sum stays within its byte); no
		 * popcount: without -mpopcnt it is a call */
		x = ~(((x & low7) + low7) | x | low7) >> 7;	/* 1 in each such byte */
		k += (size_t)((x * ones) >> 56);	/* their sum, in the top byte */
	}
	for (; n > 0; p++, n--)
		k += *p == c;
	return k;
}

/* The next row [*s, *e) (without its newline); 0 at the end. In CSV a
 * newline inside quotes is data: a row ends at a newline after an even
 * number of quotes. */
static int
next_row(struct rows *r, const char **s, const char **e)
{
	const char *p = r->p, *nl;
	size_t quotes = 0;

	if (p >= r->end)
		return 0;
	*s = p;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(r->end - p));
		if (!nl)
			nl = r->end;
		if (r->csv)
			quotes += count_byte(p, (size_t)(nl - p), '"');
		if (quotes % 2 == 0 || nl == r->end)
			break;
		p = nl + 1;
	}
	*e = nl;
	r->p = nl < r->end ? nl + 1 : nl;
	return 1;
}

/* The first n fields of a row, UUIDs (client, campaign, lead), into f[]
 * in lower case: the same UUID may come in either case. */
static int
row_uuids(const struct rows *r, const char *s, const char *e, char f[][37], int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		const char *u;
		if (r->csv) {
			if (e - s < 38 || s[0] != '"' || s[37] != '"')
				return -1;
			u = s + 1;
			s += 38;
		} else {
			if (e - s < 36)
				return -1;
			u = s;
			s += 36;
		}
		if (!val_is_uuid(u, 36))
			return -1;
		for (k = 0; k < 36; k++)
			f[i][k] = (char)(u[k] >= 'A' && u[k] <= 'F' ? u[k] - 'A' + 'a' : u[k]);
		f[i][36] = '\0';
		if (i < n - 1 && (s >= e || *s++ != (r->csv ? ',' : '\t')))
			return -1;
	}
	return 0;
}

/* ---- a set of 64-bit fingerprints -------------------------------------- */

struct fpset {
	uint64_t *slot;
	size_t mask, n;
};

static uint64_t
fingerprint(char f[][37])
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a over the three UUIDs */
	int i, k;

	for (i = 0; i < 3; i++)
		for (k = 0; k < 36; k++)
			h = (h ^ (unsigned char)f[i][k]) * 1099511628211ULL;
	return h ? h : 1;	/* 0 marks an empty slot */
}

/* Add h; 1 when it was there (a repeated key, or, rarely, two keys with one
 * fingerprint: then the campaign only goes through staging), 0 when new,
 * -1 out of memory. */
static int
fpset_add(struct fpset *s, uint64_t h)
{
	size_t i;

	if (2 * (s->n + 1) > s->mask + 1) {
		struct fpset g = { NULL, s->mask ? 2 * s->mask + 1 : 4095, 0 };
		if (!(g.slot = calloc(g.mask + 1, sizeof *g.slot)))
			return -1;
		for (i = 0; s->slot && i <= s->mask; i++)
			if (s->slot[i])
				(void)fpset_add(&g, s->slot[i]);
		free(s->slot);
		*s = g;
	}
	for (i = h & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == h)
			return 1;
	s->slot[i] = h;
	s->n++;
	return 0;
}

/* ---- the content hash -------------------------------------------------- */

/* MurmurHash64A (Austin Appleby, public domain), bytes read little-endian
 * whatever the machine: the warehouse keeps the result. */
static uint64_t
murmur64(const void *key, size_t len, uint64_t seed)
{
	const uint64_t m = 0xc6a4a7935bd1e995ULL;
	const unsigned char *p = key;
	uint64_t h = seed ^ (len * m), k;
	size_t i, n8 = len / 8;

	for (i = 0; i < n8; i++, p += 8) {
		k = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
		    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
		k *= m;
		k ^= k >> 47;
		k *= m;
		h ^= k;
		h *= m;
	}
	if (len & 7) {
		for (i = len & 7; i-- > 0;)
			h ^= (uint64_t)p[i] << (8 * i);
		h *= m;
	}
	h ^= h >> 47;
	h *= m;
	h ^= h >> 47;
	return h;
}

/* What the hash covers: every column of synced_leads but the key and
 * extracted_at, each by its name, so that the order of the columns in the
 * file does not matter (schemas/TABLES.md, content_hash). */
struct hcols {
	size_t ncols, nkey;
	int ts;			/* extracted_at's column */
	uint64_t seed[64];	/* per column: murmur64 of its name */
	char *scratch;		/* a value with escapes, decoded */
	size_t cap;
};

static int
hcols_init(struct hcols *h)
{
	const struct tbl_def *t = &tbl_defs[TBL_SYNCED_LEADS];
	size_t i;

	memset(h, 0, sizeof *h);
	h->ncols = t->ncols;
	h->nkey = t->nkey;
	h->ts = tbl_column(t, "extracted_at");
	if (h->ncols > sizeof h->seed / sizeof h->seed[0] || h->ts < 0)
		return -1;
	for (i = 0; i < h->ncols; i++)
		h->seed[i] = murmur64(t->cols[i], strlen(t->cols[i]), 0x1e7a11c0ffee5eedULL);
	return 0;
}

/* room for need bytes in h->scratch; 0, or -1 out of memory */
static int
scratch_reserve(struct hcols *h, size_t need)
{
	if (need > h->cap) {
		size_t nc = h->cap ? h->cap : 4096;
		char *np;
		while (nc < need)
			nc *= 2;
		if (!(np = realloc(h->scratch, nc)))
			return -1;
		h->scratch = np;
		h->cap = nc;
	}
	return 0;
}

/* [p, p + len) appended to h->scratch at *n */
static int
scratch_put(struct hcols *h, size_t *n, const char *p, size_t len)
{
	if (len == 0)
		return 0;
	if (scratch_reserve(h, *n + len) < 0)
		return -1;
	memcpy(h->scratch + *n, p, len);
	*n += len;
	return 0;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* COPY text escapes of [p, end) decoded into h->scratch */
static int
text_decode(struct hcols *h, const char *p, const char *end, size_t *n)
{
	static const char esc[] = "b\bf\fn\nr\rt\tv\v";
	const char *bs;
	char c;

	*n = 0;
	while ((bs = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (scratch_put(h, n, p, (size_t)(bs - p)) < 0)
			return -1;
		p = bs + 1;
		if (p >= end)
			break;	/* a lone backslash at the end: the server refuses it */
		if (*p >= '0' && *p <= '7') {
			int v = 0, k;
			for (k = 0; k < 3 && p < end && *p >= '0' && *p <= '7'; k++)
				v = v * 8 + (*p++ - '0');
			c = (char)v;
		} else if (*p == 'x' && p + 1 < end && hexval(p[1]) >= 0) {
			int v = hexval(p[1]);
			p += 2;
			if (p < end && hexval(*p) >= 0)
				v = v * 16 + hexval(*p++);
			c = (char)v;
		} else {
			const char *m = strchr(esc, *p);
			c = *p && m && (m - esc) % 2 == 0 ? m[1] : *p;
			p++;
		}
		if (scratch_put(h, n, &c, 1) < 0)
			return -1;
	}
	return scratch_put(h, n, p, (size_t)(end - p));
}

/* The next field of a row at *pp (before end): its value [*v, *v + *vn)
 * (*v NULL: SQL NULL), *pp moved past it and its separator. 0; 1 when the
 * row is malformed (the server will say so: the hash is then any value);
 * -1 out of memory. */
static int
next_field(struct hcols *h, int csv, const char **pp, const char *end, const char **v, size_t *vn)
{
	const char *p = *pp, *q;

	if (p > end)
		return 1;
	if (csv && p < end && *p == '"') {
		p++;
		if (!(q = memchr(p, '"', (size_t)(end - p))))
			return 1;	/* no closing quote */
		if (q + 1 < end && q[1] == '"') {
			/* doubled quotes (a payload's JSON: one every few bytes):
			 * decoded a byte at a time into h->scratch */
			char *d;
			/* room: the value is no longer than the rest of the row;
			 * its first part, to the first quote of the pair, as it is */
			if (scratch_reserve(h, (size_t)(end - p)) < 0)
				return -1;
			memcpy(h->scratch, p, (size_t)(q + 1 - p));
			d = h->scratch + (q + 1 - p);
			for (p = q + 2;; p++) {
				if (p >= end)
					return 1;	/* no closing quote */
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				*d++ = *p;
			}
			*v = h->scratch;
			*vn = (size_t)(d - h->scratch);
		} else {
			*v = p;
			*vn = (size_t)(q - p);
			p = q;
		}
		p++;	/* the closing quote */
		if (p < end && *p++ != ',')
			return 1;
		*pp = p;
		return 0;
	}
	if (!(q = memchr(p, csv ? ',' : '\t', (size_t)(end - p))))
		q = end;
	*pp = q < end ? q + 1 : q;
	if (csv) {
		*v = q > p ? p : NULL;	/* unquoted empty: NULL */
		*vn = (size_t)(q - p);
	} else if (q - p == 2 && p[0] == '\\' && p[1] == 'N') {
		*v = NULL;
		*vn = 0;
	} else if (memchr(p, '\\', (size_t)(q - p))) {
		if (text_decode(h, p, q, vn) < 0)
			return -1;
		*v = h->scratch ? h->scratch : "";
	} else {
		*v = p;
		*vn = (size_t)(q - p);
	}
	return 0;
}

/* The content hash of row [s, e): the sum over the hashed columns of
 * murmur64(value, seed of the column; another seed for NULL), mixed once
 * more. ts (may be NULL) gets a copy of extracted_at's value, NUL-ended,
 * tsn bytes at most ("" when NULL or too long). 0, or -1 out of memory. */
static int
content_hash(struct hcols *h, int csv, const char *s, const char *e, uint64_t *out, char *ts, size_t tsn)
{
	const char *p = s, *v;
	size_t i, vn;
	uint64_t sum = 0;
	int rc;

	if (ts)
		ts[0] = '\0';
	for (i = 0; i < h->ncols; i++) {
		if (p >= e && i > 0 && (csv ? p[-1] != ',' : p[-1] != '\t'))
			break;	/* too few fields */
		if ((rc = next_field(h, csv, &p, e, &v, &vn)) < 0)
			return -1;
		if (rc > 0)
			break;
		if ((int)i == h->ts) {
			if (ts && v && vn < tsn) {
				memcpy(ts, v, vn);
				ts[vn] = '\0';
			}
			continue;
		}
		if (i < h->nkey)
			continue;
		sum += v ? murmur64(v, vn, h->seed[i]) : murmur64("", 0, ~h->seed[i]);
	}
	*out = murmur64(&sum, 0, sum ^ (uint64_t)i);	/* i: the fields read, in the hash too */
	return 0;
}

/* ---- buffered output ----------------------------------------------------- */

struct out {
	int fd, failed;
	size_t n;
	char b[1 << 16];
};

static void
out_put(struct out *o, const void *p, size_t n)
{
	if (o->failed)
		return;
	if (o->n + n > sizeof o->b) {
		if (fdio_write_all(o->fd, o->b, o->n) < 0) {
			o->failed = 1;
			return;
		}
		o->n = 0;
		if (n > sizeof o->b) {
			if (fdio_write_all(o->fd, p, n) < 0)
				o->failed = 1;
			return;
		}
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* 0, or -1 with errno set; closes the file and frees o either way */
static int
out_close(struct out *o)
{
	int rc = o->failed || fdio_write_all(o->fd, o->b, o->n) < 0 ? -1 : 0, err = errno;

	if (close(o->fd) < 0 && rc == 0) {
		err = errno;
		rc = -1;
	}
	free(o);
	errno = err;
	return rc;
}

/* a row, its content hash appended as a last column */
static void
out_row(struct out *o, int csv, const char *s, const char *e, uint64_t hash)
{
	char tail[32];
	int64_t v;
	int n;

	memcpy(&v, &hash, sizeof v);
	n = snprintf(tail, sizeof tail, "%c%lld\n", csv ? ',' : '\t', (long long)v);
	out_put(o, s, (size_t)(e - s));
	out_put(o, tail, (size_t)n);
}

/* in->tmpdir/name, or NULL (out of memory, e set) */
static char *
tmp_name(const struct ld_input *in, const char *name, ierr *e)
{
	char *p;

	if (asprintf(&p, "%s/%s", in->tmpdir, name) < 0) {
		ierr_oom(e);
		return NULL;
	}
	return p;
}

static struct out *
out_open(struct ld_input *in, const char *path, ierr *e)
{
	struct out *o;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		in->tmp_failed = 1;
		ierr_sys(e, errno, "cannot create %s", path);
		return NULL;
	}
	if (!(o = malloc(sizeof *o))) {
		close(fd);
		unlink(path);
		ierr_oom(e);
		return NULL;
	}
	o->fd = fd;
	o->failed = 0;
	o->n = 0;
	return o;
}

/* ---- the campaigns ----------------------------------------------------- */

static struct ld_pair *
pair_of(struct ld_pair **pairs, size_t *n, size_t *cap, const char *c, const char *k)
{
	size_t i;

	for (i = *n; i-- > 0;)	/* rows come grouped by campaign: the last first */
		if (!memcmp((*pairs)[i].campaign_id, k, 36) && !memcmp((*pairs)[i].client_id, c, 36))
			return &(*pairs)[i];
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		struct ld_pair *np = realloc(*pairs, nc * sizeof *np);
		if (!np)
			return NULL;
		*pairs = np;
		*cap = nc;
	}
	memset(&(*pairs)[*n], 0, sizeof **pairs);
	memcpy((*pairs)[*n].client_id, c, 36);
	memcpy((*pairs)[*n].campaign_id, k, 36);
	return &(*pairs)[(*n)++];
}

/* Ask the warehouse which of the pairs it knows, or does not map to their
 * client (their rows go through staging, where they are left out), and
 * whether synced_leads has its content_hash column. A failed query (no
 * tables yet, say) leaves every pair unknown, so none is split off or
 * compared... unless the tables do not exist at all, which --init-schema is
 * about to fix: then all are new. */
static int
probe(const struct ld_opts *o, struct ld_input *in, struct ld_pair *pairs, size_t n, ierr *e)
{
	buf q, out;
	size_t i;
	int rc;
	const char *line;

	buf_init(&q, (size_t)64 << 20);
	buf_init(&out, (size_t)64 << 20);
	rc = buf_puts(&q, "\\encoding UTF8\n" LD_SETTINGS("SET")
			  "SELECT CASE WHEN to_regclass('synced_leads') IS NULL AND to_regclass('lead_listings') IS NULL\n"
			  "    THEN 't' ELSE 'f' END || CASE WHEN EXISTS (SELECT FROM pg_attribute\n"
			  "    WHERE attrelid = to_regclass('synced_leads') AND attname = 'content_hash' AND NOT attisdropped)\n"
			  "    THEN ' t' ELSE ' f' END;\n"
			  "SELECT v.c || ' ' || v.k || ' ' || CASE WHEN " "NOT EXISTS (SELECT FROM client_campaigns m\n"
			  "    WHERE m.client_id = v.c AND m.campaign_id = v.k) THEN 'u' ELSE 'e' END FROM (VALUES ");
	for (i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(&q, "%s('%s'::uuid, '%s'::uuid)", i ? ", " : "", pairs[i].client_id,
				pairs[i].campaign_id);
	if (rc == 0)
		rc = buf_puts(&q, ") AS v (c, k)\n WHERE to_regclass('synced_leads') IS NOT NULL AND (\n"
			      "  EXISTS (SELECT FROM synced_leads s WHERE s.client_id = v.c AND s.campaign_id = v.k)\n"
			      "  OR EXISTS (SELECT FROM lead_listings l WHERE l.client_id = v.c AND l.campaign_id = v.k)\n"
			      "  OR NOT EXISTS (SELECT FROM client_campaigns m WHERE m.client_id = v.c AND m.campaign_id = v.k));\n");
	if (rc < 0) {
		buf_free(&q);
		return ierr_oom(e);
	}
	rc = ld_psql_query(o, &q, &out, e);
	buf_free(&q);
	if (rc > 0 && o->init_schema && out.len > 0 && out.p[0] == 't') {
		/* no tables yet (the second query cannot even be planned),
		 * and --init-schema makes them: every campaign is new */
		buf_free(&out);
		return 0;
	}
	if (rc != 0) {
		log_debug("asking the warehouse for known campaigns failed (psql exit %d): staging every lead", rc);
		for (i = 0; i < n; i++)
			pairs[i].exists = pairs[i].unmapped = 1;
		buf_free(&out);
		return rc < 0 ? -1 : 0;
	}
	/* "t"/"f" (no tables at all) and "t"/"f" (content_hash is there),
	 * then one "client campaign e|u" line per known or unmapped pair */
	if (buf_putc(&out, '\0') < 0) {
		buf_free(&out);
		return ierr_oom(e);
	}
	line = out.p;
	if (!o->init_schema && strncmp(line, "t", 1) == 0)
		for (i = 0; i < n; i++)
			pairs[i].exists = 1;	/* no schema and none coming: the load fails anyway */
	if (!o->init_schema && strncmp(line, "f f", 3) == 0) {
		buf_free(&out);
		in->db_failed = 1;
		return ierr_set(e, "the warehouse's synced_leads has no content_hash column (its schema is older than this "
				"instantly-load): load once with --init-schema to add it");
	}
	for (; (line = strchr(line, '\n')) != NULL;) {
		line++;
		if (strlen(line) < 73)
			break;
		for (i = 0; i < n; i++)
			if (!memcmp(line, pairs[i].client_id, 36) && !memcmp(line + 37, pairs[i].campaign_id, 36)) {
				pairs[i].exists = 1;
				if (line[73] == ' ' && line[74] == 'u')
					pairs[i].unmapped = 1;
			}
	}
	buf_free(&out);
	return 0;
}

int
ld_pair_fresh(const struct ld_pair *p)
{
	return p->mode == LD_FRESH;
}

int
ld_delta_pairs(const struct ld_input *in)
{
	size_t i;

	for (i = 0; in->delta && i < in->npairs; i++)
		if (in->pairs[i].mode == LD_DELTA)
			return 1;
	return 0;
}

/* Two complete listings of one campaign in a load (two extracts in one
 * archive) make the earlier one's leads candidates for deletion: the
 * campaign then goes through staging, where the deletion rule is applied. */
static int
count_listings(const struct ld_input *in, struct ld_pair *pairs, size_t n, ierr *e)
{
	const char *path = in->path[TBL_LEADS_COMPLETE], *s, *end;
	char f[2][37], *text;
	struct rows r;
	struct stat st;
	size_t i;
	int fd;
	ssize_t got;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ierr_sys(e, errno, "%s", path);
	if (fstat(fd, &st) < 0 || !(text = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return ierr_set(e, "%s: cannot read", path);
	}
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got != (ssize_t)st.st_size) {
		free(text);
		return ierr_set(e, "%s: read error", path);
	}
	r.p = text;
	r.end = text + got;
	r.csv = !in->text[TBL_LEADS_COMPLETE];
	if (next_row(&r, &s, &end))	/* the header */
		while (next_row(&r, &s, &end)) {
			if (row_uuids(&r, s, end, f, 2) < 0)
				continue;
			for (i = 0; i < n; i++)
				if (!memcmp(pairs[i].client_id, f[0], 36) && !memcmp(pairs[i].campaign_id, f[1], 36))
					pairs[i].listings++;
		}
	free(text);
	return 0;
}

/* ---- change detection ---------------------------------------------------- */

/* a row of the leads file */
struct drow {
	uint64_t off;		/* in the mapped file */
	uint32_t len;		/* without its newline */
	uint32_t pair;
	uint64_t hash;
	unsigned char lead[16];
};

/* a row of the warehouse (ld_delta_line), 32 bytes */
struct wslot {
	uint64_t hash;
	unsigned char lead[16];
	uint32_t pair;
	unsigned char has_hash, seen;
};

struct ld_delta {
	char *map;
	size_t map_len, header_len;	/* header_len: without its newline */
	int csv;
	struct drow *rows;
	size_t nrows, cap;
	struct wslot *w;	/* the warehouse's rows, wn of wcap */
	size_t wn, wcap;
	uint32_t *slot;		/* open addressing: 1 + index into w, 0 empty */
	size_t wmask;
	struct hcols hc;
};

static void
delta_free(struct ld_delta *d)
{
	if (!d)
		return;
	if (d->map)
		munmap(d->map, d->map_len);
	free(d->rows);
	free(d->w);
	free(d->slot);
	free(d->hc.scratch);
	free(d);
}

void
ld_delta_free(struct ld_input *in)
{
	delta_free(in->delta);
	in->delta = NULL;
}

static int
uuid_bin(const char *u, unsigned char out[16])
{
	int i, k = 0, hi, lo;

	for (i = 0; i < 36 && k < 16;) {
		if (u[i] == '-') {
			i++;
			continue;
		}
		if ((hi = hexval(u[i])) < 0 || (lo = hexval(u[i + 1])) < 0)
			return -1;
		out[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return k == 16 && i == 36 ? 0 : -1;
}

static void
uuid_text(const unsigned char b[16], char out[37])
{
	static const char hx[] = "0123456789abcdef";
	int i, k = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hx[b[i] >> 4];
		out[k++] = hx[b[i] & 15];
	}
	out[k] = '\0';
}

static size_t
w_hash(uint32_t pair, const unsigned char lead[16], size_t mask)
{
	return (size_t)murmur64(lead, 16, pair) & mask;
}

/* The warehouse's row (pair, lead): found, or added (add) with its hash
 * unset; NULL when not found, or out of memory. */
static struct wslot *
w_find(struct ld_delta *d, uint32_t pair, const unsigned char lead[16], int add)
{
	size_t i, k;

	if (add && d->wn == d->wcap) {
		size_t nc = d->wcap ? d->wcap + d->wcap / 2 : 4096;
		struct wslot *nw = nc < UINT32_MAX ? realloc(d->w, nc * sizeof *nw) : NULL;
		if (!nw)
			return NULL;
		d->w = nw;
		d->wcap = nc;
	}
	if (add && 2 * (d->wn + 1) > d->wmask + 1) {
		size_t nm = d->wmask ? 2 * d->wmask + 1 : 8191;
		uint32_t *ns = calloc(nm + 1, sizeof *ns);
		if (!ns)
			return NULL;
		for (k = 0; k < d->wn; k++) {
			for (i = w_hash(d->w[k].pair, d->w[k].lead, nm); ns[i]; i = (i + 1) & nm)
				;
			ns[i] = (uint32_t)k + 1;
		}
		free(d->slot);
		d->slot = ns;
		d->wmask = nm;
	}
	if (!d->slot)
		return NULL;
	for (i = w_hash(pair, lead, d->wmask); d->slot[i]; i = (i + 1) & d->wmask) {
		struct wslot *w = &d->w[d->slot[i] - 1];
		if (w->pair == pair && !memcmp(w->lead, lead, 16))
			return w;
	}
	if (!add)
		return NULL;
	memset(&d->w[d->wn], 0, sizeof d->w[0]);
	d->w[d->wn].pair = pair;
	memcpy(d->w[d->wn].lead, lead, 16);
	d->slot[i] = (uint32_t)++d->wn;
	return &d->w[d->wn - 1];
}

int
ld_delta_line(struct ld_input *in, const char *line, ierr *e)
{
	struct ld_delta *d = in->delta;
	unsigned char lead[16];
	unsigned long long pair;
	struct wslot *w;
	char *end;
	long long h;

	errno = 0;
	pair = strtoull(line, &end, 10);
	if (!d || errno || end == line || *end != '\t' || pair >= in->npairs || strlen(end + 1) < 38 ||
	    uuid_bin(end + 1, lead) < 0 || end[37] != '\t')
		return ierr_set(e, "psql: unexpected line in the warehouse's lead hashes");
	if (!(w = w_find(d, (uint32_t)pair, lead, 1)))
		return ierr_oom(e);
	if (end[38] == '\\' && end[39] == 'N') {
		w->has_hash = 0;	/* loaded before content_hash: changed, once */
	} else {
		errno = 0;
		h = strtoll(end + 38, &end, 10);
		if (errno || (*end != '\n' && *end != '\0'))
			return ierr_set(e, "psql: unexpected hash in the warehouse's lead hashes");
		memcpy(&w->hash, &h, sizeof h);
		w->has_hash = 1;
	}
	return 0;
}

/* COPY text of a value: backslash, TAB, LF and CR escaped */
static void
out_text(struct out *o, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '\\': out_put(o, "\\\\", 2); break;
		case '\t': out_put(o, "\\t", 2); break;
		case '\n': out_put(o, "\\n", 2); break;
		case '\r': out_put(o, "\\r", 2); break;
		default: out_put(o, s, 1); break;
		}
}

static void
out_key(struct out *o, char kind, const struct ld_pair *p, const unsigned char lead[16], const char *ts)
{
	char u[37];

	uuid_text(lead, u);
	out_put(o, &kind, 1);
	out_put(o, "\t", 1);
	out_put(o, p->client_id, 36);
	out_put(o, "\t", 1);
	out_put(o, p->campaign_id, 36);
	out_put(o, "\t", 1);
	out_put(o, u, 36);
	out_put(o, "\t", 1);
	if (ts)
		out_text(o, ts);
	else
		out_put(o, "\\N", 2);
	out_put(o, "\n", 1);
}

static void
out_header(struct out *o, const struct ld_delta *d)
{
	out_put(o, d->map, d->header_len);
	out_put(o, d->csv ? ",content_hash\n" : "\tcontent_hash\n", 14);
}

/* A pair whose listing in this load sets lead_listings.complete_at: its
 * unchanged rows keep their extracted_at (the watermark says when they
 * were listed last); the others' are moved on. */
static int
watermarked(const struct ld_input *in, const struct ld_pair *p)
{
	return in->deletes && p->listings > 0;
}

int
ld_delta_finish(struct ld_input *in, uint64_t *unchanged, ierr *e)
{
	struct ld_delta *d = in->delta;
	struct out *rows = NULL, *keys = NULL;
	uint64_t sent = 0, touched = 0, gone = 0;
	char ts[256];
	uint64_t h;
	size_t i;
	int rc = -1;

	*unchanged = 0;
	if (!(rows = out_open(in, in->delta_path, e)) || !(keys = out_open(in, in->keys_path, e)))
		goto out;
	out_header(rows, d);
	for (i = 0; i < d->nrows; i++) {
		const struct drow *r = &d->rows[i];
		const struct ld_pair *p = &in->pairs[r->pair];
		struct wslot *w;
		if (p->mode != LD_DELTA)
			continue;
		w = w_find(d, r->pair, r->lead, 0);
		if (!w || !w->has_hash || w->hash != r->hash) {
			out_row(rows, d->csv, d->map + r->off, d->map + r->off + r->len, r->hash);
			sent++;
		} else {
			(*unchanged)++;
			if (!watermarked(in, p)) {
				if (content_hash(&d->hc, d->csv, d->map + r->off, d->map + r->off + r->len, &h, ts, sizeof ts) < 0) {
					ierr_oom(e);
					goto out;
				}
				out_key(keys, 't', p, r->lead, ts);
				touched++;
			}
		}
		if (w)
			w->seen = 1;
	}
	/* the leads that a complete listing of this load no longer holds */
	for (i = 0; in->deletes && i < d->wn; i++) {
		const struct wslot *w = &d->w[i];
		if (!w->seen && in->pairs[w->pair].mode == LD_DELTA && in->pairs[w->pair].listings > 0) {
			out_key(keys, 'd', &in->pairs[w->pair], w->lead, NULL);
			gone++;
		}
	}
	log_debug("synced_leads: %llu rows of known campaigns compared with the warehouse's %zu: %llu new or changed "
		  "sent, %llu unchanged (%llu of them moved on), %llu to delete",
		  (unsigned long long)(sent + *unchanged), d->wn, (unsigned long long)sent,
		  (unsigned long long)*unchanged, (unsigned long long)touched, (unsigned long long)gone);
	rc = 0;
out:
	if (rows && out_close(rows) < 0 && rc == 0) {
		in->tmp_failed = 1;
		rc = ierr_sys(e, errno, "writing %s", in->delta_path);
	}
	if (keys && out_close(keys) < 0 && rc == 0) {
		in->tmp_failed = 1;
		rc = ierr_sys(e, errno, "writing %s", in->keys_path);
	}
	return rc;
}

/* ---- the split ------------------------------------------------------------ */

/* One split of synced_leads, from the scan to the files written: what
 * split_free() releases (the one cleanup path) unless split_write() handed
 * it over to the ld_input. */
struct split {
	const char *path;		/* synced_leads' file */
	struct ld_delta *d;		/* the file, mapped, and its rows */
	struct rows r;			/* the scan's place in it */
	struct ld_pair *pairs;		/* its campaigns */
	size_t npairs, cap;
	size_t nfresh, ndelta;		/* pairs LD_FRESH, LD_DELTA */
	uint64_t fresh_rows, delta_rows;
	char *rest_path, *fresh_path;	/* the staged half, the fresh half */
	struct out *so, *fo;
};

/* PostgreSQL's order of two pairs: uuid compares as its 16 bytes, that is
 * as its hex text without regard to case */
static int
pair_cmp(const void *a, const void *b)
{
	const struct ld_pair *p = *(const struct ld_pair *const *)a, *q = *(const struct ld_pair *const *)b;
	int c = strncasecmp(p->client_id, q->client_id, 36);

	return c ? c : strncasecmp(p->campaign_id, q->campaign_id, 36);
}

/* The rows of the campaigns new to the warehouse in (client_id,
 * campaign_id) order, each pair's rows in the file's order: their indexes
 * in d->rows (a counting sort by the pairs' ranks). Copied straight in in
 * that order, a client's leads lie together and in order on disk: the
 * planner's correlation for client_id is about 1, which makes the portal's
 * lead lists (index order, 50 a page) cheaper in its eyes than a sort of
 * the client's leads whatever its row estimate through the policies (at
 * 1,000,000 leads in archive order the newest-leads list sorted 14,651
 * rows, 65 to 107 ms), and the indexes are written a client at a time. */
static size_t *
fresh_order(const struct split *sp, ierr *e)
{
	const struct ld_delta *d = sp->d;
	const struct ld_pair **by = malloc((sp->npairs ? sp->npairs : 1) * sizeof *by);
	size_t *next = calloc(sp->npairs ? sp->npairs : 1, sizeof *next);
	size_t *order = malloc((sp->fresh_rows ? sp->fresh_rows : 1) * sizeof *order);
	size_t i, at = 0;

	if (!by || !next || !order) {
		free(by);
		free(next);
		free(order);
		ierr_oom(e);
		return NULL;
	}
	for (i = 0; i < sp->npairs; i++)
		by[i] = &sp->pairs[i];
	qsort(by, sp->npairs, sizeof *by, pair_cmp);
	for (i = 0; i < sp->npairs; i++)
		if (by[i]->mode == LD_FRESH) {
			next[by[i] - sp->pairs] = at;
			at += by[i]->rows;
		}
	for (i = 0; i < d->nrows; i++)
		if (sp->pairs[d->rows[i].pair].mode == LD_FRESH)
			order[next[d->rows[i].pair]++] = i;
	free(by);
	free(next);
	return order;
}

static void
split_free(struct split *sp)
{
	if (sp->fo)
		(void)out_close(sp->fo);
	if (sp->so)
		(void)out_close(sp->so);
	if (sp->rest_path)
		unlink(sp->rest_path);
	if (sp->fresh_path)
		unlink(sp->fresh_path);
	free(sp->rest_path);
	free(sp->fresh_path);
	free(sp->pairs);
	delta_free(sp->d);
	memset(sp, 0, sizeof *sp);
}

/* Map synced_leads' file into sp->d. 1: mapped, its header read; 0:
 * nothing to split (an empty file, not even a header); -1 (e set). */
static int
split_map(struct split *sp, const struct ld_input *in, ierr *e)
{
	struct ld_delta *d;
	struct stat st;
	const char *s, *end;
	int fd;

	if (!(sp->d = d = calloc(1, sizeof *d)))
		return ierr_oom(e);
	if (hcols_init(&d->hc) < 0)
		return ierr_set(e, "synced_leads: too many columns or no extracted_at");
	if ((fd = open(sp->path, O_RDONLY | O_CLOEXEC)) < 0)
		return ierr_sys(e, errno, "%s", sp->path);
	if (fstat(fd, &st) < 0) {
		int err = errno;
		close(fd);
		return ierr_sys(e, err, "%s", sp->path);
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	d->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		return ierr_sys(e, errno, "%s: mmap", sp->path);
	}
	d->map_len = (size_t)st.st_size;
	d->csv = !in->text[TBL_SYNCED_LEADS];
	sp->r.p = d->map;
	sp->r.end = d->map + d->map_len;
	sp->r.csv = d->csv;
	if (!next_row(&sp->r, &s, &end))
		return 0;	/* not even a header */
	d->header_len = (size_t)(end - d->map);
	return 1;
}

/* ---- the rows' content hashes, on two cores -------------------------------- */

struct hash_job {
	struct ld_delta *d;
	struct hcols hc;	/* its own scratch */
	size_t from, to;
	int rc;
};

static void *
hash_job_run(void *arg)
{
	struct hash_job *j = arg;
	size_t i;

	j->rc = 0;
	for (i = j->from; i < j->to && j->rc == 0; i++) {
		struct drow *r = &j->d->rows[i];
		j->rc = content_hash(&j->hc, j->d->csv, j->d->map + r->off, j->d->map + r->off + r->len, &r->hash, NULL, 0);
	}
	return NULL;
}

/* Every row's content hash (drow.hash): the second half of the rows in a
 * thread of its own, each row read from the mapped file only (the hash is
 * more than half the scan's time; at 200,000 leads the scan drops from
 * 0.55 to 0.4 s). Without a second thread (pthread_create fails), all in
 * this one. 0, or -1 out of memory. */
static int
hash_rows(struct ld_delta *d)
{
	struct hash_job a = { d, d->hc, 0, d->nrows, 0 }, b;
	pthread_t t;
	int two = 0;

	if (d->nrows >= 4096) {
		b = a;
		b.hc.scratch = NULL;
		b.hc.cap = 0;
		b.from = a.to = d->nrows / 2;
		two = pthread_create(&t, NULL, hash_job_run, &b) == 0;
		if (!two)
			a.to = d->nrows;
	}
	hash_job_run(&a);
	d->hc.scratch = a.hc.scratch;	/* grown, perhaps: freed with d */
	d->hc.cap = a.hc.cap;
	if (two) {
		pthread_join(t, NULL);
		free(b.hc.scratch);
		if (b.rc < 0)
			return -1;
	}
	return a.rc < 0 ? -1 : 0;
}

/* Scan the rows: the campaigns, their row counts, repeated keys; every
 * row's place, lead and content hash. 1: rows found; 0: nothing to split;
 * -1 (e set). */
static int
split_scan(struct split *sp, const struct ld_input *in, ierr *e)
{
	struct fpset fp = { NULL, 0, 0 };
	struct ld_delta *d;
	struct ld_pair *pr = NULL;
	const char *s, *end;
	char f[3][37];
	int rc;

	sp->path = in->path[TBL_SYNCED_LEADS];
	if ((rc = split_map(sp, in, e)) <= 0)
		return rc;
	d = sp->d;
	rc = 1;
	while (rc > 0 && next_row(&sp->r, &s, &end)) {
		struct drow *dr;
		if (row_uuids(&sp->r, s, end, f, 3) < 0) {
			rc = ierr_set(e, "%s: row %llu: no client, campaign and lead UUID in the first three fields",
				      sp->path, (unsigned long long)d->nrows + 1);
			break;
		}
		if ((uint64_t)(end - s) > UINT32_MAX) {
			rc = ierr_set(e, "%s: row %llu: longer than 4 GiB", sp->path, (unsigned long long)d->nrows + 1);
			break;
		}
		if (!pr || memcmp(pr->campaign_id, f[1], 36) || memcmp(pr->client_id, f[0], 36))
			if (!(pr = pair_of(&sp->pairs, &sp->npairs, &sp->cap, f[0], f[1]))) {
				rc = ierr_oom(e);
				break;
			}
		pr->rows++;
		switch (fpset_add(&fp, fingerprint(f))) {
		case 1:
			pr->dup = 1;
			break;
		case -1:
			rc = ierr_oom(e);
			continue;
		}
		if (d->nrows == d->cap) {
			size_t nc = d->cap ? 2 * d->cap : 4096;
			struct drow *nr = realloc(d->rows, nc * sizeof *nr);
			if (!nr) {
				rc = ierr_oom(e);
				break;
			}
			d->rows = nr;
			d->cap = nc;
		}
		dr = &d->rows[d->nrows++];
		dr->off = (uint64_t)(s - d->map);
		dr->len = (uint32_t)(end - s);
		dr->pair = (uint32_t)(pr - sp->pairs);
		(void)uuid_bin(f[2], dr->lead);	/* checked by row_uuids() */
	}
	free(fp.slot);
	if (rc > 0 && hash_rows(d) < 0)
		rc = ierr_oom(e);
	return rc < 0 ? -1 : sp->npairs > 0;
}

/* Which pairs go in how: a campaign listed twice, or with a key twice, all
 * through staging; one the warehouse has never seen, straight in; one it
 * knows, compared with it (unless unmapped). 0, or -1 (e set). */
static int
split_probe(struct split *sp, struct ld_input *in, const struct ld_opts *o, ierr *e)
{
	size_t i;

	if (count_listings(in, sp->pairs, sp->npairs, e) < 0)
		return -1;
	if (o->print_sql) {
		for (i = 0; i < sp->npairs; i++)
			sp->pairs[i].exists = sp->pairs[i].unmapped = 1;	/* no warehouse to ask: all staged */
	} else if (probe(o, in, sp->pairs, sp->npairs, e) < 0) {
		return -1;
	}
	for (i = 0; i < sp->npairs; i++) {
		struct ld_pair *p = &sp->pairs[i];
		p->mode = p->dup || p->listings > 1 ? LD_FULL : !p->exists ? LD_FRESH : p->unmapped ? LD_FULL : LD_DELTA;
		if (p->mode == LD_FRESH) {
			sp->nfresh++;
			sp->fresh_rows += p->rows;
		} else if (p->mode == LD_DELTA) {
			sp->ndelta++;
			sp->delta_rows += p->rows;
		}
	}
	log_debug("synced_leads: %zu of %zu campaigns new to the warehouse, %llu of %llu rows straight in", sp->nfresh,
		  sp->npairs, (unsigned long long)sp->fresh_rows, (unsigned long long)sp->d->nrows);
	log_debug("synced_leads: %zu campaigns known to the warehouse, %llu rows to compare with it", sp->ndelta,
		  (unsigned long long)sp->delta_rows);
	return 0;
}

/* Write the rows of new campaigns (fresh half) and those that all go
 * through staging (staged half), each with its hash, and hand the halves,
 * the pairs and (for the delta) the mapped rows over to in. 0, or -1 (e
 * set; in->tmp_failed for a write error). */
static int
split_write(struct split *sp, struct ld_input *in, ierr *e)
{
	struct ld_delta *d = sp->d;
	size_t i;
	int rc;

	if (!ld_tmpdir(in, e))
		return -1;
	if (!(sp->rest_path = tmp_name(in, d->csv ? "staged-synced_leads.csv" : "staged-synced_leads.txt", e)) ||
	    !(sp->so = out_open(in, sp->rest_path, e)))
		return -1;
	out_header(sp->so, d);
	if (sp->nfresh > 0) {
		if (!(sp->fresh_path = tmp_name(in, d->csv ? "fresh-synced_leads.csv" : "fresh-synced_leads.txt", e)) ||
		    !(sp->fo = out_open(in, sp->fresh_path, e)))
			return -1;
		out_header(sp->fo, d);
	}
	if (sp->ndelta > 0 &&
	    (!(in->delta_path = tmp_name(in, d->csv ? "delta-synced_leads.csv" : "delta-synced_leads.txt", e)) ||
	     !(in->keys_path = tmp_name(in, "delta-keys.txt", e))))
		return -1;
	for (i = 0; i < d->nrows; i++) {
		const struct drow *dr = &d->rows[i];
		if (sp->pairs[dr->pair].mode == LD_FULL)
			out_row(sp->so, d->csv, d->map + dr->off, d->map + dr->off + dr->len, dr->hash);
	}
	if (sp->nfresh > 0) {
		size_t *order = fresh_order(sp, e);
		uint64_t k;

		if (!order)
			return -1;
		/* and the line of the file each came from, for psql's messages */
		free(in->fresh_line);
		if (!(in->fresh_line = malloc(sp->fresh_rows * sizeof *in->fresh_line))) {
			free(order);
			return ierr_oom(e);
		}
		for (k = 0; k < sp->fresh_rows; k++) {
			const struct drow *dr = &d->rows[order[k]];
			out_row(sp->fo, d->csv, d->map + dr->off, d->map + dr->off + dr->len, dr->hash);
			in->fresh_line[k] = (uint64_t)order[k] + 2;	/* after the header, from 1 */
		}
		free(order);
	}
	rc = out_close(sp->so);
	sp->so = NULL;
	if (sp->fo && out_close(sp->fo) < 0)
		rc = -1;
	sp->fo = NULL;
	if (rc < 0) {
		in->tmp_failed = 1;
		return ierr_sys(e, errno, "writing in %s", in->tmpdir);
	}
	if (ld_is_temp(in, in->path[TBL_SYNCED_LEADS]))
		unlink(in->path[TBL_SYNCED_LEADS]);	/* a converted file, split now (still mapped) */
	free(in->path[TBL_SYNCED_LEADS]);
	in->path[TBL_SYNCED_LEADS] = sp->rest_path;
	in->fresh_path = sp->fresh_path;
	in->hashed = 1;
	sp->rest_path = sp->fresh_path = NULL;
	in->pairs = sp->pairs;
	in->npairs = sp->npairs;
	in->fresh_rows = sp->fresh_rows;
	sp->pairs = NULL;
	if (sp->ndelta > 0) {
		in->delta = d;	/* its rows are compared once the script holds its lock */
		sp->d = NULL;
	}
	return 0;
}

int
ld_split_fresh(struct ld_input *in, const struct ld_opts *o, ierr *e)
{
	struct split sp;
	int rc;

	memset(&sp, 0, sizeof sp);
	if ((rc = split_scan(&sp, in, e)) > 0 && (rc = split_probe(&sp, in, o, e)) == 0)
		rc = split_write(&sp, in, e);
	split_free(&sp);
	return rc < 0 ? -1 : 0;
}

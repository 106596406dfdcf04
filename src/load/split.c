/* Leads of campaigns new to the warehouse skip the staging table.
 *
 * Staging costs a second write of every row. A campaign that has no lead in
 * synced_leads and no complete listing in lead_listings cannot conflict with
 * the warehouse, so when none of its lead keys repeats inside the load its
 * rows can be \copy'd straight into synced_leads. This file finds those
 * campaigns (one scan of the table file, one query) and splits their rows
 * off; the script locks synced_leads and checks again inside its
 * transaction, so a concurrent load makes this one fail, never mix. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		if (r->csv) {
			const char *q;
			for (q = p; (q = memchr(q, '"', (size_t)(nl - q))) != NULL; q++)
				quotes++;
		}
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
 * client (their rows go through staging, where they are left out). A
 * failed query (no tables
 * yet, say) leaves every pair unknown, so none is split off... unless the
 * tables do not exist at all, which --init-schema is about to fix: then all
 * are new. */
static int
probe(const struct ld_opts *o, struct ld_pair *pairs, size_t n, ierr *e)
{
	buf q, out;
	size_t i;
	int rc;
	const char *line;

	buf_init(&q, (size_t)64 << 20);
	buf_init(&out, (size_t)64 << 20);
	rc = buf_puts(&q, "\\encoding UTF8\n" LD_SETTINGS("SET") "SELECT to_regclass('synced_leads') IS NULL AND to_regclass('lead_listings') IS NULL;\n"
			  "SELECT v.c || ' ' || v.k FROM (VALUES ");
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
		return ierr_set(e, "out of memory");
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
			pairs[i].exists = 1;
		buf_free(&out);
		return rc < 0 ? -1 : 0;
	}
	/* "t"/"f" (no tables at all), then one "client campaign" line per known pair */
	if (buf_putc(&out, '\0') < 0) {
		buf_free(&out);
		return ierr_set(e, "out of memory");
	}
	line = out.p;
	if (!o->init_schema && strncmp(line, "t", 1) == 0)
		for (i = 0; i < n; i++)
			pairs[i].exists = 1;	/* no schema and none coming: the load fails anyway */
	for (; (line = strchr(line, '\n')) != NULL;) {
		line++;
		if (strlen(line) < 73)
			break;
		for (i = 0; i < n; i++)
			if (!memcmp(line, pairs[i].client_id, 36) && !memcmp(line + 37, pairs[i].campaign_id, 36))
				pairs[i].exists = 1;
	}
	buf_free(&out);
	return 0;
}

int
ld_pair_fresh(const struct ld_pair *p)
{
	return !p->exists && !p->dup && p->listings <= 1;
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

int
ld_split_fresh(struct ld_input *in, const struct ld_opts *o, ierr *e)
{
	const char *path = in->path[TBL_SYNCED_LEADS], *s, *end, *header_end;
	char f[3][37];
	struct ld_pair *pairs = NULL, *pr = NULL;
	size_t npairs = 0, cap = 0, i, nfresh = 0;
	struct fpset fp = { NULL, 0, 0 };
	struct rows r;
	struct stat st;
	char *map = NULL, *fresh_path = NULL, *rest_path = NULL;
	int fd, ffd = -1, rfd = -1, rc = -1;
	uint64_t fresh_rows = 0, nrows = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ierr_sys(e, errno, "%s", path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return ierr_sys(e, errno, "%s", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return ierr_sys(e, errno, "%s: mmap", path);
	r.p = map;
	r.end = map + st.st_size;
	r.csv = !in->text[TBL_SYNCED_LEADS];
	if (!next_row(&r, &s, &end)) {	/* the header */
		rc = 0;
		goto out;
	}
	header_end = r.p;

	/* pass 1: the campaigns, their row counts, repeated keys */
	while (next_row(&r, &s, &end)) {
		if (row_uuids(&r, s, end, f, 3) < 0) {
			ierr_set(e, "%s: row %llu: no client, campaign and lead UUID in the first three fields", path,
				 (unsigned long long)nrows + 1);
			goto out;
		}
		nrows++;
		if (!pr || memcmp(pr->campaign_id, f[1], 36) || memcmp(pr->client_id, f[0], 36))
			if (!(pr = pair_of(&pairs, &npairs, &cap, f[0], f[1]))) {
				ierr_set(e, "out of memory");
				goto out;
			}
		pr->rows++;
		switch (fpset_add(&fp, fingerprint(f))) {
		case 1:
			pr->dup = 1;
			break;
		case -1:
			ierr_set(e, "out of memory");
			goto out;
		}
	}
	free(fp.slot);
	fp.slot = NULL;
	if (npairs > 0 && count_listings(in, pairs, npairs, e) < 0)
		goto out;
	if (npairs == 0 || probe(o, pairs, npairs, e) < 0) {
		rc = npairs == 0 ? 0 : -1;
		goto out;
	}
	for (i = 0; i < npairs; i++)
		if (ld_pair_fresh(&pairs[i])) {
			nfresh++;
			fresh_rows += pairs[i].rows;
		}
	log_debug("synced_leads: %zu of %zu campaigns new to the warehouse, %llu of %llu rows straight in", nfresh,
		  npairs, (unsigned long long)fresh_rows, (unsigned long long)nrows);
	if (nfresh == 0) {
		rc = 0;
		goto out;
	}
	if (!ld_tmpdir(in, e))
		goto out;
	if (asprintf(&rest_path, "%s/staged-synced_leads.%s", in->tmpdir, r.csv ? "csv" : "txt") < 0) {
		rest_path = NULL;
		ierr_set(e, "out of memory");
		goto out;
	}
	if ((rfd = open(rest_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		in->tmp_failed = 1;
		ierr_sys(e, errno, "cannot create %s", rest_path);
		goto out;
	}
	if (fdio_write_all(rfd, map, (size_t)(header_end - map)) < 0)
		goto write_error;
	if (nfresh == npairs) {
		/* all new: the file as it is goes straight in; staging gets
		 * the header only */
		if (close(rfd) < 0) {
			rfd = -1;
			goto write_error;
		}
		rfd = -1;
		in->fresh_path = in->path[TBL_SYNCED_LEADS];
		in->path[TBL_SYNCED_LEADS] = rest_path;
		rest_path = NULL;
		goto done;
	}

	/* pass 2: split the rows */
	if (asprintf(&fresh_path, "%s/fresh-synced_leads.%s", in->tmpdir, r.csv ? "csv" : "txt") < 0) {
		fresh_path = NULL;
		ierr_set(e, "out of memory");
		goto out;
	}
	if ((ffd = open(fresh_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		in->tmp_failed = 1;
		ierr_sys(e, errno, "cannot create %s", fresh_path);
		goto out;
	}
	if (fdio_write_all(ffd, map, (size_t)(header_end - map)) < 0)
		goto write_error;
	r.p = header_end;
	pr = NULL;
	while (next_row(&r, &s, &end)) {
		int fresh;
		(void)row_uuids(&r, s, end, f, 3);
		if (!pr || memcmp(pr->campaign_id, f[1], 36) || memcmp(pr->client_id, f[0], 36))
			pr = pair_of(&pairs, &npairs, &cap, f[0], f[1]);	/* found: no allocation */
		fresh = ld_pair_fresh(pr);
		if (fdio_write_all(fresh ? ffd : rfd, s, (size_t)(r.p - s)) < 0)
			goto write_error;
		/* a last row without newline gets one; an unclosed quote makes
		 * the last row end at the end of the file, newline included */
		if (r.p[-1] != '\n' && fdio_write_all(fresh ? ffd : rfd, "\n", 1) < 0)
			goto write_error;
	}
	if (close(ffd) < 0 || close(rfd) < 0) {
		ffd = rfd = -1;
		goto write_error;
	}
	ffd = rfd = -1;
	if (ld_is_temp(in, in->path[TBL_SYNCED_LEADS]))
		unlink(in->path[TBL_SYNCED_LEADS]);	/* a converted file, split now */
	free(in->path[TBL_SYNCED_LEADS]);
	in->path[TBL_SYNCED_LEADS] = rest_path;
	in->fresh_path = fresh_path;
	rest_path = fresh_path = NULL;
	goto done;

done:
	in->pairs = pairs;
	in->npairs = npairs;
	in->fresh_rows = fresh_rows;
	pairs = NULL;
	rc = 0;
	goto out;
write_error:
	in->tmp_failed = 1;
	ierr_sys(e, errno, "writing in %s", in->tmpdir);
out:
	if (ffd >= 0)
		close(ffd);
	if (rfd >= 0)
		close(rfd);
	if (rest_path)
		unlink(rest_path);
	if (fresh_path)
		unlink(fresh_path);
	free(rest_path);
	free(fresh_path);
	free(fp.slot);
	free(pairs);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* clientmap: the portal's client_campaigns junction table as CSV,
 *
 *   psql -c "\copy (select client_id, campaign_id from client_campaigns)
 *            to stdout with (format csv, header)" > map.csv
 *
 * A header names the columns (client_id and campaign_id, in any order;
 * other columns are ignored). Every row must hold two UUIDs; case is folded.
 * A repeated (client, campaign) pair is ignored with a warning.
 *
 * An agency with several Instantly workspaces adds a column api_key_env: the
 * name of the environment variable that holds the key of the campaign's
 * workspace (empty: the default key). A campaign lives in one workspace, so
 * all its rows must name the same variable. */
#include "config.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "log.h"
#include "val.h"

struct pair {	/* 88 bytes a row: a map of 100,000 rows is read in 9 MB */
	char client[UUID_LEN + 1], campaign[UUID_LEN + 1];
	unsigned env;		/* its api_key_env, an index in reader.envs */
	unsigned long line;
};

typedef char env_name[128];

struct reader {
	const char *name;
	unsigned long line;	/* of the row being read */
	int col;
	int c_client, c_campaign, c_env, ncols;	/* header positions, -1 unknown */
	int header_done;
	struct pair cur;
	env_name cur_env;
	env_name *envs;		/* the api_key_env names seen ("": the default key) */
	size_t nenvs, envcap;
	int have_client, have_campaign;
	struct pair *pairs;
	size_t n, cap;
	ierr *e;
	int failed;
};

static int
set_uuid(struct reader *r, char *dst, const char *field, const char *s, size_t n)
{
	size_t i;

	if (!val_is_uuid(s, n)) {
		r->failed = 1;
		return ierr_set(r->e, "%s:%lu: %s: '%.*s' is not a UUID", r->name, r->line, field,
				n > 60 ? 60 : (int)n, s);
	}
	for (i = 0; i < UUID_LEN; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[UUID_LEN] = '\0';
	return 0;
}

static void
on_field(void *s, size_t n, void *ctx)
{
	struct reader *r = ctx;
	int col = r->col++;

	if (r->failed)
		return;
	if (!r->header_done) {
		if (n == 9 && memcmp(s, "client_id", 9) == 0)
			r->c_client = col;
		else if (n == 11 && memcmp(s, "campaign_id", 11) == 0)
			r->c_campaign = col;
		else if (n == 11 && memcmp(s, "api_key_env", 11) == 0)
			r->c_env = col;
		return;
	}
	if (col == r->c_env) {
		size_t i;

		r->cur_env[0] = '\0';
		if (!s || n == 0)
			return;
		for (i = 0; i < n; i++) {
			char ch = ((char *)s)[i];

			if (!(ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (i > 0 && ch >= '0' && ch <= '9')))
				break;
		}
		if (i < n || n >= sizeof r->cur_env) {
			r->failed = 1;
			ierr_set(r->e, "%s:%lu: api_key_env: '%.*s' is not an environment variable name", r->name,
				 r->line, n > 60 ? 60 : (int)n, (char *)s);
			return;
		}
		memcpy(r->cur_env, s, n);
		r->cur_env[n] = '\0';
		if (strcmp(r->cur_env, "INSTANTLY_API_KEY") == 0)
			r->cur_env[0] = '\0';	/* the default key, named */
		return;
	}
	if (col == r->c_client && set_uuid(r, r->cur.client, "client_id", s ? s : "", s ? n : 0) == 0)
		r->have_client = 1;
	else if (col == r->c_campaign && set_uuid(r, r->cur.campaign, "campaign_id", s ? s : "", s ? n : 0) == 0)
		r->have_campaign = 1;
}

static void
on_row(int c, void *ctx)
{
	struct reader *r = ctx;

	(void)c;
	if (r->failed)
		goto next;
	if (!r->header_done) {
		if (r->c_client < 0 || r->c_campaign < 0) {
			r->failed = 1;
			ierr_set(r->e, "%s:%lu: the header must name the columns client_id and campaign_id", r->name,
				 r->line);
			goto next;
		}
		r->ncols = r->col;
		r->header_done = 1;
		goto next;
	}
	if (!r->have_client || !r->have_campaign) {
		r->failed = 1;
		ierr_set(r->e, "%s:%lu: %s: missing (the row has %d fields, the header %d)", r->name, r->line,
			 r->have_client ? "campaign_id" : "client_id", r->col, r->ncols);
		goto next;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct pair *p = realloc(r->pairs, cap * sizeof *p);

		if (!p) {
			r->failed = 1;
			ierr_oom(r->e);
			goto next;
		}
		r->pairs = p;
		r->cap = cap;
	}
	for (r->cur.env = 0; r->cur.env < r->nenvs; r->cur.env++)
		if (strcmp(r->envs[r->cur.env], r->cur_env) == 0)
			break;
	if (r->cur.env == r->nenvs) {
		if (r->nenvs == r->envcap) {
			size_t cap = r->envcap ? 2 * r->envcap : 4;
			env_name *p = realloc(r->envs, cap * sizeof *p);

			if (!p) {
				r->failed = 1;
				ierr_oom(r->e);
				goto next;
			}
			r->envs = p;
			r->envcap = cap;
		}
		strcpy(r->envs[r->nenvs++], r->cur_env);
	}
	r->cur.line = r->line;
	r->pairs[r->n++] = r->cur;
next:
	r->line++;
	r->col = 0;
	r->have_client = r->have_campaign = 0;
	r->cur_env[0] = '\0';
}

static int
by_campaign_client(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->campaign, y->campaign);

	if (c == 0)
		c = strcmp(x->client, y->client);
	if (c == 0)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static int
by_id(const void *key, const void *elem)
{
	const struct ex_campaign *c = elem;

	return strcmp(key, c->id);
}

struct ex_campaign *
ex_map_find(const struct ex_map *m, const char *id, size_t n)
{
	char k[UUID_LEN + 1];
	size_t i;

	if (n != UUID_LEN || !m->ncamps)
		return NULL;
	for (i = 0; i < n; i++)
		k[i] = (char)tolower((unsigned char)id[i]);
	k[n] = '\0';
	return bsearch(k, m->camps, m->ncamps, sizeof *m->camps, by_id);
}

/* The index of key_env's workspace, made when first seen (the array grows
 * with the workspaces, not with the campaigns); -1: out of memory. */
static long
workspace(struct ex_map *m, size_t *cap, const char *key_env, unsigned long line)
{
	size_t i;

	for (i = 0; i < m->nws; i++)
		if (strcmp(m->ws[i].key_env, key_env) == 0)
			return (long)i;
	if (m->nws == *cap) {
		size_t n = *cap ? 2 * *cap : 4;
		struct ex_workspace *ws = realloc(m->ws, n * sizeof *ws);

		if (!ws)
			return -1;
		m->ws = ws;
		*cap = n;
	}
	memset(&m->ws[m->nws], 0, sizeof m->ws[m->nws]);
	strcpy(m->ws[m->nws].key_env, key_env);
	m->ws[m->nws].line = line;
	return (long)m->nws++;
}

static int
build(struct ex_map *m, struct reader *r, ierr *e)
{
	size_t i, j, k, j2, wscap = 0;
	long w;

	if (r->n > 1)	/* a map of no rows has no array: qsort(NULL) is undefined */
		qsort(r->pairs, r->n, sizeof *r->pairs, by_campaign_client);
	/* drop repeated pairs (the first line kept), then group by campaign */
	for (i = j = 0; i < r->n; i++) {
		if (j > 0 && strcmp(r->pairs[i].campaign, r->pairs[j - 1].campaign) == 0 &&
		    strcmp(r->pairs[i].client, r->pairs[j - 1].client) == 0) {
			log_warn("%s:%lu: the same client and campaign as line %lu; ignored", r->name,
				 r->pairs[i].line, r->pairs[j - 1].line);
			continue;
		}
		r->pairs[j++] = r->pairs[i];
	}
	m->npairs = j;
	for (i = 0, m->ncamps = 0; i < j; i++)
		if (i == 0 || strcmp(r->pairs[i].campaign, r->pairs[i - 1].campaign) != 0)
			m->ncamps++;
	if (m->ncamps && !(m->camps = calloc(m->ncamps, sizeof *m->camps)))
		return ierr_oom(e);
	for (i = 0, k = 0; i < j; k++) {
		struct ex_campaign *c = &m->camps[k];
		size_t end = i;

		while (end < j && strcmp(r->pairs[end].campaign, r->pairs[i].campaign) == 0)
			end++;
		memcpy(c->id, r->pairs[i].campaign, sizeof c->id);
		for (j2 = i + 1; j2 < end; j2++)
			if (r->pairs[j2].env != r->pairs[i].env)
				return ierr_set(e, "%s:%lu: api_key_env: campaign %s is in one workspace, but line %lu "
						"names '%s' and this line '%s'", r->name, r->pairs[j2].line, c->id,
						r->pairs[i].line, r->envs[r->pairs[i].env], r->envs[r->pairs[j2].env]);
		/* the index for now (the array may still move), the pointer below */
		if ((w = workspace(m, &wscap, r->envs[r->pairs[i].env], r->pairs[i].line)) < 0)
			return ierr_oom(e);
		c->ws = (struct ex_workspace *)(uintptr_t)w;
		c->nclients = end - i;
		if (!(c->clients = calloc(c->nclients, sizeof *c->clients)))
			return ierr_oom(e);
		for (; i < end; i++)
			memcpy(c->clients[c->nclients - (end - i)], r->pairs[i].client, UUID_LEN + 1);
	}
	for (k = 0; k < m->ncamps; k++)
		m->camps[k].ws = &m->ws[(uintptr_t)m->camps[k].ws];
	return 0;
}

int
ex_map_read(struct ex_map *m, const char *path, ierr *e)
{
	struct csv_parser p;
	struct reader r;
	char block[1 << 16];
	size_t n;
	FILE *in;
	int rc = -1;

	memset(m, 0, sizeof *m);
	memset(&r, 0, sizeof r);
	r.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	r.line = 1;
	r.c_client = r.c_campaign = r.c_env = -1;
	r.e = e;
	if (strcmp(path, "-") == 0)
		in = stdin;
	else if (!(in = fopen(path, "rb")))
		return ierr_sys(e, errno, "%s", path);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		ierr_oom(e);
		goto out_file;
	}
	while (!r.failed && (n = fread(block, 1, sizeof block, in)) > 0)
		if (csv_parse(&p, block, n, on_field, on_row, &r) != n) {
			ierr_set(e, "%s:%lu: not CSV: %s", r.name, r.line, csv_strerror(csv_error(&p)));
			goto out;
		}
	if (r.failed)
		goto out;
	if (ferror(in)) {
		ierr_sys(e, errno, "%s: read error", r.name);
		goto out;
	}
	if (csv_fini(&p, on_field, on_row, &r) != 0) {
		ierr_set(e, "%s:%lu: not CSV: %s", r.name, r.line, csv_strerror(csv_error(&p)));
		goto out;
	}
	if (r.failed)
		goto out;
	if (!r.header_done) {
		ierr_set(e, "%s: empty: expected a header client_id,campaign_id", r.name);
		goto out;
	}
	rc = build(m, &r, e);
out:
	csv_free(&p);
out_file:
	if (in != stdin)
		fclose(in);
	free(r.pairs);
	free(r.envs);
	if (rc < 0)
		ex_map_free(m);
	return rc;
}

void
ex_map_free(struct ex_map *m)
{
	size_t i;

	for (i = 0; i < m->ncamps; i++) {
		free(m->camps[i].clients);
		free(m->camps[i].error);
	}
	free(m->camps);
	free(m->ws);
	memset(m, 0, sizeof *m);
}

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "icp.h"
#include "val.h"

#include "icp-default.h"	/* generated: const char icp_default_text[] */

const char *const icp_field_names[ICP_NFIELDS] = {
	"job_title", "industry", "company_size", "linkedin_url", "vacancy_url", "website",
};

#define SYN_MAX 64		/* longest synonym, normalised */
#define NSLOTS 512		/* hash slots (power of two) */
#define MAX_SYNS 256		/* synonyms per field */

struct slot {
	char key[SYN_MAX + 1];
	unsigned char len;
	short prio[ICP_NFIELDS];	/* priority in each field's list, -1 if absent */
};

struct icp {
	struct slot slots[NSLOTS];
	size_t maxlen;		/* longest synonym in use */
};

static unsigned
hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static struct slot *
find(const icp *t, const char *k, size_t n, int create)
{
	unsigned i = hash(k, n) & (NSLOTS - 1), probes;
	struct slot *s;

	for (probes = 0; probes < NSLOTS; probes++, i = (i + 1) & (NSLOTS - 1)) {
		s = (struct slot *)&t->slots[i];
		if (s->len == 0) {
			if (!create)
				return NULL;
			memcpy(s->key, k, n);
			s->len = (unsigned char)n;
			return s;
		}
		if (s->len == n && memcmp(s->key, k, n) == 0)
			return s;
	}
	return NULL;
}

size_t
icp_normalize(const char *key, size_t n, char *out, size_t outmax)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			continue;
		if (o < outmax)
			out[o] = (char)c;
		o++;
	}
	return o;
}

static int
field_index(const char *s, size_t n)
{
	int f;

	for (f = 0; f < ICP_NFIELDS; f++)
		if (strlen(icp_field_names[f]) == n && memcmp(icp_field_names[f], s, n) == 0)
			return f;
	return -1;
}

/* Drop field f from every slot (before giving it a new list). */
static void
clear_field(icp *t, int f)
{
	size_t i;

	for (i = 0; i < NSLOTS; i++)
		t->slots[i].prio[f] = -1;
}

icp *
icp_new(void)
{
	icp *t = calloc(1, sizeof *t);
	ierr e;

	int f;

	if (!t)
		return NULL;
	for (f = 0; f < ICP_NFIELDS; f++)
		clear_field(t, f);
	if (icp_load_text(t, icp_default_text, strlen(icp_default_text), "(built-in icp-synonyms.conf)", &e) < 0) {
		/* the built-in file is checked by the test suite */
		free(t);
		return NULL;
	}
	return t;
}

void
icp_free(icp *t)
{
	free(t);
}

/* Add the comma-separated synonyms in s[0..n) to field f, from priority
 * *prio on. */
static int
add_synonyms(icp *t, int f, int *prio, const char *s, size_t n, const char *name, unsigned lineno, ierr *e)
{
	const char *q = s + n;

	while (s < q) {
		const char *comma = memchr(s, ',', (size_t)(q - s));
		const char *se = comma ? comma : q;
		char norm[SYN_MAX + 1];
		size_t nl = icp_normalize(s, (size_t)(se - s), norm, SYN_MAX);
		struct slot *sl;

		if (nl == 0 && !val_blank(s, (size_t)(se - s)))
			return ierr_set(e, "%s:%u: synonym \"%.*s\" has no letter or digit", name, lineno,
					(int)(se - s), s);
		if (nl > SYN_MAX)
			return ierr_set(e, "%s:%u: synonym longer than %d characters", name, lineno, SYN_MAX);
		if (nl > 0) {
			if (*prio >= MAX_SYNS)
				return ierr_set(e, "%s:%u: more than %d synonyms for one field", name, lineno, MAX_SYNS);
			if (!(sl = find(t, norm, nl, 1)))
				return ierr_set(e, "%s:%u: too many synonyms in all", name, lineno);
			if (sl->prio[f] < 0)	/* a repeat keeps its first place */
				sl->prio[f] = (short)(*prio)++;
			if (nl > t->maxlen)
				t->maxlen = nl;
		}
		s = comma ? comma + 1 : q;
	}
	return 0;
}

int
icp_load_text(icp *t, const char *text, size_t len, const char *name, ierr *e)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	int seen[ICP_NFIELDS] = { 0 };
	int f = -1, prio = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash_ = memchr(p, '#', (size_t)(le - p));
		const char *q = hash_ ? hash_ : le, *colon, *fs = p;
		size_t fn = (size_t)(q - p);
		int continued = p < q && (*p == ' ' || *p == '\t');

		lineno++;
		p = nl ? nl + 1 : end;
		val_trim(&fs, &fn);
		if (fn == 0)
			continue;
		if (continued && f >= 0) {
			/* an indented line continues the field above */
			if (add_synonyms(t, f, &prio, fs, fn, name, lineno, e) < 0)
				return -1;
			continue;
		}
		colon = memchr(fs, ':', fn);
		if (!colon)
			return ierr_set(e, "%s:%u: expected \"field: synonym, ...\"", name, lineno);
		{
			const char *nm = fs;
			size_t nn = (size_t)(colon - fs);
			val_trim(&nm, &nn);
			if ((f = field_index(nm, nn)) < 0)
				return ierr_set(e, "%s:%u: unknown field \"%.*s\" (known: job_title, industry, company_size, linkedin_url, vacancy_url, website)",
						name, lineno, (int)nn, nm);
		}
		if (seen[f])
			return ierr_set(e, "%s:%u: field \"%s\" listed twice", name, lineno, icp_field_names[f]);
		seen[f] = 1;
		clear_field(t, f);
		prio = 0;
		if (add_synonyms(t, f, &prio, colon + 1, (size_t)(fs + fn - colon - 1), name, lineno, e) < 0)
			return -1;
	}
	return 0;
}

int
icp_load_file(icp *t, const char *path, ierr *e)
{
	FILE *fp = fopen(path, "rb");
	buf b;
	char chunk[4096];
	size_t n;
	int rc;

	if (!fp)
		return ierr_sys(e, errno, "%s: cannot open", path);
	buf_init(&b, 1u << 20);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			fclose(fp);
			buf_free(&b);
			return ierr_set(e, "%s: larger than 1 MiB", path);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		buf_free(&b);
		return ierr_set(e, "%s: read error", path);
	}
	fclose(fp);
	rc = icp_load_text(t, b.p ? b.p : "", b.len, path, e);
	buf_free(&b);
	return rc;
}

/* A usable ICP value: trimmed non-blank string, number text, or boolean. */
static int
usable(const jv *v, const char **s, size_t *n)
{
	switch (v->type) {
	case JV_STRING:
		*s = v->s;
		*n = v->n;
		val_trim(s, n);
		return *n > 0;
	case JV_NUMBER:
	case JV_BOOL:
		*s = v->s;
		*n = v->n;
		return 1;
	default:
		return 0;
	}
}

void
icp_lookup(const icp *t, const jv *payload, struct icp_value out[ICP_NFIELDS])
{
	int best[ICP_NFIELDS];
	const jv *c;
	int f;

	for (f = 0; f < ICP_NFIELDS; f++) {
		best[f] = -1;
		out[f].s = NULL;
		out[f].n = 0;
	}
	if (!payload || payload->type != JV_OBJECT)
		return;
	for (c = payload->child; c; c = c->next) {
		char norm[SYN_MAX + 1];
		size_t nl = icp_normalize(c->key, c->keylen, norm, SYN_MAX);
		const struct slot *s;
		const char *vs;
		size_t vn;

		if (nl == 0 || nl > t->maxlen)
			continue;
		if (!(s = find(t, norm, nl, 0)))
			continue;
		if (!usable(c, &vs, &vn))
			continue;
		for (f = 0; f < ICP_NFIELDS; f++) {
			if (s->prio[f] < 0 || (best[f] >= 0 && s->prio[f] >= best[f]))
				continue;
			best[f] = s->prio[f];
			out[f].s = vs;
			out[f].n = vn;
		}
	}
}

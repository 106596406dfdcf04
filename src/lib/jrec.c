#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "jrec.h"
#include "jsonout.h"
#include "val.h"

/* ---- arena -------------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define CHUNK_MIN (64u * 1024u)
#define CHUNK_KEEP_MAX ((size_t)1 << 20)	/* a larger chunk is freed after its line */
#define ARENA_MAX ((size_t)64 << 20)		/* one line's tree, at most */

struct frame {
	jv *node;	/* the object or array */
	jv *last;	/* its last child so far */
	const char *key;	/* object: the key waiting for its value */
	size_t keylen;
};

struct jrec {
	struct chunk *chunks;	/* first chunk is kept across parses */
	yajl_handle h;
	const char *text;	/* the text being parsed */
	size_t textlen;
	jv *root;
	struct frame *stack;
	unsigned depth, max_depth;
	unsigned long nuls;
	size_t arena_total;	/* bytes of chunks for this line */
	int too_deep;
	int too_big;
	int numeric_overflow;
	int oom;
};

static void *
arena_alloc(jrec *j, size_t n)
{
	struct chunk *c = j->chunks;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
		struct chunk *nc;
		if (j->arena_total + size > ARENA_MAX) {
			/* about 80 bytes a JSON value: a line of a million tiny
			 * values would take 40 times its size */
			j->too_big = 1;
			return NULL;
		}
		nc = malloc(sizeof *nc + size);
		if (!nc) {
			j->oom = 1;
			return NULL;
		}
		nc->size = size;
		nc->used = 0;
		j->arena_total += size;
		nc->next = c;
		j->chunks = c = nc;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

/* Keep the largest chunk, free the others: memory stays at the size of the
 * largest line parsed, not the sum of all lines. */
static void
arena_reset(jrec *j)
{
	struct chunk *c, *next, *keep = NULL;

	for (c = j->chunks; c; c = next) {
		next = c->next;
		if (!keep || c->size > keep->size) {
			free(keep);
			keep = c;
		} else {
			free(c);
		}
	}
	if (keep && keep->size > CHUNK_KEEP_MAX) {
		free(keep);	/* memory returns to normal after a huge line */
		keep = NULL;
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	j->chunks = keep;
	j->arena_total = keep ? keep->size : 0;
}

/* Copy a decoded string into the arena unless it points into the input text
 * (yajl hands out strings without escapes in place); replace NUL bytes. */
static const char *
keep_string(jrec *j, const unsigned char *s, size_t n, size_t *outlen)
{
	const char *cs = (const char *)s;
	size_t nul = 0, i, o;
	char *d;

	*outlen = n;
	if (cs >= j->text && cs + n <= j->text + j->textlen)
		return cs;	/* no escapes, so no U+0000 either */
	for (i = 0; i < n; i++)
		nul += s[i] == 0;
	d = arena_alloc(j, n + 2 * nul + 1);
	if (!d)
		return NULL;
	if (!nul) {
		memcpy(d, s, n);
	} else {
		for (i = o = 0; i < n; i++) {
			if (s[i] == 0) {
				d[o++] = (char)0xEF;
				d[o++] = (char)0xBF;
				d[o++] = (char)0xBD;
			} else {
				d[o++] = (char)s[i];
			}
		}
		j->nuls += nul;
		*outlen = o;
	}
	return d;
}

/* ---- yajl callbacks ------------------------------------------------------ */

static jv *
add(jrec *j, enum jtype type)
{
	jv *v = arena_alloc(j, sizeof *v);
	struct frame *f;

	if (!v)
		return NULL;
	memset(v, 0, sizeof *v);
	v->type = type;
	if (j->depth == 0) {
		j->root = v;
		return v;
	}
	f = &j->stack[j->depth - 1];
	if (f->node->type == JV_OBJECT) {
		v->key = f->key;
		v->keylen = f->keylen;
	}
	if (f->last)
		f->last->next = v;
	else
		f->node->child = v;
	f->last = v;
	return v;
}

static int
cb_scalar(jrec *j, enum jtype type, const char *s, size_t n)
{
	jv *v = add(j, type);

	if (!v)
		return 0;
	v->s = s;
	v->n = n;
	if (j->depth > 0)
		j->stack[j->depth - 1].key = NULL;	/* the member is complete */
	return 1;
}

static int
cb_null(void *ctx)
{
	return cb_scalar(ctx, JV_NULL, "null", 4);
}

static int
cb_boolean(void *ctx, int b)
{
	return cb_scalar(ctx, JV_BOOL, b ? "true" : "false", b ? 4 : 5);
}

static int
cb_number(void *ctx, const char *s, size_t n)
{
	jrec *j = ctx;
	size_t len;
	const char *k;

	if (!val_pg_numeric_ok(s, n)) {
		j->numeric_overflow = 1;	/* PostgreSQL's jsonb would refuse the line */
		return 0;
	}
	k = keep_string(j, (const unsigned char *)s, n, &len);
	return k ? cb_scalar(j, JV_NUMBER, k, len) : 0;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t n)
{
	jrec *j = ctx;
	size_t len;
	const char *k = keep_string(j, s, n, &len);

	return k ? cb_scalar(j, JV_STRING, k, len) : 0;
}

static int
open_container(jrec *j, enum jtype type)
{
	size_t consumed = yajl_get_bytes_consumed(j->h);
	jv *v;

	if (j->depth >= j->max_depth) {
		j->too_deep = 1;
		return 0;
	}
	if (!(v = add(j, type)))
		return 0;
	v->start = consumed - 1;	/* just after the opening bracket */
	j->stack[j->depth].node = v;
	j->stack[j->depth].last = NULL;
	j->stack[j->depth].key = NULL;
	j->stack[j->depth].keylen = 0;
	j->depth++;
	return 1;
}

static int
close_container(jrec *j)
{
	j->depth--;
	j->stack[j->depth].node->end = yajl_get_bytes_consumed(j->h);
	if (j->depth > 0)
		j->stack[j->depth - 1].key = NULL;	/* the member is complete */
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return open_container(ctx, JV_OBJECT);
}

static int
cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	jrec *j = ctx;
	struct frame *f = &j->stack[j->depth - 1];

	f->key = keep_string(j, s, n, &f->keylen);
	return f->key != NULL;
}

static int
cb_end(void *ctx)
{
	return close_container(ctx);
}

static int
cb_start_array(void *ctx)
{
	return open_container(ctx, JV_ARRAY);
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

/* ---- public ------------------------------------------------------------- */

jrec *
jrec_new(unsigned max_depth)
{
	jrec *j = calloc(1, sizeof *j);

	if (!j)
		return NULL;
	j->max_depth = max_depth ? max_depth : 1;
	j->stack = calloc(j->max_depth, sizeof *j->stack);
	if (!j->stack) {
		free(j);
		return NULL;
	}
	return j;
}

void
jrec_free(jrec *j)
{
	if (!j)
		return;
	j->text = NULL;
	arena_reset(j);
	free(j->chunks);
	free(j->stack);
	free(j);
}

unsigned long
jrec_nul_count(const jrec *j)
{
	return j->nuls;
}

/* The path of the value being parsed when the parse stopped. */
static void
error_path(jrec *j, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned d;

	out[0] = '\0';
	for (d = 0; d < j->depth && o + 1 < outlen; d++) {
		struct frame *f = &j->stack[d];
		size_t k;
		if (f->node->type == JV_OBJECT && f->key) {
			if (d > 0)
				out[o++] = '.';
			for (k = 0; k < f->keylen && o + 1 < outlen; k++)
				out[o++] = f->key[k];
		} else if (f->node->type == JV_ARRAY) {
			size_t i = 0;
			jv *c;
			for (c = f->node->child; c; c = c->next)
				i++;
			o += (size_t)snprintf(out + o, outlen - o, "[%zu]", i);
			if (o >= outlen)
				o = outlen - 1;
		}
	}
	out[o] = '\0';
}

/* yajl's message, first line, without its "lexical error: " style prefix. */
static void
yajl_message(jrec *j, const char *text, size_t len, char *out, size_t outlen)
{
	unsigned char *m = yajl_get_error(j->h, 0, (const unsigned char *)text, len);
	const char *s = (const char *)m, *p;
	size_t n;

	if (!s) {
		snprintf(out, outlen, "malformed JSON");
		return;
	}
	if ((p = strstr(s, "error: ")) != NULL)
		s = p + 7;
	n = strcspn(s, "\n");
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		n--;
	snprintf(out, outlen, "%.*s", (int)n, s);
	yajl_free_error(j->h, m);
}

/* ---- strictness yajl lacks ------------------------------------------------ */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of the \uXXXX escape at s (s[0] == '\\'), or -1. */
static long
u_escape(const char *s, size_t n)
{
	long v = 0;
	int i, h;

	if (n < 6 || s[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* The offset of the first \u escape that is half a surrogate pair, or len.
 * yajl turns a lone high surrogate into '?' and a lone low one into invalid
 * UTF-8, and PostgreSQL's jsonb refuses both: the line is not text. A
 * backslash only appears inside strings in JSON, so a scan of the bytes
 * suffices; malformed escapes are left to yajl. */
static size_t
lone_surrogate(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	long u, lo;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (p + 1 >= end)
			break;
		if (p[1] != 'u') {
			p += 2;	/* \\ and the other two-character escapes */
			continue;
		}
		u = u_escape(p, (size_t)(end - p));
		if (u >= 0xD800 && u <= 0xDBFF) {
			lo = u_escape(p + 6, (size_t)(end - p - 6));
			if (lo < 0xDC00 || lo > 0xDFFF)
				return (size_t)(p - text);
			p += 12;
			continue;
		}
		if (u >= 0xDC00 && u <= 0xDFFF)
			return (size_t)(p - text);
		p += u < 0 ? 2 : 6;	/* a malformed escape is yajl's to report */
	}
	return len;
}

/* Feed yajl text[0..at) to learn the path of the value that holds byte at. */
static void
path_at(jrec *j, const char *text, size_t at, char *path, size_t pathlen)
{
	j->h = yajl_alloc(&callbacks, NULL, j);
	path[0] = '\0';
	if (!j->h)
		return;
	(void)yajl_parse(j->h, (const unsigned char *)text, at);
	error_path(j, path, pathlen);
	yajl_free(j->h);
	j->h = NULL;
}

const jv *
jrec_parse(jrec *j, const char *text, size_t len, ierr *e)
{
	yajl_status st;
	char msg[256], path[160];
	int at_end;

	arena_reset(j);
	j->root = NULL;
	j->depth = 0;
	j->nuls = 0;
	j->too_deep = j->too_big = j->numeric_overflow = j->oom = 0;
	j->text = text;
	j->textlen = len;
	{
		/* yajl takes form feed and vertical tab for whitespace; JSON does
		 * not, and in a string they would be raw control characters:
		 * either way the text is not JSON */
		const char *ff = memchr(text, '\f', len), *vt = memchr(text, '\v', len);
		const char *bad = ff && (!vt || ff < vt) ? ff : vt;
		if (bad) {
			ierr_set(e, "malformed JSON at byte %zu: %s is not allowed", (size_t)(bad - text),
				 *bad == '\f' ? "a form feed" : "a vertical tab");
			return NULL;
		}
	}
	{
		/* yajl lets overlong forms, UTF-8-encoded surrogates and code
		 * points above U+10FFFF through, and lone surrogate escapes */
		size_t bad = utf8_valid_prefix(text, len), esc = lone_surrogate(text, len);
		if (bad < len || esc < len) {
			int utf = bad <= esc;
			size_t at = utf ? bad : esc;
			path_at(j, text, at, path, sizeof path);
			ierr_field(e, path, "malformed JSON at byte %zu: %s", at,
				   utf ? "invalid UTF-8" : "a \\u escape that is half a surrogate pair");
			return NULL;
		}
	}
	j->h = yajl_alloc(&callbacks, NULL, j);
	if (!j->h) {
		ierr_oom(e);
		return NULL;
	}
	yajl_config(j->h, yajl_dont_validate_strings, 1);	/* done above, strictly */
	st = yajl_parse(j->h, (const unsigned char *)text, len);
	at_end = 0;
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(j->h);
		at_end = 1;	/* yajl counts bytes of its own final buffer then */
	}
	if (st != yajl_status_ok || !j->root) {
		size_t at = at_end ? len : yajl_get_bytes_consumed(j->h);
		if (at > 0 && !at_end)
			at--;	/* the offending byte, not the one after it */
		error_path(j, path, sizeof path);
		if (j->too_big)
			snprintf(msg, sizeof msg, "too many values: the line's tree would take over %zu MiB",
				 ARENA_MAX >> 20);
		else if (j->oom)
			snprintf(msg, sizeof msg, "out of memory");
		else if (j->numeric_overflow)
			snprintf(msg, sizeof msg, "a number beyond PostgreSQL's numeric range");
		else if (j->too_deep)
			snprintf(msg, sizeof msg, "nesting deeper than %u levels", j->max_depth);
		else if (!j->root)
			snprintf(msg, sizeof msg, "no JSON value");
		else
			yajl_message(j, text, len, msg, sizeof msg);
		if (strstr(msg, "UTF8"))
			snprintf(msg, sizeof msg, "invalid UTF-8 in a string");
		ierr_field(e, path, "malformed JSON at byte %zu: %s", at, msg);
		yajl_free(j->h);
		j->h = NULL;
		return NULL;
	}
	yajl_free(j->h);
	j->h = NULL;
	return j->root;
}

const jv *
jv_get(const jv *obj, const char *key)
{
	const jv *c, *found = NULL;
	size_t n;

	if (!obj || obj->type != JV_OBJECT)
		return NULL;
	n = strlen(key);
	for (c = obj->child; c; c = c->next)
		if (c->keylen == n && memcmp(c->key, key, n) == 0)
			found = c;
	return found;
}

int
jv_nonempty_object(const jv *v)
{
	return v && v->type == JV_OBJECT && v->child != NULL;
}

void
jrec_raw(const jrec *j, const jv *v, const char **s, size_t *n)
{
	*s = j->text + v->start;
	*n = v->end - v->start;
}

long
jrec_raw_json(const jrec *j, const jv *v, buf *out)
{
	const char *s = j->text + v->start, *end = j->text + v->end, *p;
	long rewritten = 0;

	/* Inside JSON text a backslash only appears in strings, where it starts
	 * an escape: walk escapes two bytes at a time and rewrite \u0000. */
	while (s < end) {
		p = memchr(s, '\\', (size_t)(end - s));
		if (!p)
			break;
		if (end - p >= 6 && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] == '0' && p[5] == '0') {
			if (buf_append(out, s, (size_t)(p - s)) < 0 || buf_append(out, "\\ufffd", 6) < 0)
				return -1;
			rewritten++;
			s = p + 6;
		} else {
			size_t n = (size_t)(p - s) + (p + 1 < end ? 2 : 1);
			if (buf_append(out, s, n) < 0)
				return -1;
			s += n;
		}
	}
	if (buf_append(out, s, (size_t)(end - s)) < 0)
		return -1;
	return rewritten;
}

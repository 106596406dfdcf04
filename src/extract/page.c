/* page: streaming parse of one API response body into items (see page.h).
 *
 * yajl tells where each item starts and ends: inside a callback,
 * yajl_get_bytes_consumed() is the offset just past the token in the chunk
 * being parsed, so an item's '{' is at offset-1 of the chunk in which its
 * start_map fires, and its '}' just before the offset of its end_map. The
 * bytes in between are copied as they are (whitespace between tokens
 * dropped), which keeps the API's text verbatim: no number is converted and
 * no string re-escaped. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "page.h"

#define CURSOR_MAX 1024
#define TAG_MAX 256

enum key1 { K_OTHER, K_ITEMS, K_CURSOR, K_ERROR };

struct page {
	enum page_shape shape;
	char *tag_key;
	size_t tag_keylen;
	int item_depth;		/* depth inside an item's top-level object */
	yajl_handle h;
	page_item_fn fn;
	void *ctx;
	ierr *e;		/* the error of the page_feed() under way */

	const unsigned char *chunk;
	size_t chunk_len;
	int depth;		/* open containers */
	int top_is_map, top_is_array, top_seen;
	enum key1 key1;		/* the top-level key whose value is being read */
	int in_items;
	int saw_items;

	int capturing;
	size_t cap_from;
	int in_str, esc;
	buf item;

	int want_tag, has_tag;
	char tag[TAG_MAX + 1];

	int has_cursor;
	char cursor[CURSOR_MAX + 1];
	int has_error;
	char error[256];
	size_t nitems;
	int failed;		/* an error was set by a callback */

	/* bounds */
	int max_depth;
	size_t max_bytes;	/* 0: none */
	size_t fed;		/* body bytes so far */
	int bound;		/* the error is a bound that tripped */
	int tok_in_str, tok_esc;	/* the token scanner (every byte of the body) */
	size_t tok_len;		/* bytes of the string or bare token under way */
};

/* A bound tripped: what passed which bound (the option that sets it, or
 * what the bound is). */
static int
bound_fail(page *p, const char *what, size_t v, const char *unit, const char *opt)
{
	p->failed = 1;
	p->bound = 1;
	ierr_set(p->e, "%s %zu %s (%s)", what, v, unit, opt);
	return 0;	/* stops yajl */
}

static int
fail(page *p, const char *msg)
{
	p->failed = 1;
	ierr_set(p->e, "%s", msg);
	return 0;	/* stops yajl */
}

/* Append chunk bytes to the item, dropping whitespace outside strings. */
static int
capture(page *p, const unsigned char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (p->in_str) {
			if (p->esc)
				p->esc = 0;
			else if (c == '\\')
				p->esc = 1;
			else if (c == '"')
				p->in_str = 0;
			continue;
		}
		if (c == '"') {
			p->in_str = 1;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (i > from && buf_append(&p->item, s + from, i - from) < 0)
				goto full;
			from = i + 1;
		}
	}
	if (n > from && buf_append(&p->item, s + from, n - from) < 0)
		goto full;
	return 0;
full:
	p->failed = 1;
	if (errno == ENOMEM)
		return ierr_oom(p->e);
	p->bound = 1;
	return ierr_set(p->e, "an item is longer than %zu bytes (the archive's limit for one record)", p->item.max);
}

/* The value now starting at depth p->depth (before it opens): is it where an
 * item must be? */
static int
at_item_slot(const page *p)
{
	switch (p->shape) {
	case PAGE_LIST:
		return p->in_items && p->depth == 2;
	case PAGE_ARRAY:
		return !p->top_is_map && p->depth == 1;
	case PAGE_OBJECT:
		return p->depth == 0;
	}
	return 0;
}

/* A value (scalar, or a container about to open) begins. */
static int
value_begins(page *p, int is_map, int is_array)
{
	if (p->depth == 0) {
		p->top_seen = 1;
		p->top_is_map = is_map;
		p->top_is_array = is_array;
		if (p->shape == PAGE_ARRAY ? !is_array : !is_map)
			return 1;	/* wrong shape: noted, reported by page_finish */
	}
	if (at_item_slot(p) && !is_map && (p->shape != PAGE_OBJECT))
		return fail(p, p->shape == PAGE_LIST ? "an item of the items array is not an object"
						    : "an item of the array is not an object");
	if (p->depth == 1 && p->top_is_map) {
		if (p->key1 == K_ITEMS && p->shape == PAGE_LIST) {
			if (!is_array)
				return fail(p, "\"items\" is not an array");
			p->in_items = 1;
			p->saw_items = 1;
		} else if (p->key1 == K_CURSOR && p->shape == PAGE_LIST && (is_map || is_array)) {
			return fail(p, "\"next_starting_after\" is not a string");
		} else if (p->key1 == K_ERROR && (is_map || is_array)) {
			p->has_error = 1;
		}
	}
	if (p->capturing && p->depth == p->item_depth)
		p->want_tag = 0;
	return 1;
}

static int
scalar(page *p, const unsigned char *s, size_t n, int is_string, int is_null)
{
	if (!value_begins(p, 0, 0))
		return 0;
	if (p->depth == 1 && p->top_is_map) {
		if (p->key1 == K_CURSOR && p->shape == PAGE_LIST) {
			if (!is_string && !is_null)
				return fail(p, "\"next_starting_after\" is not a string");
			if (is_string) {
				if (n > CURSOR_MAX)
					return fail(p, "\"next_starting_after\" is too long");
				if (memchr(s, '\0', n))	/* cannot be sent back as it came */
					return fail(p, "\"next_starting_after\" holds U+0000");
				memcpy(p->cursor, s, n);
				p->cursor[n] = '\0';
				p->has_cursor = n > 0;
			} else {
				p->has_cursor = 0;
			}
		} else if (p->key1 == K_ERROR && !is_null) {	/* "error": null is no error */
			size_t m = n < sizeof p->error - 1 ? n : sizeof p->error - 1;

			p->has_error = 1;
			if (is_string) {
				memcpy(p->error, s, m);
				p->error[m] = '\0';
			}
		}
	}
	return 1;
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, NULL, 0, 0, 1);
}

static int
cb_boolean(void *ctx, int v)
{
	(void)v;
	return scalar(ctx, NULL, 0, 0, 0);
}

static int
cb_number(void *ctx, const char *s, size_t n)
{
	(void)s;
	(void)n;
	return scalar(ctx, NULL, 0, 0, 0);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t n)
{
	page *p = ctx;

	if (p->capturing && p->depth == p->item_depth && p->want_tag) {
		size_t m = n < TAG_MAX ? n : TAG_MAX;

		memcpy(p->tag, s, m);
		p->tag[m] = '\0';
		p->has_tag = n <= TAG_MAX;
	}
	return scalar(p, s, n, 1, 0);
}

static int
cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	page *p = ctx;

	if (p->depth == 1 && p->top_is_map) {
		if (n == 5 && memcmp(s, "items", 5) == 0)
			p->key1 = K_ITEMS;
		else if (n == 19 && memcmp(s, "next_starting_after", 19) == 0)
			p->key1 = K_CURSOR;
		else if (n == 5 && memcmp(s, "error", 5) == 0)
			p->key1 = K_ERROR;
		else
			p->key1 = K_OTHER;
	}
	if (p->capturing && p->depth == p->item_depth)
		p->want_tag = p->tag_key && n == p->tag_keylen && memcmp(s, p->tag_key, n) == 0;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	page *p = ctx;
	int item = at_item_slot(p);

	if (!value_begins(p, 1, 0))
		return 0;
	if (p->depth >= p->max_depth)
		return bound_fail(p, "JSON nested deeper than", (size_t)p->max_depth, "levels", "--max-depth");
	if (item && p->top_seen && (p->shape != PAGE_OBJECT || p->top_is_map)) {
		size_t off = yajl_get_bytes_consumed(p->h);

		if (off == 0 || off > p->chunk_len || p->chunk[off - 1] != '{')
			return fail(p, "internal error: lost the position of an item");
		p->capturing = 1;
		p->cap_from = off - 1;
		p->in_str = p->esc = 0;
		p->want_tag = p->has_tag = 0;
		buf_reset(&p->item);
	}
	p->depth++;
	return 1;
}

static int
cb_end_map(void *ctx)
{
	page *p = ctx;

	if (p->capturing && p->depth == p->item_depth) {
		size_t off = yajl_get_bytes_consumed(p->h);

		if (off == 0 || off > p->chunk_len || p->chunk[off - 1] != '}')
			return fail(p, "internal error: lost the end of an item");
		if (capture(p, p->chunk + p->cap_from, off - p->cap_from) < 0)
			return 0;
		p->capturing = 0;
		p->nitems++;
		if (p->fn(p->ctx, p->item.p, p->item.len, p->tag_key && p->has_tag ? p->tag : NULL, p->e) < 0) {
			p->failed = 1;
			return 0;
		}
	}
	p->depth--;
	if (p->depth == 1)
		p->key1 = K_OTHER;
	return 1;
}

static int
cb_start_array(void *ctx)
{
	page *p = ctx;

	if (!value_begins(p, 0, 1))
		return 0;
	if (p->depth >= p->max_depth)
		return bound_fail(p, "JSON nested deeper than", (size_t)p->max_depth, "levels", "--max-depth");
	p->depth++;
	return 1;
}

static int
cb_end_array(void *ctx)
{
	page *p = ctx;

	p->depth--;
	if (p->depth == 1) {
		p->in_items = 0;
		p->key1 = K_OTHER;
	}
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

page *
page_new(enum page_shape shape, const char *tag_key, size_t max_item)
{
	page *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->shape = shape;
	p->item_depth = shape == PAGE_LIST ? 3 : shape == PAGE_ARRAY ? 2 : 1;
	if (tag_key) {
		if (!(p->tag_key = strdup(tag_key))) {
			free(p);
			return NULL;
		}
		p->tag_keylen = strlen(tag_key);
	}
	buf_init(&p->item, max_item);
	p->max_depth = PAGE_DEFAULT_DEPTH;
	return p;
}

void
page_set_limits(page *p, size_t max_bytes, int max_depth)
{
	p->max_bytes = max_bytes;
	p->max_depth = max_depth > 0 ? max_depth : PAGE_DEFAULT_DEPTH;
}

int
page_bound_tripped(const page *p)
{
	return p->bound;
}

void
page_free(page *p)
{
	if (!p)
		return;
	if (p->h)
		yajl_free(p->h);
	buf_free(&p->item);
	free(p->tag_key);
	free(p);
}

int
page_reset(page *p, page_item_fn fn, void *ctx)
{
	if (p->h)
		yajl_free(p->h);
	if (!(p->h = yajl_alloc(&callbacks, NULL, p)))
		return -1;
	/* the bytes are kept as sent; instantly-transform judges the text */
	yajl_config(p->h, yajl_dont_validate_strings, 1);
	p->fn = fn;
	p->ctx = ctx;
	p->depth = 0;
	p->top_is_map = p->top_is_array = p->top_seen = 0;
	p->key1 = K_OTHER;
	p->in_items = p->saw_items = 0;
	p->capturing = 0;
	p->want_tag = p->has_tag = 0;
	p->has_cursor = 0;
	p->cursor[0] = '\0';
	p->has_error = 0;
	p->error[0] = '\0';
	p->nitems = 0;
	p->failed = 0;
	p->fed = 0;
	p->bound = 0;
	p->tok_in_str = p->tok_esc = 0;
	p->tok_len = 0;
	buf_reset(&p->item);
	return 0;
}

/* No string or bare token (number, literal) longer than an item may be,
 * wherever it is: yajl buffers a token that spans chunks whole, so outside
 * an item nothing else would bound it. Whitespace between tokens and the
 * structural characters end a bare token; a string ends at its unescaped
 * quote. */
static int
scan_tokens(page *p, const unsigned char *s, size_t n)
{
	size_t i, max = p->item.max;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (p->tok_in_str) {
			if (p->tok_esc)
				p->tok_esc = 0;
			else if (c == '\\')
				p->tok_esc = 1;
			else if (c == '"') {
				p->tok_in_str = 0;
				p->tok_len = 0;
				continue;
			}
		} else if (c == '"') {
			p->tok_in_str = 1;
			p->tok_len = 0;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '[' ||
			   c == ']' || c == ',' || c == ':') {
			p->tok_len = 0;
			continue;
		}
		if (++p->tok_len > max)
			return bound_fail(p, "a JSON token (string or number) is longer than", max, "bytes",
					  "the archive's limit for one record"), -1;
	}
	return 0;
}

static int
yajl_fail(page *p, const unsigned char *s, size_t n, ierr *e)
{
	unsigned char *m = yajl_get_error(p->h, 0, s, n);
	char *nl;

	if (m && (nl = strchr((char *)m, '\n')))
		*nl = '\0';
	ierr_set(e, "malformed JSON: %s", m ? (char *)m : "parse error");
	if (m)
		yajl_free_error(p->h, m);
	return -1;
}

int
page_feed(page *p, const char *s, size_t n, ierr *e)
{
	yajl_status st;

	p->e = e;
	p->chunk = (const unsigned char *)s;
	p->chunk_len = n;
	if (p->failed)
		return ierr_set(e, "the body was already refused");
	p->fed += n;
	if (p->max_bytes && p->fed > p->max_bytes) {
		bound_fail(p, "the response is larger than", p->max_bytes, "bytes", "--max-response");
		return -1;
	}
	if (scan_tokens(p, p->chunk, n) < 0)
		return -1;
	st = yajl_parse(p->h, p->chunk, n);
	if (p->failed)
		return -1;
	if (st != yajl_status_ok)
		return yajl_fail(p, p->chunk, n, e);
	/* yajl takes a form feed or vertical tab for whitespace; JSON does not
	 * (in a string, yajl refuses them as control characters) */
	if (memchr(s, '\f', n) || memchr(s, '\v', n)) {
		p->failed = 1;
		return ierr_set(e, "malformed JSON: a form feed or vertical tab outside a string");
	}
	if (p->capturing) {
		if (capture(p, p->chunk + p->cap_from, n - p->cap_from) < 0)
			return -1;
		p->cap_from = 0;
	}
	return 0;
}

int
page_finish(page *p, ierr *e)
{
	yajl_status st;

	p->e = e;
	p->chunk = NULL;
	p->chunk_len = 0;
	st = yajl_complete_parse(p->h);
	if (p->failed)
		return -1;
	if (st != yajl_status_ok)
		return yajl_fail(p, NULL, 0, e);
	if (p->has_error)
		return 0;	/* the caller reports page_api_error() */
	switch (p->shape) {
	case PAGE_LIST:
		if (!p->top_is_map)
			return ierr_set(e, "expected a JSON object with \"items\", got %s", "another JSON value");
		if (!p->saw_items)
			return ierr_set(e, "the response has no \"items\" array");
		break;
	case PAGE_ARRAY:
		if (!p->top_is_array)
			return ierr_set(e, "expected a JSON array, got %s",
					p->top_is_map ? "an object" : "another JSON value");
		break;
	case PAGE_OBJECT:
		if (!p->top_is_map)
			return ierr_set(e, "expected a JSON object, got %s", "another JSON value");
		break;
	}
	return 0;
}

size_t
page_items(const page *p)
{
	return p->nitems;
}

const char *
page_cursor(const page *p)
{
	return p->has_cursor ? p->cursor : NULL;
}

const char *
page_api_error(const page *p)
{
	return p->has_error ? p->error : NULL;
}

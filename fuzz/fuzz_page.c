/* fuzz_page: the extract's streaming page parser (src/extract/page.c) fed
 * one API response body in chunks cut where the input says.
 *
 * Input: a 6-byte header, then the body.
 *   byte 0: bits 0-1 the shape (0 list, 1 array, 2 object, 3 list), bit 2 a
 *           tag key ("id" for a list or object, "campaign" otherwise), bit 3
 *           a small item limit (64 bytes instead of 1 MiB), bit 4: the item
 *           callback stops at the third item, bit 5: a first attempt is fed
 *           half the body and abandoned (page_reset(), as a retry does)
 *   bytes 1-5: the chunk lengths, used in turn (byte + 1: 1 to 256 bytes)
 * Shorter inputs are a header of zeros and no body.
 *
 * Properties checked, beyond "no crash, no leak, no UB": the outcome (error
 * or not; when no error, items with their tags, cursor, API error) is the
 * same as when the body comes in one piece; every item is one JSON object (checked with yajl
 * itself, as page.c configures it: strings are not checked for UTF-8, the
 * transform does that) on one line; the cursor and the error are NUL-ended strings.
 */
#include "config.h"

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "fuzz.h"
#include "page.h"

#define HDR 6

struct got {
	buf items;	/* "tag|item\n" per item */
	int stop_at;
	int n;
};

static int
item_is_one_object(const char *s, size_t n)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	int ok;

	if (!h)
		FUZZ_DIE("out of memory");
	/* as page.c: UTF-8 is not checked here but by the transform (jrec),
	 * which rejects the line naming the byte */
	yajl_config(h, yajl_dont_validate_strings, 1);
	ok = n >= 2 && s[0] == '{' && s[n - 1] == '}' && !memchr(s, '\n', n) &&
	     yajl_parse(h, (const unsigned char *)s, n) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok;
}

static int
on_item(void *ctx, const char *item, size_t n, const char *tag, ierr *e)
{
	struct got *g = ctx;

	FUZZ_CHECK(item_is_one_object(item, n), "item %d is not one JSON object on one line: %.*s", g->n + 1,
		   (int)(n > 4000 ? 4000 : n), item);
	if (++g->n == g->stop_at)
		return ierr_set(e, "stopped at item %d", g->n);
	if ((tag && buf_puts(&g->items, tag) < 0) || buf_putc(&g->items, '|') < 0 ||
	    buf_append(&g->items, item, n) < 0 || buf_putc(&g->items, '\n') < 0)
		FUZZ_DIE("out of memory");
	return 0;
}

struct outcome {
	int rc;
	size_t nitems;
	char cursor[2048], error[1024];
	int has_cursor, has_error;
};

/* Feed body to p in the chunks the header asks for (or whole: one). */
static void
run(page *p, struct got *g, const uint8_t *hdr, const char *body, size_t len, int whole, struct outcome *o)
{
	size_t at = 0, k = 0;
	ierr e;

	buf_reset(&g->items);
	g->n = 0;
	memset(o, 0, sizeof *o);
	if (page_reset(p, on_item, g) < 0)
		FUZZ_DIE("page_reset failed");
	o->rc = 0;
	while (at < len) {
		size_t n = whole ? len : (size_t)hdr[1 + k++ % 5] + 1;
		if (n > len - at)
			n = len - at;
		if (page_feed(p, body + at, n, &e) < 0) {
			o->rc = -1;
			break;
		}
		at += n;
	}
	if (o->rc == 0)
		o->rc = page_finish(p, &e);
	if (o->rc < 0) {
		FUZZ_CHECK(e.msg[0], "an error without a message");
		return;
	}
	o->nitems = page_items(p);
	if (page_cursor(p)) {
		o->has_cursor = 1;
		FUZZ_CHECK(strlen(page_cursor(p)) < sizeof o->cursor, "cursor too long");
		strcpy(o->cursor, page_cursor(p));
	}
	if (page_api_error(p)) {
		o->has_error = 1;
		FUZZ_CHECK(strlen(page_api_error(p)) < sizeof o->error, "error text too long");
		strcpy(o->error, page_api_error(p));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum page_shape shapes[4] = { PAGE_LIST, PAGE_ARRAY, PAGE_OBJECT, PAGE_LIST };
	uint8_t hdr[HDR] = { 0 };
	const char *body = (const char *)data + (size >= HDR ? HDR : size);
	size_t len = size >= HDR ? size - HDR : 0;
	enum page_shape shape;
	const char *tag = NULL;
	struct got g1, g2;
	struct outcome o1, o2;
	page *p, *q;

	if (size >= HDR)
		memcpy(hdr, data, HDR);
	shape = shapes[hdr[0] & 3];
	if (hdr[0] & 4)
		tag = shape == PAGE_ARRAY ? "campaign" : "id";
	if (!(p = page_new(shape, tag, hdr[0] & 8 ? 64 : (size_t)1 << 20)) ||
	    !(q = page_new(shape, tag, hdr[0] & 8 ? 64 : (size_t)1 << 20)))
		FUZZ_DIE("out of memory");
	memset(&g1, 0, sizeof g1);
	memset(&g2, 0, sizeof g2);
	buf_init(&g1.items, (size_t)1 << 30);
	buf_init(&g2.items, (size_t)1 << 30);
	g1.stop_at = g2.stop_at = hdr[0] & 16 ? 3 : 0;

	if (hdr[0] & 32)	/* an abandoned first attempt */
		run(p, &g1, hdr, body, len / 2, 0, &o1);
	run(p, &g1, hdr, body, len, 0, &o1);
	run(q, &g2, hdr, body, len, 1, &o2);

	FUZZ_CHECK(o1.rc == o2.rc, "chunked: %d, whole: %d", o1.rc, o2.rc);
	/* after a failure the caller drops every item of the response (the
	 * extract's spool): how many came before it may depend on the chunks
	 * (a bound on a token's length trips as soon as a chunk shows it) */
	if (o1.rc == 0) {
		FUZZ_CHECK(g1.n == g2.n, "chunked: %d items, whole: %d", g1.n, g2.n);
		FUZZ_CHECK(g1.items.len == g2.items.len &&
			   (g1.items.len == 0 || !memcmp(g1.items.p, g2.items.p, g1.items.len)),
			   "chunked and whole give different items");
		FUZZ_CHECK(o1.nitems == o2.nitems && o1.nitems == (size_t)g1.n, "item counts %zu %zu %d", o1.nitems,
			   o2.nitems, g1.n);
		FUZZ_CHECK(o1.has_cursor == o2.has_cursor && !strcmp(o1.cursor, o2.cursor), "cursors differ");
		FUZZ_CHECK(o1.has_error == o2.has_error && !strcmp(o1.error, o2.error), "API errors differ");
	}
	page_free(p);
	page_free(q);
	buf_free(&g1.items);
	buf_free(&g2.items);
	return 0;
}

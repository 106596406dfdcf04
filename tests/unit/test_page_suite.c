/* test_page_suite: JSONTestSuite (tests/data/jsontestsuite, the
 * JSONTESTSUITE_DIR of Makefile.am) through the extract's page parser (page.h), as an
 * API body would reach it: in random chunk splits.
 *
 * Each case is fed as the whole body to each shape (listing, array, object)
 * and wrapped as the one item of a listing ({"items":[CASE],...}) and of an
 * array ([CASE]):
 *   y_  accepted exactly when it is a page of that shape (yajl's tree parser
 *       says what the case holds), else rejected with a message; wrapped, an
 *       object comes back as the one item, byte for byte (whitespace between
 *       tokens dropped), anything else is "not an object";
 *   n_  rejected with a message, whole or wrapped (a case of only whitespace
 *       wraps into an empty, valid page: zero items);
 *   i_  accepted or rejected, no crash (the sanitizer build checks memory);
 * and every chunk split gives the same answer as one chunk: the same items,
 * cursor and error, or the same message. A message is clear: not empty, no
 * control characters (it goes to a log line). */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "page.h"
#include "tap.h"

#define SPLITS 8	/* random splits per body, besides one chunk and byte by byte */

struct result {
	int rc;
	buf items;	/* items joined by '\n' */
	size_t n;
	char cursor[1100];
	char error[300];
	char msg[sizeof(((ierr *)0)->msg)];
};

static int
on_item(void *ctx, const char *item, size_t n, const char *tag, ierr *e)
{
	struct result *r = ctx;

	(void)tag;
	r->n++;
	if (buf_append(&r->items, item, n) < 0 || buf_putc(&r->items, '\n') < 0)
		return ierr_set(e, "test: items too long");
	return 0;
}

/* Parse body in the chunks that cuts[0..ncuts) end (increasing offsets). */
static void
parse(page *p, const char *body, size_t len, const size_t *cuts, size_t ncuts, struct result *r)
{
	size_t at = 0, i;
	ierr e;

	buf_reset(&r->items);
	r->n = 0;
	r->cursor[0] = r->error[0] = r->msg[0] = '\0';
	ierr_clear(&e);
	r->rc = page_reset(p, on_item, r);
	for (i = 0; r->rc == 0 && i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		r->rc = page_feed(p, body + at, to - at, &e);
		at = to;
	}
	if (r->rc == 0)
		r->rc = page_finish(p, &e);
	if (r->rc < 0) {
		snprintf(r->msg, sizeof r->msg, "%s", e.msg);
		return;
	}
	if (page_cursor(p))
		snprintf(r->cursor, sizeof r->cursor, "%s", page_cursor(p));
	if (page_api_error(p))
		snprintf(r->error, sizeof r->error, "!%s", page_api_error(p));
}

static int
same(const struct result *a, const struct result *b)
{
	if (a->rc != b->rc)
		return 0;
	if (a->rc < 0)
		return strcmp(a->msg, b->msg) == 0;
	return a->n == b->n && a->items.len == b->items.len &&
	       (a->items.len == 0 || memcmp(a->items.p, b->items.p, a->items.len) == 0) &&
	       strcmp(a->cursor, b->cursor) == 0 && strcmp(a->error, b->error) == 0;
}

static int
clear_message(const char *m)
{
	if (!*m)
		return 0;
	for (; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			return 0;
	return 1;
}

/* One body through one parser: in one chunk (into *r), byte by byte, and in
 * SPLITS random splits; 0 when a split answered otherwise than one chunk. */
static int
run_all_splits(page *p, const char *body, size_t len, struct result *r, struct result *tmp, unsigned *seed,
	       size_t *runs)
{
	size_t *cuts = calloc(len + 1, sizeof *cuts), i, k, n;
	int good = 1;

	if (!cuts)
		abort();
	parse(p, body, len, NULL, 0, r);
	for (i = 0; i + 1 < len; i++)
		cuts[i] = i + 1;
	parse(p, body, len, cuts, len ? len - 1 : 0, tmp);
	good &= same(r, tmp);
	for (k = 0; k < SPLITS && len > 1; k++) {
		/* a few cuts or many, at random offsets, in order */
		size_t want = 1 + (size_t)rand_r(seed) % (k % 2 ? len - 1 : (len < 9 ? len - 1 : 8));

		for (i = 1, n = 0; i < len && n < want; i++)
			if ((size_t)rand_r(seed) % (len - 1) < want)
				cuts[n++] = i;
		parse(p, body, len, cuts, n, tmp);
		good &= same(r, tmp);
	}
	*runs += 2 + (len > 1 ? SPLITS : 0);
	free(cuts);
	return good;
}

/* What a y_ case is, by yajl's tree parser: -1 not parsed, else its type and
 * whether it is a page of each shape. */
struct truth {
	int parsed, is_object, list_ok, array_ok;
};

static int
all_objects(yajl_val a)
{
	size_t i;

	for (i = 0; i < a->u.array.len; i++)
		if (!YAJL_IS_OBJECT(a->u.array.values[i]))
			return 0;
	return 1;
}

static struct truth
judge(const char *text)
{
	struct truth t = { 0, 0, 0, 0 };
	char err[256];
	yajl_val v = yajl_tree_parse(text, err, sizeof err);
	size_t i;

	if (!v)
		return t;
	t.parsed = 1;
	t.is_object = YAJL_IS_OBJECT(v);
	t.array_ok = YAJL_IS_ARRAY(v) && all_objects(v);
	if (t.is_object) {
		int items = 0, items_ok = 1, cursor_ok = 1, error = 0;

		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			yajl_val x = v->u.object.values[i];

			if (strcmp(k, "items") == 0) {
				items = 1;
				items_ok &= YAJL_IS_ARRAY(x) && all_objects(x);
			} else if (strcmp(k, "next_starting_after") == 0) {
				cursor_ok &= YAJL_IS_STRING(x) || YAJL_IS_NULL(x);
			} else if (strcmp(k, "error") == 0 && !YAJL_IS_NULL(x)) {
				error = 1;
			}
		}
		t.list_ok = error || (items && items_ok && cursor_ok);
	}
	yajl_tree_free(v);
	return t;
}

/* The case without whitespace outside strings: what an item must be. */
static void
strip(const char *s, size_t n, buf *out)
{
	size_t i;
	int in_str = 0, esc = 0;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue;
		}
		buf_putc(out, c);
	}
	buf_putc(out, '\n');
}

static int
only_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

struct tally {
	int n, good;
	char wrong[4096];
};

static void
tally(struct tally *t, int good, const char *name, const char *how)
{
	size_t l = strlen(t->wrong);

	t->n++;
	if (good)
		t->good++;
	else if (l < sizeof t->wrong - 200)
		snprintf(t->wrong + l, sizeof t->wrong - l, " %s(%s)", name, how);
}

static void
report(const struct tally *t, const char *what)
{
	ok(t->n > 0 && t->good == t->n, "%s: %d of %d", what, t->good, t->n);
	if (t->wrong[0])
		printf("# wrong:%s\n", t->wrong);
}

int
main(void)
{
	static const char *shape_name[] = { "listing", "array", "object" };
	const char *dir = JSONTESTSUITE_DIR;
	char path[8192];
	struct dirent **names;
	struct tally y_whole = { 0 }, y_wrapped = { 0 }, n_whole = { 0 }, n_wrapped = { 0 }, i_all = { 0 },
		     splits = { 0 };
	struct result r, tmp;
	page *pg[3];
	buf want, doc;
	unsigned seed = 20261206;
	size_t runs = 0;
	int nn, f, s;

	if ((nn = scandir(dir, &names, NULL, alphasort)) < 0) {
		printf("1..1\nnot ok 1 - JSONTestSuite: cannot open %s\n", dir);
		return 1;
	}
	for (s = 0; s < 3; s++)
		if (!(pg[s] = page_new((enum page_shape)s, "id", (size_t)1 << 20)))
			abort();
	buf_init(&r.items, (size_t)1 << 22);
	buf_init(&tmp.items, (size_t)1 << 22);
	buf_init(&want, (size_t)1 << 22);
	buf_init(&doc, (size_t)1 << 22);
	for (f = 0; f < nn; f++) {
		const char *name = names[f]->d_name;
		char kind = name[0];
		size_t len;
		char *text;
		struct truth t = { 0, 0, 0, 0 };
		int w;

		if (!strstr(name, ".json") || !strchr("yni", kind) || name[1] != '_')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (!(text = slurp(path, &len))) {
			ok(0, "%s: cannot read", path);
			continue;
		}
		if (kind == 'y')
			t = judge(text);
		/* the case as the whole body, to each shape */
		for (s = 0; s < 3; s++) {
			int want_ok = s == PAGE_LIST ? t.list_ok : s == PAGE_ARRAY ? t.array_ok : t.is_object;

			tally(&splits, run_all_splits(pg[s], text, len, &r, &tmp, &seed, &runs), name, shape_name[s]);
			if (r.rc < 0)
				tally(&i_all, clear_message(r.msg), name, r.msg);
			if (kind == 'y')
				tally(&y_whole, t.parsed && (want_ok ? r.rc == 0 : r.rc < 0), name, shape_name[s]);
			else if (kind == 'n')
				tally(&n_whole, r.rc < 0 && clear_message(r.msg), name, shape_name[s]);
		}
		/* the case as the one item of a listing and of an array */
		for (w = 0; w < 2; w++) {
			buf_reset(&doc);
			buf_puts(&doc, w == 0 ? "{\"items\":[" : "[");
			buf_append(&doc, text, len);
			buf_puts(&doc, w == 0 ? "],\"next_starting_after\":null}" : "]");
			s = w == 0 ? PAGE_LIST : PAGE_ARRAY;
			tally(&splits, run_all_splits(pg[s], doc.p, doc.len, &r, &tmp, &seed, &runs), name,
			      w == 0 ? "in a listing" : "in an array");
			if (r.rc < 0)
				tally(&i_all, clear_message(r.msg), name, r.msg);
			if (kind == 'y') {
				int good;

				if (t.is_object) {
					strip(text, len, &want);
					good = r.rc == 0 && r.n == 1 && r.items.len == want.len &&
					       memcmp(r.items.p, want.p, want.len) == 0;
				} else {
					good = r.rc < 0 && strstr(r.msg, "not an object") != NULL;
				}
				tally(&y_wrapped, t.parsed && good, name, w == 0 ? "in a listing" : "in an array");
			} else if (kind == 'n') {
				int good = only_space(text, len) ? r.rc == 0 && r.n == 0
								 : r.rc < 0 && clear_message(r.msg);

				tally(&n_wrapped, good, name, w == 0 ? "in a listing" : "in an array");
			}
		}
		free(text);
	}
	for (f = 0; f < nn; f++)
		free(names[f]);
	free(names);

	report(&y_whole, "y_ as the whole body: accepted by the shapes it is a page of, rejected by the others");
	report(&y_wrapped, "y_ as an item: an object comes back byte for byte, anything else is 'not an object'");
	report(&n_whole, "n_ as the whole body: rejected by every shape with a clear message");
	report(&n_wrapped, "n_ as an item: rejected with a clear message (whitespace only: an empty page)");
	report(&i_all, "every rejection (y_, n_, i_, whole or wrapped) has a clear message");
	report(&splits, "every body gives the same answer in one chunk, byte by byte and in random splits");
	printf("# %zu parses\n", runs);

	/* beyond the suite: yajl's own idea of whitespace (form feed, vertical
	 * tab) is not JSON's, inside an item or outside */
	{
		static const char *const bad[] = { "{\"items\":[]\f}", "{\"items\":[{\"a\":1\v}]}", "\v[]",
						   "[{}]\f" };
		size_t i;
		int good = 0;

		for (i = 0; i < sizeof bad / sizeof *bad; i++) {
			run_all_splits(pg[i == 2 || i == 3 ? PAGE_ARRAY : PAGE_LIST], bad[i], strlen(bad[i]), &r, &tmp,
				       &seed, &runs);
			if (r.rc < 0 && strstr(r.msg, "form feed or vertical tab"))
				good++;
			else
				printf("# accepted: case %zu\n", i);
		}
		ok(good == 4, "a form feed or vertical tab between tokens is malformed JSON (%d of 4)", good);
	}
	for (s = 0; s < 3; s++)
		page_free(pg[s]);
	buf_free(&r.items);
	buf_free(&tmp.items);
	buf_free(&want);
	buf_free(&doc);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

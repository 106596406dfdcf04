/* test_page: the streaming page parser cuts bodies into verbatim items,
 * whatever the chunk boundaries. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "page.h"
#include "tap.h"

struct got {
	buf items;	/* items joined by '\n', each prefixed by "<tag>|" */
	int stop_at;	/* fail on this item (1-based), 0: never */
	int n;
};

static int
on_item(void *ctx, const char *item, size_t n, const char *tag, ierr *e)
{
	struct got *g = ctx;

	if (++g->n == g->stop_at)
		return ierr_set(e, "stopped at item %d", g->n);
	buf_puts(&g->items, tag ? tag : "-");
	buf_putc(&g->items, '|');
	buf_append(&g->items, item, n);
	buf_putc(&g->items, '\n');
	return 0;
}

/* Parse body fed in chunks of `step` bytes; 0 or -1, the items in g. */
static int
run(page *p, struct got *g, const char *body, size_t step, ierr *e)
{
	size_t len = strlen(body), at;

	buf_reset(&g->items);
	g->n = 0;
	if (page_reset(p, on_item, g) < 0)
		return -1;
	for (at = 0; at < len; at += step) {
		size_t n = len - at < step ? len - at : step;

		if (page_feed(p, body + at, n, e) < 0)
			return -1;
	}
	return page_finish(p, e);
}

/* Every chunk size from 1 to the body's length gives the same result. */
static void
check_all_steps(enum page_shape shape, const char *tag, const char *body, const char *want_items,
		const char *want_cursor, const char *name)
{
	page *p = page_new(shape, tag, 1 << 20);
	struct got g = { 0 };
	size_t step, len = strlen(body);
	int bad = 0;
	ierr e;

	buf_init(&g.items, 1 << 20);
	for (step = 1; step <= len; step++) {
		const char *c;

		ierr_clear(&e);
		if (run(p, &g, body, step, &e) < 0) {
			printf("# step %zu: %s\n", step, e.msg);
			bad++;
			break;
		}
		buf_putc(&g.items, '\0');
		c = page_cursor(p);
		if (strcmp(g.items.p ? g.items.p : "", want_items) != 0 ||
		    (want_cursor ? !c || strcmp(c, want_cursor) != 0 : c != NULL)) {
			printf("# step %zu: items [%s] cursor [%s]\n", step, g.items.p ? g.items.p : "",
			       c ? c : "(none)");
			bad++;
			break;
		}
	}
	ok(!bad, "%s: same items at every chunk size 1..%zu", name, len);
	buf_free(&g.items);
	page_free(p);
}

static void
check_error(enum page_shape shape, const char *body, const char *want_msg, const char *name)
{
	page *p = page_new(shape, NULL, 64);
	struct got g = { 0 };
	ierr e;
	int rc;

	buf_init(&g.items, 1 << 20);
	ierr_clear(&e);
	rc = run(p, &g, body, 3, &e);
	ok(rc < 0 && strstr(e.msg, want_msg), "%s: error (%s)", name, e.msg);
	buf_free(&g.items);
	page_free(p);
}

int
main(void)
{
	/* a listing: whitespace between tokens dropped, inside strings kept;
	 * escapes and number text kept as sent; the tag read from each item */
	check_all_steps(PAGE_LIST, "campaign",
			"{ \"items\" : [ {\"id\": \"a\", \"campaign\" : \"c1\",\n \"n\": 1.50E+3, \"s\": \"x \\\" y\\u00e9\\ud800 \",\"o\":{\"campaign\":\"inner\"}},\n"
			"{\"campaign\":null,\"big\":123456789012345678901234567890} ,{\"x\":[1, {\"campaign\":\"deep\"}],\"campaign\":\"c2\"} ],"
			" \"next_starting_after\" : \"0199-\\u0041\" }",
			"c1|{\"id\":\"a\",\"campaign\":\"c1\",\"n\":1.50E+3,\"s\":\"x \\\" y\\u00e9\\ud800 \",\"o\":{\"campaign\":\"inner\"}}\n"
			"-|{\"campaign\":null,\"big\":123456789012345678901234567890}\n"
			"c2|{\"x\":[1,{\"campaign\":\"deep\"}],\"campaign\":\"c2\"}\n",
			"0199-A", "listing");
	/* the cursor comes first, other top-level keys are skipped */
	check_all_steps(PAGE_LIST, NULL,
			"{\"next_starting_after\":\"z\",\"meta\":{\"items\":[{\"no\":1}]},\"items\":[{}]}",
			"-|{}\n", "z", "cursor before the items");
	/* the end of a listing: no cursor, a null cursor, an empty one */
	check_all_steps(PAGE_LIST, NULL, "{\"items\":[]}", "", NULL, "empty page");
	check_all_steps(PAGE_LIST, NULL, "{\"items\":[{\"a\":1}],\"next_starting_after\":null}", "-|{\"a\":1}\n",
			NULL, "null cursor");
	check_all_steps(PAGE_LIST, NULL, "{\"items\":[{\"a\":1}],\"next_starting_after\":\"\"}", "-|{\"a\":1}\n",
			NULL, "empty cursor");
	/* arrays (daily rows) and one object (overview) */
	check_all_steps(PAGE_ARRAY, NULL, "[ {\"date\":\"2026-11-01\",\"sent\":3},\r\n\t{\"date\":\"2026-11-02\"} ]",
			"-|{\"date\":\"2026-11-01\",\"sent\":3}\n-|{\"date\":\"2026-11-02\"}\n", NULL, "array");
	check_all_steps(PAGE_ARRAY, NULL, "[]", "", NULL, "empty array");
	check_all_steps(PAGE_OBJECT, "id", " {\"id\":\"c\", \"emails_sent_count\" : 0} ",
			"c|{\"id\":\"c\",\"emails_sent_count\":0}\n", NULL, "object");

	/* the wrong shape, broken JSON, items that are not objects */
	check_error(PAGE_LIST, "[{\"a\":1}]", "expected a JSON object", "listing given an array");
	check_error(PAGE_LIST, "{\"data\":[]}", "no \"items\"", "listing without items");
	check_error(PAGE_LIST, "{\"items\":{}}", "not an array", "items not an array");
	check_error(PAGE_LIST, "{\"items\":[1]}", "not an object", "an item that is a number");
	check_error(PAGE_LIST, "{\"items\":[],\"next_starting_after\":5}", "not a string", "numeric cursor");
	check_error(PAGE_LIST, "{\"items\":[{}],\"next_starting_after\":\"ab\\u0000cd\"}", "holds U+0000",
		    "a cursor holding U+0000 is an error, not the end");
	check_error(PAGE_ARRAY, "{\"a\":1}", "expected a JSON array", "array given an object");
	check_error(PAGE_ARRAY, "[[1]]", "not an object", "array of arrays");
	check_error(PAGE_OBJECT, "[]", "expected a JSON object", "object given an array");
	check_error(PAGE_LIST, "{\"items\":[{\"a\":1}", "malformed JSON", "cut short");
	check_error(PAGE_LIST, "", "malformed JSON", "empty body");
	check_error(PAGE_LIST, "{\"items\":[]} x", "malformed JSON", "trailing garbage");
	check_error(PAGE_LIST, "{\"items\":[{\"a\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}]}",
		    "longer than 64 bytes", "an item over the size limit");

	/* a 200 that carries an error: noted, items not trusted */
	{
		page *p = page_new(PAGE_OBJECT, NULL, 1024);
		struct got g = { 0 };
		ierr e;

		buf_init(&g.items, 1024);
		ok(run(p, &g, "{\"error\":\"ACC_NOT_FOUND\"}", 4, &e) == 0 && page_api_error(p) &&
		   strcmp(page_api_error(p), "ACC_NOT_FOUND") == 0, "top-level error key noted");
		ok(run(p, &g, "{\"items\":[],\"error\":{\"x\":1}}", 4, &e) == 0 && page_api_error(p) &&
		   strcmp(page_api_error(p), "") == 0, "non-string error noted");
		ok(run(p, &g, "{\"a\":{\"error\":1}}", 4, &e) == 0 && !page_api_error(p),
		   "a nested error key is data");
		ok(run(p, &g, "{\"a\":1,\"error\":null}", 4, &e) == 0 && !page_api_error(p),
		   "\"error\": null is no error");
		ok(run(p, &g, "{\"error\":false}", 4, &e) == 0 && page_api_error(p), "\"error\": false is noted");
		page_free(p);
		buf_free(&g.items);
	}
	/* the item callback can stop the parse */
	{
		page *p = page_new(PAGE_ARRAY, NULL, 1024);
		struct got g = { 0 };
		ierr e;

		buf_init(&g.items, 1024);
		g.stop_at = 2;
		ok(run(p, &g, "[{},{},{}]", 1, &e) < 0 && strstr(e.msg, "stopped at item 2"), "callback stops (%s)", e.msg);
		page_free(p);
		buf_free(&g.items);
	}
	/* bounds (issue 10, defect 5): nesting inside and outside an item,
	 * tokens outside an item, the body; each at every chunk size, each
	 * told apart from malformed JSON */
	{
		static char deep_out[4096], deep_in[4096], at_bound[4096];
		static char long_str[300], long_num[300];
		page *p = page_new(PAGE_LIST, NULL, 1 << 20);
		struct got g = { 0 };
		size_t step, n;
		int bad = 0, i;
		ierr e;

		buf_init(&g.items, 1 << 20);
		/* 2000 levels after the items, never closed: stops at 16 */
		n = (size_t)snprintf(deep_out, sizeof deep_out, "{\"items\":[],\"pad\":");
		memset(deep_out + n, '[', 2000);
		/* inside an item: 2000 levels of {"a": */
		n = (size_t)snprintf(deep_in, sizeof deep_in, "{\"items\":[");
		for (i = 0; i < 600; i++)
			n += (size_t)snprintf(deep_in + n, sizeof deep_in - n, "{\"a\":");
		/* exactly 16 levels (the object, items, 14 inside an item) is fine */
		n = (size_t)snprintf(at_bound, sizeof at_bound, "{\"items\":[");
		for (i = 0; i < 13; i++)
			n += (size_t)snprintf(at_bound + n, sizeof at_bound - n, "{\"a\":");
		n += (size_t)snprintf(at_bound + n, sizeof at_bound - n, "{}");
		for (i = 0; i < 13; i++)
			at_bound[n++] = '}';
		snprintf(at_bound + n, sizeof at_bound - n, "]}");
		/* a string of 200 bytes outside an item (items of at most 128) */
		n = (size_t)snprintf(long_str, sizeof long_str, "{\"items\":[],\"x\":\"");
		memset(long_str + n, 'x', 200);
		snprintf(long_num, sizeof long_num, "{\"items\":[],\"x\":1");
		memset(long_num + strlen(long_num), '7', 200);
		page_free(p);

		for (step = 1; step <= 300 && !bad; step += 37) {
			p = page_new(PAGE_LIST, NULL, 128);
			page_set_limits(p, 0, 16);
			ierr_clear(&e);
			bad |= !(run(p, &g, deep_out, step, &e) < 0 && page_bound_tripped(p) &&
				 strstr(e.msg, "nested deeper than 16 levels (--max-depth)"));
			ierr_clear(&e);
			bad |= !(run(p, &g, deep_in, step, &e) < 0 && page_bound_tripped(p) &&
				 strstr(e.msg, "nested deeper than 16 levels"));
			ierr_clear(&e);
			bad |= !(run(p, &g, at_bound, step, &e) == 0 && page_items(p) == 1);
			ierr_clear(&e);
			bad |= !(run(p, &g, long_str, step, &e) < 0 && page_bound_tripped(p) &&
				 strstr(e.msg, "token (string or number) is longer than 128 bytes"));
			ierr_clear(&e);
			bad |= !(run(p, &g, long_num, step, &e) < 0 && page_bound_tripped(p) &&
				 strstr(e.msg, "longer than 128 bytes"));
			if (bad)
				printf("# step %zu: %s\n", step, e.msg);
			page_free(p);
		}
		ok(!bad, "nesting past --max-depth (inside an item or not) and tokens longer than an item outside one: bounds");

		p = page_new(PAGE_LIST, NULL, 1 << 20);
		page_set_limits(p, 40, 0);
		ierr_clear(&e);
		ok(run(p, &g, "{\"items\":[{\"a\":1},{\"a\":2},{\"a\":3},{\"a\":4}]}", 7, &e) < 0 &&
		   page_bound_tripped(p) && strstr(e.msg, "the response is larger than 40 bytes (--max-response)"),
		   "a body past --max-response (%s)", e.msg);
		ierr_clear(&e);
		ok(run(p, &g, "{\"items\":[{\"a\":1}]}", 7, &e) == 0, "a body within it: fine");
		ierr_clear(&e);
		ok(run(p, &g, "{\"items\":[{\"a\":1}", 7, &e) < 0 && !page_bound_tripped(p),
		   "malformed JSON is no bound");
		page_free(p);
		p = page_new(PAGE_LIST, NULL, 1 << 20);
		ierr_clear(&e);
		ok(run(p, &g, deep_out, 64, &e) < 0 && page_bound_tripped(p) &&
		   strstr(e.msg, "nested deeper than 128 levels"), "the default depth is 128 (%s)", e.msg);
		page_free(p);
		buf_free(&g.items);
	}
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

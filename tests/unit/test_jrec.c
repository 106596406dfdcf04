/* jrec: the per-line JSON tree; and the JSONTestSuite corpus
 * (tests/data/jsontestsuite, JSONTESTSUITE_DIR from Makefile.am). */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "jrec.h"
#include "tap.h"

static const jv *
parse(jrec *j, const char *s, ierr *e)
{
	return jrec_parse(j, s, strlen(s), e);
}

/* y_ files must parse, n_ files must fail, i_ files may do either (but
 * must not crash), except the i_string_ and i_object_key_ ones: invalid
 * UTF-8, overlong forms, UTF-16 and half surrogate pairs are not text that
 * PostgreSQL can store, so the parser rejects them all. */
static void
json_test_suite(jrec *j)
{
	const char *dir = JSONTESTSUITE_DIR;
	char path[8192];
	struct dirent *de;
	DIR *d;
	int y_ok = 0, y_n = 0, n_ok = 0, n_n = 0, i_n = 0, is_ok = 0, is_n = 0;
	char failures[2048] = "";

	if (!(d = opendir(dir))) {
		ok(0, "JSONTestSuite: cannot open %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len;
		char *text;
		const jv *v;
		ierr e;

		if (de->d_name[0] == '.' || !strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (!(text = slurp(path, &len)))
			continue;
		v = jrec_parse(j, text, len, &e);
		if (de->d_name[0] == 'y') {
			y_n++;
			if (v)
				y_ok++;
			else if (strlen(failures) < sizeof failures - 100)
				snprintf(failures + strlen(failures), sizeof failures - strlen(failures), " %s", de->d_name);
		} else if (de->d_name[0] == 'n') {
			n_n++;
			if (!v)
				n_ok++;
			else if (strlen(failures) < sizeof failures - 100)
				snprintf(failures + strlen(failures), sizeof failures - strlen(failures), " %s", de->d_name);
		} else {
			i_n++;
			if (!strncmp(de->d_name, "i_string_", 9) || !strncmp(de->d_name, "i_object_key_", 13)) {
				is_n++;
				if (!v)
					is_ok++;
				else if (strlen(failures) < sizeof failures - 100)
					snprintf(failures + strlen(failures), sizeof failures - strlen(failures), " %s", de->d_name);
			}
		}
		free(text);
	}
	closedir(d);
	ok(y_n > 0 && y_ok == y_n, "JSONTestSuite: %d of %d y_ files accepted", y_ok, y_n);
	ok(n_n > 0 && n_ok == n_n, "JSONTestSuite: %d of %d n_ files rejected", n_ok, n_n);
	ok(i_n > 0, "JSONTestSuite: %d i_ files parsed or rejected without a crash", i_n);
	ok(is_n > 0 && is_ok == is_n, "JSONTestSuite: %d of %d i_string_/i_object_key_ files (not valid Unicode text) rejected",
	   is_ok, is_n);
	if (failures[0])
		printf("# wrong answers:%s\n", failures);
}

int
main(void)
{
	jrec *j = jrec_new(64);
	const jv *r, *v;
	const char *s;
	size_t n;
	buf b;
	ierr e;
	char deep[300];
	int i;

	/* numbers keep their text; strings are decoded */
	r = parse(j, "{\"a\":1e3,\"b\":-0.50,\"c\":\"x\\ny\",\"d\":true,\"e\":null,\"f\":12345678901234567890}", &e);
	ok(r && r->type == JV_OBJECT, "object parsed");
	v = jv_get(r, "a");
	ok(v && v->type == JV_NUMBER, "number");
	is_mem(v->s, v->n, "1e3", "1e3 stays 1e3");
	v = jv_get(r, "b");
	is_mem(v->s, v->n, "-0.50", "-0.50 stays -0.50");
	v = jv_get(r, "f");
	is_mem(v->s, v->n, "12345678901234567890", "a big integer keeps every digit");
	v = jv_get(r, "c");
	is_mem(v->s, v->n, "x\ny", "escapes resolved");
	ok(jv_get(r, "d")->type == JV_BOOL && jv_get(r, "e")->type == JV_NULL, "true and null");
	ok(jv_get(r, "zz") == NULL && jv_get(NULL, "a") == NULL && jv_get(v, "a") == NULL, "absent keys");

	/* duplicate keys: the last wins, like jsonb */
	r = parse(j, "{\"k\":1,\"k\":2}", &e);
	is_mem(jv_get(r, "k")->s, 1, "2", "duplicate key: last wins");

	/* raw byte ranges of objects, for jsonb */
	s = "  {\"id\":\"x\", \"payload\": {\"a\" : [1, {\"b\":\"\\\"\"}] , \"c\":\"\\n\"} }  ";
	r = parse(j, s, &e);
	v = jv_get(r, "payload");
	jrec_raw(j, v, &s, &n);
	is_mem(s, n, "{\"a\" : [1, {\"b\":\"\\\"\"}] , \"c\":\"\\n\"}", "payload bytes as in the input");
	jrec_raw(j, r, &s, &n);
	ok(n > 0 && s[0] == '{' && s[n - 1] == '}', "root object range");

	/* U+0000: in values and keys, replaced and counted; the raw text
	 * rewritten with \ufffd, but an escaped backslash left alone */
	r = parse(j, "{\"p\":{\"a\\u0000b\":\"x\\u0000y\\u0000\",\"q\":\"\\\\u0000\"}}", &e);
	ok(r != NULL, "U+0000 parsed");
	v = jv_get(r, "p");
	ok(jrec_nul_count(j) == 3, "three U+0000 counted (got %lu)", jrec_nul_count(j));
	is_mem(v->child->key, v->child->keylen, "a\xEF\xBF\xBD" "b", "U+0000 in a key becomes U+FFFD");
	is_mem(v->child->s, v->child->n, "x\xEF\xBF\xBDy\xEF\xBF\xBD", "U+0000 in a value becomes U+FFFD");
	buf_init(&b, 1 << 20);
	ok(jrec_raw_json(j, v, &b) == 3, "three escapes rewritten in the raw text");
	is_mem(b.p, b.len, "{\"a\\ufffdb\":\"x\\ufffdy\\ufffd\",\"q\":\"\\\\u0000\"}", "raw text with \\ufffd");
	buf_free(&b);

	/* errors: position and path */
	ok(!parse(j, "{\"data\":{\"payload\":{\"x\":\"\xff\"}}}", &e), "invalid UTF-8 rejected");
	is_str(e.field, "data.payload.x", "invalid UTF-8: the field path");
	ok(strstr(e.msg, "UTF-8") != NULL, "invalid UTF-8: said so (%s)", e.msg);
	ok(!parse(j, "{\"a\":\"ok\",\"b\":{\"c\":\"\xC0\xAF\"}}", &e), "overlong C0 AF rejected");
	is_str(e.field, "b.c", "overlong: the field path");
	ok(strstr(e.msg, "at byte 20:") != NULL, "overlong: the offending byte (%s)", e.msg);
	ok(!parse(j, "{\"a\":\"\xED\xA0\x80\"}", &e), "UTF-8-encoded surrogate ED A0 80 rejected");
	ok(!parse(j, "{\"a\":\"\xF4\x90\x80\x80\"}", &e), "code point above U+10FFFF rejected");
	ok(!parse(j, "{\"k\xE9y\":1}", &e), "Latin-1 byte in a key rejected");
	ok(!parse(j, "{\"a\":{\"b\":\"x\\ud800y\"}}", &e), "lone high surrogate escape rejected");
	is_str(e.field, "a.b", "lone surrogate: the field path");
	ok(strstr(e.msg, "surrogate") && strstr(e.msg, "at byte 12:"), "lone surrogate: said so, with the byte (%s)", e.msg);
	ok(!parse(j, "{\"a\":\"\\udc00\"}", &e), "lone low surrogate escape rejected");
	ok(!parse(j, "{\"a\":\"\\ud800\\u0041\"}", &e), "high surrogate before a non-surrogate escape rejected");
	r = parse(j, "{\"a\":\"\\\\ud800 \\ud83d\\ude00\"}", &e);
	ok(r != NULL, "an escaped backslash before ud800 and a real pair accepted (%s)", r ? "" : e.msg);
	if (r)
		is_mem(jv_get(r, "a")->s, jv_get(r, "a")->n, "\\ud800 \xF0\x9F\x98\x80", "pair decoded to U+1F600");
	ok(!parse(j, "{\"a\":{\"big\":1e131072}}", &e), "a number beyond PostgreSQL's numeric rejected");
	is_str(e.field, "a.big", "numeric overflow: the field path");
	ok(strstr(e.msg, "numeric") != NULL, "numeric overflow: said so (%s)", e.msg);
	ok(parse(j, "{\"a\":1e131071}", &e) != NULL, "the largest decimal weight accepted");
	{
		/* escapes cut short at the end of the text, each in its own
		 * exactly-sized heap block so that a read past it is caught */
		static const char *const cut[] = { "\"\\u", "\"\\u12", "\"\\ud800\\u", "\"\\ud800\\udc", "\"\\", NULL };
		int k, rejected = 1;
		for (k = 0; cut[k]; k++) {
			size_t len = strlen(cut[k]);
			char *t = malloc(len);
			memcpy(t, cut[k], len);
			rejected &= jrec_parse(j, t, len, &e) == NULL;
			free(t);
		}
		ok(rejected, "escapes cut short at the end rejected, no read past the text");
	}
	ok(!parse(j, "{\"a\":[1,2,}", &e), "trailing comma rejected");
	is_str(e.field, "a[2]", "path into an array");
	ok(!parse(j, "{\"a\":1} x", &e), "trailing garbage rejected");
	ok(!parse(j, "{\"a\":1}{\"b\":2}", &e), "two values rejected");
	ok(!parse(j, "", &e) && !parse(j, "   ", &e), "empty text rejected");
	ok(!parse(j, "{\"a\":\"x\ny\"}", &e), "raw control character in a string rejected");
	ok(!jrec_parse(j, "{\"a\":\"x\0y\"}", 11, &e), "raw NUL byte in a string rejected");
	ok(!parse(j, "{\"a\":NaN}", &e) && !parse(j, "{\"a\":01}", &e) && !parse(j, "{'a':1}", &e), "non-JSON rejected");
	for (i = 0; i < 200; i++)
		deep[i] = '[';
	deep[200] = '\0';
	ok(!parse(j, deep, &e) && strstr(e.msg, "nesting"), "nesting deeper than the limit rejected (%s)", e.msg);

	/* a line of a million tiny values would need a tree of 80 MB: refused */
	{
		size_t nvals = 1000000, k;
		char *t = malloc(2 * nvals + 2);
		t[0] = '[';
		for (k = 0; k < nvals; k++) {
			t[1 + 2 * k] = '0';
			t[2 + 2 * k] = ',';
		}
		t[2 * nvals] = ']';
		r = jrec_parse(j, t, 2 * nvals + 1, &e);
		ok(!r && strstr(e.msg, "too many values"), "a million values in one line refused (%s)", r ? "parsed" : e.msg);
		t[2 * 100000] = ']';	/* after the 100,000th 0 */
		r = jrec_parse(j, t, 2 * 100000 + 1, &e);
		ok(r && r->child, "then a line of 100,000 values parses (%s)", r ? "ok" : e.msg);
		free(t);
	}

	/* memory is reused: a big line, then small ones */
	{
		size_t big = 200000, k;
		char *t = malloc(big + 16);
		memcpy(t, "{\"v\":\"", 6);
		for (k = 6; k < big; k++)
			t[k] = (char)('a' + k % 26);
		memcpy(t + big, "\\n\"}", 5);
		r = jrec_parse(j, t, big + 4, &e);
		ok(r && jv_get(r, "v")->n == big - 6 + 1, "a 200 KB string");
		free(t);
		r = parse(j, "[1]", &e);
		ok(r && r->type == JV_ARRAY && r->child && r->child->type == JV_NUMBER, "then a small array");
	}

	json_test_suite(j);
	jrec_free(j);
	return tap_done();
}

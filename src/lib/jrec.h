/* jrec: one JSON text -> a small tree, parsed with yajl.
 *
 * Built for one archive line at a time: the tree lives in an arena that the
 * next jrec_parse() reuses, so memory stays at the size of the largest line.
 *
 * - Numbers keep their exact input text (1e3 stays "1e3"); one that
 *   PostgreSQL's numeric cannot hold (1e131072) fails the parse, since jsonb
 *   would refuse the line at load time.
 * - Text must be valid Unicode: invalid UTF-8 (overlong forms, encoded
 *   surrogates, code points above U+10FFFF) and \u escapes that are half a
 *   surrogate pair fail the parse, naming the byte.
 * - Strings are decoded (escapes resolved) and validated as UTF-8; a U+0000
 *   in a decoded string or key becomes U+FFFD (EF BF BD), counted in
 *   jrec_nul_count().
 * - Objects and arrays remember where they start and end in the input, so
 *   that a caller can copy one out byte for byte (see jrec_raw_json()).
 * - Duplicate keys are kept in order; jv_get() returns the last one, like
 *   PostgreSQL's jsonb.
 */
#ifndef IE_JREC_H
#define IE_JREC_H

#include <stddef.h>

#include "buf.h"
#include "ierr.h"

enum jtype { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_OBJECT, JV_ARRAY };

typedef struct jv jv;
struct jv {
	enum jtype type;
	const char *s;		/* string: decoded bytes; number: its text;
				 * bool: "true"/"false" */
	size_t n;		/* length of s */
	const char *key;	/* member of an object: its key (decoded) */
	size_t keylen;
	size_t start, end;	/* object/array: input bytes [start, end) */
	jv *child;		/* object/array: first member or element */
	jv *next;		/* next sibling */
};

typedef struct jrec jrec;

/* A parser; NULL when out of memory. max_depth bounds nesting. */
jrec *jrec_new(unsigned max_depth);
void jrec_free(jrec *j);

/* Parse text[0..len) as exactly one JSON value (whitespace around it is
 * allowed). Returns the root (valid until the next parse), or NULL with e
 * set: e->field is the path where it failed ("data.payload.jobTitle"), e->msg
 * what failed ("invalid UTF-8 in a string at byte 812"). */
const jv *jrec_parse(jrec *j, const char *text, size_t len, ierr *e);

/* U+0000 characters replaced by the last parse. */
unsigned long jrec_nul_count(const jrec *j);

/* The member of obj named key (last one when repeated), or NULL. obj may be
 * NULL or not an object (then NULL). */
const jv *jv_get(const jv *obj, const char *key);

/* Is v an object with at least one member? */
int jv_nonempty_object(const jv *v);

/* The input text of the object or array v, as it is (borrowed from the
 * text last parsed). */
void jrec_raw(const jrec *j, const jv *v, const char **s, size_t *n);

/* Append the input text of the object or array v (from the text last parsed)
 * to out, writing each \u0000 escape as \ufffd. Returns the number of escapes
 * rewritten, or -1 when out is full. */
long jrec_raw_json(const jrec *j, const jv *v, buf *out);

#endif

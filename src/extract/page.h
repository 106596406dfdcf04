/* page: one API response body, parsed as it streams in (yajl), cut into items.
 *
 * The libcurl write callback hands each chunk to page_feed(); every item is
 * passed to the item callback as soon as its closing brace arrives, as the
 * exact bytes the API sent (keys in their order, numbers and string escapes
 * as written) minus the whitespace between tokens, so that it fits on one
 * archive line. Nothing but the current item is held.
 *
 * Shapes:
 *   PAGE_LIST    {"items":[{…},…],"next_starting_after":"…"}   (listings)
 *   PAGE_ARRAY   [{…},…]                                        (daily rows)
 *   PAGE_OBJECT  {…}                                            (one object)
 *
 * A top-level "error" key (an HTTP 200 that carries an error, as some
 * endpoints do) is noted, not treated as data: see page_api_error().
 *
 * Bounds (a hostile or broken server cannot make the parser hold more): an
 * item at most max_item bytes; containers nested at most max_depth deep
 * (PAGE_DEFAULT_DEPTH unless page_set_limits() says otherwise), inside an
 * item or not; no single token (a string, a number) longer than max_item,
 * inside an item or not (yajl holds a token that spans chunks whole); and,
 * when set, at most max_bytes bytes of body. A bound that trips is an
 * error that page_bound_tripped() tells apart from malformed JSON.
 */
#ifndef IE_PAGE_H
#define IE_PAGE_H

#include <stddef.h>

#include "ierr.h"

enum page_shape { PAGE_LIST, PAGE_ARRAY, PAGE_OBJECT };

/* Called with each item (not NUL-terminated) and, when the page was made with
 * a tag key, the item's top-level string value of that key (NUL-terminated,
 * NULL when absent or not a string). Return 0 to go on, -1 to stop (with e
 * set). */
typedef int (*page_item_fn)(void *ctx, const char *item, size_t n, const char *tag, ierr *e);

typedef struct page page;

/* A parser for one shape; tag_key may be NULL. An item longer than max_item
 * bytes is an error. NULL when out of memory. */
page *page_new(enum page_shape shape, const char *tag_key, size_t max_item);
void page_free(page *p);

#define PAGE_DEFAULT_DEPTH 128

/* The depth bound (0: PAGE_DEFAULT_DEPTH) and the body bound (0: none).
 * Messages name the options --max-depth and --max-response. */
void page_set_limits(page *p, size_t max_bytes, int max_depth);

/* After page_feed() or page_finish() failed: was it a bound (item, token,
 * depth or body size) rather than malformed JSON or a wrong shape? */
int page_bound_tripped(const page *p);

/* Start a new body (every attempt of a request starts afresh). */
int page_reset(page *p, page_item_fn fn, void *ctx);

/* Feed the next bytes of the body. Returns 0, or -1 with e set (malformed
 * JSON, wrong shape, an item too long, or the item callback's error). */
int page_feed(page *p, const char *s, size_t n, ierr *e);

/* The body is complete: check that it was one whole JSON text. 0 or -1. */
int page_finish(page *p, ierr *e);

/* After page_finish(): the items seen; the cursor (PAGE_LIST), NULL when
 * absent, null or ""; whether a top-level "error" key was present, and its
 * string value (or "" when it was not a string). */
size_t page_items(const page *p);
const char *page_cursor(const page *p);
const char *page_api_error(const page *p);

#endif

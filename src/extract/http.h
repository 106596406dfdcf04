/* http: transfers over one libcurl multi handle (http.c).
 *
 * The transport of instantly-extract, and only that: it knows libcurl, a
 * queue of transfers, --parallel slots, the retry budgets and backoff its
 * caller gives it (struct http_policy), and the bounds of one attempt
 * (--timeout, --stall-timeout). It knows nothing of the Instantly API: what
 * URL to ask, which headers, what a status means, whether a failure is worth
 * another attempt and where a body goes are its caller's, through the
 * callbacks of struct http_ops (api.c sets them). It includes no header of
 * the API layer and calls none of its functions.
 *
 * A transfer's life: the caller fills url (and body, post, headers), then
 * http_enqueue(); when its gate lets it through and a slot is free, it
 * starts; the body of a 200 goes to on_body() chunk by chunk, the start of
 * any other body is kept in errbody; when the attempt ends, on_end() is told
 * the outcome and decides: done (the caller takes the transfer back), or
 * again (http_backoff() says after how long, within the budget, and the
 * caller prepares it and calls http_enqueue() again). */
#ifndef IE_HTTP_H
#define IE_HTTP_H

#include <stdint.h>
#include <curl/curl.h>

#include "buf.h"
#include "ierr.h"

#define HTTP_URL_MAX 8192	/* room for a 1024-byte cursor, escaped */

struct http;
struct http_xfer;

/* How an attempt ended (x->outcome, for on_end()). */
enum http_outcome {
	HTTP_ANSWERED,		/* a complete answer: x->status, errbody (not 200) */
	HTTP_SINK_FAILED,	/* on_body() refused the body (x->e says why) */
	HTTP_TRANSPORT_FAILED,	/* no complete answer: x->e says why, x->transient whether another attempt may help */
};

/* What the caller does with its transfers; the functions that may be NULL
 * say so. */
struct http_ops {
	/* Seconds before x may start at now (0: now): the caller's rate
	 * limits and pauses. NULL: now. */
	double (*gate)(struct http_xfer *x, double now);
	/* x starts at now (the gate said 0). NULL: nothing. */
	void (*sent)(struct http_xfer *x, double now);
	/* A chunk of a 200 answer's body. 0, or -1: the body is refused
	 * (x->e set), the attempt ends as HTTP_SINK_FAILED. */
	int (*on_body)(struct http_xfer *x, const char *p, size_t n);
	/* The attempt is over (x->outcome, x->status, x->e): the caller owns
	 * x again (frees it, or queues it again). 0, or -1: stop the run (e
	 * set; x freed). */
	int (*on_end)(struct http_xfer *x, ierr *e);
	/* The transport lets go of x without an ending (the run stops): free
	 * it. */
	void (*drop)(struct http_xfer *x);
};

/* The caller's policy for every transfer. */
struct http_policy {
	int parallel;			/* transfers in flight at once */
	int retries;			/* further attempts after a passing fault (--retries) */
	int slow_retries;		/* further attempts after "slow down" answers (429s), a budget of their own */
	double retry_wait;		/* the first backoff, seconds */
	double max_retry_after;		/* the longest Retry-After honoured, seconds */
	long timeout;			/* seconds per attempt */
	long stall_timeout;		/* seconds without a byte, once the answer began */
	const char *user_agent;
	unsigned seed;			/* of the backoff's jitter */
};

struct http_counts {
	uint64_t requests;		/* attempts started */
	uint64_t retries;		/* attempts queued again (http_backoff()) */
	uint64_t transport_errors;	/* attempts ended without a complete answer */
};

/* One transfer, sent again on retry. The caller sets the first block;
 * the transport the rest. */
struct http_xfer {
	const struct http_ops *ops;
	void *user;			/* the caller's */
	char url[HTTP_URL_MAX];
	int post;			/* POST body, else GET */
	buf body;			/* the POST body */
	struct curl_slist *headers;	/* borrowed */

	struct http *t;			/* the transport it was queued on */
	CURL *easy;
	int attempt;			/* attempts started */
	int fails, slow;		/* retries spent: after passing faults, after "slow down" */
	int slot;			/* in the slots while in flight */
	double ready_at;		/* monotonic time it may start */
	double started;
	double last_rx;			/* when a byte of the answer last came (0: none yet) */
	int got_bytes;
	int stalled;			/* aborted: nothing for stall_timeout mid-answer */
	int sink_failed;		/* on_body() refused the body */
	double retry_after;		/* seconds, from the answer's Retry-After; -1: none */
	long status;			/* the HTTP status (0: none) */
	buf errbody;			/* the start of a body other than 200's */
	enum http_outcome outcome;
	int transient;			/* HTTP_TRANSPORT_FAILED: another attempt may help */
	ierr e;				/* why the attempt failed (the caller's too) */
	struct http_xfer *next;		/* in the queue */
};

struct http {
	struct http_policy p;
	CURLM *multi;
	struct http_xfer **slots;	/* p.parallel */
	int in_flight;
	struct http_xfer *queue_head, *queue_tail;
	unsigned rng;
	struct http_counts n;
};

/* 0, or -1 (out of memory; e set). http_free() after either. */
int http_init(struct http *t, const struct http_policy *p, ierr *e);
void http_free(struct http *t);	/* drops what is left (ops->drop) */

void http_xfer_init(struct http_xfer *x, const struct http_ops *ops, void *user);
void http_xfer_free(struct http_xfer *x);
/* The next attempt is a new request (the next page): its attempts and
 * retry budgets start again. */
void http_xfer_fresh(struct http_xfer *x);

/* Queue x to start in delay seconds at the earliest. */
void http_enqueue(struct http *t, struct http_xfer *x, double delay);
/* Unlink the queued transfers for which match() says 1, and return them
 * as a list (through next), in queue order. */
struct http_xfer *http_unqueue(struct http *t, int (*match)(const struct http_xfer *, void *), void *arg);

/* After a failed attempt the caller wants to try again (slow: the server
 * said "slow down"): seconds to wait, with exponential backoff and full
 * jitter (after "slow down", the answer's Retry-After up to
 * max_retry_after, if it had one); or -1 when x's budget is spent (x->e
 * then says "after N attempts"). */
double http_backoff(struct http *t, struct http_xfer *x, int slow);

/* One turn of the loop: libcurl's transfers go on, and the attempts that
 * ended go to their on_end(). -1: one said stop, or libcurl failed (e
 * set). */
int http_perform(struct http *t, ierr *e);
/* Start the queued transfers that may start, while slots are free; *wait
 * is lowered to when the next might (0 when one started). -1: error. */
int http_start_due(struct http *t, double *wait, ierr *e);
int http_idle(const struct http *t);	/* nothing queued or in flight */
/* Wait up to wait seconds for libcurl's sockets. */
int http_poll(struct http *t, double wait, ierr *e);
/* Drop every transfer left, queued or in flight (ops->drop). */
void http_drop_all(struct http *t);

/* The start of x's error body, printable, for a message (200 bytes at most). */
const char *http_snippet(const struct http_xfer *x, char *out, size_t outlen);

#endif

/* http: transfers over one libcurl multi handle (the API in http.h).
 *
 * Up to p.parallel transfers are in flight at once over reused connections
 * (compressed when the server offers it). A transfer starts only when it is
 * due (its backoff is over) and its caller's gate lets it through. The
 * body of a 200 streams to the caller's on_body(); the start of another is
 * kept for the message. Every attempt's end goes to the caller's on_end():
 * what a status means, and whether to try again, is the caller's; how long
 * to wait (exponential backoff with full jitter, Retry-After after a "slow
 * down") and the budgets are the policy the caller gave. The key goes to
 * no proxy in clear (no_clear_proxy()). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "log.h"

#define MAX_BACKOFF 60.0	/* seconds */

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nmemb;

	x->last_rx = log_now();
	if (!x->got_bytes) {
		x->got_bytes = 1;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	}
	if (x->status != 200) {	/* an error body: keep its start for the message */
		size_t room = x->errbody.max - x->errbody.len;

		buf_append(&x->errbody, ptr, n < room ? n : room);
		return n;
	}
	if (x->ops->on_body(x, ptr, n) < 0) {
		x->sink_failed = 1;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	return n;
}

/* Retry-After, in seconds or as an HTTP date (libcurl's CURLINFO_RETRY_AFTER
 * cannot tell an absent header from "0"). */
static size_t
on_header(char *ptr, size_t size, size_t nitems, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nitems, i = 12;
	char v[128];

	x->last_rx = log_now();

	if (n > 12 && strncasecmp(ptr, "retry-after:", 12) == 0) {
		while (i < n && (ptr[i] == ' ' || ptr[i] == '\t'))
			i++;
		n -= i;
		if (n >= sizeof v)
			n = sizeof v - 1;
		memcpy(v, ptr + i, n);
		while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
			n--;
		v[n] = '\0';
		if (n > 0 && strspn(v, "0123456789") == n) {
			x->retry_after = strtod(v, NULL);
		} else {
			time_t when = curl_getdate(v, NULL);

			if (when > 0)
				x->retry_after = when > time(NULL) ? (double)(when - time(NULL)) : 0;
		}
	}
	return size * nitems;
}

/* Proxies, which libcurl takes from the environment (http_proxy,
 * https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY): a
 * request in clear would hand the proxy the Authorization header. Plain
 * http (allowed to a loopback address only) never goes through one; https
 * goes through one only as a CONNECT tunnel (an http or https proxy) or
 * over SOCKS, so that TLS runs from here to the API and the proxy sees
 * ciphertext only. */
static void
no_clear_proxy(CURL *h, const char *url)
{
	if (strncasecmp(url, "https://", 8) != 0)
		curl_easy_setopt(h, CURLOPT_PROXY, "");	/* "": no proxy, whatever the environment says */
	else
		curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
}

/* Once the answer has begun, nothing for stall_timeout seconds ends the
 * attempt (a server that stalls mid-body); before its first byte the
 * server may think for up to timeout. libcurl calls this at least about
 * once a second, data or not. */
static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_xfer *x = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (x->last_rx > 0 && log_now() - x->last_rx > (double)x->t->p.stall_timeout) {
		x->stalled = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

void
http_xfer_init(struct http_xfer *x, const struct http_ops *ops, void *user)
{
	memset(x, 0, sizeof *x);
	x->ops = ops;
	x->user = user;
	x->slot = -1;
	x->retry_after = -1;
	buf_init(&x->body, 16384);	/* room for a 1024-byte cursor, escaped */
	buf_init(&x->errbody, 2048);
}

void
http_xfer_free(struct http_xfer *x)
{
	buf_free(&x->body);
	buf_free(&x->errbody);
}

void
http_xfer_fresh(struct http_xfer *x)
{
	x->attempt = x->fails = x->slow = 0;
}

int
http_init(struct http *t, const struct http_policy *p, ierr *e)
{
	memset(t, 0, sizeof *t);
	t->p = *p;
	t->rng = p->seed;
	t->multi = curl_multi_init();
	t->slots = calloc((size_t)p->parallel, sizeof *t->slots);
	if (!t->multi || !t->slots)
		return ierr_oom(e);
	curl_multi_setopt(t->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)p->parallel);
	curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)p->parallel);
	return 0;
}

void
http_free(struct http *t)
{
	if (t->slots)
		http_drop_all(t);
	if (t->multi)
		curl_multi_cleanup(t->multi);
	free(t->slots);
	t->multi = NULL;
	t->slots = NULL;
}

void
http_enqueue(struct http *t, struct http_xfer *x, double delay)
{
	x->t = t;
	x->ready_at = log_now() + delay;
	x->next = NULL;
	if (t->queue_tail)
		t->queue_tail->next = x;
	else
		t->queue_head = x;
	t->queue_tail = x;
}

struct http_xfer *
http_unqueue(struct http *t, int (*match)(const struct http_xfer *, void *), void *arg)
{
	struct http_xfer *x, **pp, *out = NULL, **tail = &out;

	t->queue_tail = NULL;
	for (pp = &t->queue_head; (x = *pp);) {
		if (!match(x, arg)) {
			t->queue_tail = x;
			pp = &x->next;
			continue;
		}
		*pp = x->next;
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	return out;
}

static int
start(struct http *t, struct http_xfer *x, double now, ierr *e)
{
	const struct http_policy *p = &t->p;
	CURL *h = curl_easy_init();

	if (!h)
		return ierr_oom(e);
	x->easy = h;
	x->got_bytes = 0;
	x->last_rx = 0;
	x->stalled = 0;
	x->sink_failed = 0;
	x->transient = 0;
	x->status = 0;
	x->retry_after = -1;
	x->started = now;
	x->attempt++;
	buf_reset(&x->errbody);
	ierr_clear(&x->e);
	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, p->user_agent);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");	/* every encoding libcurl can decode */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, p->timeout);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);	/* on_progress: stall_timeout */
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);	/* the key goes to the base URL only */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	no_clear_proxy(h, x->url);
	if (x->post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body.p);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)x->body.len);
	}
	if (curl_multi_add_handle(t->multi, h) != CURLM_OK) {
		curl_easy_cleanup(h);
		x->easy = NULL;
		return ierr_set(e, "libcurl: cannot add a transfer");
	}
	for (x->slot = 0; t->slots[x->slot]; x->slot++)
		;	/* in_flight < parallel: there is a free slot */
	t->slots[x->slot] = x;
	if (x->ops->sent)
		x->ops->sent(x, now);
	t->in_flight++;
	t->n.requests++;
	return 0;
}

/* Seconds before attempt number `n` + 1: retry_wait * 2^(n-1), capped,
 * with full jitter (a random half to all of it). */
static double
jittered(struct http *t, int n)
{
	double d = t->p.retry_wait * pow(2, n - 1);

	if (d > MAX_BACKOFF)
		d = MAX_BACKOFF;
	return d * (0.5 + 0.5 * (rand_r(&t->rng) / (double)RAND_MAX));
}

double
http_backoff(struct http *t, struct http_xfer *x, int slow)
{
	const struct http_policy *p = &t->p;
	int n = slow ? ++x->slow : ++x->fails;
	double wait;

	if (n > (slow ? p->slow_retries : p->retries)) {
		ierr_prefix(&x->e, "after %d attempts", x->attempt);
		return -1;
	}
	wait = jittered(t, n);
	if (slow && x->retry_after >= 0) {	/* honoured, up to a limit */
		wait = x->retry_after < p->max_retry_after ? x->retry_after : p->max_retry_after;
		wait += 0.25 * (rand_r(&t->rng) / (double)RAND_MAX);
	}
	t->n.retries++;
	return wait;
}

const char *
http_snippet(const struct http_xfer *x, char *out, size_t outlen)
{
	size_t i, j = 0;

	for (i = 0; i < x->errbody.len && j + 1 < outlen && j < 200; i++) {
		unsigned char c = (unsigned char)x->errbody.p[i];

		out[j++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[j] = '\0';
	return out;
}

static int
transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* the URL's scheme was checked: here it is an answer that is no
		 * HTTP (what a body longer than its Content-Length left on a
		 * reused connection): try again */
		return 1;
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_NOT_BUILT_IN:
		return 0;
	default:
		return 1;
	}
}

/* An attempt ended: say how, and hand x to its caller. */
static int
complete(struct http *t, CURL *h, CURLcode rc, ierr *e)
{
	struct http_xfer *x = NULL;

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	curl_multi_remove_handle(t->multi, h);
	curl_easy_cleanup(h);
	x->easy = NULL;
	t->slots[x->slot] = NULL;
	x->slot = -1;
	t->in_flight--;

	if (rc == CURLE_WRITE_ERROR && x->sink_failed) {
		x->outcome = HTTP_SINK_FAILED;
	} else if (rc != CURLE_OK) {
		x->outcome = HTTP_TRANSPORT_FAILED;
		t->n.transport_errors++;
		x->transient = transport_retryable(rc);
		if (rc == CURLE_ABORTED_BY_CALLBACK && x->stalled)
			ierr_set(&x->e, "Timeout: the answer stalled, nothing received for %ld s (--stall-timeout)",
				 t->p.stall_timeout);
		else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
			ierr_set(&x->e, "the answer is not HTTP (bytes an earlier answer sent past its Content-Length?)");
		else if (rc == CURLE_OPERATION_TIMEDOUT && log_now() - x->started >= t->p.timeout)
			ierr_set(&x->e, "Timeout: no complete answer within %ld s (--timeout)", t->p.timeout);
		else
			ierr_set(&x->e, "%s", curl_easy_strerror(rc));
	} else {
		x->outcome = HTTP_ANSWERED;
	}
	return x->ops->on_end(x, e);
}

int
http_perform(struct http *t, ierr *e)
{
	struct CURLMsg *m;
	int still, left;

	if (curl_multi_perform(t->multi, &still) != CURLM_OK)
		return ierr_set(e, "libcurl: the transfer loop failed");
	while ((m = curl_multi_info_read(t->multi, &left)))
		if (m->msg == CURLMSG_DONE && complete(t, m->easy_handle, m->data.result, e) < 0)
			return -1;
	return 0;
}

/* Unlink and return the first queued transfer that may start now: its
 * backoff is over and its gate lets it through. NULL when none may; *wait
 * is then lowered to when one might. */
static struct http_xfer *
pick(struct http *t, double now, double *wait)
{
	struct http_xfer *x, *prev = NULL;
	double w;

	for (x = t->queue_head; x; prev = x, x = x->next) {
		if (x->ready_at > now)
			w = x->ready_at - now;
		else
			w = x->ops->gate ? x->ops->gate(x, now) : 0;
		if (w > 0) {
			if (w < *wait)
				*wait = w;
			continue;
		}
		if (prev)
			prev->next = x->next;
		else
			t->queue_head = x->next;
		if (t->queue_tail == x)
			t->queue_tail = prev;
		x->next = NULL;
		return x;
	}
	return NULL;
}

int
http_start_due(struct http *t, double *wait, ierr *e)
{
	double now = log_now();

	while (t->in_flight < t->p.parallel) {
		struct http_xfer *x = pick(t, now, wait);

		if (!x)
			break;
		if (start(t, x, now, e) < 0) {
			x->ops->drop(x);
			return -1;
		}
		*wait = 0;	/* let libcurl start it */
	}
	return 0;
}

int
http_idle(const struct http *t)
{
	return !t->in_flight && !t->queue_head;
}

int
http_poll(struct http *t, double wait, ierr *e)
{
	if (curl_multi_poll(t->multi, NULL, 0, wait <= 0 ? 0 : (int)ceil(wait * 1000), NULL) != CURLM_OK)
		return ierr_set(e, "libcurl: poll failed");
	return 0;
}

void
http_drop_all(struct http *t)
{
	struct http_xfer *x;
	int i;

	while ((x = t->queue_head)) {
		t->queue_head = x->next;
		x->ops->drop(x);
	}
	t->queue_tail = NULL;
	for (i = 0; i < t->p.parallel; i++) {
		if (!(x = t->slots[i]))
			continue;
		curl_multi_remove_handle(t->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		t->slots[i] = NULL;
		x->ops->drop(x);
	}
	t->in_flight = 0;
}

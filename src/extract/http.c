/* http: the requests of a run over one libcurl multi handle.
 *
 * Up to --parallel transfers are in flight at once over reused connections
 * (compressed when the server offers it). A request starts only when it is
 * due (its backoff is over), no 429 pause is running, and the shared rate
 * limiter lets it through. 429, 5xx, transport errors and broken bodies are
 * retried with exponential backoff and full jitter, honouring Retry-After;
 * other 4xx are not. 401, 402 and Cloudflare's 403 1010 refuse the
 * workspace (they concern its key, its plan or the client, not one
 * campaign); another 403 (a scope) fails the campaign it was about.
 * The key goes to no proxy in clear (no_clear_proxy()). */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "archive.h"
#include "extract.h"
#include "log.h"

#define MAX_BACKOFF 60.0	/* seconds */

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct ex_req *q = ud;
	size_t n = size * nmemb;

	q->last_rx = log_now();
	if (!q->got_bytes) {
		q->got_bytes = 1;
		curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
		utc_now_iso(q->extracted_at);
	}
	if (q->status != 200) {	/* an error body: keep its start for the message */
		size_t room = q->errbody.max - q->errbody.len;

		buf_append(&q->errbody, ptr, n < room ? n : room);
		return n;
	}
	if (page_feed(q->pg, ptr, n, &q->e) < 0) {
		q->body_failed = 1;
		if (page_bound_tripped(q->pg))
			q->untrusted = 1;	/* a bound: the same again if retried */
		return 0;	/* CURLE_WRITE_ERROR */
	}
	return n;
}

/* Retry-After, in seconds or as an HTTP date (libcurl's CURLINFO_RETRY_AFTER
 * cannot tell an absent header from "0"). */
static size_t
on_header(char *ptr, size_t size, size_t nitems, void *ud)
{
	struct ex_req *q = ud;
	size_t n = size * nitems, i = 12;
	char v[128];

	q->last_rx = log_now();

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
			q->retry_after = strtod(v, NULL);
		} else {
			time_t when = curl_getdate(v, NULL);

			if (when > 0)
				q->retry_after = when > time(NULL) ? (double)(when - time(NULL)) : 0;
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

/* Once the answer has begun, nothing for --stall-timeout seconds ends the
 * attempt (a server that stalls mid-body); before its first byte the
 * server may think for up to --timeout. libcurl calls this at least about
 * once a second, data or not. */
static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct ex_req *q = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (q->last_rx > 0 && log_now() - q->last_rx > (double)q->run->opts->stall_timeout) {
		q->stalled = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

void
http_enqueue(struct ex_run *r, struct ex_req *q, double delay)
{
	q->ready_at = log_now() + delay;
	q->next = NULL;
	if (r->queue_tail)
		r->queue_tail->next = q;
	else
		r->queue_head = q;
	r->queue_tail = q;
}

static int
start(struct ex_run *r, struct ex_req *q, double now, ierr *e)
{
	const struct ex_opts *o = r->opts;
	CURL *h = curl_easy_init();
	int post = q->kind == K_LEADS;

	if (!h)
		return ierr_set(e, "out of memory");
	q->easy = h;
	q->got_bytes = 0;
	q->last_rx = 0;
	q->stalled = 0;
	q->retry_after = -1;
	q->started = now;
	q->attempt++;
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, q);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, post ? q->ws->hdr_post : q->ws->hdr_get);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "instantly-etl/" PACKAGE_VERSION " (instantly-extract)");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");	/* every encoding libcurl can decode */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);	/* on_progress: --stall-timeout */
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, q);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);	/* the key goes to the base URL only */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	no_clear_proxy(h, q->url);
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body.p);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)q->body.len);
	}
	if (curl_multi_add_handle(r->multi, h) != CURLM_OK) {
		curl_easy_cleanup(h);
		q->easy = NULL;
		return ierr_set(e, "libcurl: cannot add a transfer");
	}
	for (q->slot = 0; r->flying[q->slot]; q->slot++)
		;	/* in_flight < parallel: there is a free slot */
	r->flying[q->slot] = q;
	rl_take(&q->ws->rl_second, now);
	if (q->ws->use_minute)
		rl_take(&q->ws->rl_minute, now);
	r->in_flight++;
	r->n.requests++;
	return 0;
}

/* Rate control after a 429 (someone else uses the workspace too, or the
 * limit is lower than configured): the rate is halved, at most
 * once a second however many 429s a burst brings; each good answer then
 * gives back 1/200 of the configured rate, up to it. */
static void
rate_cut(struct ex_workspace *ws, double now, double wait)
{
	if (now - ws->last_cut < 1.0 || ws->rl_second.rate <= 0.5)
		return;
	ws->last_cut = now;
	ws->rl_second.rate *= 0.5;
	if (ws->rl_second.rate < 0.5)
		ws->rl_second.rate = 0.5;
	log_info("rate limited (429)%s%s: pausing %.1f s, then at most %.1f requests/s",
		 ws->key_env[0] ? " in the workspace of " : "", ws->key_env, wait, ws->rl_second.rate);
}

static void
rate_recover(struct ex_workspace *ws, double full)
{
	if (ws->rl_second.rate < full) {
		ws->rl_second.rate += full / 200;
		if (ws->rl_second.rate > full)
			ws->rl_second.rate = full;
	}
}

/* Seconds before a request of ws may start: its 429 pause, its limiters. */
static double
ws_wait(const struct ex_workspace *ws, double now)
{
	double w = ws->pause_until - now, l = rl_wait(&ws->rl_second, now);

	if (l > w)
		w = l;
	if (ws->use_minute && (l = rl_wait(&ws->rl_minute, now)) > w)
		w = l;
	return w;
}

/* Seconds before attempt number `attempt` + 1: retry_wait * 2^(attempt-1),
 * capped, with full jitter (a random half to all of it). */
static double
backoff(struct ex_run *r, int attempt)
{
	double d = r->opts->retry_wait * pow(2, attempt - 1);

	if (d > MAX_BACKOFF)
		d = MAX_BACKOFF;
	return d * (0.5 + 0.5 * (rand_r(&r->rng) / (double)RAND_MAX));
}

/* The start of an error body, printable, for a message. */
static const char *
body_snippet(struct ex_req *q, char *out, size_t outlen)
{
	size_t i, j = 0;

	for (i = 0; i < q->errbody.len && j + 1 < outlen && j < 200; i++) {
		unsigned char c = (unsigned char)q->errbody.p[i];

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

static int
complete(struct ex_run *r, CURL *h, CURLcode rc, ierr *e)
{
	struct ex_req *q = NULL;
	long status = 0;
	double now = log_now(), wait;
	int retry = 0, fatal = 0;
	char snip[256];

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&q);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(r->multi, h);
	curl_easy_cleanup(h);
	q->easy = NULL;
	r->flying[q->slot] = NULL;
	r->in_flight--;

	if (q->output_failed) {	/* writing the archive failed: stop */
		ierr_set(e, "%s", q->e.msg);
		api_free_req(q);
		return -1;
	}
	if (q->ws->refused) {	/* the API refused its workspace meanwhile */
		ierr_set(&q->e, "%s", q->ws->error);
		if (q->kind == K_LIST_CAMPAIGNS)
			api_free_req(q);
		else
			api_failed(q, 0);
		return 0;
	}

	if (rc == CURLE_WRITE_ERROR && q->body_failed) {
		retry = !q->untrusted;
		ierr_prefix(&q->e, "bad response");
	} else if (rc != CURLE_OK) {
		r->n.transport_errors++;
		retry = transport_retryable(rc);
		if (rc == CURLE_ABORTED_BY_CALLBACK && q->stalled)
			ierr_set(&q->e, "Timeout: the answer stalled, nothing received for %ld s (--stall-timeout)",
				 r->opts->stall_timeout);
		else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
			ierr_set(&q->e, "the answer is not HTTP (bytes an earlier answer sent past its Content-Length?)");
		else if (rc == CURLE_OPERATION_TIMEDOUT && now - q->started >= r->opts->timeout)
			ierr_set(&q->e, "Timeout: no complete answer within %ld s (--timeout)", r->opts->timeout);
		else
			ierr_set(&q->e, "%s", curl_easy_strerror(rc));
	} else if (status == 200) {
		rate_recover(q->ws, r->opts->rate);
		if (!q->extracted_at[0])
			utc_now_iso(q->extracted_at);
		if (page_finish(q->pg, &q->e) < 0) {
			retry = !q->untrusted;
			ierr_prefix(&q->e, "bad response");
		} else if (page_api_error(q->pg)) {
			ierr_set(&q->e, "HTTP 200 with an error: %.200s", page_api_error(q->pg));
		} else {
			log_debug("%s %s: 200, %zu items, %.0f ms", q->kind == K_LEADS ? "POST" : "GET", q->url,
				  page_items(q->pg), (now - q->started) * 1000);
			return api_done(q, e);
		}
	} else if (status == 429) {
		r->n.http_429++;
		retry = 1;
		ierr_set(&q->e, "HTTP 429 (rate limited)");
	} else if (status >= 500 && status <= 599) {
		r->n.http_5xx++;
		retry = 1;
		ierr_set(&q->e, "HTTP %ld: %s", status, body_snippet(q, snip, sizeof snip));
	} else if (status == 401 || status == 402 || status == 403) {
		int cloudflare;

		body_snippet(q, snip, sizeof snip);
		cloudflare = status == 403 && strstr(snip, "error code: 1010") != NULL;
		/* the key, the plan and Cloudflare concern the whole workspace;
		 * a missing scope (403) only the endpoint, unless it is the
		 * campaign listing (then nothing can be fetched) */
		fatal = status != 403 || cloudflare || q->kind == K_LIST_CAMPAIGNS;
		ierr_set(&q->e, "HTTP %ld: %s%s", status, snip,
			 status == 401 ? " (check the API key)"
			 : status == 402 ? " (the workspace has no paid plan)"
			 : cloudflare ? " (Cloudflare refused the client)" : " (the key lacks a scope)");
	} else {
		ierr_set(&q->e, "HTTP %ld: %s", status, body_snippet(q, snip, sizeof snip));
	}
	log_debug("%s %s: %s (attempt %d, %.0f ms)", q->kind == K_LEADS ? "POST" : "GET", q->url, q->e.msg,
		  q->attempt, (now - q->started) * 1000);

	if (fatal) {
		struct ex_workspace *ws = q->ws;
		char msg[1024];

		snprintf(msg, sizeof msg, "the API refused the %.40s request: %.900s", ex_kind_names[q->kind], q->e.msg);
		if (q->kind == K_LIST_CAMPAIGNS) {
			api_free_req(q);
		} else {
			ierr_set(&q->e, "%s", msg);
			api_failed(q, status);
		}
		api_refuse_workspace(r, ws, msg);
		return 0;
	}
	/* a 429 says "slow down", not "failed": it has a budget of its own */
	if (status == 429)
		q->n429++;
	else if (retry)
		q->fails++;
	if (retry && (status == 429 ? q->n429 <= 4 * r->opts->retries + 4 : q->fails <= r->opts->retries)) {
		wait = backoff(r, status == 429 ? q->n429 : q->fails);
		if (status == 429) {
			if (q->retry_after >= 0) {	/* honoured, up to a limit */
				wait = q->retry_after < r->opts->max_retry_after ? q->retry_after
										 : r->opts->max_retry_after;
				wait += 0.25 * (rand_r(&r->rng) / (double)RAND_MAX);
			}
			/* the workspace is over its limit: all its requests wait */
			if (now + wait > q->ws->pause_until)
				q->ws->pause_until = now + wait;
			rate_cut(q->ws, now, wait);
		}
		r->n.retries++;
		if (api_prepare(q, e) < 0) {
			api_free_req(q);
			return -1;
		}
		http_enqueue(r, q, wait);
		return 0;
	}
	if (retry)
		ierr_prefix(&q->e, "after %d attempts", q->attempt);
	api_failed(q, status);
	return 0;
}

/* Unlink and return the first queued request that may start now: its
 * backoff is over and its workspace's limiter lets it through. NULL when
 * none may; *wait is then lowered to when one might. */
static struct ex_req *
pick(struct ex_run *r, double now, double *wait)
{
	struct ex_req *q, *prev = NULL;
	double w;

	for (q = r->queue_head; q; prev = q, q = q->next) {
		if (q->ready_at > now)
			w = q->ready_at - now;
		else
			w = ws_wait(q->ws, now);
		if (w > 0) {
			if (w < *wait)
				*wait = w;
			continue;
		}
		if (prev)
			prev->next = q->next;
		else
			r->queue_head = q->next;
		if (r->queue_tail == q)
			r->queue_tail = prev;
		q->next = NULL;
		return q;
	}
	return NULL;
}

static void
progress(struct ex_run *r)
{
	if (!r->opts->progress)
		return;
	log_progress("%zu/%zu campaigns done, %llu leads, %llu requests (%llu retried, %llu × 429)", r->camps_done,
		     r->map->ncamps, (unsigned long long)r->n.items[ARCH_LEAD], (unsigned long long)r->n.requests,
		     (unsigned long long)r->n.retries, (unsigned long long)r->n.http_429);
}

static void
drop_all(struct ex_run *r)
{
	struct ex_req *q;
	int i;

	while ((q = r->queue_head)) {
		r->queue_head = q->next;
		api_free_req(q);
	}
	r->queue_tail = NULL;
	for (i = 0; i < r->opts->parallel; i++) {
		if (!(q = r->flying[i]))
			continue;
		curl_multi_remove_handle(r->multi, q->easy);
		curl_easy_cleanup(q->easy);
		api_free_req(q);
		r->flying[i] = NULL;
	}
	r->in_flight = 0;
}

int
http_run(struct ex_run *r, ierr *e)
{
	int rc = 0;

	for (;;) {
		struct CURLMsg *m;
		int still, left;
		double now, wait = 1.0;

		if (curl_multi_perform(r->multi, &still) != CURLM_OK) {
			rc = ierr_set(e, "libcurl: the transfer loop failed");
			break;
		}
		while ((m = curl_multi_info_read(r->multi, &left)))
			if (m->msg == CURLMSG_DONE && complete(r, m->easy_handle, m->data.result, e) < 0) {
				rc = -1;
				goto out;
			}
		if (r->fatal)
			break;
		/* --resume: what the responses wrote, on disk and in the journal */
		if (resume_checkpoint(r, 0, e) < 0) {
			rc = -1;
			goto out;
		}
		now = log_now();
		api_feed(r);	/* campaigns start as requests end (--max-requests) */
		while (r->in_flight < r->opts->parallel) {
			struct ex_req *q = pick(r, now, &wait);

			if (!q)
				break;
			if (start(r, q, now, e) < 0) {
				api_free_req(q);
				rc = -1;
				goto out;
			}
			wait = 0;	/* let libcurl start it */
		}
		if (!r->in_flight && !r->queue_head)
			break;
		progress(r);
		if (curl_multi_poll(r->multi, NULL, 0, wait <= 0 ? 0 : (int)ceil(wait * 1000), NULL) != CURLM_OK) {
			rc = ierr_set(e, "libcurl: poll failed");
			break;
		}
	}
out:
	log_progress_clear();
	drop_all(r);
	return rc;
}

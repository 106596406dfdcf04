/* api: what instantly-extract asks of the Instantly API, and what it does
 * with each answer (docs/instantly-api.md §2, §3, §8 and its field reports).
 *
 *   1. GET /api/v2/campaigns?limit=100, page by page: the mapped campaigns'
 *      objects (the others are skipped unread);
 *   2. a mapped campaign the listing did not show: GET /api/v2/campaigns/{id}
 *      (404: reported as not found, nothing written);
 *   3. per campaign, at once: GET .../analytics/daily?campaign_id=, GET
 *      .../analytics/overview?id= (both with the window), and POST
 *      /api/v2/leads/list {"campaign":id,"limit":100}, page by page.
 *
 * Paging guards: limit=100 always; the end is an empty page or an absent,
 * null or empty cursor, never a short page; a cursor seen before ends the
 * listing and is reported (the listing may be partial: no completion
 * marker).
 *
 * Every rule of the API is here, over the transport of http.h (which knows
 * nothing of it): each request is a transfer whose callbacks are this
 * file's (api_ops). Which method (POST for leads), which headers (the
 * workspace's key), the workspace's gate (its limiters and 429 pause),
 * where a 200's body goes (the page parser, then the spool), and what each
 * ending means: 429 slows the workspace down (Retry-After honoured up to
 * --max-retry-after, the rate halved) and is retried on a budget of its own;
 * 5xx, transport errors and broken bodies are retried on --retries; 401,
 * 402 and Cloudflare's 403 1010 refuse the workspace (they concern its
 * key, its plan or the client, not one campaign); another 403 (a scope)
 * fails the campaign it was about, unless it is the campaign listing;
 * other 4xx fail the request (404 of a campaign: not found). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "archive.h"
#include "extract.h"
#include "jsonout.h"
#include "log.h"

#define MAX_ITEM ((size_t)64 << 20)	/* the transform's limit for one record */
/* A date alone means its UTC midnight to the API (§6), and whether end_date
 * is included is not documented: the last instant of the last day asks for
 * all of it either way. */
#define END_OF_DAY "T23:59:59.999Z"

const char *const ex_kind_names[K_NKINDS] = {
	"campaign listing", "campaign", "daily analytics", "analytics overview", "lead listing",
};

static struct ex_req *api_new_req(struct ex_run *r, enum ex_kind kind, struct ex_workspace *ws,
				  struct ex_campaign *c);
static void api_free_req(struct ex_req *q);
static int api_prepare(struct ex_req *q, ierr *e);	/* url, body, parser for an attempt */
static int api_done(struct ex_req *q, ierr *e);
static void api_failed(struct ex_req *q, long http_status);
static void api_refuse_workspace(struct ex_run *r, struct ex_workspace *ws, const char *msg);
static void api_feed(struct ex_run *r);
static const struct http_ops api_ops;

void
utc_now_iso(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

/* A cursor's hash: FNV-1a, then the splitmix64 finaliser; never 0 (the
 * empty slot). */
static uint64_t
cursor_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h ? h : 1;
}

static int
cursor_set_put(struct cursor_set *cs, uint64_t h)
{
	size_t i;

	for (i = h & (cs->cap - 1); cs->slot[i]; i = (i + 1) & (cs->cap - 1))
		if (cs->slot[i] == h)
			return 1;
	cs->slot[i] = h;
	cs->n++;
	return 0;
}

/* Was cursor followed before in this listing? If not, remember it. -1: out
 * of memory. */
int
api_cursor_seen(struct cursor_set *cs, const char *cursor)
{
	uint64_t h = cursor_hash(cursor);

	if (2 * (cs->n + 1) > cs->cap) {	/* at most half full */
		struct cursor_set bigger = { NULL, cs->cap ? 2 * cs->cap : 64, 0 };
		size_t i;

		if (!(bigger.slot = calloc(bigger.cap, sizeof *bigger.slot)))
			return -1;
		for (i = 0; i < cs->cap; i++)
			if (cs->slot[i])
				cursor_set_put(&bigger, cs->slot[i]);
		free(cs->slot);
		*cs = bigger;
	}
	return cursor_set_put(cs, h);
}

void
api_cursor_set_free(struct cursor_set *cs)
{
	free(cs->slot);
	memset(cs, 0, sizeof *cs);
}

/* Append to a campaign's error (a campaign can fail in several ways); held
 * at its length (a map of 100,000 unknown campaigns holds 100,000). */
#define CAMP_ERROR_MAX 1024
static void __attribute__((format(printf, 2, 3)))
camp_error(struct ex_campaign *c, const char *fmt, ...)
{
	char msg[CAMP_ERROR_MAX];
	size_t n = c->error ? strlen(c->error) : 0, m;
	va_list ap;
	char *p;

	if (n + 3 >= CAMP_ERROR_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg - n - 2, fmt, ap);
	va_end(ap);
	m = strlen(msg);
	if (!(p = realloc(c->error, n + (n ? 2 : 0) + m + 1)))
		return;	/* the status still says it is not complete */
	if (n)
		memcpy(p + n, "; ", 2), n += 2;
	memcpy(p + n, msg, m + 1);
	c->error = p;
}

/* ---- archive lines ----------------------------------------------------- */

static int
envelope(struct ex_req *q, enum arch_type type, const char *client, const char *data, size_t n, ierr *e)
{
	struct ex_run *r = q->run;
	buf *b = &r->line;
	int window = type == ARCH_ANALYTICS_DAILY || type == ARCH_ANALYTICS_OVERVIEW;

	buf_reset(b);
	if (arch_head(b, type, client, q->camp->id, q->extracted_at, window ? r->opts->since : NULL,
		      window ? r->opts->until : NULL) < 0 ||
	    buf_append(b, data, n) < 0 || buf_puts(b, "}\n") < 0)
		return ierr_set(e, "an item is too large (%zu bytes)", n);
	switch (spool_add(&q->spool, b->p, b->len, e)) {
	case 0:
		break;
	case IERR_LIMIT:	/* --max-spill: the response's fault; the same again if retried */
		q->untrusted = 1;
		return -1;
	default:
		q->output_failed = 1;	/* not the response's fault: no retry */
		return -1;
	}
	q->nitems[type]++;	/* counted in the run when the response is committed */
	return 0;
}

/* One line per client the campaign is mapped to. */
static int
envelopes(struct ex_req *q, enum arch_type type, const char *data, size_t n, ierr *e)
{
	size_t i;

	for (i = 0; i < q->camp->nclients; i++)
		if (envelope(q, type, q->camp->clients[i], data, n, e) < 0)
			return -1;
	return 0;
}

static int
on_item(void *ctx, const char *item, size_t n, const char *tag, ierr *e)
{
	struct ex_req *q = ctx;
	struct ex_campaign *c;

	switch (q->kind) {
	case K_LIST_CAMPAIGNS: {
		size_t i;

		if (!tag || !(c = ex_map_find(q->run->map, tag, strlen(tag))) || c->ws != q->ws)
			return 0;	/* not mapped: nothing of it is written */
		if (c->listed)
			return 0;	/* on an earlier page already */
		for (i = 0; i < q->listed.len / sizeof c; i++)
			if (((struct ex_campaign **)(void *)q->listed.p)[i] == c)
				return 0;	/* twice on this page */
		if (buf_append(&q->listed, &c, sizeof c) < 0)
			return ierr_oom(e);
		q->camp = c;
		if (envelopes(q, ARCH_CAMPAIGN, item, n, e) < 0)
			return -1;
		q->camp = NULL;
		return 0;
	}
	case K_GET_CAMPAIGN:
		if (tag && strcasecmp(tag, q->camp->id) != 0)
			return ierr_set(e, "asked for campaign %s, the API sent campaign %s", q->camp->id, tag);
		return envelopes(q, ARCH_CAMPAIGN, item, n, e);
	case K_DAILY:
		return envelopes(q, ARCH_ANALYTICS_DAILY, item, n, e);
	case K_OVERVIEW:
		return envelopes(q, ARCH_ANALYTICS_OVERVIEW, item, n, e);
	case K_LEADS:
		/* the API ignores a filter it does not know (§8.2): a lead of
		 * another campaign means the listing cannot be trusted */
		if (tag && strcasecmp(tag, q->camp->id) != 0) {
			q->untrusted = 1;
			return ierr_set(e, "the lead listing of campaign %s returned a lead of campaign %.40s",
					q->camp->id, tag);
		}
		return envelopes(q, ARCH_LEAD, item, n, e);
	case K_NKINDS:
		break;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

/* A request of kind (for c, or the campaign listing of ws), with no URL
 * yet (api_prepare()). NULL: out of memory. */
static struct ex_req *
api_new_req(struct ex_run *r, enum ex_kind kind, struct ex_workspace *ws, struct ex_campaign *c)
{
	static const struct { enum page_shape shape; const char *tag; } shapes[K_NKINDS] = {
		[K_LIST_CAMPAIGNS] = { PAGE_LIST, "id" },
		[K_GET_CAMPAIGN] = { PAGE_OBJECT, "id" },
		[K_DAILY] = { PAGE_ARRAY, NULL },
		[K_OVERVIEW] = { PAGE_OBJECT, NULL },
		[K_LEADS] = { PAGE_LIST, "campaign" },
	};
	struct ex_req *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	http_xfer_init(&q->x, &api_ops, q);
	q->kind = kind;
	q->camp = c;
	q->ws = c ? c->ws : ws;
	q->run = r;
	/* the lead listing is a POST (§8.2), the rest GETs; the workspace's key */
	q->x.post = kind == K_LEADS;
	q->x.headers = q->x.post ? q->ws->hdr_post : q->ws->hdr_get;
	buf_init(&q->listed, 1 << 20);
	spool_init(&q->spool);
	q->spool.max = r->opts->max_spill;
	r->held++;
	if (!(q->pg = page_new(shapes[kind].shape, shapes[kind].tag, MAX_ITEM))) {
		api_free_req(q);
		return NULL;
	}
	page_set_limits(q->pg, (size_t)r->opts->max_response, r->opts->max_depth);
	if (c)
		c->open_jobs += kind != K_GET_CAMPAIGN;
	return q;
}

static void
api_free_req(struct ex_req *q)
{
	if (!q)
		return;
	q->run->held--;
	api_cursor_set_free(&q->seen);
	page_free(q->pg);
	http_xfer_free(&q->x);
	buf_free(&q->listed);
	spool_free(&q->spool);
	free(q);
}

/* Percent-encode s for a query string (RFC 3986 unreserved kept). */
static int
url_escape(buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			if (buf_putc(b, c) < 0)
				return -1;
		} else if (buf_putc(b, '%') < 0 || buf_putc(b, hex[c >> 4]) < 0 || buf_putc(b, hex[c & 15]) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
api_prepare(struct ex_req *q, ierr *e)
{
	const struct ex_opts *o = q->run->opts;
	const char *id = q->camp ? q->camp->id : "";
	buf u;
	int rc = 0;

	buf_init(&u, sizeof q->x.url - 1);
	buf_puts(&u, o->base_url);
	switch (q->kind) {
	case K_LIST_CAMPAIGNS:
		rc = buf_puts(&u, "/api/v2/campaigns?limit=100");
		if (q->cursor[0] && rc == 0)
			rc = buf_puts(&u, "&starting_after=") < 0 || url_escape(&u, q->cursor) < 0 ? -1 : 0;
		break;
	case K_GET_CAMPAIGN:
		rc = buf_printf(&u, "/api/v2/campaigns/%s", id);
		break;
	case K_DAILY:
		rc = buf_printf(&u, "/api/v2/campaigns/analytics/daily?campaign_id=%s&start_date=%s&end_date=%s" END_OF_DAY,
				id, o->since, o->until);
		break;
	case K_OVERVIEW:
		rc = buf_printf(&u, "/api/v2/campaigns/analytics/overview?id=%s&start_date=%s&end_date=%s" END_OF_DAY,
				id, o->since, o->until);
		break;
	case K_LEADS:
		rc = buf_puts(&u, "/api/v2/leads/list");
		buf_reset(&q->x.body);
		/* the singular "campaign": the only key the API filters on (§8.2) */
		if (rc == 0)
			rc = buf_printf(&q->x.body, "{\"campaign\":\"%s\",\"limit\":100", id);
		if (rc == 0 && q->cursor[0])
			rc = buf_puts(&q->x.body, ",\"starting_after\":") < 0 ||
			     jsonout_cstr(&q->x.body, q->cursor) < 0 ? -1 : 0;
		if (rc == 0)
			rc = buf_putc(&q->x.body, '}');
		break;
	case K_NKINDS:
		break;
	}
	if (rc < 0 || buf_putc(&u, '\0') < 0) {
		buf_free(&u);
		return ierr_set(e, "the request is too long (a cursor of %zu bytes?)", strlen(q->cursor));
	}
	memcpy(q->x.url, u.p, u.len);
	buf_free(&u);
	spool_discard(&q->spool);
	q->extracted_at[0] = '\0';
	q->untrusted = 0;
	q->output_failed = 0;
	memset(q->nitems, 0, sizeof q->nitems);
	buf_reset(&q->listed);
	ierr_clear(&q->x.e);
	if (page_reset(q->pg, on_item, q) < 0)
		return ierr_oom(e);
	return 0;
}

/* ---- after a response ---------------------------------------------------- */

static void
campaign_job_done(struct ex_run *r, struct ex_campaign *c)
{
	if (--c->open_jobs > 0)
		return;
	if (c->status == CS_PENDING)
		c->status = CS_OK;
	r->camps_done++;
	/* a campaign that is not complete is an error, printed at every
	 * verbosity (-q too); "not found" is a warning (exit status 0) */
	if (c->status != CS_OK && c->status != CS_NOT_FOUND)
		log_error("campaign %s: %s", c->id, c->error ? c->error : "failed");
}

/* Requests could not be made for c (out of memory): it fails, the run
 * goes on. */
static void
campaign_cannot_start(struct ex_run *r, struct ex_campaign *c, const char *why)
{
	c->status = CS_FAILED;
	camp_error(c, "%s", why);
	r->camps_done++;
	log_error("campaign %s: %s", c->id, c->error ? c->error : why);
}

/* The lead listing of c went on past --max-pages: not known to be complete. */
static void
leads_past_max_pages(struct ex_run *r, struct ex_campaign *c, uint64_t pages)
{
	c->status = CS_FAILED;
	camp_error(c, "the lead listing still goes on after %llu pages (%llu leads): stopped at the bound "
		   "--max-pages %llu (no leads_complete record); raise --max-pages if the campaign "
		   "really has more than %llu leads", (unsigned long long)pages,
		   (unsigned long long)c->leads, (unsigned long long)r->opts->max_pages,
		   (unsigned long long)r->opts->max_pages * 100);
}

/* Make and queue c's three requests (its leads, daily analytics and
 * overview); all or none. After --resume, only those the interrupted run
 * did not finish, the lead listing from where it stood. */
static void
queue_campaign(struct ex_run *r, struct ex_campaign *c)
{
	enum ex_kind kinds[3];
	struct ex_req *q[3] = { NULL, NULL, NULL };
	size_t i, n = 0;
	ierr e;

	if (!c->leads_done) {
		if (c->rs_cursor && c->rs_pages >= r->opts->max_pages)
			leads_past_max_pages(r, c, c->rs_pages);	/* where the interrupted run stopped it */
		else
			kinds[n++] = K_LEADS;
	}
	if (!c->daily_done)
		kinds[n++] = K_DAILY;
	if (!c->overview)
		kinds[n++] = K_OVERVIEW;
	for (i = 0; i < n; i++) {
		if (!(q[i] = api_new_req(r, kinds[i], NULL, c)))
			break;
		if (kinds[i] == K_LEADS && c->rs_cursor) {
			snprintf(q[i]->cursor, sizeof q[i]->cursor, "%s", c->rs_cursor);
			q[i]->pages = c->rs_pages;
			q[i]->seen = c->rs_seen;
			memset(&c->rs_seen, 0, sizeof c->rs_seen);
			free(c->rs_cursor);
			c->rs_cursor = NULL;
		}
		if (api_prepare(q[i], &e) < 0)
			break;
	}
	if (i < n) {
		for (i = 0; i < n; i++)
			api_free_req(q[i]);
		c->open_jobs = 0;
		campaign_cannot_start(r, c, "out of memory making its requests");
		return;
	}
	if (n == 0) {	/* all done before an interruption */
		c->open_jobs = 1;
		campaign_job_done(r, c);
		return;
	}
	for (i = 0; i < n; i++)
		http_enqueue(&r->http, &q[i]->x, 0);
}

/* c was not in the listing: ask for it by id (a 404 is "not found"). */
static void
queue_get_campaign(struct ex_run *r, struct ex_campaign *c)
{
	struct ex_req *q = api_new_req(r, K_GET_CAMPAIGN, NULL, c);
	ierr e;

	if (!q || api_prepare(q, &e) < 0) {
		api_free_req(q);
		campaign_cannot_start(r, c, "out of memory making its requests");
		return;
	}
	c->open_jobs++;
	http_enqueue(&r->http, &q->x, 0);
}

/* The next campaign of ws that has not started, or NULL. */
static struct ex_campaign *
ws_next_campaign(struct ex_run *r, struct ex_workspace *ws)
{
	for (; ws->feed_next < r->map->ncamps; ws->feed_next++) {
		struct ex_campaign *c = &r->map->camps[ws->feed_next];

		if (c->ws == ws && !c->opened && c->status == CS_PENDING)
			return c;
	}
	return NULL;
}

/* Make the requests of the campaigns whose turn it is, as long as fewer
 * than --max-requests are held (memory grows with requests in flight, not
 * with the client map). Called after every request ends. */
static void
api_feed(struct ex_run *r)
{
	size_t max = (size_t)r->opts->max_requests, w = 0;

	for (;;) {
		struct ex_campaign *c = NULL;
		int ready = 0;

		/* campaigns the API showed by id, waiting for room */
		while ((c = r->ready_head) && (c->status != CS_PENDING || c->ws->refused)) {
			r->ready_head = c->ready_next;	/* failed meanwhile (its workspace refused) */
			c->ready_next = NULL;
		}
		if (!r->ready_head)
			r->ready_tail = NULL;
		if (c) {
			ready = 1;
		} else {
			for (; w < r->map->nws; w++) {
				struct ex_workspace *ws = &r->map->ws[w];

				if (!ws->same && ws->listing_over && !ws->refused && (c = ws_next_campaign(r, ws)))
					break;
			}
			if (!c)
				return;
		}
		/* room for its requests (one at least, whatever the bound) */
		if (r->held > 0 && r->held + (ready || c->listed ? 3 : 1) > max)
			return;
		c->opened = 1;
		if (ready) {
			r->ready_head = c->ready_next;
			if (!r->ready_head)
				r->ready_tail = NULL;
			c->ready_next = NULL;
			queue_campaign(r, c);
		} else if (c->listed) {
			queue_campaign(r, c);
		} else {
			queue_get_campaign(r, c);
		}
	}
}

/* A workspace's campaign listing is over: its mapped campaigns may start
 * (api_feed() makes their requests as room frees up). */
static void
listing_done(struct ex_run *r, struct ex_workspace *ws)
{
	ws->listing_over = 1;
	api_feed(r);
}

int
api_start(struct ex_run *r, ierr *e)
{
	size_t i;

	for (i = 0; i < r->map->nws; i++) {	/* one campaign listing per workspace */
		struct ex_workspace *ws = &r->map->ws[i];
		struct ex_req *q;

		if (ws->same)
			continue;	/* the same key as another: the same workspace */
		if (ws->listing_over)
			continue;	/* over before an interruption (--resume) */
		q = api_new_req(r, K_LIST_CAMPAIGNS, ws, NULL);
		if (q && ws->rs_cursor) {	/* --resume: from where it stood */
			snprintf(q->cursor, sizeof q->cursor, "%s", ws->rs_cursor);
			q->pages = ws->rs_pages;
			q->seen = ws->rs_seen;
			memset(&ws->rs_seen, 0, sizeof ws->rs_seen);
			free(ws->rs_cursor);
			ws->rs_cursor = NULL;
		}
		if (!q || api_prepare(q, e) < 0) {
			api_free_req(q);
			return ierr_oom(e);
		}
		http_enqueue(&r->http, &q->x, 0);
	}
	return 0;
}

static const char *
ws_name(const struct ex_workspace *ws)
{
	return ws->key_env[0] ? ws->key_env : "INSTANTLY_API_KEY";
}

static int
of_workspace(const struct http_xfer *x, void *ws)
{
	return ((const struct ex_req *)x->user)->ws == ws;
}

/* The API refused a workspace (msg): its campaigns fail, its queued
 * requests are dropped; when every workspace is refused, the run stops. */
static void
api_refuse_workspace(struct ex_run *r, struct ex_workspace *ws, const char *msg)
{
	struct http_xfer *x, *next;
	size_t i, refused = 0;

	if (!ws->refused) {
		ws->refused = 1;
		snprintf(ws->error, sizeof ws->error, "%s", msg);
		if (r->map->nws > 1)
			log_error("the workspace of %s: %s; its campaigns are not fetched", ws_name(ws), msg);
	}
	/* its queued requests fail their campaigns */
	for (x = http_unqueue(&r->http, of_workspace, ws); x; x = next) {
		struct ex_req *q = x->user;

		next = x->next;
		ierr_set(&x->e, "%s", ws->error);
		if (q->kind == K_LIST_CAMPAIGNS)
			api_free_req(q);
		else
			api_failed(q, 0);
	}
	/* and so do its campaigns that have no request yet */
	for (i = 0; i < r->map->ncamps; i++) {
		struct ex_campaign *c = &r->map->camps[i];

		if (c->ws == ws && c->status == CS_PENDING && c->open_jobs == 0) {
			c->status = CS_FAILED;
			camp_error(c, "%s", ws->error);
			r->camps_done++;
		}
	}
	for (i = 0; i < r->map->nws; i++)
		refused += r->map->ws[i].refused || r->map->ws[i].same;
	if (refused == r->map->nws) {
		r->fatal = 1;
		snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s%s", r->map->nws > 1 ? "every workspace was refused; the last: " : "", msg);
	}
}

static int
leads_complete(struct ex_run *r, struct ex_campaign *c, ierr *e)
{
	char at[32];
	size_t i;

	utc_now_iso(at);
	for (i = 0; i < c->nclients; i++) {
		buf *b = &r->line;

		buf_reset(b);
		if (arch_head(b, ARCH_LEADS_COMPLETE, c->clients[i], c->id, at, NULL, NULL) < 0 ||
		    buf_printf(b, "{\"leads\":%llu,\"pages\":%llu}}\n", (unsigned long long)c->leads,
			       (unsigned long long)c->lead_pages) < 0)
			return ierr_oom(e);
		if (ex_out_write(r->out, b->p, b->len, e) < 0)
			return -1;
		r->out->lines++;
		r->n.items[ARCH_LEADS_COMPLETE]++;
	}
	return 0;
}

enum { LIST_END, LIST_REPEATED, LIST_MORE };

/* Where a listing stands after this page: its end (an empty page, or no
 * cursor), a cursor it sent before, or a next page. */
static int
list_state(struct ex_req *q, struct cursor_set *seen, int *state)
{
	const char *cursor = page_cursor(q->pg);
	int s;

	*state = LIST_END;
	if (page_items(q->pg) == 0 || !cursor)
		return 0;
	if ((s = api_cursor_seen(seen, cursor)) < 0)
		return -1;
	*state = s ? LIST_REPEATED : LIST_MORE;
	return 0;
}

/* Ask for the next page of q's listing. */
static int
follow(struct ex_req *q, ierr *e)
{
	strcpy(q->cursor, page_cursor(q->pg));	/* page.c caps cursors at 1024 bytes */
	http_xfer_fresh(&q->x);
	if (api_prepare(q, e) < 0) {
		api_free_req(q);
		return -1;
	}
	http_enqueue(&q->run->http, &q->x, 0);
	return 0;
}

/* A response is complete and good: write it, queue what follows. -1: output
 * error (e set). */
static int
api_done(struct ex_req *q, ierr *e)
{
	struct ex_run *r = q->run;
	struct ex_campaign *c = q->camp;
	struct ex_workspace *ws = q->ws;
	size_t dropped = 0, i;
	int state = LIST_END;

	if (q->kind == K_LIST_CAMPAIGNS || q->kind == K_LEADS) {
		q->pages++;
		if (list_state(q, &q->seen, &state) < 0) {
			api_free_req(q);
			return ierr_oom(e);
		}
		if (state == LIST_REPEATED) {
			/* a page that brings back a cursor already followed is not
			 * trusted: none of its items is written (it may repeat an
			 * earlier page) */
			dropped = page_items(q->pg);
			spool_discard(&q->spool);
			memset(q->nitems, 0, sizeof q->nitems);
			buf_reset(&q->listed);
		}
	}
	if (spool_commit(&q->spool, r->out, e) < 0) {
		api_free_req(q);
		return -1;
	}
	for (i = 0; i < ARCH_NTYPES; i++)
		r->n.items[i] += q->nitems[i];
	switch (q->kind) {
	case K_LIST_CAMPAIGNS:
		for (i = 0; i < q->listed.len / sizeof c; i++)
			((struct ex_campaign **)(void *)q->listed.p)[i]->listed = 1;
		if (state == LIST_MORE && q->pages >= r->opts->max_pages) {
			log_warn("the campaign listing%s%s still goes on after %llu pages (--max-pages); it ends there, "
				 "and mapped campaigns it did not show are asked for one by one",
				 ws->key_env[0] ? " of the workspace of " : "", ws->key_env, (unsigned long long)q->pages);
			state = LIST_END;
		}
		resume_note_list(r, ws, state == LIST_MORE ? page_cursor(q->pg) : NULL,
				 (struct ex_campaign *const *)(void *)q->listed.p, q->listed.len / sizeof c);
		if (state == LIST_MORE)
			return follow(q, e);
		if (state == LIST_REPEATED)
			log_warn("the campaign listing sent the cursor %.64s a second time; it ends there (%zu items of that "
				 "page not trusted), and mapped campaigns it did not show are asked for one by one",
				 page_cursor(q->pg), dropped);
		api_free_req(q);
		listing_done(r, ws);
		return 0;
	case K_GET_CAMPAIGN:
		c->listed = 1;
		resume_note(r, 'G', c, 0);
		c->open_jobs--;
		api_free_req(q);
		/* its three requests when there is room (api_feed) */
		c->ready_next = NULL;
		if (r->ready_tail)
			r->ready_tail->ready_next = c;
		else
			r->ready_head = c;
		r->ready_tail = c;
		api_feed(r);
		return 0;
	case K_DAILY:
		c->daily_rows += page_items(q->pg);
		c->daily_done = 1;
		resume_note(r, 'D', c, c->daily_rows);
		break;
	case K_OVERVIEW:
		c->overview = 1;
		resume_note(r, 'O', c, 0);
		break;
	case K_LEADS:
		if (state == LIST_REPEATED) {
			if (c->status != CS_FAILED)
				c->status = CS_CURSOR_REPEATED;
			camp_error(c, "the lead listing sent the cursor %.64s a second time after %llu leads; it was "
				   "stopped there and may be partial (no leads_complete record; %zu items of that page "
				   "not trusted)", page_cursor(q->pg), (unsigned long long)c->leads, dropped);
			break;
		}
		c->leads += page_items(q->pg);
		c->lead_pages++;
		/* the page is written: noted for --resume (past --max-pages
		 * too, which a resume then stops at again) */
		resume_note_leads(r, c, state == LIST_MORE ? page_cursor(q->pg) : NULL, page_items(q->pg));
		if (state == LIST_MORE && q->pages >= r->opts->max_pages) {
			/* an endless chain of fresh cursors, or a campaign larger
			 * than the bound: either way not known to be complete */
			leads_past_max_pages(r, c, q->pages);
			break;
		}
		if (state == LIST_MORE)
			return follow(q, e);
		if (leads_complete(r, c, e) < 0) {
			api_free_req(q);
			return -1;
		}
		c->leads_done = 1;
		break;
	case K_NKINDS:
		break;
	}
	api_free_req(q);
	campaign_job_done(r, c);
	return 0;
}

/* The request failed for good (why in q->x.e). */
static void
api_failed(struct ex_req *q, long http_status)
{
	struct ex_run *r = q->run;
	struct ex_campaign *c = q->camp;

	if (q->kind == K_LIST_CAMPAIGNS) {
		struct ex_workspace *ws = q->ws;
		char msg[1024];

		snprintf(msg, sizeof msg, "the campaign listing failed: %.900s", q->x.e.msg);
		api_free_req(q);
		api_refuse_workspace(r, ws, msg);
		return;
	}
	if (q->kind == K_GET_CAMPAIGN && http_status == 404) {
		c->status = CS_NOT_FOUND;
		camp_error(c, "the API does not know this campaign (404)");
		log_warn("campaign %s is in the client map but the API does not know it (404); nothing written",
			 c->id);
	} else {
		c->status = CS_FAILED;
		camp_error(c, "%s: %s", ex_kind_names[q->kind], q->x.e.msg);
	}
	api_free_req(q);
	campaign_job_done(r, c);
}

/* ---- the transport's callbacks (http.h) ----------------------------------- */

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

/* The gate: seconds before a request of ws may start (its 429 pause, its
 * limiters; §7). */
static double
ws_wait(struct http_xfer *x, double now)
{
	const struct ex_workspace *ws = ((struct ex_req *)x->user)->ws;
	double w = ws->pause_until - now, l = rl_wait(&ws->rl_second, now);

	if (l > w)
		w = l;
	if (ws->use_minute && (l = rl_wait(&ws->rl_minute, now)) > w)
		w = l;
	return w;
}

static void
ws_sent(struct http_xfer *x, double now)
{
	struct ex_workspace *ws = ((struct ex_req *)x->user)->ws;

	rl_take(&ws->rl_second, now);
	if (ws->use_minute)
		rl_take(&ws->rl_minute, now);
}

/* A 200's body, chunk by chunk, into the page parser (whose items go to
 * on_item(), then the spool). */
static int
on_body(struct http_xfer *x, const char *p, size_t n)
{
	struct ex_req *q = x->user;

	if (!q->extracted_at[0])
		utc_now_iso(q->extracted_at);
	if (page_feed(q->pg, p, n, &x->e) < 0) {
		if (page_bound_tripped(q->pg))
			q->untrusted = 1;	/* a bound: the same again if retried */
		return -1;
	}
	return 0;
}

/* An attempt is over: what it means to the API. */
static int
on_end(struct http_xfer *x, ierr *e)
{
	struct ex_req *q = x->user;
	struct ex_run *r = q->run;
	long status = x->status;
	double now = log_now(), wait;
	int retry = 0, fatal = 0;
	char snip[256];

	if (q->output_failed) {	/* writing the archive failed: stop */
		ierr_set(e, "%s", x->e.msg);
		api_free_req(q);
		return -1;
	}
	if (q->ws->refused) {	/* the API refused its workspace meanwhile */
		ierr_set(&x->e, "%s", q->ws->error);
		if (q->kind == K_LIST_CAMPAIGNS)
			api_free_req(q);
		else
			api_failed(q, 0);
		return 0;
	}

	if (x->outcome == HTTP_SINK_FAILED) {
		retry = !q->untrusted;
		ierr_prefix(&x->e, "bad response");
	} else if (x->outcome == HTTP_TRANSPORT_FAILED) {
		retry = x->transient;	/* x->e: the transport's message */
	} else if (status == 200) {
		rate_recover(q->ws, r->opts->rate);
		if (!q->extracted_at[0])
			utc_now_iso(q->extracted_at);
		if (page_finish(q->pg, &x->e) < 0) {
			retry = !q->untrusted;
			ierr_prefix(&x->e, "bad response");
		} else if (page_api_error(q->pg)) {
			ierr_set(&x->e, "HTTP 200 with an error: %.200s", page_api_error(q->pg));
		} else {
			log_debug("%s %s: 200, %zu items, %.0f ms", x->post ? "POST" : "GET", x->url,
				  page_items(q->pg), (now - x->started) * 1000);
			return api_done(q, e);
		}
	} else if (status == 429) {
		r->n.http_429++;
		retry = 1;
		ierr_set(&x->e, "HTTP 429 (rate limited)");
	} else if (status >= 500 && status <= 599) {
		r->n.http_5xx++;
		retry = 1;
		ierr_set(&x->e, "HTTP %ld: %s", status, http_snippet(x, snip, sizeof snip));
	} else if (status == 401 || status == 402 || status == 403) {
		int cloudflare;

		http_snippet(x, snip, sizeof snip);
		cloudflare = status == 403 && strstr(snip, "error code: 1010") != NULL;
		/* the key, the plan and Cloudflare concern the whole workspace;
		 * a missing scope (403) only the endpoint, unless it is the
		 * campaign listing (then nothing can be fetched) */
		fatal = status != 403 || cloudflare || q->kind == K_LIST_CAMPAIGNS;
		ierr_set(&x->e, "HTTP %ld: %s%s", status, snip,
			 status == 401 ? " (check the API key)"
			 : status == 402 ? " (the workspace has no paid plan)"
			 : cloudflare ? " (Cloudflare refused the client)" : " (the key lacks a scope)");
	} else {
		ierr_set(&x->e, "HTTP %ld: %s", status, http_snippet(x, snip, sizeof snip));
	}
	log_debug("%s %s: %s (attempt %d, %.0f ms)", x->post ? "POST" : "GET", x->url, x->e.msg, x->attempt,
		  (now - x->started) * 1000);

	if (fatal) {
		struct ex_workspace *ws = q->ws;
		char msg[1024];

		snprintf(msg, sizeof msg, "the API refused the %.40s request: %.900s", ex_kind_names[q->kind], x->e.msg);
		if (q->kind == K_LIST_CAMPAIGNS) {
			api_free_req(q);
		} else {
			ierr_set(&x->e, "%s", msg);
			api_failed(q, status);
		}
		api_refuse_workspace(r, ws, msg);
		return 0;
	}
	/* a 429 says "slow down", not "failed": it has a budget of its own */
	if (retry && (wait = http_backoff(&r->http, x, status == 429)) >= 0) {
		if (status == 429) {
			/* the workspace is over its limit: all its requests wait */
			if (now + wait > q->ws->pause_until)
				q->ws->pause_until = now + wait;
			rate_cut(q->ws, now, wait);
		}
		if (api_prepare(q, e) < 0) {
			api_free_req(q);
			return -1;
		}
		http_enqueue(&r->http, x, wait);
		return 0;
	}
	api_failed(q, status);
	return 0;
}

static void
on_drop(struct http_xfer *x)
{
	api_free_req(x->user);
}

static const struct http_ops api_ops = {
	.gate = ws_wait,
	.sent = ws_sent,
	.on_body = on_body,
	.on_end = on_end,
	.drop = on_drop,
};

void
api_http_policy(const struct ex_opts *o, struct http_policy *p)
{
	memset(p, 0, sizeof *p);
	p->parallel = o->parallel;
	p->retries = o->retries;
	p->slow_retries = 4 * o->retries + 4;
	p->retry_wait = o->retry_wait;
	p->max_retry_after = o->max_retry_after;
	p->timeout = o->timeout;
	p->stall_timeout = o->stall_timeout;
	p->user_agent = "instantly-etl/" PACKAGE_VERSION " (instantly-extract)";
}

static void
progress(struct ex_run *r)
{
	if (!r->opts->progress)
		return;
	log_progress("%zu/%zu campaigns done, %llu leads, %llu requests (%llu retried, %llu × 429)", r->camps_done,
		     r->map->ncamps, (unsigned long long)r->n.items[ARCH_LEAD], (unsigned long long)r->http.n.requests,
		     (unsigned long long)r->http.n.retries, (unsigned long long)r->n.http_429);
}

int
api_run(struct ex_run *r, ierr *e)
{
	struct http *t = &r->http;
	int rc = 0;

	for (;;) {
		double wait = 1.0;

		if (http_perform(t, e) < 0) {
			rc = -1;
			break;
		}
		if (r->fatal)
			break;
		/* --resume: what the responses wrote, on disk and in the journal */
		if (resume_checkpoint(r, 0, e) < 0) {
			rc = -1;
			break;
		}
		api_feed(r);	/* campaigns start as requests end (--max-requests) */
		if (http_start_due(t, &wait, e) < 0) {
			rc = -1;
			break;
		}
		if (http_idle(t))
			break;
		progress(r);
		if (http_poll(t, wait, e) < 0) {
			rc = -1;
			break;
		}
	}
	log_progress_clear();
	http_drop_all(t);
	return rc;
}

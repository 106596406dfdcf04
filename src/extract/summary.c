/* summary: what the run did, as the archive's last record (run_summary) and
 * as a line on stderr; and the exit status it means. */
#include "config.h"

#include <string.h>

#include "archive.h"
#include "exitcodes.h"
#include "extract.h"
#include "jsonout.h"
#include "log.h"

static const char *const status_names[] = {
	[CS_PENDING] = "not_fetched",
	[CS_OK] = "ok",
	[CS_NOT_FOUND] = "not_found",
	[CS_CURSOR_REPEATED] = "cursor_repeated",
	[CS_FAILED] = "failed",
};

static size_t
count_status(const struct ex_run *r, enum camp_status s)
{
	size_t i, n = 0;

	for (i = 0; i < r->map->ncamps; i++)
		n += r->map->camps[i].status == s;
	return n;
}

int
ex_exit_status(const struct ex_run *r)
{
	return count_status(r, CS_FAILED) || count_status(r, CS_CURSOR_REPEATED) || count_status(r, CS_PENDING)
		       ? EXIT_REJECTS : EXIT_OK;
}

static int
counter(buf *b, int *first, const char *key, uint64_t v)
{
	return jsonout_key(b, first, key) < 0 || jsonout_u64(b, v) < 0 ? -1 : 0;
}

int
summary_write(struct ex_run *r, ierr *e)
{
	buf *b = &r->line;
	char finished[32];
	int first = 1, f2, f3, rc = 0, t;
	size_t i, j;

	utc_now_iso(finished);
	buf_reset(b);
	rc |= arch_head(b, ARCH_RUN_SUMMARY, NULL, NULL, finished, NULL, NULL) | buf_putc(b, '{');
	rc |= jsonout_key(b, &first, "program") | jsonout_cstr(b, "instantly-extract");
	rc |= jsonout_key(b, &first, "version") | jsonout_cstr(b, PACKAGE_VERSION);
	rc |= jsonout_key(b, &first, "status") | jsonout_cstr(b, ex_exit_status(r) ? "partial" : "complete");
	rc |= jsonout_key(b, &first, "started_at") | jsonout_cstr(b, r->started_at);
	rc |= jsonout_key(b, &first, "finished_at") | jsonout_cstr(b, finished);
	rc |= jsonout_key(b, &first, "base_url") | jsonout_cstr(b, r->opts->base_url);
	rc |= buf_printf(b, ",\"window\":{\"start_date\":\"%s\",\"end_date\":\"%s\"}", r->opts->since,
			 r->opts->until);
	if (r->resumes)	/* --resume: the runs that went on from an interrupted one */
		rc |= counter(b, &first, "resumed", r->resumes);
	rc |= counter(b, &first, "requests", r->http.n.requests);
	rc |= counter(b, &first, "retries", r->http.n.retries);
	rc |= counter(b, &first, "http_429", r->n.http_429);
	rc |= counter(b, &first, "http_5xx", r->n.http_5xx);
	rc |= counter(b, &first, "transport_errors", r->http.n.transport_errors);
	rc |= jsonout_key(b, &first, "items") | buf_putc(b, '{');
	f2 = 1;
	for (t = 0; t < ARCH_RUN_SUMMARY; t++)
		rc |= counter(b, &f2, arch_type_names[t], r->n.items[t]);
	rc |= buf_putc(b, '}');
	rc |= jsonout_key(b, &first, "campaigns") | buf_putc(b, '[');
	f2 = 1;
	for (i = 0; i < r->map->ncamps; i++) {
		const struct ex_campaign *c = &r->map->camps[i];

		for (j = 0; j < c->nclients; j++) {
			if (!f2)
				rc |= buf_putc(b, ',');
			f2 = 0;
			f3 = 1;
			rc |= buf_putc(b, '{');
			rc |= jsonout_key(b, &f3, "client_id") | jsonout_cstr(b, c->clients[j]);
			rc |= jsonout_key(b, &f3, "campaign_id") | jsonout_cstr(b, c->id);
			rc |= jsonout_key(b, &f3, "status") | jsonout_cstr(b, status_names[c->status]);
			rc |= counter(b, &f3, "leads", c->leads);
			rc |= counter(b, &f3, "pages", c->lead_pages);
			rc |= jsonout_key(b, &f3, "leads_complete") |
			      buf_puts(b, c->leads_done ? "true" : "false");
			rc |= counter(b, &f3, "daily_rows", c->daily_rows);
			rc |= jsonout_key(b, &f3, "overview") | buf_puts(b, c->overview ? "true" : "false");
			rc |= jsonout_key(b, &f3, "error") | jsonout_cstr(b, c->status == CS_OK ? NULL : c->error);
			rc |= buf_putc(b, '}');
		}
		/* written as it is built: its size grows with the map, the
		 * memory does not */
		if (rc == 0 && b->len >= (1 << 16)) {
			if (ex_out_write(r->out, b->p, b->len, e) < 0)
				return -1;
			buf_reset(b);
		}
	}
	rc |= buf_puts(b, "]}}\n");
	if (rc)
		return ierr_oom(e);
	if (ex_out_write(r->out, b->p, b->len, e) < 0)
		return -1;
	r->out->lines++;
	return 0;
}

void
summary_log(const struct ex_run *r)
{
	log_info("%zu campaigns: %zu complete, %zu failed, %zu not found, %zu with a repeated cursor; "
		 "%llu leads, %llu daily rows, %llu overviews; %llu requests (%llu retried, %llu × 429, %llu × 5xx) "
		 "in %.1f s",
		 r->map->ncamps, count_status(r, CS_OK), count_status(r, CS_FAILED), count_status(r, CS_NOT_FOUND),
		 count_status(r, CS_CURSOR_REPEATED), (unsigned long long)r->n.items[ARCH_LEAD],
		 (unsigned long long)r->n.items[ARCH_ANALYTICS_DAILY],
		 (unsigned long long)r->n.items[ARCH_ANALYTICS_OVERVIEW], (unsigned long long)r->http.n.requests,
		 (unsigned long long)r->http.n.retries, (unsigned long long)r->n.http_429,
		 (unsigned long long)r->n.http_5xx, log_now() - r->t0);
}

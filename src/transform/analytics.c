/* campaign_analytics (daily rows), campaign_analytics_overview (one row per
 * window) and leads_complete (the extract's completion markers). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "transform.h"

/* daily: column <- API key, after client_id, campaign_id, date */
static const struct {
	const char *key;
} daily_keys[] = {
	{ "sent" }, { "contacted" }, { "new_leads_contacted" }, { "opened" }, { "unique_opened" },
	{ "replies" }, { "unique_replies" }, { "replies_automatic" }, { "unique_replies_automatic" },
	{ "clicks" }, { "unique_clicks" }, { "opportunities" }, { "unique_opportunities" },
};

/* overview counters, in column order; total_opportunity_value is numeric */
static const char *const overview_keys[] = {
	"open_count", "open_count_unique", "open_count_unique_by_step", "link_click_count",
	"link_click_count_unique", "link_click_count_unique_by_step", "reply_count",
	"reply_count_unique", "reply_count_unique_by_step", "reply_count_automatic",
	"reply_count_automatic_unique", "reply_count_automatic_unique_by_step", "bounced_count",
	"unsubscribed_count", "completed_count", "emails_sent_count", "contacted_count",
	"new_leads_contacted_count", "total_opportunities", "total_opportunity_value",
	"total_interested", "total_meeting_booked", "total_meeting_completed", "total_closed",
};

static int
put_ids(copyout *c, const struct arch_rec *r)
{
	return tf_put_string(c, r->client_id) < 0 || tf_put_string(c, r->campaign_id) < 0 ? -2 : 0;
}

int
tf_daily_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data, *date = jv_get(d, "date");
	char field[64];
	size_t i;
	int rc;

	(void)x;
	if (!date || date->type == JV_NULL)
		return ierr_field(e, "data.date", "missing date");
	if (put_ids(c, r) < 0)
		return -2;
	if ((rc = tf_put_date(c, date, "data.date", e)) < 0)
		return rc;
	for (i = 0; i < sizeof daily_keys / sizeof daily_keys[0]; i++) {
		snprintf(field, sizeof field, "data.%s", daily_keys[i].key);
		if ((rc = tf_put_int(c, jv_get(d, daily_keys[i].key), field, e)) < 0)
			return rc;
	}
	/* bounced: the daily endpoint has no bounce counter */
	if (copyout_null(c) < 0 || tf_put_string(c, r->extracted_at) < 0)
		return -2;
	return 0;
}

int
tf_overview_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data;
	char field[64];
	size_t i;
	int rc;

	(void)x;
	if (put_ids(c, r) < 0 || tf_put_string(c, r->start_date) < 0 || tf_put_string(c, r->end_date) < 0)
		return -2;
	for (i = 0; i < sizeof overview_keys / sizeof overview_keys[0]; i++) {
		const jv *v = jv_get(d, overview_keys[i]);
		snprintf(field, sizeof field, "data.%s", overview_keys[i]);
		rc = strcmp(overview_keys[i], "total_opportunity_value") == 0 ? tf_put_numeric(c, v, field, e)
									      : tf_put_int(c, v, field, e);
		if (rc < 0)
			return rc;
	}
	if (tf_put_string(c, r->extracted_at) < 0)
		return -2;
	return 0;
}

int
tf_leads_complete_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data;
	int rc;

	/* the marker itself says "complete"; its counts are for reports, and
	 * an absent one is NULL like any other absent integer */
	(void)x;
	if (put_ids(c, r) < 0)
		return -2;
	if ((rc = tf_put_int(c, jv_get(d, "leads"), "data.leads", e)) < 0 ||
	    (rc = tf_put_int(c, jv_get(d, "pages"), "data.pages", e)) < 0)
		return rc;
	if (tf_put_string(c, r->extracted_at) < 0)
		return -2;
	return 0;
}

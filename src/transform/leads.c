/* synced_leads: one row per client x campaign x lead (docs/normalisation.md,
 * "synced_leads"). Here the lead status, the interest status, the sender
 * account and the ICP columns are decided. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "transform.h"
#include "val.h"

#define OOM(e) (ierr_set((e), "out of memory"), -2)

/* the lead's own text columns, in table order */
static const char *const own_text[] = {
	"email", "first_name", "last_name", "company_name", "phone", "company_domain", "personalization",
};

static const char *const timestamps[] = {
	"timestamp_created", "timestamp_updated", "timestamp_last_contact", "timestamp_last_open",
	"timestamp_last_reply", "timestamp_last_click", "timestamp_last_touch",
	"timestamp_last_interest_change",
};

/* The integers the rules need, read (and checked) before any is written. */
struct lead_ints {
	int32_t verification, interest, status, opens, replies, clicks;
	int has_verification, has_interest, has_status, has_opens, has_replies, has_clicks;
};

static int
read_ints(const jv *d, struct lead_ints *li, ierr *e)
{
	memset(li, 0, sizeof *li);
	if ((li->has_verification = tf_get_int(jv_get(d, "verification_status"), "data.verification_status", &li->verification, e)) < 0 ||
	    (li->has_interest = tf_get_int(jv_get(d, "lt_interest_status"), "data.lt_interest_status", &li->interest, e)) < 0 ||
	    (li->has_status = tf_get_int(jv_get(d, "status"), "data.status", &li->status, e)) < 0 ||
	    (li->has_opens = tf_get_int(jv_get(d, "email_open_count"), "data.email_open_count", &li->opens, e)) < 0 ||
	    (li->has_replies = tf_get_int(jv_get(d, "email_reply_count"), "data.email_reply_count", &li->replies, e)) < 0 ||
	    (li->has_clicks = tf_get_int(jv_get(d, "email_click_count"), "data.email_click_count", &li->clicks, e)) < 0)
		return -1;
	return 0;
}

/* A string that is not blank; *s and *n set to its trimmed text. */
static int
nonblank_string(const jv *v, const char **s, size_t *n)
{
	if (!v || v->type != JV_STRING)
		return 0;
	*s = v->s;
	*n = v->n;
	val_trim(s, n);
	return *n > 0;
}

/* lead_status: replied > bounced > emailed > not_yet_emailed. */
static const char *
lead_status(const jv *d, const struct lead_ints *li)
{
	const jv *ts = jv_get(d, "timestamp_last_contact");
	const char *s;
	size_t n;

	if (li->has_replies && li->replies > 0)
		return "replied";
	if (li->has_status && li->status == -1)
		return "bounced";
	if ((ts && ts->type == JV_STRING && !val_blank(ts->s, ts->n)) ||
	    jv_nonempty_object(jv_get(jv_get(d, "status_summary"), "lastStep")) ||
	    nonblank_string(jv_get(d, "last_step_from"), &s, &n) ||
	    (li->has_opens && li->opens > 0) ||
	    (li->has_clicks && li->clicks > 0) ||
	    (li->has_status && li->status == 3))
		return "emailed";
	return "not_yet_emailed";
}

/* interest_status from lt_interest_status: 1..4 positive, 0 neutral,
 * -1..-4 negative, anything else (custom labels) or absent NULL. */
static const char *
interest_status(const struct lead_ints *li)
{
	if (!li->has_interest)
		return NULL;
	if (li->interest >= 1 && li->interest <= 4)
		return "positive";
	if (li->interest == 0)
		return "neutral";
	if (li->interest >= -4 && li->interest <= -1)
		return "negative";
	return NULL;
}

/* sender_account: first non-blank of last_step_from,
 * status_summary.lastStep.from, last_contacted_from (trimmed). */
static int
sender_account(const jv *d, const char **s, size_t *n)
{
	return nonblank_string(jv_get(d, "last_step_from"), s, n) ||
	       nonblank_string(jv_get(jv_get(jv_get(d, "status_summary"), "lastStep"), "from"), s, n) ||
	       nonblank_string(jv_get(d, "last_contacted_from"), s, n);
}

/* website and job_title: the top-level value when not blank (trimmed), else
 * the ICP lookup. */
static int
top_or_icp(copyout *c, const jv *top, const char *field, const struct icp_value *iv, ierr *e)
{
	const char *s;
	size_t n;
	int rc;

	if (top && (top->type == JV_OBJECT || top->type == JV_ARRAY))
		return ierr_field(e, field, "expected text, got an %s", top->type == JV_OBJECT ? "object" : "array");
	if (top && top->type != JV_NULL) {
		s = top->s;
		n = top->n;
		if (top->type == JV_STRING)
			val_trim(&s, &n);
		if (n > 0)
			return copyout_text(c, s, n) < 0 ? OOM(e) : 0;
	}
	rc = iv->s ? copyout_text(c, iv->s, iv->n) : copyout_null(c);
	return rc < 0 ? OOM(e) : 0;
}

static int
put_opt_text(copyout *c, const char *s, size_t n)
{
	return s ? copyout_text(c, s, n) : copyout_null(c);
}

static int
put_opt_int(copyout *c, int has, int32_t v)
{
	return has ? copyout_int(c, v) : copyout_null(c);
}

int
tf_lead_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data, *id = jv_get(d, "id"), *payload = jv_get(d, "payload");
	struct icp_value iv[ICP_NFIELDS];
	struct lead_ints li;
	const char *st, *sender;
	size_t i, sender_n;
	char field[64];
	int rc;

	if (!id || id->type == JV_NULL)
		return ierr_field(e, "data.id", "missing lead id");
	if (id->type != JV_STRING || !val_is_uuid(id->s, id->n))
		return ierr_field(e, "data.id", "not a UUID");
	if (payload && payload->type != JV_NULL && payload->type != JV_OBJECT)
		return ierr_field(e, "data.payload", "not an object");
	if (read_ints(d, &li, e) < 0)
		return -1;
	icp_lookup(x->icp, payload, iv);

	if (tf_put_string(c, r->client_id) || tf_put_string(c, r->campaign_id) || tf_put_string(c, id))
		return OOM(e);
	for (i = 0; i < sizeof own_text / sizeof own_text[0]; i++) {
		snprintf(field, sizeof field, "data.%s", own_text[i]);
		if ((rc = tf_put_text(c, jv_get(d, own_text[i]), field, e)) < 0)
			return rc;
	}
	if ((rc = top_or_icp(c, jv_get(d, "website"), "data.website", &iv[ICP_WEBSITE], e)) < 0 ||
	    (rc = top_or_icp(c, jv_get(d, "job_title"), "data.job_title", &iv[ICP_JOB_TITLE], e)) < 0)
		return rc;
	if (put_opt_text(c, iv[ICP_INDUSTRY].s, iv[ICP_INDUSTRY].n) < 0 ||
	    put_opt_text(c, iv[ICP_COMPANY_SIZE].s, iv[ICP_COMPANY_SIZE].n) < 0 ||
	    put_opt_text(c, iv[ICP_LINKEDIN_URL].s, iv[ICP_LINKEDIN_URL].n) < 0 ||
	    put_opt_text(c, iv[ICP_VACANCY_URL].s, iv[ICP_VACANCY_URL].n) < 0 ||
	    put_opt_int(c, li.has_verification, li.verification) < 0)
		return OOM(e);
	st = lead_status(d, &li);
	if (copyout_text(c, st, strlen(st)) < 0)
		return OOM(e);
	st = interest_status(&li);
	if (put_opt_text(c, st, st ? strlen(st) : 0) < 0 ||
	    put_opt_int(c, li.has_interest, li.interest) < 0 ||
	    put_opt_int(c, li.has_status, li.status) < 0)
		return OOM(e);
	if (!sender_account(d, &sender, &sender_n))
		sender = NULL;
	if (put_opt_text(c, sender, sender_n) < 0 ||
	    put_opt_int(c, li.has_opens, li.opens) < 0 ||
	    put_opt_int(c, li.has_replies, li.replies) < 0 ||
	    put_opt_int(c, li.has_clicks, li.clicks) < 0)
		return OOM(e);
	for (i = 0; i < sizeof timestamps / sizeof timestamps[0]; i++) {
		snprintf(field, sizeof field, "data.%s", timestamps[i]);
		if ((rc = tf_put_timestamp(c, jv_get(d, timestamps[i]), field, e)) < 0)
			return rc;
	}
	if (tf_put_json(x, c, payload) < 0 || tf_put_string(c, r->extracted_at) < 0)
		return OOM(e);
	return 0;
}

/* synced_leads: one row per client x campaign x lead (docs/normalisation.md,
 * "synced_leads"). Here the lead status, the interest status, the sender
 * account and the ICP columns are decided; the columns and their order are
 * SYNCED_LEADS_COLUMNS (src/lib/columns.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "transform.h"
#include "val.h"

/* The integers the rules need, read (and checked) before any is written,
 * in this order (the first bad one is the one a reject names). */
static const struct {
	const char *key, *field;
} lead_ints[TF_LI_N] = {
	[TF_LI_VERIFICATION] = { "verification_status", "data.verification_status" },
	[TF_LI_INTEREST] = { "lt_interest_status", "data.lt_interest_status" },
	[TF_LI_STATUS] = { "status", "data.status" },
	[TF_LI_OPENS] = { "email_open_count", "data.email_open_count" },
	[TF_LI_REPLIES] = { "email_reply_count", "data.email_reply_count" },
	[TF_LI_CLICKS] = { "email_click_count", "data.email_click_count" },
};

static int
read_ints(const jv *d, struct tf_lead_facts *f, ierr *e)
{
	int i;

	for (i = 0; i < TF_LI_N; i++)
		if ((f->has[i] = tf_get_int(jv_get(d, lead_ints[i].key), lead_ints[i].field, &f->ints[i], e)) < 0)
			return -1;
	return 0;
}

/* an integer present and its value */
#define HAS(f, i, cond) ((f)->has[i] && (f)->ints[i] cond)

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
lead_status(const jv *d, const struct tf_lead_facts *f)
{
	const jv *ts = jv_get(d, "timestamp_last_contact");
	const char *s;
	size_t n;

	if (HAS(f, TF_LI_REPLIES, > 0))
		return "replied";
	if (HAS(f, TF_LI_STATUS, == -1))
		return "bounced";
	if ((ts && ts->type == JV_STRING && !val_blank(ts->s, ts->n)) ||
	    jv_nonempty_object(jv_get(jv_get(d, "status_summary"), "lastStep")) ||
	    nonblank_string(jv_get(d, "last_step_from"), &s, &n) ||
	    HAS(f, TF_LI_OPENS, > 0) ||
	    HAS(f, TF_LI_CLICKS, > 0) ||
	    HAS(f, TF_LI_STATUS, == 3))
		return "emailed";
	return "not_yet_emailed";
}

/* interest_status from lt_interest_status: 1..4 positive, 0 neutral,
 * -1..-4 negative, anything else (custom labels) or absent NULL. */
static const char *
interest_status(const struct tf_lead_facts *f)
{
	int32_t v = f->ints[TF_LI_INTEREST];

	if (!f->has[TF_LI_INTEREST])
		return NULL;
	if (v >= 1 && v <= 4)
		return "positive";
	if (v == 0)
		return "neutral";
	if (v >= -4 && v <= -1)
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

/* ---- the readers of SYNCED_LEADS_COLUMNS ---------------------------------- */

#define OOM_IF(w, x) ((x) < 0 ? ierr_fatal(ierr_oom((w)->e)) : 0)

static int
put_opt_text(struct tf_row *w, const char *s, size_t n)
{
	return OOM_IF(w, s ? copyout_text(w->c, s, n) : copyout_null(w->c));
}

int
tf_rd_lead_id(struct tf_row *w, const struct tf_col *col)
{
	return OOM_IF(w, tf_put_string(w->c, jv_get(w->r->data, col->key)));
}

/* website and job_title: the top-level value when not blank (trimmed), else
 * the ICP lookup. */
int
tf_rd_top_or_icp(struct tf_row *w, const struct tf_col *col)
{
	const jv *top = jv_get(w->r->data, col->key);
	const struct icp_value *iv = &w->lead->icp[col->arg];
	const char *s;
	size_t n;

	if (top && (top->type == JV_OBJECT || top->type == JV_ARRAY))
		return ierr_field(w->e, col->field, "expected text, got an %s", top->type == JV_OBJECT ? "object" : "array");
	if (top && top->type != JV_NULL) {
		s = top->s;
		n = top->n;
		if (top->type == JV_STRING)
			val_trim(&s, &n);
		if (n > 0)
			return OOM_IF(w, copyout_text(w->c, s, n));
	}
	return put_opt_text(w, iv->s, iv->n);
}

int
tf_rd_icp(struct tf_row *w, const struct tf_col *col)
{
	return put_opt_text(w, w->lead->icp[col->arg].s, w->lead->icp[col->arg].n);
}

int
tf_rd_lead_int(struct tf_row *w, const struct tf_col *col)
{
	const struct tf_lead_facts *f = w->lead;

	return OOM_IF(w, f->has[col->arg] ? copyout_int(w->c, f->ints[col->arg]) : copyout_null(w->c));
}

int
tf_rd_lead_status(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_opt_text(w, w->lead->lead_status, strlen(w->lead->lead_status));
}

int
tf_rd_interest_status(struct tf_row *w, const struct tf_col *col)
{
	const char *st = w->lead->interest_status;

	(void)col;
	return put_opt_text(w, st, st ? strlen(st) : 0);
}

int
tf_rd_sender(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_opt_text(w, w->lead->sender, w->lead->sender_n);
}

static const struct tf_col columns[] = { SYNCED_LEADS_COLUMNS(TF_COL) };

int
tf_lead_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data, *id = jv_get(d, "id"), *payload = jv_get(d, "payload");
	struct tf_lead_facts f;
	struct tf_row w = { x, r, c, e, &f };

	if (!id || id->type == JV_NULL)
		return ierr_field(e, "data.id", "missing lead id");
	if (id->type != JV_STRING || !val_is_uuid(id->s, id->n))
		return ierr_field(e, "data.id", "not a UUID");
	if (payload && payload->type != JV_NULL && payload->type != JV_OBJECT)
		return ierr_field(e, "data.payload", "not an object");
	if (read_ints(d, &f, e) < 0)
		return -1;
	icp_lookup(x->icp, payload, f.icp);
	f.lead_status = lead_status(d, &f);
	f.interest_status = interest_status(&f);
	if (!sender_account(d, &f.sender, &f.sender_n)) {
		f.sender = NULL;
		f.sender_n = 0;
	}
	return tf_put_row(&w, columns, TF_NCOLS(columns));
}

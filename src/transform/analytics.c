/* campaign_analytics (daily rows), campaign_analytics_overview (one row per
 * window) and leads_complete (the extract's completion markers); their
 * columns are in src/lib/columns.h. */
#include "config.h"

#include "transform.h"

static const struct tf_col daily_columns[] = { CAMPAIGN_ANALYTICS_COLUMNS(TF_COL) };
static const struct tf_col overview_columns[] = { CAMPAIGN_ANALYTICS_OVERVIEW_COLUMNS(TF_COL) };
static const struct tf_col complete_columns[] = { LEADS_COMPLETE_COLUMNS(TF_COL) };

int
tf_daily_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *date = jv_get(r->data, "date");
	struct tf_row w = { x, r, c, e, NULL };

	if (!date || date->type == JV_NULL)
		return ierr_field(e, "data.date", "missing date");
	return tf_put_row(&w, daily_columns, TF_NCOLS(daily_columns));
}

int
tf_overview_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	struct tf_row w = { x, r, c, e, NULL };

	return tf_put_row(&w, overview_columns, TF_NCOLS(overview_columns));
}

/* the marker itself says "complete"; its counts are for reports, and an
 * absent one is NULL like any other absent integer */
int
tf_leads_complete_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	struct tf_row w = { x, r, c, e, NULL };

	return tf_put_row(&w, complete_columns, TF_NCOLS(complete_columns));
}

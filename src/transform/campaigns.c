/* campaigns: one row per client x campaign, the whole item kept as jsonb;
 * the columns are CAMPAIGNS_COLUMNS (src/lib/columns.h). */
#include "config.h"

#include <strings.h>

#include "transform.h"

static const struct tf_col columns[] = { CAMPAIGNS_COLUMNS(TF_COL) };

int
tf_campaign_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data, *id = jv_get(d, "id");
	struct tf_row w = { x, r, c, e, NULL };

	/* the item must be the campaign the envelope says it is */
	if (id && id->type != JV_NULL &&
	    (id->type != JV_STRING || id->n != r->campaign_id->n || strncasecmp(id->s, r->campaign_id->s, id->n) != 0))
		return ierr_field(e, "data.id", "does not match campaign_id %.*s", (int)r->campaign_id->n, r->campaign_id->s);
	return tf_put_row(&w, columns, TF_NCOLS(columns));
}

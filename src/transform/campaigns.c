/* campaigns: one row per client x campaign, the whole item kept as jsonb. */
#include "config.h"

#include <strings.h>

#include "transform.h"
#include "val.h"

int
tf_campaign_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e)
{
	const jv *d = r->data, *id = jv_get(d, "id");
	int rc;

	/* the item must be the campaign the envelope says it is */
	if (id && id->type != JV_NULL &&
	    (id->type != JV_STRING || id->n != r->campaign_id->n || strncasecmp(id->s, r->campaign_id->s, id->n) != 0))
		return ierr_field(e, "data.id", "does not match campaign_id %.*s", (int)r->campaign_id->n, r->campaign_id->s);
	if (tf_put_string(c, r->client_id) < 0 || tf_put_string(c, r->campaign_id) < 0)
		return -2;
	if ((rc = tf_put_text(c, jv_get(d, "name"), "data.name", e)) < 0 ||
	    (rc = tf_put_int(c, jv_get(d, "status"), "data.status", e)) < 0 ||
	    (rc = tf_put_timestamp(c, jv_get(d, "timestamp_created"), "data.timestamp_created", e)) < 0 ||
	    (rc = tf_put_timestamp(c, jv_get(d, "timestamp_updated"), "data.timestamp_updated", e)) < 0)
		return rc;
	if (tf_put_json(x, c, d) < 0 || tf_put_string(c, r->extracted_at) < 0)
		return -2;
	return 0;
}

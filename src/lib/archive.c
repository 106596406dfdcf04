#include "config.h"

#include <string.h>

#include "archive.h"
#include "val.h"

const char *const arch_type_names[ARCH_NTYPES] = {
	"campaign", "lead", "analytics_daily", "analytics_overview", "leads_complete", "run_summary",
};

void
arch_peek(const jv *root, struct arch_rec *r)
{
	const jv *t = jv_get(root, "type");
	int i;

	memset(r, 0, sizeof *r);
	r->type = ARCH_UNKNOWN;
	if (!t || t->type != JV_STRING)
		return;
	r->type_str = t;
	for (i = 0; i < ARCH_NTYPES; i++)
		if (strlen(arch_type_names[i]) == t->n && memcmp(arch_type_names[i], t->s, t->n) == 0)
			r->type = (enum arch_type)i;
}

int
arch_check_version(const jv *root, ierr *e)
{
	const jv *v;
	int32_t n;
	const char *why;

	if (!root || root->type != JV_OBJECT)
		return ierr_field(e, "", "not a JSON object");
	v = jv_get(root, "v");
	if (!v)
		return ierr_field(e, "v", "missing archive format version");
	if (v->type != JV_NUMBER || val_int32(v->s, v->n, 0, &n, &why) < 0 || n != ARCHIVE_VERSION)
		return ierr_field(e, "v", "unsupported archive format version %.*s (this program reads version %d)",
				  (int)(v->n > 40 ? 40 : v->n), v->s, ARCHIVE_VERSION);
	return 0;
}

static int
need_string(const jv *root, const char *key, const jv **out, ierr *e)
{
	const jv *v = jv_get(root, key);

	if (!v || v->type == JV_NULL)
		return ierr_field(e, key, "missing");
	if (v->type != JV_STRING)
		return ierr_field(e, key, "not a string");
	*out = v;
	return 0;
}

static int
opt_date(const jv *root, const char *key, const jv **out, int required, ierr *e)
{
	const jv *v = jv_get(root, key);

	*out = NULL;
	if (!v || v->type == JV_NULL)
		return required ? ierr_field(e, key, "missing (the analytics window)") : 0;
	if (v->type != JV_STRING || !val_is_date(v->s, v->n))
		return ierr_field(e, key, "not a date (YYYY-MM-DD)");
	*out = v;
	return 0;
}

int
arch_read(const jv *root, struct arch_rec *r, ierr *e)
{
	if (arch_check_version(root, e) < 0)
		return -1;
	if (need_string(root, "client_id", &r->client_id, e) < 0)
		return -1;
	if (!val_is_uuid(r->client_id->s, r->client_id->n))
		return ierr_field(e, "client_id", "not a UUID");
	if (need_string(root, "campaign_id", &r->campaign_id, e) < 0)
		return -1;
	if (!val_is_uuid(r->campaign_id->s, r->campaign_id->n))
		return ierr_field(e, "campaign_id", "not a UUID");
	if (need_string(root, "extracted_at", &r->extracted_at, e) < 0)
		return -1;
	if (!val_is_timestamp(r->extracted_at->s, r->extracted_at->n))
		return ierr_field(e, "extracted_at", "not an ISO-8601 date-time");
	r->data = jv_get(root, "data");
	if (!r->data || r->data->type == JV_NULL)
		return ierr_field(e, "data", "missing");
	if (r->data->type != JV_OBJECT)
		return ierr_field(e, "data", "not an object");
	if (opt_date(root, "start_date", &r->start_date, r->type == ARCH_ANALYTICS_OVERVIEW, e) < 0 ||
	    opt_date(root, "end_date", &r->end_date, r->type == ARCH_ANALYTICS_OVERVIEW, e) < 0)
		return -1;
	return 0;
}

static int
id_or_null(buf *b, const char *key, const char *v)
{
	return v ? buf_printf(b, ",\"%s\":\"%s\"", key, v) : buf_printf(b, ",\"%s\":null", key);
}

int
arch_head(buf *b, enum arch_type type, const char *client_id, const char *campaign_id, const char *extracted_at,
	  const char *start_date, const char *end_date)
{
	if (buf_printf(b, "{\"v\":%d,\"type\":\"%s\"", ARCHIVE_VERSION, arch_type_names[type]) < 0 ||
	    id_or_null(b, "client_id", client_id) < 0 || id_or_null(b, "campaign_id", campaign_id) < 0 ||
	    buf_printf(b, ",\"extracted_at\":\"%s\"", extracted_at) < 0)
		return -1;
	if (start_date && buf_printf(b, ",\"start_date\":\"%s\"", start_date) < 0)
		return -1;
	if (end_date && buf_printf(b, ",\"end_date\":\"%s\"", end_date) < 0)
		return -1;
	return buf_puts(b, ",\"data\":");
}

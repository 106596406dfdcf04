/* Column writers shared by the row builders: one JSON value -> one field,
 * with the type rules of docs/normalisation.md ("Exact readings"). */
#include "config.h"

#include <string.h>

#include "transform.h"
#include "jsonout.h"
#include "val.h"

/* "REASON: EXCERPT" for a value that cannot be read as the column's type;
 * the excerpt is at most 40 bytes, cut between characters, a string in
 * quotes. */
static int
bad_value(ierr *e, const char *field, const char *reason, const jv *v)
{
	const char *q = v->type == JV_STRING ? "\"" : "";

	if (v->type == JV_OBJECT || v->type == JV_ARRAY)
		return ierr_field(e, field, "%s: an %s", reason, v->type == JV_OBJECT ? "object" : "array");
	return ierr_field(e, field, "%s: %s%.*s%s%s", reason, q, (int)utf8_valid_prefix(v->s, v->n > 40 ? 40 : v->n),
			  v->s, v->n > 40 ? "..." : "", q);
}

int
tf_put_string(copyout *c, const jv *v)
{
	return copyout_text(c, v->s, v->n) < 0 ? IERR_FATAL : 0;
}

int
tf_put_text(copyout *c, const jv *v, const char *field, ierr *e)
{
	int rc;

	if (!v || v->type == JV_NULL)
		rc = copyout_null(c);
	else if (v->type == JV_OBJECT || v->type == JV_ARRAY)
		return ierr_field(e, field, "expected text, got an %s", v->type == JV_OBJECT ? "object" : "array");
	else
		rc = copyout_text(c, v->s, v->n);
	return rc < 0 ? ierr_fatal(ierr_oom(e)) : 0;
}

int
tf_get_int(const jv *v, const char *field, int32_t *out, ierr *e)
{
	const char *why;

	if (!v || v->type == JV_NULL)
		return 0;
	if (v->type != JV_NUMBER && v->type != JV_STRING)
		return bad_value(e, field, "not an integer", v);
	if (val_int32(v->s, v->n, v->type == JV_STRING, out, &why) < 0)
		return bad_value(e, field, why, v);
	return 1;
}

int
tf_put_int(copyout *c, const jv *v, const char *field, ierr *e)
{
	int32_t n;
	int rc = tf_get_int(v, field, &n, e);

	if (rc < 0)
		return -1;
	rc = rc ? copyout_int(c, n) : copyout_null(c);
	return rc < 0 ? ierr_fatal(ierr_oom(e)) : 0;
}

int
tf_put_numeric(copyout *c, const jv *v, const char *field, ierr *e)
{
	int rc;

	if (!v || v->type == JV_NULL)
		rc = copyout_null(c);
	else if ((v->type == JV_NUMBER || v->type == JV_STRING) && val_is_json_number(v->s, v->n)) {
		if (!val_pg_numeric_ok(v->s, v->n))
			return bad_value(e, field, "beyond PostgreSQL's numeric range", v);
		rc = copyout_num(c, v->s, v->n);
	}
	else
		return bad_value(e, field, "not a number", v);
	return rc < 0 ? ierr_fatal(ierr_oom(e)) : 0;
}

int
tf_put_timestamp(copyout *c, const jv *v, const char *field, ierr *e)
{
	int rc;

	if (!v || v->type == JV_NULL || (v->type == JV_STRING && val_blank(v->s, v->n)))
		rc = copyout_null(c);
	else if (v->type == JV_STRING && val_is_timestamp(v->s, v->n))
		rc = copyout_text(c, v->s, v->n);
	else
		return bad_value(e, field, "not an ISO-8601 date-time", v);
	return rc < 0 ? ierr_fatal(ierr_oom(e)) : 0;
}

int
tf_put_date(copyout *c, const jv *v, const char *field, ierr *e)
{
	int rc;

	if (!v || v->type == JV_NULL)
		rc = copyout_null(c);
	else if (v->type == JV_STRING && val_is_date(v->s, v->n))
		rc = copyout_text(c, v->s, v->n);
	else
		return bad_value(e, field, "not a date (YYYY-MM-DD)", v);
	return rc < 0 ? ierr_fatal(ierr_oom(e)) : 0;
}

int
tf_put_json(struct tf_ctx *x, copyout *c, const jv *v)
{
	int rc;

	if (!v || v->type == JV_NULL)
		return copyout_null(c) < 0 ? IERR_FATAL : 0;
	/* a \u0000 escape anywhere in the line decodes to U+0000, which jrec
	 * counts: with none counted the input bytes can go out as they are */
	if (jrec_nul_count(x->jr) == 0) {
		const char *s;
		size_t n;
		jrec_raw(x->jr, v, &s, &n);
		return copyout_text(c, s, n) < 0 ? IERR_FATAL : 0;
	}
	buf_reset(&x->scratch);
	if (jrec_raw_json(x->jr, v, &x->scratch) < 0)
		return IERR_FATAL;
	rc = copyout_text(c, x->scratch.p, x->scratch.len);
	return rc < 0 ? IERR_FATAL : 0;
}

/* ---- the readers of columns.h --------------------------------------------- */

int
tf_put_row(struct tf_row *w, const struct tf_col *cols, size_t ncols)
{
	size_t i;
	int rc;

	for (i = 0; i < ncols; i++)
		if ((rc = cols[i].read(w, &cols[i])) < 0)
			return rc;
	return 0;
}

static int
put_envelope(struct tf_row *w, const jv *v)
{
	return tf_put_string(w->c, v) < 0 ? ierr_fatal(ierr_oom(w->e)) : 0;
}

int
tf_rd_client_id(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_envelope(w, w->r->client_id);
}

int
tf_rd_campaign_id(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_envelope(w, w->r->campaign_id);
}

int
tf_rd_start_date(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_envelope(w, w->r->start_date);
}

int
tf_rd_end_date(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_envelope(w, w->r->end_date);
}

int
tf_rd_extracted_at(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return put_envelope(w, w->r->extracted_at);
}

int
tf_rd_text(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_text(w->c, jv_get(w->r->data, col->key), col->field, w->e);
}

int
tf_rd_int(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_int(w->c, jv_get(w->r->data, col->key), col->field, w->e);
}

int
tf_rd_numeric(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_numeric(w->c, jv_get(w->r->data, col->key), col->field, w->e);
}

int
tf_rd_timestamp(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_timestamp(w->c, jv_get(w->r->data, col->key), col->field, w->e);
}

int
tf_rd_date(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_date(w->c, jv_get(w->r->data, col->key), col->field, w->e);
}

int
tf_rd_json(struct tf_row *w, const struct tf_col *col)
{
	return tf_put_json(w->x, w->c, jv_get(w->r->data, col->key)) < 0 ? ierr_fatal(ierr_oom(w->e)) : 0;
}

int
tf_rd_item(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return tf_put_json(w->x, w->c, w->r->data) < 0 ? ierr_fatal(ierr_oom(w->e)) : 0;
}

int
tf_rd_null(struct tf_row *w, const struct tf_col *col)
{
	(void)col;
	return copyout_null(w->c) < 0 ? ierr_fatal(ierr_oom(w->e)) : 0;
}

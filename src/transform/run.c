/* The transform loop: inputs -> lines -> JSON -> envelope -> row builders,
 * with every line accounted for (a row, a reject or a skip). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gzin.h"
#include "jsonout.h"
#include "lines.h"
#include "log.h"
#include "fdio.h"
#include "transform.h"
#include "val.h"

#define REJECT_TEXT_MAX (64u * 1024u)
#define REJECTS_FLUSH_AT (256u * 1024u)

typedef int (*row_fn)(struct tf_ctx *, const struct arch_rec *, copyout *, ierr *);

static const struct {
	enum tbl_id table;
	row_fn row;
} by_type[] = {
	[ARCH_CAMPAIGN] = { TBL_CAMPAIGNS, tf_campaign_row },
	[ARCH_LEAD] = { TBL_SYNCED_LEADS, tf_lead_row },
	[ARCH_ANALYTICS_DAILY] = { TBL_CAMPAIGN_ANALYTICS, tf_daily_row },
	[ARCH_ANALYTICS_OVERVIEW] = { TBL_CAMPAIGN_ANALYTICS_OVERVIEW, tf_overview_row },
	[ARCH_LEADS_COMPLETE] = { TBL_LEADS_COMPLETE, tf_leads_complete_row },
};

static void
count_reason(struct tf_other *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
count_reason(struct tf_other *o, const char *fmt, ...)
{
	char text[96];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	for (i = 0; i < o->nreasons; i++) {
		if (strcmp(o->reasons[i].text, text) == 0) {
			o->reasons[i].count++;
			return;
		}
	}
	if (o->nreasons == TF_MAX_REASONS) {
		/* the last slot collects whatever does not fit */
		i = TF_MAX_REASONS - 1;
		snprintf(o->reasons[i].text, sizeof o->reasons[i].text, "other reasons");
		o->reasons[i].count++;
		return;
	}
	snprintf(o->reasons[o->nreasons].text, sizeof o->reasons[0].text, "%s", text);
	o->reasons[o->nreasons++].count = 1;
}

static int
flush_rejects(struct tf_ctx *x, ierr *e)
{
	if (x->rejects_fd >= 0 && fdio_write_all(x->rejects_fd, x->rejects.p, x->rejects.len) < 0)
		return ierr_sys(e, errno, "rejects file: write error");
	buf_reset(&x->rejects);
	return 0;
}

/* Record a rejected line: the rejects file, and stderr for the first few. */
static int
reject(struct tf_ctx *x, const struct tf_input *in, uint64_t lineno, int table,
       const ierr *why, const char *line, size_t len, int cut, ierr *e)
{
	size_t n = len > REJECT_TEXT_MAX ? REJECT_TEXT_MAX : len;
	buf *b = &x->rejects;
	int first = 1;

	if ((uint64_t)x->opts->max_shown_rejects > x->shown_rejects++ || log_verbosity() > 0) {
		if (why->field[0])
			log_error("%s:%" PRIu64 ": \"%s\": %s", in->name, lineno, why->field, why->msg);
		else
			log_error("%s:%" PRIu64 ": %s", in->name, lineno, why->msg);
	}
	if (x->rejects_fd < 0)
		return 0;
	/* do not cut a UTF-8 sequence in two: back up to a lead byte */
	while (n < len && n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
		n--;
	if (buf_putc(b, '{') < 0 ||
	    jsonout_key(b, &first, "input") < 0 || jsonout_cstr(b, in->name) < 0 ||
	    jsonout_key(b, &first, "line") < 0 || jsonout_u64(b, lineno) < 0 ||
	    jsonout_key(b, &first, "table") < 0 || jsonout_cstr(b, table >= 0 ? tbl_defs[table].name : NULL) < 0 ||
	    jsonout_key(b, &first, "field") < 0 || jsonout_cstr(b, why->field[0] ? why->field : NULL) < 0 ||
	    jsonout_key(b, &first, "reason") < 0 || jsonout_cstr(b, why->msg) < 0 ||
	    jsonout_key(b, &first, "text") < 0 || jsonout_string(b, line, n) < 0 ||
	    jsonout_key(b, &first, "truncated") < 0 || buf_puts(b, n < len || cut ? "true" : "false") < 0 ||
	    buf_puts(b, "}\n") < 0)
		return ierr_oom(e);
	return b->len >= REJECTS_FLUSH_AT ? flush_rejects(x, e) : 0;
}

/* A rejected line of no table; kind is its reason in the summary. */
static int
reject_other(struct tf_ctx *x, const struct tf_input *in, uint64_t lineno, const char *kind,
	     const ierr *why, const char *line, size_t len, int cut, ierr *e)
{
	x->other.rejects++;
	count_reason(&x->other, "rejected: %s", kind);
	return reject(x, in, lineno, -1, why, line, len, cut, e);
}

/* One line. Returns 0, or IERR_FATAL on a fatal (output or memory) error. */
static int
do_line(struct tf_ctx *x, const struct tf_input *in, uint64_t lineno, const char *line, size_t len,
	int too_long, ierr *e)
{
	struct arch_rec r;
	const jv *root;
	ierr why;
	int t, rc;
	copyout *c;

	ierr_clear(&why);
	if (too_long) {
		x->other.lines++;
		ierr_set(&why, "line longer than %zu bytes", x->opts->max_line);
		return ierr_fatal(reject_other(x, in, lineno, "line too long", &why, line, len, 1, e));
	}
	if (val_blank(line, len)) {
		x->other.lines++;
		x->other.skipped++;
		count_reason(&x->other, "blank line");
		return 0;
	}
	root = jrec_parse(x->jr, line, len, &why);
	if (!root) {
		x->other.lines++;
		return ierr_fatal(reject_other(x, in, lineno, "malformed JSON or text", &why, line, len, 0, e));
	}
	arch_peek(root, &r);
	if (r.type == ARCH_UNKNOWN || r.type == ARCH_RUN_SUMMARY) {
		x->other.lines++;
		if (arch_check_version(root, &why) < 0)
			return ierr_fatal(reject_other(x, in, lineno, "no known format version", &why, line, len, 0, e));
		if (!r.type_str) {
			ierr_field(&why, "type", "missing record type");
			return ierr_fatal(reject_other(x, in, lineno, "no record type", &why, line, len, 0, e));
		}
		x->other.skipped++;
		if (r.type == ARCH_RUN_SUMMARY)
			count_reason(&x->other, "extract run summary");
		else
			count_reason(&x->other, "unknown record type \"%.*s\"",
				     (int)(r.type_str->n > 48 ? 48 : r.type_str->n), r.type_str->s);
		return 0;
	}
	t = by_type[r.type].table;
	c = x->out[t];
	x->counts[t].lines++;
	if (arch_read(root, &r, &why) < 0) {
		x->counts[t].rejects++;
		return ierr_fatal(reject(x, in, lineno, t, &why, line, len, 0, e));
	}
	rc = by_type[r.type].row(x, &r, c, &why);
	if (rc < IERR_FAIL) {	/* IERR_FATAL: not the record's fault */
		*e = why;
		return IERR_FATAL;
	}
	if (rc < 0) {
		copyout_row_discard(c);
		x->counts[t].rejects++;
		return ierr_fatal(reject(x, in, lineno, t, &why, line, len, 0, e));
	}
	if (copyout_row_end(c, e) < 0) {
		ierr_prefix(e, "%s", x->opts->outdir ? tbl_defs[t].name : "stdout");
		return IERR_FATAL;
	}
	x->counts[t].rows++;
	x->counts[t].nul_replaced += jrec_nul_count(x->jr);
	return 0;
}

static int
run_input(struct tf_ctx *x, struct tf_input *in, ierr *e)
{
	gzin *g;
	lines *l;
	const char *line;
	size_t len;
	int too_long, rc = 0, r;
	ierr re;

	if (!(g = gzin_open(in->name, &re)))
		return ierr_set(e, "%s: %s", in->name, re.msg);
	if (!(l = lines_new(g, x->opts->max_line))) {
		gzin_close(g);
		return ierr_oom(e);
	}
	in->gzip = gzin_is_gzip(g);
	while ((r = lines_next(l, &line, &len, &too_long, &re)) > 0) {
		x->lines_read++;
		in->lines++;
		if ((rc = do_line(x, in, lines_lineno(l), line, len, too_long, e)) < 0)
			break;
		if ((in->lines & 4095) == 0 && log_progress_on())
			log_progress("%s: %" PRIu64 " lines, %.1f MB read", in->name, in->lines,
				     (double)gzin_bytes_in(g) / 1e6);
	}
	if (r < 0 && rc == 0)
		rc = ierr_set(e, "%s: after line %" PRIu64 ": %s", in->name, lines_lineno(l), re.msg);
	lines_free(l);
	gzin_close(g);
	log_progress_clear();
	return rc;
}

int
tf_run(struct tf_ctx *x, ierr *e)
{
	int i, rc;

	for (i = 0; i < x->ninputs; i++) {
		if ((rc = run_input(x, &x->inputs[i], e)) < 0)
			return rc;
	}
	for (i = 0; i < TBL_N; i++)
		x->counts[i].eod_values = copyout_eod_values(x->out[i]);
	return ierr_fatal(flush_rejects(x, e));
}

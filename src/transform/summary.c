/* The run summary: summary.json and the closing lines on stderr. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "jsonout.h"
#include "log.h"
#include "transform.h"

#define KEY(k) (jsonout_key(b, &first, (k)) < 0)

static int
counts_json(buf *b, const struct tf_counts *c, const struct tbl_def *def, const char *ext)
{
	int first = 1;
	size_t i;
	char file[96];

	snprintf(file, sizeof file, "%s%s", def->name, ext);
	if (buf_putc(b, '{') < 0 ||
	    KEY("file") || jsonout_cstr(b, file) < 0 ||
	    KEY("lines") || jsonout_u64(b, c->lines) < 0 ||
	    KEY("rows") || jsonout_u64(b, c->rows) < 0 ||
	    KEY("rejects") || jsonout_u64(b, c->rejects) < 0 ||
	    KEY("skipped") || jsonout_u64(b, c->skipped) < 0 ||
	    KEY("nul_replaced") || jsonout_u64(b, c->nul_replaced) < 0 ||
	    KEY("eod_marker_values") || jsonout_u64(b, c->eod_values) < 0 ||
	    KEY("columns") || buf_putc(b, '[') < 0)
		return -1;
	for (i = 0; i < def->ncols; i++)
		if ((i && buf_putc(b, ',') < 0) || jsonout_cstr(b, def->cols[i]) < 0)
			return -1;
	return buf_puts(b, "]}");
}

int
tf_summary_json(const struct tf_ctx *x, buf *b)
{
	const char *ext = x->opts->format == COPY_CSV ? ".csv" : ".txt";
	uint64_t rejects = x->other.rejects;
	int first = 1, i;

	for (i = 0; i < TBL_N; i++)
		rejects += x->counts[i].rejects;
	if (buf_putc(b, '{') < 0 ||
	    KEY("program") || jsonout_cstr(b, "instantly-transform") < 0 ||
	    KEY("version") || jsonout_cstr(b, PACKAGE_VERSION) < 0 ||
	    KEY("archive_version") || jsonout_u64(b, ARCHIVE_VERSION) < 0 ||
	    KEY("format") || jsonout_cstr(b, x->opts->format == COPY_CSV ? "csv" : "text") < 0 ||
	    KEY("lines_read") || jsonout_u64(b, x->lines_read) < 0 ||
	    KEY("rejects") || jsonout_u64(b, rejects) < 0 ||
	    KEY("inputs") || buf_putc(b, '[') < 0)
		return -1;
	for (i = 0; i < x->ninputs; i++) {
		int f2 = 1;
		if ((i && buf_putc(b, ',') < 0) || buf_putc(b, '{') < 0 ||
		    jsonout_key(b, &f2, "name") < 0 || jsonout_cstr(b, x->inputs[i].name) < 0 ||
		    jsonout_key(b, &f2, "gzip") < 0 || buf_puts(b, x->inputs[i].gzip ? "true" : "false") < 0 ||
		    jsonout_key(b, &f2, "lines") < 0 || jsonout_u64(b, x->inputs[i].lines) < 0 ||
		    buf_putc(b, '}') < 0)
			return -1;
	}
	if (buf_putc(b, ']') < 0 || KEY("tables") || buf_putc(b, '{') < 0)
		return -1;
	for (i = 0; i < TBL_N; i++) {
		int f2 = i == 0;
		if (jsonout_key(b, &f2, tbl_defs[i].name) < 0 ||
		    counts_json(b, &x->counts[i], &tbl_defs[i], ext) < 0)
			return -1;
	}
	if (buf_putc(b, '}') < 0 || KEY("other") || buf_putc(b, '{') < 0)
		return -1;
	{
		int f2 = 1;
		if (jsonout_key(b, &f2, "lines") < 0 || jsonout_u64(b, x->other.lines) < 0 ||
		    jsonout_key(b, &f2, "rejects") < 0 || jsonout_u64(b, x->other.rejects) < 0 ||
		    jsonout_key(b, &f2, "skipped") < 0 || jsonout_u64(b, x->other.skipped) < 0 ||
		    jsonout_key(b, &f2, "reasons") < 0 || buf_putc(b, '{') < 0)
			return -1;
		f2 = 1;
		for (i = 0; i < x->other.nreasons; i++)
			if (jsonout_key(b, &f2, x->other.reasons[i].text) < 0 ||
			    jsonout_u64(b, x->other.reasons[i].count) < 0)
				return -1;
	}
	return buf_puts(b, "}}}\n");
}

void
tf_summary_log(const struct tf_ctx *x)
{
	int i;

	for (i = 0; i < TBL_N; i++) {
		const struct tf_counts *c = &x->counts[i];
		log_info("%s: %" PRIu64 " rows, %" PRIu64 " rejects (%" PRIu64 " lines)",
			 tbl_defs[i].name, c->rows, c->rejects, c->lines);
		if (c->eod_values && x->opts->format == COPY_CSV)
			log_warn("%s: %" PRIu64 " values hold a line that is exactly \"\\.\"; psql's \\copy before "
				 "PostgreSQL 18 stops there: load this CSV with server-side COPY, or use --format text",
				 tbl_defs[i].name, c->eod_values);
	}
	if (x->other.lines) {
		log_info("other lines: %" PRIu64 " (%" PRIu64 " skipped, %" PRIu64 " rejected)",
			 x->other.lines, x->other.skipped, x->other.rejects);
		for (i = 0; i < x->other.nreasons; i++)
			log_info("  %s: %" PRIu64, x->other.reasons[i].text, x->other.reasons[i].count);
	}
	{
		uint64_t rows = 0, rejects = x->other.rejects;

		for (i = 0; i < TBL_N; i++) {
			rows += x->counts[i].rows;
			rejects += x->counts[i].rejects;
		}
		/* the last line: the whole run, for logs that keep one line a stage */
		log_info("%" PRIu64 " lines read: %" PRIu64 " rows, %" PRIu64 " rejects, %" PRIu64 " skipped",
			 x->lines_read, rows, rejects, x->other.skipped);
	}
}

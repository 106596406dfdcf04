/* instantly-transform: shared declarations of the stage.
 *
 * run.c reads archives line by line and hands each record to the row
 * builder of its table (leads.c, campaigns.c, analytics.c); fields.c holds
 * the column writers they share; output.c opens, commits or removes the
 * output files; summary.c writes the run summary.
 */
#ifndef IE_TRANSFORM_H
#define IE_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "buf.h"
#include "columns.h"
#include "copyout.h"
#include "icp.h"
#include "ierr.h"
#include "jrec.h"
#include "tables.h"


/* ---- options (opts.c) --------------------------------------------------- */

struct tf_opts {
	const char *outdir;		/* -o DIR */
	int table;			/* --table NAME: index, or -1 */
	enum copy_format format;
	const char *icp_file;
	const char *rejects_path;	/* --rejects; NULL: DIR/rejects.ndjson or none */
	const char *summary_path;	/* --summary; NULL: DIR/summary.json or none */
	size_t max_line;
	int max_shown_rejects;		/* rejects also printed on stderr */
	char **inputs;			/* NULL-terminated; none = stdin */
	int ninputs;
};

/* Parse argv. Returns 0 to run, 1 when --help/--version was answered, -1 on a
 * usage error (message printed). */
int tf_opts_parse(struct tf_opts *o, int argc, char **argv);

/* ---- counts --------------------------------------------------------------- */

struct tf_counts {
	uint64_t lines, rows, rejects, skipped;
	uint64_t nul_replaced;	/* U+0000 replaced by U+FFFD */
	uint64_t eod_values;	/* values holding a line that is exactly "\." */
};

#define TF_MAX_REASONS 32

struct tf_reason {
	char text[96];
	uint64_t count;
};

struct tf_other {
	uint64_t lines, rejects, skipped;
	struct tf_reason reasons[TF_MAX_REASONS];	/* why skipped or rejected */
	int nreasons;
};

struct tf_input {
	const char *name;	/* as given; "-" for stdin */
	uint64_t lines;
	int gzip;
};

/* ---- the run ------------------------------------------------------------ */

struct tf_ctx {
	const struct tf_opts *opts;
	icp *icp;
	jrec *jr;
	copyout *out[TBL_N];
	struct tf_counts counts[TBL_N];
	struct tf_other other;
	struct tf_input *inputs;
	int ninputs;
	uint64_t lines_read;
	buf scratch;		/* a jsonb value being rewritten */
	buf rejects;		/* rejects.ndjson, buffered */
	int rejects_fd;		/* -1: none wanted */
	uint64_t shown_rejects;
};

/* Row builders: write one row of the table for record r into c. Return 0
 * (row complete), -1 when the record is rejected (e says why; the caller
 * discards the partial row), or IERR_FATAL (out of memory, e says so; the
 * caller takes any code below IERR_FAIL as fatal, never as a reject). Each
 * checks what concerns the whole record, then writes the columns of its list
 * in src/lib/columns.h with tf_put_row(). */
int tf_lead_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e);
int tf_campaign_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e);
int tf_daily_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e);
int tf_overview_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e);
int tf_leads_complete_row(struct tf_ctx *x, const struct arch_rec *r, copyout *c, ierr *e);

/* ---- columns (fields.c) ---------------------------------------------------
 * A row is written column by column from a table's list in columns.h: each
 * column names its reader, tf_rd_READER(w, col), which writes that one
 * field of w->c and returns 0, -1 (reject: w->e names the field) or
 * IERR_FATAL (out of memory, w->e says so). */

/* the lead's integers, read and checked before any column is written */
enum tf_lead_int {
	TF_LI_VERIFICATION, TF_LI_INTEREST, TF_LI_STATUS, TF_LI_OPENS, TF_LI_REPLIES, TF_LI_CLICKS, TF_LI_N
};

/* What the row builder of one record worked out before its columns. */
struct tf_lead_facts {
	int32_t ints[TF_LI_N];
	int has[TF_LI_N];
	struct icp_value icp[ICP_NFIELDS];
	const char *lead_status, *interest_status;	/* interest: NULL when none */
	const char *sender;				/* NULL when none */
	size_t sender_n;
};

struct tf_row {
	struct tf_ctx *x;
	const struct arch_rec *r;
	copyout *c;
	ierr *e;
	const struct tf_lead_facts *lead;	/* synced_leads only */
};

struct tf_col {
	const char *name;
	int (*read)(struct tf_row *w, const struct tf_col *col);
	const char *key;	/* in the item; "" when none */
	const char *field;	/* "data.KEY", for messages */
	int arg;		/* an enum icp_field or tf_lead_int, else 0 */
};

/* One entry of a tf_col list from a columns.h list: TABLE_COLUMNS(TF_COL). */
#define TF_COL(name, reader, key, arg) { #name, tf_rd_##reader, key, "data." key, arg },
#define TF_NCOLS(cols) (sizeof (cols) / sizeof (cols)[0])

/* Write the columns of cols in order: 0, or the first reader's -1 or
 * IERR_FATAL. */
int tf_put_row(struct tf_row *w, const struct tf_col *cols, size_t ncols);

/* the readers every table may use (fields.c) */
int tf_rd_client_id(struct tf_row *w, const struct tf_col *col);	/* the envelope's */
int tf_rd_campaign_id(struct tf_row *w, const struct tf_col *col);	/* the envelope's */
int tf_rd_start_date(struct tf_row *w, const struct tf_col *col);	/* the envelope's */
int tf_rd_end_date(struct tf_row *w, const struct tf_col *col);		/* the envelope's */
int tf_rd_extracted_at(struct tf_row *w, const struct tf_col *col);	/* the envelope's */
int tf_rd_text(struct tf_row *w, const struct tf_col *col);		/* tf_put_text of data.KEY */
int tf_rd_int(struct tf_row *w, const struct tf_col *col);		/* tf_put_int of data.KEY */
int tf_rd_numeric(struct tf_row *w, const struct tf_col *col);		/* tf_put_numeric */
int tf_rd_timestamp(struct tf_row *w, const struct tf_col *col);	/* tf_put_timestamp */
int tf_rd_date(struct tf_row *w, const struct tf_col *col);		/* tf_put_date */
int tf_rd_json(struct tf_row *w, const struct tf_col *col);		/* data.KEY as jsonb */
int tf_rd_item(struct tf_row *w, const struct tf_col *col);		/* the whole item as jsonb */
int tf_rd_null(struct tf_row *w, const struct tf_col *col);		/* always NULL */
/* the readers of synced_leads (leads.c), from w->lead */
int tf_rd_lead_id(struct tf_row *w, const struct tf_col *col);
int tf_rd_top_or_icp(struct tf_row *w, const struct tf_col *col);
int tf_rd_icp(struct tf_row *w, const struct tf_col *col);
int tf_rd_lead_int(struct tf_row *w, const struct tf_col *col);
int tf_rd_lead_status(struct tf_row *w, const struct tf_col *col);
int tf_rd_interest_status(struct tf_row *w, const struct tf_col *col);
int tf_rd_sender(struct tf_row *w, const struct tf_col *col);

/* ---- column writers (fields.c) ------------------------------------------
 * Each writes one field of the current row from the JSON value v (NULL when
 * the key is absent) and returns 0, -1 (reject: e names field) or IERR_FATAL
 * (out of memory, e says so). */

/* text: string as decoded; number as its text; true/false; absent/null NULL;
 * object or array rejected. */
int tf_put_text(copyout *c, const jv *v, const char *field, ierr *e);
/* integer per val_int32 (numeric strings accepted). */
int tf_put_int(copyout *c, const jv *v, const char *field, ierr *e);
/* read an integer without writing it: 1 present (*out set), 0 absent or
 * null, -1 rejected. */
int tf_get_int(const jv *v, const char *field, int32_t *out, ierr *e);
/* numeric: a JSON number's text, or a numeric string. */
int tf_put_numeric(copyout *c, const jv *v, const char *field, ierr *e);
/* timestamp: ISO-8601 date-time string; blank string NULL. */
int tf_put_timestamp(copyout *c, const jv *v, const char *field, ierr *e);
/* date: YYYY-MM-DD string. */
int tf_put_date(copyout *c, const jv *v, const char *field, ierr *e);
/* a value already checked to be a string (ids from the envelope): 0, or
 * IERR_FATAL (out of memory: no ierr, the caller fills its own). */
int tf_put_string(copyout *c, const jv *v);
/* an object as jsonb text: its input bytes, \u0000 written as \ufffd; 0,
 * or IERR_FATAL (out of memory: no ierr, the caller fills its own). */
int tf_put_json(struct tf_ctx *x, copyout *c, const jv *v);

/* ---- outputs (output.c) and summary (summary.c) --------------------------- */

struct tf_outputs;
/* Open the temporary outputs (or stdout for --table). NULL on error (e). */
struct tf_outputs *tf_outputs_open(struct tf_ctx *x, ierr *e);
/* Flush and rename everything into place. 0 or -1 (e). */
int tf_outputs_commit(struct tf_ctx *x, struct tf_outputs *o, ierr *e);
/* Remove every temporary file. NULL is ok. */
void tf_outputs_abort(struct tf_outputs *o);

/* The run summary as JSON into b. */
int tf_summary_json(const struct tf_ctx *x, buf *b);
/* One line per table on stderr. */
void tf_summary_log(const struct tf_ctx *x);

/* Read every input. Returns 0 when all input was read (rejects or not), or
 * IERR_FAIL on a fatal input error (e names the input), IERR_FATAL on an
 * output error (or out of memory). */
int tf_run(struct tf_ctx *x, ierr *e);

#endif

/* archive: the archive v1 envelope (schemas/archive-v1/FORMAT.md).
 *
 *   {"v":1,"type":"lead","client_id":"…","campaign_id":"…",
 *    "extracted_at":"…","data":{…}}
 */
#ifndef IE_ARCHIVE_H
#define IE_ARCHIVE_H

#include "buf.h"
#include "ierr.h"
#include "jrec.h"

#define ARCHIVE_VERSION 1

enum arch_type {
	ARCH_UNKNOWN = -1,
	ARCH_CAMPAIGN,
	ARCH_LEAD,
	ARCH_ANALYTICS_DAILY,
	ARCH_ANALYTICS_OVERVIEW,
	ARCH_LEADS_COMPLETE,
	ARCH_RUN_SUMMARY,
	ARCH_NTYPES
};

/* The `type` strings, indexed by enum arch_type. */
extern const char *const arch_type_names[ARCH_NTYPES];

/* One envelope, borrowed from the parsed line. */
struct arch_rec {
	enum arch_type type;
	const jv *type_str;	/* as written, also when unknown */
	const jv *client_id, *campaign_id, *extracted_at, *data;
	const jv *start_date, *end_date;	/* NULL when absent */
};

/* Read the type of a parsed line: sets r->type and r->type_str (NULL when the
 * line is not an object or has no string `type`). Never fails. */
void arch_peek(const jv *root, struct arch_rec *r);

/* Check and read the envelope of a record of a known data type (not
 * run_summary, not unknown): `v` is 1; client_id and campaign_id are UUIDs;
 * extracted_at is an ISO-8601 date-time; data is an object; start_date and
 * end_date, when present, are dates (required for analytics_overview).
 * Returns 0, or -1 with e set (field = the envelope key). */
int arch_read(const jv *root, struct arch_rec *r, ierr *e);

/* Start a record in b (appended): the envelope up to and including
 * `"data":`, for the caller to append the data value and "}\n".
 * client_id and campaign_id NULL write null (run_summary); start_date and
 * end_date NULL leave them out. The strings are written as they are (UUIDs,
 * dates and timestamps the caller made). Returns 0, or -1 when b is full. */
int arch_head(buf *b, enum arch_type type, const char *client_id, const char *campaign_id,
	      const char *extracted_at, const char *start_date, const char *end_date);

/* Check only `v` (for control and unknown records). */
int arch_check_version(const jv *root, ierr *e);

#endif

/* icp: find a lead's ICP fields (job title, industry, company size, ...) in
 * its custom variables (the `payload` object), by synonym.
 *
 * Keys are compared after normalisation: ASCII letters lowered, ASCII digits
 * kept, every other byte dropped ("Job Title", "job_title", "jobTitle" and
 * "JOB-TITLE" are all "jobtitle"). Each field has synonyms in priority
 * order; the first synonym present with a usable value wins, and among keys
 * that normalise to the same synonym the first in payload order with a usable
 * value wins. A usable value is a string that is not blank (trimmed), a
 * number (its exact text) or a boolean; objects, arrays and null are passed
 * over.
 *
 * The synonym lists come from a text file of lines `field: syn, syn, ...`
 * (`#` starts a comment). The suite's default file is compiled in; a user's
 * file replaces the lists of the fields it names.
 */
#ifndef IE_ICP_H
#define IE_ICP_H

#include <stddef.h>

#include "ierr.h"
#include "jrec.h"

enum icp_field {
	ICP_JOB_TITLE,
	ICP_INDUSTRY,
	ICP_COMPANY_SIZE,
	ICP_LINKEDIN_URL,
	ICP_VACANCY_URL,
	ICP_WEBSITE,
	ICP_NFIELDS
};

/* Column names, indexed by enum icp_field. */
extern const char *const icp_field_names[ICP_NFIELDS];

typedef struct icp icp;

/* A synonym table holding the compiled-in defaults. NULL on OOM. */
icp *icp_new(void);
void icp_free(icp *t);

/* Read a synonyms file (name is used in messages); the fields it lists get
 * its lists. Returns 0, or -1 with e set ("FILE:LINE: ..."). */
int icp_load_text(icp *t, const char *text, size_t len, const char *name, ierr *e);
int icp_load_file(icp *t, const char *path, ierr *e);

/* Normalise key into out (at most outmax bytes); returns the full
 * normalised length, which may be larger than outmax. */
size_t icp_normalize(const char *key, size_t n, char *out, size_t outmax);

/* One lookup result: the trimmed text, or s == NULL when nothing matched. */
struct icp_value {
	const char *s;
	size_t n;
};

/* Look every field up in payload (an object, or NULL). */
void icp_lookup(const icp *t, const jv *payload, struct icp_value out[ICP_NFIELDS]);

#endif

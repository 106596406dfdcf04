/* tables: the warehouse tables the transform writes and the loader loads,
 * their columns in file order and their keys (schemas/TABLES.md). The key
 * of every table is its first nkey columns.
 */
#ifndef IE_TABLES_H
#define IE_TABLES_H

#include <stddef.h>

enum tbl_id {
	TBL_SYNCED_LEADS,
	TBL_CAMPAIGNS,
	TBL_CAMPAIGN_ANALYTICS,
	TBL_CAMPAIGN_ANALYTICS_OVERVIEW,
	TBL_LEADS_COMPLETE,
	TBL_N
};

struct tbl_def {
	const char *name;
	const char *const *cols;
	size_t ncols;
	size_t nkey;		/* the key: cols[0 .. nkey) */
};

extern const struct tbl_def tbl_defs[TBL_N];

/* The table named name, or -1. */
int tbl_index(const char *name);

/* The index of column col of table t, or -1. */
int tbl_column(const struct tbl_def *t, const char *col);

#endif

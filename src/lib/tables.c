/* The warehouse tables, their columns in file order (columns.h) and keys
 * (schemas/TABLES.md). */
#include "config.h"

#include <string.h>

#include "columns.h"
#include "tables.h"

/* the names of columns.h's lists */
#define NAME(name, reader, key, arg) #name,

static const char *const synced_leads_cols[] = { SYNCED_LEADS_COLUMNS(NAME) };
static const char *const campaigns_cols[] = { CAMPAIGNS_COLUMNS(NAME) };
static const char *const analytics_cols[] = { CAMPAIGN_ANALYTICS_COLUMNS(NAME) };
static const char *const overview_cols[] = { CAMPAIGN_ANALYTICS_OVERVIEW_COLUMNS(NAME) };
static const char *const leads_complete_cols[] = { LEADS_COMPLETE_COLUMNS(NAME) };

#define TABLE(name, cols, nkey) { name, cols, sizeof cols / sizeof cols[0], nkey }

const struct tbl_def tbl_defs[TBL_N] = {
	TABLE("synced_leads", synced_leads_cols, 3),
	TABLE("campaigns", campaigns_cols, 2),
	TABLE("campaign_analytics", analytics_cols, 3),
	TABLE("campaign_analytics_overview", overview_cols, 4),
	TABLE("leads_complete", leads_complete_cols, 2),
};

int
tbl_index(const char *name)
{
	int t;

	for (t = 0; t < TBL_N; t++)
		if (strcmp(tbl_defs[t].name, name) == 0)
			return t;
	return -1;
}

int
tbl_column(const struct tbl_def *t, const char *col)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], col) == 0)
			return (int)i;
	return -1;
}

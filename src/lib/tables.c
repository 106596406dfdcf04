/* The warehouse tables, their columns in file order and keys (schemas/TABLES.md). */
#include "config.h"

#include <string.h>

#include "tables.h"

static const char *const synced_leads_cols[] = {
	"client_id", "campaign_id", "instantly_lead_id", "email", "first_name", "last_name",
	"company_name", "phone", "company_domain", "personalization", "website", "job_title",
	"industry", "company_size", "linkedin_url", "vacancy_url", "verification_status",
	"lead_status", "interest_status", "lt_interest_status", "instantly_status",
	"sender_account", "email_open_count", "email_reply_count", "email_click_count",
	"timestamp_created", "timestamp_updated", "timestamp_last_contact",
	"timestamp_last_open", "timestamp_last_reply", "timestamp_last_click",
	"timestamp_last_touch", "timestamp_last_interest_change", "payload", "extracted_at",
};

static const char *const campaigns_cols[] = {
	"client_id", "campaign_id", "name", "status", "timestamp_created", "timestamp_updated",
	"item", "extracted_at",
};

static const char *const analytics_cols[] = {
	"client_id", "campaign_id", "date", "emails_sent", "leads_contacted",
	"new_leads_contacted", "opened", "unique_opened", "replies", "unique_replies",
	"replies_automatic", "unique_replies_automatic", "clicked", "unique_clicks",
	"opportunities", "unique_opportunities", "bounced", "extracted_at",
};

static const char *const overview_cols[] = {
	"client_id", "campaign_id", "start_date", "end_date", "open_count",
	"open_count_unique", "open_count_unique_by_step", "link_click_count",
	"link_click_count_unique", "link_click_count_unique_by_step", "reply_count",
	"reply_count_unique", "reply_count_unique_by_step", "reply_count_automatic",
	"reply_count_automatic_unique", "reply_count_automatic_unique_by_step",
	"bounced_count", "unsubscribed_count", "completed_count", "emails_sent_count",
	"contacted_count", "new_leads_contacted_count", "total_opportunities",
	"total_opportunity_value", "total_interested", "total_meeting_booked",
	"total_meeting_completed", "total_closed", "extracted_at",
};

static const char *const leads_complete_cols[] = {
	"client_id", "campaign_id", "leads", "pages", "extracted_at",
};

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

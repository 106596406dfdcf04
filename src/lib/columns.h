/* columns: every warehouse table's columns in file order, one line a
 * column, and how instantly-transform fills each: the one place where a
 * column's position is written (schemas/TABLES.md documents them).
 *
 * Each TABLE_COLUMNS(COL) list calls COL(name, reader, key, arg) once per
 * column, in order. tables.c keeps the names (the header line, the
 * loader's staging tables); the transform's row builders (src/transform/)
 * keep the rest:
 *   reader  the transform's reader of the column, tf_rd_READER: a kind of
 *           value (text, int, timestamp, ...) read from the item, or one
 *           the row builder worked out before (lead_status, ...);
 *   key     the item's key it reads ("" when none); errors name "data.KEY";
 *   arg     what some readers need besides: the ICP field (enum icp_field),
 *           the lead's integer (enum tf_lead_int), else 0.
 * Adding a column is one line here, plus the warehouse schema
 * (schemas/sql/02-tables.sql) and schemas/TABLES.md; a new kind of value
 * needs a reader too.
 */
#ifndef IE_COLUMNS_H
#define IE_COLUMNS_H

/* synced_leads: one row per client x campaign x lead (docs/normalisation.md) */
#define SYNCED_LEADS_COLUMNS(COL) \
	COL(client_id,				client_id,	"",				0) \
	COL(campaign_id,			campaign_id,	"",				0) \
	COL(instantly_lead_id,			lead_id,	"id",				0) \
	COL(email,				text,		"email",			0) \
	COL(first_name,				text,		"first_name",			0) \
	COL(last_name,				text,		"last_name",			0) \
	COL(company_name,			text,		"company_name",			0) \
	COL(phone,				text,		"phone",			0) \
	COL(company_domain,			text,		"company_domain",		0) \
	COL(personalization,			text,		"personalization",		0) \
	COL(website,				top_or_icp,	"website",			ICP_WEBSITE) \
	COL(job_title,				top_or_icp,	"job_title",			ICP_JOB_TITLE) \
	COL(industry,				icp,		"",				ICP_INDUSTRY) \
	COL(company_size,			icp,		"",				ICP_COMPANY_SIZE) \
	COL(linkedin_url,			icp,		"",				ICP_LINKEDIN_URL) \
	COL(vacancy_url,			icp,		"",				ICP_VACANCY_URL) \
	COL(verification_status,		lead_int,	"verification_status",		TF_LI_VERIFICATION) \
	COL(lead_status,			lead_status,	"",				0) \
	COL(interest_status,			interest_status, "",				0) \
	COL(lt_interest_status,			lead_int,	"lt_interest_status",		TF_LI_INTEREST) \
	COL(instantly_status,			lead_int,	"status",			TF_LI_STATUS) \
	COL(sender_account,			sender,		"",				0) \
	COL(email_open_count,			lead_int,	"email_open_count",		TF_LI_OPENS) \
	COL(email_reply_count,			lead_int,	"email_reply_count",		TF_LI_REPLIES) \
	COL(email_click_count,			lead_int,	"email_click_count",		TF_LI_CLICKS) \
	COL(timestamp_created,			timestamp,	"timestamp_created",		0) \
	COL(timestamp_updated,			timestamp,	"timestamp_updated",		0) \
	COL(timestamp_last_contact,		timestamp,	"timestamp_last_contact",	0) \
	COL(timestamp_last_open,		timestamp,	"timestamp_last_open",		0) \
	COL(timestamp_last_reply,		timestamp,	"timestamp_last_reply",		0) \
	COL(timestamp_last_click,		timestamp,	"timestamp_last_click",		0) \
	COL(timestamp_last_touch,		timestamp,	"timestamp_last_touch",		0) \
	COL(timestamp_last_interest_change,	timestamp,	"timestamp_last_interest_change", 0) \
	COL(payload,				json,		"payload",			0) \
	COL(extracted_at,			extracted_at,	"",				0)

/* campaigns: one row per client x campaign, the whole item kept as jsonb */
#define CAMPAIGNS_COLUMNS(COL) \
	COL(client_id,				client_id,	"",				0) \
	COL(campaign_id,			campaign_id,	"",				0) \
	COL(name,				text,		"name",				0) \
	COL(status,				int,		"status",			0) \
	COL(timestamp_created,			timestamp,	"timestamp_created",		0) \
	COL(timestamp_updated,			timestamp,	"timestamp_updated",		0) \
	COL(item,				item,		"",				0) \
	COL(extracted_at,			extracted_at,	"",				0)

/* campaign_analytics: a daily row; the API's key where it differs from the
 * column's name (sent, contacted, clicks) */
#define CAMPAIGN_ANALYTICS_COLUMNS(COL) \
	COL(client_id,				client_id,	"",				0) \
	COL(campaign_id,			campaign_id,	"",				0) \
	COL(date,				date,		"date",				0) \
	COL(emails_sent,			int,		"sent",				0) \
	COL(leads_contacted,			int,		"contacted",			0) \
	COL(new_leads_contacted,		int,		"new_leads_contacted",		0) \
	COL(opened,				int,		"opened",			0) \
	COL(unique_opened,			int,		"unique_opened",		0) \
	COL(replies,				int,		"replies",			0) \
	COL(unique_replies,			int,		"unique_replies",		0) \
	COL(replies_automatic,			int,		"replies_automatic",		0) \
	COL(unique_replies_automatic,		int,		"unique_replies_automatic",	0) \
	COL(clicked,				int,		"clicks",			0) \
	COL(unique_clicks,			int,		"unique_clicks",		0) \
	COL(opportunities,			int,		"opportunities",		0) \
	COL(unique_opportunities,		int,		"unique_opportunities",		0) \
	COL(bounced,				null,		"",				0) \
	COL(extracted_at,			extracted_at,	"",				0)

/* campaign_analytics_overview: one row per client x campaign x window (the
 * window from the envelope) */
#define CAMPAIGN_ANALYTICS_OVERVIEW_COLUMNS(COL) \
	COL(client_id,				client_id,	"",				0) \
	COL(campaign_id,			campaign_id,	"",				0) \
	COL(start_date,				start_date,	"",				0) \
	COL(end_date,				end_date,	"",				0) \
	COL(open_count,				int,		"open_count",			0) \
	COL(open_count_unique,			int,		"open_count_unique",		0) \
	COL(open_count_unique_by_step,		int,		"open_count_unique_by_step",	0) \
	COL(link_click_count,			int,		"link_click_count",		0) \
	COL(link_click_count_unique,		int,		"link_click_count_unique",	0) \
	COL(link_click_count_unique_by_step,	int,		"link_click_count_unique_by_step", 0) \
	COL(reply_count,			int,		"reply_count",			0) \
	COL(reply_count_unique,			int,		"reply_count_unique",		0) \
	COL(reply_count_unique_by_step,		int,		"reply_count_unique_by_step",	0) \
	COL(reply_count_automatic,		int,		"reply_count_automatic",	0) \
	COL(reply_count_automatic_unique,	int,		"reply_count_automatic_unique", 0) \
	COL(reply_count_automatic_unique_by_step, int,		"reply_count_automatic_unique_by_step", 0) \
	COL(bounced_count,			int,		"bounced_count",		0) \
	COL(unsubscribed_count,			int,		"unsubscribed_count",		0) \
	COL(completed_count,			int,		"completed_count",		0) \
	COL(emails_sent_count,			int,		"emails_sent_count",		0) \
	COL(contacted_count,			int,		"contacted_count",		0) \
	COL(new_leads_contacted_count,		int,		"new_leads_contacted_count",	0) \
	COL(total_opportunities,		int,		"total_opportunities",		0) \
	COL(total_opportunity_value,		numeric,	"total_opportunity_value",	0) \
	COL(total_interested,			int,		"total_interested",		0) \
	COL(total_meeting_booked,		int,		"total_meeting_booked",		0) \
	COL(total_meeting_completed,		int,		"total_meeting_completed",	0) \
	COL(total_closed,			int,		"total_closed",			0) \
	COL(extracted_at,			extracted_at,	"",				0)

/* leads_complete: the extract's marker that a campaign's lead listing ended */
#define LEADS_COMPLETE_COLUMNS(COL) \
	COL(client_id,				client_id,	"",				0) \
	COL(campaign_id,			campaign_id,	"",				0) \
	COL(leads,				int,		"leads",			0) \
	COL(pages,				int,		"pages",			0) \
	COL(extracted_at,			extracted_at,	"",				0)

#endif

-- instantly-etl warehouse schema, part 2 of 4: the tables.
--
-- clients and client_campaigns are the portal's: its operators manage
-- them. The four data tables are written by instantly-load only; their
-- columns and keys are those of schemas/TABLES.md (the transform's output),
-- plus loaded_at, the time of the load that last changed the row.
-- Safe to apply again (IF NOT EXISTS everywhere).

CREATE TABLE IF NOT EXISTS clients (
	id uuid PRIMARY KEY,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- which Instantly campaigns belong to which client: the extract's
-- --clients map is "\copy (select client_id, campaign_id from
-- client_campaigns) to stdout with (format csv, header)"
CREATE TABLE IF NOT EXISTS client_campaigns (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, campaign_id)
);
CREATE INDEX IF NOT EXISTS client_campaigns_campaign_idx ON client_campaigns (campaign_id);

CREATE TABLE IF NOT EXISTS campaigns (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	name text,
	status integer,
	timestamp_created timestamptz,
	timestamp_updated timestamptz,
	item jsonb NOT NULL,
	extracted_at timestamptz NOT NULL,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, campaign_id)
);

CREATE TABLE IF NOT EXISTS synced_leads (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	instantly_lead_id uuid NOT NULL,
	email text,
	first_name text,
	last_name text,
	company_name text,
	phone text,
	company_domain text,
	personalization text,
	website text,
	job_title text,
	industry text,
	company_size text,
	linkedin_url text,
	vacancy_url text,
	verification_status integer,
	lead_status text NOT NULL
		CHECK (lead_status IN ('replied', 'bounced', 'emailed', 'not_yet_emailed')),
	interest_status text
		CHECK (interest_status IN ('positive', 'neutral', 'negative')),
	lt_interest_status integer,
	instantly_status integer,
	sender_account text,
	email_open_count integer,
	email_reply_count integer,
	email_click_count integer,
	timestamp_created timestamptz,
	timestamp_updated timestamptz,
	timestamp_last_contact timestamptz,
	timestamp_last_open timestamptz,
	timestamp_last_reply timestamptz,
	timestamp_last_click timestamptz,
	timestamp_last_touch timestamptz,
	timestamp_last_interest_change timestamptz,
	payload jsonb,
	extracted_at timestamptz NOT NULL,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	content_hash bigint,	-- instantly-load's change detection (TABLES.md)
	PRIMARY KEY (client_id, campaign_id, instantly_lead_id)
);
-- a warehouse of an older release gets the column (NULL: the next load
-- rewrites the row once and sets it); ALTER TABLE only when it is missing,
-- since it would lock the portal's readers out until the load commits
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'synced_leads'::regclass
		AND attname = 'content_hash' AND NOT attisdropped) THEN
		ALTER TABLE synced_leads ADD COLUMN content_hash bigint;
	END IF;
END $$;
-- the portal's lead lists (portal_leads, 04-portal.sql): per client, by
-- status, by interest or all, newest activity first, a page at a time: each
-- is a range of one of these, read in order, no sort (the lead id makes the
-- order total, so that pages neither repeat nor skip a lead). They replace
-- the (client, status) and (client, interest) indexes of the previous
-- release, which 04-portal.sql drops.
CREATE INDEX IF NOT EXISTS synced_leads_status_touch_idx
	ON synced_leads (client_id, lead_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id);
CREATE INDEX IF NOT EXISTS synced_leads_interest_touch_idx
	ON synced_leads (client_id, interest_status, timestamp_last_touch DESC NULLS LAST, instantly_lead_id);
CREATE INDEX IF NOT EXISTS synced_leads_touch_idx
	ON synced_leads (client_id, timestamp_last_touch DESC NULLS LAST, instantly_lead_id);

CREATE TABLE IF NOT EXISTS campaign_analytics (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	date date NOT NULL,
	emails_sent integer,
	leads_contacted integer,
	new_leads_contacted integer,
	opened integer,
	unique_opened integer,
	replies integer,
	unique_replies integer,
	replies_automatic integer,
	unique_replies_automatic integer,
	clicked integer,
	unique_clicks integer,
	opportunities integer,
	unique_opportunities integer,
	bounced integer,
	extracted_at timestamptz NOT NULL,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, campaign_id, date)
);
-- the portal's charts: per client over a date range, all campaigns
CREATE INDEX IF NOT EXISTS campaign_analytics_date_idx ON campaign_analytics (client_id, date);

CREATE TABLE IF NOT EXISTS campaign_analytics_overview (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	start_date date NOT NULL,
	end_date date NOT NULL,
	open_count integer,
	open_count_unique integer,
	open_count_unique_by_step integer,
	link_click_count integer,
	link_click_count_unique integer,
	link_click_count_unique_by_step integer,
	reply_count integer,
	reply_count_unique integer,
	reply_count_unique_by_step integer,
	reply_count_automatic integer,
	reply_count_automatic_unique integer,
	reply_count_automatic_unique_by_step integer,
	bounced_count integer,
	unsubscribed_count integer,
	completed_count integer,
	emails_sent_count integer,
	contacted_count integer,
	new_leads_contacted_count integer,
	total_opportunities integer,
	total_opportunity_value numeric,
	total_interested integer,
	total_meeting_booked integer,
	total_meeting_completed integer,
	total_closed integer,
	extracted_at timestamptz NOT NULL,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, campaign_id, start_date, end_date)
);
CREATE INDEX IF NOT EXISTS campaign_analytics_overview_window_idx
	ON campaign_analytics_overview (client_id, end_date, start_date);

-- the newest complete lead listing of each campaign that a load applied
-- (the extract's leads_complete marker): leads deleted because it no
-- longer held them stay deleted when an older archive is loaded again
CREATE TABLE IF NOT EXISTS lead_listings (
	client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	campaign_id uuid NOT NULL,
	complete_at timestamptz NOT NULL,	-- the marker's extracted_at
	leads integer,
	pages integer,
	loaded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, campaign_id)
);

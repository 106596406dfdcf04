-- instantly-etl warehouse schema, part 4 of 4: the portal's read interface.
--
-- Views the portal reads, documented with their typical queries and plans in
-- schemas/PORTAL.md (installed beside sql/):
--   portal_lead_counts (client_id, campaign_id, lead_status, interest_status, leads)
--   portal_icp_counts  (client_id, field, value, leads): field is job_title,
--                      industry or company_size; a NULL value is a group
--   portal_daily       (client_id, date, emails_sent, opened, replies, clicked,
--                      bounced, opportunities): summed over the client's campaigns
--   portal_leads       the lead list: the columns of synced_leads
-- Every view runs with the caller's rights (security_invoker, PostgreSQL 15):
-- the row-level security of the tables below it applies to whoever reads
-- it, exactly as on the tables (03-rls.sql).
--
-- The two counting views read rollup tables, portal_lead_rollup and
-- portal_icp_rollup, one row per (client, campaign, group): instantly-load
-- adds to them what it changed and counts again the pairs it copied in
-- whole, with portal_refresh_changes(), in its transaction, so a rollup
-- never differs from a GROUP BY over synced_leads (a failed load changes
-- neither). Their policy is synced_leads' own
-- (copied from it here, kept equal when 03-rls.sql changes it): a client
-- sees the groups of the campaigns client_campaigns maps to it, at once.
--
-- Safe to apply again: what is as it should be is left alone (no lock).
-- What an older warehouse lacks is added: the rollups are filled from
-- synced_leads once (a GROUP BY of the whole table), the lead list indexes
-- of the previous release (client, status) and (client, interest), which
-- the indexes of 02-tables.sql replace, are dropped: DROP INDEX locks
-- synced_leads against readers until the transaction ends, so
-- instantly-load --init-schema applies this part last, just before COMMIT.
-- Needs 02-tables.sql and 03-rls.sql first.

-- what the rollups count, per pair, in an index: portal_refresh() reads it
-- (an index-only scan: the heap only for the pages changed since the last
-- VACUUM, i.e. by this load), not the wide rows of synced_leads
CREATE INDEX IF NOT EXISTS synced_leads_portal_idx ON synced_leads (client_id, campaign_id, lead_status, interest_status)
	INCLUDE (job_title, industry, company_size);

CREATE TABLE IF NOT EXISTS portal_lead_rollup (
	client_id uuid NOT NULL,
	campaign_id uuid NOT NULL,
	lead_status text NOT NULL,
	interest_status text,
	leads bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_lead_rollup_pair_idx ON portal_lead_rollup (client_id, campaign_id);

CREATE TABLE IF NOT EXISTS portal_icp_rollup (
	client_id uuid NOT NULL,
	campaign_id uuid NOT NULL,
	field text NOT NULL CHECK (field IN ('job_title', 'industry', 'company_size')),
	value text,
	leads bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_icp_rollup_pair_idx ON portal_icp_rollup (client_id, campaign_id);

-- The operator's workspace-wide ICP counts (view portal_icp_workspace): one
-- row per (field, value) over every client, the sums of portal_icp_rollup,
-- recomputed from it (a few thousand rows, not the leads) wherever it
-- changes. An operator sees every row of the rollups anyway; summing
-- portal_icp_rollup through its policy (client_id = ANY (every client), per
-- row) at each read took 232 ms at 1,000,000 leads, this is a scan of a
-- few thousand rows. Its policy: operators only (a client has its own
-- counts in portal_icp_counts).
CREATE TABLE IF NOT EXISTS portal_icp_workspace_rollup (
	field text NOT NULL CHECK (field IN ('job_title', 'industry', 'company_size')),
	value text,
	leads bigint NOT NULL
);

-- portal_icp_workspace_refresh(): portal_icp_workspace_rollup recomputed
-- from portal_icp_rollup (DELETE, not TRUNCATE: readers go on meanwhile)
CREATE OR REPLACE FUNCTION portal_icp_workspace_refresh()
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_catalog
AS $f$
BEGIN
	DELETE FROM portal_icp_workspace_rollup;
	INSERT INTO portal_icp_workspace_rollup (field, value, leads)
		SELECT field, value, sum(leads)::bigint FROM portal_icp_rollup GROUP BY field, value;
END
$f$;
-- EXECUTE stays with PUBLIC: as portal_refresh() below
GRANT EXECUTE ON FUNCTION portal_icp_workspace_refresh() TO PUBLIC;

-- A client deleted (its rows in synced_leads go by ON DELETE CASCADE): its
-- rollup rows too, in the same statement. (A trigger, not a foreign key
-- per rollup row: the loader rewrites thousands of them a night, and a
-- foreign key checks each.)
CREATE OR REPLACE FUNCTION portal_client_deleted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_catalog
AS $f$
BEGIN
	DELETE FROM portal_lead_rollup r USING gone g WHERE r.client_id = g.id;
	DELETE FROM portal_icp_rollup r USING gone g WHERE r.client_id = g.id;
	PERFORM portal_icp_workspace_refresh();
	RETURN NULL;
END
$f$;
REVOKE ALL ON FUNCTION portal_client_deleted() FROM PUBLIC;
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = 'clients'::regclass AND tgname = 'portal_client_deleted') THEN
		CREATE TRIGGER portal_client_deleted AFTER DELETE ON clients REFERENCING OLD TABLE AS gone
			FOR EACH STATEMENT EXECUTE FUNCTION portal_client_deleted();
	END IF;
END
$$;

-- portal_icp_groups(pairs): the rows of portal_icp_rollup for the pairs of
-- the table named (NULL: every pair), one pass over synced_leads_portal_idx
-- (GROUPING SETS: one hash table per field, not three rows per lead)
CREATE OR REPLACE FUNCTION portal_icp_groups(pairs regclass)
RETURNS TABLE (client_id uuid, campaign_id uuid, field text, value text, leads bigint)
LANGUAGE plpgsql
SET search_path = public, pg_catalog
AS $f$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT g.client_id, g.campaign_id, CASE g.k WHEN 3 THEN ''job_title'' WHEN 5 THEN ''industry'' ELSE ''company_size'' END,
			CASE g.k WHEN 3 THEN g.job_title WHEN 5 THEN g.industry ELSE g.company_size END, g.n
		FROM (SELECT s.client_id, s.campaign_id, s.job_title, s.industry, s.company_size,
			GROUPING(s.job_title, s.industry, s.company_size) AS k, count(*) AS n
			FROM synced_leads s %s
			GROUP BY s.client_id, s.campaign_id, GROUPING SETS ((s.job_title), (s.industry), (s.company_size))) g',
		CASE WHEN pairs IS NULL THEN ''
		ELSE format('JOIN %s p ON s.client_id = p.client_id AND s.campaign_id = p.campaign_id', pairs) END);
END
$f$;
-- EXECUTE stays with PUBLIC: the loader's role is often not the owner
-- (a role with the tables' grants), and the function runs with its
-- caller's rights, so the portal's roles, which may only SELECT the
-- rollups, change nothing by calling it (tests/cli/schema-portal.sh).
GRANT EXECUTE ON FUNCTION portal_icp_groups(regclass) TO PUBLIC;

-- portal_refresh(client_ids, campaign_ids): the rollup rows of the
-- (client_ids[i], campaign_ids[i]) pairs, and of every pair in the rollups
-- that client_campaigns no longer maps, recomputed from synced_leads (a
-- GROUP BY through its primary key: the pairs' rows only). NULL, NULL:
-- every pair (the whole table). The loader calls it before its COMMIT.
CREATE OR REPLACE FUNCTION portal_refresh(client_ids uuid[] DEFAULT NULL, campaign_ids uuid[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_catalog
AS $f$
BEGIN
	IF client_ids IS NULL AND campaign_ids IS NULL THEN
		-- DELETE, not TRUNCATE: readers of the rollups go on meanwhile
		DELETE FROM portal_lead_rollup;
		DELETE FROM portal_icp_rollup;
		INSERT INTO portal_lead_rollup (client_id, campaign_id, lead_status, interest_status, leads)
			SELECT client_id, campaign_id, lead_status, interest_status, count(*)
			FROM synced_leads GROUP BY client_id, campaign_id, lead_status, interest_status;
		INSERT INTO portal_icp_rollup (client_id, campaign_id, field, value, leads)
			SELECT client_id, campaign_id, field, value, leads FROM portal_icp_groups(NULL);
		PERFORM portal_icp_workspace_refresh();
		RETURN;
	END IF;
	IF client_ids IS NULL OR campaign_ids IS NULL OR
	   coalesce(array_length(client_ids, 1), 0) <> coalesce(array_length(campaign_ids, 1), 0) THEN
		RAISE EXCEPTION 'portal_refresh: client_ids and campaign_ids must be arrays of the same length';
	END IF;
	CREATE TEMP TABLE IF NOT EXISTS portal_refresh_pairs (client_id uuid, campaign_id uuid) ON COMMIT DELETE ROWS;
	DELETE FROM portal_refresh_pairs;
	INSERT INTO portal_refresh_pairs
		SELECT u.c, u.k FROM unnest(client_ids, campaign_ids) AS u (c, k) WHERE u.c IS NOT NULL AND u.k IS NOT NULL
		UNION
		SELECT r.client_id, r.campaign_id FROM portal_lead_rollup r WHERE NOT EXISTS (SELECT FROM client_campaigns m
			WHERE m.client_id = r.client_id AND m.campaign_id = r.campaign_id);
	ANALYZE portal_refresh_pairs;	-- a few pairs: index probes, not a scan of synced_leads
	DELETE FROM portal_lead_rollup r USING portal_refresh_pairs p
		WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id;
	DELETE FROM portal_icp_rollup r USING portal_refresh_pairs p
		WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id;
	INSERT INTO portal_lead_rollup (client_id, campaign_id, lead_status, interest_status, leads)
		SELECT s.client_id, s.campaign_id, s.lead_status, s.interest_status, count(*)
		FROM portal_refresh_pairs p JOIN synced_leads s ON s.client_id = p.client_id AND s.campaign_id = p.campaign_id
		GROUP BY s.client_id, s.campaign_id, s.lead_status, s.interest_status;
	INSERT INTO portal_icp_rollup (client_id, campaign_id, field, value, leads)
		SELECT client_id, campaign_id, field, value, leads FROM portal_icp_groups('portal_refresh_pairs');
	DELETE FROM portal_refresh_pairs;
	PERFORM portal_icp_workspace_refresh();
END
$f$;
-- EXECUTE stays with PUBLIC: the loader's role is often not the owner
-- (a role with the tables' grants), and the function runs with its
-- caller's rights, so the portal's roles, which may only SELECT the
-- rollups, change nothing by calling it (tests/cli/schema-portal.sh).
GRANT EXECUTE ON FUNCTION portal_refresh(uuid[], uuid[]) TO PUBLIC;

-- portal_refresh_changes(client_ids, campaign_ids, changes): what a night
-- costs, not the warehouse's size. The (client_ids[i], campaign_ids[i])
-- pairs (campaigns copied in whole) and every pair that client_campaigns
-- no longer maps are counted again from synced_leads, as portal_refresh()
-- does; every other pair's rollup rows get the rows of the table named by
-- changes added to them: (client_id, campaign_id, lead_status,
-- interest_status, job_title, industry, company_size, n), n = 1 for each
-- row written to synced_leads and -1 for each row's values before it was
-- rewritten or deleted. So a night that changes 5% of the leads reads and
-- writes the rollup rows of its pairs, not their leads. A pair whose sums
-- would fall below zero (rollups that were not kept with synced_leads) is
-- counted again instead. Nothing changed, nothing to count again: no
-- rollup row is written. The loader calls it before its COMMIT.
CREATE OR REPLACE FUNCTION portal_refresh_changes(client_ids uuid[], campaign_ids uuid[], changes regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_catalog
AS $f$
DECLARE
	bad_c uuid[];
	bad_k uuid[];
BEGIN
	IF client_ids IS NULL OR campaign_ids IS NULL OR changes IS NULL OR
	   coalesce(array_length(client_ids, 1), 0) <> coalesce(array_length(campaign_ids, 1), 0) THEN
		RAISE EXCEPTION 'portal_refresh_changes: client_ids and campaign_ids must be arrays of the same length, changes a table';
	END IF;
	-- the changes summed per group, less the pairs counted again
	CREATE TEMP TABLE IF NOT EXISTS portal_changes (client_id uuid, campaign_id uuid, lead_status text,
		interest_status text, job_title text, industry text, company_size text, n bigint) ON COMMIT DELETE ROWS;
	DELETE FROM portal_changes;
	EXECUTE format('INSERT INTO portal_changes SELECT c.client_id, c.campaign_id, c.lead_status, c.interest_status,
			c.job_title, c.industry, c.company_size, sum(c.n) FROM %s c
		WHERE NOT EXISTS (SELECT FROM unnest($1, $2) AS u (c, k) WHERE u.c = c.client_id AND u.k = c.campaign_id)
		AND EXISTS (SELECT FROM client_campaigns m WHERE m.client_id = c.client_id AND m.campaign_id = c.campaign_id)
		GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(c.n) <> 0', changes) USING client_ids, campaign_ids;
	CREATE TEMP TABLE IF NOT EXISTS portal_changed_pairs (client_id uuid, campaign_id uuid) ON COMMIT DELETE ROWS;
	DELETE FROM portal_changed_pairs;
	INSERT INTO portal_changed_pairs SELECT DISTINCT client_id, campaign_id FROM portal_changes;
	-- each changed pair's rollup rows: taken out, summed with the changes,
	-- put back (the groups whose sum is 0 left out); GROUP BY takes NULL
	-- values (a lead without interest_status, job_title...) as one group
	WITH cur AS (DELETE FROM portal_lead_rollup r USING portal_changed_pairs p
		WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id RETURNING r.*)
	INSERT INTO portal_lead_rollup (client_id, campaign_id, lead_status, interest_status, leads)
		SELECT client_id, campaign_id, lead_status, interest_status, sum(leads) FROM (
			SELECT client_id, campaign_id, lead_status, interest_status, leads FROM cur
			UNION ALL SELECT client_id, campaign_id, lead_status, interest_status, n FROM portal_changes) x
		GROUP BY client_id, campaign_id, lead_status, interest_status HAVING sum(leads) <> 0;
	WITH cur AS (DELETE FROM portal_icp_rollup r USING portal_changed_pairs p
		WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id RETURNING r.*)
	INSERT INTO portal_icp_rollup (client_id, campaign_id, field, value, leads)
		SELECT client_id, campaign_id, field, value, sum(leads) FROM (
			SELECT client_id, campaign_id, field, value, leads FROM cur
			UNION ALL SELECT c.client_id, c.campaign_id, v.field, v.value, c.n FROM portal_changes c,
				LATERAL (VALUES ('job_title', c.job_title), ('industry', c.industry),
					('company_size', c.company_size)) AS v (field, value)) x
		GROUP BY client_id, campaign_id, field, value HAVING sum(leads) <> 0;
	-- a sum below zero (only a changed pair's rows were written): these
	-- rollups were not kept in step; counted again
	SELECT array_agg(client_id), array_agg(campaign_id) INTO bad_c, bad_k FROM portal_changed_pairs p
		WHERE EXISTS (SELECT FROM portal_lead_rollup r WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id
			AND r.leads < 0)
		OR EXISTS (SELECT FROM portal_icp_rollup r WHERE r.client_id = p.client_id AND r.campaign_id = p.campaign_id
			AND r.leads < 0);
	-- the pairs counted again (unmapped ones added by portal_refresh), and
	-- the workspace's sums; nothing at all when nothing changed
	IF coalesce(array_length(client_ids, 1), 0) > 0 OR bad_c IS NOT NULL OR EXISTS (SELECT FROM portal_changed_pairs)
	   OR EXISTS (SELECT FROM portal_lead_rollup r WHERE NOT EXISTS (SELECT FROM client_campaigns m
		WHERE m.client_id = r.client_id AND m.campaign_id = r.campaign_id)) THEN
		PERFORM portal_refresh(client_ids || coalesce(bad_c, '{}'), campaign_ids || coalesce(bad_k, '{}'));
	END IF;
	DELETE FROM portal_changes;
	DELETE FROM portal_changed_pairs;
END
$f$;
-- EXECUTE stays with PUBLIC: as portal_refresh() above
GRANT EXECUTE ON FUNCTION portal_refresh_changes(uuid[], uuid[], regclass) TO PUBLIC;

DO $$
DECLARE
	version constant text := 'instantly-etl portal v1';
	lead_cols constant text :=
		'client_id, campaign_id, instantly_lead_id, email, first_name, last_name, company_name, phone, '
		'company_domain, personalization, website, job_title, industry, company_size, linkedin_url, '
		'vacancy_url, verification_status, lead_status, interest_status, lt_interest_status, '
		'instantly_status, sender_account, email_open_count, email_reply_count, email_click_count, '
		'timestamp_created, timestamp_updated, timestamp_last_contact, timestamp_last_open, '
		'timestamp_last_reply, timestamp_last_click, timestamp_last_touch, '
		'timestamp_last_interest_change, payload, extracted_at, loaded_at';
	operator constant text := '((SELECT auth.jwt()) ->> ''user_role'') = ''operator''';
	v record;
	t name;
	qual text;
	q text;
	pol name;
BEGIN
	-- the rollups' policy: synced_leads' own (03-rls.sql)
	qual := (SELECT pg_get_expr(polqual, polrelid) FROM pg_policy
		 WHERE polrelid = 'synced_leads'::regclass AND polname = 'synced_leads_select');
	IF qual IS NULL THEN
		RAISE EXCEPTION '04-portal.sql: synced_leads has no policy synced_leads_select: apply 03-rls.sql first';
	END IF;
	-- the client rollups: synced_leads' policy, kept in step with it; the
	-- workspace rollup: operators only (created once)
	FOR t, q IN VALUES ('portal_lead_rollup'::name, qual), ('portal_icp_rollup', qual),
			('portal_icp_workspace_rollup', operator) LOOP
		pol := t || '_select';
		IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = t::regclass) THEN
			EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_policy WHERE polrelid = t::regclass AND polname = pol) THEN
			EXECUTE format('CREATE POLICY %I ON %I AS PERMISSIVE FOR SELECT TO authenticated USING (%s)', pol, t, q);
		ELSIF q = qual AND (SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = t::regclass AND polname = pol)
		      IS DISTINCT FROM qual THEN
			EXECUTE format('ALTER POLICY %I ON %I TO authenticated USING (%s)', pol, t, qual);
		END IF;
		IF has_table_privilege('anon', t, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') OR
		   has_table_privilege('authenticated', t, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') THEN
			EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %I FROM anon, authenticated', t);
		END IF;
		IF NOT (has_table_privilege('anon', t, 'SELECT') AND has_table_privilege('authenticated', t, 'SELECT')) THEN
			EXECUTE format('GRANT SELECT ON %I TO anon, authenticated', t);
		END IF;
	END LOOP;

	-- the views: created where missing, replaced where of another version
	FOR v IN SELECT * FROM (VALUES
		('portal_lead_counts',
		 'SELECT client_id, campaign_id, lead_status, interest_status, leads FROM portal_lead_rollup'),
		('portal_icp_counts',
		 'SELECT client_id, field, value, sum(leads)::bigint AS leads FROM portal_icp_rollup GROUP BY client_id, field, value'),
		('portal_daily',
		 'SELECT client_id, date, sum(emails_sent)::bigint AS emails_sent, sum(opened)::bigint AS opened, '
		 'sum(replies)::bigint AS replies, sum(clicked)::bigint AS clicked, sum(bounced)::bigint AS bounced, '
		 'sum(opportunities)::bigint AS opportunities FROM campaign_analytics GROUP BY client_id, date'),
		('portal_leads', 'SELECT ' || lead_cols || ' FROM synced_leads'),
		('portal_icp_workspace', 'SELECT field, value, leads FROM portal_icp_workspace_rollup')) AS x (name, def)
	LOOP
		IF to_regclass(v.name) IS NOT NULL AND
		   obj_description(v.name::regclass, 'pg_class') IS DISTINCT FROM version THEN
			EXECUTE format('DROP VIEW %I', v.name);
		END IF;
		IF to_regclass(v.name) IS NULL THEN
			EXECUTE format('CREATE VIEW %I WITH (security_invoker = true) AS %s', v.name, v.def);
			EXECUTE format('COMMENT ON VIEW %I IS %L', v.name, version);
			EXECUTE format('GRANT SELECT ON %I TO anon, authenticated', v.name);
		END IF;
	END LOOP;

	-- an older warehouse: the rollups filled once, the replaced indexes dropped
	IF (NOT EXISTS (SELECT FROM portal_lead_rollup) OR NOT EXISTS (SELECT FROM portal_icp_rollup))
	   AND EXISTS (SELECT FROM synced_leads) THEN
		PERFORM portal_refresh(NULL, NULL);
	ELSIF NOT EXISTS (SELECT FROM portal_icp_workspace_rollup) AND EXISTS (SELECT FROM portal_icp_rollup) THEN
		-- a warehouse of the portal's first release: its workspace rollup
		PERFORM portal_icp_workspace_refresh();
	END IF;
	IF to_regclass('synced_leads_status_idx') IS NOT NULL THEN
		DROP INDEX synced_leads_status_idx;
	END IF;
	IF to_regclass('synced_leads_interest_idx') IS NOT NULL THEN
		DROP INDEX synced_leads_interest_idx;
	END IF;
END
$$;

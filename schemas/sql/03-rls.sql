-- instantly-etl warehouse schema, part 3 of 4: row-level security.
--
-- The portal's pattern (docs/portal-rls.md of the source tree; the policies,
-- their plans and the upgrade are explained in schemas/RLS.md, installed
-- beside sql/): on every table, RLS on and SELECT-only policies
-- for the role authenticated:
--   - a client user sees the rows whose client_id equals the JWT claim
--     client_id and, in the data tables (campaigns, synced_leads,
--     campaign_analytics, campaign_analytics_overview, lead_listings), only
--     those of campaigns that client_campaigns maps to that client: taking a
--     campaign away from a client (DELETE FROM client_campaigns) ends its
--     access at once, before any load removes the rows;
--   - an operator (claim user_role = 'operator') sees every row;
--   - anyone else, and a missing or malformed claim, sees nothing, without
--     an error.
-- The claims are read as (SELECT auth.jwt()), a subselect, so the planner
-- evaluates them once per statement (an InitPlan), not once per row; the
-- claim becomes a uuid (NULL unless it is one) so the comparison can use
-- the index on client_id. In the data tables the client ids a request may
-- see (the claim's; every client for an operator) and the campaigns mapped
-- to the claim's client are arrays computed once per statement (InitPlans),
-- so that "client_id = ANY (...)" is an index condition. No policy
-- grants INSERT, UPDATE or DELETE, and those privileges are revoked: only
-- the owner (instantly-load) or a role that bypasses RLS (Supabase's
-- service_role) writes.
-- Safe to apply again: what is as it should be is left alone (no lock); a
-- data table's policy from an older release (its comment is not this
-- file's version) is replaced in place with ALTER POLICY, which locks that
-- table against readers until the transaction ends: instantly-load
-- --init-schema applies this part (then 04-portal.sql) last, just before its COMMIT.

DO $$
DECLARE
	t record;
	claim_uuid constant text :=
		'(SELECT CASE WHEN c ~* ''^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'' '
		'THEN c::uuid END FROM (SELECT (SELECT auth.jwt()) ->> ''client_id'' AS c) AS claim)';
	operator constant text := '((SELECT auth.jwt()) ->> ''user_role'') = ''operator''';
	version constant text := 'instantly-etl RLS v2: a client sees its rows of the campaigns client_campaigns maps to it; an operator sees every row';
	qual text;
	pol name;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('clients', 'id', false),
		('client_campaigns', 'client_id', false),
		('campaigns', 'client_id', true),
		('synced_leads', 'client_id', true),
		('campaign_analytics', 'client_id', true),
		('campaign_analytics_overview', 'client_id', true),
		('lead_listings', 'client_id', true)) AS v (name, col, mapped)
	LOOP
		pol := t.name || '_select';
		IF t.mapped THEN
			-- client_id = ANY (the claim's client; every client for an
			-- operator) is an index condition; for a client, the
			-- campaigns client_campaigns maps to it filter the rows
			qual := format('%I = ANY (ARRAY(SELECT %s UNION ALL SELECT c.id FROM clients c WHERE %s)) AND (%s OR '
				       'campaign_id = ANY (ARRAY(SELECT m.campaign_id FROM client_campaigns m WHERE m.client_id = %s)))',
				       t.col, claim_uuid, operator, operator, claim_uuid);
		ELSE
			qual := format('%I = %s OR %s', t.col, claim_uuid, operator);
		END IF;
		-- ALTER TABLE and CREATE or ALTER POLICY lock the table against
		-- readers until commit: done only where something is missing or
		-- old, so that applying the schema again blocks no portal read
		IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = t.name::regclass) THEN
			EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_policy WHERE polrelid = t.name::regclass AND polname = pol) THEN
			EXECUTE format('CREATE POLICY %I ON %I AS PERMISSIVE FOR SELECT TO authenticated USING (%s)',
				       pol, t.name, qual);
			EXECUTE format('COMMENT ON POLICY %I ON %I IS %L', pol, t.name, version);
		ELSIF t.mapped AND obj_description((SELECT oid FROM pg_policy WHERE polrelid = t.name::regclass
						    AND polname = pol), 'pg_policy') IS DISTINCT FROM version THEN
			EXECUTE format('ALTER POLICY %I ON %I TO authenticated USING (%s)', pol, t.name, qual);
			EXECUTE format('COMMENT ON POLICY %I ON %I IS %L', pol, t.name, version);
		END IF;
		IF has_table_privilege('anon', t.name, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') OR
		   has_table_privilege('authenticated', t.name, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') THEN
			EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON %I FROM anon, authenticated', t.name);
		END IF;
		IF NOT (has_table_privilege('anon', t.name, 'SELECT') AND has_table_privilege('authenticated', t.name, 'SELECT')) THEN
			EXECUTE format('GRANT SELECT ON %I TO anon, authenticated', t.name);
		END IF;
	END LOOP;
END
$$;

-- instantly-etl warehouse schema, part 3 of 3: row-level security.
--
-- The portal's pattern (see ../shared/rls.md of the project): on every
-- table, RLS on and SELECT-only policies for the role authenticated:
--   - a client user sees the rows whose client_id equals the JWT claim
--     client_id;
--   - an operator (claim user_role = 'operator') sees every row;
--   - anyone else, and a missing or malformed claim, sees nothing, without
--     an error.
-- The claims are read as (SELECT auth.jwt()), a subselect, so the planner
-- evaluates them once per statement (an InitPlan), not once per row; the
-- claim becomes a uuid (NULL unless it is one) so the comparison can use
-- the index on client_id. No policy grants INSERT, UPDATE or DELETE, and
-- those privileges are revoked: only the owner (instantly-load) or a role
-- that bypasses RLS (Supabase's service_role) writes.
-- Safe to apply again: what exists is left as it is (and unlocked); to
-- change a policy, drop it and apply this file again.

DO $$
DECLARE
	t record;
	claim_uuid constant text :=
		'(SELECT CASE WHEN c ~* ''^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'' '
		'THEN c::uuid END FROM (SELECT (SELECT auth.jwt()) ->> ''client_id'' AS c) AS claim)';
	operator constant text := '((SELECT auth.jwt()) ->> ''user_role'') = ''operator''';
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('clients', 'id'),
		('client_campaigns', 'client_id'),
		('campaigns', 'client_id'),
		('synced_leads', 'client_id'),
		('campaign_analytics', 'client_id'),
		('campaign_analytics_overview', 'client_id'),
		('lead_listings', 'client_id')) AS v (name, col)
	LOOP
		-- ALTER TABLE and CREATE POLICY lock the table against readers
		-- until commit: done only where something is missing, so that
		-- applying the schema again inside a load blocks no portal read
		IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = t.name::regclass) THEN
			EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_policies WHERE schemaname = current_schema()
			       AND tablename = t.name AND policyname = t.name || '_select') THEN
			EXECUTE format('CREATE POLICY %I ON %I AS PERMISSIVE FOR SELECT TO authenticated USING (%I = %s OR %s)',
				       t.name || '_select', t.name, t.col, claim_uuid, operator);
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

-- tests/data/rls-0.1.0.sql: the row-level security of the release before
-- issue 10 (client_id = claim OR operator, not consulting client_campaigns),
-- applied after schemas/sql/01-auth.sql and 02-tables.sql, for the tests
-- that upgrade such a warehouse in place (schema-rls.sh, load-unmap.sh).
DO $$
DECLARE t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('clients', 'id'), ('client_campaigns', 'client_id'), ('campaigns', 'client_id'),
		('synced_leads', 'client_id'), ('campaign_analytics', 'client_id'), ('campaign_analytics_overview', 'client_id'),
		('lead_listings', 'client_id')) AS v (name, col)
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
		EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO authenticated USING (%I = (SELECT CASE WHEN c ~* ''^[0-9a-f-]{36}$'' THEN c::uuid END FROM (SELECT (SELECT auth.jwt()) ->> ''client_id'' AS c) x) OR ((SELECT auth.jwt()) ->> ''user_role'') = ''operator'')', t.name || '_select', t.name, t.col);
		EXECUTE format('GRANT SELECT ON %I TO anon, authenticated', t.name);
	END LOOP;
END $$;

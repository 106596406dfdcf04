-- instantly-etl warehouse schema, part 1 of 4: what Supabase provides.
--
-- On Supabase the auth schema, auth.jwt() and the roles anon and
-- authenticated already exist: this file changes none of them. On plain
-- PostgreSQL it creates them, with Supabase's behaviour, so that the same
-- row-level security policies work unchanged. Safe to apply again.

CREATE SCHEMA IF NOT EXISTS auth;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
		CREATE ROLE anon NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
		CREATE ROLE authenticated NOLOGIN;
	END IF;
END
$$;

-- auth.jwt(): the request's JWT claims as jsonb, from the settings that
-- PostgREST sets per request (request.jwt.claim first, then
-- request.jwt.claims); NULL when both are empty. Unlike a plain cast, any
-- claim set jsonb cannot take gives NULL too: a malformed claim set must
-- mean "sees nothing", never an error.
DO $$
BEGIN
	IF to_regprocedure('auth.jwt()') IS NULL THEN
		CREATE FUNCTION auth.jwt() RETURNS jsonb
		LANGUAGE plpgsql STABLE
		AS $f$
		DECLARE
			claims text := coalesce(nullif(current_setting('request.jwt.claim', true), ''),
						nullif(current_setting('request.jwt.claims', true), ''));
		BEGIN
			RETURN claims::jsonb;
		EXCEPTION WHEN OTHERS THEN
			-- not JSON, a \u0000 jsonb refuses, nesting too deep...
			RETURN NULL;
		END
		$f$;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA auth TO anon, authenticated;
GRANT EXECUTE ON FUNCTION auth.jwt() TO anon, authenticated;

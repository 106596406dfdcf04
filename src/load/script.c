/* The psql script of a load: one transaction that stages every table with
 * \copy, upserts into the warehouse tables (the newest extracted_at wins,
 * an older archive never overwrites a newer row), deletes the leads that a
 * complete listing no longer holds and the rows of (client, campaign) pairs
 * that client_campaigns no longer maps, and reports what it did. Its first
 * line pins psql's encoding to UTF-8; every name put into it is checked
 * (ld_text_check). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonout.h"
#include "load.h"
#include "schema-sql.h"

#define OOM(e) ierr_oom(e)

/* Text that goes into the script (file names, so far) must read the same to
 * psql whatever its client encoding was: the script pins UTF-8 on its first
 * line, and this refuses what is not valid UTF-8 (a lone lead byte would
 * swallow the quote after it: psql's \copy steps over whole characters) or
 * holds a control character (a \copy ends at the end of its line). */
int
ld_text_check(const char *s, const char *what, ierr *e)
{
	size_t n = strlen(s), bad = utf8_valid_prefix(s, n), i;
	char shown[600];
	size_t k = 0;

	for (i = 0; i < n && bad == n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			bad = i;
	if (bad == n)
		return 0;
	/* the text, shown with every byte that is not printable ASCII as \xNN */
	for (i = 0; i < n && k + 8 < sizeof shown; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '\\')
			k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", (unsigned char)s[i]);
		else
			shown[k++] = s[i];
	shown[k] = '\0';
	return ierr_set(e, "%s \"%s%s\": byte %zu is %s: refused, psql could read it otherwise", what, shown,
			i < n ? "..." : "", bad + 1,
			(unsigned char)s[bad] < 0x20 || s[bad] == 0x7f ? "a control character" : "not valid UTF-8");
}

/* 'path' for psql's \copy: single quotes doubled; checked (ld_text_check)
 * before. */
static int
put_path(buf *b, const char *path)
{
	const char *p;

	if (buf_putc(b, '\'') < 0)
		return -1;
	for (p = path; *p; p++)
		if ((*p == '\'' && buf_putc(b, '\'') < 0) || buf_putc(b, *p) < 0)
			return -1;
	return buf_putc(b, '\'');
}

/* "a, b, c" of cols[from..to), each prefixed by pre ("" or "t.") */
static int
put_cols(buf *b, const struct tbl_def *t, size_t from, size_t to, const char *pre)
{
	size_t i;

	for (i = from; i < to; i++)
		if (buf_printf(b, "%s%s%s", i > from ? ", " : "", pre, t->cols[i]) < 0)
			return -1;
	return 0;
}

/* The column that the loader adds to synced_leads's rows (split.c) */
static const char *
extra_cols(int id)
{
	return id == TBL_SYNCED_LEADS ? ", content_hash" : "";
}

/* \copy of a synced_leads file that split.c wrote (a header line, then
 * rows with their content_hash) into table */
static int
copy_hashed(buf *b, const struct ld_input *in, const char *table, const char *path)
{
	const struct tbl_def *t = &tbl_defs[TBL_SYNCED_LEADS];

	if (buf_printf(b, "\\copy %s (", table) < 0 || put_cols(b, t, 0, t->ncols, "") < 0 ||
	    buf_puts(b, ", content_hash) from ") < 0 || put_path(b, path) < 0 ||
	    buf_printf(b, " with (format %s, header)\n", in->text[TBL_SYNCED_LEADS] ? "text" : "csv") < 0)
		return -1;
	return 0;
}

static int
stage(buf *b, const struct ld_input *in, int id)
{
	const struct tbl_def *t = &tbl_defs[id];

	if (id == TBL_LEADS_COMPLETE) {
		if (buf_puts(b, "CREATE TEMP TABLE ie_stage_leads_complete (client_id uuid NOT NULL, "
			     "campaign_id uuid NOT NULL, leads integer, pages integer, "
			     "extracted_at timestamptz NOT NULL) ON COMMIT DROP;\n") < 0)
			return -1;
	} else if (buf_printf(b, "CREATE TEMP TABLE ie_stage_%s (LIKE %s INCLUDING DEFAULTS, "
			      "ie_ord bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DROP;\n",
			      t->name, t->name) < 0) {
		return -1;
	}
	if (id == TBL_SYNCED_LEADS && in->hashed)
		return copy_hashed(b, in, "ie_stage_synced_leads", in->path[id]);
	if (buf_printf(b, "\\copy ie_stage_%s (", t->name) < 0 || put_cols(b, t, 0, t->ncols, "") < 0 ||
	    buf_puts(b, ") from ") < 0 || put_path(b, in->path[id]) < 0 ||
	    buf_printf(b, " with (format %s, header)\n", in->text[id] ? "text" : "csv") < 0)
		return -1;
	return 0;
}

/* A lead older than the newest complete listing already applied was
 * deleted by it, or is about to be overwritten anyway: not resurrected. */
static const char lead_filter[] =
	" WHERE NOT EXISTS (SELECT FROM lead_listings l WHERE l.client_id = s.client_id"
	" AND l.campaign_id = s.campaign_id AND l.complete_at > s.extracted_at)";

/* The row of alias A belongs to a pair that client_campaigns maps. */
#define MAPPED(A) "EXISTS (SELECT FROM client_campaigns cc WHERE cc.client_id = " A ".client_id " \
	"AND cc.campaign_id = " A ".campaign_id)"

/* The columns whose values may be stored out of line (TOAST): an update
 * that leaves one as it was keeps the old value, so PostgreSQL keeps its
 * TOAST chunks instead of writing them again (and their WAL). */
static int
big_value(const char *col)
{
	return !strcmp(col, "payload") || !strcmp(col, "item");
}

/* What the portal's rollups count of a lead (04-portal.sql,
 * portal_refresh_changes()): a load collects, in ie_rollup, these columns
 * of each row it writes to synced_leads (n = 1) and of each row's values
 * before it rewrote or deleted it (n = -1) */
#define ROLLUP_COLS "client_id, campaign_id, lead_status, interest_status, job_title, industry, company_size"
#define ROLLUP_TABLE "CREATE TEMP TABLE ie_rollup (client_id uuid, campaign_id uuid, lead_status text, " \
	"interest_status text, job_title text, industry text, company_size text, n integer) ON COMMIT DROP;\n"
/* the rows a DELETE of synced_leads t (CTE del, RETURNING ROLLUP_RETURNING)
 * removed */
#define ROLLUP_RETURNING "t.client_id, t.campaign_id, t.lead_status, t.interest_status, t.job_title, " \
	"t.industry, t.company_size"
#define ROLLUP_GONE "gone AS (INSERT INTO ie_rollup SELECT " ROLLUP_COLS ", -1 FROM del)\n"

/* Upsert: duplicates inside the load resolve to the newest extracted_at
 * (the later line when equal); a row changes only when the load's is newer,
 * or as new with other values (reprocessing with other rules; a lead's
 * content_hash counts: a row loaded before it existed gets it). Rows of
 * pairs that client_campaigns does not map are not loaded (counted as
 * unmapped): a campaign taken away from a client stays away. */
static int
upsert(buf *b, int id)
{
	const struct tbl_def *t = &tbl_defs[id];
	const char *x = extra_cols(id);
	size_t i;

	if (buf_puts(b, "WITH staged AS (SELECT DISTINCT ON (") < 0 || put_cols(b, t, 0, t->nkey, "") < 0 ||
	    buf_puts(b, ") ") < 0 || put_cols(b, t, 0, t->ncols, "") < 0 || buf_puts(b, x) < 0 ||
	    buf_printf(b, "\n    FROM ie_stage_%s ORDER BY ", t->name) < 0 || put_cols(b, t, 0, t->nkey, "") < 0 ||
	    buf_puts(b, ", extracted_at DESC, ie_ord DESC),\n") < 0 ||
	    buf_puts(b, "mapped AS (SELECT * FROM staged s WHERE " MAPPED("s") "),\n") < 0 ||
	    buf_printf(b, "src AS (SELECT * FROM mapped s%s),\n", id == TBL_SYNCED_LEADS ? lead_filter : "") < 0 ||
	    buf_printf(b, "up AS (INSERT INTO %s AS t (", t->name) < 0 || put_cols(b, t, 0, t->ncols, "") < 0 ||
	    buf_puts(b, x) < 0 || buf_puts(b, ")\n    SELECT ") < 0 || put_cols(b, t, 0, t->ncols, "") < 0 ||
	    buf_puts(b, x) < 0 ||
	    buf_puts(b, " FROM src\n    ON CONFLICT (") < 0 || put_cols(b, t, 0, t->nkey, "") < 0 ||
	    buf_puts(b, ") DO UPDATE SET ") < 0)
		return -1;
	for (i = t->nkey; i < t->ncols; i++)
		if ((big_value(t->cols[i]) ? buf_printf(b, "%s = CASE WHEN t.%s IS NOT DISTINCT FROM EXCLUDED.%s THEN t.%s ELSE EXCLUDED.%s END, ",
							 t->cols[i], t->cols[i], t->cols[i], t->cols[i], t->cols[i])
					  : buf_printf(b, "%s = EXCLUDED.%s, ", t->cols[i], t->cols[i])) < 0)
			return -1;
	if (*x && buf_puts(b, "content_hash = EXCLUDED.content_hash, ") < 0)
		return -1;
	if (buf_puts(b, "loaded_at = now()\n    WHERE t.extracted_at < EXCLUDED.extracted_at OR (t.extracted_at = "
		     "EXCLUDED.extracted_at AND (") < 0 ||
	    put_cols(b, t, t->nkey, t->ncols, "t.") < 0 || buf_puts(b, *x ? ", t.content_hash" : "") < 0 ||
	    buf_puts(b, ") IS DISTINCT FROM (") < 0 || put_cols(b, t, t->nkey, t->ncols, "EXCLUDED.") < 0 ||
	    buf_puts(b, *x ? ", EXCLUDED.content_hash" : "") < 0 ||
	    buf_puts(b, "))\n    RETURNING (xmax = 0) AS inserted") < 0 ||
	    (id == TBL_SYNCED_LEADS && buf_puts(b, ", instantly_lead_id, " ROLLUP_COLS) < 0) || buf_puts(b, ")") < 0)
		return -1;
	/* the rollups' changes: each row written, and the values before of
	 * each row updated. The WITH's statements share one snapshot: synced_leads
	 * read beside up is the table as it was before up wrote (PostgreSQL's
	 * "WITH Queries": they cannot see one another's effects), one index
	 * probe per row updated */
	if (id == TBL_SYNCED_LEADS &&
	    buf_puts(b, ",\nch AS (INSERT INTO ie_rollup SELECT " ROLLUP_COLS ", 1 FROM up UNION ALL\n"
		     "    SELECT " ROLLUP_RETURNING ", -1 FROM up u CROSS JOIN LATERAL (SELECT * FROM synced_leads t\n"
		     "        WHERE t.client_id = u.client_id AND t.campaign_id = u.campaign_id\n"
		     "        AND t.instantly_lead_id = u.instantly_lead_id) t WHERE NOT u.inserted)") < 0)
		return -1;
	if (buf_printf(b, "\nINSERT INTO ie_report SELECT '%s', count(*) FILTER (WHERE inserted), "
		       "count(*) FILTER (WHERE NOT inserted), (SELECT count(*) FROM mapped) - count(*), 0,\n"
		       "    (SELECT count(*) FROM staged) - (SELECT count(*) FROM mapped) FROM up;\n",
		       t->name) < 0)
		return -1;
	return 0;
}

/* Leads gone from a campaign whose listing in this load is complete (a
 * leads_complete marker): those older than the newest marker and not in its
 * listing, i.e. not staged after the marker before it. The campaigns of
 * the change detection (ie_delta) are not all staged: split.c named their
 * gone leads in ie_keys ('d'), deleted by the same rule (delta_delete_sql,
 * first). */
static const char delta_delete_sql[] =
	"WITH m AS (SELECT client_id, campaign_id, max(extracted_at) AS done\n"
	"    FROM ie_stage_leads_complete lc WHERE " MAPPED("lc") " GROUP BY client_id, campaign_id),\n"
	"del AS (DELETE FROM synced_leads t USING ie_keys k, m\n"
	"    WHERE k.kind = 'd' AND m.client_id = k.client_id AND m.campaign_id = k.campaign_id\n"
	"    AND t.client_id = k.client_id AND t.campaign_id = k.campaign_id AND t.instantly_lead_id = k.instantly_lead_id\n"
	"    AND t.extracted_at < m.done\n"
	"    RETURNING " ROLLUP_RETURNING "),\n"
	ROLLUP_GONE
	"INSERT INTO ie_report SELECT 'synced_leads', 0, 0, 0, count(*), 0 FROM del;\n";

static const char delete_sql[] =
	"WITH m AS (SELECT client_id, campaign_id, max(extracted_at) AS done,\n"
	"        (array_agg(extracted_at ORDER BY extracted_at DESC))[2] AS prev\n"
	"    FROM ie_stage_leads_complete lc WHERE NOT EXISTS (SELECT FROM ie_fresh f\n"
	"        WHERE f.client_id = lc.client_id AND f.campaign_id = lc.campaign_id) AND NOT EXISTS (SELECT FROM ie_delta d\n"
	"        WHERE d.client_id = lc.client_id AND d.campaign_id = lc.campaign_id) AND " MAPPED("lc") "\n"
	"    GROUP BY client_id, campaign_id),\n"
	"del AS (DELETE FROM synced_leads t USING m\n"
	"    WHERE t.client_id = m.client_id AND t.campaign_id = m.campaign_id AND t.extracted_at < m.done\n"
	"    AND NOT EXISTS (SELECT FROM ie_stage_synced_leads s WHERE s.client_id = t.client_id\n"
	"        AND s.campaign_id = t.campaign_id AND s.instantly_lead_id = t.instantly_lead_id\n"
	"        AND s.extracted_at > coalesce(m.prev, '-infinity'))\n"
	"    RETURNING " ROLLUP_RETURNING "),\n"
	ROLLUP_GONE
	"INSERT INTO ie_report SELECT 'synced_leads', 0, 0, 0, count(*), 0 FROM del;\n"
	"INSERT INTO lead_listings AS l (client_id, campaign_id, complete_at, leads, pages)\n"
	"    SELECT DISTINCT ON (client_id, campaign_id) client_id, campaign_id, extracted_at, leads, pages\n"
	"    FROM ie_stage_leads_complete lc WHERE " MAPPED("lc") "\n"
	"    ORDER BY client_id, campaign_id, extracted_at DESC\n"
	"    ON CONFLICT (client_id, campaign_id) DO UPDATE SET complete_at = EXCLUDED.complete_at,\n"
	"        leads = EXCLUDED.leads, pages = EXCLUDED.pages, loaded_at = now()\n"
	"    WHERE l.complete_at < EXCLUDED.complete_at;\n";

/* WAL compression for the load's transaction, where the role may set it
 * (a superuser, or GRANT SET ON PARAMETER wal_compression in PostgreSQL
 * 15): a night's updates touch pages spread over the whole table, and the
 * first change of each page after a checkpoint is logged as a full-page
 * image, most of a night's WAL. The fastest method this server was built
 * with: lz4, else zstd, else pglz ("on", the only choice before PostgreSQL
 * 15). At 200,000 leads (bench/load.sh's night 2) lz4 cuts the WAL by 37%
 * for 6% more time, zstd by 46% for 29%, pglz by 38% for 59%. A server
 * that compresses already keeps its own method; a role that may not set it
 * goes on without, silently (SET LOCAL: the session's setting comes back at
 * the end of the transaction). */
static const char wal_compression_sql[] =
	"DO $$ DECLARE m text; BEGIN\n"
	"    IF current_setting('wal_compression') = 'off' THEN\n"
	"        SELECT CASE WHEN 'lz4' = ANY (enumvals) THEN 'lz4' WHEN 'zstd' = ANY (enumvals) THEN 'zstd'\n"
	"            ELSE 'on' END INTO m FROM pg_settings WHERE name = 'wal_compression';\n"
	"        PERFORM set_config('wal_compression', m, true);\n"
	"    END IF;\n"
	"EXCEPTION WHEN insufficient_privilege THEN NULL;\n"
	"END $$;\n";

/* The leads of campaigns new to the warehouse (split.c), straight in, in
 * (client_id, campaign_id) order (split.c's fresh_order(): a client's
 * leads together on disk, for the portal's lead lists); the check runs
 * again under the lock, so that a load that ran meanwhile makes this one
 * fail instead of mixing. */
static int
fresh(buf *b, const struct ld_input *in)
{
	size_t i;
	int first = 1;

	if (!in->fresh_path)
		return 0;
	if (buf_puts(b, "INSERT INTO ie_fresh VALUES ") < 0)
		return -1;
	for (i = 0; i < in->npairs; i++) {
		if (!ld_pair_fresh(&in->pairs[i]))
			continue;
		if (buf_printf(b, "%s('%s', '%s')", first ? "" : ", ", in->pairs[i].client_id,
			       in->pairs[i].campaign_id) < 0)
			return -1;
		first = 0;
	}
	if (buf_puts(b, ";\n"
		     "DO $$ BEGIN IF EXISTS (SELECT FROM ie_fresh f WHERE\n"
		     "    EXISTS (SELECT FROM synced_leads s WHERE s.client_id = f.client_id AND s.campaign_id = f.campaign_id)\n"
		     "    OR EXISTS (SELECT FROM lead_listings l WHERE l.client_id = f.client_id AND l.campaign_id = f.campaign_id))\n"
		     "THEN RAISE EXCEPTION 'instantly-load: another load wrote campaigns of this one meanwhile: run it again';\n"
		     "END IF; END $$;\n"
		     "SELECT NOT EXISTS (SELECT FROM synced_leads) AS ie_empty \\gset\n") < 0 ||
	    copy_hashed(b, in, "synced_leads", in->fresh_path) < 0 ||
	    buf_printf(b, "INSERT INTO ie_report VALUES ('synced_leads', %llu, 0, 0, 0, 0);\n",
		       (unsigned long long)in->fresh_rows) < 0)
		return -1;
	return 0;
}

/* Change detection, part 1 (under the lock): the campaigns compared
 * (ie_delta), and the warehouse's hash of each of their leads, printed for
 * the loader (split.c's ld_delta_line()); then the line LD_PREFETCH_END,
 * after which psql.c sends "\set ie_unchanged N" and the rest of the
 * script, once ld_delta_finish() has written the files named there. */
static int
delta_head(buf *b, const struct ld_input *in)
{
	size_t i;
	int first = 1;

	if (buf_puts(b, "INSERT INTO ie_delta VALUES ") < 0)
		return -1;
	for (i = 0; i < in->npairs; i++) {
		if (in->pairs[i].mode != LD_DELTA)
			continue;
		if (buf_printf(b, "%s(%zu, '%s', '%s')", first ? "" : ", ", i, in->pairs[i].client_id,
			       in->pairs[i].campaign_id) < 0)
			return -1;
		first = 0;
	}
	return buf_puts(b, ";\n"
			"\\copy (SELECT d.i, s.instantly_lead_id, s.content_hash FROM ie_delta d JOIN synced_leads s "
			"ON s.client_id = d.client_id AND s.campaign_id = d.campaign_id) to stdout\n"
			"\\echo " LD_PREFETCH_END "\n");
}

/* Change detection, part 2: the new and changed rows into staging, with
 * the others; the keys of the leads to delete or to touch */
static int
delta_stage(buf *b, const struct ld_input *in)
{
	if (copy_hashed(b, in, "ie_stage_synced_leads", in->delta_path) < 0 ||
	    buf_puts(b, "CREATE TEMP TABLE ie_keys (kind text, client_id uuid, campaign_id uuid, instantly_lead_id uuid, "
		     "extracted_at timestamptz) ON COMMIT DROP;\n\\copy ie_keys from ") < 0 ||
	    put_path(b, in->keys_path) < 0 || buf_puts(b, "\n") < 0)
		return -1;
	return 0;
}

/* Change detection, part 3, after the upserts: the rows not sent count as
 * unchanged; the unchanged rows of a listing that sets no watermark
 * (partial, or --no-delete) get the load's newer extracted_at, so that an
 * older archive loaded later cannot overwrite what this one said. */
static const char delta_touch_sql[] =
	"INSERT INTO ie_report VALUES ('synced_leads', 0, 0, :ie_unchanged, 0, 0);\n"
	"UPDATE synced_leads t SET extracted_at = k.extracted_at FROM ie_keys k\n"
	"    WHERE k.kind = 't' AND t.client_id = k.client_id AND t.campaign_id = k.campaign_id\n"
	"    AND t.instantly_lead_id = k.instantly_lead_id AND t.extracted_at < k.extracted_at;\n";

/* The rows of every pair that client_campaigns no longer maps, deleted
 * from table t and counted. The pairs come from a walk of t's primary key
 * (client_id, campaign_id, ...): one index probe per pair, so a load costs
 * a few milliseconds per campaign, not a scan of the table. MATERIALIZED:
 * inlined, the planner joined every row of t to the pairs before it looked
 * at client_campaigns (a scan of t, 138 ms at 200,000 leads, every night);
 * computed first, the usual empty list of pairs ends the DELETE at once. */
static int
unmapped(buf *b, const char *t)
{
	return buf_printf(b,
		"WITH RECURSIVE p AS (\n"
		"    (SELECT client_id, campaign_id FROM %s ORDER BY client_id, campaign_id LIMIT 1)\n"
		"    UNION ALL\n"
		"    SELECT n.client_id, n.campaign_id FROM p CROSS JOIN LATERAL (SELECT t.client_id, t.campaign_id\n"
		"        FROM %s t WHERE (t.client_id, t.campaign_id) > (p.client_id, p.campaign_id)\n"
		"        ORDER BY t.client_id, t.campaign_id LIMIT 1) n),\n"
		"gone AS MATERIALIZED (SELECT * FROM p WHERE NOT " MAPPED("p") "),\n"
		"del AS (DELETE FROM %s t USING gone g WHERE t.client_id = g.client_id AND t.campaign_id = g.campaign_id\n"
		"    RETURNING 1)\n"
		"INSERT INTO ie_report SELECT '%s', 0, 0, 0, count(*), 0 FROM del;\n", t, t, t, t);
}

/* The portal's rollups (schemas/sql/04-portal.sql): the pairs copied
 * straight in counted by portal_refresh_changes(), which adds the pairs
 * client_campaigns no longer maps, and the changes the load collected in
 * ie_rollup added to the others' rollup rows: a night costs what changed.
 * A first load into an empty synced_leads (ie_empty, see fresh()): every
 * pair counted by portal_refresh(NULL, NULL), one pass over the table (a
 * sequential scan, 0.45 s at 200,000 leads, where the pairs' index probes
 * took 0.7 s: the load's rows are not all-visible yet).
 * A schema of the portal's first release (no portal_refresh_changes()):
 * every pair this load staged, copied or listed completely is counted
 * again by portal_refresh(). Skipped where the schema has no portal part
 * (yet: --init-schema applies it after this, before the COMMIT, and fills
 * the rollups then). */
static const char portal_refresh_sql[] =
	"\\if :ie_empty\n"
	"DO $$ BEGIN IF to_regprocedure('portal_refresh(uuid[],uuid[])') IS NOT NULL THEN\n"
	"    PERFORM portal_refresh(NULL, NULL);\n"
	"END IF; END $$;\n"
	"\\else\n"
	"DO $$ BEGIN IF to_regprocedure('portal_refresh_changes(uuid[],uuid[],regclass)') IS NOT NULL THEN\n"
	"    PERFORM portal_refresh_changes(coalesce(array_agg(client_id), '{}'), coalesce(array_agg(campaign_id), '{}'),\n"
	"        'ie_rollup') FROM ie_fresh;\n"
	"ELSIF to_regprocedure('portal_refresh(uuid[],uuid[])') IS NOT NULL THEN\n"
	"    PERFORM portal_refresh(coalesce(array_agg(client_id), '{}'), coalesce(array_agg(campaign_id), '{}')) FROM (\n"
	"        SELECT client_id, campaign_id FROM ie_stage_synced_leads UNION SELECT client_id, campaign_id FROM ie_fresh\n"
	"        UNION SELECT client_id, campaign_id FROM ie_stage_leads_complete) p;\n"
	"END IF; END $$;\n"
	"\\endif\n";

/* The warehouse ready to read when the load ends. After the COMMIT:
 * VACUUM of the tables the load changed where their dead rows and the rows
 * written since their last VACUUM, this load's included, are more than a
 * tenth of the table (pg_stat_user_tables's n_dead_tup and
 * n_ins_since_vacuum), or that were never vacuumed or analyzed: VACUUM
 * reads only the pages changed since the last one, but its index pass
 * reads every index whole, whatever changed (9.4 s of a 34 s night at
 * 1,000,000 leads), so done every night it would make a night cost the
 * warehouse's size; at 5% of the leads changed a night it runs every
 * second night, and sets the hint bits and visibility map, removes the dead
 * rows of both. Between two, a reader sets the hint bits of the changed
 * pages it reads, and the dead rows stay at most a tenth of the table
 * (autovacuum waits for a fifth). ANALYZE of those where the load changed
 * more than a tenth of the rows or that were never analyzed (ANALYZE reads
 * a sample of the same size whatever changed; a smaller change leaves the
 * statistics true enough). The portal's small rollups: both, always.
 * VACUUM cannot run in a transaction: the lists are computed before the
 * COMMIT (\gset) and run after it, where a failure no longer stops psql:
 * the load is committed, the error shown.
 * Only the tables the load's role may vacuum (it owns them or the
 * database, or is a superuser): a loader role with the tables' grants alone
 * leaves them to autovacuum, without a warning per table.
 * The load's own counts reach pg_stat_user_tables at the COMMIT
 * (pg_stat_force_next_flush(), PostgreSQL 15; an older server's statistics
 * arrive late anyway), not after the VACUUM: there they would count as dead
 * and new again at the next load.
 * The COMMIT waits for its WAL to be flushed whatever the server's
 * synchronous_commit: VACUUM cannot set the hint bits of rows whose commit
 * is not on disk yet (and "loaded" should mean durable). */
static const char maintenance_sql[] =
	"SELECT coalesce(string_agg(quote_ident(t), ', ' ORDER BY t) FILTER (WHERE v), '') AS ie_vacuum,\n"
	"    coalesce(string_agg(quote_ident(t), ', ' ORDER BY t) FILTER (WHERE a), '') AS ie_analyze,\n"
	"    count(*) FILTER (WHERE v) > 0 AS ie_do_vacuum, count(*) FILTER (WHERE a) > 0 AS ie_do_analyze FROM (\n"
	"    SELECT r.name AS t, c.reltuples < 0 OR sum(r.inserted + r.updated + r.deleted) > 0.1 * c.reltuples AS a,\n"
	"        c.reltuples < 0 OR sum(r.inserted + r.updated + r.deleted) + coalesce(s.n_dead_tup + s.n_ins_since_vacuum, 0)\n"
	"            > 0.1 * c.reltuples AS v\n"
	"        FROM ie_report r JOIN pg_class c ON c.oid = to_regclass(r.name)\n"
	"        LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid\n"
	"        GROUP BY r.name, c.reltuples, s.n_dead_tup, s.n_ins_since_vacuum HAVING sum(r.inserted + r.updated + r.deleted) > 0\n"
	"    UNION ALL SELECT v, true, true FROM unnest('{portal_lead_rollup,portal_icp_rollup,portal_icp_workspace_rollup}'::text[]) v\n"
	"        WHERE to_regclass(v) IS NOT NULL AND EXISTS (SELECT FROM ie_report\n"
	"            WHERE name = 'synced_leads' AND inserted + updated + deleted > 0)) x\n"
	"    WHERE EXISTS (SELECT FROM pg_class c WHERE c.oid = to_regclass(x.t) AND (pg_has_role(c.relowner, 'MEMBER')\n"
	"        OR pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER'))) \\gset\n"
	"SET LOCAL synchronous_commit = on;\n"
	"DO $$ BEGIN IF to_regprocedure('pg_stat_force_next_flush()') IS NOT NULL THEN\n"
	"    PERFORM pg_stat_force_next_flush();\n"
	"END IF; END $$;\n"
	"COMMIT;\n"
	"\\set ON_ERROR_STOP off\n"
	"\\if :ie_do_vacuum\n"
	"VACUUM :ie_vacuum;\n"
	"\\endif\n"
	"\\if :ie_do_analyze\n"
	"ANALYZE :ie_analyze;\n"
	"\\endif\n";

int
ld_script(buf *b, const struct ld_input *in, int init_schema, int deletes, ierr *e)
{
	int id, delta = ld_delta_pairs(in);

	for (id = 0; id < TBL_N; id++)
		if (ld_text_check(in->path[id], "file name", e) < 0)
			return -1;
	if (in->fresh_path && ld_text_check(in->fresh_path, "file name", e) < 0)
		return -1;
	/* the change detection's files, named before they are written */
	if (delta && (ld_text_check(in->delta_path, "file name", e) < 0 || ld_text_check(in->keys_path, "file name", e) < 0))
		return -1;

	/* psql reads the rest of the script, \copy's file names included, and
	 * sends the data in this encoding: PGCLIENTENCODING, a client_encoding
	 * in the DSN or PGOPTIONS, a psqlrc (for --print-sql) cannot change
	 * it. The tables are those of schema public (search_path, PGOPTIONS's
	 * included, cannot put others in their place; pg_catalog, implicitly
	 * first, keeps the built-in functions and operators) */
	if (buf_puts(b, "\\encoding UTF8\n"
		     "-- instantly-load: generated, one transaction\n"
		     "\\set ON_ERROR_STOP on\n"
		     "\\set ie_empty false\n"
		     "BEGIN;\n"
		     "SET LOCAL client_min_messages = warning;\n"
		     LD_SETTINGS("SET LOCAL")) < 0 ||
	    (in->wal_compression && buf_puts(b, wal_compression_sql) < 0))
		return OOM(e);
	/* the tables first; their row-level security last (below) */
	if (init_schema && (buf_puts(b, schema_01_auth) < 0 || buf_puts(b, schema_02_tables) < 0))
		return OOM(e);
	/* one load at a time (readers go on): the fresh campaigns stay fresh;
	 * the dedup sorts of a big load fit in memory */
	if (buf_puts(b, "LOCK TABLE synced_leads IN SHARE ROW EXCLUSIVE MODE;\n"
		     "SET LOCAL work_mem = '256MB';\n"
		     "CREATE TEMP TABLE ie_report (name text, inserted bigint, updated bigint, "
		     "unchanged bigint, deleted bigint, unmapped bigint) ON COMMIT DROP;\n"
		     "CREATE TEMP TABLE ie_fresh (client_id uuid, campaign_id uuid) ON COMMIT DROP;\n"
		     "CREATE TEMP TABLE ie_delta (i integer, client_id uuid, campaign_id uuid) ON COMMIT DROP;\n"
		     ROLLUP_TABLE) < 0 ||
	    (delta && delta_head(b, in) < 0) || fresh(b, in) < 0)
		return OOM(e);
	for (id = 0; id < TBL_N; id++)
		if (stage(b, in, id) < 0)
			return OOM(e);
	if (delta && delta_stage(b, in) < 0)
		return OOM(e);
	for (id = 0; id < TBL_N; id++)
		if (id != TBL_LEADS_COMPLETE && upsert(b, id) < 0)
			return OOM(e);
	if (delta && buf_puts(b, delta_touch_sql) < 0)
		return OOM(e);
	if (deletes && ((delta && buf_puts(b, delta_delete_sql) < 0) || buf_puts(b, delete_sql) < 0))
		return OOM(e);
	/* campaigns taken away from their client: whatever --no-delete says */
	for (id = 0; id < TBL_N; id++)
		if (id != TBL_LEADS_COMPLETE && unmapped(b, tbl_defs[id].name) < 0)
			return OOM(e);
	if (unmapped(b, "lead_listings") < 0)
		return OOM(e);
	/* ---- every write of the load is done here (upserts, deletions):
	 * what is derived from the loaded tables goes next, before the
	 * policies and the report */
	/* the portal's rollups follow the rows they count, in this
	 * transaction, while readers still read the rows as they were */
	if (buf_puts(b, portal_refresh_sql) < 0)
		return OOM(e);
	/* ALTER POLICY (an older release's policies replaced) and 04-portal.sql
	 * (DROP INDEX of an older release) lock their tables against readers
	 * until COMMIT: so only now, just before it (where 04-portal.sql adds
	 * the portal, it fills the rollups it creates) */
	if (init_schema && (buf_puts(b, schema_03_rls) < 0 || buf_puts(b, schema_04_portal) < 0))
		return OOM(e);
	/* lead_listings is reported when the load deleted some of it */
	if (buf_puts(b, "SELECT 'ie-report', name, sum(inserted), sum(updated), sum(unchanged), sum(deleted), sum(unmapped)\n"
		     "    FROM ie_report GROUP BY name HAVING name <> 'lead_listings' OR sum(deleted) > 0 ORDER BY name;\n") < 0 ||
	    buf_puts(b, maintenance_sql) < 0)
		return OOM(e);
	return 0;
}

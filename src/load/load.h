/* instantly-load: the transform's directory into the warehouse, through
 * psql: one transaction of staging tables, \copy and upserts. */
#ifndef IE_LOAD_H
#define IE_LOAD_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ierr.h"
#include "tables.h"

struct ld_opts {
	const char *dir;	/* the transform's -o DIR */
	const char *dsn;	/* psql -d, or NULL for the PG* environment */
	const char *psql;	/* the psql program */
	int print_sql;		/* print the script, run nothing */
	int init_schema;	/* apply the schema first, in the same transaction */
	int no_delete;		/* never delete leads */
	int no_wal_compression;	/* do not ask for wal_compression */
	/* the load whose changed rows psql.c asks split.c for, once the
	 * script's transaction holds its lock (NULL: none) */
	struct ld_input *delta;
};

/* What DIR holds, from its summary.json and files. */
struct ld_input {
	char *path[TBL_N];	/* absolute path of each table's file */
	int text[TBL_N];	/* 1: COPY text format (.txt), 0: CSV */
	uint64_t eod_values[TBL_N];	/* values holding a "\." line */
	uint64_t rows[TBL_N];
	uint64_t lead_rejects;	/* rejects that may have been leads */
	char *tmpdir;		/* converted and split files, removed at the end */
	/* tmpdir and every file the loader may make in it, registered in
	 * tmpfiles.h (removed on a fatal signal); released by ld_input_free */
	int tmpslot[TBL_N + 8];
	int ntmpslots;
	int tmpfd;		/* tmpdir, open and flock()ed while we (and our psql) run; -1 */
	int keep;		/* --print-sql: tmpdir is kept for the script */
	int tmp_failed;		/* a failure was writing in TMPDIR (full, read-only):
				 * an output error (exit 4), not the input's */
	/* leads of campaigns new to the warehouse: \copy'd straight into
	 * synced_leads (see split.c); the others go through staging */
	char *fresh_path;	/* NULL: none */
	/* its rows are in (client_id, campaign_id) order: the line of
	 * synced_leads.csv (or .txt) that its k-th row (from 0) came from, for
	 * psql's messages (psql.c) */
	uint64_t *fresh_line;
	struct ld_pair *pairs;	/* the campaigns of synced_leads */
	size_t npairs;
	uint64_t fresh_rows;
	/* every synced_leads file the script reads carries a last column,
	 * content_hash (split.c): 0 when the file is the transform's own */
	int hashed;
	int deletes;		/* leads gone from complete listings are deleted */
	int wal_compression;	/* the script asks for wal_compression where permitted */
	int db_failed;		/* the failure was the warehouse's (exit 5) */
	/* change detection (split.c): the rows of the pairs in delta mode,
	 * compared with the warehouse's content_hash once the script holds
	 * its lock; only new and changed rows go to delta_path, the keys of
	 * rows to delete or to touch to keys_path */
	struct ld_delta *delta;
	char *delta_path, *keys_path;
};

struct ld_pair {
	char client_id[37], campaign_id[37];
	uint64_t rows;
	int dup;		/* a lead key twice in the load */
	int listings;		/* its complete listings in the load */
	int exists;		/* in synced_leads or lead_listings already */
	int unmapped;		/* client_campaigns does not map it */
	int mode;		/* LD_FULL, LD_FRESH or LD_DELTA */
};

/* How a pair's rows go in: all through staging (the upsert's rules
 * decide), \copy'd straight into synced_leads (new to the warehouse), or
 * only those whose content differs from the warehouse's (change
 * detection, split.c) */
enum { LD_FULL, LD_FRESH, LD_DELTA };

/* The line psql prints after the warehouse's rows that the loader compares
 * with (script.c writes it, psql.c waits for it) */
#define LD_PREFETCH_END "ie-prefetch-end"


/* What every psql session of the loader sets first (KW: "SET" or "SET
 * LOCAL"): the warehouse is schema public, whatever search_path PGOPTIONS
 * or the DSN gives; dates and string literals read one way. */
#define LD_SETTINGS(KW) \
	KW " search_path = public;\n" \
	KW " datestyle = 'ISO, YMD';\n" \
	KW " standard_conforming_strings = on;\n"

/* 0 when s can go into a psql script as it is (valid UTF-8, no control
 * character); -1 with e set ("WHAT \"S\": byte N is ...") when not. */
int ld_text_check(const char *s, const char *what, ierr *e);

/* The command line (opts.c): 0 go on, 1 done (--help, --version printed),
 * -1 usage error (message printed). */
int ld_opts_parse(struct ld_opts *o, int argc, char **argv);

/* Read DIR: the summary (which says the directory is complete) and the
 * table files; convert a CSV that psql's \copy cannot read exactly (a value
 * holding a "\." line) to the text format in a temporary directory. */
int ld_input_read(struct ld_input *in, const char *dir, int keep, ierr *e);

/* Remove what killed loaders left in TMPDIR: directories named
 * instantly-load.XXXXXX, ours (not links), older than a minute, that no
 * running loader or its psql holds (each holds an flock on its own). Each
 * removal is a warning. */
void ld_reap_stale(void);
void ld_input_free(struct ld_input *in);

/* Is path one of the loader's own files in in->tmpdir (to remove)? */
int ld_is_temp(const struct ld_input *in, const char *path);

/* A temporary directory for in (made once), or NULL with e set. */
const char *ld_tmpdir(struct ld_input *in, ierr *e);

/* Find the campaigns of synced_leads that the warehouse has never seen
 * (asking it through psql) and whose leads have no key twice, and split
 * their rows off, for a plain \copy into synced_leads: a load of new
 * campaigns then writes its rows once, not through staging. Returns 0 (also
 * when nothing is split off), or -1 with e set. */
int ld_split_fresh(struct ld_input *in, const struct ld_opts *o, ierr *e);

/* Are the pair's rows in fresh_path? */
int ld_pair_fresh(const struct ld_pair *p);

/* Are there pairs in delta mode (the script then asks the warehouse for
 * their rows' hashes and waits, LD_PREFETCH_END, for the rest)? */
int ld_delta_pairs(const struct ld_input *in);

/* One line of the warehouse's answer: "PAIR\tLEAD\tHASH" (HASH \N: a row
 * loaded before content_hash existed). 0, or -1 with e set. */
int ld_delta_line(struct ld_input *in, const char *line, ierr *e);

/* Every line read: write delta_path (new and changed rows) and keys_path
 * (rows to touch or delete); *unchanged gets the rows not sent. 0, or -1
 * with e set (in->tmp_failed for a write error). */
int ld_delta_finish(struct ld_input *in, uint64_t *unchanged, ierr *e);
void ld_delta_free(struct ld_input *in);

/* Run psql with the query on its stdin; out gets its stdout (NUL-ended).
 * Returns psql's exit status, or -1. */
int ld_psql_query(const struct ld_opts *o, const buf *query, buf *out, ierr *e);

/* The psql script. Deletions of leads missing from a complete listing are
 * in it unless deletes is 0. */
int ld_script(buf *b, const struct ld_input *in, int init_schema, int deletes, ierr *e);

/* Run psql with the script on its stdin; print its report. Returns 0, or -1
 * when psql failed (nothing was changed) with e set. */
int ld_psql_run(const struct ld_opts *o, const struct ld_input *in, const buf *script, ierr *e);

#endif

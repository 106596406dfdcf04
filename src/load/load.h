/* instantly-load: the transform's directory into the warehouse, through
 * psql: one transaction of staging tables, \copy and upserts. */
#ifndef IE_LOAD_H
#define IE_LOAD_H

#include <stdint.h>

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
};

/* What DIR holds, from its summary.json and files. */
struct ld_input {
	char *path[TBL_N];	/* absolute path of each table's file */
	int text[TBL_N];	/* 1: COPY text format (.txt), 0: CSV */
	uint64_t eod_values[TBL_N];	/* values holding a "\." line */
	uint64_t rows[TBL_N];
	uint64_t lead_rejects;	/* rejects that may have been leads */
	char *tmpdir;		/* converted files, removed at the end */
};

int ld_opts_parse(struct ld_opts *o, int argc, char **argv);

/* Read DIR: the summary (which says the directory is complete) and the
 * table files; convert a CSV that psql's \copy cannot read exactly (a value
 * holding a "\." line) to the text format in a temporary directory. */
int ld_input_read(struct ld_input *in, const char *dir, ierr *e);
void ld_input_free(struct ld_input *in);

/* The psql script. Deletions of leads missing from a complete listing are
 * in it unless deletes is 0. */
int ld_script(buf *b, const struct ld_input *in, int init_schema, int deletes, ierr *e);

/* Run psql with the script on its stdin; print its report. Returns 0, or -1
 * when psql failed (nothing was changed) with e set. */
int ld_psql_run(const struct ld_opts *o, const buf *script, ierr *e);

#endif

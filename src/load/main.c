/* instantly-load: the transform's output directory into the warehouse. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "load.h"
#include "log.h"
#include "private.h"
#include "tmpfiles.h"

int
main(int argc, char **argv)
{
	struct ld_opts o;
	struct ld_input in;
	buf script;
	ierr e;
	int rc, deletes;

	log_init(argv[0]);
	if (private_init(&e) < 0) {	/* first: no file is created before */
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	rc = ld_opts_parse(&o, argc, argv);
	if (rc != 0)
		return rc > 0 ? (fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_OUTPUT) : EXIT_USAGE;

	tmpfiles_init();	/* the temporary directory, on every fatal signal */
	ld_reap_stale();
	if (ld_input_read(&in, o.dir, o.print_sql, &e) < 0) {
		log_error("%s", e.msg);
		rc = in.tmp_failed ? EXIT_OUTPUT : EXIT_INPUT;
		ld_input_free(&in);
		return rc;
	}
	signal(SIGPIPE, SIG_IGN);	/* a psql that dies early: EPIPE, not death */
	deletes = !o.no_delete;
	if (deletes && in.lead_rejects > 0) {
		/* a rejected line may have been a lead still in its campaign */
		log_warn("%s: %llu rejected lines that may be leads: deleting no leads in this load", o.dir,
			 (unsigned long long)in.lead_rejects);
		deletes = 0;
	}
	in.deletes = deletes;
	in.wal_compression = !o.no_wal_compression;
	/* every lead gets its content hash; new campaigns go straight in,
	 * known ones are compared with the warehouse (--print-sql: all staged) */
	if (ld_split_fresh(&in, &o, &e) < 0) {
		log_error("%s", e.msg);
		rc = in.tmp_failed ? EXIT_OUTPUT : in.db_failed ? EXIT_DATABASE : EXIT_INPUT;
		ld_input_free(&in);
		return rc;
	}
	if (ld_delta_pairs(&in))
		o.delta = &in;
	buf_init(&script, (size_t)64 << 20);
	if (ld_script(&script, &in, o.init_schema, deletes, &e) < 0) {
		log_error("%s", e.msg);
		rc = EXIT_OUTPUT;
	} else if (o.print_sql) {
		rc = fwrite(script.p, 1, script.len, stdout) == script.len && fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
		if (rc != EXIT_OK)
			log_error("stdout: write error");
		else if (in.tmpdir)
			log_warn("the script reads converted files in %s: they are kept for it", in.tmpdir);
		if (in.tmpdir) {	/* keep the converted files the script names */
			free(in.tmpdir);
			in.tmpdir = NULL;
		}
	} else if (ld_psql_run(&o, &in, &script, &e) < 0) {
		log_error("%s", e.msg);
		rc = in.tmp_failed ? EXIT_OUTPUT : EXIT_DATABASE;
	} else {
		rc = EXIT_OK;
	}
	buf_free(&script);
	ld_input_free(&in);
	return rc;
}

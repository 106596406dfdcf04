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

/* ---- cleanup on signals ---------------------------------------------------- */

/* Every file the loader may make in its temporary directory: a converted
 * table, and the two halves of a split synced_leads. Paths are built when
 * the directory is made, so the handler only calls unlink and rmdir. */
#define CLEANUP_MAX (TBL_N + 7)
static char cleanup_dir[4096];
static char cleanup_files[CLEANUP_MAX][4200];
static volatile sig_atomic_t cleanup_armed;
static volatile pid_t cleanup_pid;

static void
on_signal(int sig)
{
	int i;

	if (cleanup_pid > 0)
		kill(cleanup_pid, SIGTERM);
	if (cleanup_armed) {
		for (i = 0; i < CLEANUP_MAX; i++)
			if (cleanup_files[i][0])
				unlink(cleanup_files[i]);
		rmdir(cleanup_dir);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void
ld_cleanup_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

void
ld_cleanup_dir(const char *dir)
{
	static const char *const split[] = { "staged-synced_leads.csv", "staged-synced_leads.txt",
					     "fresh-synced_leads.csv", "fresh-synced_leads.txt",
					     "delta-synced_leads.csv", "delta-synced_leads.txt", "delta-keys.txt" };
	int i, k = 0;

	cleanup_armed = 0;
	snprintf(cleanup_dir, sizeof cleanup_dir, "%s", dir);
	for (i = 0; i < TBL_N; i++)
		snprintf(cleanup_files[k++], sizeof cleanup_files[0], "%s/%s.txt", dir, tbl_defs[i].name);
	for (i = 0; i < (int)(sizeof split / sizeof split[0]); i++)
		snprintf(cleanup_files[k++], sizeof cleanup_files[0], "%s/%s", dir, split[i]);
	cleanup_armed = 1;
}

void
ld_cleanup_child(pid_t pid)
{
	cleanup_pid = pid;
}

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

	ld_cleanup_init();
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
	} else if (ld_psql_run(&o, &script, &e) < 0) {
		log_error("%s", e.msg);
		rc = in.tmp_failed ? EXIT_OUTPUT : EXIT_DATABASE;
	} else {
		rc = EXIT_OK;
	}
	buf_free(&script);
	ld_input_free(&in);
	return rc;
}

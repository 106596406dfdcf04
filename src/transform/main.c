/* instantly-transform: archives in, COPY-ready tables out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "exitcodes.h"
#include "log.h"
#include "private.h"
#include "transform.h"

int
main(int argc, char **argv)
{
	static char *stdin_only[] = { "-", NULL };
	struct tf_opts opts;
	struct tf_ctx x;
	struct tf_outputs *out = NULL;
	uint64_t rejects;
	ierr e;
	int i, rc;

	log_init(argv[0]);
	if (private_init(&e) < 0) {	/* first: no file is created before */
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	rc = tf_opts_parse(&opts, argc, argv);
	if (rc != 0)
		return rc > 0 ? (fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_OUTPUT) : EXIT_USAGE;
	if (opts.ninputs == 0) {
		opts.inputs = stdin_only;
		opts.ninputs = 1;
	}

	memset(&x, 0, sizeof x);
	x.opts = &opts;
	x.rejects_fd = -1;
	buf_init(&x.scratch, (size_t)1 << 31);
	buf_init(&x.rejects, (size_t)1 << 30);
	x.ninputs = opts.ninputs;
	x.inputs = calloc((size_t)opts.ninputs, sizeof *x.inputs);
	x.icp = icp_new();
	x.jr = jrec_new(512);
	if (!x.inputs || !x.icp || !x.jr) {
		log_error("out of memory");
		return EXIT_OUTPUT;
	}
	for (i = 0; i < opts.ninputs; i++)
		x.inputs[i].name = opts.inputs[i];
	if (opts.icp_file && icp_load_file(x.icp, opts.icp_file, &e) < 0) {
		log_error("%s", e.msg);
		rc = EXIT_USAGE;
		goto done;
	}

	atomic_init();
	if (!(out = tf_outputs_open(&x, &e))) {
		log_error("%s", e.msg);
		rc = EXIT_OUTPUT;
		goto done;
	}
	rc = tf_run(&x, &e);
	if (rc < 0) {
		log_error("%s", e.msg);
		rc = rc == IERR_FAIL ? EXIT_INPUT : EXIT_OUTPUT;
		if (opts.table >= 0)
			copyout_poison(x.out[opts.table]);
		goto done;
	}
	if (tf_outputs_commit(&x, out, &e) < 0) {
		log_error("%s", e.msg);
		rc = EXIT_OUTPUT;
		if (opts.table >= 0)
			copyout_poison(x.out[opts.table]);
		goto done;
	}
	if (opts.table >= 0 && (fflush(stdout) != 0 || close(STDOUT_FILENO) != 0)) {
		log_error("stdout: write error");
		rc = EXIT_OUTPUT;
		goto done;
	}
	tf_summary_log(&x);
	rejects = x.other.rejects;
	for (i = 0; i < TBL_N; i++)
		rejects += x.counts[i].rejects;
	if (rejects > (uint64_t)opts.max_shown_rejects && log_verbosity() <= 0)
		log_warn("%llu lines rejected in all (%d shown)%s%s", (unsigned long long)rejects,
			 opts.max_shown_rejects, x.rejects_fd >= 0 ? "; see " : "",
			 x.rejects_fd >= 0 ? (opts.rejects_path ? opts.rejects_path : "the rejects file") : "");
	rc = rejects ? EXIT_REJECTS : EXIT_OK;
done:
	tf_outputs_abort(out);
	for (i = 0; i < TBL_N; i++)
		copyout_free(x.out[i]);
	buf_free(&x.scratch);
	buf_free(&x.rejects);
	jrec_free(x.jr);
	icp_free(x.icp);
	free(x.inputs);
	return rc;
}

/* fuzz_transform: one archive's bytes through instantly-transform's read
 * path: gzin (plain or gzip), lines, jrec, the envelope, every row builder,
 * the ICP lookup, the COPY writers, the rejects and the summary; the outputs
 * go to /dev/null.
 *
 * The input is the archive as it is, so any archive is a seed. Two options
 * are taken from the input's length, so that the fuzzer reaches both: an odd
 * length writes COPY text instead of CSV, and a length that is a multiple of
 * 5 reads with 3-byte blocks and a 96-byte line limit (lines cut at every
 * place, the "line too long" path).
 */
#include "config.h"

#include "fuzz.h"
#include "log.h"
#include "transform.h"

#include "gzin.h"
#include "lines.h"

static icp *fz_icp;

/* All lines of path, each as "len:flag:bytes", read in blocks of block bytes
 * (0: default); the return of the last lines_next() (0 end, -1 error). */
static int
all_lines(const char *path, size_t block, size_t max_line, buf *out)
{
	const char *line;
	size_t len;
	int too_long, r;
	ierr e;
	gzin *g = gzin_open_sized(path, block, &e);
	lines *l;

	if (!g)
		FUZZ_DIE("gzin_open: %s", e.msg);
	if (!(l = lines_new(g, max_line)))
		FUZZ_DIE("out of memory");
	while ((r = lines_next(l, &line, &len, &too_long, &e)) > 0) {
		FUZZ_CHECK(len <= max_line, "a line of %zu bytes handed out, limit %zu", len, max_line);
		if (buf_printf(out, "%llu:%zu:%d:", (unsigned long long)lines_lineno(l), len, too_long) < 0 ||
		    buf_append(out, line, len) < 0)
			FUZZ_DIE("out of memory");
	}
	lines_free(l);
	gzin_close(g);
	return r;
}
static int devnull = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_transform");
	log_set_verbosity(-1);
	if (!(fz_icp = icp_new()))
		FUZZ_DIE("out of memory");
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		FUZZ_DIE("/dev/null: %s", strerror(errno));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200];
	struct tf_opts opts;
	struct tf_input in;
	struct tf_ctx x;
	buf sum;
	ierr e;
	int t, rc, small = size % 5 == 0;

	fuzz_path(path, sizeof path, "archive.ndjson");
	fuzz_write(path, data, size);

	memset(&opts, 0, sizeof opts);
	opts.table = -1;
	opts.format = size % 2 ? COPY_TEXT : COPY_CSV;
	opts.max_line = small ? 96 : (size_t)1 << 20;
	opts.max_shown_rejects = 0;
	memset(&in, 0, sizeof in);
	in.name = path;
	memset(&x, 0, sizeof x);
	x.opts = &opts;
	x.icp = fz_icp;
	x.inputs = &in;
	x.ninputs = 1;
	x.rejects_fd = devnull;
	buf_init(&x.scratch, (size_t)1 << 31);
	buf_init(&x.rejects, (size_t)1 << 30);
	if (!(x.jr = jrec_new(512)))
		FUZZ_DIE("out of memory");
	for (t = 0; t < TBL_N; t++) {
		if (!(x.out[t] = copyout_new(devnull, opts.format)))
			FUZZ_DIE("out of memory");
		if (copyout_header(x.out[t], tbl_defs[t].cols, tbl_defs[t].ncols, &e) < 0)
			FUZZ_DIE("header: %s", e.msg);
	}

	rc = tf_run(&x, &e);
	FUZZ_CHECK(rc == 0 || rc == -1, "tf_run returned %d (%s)", rc, e.msg);
	if (rc == 0) {
		uint64_t lines = x.other.lines;
		for (t = 0; t < TBL_N; t++) {
			FUZZ_CHECK(x.counts[t].rows + x.counts[t].rejects == x.counts[t].lines,
				   "table %s: %llu rows + %llu rejects != %llu lines", tbl_defs[t].name,
				   (unsigned long long)x.counts[t].rows, (unsigned long long)x.counts[t].rejects,
				   (unsigned long long)x.counts[t].lines);
			lines += x.counts[t].lines;
			if (copyout_flush(x.out[t], &e) < 0)
				FUZZ_DIE("flush: %s", e.msg);
		}
		/* every line is accounted for: a row, a reject or a skip */
		FUZZ_CHECK(lines == x.lines_read, "%llu lines read, %llu accounted for",
			   (unsigned long long)x.lines_read, (unsigned long long)lines);
		FUZZ_CHECK(x.other.rejects + x.other.skipped == x.other.lines, "other: %llu + %llu != %llu",
			   (unsigned long long)x.other.rejects, (unsigned long long)x.other.skipped,
			   (unsigned long long)x.other.lines);
		buf_init(&sum, (size_t)1 << 24);
		FUZZ_CHECK(tf_summary_json(&x, &sum) == 0, "summary failed");
		buf_free(&sum);
	}
	for (t = 0; t < TBL_N; t++)
		copyout_free(x.out[t]);
	jrec_free(x.jr);
	buf_free(&x.scratch);
	buf_free(&x.rejects);

	{
		buf a, b;
		int ra, rb;
		buf_init(&a, (size_t)1 << 30);
		buf_init(&b, (size_t)1 << 30);
		ra = all_lines(path, 0, opts.max_line, &a);
		size_t block = size <= 4096 ? 1 + size % 7 : 509 + size % 7;	/* few handovers */
		rb = all_lines(path, block, opts.max_line, &b);
		FUZZ_CHECK(ra == rb && a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0),
			   "lines differ with %zu-byte blocks (%d/%d, %zu/%zu bytes)", block, ra, rb, a.len, b.len);
		buf_free(&a);
		buf_free(&b);
	}
	return 0;
}

/* fuzz_load: instantly-load's reading of a transform directory, without
 * psql: src/load/input.c (summary.json, the table files, the CSV -> COPY
 * text conversion), split.c (the scan of synced_leads and leads_complete and
 * the split of new campaigns' rows) and script.c (the psql script).
 *
 * Input: parts separated by NUL bytes, written as the files of a fresh
 * directory:
 *   part 0   summary.json
 *   part 1-5 synced_leads, campaigns, campaign_analytics,
 *            campaign_analytics_overview, leads_complete (each written both
 *            as NAME.csv and NAME.txt; the summary's "format" picks one); a
 *            missing part is a missing file
 *   part 6   what the (fake) psql answers to the loader's query of known
 *            campaigns; when it starts with '!' psql "fails" (exit 3);
 *            absent: "f\n" (schema there, no campaign known)
 * An odd input length means --init-schema.
 *
 * psql is replaced by the two functions below (ld_psql_query,
 * ld_psql_run). Properties checked: a refusal has a message; after
 * ld_input_free() nothing of the loader's temporary files is left, on disk
 * or in the registry of temporary paths (tmpfiles.h); when
 * synced_leads is split, the halves (fresh, staged and, for campaigns the
 * warehouse knows, the rows ld_delta_finish() sends when the warehouse has
 * none of them) hold every line of the original once, plus the header in
 * each, once the content_hash column the loader appends is taken off (see
 * norm()); every file the script names exists; the script builds or says
 * why not.
 */
#include "config.h"

#include <dirent.h>

#include "fuzz.h"
#include "load.h"
#include "log.h"
#include "tmpfiles.h"

#define NPARTS 7

static const char *psql_answer;
static size_t psql_answer_len;

int
ld_psql_query(const struct ld_opts *o, const buf *query, buf *out, ierr *e)
{
	(void)o;
	FUZZ_CHECK(query->len > 0, "an empty query");
	if (psql_answer_len > 0 && psql_answer[0] == '!') {
		if (buf_append(out, psql_answer + 1, psql_answer_len - 1) < 0)
			return ierr_set(e, "out of memory");
		return 3;
	}
	if (buf_append(out, psql_answer, psql_answer_len) < 0)
		return ierr_set(e, "out of memory");
	return 0;
}

int
ld_psql_run(const struct ld_opts *o, const struct ld_input *in, const buf *script, ierr *e)
{
	(void)o;
	(void)in;
	(void)script;
	(void)e;
	FUZZ_DIE("ld_psql_run is not part of this target");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_load");
	log_set_verbosity(-1);
	/* the loader's own temporary directories go inside ours */
	if (setenv("TMPDIR", fuzz_tmpdir(), 1) < 0)
		FUZZ_DIE("setenv: %s", strerror(errno));
	return 0;
}

/* Count the entries of dir whose name starts with prefix. */
static int
count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		FUZZ_DIE("%s: %s", dir, strerror(errno));
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* ---- the split keeps every row: lines as multisets --------------------- */

struct span {
	const char *p;
	size_t n;
};

struct lines {
	struct span *v;
	size_t n, cap;
};

static void
add_line(struct lines *l, const char *p, size_t n)
{
	if (l->n == l->cap && !(l->v = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 64) * sizeof *l->v)))
		FUZZ_DIE("out of memory");
	l->v[l->n].p = p;
	l->v[l->n++].n = n;
}

/* The length of line [p, p + n) without its trailing ",NUMBER", "\tNUMBER",
 * ",content_hash" or "\tcontent_hash" groups: the loader appends one such
 * group to every row (its content hash) and to the header; the same
 * normalisation on both sides compares the rows whatever they ended with. */
static size_t
norm(const char *p, size_t n)
{
	for (;;) {
		size_t k = n;
		if (k >= 13 && !memcmp(p + k - 12, "content_hash", 12) && (p[k - 13] == ',' || p[k - 13] == '\t')) {
			n = k - 13;
			continue;
		}
		while (k > 0 && p[k - 1] >= '0' && p[k - 1] <= '9')
			k--;
		if (k < n && k > 0 && p[k - 1] == '-')
			k--;
		if (k == n || k == 0 || (p[k - 1] != ',' && p[k - 1] != '\t'))
			return n;
		n = k - 1;
	}
}

/* Split b at '\n' (a last line without one counts; no empty last line),
 * each line normalised (norm()); lines empty then are left out; max: the
 * lines added at most. */
static void
split_lines(const buf *b, struct lines *l, size_t max)
{
	const char *p = b->p, *end;

	if (b->len == 0)
		return;
	end = b->p + b->len;
	while (p < end && max > 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = norm(p, (size_t)((nl ? nl : end) - p));
		if (n > 0) {
			add_line(l, p, n);
			max--;
		}
		p = nl ? nl + 1 : end;
	}
}

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void
read_file(const char *path, buf *b)
{
	FILE *f = fopen(path, "rb");
	char block[4096];
	size_t n;

	if (!f)
		FUZZ_DIE("%s: %s", path, strerror(errno));
	while ((n = fread(block, 1, sizeof block, f)) > 0)
		if (buf_append(b, block, n) < 0)
			FUZZ_DIE("out of memory");
	fclose(f);
}

/* The rest, the fresh file and the delta file (either may be NULL) hold
 * the lines of the original plus the header in each: as multisets,
 * lines(rest) + lines(fresh) + lines(delta) = lines(orig) + its first k
 * lines (the header: a row, maybe of several lines) once per file more. */
static void
check_split(const buf *orig, const char *rest_path, const char *fresh_path, const char *delta_path)
{
	buf rest, fresh, delta;
	struct lines a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	size_t i, k, j, more = (fresh_path != NULL) + (delta_path != NULL);

	buf_init(&rest, (size_t)1 << 30);
	buf_init(&fresh, (size_t)1 << 30);
	buf_init(&delta, (size_t)1 << 30);
	read_file(rest_path, &rest);
	if (fresh_path)
		read_file(fresh_path, &fresh);
	if (delta_path)
		read_file(delta_path, &delta);
	split_lines(&rest, &a, SIZE_MAX);
	split_lines(&fresh, &a, SIZE_MAX);
	split_lines(&delta, &a, SIZE_MAX);
	split_lines(orig, &b, SIZE_MAX);
	FUZZ_CHECK(a.n >= b.n && (more ? (a.n - b.n) % more == 0 : a.n == b.n),
		   "split: %zu lines in the %zu halves, %zu in the original", a.n, more + 1, b.n);
	for (k = more ? (a.n - b.n) / more : 0, j = 0; j < more; j++)
		split_lines(orig, &b, k);
	qsort(a.v, a.n, sizeof *a.v, cmp_span);
	qsort(b.v, b.n, sizeof *b.v, cmp_span);
	FUZZ_CHECK(a.n == b.n, "split: line counts");
	for (i = 0; i < a.n; i++)
		FUZZ_CHECK(cmp_span(&a.v[i], &b.v[i]) == 0,
			   "split: the halves do not hold the rows of the original:\n halves: %.*s\n original: %.*s",
			   (int)(a.v[i].n > 300 ? 300 : a.v[i].n), a.v[i].p, (int)(b.v[i].n > 300 ? 300 : b.v[i].n), b.v[i].p);
	free(a.v);
	free(b.v);
	buf_free(&rest);
	buf_free(&fresh);
	buf_free(&delta);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[NPARTS] = { NULL };
	size_t plen[NPARTS] = { 0 }, at = 0;
	char dir[4200], path[4400];
	struct ld_opts o;
	struct ld_input in;
	buf script;
	ierr e;
	int i, np = 0, rc;

	while (np < NPARTS && at <= size) {
		const char *s = (const char *)data + at;
		const char *nul = memchr(s, '\0', size - at);
		part[np] = s;
		plen[np] = nul ? (size_t)(nul - s) : size - at;
		at += plen[np++] + 1;
		if (!nul)
			break;
	}
	fuzz_path(dir, sizeof dir, "out");
	(void)mkdir(dir, 0700);
	for (i = 0; i < 1 + TBL_N; i++) {
		static const char *const ext[2] = { "csv", "txt" };
		int x;
		for (x = 0; x < (i ? 2 : 1); x++) {
			if (i == 0)
				snprintf(path, sizeof path, "%s/summary.json", dir);
			else
				snprintf(path, sizeof path, "%s/%s.%s", dir, tbl_defs[i - 1].name, ext[x]);
			if (i < np)
				fuzz_write(path, part[i], plen[i]);
			else if (unlink(path) < 0 && errno != ENOENT)
				FUZZ_DIE("%s: %s", path, strerror(errno));
		}
	}
	psql_answer = np > 6 ? part[6] : "f\n";
	psql_answer_len = np > 6 ? plen[6] : 2;

	memset(&o, 0, sizeof o);
	o.dir = dir;
	o.psql = "psql";
	o.init_schema = size % 2;
	memset(&e, 0, sizeof e);
	if (ld_input_read(&in, dir, 0, &e) < 0) {
		FUZZ_CHECK(e.msg[0], "ld_input_read refused without a message");
		goto out;
	}
	{
		buf orig;
		buf_init(&orig, (size_t)1 << 30);
		read_file(in.path[TBL_SYNCED_LEADS], &orig);
		rc = ld_split_fresh(&in, &o, &e);
		FUZZ_CHECK(rc == 0 || e.msg[0], "ld_split_fresh refused without a message");
		if (rc == 0 && ld_delta_pairs(&in)) {
			uint64_t unchanged;
			rc = ld_delta_finish(&in, &unchanged, &e);	/* the warehouse has none of their rows */
			FUZZ_CHECK(rc == 0 || e.msg[0], "ld_delta_finish refused without a message");
			FUZZ_CHECK(rc < 0 || unchanged == 0, "ld_delta_finish: %llu unchanged of no rows",
				   (unsigned long long)unchanged);
		}
		if (rc == 0 && in.hashed)
			check_split(&orig, in.path[TBL_SYNCED_LEADS], in.fresh_path, in.delta_path);
		buf_free(&orig);
		if (rc < 0)
			goto out;
	}
	for (i = 0; i < TBL_N; i++)
		FUZZ_CHECK(access(in.path[i], R_OK) == 0, "%s: %s", in.path[i], strerror(errno));
	FUZZ_CHECK(!in.fresh_path || access(in.fresh_path, R_OK) == 0, "%s: %s", in.fresh_path, strerror(errno));
	buf_init(&script, (size_t)64 << 20);
	rc = ld_script(&script, &in, o.init_schema, in.lead_rejects == 0, &e);
	FUZZ_CHECK(rc == 0 || e.msg[0], "ld_script failed without a message");
	buf_free(&script);
out:
	ld_input_free(&in);
	FUZZ_CHECK(count_entries(fuzz_tmpdir(), "instantly-load.") == 0, "the loader left a temporary directory");
	{	/* and its registry is empty again: every slot free */
		int slot[TMPFILES_MAX];

		for (i = 0; i < TMPFILES_MAX; i++)
			FUZZ_CHECK((slot[i] = tmpfiles_reserve(&e)) >= 0, "a temporary path still registered after ld_input_free");
		for (i = 0; i < TMPFILES_MAX; i++)
			tmpfiles_release(slot[i], 0);
	}
	return 0;
}

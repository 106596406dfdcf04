/* instantly-extract: the Instantly API v2 → an archive (format v1).
 *
 *   main.c       options, output, exit status
 *   opts.c       the command line
 *   clientmap.c  the client_id,campaign_id map (CSV)
 *   ratelimit.c  the request rate limiter of a workspace (ratelimit.h)
 *   page.c       one response body, streamed into items (page.h)
 *   http.c       the transport (http.h): libcurl multi, transfers in flight,
 *                retry budgets, backoff; it knows nothing of the API
 *   api.c        the Instantly API over it: the endpoints, what each status
 *                means, workspaces' pauses, paging guards, per-campaign state
 *   output.c     the archive writer (gzip) and the per-response spool
 *   summary.c    the run summary (archive record and stderr)
 */
#ifndef IE_EXTRACT_H
#define IE_EXTRACT_H

#include <stdint.h>
#include <stdio.h>
#include <curl/curl.h>
#include <zlib.h>

#include "atomic.h"
#include "buf.h"
#include "ierr.h"
#include "http.h"
#include "page.h"
#include "ratelimit.h"

#define UUID_LEN 36
#define EX_DEFAULT_BASE_URL "https://api.instantly.ai"

/* ---- options (opts.c) ---- */
struct ex_opts {
	const char *clients_path;	/* --clients FILE, "-" for stdin */
	const char *base_url;		/* --base-url, without a trailing slash */
	const char *output;		/* -o FILE; NULL: stdout */
	const char *api_key_file;	/* --api-key-file */
	char since[11], until[11];	/* the analytics window, YYYY-MM-DD, inclusive */
	int days;
	double rate;			/* --rate: requests per second */
	int rate_minute;		/* --rate-per-minute, 0: none besides --rate */
	int parallel;			/* --parallel: requests in flight */
	int retries;			/* --retries: further attempts after the first */
	double retry_wait;		/* --retry-wait: first backoff, seconds */
	double max_retry_after;		/* longest Retry-After honoured, seconds */
	long timeout;			/* --timeout: seconds per request */
	long stall_timeout;		/* --stall-timeout: seconds without a byte */
	/* bounds on what the API can make the extract do (defect 5 of issue 10) */
	int max_depth;			/* --max-depth: JSON nesting */
	uint64_t max_response;		/* --max-response: bytes of one response body */
	uint64_t max_spill;		/* --max-spill: bytes one response adds to the archive */
	uint64_t max_pages;		/* --max-pages: pages of one listing */
	int max_requests;		/* --max-requests: requests held at once */
	int plain;			/* --plain: no gzip */
	int resume;			/* --resume (resume.c) */
	double checkpoint;		/* --checkpoint: seconds between journal checkpoints */
	int window_given;		/* 1 --days, 2 --since, 4 --until on the command line */
	int progress;			/* --progress / --no-progress: -1 auto */
};

int ex_opts_parse(struct ex_opts *o, int argc, char **argv);

/* ---- the client map (clientmap.c) ---- */
struct ex_campaign;
struct ex_workspace;

struct ex_map {
	struct ex_campaign *camps;	/* sorted by id */
	size_t ncamps;
	size_t npairs;			/* (client, campaign) pairs */
	struct ex_workspace *ws;	/* one per API key (api_key_env column) */
	size_t nws;
};

/* Read the map from path ("-": stdin). Returns 0, or -1 with e set
 * ("FILE:LINE: FIELD: problem"). */
int ex_map_read(struct ex_map *m, const char *path, ierr *e);
struct ex_campaign *ex_map_find(const struct ex_map *m, const char *id, size_t n);
void ex_map_free(struct ex_map *m);

/* The cursors a listing has followed, as 64-bit hashes (open addressing):
 * 8 to 16 bytes a page however long the cursors are. Two different cursors
 * taken for one (a false "repeated cursor", never a missed one) has odds
 * of about pages^2 / 2^65. */
struct cursor_set {
	uint64_t *slot;		/* 0: empty */
	size_t cap, n;
};

/* ---- Instantly workspaces ----
 * Each API key is a workspace, with its own rate limits (docs/instantly-api.md
 * §7): its own limiter, 429 pause and campaign listing. */
struct ex_workspace {
	char key_env[128];		/* the variable that holds its key; "": the default key */
	unsigned long line;		/* the client map line that first named it */
	struct curl_slist *hdr_get, *hdr_post;
	struct ratelimit rl_second, rl_minute;
	int use_minute;
	double pause_until;		/* after a 429: none of its requests before this */
	double last_cut;		/* when a 429 last lowered its rate */
	int listing_over;		/* its campaign listing is over: its campaigns may start */
	size_t feed_next;		/* the first of its campaigns (map order) that may not have started */
	int refused;			/* 401/402/403, or its campaign listing failed */
	struct ex_workspace *same;	/* another variable holds the same key: that one is used */
	char error[1024];
	/* --resume: where its campaign listing stood (resume.c) */
	char *rs_cursor;		/* the next page's cursor; NULL: the first */
	uint64_t rs_pages;
	struct cursor_set rs_seen;
};

/* ---- the archive writer (output.c) ---- */
struct ex_out {
	int fd;
	atomic_file *af;	/* NULL when writing stdout */
	int gz;
	z_stream z;
	int z_ready;
	buf zbuf;
	const char *name;	/* for messages */
	uint64_t lines;
	/* --resume: a file of resume.c's, one gzip member per checkpoint */
	int members;
	int dirty;		/* bytes given since the member began */
	uint64_t offset;	/* bytes written to fd */
};

int ex_out_open(struct ex_out *o, const char *path, int plain, ierr *e);
/* --resume: write to fd (at its end, offset bytes in), named name; the
 * caller owns fd. */
int ex_out_open_fd(struct ex_out *o, int fd, const char *name, uint64_t offset, int plain, ierr *e);
/* --resume: end the gzip member (if a byte was given since it began) and
 * fdatasync, so that o->offset is a point a reader can stop at and the
 * bytes before it are on disk. */
int ex_out_checkpoint(struct ex_out *o, ierr *e);
int ex_out_write(struct ex_out *o, const char *s, size_t n, ierr *e);
int ex_out_close(struct ex_out *o, ierr *e);	/* finish, fsync, rename (--resume: finish, fsync) */
void ex_out_abort(struct ex_out *o);

/* What one response will add to the archive, held until the response is
 * complete (so that a retried response neither loses nor repeats a line):
 * memory up to a threshold, then an unlinked temporary file. */
struct ex_spool {
	buf mem;
	int fd;			/* -1 until spilled */
	uint64_t bytes;
	uint64_t lines;
	uint64_t max;		/* bytes it may hold (--max-spill); 0: no bound */
};

void spool_init(struct ex_spool *s);
/* line ends with '\n'. 0; IERR_FAIL write error; IERR_LIMIT the line would
 * pass s->max (nothing added; e names --max-spill). */
int spool_add(struct ex_spool *s, const char *line, size_t n, ierr *e);
int spool_commit(struct ex_spool *s, struct ex_out *o, ierr *e);		/* append to o, then empty */
void spool_discard(struct ex_spool *s);
void spool_free(struct ex_spool *s);

/* ---- the run (api.c, over http.c) ---- */
enum ex_kind { K_LIST_CAMPAIGNS, K_GET_CAMPAIGN, K_DAILY, K_OVERVIEW, K_LEADS, K_NKINDS };
extern const char *const ex_kind_names[K_NKINDS];

enum camp_status {
	CS_PENDING,
	CS_OK,			/* everything fetched, the lead listing complete */
	CS_NOT_FOUND,		/* the API does not know the campaign (404) */
	CS_CURSOR_REPEATED,	/* the lead listing ended on a repeated cursor */
	CS_FAILED,		/* a request failed for good */
};

struct ex_campaign {
	char id[UUID_LEN + 1];
	struct ex_workspace *ws;
	char (*clients)[UUID_LEN + 1];
	size_t nclients;
	int listed;		/* seen in the campaign listing */
	enum camp_status status;
	int open_jobs;
	uint64_t leads, lead_pages, daily_rows;
	int leads_done;			/* its leads_complete records are written */
	int overview;
	int opened;		/* its requests are made (or it failed before) */
	struct ex_campaign *ready_next;	/* in run->ready */
	char *error;		/* NULL, or why it is not complete (malloc'd) */
	/* --resume: what the interrupted run did (resume.c) */
	int daily_done;
	char *rs_cursor;		/* its lead listing's next cursor; NULL: the first page */
	uint64_t rs_pages;
	struct cursor_set rs_seen;
};

struct ex_run;

/* One logical request of the API: its transfer (http.h), and what the API
 * layer knows of it. */
struct ex_req {
	struct http_xfer x;		/* url, body, headers, attempts (x.user: this) */
	enum ex_kind kind;
	struct ex_campaign *camp;	/* NULL: the campaign listing */
	struct ex_workspace *ws;
	struct ex_run *run;
	page *pg;			/* the body's parser (the transfer's sink) */
	char cursor[1025];		/* listings: the cursor of the page asked for ("": the first) */
	struct cursor_set seen;		/* listings: cursors followed */
	uint64_t pages;			/* listings: pages received */
	struct ex_spool spool;
	char extracted_at[32];		/* when the response began */
	int untrusted;			/* the answer cannot be trusted: no retry */
	int output_failed;		/* writing its lines failed: stop the run */
	buf listed;			/* campaign listing: the mapped campaigns on this page */
	uint64_t nitems[6];		/* lines spooled per record type */
};

struct ex_counts {
	uint64_t http_429, http_5xx;	/* the transport counts requests, retries, transport errors (http.n) */
	uint64_t items[6];		/* per archive record type (enum arch_type) */
};

struct ex_run {
	const struct ex_opts *opts;
	struct ex_map *map;
	struct ex_out *out;
	struct http http;		/* the transport: transfers queued and in flight */
	size_t held;			/* requests allocated (queued, in flight): at most --max-requests */
	struct ex_campaign *ready_head, *ready_tail;	/* known to the API, waiting for room */
	struct ex_counts n;
	int fatal;			/* every workspace refused: stop */
	char fatal_msg[1100];
	size_t camps_done;
	char started_at[32];
	double t0;
	buf line;			/* one archive line being built */
	struct ex_resume *resume;	/* --resume (resume.c); NULL without */
	unsigned resumes;		/* runs that went on from an interrupted one */
	uint64_t map_digest;		/* of the client map, for --resume */
};

/* api.c: the transport's policy from the options */
void api_http_policy(const struct ex_opts *o, struct http_policy *p);
int api_start(struct ex_run *r, ierr *e);	/* queue the first requests */
/* Until nothing is left (the transport's loop, with the API's turns:
 * checkpoints, campaigns starting as room frees up). -1: output error. */
int api_run(struct ex_run *r, ierr *e);
void utc_now_iso(char out[32]);

/* api.c: a listing's followed cursors. 1: cursor was followed before; 0: it
 * was not (now it is); -1: out of memory. */
int api_cursor_seen(struct cursor_set *cs, const char *cursor);
void api_cursor_set_free(struct cursor_set *cs);

/* resume.c (see there) */
struct ex_resume;
uint64_t resume_map_digest(const struct ex_map *m);	/* before setup of the workspaces */
/* -o's files: 0 go on (r->out open; the run restored from the journal, o's
 * window the journal's); 1 the run was over before (*status its exit
 * status, FILE in place); IERR_FAIL error; IERR_USAGE refused: other
 * inputs than the interrupted run's (a usage error). e set for both. */
int resume_open(struct ex_run *r, struct ex_opts *o, int *status, ierr *e);
/* What a response added, after it is written (api_done()). */
void resume_note_list(struct ex_run *r, struct ex_workspace *ws, const char *next, struct ex_campaign *const *listed,
		      size_t n);
void resume_note_leads(struct ex_run *r, struct ex_campaign *c, const char *next, uint64_t items);
void resume_note(struct ex_run *r, char what, struct ex_campaign *c, uint64_t n);	/* G, D rows, O */
/* A checkpoint, when one is due (force: now). */
int resume_checkpoint(struct ex_run *r, int force, ierr *e);
/* The run is over (the summary written): FILE in place, the journal gone. */
int resume_finish(struct ex_run *r, int status, ierr *e);
/* The run stops short: the files stay for the next --resume. */
void resume_close(struct ex_run *r);
void resume_warn_stale(const char *output);

/* summary.c */
int summary_write(struct ex_run *r, ierr *e);	/* the run_summary record */
void summary_log(const struct ex_run *r);
int ex_exit_status(const struct ex_run *r);

#endif

/* instantly-extract: the Instantly API v2 in, an archive out. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>

#include "credentials.h"
#include "exitcodes.h"
#include "extract.h"
#include "log.h"
#include "private.h"

static struct curl_slist *headers(const char *key, int post);
static void free_headers(struct curl_slist *l);

/* Before any key is read: no core dump (RLIMIT_CORE 0; and not dumpable,
 * which also stops a pipe core_pattern), and no other process of the same
 * user may trace this one or read its memory or environment (/proc/PID/mem,
 * environ, maps: not dumpable makes them root's). */
static int
harden(ierr *e)
{
	struct rlimit no_core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return ierr_sys(e, errno, "cannot turn core dumps off (setrlimit)");
#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		return ierr_sys(e, errno, "cannot make the process undumpable (prctl)");
#endif
	return 0;
}

/* Say (with -v) which proxy variables are set and what becomes of them
 * (http.c: no_clear_proxy()); their values, which may hold a password, are
 * never printed. */
static void
note_proxies(const char *base_url)
{
	static const char *const vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
					    "all_proxy", "ALL_PROXY" };
	int https = strncasecmp(base_url, "https://", 8) == 0;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof *vars; i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			log_debug("%s is set: %s", vars[i], https ? "a proxy is used only as a CONNECT tunnel or over SOCKS"
							    : "ignored (plain http never goes through a proxy)");
}

/* Overwrite the value of NAME in place, where /proc/PID/environ and a core
 * would show it, then remove NAME: the key stays in the headers only. */
static void
wipe_env(const char *name)
{
	char *v = getenv(name);

	if (v) {
		memset(v, 0, strlen(v));
		unsetenv(name);
	}
}

/* A workspace's key: from the variable the client map names, or the
 * default key: $INSTANTLY_API_KEY, or the first line of --api-key-file. It
 * stays in this process: sent only in the Authorization header to the base
 * URL, never logged, never written. */
static int
read_api_key(const struct ex_opts *o, const struct ex_workspace *ws, char *key, size_t keylen, ierr *e)
{
	size_t n, i;
	/* systemd's LoadCredential= first (credentials.h); --api-key-file, given, before it */
	int cred = ws->key_env[0] || !o->api_key_file ? cred_read(ws->key_env[0] ? ws->key_env : CRED_API_KEY, key, keylen, e) : 0;

	if (cred < 0)
		return -1;
	if (cred > 0) {
		/* read */
	} else if (ws->key_env[0]) {
		const char *env = getenv(ws->key_env);

		if (!env || !*env)
			return ierr_set(e, "the client map (line %lu) names the API key variable %s, which is not set (nor a credential %s)",
					ws->line, ws->key_env, ws->key_env);
		if (strlen(env) >= keylen)
			return ierr_set(e, "%s is too long", ws->key_env);
		strcpy(key, env);
	} else if (o->api_key_file) {
		struct stat st;
		char iob[BUFSIZ];	/* stdio's buffer holds the key too: ours, wiped */
		FILE *f = fopen(o->api_key_file, "r");

		if (!f)
			return ierr_sys(e, errno, "--api-key-file: %s", o->api_key_file);
		setvbuf(f, iob, _IOFBF, sizeof iob);
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
			log_warn("%s can be read by other users; chmod 600 it", o->api_key_file);
		if (!fgets(key, (int)keylen, f))
			key[0] = '\0';
		fclose(f);
		memset(iob, 0, sizeof iob);
	} else {
		const char *env = getenv("INSTANTLY_API_KEY");

		if (!env || !*env)
			return ierr_set(e, "no API key: set INSTANTLY_API_KEY, use --api-key-file FILE, or the credential " CRED_API_KEY);
		if (strlen(env) >= keylen)
			return ierr_set(e, "INSTANTLY_API_KEY is too long");
		strcpy(key, env);
	}
	n = strlen(key);
	while (n > 0 && isspace((unsigned char)key[n - 1]))
		key[--n] = '\0';
	if (n == 0)
		return ierr_set(e, "the API key is empty");
	for (i = 0; i < n; i++)
		if (key[i] <= 0x20 || key[i] >= 0x7f)
			return ierr_set(e, "the API key%s%s holds a character that cannot go in an HTTP header",
					ws->key_env[0] ? " in " : "", ws->key_env);
	return 0;
}

/* Each workspace's key in its headers, and its rate limiters. Two
 * variables holding the same key are one workspace (one limiter: the API
 * counts per workspace). 0; IERR_USAGE a key that cannot be read or used;
 * IERR_FAIL otherwise (e set for both). */
static int
setup_workspaces(const struct ex_opts *o, struct ex_map *m, ierr *e)
{
	char (*keys)[512] = calloc(m->nws ? m->nws : 1, sizeof *keys);
	size_t i, j;
	int rc = 0, limit;

	if (!keys)
		return ierr_oom(e);
	for (i = 0; i < m->nws && rc == 0; i++) {
		struct ex_workspace *ws = &m->ws[i];

		if (read_api_key(o, ws, keys[i], sizeof keys[i], e) < 0) {
			rc = IERR_USAGE;
			break;
		}
		for (j = 0; j < i && !ws->same; j++)
			if (!m->ws[j].same && strcmp(keys[i], keys[j]) == 0)
				ws->same = &m->ws[j];
		if (ws->same)
			continue;
		ws->hdr_get = headers(keys[i], 0);
		ws->hdr_post = headers(keys[i], 1);
		/* the bucket: bursts of a twentieth of a second; the window:
		 * what the server counts, with 5% to spare for jitter in when it
		 * counts (50 ms at 100 requests a second) */
		limit = (int)ceil(o->rate);	/* limit requests in any limit/rate seconds, 5% more */
		rc = rl_init(&ws->rl_second, o->rate, o->rate / 20, limit, 1.05 * limit / o->rate);
		if (o->rate_minute) {
			ws->use_minute = 1;
			rc |= rl_init(&ws->rl_minute, o->rate_minute / 60.0, o->rate_minute / 60.0, o->rate_minute, 63);
		}
		if (rc || !ws->hdr_get || !ws->hdr_post)
			rc = ierr_oom(e);
	}
	/* the environment's copies of the keys: no longer needed */
	wipe_env("INSTANTLY_API_KEY");
	for (i = 0; i < m->nws; i++)
		if (m->ws[i].key_env[0])
			wipe_env(m->ws[i].key_env);
	for (i = 0; i < m->ncamps; i++)
		if (m->camps[i].ws->same)
			m->camps[i].ws = m->camps[i].ws->same;
	memset(keys, 0, (m->nws ? m->nws : 1) * sizeof *keys);
	free(keys);
	return rc;
}

static void
free_workspaces(struct ex_map *m)
{
	size_t i;

	for (i = 0; i < m->nws; i++) {
		free_headers(m->ws[i].hdr_get);
		free_headers(m->ws[i].hdr_post);
		m->ws[i].hdr_get = m->ws[i].hdr_post = NULL;
		rl_free(&m->ws[i].rl_second);
		rl_free(&m->ws[i].rl_minute);
	}
}

/* localhost, 127.0.0.0/8 or [::1], as addresses (not names that start
 * with "127.") */
static int
is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t n = strlen(host);

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && n < sizeof h && host[0] == '[' && host[n - 1] == ']') {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/* https anywhere; plain http only to this machine, so that the key never
 * crosses a network in clear. No user, password, query or fragment. */
static int
check_base_url(struct ex_opts *o, ierr *e)
{
	static char url[1024];
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
	int rc = 0;
	size_t n = strlen(o->base_url);

	if (n >= sizeof url - 1)
		return ierr_set(e, "--base-url is too long");
	memcpy(url, o->base_url, n + 1);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	o->base_url = url;
	if (!u)
		return ierr_oom(e);
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = ierr_set(e, "--base-url '%s' is not a URL", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (user || query || frag)
		rc = ierr_set(e, "--base-url must hold no user, query or fragment");
	else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && is_loopback(host)))
		rc = ierr_set(e, "--base-url '%s': only https, or http to a loopback address (the key must not "
			      "travel in clear)", url);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

static struct curl_slist *
headers(const char *key, int post)
{
	struct curl_slist *l = NULL, *t;
	char auth[600];

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	if (!(t = curl_slist_append(l, auth)))
		goto fail;
	l = t;
	memset(auth, 0, sizeof auth);
	if (!(t = curl_slist_append(l, "Accept: application/json")))
		goto fail;
	l = t;
	if (post) {
		if (!(t = curl_slist_append(l, "Content-Type: application/json")))
			goto fail;
		l = t;
		if (!(t = curl_slist_append(l, "Expect:")))
			goto fail;
		l = t;
	}
	return l;
fail:
	memset(auth, 0, sizeof auth);
	curl_slist_free_all(l);
	return NULL;
}

/* Wipe the copy of the key in a header list, then free it. */
static void
free_headers(struct curl_slist *l)
{
	struct curl_slist *t;

	for (t = l; t; t = t->next)
		memset(t->data, 0, strlen(t->data));
	curl_slist_free_all(l);
}

int
main(int argc, char **argv)
{
	struct ex_opts opts;
	struct ex_map map;
	struct ex_out out;
	struct ex_run run;
	struct http_policy pol;
	ierr e;
	int rc;
	uint64_t map_digest;

	log_init(argv[0]);
	if (harden(&e) < 0) {
		log_error("%s", e.msg);
		return EXIT_OUTPUT;
	}
	if (private_init(&e) < 0) {	/* before any file is created */
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	rc = ex_opts_parse(&opts, argc, argv);
	if (rc != 0)
		return rc > 0 ? (fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_OUTPUT) : EXIT_USAGE;
	if (check_base_url(&opts, &e) < 0) {
		log_usage("%s", e.msg);
		return EXIT_USAGE;
	}
	note_proxies(opts.base_url);
	if (!opts.output && !opts.plain && isatty(STDOUT_FILENO)) {
		log_usage("%s", "stdout is a terminal: use -o FILE, a pipe, or --plain");
		return EXIT_USAGE;
	}
	if (ex_map_read(&map, opts.clients_path, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_INPUT;
	}
	map_digest = resume_map_digest(&map);	/* before the workspaces merge */
	if (map.ncamps == 0)
		log_warn("%s maps no campaign: the archive holds only the run summary", opts.clients_path);
	if ((rc = setup_workspaces(&opts, &map, &e)) < 0) {
		if (rc == IERR_USAGE)
			log_usage("%s", e.msg);
		else
			log_error("%s", e.msg);
		free_workspaces(&map);
		ex_map_free(&map);
		return rc == IERR_USAGE ? EXIT_USAGE : EXIT_OUTPUT;
	}
	/* libcurl (OpenSSL) would write the TLS session secrets to this file:
	 * with them and a capture of the traffic, anyone reads the key */
	if (getenv("SSLKEYLOGFILE")) {
		log_warn("SSLKEYLOGFILE is ignored: TLS secrets in a file would expose the API key");
		unsetenv("SSLKEYLOGFILE");
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("libcurl: cannot initialise");
		return EXIT_OUTPUT;
	}

	memset(&run, 0, sizeof run);
	run.map_digest = map_digest;
	run.opts = &opts;
	run.map = &map;
	run.out = &out;
	run.t0 = log_now();
	utc_now_iso(run.started_at);
	buf_init(&run.line, (size_t)80 << 20);
	api_http_policy(&opts, &pol);
	pol.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (http_init(&run.http, &pol, &e) < 0) {
		log_error("%s", e.msg);
		rc = EXIT_OUTPUT;
		goto done;
	}

	atomic_init();
	if (opts.resume) {
		int status = 0;

		switch (resume_open(&run, &opts, &status, &e)) {
		case 0:
			break;
		case 1:	/* over before: FILE is in place now */
			rc = status;
			goto done;
		case IERR_USAGE:
			log_usage("%s", e.msg);
			rc = EXIT_USAGE;
			goto done;
		default:
			log_error("%s", e.msg);
			rc = EXIT_OUTPUT;
			goto done;
		}
	} else {
		if (opts.output)
			resume_warn_stale(opts.output);
		if (ex_out_open(&out, opts.output, opts.plain, &e) < 0) {
			log_error("%s", e.msg);
			rc = EXIT_OUTPUT;
			goto done;
		}
	}
	if (api_start(&run, &e) < 0 || api_run(&run, &e) < 0) {
		log_error("%s", e.msg);
		if (run.resume)
			resume_close(&run);
		else
			ex_out_abort(&out);
		rc = EXIT_OUTPUT;
		goto done;
	}
	if (run.fatal) {
		if (run.resume) {
			/* what came before is kept for the next --resume */
			log_error("%s; no archive written", run.fatal_msg);
			if (resume_checkpoint(&run, 1, &e) < 0)
				log_error("%s", e.msg);
			resume_close(&run);
		} else {
			log_error("%s; no archive written", run.fatal_msg);
			ex_out_abort(&out);
		}
		rc = EXIT_API;
		goto done;
	}
	rc = ex_exit_status(&run);
	if (summary_write(&run, &e) < 0 ||
	    (run.resume ? resume_finish(&run, rc, &e) : ex_out_close(&out, &e)) < 0) {
		log_error("%s", e.msg);
		if (run.resume)
			resume_close(&run);
		else
			ex_out_abort(&out);
		rc = EXIT_OUTPUT;
		goto done;
	}
	summary_log(&run);
	if (rc != EXIT_OK)
		log_warn("partial: some campaigns are incomplete (see above and the run summary)");
done:
	free_workspaces(&map);
	http_free(&run.http);
	buf_free(&run.line);
	ex_map_free(&map);
	curl_global_cleanup();
	return rc;
}

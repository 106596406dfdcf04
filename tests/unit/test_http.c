/* test_http: the extract's transport (src/extract/http.c) alone, driven by a
 * tiny set of callbacks against a loopback server forked here. It is linked
 * with http.c and the library only: that it links at all shows the
 * transport needs nothing of the API layer (api.c). Each point checks what
 * the transport owns: a 200's body streamed to the sink, the POST body
 * sent, an error body's start kept, a refused sink, a retry within the
 * caller's budget, Retry-After read, "after N attempts" when the budget is
 * spent, a transport error classified, a stalled answer cut, the gate and
 * queue honoured. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "tap.h"

/* ---- the server: one connection at a time, answers by path ---- */

static void
say(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void
answer(int fd, const char *status, const char *extra, const char *body)
{
	char head[512];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
			 strlen(body), extra);

	say(fd, head, (size_t)n);
	say(fd, body, strlen(body));
}

static void
serve(int ls)
{
	int flaky = 0;

	signal(SIGPIPE, SIG_IGN);	/* a client that hung up early */
	alarm(60);			/* gone, whatever becomes of the test */
	for (;;) {
		char req[8192], path[256] = "", *end, *cl;
		size_t len = 0, want;
		long body = 0;
		int fd = accept(ls, NULL, NULL);

		if (fd < 0)
			continue;
		while (len < sizeof req - 1) {	/* the head, then Content-Length bytes of body */
			ssize_t r = read(fd, req + len, sizeof req - 1 - len);

			if (r <= 0)
				break;
			len += (size_t)r;
			req[len] = '\0';
			if ((end = strstr(req, "\r\n\r\n"))) {
				cl = strcasestr(req, "content-length:");
				body = cl ? strtol(cl + 15, NULL, 10) : 0;
				want = (size_t)(end + 4 - req) + (size_t)body;
				if (len >= want)
					break;
			}
		}
		req[len] = '\0';
		sscanf(req, "%*s %255s", path);
		end = strstr(req, "\r\n\r\n");
		if (strcmp(path, "/ok") == 0) {
			answer(fd, "200 OK", "", "hello, world");
		} else if (strcmp(path, "/echo") == 0) {
			answer(fd, "200 OK", "", end ? end + 4 : "");
		} else if (strcmp(path, "/flaky") == 0) {
			if (flaky++ % 2 == 0)
				answer(fd, "503 Service Unavailable", "", "try later");
			else
				answer(fd, "200 OK", "", "again");
		} else if (strcmp(path, "/slow") == 0) {
			answer(fd, "429 Too Many Requests", "Retry-After: 1\r\n", "slow down");
		} else if (strcmp(path, "/stall") == 0) {
			static const char part[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc";

			say(fd, part, sizeof part - 1);
			sleep(4);
		} else {
			answer(fd, "404 Not Found", "", "no such thing\nhere");
		}
		close(fd);
	}
}

/* ---- the caller: a tiny set of callbacks ---- */

struct job {
	struct http_xfer x;
	char got[256];
	size_t ngot;
	int refuse;		/* on_body refuses */
	int retry, slow;	/* on_end asks again (slow: "slow down") */
	int ends, drops, sent;
	double last_wait;
	enum http_outcome outcome;
	long status;
};

static int gates;

static double
gate(struct http_xfer *x, double now)
{
	(void)x, (void)now;
	return gates++ == 0 ? 0.2 : 0;	/* the first start waits 0.2 s */
}

static void
sent(struct http_xfer *x, double now)
{
	(void)now;
	((struct job *)x->user)->sent++;
}

static int
on_body(struct http_xfer *x, const char *p, size_t n)
{
	struct job *j = x->user;

	if (j->refuse) {
		ierr_set(&x->e, "the sink says no");
		return -1;
	}
	if (j->ngot + n < sizeof j->got) {
		memcpy(j->got + j->ngot, p, n);
		j->ngot += n;
	}
	return 0;
}

static int
on_end(struct http_xfer *x, ierr *e)
{
	struct job *j = x->user;
	double w;

	(void)e;
	j->ends++;
	j->outcome = x->outcome;
	j->status = x->status;
	if (x->outcome == HTTP_ANSWERED && x->status != 200)
		ierr_set(&x->e, "HTTP %ld", x->status);
	if (j->retry && !(x->outcome == HTTP_ANSWERED && x->status == 200) &&
	    (w = http_backoff(x->t, x, j->slow)) >= 0) {
		j->last_wait = w;
		j->ngot = 0;
		http_enqueue(x->t, x, w);
	}
	return 0;
}

static void
drop(struct http_xfer *x)
{
	((struct job *)x->user)->drops++;
}

static const struct http_ops ops = { gate, sent, on_body, on_end, drop };

static void
run(struct http *t)
{
	ierr e;

	for (;;) {
		double wait = 1.0;

		if (http_perform(t, &e) < 0 || http_start_due(t, &wait, &e) < 0) {
			printf("# %s\n", e.msg);
			return;
		}
		if (http_idle(t))
			return;
		if (http_poll(t, wait, &e) < 0)
			return;
	}
}

static void
job(struct http *t, struct job *j, const char *base, const char *path)
{
	memset(j, 0, sizeof *j);
	http_xfer_init(&j->x, &ops, j);
	snprintf(j->x.url, sizeof j->x.url, "%s%s", base, path);
	http_enqueue(t, &j->x, 0);
}

int
main(void)
{
	struct http_policy p = { .parallel = 2, .retries = 2, .slow_retries = 2, .retry_wait = 0.01,
				 .max_retry_after = 0.3, .timeout = 10, .stall_timeout = 1,
				 .user_agent = "test_http", .seed = 1 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	struct http t;
	struct job j;
	char base[64], dead[64], snip[256];
	int ls = socket(AF_INET, SOCK_STREAM, 0), gone = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;
	double t0;
	ierr e;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 8) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) < 0) {
		printf("Bail out! loopback server: %s\n", strerror(errno));
		return 1;
	}
	snprintf(base, sizeof base, "http://127.0.0.1:%d", ntohs(a.sin_port));
	/* a port nothing listens on: bound, then closed */
	a.sin_port = 0;
	al = sizeof a;
	if (gone < 0 || bind(gone, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(gone, (struct sockaddr *)&a, &al) < 0) {
		printf("Bail out! a free port: %s\n", strerror(errno));
		return 1;
	}
	snprintf(dead, sizeof dead, "http://127.0.0.1:%d", ntohs(a.sin_port));
	close(gone);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		serve(ls);
		_exit(0);
	}
	close(ls);
	if (pid < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || http_init(&t, &p, &e) < 0) {
		printf("Bail out! setup\n");
		if (pid > 0)
			kill(pid, SIGTERM);
		return 1;
	}

	t0 = log_now();
	job(&t, &j, base, "/ok");
	run(&t);
	ok(j.ends == 1 && j.outcome == HTTP_ANSWERED && j.status == 200, "a 200 ends once, answered");
	is_mem(j.got, j.ngot, "hello, world", "its body streamed to the sink");
	ok(log_now() - t0 >= 0.2 && gates >= 2 && j.sent == 1, "the gate held it back, then let it through (sent once)");
	ok(t.n.requests == 1 && t.n.retries == 0 && t.n.transport_errors == 0, "counted: 1 request, no retry");
	http_xfer_free(&j.x);

	job(&t, &j, base, "/echo");
	j.x.post = 1;
	buf_puts(&j.x.body, "{\"campaign\":\"x\"}");
	run(&t);
	is_mem(j.got, j.ngot, "{\"campaign\":\"x\"}", "a POST sends the caller's body");
	http_xfer_free(&j.x);

	job(&t, &j, base, "/missing");
	run(&t);
	ok(j.outcome == HTTP_ANSWERED && j.status == 404 && j.ngot == 0, "a 404 is answered, its body not given to the sink");
	is_str(http_snippet(&j.x, snip, sizeof snip), "no such thing here", "the error body's start kept, printable");
	http_xfer_free(&j.x);

	job(&t, &j, base, "/ok");
	j.refuse = 1;
	run(&t);
	ok(j.ends == 1 && j.outcome == HTTP_SINK_FAILED && strcmp(j.x.e.msg, "the sink says no") == 0,
	   "a refused body ends the attempt as a sink failure, with the sink's message");
	http_xfer_free(&j.x);

	job(&t, &j, base, "/flaky");
	j.retry = 1;
	run(&t);
	ok(j.ends == 2 && j.x.attempt == 2 && j.status == 200, "a 503 tried again when the caller asks: 200 the second time");
	is_mem(j.got, j.ngot, "again", "the second attempt's body");
	ok(j.last_wait >= 0.005 && j.last_wait <= 0.01, "backoff: retry_wait with jitter (%.4f s)", j.last_wait);
	ok(t.n.retries == 1, "one retry counted");
	http_xfer_free(&j.x);

	job(&t, &j, base, "/slow");
	j.retry = j.slow = 1;
	run(&t);
	ok(j.ends == 3 && j.x.attempt == 3 && j.status == 429, "\"slow down\": tried again within its own budget (2), then over");
	ok(j.x.retry_after == 1 && j.last_wait >= 0.3 && j.last_wait <= 0.55,
	   "Retry-After: 1 read, honoured up to max_retry_after 0.3 s, with jitter (%.3f s)", j.last_wait);
	is_str(j.x.e.msg, "after 3 attempts: HTTP 429", "the spent budget says so");
	http_xfer_free(&j.x);

	job(&t, &j, dead, "/ok");
	run(&t);
	ok(j.outcome == HTTP_TRANSPORT_FAILED && j.x.transient && j.x.e.msg[0] && t.n.transport_errors == 1,
	   "nothing listening: a transport failure, worth another attempt (%s)", j.x.e.msg);
	http_xfer_free(&j.x);

	t0 = log_now();
	job(&t, &j, base, "/stall");
	run(&t);
	/* the server holds the connection 4 s: only the stall bound ends it sooner */
	ok(j.outcome == HTTP_TRANSPORT_FAILED && strstr(j.x.e.msg, "stalled") && j.x.transient,
	   "an answer that stops mid-body is cut after the stall bound, worth another attempt (%s, %.1f s)", j.x.e.msg,
	   log_now() - t0);
	http_xfer_free(&j.x);

	job(&t, &j, base, "/ok");
	http_drop_all(&t);
	ok(j.drops == 1 && j.ends == 0 && http_idle(&t), "at the end, what is left is dropped, not ended");
	http_xfer_free(&j.x);

	http_free(&t);
	curl_global_cleanup();
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

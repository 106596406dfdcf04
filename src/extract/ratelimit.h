/* ratelimit: the request rate limiter of a workspace (ratelimit.c).
 *
 * A token bucket of `burst` tokens refilled at `rate` per second, and a
 * sliding window: at most `limit` requests in any `window` seconds (each
 * spent token comes back one window after it was spent). It knows nothing
 * of HTTP or of the API: the caller asks rl_wait() when it may send and
 * says rl_take() when it did. */
#ifndef IE_RATELIMIT_H
#define IE_RATELIMIT_H

struct ratelimit {
	double rate, tokens, burst, last;
	double window;
	int limit;
	double *ring;		/* send times of the last `limit` requests */
	int head, count;
};

/* 0, or -1 when out of memory. */
int rl_init(struct ratelimit *r, double rate, double burst, int limit, double window);
void rl_free(struct ratelimit *r);
/* Seconds to wait before a request may be sent at `now` (0: now). */
double rl_wait(const struct ratelimit *r, double now);
/* A request is sent at `now` (rl_wait() said 0). */
void rl_take(struct ratelimit *r, double now);

#endif

/* ratelimit: one limiter for every request of a workspace (ratelimit.h).
 *
 * The Instantly API counts requests per workspace in sliding windows (100 a
 * second and 6,000 a minute, docs/instantly-api.md §7) and answers 429 beyond.
 * A plain token bucket lets through `burst` more than its rate in a window;
 * so the bucket smooths the flow (requests spaced 1/rate apart after a short
 * burst) and a ring of the last `limit` send times makes sure that no window
 * ever holds more than `limit`, as the server counts. */
#include "config.h"

#include <stdlib.h>

#include "ratelimit.h"

int
rl_init(struct ratelimit *r, double rate, double burst, int limit, double window)
{
	r->rate = rate;
	r->burst = burst < 1 ? 1 : burst;
	r->tokens = r->burst;
	r->last = -1;
	r->limit = limit;
	r->window = window;
	r->head = r->count = 0;
	r->ring = NULL;
	if (limit > 0 && !(r->ring = calloc((size_t)limit, sizeof *r->ring)))
		return -1;
	return 0;
}

void
rl_free(struct ratelimit *r)
{
	free(r->ring);
	r->ring = NULL;
}

static double
tokens_at(const struct ratelimit *r, double now)
{
	double t = r->tokens;

	if (r->last >= 0 && now > r->last)
		t += (now - r->last) * r->rate;
	return t > r->burst ? r->burst : t;
}

double
rl_wait(const struct ratelimit *r, double now)
{
	double wait = 0, t = tokens_at(r, now);

	if (t < 1)
		wait = (1 - t) / r->rate;
	if (r->limit > 0 && r->count == r->limit) {
		/* the oldest of the last `limit` sends must leave the window */
		double free_at = r->ring[r->head] + r->window;

		if (free_at - now > wait)
			wait = free_at - now;
	}
	return wait > 0 ? wait : 0;
}

void
rl_take(struct ratelimit *r, double now)
{
	r->tokens = tokens_at(r, now) - 1;
	r->last = now;
	if (r->limit > 0) {
		r->ring[r->head] = now;
		r->head = (r->head + 1) % r->limit;
		if (r->count < r->limit)
			r->count++;
	}
}

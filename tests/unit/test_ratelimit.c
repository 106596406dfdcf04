/* test_ratelimit: the limiter never lets a window hold more than its limit,
 * and runs at its rate. Simulated time: no sleeping. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "ratelimit.h"
#include "tap.h"

/* Send n requests as soon as allowed (plus a random delay up to jitter);
 * return the time of the last one, and the most sends seen in any window of
 * `window` seconds. */
static double
simulate(struct ratelimit *r, int n, double jitter, double window, int *most)
{
	double *t = malloc((size_t)n * sizeof *t), now = 0;
	int i, j = 0;

	*most = 0;
	for (i = 0; i < n; i++) {
		now += rl_wait(r, now);
		rl_take(r, now);
		t[i] = now;
		now += jitter * (rand() / (double)RAND_MAX);
	}
	for (i = 0; i < n; i++) {	/* sends in the window (t[i] - window, t[i]] */
		while (t[j] <= t[i] - window)
			j++;
		if (i - j + 1 > *most)
			*most = i - j + 1;
	}
	now = t[n - 1];
	free(t);
	return now;
}

int
main(void)
{
	struct ratelimit r;
	int most;
	double end;

	srand(7);
	/* 100/s, burst 10, at most 100 in any 1.02 s */
	rl_init(&r, 100, 10, 100, 1.02);
	end = simulate(&r, 5000, 0, 1.0, &most);
	ok(most <= 100, "no second holds more than 100 requests (most %d)", most);
	ok(fabs(end - 5000 / 100.0) < 1.5, "5000 requests at 100/s take %.2f s (rate kept)", end);
	rl_free(&r);

	rl_init(&r, 100, 10, 100, 1.02);
	end = simulate(&r, 3000, 0.004, 1.0, &most);
	ok(most <= 100, "with jitter too (most %d)", most);
	rl_free(&r);

	/* a burst larger than the window limit is still cut by the window */
	rl_init(&r, 1000, 1000, 50, 1.0);
	end = simulate(&r, 500, 0, 1.0, &most);
	ok(most <= 50, "burst 1000 but at most 50 per second (most %d)", most);
	ok(end >= 9.0 - 1e-9, "500 requests at 50 per second take %.2f s", end);
	rl_free(&r);

	/* per minute: 6000 in any 61.2 s window, with 100/s smoothing */
	rl_init(&r, 100, 10, 6000, 61.2);
	end = simulate(&r, 13000, 0, 60.0, &most);
	ok(most <= 6000, "no minute holds more than 6000 (most %d)", most);
	rl_free(&r);

	/* as instantly-extract sets it up: --rate 100 (limit 100 in 1.05 s)
	 * and a fractional --rate 1.5 (limit 2 in 1.4 s) */
	rl_init(&r, 100, 5, 100, 1.05);
	end = simulate(&r, 2000, 0.002, 1.0, &most);
	ok(most <= 100 && end < 2000 / 100.0 * 1.06, "--rate 100: at most 100 a second (%d), 2000 in %.2f s", most, end);
	rl_free(&r);
	rl_init(&r, 1.5, 1, 2, 1.05 * 2 / 1.5);
	end = simulate(&r, 300, 0, 1.0, &most);
	ok(most <= 2 && fabs(end - 300 / 1.5) < 300 / 1.5 * 0.06, "--rate 1.5: at most 2 a second (%d), 300 in %.1f s", most,
	   end);
	rl_free(&r);

	/* no window limit: the bucket alone */
	rl_init(&r, 10, 1, 0, 0);
	ok(rl_wait(&r, 0) == 0, "the first request goes at once");
	rl_take(&r, 0);
	ok(fabs(rl_wait(&r, 0) - 0.1) < 1e-9, "the next one waits 1/rate");
	ok(rl_wait(&r, 0.1) == 0, "and goes after 1/rate");
	rl_free(&r);
	return tap_done();
}

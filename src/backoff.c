// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Exponential backoff with a low cap. The cap is the point: a module freed
 * late in a long wait is noticed within --poll-max, unlike an uncapped
 * doubling schedule that can sleep for seconds after the release.
 */
#include "backoff.h"

void backoff_init(struct backoff *b, uint64_t now, uint64_t timeout, uint64_t max, uint64_t seed)
{
	if (max < BACKOFF_MIN_MAX_USEC)
		max = BACKOFF_MIN_MAX_USEC;
	b->max = max;
	b->interval = BACKOFF_FIRST_USEC < max ? BACKOFF_FIRST_USEC : max;
	if (timeout == BACKOFF_INFINITY || now > BACKOFF_INFINITY - 1 - timeout)
		b->deadline = BACKOFF_INFINITY;
	else
		b->deadline = now + timeout;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

int backoff_expired(const struct backoff *b, uint64_t now)
{
	return b->deadline != BACKOFF_INFINITY && now >= b->deadline;
}

uint64_t backoff_next(struct backoff *b, uint64_t now)
{
	uint64_t sleep, span;

	if (backoff_expired(b, now))
		return 0;
	/* Jitter: a uniform pick in [3/4 interval, interval]. */
	span = b->interval / 4;
	sleep = b->interval - (span ? xorshift(&b->rng) % (span + 1) : 0);
	if (sleep == 0)
		sleep = 1;
	if (b->deadline != BACKOFF_INFINITY && sleep > b->deadline - now)
		sleep = b->deadline - now;

	b->interval *= 2;
	if (b->interval > b->max)
		b->interval = b->max;
	return sleep;
}

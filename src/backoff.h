/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wait schedule: how long to sleep between two looks at a module.
 * Pure: time and randomness come from the caller, so it is unit-tested
 * to the microsecond.
 */
#pragma once

#include <stdint.h>

#define BACKOFF_FIRST_USEC 1000ULL          /* first interval: 1 ms */
#define BACKOFF_DEFAULT_MAX_USEC 10000ULL   /* default --poll-max: 10 ms */
#define BACKOFF_MIN_MAX_USEC 100ULL         /* smallest --poll-max accepted */
#define BACKOFF_INFINITY UINT64_MAX

struct backoff {
	uint64_t interval;   /* the next nominal interval */
	uint64_t max;        /* cap: no sleep is longer */
	uint64_t deadline;   /* absolute, on the caller's monotonic clock; BACKOFF_INFINITY */
	uint64_t rng;        /* xorshift state for jitter */
};

/* now and timeout in microseconds; timeout BACKOFF_INFINITY waits forever. */
void backoff_init(struct backoff *b, uint64_t now, uint64_t timeout, uint64_t max, uint64_t seed);
/*
 * The next sleep, in microseconds: between 3/4 and all of the current
 * interval (jitter spreads concurrent waiters), at most max, never past
 * the deadline and never zero. Returns 0 only when the deadline has passed.
 */
uint64_t backoff_next(struct backoff *b, uint64_t now);
/* Whether the deadline has passed at now. */
int backoff_expired(const struct backoff *b, uint64_t now);

// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the wait schedule. */
#include "unit.h"
#include "backoff.h"

static void test_first_and_growth(void **state)
{
	struct backoff b;
	uint64_t now = 1000000, s;

	backoff_init(&b, now, 10000000, 10000, 42);
	s = backoff_next(&b, now);
	assert_true(s >= 750 && s <= 1000);
	s = backoff_next(&b, now);
	assert_true(s >= 1500 && s <= 2000);
	s = backoff_next(&b, now);
	assert_true(s >= 3000 && s <= 4000);
}

static void test_cap_and_jitter_bounds(void **state)
{
	struct backoff b;
	uint64_t now = 0, s, lo = UINT64_MAX, hi = 0;
	int i;

	backoff_init(&b, now, BACKOFF_INFINITY, 10000, 7);
	for (i = 0; i < 10000; i++) {
		s = backoff_next(&b, now);
		assert_true(s > 0);
		assert_true(s <= 10000);
		now += s;
		if (i > 10) {
			if (s < lo)
				lo = s;
			if (s > hi)
				hi = s;
		}
	}
	/* Once capped, sleeps stay within [3/4 max, max] and really vary. */
	assert_true(lo >= 7500);
	assert_true(hi <= 10000);
	assert_true(hi - lo > 1000);
}

static void test_deadline_exact(void **state)
{
	struct backoff b;
	uint64_t start = 5000000, now = start, s;

	backoff_init(&b, now, 25000, 10000, 1);
	while ((s = backoff_next(&b, now)) > 0) {
		assert_true(now + s <= start + 25000);
		now += s;
	}
	/* The schedule ends exactly at the deadline, not a microsecond after. */
	assert_int_equal(now, start + 25000);
	assert_true(backoff_expired(&b, now));
}

static void test_zero_timeout(void **state)
{
	struct backoff b;

	backoff_init(&b, 100, 0, 10000, 1);
	assert_true(backoff_expired(&b, 100));
	assert_int_equal(backoff_next(&b, 100), 0);
}

static void test_late_caller(void **state)
{
	struct backoff b;

	/* A caller that overslept past the deadline gets 0, not a wrapped huge sleep. */
	backoff_init(&b, 0, 1000, 10000, 1);
	assert_int_equal(backoff_next(&b, 5000), 0);
}

static void test_tiny_cap(void **state)
{
	struct backoff b;
	int i;

	backoff_init(&b, 0, BACKOFF_INFINITY, 1, 3);
	for (i = 0; i < 100; i++) {
		uint64_t s = backoff_next(&b, 0);

		assert_true(s >= 1 && s <= BACKOFF_MIN_MAX_USEC);
	}
}

static void test_infinite_no_overflow(void **state)
{
	struct backoff b;

	backoff_init(&b, UINT64_MAX - 10, 100, 10000, 1);
	assert_true(b.deadline == BACKOFF_INFINITY);
	assert_true(backoff_next(&b, UINT64_MAX - 10) > 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_first_and_growth),
	cmocka_unit_test(test_cap_and_jitter_bounds),
	cmocka_unit_test(test_deadline_exact),
	cmocka_unit_test(test_zero_timeout),
	cmocka_unit_test(test_late_caller),
	cmocka_unit_test(test_tiny_cap),
	cmocka_unit_test(test_infinite_no_overflow),
};
RUN_TESTS(tests)

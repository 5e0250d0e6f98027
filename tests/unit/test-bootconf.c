// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the boot lockdown configuration parser. */
#include "unit.h"
#include "bootconf.h"
#include "log.h"

static void test_directives(void **state)
{
	struct lockdown_conf c = { 0 };

	assert_int_equal(lockdown_conf_parse(&c, "a.conf",
					     "# comment\n"
					     "; also a comment\n"
					     "\n"
					     "preload dummy numdummies=2 name=\"a b\"\n"
					     "preload tun\n"
					     "lock tun dummy\n"
					     "lock-all\n"),
			 0);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.n_preload, 2);
	assert_string_equal(c.preload[0].name, "dummy");
	assert_string_equal(c.preload[0].options, "numdummies=2 name=\"a b\"");
	assert_int_equal(c.preload[0].at.line, 4);
	assert_null(c.preload[1].options);
	assert_int_equal(c.n_lock, 2);
	assert_string_equal(c.lock[1].name, "dummy");
	assert_true(c.lock_all);
	assert_false(c.seal);
	lockdown_conf_free(&c);
}

static void test_seal_implies_lock_all(void **state)
{
	struct lockdown_conf c = { 0 };

	assert_int_equal(lockdown_conf_parse(&c, "b.conf", "seal\n"), 0);
	assert_true(c.seal);
	assert_true(c.lock_all);
	lockdown_conf_free(&c);
}

static void test_errors_counted_with_lines(void **state)
{
	struct lockdown_conf c = { 0 };

	log_set_max_level(-1); /* the messages themselves are checked in the fake tier */
	assert_int_equal(lockdown_conf_parse(&c, "bad.conf",
					     "lock\n"
					     "preload\n"
					     "preload a/b\n"
					     "frobnicate tun\n"
					     "seal now\n"
					     "preload dummy =1 x\n"
					     "preload dummy v=\"open\n"
					     "lock ok_module\n"),
			 0);
	assert_int_equal(c.errors, 8);
	/* The good line still parsed: every error is reported in one run. */
	assert_int_equal(c.n_lock, 1);
	lockdown_conf_free(&c);
	log_set_max_level(LOG_NOTICE);
}

static void test_empty(void **state)
{
	struct lockdown_conf c = { 0 };

	assert_int_equal(lockdown_conf_parse(&c, "e.conf", ""), 0);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.n_preload + c.n_lock, 0);
	lockdown_conf_free(&c);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_directives),
	cmocka_unit_test(test_seal_implies_lock_all),
	cmocka_unit_test(test_errors_counted_with_lines),
	cmocka_unit_test(test_empty),
};
RUN_TESTS(tests)

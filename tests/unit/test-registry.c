// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the lockdown registry's text format. */
#include "unit.h"
#include "lockdown.h"

static void test_parse(void **state)
{
	struct registry reg;
	unsigned line = 0;

	assert_int_equal(registry_parse("# modctl\nmode all\nlock tun\nlock ip6-udp-tunnel\nlock tun\n", &reg, &line), 0);
	assert_true(reg.lock_all);
	assert_int_equal(reg.n, 2);
	assert_true(registry_is_locked(&reg, "tun"));
	assert_true(registry_is_locked(&reg, "ip6_udp_tunnel"));
	assert_false(registry_is_locked(&reg, "loop"));
	registry_free(&reg);
}

static void test_empty(void **state)
{
	struct registry reg;

	assert_int_equal(registry_parse("", &reg, NULL), 0);
	assert_false(reg.lock_all);
	assert_int_equal(reg.n, 0);
	assert_false(registry_is_locked(&reg, "tun"));
	registry_free(&reg);
}

static void test_garbage(void **state)
{
	struct registry reg;
	unsigned line = 0;

	assert_int_equal(registry_parse("lock tun\nlock\n", &reg, &line), -EBADMSG);
	assert_int_equal(line, 2);
	assert_int_equal(registry_parse("lock a/b\n", &reg, &line), -EBADMSG);
	assert_int_equal(registry_parse("lock tun extra\n", &reg, &line), -EBADMSG);
	assert_int_equal(registry_parse("mode some\n", &reg, &line), -EBADMSG);
	assert_int_equal(registry_parse("\x01\x02\x03", &reg, &line), -EBADMSG);
}

static void test_long_line(void **state)
{
	struct registry reg;
	char buf[300];
	unsigned line = 0;

	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(registry_parse(buf, &reg, &line), -EBADMSG);
	assert_int_equal(line, 1);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_empty),
	cmocka_unit_test(test_garbage),
	cmocka_unit_test(test_long_line),
};
RUN_TESTS(tests)

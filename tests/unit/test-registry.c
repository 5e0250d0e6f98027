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

static void test_set_and_format_roundtrip(void **state)
{
	struct registry reg, back;
	char *text, *guard;

	assert_int_equal(registry_parse("", &reg, NULL), 0);
	assert_int_equal(registry_set(&reg, "tun", true), 1);
	assert_int_equal(registry_set(&reg, "tun", true), 0);
	assert_int_equal(registry_set(&reg, "ip6-udp-tunnel", true), 1);
	assert_int_equal(registry_set(&reg, "loop", true), 1);
	assert_int_equal(registry_set(&reg, "loop", false), 1);
	assert_int_equal(registry_set(&reg, "loop", false), 0);
	assert_int_equal(registry_set(&reg, "a/b", true), -EINVAL);
	reg.lock_all = true;

	text = registry_format(&reg);
	assert_non_null(text);
	assert_int_equal(registry_parse(text, &back, NULL), 0);
	assert_true(back.lock_all);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.locks[0], "ip6_udp_tunnel");
	assert_string_equal(back.locks[1], "tun");

	guard = modprobe_guard_format(&reg);
	assert_non_null(guard);
	assert_non_null(strstr(guard, "remove tun echo \"modctl: tun is locked by modctl lockdown"));
	assert_non_null(strstr(guard, "\" >&2; false\n"));
	assert_null(strstr(guard, "remove loop"));
	free(text);
	free(guard);
	registry_free(&reg);
	registry_free(&back);
}

static void test_set_many(void **state)
{
	const char *names[] = { "vxlan", "tun", "udp-tunnel", "tun", "loop" };
	bool added[5];
	struct registry reg;

	assert_int_equal(registry_parse("lock loop\n", &reg, NULL), 0);
	/* tun appears twice among the new names: added once, stored once. */
	assert_int_equal(registry_set_many(&reg, names, 5, added), 3);
	assert_true(added[0]);
	assert_true(added[1]);
	assert_true(added[2]);
	assert_false(added[3]);
	assert_false(added[4]);
	assert_int_equal(reg.n, 4);
	assert_string_equal(reg.locks[0], "loop");
	assert_string_equal(reg.locks[1], "tun");
	assert_string_equal(reg.locks[2], "udp_tunnel");
	assert_string_equal(reg.locks[3], "vxlan");
	assert_true(registry_is_locked(&reg, "udp_tunnel"));
	registry_free(&reg);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_set_many),
	cmocka_unit_test(test_set_and_format_roundtrip),
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_empty),
	cmocka_unit_test(test_garbage),
	cmocka_unit_test(test_long_line),
};
RUN_TESTS(tests)

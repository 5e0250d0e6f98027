// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: module names, integers and durations. */
#include "unit.h"
#include "util.h"

static void test_name_normalize(void **state)
{
	char out[MODULE_NAME_MAX + 1];

	assert_int_equal(module_name_normalize("ip6-udp-tunnel", out), 0);
	assert_string_equal(out, "ip6_udp_tunnel");
	assert_int_equal(module_name_normalize("tun", out), 0);
	assert_string_equal(out, "tun");
	assert_int_equal(module_name_normalize("", out), -EINVAL);
	assert_int_equal(module_name_normalize("../../etc", out), -EINVAL);
	assert_int_equal(module_name_normalize("a/b", out), -EINVAL);
	assert_int_equal(module_name_normalize("tun ", out), -EINVAL);
	assert_int_equal(module_name_normalize("tun\n", out), -EINVAL);
}

static void test_name_length(void **state)
{
	char out[MODULE_NAME_MAX + 1], name[64];

	memset(name, 'a', 55);
	name[55] = '\0';
	assert_int_equal(module_name_normalize(name, out), 0);
	assert_int_equal(strlen(out), 55);
	name[55] = 'a';
	name[56] = '\0';
	assert_int_equal(module_name_normalize(name, out), -ENAMETOOLONG);
}

static void test_name_eq(void **state)
{
	assert_true(module_name_eq("ip6_udp_tunnel", "ip6-udp-tunnel"));
	assert_true(module_name_eq("tun", "tun"));
	assert_false(module_name_eq("tun", "tun2"));
	assert_false(module_name_eq("tun2", "tun"));
	assert_false(module_name_eq("a_b", "a.b"));
}

static void test_parse_long(void **state)
{
	long v = 99;

	assert_int_equal(parse_long("0\n", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_long("-1", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(parse_long("12x", &v), -EINVAL);
	assert_int_equal(parse_long("", &v), -EINVAL);
	assert_int_equal(parse_long(" 1", &v), -EINVAL);
	assert_int_equal(parse_long("99999999999999999999", &v), -ERANGE);
}

static void test_duration(void **state)
{
	uint64_t us = 0;

	assert_int_equal(parse_duration("10s", &us), 0);
	assert_int_equal(us, 10000000);
	assert_int_equal(parse_duration("250ms", &us), 0);
	assert_int_equal(us, 250000);
	assert_int_equal(parse_duration("1.5s", &us), 0);
	assert_int_equal(us, 1500000);
	assert_int_equal(parse_duration("2m", &us), 0);
	assert_int_equal(us, 120000000);
	assert_int_equal(parse_duration("3", &us), 0);
	assert_int_equal(us, 3000000);
	assert_int_equal(parse_duration("0", &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(parse_duration("infinity", &us), 0);
	assert_true(us == DURATION_INFINITY);
	assert_int_equal(parse_duration("-1s", &us), -EINVAL);
	assert_int_equal(parse_duration("10h", &us), -EINVAL);
	assert_int_equal(parse_duration("s", &us), -EINVAL);
	assert_int_equal(parse_duration("", &us), -EINVAL);
	assert_int_equal(parse_duration("nan", &us), -EINVAL);
	assert_int_equal(parse_duration("99999999999999m", &us), -ERANGE);
	assert_int_equal(parse_duration("1e3", &us), -EINVAL);
	assert_int_equal(parse_duration("0x10", &us), -EINVAL);
	assert_int_equal(parse_duration(".", &us), -EINVAL);
	assert_int_equal(parse_duration(" 1s", &us), -EINVAL);
	assert_int_equal(parse_duration("inf", &us), -EINVAL);
	assert_int_equal(parse_duration("1.s", &us), 0);
	assert_int_equal(us, 1000000);
	assert_int_equal(parse_duration(".5s", &us), 0);
	assert_int_equal(us, 500000);
}

static void test_format_duration(void **state)
{
	char buf[32];

	assert_string_equal(format_duration(buf, sizeof(buf), 40000), "40ms");
	assert_string_equal(format_duration(buf, sizeof(buf), 10000000), "10s");
	assert_string_equal(format_duration(buf, sizeof(buf), 1250000), "1.25s");
	assert_string_equal(format_duration(buf, sizeof(buf), DURATION_INFINITY), "infinity");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_name_normalize),
	cmocka_unit_test(test_name_length),
	cmocka_unit_test(test_name_eq),
	cmocka_unit_test(test_parse_long),
	cmocka_unit_test(test_duration),
	cmocka_unit_test(test_format_duration),
};
RUN_TESTS(tests)

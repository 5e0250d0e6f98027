// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: parsing /proc/modules as every kernel configuration prints it. */
#include "unit.h"
#include "sysfs.h"

static void test_plain(void **state)
{
	char line[] = "tun 61440 2 - Live 0xffffffffc0a00000";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(line, &m), 0);
	assert_string_equal(m.name, "tun");
	assert_int_equal(m.size, 61440);
	assert_true(m.has_refcnt);
	assert_int_equal(m.refcnt, 2);
	assert_string_equal(m.holders, "");
	assert_int_equal(m.n_holders, 0);
	assert_int_equal(m.state, MODULE_STATE_LIVE);
	assert_false(m.permanent);
	assert_string_equal(m.taint, "");
}

static void test_holders_and_taint(void **state)
{
	char line[] = "udp_tunnel 32768 2 vxlan,geneve, Live 0x0000000000000000 (OE)";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(line, &m), 0);
	assert_string_equal(m.holders, "vxlan,geneve");
	assert_int_equal(m.n_holders, 2);
	assert_string_equal(m.taint, "OE");
}

static void test_permanent(void **state)
{
	char line[] = "nf_foo 16384 1 [permanent],bar, Live 0x0";
	char only[] = "nf_foo 16384 0 [permanent], Live 0x0";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(line, &m), 0);
	assert_true(m.permanent);
	assert_string_equal(m.holders, "bar");
	assert_int_equal(m.n_holders, 1);

	assert_int_equal(proc_modules_parse_line(only, &m), 0);
	assert_true(m.permanent);
	assert_string_equal(m.holders, "");
	assert_int_equal(m.n_holders, 0);
}

static void test_states(void **state)
{
	char going[] = "dummy 16384 -1 - Unloading 0x0";
	char coming[] = "loop 40960 1 - Loading 0x0 (E)";
	char bad[] = "loop 40960 1 - Dead 0x0";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(going, &m), 0);
	assert_int_equal(m.state, MODULE_STATE_GOING);
	assert_int_equal(m.refcnt, -1);
	assert_int_equal(proc_modules_parse_line(coming, &m), 0);
	assert_int_equal(m.state, MODULE_STATE_COMING);
	assert_string_equal(m.taint, "E");
	assert_int_equal(proc_modules_parse_line(bad, &m), -EINVAL);
}

static void test_no_unload(void **state)
{
	/* Kernels without CONFIG_MODULE_UNLOAD print '-' for refcnt and deps. */
	char line[] = "tun 61440 - - Live 0x0";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(line, &m), 0);
	assert_false(m.has_refcnt);
	assert_int_equal(m.n_holders, 0);
}

static void test_malformed(void **state)
{
	char short_line[] = "tun 61440 0 -";
	char badsize[] = "tun x 0 - Live 0x0";
	char badref[] = "tun 1 zz - Live 0x0";
	char badtaint[] = "tun 1 0 - Live 0x0 OE";
	char longname[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 0 - Live 0x0";
	char empty[] = "";
	struct proc_module m;

	assert_int_equal(proc_modules_parse_line(short_line, &m), -EINVAL);
	assert_int_equal(proc_modules_parse_line(badsize, &m), -EINVAL);
	assert_int_equal(proc_modules_parse_line(badref, &m), -EINVAL);
	assert_int_equal(proc_modules_parse_line(badtaint, &m), -EINVAL);
	assert_int_equal(proc_modules_parse_line(longname, &m), -EINVAL);
	assert_int_equal(proc_modules_parse_line(empty, &m), -EINVAL);
}

static void test_buffer(void **state)
{
	char buf[] = "vxlan 106496 0 - Live 0x0\n"
		     "garbage\n"
		     "\n"
		     "udp_tunnel 32768 1 vxlan, Live 0x0\n"
		     "ip6_udp_tunnel 16384 1 vxlan, Live 0x0";
	struct proc_modules pm = { 0 };

	assert_int_equal(proc_modules_parse(buf, &pm), 0);
	assert_int_equal(pm.n, 3);
	assert_string_equal(pm.mods[2].name, "ip6_udp_tunnel");
	assert_non_null(proc_modules_find(&pm, "ip6-udp-tunnel"));
	assert_null(proc_modules_find(&pm, "tun"));
	free(pm.mods);
}

static void test_empty_buffer(void **state)
{
	char buf[] = "";
	struct proc_modules pm = { 0 };

	assert_int_equal(proc_modules_parse(buf, &pm), 0);
	assert_int_equal(pm.n, 0);
	free(pm.mods);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_plain),
	cmocka_unit_test(test_holders_and_taint),
	cmocka_unit_test(test_permanent),
	cmocka_unit_test(test_states),
	cmocka_unit_test(test_no_unload),
	cmocka_unit_test(test_malformed),
	cmocka_unit_test(test_buffer),
	cmocka_unit_test(test_empty_buffer),
};
RUN_TESTS(tests)

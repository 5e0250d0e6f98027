// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the lockdown registry's text format. */
#include <stdio.h>

#include "unit.h"
#include "guard.h"
#include "registry.h"

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

	guard = modprobe_guard_format(&reg, NULL, "/usr/bin/modctl");
	assert_non_null(guard);
	assert_non_null(strstr(guard, "remove tun echo \"modctl: tun is locked by modctl lockdown"));
	assert_non_null(strstr(guard, "\" >&2; false\n"));
	assert_null(strstr(guard, "remove loop"));
	free(text);
	free(guard);
	registry_free(&reg);
	registry_free(&back);
}

/* pin=FUNC: the function a lock's pin targets; pin=- registry-only by request. */
static void test_pin_parse(void **state)
{
	struct registry reg;
	unsigned line = 0;

	assert_int_equal(registry_parse("lock tun pin=tun_chr_exit\nlock loop pin=-\nlock ip6-udp-tunnel\n"
					"lock vxlan pin=?\n",
					&reg, &line),
			 0);
	assert_int_equal(reg.n, 4);
	assert_string_equal(registry_pin(&reg, "tun"), "tun_chr_exit");
	assert_string_equal(registry_pin(&reg, "loop"), REGISTRY_NO_PIN);
	assert_string_equal(registry_pin(&reg, "vxlan"), "?");
	assert_null(registry_pin(&reg, "ip6_udp_tunnel"));
	assert_null(registry_pin(&reg, "dummy"));
	assert_null(registry_pin(&reg, "a/b"));
	registry_free(&reg);
}

static void test_pin_garbage(void **state)
{
	struct registry reg;
	char buf[200];
	unsigned line = 0;

	assert_int_equal(registry_parse("lock tun pin=\n", &reg, &line), -EBADMSG);
	assert_int_equal(line, 1);
	assert_int_equal(registry_parse("lock tun\nlock loop pinned=x\n", &reg, &line), -EBADMSG);
	assert_int_equal(line, 2);
	assert_int_equal(registry_parse("lock tun pin=a=b\n", &reg, &line), -EBADMSG);
	assert_int_equal(registry_parse("lock tun pin=a#b\n", &reg, &line), -EBADMSG);
	assert_int_equal(registry_parse("lock tun pin=a pin=b\n", &reg, &line), -EBADMSG);
	/* two pins for one module: which one is true cannot be known */
	assert_int_equal(registry_parse("lock tun pin=a\nlock tun pin=b\n", &reg, &line), -EBADMSG);
	assert_int_equal(line, 2);
	/* 127 characters is the longest function a pin records, 128 is too long */
	snprintf(buf, sizeof(buf), "lock tun pin=%0127d\n", 0);
	assert_int_equal(registry_parse(buf, &reg, &line), 0);
	assert_int_equal(strlen(registry_pin(&reg, "tun")), 127);
	registry_free(&reg);
	snprintf(buf, sizeof(buf), "lock tun pin=%0128d\n", 0);
	assert_int_equal(registry_parse(buf, &reg, &line), -EBADMSG);
}

static void test_pin_set_and_format(void **state)
{
	struct registry reg, back;
	char *text;

	assert_int_equal(registry_parse("", &reg, NULL), 0);
	assert_int_equal(registry_set(&reg, "tun", true), 1);
	assert_int_equal(registry_set(&reg, "loop", true), 1);
	assert_int_equal(registry_set(&reg, "snd-dummy", true), 1);
	assert_int_equal(registry_set_pin(&reg, "tun", "tun_cleanup"), 0);
	assert_int_equal(registry_set_pin(&reg, "tun", "tun_chr_exit"), 0);
	assert_int_equal(registry_set_pin(&reg, "loop", REGISTRY_NO_PIN), 0);
	assert_int_equal(registry_set_pin(&reg, "snd-dummy", "snd_dummy_free"), 0);
	assert_int_equal(registry_set_pin(&reg, "tun", "two words"), -EINVAL);
	assert_int_equal(registry_set_pin(&reg, "tun", ""), -EINVAL);
	assert_int_equal(registry_set_pin(&reg, "a/b", "f"), -EINVAL);
	assert_string_equal(registry_pin(&reg, "tun"), "tun_chr_exit");
	assert_string_equal(registry_pin(&reg, "snd_dummy"), "snd_dummy_free");

	text = registry_format(&reg);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nlock tun pin=tun_chr_exit\n"));
	assert_non_null(strstr(text, "\nlock loop pin=-\n"));
	assert_non_null(strstr(text, "\nlock snd_dummy pin=snd_dummy_free\n"));
	assert_int_equal(registry_parse(text, &back, NULL), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(registry_pin(&back, "tun"), "tun_chr_exit");
	assert_string_equal(registry_pin(&back, "loop"), REGISTRY_NO_PIN);
	free(text);
	registry_free(&back);

	/* forgetting the pin keeps the lock; unlocking forgets the pin */
	assert_int_equal(registry_set_pin(&reg, "loop", NULL), 0);
	assert_null(registry_pin(&reg, "loop"));
	assert_true(registry_is_locked(&reg, "loop"));
	assert_int_equal(registry_set(&reg, "tun", false), 1);
	assert_null(registry_pin(&reg, "tun"));
	assert_int_equal(registry_set(&reg, "tun", true), 1);
	assert_null(registry_pin(&reg, "tun"));
	text = registry_format(&reg);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nlock tun\n"));
	assert_non_null(strstr(text, "\nlock loop\n"));
	assert_null(strstr(text, "tun_chr_exit"));
	free(text);
	registry_free(&reg);
}

/* modprobe -r removes unused dependencies without reading their remove
 * lines: a module that needs a locked one must be guarded too. */
static void test_guard_dependents(void **state)
{
	const char *dep = "kernel/net/bridge/bridge.ko.xz: kernel/net/802/stp.ko.xz kernel/net/llc/llc.ko.xz\n"
			  "kernel/net/802/stp.ko.xz: kernel/net/llc/llc.ko.xz\n"
			  "kernel/net/llc/llc.ko.xz:\n"
			  "kernel/drivers/net/vxlan/vxlan.ko: kernel/net/ipv6/ip6_udp_tunnel.ko kernel/net/ipv4/udp_tunnel.ko\n"
			  "kernel/drivers/net/tun.ko.zst:\n"
			  "kernel/drivers/net/macvtap.ko: kernel/drivers/net/tap.ko kernel/drivers/net/macvlan.ko\n"
			  "garbage line without colon\n"
			  "kernel/x/ip6-udp-tunnel-user.ko:kernel/net/ipv6/ip6-udp-tunnel.ko\n"
			  "kernel/drivers/net/tap.ko:";
	struct registry reg;
	char *guard;

	(void)state;
	assert_int_equal(registry_parse("lock llc\nlock ip6_udp_tunnel\nlock tap\nlock macvtap\n", &reg, NULL), 0);
	guard = modprobe_guard_format(&reg, dep, "/usr/bin/modctl");
	assert_non_null(guard);
	/* bridge and stp need llc; vxlan and the dashed one need ip6_udp_tunnel */
	assert_non_null(strstr(guard, "\nremove bridge /usr/bin/modctl unload --timeout 0 --with-deps bridge\n"));
	assert_non_null(strstr(guard, "\nremove stp /usr/bin/modctl unload --timeout 0 --with-deps stp\n"));
	assert_non_null(strstr(guard, "\nremove vxlan /usr/bin/modctl unload --timeout 0 --with-deps vxlan\n"));
	assert_non_null(strstr(guard, "\nremove ip6_udp_tunnel_user /usr/bin/modctl unload"));
	assert_non_null(strstr(guard, "# bridge needs llc, which is locked"));
	/* locked modules keep their refusal, and get no second remove line;
	 * modules needing nothing locked get none */
	assert_non_null(strstr(guard, "\nremove macvtap echo "));
	assert_null(strstr(guard, "remove macvtap /usr"));
	assert_null(strstr(guard, "remove llc /usr"));
	assert_null(strstr(guard, "remove tun"));
	assert_null(strstr(guard, "remove tap /usr"));
	free(guard);

	/* nothing locked: no dependents either */
	registry_free(&reg);
	assert_int_equal(registry_parse("", &reg, NULL), 0);
	guard = modprobe_guard_format(&reg, dep, "/usr/bin/modctl");
	assert_non_null(guard);
	assert_null(strstr(guard, "\nremove "));
	free(guard);
	registry_free(&reg);
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
	cmocka_unit_test(test_guard_dependents),
	cmocka_unit_test(test_set_many),
	cmocka_unit_test(test_set_and_format_roundtrip),
	cmocka_unit_test(test_parse),
	cmocka_unit_test(test_empty),
	cmocka_unit_test(test_garbage),
	cmocka_unit_test(test_long_line),
	cmocka_unit_test(test_pin_parse),
	cmocka_unit_test(test_pin_garbage),
	cmocka_unit_test(test_pin_set_and_format),
};
RUN_TESTS(tests)

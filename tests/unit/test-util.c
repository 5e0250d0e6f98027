// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: module names, integers, durations, and the trust rule for
 * modctl's own files. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "unit.h"
#include "trust.h"
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

static void test_proc_entry_pid(void **state)
{
	(void)state;
	assert_int_equal(proc_entry_pid("1"), 1);
	assert_int_equal(proc_entry_pid("4242"), 4242);
	assert_int_equal(proc_entry_pid("self"), 0);
	assert_int_equal(proc_entry_pid("."), 0);
	assert_int_equal(proc_entry_pid("0"), 0);
	assert_int_equal(proc_entry_pid("12x"), 0);
	assert_int_equal(proc_entry_pid("99999999999"), 0);
	assert_int_equal(proc_entry_pid(""), 0);
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

static void test_untrusted_reason(void **state)
{
	struct stat st = { .st_mode = S_IFREG | 0644, .st_uid = 0 };
	uid_t me = geteuid();
	char buf[128];

	static const struct {
		mode_t mode, want_type;
		const char *reason; /* NULL: trusted */
	} cases[] = {
		{ S_IFREG | 0644, S_IFREG, NULL },
		{ S_IFREG | 0600, S_IFREG, NULL },
		{ S_IFDIR | 0755, S_IFDIR, NULL },
		{ S_IFDIR | 0755, S_IFREG, "it is a directory, not a regular file" },
		{ S_IFLNK | 0777, S_IFREG, "it is a symbolic link, not a regular file" },
		{ S_IFIFO | 0644, S_IFREG, "it is a FIFO, not a regular file" },
		{ S_IFREG | 0664, S_IFREG, "writable by group or others (mode 0664)" },
		{ S_IFDIR | 01777, S_IFDIR, "writable by group or others (mode 1777)" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *r;

		st.st_mode = cases[i].mode;
		r = untrusted_reason(&st, cases[i].want_type, buf, sizeof(buf));
		if (cases[i].reason)
			assert_string_equal(r, cases[i].reason);
		else
			assert_null(r);
	}
	/* The type is named first, then the owner, then the mode. */
	st.st_mode = S_IFREG | 0666;
	st.st_uid = me == 0 ? 65534 : 0;
	if (me == 0) {
		assert_string_equal(untrusted_reason(&st, S_IFREG, buf, sizeof(buf)), "owned by uid 65534, not root");
	} else {
		/* root's files stay trusted for any user; the user's own too */
		assert_non_null(untrusted_reason(&st, S_IFREG, buf, sizeof(buf)));
		st.st_mode = S_IFREG | 0644;
		assert_null(untrusted_reason(&st, S_IFREG, buf, sizeof(buf)));
		st.st_uid = me;
		assert_null(untrusted_reason(&st, S_IFREG, buf, sizeof(buf)));
	}
}

static void test_read_fd_full(void **state)
{
	char *buf = NULL, data[40000];
	size_t len = 0;
	int fd;

	memset(data, 'x', sizeof(data));
	fd = memfd_create("read_fd_full", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	/* exactly max bytes: read, NUL-terminated */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_fd_full(fd, sizeof(data), &buf, &len), 0);
	assert_int_equal(len, sizeof(data));
	assert_int_equal(buf[len], '\0');
	assert_memory_equal(buf, data, sizeof(data));
	free(buf);
	/* one byte more than max: refused */
	buf = NULL;
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_fd_full(fd, sizeof(data) - 1, &buf, &len), -EFBIG);
	assert_null(buf);
	/* empty */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_fd_full(fd, 10, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	close(fd);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_name_normalize),
	cmocka_unit_test(test_name_length),
	cmocka_unit_test(test_name_eq),
	cmocka_unit_test(test_parse_long),
	cmocka_unit_test(test_proc_entry_pid),
	cmocka_unit_test(test_duration),
	cmocka_unit_test(test_format_duration),
	cmocka_unit_test(test_untrusted_reason),
	cmocka_unit_test(test_read_fd_full),
};
RUN_TESTS(tests)

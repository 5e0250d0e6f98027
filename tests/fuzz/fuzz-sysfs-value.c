// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Values read from sysfs attributes: read_small_file() (through a memfd, so
 * the real reader runs) and parse_long() with the refcnt rule of
 * sysfs_module_refcnt() (a number >= -1), plus the initstate words.
 * parse_long() is compared with a reference parser written from its
 * contract: optional sign, decimal digits, one optional newline, nothing
 * else; -ERANGE past a long.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "log.h"
#include "sysfs.h"
#include "util.h"

static int reference_parse_long(const char *s, long *out)
{
	bool neg = false, overflow = false;
	unsigned long long v = 0;
	const char *p = s;

	if (*p == '\0' || strchr(" \t\n\v\f\r", *p))
		return -EINVAL;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned long long d = (unsigned long long)(*p - '0');

		if (overflow || v > ((unsigned long long)LONG_MAX + 1 - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (overflow || (!neg && v > (unsigned long long)LONG_MAX))
		return -ERANGE;
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	*out = neg ? (v == (unsigned long long)LONG_MAX + 1 ? LONG_MIN : -(long)v) : (long)v;
	return 0;
}

static void check_parse_long(const char *s)
{
	long a = 12345, b = 12345;
	int r = parse_long(s, &a), rr = reference_parse_long(s, &b);

	fuzz_check(r == rr, "parse_long('%s') = %d, expected %d", s, r, rr);
	if (r == 0)
		fuzz_check(a == b, "parse_long('%s') gives %ld, expected %ld", s, a, b);
	else
		fuzz_check(a == 12345, "parse_long('%s') failed but wrote %ld", s, a);
}

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 2, 32, 128 };
	char *s = fuzz_strdup(data, size), path[64], buf[128];
	size_t i;

	log_set_max_level(-1);
	check_parse_long(s);
	(void)module_state_from_initstate(s);

	/* The same bytes as the content of an attribute file. */
	if (memfd < 0) {
		memfd = memfd_create("fuzz-sysfs-value", MFD_CLOEXEC);
		fuzz_check(memfd >= 0, "memfd_create: %s", strerror(errno));
	}
	fuzz_check(ftruncate(memfd, 0) == 0, "ftruncate");
	fuzz_check(pwrite(memfd, data, size, 0) == (ssize_t)size, "pwrite");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], len, want;
		char *exact = malloc(n); /* exactly the size the caller claims */
		long v;
		int r;

		if (!exact)
			abort();
		r = read_small_file(path, exact, n);
		fuzz_check(r == 0, "read_small_file(size %zu) = %d", n, r);
		len = strlen(exact);
		fuzz_check(len < n, "%zu bytes in a %zu-byte buffer", len, n);
		/* What it returns is the start of the file, blanks trimmed. */
		want = size < n - 1 ? size : n - 1;
		fuzz_check(len <= want && memcmp(exact, data, len) == 0, "not the file's start");
		/* Trimming works on the bytes read; sysfs has no NUL bytes. */
		if (!memchr(data, '\0', want))
			fuzz_check(len == 0 || (exact[len - 1] != '\n' && exact[len - 1] != ' '),
				   "trailing blank kept");
		memcpy(buf, exact, len + 1);
		free(exact);

		/* sysfs_module_refcnt()'s rule on what was read. */
		check_parse_long(buf);
		if (parse_long(buf, &v) == 0 && v >= -1) {
			char back[32];

			snprintf(back, sizeof(back), "%ld", v);
			fuzz_check(parse_long(back, &v) == 0, "'%s' does not parse back", back);
		}
	}
	free(s);
	return 0;
}

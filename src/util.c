// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the commands; everything here is unit-tested. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "macro.h"
#include "util.h"

static bool module_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

int module_name_normalize(const char *in, char out[MODULE_NAME_MAX + 1])
{
	size_t i;

	if (!in || !*in)
		return -EINVAL;
	for (i = 0; in[i]; i++) {
		if (i >= MODULE_NAME_MAX)
			return -ENAMETOOLONG;
		if (!module_name_char(in[i]))
			return -EINVAL;
		out[i] = in[i] == '-' ? '_' : in[i];
	}
	out[i] = '\0';
	return 0;
}

const char *module_name_error(int err)
{
	if (err == -ENAMETOOLONG)
		return "module names are at most 55 characters long";
	return "module names consist of letters, digits, '_' and '-'";
}

bool module_name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a;
		char y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t *usec)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 }, { "", 1e6 },
	};
	char *end;
	double v;
	size_t i, digits;

	if (!s || !*s)
		return -EINVAL;
	if (streq(s, "infinity")) {
		*usec = DURATION_INFINITY;
		return 0;
	}
	/* Plain decimal only: strtod alone would also take "0x10", "1e3",
	 * "inf" and leading blanks, which the documentation does not promise. */
	digits = strspn(s, "0123456789");
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	if (digits == 0 || (digits == 1 && *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end != s + digits || !isfinite(v) || v < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (streq(end, units[i].suffix)) {
			double us = v * units[i].mult;

			/* Anything past ~292,000 years is as good as forever, but say so
			 * explicitly instead of wrapping around. */
			if (us >= 9.2e18)
				return -ERANGE;
			*usec = (uint64_t)llround(us);
			return 0;
		}
	}
	return -EINVAL;
}

const char *format_duration(char *buf, size_t size, uint64_t usec)
{
	if (usec == DURATION_INFINITY)
		snprintf(buf, size, "infinity");
	else if (usec < 1000000 && usec % 1000 == 0)
		snprintf(buf, size, "%" PRIu64 "ms", usec / 1000);
	else if (usec < 1000000)
		snprintf(buf, size, "%.1fms", usec / 1e3);
	else if (usec % 1000000 == 0)
		snprintf(buf, size, "%" PRIu64 "s", usec / 1000000);
	else
		snprintf(buf, size, "%.2fs", usec / 1e6);
	return buf;
}

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

int read_fd_full(int fd, size_t max, char **buf, size_t *len)
{
	size_t size = 0, used = 0;
	char *b = NULL;

	for (;;) {
		ssize_t n;

		/* Room for at least one byte past max, so that a file larger
		 * than max is seen as such, and for the NUL. */
		if (size - used < 2) {
			size_t nsize = size ? size * 2 : 16384;
			char *nb;

			if (nsize > max + 2)
				nsize = max + 2;
			nb = realloc(b, nsize);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			size = nsize;
		}
		n = read(fd, b + used, size - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			free(b);
			return -EFBIG;
		}
	}
	b[used] = '\0';
	*buf = b;
	if (len)
		*len = used;
	return 0;
}

int read_full_file(const char *path, char **buf, size_t *len)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* Anything the kernel lists fits easily: 5,000 modules are ~400 KiB. */
	return read_fd_full(fd, (size_t)1 << 30, buf, len);
}

int running_kernel_file(char *buf, size_t size, const char *before, const char *after)
{
	struct utsname u;
	int n;

	if (uname(&u) < 0)
		return -errno;
	n = snprintf(buf, size, "%s%s%s", before, u.release, after);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int read_small_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	size_t used = 0;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (used < size - 1) {
		ssize_t n = read(fd, buf + used, size - 1 - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == ' '))
		buf[--used] = '\0';
	return 0;
}

const char *modctl_getenv(const char *name)
{
#ifdef HAVE_SECURE_GETENV
	return secure_getenv(name);
#else
	/* Without secure_getenv(), honour nothing in a privileged process. */
	if (getuid() != geteuid() || getgid() != getegid())
		return NULL;
	return getenv(name);
#endif
}

void json_put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

pid_t proc_entry_pid(const char *name)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)name[0]))
		return 0;
	errno = 0;
	v = strtol(name, &end, 10);
	if (*end || v > INT_MAX || errno)
		return 0;
	return (pid_t)v;
}

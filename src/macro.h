/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small macros shared by every file of modctl. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return streq(a, b);
}

/*
 * Define NAMEp(), the cleanup function for _cleanup_(NAMEp) that calls
 * NAME on a pointer unless it is NULL (the libraries' unref functions).
 * Each library's wrapper header defines its own: kmodctx.h for libkmod,
 * udev.h for libudev, output.h for libsmartcols.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses): type is a type, not an expression. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p)      \
	{                                        \
		if (*p)                          \
			func(*p);                \
	}
/* NOLINTEND(bugprone-macro-parentheses) */

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

/* Remember the first error of a batch in which every item is attempted:
 * *first is 0 until err is the first negative errno. */
static inline void errno_keep_first(int *first, int err)
{
	if (*first == 0 && err < 0)
		*first = err;
}

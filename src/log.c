// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The logger. Everything modctl says goes to stderr prefixed "modctl: ",
 * so that a script's captured stderr reads as one voice; libkmod's messages
 * are routed here too, at their own level.
 */
#include <stdarg.h>
#include <stdio.h>

#include <libkmod.h>

#include "log.h"

/* Default: errors, warnings and notices; -v adds info, -vv debug; -q errors only. */
static int max_level = LOG_NOTICE;
static void (*progress_clear)(void);

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

void log_adjust(int verbose, int quiet)
{
	int level = LOG_NOTICE + verbose - quiet;

	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	max_level = level;
}

void log_set_progress_hook(void (*clear)(void))
{
	progress_clear = clear;
}

void log_clear_progress(void)
{
	if (progress_clear)
		progress_clear();
}

static void log_va(int level, const char *fmt, va_list ap)
{
	const char *tag = "";

	if (level > max_level)
		return;
	log_clear_progress();
	if (level == LOG_WARNING)
		tag = "warning: ";
	else if (level == LOG_DEBUG)
		tag = "debug: ";
	fputs("modctl: ", stderr);
	fputs(tag, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_full(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, fmt, ap);
	va_end(ap);
}

int log_full_errno(int level, int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (err < 0)
		err = -err;
	errno = err; /* so %m in fmt names this error */
	va_start(ap, fmt);
	log_va(level, fmt, ap);
	va_end(ap);
	errno = saved;
	return -err;
}

static void kmod_log_fn(void *data, int priority, const char *file, int line,
			const char *fn, const char *format, va_list args)
{
	char buf[1024];
	size_t n;

	/* libkmod logs failures that modctl reports itself in better words;
	 * keep its voice one level quieter than ours. */
	if (priority < LOG_DEBUG)
		priority++;
	if (priority > max_level)
		return;
	vsnprintf(buf, sizeof(buf), format, args);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_full(priority, "libkmod: %s", buf);
}

void log_attach_kmod(struct kmod_ctx *ctx)
{
	kmod_set_log_fn(ctx, kmod_log_fn, NULL);
	/* libkmod filters by its own priority before calling us. */
	kmod_set_log_priority(ctx, max_level);
}

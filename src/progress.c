// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The progress line: one line redrawn in place on a terminal stderr while
 * modctl waits. The logger clears it before every message (through the
 * hook this file installs), so log lines never land in the middle of it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "macro.h"
#include "progress.h"

static int progress_tty = -1;
static bool progress_drawn;
static char progress_line[256];

static void progress_clear_hook(void)
{
	progress_clear();
}

void progress_show(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (progress_tty < 0) {
		progress_tty = isatty(STDERR_FILENO);
		log_set_progress_hook(progress_clear_hook);
	}
	/* -q asks for errors only: no progress either. */
	if (!progress_tty || log_get_max_level() < LOG_NOTICE)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Callers report every poll (up to a few hundred a second); the
	 * terminal only hears about a change (elapsed time moves in tenths). */
	if (progress_drawn && streq(line, progress_line))
		return;
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	memcpy(progress_line, line, sizeof(line));
	progress_drawn = true;
}

void progress_clear(void)
{
	if (!progress_drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_drawn = false;
}

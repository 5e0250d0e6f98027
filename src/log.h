/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one logger: messages to stderr as "modctl: ...", filtered by -v/-q. */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Levels follow syslog numbering: LOG_ERR < LOG_WARNING < LOG_NOTICE < LOG_INFO < LOG_DEBUG. */
void log_set_max_level(int level);
int log_get_max_level(void);
void log_adjust(int verbose, int quiet);

void log_full(int level, const char *fmt, ...) _printf_(2, 3);
/* Logs and returns -abs(err), so callers can `return log_error_errno(r, ...)`. */
int log_full_errno(int level, int err, const char *fmt, ...) _printf_(3, 4);

/* Progress lines drawn in place on a terminal share stderr with the log. */
void log_clear_progress(void);
void log_set_progress_hook(void (*clear)(void));

#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)

struct kmod_ctx;
/* Route libkmod's own messages through this logger. */
void log_attach_kmod(struct kmod_ctx *ctx);

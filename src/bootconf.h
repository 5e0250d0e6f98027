/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot lockdown configuration: the .conf files of lockdown.d in /etc/modctl,
 * /run/modctl and /usr/lib/modctl, with systemd's drop-in rules.
 *
 *   preload NAME [PARAM=VALUE...]   load NAME (with parameters)
 *   lock NAME...                    lock these modules
 *   lock-all                        lock every loaded module, and lockdown-all mode
 *   seal                            kernel.modules_disabled=1 at the end (implies lock-all)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define LOCKDOWN_CONF_DIRS_INIT { SYSCONFDIR "/modctl/lockdown.d", RUNSTATEDIR "/modctl/lockdown.d", \
				  PREFIX_LIBDIR "/modctl/lockdown.d", NULL }

struct conf_where {
	char *file;
	unsigned line;
};

struct conf_preload {
	char *name;
	char *options;   /* modprobe-quoted PARAM=VALUE words, or NULL */
	struct conf_where at;
};

struct conf_lock {
	char *name;
	struct conf_where at;
};

struct lockdown_conf {
	struct conf_preload *preload;
	size_t n_preload;
	struct conf_lock *lock;
	size_t n_lock;
	bool lock_all;
	bool seal;
	bool no_pin;      /* registry-only locks: no kernel-enforced pins */
	unsigned errors;  /* syntax errors reported while parsing */
};

/*
 * Parse one file's text, appending to conf. Errors are reported as
 * "FILE:LINE: message" and counted in conf->errors; parsing goes on so
 * that every error is shown at once.
 */
int lockdown_conf_parse(struct lockdown_conf *conf, const char *file, const char *text);
/* Find the effective files in dirs (NULL-terminated, highest priority first),
 * in name order, and parse them. */
int lockdown_conf_load(struct lockdown_conf *conf, const char *const *dirs);
void lockdown_conf_free(struct lockdown_conf *conf);

struct kmod_ctx;
/* Check a configuration against the system before anything is applied:
 * every preload must be a module libkmod finds, every lock a module that
 * is loaded or preloaded. Each problem is said; returns how many. */
unsigned lockdown_conf_validate(struct kmod_ctx *ctx, const struct lockdown_conf *conf);

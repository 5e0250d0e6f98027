/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading modules as modprobe does, with errors in words. */
#pragma once

#include <stdbool.h>

#include <libkmod.h>

/* How long a load that finds the module being loaded by another process
 * (EBUSY) waits for that load to end, and the longest pause between looks. */
#define LOAD_RACE_TIMEOUT_USEC 5000000ULL
#define LOAD_RACE_POLL_MAX_USEC 2000ULL

struct load_item {
	const char *arg;      /* name, alias or path as given */
	char *options;        /* PARAM=VALUE words joined, modprobe-quoted; may be NULL */
};

struct load_opts {
	bool dry_run;
	bool no_deps;
	bool ignore_install;
	/* Called with every module that is live after the load: the named
	 * module and each dependency the load touched; inserted says this run
	 * inserted it (so a uevent for it will come). */
	void (*on_loaded)(const char *name, bool inserted, void *data);
	void *data;
	/* Where to store the signal that ended a wait (load_one returned
	 * -EINTR); may be NULL. */
	int *signo;
};

/* Whether a word is PARAM=VALUE: a parameter name (letters, digits, '_',
 * '-', '.') before the first '='. Anything else is a module or a path. */
bool load_arg_is_param(const char *arg);
/* Whether a MODULE word is a path to a module file rather than a name. */
bool load_arg_is_path(const char *arg);
/* Append a PARAM=VALUE word to an option string, quoting blanks as modprobe
 * does. -EINVAL for a value with a double quote other than around it all. */
int load_add_option(char **opts, const char *word);
/*
 * Load one item with its dependencies, saying what goes wrong. Every
 * module the item names is attempted; returns 0 or the first failure:
 * -ENOENT no such module or file, -EINVAL a path that is no module file,
 * -EPERM or -EACCES not permitted, -EKEYREJECTED or -ENOEXEC refused by
 * the kernel, -EINTR a signal ended the wait for a racing load of the
 * same module (see load_opts.signo), another -errno for any other failure (-ECANCELED:
 * blacklisted; -EIO: an install command or a lookup failed).
 */
int load_one(struct kmod_ctx *ctx, const struct load_item *it, const struct load_opts *o);

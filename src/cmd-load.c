// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl load: load modules with their dependencies, as modprobe does,
 * through libkmod's probe API with one context for the whole run. A word
 * with '=' is a parameter of the module named before it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>

#include "kmodctx.h"
#include "load.h"
#include "lockops.h"
#include "registry-txn.h"
#include "registry.h"
#include "log.h"
#include "cmd-load.h"
#include "udev.h"
#include "uevent.h"
#include "util.h"

/* --settle without a value, as --help says: 30s. */
#define LOAD_SETTLE_DEFAULT_USEC 30000000ULL

enum {
	OPT_NO_DEPS = 0x100,
	OPT_IGNORE_INSTALL,
	OPT_LOCKDOWN,
	OPT_SETTLE,
};

/* What a run loaded. */
struct loaded {
	char **loaded;        /* modules to lock afterwards */
	size_t n_loaded;
	char **inserted;      /* modules this run inserted: --settle waits for their events */
	size_t n_inserted;
};

static const struct argp_option load_options[] = {
	{ "dry-run", 'n', NULL, 0, "print what would be loaded, in order, with options, and do nothing", 0 },
	{ "no-deps", OPT_NO_DEPS, NULL, 0, "load only the named modules, not their dependencies", 0 },
	{ "ignore-install", OPT_IGNORE_INSTALL, NULL, 0, "do not run install commands from modprobe.d", 0 },
	{ "lockdown", OPT_LOCKDOWN, NULL, 0, "lock each module loaded (see modctl lockdown)", 0 },
	{ "settle", OPT_SETTLE, "T", OPTION_ARG_OPTIONAL,
	  "then wait until udev has processed the events, at most T (default 30s)", 0 },
	{ 0 }
};

static error_t load_parse(int key, char *arg, struct argp_state *state)
{
	struct load_args *a = state->input;
	int r;

	switch (key) {
	case 'n':
		a->o.dry_run = true;
		break;
	case OPT_NO_DEPS:
		a->o.no_deps = true;
		break;
	case OPT_IGNORE_INSTALL:
		a->o.ignore_install = true;
		break;
	case OPT_LOCKDOWN:
		a->lockdown = true;
		break;
	case OPT_SETTLE:
		a->settle = LOAD_SETTLE_DEFAULT_USEC;
		if (arg && (parse_duration(arg, &a->settle) < 0 || a->settle == 0)) {
			argp_error(state, "invalid duration '%s' for --settle (use e.g. 500ms, 10s, 1m or infinity)",
				   arg);
			return EINVAL;
		}
		break;
	case ARGP_KEY_ARG:
		if (load_arg_is_param(arg)) {
			if (a->n_items == 0) {
				argp_error(state, "parameter '%s' comes before any module", arg);
				return EINVAL;
			}
			r = load_add_option(&a->items[a->n_items - 1].options, arg);
			if (r == -EINVAL) {
				argp_error(state, "parameter '%s': a double quote may only enclose the whole value", arg);
				return EINVAL;
			}
			if (r < 0) {
				argp_failure(state, EXIT_FAIL, ENOMEM, "out of memory");
				return ENOMEM;
			}
			break;
		}
		if (!*arg || strpbrk(arg, " \t\n") || strlen(arg) > 4096) {
			argp_error(state, "invalid module name '%s'", arg);
			return EINVAL;
		}
		a->items[a->n_items++] = (struct load_item){ .arg = arg };
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no module given");
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child load_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp load_argp = {
	.options = load_options,
	.parser = load_parse,
	.args_doc = "MODULE [PARAM=VALUE...] [MODULE [PARAM=VALUE...]]...",
	.doc = "Load modules with their dependencies.\v"
	       "MODULE is a module name, an alias (char-major-10-200) or a path to a .ko file "
	       "(loaded alone, like insmod). Options from modprobe.d and the kernel command line "
	       "apply as with modprobe; PARAM=VALUE words are added for the module they follow. "
	       "An already loaded or built-in module is success. Every module is attempted; the "
	       "exit status is that of the first failure: 3 not found, 6 not permitted by the "
	       "kernel, 7 rejected by the kernel.",
	.children = load_children,
};

/* Add name to a list unless it is there (in either spelling). */
static void remember(char ***list, size_t *n, const char *name)
{
	char **nl;
	size_t i;

	for (i = 0; i < *n; i++)
		if (module_name_eq((*list)[i], name))
			return;
	nl = realloc(*list, (*n + 2) * sizeof(char *));
	if (!nl)
		return;
	*list = nl;
	nl[*n] = strdup(name);
	if (nl[*n])
		(*n)++;
}

static void remember_loaded(const char *name, bool inserted, void *data)
{
	struct loaded *a = data;

	remember(&a->loaded, &a->n_loaded, name);
	if (inserted)
		remember(&a->inserted, &a->n_inserted, name);
}

/* Lock what was loaded: asked with --lockdown, or lockdown-all mode is on. */
static enum exit_code lock_loaded(const struct loaded *a)
{
	struct registry_txn txn = REGISTRY_TXN_INIT;
	struct lockpin lp = { 0 };
	bool changed = false;
	enum exit_code code = EXIT_OK;
	size_t i;

	if (a->n_loaded == 0)
		return EXIT_OK;
	if (registry_begin(&txn) < 0 || lockpin_init(&lp, false, false) < 0) {
		registry_end(&txn);
		log_error("the modules were loaded but could not be locked");
		return EXIT_FAIL;
	}
	/* A module is pinned as soon as it is live, which it is once loaded. */
	for (i = 0; i < a->n_loaded; i++)
		if (lock_set(&txn, &lp, a->loaded[i], true, &changed) < 0)
			code = EXIT_FAIL;
	if (changed && registry_commit(&txn) < 0)
		code = EXIT_FAIL;
	if (code)
		log_error("the modules were loaded but could not be locked");
	lockpin_done(&lp);
	registry_end(&txn);
	return code;
}

static enum exit_code load_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct load_args *a = inv->args;

	/* Every word may be a module. */
	a->items = calloc((size_t)argc + 1, sizeof(*a->items));
	if (!a->items)
		return EXIT_FAIL;
	return command_parse(inv, &load_argp, argc, argv, a);
}

static void load_done(struct invocation *inv)
{
	struct load_args *a = inv->args;
	size_t i;

	for (i = 0; i < a->n_items; i++)
		free(a->items[i].options);
	free(a->items);
}

static enum exit_code load_run(struct invocation *inv)
{
	struct load_args *a = inv->args;
	struct loaded done = { 0 };
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	struct uevent_mon mon = { 0 };
	bool mon_open = false;
	enum exit_code code = EXIT_OK;
	int signo = 0, r;
	size_t i;

	if (!a->lockdown && !a->o.dry_run) {
		struct registry reg;

		/* In lockdown-all mode every module modctl loads is locked. */
		if (registry_load(&reg) < 0) {
			code = EXIT_FAIL;
			goto out;
		}
		a->lockdown = reg.lock_all;
		registry_free(&reg);
	}
	if (a->lockdown || a->settle) {
		a->o.on_loaded = remember_loaded;
		a->o.data = &done;
	}
	/* Listen before loading, so that no event of the load is missed. */
	if (a->settle && !a->o.dry_run && uevent_open(&mon, true) == 0)
		mon_open = true;
	if (kmodctx_new(&ctx, 1) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	a->o.signo = &signo;
	for (i = 0; i < a->n_items; i++) {
		r = load_one(ctx, &a->items[i], &a->o);
		if (r == -EINTR) {
			code = exit_code_from_signal(signo);
			goto out;
		}
		exit_keep_first(&code, exit_code_from_errno(r));
	}
	if (a->lockdown && a->o.dry_run) {
		for (i = 0; i < a->n_items; i++)
			printf("lock %s\n", a->items[i].arg);
	} else if (a->lockdown) {
		exit_keep_first(&code, lock_loaded(&done));
	}
	if (a->settle && !a->o.dry_run) {
		char dur[32];

		r = mon_open ? udev_settle_modules(&mon, done.inserted, done.n_inserted, a->settle, &signo)
			     : udev_settle(a->settle, &signo);
		if (r == -ETIMEDOUT)
			log_error("udev has not finished processing the events after %s",
				  format_duration(dur, sizeof(dur), a->settle));
		if (r == -EINTR)
			code = exit_code_from_signal(signo);
		else
			exit_keep_first(&code, exit_code_from_errno(r));
	}
out:
	if (mon_open)
		uevent_close(&mon);
	for (i = 0; i < done.n_loaded; i++)
		free(done.loaded[i]);
	free(done.loaded);
	for (i = 0; i < done.n_inserted; i++)
		free(done.inserted[i]);
	free(done.inserted);
	return code;
}

const struct command cmd_load = {
	.name = "load",
	.summary = "load modules with their dependencies",
	.args_size = sizeof(struct load_args),
	.parse = load_parse_args,
	.run = load_run,
	.done = load_done,
};

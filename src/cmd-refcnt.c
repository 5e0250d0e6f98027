// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl refcnt: the reference count from sysfs, for scripts. One module
 * prints just the number; several print "NAME COUNT" lines. A module that
 * is going prints "going", never -1.
 */
#include <stdio.h>

#include "log.h"
#include "cmd-refcnt.h"
#include "sysfs.h"

static error_t refcnt_parse(int key, char *arg, struct argp_state *state)
{
	struct refcnt_args *a = state->input;

	return parse_module_words(key, state, &a->modules, true);
}

static const struct argp_child refcnt_children[] = {
	{ &common_argp, 0, NULL, 0 },
	{ 0 }
};

static const struct argp refcnt_argp = {
	.parser = refcnt_parse,
	.args_doc = "MODULE...",
	.doc = "Print the reference count of loaded modules.\v"
	       "With one module, prints only the count; with several, NAME COUNT per line. "
	       "A module being unloaded prints 'going'. Exit status 3 when a module is not loaded, "
	       "1 when it is built in or the kernel keeps no count for it.",
	.children = refcnt_children,
};

/* Explain why a module has no count; returns the exit code. */
static enum exit_code refcnt_error(const char *name, int r)
{
	enum module_presence presence;

	switch (r) {
	case -ENOENT:
		if (module_is_builtin(name)) {
			log_error("module %s is built into the kernel: it has no reference count", name);
			return EXIT_FAIL;
		}
		log_error("module %s is not loaded", name);
		return EXIT_NOTFOUND;
	case -ENODATA:
		r = sysfs_module_presence(name, &presence);
		if (r < 0) {
			log_error_errno(r, "cannot tell whether %s is loaded: %m", name);
			return exit_code_from_errno(r);
		}
		switch (presence) {
		case MODULE_BUILTIN:
			log_error("module %s is built into the kernel: it has no reference count", name);
			return EXIT_FAIL;
		case MODULE_COMING:
			log_error("module %s is still loading: its reference count is not available yet", name);
			return EXIT_FAIL;
		case MODULE_ABSENT:
			log_error("module %s is not loaded", name);
			return EXIT_NOTFOUND;
		default:
			log_error("module %s has no refcnt file: the kernel was built without "
				  "module unloading support (CONFIG_MODULE_UNLOAD)", name);
			return EXIT_FAIL;
		}
	case -EBADMSG:
		log_error("cannot make sense of " SYS_MODULE "/%s/refcnt", name);
		break;
	default:
		log_error_errno(r, "cannot read " SYS_MODULE "/%s/refcnt: %m", name);
		break;
	}
	return exit_code_from_errno(r);
}

static enum exit_code refcnt_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct refcnt_args *a = inv->args;

	return command_parse_modules(inv, &refcnt_argp, argc, argv, a, &a->modules);
}

static enum exit_code refcnt_run(struct invocation *inv)
{
	const struct refcnt_args *a = inv->args;
	const struct module_words *mods = &a->modules;
	enum exit_code code = EXIT_OK;
	int r, i;

	for (i = 0; i < mods->n; i++) {
		char norm[MODULE_NAME_MAX + 1], count[32];
		long v;

		module_name_normalize(mods->v[i], norm);
		r = sysfs_module_refcnt(norm, &v);
		if (r < 0) {
			exit_keep_first(&code, refcnt_error(norm, r));
			continue;
		}
		if (v < 0)
			snprintf(count, sizeof(count), "going");
		else
			snprintf(count, sizeof(count), "%ld", v);
		if (mods->n == 1)
			printf("%s\n", count);
		else
			printf("%s %s\n", norm, count);
	}
	return code;
}

const struct command cmd_refcnt = {
	.name = "refcnt",
	.summary = "print the reference count of modules",
	.args_size = sizeof(struct refcnt_args),
	.parse = refcnt_parse_args,
	.run = refcnt_run,
};

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl list: a table of loaded modules. The default columns come from one
 * read of /proc/modules plus the lockdown registry; sysfs and libkmod are
 * consulted only for columns that need them.
 */
#include <stdio.h>

#include "kmodctx.h"
#include "log.h"
#include "cmd-list.h"
#include "modtable.h"

static error_t list_parse(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->out;
		break;
	default:
		return parse_module_words(key, state, &a->modules, false);
	}
	return 0;
}

static const struct argp_child list_children[] = {
	{ &output_argp, 0, "Output:", 1 },
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp list_argp = {
	.parser = list_parse,
	.args_doc = "[MODULE...]",
	.doc = "Show loaded modules as a table.\v"
	       "Default columns: " MODULE_COLUMNS_DEFAULT ", or those in $MODCTL_COLUMNS. "
	       "'modctl list -H' lists every column.",
	.children = list_children,
};

/* The columns (-o, $MODCTL_COLUMNS) are chosen here: a bad one is a usage error. */
static enum exit_code list_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct list_args *a = inv->args;
	enum exit_code r;

	r = command_parse(inv, &list_argp, argc, argv, a);
	if (r || inv->exit || a->out.list_columns)
		return r;
	r = check_module_words(argv[0], &a->modules);
	if (r)
		return r;
	if (output_init(&a->table, module_columns, _COL_MAX, &a->out, "MODCTL_COLUMNS",
			MODULE_COLUMNS_DEFAULT, "modules") < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void list_done(struct invocation *inv)
{
	struct list_args *a = inv->args;

	output_free(&a->table);
}

static enum exit_code list_run(struct invocation *inv)
{
	struct list_args *a = inv->args;
	struct output *out = &a->table;
	struct proc_modules pm = { 0 };
	struct lock_state ls = { 0 };
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	enum exit_code code = EXIT_OK;
	int r, i;
	unsigned need;
	size_t m;
	bool *found = NULL;

	if (a->out.list_columns)
		return output_print_columns(module_columns, _COL_MAX, &a->out) < 0 ? EXIT_FAIL : EXIT_OK;

	need = module_columns_needs(out);

	r = proc_modules_read(&pm);
	if (r == -ENOENT) {
		log_error(PROC_MODULES " does not exist: this kernel was built without loadable module support");
		code = EXIT_FAIL;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "cannot read " PROC_MODULES ": %m");
		code = EXIT_FAIL;
		goto out;
	}
	/* An untrusted registry is reported; the table still shows, LOCK empty. */
	if ((need & NEED_REGISTRY) && lock_state_load(&ls) < 0)
		code = EXIT_FAIL;
	if (need & NEED_KMOD && kmodctx_new(&ctx, 0) < 0) {
		code = EXIT_FAIL;
		goto out;
	}

	found = calloc((size_t)a->modules.n + 1, sizeof(bool));
	if (!found) {
		code = EXIT_FAIL;
		goto out;
	}
	for (m = 0; m < pm.n; m++) {
		struct module_facts f;

		if (a->modules.n) {
			bool wanted = false;

			for (i = 0; i < a->modules.n; i++) {
				if (module_name_eq(a->modules.v[i], pm.mods[m].name)) {
					found[i] = wanted = true;
				}
			}
			if (!wanted)
				continue;
		}
		r = module_facts_gather(&f, &pm.mods[m], pm.mods[m].name, need, ctx,
					need & NEED_REGISTRY ? &ls : NULL);
		if (r == 0)
			r = module_facts_add_row(out, &f, a->out.json);
		module_facts_free(&f);
		if (r < 0) {
			log_error_errno(r, "cannot build the table: %m");
			code = EXIT_FAIL;
			goto out;
		}
	}
	for (i = 0; i < a->modules.n; i++) {
		if (!found[i]) {
			log_error("module %s is not loaded", a->modules.v[i]);
			exit_keep_first(&code, EXIT_NOTFOUND);
		}
	}
	/* An empty table still prints its heading (or an empty JSON array). */
	if (output_print(out) < 0)
		exit_keep_first(&code, EXIT_FAIL);
out:
	free(found);
	lock_state_free(&ls);
	proc_modules_free(&pm);
	return code;
}

const struct command cmd_list = {
	.name = "list",
	.summary = "show loaded modules as a table",
	.args_size = sizeof(struct list_args),
	.parse = list_parse_args,
	.run = list_run,
	.done = list_done,
};

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The whole command line through modctl_parse(): the global options, the
 * command table and every command's argp parser, with their checks of
 * module names, PARAM=VALUE words, durations, --for and column lists.
 * modctl_parse() runs nothing and never exits, so it can run in-process.
 *
 * The input is argv after "modctl": words separated by NUL bytes (an empty
 * input is no word at all). A first word MODCTL_COLUMNS=LIST sets that
 * variable for the call. What the parse prints goes to memory, not to the
 * terminal.
 *
 * Invariants: the result is "run the command", help/usage/version printed
 * (exit 0, something on stdout) or a usage error (exit 2, something on
 * stderr); a command about to run has options that obey its rules (valid
 * module names, durations in range, --seal only with --all, ...); a second
 * parse of the same words gives the same result and the same output.
 */
#include "backoff.h"
#include "fuzz.h"
#include "log.h"
#include "cmd-list.h"
#include "cmd-load.h"
#include "cmd-lockdown.h"
#include "cmd-monitor.h"
#include "cmd-refcnt.h"
#include "cmd-status.h"
#include "cmd-unload.h"
#include "cmd-wait.h"
#include "modtable.h"
#include "util.h"

#define MAX_WORDS 64

struct outcome {
	int code;
	char *desc;           /* the parsed invocation, as text */
	char *out, *err;      /* what the parse printed */
	size_t out_len, err_len;
};

static void check_duration(const char *what, uint64_t v)
{
	fuzz_check(v == DURATION_INFINITY || v < (uint64_t)9.2e18, "%s = %llu", what, (unsigned long long)v);
}

static void check_modules(FILE *f, const struct module_words *m, bool required, bool normalised)
{
	int i;

	fuzz_check(m->n >= 0 && (!required || m->n > 0), "%d modules", m->n);
	for (i = 0; i < m->n; i++) {
		char norm[MODULE_NAME_MAX + 1];

		fuzz_check(module_name_normalize(m->v[i], norm) == 0, "module '%s' accepted", m->v[i]);
		fuzz_check(!normalised || streq(norm, m->v[i]), "'%s' is not normalised", m->v[i]);
		fprintf(f, " module=%s", m->v[i]);
	}
}

/* Check the options of a command that would run, and describe them. */
static void check_invocation(FILE *f, const struct invocation *inv)
{
	const struct command *c = inv->cmd;
	size_t i;

	fuzz_check(c, "no command");
	fuzz_check(strncmp(inv->name, "modctl ", 7) == 0 && streq(inv->name + 7, c->name), "name '%s'", inv->name);
	fprintf(f, "%s v=%d q=%d", c->name, inv->verbose, inv->quiet);
	if (c == &cmd_list) {
		const struct list_args *a = inv->args;

		fprintf(f, " H=%d J=%d r=%d n=%d", a->out.list_columns, a->out.json, a->out.raw, a->out.noheadings);
		if (!a->out.list_columns) {
			fuzz_check(a->table.tb, "no table");
			fuzz_check(a->table.nsel >= 1 && a->table.nsel <= ARRAY_SIZE(a->table.sel), "%zu columns",
				   a->table.nsel);
			for (i = 0; i < a->table.nsel; i++) {
				fuzz_check(a->table.sel[i] < _COL_MAX, "column %zu", a->table.sel[i]);
				fprintf(f, " col=%s", module_columns[a->table.sel[i]].name);
			}
			/* -H lists the columns and ignores any MODULE word. */
			check_modules(f, &a->modules, false, false);
		}
	} else if (c == &cmd_status) {
		const struct status_args *a = inv->args;

		fprintf(f, " J=%d", a->json);
		check_modules(f, &a->modules, false, false);
	} else if (c == &cmd_refcnt) {
		const struct refcnt_args *a = inv->args;

		check_modules(f, &a->modules, true, false);
	} else if (c == &cmd_load) {
		const struct load_args *a = inv->args;

		fuzz_check(a->n_items > 0, "no module to load");
		check_duration("--settle", a->settle);
		fprintf(f, " n=%d no-deps=%d ignore-install=%d lockdown=%d settle=%llu", a->o.dry_run, a->o.no_deps,
			a->o.ignore_install, a->lockdown, (unsigned long long)a->settle);
		for (i = 0; i < a->n_items; i++) {
			const char *arg = a->items[i].arg;

			fuzz_check(*arg && !strpbrk(arg, " \t\n") && strlen(arg) <= 4096, "module word '%s'", arg);
			fuzz_check(!load_arg_is_param(arg), "'%s' is a parameter", arg);
			fprintf(f, " item=%s options=%s", arg, a->items[i].options ? a->items[i].options : "-");
		}
	} else if (c == &cmd_unload) {
		const struct unload_args *a = inv->args;

		check_duration("--timeout", a->timeout);
		fuzz_check(a->poll_max >= BACKOFF_MIN_MAX_USEC && a->poll_max != DURATION_INFINITY,
			   "--poll-max %llu", (unsigned long long)a->poll_max);
		fprintf(f, " t=%llu poll-max=%llu with-deps=%d n=%d f=%d kernel-force=%d",
			(unsigned long long)a->timeout, (unsigned long long)a->poll_max, a->with_deps, a->dry_run,
			a->force, a->kernel_force);
		check_modules(f, &a->modules, true, false);
	} else if (c == &cmd_lockdown || c == &cmd_unlock) {
		const struct lock_args *a = inv->args;

		check_duration("--timeout", a->timeout);
		fuzz_check(!a->seal || a->all, "--seal without --all");
		fuzz_check(!a->boot || (!a->all && a->modules.n == 0), "--boot with modules");
		fuzz_check(a->boot || a->all || a->modules.n > 0, "nothing to lock");
		fuzz_check(c == &cmd_lockdown || (!a->seal && !a->boot), "unlock --seal or --boot");
		fprintf(f, " a=%d seal=%d boot=%d n=%d t=%llu", a->all, a->seal, a->boot, a->dry_run,
			(unsigned long long)a->timeout);
		check_modules(f, &a->modules, false, false);
	} else if (c == &cmd_wait) {
		const struct wait_args *a = inv->args;

		fuzz_check(a->what <= FOR_UNUSED, "--for %d", (int)a->what);
		check_duration("--timeout", a->timeout);
		fuzz_check(a->poll_max >= BACKOFF_MIN_MAX_USEC && a->poll_max != DURATION_INFINITY,
			   "--poll-max %llu", (unsigned long long)a->poll_max);
		fprintf(f, " for=%d t=%llu poll-max=%llu", (int)a->what, (unsigned long long)a->timeout,
			(unsigned long long)a->poll_max);
		check_modules(f, &a->modules, true, true);
	} else if (c == &cmd_monitor) {
		const struct monitor_args *a = inv->args;

		fprintf(f, " J=%d", a->json);
	} else {
		fuzz_check(false, "unknown command %s", c->name);
	}
}

static struct outcome parse_once(char **words, size_t n)
{
	struct outcome o = { 0 };
	struct invocation inv = { 0 };
	char *copy[MAX_WORDS + 1], *argv[MAX_WORDS + 2];
	FILE *saved_out = stdout, *saved_err = stderr, *desc;
	size_t desc_len, i;

	/* Fresh copies, since parsing writes to them (wait normalises), and
	 * an argv of its own: the command's name replaces a word in it. */
	copy[0] = strdup("modctl");
	for (i = 0; i < n; i++)
		copy[i + 1] = strdup(words[i]);
	for (i = 0; i <= n; i++) {
		if (!copy[i])
			abort();
		argv[i] = copy[i];
	}
	argv[n + 1] = NULL;

	/* argp, getopt and the usage messages write to stdout and stderr. */
	stdout = open_memstream(&o.out, &o.out_len);
	stderr = open_memstream(&o.err, &o.err_len);
	desc = open_memstream(&o.desc, &desc_len);
	if (!stdout || !stderr || !desc)
		abort();
	o.code = modctl_parse(&inv, (int)n + 1, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = saved_out;
	stderr = saved_err;

	fprintf(desc, "code=%d exit=%d", o.code, inv.exit);
	if (o.code == EXIT_OK && !inv.exit)
		check_invocation(desc, &inv);
	fclose(desc);
	invocation_done(&inv);
	for (i = 0; i <= n; i++)
		free(copy[i]);

	fuzz_check(o.code == EXIT_OK || o.code == EXIT_USAGE, "exit code %d", o.code);
	if (inv.exit)
		fuzz_check(o.code == EXIT_OK && o.out_len > 0, "help or version printed nothing (code %d)", o.code);
	if (o.code == EXIT_USAGE)
		fuzz_check(o.err_len > 0, "a usage error without a message");
	return o;
}

static void outcome_free(struct outcome *o)
{
	free(o->desc);
	free(o->out);
	free(o->err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *w[MAX_WORDS];
	size_t n = 0, skip = 0;
	struct outcome a, b;

	log_set_max_level(-1);
	if (size > 0)
		n = fuzz_split(data, size, w, MAX_WORDS);
	/* The variable comes from the input only, never from the caller. */
	if (n > 0 && strncmp(w[0], "MODCTL_COLUMNS=", 15) == 0) {
		setenv("MODCTL_COLUMNS", w[0] + 15, 1);
		skip = 1;
	} else {
		unsetenv("MODCTL_COLUMNS");
	}

	a = parse_once(w + skip, n - skip);
	b = parse_once(w + skip, n - skip);
	fuzz_check(streq(a.desc, b.desc), "two parses differ:\n  %s\n  %s", a.desc, b.desc);
	fuzz_check(a.out_len == b.out_len && memcmp(a.out, b.out, a.out_len) == 0, "stdout differs");
	fuzz_check(a.err_len == b.err_len && memcmp(a.err, b.err, a.err_len) == 0, "stderr differs");
	outcome_free(&a);
	outcome_free(&b);

	unsetenv("MODCTL_COLUMNS");
	fuzz_words_free(w, n);
	return 0;
}

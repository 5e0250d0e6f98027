// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The dispatcher: modctl_parse() reads the global options, finds the
 * command and has it parse the rest of the command line. Nothing runs and
 * nothing exits here: argp runs with ARGP_NO_EXIT, every parser returns
 * after reporting an error, and --help, --usage and --version only set
 * inv->exit. main() (src/main.c) then runs the command.
 */
#include <argp.h>
#include <stdarg.h>
#include <stdio.h>

#include "command.h"
#include "log.h"
#include "pin.h"
#include "util.h"

#define COMMAND_ENTRY(name) &cmd_##name,
static const struct command *const commands[] = { COMMAND_TABLE(COMMAND_ENTRY) };
#undef COMMAND_ENTRY

enum {
	OPT_USAGE = 0x100,
};

/* The invocation being parsed, for common_parse(): argp gives a child
 * parser no way to reach it. Set and cleared by each parse. */
static struct invocation *parsing;

/* The version, then the optional features built in: +NAME or -NAME. */
static void print_version(FILE *f, struct argp_state *state)
{
	fprintf(f, "%s %s\n%cbpf\n", PACKAGE_NAME, PACKAGE_VERSION, pin_built() ? '+' : '-');
}

/* No argp_program_bug_address: the project's documentation is its README. */
void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;

static const struct argp_option common_options[] = {
	{ "help", 'h', NULL, 0, "show this help and exit", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "show a short usage message and exit", -1 },
	{ "verbose", 'v', NULL, 0, "say more (repeat for debug messages)", -1 },
	{ "quiet", 'q', NULL, 0, "say only errors", -1 },
	{ 0 }
};

/* Help, usage or version was printed: stop parsing here, as a success. */
static error_t parse_stop(struct invocation *inv)
{
	inv->exit = true;
	return ECANCELED;
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'h':
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
		return parse_stop(parsing);
	case OPT_USAGE:
		argp_state_help(state, state->out_stream, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		return parse_stop(parsing);
	case 'v':
		parsing->verbose++;
		break;
	case 'q':
		parsing->quiet++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp common_argp = {
	.options = common_options,
	.parser = common_parse,
};

/* An exit code for what argp_parse() returned. */
static enum exit_code parse_result(const struct invocation *inv, error_t r)
{
	if (inv->exit || r == 0)
		return EXIT_OK;
	return r == ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}

enum exit_code command_parse(struct invocation *inv, const struct argp *argp, int argc, char *argv[], void *input)
{
	error_t r;

	parsing = inv;
	r = argp_parse(argp, argc, argv, ARGP_NO_HELP | ARGP_NO_EXIT, NULL, input);
	parsing = NULL;
	return parse_result(inv, r);
}

enum exit_code usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

enum exit_code parse_module_arg(const char *cmd, const char *arg, char *out)
{
	int r = module_name_normalize(arg, out);

	if (r < 0)
		return usage_error(cmd, "invalid module name '%s': %s", arg, module_name_error(r));
	return EXIT_OK;
}

error_t parse_module_words(int key, struct argp_state *state, struct module_words *w, bool required)
{
	switch (key) {
	case ARGP_KEY_ARGS:
		w->v = &state->argv[state->next];
		w->n = state->argc - state->next;
		return 0;
	case ARGP_KEY_NO_ARGS:
		if (required) {
			argp_error(state, "no module given");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

enum exit_code check_module_words(const char *cmd, const struct module_words *w)
{
	char norm[MODULE_NAME_MAX + 1];
	enum exit_code r;
	int i;

	for (i = 0; i < w->n; i++) {
		r = parse_module_arg(cmd, w->v[i], norm);
		if (r)
			return r;
	}
	return EXIT_OK;
}

enum exit_code command_parse_modules(struct invocation *inv, const struct argp *argp, int argc, char *argv[],
				     void *input, const struct module_words *w)
{
	enum exit_code r = command_parse(inv, argp, argc, argv, input);

	if (r || inv->exit)
		return r;
	return check_module_words(argv[0], w);
}

error_t parse_duration_arg(struct argp_state *state, const char *arg, uint64_t *v)
{
	if (parse_duration(arg, v) < 0) {
		argp_error(state, "invalid duration '%s' (use e.g. 500ms, 10s, 1m or infinity)", arg);
		return EINVAL;
	}
	return 0;
}

/* --- the root parser ----------------------------------------------------- */

struct root_args {
	struct invocation *inv;
	int cmd_argc;
	char **cmd_argv;
};

static const struct argp_option root_options[] = {
	{ "version", 'V', NULL, 0, "show the version and exit", -1 },
	{ 0 }
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void list_commands(FILE *f)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

static error_t root_parse(int key, char *arg, struct argp_state *state)
{
	struct root_args *a = state->input;

	switch (key) {
	case 'V':
		print_version(state->out_stream, state);
		return parse_stop(a->inv);
	case ARGP_KEY_ARG:
		a->inv->cmd = find_command(arg);
		if (!a->inv->cmd) {
			fprintf(state->err_stream, "modctl: unknown command '%s'; the commands are:\n", arg);
			list_commands(state->err_stream);
			return EINVAL;
		}
		/* The command parses everything from its name on. */
		a->cmd_argc = state->argc - state->next + 1;
		a->cmd_argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no command given");
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char *root_help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Commands:\n", f);
	list_commands(f);
	fputs("\nRun 'modctl COMMAND --help' for the options of a command.\n"
	      "Exit status: 0 success, 1 failure, 2 usage error, 3 module not found,\n"
	      "4 busy or timed out, 5 refused by lockdown, 6 not permitted by the kernel,\n"
	      "7 rejected by the kernel, 130/143 interrupted. See modctl(8).", f);
	fclose(f);
	return buf;
}

static const struct argp_child root_children[] = {
	{ &common_argp, 0, NULL, 0 },
	{ 0 }
};

static const struct argp root_argp = {
	.options = root_options,
	.parser = root_parse,
	.args_doc = "COMMAND [OPTION...] [ARG...]",
	.doc = "Load, lock down and unload Linux kernel modules.\v-",
	.children = root_children,
	.help_filter = root_help_filter,
};

enum exit_code modctl_parse(struct invocation *inv, int argc, char *argv[])
{
	struct root_args a = { .inv = inv };
	error_t r;

	parsing = inv;
	r = argp_parse(&root_argp, argc, argv, ARGP_IN_ORDER | ARGP_NO_HELP | ARGP_NO_EXIT, NULL, &a);
	parsing = NULL;
	if (r != 0 || inv->exit)
		return parse_result(inv, r);

	snprintf(inv->name, sizeof(inv->name), "modctl %s", inv->cmd->name);
	a.cmd_argv[0] = inv->name;
	inv->args = calloc(1, inv->cmd->args_size);
	if (!inv->args) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	return inv->cmd->parse(inv, a.cmd_argc, a.cmd_argv);
}

enum exit_code modctl_run(struct invocation *inv)
{
	log_adjust(inv->verbose, inv->quiet);
	return inv->cmd->run(inv);
}

void invocation_done(struct invocation *inv)
{
	if (inv->args && inv->cmd->done)
		inv->cmd->done(inv);
	free(inv->args);
	inv->args = NULL;
}

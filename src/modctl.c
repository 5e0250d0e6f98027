// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl: load, lock down and unload Linux kernel modules.
 * main() parses the global options, finds the command and hands it the rest
 * of the command line; the command's exit code is final, except that a
 * failed write to standard output turns success into failure.
 */
#include <argp.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "modctl.h"
#include "util.h"

static const struct command *const commands[] = {
	&cmd_list,
	&cmd_status,
	&cmd_refcnt,
	&cmd_load,
	&cmd_unload,
	&cmd_lockdown,
	&cmd_unlock,
	&cmd_wait,
	&cmd_monitor,
};

enum {
	OPT_USAGE = 0x100,
};

static int verbose, quiet;

static void print_version(FILE *f, struct argp_state *state)
{
	fprintf(f, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;
const char *argp_program_bug_address = PACKAGE_BUGREPORT;

static const struct argp_option common_options[] = {
	{ "help", 'h', NULL, 0, "show this help and exit", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "show a short usage message and exit", -1 },
	{ "verbose", 'v', NULL, 0, "say more (repeat for debug messages)", -1 },
	{ "quiet", 'q', NULL, 0, "say only errors", -1 },
	{ 0 }
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	case 'v':
		verbose++;
		log_adjust(verbose, quiet);
		break;
	case 'q':
		quiet++;
		log_adjust(verbose, quiet);
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

int command_parse(const struct argp *argp, int argc, char *argv[], void *input)
{
	/* argp exits by itself on --help and on errors (with EXIT_USAGE). */
	return argp_parse(argp, argc, argv, ARGP_NO_HELP, NULL, input) == 0 ? 0 : EXIT_USAGE;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

int parse_module_arg(const char *cmd, const char *arg, char *out)
{
	int r = module_name_normalize(arg, out);

	if (r < 0)
		return usage_error(cmd, "invalid module name '%s': %s", arg, module_name_error(r));
	return 0;
}

error_t parse_module_words(int key, struct argp_state *state, char ***words, int *n, bool required)
{
	switch (key) {
	case ARGP_KEY_ARGS:
		*words = &state->argv[state->next];
		*n = state->argc - state->next;
		return 0;
	case ARGP_KEY_NO_ARGS:
		if (required)
			argp_error(state, "no module given");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int check_module_words(const char *cmd, char **words, int n)
{
	char norm[MODULE_NAME_MAX + 1];
	int i, r;

	for (i = 0; i < n; i++) {
		r = parse_module_arg(cmd, words[i], norm);
		if (r)
			return r;
	}
	return 0;
}

uint64_t parse_duration_arg(struct argp_state *state, const char *arg)
{
	uint64_t v = 0;

	if (parse_duration(arg, &v) < 0)
		argp_error(state, "invalid duration '%s' (use e.g. 500ms, 10s, 1m or infinity)", arg);
	return v;
}

/* --- the root parser ----------------------------------------------------- */

struct root_args {
	const struct command *cmd;
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
		print_version(stdout, state);
		exit(EXIT_OK);
	case ARGP_KEY_ARG:
		a->cmd = find_command(arg);
		if (!a->cmd) {
			fprintf(stderr, "modctl: unknown command '%s'; the commands are:\n", arg);
			list_commands(stderr);
			exit(EXIT_USAGE);
		}
		/* The command parses everything from its name on. */
		a->cmd_argc = state->argc - state->next + 1;
		a->cmd_argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no command given");
		break;
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

int main(int argc, char *argv[])
{
	struct root_args a = { 0 };
	char name[64];
	int code;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&root_argp, argc, argv, ARGP_IN_ORDER | ARGP_NO_HELP, NULL, &a) != 0)
		return EXIT_USAGE;

	snprintf(name, sizeof(name), "modctl %s", a.cmd->name);
	a.cmd_argv[0] = name;
	code = a.cmd->run(a.cmd_argc, a.cmd_argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("write error on standard output: %m");
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	return code;
}

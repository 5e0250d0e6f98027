/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a command is, the table of commands, and what their parsers share.
 * Each command lives in its own cmd-NAME.c: its argp parser, its argument
 * structure (in cmd-NAME.h when a test looks at it) and its run function.
 */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitcode.h"
#include "macro.h"
#include "modctl.h"

struct command {
	const char *name;
	const char *summary;
	/* The size of the command's argument structure: modctl_parse()
	 * allocates it zeroed in inv->args before calling parse. */
	size_t args_size;
	/* argv[0] is "modctl NAME". Fills the command's options in inv; returns
	 * EXIT_OK, or an exit code (EXIT_USAGE) after reporting the error.
	 * Prints help and sets inv->exit for --help and --usage. Never exits
	 * and never touches the system. */
	enum exit_code (*parse)(struct invocation *inv, int argc, char *argv[]);
	enum exit_code (*run)(struct invocation *inv);
	/* Frees what parse allocated inside inv->args (which is freed after);
	 * NULL when there is nothing. */
	void (*done)(struct invocation *inv);
};

/*
 * The command table: one line per command, in the order --help lists
 * them; NAME is defined as cmd_NAME in cmd-NAME.c (lockdown and unlock
 * share cmd-lockdown.c).
 */
#define COMMAND_TABLE(X) \
	X(list)          \
	X(status)        \
	X(refcnt)        \
	X(load)          \
	X(unload)        \
	X(lockdown)      \
	X(unlock)        \
	X(wait)          \
	X(monitor)

#define COMMAND_DECLARE(name) extern const struct command cmd_##name;
COMMAND_TABLE(COMMAND_DECLARE)
#undef COMMAND_DECLARE

/* MODULE... words: pointers into argv, checked by the parse step. */
struct module_words {
	char **v;
	int n;
};

/* --- for the commands' parsers ------------------------------------------- */

/* Options every command accepts: -h/--help, --usage, -v, -q. Add as an argp child. */
extern const struct argp common_argp;

/*
 * Parse a command's arguments with argp into input. Returns EXIT_OK, also
 * after --help or --usage (inv->exit set), EXIT_USAGE after a reported
 * error, EXIT_FAIL when out of memory. An argp parser reports an error with
 * argp_error() and then returns EINVAL (ENOMEM after argp_failure()).
 */
enum exit_code command_parse(struct invocation *inv, const struct argp *argp, int argc, char *argv[], void *input);

/* Report a usage error with the one-line hint; returns EXIT_USAGE. */
enum exit_code usage_error(const char *cmd, const char *fmt, ...) _printf_(2, 3);

/* Normalise a module name given on the command line, or report a usage error. */
enum exit_code parse_module_arg(const char *cmd, const char *arg, char *out);

/*
 * For argp parsers of commands taking MODULE... words: handles
 * ARGP_KEY_ARGS (stores the words) and, when required, ARGP_KEY_NO_ARGS
 * (a usage error, EINVAL). Returns ARGP_ERR_UNKNOWN for any other key.
 */
error_t parse_module_words(int key, struct argp_state *state, struct module_words *w, bool required);
/* Check every MODULE word; EXIT_OK, or EXIT_USAGE after reporting the first bad one. */
enum exit_code check_module_words(const char *cmd, const struct module_words *w);
/* command_parse(), then check_module_words() on the words it stored in *w
 * (unless help or usage was printed). */
enum exit_code command_parse_modules(struct invocation *inv, const struct argp *argp, int argc, char *argv[],
				     void *input, const struct module_words *w);
/* The value of a duration option into *v; EINVAL after reporting a bad one. */
error_t parse_duration_arg(struct argp_state *state, const char *arg, uint64_t *v);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command table and what every command shares. */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "exitcode.h"
#include "macro.h"

struct command {
	const char *name;
	const char *summary;
	/* argv[0] is "modctl NAME"; returns an exit code from exitcode.h. */
	int (*run)(int argc, char *argv[]);
};

extern const struct command cmd_list;
extern const struct command cmd_status;
extern const struct command cmd_refcnt;
extern const struct command cmd_load;
extern const struct command cmd_unload;
extern const struct command cmd_lockdown;
extern const struct command cmd_unlock;
extern const struct command cmd_wait;
extern const struct command cmd_monitor;

/* Options every command accepts: -h/--help, --usage, -v, -q. Add as an argp child. */
extern const struct argp common_argp;

/* Parse a command's arguments; argp errors exit with EXIT_USAGE. */
int command_parse(const struct argp *argp, int argc, char *argv[], void *input);

/* Report a usage error with the one-line hint; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) _printf_(2, 3);

/* Normalise a module name given on the command line, or report a usage error. */
int parse_module_arg(const char *cmd, const char *arg, char *out);

/*
 * For argp parsers of commands taking MODULE... words: handles
 * ARGP_KEY_ARGS (stores the words) and, when required, ARGP_KEY_NO_ARGS
 * (a usage error). Returns ARGP_ERR_UNKNOWN for any other key.
 */
error_t parse_module_words(int key, struct argp_state *state, char ***words, int *n, bool required);
/* Check every MODULE word; 0, or EXIT_USAGE after reporting the first bad one. */
int check_module_words(const char *cmd, char **words, int n);
/* The value of a duration option; a bad one ends argp with a usage error. */
uint64_t parse_duration_arg(struct argp_state *state, const char *arg);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole command line, for main() and the tests: a command line is
 * parsed whole before anything runs. modctl_parse() fills a struct
 * invocation (the global options, the command and that command's own
 * argument structure), and only then does modctl_run() run the command.
 * The commands themselves are written against command.h.
 */
#pragma once

#include <stdbool.h>

#include "exitcode.h"

struct command;

struct invocation {
	const struct command *cmd;    /* NULL until the command is known */
	char name[64];                /* "modctl NAME", the command's argv[0] */
	bool exit;                    /* help, usage or version was printed: run nothing */
	int verbose, quiet;           /* -v and -q, before and after the command */
	void *args;                   /* the command's own arguments (struct NAME_args) */
};

/*
 * Parse a whole command line into inv, which must be zeroed. Runs nothing
 * and never exits. Returns EXIT_OK (run inv->cmd, unless inv->exit says
 * help, usage or version was printed), EXIT_USAGE after printing the error
 * and a hint to stderr, or EXIT_FAIL when out of memory. Help goes to
 * stdout. Call invocation_done() in every case.
 */
enum exit_code modctl_parse(struct invocation *inv, int argc, char *argv[]);
/* Run the parsed command with the verbosity of -v and -q. */
enum exit_code modctl_run(struct invocation *inv);
void invocation_done(struct invocation *inv);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command table and what every command shares. A command line is parsed
 * whole before anything runs: modctl_parse() fills a struct invocation (the
 * global options, the command and that command's options), and only then
 * does main() call the command's run().
 */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "exitcode.h"
#include "load.h"
#include "macro.h"
#include "output.h"

struct invocation;

struct command {
	const char *name;
	const char *summary;
	/* argv[0] is "modctl NAME". Fills the command's options in inv; returns
	 * EXIT_OK, or an exit code (EXIT_USAGE) after reporting the error.
	 * Prints help and sets inv->exit for --help and --usage. Never exits
	 * and never touches the system. */
	enum exit_code (*parse)(struct invocation *inv, int argc, char *argv[]);
	enum exit_code (*run)(struct invocation *inv);
	/* Frees what parse allocated; NULL when there is nothing. */
	void (*done)(struct invocation *inv);
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

/* --- each command's options ---------------------------------------------- */

/* MODULE... words: pointers into argv, checked by the parse step. */
struct module_words {
	char **v;
	int n;
};

struct list_args {
	struct output_options out;
	struct output table;          /* the columns, chosen while parsing */
	struct module_words modules;
};

struct status_args {
	bool json;
	struct module_words modules;
};

struct refcnt_args {
	struct module_words modules;
};

struct load_args {
	struct load_opts o;
	bool lockdown;
	uint64_t settle;              /* 0: do not wait for udev */
	struct load_item *items;      /* argc entries at most */
	size_t n_items;
};

struct unload_args {
	uint64_t timeout;
	uint64_t poll_max;
	bool with_deps;
	bool dry_run;
	bool force;
	bool kernel_force;
	struct module_words modules;
};

/* lockdown and unlock */
struct lock_args {
	bool all;
	bool seal;
	bool boot;
	bool dry_run;
	uint64_t timeout;
	struct module_words modules;
};

enum wait_for {
	FOR_LOADED,
	FOR_UNLOADED,
	FOR_UNUSED,
};

struct wait_args {
	enum wait_for what;
	uint64_t timeout;
	uint64_t poll_max;
	struct module_words modules;  /* normalised in place */
};

struct monitor_args {
	bool json;
};

/* --- the whole command line ---------------------------------------------- */

struct invocation {
	const struct command *cmd;    /* NULL until the command is known */
	char name[64];                /* "modctl NAME", the command's argv[0] */
	bool exit;                    /* help, usage or version was printed: run nothing */
	int verbose, quiet;           /* -v and -q, before and after the command */
	union {
		struct list_args list;
		struct status_args status;
		struct refcnt_args refcnt;
		struct load_args load;
		struct unload_args unload;
		struct lock_args lock;
		struct wait_args wait;
		struct monitor_args monitor;
	};
};

/*
 * Parse a whole command line into inv, which must be zeroed. Runs nothing
 * and never exits. Returns EXIT_OK (run inv->cmd, unless inv->exit says
 * help, usage or version was printed), EXIT_USAGE after printing the error
 * and a hint to stderr, or EXIT_FAIL when out of memory. Help goes to
 * stdout. Call invocation_done() in every case.
 */
enum exit_code modctl_parse(struct invocation *inv, int argc, char *argv[]);
void invocation_done(struct invocation *inv);

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
/* The value of a duration option into *v; EINVAL after reporting a bad one. */
error_t parse_duration_arg(struct argp_state *state, const char *arg, uint64_t *v);

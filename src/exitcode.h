/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modctl's exit status, decided here and nowhere else. Lower layers return
 * -errno; a command turns the errno of a failed operation into one of these
 * codes with the function for that operation, and keeps the first failure.
 */
#pragma once

enum modctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* failure not covered below */
	EXIT_USAGE = 2,     /* bad option, argument, duration or name */
	EXIT_NOTFOUND = 3,  /* not on disk (load); not loaded (unload, refcnt, status) */
	EXIT_BUSY = 4,      /* still in use when the timeout expired; wait timed out */
	EXIT_LOCKED = 5,    /* refused by modctl lockdown */
	EXIT_NOTPERM = 6,   /* not permitted by the kernel */
	EXIT_REJECTED = 7,  /* the kernel rejected the module */
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

/* Reading the state of a loaded module (list, status, refcnt, wait). */
int exit_for_query_errno(int err);

/* Remember the first failure of a batch: every module is attempted and the
 * first failure's code is returned. */
static inline void exit_keep_first(int *first, int code)
{
	if (*first == EXIT_OK && code != EXIT_OK)
		*first = code;
}

/* A short name for an exit code, for messages and docs ("busy", "locked"). */
const char *exit_code_name(int code);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modctl's exit status, decided here and nowhere else. Lower layers return
 * 0 or a negative errno and never an exit code; a command function returns
 * an enum exit_code and turns the errno of a failed operation into one
 * with exit_code_from_errno(), or decides one itself for what is not an
 * errno (a lock, a built-in module). A batch keeps its first failure.
 */
#pragma once

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* failure not covered below */
	EXIT_USAGE = 2,     /* bad option, argument, duration or name */
	EXIT_NOTFOUND = 3,  /* not on disk (load); not loaded (unload, refcnt, status) */
	EXIT_BUSY = 4,      /* still in use when the timeout expired; wait timed out */
	EXIT_LOCKED = 5,    /* refused by modctl lockdown */
	EXIT_NOTPERM = 6,   /* not permitted by the kernel */
	EXIT_REJECTED = 7,  /* the kernel rejected the module */
	EXIT_DESTROYS = 8,  /* refused: the unload would delete network interfaces */
	EXIT_SIGINT = 130,  /* 128 + the signal's number, as shells report it */
	EXIT_SIGTERM = 143,
};

/*
 * The one mapping from errno to exit status: ENOENT, ENODEV not found;
 * EINVAL, ENAMETOOLONG usage; ETIMEDOUT busy; EPERM, EACCES not
 * permitted; ENOEXEC, EKEYREJECTED rejected by the kernel; EINTR
 * interrupted (SIGINT); anything else a failure. err may have either sign.
 */
enum exit_code exit_code_from_errno(int err);
/* The exit status for a signal that ended modctl's work: SIGTERM 143, else 130. */
enum exit_code exit_code_from_signal(int signo);

/* Remember the first failure of a batch: every module is attempted and the
 * first failure's code is returned. */
static inline void exit_keep_first(enum exit_code *first, enum exit_code code)
{
	if (*first == EXIT_OK && code != EXIT_OK)
		*first = code;
}

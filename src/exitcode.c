// SPDX-License-Identifier: LGPL-2.1-or-later
/* The mapping from what went wrong to modctl's documented exit status. */
#include <errno.h>
#include <signal.h>

#include "exitcode.h"

enum exit_code exit_code_from_errno(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return EXIT_OK;
	case ENOENT:
	case ENODEV:
		return EXIT_NOTFOUND;
	case EINVAL:
	case ENAMETOOLONG:
		return EXIT_USAGE;
	case ETIMEDOUT:
		return EXIT_BUSY;
	case EPERM:
	case EACCES:
		return EXIT_NOTPERM;
	case ENOEXEC:
	case EKEYREJECTED:
		return EXIT_REJECTED;
	case EINTR:
		return EXIT_SIGINT;
	default:
		return EXIT_FAIL;
	}
}

enum exit_code exit_code_from_signal(int signo)
{
	return signo == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT;
}

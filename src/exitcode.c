// SPDX-License-Identifier: LGPL-2.1-or-later
/* The mapping from what went wrong to modctl's documented exit status. */
#include <errno.h>

#include "exitcode.h"

int exit_for_query_errno(int err)
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
	case EINTR:
		return EXIT_SIGINT;
	default:
		return EXIT_FAIL;
	}
}

const char *exit_code_name(int code)
{
	switch (code) {
	case EXIT_OK:
		return "success";
	case EXIT_FAIL:
		return "failure";
	case EXIT_USAGE:
		return "usage error";
	case EXIT_NOTFOUND:
		return "not found";
	case EXIT_BUSY:
		return "busy";
	case EXIT_LOCKED:
		return "locked";
	case EXIT_NOTPERM:
		return "not permitted";
	case EXIT_REJECTED:
		return "rejected by the kernel";
	case EXIT_SIGINT:
		return "interrupted";
	case EXIT_SIGTERM:
		return "terminated";
	default:
		return "unknown";
	}
}

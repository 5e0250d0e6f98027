// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl: load, lock down and unload Linux kernel modules.
 * main() parses the whole command line (src/modctl.c), then runs the
 * command; the command's exit code is final, except that a failed write to
 * standard output turns success into failure.
 */
#include <stdio.h>

#include "log.h"
#include "modctl.h"

int main(int argc, char *argv[])
{
	struct invocation inv = { 0 };
	enum exit_code code;

	code = modctl_parse(&inv, argc, argv);
	if (code != EXIT_OK || inv.exit) {
		invocation_done(&inv);
		return code;
	}
	code = modctl_run(&inv);
	invocation_done(&inv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("write error on standard output: %m");
		if (code == EXIT_OK)
			code = EXIT_FAIL;
	}
	return code;
}

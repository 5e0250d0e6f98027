/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakectl ROOT COMMAND [ARGS...]: build and mutate a fake kernel world
 * under ROOT for the LD_PRELOAD test tier.  See tests/fake/README.
 */
#include "fakestate.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct fk_ops libc_ops = {
	.open = open,
	.mkdir = mkdir,
	.unlink = unlink,
	.rmdir = rmdir,
	.rename = rename,
	.symlink = symlink,
	.lstat = lstat,
	.readlink = readlink,
};

const struct fk_ops *fk_ops = &libc_ops;

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")))
		return fk_command("", 1, argv + 1);
	if (argc < 3) {
		fputs("usage: fakectl ROOT COMMAND [ARGS...]  ('fakectl help' lists commands)\n", stderr);
		return 2;
	}
	if (argv[1][0] != '/') {
		fputs("fakectl: ROOT must be an absolute path\n", stderr);
		return 2;
	}
	/* fakectl must see the real files, never the shim's redirections */
	if (getenv("LD_PRELOAD"))
		unsetenv("LD_PRELOAD");
	return fk_command(argv[1], argc - 2, argv + 2);
}

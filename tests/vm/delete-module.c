// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * delete-module NAME [nonblock|block|force]: call delete_module(2) once,
 * with O_NONBLOCK, with no flag, or with O_TRUNC (forced), the way any
 * program may, bypassing kmod and modctl. Prints the result on one line;
 * exit 0 when the module was removed, 1 when the kernel refused, 2 on
 * bad usage. Linked statically so the VM image needs nothing for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned int flags;
	const char *how = argc == 3 ? argv[2] : "nonblock";

	if (argc < 2 || argc > 3)
		goto usage;
	if (strcmp(how, "nonblock") == 0)
		flags = O_NONBLOCK;
	else if (strcmp(how, "block") == 0)
		flags = 0;
	else if (strcmp(how, "force") == 0)
		flags = O_NONBLOCK | O_TRUNC;
	else
		goto usage;
	if (syscall(SYS_delete_module, argv[1], flags) == 0) {
		printf("delete_module(%s, %s): removed\n", argv[1], how);
		return 0;
	}
	printf("delete_module(%s, %s): %s (errno %d)\n", argv[1], how, strerror(errno), errno);
	return 1;
usage:
	fprintf(stderr, "usage: delete-module NAME [nonblock|block|force]\n");
	return 2;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fksys: issue one raw module system call, the way a tool would, and print
 * the result as "0" or an errno name.  Used by tests/fake/t-shim.sh to
 * drive the shim without kmod's own pre-checks, and built with the
 * project's CFLAGS (sanitizers, _FORTIFY_SOURCE) to prove the shim works
 * under them.
 *
 *   fksys finit_module FILE [ARGS [FLAGS]]
 *   fksys init_module FILE [ARGS]
 *   fksys delete_module NAME [FLAGS]       (FLAGS default O_NONBLOCK)
 *   fksys libc-delete_module NAME [FLAGS]  (through glibc's delete_module)
 *   fksys passthrough                      (syscall() forwarding check)
 *   fksys read PATH                        (fopen/fgets a file, print it)
 *   fksys write PATH VALUE                 (open+write, print result)
 *   fksys uname-r
 *
 * Exit status: 0 on success, 1 when the call failed, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fakestate.h"

/* fakestate.c is linked for fk_errno_name() only */
static const struct fk_ops libc_ops = {
	.open = open, .mkdir = mkdir, .unlink = unlink, .rmdir = rmdir,
	.rename = rename, .symlink = symlink, .lstat = lstat, .readlink = readlink,
};
const struct fk_ops *fk_ops = &libc_ops;

int delete_module(const char *name, unsigned int flags);

static int report(long r)
{
	if (r < 0) {
		printf("%s\n", fk_errno_name(errno));
		return 1;
	}
	printf("0\n");
	return 0;
}

static long num(const char *s)
{
	return strtol(s, NULL, 0);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "finit_module") && argc >= 3) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		return report(syscall(SYS_finit_module, fd, argc > 3 ? argv[3] : "",
				      argc > 4 ? (int)num(argv[4]) : 0));
	}
	if (!strcmp(cmd, "init_module") && argc >= 3) {
		FILE *f = fopen(argv[2], "rb");
		static char img[1 << 20];
		size_t n;

		if (!f) {
			perror(argv[2]);
			return 2;
		}
		n = fread(img, 1, sizeof(img), f);
		fclose(f);
		return report(syscall(SYS_init_module, img, (unsigned long)n, argc > 3 ? argv[3] : ""));
	}
	if (!strcmp(cmd, "delete_module") && argc >= 3)
		return report(syscall(SYS_delete_module, argv[2],
				      argc > 3 ? (unsigned int)num(argv[3]) : (unsigned int)O_NONBLOCK));
	if (!strcmp(cmd, "libc-delete_module") && argc >= 3)
		return report(delete_module(argv[2],
					    argc > 3 ? (unsigned int)num(argv[3]) : (unsigned int)O_NONBLOCK));
	if (!strcmp(cmd, "passthrough")) {
		long a = syscall(SYS_getpid);
		long b = syscall(SYS_getppid);
		long c = syscall(SYS_close, -1);        /* must fail EBADF, not abort */
		int e = errno;

		if (a != (long)getpid() || b != (long)getppid() || c != -1 || e != EBADF) {
			printf("syscall forwarding broken: %ld %ld %ld %d\n", a, b, c, e);
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "read") && argc >= 3) {
		char line[4096];
		FILE *f = fopen(argv[2], "re");

		if (!f)
			return report(-1);
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
		return 0;
	}
	if (!strcmp(cmd, "write") && argc >= 4) {
		int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
		ssize_t w;

		if (fd < 0)
			return report(-1);
		w = write(fd, argv[3], strlen(argv[3]));
		close(fd);
		return report(w < 0 ? -1 : 0);
	}
	if (!strcmp(cmd, "uname-r")) {
		struct utsname u;

		if (uname(&u) < 0)
			return report(-1);
		printf("%s\n", u.release);
		return 0;
	}
	fputs("usage: fksys finit_module FILE [ARGS [FLAGS]] | init_module FILE [ARGS] |\n"
	      "       delete_module NAME [FLAGS] | libc-delete_module NAME [FLAGS] |\n"
	      "       passthrough | read PATH | write PATH VALUE | uname-r\n", stderr);
	return 2;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vm-holder READY WHAT ARGS...: take one reference-holding object the way
 * a program does, create the file READY, then wait until killed. Busybox
 * alone cannot map a device and close its descriptor, nor open a socket of
 * a given protocol. Static, like delete-module, so the image needs nothing
 * for it.
 *
 *   open PATH                open PATH read-write (read-only if refused)
 *   mmap PATH                open PATH, map its first page, close the fd
 *   mmap-open PATH           the same, keeping the fd open
 *   socket DOMAIN TYPE PROTO socket(DOMAIN, TYPE, PROTO), numbers
 *   bpf-link PIN             a BPF link this process alone may hold: the
 *                            pinned object PIN when it is a link, else (a
 *                            tracing program) a new link attaching it
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: vm-holder READY open|mmap|mmap-open PATH | socket DOMAIN TYPE PROTO | bpf-link PIN\n");
	return 2;
}

static int open_rw(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "vm-holder: %s: %s\n", path, strerror(errno));
	return fd;
}

static int bpf_link(const char *pin)
{
	union bpf_attr a;
	char self[64], what[64] = "";
	int fd;

	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)pin;
	fd = (int)syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof(a));
	if (fd < 0) {
		fprintf(stderr, "vm-holder: %s: %s\n", pin, strerror(errno));
		return -1;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (readlink(self, what, sizeof(what) - 1) < 0 || strstr(what, "link"))
		return fd;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (unsigned)fd;
	a.link_create.attach_type = BPF_TRACE_FENTRY;
	fd = (int)syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "vm-holder: attaching %s: %s\n", pin, strerror(errno));
	return fd;
}

int main(int argc, char *argv[])
{
	int fd;

	if (argc < 4)
		return usage();
	if (!strcmp(argv[2], "open")) {
		if (open_rw(argv[3]) < 0)
			return 1;
	} else if (!strcmp(argv[2], "mmap") || !strcmp(argv[2], "mmap-open")) {
		void *p;

		fd = open_rw(argv[3]);
		if (fd < 0)
			return 1;
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "vm-holder: mmap %s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		if (!strcmp(argv[2], "mmap"))
			close(fd);
	} else if (!strcmp(argv[2], "socket") && argc == 6) {
		if (socket(atoi(argv[3]), atoi(argv[4]), atoi(argv[5])) < 0) {
			fprintf(stderr, "vm-holder: socket: %s\n", strerror(errno));
			return 1;
		}
	} else if (!strcmp(argv[2], "bpf-link")) {
		if (bpf_link(argv[3]) < 0)
			return 1;
	} else {
		return usage();
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	for (;;)
		pause();
}

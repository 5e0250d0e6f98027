// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libfaults: fault injection for the fake tier, preloaded in front of the
 * fake kernel shim. Configured by environment:
 *
 *   MODCTL_FAULT=CALL:PATH:ERRNO[:N]   CALL (write, fsync, read, rename;
 *       rename covers renameat too) on a file whose path contains PATH
 *       fails with ERRNO (a name such as ENOSPC, EIO, EINTR), the first N
 *       times (default: always).
 *   MODCTL_FAULT=shortread:PATH:BYTES  reads of such a file return at
 *       most BYTES bytes each.
 *   MODCTL_FAIL_MALLOC=N               the Nth allocation (malloc,
 *       calloc, realloc) and no other returns NULL.
 *   MODCTL_FAIL_MALLOC_SCOPE=self      count only allocations called
 *       directly from the program itself, not from its libraries (kmod 30
 *       crashes or loops when its own allocations fail).
 *
 * Paths are matched on what the process sees after the shim's
 * redirection (the fd's /proc/self/fd link), so "run/modctl/locks." is
 * the registry's temporary file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EINTR", EINTR }, { "EAGAIN", EAGAIN },
	{ "EACCES", EACCES }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT }, { "ENOMEM", ENOMEM },
};

struct fault {
	char call[16];
	char path[256];
	int err;        /* 0: short read */
	long count;     /* remaining injections; -1: always */
	long bytes;     /* for shortread */
	int parsed;
};

static struct fault fault;

static void parse_fault(void)
{
	const char *env = getenv("MODCTL_FAULT");
	char e[32] = "";
	size_t i;

	if (fault.parsed)
		return;
	fault.parsed = 1;
	fault.count = -1;
	if (!env || sscanf(env, "%15[^:]:%255[^:]:%31[^:]:%ld", fault.call, fault.path, e, &fault.count) < 3) {
		fault.call[0] = '\0';
		return;
	}
	if (strcmp(fault.call, "shortread") == 0) {
		fault.bytes = atol(e);
		fault.count = -1;
		return;
	}
	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(errnos[i].name, e) == 0)
			fault.err = errnos[i].value;
	if (!fault.err)
		fault.err = atoi(e);
}

static int fd_matches(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, fault.path) != NULL;
}

/* Whether CALL on this fd or path gets the fault now. */
static int inject(const char *call, int fd, const char *path)
{
	parse_fault();
	if (!fault.call[0] || strcmp(fault.call, call) != 0 || fault.count == 0)
		return 0;
	if (path ? !strstr(path, fault.path) : !fd_matches(fd))
		return 0;
	if (fault.count > 0)
		fault.count--;
	return 1;
}

#define REAL(type, name, ...)                                          \
	static type (*real_##name)(__VA_ARGS__);                         \
	if (!real_##name)                                                \
		real_##name = (type(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	if (inject("write", fd, NULL)) {
		errno = fault.err;
		return -1;
	}
	return real_write(fd, buf, n);
}

int fsync(int fd)
{
	REAL(int, fsync, int);
	if (inject("fsync", fd, NULL)) {
		errno = fault.err;
		return -1;
	}
	return real_fsync(fd);
}

int rename(const char *from, const char *to)
{
	REAL(int, rename, const char *, const char *);
	if (inject("rename", -1, to)) {
		errno = fault.err;
		return -1;
	}
	return real_rename(from, to);
}

/* renameat() relative to a directory fd: matched on that directory's path
 * joined with the new name. */
int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	char link[64], path[4096];
	const char *full = to;
	ssize_t n;

	REAL(int, renameat, int, const char *, int, const char *);
	if (to[0] != '/' && tofd != AT_FDCWD) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", tofd);
		n = readlink(link, path, sizeof(path) - 1);
		if (n > 0 && (size_t)n + 1 + strlen(to) < sizeof(path)) {
			path[n] = '/';
			strcpy(path + n + 1, to);
			full = path;
		}
	}
	if (inject("rename", -1, full)) {
		errno = fault.err;
		return -1;
	}
	return real_renameat(fromfd, from, tofd, to);
}

ssize_t read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, read, int, void *, size_t);
	parse_fault();
	if (strcmp(fault.call, "shortread") == 0 && fault.bytes > 0 && fd_matches(fd) &&
	    n > (size_t)fault.bytes)
		n = (size_t)fault.bytes;
	else if (inject("read", fd, NULL)) {
		errno = fault.err;
		return -1;
	}
	return real_read(fd, buf, n);
}

/* --- allocation failures ---------------------------------------------- */

static long alloc_count;
static uintptr_t self_lo, self_hi;  /* the program's own mapped segments */

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	int i;

	(void)size;
	(void)data;
	/* The first object is the program itself. */
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		if (!self_lo || lo < self_lo)
			self_lo = lo;
		if (hi > self_hi)
			self_hi = hi;
	}
	return 1;
}

static int fail_alloc(void *caller)
{
	static long fail_at = -2;
	static int self_only;

	if (fail_at == -2) {
		const char *e = getenv("MODCTL_FAIL_MALLOC");
		const char *scope = getenv("MODCTL_FAIL_MALLOC_SCOPE");

		fail_at = e ? atol(e) : -1;
		self_only = scope && strcmp(scope, "self") == 0;
		if (self_only)
			dl_iterate_phdr(find_self, NULL);
	}
	if (fail_at < 0)
		return 0;
	if (self_only && ((uintptr_t)caller < self_lo || (uintptr_t)caller >= self_hi))
		return 0;
	return ++alloc_count == fail_at;
}

void *malloc(size_t size)
{
	if (fail_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (fail_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (fail_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}

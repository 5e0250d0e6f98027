// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether modctl may trust one of its own files (see trust.h). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "trust.h"

static const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "of an unknown type";
	}
}

const char *untrusted_reason(const struct stat *st, mode_t type, char *buf, size_t size)
{
	uid_t me = geteuid();

	if ((st->st_mode & S_IFMT) != type)
		snprintf(buf, size, "it is %s, not %s", file_type_name(st->st_mode), file_type_name(type));
	else if (st->st_uid != 0 && st->st_uid != me)
		snprintf(buf, size, me == 0 ? "owned by uid %u, not root" : "owned by uid %u, neither root nor uid %u",
			 (unsigned)st->st_uid, (unsigned)me);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(buf, size, "writable by group or others (mode %04o)", (unsigned)(st->st_mode & 07777));
	else
		return NULL;
	return buf;
}

int open_trusted(int dirfd, const char *path, int flags, mode_t mode, mode_t type, struct stat *st,
		 char *why, size_t size)
{
	struct stat sb;
	int fd, r;

	if (!st)
		st = &sb;
	why[0] = '\0';
	flags |= O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	if (type == S_IFDIR)
		flags |= O_DIRECTORY;
	fd = openat(dirfd, path, flags, mode);
	if (fd < 0) {
		r = -errno;
		/* O_NOFOLLOW fails with ELOOP on a symbolic link, O_DIRECTORY with
		 * ENOTDIR on anything else, a FIFO or socket opened for writing
		 * with ENXIO: say what is there instead. */
		if ((r == -ELOOP || r == -ENOTDIR || r == -ENXIO) &&
		    fstatat(dirfd, path, st, AT_SYMLINK_NOFOLLOW) == 0 && untrusted_reason(st, type, why, size))
			return -EPERM;
		return r;
	}
	if (fstat(fd, st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (untrusted_reason(st, type, why, size)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int trust_refuse(const char *path, const char *why)
{
	return log_error_errno(EPERM, "refusing to trust %s: %s", path, why);
}

int trusted_dir_open(const char *dir, bool create)
{
	char why[128];
	int fd;

	if (create && mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create %s: %m", dir);
	fd = open_trusted(AT_FDCWD, dir, O_RDONLY, 0, S_IFDIR, NULL, why, sizeof(why));
	if (fd == -EPERM && why[0])
		return trust_refuse(dir, why);
	if (fd == -ENOENT && !create)
		return fd;
	if (fd < 0)
		return log_error_errno(fd, "cannot open %s: %m", dir);
	return fd;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one trust rule for modctl's own files: the lockdown registry and its
 * lock, the modprobe guard, the lockdown.d configuration and the
 * directories that hold them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * A file is trusted only if it is of the expected type (S_IFREG or
 * S_IFDIR; never a symbolic link), owned by root or by the effective user
 * running modctl (who could have written it anyway), and not writable by
 * group or others: nobody else can have changed it. untrusted_reason()
 * returns NULL for such a file, otherwise why not, in buf ("owned by uid
 * 1000, not root").
 */
struct stat;
const char *untrusted_reason(const struct stat *st, mode_t type, char *buf, size_t size);
/*
 * openat() one of modctl's own files or directories without following a
 * symbolic link in its last component, with O_CLOEXEC, O_NOCTTY and
 * O_NONBLOCK (a planted FIFO cannot block the open), then check the open
 * file with fstat(). flags are O_RDONLY, O_RDWR, O_CREAT... and mode the
 * creation mode. Returns the fd (and its status in *st when st is not
 * NULL); -EPERM with the reason in why when the file is there but not
 * trusted; another -errno (why empty) when it cannot be opened.
 */
int open_trusted(int dirfd, const char *path, int flags, mode_t mode, mode_t type, struct stat *st,
		 char *why, size_t size);
/* Log why path is not trusted ("refusing to trust PATH: WHY"); returns -EPERM. */
int trust_refuse(const char *path, const char *why);
/*
 * Open one of modctl's state directories (the registry's, the modprobe
 * guard's) after checking that nobody but root can have changed it. With
 * create, make it first (mode 0755 under the caller's umask). Returns the
 * fd, -ENOENT (not logged) when it does not exist and create is false, or
 * a logged error.
 */
int trusted_dir_open(const char *dir, bool create);

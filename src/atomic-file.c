// SPDX-License-Identifier: LGPL-2.1-or-later
/* Replacing files atomically, relative to a checked directory (see atomic-file.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "atomic-file.h"
#include "log.h"
#include "macro.h"

/* A new, empty temporary file in the directory: its name, a dot and six
 * random letters or digits (mkstemp() has no form relative to a dirfd). */
static int atomic_file_create(struct atomic_file *p)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned tries;

	for (tries = 0; tries < 100; tries++) {
		unsigned char rnd[6];
		size_t i, l;
		int fd;

		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
			/* Only before the kernel's pool is ready; O_EXCL keeps it safe. */
			uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20) ^ ((uint64_t)tries << 40);

			for (i = 0; i < sizeof(rnd); i++, x >>= 8)
				rnd[i] = (unsigned char)x;
		}
		l = (size_t)snprintf(p->tmp, sizeof(p->tmp), "%s.", p->name);
		if (l + sizeof(rnd) >= sizeof(p->tmp))
			return -ENAMETOOLONG;
		for (i = 0; i < sizeof(rnd); i++)
			p->tmp[l + i] = chars[rnd[i] % (sizeof(chars) - 1)];
		p->tmp[l + sizeof(rnd)] = '\0';
		/* O_EXCL: a name somebody else made (even a symlink) is never used. */
		fd = openat(p->dfd, p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int atomic_file_write(struct atomic_file *p, const char *text)
{
	size_t len = strlen(text), done = 0;
	int fd, r;

	p->tmp[0] = '\0';
	fd = atomic_file_create(p);
	if (fd < 0) {
		p->tmp[0] = '\0';
		return log_error_errno(fd, "cannot create a temporary file in %s: %m", p->dir);
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return log_error_errno(r, "cannot write %s: %m", p->path);
}

void atomic_file_discard(struct atomic_file *p)
{
	if (p->tmp[0])
		unlinkat(p->dfd, p->tmp, 0);
	p->tmp[0] = '\0';
}

int atomic_file_install(struct atomic_file *p)
{
	if (renameat(p->dfd, p->tmp, p->dfd, p->name) < 0)
		return log_error_errno(errno, "cannot replace %s: %m", p->path);
	p->tmp[0] = '\0';
	(void)fsync(p->dfd);
	return 0;
}

/* Temporary files of writers killed half-way: safe to remove under the lock,
 * since every live writer holds it while its temporary file exists. */
void atomic_file_remove_stale(int dfd, const char *dir, const char *base)
{
	size_t l = strlen(base);
	struct dirent *de;
	DIR *d;
	int fd;

	/* fdopendir() takes its fd: give it its own. */
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, base, l) != 0 || de->d_name[l] != '.' || strlen(de->d_name + l + 1) != 6)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			log_debug("removed %s/%s, left by a writer that was killed", dir, de->d_name);
	}
	closedir(d);
}

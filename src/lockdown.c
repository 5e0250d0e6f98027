// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The lockdown registry under the runtime state directory. The format is
 * line-oriented text, meant to be read by people:
 *
 *   # comment
 *   mode all        lockdown-all mode is on
 *   lock NAME       NAME is locked
 *
 * modctl refuses to trust a registry it could not have written itself.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "lockdown.h"
#include "log.h"
#include "macro.h"
#include "util.h"

void registry_free(struct registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		free(reg->locks[i]);
	free(reg->locks);
	memset(reg, 0, sizeof(*reg));
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int registry_add(struct registry *reg, size_t *cap, const char *name)
{
	if (reg->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **nl = realloc(reg->locks, ncap * sizeof(char *));

		if (!nl)
			return -ENOMEM;
		reg->locks = nl;
		*cap = ncap;
	}
	reg->locks[reg->n] = strdup(name);
	if (!reg->locks[reg->n])
		return -ENOMEM;
	reg->n++;
	return 0;
}

int registry_parse(const char *buf, struct registry *reg, unsigned *errline)
{
	const char *p = buf;
	unsigned line = 0;
	size_t cap = 0, i, j;
	int r;

	memset(reg, 0, sizeof(*reg));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char l[128], word[16], name[MODULE_NAME_MAX + 1], extra[2];
		int fields;

		line++;
		if (len >= sizeof(l))
			goto bad;
		memcpy(l, p, len);
		l[len] = '\0';
		p += len + (nl ? 1 : 0);

		if (l[0] == '\0' || l[0] == '#')
			continue;
		fields = sscanf(l, "%15s %55s %1s", word, name, extra);
		if (fields == 2 && streq(word, "mode") && streq(name, "all")) {
			reg->lock_all = true;
		} else if (fields == 2 && streq(word, "lock")) {
			char norm[MODULE_NAME_MAX + 1];

			if (module_name_normalize(name, norm) < 0)
				goto bad;
			r = registry_add(reg, &cap, norm);
			if (r < 0) {
				registry_free(reg);
				return r;
			}
		} else {
			goto bad;
		}
	}
	qsort(reg->locks, reg->n, sizeof(char *), cmpstr);
	for (i = j = 0; i < reg->n; i++) {
		if (j > 0 && streq(reg->locks[j - 1], reg->locks[i]))
			free(reg->locks[i]);
		else
			reg->locks[j++] = reg->locks[i];
	}
	reg->n = j;
	return 0;
bad:
	if (errline)
		*errline = line;
	registry_free(reg);
	return -EBADMSG;
}

static int check_trusted(const char *path, const struct stat *st, mode_t type)
{
	if ((st->st_mode & S_IFMT) != type)
		return log_error_errno(EPERM, "refusing to trust %s: it is not a %s", path,
				       type == S_IFDIR ? "directory" : "regular file");
	if (st->st_uid != 0)
		return log_error_errno(EPERM, "refusing to trust %s: owned by uid %u, not root",
				       path, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return log_error_errno(EPERM, "refusing to trust %s: writable by group or others (mode %04o)",
				       path, (unsigned)(st->st_mode & 07777));
	return 0;
}

int registry_load(struct registry *reg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	unsigned line = 0;
	size_t used = 0;
	int r;

	memset(reg, 0, sizeof(*reg));
	if (lstat(REGISTRY_DIR, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return log_error_errno(errno, "cannot examine %s: %m", REGISTRY_DIR);
	}
	r = check_trusted(REGISTRY_DIR, &st, S_IFDIR);
	if (r < 0)
		return r;

	fd = open(REGISTRY_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return log_error_errno(EPERM, "refusing to trust %s: it is a symbolic link",
					       REGISTRY_FILE);
		return log_error_errno(errno, "cannot open %s: %m", REGISTRY_FILE);
	}
	if (fstat(fd, &st) < 0)
		return log_error_errno(errno, "cannot examine %s: %m", REGISTRY_FILE);
	r = check_trusted(REGISTRY_FILE, &st, S_IFREG);
	if (r < 0)
		return r;
	if (st.st_size > REGISTRY_MAX_SIZE)
		return log_error_errno(EFBIG, "refusing to trust %s: %lld bytes is larger than any registry modctl writes",
				       REGISTRY_FILE, (long long)st.st_size);

	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return log_error_errno(ENOMEM, "out of memory");
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_error_errno(errno, "cannot read %s: %m", REGISTRY_FILE);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (memchr(buf, '\0', used))
		return log_error_errno(EBADMSG, "%s is corrupt: it contains NUL bytes", REGISTRY_FILE);
	r = registry_parse(buf, reg, &line);
	if (r == -EBADMSG)
		return log_error_errno(r, "%s:%u: not a registry line; refusing to trust the file",
				       REGISTRY_FILE, line);
	if (r < 0)
		return log_error_errno(r, "cannot parse %s: %m", REGISTRY_FILE);
	return 0;
}

bool registry_is_locked(const struct registry *reg, const char *name)
{
	char norm[MODULE_NAME_MAX + 1];
	const char *key = norm;

	if (module_name_normalize(name, norm) < 0)
		return false;
	return reg->n && bsearch(&key, reg->locks, reg->n, sizeof(char *), cmpstr);
}

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
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

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

/* Sort the names and drop duplicates. */
static void sort_unique(struct registry *reg)
{
	size_t i, j;

	/* qsort() with a NULL array is undefined, even for zero elements. */
	if (reg->n)
		qsort(reg->locks, reg->n, sizeof(char *), cmpstr);
	for (i = j = 0; i < reg->n; i++) {
		if (j > 0 && streq(reg->locks[j - 1], reg->locks[i]))
			free(reg->locks[i]);
		else
			reg->locks[j++] = reg->locks[i];
	}
	reg->n = j;
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
	size_t cap = 0;
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
	sort_unique(reg);
	return 0;
bad:
	if (errline)
		*errline = line;
	registry_free(reg);
	return -EBADMSG;
}

/* Log why path is not trusted and return -EPERM. */
static int refuse(const char *path, const char *why)
{
	return log_error_errno(EPERM, "refusing to trust %s: %s", path, why);
}

/*
 * Open one of modctl's state directories (the registry's, the modprobe
 * guard's) after checking that nobody but root can have changed it. With
 * create, make it first. Returns the fd, -ENOENT (not logged) when it does
 * not exist and create is false, or a logged error.
 */
static int state_dir_open(const char *dir, bool create)
{
	char why[128];
	int fd;

	if (create && mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create %s: %m", dir);
	fd = open_trusted(AT_FDCWD, dir, O_RDONLY, 0, S_IFDIR, NULL, why, sizeof(why));
	if (fd == -EPERM && why[0])
		return refuse(dir, why);
	if (fd == -ENOENT && !create)
		return fd;
	if (fd < 0)
		return log_error_errno(fd, "cannot open %s: %m", dir);
	return fd;
}

/* Read the registry in the trusted directory dfd; a missing file is empty. */
static int registry_load_at(int dfd, struct registry *reg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	char why[128];
	struct stat st;
	unsigned line = 0;
	size_t used = 0;
	int r;

	memset(reg, 0, sizeof(*reg));
	fd = open_trusted(dfd, REGISTRY_NAME, O_RDONLY, 0, S_IFREG, &st, why, sizeof(why));
	if (fd == -ENOENT)
		return 0;
	if (fd == -EPERM && why[0])
		return refuse(REGISTRY_FILE, why);
	if (fd < 0)
		return log_error_errno(fd, "cannot open %s: %m", REGISTRY_FILE);
	if (st.st_size > REGISTRY_MAX_SIZE)
		return log_error_errno(EFBIG, "refusing to trust %s: %lld bytes is larger than any registry modctl writes",
				       REGISTRY_FILE, (long long)st.st_size);
	r = read_fd_full(fd, REGISTRY_MAX_SIZE, &buf, &used);
	if (r == -EFBIG)
		return log_error_errno(r, "refusing to trust %s: it is larger than any registry modctl writes",
				       REGISTRY_FILE);
	if (r < 0)
		return log_error_errno(r, "cannot read %s: %m", REGISTRY_FILE);
	if (memchr(buf, '\0', used))
		/* buf is freed by _cleanup_free_, which clang-analyzer 14 does not model. */
		return log_error_errno(EBADMSG, "%s is corrupt: it contains NUL bytes", // NOLINT(clang-analyzer-unix.Malloc)
				       REGISTRY_FILE);
	r = registry_parse(buf, reg, &line);
	if (r == -EBADMSG)
		return log_error_errno(r, "%s:%u: not a registry line; refusing to trust the file (remove it to drop every lock)",
				       REGISTRY_FILE, line);
	if (r < 0)
		return log_error_errno(r, "cannot parse %s: %m", REGISTRY_FILE);
	return 0;
}

int registry_load(struct registry *reg)
{
	_cleanup_close_ int dfd = -1;

	memset(reg, 0, sizeof(*reg));
	dfd = state_dir_open(REGISTRY_DIR, false);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	return registry_load_at(dfd, reg);
}

bool registry_is_locked(const struct registry *reg, const char *name)
{
	char norm[MODULE_NAME_MAX + 1];
	const char *key = norm;

	if (module_name_normalize(name, norm) < 0)
		return false;
	return reg->n && bsearch(&key, reg->locks, reg->n, sizeof(char *), cmpstr);
}

/* --- writing ------------------------------------------------------------ */

int registry_set(struct registry *reg, const char *name, bool locked)
{
	char norm[MODULE_NAME_MAX + 1];
	size_t i, cap;
	int r;

	r = module_name_normalize(name, norm);
	if (r < 0)
		return r;
	for (i = 0; i < reg->n; i++)
		if (streq(reg->locks[i], norm))
			break;
	if (locked) {
		if (i < reg->n)
			return 0;
		cap = reg->n;
		r = registry_add(reg, &cap, norm);
		if (r < 0)
			return r;
		qsort(reg->locks, reg->n, sizeof(char *), cmpstr);
		return 1;
	}
	if (i == reg->n)
		return 0;
	free(reg->locks[i]);
	memmove(&reg->locks[i], &reg->locks[i + 1], (reg->n - i - 1) * sizeof(char *));
	reg->n--;
	return 1;
}

struct pending_name {
	char norm[MODULE_NAME_MAX + 1];
	size_t idx;
};

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_name *x = a, *y = b;
	int c = strcmp(x->norm, y->norm);

	/* Equal names keep their order: the first one given is the one added. */
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

int registry_set_many(struct registry *reg, const char *const *names, size_t n, bool *added)
{
	/* before: the sorted prefix to search; cap: grows as names are added. */
	size_t before = reg->n, cap = before, i;
	struct pending_name *p;
	int r = 0, count = 0;

	if (n == 0)
		return 0;
	p = calloc(n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		added[i] = false;
		p[i].idx = i;
		r = module_name_normalize(names[i], p[i].norm);
		if (r < 0)
			goto out;
	}
	/* Sorting the new names finds their duplicates (in any spelling) in
	 * one pass; each name is then looked up once in the registry. */
	qsort(p, n, sizeof(*p), cmp_pending);
	for (i = 0; i < n; i++) {
		const char *key = p[i].norm;

		if (i > 0 && streq(p[i - 1].norm, p[i].norm))
			continue;
		if (before && bsearch(&key, reg->locks, before, sizeof(char *), cmpstr))
			continue;
		r = registry_add(reg, &cap, p[i].norm);
		if (r < 0)
			goto out;
		added[p[i].idx] = true;
		count++;
	}
	sort_unique(reg);
	r = count;
out:
	free(p);
	return r;
}

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) _printf_(4, 5);
static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (*buf && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return 0;
		}
		{
			size_t ncap = (*cap ? *cap : 256) * 2 + (size_t)n;
			char *nb = realloc(*buf, ncap);

			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = ncap;
		}
	}
}

char *registry_format(const struct registry *reg)
{
	size_t len = 0, cap = 0, i;
	char *buf = NULL;

	if (append(&buf, &len, &cap, "# modctl lockdown registry: written by modctl, see modctl(8).\n"
				     "# 'mode all' locks every module modctl loads; 'lock NAME' locks NAME.\n") < 0)
		goto fail;
	if (reg->lock_all && append(&buf, &len, &cap, "mode all\n") < 0)
		goto fail;
	for (i = 0; i < reg->n; i++)
		if (append(&buf, &len, &cap, "lock %s\n", reg->locks[i]) < 0)
			goto fail;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* The module name of a modules.dep path ("kernel/net/802/stp.ko.xz"), in
 * the kernel's spelling; false if it is not a module path. */
static bool moddep_name(const char *path, size_t len, char out[MODULE_NAME_MAX + 1])
{
	const char *base = path, *p, *ko = NULL;
	char buf[MODULE_NAME_MAX + 1];
	size_t n;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	for (p = base; p + 3 <= path + len; p++)
		if (memcmp(p, ".ko", 3) == 0) {
			ko = p;
			break;
		}
	if (!ko || ko == base)
		return false;
	n = (size_t)(ko - base);
	if (n > MODULE_NAME_MAX)
		return false;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return module_name_normalize(buf, out) == 0;
}

/*
 * kmod's `modprobe -r M` removes M's dependencies that are left unused
 * directly, without looking at their own remove lines: a lock on such a
 * dependency would not hold. So every module that is not locked itself
 * but lists a locked one in modules.dep gets a remove line of its own,
 * which unloads it with modctl: its unused dependencies go as with
 * modprobe, the locked ones stay. deptext is modules.dep, or NULL.
 */
static int guard_dependents(char **buf, size_t *len, size_t *cap, const struct registry *reg,
			    const char *deptext, const char *modctl)
{
	const char *line = deptext;

	while (line && *line) {
		const char *eol = strchrnul(line, '\n'), *colon = memchr(line, ':', (size_t)(eol - line));
		char name[MODULE_NAME_MAX + 1], dep[MODULE_NAME_MAX + 1];
		const char *p;

		if (colon && moddep_name(line, (size_t)(colon - line), name) &&
		    !registry_is_locked(reg, name)) {
			for (p = colon + 1; p < eol;) {
				const char *end;

				while (p < eol && (*p == ' ' || *p == '\t'))
					p++;
				for (end = p; end < eol && *end != ' ' && *end != '\t';)
					end++;
				if (end > p && moddep_name(p, (size_t)(end - p), dep) &&
				    registry_is_locked(reg, dep)) {
					if (append(buf, len, cap,
						   "# %s needs %s, which is locked: modprobe -r %s would remove it too.\n"
						   "remove %s %s unload --timeout 0 --with-deps %s\n",
						   name, dep, name, name, modctl, name) < 0)
						return -ENOMEM;
					break;
				}
				p = end;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

char *modprobe_guard_format(const struct registry *reg, const char *deptext, const char *modctl)
{
	size_t len = 0, cap = 0, i;
	char *buf = NULL;

	if (append(&buf, &len, &cap, "# Generated by modctl from its lockdown registry; do not edit.\n"
				     "# Makes 'modprobe -r' refuse modules locked with 'modctl lockdown'.\n") < 0)
		goto fail;
	for (i = 0; i < reg->n; i++)
		if (append(&buf, &len, &cap,
			   "remove %s echo \"modctl: %s is locked by modctl lockdown; run 'modctl unlock %s' first\" >&2; false\n",
			   reg->locks[i], reg->locks[i], reg->locks[i]) < 0)
			goto fail;
	if (reg->n && guard_dependents(&buf, &len, &cap, reg, deptext, modctl) < 0)
		goto fail;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* The modctl that remove lines run: this one if root installed it
 * (it is the one the administrator uses), else the configured one. */
static const char *guard_modctl_path(char buf[PATH_MAX])
{
	struct stat st;

	if (realpath("/proc/self/exe", buf) && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)) && !strpbrk(buf, " \t\n\"'\\$`;&|<>*?()"))
		return buf;
	return BINDIR "/modctl";
}

/* modules.dep of the running kernel, or NULL (then locks still hold for
 * modprobe -r of the locked module itself). */
static char *guard_read_moddep(void)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;

	if (running_kernel_file(path, sizeof(path), "/lib/modules/", "/modules.dep") < 0)
		return NULL;
	if (read_full_file(path, &text, &len) < 0) {
		log_debug("cannot read %s: the modprobe guard covers the locked modules only", path);
		return NULL;
	}
	return text;
}

/*
 * A file replaced atomically: the new text goes to a temporary file in the
 * same directory (written, fsynced), which replaces the file only when
 * every file of the change is ready. Everything happens relative to the
 * directory's fd, checked when the transaction began.
 */
struct pending {
	int dfd;
	const char *dir;
	const char *name;
	const char *path;   /* dir/name, for messages */
	char tmp[NAME_MAX + 1];
};

/* A new, empty temporary file in the directory: its name, a dot and six
 * random letters or digits (mkstemp() has no form relative to a dirfd). */
static int pending_create(struct pending *p)
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

static int pending_write(struct pending *p, const char *text)
{
	size_t len = strlen(text), done = 0;
	int fd, r;

	p->tmp[0] = '\0';
	fd = pending_create(p);
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

static void pending_discard(struct pending *p)
{
	if (p->tmp[0])
		unlinkat(p->dfd, p->tmp, 0);
	p->tmp[0] = '\0';
}

static int pending_install(struct pending *p)
{
	if (renameat(p->dfd, p->tmp, p->dfd, p->name) < 0)
		return log_error_errno(errno, "cannot replace %s: %m", p->path);
	p->tmp[0] = '\0';
	(void)fsync(p->dfd);
	return 0;
}

/* Temporary files of writers killed half-way: safe to remove under the lock,
 * since every live writer holds it while its temporary file exists. */
static void remove_stale_temporaries(int dfd, const char *dir, const char *base)
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

/* The guard is replaced by rename, never written through: still, one that
 * modctl cannot have written means someone else is at work there. */
static int check_guard(int gfd)
{
	char why[128];
	struct stat st;

	if (fstatat(gfd, MODPROBE_GUARD_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return log_error_errno(errno, "cannot examine %s: %m", MODPROBE_GUARD);
	}
	if (untrusted_reason(&st, S_IFREG, why, sizeof(why)))
		return log_error_errno(EPERM, "refusing to replace %s: %s; modctl did not write it (remove it, "
				       "and modctl writes it again)", MODPROBE_GUARD, why);
	return 0;
}

int registry_begin(struct registry_txn *txn)
{
	char why[128];
	int r;

	*txn = (struct registry_txn)REGISTRY_TXN_INIT;
	/* Exact modes for what modctl creates, whatever the caller's umask. */
	txn->saved_umask = umask(022);
	txn->began = true;
	txn->dir_fd = state_dir_open(REGISTRY_DIR, true);
	if (txn->dir_fd < 0)
		return txn->dir_fd;
	txn->lock_fd = open_trusted(txn->dir_fd, REGISTRY_LOCK_NAME, O_RDWR | O_CREAT, 0600, S_IFREG, NULL, why,
				    sizeof(why));
	if (txn->lock_fd == -EPERM && why[0])
		return refuse(REGISTRY_LOCK, why);
	if (txn->lock_fd < 0)
		return log_error_errno(txn->lock_fd, "cannot open %s: %m", REGISTRY_LOCK);
	while (flock(txn->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return log_error_errno(errno, "cannot lock %s: %m", REGISTRY_LOCK);
	}
	remove_stale_temporaries(txn->dir_fd, REGISTRY_DIR, REGISTRY_NAME);
	r = state_dir_open(MODPROBE_GUARD_DIR, false);
	if (r >= 0) {
		txn->guard_fd = r;
		remove_stale_temporaries(txn->guard_fd, MODPROBE_GUARD_DIR, MODPROBE_GUARD_NAME);
		r = check_guard(txn->guard_fd);
	}
	if (r < 0 && r != -ENOENT)
		return r;
	return registry_load_at(txn->dir_fd, &txn->reg);
}

int registry_commit(struct registry_txn *txn)
{
	_cleanup_free_ char *text = NULL, *guard = NULL, *deptext = NULL;
	char self[PATH_MAX];
	const char *modctl = BINDIR "/modctl";
	struct pending reg = { .dir = REGISTRY_DIR, .name = REGISTRY_NAME, .path = REGISTRY_FILE };
	struct pending grd = { .dir = MODPROBE_GUARD_DIR, .name = MODPROBE_GUARD_NAME, .path = MODPROBE_GUARD };
	int r;

	text = registry_format(&txn->reg);
	if (txn->reg.n) {
		deptext = guard_read_moddep();
		modctl = guard_modctl_path(self);
	}
	guard = modprobe_guard_format(&txn->reg, deptext, modctl);
	if (!text || !guard)
		return log_error_errno(ENOMEM, "out of memory");
	if (txn->guard_fd < 0) {
		r = state_dir_open(MODPROBE_GUARD_DIR, true);
		if (r < 0)
			return r;
		txn->guard_fd = r;
	}
	reg.dfd = txn->dir_fd;
	grd.dfd = txn->guard_fd;

	/* Both files are written in full before either replaces its old
	 * version, so a full disk or an I/O error changes nothing at all. */
	r = pending_write(&reg, text);
	if (r == 0)
		r = pending_write(&grd, guard);
	if (r == 0)
		r = pending_install(&reg);
	if (r < 0) {
		pending_discard(&reg);
		pending_discard(&grd);
		log_error("nothing was changed: the registry and the modprobe guard are as they were");
		return r;
	}
	/* A rename in the same directory fails only if the system is falling
	 * apart; say plainly what is left if it does. */
	r = pending_install(&grd);
	if (r < 0) {
		pending_discard(&grd);
		log_error("the registry was updated but %s was not: modprobe -r does not see the change",
			  MODPROBE_GUARD);
	}
	return r;
}

void registry_end(struct registry_txn *txn)
{
	if (txn->lock_fd >= 0)
		close(txn->lock_fd); /* releases the flock */
	if (txn->dir_fd >= 0)
		close(txn->dir_fd);
	if (txn->guard_fd >= 0)
		close(txn->guard_fd);
	if (txn->began)
		umask(txn->saved_umask);
	txn->lock_fd = txn->dir_fd = txn->guard_fd = -1;
	txn->began = false;
	registry_free(&txn->reg);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fake kernel state: module database, /proc/modules and /sys/module
 * rendering, emulated finit_module/init_module/delete_module, scripted
 * behaviour and timers, and the fakectl command language.
 *
 * Compiled into both tests/fake/libfakekernel.la (the LD_PRELOAD shim)
 * and tests/fake/fakectl.  Every path here is a real path below ROOT; all
 * file system calls go through fk_ops.  Layout (see README):
 *
 *   ROOT/.fake/modules        the module database (truth), one line each
 *   ROOT/.fake/kernel         kernel configuration, KEY=VALUE lines
 *   ROOT/.fake/uname-r        release reported by uname()
 *   ROOT/.fake/script/NAME    scripted behaviour of module NAME
 *   ROOT/.fake/timers/        pending timed commands
 *   ROOT/.fake/calls/SYSCALL  one line per emulated system call
 *   ROOT/.fake/lock           flock()ed around every state change
 *   ROOT/.fake/bpf/           the BPF side (fakebpf.c)
 *   ROOT/proc/modules, ROOT/sys/module/NAME/...  rendered from the database
 */
#include "../kernel-args.h"
#include "fakestate.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FK_PATH 4096
#define FK_DEPS 1024
#define FK_SHORT 128

enum { ST_LIVE, ST_COMING, ST_GOING };

struct fk_mod {
	char name[FK_NAME_MAX];
	long seq;
	long size;
	int state;
	long refcnt;
	char deps[FK_DEPS];     /* modules this one uses, comma separated */
	char taint[24];
	int perm;               /* init without exit: "[permanent]" */
	int sysfs;              /* 0 after "vanish": sysfs already torn down */
	char version[FK_SHORT];
	char srcversion[FK_SHORT];
	long btf;               /* its BTF object id: new for every instance */
	int dirty;              /* sysfs needs rendering */
};

struct fk_db {
	struct fk_mod *v;
	size_t n, cap;
	size_t *idx;            /* indices sorted by name */
	int idx_ok;
	char **gone;            /* names removed since load: tear down sysfs */
	size_t ngone;
};

struct fk_kconf {
	int unload;             /* CONFIG_MODULE_UNLOAD */
	int force_unload;       /* CONFIG_MODULE_FORCE_UNLOAD */
	int force_load;         /* CONFIG_MODULE_FORCE_LOAD */
	char md_write[32];      /* modules_disabled write behaviour */
};

static int fk_in_timer;         /* messages go to ROOT/.fake/log */
static const char *fk_msg_root;

static void scpy(char *d, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (l > n - 1)
		l = n - 1;
	memmove(d, s, l);
	d[l] = '\0';
}

static int pjoin(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pjoin(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* ------------------------------------------------------------------ */
/* messages */

static void fk_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fk_msg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (fk_in_timer && fk_msg_root) {
		char p[FK_PATH];
		int fd;

		pjoin(p, sizeof(p), "%s/.fake/log", fk_msg_root);
		fd = fk_ops->open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if (write(fd, buf, (size_t)n) < 0) { /* nothing to do */ }
			close(fd);
		}
		return;
	}
	if (write(STDERR_FILENO, "fakectl: ", 9) < 0 || write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

/* ------------------------------------------------------------------ */
/* errno names */

static const struct { int e; const char *n; } errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
	{ ETXTBSY, "ETXTBSY" }, { EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
	{ EPIPE, "EPIPE" }, { EDOM, "EDOM" }, { ERANGE, "ERANGE" },
	{ EDEADLK, "EDEADLK" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOLCK, "ENOLCK" }, { ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" },
	{ ELOOP, "ELOOP" }, { ENOMSG, "ENOMSG" }, { ENODATA, "ENODATA" },
	{ ETIME, "ETIME" }, { ENOLINK, "ENOLINK" }, { EPROTO, "EPROTO" },
	{ EBADMSG, "EBADMSG" }, { EOVERFLOW, "EOVERFLOW" },
	{ EILSEQ, "EILSEQ" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { EALREADY, "EALREADY" },
	{ EINPROGRESS, "EINPROGRESS" }, { ECANCELED, "ECANCELED" },
	{ ENOKEY, "ENOKEY" }, { EKEYEXPIRED, "EKEYEXPIRED" },
	{ EKEYREVOKED, "EKEYREVOKED" }, { EKEYREJECTED, "EKEYREJECTED" },
	{ EHWPOISON, "EHWPOISON" }, { ENOTSUP, "ENOTSUP" },
};

const char *fk_errno_name(int e)
{
	static __thread char buf[16];
	size_t i;

	if (e == 0)
		return "0";
	if (e == EWOULDBLOCK)
		return "EAGAIN";
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].n;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

int fk_errno_parse(const char *s)
{
	size_t i;
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	if (!strcmp(s, "EWOULDBLOCK"))
		return EWOULDBLOCK;
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].n, s))
			return errnames[i].e;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 4095)
		return -1;
	return (int)v;
}

/* ------------------------------------------------------------------ */
/* small file helpers */

long long fk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fk_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Read a whole small file into buf (NUL terminated).  Returns length or -errno. */
int fk_read_file(const char *path, char *buf, size_t len)
{
	int fd = fk_ops->open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_all(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return (int)n;
}

/* Read a whole file into a malloc()ed buffer. */
static char *read_file_alloc(const char *path, size_t *lenp)
{
	int fd = fk_ops->open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	n = read_all(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(buf);
		errno = (int)-n;
		return NULL;
	}
	buf[n] = '\0';
	if (lenp)
		*lenp = (size_t)n;
	return buf;
}

int fk_write_file_atomic(const char *path, const char *data, size_t len)
{
	static unsigned long counter;
	char tmp[FK_PATH];
	int fd, r;

	if (pjoin(tmp, sizeof(tmp), "%s.fk%ld.%lu", path, (long)getpid(),
		  __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)) < 0)
		return -ENAMETOOLONG;
	fd = fk_ops->open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	close(fd);
	if (r == 0 && fk_ops->rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		fk_ops->unlink(tmp);
	return r;
}

static int write_str(const char *path, const char *s)
{
	return fk_write_file_atomic(path, s, strlen(s));
}

/* Write only when the content differs (keeps renders of big trees cheap). */
static int write_if_changed(const char *path, const char *s)
{
	char old[512];
	size_t len = strlen(s);
	int n = fk_read_file(path, old, sizeof(old));

	if (n >= 0 && (size_t)n == len && memcmp(old, s, len) == 0)
		return 0;
	return fk_write_file_atomic(path, s, len);
}

static int append_line(const char *path, const char *line)
{
	int fd = fk_ops->open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, line, strlen(line));
	close(fd);
	return r;
}

static int mkdir_p(const char *path)
{
	char tmp[FK_PATH];
	char *p;

	if (pjoin(tmp, sizeof(tmp), "%s", path) < 0)
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (fk_ops->mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (fk_ops->mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static DIR *open_dir(const char *path)
{
	int fd = fk_ops->open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (fk_ops->lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return fk_ops->unlink(path) < 0 ? -errno : 0;
	d = open_dir(path);
	if (d) {
		while ((de = readdir(d))) {
			char sub[FK_PATH];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (pjoin(sub, sizeof(sub), "%s/%s", path, de->d_name) == 0)
				rm_rf(sub);
		}
		closedir(d);
	}
	return fk_ops->rmdir(path) < 0 ? -errno : 0;
}

static int exists(const char *path)
{
	struct stat st;

	return fk_ops->lstat(path, &st) == 0;
}

/* ------------------------------------------------------------------ */
/* locking */

int fk_lock(const char *root)
{
	char p[FK_PATH];
	int fd;

	if (pjoin(p, sizeof(p), "%s/.fake/lock", root) < 0)
		return -ENAMETOOLONG;
	fd = fk_ops->open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			return -e;
		}
	}
	return fd;
}

void fk_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------------ */
/* kernel configuration */

static void kconf_load(const char *root, struct fk_kconf *k)
{
	char p[FK_PATH], buf[2048];
	char *line, *save = NULL;

	k->unload = 1;
	k->force_unload = 1;
	k->force_load = 1;
	snprintf(k->md_write, sizeof(k->md_write), "ok");
	if (pjoin(p, sizeof(p), "%s/.fake/kernel", root) < 0 || fk_read_file(p, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq || line[0] == '#')
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "unload"))
			k->unload = atoi(eq);
		else if (!strcmp(line, "force_unload"))
			k->force_unload = atoi(eq);
		else if (!strcmp(line, "force_load"))
			k->force_load = atoi(eq);
		else if (!strcmp(line, "modules_disabled_write"))
			scpy(k->md_write, sizeof(k->md_write), eq);
	}
}

static int kconf_set(const char *root, const char *key, const char *value)
{
	char p[FK_PATH], buf[2048], out[2300];
	char *line, *save = NULL;
	size_t o = 0;
	size_t klen = strlen(key);

	if (pjoin(p, sizeof(p), "%s/.fake/kernel", root) < 0)
		return -ENAMETOOLONG;
	if (fk_read_file(p, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	out[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == '=')
			continue;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n", line);
		if (o >= sizeof(out))
			return -E2BIG;
	}
	o += (size_t)snprintf(out + o, sizeof(out) - o, "%s=%s\n", key, value);
	if (o >= sizeof(out))
		return -E2BIG;
	return fk_write_file_atomic(p, out, o);
}

static int read_flag_file(const char *root, const char *rel)
{
	char p[FK_PATH], buf[64];

	if (pjoin(p, sizeof(p), "%s/%s", root, rel) < 0 || fk_read_file(p, buf, sizeof(buf)) <= 0)
		return 0;
	return buf[0] == '1' || buf[0] == 'Y' || buf[0] == 'y';
}

static int modules_disabled(const char *root)
{
	return read_flag_file(root, "proc/sys/kernel/modules_disabled");
}

/* /sys/kernel/security/lockdown: "[none] integrity confidentiality" */
static int lockdown_active(const char *root)
{
	char p[FK_PATH], buf[128];

	if (pjoin(p, sizeof(p), "%s/sys/kernel/security/lockdown", root) < 0 ||
	    fk_read_file(p, buf, sizeof(buf)) <= 0)
		return 0;
	return strstr(buf, "[none]") == NULL;
}

void fk_release(const char *root, char *buf, size_t len)
{
	char p[FK_PATH], tmp[128];
	char *nl;

	if (pjoin(p, sizeof(p), "%s/.fake/uname-r", root) < 0 || fk_read_file(p, tmp, sizeof(tmp)) <= 0) {
		snprintf(buf, len, "6.1.0-fake");
		return;
	}
	nl = strpbrk(tmp, "\r\n \t");
	if (nl)
		*nl = '\0';
	scpy(buf, len, tmp[0] ? tmp : "6.1.0-fake");
}

static void add_kernel_taint(const char *root, unsigned long bit)
{
	char p[FK_PATH], buf[64], out[64];
	unsigned long v = 0;

	if (pjoin(p, sizeof(p), "%s/proc/sys/kernel/tainted", root) < 0)
		return;
	if (fk_read_file(p, buf, sizeof(buf)) > 0)
		v = strtoul(buf, NULL, 10);
	v |= 1UL << bit;
	snprintf(out, sizeof(out), "%lu\n", v);
	write_str(p, out);
}

/* ------------------------------------------------------------------ */
/* module database */

static const char *state_name(int s)
{
	return s == ST_COMING ? "coming" : s == ST_GOING ? "going" : "live";
}

static int state_parse(const char *s)
{
	if (!strcmp(s, "live"))
		return ST_LIVE;
	if (!strcmp(s, "coming"))
		return ST_COMING;
	if (!strcmp(s, "going"))
		return ST_GOING;
	return -1;
}

static int valid_name(const char *n)
{
	size_t l = strlen(n);

	if (l == 0 || l >= FK_NAME_MAX)
		return 0;
	for (; *n; n++)
		if (*n == '/' || *n == ',' || isspace((unsigned char)*n) || *n == '=')
			return 0;
	return 1;
}

static int valid_word(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return 0;
	return 1;
}

static void db_free(struct fk_db *db)
{
	size_t i;

	free(db->v);
	free(db->idx);
	for (i = 0; i < db->ngone; i++)
		free(db->gone[i]);
	free(db->gone);
	memset(db, 0, sizeof(*db));
}

static struct fk_mod *db_new(struct fk_db *db)
{
	struct fk_mod *m;

	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 64;
		struct fk_mod *v = realloc(db->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		db->v = v;
		db->cap = cap;
	}
	m = &db->v[db->n++];
	memset(m, 0, sizeof(*m));
	m->sysfs = 1;
	db->idx_ok = 0;
	return m;
}

static const struct fk_db *sort_db;
static int idx_cmp(const void *a, const void *b)
{
	return strcmp(sort_db->v[*(const size_t *)a].name, sort_db->v[*(const size_t *)b].name);
}

static int db_index(struct fk_db *db)
{
	size_t i;

	if (db->idx_ok)
		return 0;
	free(db->idx);
	db->idx = malloc((db->n + 1) * sizeof(size_t));
	if (!db->idx)
		return -ENOMEM;
	for (i = 0; i < db->n; i++)
		db->idx[i] = i;
	sort_db = db;
	qsort(db->idx, db->n, sizeof(size_t), idx_cmp);
	db->idx_ok = 1;
	return 0;
}

static struct fk_mod *db_find(struct fk_db *db, const char *name)
{
	size_t lo = 0, hi;

	if (db_index(db) < 0) {
		size_t i;

		for (i = 0; i < db->n; i++)
			if (!strcmp(db->v[i].name, name))
				return &db->v[i];
		return NULL;
	}
	hi = db->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(db->v[db->idx[mid]].name, name);

		if (c == 0)
			return &db->v[db->idx[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static long db_next_seq(const struct fk_db *db)
{
	long s = 0;
	size_t i;

	for (i = 0; i < db->n; i++)
		if (db->v[i].seq > s)
			s = db->v[i].seq;
	return s + 1;
}

static int has_word(const char *list, const char *w)
{
	size_t l = strlen(w);
	const char *p = list;

	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n == l && !strncmp(p, w, l))
			return 1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

static void remove_word(char *list, const char *w)
{
	char out[FK_DEPS];
	size_t o = 0, l = strlen(w);
	const char *p = list;

	out[0] = '\0';
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n > 0 && !(n == l && !strncmp(p, w, l))) {
			if (o)
				out[o++] = ',';
			memcpy(out + o, p, n);
			o += n;
		}
		if (!c)
			break;
		p = c + 1;
	}
	out[o] = '\0';
	memcpy(list, out, o + 1);
}

static int add_word(char *list, size_t size, const char *w)
{
	size_t l = strlen(list);

	if (has_word(list, w))
		return 0;
	if (l + strlen(w) + 2 > size)
		return -E2BIG;
	if (l)
		list[l++] = ',';
	strcpy(list + l, w);
	return 0;
}

static void db_mark_gone(struct fk_db *db, const char *name)
{
	char **g = realloc(db->gone, (db->ngone + 1) * sizeof(char *));

	if (!g)
		return;
	db->gone = g;
	g[db->ngone] = strdup(name);
	if (g[db->ngone])
		db->ngone++;
}

static int db_load(const char *root, struct fk_db *db)
{
	char p[FK_PATH];
	char *buf, *line, *save = NULL;

	memset(db, 0, sizeof(*db));
	if (pjoin(p, sizeof(p), "%s/.fake/modules", root) < 0)
		return -ENAMETOOLONG;
	buf = read_file_alloc(p, NULL);
	if (!buf)
		return errno == ENOENT ? 0 : -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *tsave = NULL;
		struct fk_mod *m;

		if (line[0] == '#' || !line[0])
			continue;
		m = db_new(db);
		if (!m) {
			free(buf);
			return -ENOMEM;
		}
		tok = strtok_r(line, " ", &tsave);
		scpy(m->name, sizeof(m->name), tok ? tok : "?");
		while ((tok = strtok_r(NULL, " ", &tsave))) {
			char *v = strchr(tok, '=');

			if (!v)
				continue;
			*v++ = '\0';
			if (!strcmp(tok, "seq"))
				m->seq = atol(v);
			else if (!strcmp(tok, "size"))
				m->size = atol(v);
			else if (!strcmp(tok, "state"))
				m->state = state_parse(v) < 0 ? ST_LIVE : state_parse(v);
			else if (!strcmp(tok, "refcnt"))
				m->refcnt = atol(v);
			else if (!strcmp(tok, "deps"))
				scpy(m->deps, sizeof(m->deps), strcmp(v, "-") ? v : "");
			else if (!strcmp(tok, "taint"))
				scpy(m->taint, sizeof(m->taint), strcmp(v, "-") ? v : "");
			else if (!strcmp(tok, "perm"))
				m->perm = atoi(v);
			else if (!strcmp(tok, "sysfs"))
				m->sysfs = atoi(v);
			else if (!strcmp(tok, "version"))
				scpy(m->version, sizeof(m->version), v);
			else if (!strcmp(tok, "srcversion"))
				scpy(m->srcversion, sizeof(m->srcversion), v);
			else if (!strcmp(tok, "btf"))
				m->btf = atol(v);
		}
	}
	free(buf);
	return 0;
}

struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->err)
		return;
	for (;;) {
		size_t avail = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->p ? sb->p + sb->len : NULL, sb->p ? avail : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->err = -EINVAL;
			return;
		}
		if (sb->p && (size_t)n < avail) {
			sb->len += (size_t)n;
			return;
		}
		{
			size_t cap = (sb->cap + (size_t)n + 1) * 2;
			char *np = realloc(sb->p, cap);

			if (!np) {
				sb->err = -ENOMEM;
				return;
			}
			sb->p = np;
			sb->cap = cap;
		}
	}
}

/* holders of every module, ordered newest first (the kernel's list_add order) */
struct holders {
	size_t *start;          /* per module: index into list */
	size_t *count;
	size_t *list;           /* module indices */
};

static int seq_desc_cmp(const void *a, const void *b)
{
	long sa = sort_db->v[*(const size_t *)a].seq;
	long sb = sort_db->v[*(const size_t *)b].seq;

	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

static size_t *order_by_seq(struct fk_db *db)
{
	size_t *o = malloc((db->n + 1) * sizeof(size_t));
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < db->n; i++)
		o[i] = i;
	sort_db = db;
	qsort(o, db->n, sizeof(size_t), seq_desc_cmp);
	return o;
}

static void for_each_dep(const char *deps, void (*fn)(const char *, void *), void *ud)
{
	char buf[FK_DEPS];
	char *t, *save = NULL;

	scpy(buf, sizeof(buf), deps);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		fn(t, ud);
}

struct hctx {
	struct fk_db *db;
	struct holders *h;
	size_t holder;
	int fill;
};

static void hcount_cb(const char *dep, void *ud)
{
	struct hctx *c = ud;
	struct fk_mod *d = db_find(c->db, dep);
	size_t j;

	if (!d)
		return;
	j = (size_t)(d - c->db->v);
	if (c->fill)
		c->h->list[c->h->start[j] + c->h->count[j]] = c->holder;
	c->h->count[j]++;
}

static int holders_build(struct fk_db *db, struct holders *h, size_t *order)
{
	size_t i, total = 0;
	struct hctx c;

	h->start = calloc(db->n + 1, sizeof(size_t));
	h->count = calloc(db->n + 1, sizeof(size_t));
	if (!h->start || !h->count)
		return -ENOMEM;
	c.db = db;
	c.h = h;
	c.fill = 0;
	for (i = 0; i < db->n; i++) {
		c.holder = i;
		for_each_dep(db->v[i].deps, hcount_cb, &c);
	}
	for (i = 0; i < db->n; i++) {
		h->start[i] = total;
		total += h->count[i];
		h->count[i] = 0;
	}
	h->list = malloc((total + 1) * sizeof(size_t));
	if (!h->list)
		return -ENOMEM;
	c.fill = 1;
	for (i = 0; i < db->n; i++) {
		c.holder = order[i];
		for_each_dep(db->v[order[i]].deps, hcount_cb, &c);
	}
	return 0;
}

static void holders_free(struct holders *h)
{
	free(h->start);
	free(h->count);
	free(h->list);
}

static size_t nholders(struct fk_db *db, const struct fk_mod *m)
{
	size_t i, n = 0;

	for (i = 0; i < db->n; i++)
		if (has_word(db->v[i].deps, m->name))
			n++;
	return n;
}

/* Bulk creation ("gen"): files of a directory created by this render are
 * written in place, which is much cheaper on a journaling file system.
 * Otherwise every attribute is replaced atomically, so a concurrent reader
 * never sees an empty attribute (real sysfs never shows one). */
static int render_bulk;

static int put(const char *path, const char *s, int fresh)
{
	int fd, r;

	if (!fresh || !render_bulk)
		return write_if_changed(path, s);
	fd = fk_ops->open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, s, strlen(s));
	close(fd);
	return r;
}

static int sysfs_render(const char *root, struct fk_db *db, struct holders *h,
			size_t i, const struct fk_kconf *k)
{
	const struct fk_mod *m = &db->v[i];
	char dir[FK_PATH], p[FK_PATH], buf[FK_SHORT + 8];
	size_t j;
	DIR *d;
	struct dirent *de;
	int r, fresh = 0;

	if (pjoin(dir, sizeof(dir), "%s/sys/module/%s", root, m->name) < 0)
		return -ENAMETOOLONG;
	if (!m->sysfs)
		return rm_rf(dir);
	if (fk_ops->mkdir(dir, 0755) == 0)
		fresh = 1;
	else if (errno != EEXIST && (r = mkdir_p(dir)) < 0)
		return r;
	pjoin(p, sizeof(p), "%s/initstate", dir);
	snprintf(buf, sizeof(buf), "%s\n", state_name(m->state));
	put(p, buf, fresh);
	pjoin(p, sizeof(p), "%s/refcnt", dir);
	if (k->unload) {
		snprintf(buf, sizeof(buf), "%ld\n", m->refcnt);
		put(p, buf, fresh);
	} else if (!fresh) {
		fk_ops->unlink(p);
	}
	pjoin(p, sizeof(p), "%s/coresize", dir);
	snprintf(buf, sizeof(buf), "%ld\n", m->size);
	put(p, buf, fresh);
	pjoin(p, sizeof(p), "%s/initsize", dir);
	put(p, "0\n", fresh);
	pjoin(p, sizeof(p), "%s/taint", dir);
	snprintf(buf, sizeof(buf), "%s\n", m->taint);
	put(p, buf, fresh);
	pjoin(p, sizeof(p), "%s/version", dir);
	if (m->version[0]) {
		snprintf(buf, sizeof(buf), "%s\n", m->version);
		put(p, buf, fresh);
	} else if (!fresh) {
		fk_ops->unlink(p);
	}
	pjoin(p, sizeof(p), "%s/srcversion", dir);
	if (m->srcversion[0]) {
		snprintf(buf, sizeof(buf), "%s\n", m->srcversion);
		put(p, buf, fresh);
	} else if (!fresh) {
		fk_ops->unlink(p);
	}
	pjoin(p, sizeof(p), "%s/uevent", dir);
	if (fresh || !exists(p)) {
		int fd = fk_ops->open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0200);

		if (fd >= 0)
			close(fd);
	}
	/* holders/: symlinks ../../HOLDER */
	pjoin(p, sizeof(p), "%s/holders", dir);
	if (!k->unload) {
		rm_rf(p);
		return 0;
	}
	fk_ops->mkdir(p, 0755);
	d = fresh ? NULL : open_dir(p);
	if (d) {
		while ((de = readdir(d))) {
			int keep = 0;

			if (de->d_name[0] == '.')
				continue;
			for (j = 0; j < h->count[i]; j++)
				if (!strcmp(db->v[h->list[h->start[i] + j]].name, de->d_name))
					keep = 1;
			if (!keep) {
				char lp[FK_PATH];

				if (pjoin(lp, sizeof(lp), "%s/%s", p, de->d_name) == 0)
					fk_ops->unlink(lp);
			}
		}
		closedir(d);
	}
	for (j = 0; j < h->count[i]; j++) {
		const char *hn = db->v[h->list[h->start[i] + j]].name;
		char lp[FK_PATH], target[FK_PATH];

		if (pjoin(lp, sizeof(lp), "%s/%s", p, hn) < 0)
			continue;
		if (!fresh && exists(lp))
			continue;
		snprintf(target, sizeof(target), "../../%s", hn);
		fk_ops->symlink(target, lp);
	}
	return 0;
}

static const char taint_order[] = "PFSRMBUDAWCIOELKXTN";

static void taint_normalize(char *t)
{
	char out[sizeof(taint_order)];
	size_t i, o = 0;

	for (i = 0; taint_order[i]; i++)
		if (strchr(t, taint_order[i]))
			out[o++] = taint_order[i];
	out[o] = '\0';
	strcpy(t, out);
}

/* Every module instance gets a BTF object id of its own, higher than any
 * before it (ROOT/.fake/btf-next), as the kernel's ids grow: a module
 * removed and loaded again is told from its earlier instance by it. */
static void btf_ids_assign(const char *root, struct fk_db *db)
{
	char p[FK_PATH], v[32];
	long next = 0;
	size_t i;

	for (i = 0; i < db->n; i++) {
		if (db->v[i].btf)
			continue;
		if (!next) {
			if (pjoin(p, sizeof(p), "%s/.fake/btf-next", root) < 0)
				return;
			next = fk_read_file(p, v, sizeof(v)) >= 0 ? atol(v) : 0;
			if (next < 2)
				next = 2; /* 1 is vmlinux */
		}
		db->v[i].btf = next++;
	}
	if (next) {
		snprintf(v, sizeof(v), "%ld\n", next);
		fk_write_file_atomic(p, v, strlen(v));
	}
}

/* Write the database, /proc/modules and the sysfs of dirty modules. */
static int db_save(const char *root, struct fk_db *db)
{
	struct fk_kconf k;
	struct sbuf dbs = { 0 }, proc = { 0 };
	struct holders h = { 0 };
	size_t *order;
	size_t i, j;
	char p[FK_PATH];
	int r = 0;

	kconf_load(root, &k);
	btf_ids_assign(root, db);
	order = order_by_seq(db);
	if (!order)
		return -ENOMEM;
	db_index(db);
	if ((r = holders_build(db, &h, order)) < 0)
		goto out;
	sb_printf(&dbs, "# fake kernel module database: NAME key=value...\n");
	for (j = 0; j < db->n; j++) {
		struct fk_mod *m = &db->v[order[j]];
		size_t hi = order[j];

		sb_printf(&dbs, "%s seq=%ld size=%ld state=%s refcnt=%ld deps=%s taint=%s perm=%d sysfs=%d",
			  m->name, m->seq, m->size, state_name(m->state), m->refcnt,
			  m->deps[0] ? m->deps : "-", m->taint[0] ? m->taint : "-", m->perm, m->sysfs);
		if (m->version[0])
			sb_printf(&dbs, " version=%s", m->version);
		if (m->srcversion[0])
			sb_printf(&dbs, " srcversion=%s", m->srcversion);
		if (m->btf)
			sb_printf(&dbs, " btf=%ld", m->btf);
		sb_printf(&dbs, "\n");

		/* kernel/module/procfs.c m_show() */
		sb_printf(&proc, "%s %ld", m->name, m->size);
		if (k.unload) {
			int printed = 0;

			sb_printf(&proc, " %ld ", m->refcnt);
			for (i = 0; i < h.count[hi]; i++) {
				sb_printf(&proc, "%s,", db->v[h.list[h.start[hi] + i]].name);
				printed = 1;
			}
			if (m->perm) {
				sb_printf(&proc, "[permanent],");
				printed = 1;
			}
			if (!printed)
				sb_printf(&proc, "-");
		} else {
			sb_printf(&proc, " - -");
		}
		sb_printf(&proc, " %s 0x0000000000000000",
			  m->state == ST_GOING ? "Unloading" : m->state == ST_COMING ? "Loading" : "Live");
		if (m->taint[0])
			sb_printf(&proc, " (%s%s)", m->taint,
				  m->state == ST_GOING ? "-" : m->state == ST_COMING ? "+" : "");
		sb_printf(&proc, "\n");
	}
	if (dbs.err || proc.err) {
		r = dbs.err ? dbs.err : proc.err;
		goto out;
	}
	/* sysfs first, /proc/modules last, like the kernel's ordering on load */
	for (i = 0; i < db->ngone; i++) {
		if (db_find(db, db->gone[i]))
			continue;
		if (pjoin(p, sizeof(p), "%s/sys/module/%s", root, db->gone[i]) == 0)
			rm_rf(p);
	}
	for (i = 0; i < db->n; i++)
		if (db->v[i].dirty) {
			sysfs_render(root, db, &h, i, &k);
			db->v[i].dirty = 0;
		}
	if ((r = pjoin(p, sizeof(p), "%s/.fake/modules", root)) < 0)
		goto out;
	if ((r = fk_write_file_atomic(p, dbs.p ? dbs.p : "", dbs.len)) < 0)
		goto out;
	if ((r = pjoin(p, sizeof(p), "%s/proc/modules", root)) < 0)
		goto out;
	r = fk_write_file_atomic(p, proc.p ? proc.p : "", proc.len);
	if (r == 0 && fk_bpf_enabled(root)) {
		struct fk_bpf_mod *bm = calloc(db->n + 1, sizeof(*bm));

		for (i = 0; bm && i < db->n; i++)
			bm[i] = (struct fk_bpf_mod){ .name = db->v[i].name, .btf = db->v[i].btf };
		if (bm)
			fk_bpf_render(root, bm, db->n);
		free(bm);
	}
out:
	holders_free(&h);
	free(order);
	free(dbs.p);
	free(proc.p);
	return r;
}

/* dependency reference taken by a module that uses "dep" (ref_module) */
static void dep_get_cb(const char *dep, void *ud)
{
	struct fk_db *db = ud;
	struct fk_mod *d = db_find(db, dep);

	if (d) {
		d->refcnt++;
		d->dirty = 1;
	}
}

static void dep_put_cb(const char *dep, void *ud)
{
	struct fk_db *db = ud;
	struct fk_mod *d = db_find(db, dep);

	if (d) {
		d->refcnt--;
		d->dirty = 1;
	}
}

/* Remove module m from the database: drops the references it holds on its
 * dependencies, forgets it as a holder (for administrative removals), and
 * tears down its sysfs directory at the next save. */
static void db_remove(struct fk_db *db, struct fk_mod *m)
{
	char name[FK_NAME_MAX];
	size_t i, at = (size_t)(m - db->v);

	scpy(name, sizeof(name), m->name);
	for_each_dep(m->deps, dep_put_cb, db);
	db_mark_gone(db, name);
	memmove(&db->v[at], &db->v[at + 1], (db->n - at - 1) * sizeof(db->v[0]));
	db->n--;
	db->idx_ok = 0;
	for (i = 0; i < db->n; i++)
		if (has_word(db->v[i].deps, name)) {
			remove_word(db->v[i].deps, name);
			db->v[i].dirty = 1;
		}
}

/* ------------------------------------------------------------------ */
/* call log */

static void log_call(const char *root, const char *sys, const char *name,
		     unsigned int flags, int err, const char *args)
{
	char p[FK_PATH], line[FK_PATH + 200];

	if (pjoin(p, sizeof(p), "%s/.fake/calls", root) < 0)
		return;
	fk_ops->mkdir(p, 0755);
	if (args)
		snprintf(line, sizeof(line), "%s 0x%x %s %s\n", name, flags, fk_errno_name(err), args);
	else
		snprintf(line, sizeof(line), "%s 0x%x %s\n", name, flags, fk_errno_name(err));
	if (pjoin(p, sizeof(p), "%s/.fake/calls/%s", root, sys) == 0)
		append_line(p, line);
	snprintf(line, sizeof(line), "%lld %ld %s %s 0x%x %s\n", fk_now_ms(), (long)getpid(),
		 sys, name, flags, fk_errno_name(err));
	if (pjoin(p, sizeof(p), "%s/.fake/calls/log", root) == 0)
		append_line(p, line);
}

void fk_log_call(const char *root, const char *sys, const char *name, unsigned int flags, int err, const char *args)
{
	log_call(root, sys, name, flags, err, args);
}

/* Database changes the BPF side makes (fakebpf.c) */

static int mod_ref(const char *root, const char *name, long btf, int delta)
{
	struct fk_db db;
	struct fk_mod *m;
	int r = db_load(root, &db);

	if (r == 0) {
		m = db_find(&db, name);
		if (!m || m->btf != btf) {
			r = -ESTALE;
		} else {
			m->refcnt += delta;
			m->dirty = 1;
			r = db_save(root, &db);
		}
	}
	db_free(&db);
	return r;
}

int fk_mod_ref(const char *root, const char *name, long btf, int delta, int locked)
{
	int lock, r;

	if (locked)
		return mod_ref(root, name, btf, delta);
	lock = fk_lock(root);
	if (lock < 0)
		return lock;
	r = mod_ref(root, name, btf, delta);
	fk_unlock(lock);
	return r;
}

int fk_rerender_locked(const char *root)
{
	struct fk_db db;
	size_t i;
	int r = db_load(root, &db);

	if (r == 0) {
		for (i = 0; i < db.n; i++)
			db.v[i].dirty = 1;
		r = db_save(root, &db);
	}
	db_free(&db);
	return r < 0 ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* timers */

static int timer_add(const char *root, long long deadline, int argc, char **argv)
{
	static unsigned long counter;
	char dir[FK_PATH], p[FK_PATH];
	struct sbuf sb = { 0 };
	int i, r;

	if (pjoin(dir, sizeof(dir), "%s/.fake/timers", root) < 0)
		return -ENAMETOOLONG;
	fk_ops->mkdir(dir, 0755);
	if (pjoin(p, sizeof(p), "%s/%015lld.%ld.%lu", dir, deadline, (long)getpid(),
		  __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)) < 0)
		return -ENAMETOOLONG;
	for (i = 0; i < argc; i++)
		sb_printf(&sb, "%s\n", argv[i]);
	r = sb.err ? sb.err : fk_write_file_atomic(p, sb.p ? sb.p : "", sb.len);
	free(sb.p);
	return r;
}

static int dispatch(const char *root, int argc, char **argv);

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run due timers.  Caller holds the lock. */
static void tick_locked(const char *root)
{
	char dir[FK_PATH];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, left = 0;
	long long now = fk_now_ms();

	if (pjoin(dir, sizeof(dir), "%s/.fake/timers", root) < 0)
		return;
	d = open_dir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".fk"))
			continue;
		if (atoll(de->d_name) > now) {
			left++;
			continue;
		}
		nn = realloc(names, (n + 1) * sizeof(char *));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(char *), name_cmp);
	for (i = 0; i < n; i++) {
		char p[FK_PATH];
		char *buf, *line, *save = NULL;
		char *argv[64];
		int argc = 0;

		if (pjoin(p, sizeof(p), "%s/%s", dir, names[i]) < 0)
			continue;
		buf = read_file_alloc(p, NULL);
		fk_ops->unlink(p);
		if (!buf)
			continue;
		for (line = strtok_r(buf, "\n", &save); line && argc < 63; line = strtok_r(NULL, "\n", &save))
			argv[argc++] = line;
		argv[argc] = NULL;
		if (argc > 0) {
			int was = fk_in_timer;

			fk_in_timer = 1;
			fk_msg_root = root;
			dispatch(root, argc, argv);
			fk_in_timer = was;
		}
		free(buf);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (left == 0)
		fk_ops->rmdir(dir);     /* fast path for fk_tick() */
}

void fk_tick(const char *root)
{
	char dir[FK_PATH];
	DIR *d;
	struct dirent *de;
	long long now;
	int due = 0, fd;

	if (pjoin(dir, sizeof(dir), "%s/.fake/timers", root) < 0)
		return;
	d = open_dir(dir);
	if (!d)
		return;
	now = fk_now_ms();
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && !strstr(de->d_name, ".fk") && atoll(de->d_name) <= now)
			due = 1;
	closedir(d);
	if (!due)
		return;
	fd = fk_lock(root);
	if (fd < 0)
		return;
	tick_locked(root);
	fk_unlock(fd);
}

/* ------------------------------------------------------------------ */
/* scripts: ROOT/.fake/script/NAME */

struct directive {
	char kw[32];
	char a[3][64];
	int na;
};

#define MAX_DIRECTIVES 32

static int script_load(const char *root, const char *name, struct directive *dv)
{
	char p[FK_PATH], buf[4096];
	char *line, *save = NULL;
	int n = 0;

	if (pjoin(p, sizeof(p), "%s/.fake/script/%s", root, name) < 0 || fk_read_file(p, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line && n < MAX_DIRECTIVES; line = strtok_r(NULL, "\n", &save)) {
		char *tok, *tsave = NULL;
		struct directive *d = &dv[n];

		if (line[0] == '#')
			continue;
		tok = strtok_r(line, " \t", &tsave);
		if (!tok)
			continue;
		memset(d, 0, sizeof(*d));
		scpy(d->kw, sizeof(d->kw), tok);
		while (d->na < 3 && (tok = strtok_r(NULL, " \t", &tsave)))
			scpy(d->a[d->na++], sizeof(d->a[0]), tok);
		n++;
	}
	return n;
}

static int script_save(const char *root, const char *name, const struct directive *dv, int n)
{
	char p[FK_PATH];
	struct sbuf sb = { 0 };
	int i, j, r;

	if (pjoin(p, sizeof(p), "%s/.fake/script/%s", root, name) < 0)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++) {
		if (!dv[i].kw[0])
			continue;
		sb_printf(&sb, "%s", dv[i].kw);
		for (j = 0; j < dv[i].na; j++)
			sb_printf(&sb, " %s", dv[i].a[j]);
		sb_printf(&sb, "\n");
	}
	if (sb.err)
		r = sb.err;
	else if (sb.len == 0)
		r = fk_ops->unlink(p) < 0 && errno != ENOENT ? -errno : 0;
	else
		r = fk_write_file_atomic(p, sb.p, sb.len);
	free(sb.p);
	return r;
}

static int is_timed(const char *kw)
{
	return !strcmp(kw, "refcnt-drop") || !strcmp(kw, "holders-drop") ||
	       !strcmp(kw, "live-after") || !strcmp(kw, "gone-after");
}

/* Convert a timed directive into a timer firing MS from now. */
static int arm_timed(const char *root, const char *name, const struct directive *d)
{
	char *argv[4];
	char nb[FK_NAME_MAX];
	long ms = atol(d->a[0]);
	int argc = 0;

	scpy(nb, sizeof(nb), name);
	if (!strcmp(d->kw, "refcnt-drop")) {
		argv[argc++] = (char *)"refcnt-drop";
		argv[argc++] = nb;
	} else if (!strcmp(d->kw, "holders-drop")) {
		argv[argc++] = (char *)"unload-holders";
		argv[argc++] = nb;
	} else if (!strcmp(d->kw, "live-after")) {
		argv[argc++] = (char *)"set-state";
		argv[argc++] = nb;
		argv[argc++] = (char *)"live";
	} else {
		argv[argc++] = (char *)"remove";
		argv[argc++] = nb;
	}
	argv[argc] = NULL;
	return timer_add(root, fk_now_ms() + ms, argc, argv);
}

/* An event ("load" or "unload") happened for NAME: arm the timed directives
 * waiting for it.  Caller holds the lock. */
static void script_event(const char *root, const char *name, const char *event)
{
	struct directive dv[MAX_DIRECTIVES];
	int n = script_load(root, name, dv), i, changed = 0;

	for (i = 0; i < n; i++) {
		const char *trig = dv[i].na > 1 ? dv[i].a[1] : "unload";

		if (!is_timed(dv[i].kw) || strcmp(trig, event))
			continue;
		arm_timed(root, name, &dv[i]);
		dv[i].kw[0] = '\0';
		changed = 1;
	}
	if (changed)
		script_save(root, name, dv, n);
}

void fk_probe(const char *root, const char *path)
{
	char name[FK_NAME_MAX], p[FK_PATH];
	size_t n = strcspn(path, "/");
	struct stat st;
	int fd;

	if (n == 0 || n >= sizeof(name))
		return;
	memcpy(name, path, n);
	name[n] = '\0';
	if (pjoin(p, sizeof(p), "%s/.fake/script/%s", root, name) < 0 || fk_ops->lstat(p, &st) < 0)
		return;
	fd = fk_lock(root);
	if (fd < 0)
		return;
	script_event(root, name, "probe");
	fk_unlock(fd);
}

/* Scripted errno for KW ("load-error"/"unload-error"/"init-error"), consuming
 * one use of a counted directive.  Returns 0 when none applies. */
static int script_errno(const char *root, const char *name, const char *kw)
{
	struct directive dv[MAX_DIRECTIVES];
	int n = script_load(root, name, dv), i;

	for (i = 0; i < n; i++) {
		int e;

		if (strcmp(dv[i].kw, kw))
			continue;
		e = fk_errno_parse(dv[i].a[0]);
		if (e <= 0)
			continue;
		if (dv[i].na > 1) {
			long left = atol(dv[i].a[1]) - 1;

			if (left <= 0)
				dv[i].kw[0] = '\0';
			else
				snprintf(dv[i].a[1], sizeof(dv[i].a[1]), "%ld", left);
			script_save(root, name, dv, n);
		}
		return e;
	}
	return 0;
}

static long script_ms(const char *root, const char *name, const char *kw)
{
	struct directive dv[MAX_DIRECTIVES];
	int n = script_load(root, name, dv), i;

	for (i = 0; i < n; i++)
		if (!strcmp(dv[i].kw, kw))
			return dv[i].na ? atol(dv[i].a[0]) : 0;
	return -1;
}

void fk_after_proc_modules_read(const char *root)
{
	char dir[FK_PATH];
	DIR *d;
	struct dirent *de;
	char names[16][FK_NAME_MAX];
	int n = 0, i, fd;
	struct fk_db db;

	if (pjoin(dir, sizeof(dir), "%s/.fake/script", root) < 0)
		return;
	d = open_dir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n < 16) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".fk"))
			continue;
		if (script_ms(root, de->d_name, "vanish-on-list") >= 0)
			scpy(names[n++], FK_NAME_MAX, de->d_name);
	}
	closedir(d);
	if (n == 0)
		return;
	fd = fk_lock(root);
	if (fd < 0)
		return;
	if (db_load(root, &db) == 0) {
		for (i = 0; i < n; i++) {
			struct directive dv[MAX_DIRECTIVES];
			int nd = script_load(root, names[i], dv), j;
			struct fk_mod *m;

			for (j = 0; j < nd; j++)
				if (!strcmp(dv[j].kw, "vanish-on-list"))
					dv[j].kw[0] = '\0';
			script_save(root, names[i], dv, nd);
			m = db_find(&db, names[i]);
			if (m)
				db_remove(&db, m);
		}
		db_save(root, &db);
	}
	db_free(&db);
	fk_unlock(fd);
}

/* ------------------------------------------------------------------ */
/* ELF module parsing */

struct modinfo {
	const char *data;       /* .modinfo section */
	size_t len;
	int has_init, has_exit;
	int signed_;
};

static const char SIG_MAGIC[] = "~Module signature appended~\n";

static int elf_parse(const void *image, size_t len, struct modinfo *mi)
{
	const unsigned char *b = image;
	const Elf64_Ehdr *eh = image;
	const Elf64_Shdr *sh;
	const char *shstr;
	size_t i, shnum, mlen = strlen(SIG_MAGIC);

	memset(mi, 0, sizeof(*mi));
	if (len >= mlen && memcmp(b + len - mlen, SIG_MAGIC, mlen) == 0)
		mi->signed_ = 1;
	if (len < sizeof(*eh) || memcmp(b, ELFMAG, SELFMAG) != 0 ||
	    b[EI_CLASS] != ELFCLASS64 || b[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL)
		return -ENOEXEC;
	shnum = eh->e_shnum;
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || shnum == 0 ||
	    eh->e_shoff > len || shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= shnum || (eh->e_shoff % 8) != 0)
		return -ENOEXEC;
	sh = (const Elf64_Shdr *)(const void *)(b + eh->e_shoff);
	if (sh[eh->e_shstrndx].sh_offset > len || sh[eh->e_shstrndx].sh_size > len - sh[eh->e_shstrndx].sh_offset)
		return -ENOEXEC;
	shstr = (const char *)b + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < shnum; i++) {
		const char *sname;

		if (sh[i].sh_name >= sh[eh->e_shstrndx].sh_size)
			return -ENOEXEC;
		if (sh[i].sh_type != SHT_NOBITS &&
		    (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset))
			return -ENOEXEC;
		sname = shstr + sh[i].sh_name;
		if (!strcmp(sname, ".modinfo")) {
			mi->data = (const char *)b + sh[i].sh_offset;
			mi->len = sh[i].sh_size;
		} else if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < shnum &&
			   sh[i].sh_entsize == sizeof(Elf64_Sym) && (sh[i].sh_offset % 8) == 0) {
			const Elf64_Shdr *st = &sh[sh[i].sh_link];
			const Elf64_Sym *sym = (const Elf64_Sym *)(const void *)(b + sh[i].sh_offset);
			size_t j, nsym = sh[i].sh_size / sizeof(Elf64_Sym);

			if (st->sh_offset > len || st->sh_size > len - st->sh_offset)
				return -ENOEXEC;
			for (j = 0; j < nsym; j++) {
				const char *sn;

				if (sym[j].st_name >= st->sh_size || sym[j].st_shndx == SHN_UNDEF)
					continue;
				sn = (const char *)b + st->sh_offset + sym[j].st_name;
				if (!strcmp(sn, "init_module"))
					mi->has_init = 1;
				else if (!strcmp(sn, "cleanup_module"))
					mi->has_exit = 1;
			}
		}
	}
	if (!mi->data)
		return -ENOEXEC;
	return 0;
}

/* Value of the nth (0-based) "key=" entry in .modinfo, copied into buf. */
static const char *modinfo_get(const struct modinfo *mi, const char *key, int nth, char *buf, size_t blen)
{
	size_t off = 0, kl = strlen(key);

	while (off < mi->len) {
		const char *s = mi->data + off;
		size_t l = strnlen(s, mi->len - off);

		if (l > kl && !strncmp(s, key, kl) && s[kl] == '=') {
			if (nth-- == 0) {
				size_t vl = l - kl - 1;

				if (vl >= blen)
					vl = blen - 1;
				memcpy(buf, s + kl + 1, vl);
				buf[vl] = '\0';
				return buf;
			}
		}
		off += l + 1;
	}
	return NULL;
}

static void name_from_path(const char *path, char *name, size_t len)
{
	const char *b = strrchr(path, '/');
	char *p;

	scpy(name, len, b ? b + 1 : path);
	p = strstr(name, ".ko");
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int license_gpl_compatible(const char *l)
{
	static const char *const ok[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(l, ok[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* module parameters */

static void norm_param(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* Format VALUE for parameter type TYPE as sysfs shows it. */
static int param_format(const char *type, const char *value, char *out, size_t len)
{
	char *end;

	if (!strcmp(type, "bool") || !strcmp(type, "invbool")) {
		int v;

		if (!value)
			v = 1;
		else if (strchr("yY1", value[0]) && value[0])
			v = 1;
		else if (strchr("nN0", value[0]) && value[0])
			v = 0;
		else if ((value[0] == 'o' || value[0] == 'O') && (value[1] == 'n' || value[1] == 'N'))
			v = 1;
		else if ((value[0] == 'o' || value[0] == 'O') && (value[1] == 'f' || value[1] == 'F'))
			v = 0;
		else
			return -EINVAL;
		if (!strcmp(type, "invbool"))
			v = !v;
		snprintf(out, len, "%s\n", v ? "Y" : "N");
		return 0;
	}
	if (!strcmp(type, "charp") || !strcmp(type, "string")) {
		if (!value)
			return -EINVAL;
		snprintf(out, len, "%s\n", value);
		return 0;
	}
	if (!value || !*value)
		return -EINVAL;
	errno = 0;
	if (type[0] == 'u' || !strcmp(type, "byte") || !strcmp(type, "hexint")) {
		unsigned long long v = strtoull(value, &end, 0);

		if (errno || *end || value[0] == '-')
			return -EINVAL;
		if (!strcmp(type, "hexint"))
			snprintf(out, len, "0x%08llx\n", v);
		else
			snprintf(out, len, "%llu\n", v);
	} else {
		long long v = strtoll(value, &end, 0);

		if (errno || *end)
			return -EINVAL;
		snprintf(out, len, "%lld\n", v);
	}
	return 0;
}

static const char *param_default(const char *type)
{
	if (!strcmp(type, "bool") || !strcmp(type, "invbool"))
		return "N\n";
	if (!strcmp(type, "charp") || !strcmp(type, "string"))
		return "(null)\n";
	if (!strcmp(type, "hexint"))
		return "0x00000000\n";
	return "0\n";
}

struct param {
	char name[64];
	char type[16];
	char value[256];        /* formatted, with newline */
};

#define MAX_PARAMS 64

/* Collect parmtype= entries, apply ARGS.  Returns count or -EINVAL. */
static int params_build(const struct modinfo *mi, const char *args, struct param *pv)
{
	char buf[256];
	int n = 0, i;
	char *a, *copy;

	for (i = 0; n < MAX_PARAMS && modinfo_get(mi, "parmtype", i, buf, sizeof(buf)); i++) {
		char *c = strchr(buf, ':');

		if (!c)
			continue;
		*c++ = '\0';
		scpy(pv[n].name, sizeof(pv[n].name), buf);
		scpy(pv[n].type, sizeof(pv[n].type), c);
		scpy(pv[n].value, sizeof(pv[n].value), param_default(c));
		n++;
	}
	if (!args || !*args)
		return n;
	copy = strdup(args);
	if (!copy)
		return -ENOMEM;
	a = kernel_skip_spaces(copy);
	while (*a) {
		char *pname, *val;

		a = kernel_next_arg(a, &pname, &val);
		norm_param(pname);
		for (i = 0; i < n; i++) {
			char norm[64];

			scpy(norm, sizeof(norm), pv[i].name);
			norm_param(norm);
			if (strcmp(norm, pname))
				continue;
			if (param_format(pv[i].type, val, pv[i].value, sizeof(pv[i].value)) < 0) {
				free(copy);
				return -EINVAL;
			}
			break;
		}
		/* unknown parameters are ignored with a warning, like the kernel */
	}
	free(copy);
	return n;
}

static void params_write(const char *root, const char *name, const struct param *pv, int n)
{
	char dir[FK_PATH], p[FK_PATH];
	int i;

	if (n <= 0)
		return;
	if (pjoin(dir, sizeof(dir), "%s/sys/module/%s/parameters", root, name) < 0)
		return;
	mkdir_p(dir);
	for (i = 0; i < n; i++)
		if (pjoin(p, sizeof(p), "%s/%s", dir, pv[i].name) == 0)
			write_str(p, pv[i].value);
}

/* ------------------------------------------------------------------ */
/* the emulated system calls */

struct depchk {
	struct fk_db *db;
	int err;
};

static void dep_check_cb(const char *dep, void *ud)
{
	struct depchk *c = ud;
	struct fk_mod *d = db_find(c->db, dep);

	if (!d || d->state == ST_GOING)
		c->err = -ENOENT;       /* "Unknown symbol" */
}

int fk_sys_load(const char *root, const void *image, size_t len, const char *file_hint,
		const char *args, unsigned int flags, const char *syscall_name)
{
	struct modinfo mi;
	struct fk_kconf k;
	struct fk_db db;
	struct fk_mod *m;
	struct param *pv = NULL;
	char name[FK_NAME_MAX], buf[512], release[128], taint[24] = "";
	int lock, err = 0, perr, np = 0;
	long delay;
	int is_finit = !strcmp(syscall_name, "finit_module");

	memset(&db, 0, sizeof(db));
	perr = elf_parse(image, len, &mi);
	if (perr == 0 && modinfo_get(&mi, "name", 0, buf, sizeof(buf)))
		scpy(name, sizeof(name), buf);
	else
		name_from_path(file_hint ? file_hint : "?", name, sizeof(name));

	lock = fk_lock(root);
	if (lock < 0)
		return lock;
	kconf_load(root, &k);
	fk_release(root, release, sizeof(release));

	if (modules_disabled(root)) {
		err = -EPERM;
		goto out;
	}
	if (is_finit && (flags & ~7U)) {
		err = -EINVAL;
		goto out;
	}
	script_event(root, name, "load");
	if ((err = -script_errno(root, name, "load-error")) < 0)
		goto out;
	if (!mi.signed_) {
		if (read_flag_file(root, "sys/module/module/parameters/sig_enforce")) {
			err = -EKEYREJECTED;
			goto out;
		}
		if (lockdown_active(root)) {
			err = -EPERM;
			goto out;
		}
	}
	if (perr < 0 || (flags & FK_MODULE_INIT_COMPRESSED_FILE)) {
		err = -ENOEXEC;
		goto out;
	}
	/* vermagic */
	if ((flags & FK_MODULE_INIT_IGNORE_VERMAGIC) || !modinfo_get(&mi, "vermagic", 0, buf, sizeof(buf)) || !buf[0]) {
		if (!k.force_load) {
			err = -ENOEXEC;
			goto out;
		}
		strcat(taint, "F");
	} else {
		size_t rl = strlen(release);

		if (strncmp(buf, release, rl) || (buf[rl] != ' ' && buf[rl] != '\0')) {
			err = -ENOEXEC;
			goto out;
		}
	}
	if (flags & FK_MODULE_INIT_IGNORE_MODVERSIONS) {
		if (!k.force_load) {
			err = -ENOEXEC;
			goto out;
		}
		if (!strchr(taint, 'F'))
			strcat(taint, "F");
	}
	if ((err = db_load(root, &db)) < 0)
		goto out;
	m = db_find(&db, name);
	if (m) {
		err = m->state == ST_LIVE ? -EEXIST : -EBUSY;
		goto out;
	}
	{
		struct depchk c = { &db, 0 };

		if (modinfo_get(&mi, "depends", 0, buf, sizeof(buf)))
			for_each_dep(buf, dep_check_cb, &c);
		if ((err = c.err) < 0)
			goto out;
	}
	pv = calloc(MAX_PARAMS, sizeof(*pv));
	if (!pv) {
		err = -ENOMEM;
		goto out;
	}
	if ((np = params_build(&mi, args, pv)) < 0) {
		err = np;
		goto out;
	}
	/* taints: proprietary, out of tree, unsigned */
	if (!modinfo_get(&mi, "license", 0, buf, sizeof(buf)) || !license_gpl_compatible(buf))
		strcat(taint, "P");
	if (!modinfo_get(&mi, "intree", 0, buf, sizeof(buf)) || strcmp(buf, "Y"))
		strcat(taint, "O");
	if (!mi.signed_)
		strcat(taint, "E");
	if (modinfo_get(&mi, "staging", 0, buf, sizeof(buf)) && !strcmp(buf, "Y"))
		strcat(taint, "C");
	taint_normalize(taint);

	/* the module exists now, coming, with the reference init holds */
	m = db_new(&db);
	if (!m) {
		err = -ENOMEM;
		goto out;
	}
	scpy(m->name, sizeof(m->name), name);
	m->seq = db_next_seq(&db);
	m->size = (long)((len + 4095) / 4096 * 4096);
	m->state = ST_COMING;
	m->refcnt = 1;
	if (modinfo_get(&mi, "depends", 0, buf, sizeof(buf)))
		scpy(m->deps, sizeof(m->deps), buf);
	scpy(m->taint, sizeof(m->taint), taint);
	m->perm = (mi.has_init && !mi.has_exit) || script_ms(root, name, "permanent") >= 0;
	if (modinfo_get(&mi, "version", 0, buf, sizeof(buf)))
		scpy(m->version, sizeof(m->version), buf);
	if (modinfo_get(&mi, "srcversion", 0, buf, sizeof(buf)))
		scpy(m->srcversion, sizeof(m->srcversion), buf);
	m->dirty = 1;
	for_each_dep(m->deps, dep_get_cb, &db);

	delay = script_ms(root, name, "init-delay");
	if (delay > 0) {
		if ((err = db_save(root, &db)) < 0)
			goto out;
		params_write(root, name, pv, np);
		db_free(&db);
		fk_unlock(lock);
		fk_sleep_ms(delay);
		lock = fk_lock(root);
		if (lock < 0)
			return lock;
		if ((err = db_load(root, &db)) < 0)
			goto out;
		m = db_find(&db, name);
		if (!m) {       /* removed behind our back: init "failed" */
			err = -ENOENT;
			goto out;
		}
	}
	if ((err = -script_errno(root, name, "init-error")) < 0) {
		db_remove(&db, m);
		db_save(root, &db);
		goto out;
	}
	m->state = ST_LIVE;
	m->refcnt--;
	m->dirty = 1;
	if ((err = db_save(root, &db)) < 0)
		goto out;
	if (delay <= 0)
		params_write(root, name, pv, np);
out:
	log_call(root, syscall_name, name, flags, -err, args ? args : "");
	free(pv);
	db_free(&db);
	fk_unlock(lock);
	return err;
}

static void netif_module_gone(const char *root, const char *name);
static int cmd_netif(const char *root, int argc, char **argv);

int fk_sys_delete_module(const char *root, const char *uname_, unsigned int flags)
{
	struct fk_kconf k;
	struct fk_db db;
	struct fk_mod *m;
	char name[FK_NAME_MAX];
	int lock, err = 0, forced = 0;
	long delay;

	memset(&db, 0, sizeof(db));
	scpy(name, sizeof(name), uname_ ? uname_ : "");     /* cut at 55 */
	lock = fk_lock(root);
	if (lock < 0)
		return lock;
	kconf_load(root, &k);
	if (!k.unload) {
		err = -ENOSYS;
		goto out;
	}
	if (modules_disabled(root)) {
		err = -EPERM;
		goto out;
	}
	script_event(root, name, "unload");
	if ((err = -script_errno(root, name, "unload-error")) < 0)
		goto out;
	if ((err = db_load(root, &db)) < 0)
		goto out;
	m = db_find(&db, name);
	if (!m) {
		err = -ENOENT;
		goto out;
	}
	if (nholders(&db, m) > 0) {
		err = -EWOULDBLOCK;
		goto out;
	}
	if (m->state != ST_LIVE) {
		err = -EBUSY;
		goto out;
	}
	if (m->perm) {
		if (!((flags & O_TRUNC) && k.force_unload)) {
			err = -EBUSY;
			goto out;
		}
		forced = 1;
	}
	if (m->refcnt != 0) {
		if (!((flags & O_TRUNC) && k.force_unload)) {
			err = -EWOULDBLOCK;
			goto out;
		}
		forced = 1;
	}
	if (forced)
		add_kernel_taint(root, 3);      /* TAINT_FORCED_RMMOD 'R' */
	delay = script_ms(root, name, "exit-delay");
	if (delay > 0) {
		m->state = ST_GOING;
		if (!forced)
			m->refcnt = -1;
		m->dirty = 1;
		if ((err = db_save(root, &db)) < 0)
			goto out;
		db_free(&db);
		fk_unlock(lock);
		fk_sleep_ms(delay);
		lock = fk_lock(root);
		if (lock < 0)
			return lock;
		if ((err = db_load(root, &db)) < 0)
			goto out;
		m = db_find(&db, name);
		if (!m)
			goto out;
	}
	db_remove(&db, m);
	err = db_save(root, &db);
	if (err == 0)
		netif_module_gone(root, name);
out:
	log_call(root, "delete_module", name[0] ? name : "-", flags, -err, NULL);
	db_free(&db);
	fk_unlock(lock);
	return err;
}

/* ------------------------------------------------------------------ */
/* fakectl commands (all run with the lock held, see fk_command) */

static int need_args(int argc, int n, const char *usage)
{
	if (argc < n) {
		fk_msg("usage: %s", usage);
		return 0;
	}
	return 1;
}

/* "--opt VALUE" or "--opt=VALUE" */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t l = strlen(opt);

	if (!strncmp(argv[*i], opt, l) && argv[*i][l] == '=')
		return argv[*i] + l + 1;
	if (!strcmp(argv[*i], opt)) {
		if (*i + 1 >= argc) {
			fk_msg("%s needs a value", opt);
			return NULL;
		}
		return argv[++*i];
	}
	return NULL;
}

static int parse_long(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 0);
	return (errno || *end || !*s) ? -1 : 0;
}

static int write_param(const char *root, const char *mod, const char *kv)
{
	char key[128], dir[FK_PATH], p[FK_PATH], val[512];
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		fk_msg("bad parameter '%s' (want KEY=VALUE)", kv);
		return -EINVAL;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	if (pjoin(dir, sizeof(dir), "%s/sys/module/%s/parameters", root, mod) < 0 ||
	    pjoin(p, sizeof(p), "%s/%s", dir, key) < 0)
		return -ENAMETOOLONG;
	mkdir_p(dir);
	snprintf(val, sizeof(val), "%s\n", eq + 1);
	return write_str(p, val);
}

struct addopts {
	long size, refcnt;
	int refcnt_set, state, perm;
	const char *deps, *holders, *taint, *version, *srcversion;
};

static int do_add(const char *root, struct fk_db *db, const char *name, const struct addopts *o)
{
	struct fk_mod *m;
	char list[FK_DEPS];
	char *t, *save = NULL;
	long nh = 0;

	if (!valid_name(name)) {
		fk_msg("invalid module name '%s'", name);
		return -EINVAL;
	}
	if (db_find(db, name)) {
		fk_msg("module %s already exists", name);
		return -EEXIST;
	}
	if (o->deps) {
		scpy(list, sizeof(list), o->deps);
		for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!db_find(db, t)) {
				fk_msg("dependency %s of %s is not loaded", t, name);
				return -ENOENT;
			}
	}
	if (o->holders) {
		scpy(list, sizeof(list), o->holders);
		save = NULL;
		for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			struct fk_mod *h = db_find(db, t);

			if (!h) {
				fk_msg("holder %s of %s is not loaded (add it first)", t, name);
				return -ENOENT;
			}
			if (add_word(h->deps, sizeof(h->deps), name) < 0)
				return -E2BIG;
			h->dirty = 1;
			nh++;
		}
	}
	m = db_new(db);
	if (!m)
		return -ENOMEM;
	scpy(m->name, sizeof(m->name), name);
	m->seq = db_next_seq(db);
	m->size = o->size;
	m->state = o->state;
	m->refcnt = (o->refcnt_set ? o->refcnt : o->state == ST_COMING ? 1 : o->state == ST_GOING ? -1 : 0) + nh;
	scpy(m->deps, sizeof(m->deps), o->deps ? o->deps : "");
	scpy(m->taint, sizeof(m->taint), o->taint ? o->taint : "");
	taint_normalize(m->taint);
	m->perm = o->perm;
	scpy(m->version, sizeof(m->version), o->version ? o->version : "");
	scpy(m->srcversion, sizeof(m->srcversion), o->srcversion ? o->srcversion : "");
	m->dirty = 1;
	for_each_dep(m->deps, dep_get_cb, db);
	return 0;
}

static int cmd_add(const char *root, struct fk_db *db, int argc, char **argv)
{
	struct addopts o;
	const char *v;
	const char *params[MAX_PARAMS];
	int np = 0, i, r;

	memset(&o, 0, sizeof(o));
	o.size = 16384;
	if (!need_args(argc, 2, "add NAME [--size N] [--refcnt N] [--state live|coming|going] [--deps a,b] [--holders a,b] [--taint OE] [--permanent] [--version V] [--srcversion S] [--param k=v]..."))
		return 2;
	for (i = 2; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--size"))) {
			if (parse_long(v, &o.size) < 0 || o.size < 0)
				goto bad;
		} else if ((v = opt_value(argc, argv, &i, "--refcnt"))) {
			if (parse_long(v, &o.refcnt) < 0)
				goto bad;
			o.refcnt_set = 1;
		} else if ((v = opt_value(argc, argv, &i, "--state"))) {
			if ((o.state = state_parse(v)) < 0)
				goto bad;
		} else if ((v = opt_value(argc, argv, &i, "--deps"))) {
			o.deps = v;
		} else if ((v = opt_value(argc, argv, &i, "--holders"))) {
			o.holders = v;
		} else if ((v = opt_value(argc, argv, &i, "--taint"))) {
			o.taint = v;
		} else if ((v = opt_value(argc, argv, &i, "--version"))) {
			o.version = v;
		} else if ((v = opt_value(argc, argv, &i, "--srcversion"))) {
			o.srcversion = v;
		} else if ((v = opt_value(argc, argv, &i, "--param"))) {
			if (np < MAX_PARAMS)
				params[np++] = v;
		} else if (!strcmp(argv[i], "--permanent")) {
			o.perm = 1;
		} else {
			goto bad;
		}
		continue;
bad:
		fk_msg("add: bad argument '%s'", argv[i]);
		return 2;
	}
	if ((o.version && !valid_word(o.version)) || (o.srcversion && !valid_word(o.srcversion)) ||
	    (o.deps && !valid_word(o.deps)) || (o.holders && !valid_word(o.holders))) {
		fk_msg("add: values may not contain white space");
		return 2;
	}
	if ((r = do_add(root, db, argv[1], &o)) < 0)
		return 1;
	if ((r = db_save(root, db)) < 0) {
		fk_msg("add: %s", strerror(-r));
		return 1;
	}
	for (i = 0; i < np; i++)
		if (write_param(root, argv[1], params[i]) < 0)
			return 1;
	return 0;
}

static struct fk_mod *need_mod(struct fk_db *db, const char *name)
{
	struct fk_mod *m = db_find(db, name);

	if (!m)
		fk_msg("no module %s", name);
	return m;
}

static int unload_holders(struct fk_db *db, const char *name, int depth)
{
	struct fk_mod *m = db_find(db, name);
	int again = 1;

	if (!m || depth > 64)
		return 0;
	while (again) {
		size_t i;

		again = 0;
		for (i = 0; i < db->n; i++)
			if (has_word(db->v[i].deps, name)) {
				char hn[FK_NAME_MAX];

				scpy(hn, sizeof(hn), db->v[i].name);
				unload_holders(db, hn, depth + 1);
				m = db_find(db, hn);
				if (m)
					db_remove(db, m);
				again = 1;
				break;
			}
	}
	return 0;
}

static unsigned long lcg_next(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static int cmd_gen(const char *root, struct fk_db *db, int argc, char **argv)
{
	long n, i, seed = 1, seq0;
	const char *prefix = "gen";
	const char *v;
	unsigned long s;
	size_t base;
	int a;

	if (!need_args(argc, 2, "gen N [--prefix P] [--seed S]") || parse_long(argv[1], &n) < 0 || n < 0)
		return 2;
	for (a = 2; a < argc; a++) {
		if ((v = opt_value(argc, argv, &a, "--prefix")))
			prefix = v;
		else if ((v = opt_value(argc, argv, &a, "--seed")))
			seed = atol(v);
		else {
			fk_msg("gen: bad argument '%s'", argv[a]);
			return 2;
		}
	}
	if (!valid_name(prefix) || strlen(prefix) > FK_NAME_MAX - 8) {
		fk_msg("gen: bad prefix");
		return 2;
	}
	for (i = 0; i < n; i++) {
		char nm[FK_NAME_MAX];

		snprintf(nm, sizeof(nm), "%s_%05ld", prefix, i);
		if (db_find(db, nm)) {
			fk_msg("gen: %s exists", nm);
			return 1;
		}
	}
	s = (unsigned long)seed;
	seq0 = db_next_seq(db);
	base = db->n;
	for (i = 0; i < n; i++) {
		struct fk_mod *m = db_new(db);
		unsigned long r = lcg_next(&s) % 100;
		long libs = n / 10 > 0 ? n / 10 : 1;
		int ndeps = i < libs ? (r < 20 && i > 0) : r < 50 ? 0 : r < 80 ? 1 : r < 95 ? 2 : 3;
		int d;

		if (!m)
			return 1;
		snprintf(m->name, sizeof(m->name), "%s_%05ld", prefix, i);
		m->seq = seq0 + i;
		m->size = (long)(2 + lcg_next(&s) % 64) * 4096;
		m->state = ST_LIVE;
		m->refcnt = (lcg_next(&s) % 100) < 20 ? (long)(1 + lcg_next(&s) % 3) : 0;
		m->dirty = 1;
		for (d = 0; d < ndeps; d++) {
			/* depend mostly on the "library" modules (the first tenth) */
			long limit = i < libs ? i : libs;
			long dep = limit > 0 ? (long)(lcg_next(&s) % (unsigned long)limit) : -1;
			char dn[FK_NAME_MAX];

			if (dep < 0 || dep >= i)
				continue;
			snprintf(dn, sizeof(dn), "%s_%05ld", prefix, dep);
			if (has_word(m->deps, dn))
				continue;
			add_word(m->deps, sizeof(m->deps), dn);
			db->v[base + (size_t)dep].refcnt++;
		}
	}
	render_bulk = 1;
	a = db_save(root, db);
	render_bulk = 0;
	if (a < 0)
		return 1;
	/* parameters for some of them, like real modules */
	s = (unsigned long)seed + 7;
	for (i = 0; i < n; i++)
		if (lcg_next(&s) % 100 < 30) {
			char mn[FK_NAME_MAX];

			snprintf(mn, sizeof(mn), "%s_%05ld", prefix, i);
			write_param(root, mn, "debug=0");
		}
	return 0;
}

static int run_depmod(const char *root)
{
	const char *dm = getenv("DEPMOD");
	char release[128];
	pid_t pid;
	int st;

	fk_release(root, release, sizeof(release));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		unsetenv("LD_PRELOAD");
		unsetenv("MODCTL_FAKE_ROOT");
		if (dm && *dm)
			execl(dm, dm, "-b", root, release, (char *)NULL);
		execlp("depmod", "depmod", "-b", root, release, (char *)NULL);
		execl("/usr/sbin/depmod", "depmod", "-b", root, release, (char *)NULL);
		execl("/sbin/depmod", "depmod", "-b", root, release, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static int cmd_builtin(const char *root, struct fk_db *db, int argc, char **argv)
{
	const char *path = NULL, *version = NULL, *v;
	const char *params[MAX_PARAMS];
	char release[128], p[FK_PATH], line[FK_PATH], dir[FK_PATH];
	int np = 0, i, depmod = 1;

	if (!need_args(argc, 2, "builtin NAME [--param k=v]... [--version V] [--path kernel/DIR/NAME.ko] [--no-depmod]"))
		return 2;
	if (!valid_name(argv[1]) || db_find(db, argv[1])) {
		fk_msg("builtin: bad or loaded module name %s", argv[1]);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--param"))) {
			if (np < MAX_PARAMS)
				params[np++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--version"))) {
			version = v;
		} else if ((v = opt_value(argc, argv, &i, "--path"))) {
			path = v;
		} else if (!strcmp(argv[i], "--no-depmod")) {
			depmod = 0;
		} else {
			fk_msg("builtin: bad argument '%s'", argv[i]);
			return 2;
		}
	}
	fk_release(root, release, sizeof(release));
	if (pjoin(dir, sizeof(dir), "%s/sys/module/%s", root, argv[1]) < 0)
		return 1;
	if (np || version)
		mkdir_p(dir);
	for (i = 0; i < np; i++)
		if (write_param(root, argv[1], params[i]) < 0)
			return 1;
	if (version) {
		char val[FK_SHORT + 2];

		pjoin(p, sizeof(p), "%s/version", dir);
		snprintf(val, sizeof(val), "%s\n", version);
		write_str(p, val);
	}
	if (pjoin(p, sizeof(p), "%s/lib/modules/%s", root, release) < 0)
		return 1;
	mkdir_p(p);
	snprintf(p + strlen(p), sizeof(p) - strlen(p), "/modules.builtin");
	if (path)
		snprintf(line, sizeof(line), "%s\n", path);
	else
		snprintf(line, sizeof(line), "kernel/builtin/%s.ko\n", argv[1]);
	if (append_line(p, line) < 0)
		return 1;
	if (version) {
		/* modules.builtin.modinfo: NUL separated NAME.key=value */
		char mi[FK_SHORT * 2];
		int l;

		snprintf(p + strlen(p), sizeof(p) - strlen(p), ".modinfo");
		l = snprintf(mi, sizeof(mi), "%s.version=%s", argv[1], version);
		if (l > 0 && (size_t)l < sizeof(mi)) {
			int fd = fk_ops->open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

			if (fd >= 0) {
				write_all(fd, mi, (size_t)l + 1);
				close(fd);
			}
		}
	}
	if (depmod && run_depmod(root) < 0) {
		fk_msg("builtin: depmod failed");
		return 1;
	}
	return 0;
}

static int cmd_init(const char *root, int argc, char **argv)
{
	static const char *const dirs[] = {
		"proc/sys/kernel", "sys/module", "sys/kernel/security",
		"sys/module/module/parameters", "run", "etc/modprobe.d",
		"lib/modprobe.d", "etc/depmod.d", "etc/modctl", ".fake/calls", ".fake/script",
	};
	char p[FK_PATH], release[128];
	const char *rel = NULL, *v;
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if ((v = opt_value(argc, argv, &a, "--release"))) {
			rel = v;
		} else {
			fk_msg("init: bad argument '%s'", argv[a]);
			return 2;
		}
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (pjoin(p, sizeof(p), "%s/%s", root, dirs[i]) < 0 || mkdir_p(p) < 0) {
			fk_msg("init: cannot create %s", p);
			return 1;
		}
	}
	if (rel) {
		char val[140];

		pjoin(p, sizeof(p), "%s/.fake/uname-r", root);
		snprintf(val, sizeof(val), "%s\n", rel);
		write_str(p, val);
	}
	fk_release(root, release, sizeof(release));
	pjoin(p, sizeof(p), "%s/lib/modules/%s", root, release);
	mkdir_p(p);
	pjoin(p, sizeof(p), "%s/proc/sys/kernel/modules_disabled", root);
	write_str(p, "0\n");
	pjoin(p, sizeof(p), "%s/proc/sys/kernel/tainted", root);
	write_str(p, "0\n");
	pjoin(p, sizeof(p), "%s/proc/cmdline", root);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "BOOT_IMAGE=/boot/vmlinuz-%s root=/dev/vda ro quiet\n", release);
		write_str(p, cmd);
	}
	pjoin(p, sizeof(p), "%s/sys/module/module/parameters/sig_enforce", root);
	write_str(p, "N\n");
	pjoin(p, sizeof(p), "%s/sys/kernel/security/lockdown", root);
	write_str(p, "[none] integrity confidentiality\n");
	pjoin(p, sizeof(p), "%s/var", root);
	fk_ops->mkdir(p, 0755);
	pjoin(p, sizeof(p), "%s/var/run", root);
	if (!exists(p))
		fk_ops->symlink("../run", p);
	{
		struct fk_db db;

		memset(&db, 0, sizeof(db));
		return db_save(root, &db) < 0 ? 1 : 0;
	}
}

static int cmd_count(const char *root, int argc, char **argv)
{
	char p[FK_PATH];
	char *buf, *line, *save = NULL;
	long n = 0;

	if (!need_args(argc, 2, "count SYSCALL [NAME [ERRNO]]"))
		return 2;
	if (pjoin(p, sizeof(p), "%s/.fake/calls/%s", root, argv[1]) < 0)
		return 2;
	buf = read_file_alloc(p, NULL);
	if (buf) {
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char nm[FK_PATH], fl[32], er[32];

			if (sscanf(line, "%4095s %31s %31s", nm, fl, er) != 3)
				continue;
			if (argc > 2 && strcmp(nm, argv[2]))
				continue;
			if (argc > 3 && strcmp(er, argv[3]))
				continue;
			n++;
		}
		free(buf);
	}
	printf("%ld\n", n);
	return 0;
}

static int cmd_script(const char *root, int argc, char **argv)
{
	static const struct { const char *kw; int min, max; } known[] = {
		{ "load-error", 1, 2 }, { "unload-error", 1, 2 }, { "init-error", 1, 1 },
		{ "init-delay", 1, 1 }, { "exit-delay", 1, 1 }, { "refcnt-drop", 1, 2 },
		{ "holders-drop", 1, 2 }, { "live-after", 1, 2 }, { "gone-after", 1, 2 },
		{ "vanish-on-list", 0, 0 }, { "permanent", 0, 0 }, { "clear", 0, 0 },
	};
	struct directive dv[MAX_DIRECTIVES];
	char p[FK_PATH];
	size_t i;
	int n, na = argc - 3, j;

	if (!need_args(argc, 3, "script NAME DIRECTIVE [ARGS...]  (see README)"))
		return 2;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].kw, argv[2]))
			break;
	if (i == sizeof(known) / sizeof(known[0]) || na < known[i].min || na > known[i].max) {
		fk_msg("script: unknown directive or wrong arguments: %s", argv[2]);
		return 2;
	}
	if (!valid_name(argv[1])) {
		fk_msg("script: bad module name %s", argv[1]);
		return 2;
	}
	if (!strcmp(argv[2], "clear")) {
		if (pjoin(p, sizeof(p), "%s/.fake/script/%s", root, argv[1]) == 0)
			fk_ops->unlink(p);
		return 0;
	}
	if (strstr(argv[2], "-error") && fk_errno_parse(argv[3]) <= 0) {
		fk_msg("script: unknown errno %s", argv[3]);
		return 2;
	}
	for (j = 3; j < argc; j++) {
		long v;

		if (j == 3 && strstr(argv[2], "-error"))
			continue;
		if (is_timed(argv[2]) && j == 4) {
			if (strcmp(argv[j], "now") && strcmp(argv[j], "unload") && strcmp(argv[j], "load") &&
			    strcmp(argv[j], "probe")) {
				fk_msg("script: trigger must be now, load, unload or probe");
				return 2;
			}
			continue;
		}
		if (parse_long(argv[j], &v) < 0 || v < 0) {
			fk_msg("script: bad number %s", argv[j]);
			return 2;
		}
	}
	if (pjoin(p, sizeof(p), "%s/.fake/script", root) < 0)
		return 2;
	mkdir_p(p);
	n = script_load(root, argv[1], dv);
	if (n >= MAX_DIRECTIVES) {
		fk_msg("script: too many directives");
		return 1;
	}
	memset(&dv[n], 0, sizeof(dv[n]));
	scpy(dv[n].kw, sizeof(dv[n].kw), argv[2]);
	for (j = 3; j < argc && dv[n].na < 3; j++)
		scpy(dv[n].a[dv[n].na++], sizeof(dv[n].a[0]), argv[j]);
	if (is_timed(argv[2]) && dv[n].na > 1 && !strcmp(dv[n].a[1], "now"))
		return arm_timed(root, argv[1], &dv[n]) < 0 ? 1 : 0;
	return script_save(root, argv[1], dv, n + 1) < 0 ? 1 : 0;
}

static int cmd_later(const char *root, int argc, char **argv)
{
	long ms;
	long long deadline;
	pid_t pid;

	if (!need_args(argc, 3, "later MS COMMAND [ARGS...]") || parse_long(argv[1], &ms) < 0 || ms < 0)
		return 2;
	deadline = fk_now_ms() + ms;
	if (timer_add(root, deadline, argc - 2, argv + 2) < 0)
		return 1;
	if (fk_in_timer)
		return 0;
	/* A detached sleeper applies the timer even when nothing goes through
	 * the shim; whoever comes first (shim access, fakectl, sleeper) runs it. */
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		int fd;

		if (fork() != 0)
			_exit(0);
		setsid();
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		for (fd = 3; fd < 256; fd++)
			close(fd);
		fk_sleep_ms((long)(deadline - fk_now_ms()));
		fk_in_timer = 1;
		fk_msg_root = root;
		fk_tick(root);
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static int cmd_load(const char *root, int argc, char **argv)
{
	char *img;
	size_t len;
	long flags = 0;
	int r, i;
	const char *args = "";

	if (!need_args(argc, 2, "load FILE [ARGS] [--flags N]"))
		return 2;
	for (i = 2; i < argc; i++) {
		const char *v = opt_value(argc, argv, &i, "--flags");

		if (v) {
			if (parse_long(v, &flags) < 0)
				return 2;
		} else {
			args = argv[i];
		}
	}
	img = read_file_alloc(argv[1], &len);
	if (!img) {
		fk_msg("load: %s: %s", argv[1], strerror(errno));
		return 1;
	}
	r = fk_sys_load(root, img, len, argv[1], args, (unsigned int)flags, "finit_module");
	free(img);
	if (r < 0) {
		fk_msg("load %s: %s (%s)", argv[1], strerror(-r), fk_errno_name(-r));
		return 1;
	}
	return 0;
}

static int cmd_unload(const char *root, int argc, char **argv)
{
	long flags = O_NONBLOCK;
	int r, i;

	if (!need_args(argc, 2, "unload NAME [--flags N]"))
		return 2;
	for (i = 2; i < argc; i++) {
		const char *v = opt_value(argc, argv, &i, "--flags");

		if (!v || parse_long(v, &flags) < 0)
			return 2;
	}
	r = fk_sys_delete_module(root, argv[1], (unsigned int)flags);
	if (r < 0) {
		fk_msg("unload %s: %s (%s)", argv[1], strerror(-r), fk_errno_name(-r));
		return 1;
	}
	return 0;
}

static void usage(void)
{
	fputs("usage: fakectl ROOT COMMAND [ARGS...]   (see tests/fake/README)\n"
	      "  init [--release R]            create the kernel skeleton\n"
	      "  add NAME [--size N] [--refcnt N] [--state live|coming|going] [--deps a,b]\n"
	      "      [--holders a,b] [--taint OE] [--permanent] [--version V] [--srcversion S]\n"
	      "      [--param k=v]...          a loaded module\n"
	      "  remove NAME | vanish NAME     unloaded by someone else | sysfs gone, Unloading\n"
	      "  set-refcnt NAME N | set-state NAME STATE [--refcnt N] | set-param NAME K V\n"
	      "  set-taint NAME LETTERS | refcnt-drop NAME | unload-holders NAME\n"
	      "  builtin NAME [--param k=v]... [--version V] [--path P] [--no-depmod]\n"
	      "  no-unload | force-unload on|off | force-load on|off | kernel KEY=VALUE\n"
	      "  modules-disabled [0|1] | sig-enforce [Y|N] | lockdown none|integrity|confidentiality\n"
	      "  uname-r RELEASE\n"
	      "  script NAME DIRECTIVE [ARGS]  scripted behaviour (README)\n"
	      "  later MS COMMAND [ARGS...]    run a fakectl command MS ms from now\n"
	      "  tick                          run due timers now\n"
	      "  gen N [--prefix P] [--seed S] N synthetic loaded modules\n"
	      "  load FILE [ARGS] [--flags N]  emulated finit_module\n"
	      "  unload NAME [--flags N]       emulated delete_module (default O_NONBLOCK)\n"
	      "  netif add IFNAME KIND MODULE [--netns NS] [--link LOWER] | netif del IFNAME [--netns NS]\n"
	      "  netif deny NS ERRNO           interfaces of link kinds; a namespace setns refuses\n"
	      "  count SYSCALL [NAME [ERRNO]]  number of logged calls\n"
	      "  bpf SUBCOMMAND ...            the BPF side: bpffs, BTF, pins (README, \"BPF\")\n"
	      "  show                          the module database\n", stderr);
}

static int set_flag_file(const char *root, const char *rel, const char *val)
{
	char p[FK_PATH], v[64];

	if (pjoin(p, sizeof(p), "%s/%s", root, rel) < 0)
		return 1;
	snprintf(v, sizeof(v), "%s\n", val);
	return write_str(p, v) < 0 ? 1 : 0;
}

/* Commands that need the database; lock held. */
static int dispatch(const char *root, int argc, char **argv)
{
	const char *c = argv[0];
	struct fk_db db;
	struct fk_mod *m;
	int r = 0;
	long v;

	if (!strcmp(c, "init"))
		return cmd_init(root, argc, argv);
	if (!strcmp(c, "script")) {
		r = cmd_script(root, argc, argv);
		if (r == 0 && argc > 2 && !strcmp(argv[2], "permanent") && db_load(root, &db) == 0) {
			m = db_find(&db, argv[1]);
			if (m) {
				m->perm = 1;
				r = db_save(root, &db) < 0 ? 1 : 0;
			}
			db_free(&db);
		}
		return r;
	}
	if (!strcmp(c, "later"))
		return cmd_later(root, argc, argv);
	if (!strcmp(c, "bpf"))
		return fk_bpf_command(root, argc, argv);
	if (!strcmp(c, "tick")) {
		tick_locked(root);
		return 0;
	}
	if (!strcmp(c, "no-unload")) {
		r = kconf_set(root, "unload", "0");
		goto rerender;
	}
	if (!strcmp(c, "force-unload") || !strcmp(c, "force-load")) {
		if (!need_args(argc, 2, "force-unload|force-load on|off"))
			return 2;
		r = kconf_set(root, !strcmp(c, "force-load") ? "force_load" : "force_unload",
			      !strcmp(argv[1], "on") ? "1" : "0");
		return r < 0 ? 1 : 0;
	}
	if (!strcmp(c, "kernel")) {
		char kv[256];
		char *eq;

		if (!need_args(argc, 2, "kernel KEY=VALUE"))
			return 2;
		scpy(kv, sizeof(kv), argv[1]);
		eq = strchr(kv, '=');
		if (!eq)
			return 2;
		*eq++ = '\0';
		r = kconf_set(root, kv, eq);
		if (r < 0)
			return 1;
		if (!strcmp(kv, "unload"))
			goto rerender;
		return 0;
	}
	if (!strcmp(c, "modules-disabled"))
		return set_flag_file(root, "proc/sys/kernel/modules_disabled", argc > 1 ? argv[1] : "1");
	if (!strcmp(c, "sig-enforce"))
		return set_flag_file(root, "sys/module/module/parameters/sig_enforce", argc > 1 ? argv[1] : "Y");
	if (!strcmp(c, "lockdown")) {
		const char *mode = argc > 1 ? argv[1] : "integrity";
		const char *s = !strcmp(mode, "none") ? "[none] integrity confidentiality" :
				!strcmp(mode, "integrity") ? "none [integrity] confidentiality" :
				!strcmp(mode, "confidentiality") ? "none integrity [confidentiality]" : NULL;

		if (!s) {
			fk_msg("lockdown: none, integrity or confidentiality");
			return 2;
		}
		return set_flag_file(root, "sys/kernel/security/lockdown", s);
	}
	if (!strcmp(c, "uname-r")) {
		if (!need_args(argc, 2, "uname-r RELEASE"))
			return 2;
		return set_flag_file(root, ".fake/uname-r", argv[1]);
	}

	if ((r = db_load(root, &db)) < 0) {
		fk_msg("cannot read the module database: %s", strerror(-r));
		return 1;
	}
	r = 0;
	if (!strcmp(c, "add")) {
		r = cmd_add(root, &db, argc, argv);
	} else if (!strcmp(c, "builtin")) {
		r = cmd_builtin(root, &db, argc, argv);
	} else if (!strcmp(c, "gen")) {
		r = cmd_gen(root, &db, argc, argv);
	} else if (!strcmp(c, "show")) {
		size_t i;

		for (i = 0; i < db.n; i++)
			printf("%s %s refcnt=%ld deps=%s%s%s\n", db.v[i].name, state_name(db.v[i].state),
			       db.v[i].refcnt, db.v[i].deps[0] ? db.v[i].deps : "-",
			       db.v[i].perm ? " permanent" : "", db.v[i].sysfs ? "" : " vanished");
	} else if (!strcmp(c, "remove") || !strcmp(c, "vanish") || !strcmp(c, "set-refcnt") ||
		   !strcmp(c, "set-state") || !strcmp(c, "set-param") || !strcmp(c, "set-taint") ||
		   !strcmp(c, "refcnt-drop") || !strcmp(c, "unload-holders")) {
		if (!need_args(argc, 2, "COMMAND NAME ...") || !(m = need_mod(&db, argv[1]))) {
			r = 1;
			goto done;
		}
		if (!strcmp(c, "remove")) {
			db_remove(&db, m);
		} else if (!strcmp(c, "vanish")) {
			char p[FK_PATH];

			m->sysfs = 0;
			m->state = ST_GOING;
			m->refcnt = -1;
			if (pjoin(p, sizeof(p), "%s/sys/module/%s", root, m->name) == 0)
				rm_rf(p);
		} else if (!strcmp(c, "set-refcnt")) {
			if (argc < 3 || parse_long(argv[2], &v) < 0) {
				fk_msg("usage: set-refcnt NAME N");
				r = 2;
				goto done;
			}
			m->refcnt = v;
			m->dirty = 1;
		} else if (!strcmp(c, "refcnt-drop")) {
			m->refcnt = (long)nholders(&db, m);
			m->dirty = 1;
		} else if (!strcmp(c, "set-taint")) {
			scpy(m->taint, sizeof(m->taint), argc > 2 ? argv[2] : "");
			taint_normalize(m->taint);
			m->dirty = 1;
		} else if (!strcmp(c, "set-state")) {
			int s = argc > 2 ? state_parse(argv[2]) : -1;
			int i;

			if (s < 0) {
				fk_msg("usage: set-state NAME live|coming|going [--refcnt N]");
				r = 2;
				goto done;
			}
			if (m->state == ST_COMING && s == ST_LIVE && m->refcnt > 0)
				m->refcnt--;    /* init's reference is dropped */
			m->state = s;
			for (i = 3; i < argc; i++) {
				const char *val = opt_value(argc, argv, &i, "--refcnt");

				if (val && parse_long(val, &v) == 0)
					m->refcnt = v;
			}
			m->dirty = 1;
		} else if (!strcmp(c, "set-param")) {
			char kv[1024];

			if (argc < 4) {
				fk_msg("usage: set-param NAME KEY VALUE");
				r = 2;
				goto done;
			}
			snprintf(kv, sizeof(kv), "%s=%s", argv[2], argv[3]);
			r = write_param(root, argv[1], kv) < 0 ? 1 : 0;
			goto done;
		} else if (!strcmp(c, "unload-holders")) {
			unload_holders(&db, argv[1], 0);
		}
		if (db_save(root, &db) < 0)
			r = 1;
	} else {
		fk_msg("unknown command '%s'", c);
		usage();
		r = 2;
	}
done:
	db_free(&db);
	return r;

rerender:
	if (r < 0)
		return 1;
	if ((r = db_load(root, &db)) < 0)
		return 1;
	{
		size_t i;

		for (i = 0; i < db.n; i++)
			db.v[i].dirty = 1;
	}
	r = db_save(root, &db) < 0 ? 1 : 0;
	db_free(&db);
	return r;
}

int fk_command(const char *root, int argc, char **argv)
{
	char p[FK_PATH];
	int fd, r;

	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help")) {
		usage();
		return argc < 1 ? 2 : 0;
	}
	/* these take the lock themselves (they may sleep) */
	if (!strcmp(argv[0], "load"))
		return cmd_load(root, argc, argv);
	if (!strcmp(argv[0], "unload"))
		return cmd_unload(root, argc, argv);
	if (!strcmp(argv[0], "count"))
		return cmd_count(root, argc, argv);
	if (!strcmp(argv[0], "netif"))
		return cmd_netif(root, argc, argv);
	if (!strcmp(argv[0], "init")) {
		if (pjoin(p, sizeof(p), "%s/.fake", root) < 0 || mkdir_p(p) < 0) {
			fk_msg("cannot create %s", p);
			return 1;
		}
	} else {
		if (pjoin(p, sizeof(p), "%s/.fake", root) < 0 || !exists(p)) {
			fk_msg("%s is not a fake root (run 'fakectl ROOT init')", root);
			return 1;
		}
	}
	fd = fk_lock(root);
	if (fd < 0) {
		fk_msg("cannot lock %s: %s", root, strerror(-fd));
		return 1;
	}
	tick_locked(root);
	r = dispatch(root, argc, argv);
	fflush(stdout);
	fk_unlock(fd);
	return r;
}

/* ------------------------------------------------------------------ */
/* network interfaces of link kinds (ROOT/.fake/netif)                 */
/*
 * One interface a line: "NETNS IFNAME KIND MODULE [LOWER]", NETNS "-" for the
 * namespace the test runs in, else a name that has ROOT/run/netns/NETNS.
 * The shim answers an RTM_GETLINK dump from it (shim.c); a successful
 * delete_module of MODULE deletes its interfaces, as the module's exit does,
 * and with them the vlan, macvlan, ipvlan, macsec interfaces stacked on
 * one (LOWER, same namespace), as their drivers do.
 * ROOT/.fake/netns-deny: "NETNS ERRNO" lines, setns into NETNS fails.
 */

static int netif_rewrite(const char *root, const char *drop_module, const char *drop_if, const char *drop_ns,
			 const char *append)
{
	char path[FK_PATH], data[16384], gone[64][2][128];
	char *out = NULL, *line, *save = NULL;
	size_t len = 0, ngone = 0, k;
	int r, again = 1;
	FILE *o;

	if (pjoin(path, sizeof(path), "%s/.fake/netif", root) < 0)
		return -ENAMETOOLONG;
	if (fk_read_file(path, data, sizeof(data)) < 0)
		data[0] = '\0';
	/* what goes: the module's interfaces, then what sits on them */
	while (again) {
		char copy[sizeof(data)];

		again = 0;
		memcpy(copy, data, sizeof(data));
		save = NULL;
		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char ns[128], ifn[64], kind[64], mod[FK_NAME_MAX], lower[64] = "";
			char padded[68];
			int hit = 0;

			if (sscanf(line, "%127s %63s %63s %55s %63s", ns, ifn, kind, mod, lower) < 4)
				continue;
			snprintf(padded, sizeof(padded), " %s ", kind);
			for (k = 0; k < ngone; k++)
				if (!strcmp(gone[k][0], ns) && !strcmp(gone[k][1], ifn))
					break;
			if (k < ngone)
				continue;
			if (drop_module && !strcmp(mod, drop_module))
				hit = 1;
			if (drop_if && !strcmp(ifn, drop_if) && !strcmp(ns, drop_ns))
				hit = 1;
			/* the kinds whose drivers delete them with their lower device */
			for (k = 0; lower[0] && strstr(" vlan macvlan macvtap ipvlan ipvtap macsec ", padded) &&
				    k < ngone; k++)
				if (!strcmp(gone[k][0], ns) && !strcmp(gone[k][1], lower))
					hit = 1;
			if (hit && ngone < 64) {
				snprintf(gone[ngone][0], sizeof(gone[0][0]), "%s", ns);
				snprintf(gone[ngone][1], sizeof(gone[0][1]), "%s", ifn);
				ngone++;
				again = 1;
			}
		}
	}
	o = open_memstream(&out, &len);
	if (!o)
		return -ENOMEM;
	save = NULL;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ns[128], ifn[64];

		if (sscanf(line, "%127s %63s", ns, ifn) != 2)
			continue;
		for (k = 0; k < ngone; k++)
			if (!strcmp(gone[k][0], ns) && !strcmp(gone[k][1], ifn))
				break;
		if (k == ngone)
			fprintf(o, "%s\n", line);
	}
	if (append)
		fprintf(o, "%s\n", append);
	fclose(o);
	r = fk_write_file_atomic(path, out ? out : "", len);
	free(out);
	return r;
}

/* delete_module removed NAME: its interfaces are gone. */
static void netif_module_gone(const char *root, const char *name)
{
	netif_rewrite(root, name, NULL, NULL, NULL);
}

static int cmd_netif(const char *root, int argc, char **argv)
{
	const char *ns = "-", *lower = "";
	char p[FK_PATH], line[512];
	int i, fd, r = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			ns = argv[i + 1];
		if (!strcmp(argv[i], "--link") && i + 1 < argc)
			lower = argv[i + 1];
	}
	fd = fk_lock(root);
	if (fd < 0)
		return 1;
	if (argc >= 5 && !strcmp(argv[1], "add")) {
		snprintf(line, sizeof(line), "%s %s %s %s %s", ns, argv[2], argv[3], argv[4], lower);
		if (strcmp(ns, "-")) {
			if (pjoin(p, sizeof(p), "%s/run/netns", root) < 0 || mkdir_p(p) < 0 ||
			    pjoin(p, sizeof(p), "%s/run/netns/%s", root, ns) < 0 ||
			    (!exists(p) && fk_write_file_atomic(p, "", 0) < 0))
				r = 1;
		}
		if (!r && netif_rewrite(root, NULL, NULL, NULL, line) < 0)
			r = 1;
	} else if (argc >= 3 && !strcmp(argv[1], "del")) {
		if (netif_rewrite(root, NULL, argv[2], ns, NULL) < 0)
			r = 1;
	} else if (argc >= 4 && !strcmp(argv[1], "deny")) {
		char old[4096] = "";

		if (pjoin(p, sizeof(p), "%s/.fake/netns-deny", root) < 0)
			r = 1;
		else {
			if (fk_read_file(p, old, sizeof(old)) < 0)
				old[0] = '\0';
			snprintf(line, sizeof(line), "%s%s %s\n", old, argv[2], argv[3]);
			if (fk_write_file_atomic(p, line, strlen(line)) < 0)
				r = 1;
		}
	} else {
		fk_msg("usage: netif add IFNAME KIND MODULE [--netns NS] | netif del IFNAME [--netns NS] | "
		       "netif deny NS ERRNO");
		r = 2;
	}
	fk_unlock(fd);
	return r;
}

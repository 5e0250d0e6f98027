/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfakekernel: LD_PRELOAD shim for the fake kernel test tier.
 *
 * With MODCTL_FAKE_ROOT=/abs/dir in the environment, absolute paths below
 * /proc, /sys, /lib/modules, /etc/modprobe.d, /run, ... (see prefixes[])
 * are redirected into that directory, uname() reports the fake release and
 * finit_module/init_module/delete_module (libc symbols and syscall()) are
 * emulated by editing the tree (fakestate.c).  Without the variable every
 * call goes straight to libc.
 *
 * The shim defines the libc symbols itself, so it must not see the
 * large-file and fortify redirections of the libc headers.
 */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "fakestate.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <utime.h>

#define EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------------ */
/* real functions */

#define REAL_DECL(ret, name, args) static ret (*real_##name) args
REAL_DECL(int, open, (const char *, int, ...));
REAL_DECL(int, open64, (const char *, int, ...));
REAL_DECL(int, __open_2, (const char *, int));
REAL_DECL(int, __open64_2, (const char *, int));
REAL_DECL(int, openat, (int, const char *, int, ...));
REAL_DECL(int, openat64, (int, const char *, int, ...));
REAL_DECL(int, __openat_2, (int, const char *, int));
REAL_DECL(int, __openat64_2, (int, const char *, int));
REAL_DECL(int, creat, (const char *, mode_t));
REAL_DECL(int, creat64, (const char *, mode_t));
REAL_DECL(FILE *, fopen, (const char *, const char *));
REAL_DECL(FILE *, fopen64, (const char *, const char *));
REAL_DECL(FILE *, freopen, (const char *, const char *, FILE *));
REAL_DECL(FILE *, freopen64, (const char *, const char *, FILE *));
REAL_DECL(DIR *, opendir, (const char *));
REAL_DECL(int, stat, (const char *, struct stat *));
REAL_DECL(int, stat64, (const char *, struct stat64 *));
REAL_DECL(int, lstat, (const char *, struct stat *));
REAL_DECL(int, lstat64, (const char *, struct stat64 *));
REAL_DECL(int, fstatat, (int, const char *, struct stat *, int));
REAL_DECL(int, fstatat64, (int, const char *, struct stat64 *, int));
REAL_DECL(int, statx, (int, const char *, int, unsigned int, struct statx *));
REAL_DECL(int, statfs, (const char *, struct statfs *));
REAL_DECL(int, statfs64, (const char *, struct statfs64 *));
REAL_DECL(int, access, (const char *, int));
REAL_DECL(int, faccessat, (int, const char *, int, int));
REAL_DECL(int, euidaccess, (const char *, int));
REAL_DECL(int, eaccess, (const char *, int));
REAL_DECL(ssize_t, readlink, (const char *, char *, size_t));
REAL_DECL(ssize_t, readlinkat, (int, const char *, char *, size_t));
REAL_DECL(ssize_t, __readlink_chk, (const char *, char *, size_t, size_t));
REAL_DECL(ssize_t, __readlinkat_chk, (int, const char *, char *, size_t, size_t));
REAL_DECL(int, mkdir, (const char *, mode_t));
REAL_DECL(int, mkdirat, (int, const char *, mode_t));
REAL_DECL(int, unlink, (const char *));
REAL_DECL(int, unlinkat, (int, const char *, int));
REAL_DECL(int, rename, (const char *, const char *));
REAL_DECL(int, renameat, (int, const char *, int, const char *));
REAL_DECL(int, renameat2, (int, const char *, int, const char *, unsigned int));
REAL_DECL(int, rmdir, (const char *));
REAL_DECL(int, symlink, (const char *, const char *));
REAL_DECL(int, symlinkat, (const char *, int, const char *));
REAL_DECL(int, link, (const char *, const char *));
REAL_DECL(int, linkat, (int, const char *, int, const char *, int));
REAL_DECL(int, chmod, (const char *, mode_t));
REAL_DECL(int, fchmodat, (int, const char *, mode_t, int));
REAL_DECL(int, chown, (const char *, uid_t, gid_t));
REAL_DECL(int, lchown, (const char *, uid_t, gid_t));
REAL_DECL(int, fchownat, (int, const char *, uid_t, gid_t, int));
REAL_DECL(int, truncate, (const char *, off_t));
REAL_DECL(int, truncate64, (const char *, off64_t));
REAL_DECL(int, utimensat, (int, const char *, const struct timespec[2], int));
REAL_DECL(int, utimes, (const char *, const struct timeval[2]));
REAL_DECL(int, utime, (const char *, const struct utimbuf *));
REAL_DECL(char *, realpath, (const char *, char *));
REAL_DECL(char *, __realpath_chk, (const char *, char *, size_t));
REAL_DECL(char *, canonicalize_file_name, (const char *));
REAL_DECL(int, scandir, (const char *, struct dirent ***, int (*)(const struct dirent *),
			 int (*)(const struct dirent **, const struct dirent **)));
REAL_DECL(int, scandir64, (const char *, struct dirent64 ***, int (*)(const struct dirent64 *),
			   int (*)(const struct dirent64 **, const struct dirent64 **)));
REAL_DECL(int, inotify_add_watch, (int, const char *, uint32_t));
REAL_DECL(int, name_to_handle_at, (int, const char *, struct file_handle *, int *, int));
REAL_DECL(int, chdir, (const char *));
REAL_DECL(int, mkstemp, (char *));
REAL_DECL(int, mkstemp64, (char *));
REAL_DECL(int, mkostemp, (char *, int));
REAL_DECL(int, mkostemp64, (char *, int));
REAL_DECL(int, mkstemps, (char *, int));
REAL_DECL(int, mkostemps, (char *, int, int));
REAL_DECL(char *, mkdtemp, (char *));
REAL_DECL(int, uname, (struct utsname *));
REAL_DECL(long, syscall, (long, ...));
REAL_DECL(ssize_t, write, (int, const void *, size_t));
REAL_DECL(int, close, (int));
REAL_DECL(int, socket, (int, int, int));
REAL_DECL(ssize_t, send, (int, const void *, size_t, int));
REAL_DECL(int, setns, (int, int));

static void *real_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		static const char msg[] = "libfakekernel: cannot find real symbol ";

		if (real_write) {
			real_write(2, msg, sizeof(msg) - 1);
			real_write(2, name, strlen(name));
			real_write(2, "\n", 1);
		}
	}
	return p;
}

/* Resolve real_NAME on first use; ENOSYS if libc lacks it. */
#define REAL(name, fail)                                                  \
	do {                                                              \
		if (!real_##name)                                         \
			*(void **)(&real_##name) = real_sym(#name);       \
		if (!real_##name) {                                       \
			errno = ENOSYS;                                   \
			return fail;                                      \
		}                                                         \
	} while (0)

/* ------------------------------------------------------------------ */
/* configuration */

static const char *const default_prefixes[] = {
	"/proc", "/sys", "/lib/modules", "/usr/lib/modules", "/run", "/var/run",
	"/etc/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d", "/usr/local/lib/modprobe.d",
	"/etc/depmod.d", "/lib/depmod.d", "/usr/lib/depmod.d", "/usr/local/lib/depmod.d",
	"/etc/modules-load.d", "/lib/modules-load.d", "/usr/lib/modules-load.d",
	"/usr/local/lib/modules-load.d", "/etc/modules",
	/* this build's own locations (tests/fake/local.mk) */
	FAKE_SYSCONFDIR, FAKE_RUNSTATEDIR, FAKE_PREFIX_LIBDIR, FAKE_LIBDIR,
};

#define MAX_PREFIXES 64
static const char *prefixes[MAX_PREFIXES];
static size_t prefix_len[MAX_PREFIXES];
static size_t nprefixes;
static char extra_buf[2048];

static char root[PATH_MAX];
static size_t root_len;
static char root_raw[PATH_MAX];         /* as given, before realpath */
static size_t root_raw_len;
static int enabled;
static char md_path[PATH_MAX + 64];    /* ROOT/proc/sys/kernel/modules_disabled */
static char kconf_path[PATH_MAX + 64]; /* ROOT/.fake/kernel */
static dev_t slash_dev;
static ino_t slash_ino;
static const struct fk_ops *shim_ops_ptr;
const struct fk_ops *fk_ops;

static int shim_open(const char *p, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return real_open(p, flags, mode);
}
static int shim_mkdir(const char *p, mode_t m) { return real_mkdir(p, m); }
static int shim_unlink(const char *p) { return real_unlink(p); }
static int shim_rmdir(const char *p) { return real_rmdir(p); }
static int shim_rename(const char *a, const char *b) { return real_rename(a, b); }
static int shim_symlink(const char *a, const char *b) { return real_symlink(a, b); }
static int shim_lstat(const char *p, struct stat *st) { return real_lstat(p, st); }
static ssize_t shim_readlink(const char *p, char *b, size_t l) { return real_readlink(p, b, l); }

static struct fk_ops shim_ops = {
	shim_open, shim_mkdir, shim_unlink, shim_rmdir, shim_rename,
	shim_symlink, shim_lstat, shim_readlink,
};

static void add_prefix(const char *p)
{
	size_t l = strlen(p);

	while (l > 1 && p[l - 1] == '/')
		l--;
	if (nprefixes < MAX_PREFIXES && l > 1 && p[0] == '/') {
		prefixes[nprefixes] = p;
		prefix_len[nprefixes++] = l;
	}
}

static void init_once(void)
{
	const char *r = getenv("MODCTL_FAKE_ROOT");
	const char *extra = getenv("MODCTL_FAKE_PREFIXES");
	struct stat st;
	size_t i;

	*(void **)(&real_write) = dlsym(RTLD_NEXT, "write");
	*(void **)(&real_open) = real_sym("open");
	*(void **)(&real_mkdir) = real_sym("mkdir");
	*(void **)(&real_unlink) = real_sym("unlink");
	*(void **)(&real_rmdir) = real_sym("rmdir");
	*(void **)(&real_rename) = real_sym("rename");
	*(void **)(&real_symlink) = real_sym("symlink");
	*(void **)(&real_lstat) = real_sym("lstat");
	*(void **)(&real_readlink) = real_sym("readlink");
	*(void **)(&real_realpath) = real_sym("realpath");
	*(void **)(&real_stat) = real_sym("stat");
	shim_ops_ptr = &shim_ops;
	fk_ops = shim_ops_ptr;

	if (!r || r[0] != '/' || strlen(r) >= sizeof(root) - 1 || !real_open || !real_realpath)
		return;
	for (i = 0; i < sizeof(default_prefixes) / sizeof(default_prefixes[0]); i++)
		add_prefix(default_prefixes[i]);
	if (extra && strlen(extra) < sizeof(extra_buf)) {
		char *save = NULL, *t;

		memcpy(extra_buf, extra, strlen(extra) + 1);
		for (t = strtok_r(extra_buf, ":", &save); t; t = strtok_r(NULL, ":", &save))
			add_prefix(t);
	}
	root_raw_len = strlen(r);
	memcpy(root_raw, r, root_raw_len + 1);
	while (root_raw_len > 1 && root_raw[root_raw_len - 1] == '/')
		root_raw[--root_raw_len] = '\0';
	if (!real_realpath(root_raw, root))
		memcpy(root, root_raw, root_raw_len + 1);
	root_len = strlen(root);
	memcpy(md_path, root, root_len);
	memcpy(md_path + root_len, "/proc/sys/kernel/modules_disabled", sizeof("/proc/sys/kernel/modules_disabled"));
	memcpy(kconf_path, root, root_len);
	memcpy(kconf_path + root_len, "/.fake/kernel", sizeof("/.fake/kernel"));
	if (real_stat && real_stat("/", &st) == 0) {
		slash_dev = st.st_dev;
		slash_ino = st.st_ino;
	}
	enabled = 1;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static int fake_on(void)
{
	pthread_once(&once, init_once);
	return enabled;
}

/* ------------------------------------------------------------------ */
/* path redirection */

static int starts_with_root(const char *p)
{
	return (!strncmp(p, root, root_len) && (p[root_len] == '/' || !p[root_len])) ||
	       (!strncmp(p, root_raw, root_raw_len) && (p[root_raw_len] == '/' || !p[root_raw_len]));
}

static int is_exempt(const char *p)
{
	/* the process's own /proc entries stay real, and so does the list
	 * of processes (/proc itself), whose entries are real too */
	if (!strcmp(p, "/proc") || !strcmp(p, "/proc/"))
		return 1;
	if (strncmp(p, "/proc/", 6))
		return 0;
	p += 6;
	if (!strncmp(p, "self", 4) && (p[4] == '/' || !p[4]))
		return 1;
	if (!strncmp(p, "thread-self", 11) && (p[11] == '/' || !p[11]))
		return 1;
	if (*p >= '0' && *p <= '9') {
		const char *pid = p;

		while (*p >= '0' && *p <= '9')
			p++;
		/* another process's network namespace is the host's business:
		 * the fake's namespaces are its own and those in ROOT/run/netns */
		if (!strcmp(p, "/ns/net") && strtol(pid, NULL, 10) != (long)getpid())
			return 0;
		return *p == '/' || !*p;
	}
	return 0;
}

static int matches_prefix(const char *p)
{
	size_t i;

	for (i = 0; i < nprefixes; i++)
		if (!strncmp(p, prefixes[i], prefix_len[i]) &&
		    (p[prefix_len[i]] == '/' || p[prefix_len[i]] == '\0'))
			return 1;
	return 0;
}

/* After a redirected access below /proc or /sys: run due timers. */
static void maybe_tick(const char *p)
{
	int e = errno;

	if (!strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5))
		fk_tick(root);
	if (!strncmp(p, "/sys/module/", 12))
		fk_probe(root, p + 12);
	errno = e;
}

/* Returns the path to use: P itself or BUF holding ROOT/P. */
static const char *redirect(const char *p, char *buf, size_t len)
{
	size_t l;

	if (!p || p[0] != '/' || !fake_on())
		return p;
	if (!matches_prefix(p) || is_exempt(p) || starts_with_root(p))
		return p;
	l = strlen(p);
	if (root_len + l + 1 > len)
		return p;
	memcpy(buf, root, root_len);
	memcpy(buf + root_len, p, l + 1);
	maybe_tick(p);
	return buf;
}

static int fd_is_slash(int fd)
{
	struct stat st;

	if (fd < 0 || slash_ino == 0)
		return 0;
	if (fstat(fd, &st) < 0)
		return 0;
	return st.st_dev == slash_dev && st.st_ino == slash_ino;
}

/* For *at(): absolute paths, and paths relative to an fd of the real "/"
 * (systemd's chase() walks from "/" one component at a time). */
static const char *redirect_at(int dirfd, const char *p, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	size_t l;

	if (!p || !fake_on())
		return p;
	if (p[0] == '/')
		return redirect(p, buf, len);
	if (dirfd == AT_FDCWD || !p[0])
		return p;
	l = strlen(p);
	if (l + 2 > sizeof(tmp))
		return p;
	tmp[0] = '/';
	memcpy(tmp + 1, p, l + 1);
	if (!matches_prefix(tmp) || is_exempt(tmp) || !fd_is_slash(dirfd))
		return p;
	return redirect(tmp, buf, len) == tmp ? p : buf;
}

/* Strip ROOT from a path the kernel would report without it. */
static void unredirect_str(char *s)
{
	if (!s || !enabled)
		return;
	if (!strncmp(s, root, root_len) && s[root_len] == '/')
		memmove(s, s + root_len, strlen(s + root_len) + 1);
	else if (root_raw_len && !strncmp(s, root_raw, root_raw_len) && s[root_raw_len] == '/')
		memmove(s, s + root_raw_len, strlen(s + root_raw_len) + 1);
}

static ssize_t unredirect_buf(char *b, ssize_t n)
{
	if (n <= 0 || !enabled)
		return n;
	if ((size_t)n > root_len && !memcmp(b, root, root_len) && b[root_len] == '/') {
		memmove(b, b + root_len, (size_t)n - root_len);
		return n - (ssize_t)root_len;
	}
	return n;
}

#define RD(p) redirect((p), buf, sizeof(buf))
#define RDAT(fd, p) redirect_at((fd), (p), buf, sizeof(buf))

/* ------------------------------------------------------------------ */
/* /proc/sys/kernel/modules_disabled writes: once 1, only "1" is accepted
 * (the kernel's range is [1, 1]); ROOT/.fake/kernel
 * modules_disabled_write=ignore|ERRNO scripts a broken sysctl. */

#define MAX_WATCH 16
static struct { int fd; dev_t dev; ino_t ino; } watch[MAX_WATCH];
static int nwatch;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;

static int is_md_path(const char *orig)
{
	return orig && !strcmp(orig, "/proc/sys/kernel/modules_disabled");
}

static void watch_fd(int fd)
{
	struct stat st;
	int i;

	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watch[i].fd == 0 || watch[i].fd == fd + 1) {
			watch[i].fd = fd + 1;
			watch[i].dev = st.st_dev;
			watch[i].ino = st.st_ino;
			__atomic_store_n(&nwatch, 1, __ATOMIC_RELAXED);
			break;
		}
	pthread_mutex_unlock(&watch_lock);
}

static int watched(int fd)
{
	struct stat st;
	int i, hit = 0;

	if (!__atomic_load_n(&nwatch, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watch[i].fd == fd + 1) {
			if (fstat(fd, &st) == 0 && st.st_dev == watch[i].dev && st.st_ino == watch[i].ino)
				hit = 1;
			else
				watch[i].fd = 0;
		}
	pthread_mutex_unlock(&watch_lock);
	return hit;
}

static void unwatch(int fd)
{
	int i;

	if (!__atomic_load_n(&nwatch, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&watch_lock);
	for (i = 0; i < MAX_WATCH; i++)
		if (watch[i].fd == fd + 1)
			watch[i].fd = 0;
	pthread_mutex_unlock(&watch_lock);
}

/* Returns the value to report from write(), or -1 with errno. */
static ssize_t md_write(const char *data, size_t n)
{
	char kbuf[2048], val[32];
	const char *mode = "ok";
	char *line, *save = NULL;
	size_t i = 0, o = 0;

	if (fk_read_file(kconf_path, kbuf, sizeof(kbuf)) > 0)
		for (line = strtok_r(kbuf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "modules_disabled_write=", 23))
				mode = line + 23;
	if (!strcmp(mode, "ignore"))
		return (ssize_t)n;
	if (strcmp(mode, "ok")) {
		int e = fk_errno_parse(mode);

		errno = e > 0 ? e : EIO;
		return -1;
	}
	while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n'))
		i++;
	while (i < n && o < sizeof(val) - 1 && data[i] != '\n' && data[i] != ' ')
		val[o++] = data[i++];
	val[o] = '\0';
	if (strcmp(val, "1")) {
		errno = EINVAL;
		return -1;
	}
	if (fk_write_file_atomic(md_path, "1\n", 2) < 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

static ssize_t md_cookie_write(void *c, const char *b, size_t n)
{
	return md_write(b, n);
}

static ssize_t md_cookie_read(void *c, char *b, size_t n)
{
	char v[64];
	int l;

	if (*(int *)c)
		return 0;
	*(int *)c = 1;
	l = fk_read_file(md_path, v, sizeof(v));
	if (l < 0)
		return 0;
	if ((size_t)l > n)
		l = (int)n;
	memcpy(b, v, (size_t)l);
	return l;
}

static int md_cookie_close(void *c)
{
	free(c);
	return 0;
}

static FILE *md_fopen(void)
{
	cookie_io_functions_t io = { md_cookie_read, md_cookie_write, NULL, md_cookie_close };
	int *state = calloc(1, sizeof(int));
	FILE *f;

	if (!state)
		return NULL;
	f = fopencookie(state, "r+", io);
	if (!f)
		free(state);
	else
		setvbuf(f, NULL, _IONBF, 0);
	return f;
}

static int is_write_mode(const char *mode)
{
	return mode && (strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'));
}

static void after_open(const char *orig, int fd, int flags)
{
	int e = errno;

	if (fd >= 0 && enabled && orig) {
		if (!strcmp(orig, "/proc/modules"))
			fk_after_proc_modules_read(root);
		else if (is_md_path(orig) && (flags & O_ACCMODE) != O_RDONLY)
			watch_fd(fd);
	}
	errno = e;
}

static void netlink_forget(int fd);

EXPORT ssize_t write(int fd, const void *b, size_t n)
{
	REAL(write, -1);
	if (watched(fd))
		return md_write(b, n);
	return real_write(fd, b, n);
}

EXPORT int close(int fd)
{
	REAL(close, -1);
	unwatch(fd);
	netlink_forget(fd);
	return real_close(fd);
}

/* ------------------------------------------------------------------ */
/* rtnetlink: the links of ROOT/.fake/netif                            */
/*
 * socket(AF_NETLINK, ..., NETLINK_ROUTE) gives one end of a local
 * SOCK_SEQPACKET pair and remembers the namespace the thread is in: "-"
 * until setns() into an fd of ROOT/run/netns/NAME made it NAME. send() on
 * that end answers an RTM_GETLINK dump of that namespace, numbered as the
 * request was; any other request gets EOPNOTSUPP. The other end is closed
 * with the program's end.
 */

static __thread char fake_netns[128] = "-";
#define MAX_NL 64
static struct {
	int fd1;      /* fd + 1 */
	int peer;
	char ns[128]; /* fake_netns when the socket was made */
} nl_peer[MAX_NL];
static pthread_mutex_t nl_lock = PTHREAD_MUTEX_INITIALIZER;

static void netlink_forget(int fd)
{
	int i, peer = -1;

	if (!enabled)
		return;
	pthread_mutex_lock(&nl_lock);
	for (i = 0; i < MAX_NL; i++)
		if (nl_peer[i].fd1 == fd + 1) {
			nl_peer[i].fd1 = 0;
			peer = nl_peer[i].peer;
		}
	pthread_mutex_unlock(&nl_lock);
	if (peer >= 0)
		real_close(peer);
}

static size_t nl_put_attr(char *b, size_t off, unsigned short type, const void *data, size_t len)
{
	struct nlattr_hdr {
		unsigned short len, type;
	} h = { (unsigned short)(4 + len), type };

	memcpy(b + off, &h, 4);
	memcpy(b + off + 4, data, len);
	memset(b + off + 4 + len, 0, ((4 + len + 3) & ~3u) - (4 + len));
	return off + ((4 + len + 3) & ~3u);
}

/* An NLMSG_DONE numbered seq at b + off; the new length. */
static size_t nl_done(uint32_t seq, char *b, size_t off)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(b + off);

	memset(nh, 0, NLMSG_LENGTH(sizeof(int)));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	nh->nlmsg_type = NLMSG_DONE;
	nh->nlmsg_flags = NLM_F_MULTI;
	nh->nlmsg_seq = seq;
	return off + NLMSG_LENGTH(sizeof(int));
}

/* Build the dump for namespace ns into b: RTM_NEWLINK messages, then DONE,
 * numbered seq; when want > 0, the interface of that index alone (no
 * DONE), or 0 bytes when there is none. */
static size_t nl_dump(const char *ns, uint32_t seq, int want, char *b, size_t size)
{
	char path[PATH_MAX + 32], data[16384], copy[16384];
	size_t off = 0;
	char *line, *save = NULL;
	int index = 1;

	snprintf(path, sizeof(path), "%s/.fake/netif", root);
	if (fk_read_file(path, data, sizeof(data)) < 0)
		data[0] = '\0';
	memcpy(copy, data, sizeof(copy));
	/* ifindex: the line number + 1 (lo is 1) */
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char lns[128], ifn[64], kind[64], mod[64], lower[64] = "";
		struct nlmsghdr *nh;
		struct ifinfomsg *ifi;
		size_t start = off, li;
		int link = 0;

		index++;
		if (sscanf(line, "%127s %63s %63s %63s %63s", lns, ifn, kind, mod, lower) < 4 || strcmp(lns, ns) ||
		    (want > 0 && index != want))
			continue;
		if (lower[0]) {
			char *l2, *s2 = NULL, c2[sizeof(copy)];
			int j = 1;

			memcpy(c2, copy, sizeof(c2));
			for (l2 = strtok_r(c2, "\n", &s2); l2; l2 = strtok_r(NULL, "\n", &s2)) {
				char n2[128], i2[64];

				j++;
				if (sscanf(l2, "%127s %63s", n2, i2) == 2 && !strcmp(n2, ns) && !strcmp(i2, lower))
					link = j;
			}
		}
		if (off + 512 > size)
			break;
		nh = (struct nlmsghdr *)(b + off);
		memset(nh, 0, NLMSG_LENGTH(sizeof(*ifi)));
		nh->nlmsg_type = RTM_NEWLINK;
		nh->nlmsg_flags = want > 0 ? 0 : NLM_F_MULTI;
		nh->nlmsg_seq = seq;
		ifi = NLMSG_DATA(nh);
		ifi->ifi_index = index;
		off += NLMSG_LENGTH(sizeof(*ifi));
		off = nl_put_attr(b, off, IFLA_IFNAME, ifn, strlen(ifn) + 1);
		if (link)
			off = nl_put_attr(b, off, IFLA_LINK, &link, sizeof(link));
		li = off;
		off = nl_put_attr(b, off, IFLA_LINKINFO, "", 0);
		off = nl_put_attr(b, off, IFLA_INFO_KIND, kind, strlen(kind) + 1);
		((unsigned short *)(b + li))[0] = (unsigned short)(off - li);
		nh->nlmsg_len = (unsigned)(off - start);
		if (want > 0)
			return off;
	}
	if (want > 0)
		return 0;
	return nl_done(seq, b, off);
}

/* The index nl_dump gives interface ifn of namespace ns, or 0. */
static int nl_ifindex(const char *ns, const char *ifn)
{
	char path[PATH_MAX + 32], data[16384];
	char *line, *save = NULL;
	int index = 1;

	snprintf(path, sizeof(path), "%s/.fake/netif", root);
	if (fk_read_file(path, data, sizeof(data)) < 0)
		return 0;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char lns[128], name[64];

		index++;
		if (sscanf(line, "%127s %63s", lns, name) == 2 && !strcmp(lns, ns) && !strcmp(name, ifn))
			return index;
	}
	return 0;
}

/* The queueing disciplines of namespace ns (ROOT/.fake/qdisc, lines "NS
 * IFNAME KIND root|ingress MAJOR"): RTM_NEWQDISC messages, then DONE. */
static size_t nl_qdisc_dump(const char *ns, uint32_t seq, char *b, size_t size)
{
	char path[PATH_MAX + 32], data[16384];
	char *line, *save = NULL;
	size_t off = 0;

	snprintf(path, sizeof(path), "%s/.fake/qdisc", root);
	if (fk_read_file(path, data, sizeof(data)) < 0)
		data[0] = '\0';
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char lns[128], ifn[64], kind[64], parent[16];
		unsigned major;
		struct nlmsghdr *nh;
		struct tcmsg *tc;
		size_t start = off;

		if (sscanf(line, "%127s %63s %63s %15s %x", lns, ifn, kind, parent, &major) != 5 || strcmp(lns, ns))
			continue;
		if (off + 256 > size)
			break;
		nh = (struct nlmsghdr *)(b + off);
		memset(nh, 0, NLMSG_LENGTH(sizeof(*tc)));
		nh->nlmsg_type = RTM_NEWQDISC;
		nh->nlmsg_flags = NLM_F_MULTI;
		nh->nlmsg_seq = seq;
		tc = NLMSG_DATA(nh);
		tc->tcm_ifindex = nl_ifindex(ns, ifn);
		tc->tcm_handle = major << 16;
		tc->tcm_parent = strcmp(parent, "ingress") ? TC_H_ROOT : TC_H_INGRESS;
		off += NLMSG_LENGTH(sizeof(*tc));
		off = nl_put_attr(b, off, TCA_KIND, kind, strlen(kind) + 1);
		nh->nlmsg_len = (unsigned)(off - start);
	}
	return nl_done(seq, b, off);
}

EXPORT int socket(int domain, int type, int protocol)
{
	int sv[2], i;

	REAL(socket, -1);
	if (!fake_on() || domain != AF_NETLINK || protocol != NETLINK_ROUTE)
		return real_socket(domain, type, protocol);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | (type & (SOCK_CLOEXEC | SOCK_NONBLOCK)), 0, sv) < 0)
		return -1;
	pthread_mutex_lock(&nl_lock);
	for (i = 0; i < MAX_NL && nl_peer[i].fd1; i++)
		;
	if (i < MAX_NL) {
		nl_peer[i].fd1 = sv[0] + 1;
		nl_peer[i].peer = sv[1];
		snprintf(nl_peer[i].ns, sizeof(nl_peer[i].ns), "%s", fake_netns);
	}
	pthread_mutex_unlock(&nl_lock);
	if (i == MAX_NL) {
		real_close(sv[0]);
		real_close(sv[1]);
		errno = EMFILE;
		return -1;
	}
	return sv[0];
}

/* A request on a fake rtnetlink socket: its answer, written to the peer. */
EXPORT ssize_t send(int fd, const void *b, size_t n, int flags)
{
	static __thread char buf[65536];
	const struct nlmsghdr *req = b;
	char ns[128];
	int i, peer = -1;
	size_t len;

	REAL(send, -1);
	if (enabled) {
		pthread_mutex_lock(&nl_lock);
		for (i = 0; i < MAX_NL; i++)
			if (nl_peer[i].fd1 == fd + 1) {
				peer = nl_peer[i].peer;
				memcpy(ns, nl_peer[i].ns, sizeof(ns));
			}
		pthread_mutex_unlock(&nl_lock);
	}
	if (peer < 0)
		return real_send(fd, b, n, flags);
	if (n < sizeof(*req)) {
		errno = EINVAL;
		return -1;
	}
	len = 0;
	if (req->nlmsg_type == RTM_GETLINK && (req->nlmsg_flags & NLM_F_DUMP))
		len = nl_dump(ns, req->nlmsg_seq, 0, buf, sizeof(buf));
	else if (req->nlmsg_type == RTM_GETLINK && n >= NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		len = nl_dump(ns, req->nlmsg_seq, ((const struct ifinfomsg *)NLMSG_DATA(req))->ifi_index, buf,
			      sizeof(buf));
	else if (req->nlmsg_type == RTM_GETQDISC && (req->nlmsg_flags & NLM_F_DUMP))
		len = nl_qdisc_dump(ns, req->nlmsg_seq, buf, sizeof(buf));
	if (len == 0) {
		/* a link that is not there: ENODEV; any other request: EOPNOTSUPP */
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		struct nlmsgerr *e = NLMSG_DATA(nh);

		memset(buf, 0, NLMSG_LENGTH(sizeof(*e)));
		nh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
		nh->nlmsg_type = NLMSG_ERROR;
		nh->nlmsg_seq = req->nlmsg_seq;
		e->error = req->nlmsg_type == RTM_GETLINK ? -ENODEV : -EOPNOTSUPP;
		e->msg = *req;
		len = nh->nlmsg_len;
	}
	if (real_send(peer, buf, len, 0) < 0)
		return -1;
	return (ssize_t)n;
}

EXPORT int setns(int fd, int nstype)
{
	char link[64], path[PATH_MAX], dpath[PATH_MAX + 32], deny[4096], base[128];
	ssize_t l;

	REAL(setns, -1);
	if (!fake_on())
		return real_setns(fd, nstype);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	l = real_readlink(link, path, sizeof(path) - 1);
	if (l <= 0)
		return real_setns(fd, nstype);
	path[l] = '\0';
	if (!starts_with_root(path))
		return real_setns(fd, nstype);
	snprintf(base, sizeof(base), "%s", strrchr(path, '/') + 1);
	snprintf(dpath, sizeof(dpath), "%s/.fake/netns-deny", root);
	if (fk_read_file(dpath, deny, sizeof(deny)) >= 0) {
		char *line, *save = NULL;

		for (line = strtok_r(deny, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char ns[128], e[32];

			if (sscanf(line, "%127s %31s", ns, e) == 2 && !strcmp(ns, base)) {
				errno = fk_errno_parse(e);
				return -1;
			}
		}
	}
	snprintf(fake_netns, sizeof(fake_netns), "%s", base);
	return 0;
}

/* ------------------------------------------------------------------ */
/* open family */

static mode_t va_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *p, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	REAL(open, -1);
	fd = real_open(RD(p), flags, mode);
	after_open(p, fd, flags);
	return fd;
}

EXPORT int open64(const char *p, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	REAL(open64, -1);
	fd = real_open64(RD(p), flags, mode);
	after_open(p, fd, flags);
	return fd;
}

int __open_2(const char *p, int flags);
EXPORT int __open_2(const char *p, int flags)
{
	char buf[PATH_MAX];
	int fd;

	REAL(__open_2, -1);
	fd = real___open_2(RD(p), flags);
	after_open(p, fd, flags);
	return fd;
}

int __open64_2(const char *p, int flags);
EXPORT int __open64_2(const char *p, int flags)
{
	char buf[PATH_MAX];
	int fd;

	REAL(__open64_2, -1);
	fd = real___open64_2(RD(p), flags);
	after_open(p, fd, flags);
	return fd;
}

EXPORT int openat(int dirfd, const char *p, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	REAL(openat, -1);
	fd = real_openat(dirfd, RDAT(dirfd, p), flags, mode);
	after_open(p, fd, flags);
	return fd;
}

EXPORT int openat64(int dirfd, const char *p, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	REAL(openat64, -1);
	fd = real_openat64(dirfd, RDAT(dirfd, p), flags, mode);
	after_open(p, fd, flags);
	return fd;
}

int __openat_2(int dirfd, const char *p, int flags);
EXPORT int __openat_2(int dirfd, const char *p, int flags)
{
	char buf[PATH_MAX];
	int fd;

	REAL(__openat_2, -1);
	fd = real___openat_2(dirfd, RDAT(dirfd, p), flags);
	after_open(p, fd, flags);
	return fd;
}

int __openat64_2(int dirfd, const char *p, int flags);
EXPORT int __openat64_2(int dirfd, const char *p, int flags)
{
	char buf[PATH_MAX];
	int fd;

	REAL(__openat64_2, -1);
	fd = real___openat64_2(dirfd, RDAT(dirfd, p), flags);
	after_open(p, fd, flags);
	return fd;
}

EXPORT int creat(const char *p, mode_t mode)
{
	char buf[PATH_MAX];

	REAL(creat, -1);
	return real_creat(RD(p), mode);
}

EXPORT int creat64(const char *p, mode_t mode)
{
	char buf[PATH_MAX];

	REAL(creat64, -1);
	return real_creat64(RD(p), mode);
}

static FILE *do_fopen(FILE *(*fn)(const char *, const char *), const char *p, const char *mode)
{
	char buf[PATH_MAX];
	const char *rp = RD(p);
	FILE *f;

	if (rp != p && is_md_path(p) && is_write_mode(mode))
		return md_fopen();
	/* how often vmlinux BTF is parsed (libbpf reads it with fopen) */
	if (rp != p && !strcmp(p, "/sys/kernel/btf/vmlinux"))
		fk_log_call(root, "bpf", "vmlinux_read", 0, 0, NULL);
	f = fn(rp, mode);
	after_open(p, f ? 0 : -1, O_RDONLY);
	return f;
}

EXPORT FILE *fopen(const char *p, const char *mode)
{
	REAL(fopen, NULL);
	return do_fopen(real_fopen, p, mode);
}

EXPORT FILE *fopen64(const char *p, const char *mode)
{
	REAL(fopen64, NULL);
	return do_fopen(real_fopen64, p, mode);
}

EXPORT FILE *freopen(const char *p, const char *mode, FILE *f)
{
	char buf[PATH_MAX];

	REAL(freopen, NULL);
	return real_freopen(p ? RD(p) : NULL, mode, f);
}

EXPORT FILE *freopen64(const char *p, const char *mode, FILE *f)
{
	char buf[PATH_MAX];

	REAL(freopen64, NULL);
	return real_freopen64(p ? RD(p) : NULL, mode, f);
}

EXPORT DIR *opendir(const char *p)
{
	char buf[PATH_MAX];

	REAL(opendir, NULL);
	return real_opendir(RD(p));
}

EXPORT int scandir(const char *p, struct dirent ***list, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **))
{
	char buf[PATH_MAX];

	REAL(scandir, -1);
	return real_scandir(RD(p), list, filter, compar);
}

EXPORT int scandir64(const char *p, struct dirent64 ***list, int (*filter)(const struct dirent64 *),
		     int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	char buf[PATH_MAX];

	REAL(scandir64, -1);
	return real_scandir64(RD(p), list, filter, compar);
}

/* ------------------------------------------------------------------ */
/* stat family, access */

EXPORT int stat(const char *p, struct stat *st)
{
	char buf[PATH_MAX];

	REAL(stat, -1);
	return real_stat(RD(p), st);
}

EXPORT int stat64(const char *p, struct stat64 *st)
{
	char buf[PATH_MAX];

	REAL(stat64, -1);
	return real_stat64(RD(p), st);
}

EXPORT int lstat(const char *p, struct stat *st)
{
	char buf[PATH_MAX];

	REAL(lstat, -1);
	return real_lstat(RD(p), st);
}

EXPORT int lstat64(const char *p, struct stat64 *st)
{
	char buf[PATH_MAX];

	REAL(lstat64, -1);
	return real_lstat64(RD(p), st);
}

EXPORT int fstatat(int dirfd, const char *p, struct stat *st, int flags)
{
	char buf[PATH_MAX];

	REAL(fstatat, -1);
	return real_fstatat(dirfd, RDAT(dirfd, p), st, flags);
}

EXPORT int fstatat64(int dirfd, const char *p, struct stat64 *st, int flags)
{
	char buf[PATH_MAX];

	REAL(fstatat64, -1);
	return real_fstatat64(dirfd, RDAT(dirfd, p), st, flags);
}

EXPORT int statx(int dirfd, const char *p, int flags, unsigned int mask, struct statx *stx)
{
	char buf[PATH_MAX];

	REAL(statx, -1);
	return real_statx(dirfd, RDAT(dirfd, p), flags, mask, stx);
}

/* Below /sys/fs/bpf: bpffs, when the fake kernel has it mounted. */
static int on_bpffs(const char *p, const char *rp)
{
	return rp != p && !strncmp(p, "/sys/fs/bpf", 11) && (p[11] == '/' || !p[11]) && fk_bpf_mounted(root);
}

EXPORT int statfs(const char *p, struct statfs *st)
{
	char buf[PATH_MAX];
	const char *rp;
	int r;

	REAL(statfs, -1);
	rp = RD(p);
	r = real_statfs(rp, st);
	if (r == 0 && on_bpffs(p, rp))
		st->f_type = (__fsword_t)fk_bpf_fs_magic();
	return r;
}

EXPORT int statfs64(const char *p, struct statfs64 *st)
{
	char buf[PATH_MAX];
	const char *rp;
	int r;

	REAL(statfs64, -1);
	rp = RD(p);
	r = real_statfs64(rp, st);
	if (r == 0 && on_bpffs(p, rp))
		st->f_type = (__fsword_t)fk_bpf_fs_magic();
	return r;
}

EXPORT int access(const char *p, int mode)
{
	char buf[PATH_MAX];

	REAL(access, -1);
	return real_access(RD(p), mode);
}

EXPORT int faccessat(int dirfd, const char *p, int mode, int flags)
{
	char buf[PATH_MAX];

	REAL(faccessat, -1);
	return real_faccessat(dirfd, RDAT(dirfd, p), mode, flags);
}

EXPORT int euidaccess(const char *p, int mode)
{
	char buf[PATH_MAX];

	REAL(euidaccess, -1);
	return real_euidaccess(RD(p), mode);
}

EXPORT int eaccess(const char *p, int mode)
{
	char buf[PATH_MAX];

	REAL(eaccess, -1);
	return real_eaccess(RD(p), mode);
}

/* ------------------------------------------------------------------ */
/* links */

EXPORT ssize_t readlink(const char *p, char *out, size_t len)
{
	char buf[PATH_MAX];

	REAL(readlink, -1);
	return unredirect_buf(out, real_readlink(RD(p), out, len));
}

EXPORT ssize_t readlinkat(int dirfd, const char *p, char *out, size_t len)
{
	char buf[PATH_MAX];

	REAL(readlinkat, -1);
	return unredirect_buf(out, real_readlinkat(dirfd, RDAT(dirfd, p), out, len));
}

ssize_t __readlink_chk(const char *p, char *out, size_t len, size_t outlen);
EXPORT ssize_t __readlink_chk(const char *p, char *out, size_t len, size_t outlen)
{
	char buf[PATH_MAX];

	REAL(__readlink_chk, -1);
	return unredirect_buf(out, real___readlink_chk(RD(p), out, len, outlen));
}

ssize_t __readlinkat_chk(int dirfd, const char *p, char *out, size_t len, size_t outlen);
EXPORT ssize_t __readlinkat_chk(int dirfd, const char *p, char *out, size_t len, size_t outlen)
{
	char buf[PATH_MAX];

	REAL(__readlinkat_chk, -1);
	return unredirect_buf(out, real___readlinkat_chk(dirfd, RDAT(dirfd, p), out, len, outlen));
}

EXPORT int symlink(const char *target, const char *p)
{
	char buf[PATH_MAX];

	REAL(symlink, -1);
	return real_symlink(target, RD(p));
}

EXPORT int symlinkat(const char *target, int dirfd, const char *p)
{
	char buf[PATH_MAX];

	REAL(symlinkat, -1);
	return real_symlinkat(target, dirfd, RDAT(dirfd, p));
}

EXPORT int link(const char *a, const char *b)
{
	char buf[PATH_MAX], buf2[PATH_MAX];

	REAL(link, -1);
	return real_link(RD(a), redirect(b, buf2, sizeof(buf2)));
}

EXPORT int linkat(int fa, const char *a, int fb, const char *b, int flags)
{
	char buf[PATH_MAX], buf2[PATH_MAX];

	REAL(linkat, -1);
	return real_linkat(fa, RDAT(fa, a), fb, redirect_at(fb, b, buf2, sizeof(buf2)), flags);
}

/* ------------------------------------------------------------------ */
/* directory and file changes */

EXPORT int mkdir(const char *p, mode_t mode)
{
	char buf[PATH_MAX];

	REAL(mkdir, -1);
	return real_mkdir(RD(p), mode);
}

EXPORT int mkdirat(int dirfd, const char *p, mode_t mode)
{
	char buf[PATH_MAX];

	REAL(mkdirat, -1);
	return real_mkdirat(dirfd, RDAT(dirfd, p), mode);
}

/* Unlinking a pin in the fake bpffs releases what it holds. */
static int unlink_pin(int dirfd, const char *p, const char *rp, int flags)
{
	char *content = NULL;
	int r, e;

	if (rp != p && !strncmp(p, "/sys/fs/bpf/", 12) && !(flags & AT_REMOVEDIR))
		content = fk_bpf_read_pin(rp);
	r = real_unlinkat(dirfd, rp, flags);
	e = errno;
	if (r == 0 && content)
		fk_bpf_unpinned(root, content, p, 0);
	free(content);
	errno = e;
	return r;
}

EXPORT int unlink(const char *p)
{
	char buf[PATH_MAX];

	REAL(unlink, -1);
	REAL(unlinkat, -1);
	return unlink_pin(AT_FDCWD, p, RD(p), 0);
}

EXPORT int unlinkat(int dirfd, const char *p, int flags)
{
	char buf[PATH_MAX];

	REAL(unlinkat, -1);
	return unlink_pin(dirfd, p, RDAT(dirfd, p), flags);
}

EXPORT int rmdir(const char *p)
{
	char buf[PATH_MAX];

	REAL(rmdir, -1);
	return real_rmdir(RD(p));
}

EXPORT int rename(const char *a, const char *b)
{
	char buf[PATH_MAX], buf2[PATH_MAX];

	REAL(rename, -1);
	return real_rename(RD(a), redirect(b, buf2, sizeof(buf2)));
}

EXPORT int renameat(int fa, const char *a, int fb, const char *b)
{
	char buf[PATH_MAX], buf2[PATH_MAX];

	REAL(renameat, -1);
	return real_renameat(fa, RDAT(fa, a), fb, redirect_at(fb, b, buf2, sizeof(buf2)));
}

EXPORT int renameat2(int fa, const char *a, int fb, const char *b, unsigned int flags)
{
	char buf[PATH_MAX], buf2[PATH_MAX];

	REAL(renameat2, -1);
	return real_renameat2(fa, RDAT(fa, a), fb, redirect_at(fb, b, buf2, sizeof(buf2)), flags);
}

EXPORT int chmod(const char *p, mode_t mode)
{
	char buf[PATH_MAX];

	REAL(chmod, -1);
	return real_chmod(RD(p), mode);
}

EXPORT int fchmodat(int dirfd, const char *p, mode_t mode, int flags)
{
	char buf[PATH_MAX];

	REAL(fchmodat, -1);
	return real_fchmodat(dirfd, RDAT(dirfd, p), mode, flags);
}

EXPORT int chown(const char *p, uid_t u, gid_t g)
{
	char buf[PATH_MAX];

	REAL(chown, -1);
	return real_chown(RD(p), u, g);
}

EXPORT int lchown(const char *p, uid_t u, gid_t g)
{
	char buf[PATH_MAX];

	REAL(lchown, -1);
	return real_lchown(RD(p), u, g);
}

EXPORT int fchownat(int dirfd, const char *p, uid_t u, gid_t g, int flags)
{
	char buf[PATH_MAX];

	REAL(fchownat, -1);
	return real_fchownat(dirfd, RDAT(dirfd, p), u, g, flags);
}

EXPORT int truncate(const char *p, off_t len)
{
	char buf[PATH_MAX];

	REAL(truncate, -1);
	return real_truncate(RD(p), len);
}

EXPORT int truncate64(const char *p, off64_t len)
{
	char buf[PATH_MAX];

	REAL(truncate64, -1);
	return real_truncate64(RD(p), len);
}

EXPORT int utimensat(int dirfd, const char *p, const struct timespec ts[2], int flags)
{
	char buf[PATH_MAX];

	REAL(utimensat, -1);
	return real_utimensat(dirfd, RDAT(dirfd, p), ts, flags);
}

EXPORT int utimes(const char *p, const struct timeval tv[2])
{
	char buf[PATH_MAX];

	REAL(utimes, -1);
	return real_utimes(RD(p), tv);
}

EXPORT int utime(const char *p, const struct utimbuf *t)
{
	char buf[PATH_MAX];

	REAL(utime, -1);
	return real_utime(RD(p), t);
}

EXPORT int chdir(const char *p)
{
	char buf[PATH_MAX];

	REAL(chdir, -1);
	return real_chdir(RD(p));
}

EXPORT int inotify_add_watch(int fd, const char *p, uint32_t mask)
{
	char buf[PATH_MAX];

	REAL(inotify_add_watch, -1);
	return real_inotify_add_watch(fd, RD(p), mask);
}

EXPORT int name_to_handle_at(int dirfd, const char *p, struct file_handle *h, int *mnt, int flags)
{
	char buf[PATH_MAX];

	REAL(name_to_handle_at, -1);
	return real_name_to_handle_at(dirfd, RDAT(dirfd, p), h, mnt, flags);
}

/* ------------------------------------------------------------------ */
/* realpath: the caller must see its own (unredirected) name space */

EXPORT char *realpath(const char *p, char *resolved)
{
	char buf[PATH_MAX];
	char *r;

	REAL(realpath, NULL);
	r = real_realpath(RD(p), resolved);
	unredirect_str(r);
	return r;
}

char *__realpath_chk(const char *p, char *resolved, size_t len);
EXPORT char *__realpath_chk(const char *p, char *resolved, size_t len)
{
	char buf[PATH_MAX];
	char *r;

	REAL(__realpath_chk, NULL);
	r = real___realpath_chk(RD(p), resolved, len);
	unredirect_str(r);
	return r;
}

EXPORT char *canonicalize_file_name(const char *p)
{
	char buf[PATH_MAX];
	char *r;

	REAL(canonicalize_file_name, NULL);
	r = real_canonicalize_file_name(RD(p));
	unredirect_str(r);
	return r;
}

/* ------------------------------------------------------------------ */
/* temporary files: the template is redirected, its X's copied back */

#define TEMPLATE_CALL(call)                                                \
	do {                                                               \
		char buf[PATH_MAX];                                        \
		const char *rp = RD(tmpl);                                 \
		int fd_;                                                   \
		if (rp == tmpl)                                            \
			return call(tmpl);                                 \
		fd_ = call(buf);                                           \
		if (fd_ >= 0)                                              \
			memcpy(tmpl, buf + root_len, strlen(tmpl));        \
		return fd_;                                                \
	} while (0)

EXPORT int mkstemp(char *tmpl)
{
	REAL(mkstemp, -1);
#define C_(b) real_mkstemp(b)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT int mkstemp64(char *tmpl)
{
	REAL(mkstemp64, -1);
#define C_(b) real_mkstemp64(b)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT int mkostemp(char *tmpl, int flags)
{
	REAL(mkostemp, -1);
#define C_(b) real_mkostemp(b, flags)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT int mkostemp64(char *tmpl, int flags)
{
	REAL(mkostemp64, -1);
#define C_(b) real_mkostemp64(b, flags)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT int mkstemps(char *tmpl, int slen)
{
	REAL(mkstemps, -1);
#define C_(b) real_mkstemps(b, slen)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT int mkostemps(char *tmpl, int slen, int flags)
{
	REAL(mkostemps, -1);
#define C_(b) real_mkostemps(b, slen, flags)
	TEMPLATE_CALL(C_);
#undef C_
}

EXPORT char *mkdtemp(char *tmpl)
{
	char buf[PATH_MAX];
	const char *rp;
	char *r;

	REAL(mkdtemp, NULL);
	rp = RD(tmpl);
	if (rp == tmpl)
		return real_mkdtemp(tmpl);
	r = real_mkdtemp(buf);
	if (!r)
		return NULL;
	memcpy(tmpl, buf + root_len, strlen(tmpl));
	return tmpl;
}

/* ------------------------------------------------------------------ */
/* uname */

EXPORT int uname(struct utsname *u)
{
	int r;

	REAL(uname, -1);
	r = real_uname(u);
	if (r == 0 && fake_on()) {
		int e = errno;

		fk_release(root, u->release, sizeof(u->release));
		errno = e;
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* module system calls */

static long ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static long ret_fd(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static long emu_finit_module(int fd, const char *args, int flags)
{
	struct stat st;
	char link[64], path[PATH_MAX];
	ssize_t n;
	void *img;
	long r;

	fk_tick(root);
	if (fd < 0 || fstat(fd, &st) < 0)
		return ret_errno(-EBADF);
	if (!S_ISREG(st.st_mode))
		return ret_errno(-EINVAL);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = real_readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	if (st.st_size == 0) {
		r = fk_sys_load(root, "", 0, path, args, (unsigned int)flags, "finit_module");
		return ret_errno((int)r);
	}
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED)
		return ret_errno(-EINVAL);
	r = fk_sys_load(root, img, (size_t)st.st_size, path, args, (unsigned int)flags, "finit_module");
	munmap(img, (size_t)st.st_size);
	return ret_errno((int)r);
}

static long emu_init_module(const void *img, unsigned long len, const char *args)
{
	fk_tick(root);
	if (!img)
		return ret_errno(-EFAULT);
	return ret_errno(fk_sys_load(root, img, len, NULL, args, 0, "init_module"));
}

static long emu_delete_module(const char *name, unsigned int flags)
{
	fk_tick(root);
	if (!name)
		return ret_errno(-EFAULT);
	return ret_errno(fk_sys_delete_module(root, name, flags));
}

static int no_pidfd(void)
{
	char path[PATH_MAX + 32], b[8];

	snprintf(path, sizeof(path), "%s/.fake/no-pidfd", root);
	return fk_read_file(path, b, sizeof(b)) >= 0;
}

EXPORT long syscall(long number, ...)
{
	va_list ap;
	long a[6];
	int i;

	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (fake_on()) {
		int e = errno;

		errno = e;
		switch (number) {
		case __NR_finit_module:
			return emu_finit_module((int)a[0], (const char *)a[1], (int)a[2]);
		case __NR_init_module:
			return emu_init_module((const void *)a[0], (unsigned long)a[1], (const char *)a[2]);
		case __NR_delete_module:
			return emu_delete_module((const char *)a[0], (unsigned int)a[1]);
		case __NR_bpf:
			/* never the host's: its bpffs, BTF and pins are not the fake's */
			return ret_fd(fk_sys_bpf(root, (int)a[0], (void *)a[1], (unsigned int)a[2]));
		case 434: /* pidfd_open */
		case 438: /* pidfd_getfd */
			/* ROOT/.fake/no-pidfd: a kernel (or valgrind) without them */
			if (no_pidfd())
				return ret_errno(-ENOSYS);
			break;
		default:
			break;
		}
	}
	REAL(syscall, -1);
	return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int init_module(void *img, unsigned long len, const char *args);
EXPORT int init_module(void *img, unsigned long len, const char *args)
{
	if (fake_on())
		return (int)emu_init_module(img, len, args);
	return (int)syscall(__NR_init_module, img, len, args);
}

int finit_module(int fd, const char *args, int flags);
EXPORT int finit_module(int fd, const char *args, int flags)
{
	if (fake_on())
		return (int)emu_finit_module(fd, args, flags);
	return (int)syscall(__NR_finit_module, fd, args, flags);
}

int delete_module(const char *name, unsigned int flags);
EXPORT int delete_module(const char *name, unsigned int flags)
{
	if (fake_on())
		return (int)emu_delete_module(name, flags);
	return (int)syscall(__NR_delete_module, name, flags);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The expensive sources of holders.c: the mount table of every mount
 * namespace (one process per namespace), and the scan of every process's
 * open files, working directory, root and mappings. Both read /proc, and
 * for line disciplines ask the ttys themselves (TIOCGETD) through copies
 * of the processes' files.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "holders-internal.h"
#include "log.h"
#include "strv.h"
#include "util.h"

/* The same numbers on every architecture but alpha, which has no pidfds
 * in the headers this may be built with either. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

char *json_string(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_put_string(f, s);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --- processes -------------------------------------------------------------- */

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int procs_list(struct holders_run *run)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;

	if (run->pids_read)
		return 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t v = proc_entry_pid(de->d_name);

		if (!v)
			continue;
		if (run->n_pids == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			pid_t *n = realloc(run->pids, ncap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			run->pids = n;
			cap = ncap;
		}
		run->pids[run->n_pids++] = v;
	}
	if (run->n_pids)
		qsort(run->pids, run->n_pids, sizeof(pid_t), pid_cmp);
	run->pids_read = true;
	return 0;
}

/* mountinfo escapes blanks and backslashes as \ooo */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static int add_mount(struct holders_run *run, char *line, pid_t pid, unsigned long ino, size_t *cap)
{
	unsigned maj, min;
	char target[PATH_MAX], *sep, fstype[64], source[PATH_MAX];
	struct mount_entry *m;

	if (sscanf(line, "%*d %*d %u:%u %*s %4095s", &maj, &min, target) != 3)
		return 0;
	sep = strstr(line, " - ");
	if (!sep || sscanf(sep + 3, "%63s %4095s", fstype, source) != 2)
		return 0;
	if (run->n_mounts == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct mount_entry *n = realloc(run->mounts, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		run->mounts = n;
		*cap = ncap;
	}
	unescape(target);
	unescape(source);
	m = &run->mounts[run->n_mounts];
	memset(m, 0, sizeof(*m));
	m->dev = makedev(maj, min);
	m->ns_pid = pid;
	m->ns_ino = ino;
	m->fstype = strdup(fstype);
	m->source = strdup(source);
	m->target = strdup(target);
	run->n_mounts++;
	if (!m->fstype || !m->source || !m->target)
		return -ENOMEM;
	return 0;
}

int procs_read_mounts(struct holders_run *run)
{
	unsigned long *seen = NULL;
	size_t n_seen = 0, cap = 0, i;
	int r;

	if (run->mounts_read)
		return 0;
	r = procs_list(run);
	if (r < 0)
		return r;
	for (i = 0; i < run->n_pids; i++) {
		char path[64], *line, *save = NULL;
		_cleanup_free_ char *buf = NULL;
		struct stat st;
		unsigned long *ns;
		size_t j, len;

		if (!holders_budget_left(run))
			break;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)run->pids[i]);
		if (stat(path, &st) < 0)
			continue; /* gone, or a kernel thread */
		for (j = 0; j < n_seen; j++)
			if (seen[j] == (unsigned long)st.st_ino)
				break;
		if (j < n_seen)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)run->pids[i]);
		if (read_full_file(path, &buf, &len) < 0)
			continue;
		ns = realloc(seen, (n_seen + 1) * sizeof(*ns));
		if (!ns) {
			free(seen);
			return -ENOMEM;
		}
		seen = ns;
		seen[n_seen++] = (unsigned long)st.st_ino;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			r = add_mount(run, line, run->pids[i], (unsigned long)st.st_ino, &cap);
			if (r < 0) {
				free(seen);
				return r;
			}
		}
	}
	free(seen);
	run->mounts_read = true;
	log_debug("holders: %zu mounts in %zu mount namespaces", run->n_mounts, n_seen);
	return 0;
}

static bool dev_mounted(const struct holders_run *run, dev_t dev)
{
	size_t i;

	for (i = 0; i < run->n_mounts; i++)
		if (run->mounts[i].dev == dev)
			return true;
	return false;
}

void procs_free(struct holders_run *run)
{
	size_t i;

	for (i = 0; i < run->n_mounts; i++) {
		free(run->mounts[i].fstype);
		free(run->mounts[i].source);
		free(run->mounts[i].target);
	}
	free(run->mounts);
	free(run->pids);
	free(run->links);
	run->mounts = NULL;
	run->pids = NULL;
	run->links = NULL;
	run->n_mounts = run->n_pids = run->n_unowned_links = 0;
}

/* --- the scan ------------------------------------------------------------------ */

/* Filesystem magic numbers (statfs f_type) of block filesystems that are
 * modules: how a lazily unmounted superblock, in no mount table, is named. */
static const struct {
	unsigned long magic;
	const char *type;
} fs_magics[] = {
	{ 0x73717368, "squashfs" }, { 0x9660, "iso9660" },   { 0x4d44, "vfat" },     { 0xEF53, "ext4" },
	{ 0x9123683E, "btrfs" },    { 0x58465342, "xfs" },   { 0x15013346, "udf" },  { 0x28cd3d45, "cramfs" },
	{ 0xE0F5E1E2, "erofs" },    { 0xF2F52010, "f2fs" },  { 0x2011BAB0, "exfat" }, { 0x7366746e, "ntfs3" },
	{ 0x482b, "hfsplus" },      { 0x4244, "hfs" },       { 0x137F, "minix" },
};

static bool magic_owned(const struct owns *o, unsigned long magic, const char **type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fs_magics); i++)
		if (fs_magics[i].magic == magic) {
			*type = fs_magics[i].type;
			if (owns_fstype(o, fs_magics[i].type))
				return true;
			/* vfat's superblock magic is msdos's; ext4 mounts ext2/ext3 */
			if (streq(fs_magics[i].type, "vfat") && owns_fstype(o, "msdos"))
				return true;
			if (streq(fs_magics[i].type, "ext4") && (owns_fstype(o, "ext2") || owns_fstype(o, "ext3")))
				return true;
			return false;
		}
	return false;
}

/* An open file of one of the module's device nodes. */
struct match {
	pid_t pid;
	int fd;
	uint64_t file; /* 0: unknown */
	bool has_comm;
	char comm[17]; /* its process's name, when has_comm */
	dev_t rdev;
	int weight;
	char node[96];
};

/* A character device number, and whether the module drives its device. */
struct driven {
	dev_t rdev;
	bool ours;
};

/* The device numbers of a tty driver, from /proc/tty/drivers. */
struct tty_range {
	unsigned major, first, last; /* minors first..last */
	bool master;                 /* pty masters: /dev/ptmx, pty:master */
	bool pty_slave;              /* named /dev/pts/MINOR */
};

/* A tty counted for its line discipline: its device number (a pty
 * master's is its slave's, as TIOCGDEV says) and which side it is. */
struct tty_seen {
	dev_t dev;
	bool master;
};

struct scan {
	struct holders_run *run;
	struct driven *driven; /* hardware char devices seen, for o->drivers */
	size_t n_driven;
	struct match *m;
	size_t n, cap;
	dev_t *detached; /* superblocks already counted */
	size_t n_detached;
	bool want_detached;
	bool want_maps;  /* block devices: a mapping keeps the device open */
	size_t fds;
	/* line disciplines: the tty drivers, the registered disciplines'
	 * names, the ttys already counted */
	bool ttys_read;
	struct tty_range *ttys;
	size_t n_ttys;
	uint64_t ldiscs_live; /* the module's that are registered */
	char ldisc_names[64][24];
	struct tty_seen *seen;
	size_t n_seen;
	bool getfd_said;
};

/* What one open file is: from fstat() in the /proc scan, from the kernel in
 * the iterator's. */
struct fd_info {
	mode_t mode;
	dev_t rdev;
	dev_t sb_dev;          /* the superblock it is on */
	unsigned long magic;   /* the superblock's magic; 0: statfs() the path */
	uint64_t file;         /* the open file's address; 0: tell by kcmp */
	const char *comm;      /* its process's name; NULL: read it */
};

static int detached_check(struct scan *s, pid_t pid, const char *path, dev_t dev, unsigned long magic,
			  const char *how)
{
	struct holders_run *run = s->run;
	const char *type = NULL;
	struct holder *x;
	struct statfs sf;
	size_t i;
	bool owned;
	dev_t *n;
	char obj[96];

	if (major(dev) == 0 || dev_mounted(run, dev))
		return 0;
	for (i = 0; i < s->n_detached; i++)
		if (s->detached[i] == dev)
			return 0;
	owned = owns_match_dev(&run->owns, true, dev) != NULL;
	if (!magic && statfs(path, &sf) == 0)
		magic = (unsigned long)sf.f_type;
	if (magic && magic_owned(&run->owns, magic, &type))
		owned = true;
	if (!owned)
		return 0;
	n = realloc(s->detached, (s->n_detached + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->detached = n;
	s->detached[s->n_detached++] = dev;
	snprintf(obj, sizeof(obj), "%s on %u:%u", type ? type : "filesystem", major(dev), minor(dev));
	x = holders_add(run->h, HOLDER_DETACHED, 1, obj);
	if (!x)
		return -ENOMEM;
	holder_set_process(x, pid, -1);
	return holder_set_detail(x, "%s", how);
}

static int match_add(struct scan *s, pid_t pid, int fd, const struct fd_info *fi, int weight, int dfd,
		     const char *name)
{
	struct match *m;
	ssize_t l;

	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct match *n = realloc(s->m, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->m = n;
		s->cap = ncap;
	}
	m = &s->m[s->n++];
	m->pid = pid;
	m->fd = fd;
	m->file = fi->file;
	m->has_comm = fi->comm != NULL;
	if (fi->comm)
		snprintf(m->comm, sizeof(m->comm), "%.16s", fi->comm);
	m->rdev = fi->rdev;
	m->weight = weight;
	/* one name per device number: a readlink per match costs as much as the stat */
	if (s->n > 1 && s->m[s->n - 2].rdev == fi->rdev) {
		memcpy(m->node, s->m[s->n - 2].node, sizeof(m->node));
		return 0;
	}
	l = readlinkat(dfd, name, m->node, sizeof(m->node) - 1);
	m->node[l > 0 ? l : 0] = '\0';
	return 0;
}

static int socket_check(struct scan *s, pid_t pid, int fd)
{
	const struct owns *o = &s->run->owns;
	char path[64], proto[64];
	struct holder *x;
	ssize_t l;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	l = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);
	if (l <= 0)
		return 0;
	proto[l] = '\0';
	for (i = 0; i < o->n_protos; i++)
		if (streq(o->protos[i], proto))
			break;
	if (i == o->n_protos)
		return 0;
	/* the proto's owner, and the proto_ops' when the module is the family too */
	x = holders_add(s->run->h, HOLDER_SOCKET, o->family ? 2 : 1, proto);
	if (!x)
		return -ENOMEM;
	holder_set_process(x, pid, fd);
	return 0;
}

static int link_check(struct scan *s, pid_t pid, int fd, int dfd, const char *name)
{
	struct holders_run *run = s->run;
	char lnk[64], path[64], *buf = NULL, *p;
	unsigned id;
	size_t i, len;
	ssize_t l;

	l = readlinkat(dfd, name, lnk, sizeof(lnk) - 1);
	if (l <= 0)
		return 0;
	lnk[l] = '\0';
	if (!strstr(lnk, "bpf_link") && !strstr(lnk, "bpf-link"))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (read_full_file(path, &buf, &len) < 0)
		return 0;
	p = strstr(buf, "link_id:");
	if (p && sscanf(p, "link_id: %u", &id) == 1)
		for (i = 0; i < run->n_unowned_links; i++) {
			struct holder *x = &run->h->v[run->links[i].index];

			if (run->links[i].id == id && x->pid == 0)
				holder_set_process(x, pid, fd);
		}
	free(buf);
	return 0;
}

/*
 * What line disciplines need, read once per scan: the tty drivers' device
 * numbers (/proc/tty/drivers), and which of the module's line disciplines
 * are registered, with their names (/proc/tty/ldiscs: "n_hdlc 13").
 */
static int ttys_read(struct scan *s)
{
	const struct owns *o = &s->run->owns;
	_cleanup_free_ char *drivers = NULL, *ldiscs = NULL;
	char *line, *save = NULL;
	int r;

	s->ttys_read = true;
	if (read_full_file("/proc/tty/ldiscs", &ldiscs, &(size_t){ 0 }) == 0) {
		for (line = strtok_r(ldiscs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char name[24];
			unsigned n;

			if (sscanf(line, "%23s %u", name, &n) != 2 || n >= 64)
				continue;
			if (o->ldiscs & (UINT64_C(1) << n))
				s->ldiscs_live |= UINT64_C(1) << n;
			memcpy(s->ldisc_names[n], name, sizeof(name));
		}
	} else {
		s->ldiscs_live = o->ldiscs; /* cannot tell: ask the ttys */
	}
	if (!s->ldiscs_live) {
		log_debug("holders: none of the module's line disciplines is registered");
		return 0;
	}
	r = read_full_file("/proc/tty/drivers", &drivers, &(size_t){ 0 });
	if (r < 0) {
		/* no tty can be told from another device: nothing is asked */
		log_debug_errno(r, "holders: cannot read /proc/tty/drivers: %m; line disciplines are not attributed");
		if (!s->run->h->incomplete_why)
			s->run->h->incomplete_why = "a source could not be read";
		return 0;
	}
	save = NULL;
	/* "serial  /dev/ttyS  4 64-95 serial", "/dev/ptmx  /dev/ptmx  5  2 system" */
	for (line = strtok_r(drivers, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char node[64], minors[32], type[32];
		unsigned maj, first, last;
		struct tty_range *n;

		if (sscanf(line, "%*s %63s %u %31s %31s", node, &maj, minors, type) != 4)
			continue;
		if (sscanf(minors, "%u-%u", &first, &last) != 2) {
			if (sscanf(minors, "%u", &first) != 1)
				continue;
			last = first;
		}
		n = realloc(s->ttys, (s->n_ttys + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->ttys = n;
		n = &s->ttys[s->n_ttys++];
		n->major = maj;
		n->first = first;
		n->last = last;
		n->master = streq(type, "pty:master") || streq(node, "/dev/ptmx");
		n->pty_slave = streq(type, "pty:slave");
	}
	log_debug("holders: %zu tty drivers' device ranges", s->n_ttys);
	return 0;
}

static const struct tty_range *tty_range_of(const struct scan *s, dev_t rdev)
{
	size_t i;

	for (i = 0; i < s->n_ttys; i++)
		if (s->ttys[i].major == major(rdev) && minor(rdev) >= s->ttys[i].first &&
		    minor(rdev) <= s->ttys[i].last)
			return &s->ttys[i];
	return NULL;
}

/* A tty's name from its device number: /dev/pts/N for a pty slave, else
 * the DEVNAME of /sys/dev/char/MAJ:MIN, else the number. */
static void tty_name(const struct scan *s, dev_t dev, char *buf, size_t size)
{
	const struct tty_range *t = tty_range_of(s, dev);
	_cleanup_free_ char *ue = NULL;
	char path[64], *p;

	if (t && t->pty_slave) {
		snprintf(buf, size, "/dev/pts/%u", minor(dev));
		return;
	}
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent", major(dev), minor(dev));
	if (read_full_file(path, &ue, &(size_t){ 0 }) == 0 && (p = strstr(ue, "DEVNAME="))) {
		p += 8;
		p[strcspn(p, "\n")] = '\0';
		snprintf(buf, size, "/dev/%s", p);
		return;
	}
	snprintf(buf, size, "tty %u:%u", major(dev), minor(dev));
}

/*
 * An open file of a tty whose line discipline is one of the module's. The
 * tty's line discipline takes one reference (tty_ldisc_get) for as long as
 * it is set, whatever the number of files open on the tty: one holder per
 * tty, naming the first process found with it open. The discipline is
 * asked of the tty (TIOCGETD) through a copy of the process's file
 * (pidfd_getfd: Linux 5.6, and the right to ptrace the process, so root
 * for other users' processes). Its device number (TIOCGDEV) tells ttys apart
 * whatever node they were opened by (/dev/tty, /dev/console). A pty
 * master is a tty of its own with a discipline of its own: TIOCGETD on it
 * says the master's, and its TIOCGDEV the slave's number; a slave's
 * discipline is seen only through an open file of the slave.
 */
static int ldisc_check(struct scan *s, pid_t pid, int fd, dev_t rdev)
{
	const struct owns *o = &s->run->owns;
	const struct tty_range *t;
	struct tty_seen *seen;
	char object[128], node[96], path[64];
	unsigned int devnum = 0;
	int pidfd, tfd, disc = -1, r;
	struct holder *x;
	dev_t dev;
	ssize_t l;
	size_t i;

	if (!o->ldiscs)
		return 0;
	if (!s->ttys_read) {
		r = ttys_read(s);
		if (r < 0)
			return r;
	}
	if (!s->ldiscs_live || !(t = tty_range_of(s, rdev)))
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	tfd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (tfd < 0 && errno != ESRCH && errno != EBADF) {
		/* not gone: it could not be asked, and the answer says so */
		if (!s->getfd_said)
			log_debug("holders: cannot copy pid %d's fd %d to ask its tty's line discipline: %m", (int)pid,
				  fd);
		s->getfd_said = true;
		if (!s->run->h->incomplete_why)
			s->run->h->incomplete_why = "the line discipline of a tty could not be asked (pidfd_getfd)";
	}
	if (pidfd >= 0)
		close(pidfd);
	if (tfd < 0)
		return 0;
	if (ioctl(tfd, TIOCGETD, &disc) < 0 || disc < 0 || disc >= 64 ||
	    !(s->ldiscs_live & (UINT64_C(1) << disc))) {
		close(tfd);
		return 0;
	}
	/* the kernel's new_encode_dev(): minor's low byte, major, minor's rest */
	if (ioctl(tfd, TIOCGDEV, &devnum) == 0)
		dev = makedev((devnum >> 8) & 0xfff, (devnum & 0xff) | ((devnum >> 12) & 0xfff00));
	else
		dev = rdev;
	close(tfd);
	for (i = 0; i < s->n_seen; i++)
		if (s->seen[i].dev == dev && s->seen[i].master == t->master)
			return 0;
	seen = realloc(s->seen, (s->n_seen + 1) * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	s->seen = seen;
	s->seen[s->n_seen++] = (struct tty_seen){ .dev = dev, .master = t->master };

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	l = readlink(path, node, sizeof(node) - 1);
	node[l > 0 ? l : 0] = '\0';
	if (t->master || dev != rdev || !node[0])
		tty_name(s, dev, node, sizeof(node));
	snprintf(object, sizeof(object), "%s%s", t->master ? "the pty master of " : "", node);
	x = holders_add(s->run->h, HOLDER_LDISC, 1, object);
	if (!x)
		return -ENOMEM;
	holder_set_process(x, pid, fd);
	if (s->ldisc_names[disc][0])
		return holder_set_detail(x, "line discipline %s (%d)", s->ldisc_names[disc], disc);
	return holder_set_detail(x, "line discipline %d", disc);
}

/* DIR joined with the relative symlink target REL, its ".." resolved. */
static int path_resolve(const char *dir, const char *rel, char *out, size_t size)
{
	char buf[PATH_MAX], *tok, *save = NULL;
	size_t len = 0;

	if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", rel[0] == '/' ? "" : dir, rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (streq(tok, "."))
			continue;
		if (streq(tok, "..")) {
			char *slash = strrchr(out, '/');

			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len + 1 + strlen(tok) + 1 > size)
			return -ENAMETOOLONG;
		out[len++] = '/';
		strcpy(out + len, tok);
		len += strlen(tok);
	}
	return 0;
}

/*
 * Whether the module drives the device behind the character device number
 * RDEV: from /sys/dev/char/MAJ:MIN up the device tree, the first device
 * bound to a driver names the module (its driver/module link). A sound
 * card's nodes, a USB serial port, a DRM device: their opens hold the
 * driver's module, one reference each. Answers are kept per number.
 */
static int driven_by_module(struct scan *s, dev_t rdev, bool *ours)
{
	char path[PATH_MAX], lnk[PATH_MAX], p[PATH_MAX + 16];
	struct driven *n;
	size_t i;
	ssize_t l;
	int depth;

	for (i = 0; i < s->n_driven; i++)
		if (s->driven[i].rdev == rdev) {
			*ours = s->driven[i].ours;
			return 0;
		}
	*ours = false;
	snprintf(p, sizeof(p), "/sys/dev/char/%u:%u", major(rdev), minor(rdev));
	l = readlink(p, lnk, sizeof(lnk) - 1);
	if (l > 0) {
		lnk[l] = '\0';
		if (path_resolve("/sys/dev/char", lnk, path, sizeof(path)) < 0)
			path[0] = '\0';
	} else {
		path[0] = '\0';
	}
	for (depth = 0; depth < 16 && strncmp(path, "/sys/devices/", 13) == 0; depth++) {
		char *slash;

		snprintf(p, sizeof(p), "%s/driver/module", path);
		l = readlink(p, lnk, sizeof(lnk) - 1);
		if (l > 0) {
			lnk[l] = '\0';
			slash = strrchr(lnk, '/');
			*ours = module_name_eq(slash ? slash + 1 : lnk, s->run->h->name);
			break;
		}
		snprintf(p, sizeof(p), "%s/driver", path);
		if (access(p, F_OK) == 0)
			break; /* bound to a built-in driver */
		slash = strrchr(path, '/');
		*slash = '\0';
	}
	n = realloc(s->driven, (s->n_driven + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->driven = n;
	s->driven[s->n_driven].rdev = rdev;
	s->driven[s->n_driven++].ours = *ours;
	return 0;
}

/* One open file of a process: what, of the module's, it holds. DFD and
 * NAME reach the fd's /proc link. */
static int check_fd(struct scan *s, pid_t pid, int fd, const struct fd_info *fi, int dfd, const char *name)
{
	const struct owns *o = &s->run->owns;
	const struct owned_dev *od;
	char path[64], how[32];

	if (s->run->links_only)
		return (fi->mode & S_IFMT) == 0 ? link_check(s, pid, fd, dfd, name) : 0;
	if ((S_ISCHR(fi->mode) || S_ISBLK(fi->mode)) && (od = owns_match_dev(o, S_ISBLK(fi->mode), fi->rdev)))
		return match_add(s, pid, fd, fi, od->weight, dfd, name);
	if (S_ISCHR(fi->mode) && o->ldiscs) {
		int r = ldisc_check(s, pid, fd, fi->rdev);

		if (r < 0)
			return r;
	}
	if (S_ISCHR(fi->mode) && o->drivers) {
		bool ours;
		int r = driven_by_module(s, fi->rdev, &ours);

		if (r < 0 || ours)
			return r < 0 ? r : match_add(s, pid, fd, fi, 1, dfd, name);
	}
	if (S_ISSOCK(fi->mode) && o->n_protos)
		return socket_check(s, pid, fd);
	if ((fi->mode & S_IFMT) == 0 && s->run->n_unowned_links)
		return link_check(s, pid, fd, dfd, name);
	if (!s->want_detached)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	snprintf(how, sizeof(how), "open file on fd %d", fd);
	return detached_check(s, pid, path, fi->sb_dev, fi->magic, how);
}

static int scan_fds(struct scan *s, pid_t pid)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char path[64];
	struct dirent *de;
	int dfd, r;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone, or not ours to read */
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		struct fd_info fi = { 0 };
		struct stat st;
		char *end;
		long fd;

		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, &end, 10);
		if (*end)
			continue;
		s->fds++;
		if (fstatat(dfd, de->d_name, &st, 0) < 0)
			continue;
		fi.mode = st.st_mode;
		fi.rdev = st.st_rdev;
		fi.sb_dev = st.st_dev;
		r = check_fd(s, pid, (int)fd, &fi, dfd, de->d_name);
		if (r < 0)
			return r;
	}
	return 0;
}

static dev_t kernel_dev(uint32_t v)
{
	return makedev(v >> 20, v & 0xfffff);
}

/* The magics of the module's filesystem types, for the iterator's filter. */
static size_t owned_magics(const struct owns *o, unsigned long *v, size_t max)
{
	size_t i, n = 0;
	const char *type;

	for (i = 0; i < ARRAY_SIZE(fs_magics) && n < max; i++)
		if (magic_owned(o, fs_magics[i].magic, &type))
			v[n++] = fs_magics[i].magic;
	return n;
}

/*
 * Every process's open files through the kernel's task_file iterator:
 * one read instead of a stat per fd. -errno when it cannot run (no libbpf,
 * no BTF, not privileged, a child pid namespace, MODCTL_HOLDERS_SCAN=proc):
 * the caller scans /proc.
 */
static int scan_fds_iter(struct scan *s)
{
	static const struct owns none;
	struct holders_run *run = s->run;
	const char *e = modctl_getenv("MODCTL_HOLDERS_SCAN");
	unsigned long magics[ARRAY_SIZE(fs_magics)];
	struct iter_filter f = {
		.owns = &run->owns,
		.chr_all = run->owns.ldiscs || run->owns.drivers,
		.sockets = run->owns.n_protos > 0,
		.anon = run->n_unowned_links > 0,
		.sb_devs = s->want_detached,
		.magics = magics,
	};
	struct iter_file *v = NULL;
	size_t n = 0, i;
	int r;

	if (e && streq(e, "proc"))
		return -EOPNOTSUPP;
	if (run->links_only)
		f = (struct iter_filter){ .owns = &none, .anon = true };
	if (s->want_detached)
		f.n_magics = owned_magics(&run->owns, magics, ARRAY_SIZE(magics));
	r = holders_bpf_files(run, &f, &v, &n);
	if (r < 0) {
		log_debug("holders: no file iterator (%s): reading /proc", strerror(-r));
		return r;
	}
	for (i = 0; i < n && r >= 0; i++) {
		struct fd_info fi = {
			.mode = v[i].mode,
			.rdev = kernel_dev(v[i].rdev),
			.sb_dev = kernel_dev(v[i].sb_dev),
			.magic = (unsigned long)v[i].magic,
			.file = v[i].file,
			.comm = v[i].comm,
		};
		char name[64];

		snprintf(name, sizeof(name), "/proc/%u/fd/%u", v[i].pid, v[i].fd);
		r = check_fd(s, (pid_t)v[i].pid, (int)v[i].fd, &fi, AT_FDCWD, name);
	}
	s->fds = n;
	free(v);
	return r < 0 ? r : 0;
}

static bool pid_has_open(const struct scan *s, size_t from, pid_t pid, dev_t rdev)
{
	size_t i;

	for (i = from; i < s->n; i++)
		if (s->m[i].pid == pid && s->m[i].rdev == rdev)
			return true;
	return false;
}

/* Mappings of the module's device nodes whose file descriptor is closed:
 * the mapping keeps the open file, and with it the references. */
static int scan_maps(struct scan *s, pid_t pid, size_t first_match)
{
	struct holders_run *run = s->run;
	_cleanup_free_ char *buf = NULL;
	dev_t *seen = NULL;
	size_t n_seen = 0, len;
	char path[64], *line, *save = NULL;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (read_full_file(path, &buf, &len) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char range[64], mpath[128], *file = strstr(line, " /dev/");
		const struct owned_dev *od;
		struct holder *x;
		struct stat st;
		size_t i;

		if (!file || sscanf(line, "%63s", range) != 1)
			continue;
		snprintf(mpath, sizeof(mpath), "/proc/%d/map_files/%s", (int)pid, range);
		if (stat(mpath, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			continue;
		od = owns_match_dev(&run->owns, S_ISBLK(st.st_mode), st.st_rdev);
		if (!od || pid_has_open(s, first_match, pid, st.st_rdev))
			continue;
		for (i = 0; i < n_seen; i++)
			if (seen[i] == st.st_rdev)
				break;
		if (i < n_seen)
			continue;
		{
			dev_t *n = realloc(seen, (n_seen + 1) * sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				break;
			}
			seen = n;
			seen[n_seen++] = st.st_rdev;
		}
		x = holders_add(run->h, HOLDER_MAPPING, od->weight, file + 1);
		if (!x) {
			r = -ENOMEM;
			break;
		}
		holder_set_process(x, pid, -1);
	}
	free(seen);
	return r;
}

static int do_kcmp(const struct match *a, const struct match *b)
{
	return (int)syscall(SYS_kcmp, a->pid, b->pid, KCMP_FILE, a->fd, b->fd);
}

static int match_order(const void *x, const void *y)
{
	const struct match *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->fd > b->fd) - (a->fd < b->fd);
}

static int match_kcmp(const void *x, const void *y)
{
	const struct match *a = x, *b = y;
	int r = do_kcmp(a, b);

	/* 0 equal, 1 less, 2 greater (kernel pointer order); the fds of one
	 * open file, and those kcmp fails on, in (pid, fd) order: the first
	 * fd of each open file is the one named */
	if (r == 1)
		return -1;
	if (r == 2)
		return 1;
	return match_order(x, y);
}

/* By open file, then the first fd (pid, fd) of each */
static int match_file(const void *x, const void *y)
{
	const struct match *a = x, *b = y;

	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return match_order(x, y);
}

/* Sort m[0..n) by open file and drop the later fds of each; the count dropped. */
static size_t dedupe_range(struct match *m, size_t n)
{
	size_t i, k;

	if (n < 2)
		return 0;
	qsort(m, n, sizeof(*m), match_kcmp);
	for (i = 1, k = 1; i < n; i++) {
		if (do_kcmp(&m[k - 1], &m[i]) == 0)
			continue;
		m[k++] = m[i];
	}
	/* keep the dropped slots out of the way: mark them */
	for (i = k; i < n; i++)
		m[i].pid = 0;
	return n - k;
}

/*
 * Open files shared by dup() or fork() are one open: kcmp(KCMP_FILE) tells.
 * Sorting by it costs n log n calls; past DEDUPE_ALL_MAX open files only
 * the fds of one process are compared (dup), not those of different
 * processes (fork), which may then count twice (and overcount).
 */
#define DEDUPE_ALL_MAX 4096
static size_t dedupe_shared(struct scan *s)
{
	size_t i, j, k, dropped = 0;

	if (s->n < 2)
		return 0;
	if (s->m[0].file) {
		/* the iterator gave each open file's address */
		qsort(s->m, s->n, sizeof(*s->m), match_file);
		for (i = 1, k = 1; i < s->n; i++)
			if (s->m[i].file != s->m[k - 1].file)
				s->m[k++] = s->m[i];
		dropped = s->n - k;
		s->n = k;
		qsort(s->m, s->n, sizeof(*s->m), match_order);
		return dropped;
	}
	if (do_kcmp(&s->m[0], &s->m[1]) < 0) {
		log_debug("holders: kcmp: %m; open files shared by fork or dup count once each");
		return 0;
	}
	if (s->n <= DEDUPE_ALL_MAX) {
		dropped = dedupe_range(s->m, s->n);
	} else {
		log_debug("holders: %zu open files: only those of one process are told apart", s->n);
		/* matches come grouped by process, in scan order */
		for (i = 0; i < s->n; i = j) {
			for (j = i + 1; j < s->n && s->m[j].pid == s->m[i].pid; j++)
				;
			dropped += dedupe_range(s->m + i, j - i);
		}
	}
	for (i = 0, k = 0; i < s->n; i++)
		if (s->m[i].pid)
			s->m[k++] = s->m[i];
	s->n = k;
	qsort(s->m, s->n, sizeof(*s->m), match_order);
	return dropped;
}

int procs_scan(struct holders_run *run)
{
	struct scan s = { .run = run };
	size_t i, shared;
	uint64_t t0 = now_usec();
	bool iter;
	int r;

	s.want_detached = run->owns.n_fstypes > 0 && !run->links_only;
	for (i = 0; i < run->owns.n_devs && !run->links_only; i++)
		if (run->owns.devs[i].block)
			s.want_detached = s.want_maps = true;
	if (s.want_detached) {
		r = procs_read_mounts(run);
		if (r < 0)
			return r;
	}
	run->scanned = true;
	r = scan_fds_iter(&s);
	if (r == -ENOMEM)
		goto out;
	iter = r == 0;
	run->h->scan_via = iter ? "iterator" : "proc";
	/* the /proc part: every fd without the iterator; working and root
	 * directories, mappings for filesystems and block devices */
	if (!iter || s.want_detached || s.want_maps) {
		r = procs_list(run);
		if (r < 0)
			goto out;
	}
	for (i = 0; (!iter || s.want_detached || s.want_maps) && i < run->n_pids; i++) {
		pid_t pid = run->pids[i];
		size_t first = iter ? 0 : s.n;

		if (!holders_budget_left(run))
			break;
		if (!iter) {
			r = scan_fds(&s, pid);
			if (r < 0)
				goto out;
		}
		if (s.want_detached) {
			static const char *const what[] = { "cwd", "root" };
			size_t w;

			for (w = 0; w < ARRAY_SIZE(what); w++) {
				char path[64];
				struct stat st;

				snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what[w]);
				if (stat(path, &st) < 0)
					continue;
				r = detached_check(&s, pid, path, st.st_dev, 0,
						   w == 0 ? "working directory" : "root directory");
				if (r < 0)
					goto out;
			}
		}
		if (s.want_maps) {
			r = scan_maps(&s, pid, first);
			if (r < 0)
				goto out;
		}
	}
	shared = dedupe_shared(&s);
	for (i = 0; i < s.n; i++) {
		struct holder *x = holders_add(run->h, HOLDER_OPEN, s.m[i].weight, s.m[i].node);

		if (!x) {
			r = -ENOMEM;
			goto out;
		}
		holder_set_process_named(x, s.m[i].pid, s.m[i].fd, s.m[i].has_comm ? s.m[i].comm : NULL);
	}
	log_debug("holders: scanned %zu fds via %s in %llu us; %zu open files, %zu shared", s.fds,
		  iter ? "the kernel's file iterator" : "/proc",
		  (unsigned long long)(now_usec() - t0), s.n, shared);
	r = 0;
out:
	free(s.m);
	free(s.detached);
	free(s.driven);
	free(s.ttys);
	free(s.seen);
	return r;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who holds a module: the sources of references, cheapest first, and the
 * arithmetic that says how many remain unattributed. The process scan is
 * in holders-scan.c, BPF links in holders-bpf.c.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/dm-ioctl.h>
#include <linux/pkt_sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "holders.h"
#include "holders-internal.h"
#include "log.h"
#include "netif.h"
#include "pin.h"
#include "strbuf.h"
#include "strv.h"
#include "sysfs.h"
#include "util.h"

static const char *const kind_names[_HOLDER_KIND_MAX] = {
	[HOLDER_MODULE] = "module",
	[HOLDER_LOCK_PIN] = "lock-pin",
	[HOLDER_BPF_LINK] = "bpf-link",
	[HOLDER_INTERFACE] = "interface",
	[HOLDER_LOOP] = "loop",
	[HOLDER_DM] = "dm",
	[HOLDER_MOUNT] = "mount",
	[HOLDER_DETACHED] = "detached-mount",
	[HOLDER_OPEN] = "open",
	[HOLDER_MAPPING] = "mapping",
	[HOLDER_SOCKET] = "socket",
	[HOLDER_LDISC] = "line-discipline",
	[HOLDER_CRYPTO] = "crypto",
	[HOLDER_QDISC] = "qdisc",
};

const char *holder_kind_name(enum holder_kind k)
{
	return k < _HOLDER_KIND_MAX ? kind_names[k] : "unknown";
}

/* --- the list --------------------------------------------------------------- */

struct holder *holders_add(struct holders *h, enum holder_kind kind, int weight, const char *object)
{
	struct holder *x;

	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 16;
		struct holder *n = realloc(h->v, ncap * sizeof(*n));

		if (!n)
			return NULL;
		h->v = n;
		h->cap = ncap;
	}
	x = &h->v[h->n];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->weight = weight;
	x->fd = -1;
	x->object = strdup(object ? object : "");
	if (!x->object)
		return NULL;
	h->n++;
	h->attributed += weight;
	return x;
}

int holder_set_detail(struct holder *x, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(x->detail);
	x->detail = s;
	return 0;
}

void holder_set_process_named(struct holder *x, pid_t pid, int fd, const char *comm)
{
	/* holders of one process come together: read its name once */
	static pid_t last_pid;
	static char last_comm[sizeof(x->comm)];
	char path[64];

	x->pid = pid;
	x->fd = fd;
	if (comm) {
		snprintf(x->comm, sizeof(x->comm), "%s", comm);
		return;
	}
	if (pid != last_pid) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if (read_small_file(path, last_comm, sizeof(last_comm)) < 0)
			last_comm[0] = '\0';
		last_pid = pid;
	}
	memcpy(x->comm, last_comm, sizeof(x->comm));
}

void holder_set_process(struct holder *x, pid_t pid, int fd)
{
	holder_set_process_named(x, pid, fd, NULL);
}

void holders_free(struct holders *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].object);
		free(h->v[i].detail);
	}
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

long holders_remaining(const struct holders *h)
{
	return h->refcnt - h->attributed;
}

bool holders_budget_left(struct holders_run *run)
{
	if (run->exhausted)
		return false;
	if (run->budget != DURATION_INFINITY && now_usec() >= run->deadline) {
		run->exhausted = true;
		return false;
	}
	return true;
}

/* --- what the module owns ------------------------------------------------------ */

static int owns_add_dev(struct owns *o, bool block, unsigned major, int minor, int weight, const char *node)
{
	struct owned_dev *n;
	size_t i;

	for (i = 0; i < o->n_devs; i++)
		if (o->devs[i].block == block && o->devs[i].major == major &&
		    (o->devs[i].minor == minor || o->devs[i].minor < 0)) {
			if (node && !o->devs[i].node[0])
				snprintf(o->devs[i].node, sizeof(o->devs[i].node), "/dev/%s", node);
			return 0;
		}
	n = realloc(o->devs, (o->n_devs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	o->devs = n;
	n = &o->devs[o->n_devs++];
	memset(n, 0, sizeof(*n));
	n->block = block;
	n->major = major;
	n->minor = minor;
	n->weight = weight;
	if (node)
		snprintf(n->node, sizeof(n->node), "/dev/%s", node);
	return 0;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

/*
 * The weight of one open file of a character device: a misc device's open
 * takes the fops owner's reference (1); tun adds its socket's (2); a
 * device registered with register_chrdev takes the cdev's and the fops'.
 */
static int char_weight(const char *module, unsigned major)
{
	if (major == 10)
		return module_name_eq(module, "tun") ? 2 : 1;
	return 2;
}

/* One "alias PATTERN MODULE" of modules.alias that belongs to the module. */
static int owns_alias(struct owns *o, const char *module, const char *pat)
{
	unsigned maj, min;
	char rest[8];
	int r = 0;

	if (strncmp(pat, "fs-", 3) == 0 && pat[3])
		r = strv_push(&o->fstypes, &o->n_fstypes, pat + 3);
	else if (sscanf(pat, "char-major-%u-%u%1s", &maj, &min, rest) == 2)
		r = owns_add_dev(o, false, maj, (int)min, char_weight(module, maj), NULL);
	else if (sscanf(pat, "char-major-%u%1s", &maj, rest) == 1 ||
		 (sscanf(pat, "char-major-%u-%1s", &maj, rest) == 2 && rest[0] == '*'))
		r = owns_add_dev(o, false, maj, -1, char_weight(module, maj), NULL);
	else if (sscanf(pat, "block-major-%u-%u%1s", &maj, &min, rest) == 2)
		r = owns_add_dev(o, true, maj, (int)min, 1, NULL);
	else if (sscanf(pat, "block-major-%u%1s", &maj, rest) == 1 ||
		 (sscanf(pat, "block-major-%u-%1s", &maj, rest) == 2 && rest[0] == '*'))
		r = owns_add_dev(o, true, maj, -1, 1, NULL);
	else if (strncmp(pat, "dm-", 3) == 0 && pat[3])
		r = strv_push(&o->dm_types, &o->n_dm_types, pat + 3);
	else if (strncmp(pat, "crypto-", 7) == 0)
		o->crypto = true;
	else if (strncmp(pat, "net-sch-", 8) == 0 && pat[8])
		r = strv_push(&o->qdisc_kinds, &o->n_qdisc_kinds, pat + 8);
	else if (strncmp(pat, "net-pf-", 7) == 0)
		o->family = true;
	else if (sscanf(pat, "tty-ldisc-%u%1s", &maj, rest) == 1 && maj < 64)
		o->ldiscs |= UINT64_C(1) << maj;
	return r;
}

/* Lines "KEYWORD A B" of a file of the running kernel's module directory. */
static int read_kernel_index(const char *file, char **buf)
{
	char path[PATH_MAX];
	size_t len;
	int r;

	r = running_kernel_file(path, sizeof(path), "/lib/modules/", file);
	if (r < 0)
		return r;
	return read_full_file(path, buf, &len);
}

int owns_read(const char *module, struct owns *o)
{
	_cleanup_free_ char *alias = NULL, *devname = NULL, *protos = NULL;
	char *line, *save = NULL;
	int r;

	memset(o, 0, sizeof(*o));
	/* modules.devname: "tun net/tun c10:200" */
	if (read_kernel_index("/modules.devname", &devname) == 0)
		for (line = strtok_r(devname, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char mod[64], node[64], type;
			unsigned maj, min;

			if (line[0] == '#' ||
			    sscanf(line, "%63s %63s %c%u:%u", mod, node, &type, &maj, &min) != 5 ||
			    !module_name_eq(mod, module) || (type != 'c' && type != 'b'))
				continue;
			r = owns_add_dev(o, type == 'b', maj, (int)min,
					 type == 'b' ? 1 : char_weight(module, maj), node);
			if (r < 0)
				return r;
		}
	/* modules.alias: "alias fs-squashfs squashfs" */
	if (read_kernel_index("/modules.alias", &alias) == 0) {
		save = NULL;
		for (line = strtok_r(alias, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *pat, *mod, *sp;

			if (strncmp(line, "alias ", 6) != 0)
				continue;
			pat = line + 6;
			sp = strchr(pat, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			mod = sp + 1;
			if (!module_name_eq(mod, module))
				continue;
			r = owns_alias(o, module, pat);
			if (r < 0)
				return r;
		}
	}
	/* /proc/net/protocols: the last named column is the module */
	if (read_full_file("/proc/net/protocols", &protos, &(size_t){ 0 }) == 0) {
		save = NULL;
		for (line = strtok_r(protos, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char proto[32], mod[64];

			if (sscanf(line, "%31s %*s %*s %*s %*s %*s %*s %63s", proto, mod) != 2 ||
			    !module_name_eq(mod, module))
				continue;
			r = strv_push(&o->protos, &o->n_protos, proto);
			if (r < 0)
				return r;
		}
	}
	/* /sys/module/NAME/drivers: the devices it drives may have char nodes */
	{
		char path[PATH_MAX];
		_cleanup_(closedirp) DIR *d = NULL;
		struct dirent *de;

		snprintf(path, sizeof(path), SYS_MODULE "/%s/drivers", module);
		d = opendir(path);
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				o->drivers = true;
	}
	log_debug("holders of %s: it owns %zu device numbers, %zu filesystem types, %zu protocols, %d line disciplines%s",
		  module, o->n_devs, o->n_fstypes, o->n_protos, __builtin_popcountll(o->ldiscs),
		  o->drivers ? ", and drives devices" : "");
	return 0;
}

void owns_free(struct owns *o)
{
	free(o->devs);
	strv_free(o->fstypes);
	strv_free(o->dm_types);
	strv_free(o->qdisc_kinds);
	strv_free(o->protos);
	memset(o, 0, sizeof(*o));
}

const struct owned_dev *owns_match_dev(const struct owns *o, bool block, dev_t rdev)
{
	size_t i;

	for (i = 0; i < o->n_devs; i++)
		if (o->devs[i].block == block && o->devs[i].major == major(rdev) &&
		    (o->devs[i].minor < 0 || (unsigned)o->devs[i].minor == minor(rdev)))
			return &o->devs[i];
	return NULL;
}

bool owns_fstype(const struct owns *o, const char *type)
{
	size_t i;

	for (i = 0; i < o->n_fstypes; i++)
		if (streq(o->fstypes[i], type))
			return true;
	return false;
}

bool owns_scannable(const struct owns *o)
{
	return o->n_devs || o->n_protos || o->n_fstypes || o->ldiscs || o->drivers;
}

/* --- cheap sources ------------------------------------------------------------- */

static int source_lock_pin(struct holders_run *run)
{
	struct holders *h = run->h;
	struct holder *x;
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", PIN_DIR, h->name);
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
#if HAVE_BPF
	{
		struct pinner *p = NULL;
		struct pin_info info;
		int r = pinner_new(&p);

		if (r < 0)
			return r;
		r = pin_inspect(p, h->name, &info);
		pinner_free(p);
		if (r < 0)
			return r;
		if (info.state != PIN_LIVE)
			return 0;
		run->lock_link_id = info.link_id;
		x = holders_add(h, HOLDER_LOCK_PIN, 1, path);
		if (!x)
			return -ENOMEM;
		if (info.func[0])
			return holder_set_detail(x, "BPF %s on %s", pin_mech_name(info.mech), info.func);
		return 0;
	}
#else
	/* Without libbpf the pin cannot be told live from stale: name it. */
	x = holders_add(h, HOLDER_LOCK_PIN, 1, path);
	return x ? 0 : -ENOMEM;
#endif
}

/* tun/tap interfaces with IFF_PERSIST (0x800): one reference each. */
static int source_interfaces(struct holders_run *run)
{
	_cleanup_(closedirp) DIR *d = opendir("/sys/class/net");
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX], buf[32];
		unsigned long flags;
		struct holder *x;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", de->d_name);
		if (read_small_file(path, buf, sizeof(buf)) < 0)
			continue;
		flags = strtoul(buf, NULL, 16);
		if (!(flags & 0x800))
			continue;
		x = holders_add(run->h, HOLDER_INTERFACE, 1, de->d_name);
		if (!x || holder_set_detail(x, "persistent %s interface", (flags & 0x2) ? "tap" : "tun") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Bound loop devices: one reference each. */
static int source_loop(struct holders_run *run)
{
	_cleanup_(closedirp) DIR *d = opendir("/sys/block");
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX], file[PATH_MAX], node[NAME_MAX + 8];
		struct holder *x;

		if (strncmp(de->d_name, "loop", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", de->d_name);
		if (read_small_file(path, file, sizeof(file)) < 0)
			continue;
		snprintf(node, sizeof(node), "/dev/%s", de->d_name);
		x = holders_add(run->h, HOLDER_LOOP, 1, node);
		if (!x || holder_set_detail(x, "bound to %s", file) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The target types device-mapper has built in: dm_mod's own. */
static const char *const dm_builtin_types[] = { "linear", "striped", "error" };

/* Whether the module is the one the kernel loads for KIND as PREFIX KIND
 * ("dm-zero", "sch_ingress"), or names KIND among its aliases' kinds. */
static bool kind_owned(const struct holders_run *run, const char *prefix, const char *kind, char *const *kinds,
		       size_t n)
{
	char mod[MODULE_NAME_MAX + 8];
	size_t i;

	snprintf(mod, sizeof(mod), "%s%s", prefix, kind);
	if (module_name_eq(run->h->name, mod))
		return true;
	for (i = 0; i < n; i++)
		if (streq(kinds[i], kind))
			return true;
	return false;
}

/* Whether the module provides the device-mapper target TYPE. */
static bool dm_type_owned(const struct holders_run *run, const char *type)
{
	size_t i;

	if (module_name_eq(run->h->name, "dm_mod")) {
		for (i = 0; i < ARRAY_SIZE(dm_builtin_types); i++)
			if (streq(type, dm_builtin_types[i]))
				return true;
		return false;
	}
	/* the kernel loads a type's module as "dm-TYPE": its name, or an alias */
	return kind_owned(run, "dm-", type, run->owns.dm_types, run->owns.n_dm_types);
}

/* How many targets of the live table of device NAME the module provides
 * (each holds its type's module), and their types; -errno when the table
 * cannot be read (DM_TABLE_STATUS on /dev/mapper/control). */
static int dm_targets_owned(const struct holders_run *run, int control, const char *name, char *types,
			    size_t size)
{
	union {
		struct dm_ioctl io;
		char buf[16384];
	} u;
	size_t off, len = 0;
	uint32_t i;
	int n = 0;

	memset(&u.io, 0, sizeof(u.io));
	u.io.version[0] = DM_VERSION_MAJOR;
	u.io.data_size = sizeof(u);
	u.io.data_start = sizeof(u.io);
	snprintf(u.io.name, sizeof(u.io.name), "%s", name);
	if (ioctl(control, DM_TABLE_STATUS, &u.io) < 0)
		return -errno;
	if (u.io.flags & DM_BUFFER_FULL_FLAG)
		return -ENOBUFS;
	types[0] = '\0';
	for (i = 0, off = u.io.data_start; i < u.io.target_count; i++) {
		struct dm_target_spec spec;

		if (off + sizeof(spec) > sizeof(u) || off + sizeof(spec) > u.io.data_size)
			return -EPROTO;
		memcpy(&spec, u.buf + off, sizeof(spec));
		spec.target_type[sizeof(spec.target_type) - 1] = '\0';
		if (dm_type_owned(run, spec.target_type)) {
			n++;
			if (!strstr(types, spec.target_type) && len + strlen(spec.target_type) + 3 < size)
				len += (size_t)snprintf(types + len, size - len, "%s%s", len ? ", " : "",
							spec.target_type);
		}
		/* next: where the next one starts, from the first */
		if (!spec.next)
			break;
		off = u.io.data_start + spec.next;
	}
	return n;
}

/*
 * Device-mapper devices: each target of a live table holds the module of
 * its type (dm_mod for linear, striped and error; dm_crypt, dm_thin_pool...
 * for theirs: their dm-TYPE aliases), read with DM_TABLE_STATUS. For
 * dm_mod, the device's opens and mounts hold it too: its number goes to
 * the process scan and the mount tables.
 */
static int source_dm(struct holders_run *run)
{
	_cleanup_(closedirp) DIR *d = opendir("/sys/block");
	_cleanup_close_ int control = -1;
	bool dm_mod = module_name_eq(run->h->name, "dm_mod");
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX], name[128], types[64];
		struct holder *x;
		unsigned maj, min;
		int n;

		if (strncmp(de->d_name, "dm-", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		if (read_small_file(path, name, sizeof(name)) < 0)
			continue;
		if (control < 0)
			control = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
		n = control < 0 ? -errno : dm_targets_owned(run, control, name, types, sizeof(types));
		if (n == 0)
			goto opens;
		/* a table that cannot be read is named, and counts nothing */
		x = holders_add(run->h, HOLDER_DM, n > 0 ? n : 0, name);
		if (!x || (n > 0 ? holder_set_detail(x, "device-mapper device /dev/%s, %d %s target%s", de->d_name,
						     n, types, n == 1 ? "" : "s")
				 : holder_set_detail(x, "device-mapper device /dev/%s, its table unread: %s",
						     de->d_name, strerror(-n))) < 0)
			return -ENOMEM;
	opens:
		snprintf(path, sizeof(path), "/sys/block/%s/dev", de->d_name);
		if (dm_mod && read_small_file(path, name, sizeof(name)) == 0 && sscanf(name, "%u:%u", &maj, &min) == 2) {
			char node[NAME_MAX + 8];

			snprintf(node, sizeof(node), "/dev/%s", de->d_name);
			if (owns_add_dev(&run->owns, true, maj, (int)min, 1, node) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Its crypto algorithms in use: each transform allocated on one of them
 * (an AF_ALG socket's, a dm-crypt table's, an IPsec state's...) and each
 * algorithm instance built on one (hmac(...), cbc(...)) holds the module
 * and counts in the algorithm's refcnt in /proc/crypto, which starts at 1
 * for the registration. Who holds the transforms is not exposed.
 */
static int source_crypto(struct holders_run *run)
{
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL, name[128] = "", driver[128] = "", mod[64] = "";
	long refcnt = -1;
	size_t len;

	if (read_full_file("/proc/crypto", &buf, &len) < 0)
		return -errno;
	/* blocks of "key : value" lines; the last one ends with the text */
	for (line = strtok_r(buf, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
		if (!line || strncmp(line, "name", 4) == 0) {
			if (refcnt > 1 && module_name_eq(mod, run->h->name)) {
				struct holder *x = holders_add(run->h, HOLDER_CRYPTO, (int)(refcnt - 1), name);

				if (!x || holder_set_detail(x, "driver %s: %ld transform%s or instance%s", driver,
							    refcnt - 1, refcnt == 2 ? "" : "s", refcnt == 2 ? "" : "s") < 0)
					return -ENOMEM;
			}
			if (!line)
				break;
			refcnt = -1;
			driver[0] = mod[0] = '\0';
			sscanf(line, "name : %127s", name);
		} else if (strncmp(line, "driver", 6) == 0) {
			sscanf(line, "driver : %127s", driver);
		} else if (strncmp(line, "module", 6) == 0) {
			sscanf(line, "module : %63s", mod);
		} else if (strncmp(line, "refcnt", 6) == 0) {
			sscanf(line, "refcnt : %ld", &refcnt);
		}
	}
	return 0;
}

/* Whether the module provides the queueing discipline KIND: the kernel
 * loads it as "sch_KIND" (before 6.3) or "net-sch-KIND". */
static bool qdisc_kind_owned(const char *kind, const void *userdata)
{
	const struct holders_run *run = userdata;

	return kind_owned(run, "sch_", kind, run->owns.qdisc_kinds, run->owns.n_qdisc_kinds);
}

/* Queueing disciplines of its kinds on the interfaces of every network
 * namespace (rtnetlink): one reference each. */
static int source_qdiscs(struct holders_run *run)
{
	struct netif_world w = { .qdisc_wanted = qdisc_kind_owned, .qdisc_userdata = run };
	size_t i;
	int r;

	r = netif_world_scan(&w);
	for (i = 0; r >= 0 && i < w.n_qdiscs; i++) {
		const struct netif_qdisc *q = &w.qdiscs[i];
		char obj[96], where[96], parent[24];
		struct holder *x;

		snprintf(obj, sizeof(obj), "%s on %s", q->kind, q->dev ? q->dev : "?");
		netif_ns_where(&w, q->ns, where, sizeof(where));
		if (q->parent == TC_H_ROOT)
			snprintf(parent, sizeof(parent), "root");
		else if (q->parent == TC_H_INGRESS)
			snprintf(parent, sizeof(parent), "ingress");
		else
			snprintf(parent, sizeof(parent), "parent %x:%x", TC_H_MAJ(q->parent) >> 16, TC_H_MIN(q->parent));
		x = holders_add(run->h, HOLDER_QDISC, 1, obj);
		if (!x || holder_set_detail(x, "handle %x:, %s%s%s", TC_H_MAJ(q->handle) >> 16, parent,
					    where[0] ? ", in " : "", where) < 0)
			r = -ENOMEM;
	}
	if (r >= 0 && w.unreadable && !run->h->incomplete_why)
		run->h->incomplete_why = "a network namespace could not be read";
	netif_world_free(&w);
	return r < 0 ? r : 0;
}

/* Mounts of the module's filesystem types, or on its block devices, in
 * every mount namespace: one reference per superblock. */
static int source_mounts(struct holders_run *run)
{
	size_t i;
	int r;

	r = procs_read_mounts(run);
	if (r < 0)
		return r;
	for (i = 0; i < run->n_mounts; i++) {
		const struct mount_entry *m = &run->mounts[i];
		bool fs = owns_fstype(&run->owns, m->fstype);
		bool dev = major(m->dev) != 0 && owns_match_dev(&run->owns, true, m->dev);
		struct holder *x;
		size_t j;

		if (!fs && !dev)
			continue;
		/* a bind mount or another namespace's copy of a counted superblock */
		for (j = 0; j < i; j++)
			if (run->mounts[j].dev == m->dev && run->mounts[j].counted)
				break;
		if (j < i)
			continue;
		run->mounts[i].counted = true;
		x = holders_add(run->h, HOLDER_MOUNT, 1, m->target);
		if (!x)
			return -ENOMEM;
		holder_set_process(x, m->ns_pid, -1);
		r = holder_set_detail(x, "%s from %s, mount namespace %lu", m->fstype, m->source,
				      (unsigned long)m->ns_ino);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- the whole answer ------------------------------------------------------------ */

static void settle(struct holders *h, const struct holders_run *run)
{
	long rem = h->refcnt - h->attributed;

	h->unattributed = rem > 0 ? rem : 0;
	h->overcounted = rem < 0 ? -rem : 0;
	if (run->exhausted && !h->incomplete_why)
		h->incomplete_why = "the time budget ran out";
	h->complete = !h->incomplete_why;
}

static void source_failed(struct holders *h, const char *what, int r)
{
	log_debug_errno(r, "holders of %s: cannot read %s: %m", h->name, what);
	if (!h->incomplete_why)
		h->incomplete_why = "a source could not be read";
}

int holders_budget_from_env(uint64_t *usec)
{
	const char *e = modctl_getenv(HOLDERS_BUDGET_ENV);

	*usec = HOLDERS_BUDGET_DEFAULT_USEC;
	if (!e || !*e)
		return 0;
	if (parse_duration(e, usec) < 0) {
		*usec = HOLDERS_BUDGET_DEFAULT_USEC;
		log_warning("ignoring %s=%s: not a duration", HOLDERS_BUDGET_ENV, e);
		return -EINVAL;
	}
	return 0;
}

int holders_find(const char *name, const struct holders_options *o, struct holders *h)
{
	struct holders_options def = { 0 };
	struct holders_run run = { 0 };
	char **deps = NULL;
	size_t n = 0, i;
	int r;

	if (!o)
		o = &def;
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	run.h = h;
	if (o->budget_set)
		run.budget = o->budget_usec;
	else
		(void)holders_budget_from_env(&run.budget);
	run.deadline = run.budget == DURATION_INFINITY ? UINT64_MAX : now_usec() + run.budget;

	if (o->node_only) {
		/* the bench: one device number, no module */
		h->has_refcnt = true;
		r = owns_add_dev(&run.owns, o->node_is_block, o->node_major, (int)o->node_minor, 1, NULL);
		if (r < 0)
			return r;
		r = procs_scan(&run);
		h->scanned = true;
		if (r < 0)
			source_failed(h, "the processes", r);
		h->refcnt = h->attributed;
		settle(h, &run);
		owns_free(&run.owns);
		procs_free(&run);
		return 0;
	}

	if (o->refcnt_known) {
		h->refcnt = o->refcnt;
		h->has_refcnt = true;
	} else {
		r = sysfs_module_refcnt(name, &h->refcnt);
		if (r == -ENODATA)
			h->has_refcnt = false;
		else if (r < 0)
			return r;
		else
			h->has_refcnt = true;
	}
	if (o->dep_holders) {
		deps = o->dep_holders;
	} else {
		r = sysfs_module_holders(name, &deps, &n);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	for (i = 0; deps && deps[i]; i++) {
		struct holder *x = holders_add(h, HOLDER_MODULE, 1, deps[i]);

		if (!x) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
	if (!h->has_refcnt || h->refcnt < 0) {
		/* nothing to explain: no count, or going */
		h->scan_skipped = "the reference count is unknown";
		h->complete = true;
		goto out;
	}

#define SOURCE(cond, fn, what)                                    \
	do {                                                      \
		if (holders_remaining(h) <= 0)                    \
			goto done;                                \
		if (!holders_budget_left(&run))                   \
			goto done;                                \
		if (cond) {                                       \
			int r_;                                   \
			log_debug("holders of %s: reading %s",    \
				  name, what);                    \
			r_ = fn(&run);                            \
			if (r_ == -ENOMEM) {                      \
				r = r_;                           \
				goto out;                         \
			}                                         \
			if (r_ < 0)                               \
				source_failed(h, what, r_);       \
		}                                                 \
	} while (0)

	SOURCE(true, source_lock_pin, "the lock pin");
	SOURCE(true, holders_bpf_links, "the BPF links");
	if (holders_remaining(h) > 0) {
		r = owns_read(name, &run.owns);
		if (r == -ENOMEM)
			goto out;
		r = 0;
	}
	SOURCE(module_name_eq(name, "tun"), source_interfaces, "/sys/class/net");
	SOURCE(module_name_eq(name, "loop"), source_loop, "/sys/block");
	SOURCE(strncmp(name, "dm_", 3) == 0 || run.owns.n_dm_types, source_dm, "/sys/block");
	SOURCE(run.owns.crypto, source_crypto, "/proc/crypto");
	SOURCE(strncmp(name, "sch_", 4) == 0 || run.owns.n_qdisc_kinds, source_qdiscs, "the queueing disciplines");
	SOURCE(run.owns.n_fstypes || run.owns.n_devs, source_mounts, "the mount tables");
	if (holders_remaining(h) > 0 && !owns_scannable(&run.owns) && !run.n_unowned_links) {
		h->scan_skipped = "it owns no device node, protocol, filesystem type, line discipline or driver";
		log_debug("holders of %s: no process scan: %s", name, h->scan_skipped);
	}
	SOURCE(owns_scannable(&run.owns) || run.n_unowned_links, procs_scan, "the processes");
	if (run.scanned)
		h->scanned = true;
#undef SOURCE
done:
	/* a BPF link explains its reference without its process: look for
	 * the processes that hold links open, and for nothing else */
	if (run.n_unowned_links && !run.scanned && holders_budget_left(&run)) {
		run.links_only = true;
		r = procs_scan(&run);
		if (r == -ENOMEM)
			goto out;
		if (r < 0)
			source_failed(h, "the processes", r);
		r = 0;
	}
	settle(h, &run);
out:
	if (!o->dep_holders)
		strv_free(deps);
	owns_free(&run.owns);
	procs_free(&run);
	if (r < 0)
		holders_free(h);
	return r;
}

/* --- words ------------------------------------------------------------------------ */

const char *holder_describe(const struct holder *x, char *buf, size_t size)
{
	char who[64] = "";

	if (x->pid > 0)
		snprintf(who, sizeof(who), "pid %d (%s)", (int)x->pid, x->comm[0] ? x->comm : "?");
	switch (x->kind) {
	case HOLDER_MODULE:
		snprintf(buf, size, "module %s depends on it", x->object);
		break;
	case HOLDER_LOCK_PIN:
		snprintf(buf, size, "modctl's lock pin %s%s%s%s", x->object, x->detail ? " (" : "",
			 x->detail ? x->detail : "", x->detail ? ")" : "");
		break;
	case HOLDER_BPF_LINK:
		if (x->pid > 0)
			snprintf(buf, size, "BPF link %s (%s), open in %s on fd %d", x->object,
				 x->detail ? x->detail : "", who, x->fd);
		else
			snprintf(buf, size, "BPF link %s (%s), open in no process: pinned", x->object,
				 x->detail ? x->detail : "");
		break;
	case HOLDER_INTERFACE:
		snprintf(buf, size, "%s %s", x->detail ? x->detail : "interface", x->object);
		break;
	case HOLDER_LOOP:
		snprintf(buf, size, "loop device %s %s", x->object, x->detail ? x->detail : "");
		break;
	case HOLDER_DM:
		snprintf(buf, size, "%s (%s)", x->detail ? x->detail : "device-mapper device", x->object);
		break;
	case HOLDER_MOUNT:
		snprintf(buf, size, "mount on %s (%s; a process in it: %s)", x->object, x->detail ? x->detail : "",
			 who[0] ? who : "none");
		break;
	case HOLDER_DETACHED:
		snprintf(buf, size, "lazily unmounted %s kept by %s (%s)", x->object, who,
			 x->detail ? x->detail : "");
		break;
	case HOLDER_OPEN:
		snprintf(buf, size, "%s has %s open on fd %d", who, x->object, x->fd);
		break;
	case HOLDER_MAPPING:
		snprintf(buf, size, "%s maps %s (its file descriptor closed)", who, x->object);
		break;
	case HOLDER_SOCKET:
		snprintf(buf, size, "%s has a %s socket on fd %d", who, x->object, x->fd);
		break;
	case HOLDER_LDISC:
		snprintf(buf, size, "%s with %s, open in %s on fd %d", x->object,
			 x->detail ? x->detail : "a line discipline", who, x->fd);
		break;
	case HOLDER_CRYPTO:
		snprintf(buf, size, "crypto algorithm %s (%s)", x->object, x->detail ? x->detail : "");
		break;
	case HOLDER_QDISC:
		snprintf(buf, size, "queueing discipline %s (%s)", x->object, x->detail ? x->detail : "");
		break;
	default:
		snprintf(buf, size, "%s", x->object);
		break;
	}
	return buf;
}

static void remainder_words(const struct holders *h, char *buf, size_t size)
{
	if (h->overcounted)
		snprintf(buf, size, "0 unattributed; the weights exceed the reference count by %ld", h->overcounted);
	else
		snprintf(buf, size, "%ld unattributed", h->unattributed);
}

void holders_print(FILE *f, const struct holders *h)
{
	char buf[PATH_MAX + 256], rem[96];
	size_t i;

	for (i = 0; i < h->n; i++)
		fprintf(f, "  %-12s [%d] %s\n", i == 0 ? "Held by:" : "", h->v[i].weight,
			holder_describe(&h->v[i], buf, sizeof(buf)));
	remainder_words(h, rem, sizeof(rem));
	fprintf(f, "  %-12s %s%s%s\n", h->n ? "" : "Held by:", rem, h->complete ? "" : "; incomplete: ",
		h->complete ? "" : h->incomplete_why);
}

static int holder_json(struct strbuf *sb, const struct holder *x, bool comma)
{
	char *obj = json_string(x->object);
	char *det = x->detail ? json_string(x->detail) : strdup("null");
	char *comm = x->pid > 0 && x->comm[0] ? json_string(x->comm) : strdup("null");
	char pid[24] = "null", fd[24] = "null";
	int r = -ENOMEM;

	if (x->pid > 0)
		snprintf(pid, sizeof(pid), "%d", (int)x->pid);
	if (x->fd >= 0)
		snprintf(fd, sizeof(fd), "%d", x->fd);
	if (obj && det && comm)
		r = strbuf_appendf(sb,
				   "%s{\"kind\": \"%s\", \"weight\": %d, \"pid\": %s, \"command\": %s, \"fd\": %s, "
				   "\"object\": %s, \"detail\": %s}",
				   comma ? ", " : "", holder_kind_name(x->kind), x->weight, pid, comm, fd, obj, det);
	free(obj);
	free(det);
	free(comm);
	return r;
}

char *holders_json(const struct holders *h)
{
	struct strbuf sb = { 0 };
	size_t i;
	int r = strbuf_appendf(&sb, "[");

	for (i = 0; r == 0 && i < h->n; i++)
		r = holder_json(&sb, &h->v[i], i > 0);
	if (r == 0)
		r = strbuf_appendf(&sb, "]");
	if (r < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

const struct column holders_columns[_HOLDERS_COL_MAX] = {
	/* a number column is written as it is: the cell holds a JSON array */
	[HOLDERS_COL_HELD_BY] = { "HELD_BY", 0, 0, SCOLS_JSON_NUMBER, "who holds the module's references" },
	[HOLDERS_COL_UNATTRIBUTED] = { "UNATTRIBUTED", 0, 0, SCOLS_JSON_NUMBER, "references no holder accounts for" },
	[HOLDERS_COL_OVERCOUNTED] = { "OVERCOUNTED", 0, 0, SCOLS_JSON_NUMBER, "weights beyond the reference count" },
	[HOLDERS_COL_COMPLETE] = { "COMPLETE", 0, 0, SCOLS_JSON_BOOLEAN, "every source was read within the budget" },
};

void holders_set_row(struct output *out, struct libscols_line *ln, size_t first, const struct holders *h)
{
	_cleanup_free_ char *j = holders_json(h);

	if (j)
		output_set(out, ln, first + HOLDERS_COL_HELD_BY, j);
	if (h->has_refcnt && h->refcnt >= 0) {
		output_setf(out, ln, first + HOLDERS_COL_UNATTRIBUTED, "%ld", h->unattributed);
		output_setf(out, ln, first + HOLDERS_COL_OVERCOUNTED, "%ld", h->overcounted);
	}
	output_set(out, ln, first + HOLDERS_COL_COMPLETE, h->complete ? "yes" : "no");
}

void holders_log(const char *name, int level, size_t max)
{
	struct holders h;
	char buf[PATH_MAX + 256], rem[96];
	size_t i, shown = 0, deps = 0;

	if (log_get_max_level() < level || holders_find(name, NULL, &h) < 0)
		return;
	for (i = 0; i < h.n; i++)
		if (h.v[i].kind == HOLDER_MODULE)
			deps++;
	/* the message names the dependent modules already */
	if (h.refcnt <= (long)deps)
		goto out;
	for (i = 0; i < h.n; i++) {
		if (h.v[i].kind == HOLDER_MODULE)
			continue;
		if (shown == max) {
			log_full(level, "  and %zu more", h.n - deps - shown);
			break;
		}
		log_full(level, "  held by: %s (%d reference%s)", holder_describe(&h.v[i], buf, sizeof(buf)),
			 h.v[i].weight, h.v[i].weight == 1 ? "" : "s");
		shown++;
	}
	remainder_words(&h, rem, sizeof(rem));
	log_full(level, "  %s%s%s", rem, h.complete ? "" : "; incomplete: ", h.complete ? "" : h.incomplete_why);
out:
	holders_free(&h);
}

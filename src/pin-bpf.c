// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel-enforced locks through libbpf: finding a module's BTF object and a
 * function to target, loading the two-instruction program, attaching it
 * where the kernel needs a link, pinning, and reading a pin back to tell a
 * live one from a stale one. pin.h explains the mechanisms.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "pin.h"
#include "sysfs.h"
#include "util.h"

#if HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

bool pin_built(void)
{
	return true;
}

/* At most this many functions are tried per module before giving up. */
#define PIN_TRIES_MAX 8

struct kbtf {
	char name[MODULE_NAME_MAX + 1];
	uint32_t id;
};

struct ksym {
	const char *name;
	const char *mod;   /* NULL for vmlinux */
	unsigned long long addr;
};

struct pinner {
	bool link_mode;        /* kernel before 6.4 */
	struct btf *vmlinux;   /* parsed on first use */
	struct kbtf *objs;     /* kernel BTF objects: highest id per name */
	size_t n_objs;
	bool objs_listed;
	char *kallsyms;        /* link mode: /proc/kallsyms, read on first use */
	struct ksym *syms;     /* sorted by name */
	size_t n_syms;
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];

	if (log_get_max_level() < LOG_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

int pinner_new(struct pinner **ret)
{
	struct pinner *p = calloc(1, sizeof(*p));
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (!p)
		return -ENOMEM;
	libbpf_set_print(libbpf_log);
	/* 6.4 moved the module reference from the trampoline to the verifier. */
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &maj, &min) == 2)
		p->link_mode = maj < 6 || (maj == 6 && min < 4);
	*ret = p;
	return 0;
}

void pinner_free(struct pinner *p)
{
	if (!p)
		return;
	btf__free(p->vmlinux);
	free(p->objs);
	free(p->syms);
	free(p->kallsyms);
	free(p);
}

/* --- the kernel's BTF objects --------------------------------------------- */

static int list_btf_objs(struct pinner *p)
{
	uint32_t id = 0;
	size_t cap = 0;

	if (p->objs_listed)
		return 0;
	while (bpf_btf_get_next_id(id, &id) == 0) {
		struct bpf_btf_info info = { 0 };
		uint32_t len = sizeof(info);
		char name[MODULE_NAME_MAX + 1] = "";
		_cleanup_close_ int fd = bpf_btf_get_fd_by_id(id);
		size_t i;

		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* freed meanwhile */
			return -errno;
		}
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || !info.kernel_btf || !name[0])
			continue;
		name[sizeof(name) - 1] = '\0';
		/* Ids grow: a reloaded module's BTF has a higher id than the
		 * old one a stale pin keeps alive. */
		for (i = 0; i < p->n_objs; i++)
			if (streq(p->objs[i].name, name))
				break;
		if (i == p->n_objs) {
			if (p->n_objs == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct kbtf *n = realloc(p->objs, ncap * sizeof(*n));

				if (!n)
					return -ENOMEM;
				p->objs = n;
				cap = ncap;
			}
			snprintf(p->objs[i].name, sizeof(p->objs[i].name), "%s", name);
			p->objs[i].id = 0;
			p->n_objs++;
		}
		if (id > p->objs[i].id)
			p->objs[i].id = id;
	}
	if (errno != ENOENT)
		return -errno;
	p->objs_listed = true;
	return 0;
}

/* The id of the module's current BTF object: 0 (-ENOENT) when it has none. */
static int module_btf_id(struct pinner *p, const char *name, uint32_t *id)
{
	size_t i;
	int r = list_btf_objs(p);

	*id = 0;
	if (r < 0)
		return r;
	for (i = 0; i < p->n_objs; i++)
		if (streq(p->objs[i].name, name)) {
			*id = p->objs[i].id;
			return 0;
		}
	return -ENOENT;
}

/* --- which function ------------------------------------------------------- */

/*
 * How well a function name suits a lock: the lower the better; -1 never. A
 * link runs the program each time its function runs, so only teardown
 * names qualify for links, never one on a data path.
 */
static int teardown_rank(const char *n)
{
	static const char *const hot[] = { "xmit", "rcv", "recv", "_rx", "_tx", "xdp", "skb", "poll",
					   "gro", "gso", "send", "encap", "decap", "napi", "irq", "read",
					   "write", "ioctl", "timer", "work", "queue", "packet", "pkt",
					   "hook", "csum", "lookup", "get", "put", "open", "release" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hot); i++)
		if (strstr(n, hot[i]))
			return -1;
	if (strstr(n, "exit_batch") || strstr(n, "exit_net") || strstr(n, "net_exit"))
		return 1;
	if (strstr(n, "uninit") || strstr(n, "dev_free") || strstr(n, "free_netdev") || strstr(n, "free_disk"))
		return 2;
	if (strstr(n, "exit") || strstr(n, "cleanup"))
		return 3;
	if (strstr(n, "destroy") || strstr(n, "unregister") || strstr(n, "remove"))
		return 4;
	if (strstr(n, "free"))
		return 5;
	return 100;
}

static int ksym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ksym *)a)->name, ((const struct ksym *)b)->name);
}

/* Read /proc/kallsyms once: text symbols, sorted by name. */
static int load_kallsyms(struct pinner *p)
{
	size_t len = 0, cap = 0;
	char *s, *nl;
	int r;

	if (p->syms)
		return 0;
	r = read_full_file("/proc/kallsyms", &p->kallsyms, &len);
	if (r < 0)
		return r;
	for (s = p->kallsyms; *s; s = nl + 1) {
		char *type, *name, *mod, *end;
		unsigned long long addr;

		nl = strchr(s, '\n');
		if (!nl)
			break;
		*nl = '\0';
		addr = strtoull(s, &end, 16);
		type = end + 1;
		if (*end != ' ' || (type[0] != 't' && type[0] != 'T') || type[1] != ' ')
			continue;
		name = type + 2;
		mod = strchr(name, '\t');
		if (mod) {
			*mod++ = '\0';
			if (*mod == '[')
				mod++;
			mod[strcspn(mod, "]")] = '\0';
		}
		if (p->n_syms == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			struct ksym *n = realloc(p->syms, ncap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			p->syms = n;
			cap = ncap;
		}
		p->syms[p->n_syms++] = (struct ksym){ .name = name, .mod = mod, .addr = addr };
	}
	qsort(p->syms, p->n_syms, sizeof(*p->syms), ksym_cmp);
	return 0;
}

/* The one text symbol called name, in module mod; NULL if there is none, or
 * if the name is not unique (before 6.4 the verifier resolves the target
 * with a global lookup and could land in another module). */
static const struct ksym *unique_sym(const struct pinner *p, const char *name, const char *mod, size_t *count)
{
	struct ksym key = { .name = name };
	const struct ksym *hit = bsearch(&key, p->syms, p->n_syms, sizeof(key), ksym_cmp);
	const struct ksym *lo, *hi, *in_mod = NULL;

	*count = 0;
	if (!hit)
		return NULL;
	for (lo = hit; lo > p->syms && streq(lo[-1].name, name); lo--)
		;
	for (hi = hit; hi < p->syms + p->n_syms && streq(hi->name, name); hi++)
		;
	*count = (size_t)(hi - lo);
	for (; lo < hi; lo++)
		if (lo->mod && streq(lo->mod, mod))
			in_mod = lo;
	return in_mod;
}

struct candidate {
	uint32_t btf_id;
	int rank;
	const char *name;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return (x->btf_id > y->btf_id) - (x->btf_id < y->btf_id);
}

/*
 * The functions of the module worth trying, best first, in *out. Link mode:
 * the exit function (it shares its address with cleanup_module) and unique
 * teardown names only. Program mode: any function, teardown names first.
 */
static int candidates(struct pinner *p, const struct btf *mbtf, const char *mod, struct candidate **out, size_t *n)
{
	uint32_t first = btf__type_cnt(p->vmlinux), last = btf__type_cnt(mbtf), i;
	unsigned long long exit_addr = 0;
	struct candidate *c;
	size_t cnt = 0, count;
	int r;

	*out = NULL;
	*n = 0;
	if (p->link_mode) {
		const struct ksym *cm;

		r = load_kallsyms(p);
		if (r < 0)
			return r;
		cm = unique_sym(p, "cleanup_module", mod, &count);
		if (cm)
			exit_addr = cm->addr;
	}
	c = calloc(last > first ? last - first : 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (i = first; i < last; i++) {
		const struct btf_type *t = btf__type_by_id(mbtf, i);
		const char *name;
		int rank;

		if (!t || !btf_is_func(t))
			continue;
		name = btf__name_by_offset(mbtf, t->name_off);
		if (!name || !name[0] || strlen(name) > PIN_FUNC_MAX)
			continue;
		rank = teardown_rank(name);
		if (p->link_mode) {
			const struct ksym *s = unique_sym(p, name, mod, &count);

			if (!s || count != 1)
				continue;
			if (exit_addr && s->addr == exit_addr)
				rank = 0;
			else if (rank < 0 || rank >= 100)
				continue;
		} else if (rank < 0) {
			rank = 200;
		}
		c[cnt++] = (struct candidate){ .btf_id = i, .rank = rank, .name = name };
	}
	qsort(c, cnt, sizeof(*c), cand_cmp);
	*out = c;
	*n = cnt;
	return 0;
}

/* --- making a pin ---------------------------------------------------------- */

static int load_prog(int btf_fd, uint32_t func_id)
{
	/* r0 = 0; exit */
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char vlog[1024] = "";
	struct bpf_prog_load_opts o = {
		.sz = sizeof(o),
		.expected_attach_type = BPF_TRACE_FENTRY,
		.attach_btf_id = func_id,
		.attach_btf_obj_fd = (uint32_t)btf_fd,
		.log_buf = vlog,
		.log_size = sizeof(vlog),
		.log_level = 1,
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "modctl_lock", "GPL", insns, ARRAY_SIZE(insns), &o);

	if (fd < 0) {
		int e = errno;

		/* the verifier's reason, for -vv */
		vlog[strcspn(vlog, "\n")] = '\0';
		log_debug("verifier: %s", vlog[0] ? vlog : "(no message)");
		return -e;
	}
	return fd;
}

/* PIN_DIR: root's, mode 0700, made if missing. */
static int pin_dir_ready(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0)
		return -EPERM;
	if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
		return -errno;
	return 0;
}

static int pin_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Move a stale pin out of the way, keeping it (and its reference) until reboot. */
static int quarantine(const char *name, const struct pin_info *info)
{
	char to[128];
	int r = pin_dir_ready(PIN_STALE_DIR);

	if (r < 0)
		return log_error_errno(r, "cannot make %s for a stale pin: %m", PIN_STALE_DIR);
	snprintf(to, sizeof(to), "%s/%s-%u", PIN_STALE_DIR, name, info->prog_id);
	if (rename(info->path, to) < 0)
		return log_error_errno(errno, "cannot move the stale pin %s to %s: %m", info->path, to);
	return 0;
}

int pin_inspect(struct pinner *p, const char *name, struct pin_info *info)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi), cur = 0;
	_cleanup_close_ int fd = -1, prog_fd = -1;
	char lnk[64], fdpath[64], state[32];
	ssize_t n;
	int r;

	memset(info, 0, sizeof(*info));
	r = pin_path(info->path, sizeof(info->path), PIN_DIR, name);
	if (r < 0)
		return r;
	fd = bpf_obj_get(info->path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	n = readlink(fdpath, lnk, sizeof(lnk) - 1);
	if (n < 0)
		return -errno;
	lnk[n] = '\0';
	if (strstr(lnk, "bpf-link")) {
		struct bpf_link_info li = { 0 };
		uint32_t llen = sizeof(li);

		info->mech = PIN_MECH_LINK;
		if (bpf_obj_get_info_by_fd(fd, &li, &llen) < 0)
			return -errno;
		info->link_id = li.id;
		prog_fd = bpf_prog_get_fd_by_id(li.prog_id);
		if (prog_fd < 0)
			return -errno;
	} else if (strstr(lnk, "bpf-prog")) {
		info->mech = PIN_MECH_PROG;
	} else {
		return -EBADF;
	}
	/* a link's program has an fd of its own; a pinned program is fd itself */
	if (bpf_obj_get_info_by_fd(prog_fd >= 0 ? prog_fd : fd, &pi, &len) < 0)
		return -errno;
	info->prog_id = pi.id;
	info->btf_obj_id = pi.attach_btf_obj_id;
	info->run_cnt = pi.run_cnt;

	/* Live: the module is live, and the program still holds its current
	 * BTF object (a forced removal zeroes the id; a reload makes a newer one). */
	info->state = PIN_STALE;
	r = module_btf_id(p, name, &cur);
	if (r < 0 && r != -ENOENT)
		return r;
	if (sysfs_module_attr(name, "initstate", state, sizeof(state)) == 0 && streq(state, "live") &&
	    pi.attach_btf_obj_id != 0 && pi.attach_btf_obj_id == cur)
		info->state = PIN_LIVE;

	if (info->state == PIN_LIVE && pi.attach_btf_id) {
		struct btf *mbtf;

		if (!p->vmlinux)
			p->vmlinux = btf__load_vmlinux_btf();
		mbtf = p->vmlinux ? btf__load_from_kernel_by_id_split(cur, p->vmlinux) : NULL;
		if (mbtf) {
			const struct btf_type *t = btf__type_by_id(mbtf, pi.attach_btf_id);
			const char *fn = t ? btf__name_by_offset(mbtf, t->name_off) : NULL;

			snprintf(info->func, sizeof(info->func), "%s", fn ? fn : "");
			btf__free(mbtf);
		}
	}
	return 0;
}

int pin_release(struct pinner *p, const char *name, struct pin_info *info)
{
	int r = pin_inspect(p, name, info);

	if (r < 0)
		return r;
	if (info->state == PIN_ABSENT)
		return 0;
	if (info->state == PIN_STALE) {
		r = quarantine(name, info);
		return r < 0 ? r : -ESTALE;
	}
	if (unlink(info->path) < 0)
		return -errno;
	return 0;
}

int pin_module(struct pinner *p, const char *name, struct pin_info *info, const char **why, bool *stale_moved)
{
	_cleanup_close_ int btf_fd = -1;
	struct btf *mbtf = NULL;
	struct candidate *c = NULL;
	char state[32];
	uint32_t id = 0;
	size_t n = 0, i, tries = 0;
	int r, last = -ENOENT;

	*why = NULL;
	*stale_moved = false;
	if ((*why = pin_unavailable()))
		return -EOPNOTSUPP;
	if (sysfs_module_attr(name, "initstate", state, sizeof(state)) < 0 || !streq(state, "live")) {
		*why = "the module is not live yet (still initialising, or going)";
		return -EBUSY;
	}
	r = pin_inspect(p, name, info);
	if (r == -EPERM) {
		*why = "reading pins needs CAP_SYS_ADMIN";
		return r;
	}
	if (r < 0) {
		*why = "its pin cannot be read";
		return r;
	}
	if (info->state == PIN_LIVE)
		return 1;
	if (info->state == PIN_STALE) {
		r = quarantine(name, info);
		if (r < 0) {
			*why = "a stale pin of an earlier instance is in the way";
			return r;
		}
		*stale_moved = true;
	}
	memset(info, 0, sizeof(*info));

	r = module_btf_id(p, name, &id);
	if (r == -ENOENT) {
		*why = "the module has no BTF (built without it, or its BTF does not match the kernel)";
		return r;
	}
	if (r < 0) {
		*why = r == -EPERM ? "finding the module's BTF needs CAP_SYS_ADMIN" : "the kernel's BTF objects cannot be listed";
		return r;
	}
	if (!p->vmlinux) {
		p->vmlinux = btf__load_vmlinux_btf();
		if (!p->vmlinux) {
			*why = "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
			return errno ? -errno : -ENOENT;
		}
	}
	btf_fd = bpf_btf_get_fd_by_id(id);
	mbtf = btf_fd >= 0 ? btf__load_from_kernel_by_id_split(id, p->vmlinux) : NULL;
	if (!mbtf) {
		*why = "the module's BTF cannot be read";
		return errno ? -errno : -EIO;
	}
	r = pin_dir_ready(PIN_DIR);
	if (r < 0) {
		*why = "the pin directory " PIN_DIR " cannot be made, or is not root's";
		goto out;
	}
	r = pin_path(info->path, sizeof(info->path), PIN_DIR, name);
	if (r < 0)
		goto out;
	r = candidates(p, mbtf, name, &c, &n);
	if (r < 0) {
		*why = p->link_mode ? "/proc/kallsyms cannot be read" : "the module's functions cannot be listed";
		goto out;
	}
	for (i = 0; i < n && tries < PIN_TRIES_MAX; i++, tries++) {
		_cleanup_close_ int prog_fd = load_prog(btf_fd, c[i].btf_id), link_fd = -1;

		if (prog_fd < 0) {
			last = prog_fd;
			log_debug_errno(last, "%s: the kernel refused a program on %s: %m", name, c[i].name);
			if (last == -EPERM)
				break;
			continue;
		}
		if (p->link_mode) {
			link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
			if (link_fd < 0) {
				last = -errno;
				log_debug_errno(last, "%s: cannot attach to %s: %m", name, c[i].name);
				continue;
			}
		}
		if (bpf_obj_pin(p->link_mode ? link_fd : prog_fd, info->path) < 0) {
			last = -errno;
			break;
		}
		info->state = PIN_LIVE;
		info->mech = p->link_mode ? PIN_MECH_LINK : PIN_MECH_PROG;
		info->btf_obj_id = id;
		snprintf(info->func, sizeof(info->func), "%s", c[i].name);
		r = 0;
		goto out;
	}
	r = last;
	if (r == -EPERM)
		*why = "loading the program needs CAP_SYS_ADMIN (CAP_BPF and CAP_PERFMON are not enough)";
	else if (n == 0)
		*why = p->link_mode ? "the module has no function a link can use (unique, traceable, teardown only)"
				    : "the module has no function the kernel can resolve";
	else
		*why = "the kernel refused every function tried";
out:
	free(c);
	btf__free(mbtf);
	return r;
}

#else /* !HAVE_BPF */

bool pin_built(void)
{
	return false;
}

int pinner_new(struct pinner **ret)
{
	*ret = NULL;
	return 0;
}

void pinner_free(struct pinner *p)
{
}

int pin_module(struct pinner *p, const char *name, struct pin_info *info, const char **why, bool *stale_moved)
{
	memset(info, 0, sizeof(*info));
	*stale_moved = false;
	*why = "modctl was built without libbpf";
	return -EOPNOTSUPP;
}

int pin_inspect(struct pinner *p, const char *name, struct pin_info *info)
{
	memset(info, 0, sizeof(*info));
	return 0;
}

int pin_release(struct pinner *p, const char *name, struct pin_info *info)
{
	memset(info, 0, sizeof(*info));
	return 0;
}

#endif

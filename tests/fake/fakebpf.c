/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's BPF side: the bpf(2) commands libbpf issues for a
 * kernel-enforced lock (BTF objects, loading a tracing program, attaching
 * it, pinning it in bpffs and reading pins back), module and vmlinux BTF
 * in ROOT/sys/kernel/btf, /proc/kallsyms, and the "bpf" fakectl commands
 * that script it.  libbpf itself runs unchanged above it: the BTF it
 * parses is real BTF, generated here.
 *
 * Layout (see README, "BPF"):
 *   ROOT/.fake/bpf/conf        KEY=VALUE: mounted, vmlinux, keep_btf_id
 *   ROOT/.fake/bpf/nobtf       modules without BTF, one a line
 *   ROOT/.fake/bpf/badbtf      modules whose BTF does not parse
 *   ROOT/.fake/bpf/funcs/NAME  the functions of NAME: "FUNC [exit] [notrace]"
 *   ROOT/.fake/bpf/refuse/NAME "FUNC ERRNO": the kernel refuses FUNC
 *   ROOT/.fake/bpf/fail        "CMD ERRNO": every such bpf() command fails
 *   ROOT/.fake/bpf/objs        the kernel BTF objects: "ID NAME" (rendered)
 *   ROOT/.fake/bpf/obj/KIND-ID an object (btf, bpf-prog, bpf-link): an fd
 *                              of the object is an fd of this file
 *   ROOT/.fake/bpf/oops        a stale pin was released (the real kernel
 *                              crashes): one line each
 * Without ROOT/.fake/bpf/conf the kernel has BPF but no bpffs mounted, no
 * BTF, no pins: every command is still answered here, never by the host.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "fakestate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FB_PATH 4096
#define FB_FUNCS 32
#define FB_FUNC_LEN 128
/* statfs() f_type of bpffs */
#define FB_BPF_FS_MAGIC 0xcafe4a11
/* type ids of the fake vmlinux BTF: [1] int, [2] int (void) */
#define FB_VMLINUX_TYPES 3
#define FB_VMLINUX_STR "\0int"
#define FB_VMLINUX_STR_LEN 5

struct fb_func {
	char name[FB_FUNC_LEN];
	int exit;    /* the module's exit function: cleanup_module's address */
	int notrace; /* __exit functions are notrace: no fentry link */
};

struct fb_obj {
	char kind[16]; /* "btf", "bpf-prog", "bpf-link" */
	long id;
};

/* ROOT/REL into buf, the first "%s" in rel replaced by arg. */
static int bpath(char *buf, size_t len, const char *root, const char *rel, const char *arg)
{
	const char *pc = strstr(rel, "%s");
	int n;

	if (pc)
		n = snprintf(buf, len, "%s/%.*s%s%s", root, (int)(pc - rel), rel, arg ? arg : "", pc + 2);
	else
		n = snprintf(buf, len, "%s/%s", root, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static char *slurp(const char *path, size_t *lenp)
{
	int fd = fk_ops->open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	if (buf) {
		buf[len] = '\0';
		if (lenp)
			*lenp = len;
	}
	return buf;
}

static int spit(const char *path, const void *data, size_t len)
{
	return fk_write_file_atomic(path, data, len);
}

/* ------------------------------------------------------------------ */
/* configuration */

int fk_bpf_enabled(const char *root)
{
	char p[FB_PATH];
	struct stat st;

	return bpath(p, sizeof(p), root, ".fake/bpf/conf", NULL) == 0 && fk_ops->lstat(p, &st) == 0;
}

static int conf_get(const char *root, const char *key)
{
	char p[FB_PATH], *buf, *s;
	size_t kl = strlen(key);
	int v = 0;

	if (bpath(p, sizeof(p), root, ".fake/bpf/conf", NULL) < 0 || !(buf = slurp(p, NULL)))
		return 0;
	for (s = buf; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, key, kl) && s[kl] == '=')
			v = atoi(s + kl + 1);
	free(buf);
	return v;
}

static int conf_set(const char *root, const char *key, int value)
{
	char p[FB_PATH], out[1024], *buf, *s;
	size_t kl = strlen(key), o = 0;

	if (bpath(p, sizeof(p), root, ".fake/bpf/conf", NULL) < 0)
		return -ENAMETOOLONG;
	buf = slurp(p, NULL);
	for (s = buf; s && *s;) {
		char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s);

		if (!(l > kl && !strncmp(s, key, kl) && s[kl] == '=') && l && o + l + 2 < sizeof(out)) {
			memcpy(out + o, s, l);
			o += l;
			out[o++] = '\n';
		}
		s = nl ? nl + 1 : s + l;
	}
	free(buf);
	o += (size_t)snprintf(out + o, sizeof(out) - o, "%s=%d\n", key, value);
	return spit(p, out, o);
}

int fk_bpf_mounted(const char *root)
{
	return conf_get(root, "mounted");
}

/* Kernel 6.4 moved the module reference from the trampoline (links) to
 * the verifier (programs): before it, a lock needs a link. */
static int link_mode(const char *root)
{
	char rel[128];
	unsigned maj = 0, min = 0;

	fk_release(root, rel, sizeof(rel));
	if (sscanf(rel, "%u.%u", &maj, &min) != 2)
		return 0;
	return maj < 6 || (maj == 6 && min < 4);
}

/* A line "WORD ..." in ROOT/REL whose first word is word: its second word
 * in val (may be NULL).  1 found, 0 not. */
static int list_find(const char *root, const char *rel, const char *arg, const char *word, char *val, size_t vlen)
{
	char p[FB_PATH], *buf, *line, *save = NULL;
	int found = 0;

	if (bpath(p, sizeof(p), root, rel, arg) < 0 || !(buf = slurp(p, NULL)))
		return 0;
	for (line = strtok_r(buf, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char w[FB_FUNC_LEN], v[64] = "";

		if (sscanf(line, "%127s %63s", w, v) >= 1 && (!strcmp(w, word) || !strcmp(w, "all"))) {
			found = 1;
			if (val)
				snprintf(val, vlen, "%s", v);
		}
	}
	free(buf);
	return found;
}

static int has_btf(const char *root, const char *name)
{
	return !list_find(root, ".fake/bpf/nobtf", NULL, name, NULL, 0);
}

/* The functions of module name: scripted, or NAME_exit (its exit
 * function, notrace), NAME_dev_free (teardown) and NAME_xmit (data path). */
static int module_funcs(const char *root, const char *name, struct fb_func *f, int max)
{
	char p[FB_PATH], *buf, *line, *save = NULL;
	int n = 0;

	if (bpath(p, sizeof(p), root, ".fake/bpf/funcs/%s", name) == 0 && (buf = slurp(p, NULL))) {
		for (line = strtok_r(buf, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
			char w[3][FB_FUNC_LEN] = { "", "", "" };
			int k, c = sscanf(line, "%127s %127s %127s", w[0], w[1], w[2]);

			if (c < 1)
				continue;
			memset(&f[n], 0, sizeof(f[n]));
			snprintf(f[n].name, sizeof(f[n].name), "%s", w[0]);
			for (k = 1; k < c; k++) {
				f[n].exit |= !strcmp(w[k], "exit");
				f[n].notrace |= !strcmp(w[k], "notrace");
			}
			n++;
		}
		free(buf);
		return n;
	}
	memset(f, 0, 3 * sizeof(*f));
	snprintf(f[0].name, sizeof(f[0].name), "%s_exit", name);
	f[0].exit = f[0].notrace = 1;
	snprintf(f[1].name, sizeof(f[1].name), "%s_dev_free", name);
	snprintf(f[2].name, sizeof(f[2].name), "%s_xmit", name);
	return 3;
}

/* ------------------------------------------------------------------ */
/* BTF, generated: vmlinux [1] int [2] func proto; a module's functions
 * from id 3 on, split BTF on top of vmlinux's */

struct blob {
	unsigned char *p;
	size_t len, cap;
};

static void blob_add(struct blob *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 64;
		unsigned char *np = realloc(b->p, cap);

		if (!np)
			return;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void blob_u32(struct blob *b, uint32_t v)
{
	blob_add(b, &v, sizeof(v));
}

/* The raw BTF of vmlinux (name NULL) or of a module. */
static int btf_blob(const char *root, const char *name, struct blob *out)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h) };
	struct blob types = { 0 }, strs = { 0 };
	struct fb_func f[FB_FUNCS];
	int i, n;

	memset(out, 0, sizeof(*out));
	if (!name) {
		/* [1] INT "int" 4 bytes signed; [2] FUNC_PROTO int (void) */
		blob_u32(&types, 1);
		blob_u32(&types, (uint32_t)BTF_KIND_INT << 24);
		blob_u32(&types, 4);
		blob_u32(&types, (1u << 24) | 32);
		blob_u32(&types, 0);
		blob_u32(&types, (uint32_t)BTF_KIND_FUNC_PROTO << 24);
		blob_u32(&types, 1);
		blob_add(&strs, FB_VMLINUX_STR, FB_VMLINUX_STR_LEN);
	} else {
		n = module_funcs(root, name, f, FB_FUNCS);
		blob_add(&strs, "", 1);
		for (i = 0; i < n; i++) {
			blob_u32(&types, (uint32_t)(FB_VMLINUX_STR_LEN + strs.len));
			blob_u32(&types, (uint32_t)BTF_KIND_FUNC << 24);
			blob_u32(&types, 2);
			blob_add(&strs, f[i].name, strlen(f[i].name) + 1);
		}
	}
	/* BTF that does not parse (its magic is wrong) */
	if (name && list_find(root, ".fake/bpf/badbtf", NULL, name, NULL, 0))
		h.magic = 0xdead;
	h.type_off = 0;
	h.type_len = (uint32_t)types.len;
	h.str_off = (uint32_t)types.len;
	h.str_len = (uint32_t)strs.len;
	blob_add(out, &h, sizeof(h));
	blob_add(out, types.p, types.len);
	blob_add(out, strs.p, strs.len);
	free(types.p);
	free(strs.p);
	return out->p && out->len == sizeof(h) + types.len + strs.len ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* rendering: ROOT/.fake/bpf/objs, ROOT/sys/kernel/btf/, /proc/kallsyms */

static void rm_file(const char *root, const char *fmt, const char *arg)
{
	char p[FB_PATH];

	if (bpath(p, sizeof(p), root, fmt, arg) == 0)
		fk_ops->unlink(p);
}

void fk_bpf_render(const char *root, const struct fk_bpf_mod *mods, size_t n)
{
	char p[FB_PATH], line[FB_FUNC_LEN + 128];
	struct blob objs = { 0 }, ksyms = { 0 }, b;
	int vml = conf_get(root, "vmlinux");
	size_t i;

	if (!fk_bpf_enabled(root))
		return;
	if (bpath(p, sizeof(p), root, "sys/kernel/btf", NULL) == 0)
		fk_ops->mkdir(p, 0755);
	if (vml) {
		blob_add(&objs, "1 vmlinux\n", 10);
		if (btf_blob(root, NULL, &b) == 0 && bpath(p, sizeof(p), root, "sys/kernel/btf/vmlinux", NULL) == 0)
			spit(p, b.p, b.len);
		free(b.p);
	} else {
		rm_file(root, "sys/kernel/btf/vmlinux", NULL);
	}
	for (i = 0; i < n; i++) {
		struct fb_func f[FB_FUNCS];
		int k, nf;

		if (!has_btf(root, mods[i].name)) {
			rm_file(root, "sys/kernel/btf/%s", mods[i].name);
			continue;
		}
		snprintf(line, sizeof(line), "%ld %.63s\n", mods[i].btf, mods[i].name);
		blob_add(&objs, line, strlen(line));
		if (btf_blob(root, mods[i].name, &b) == 0 && bpath(p, sizeof(p), root, "sys/kernel/btf/%s", mods[i].name) == 0)
			spit(p, b.p, b.len);
		free(b.p);
		/* the addresses say which function cleanup_module is */
		nf = module_funcs(root, mods[i].name, f, FB_FUNCS);
		for (k = 0; k < nf; k++) {
			unsigned long long addr = 0xffffffffc0000000ULL + (unsigned long long)mods[i].btf * 0x10000 +
						  (unsigned long long)k * 0x40;

			snprintf(line, sizeof(line), "%016llx t %.127s\t[%.63s]\n", addr, f[k].name, mods[i].name);
			blob_add(&ksyms, line, strlen(line));
			if (f[k].exit) {
				snprintf(line, sizeof(line), "%016llx t cleanup_module\t[%.63s]\n", addr, mods[i].name);
				blob_add(&ksyms, line, strlen(line));
			}
		}
	}
	/* modules whose BTF is gone */
	if (bpath(p, sizeof(p), root, "sys/kernel/btf", NULL) == 0) {
		DIR *d = opendir(p);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			int found = !strcmp(de->d_name, "vmlinux") || de->d_name[0] == '.';

			for (i = 0; !found && i < n; i++)
				found = !strcmp(de->d_name, mods[i].name) && has_btf(root, mods[i].name);
			if (!found)
				rm_file(root, "sys/kernel/btf/%s", de->d_name);
		}
		if (d)
			closedir(d);
	}
	blob_add(&ksyms, "ffffffff81000000 T _stext\n", 26);
	if (bpath(p, sizeof(p), root, ".fake/bpf/objs", NULL) == 0)
		spit(p, objs.p ? (char *)objs.p : "", objs.len);
	if (bpath(p, sizeof(p), root, "proc/kallsyms", NULL) == 0)
		spit(p, ksyms.p, ksyms.len);
	free(objs.p);
	free(ksyms.p);
}

/* The kernel BTF object id: its name, 0 (-ENOENT) if there is none. */
static int btf_obj_name(const char *root, long id, char *name, size_t len)
{
	char p[FB_PATH], *buf, *line, *save = NULL;
	int r = -ENOENT;

	if (bpath(p, sizeof(p), root, ".fake/bpf/objs", NULL) < 0 || !(buf = slurp(p, NULL)))
		return -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line && r < 0; line = strtok_r(NULL, "\n", &save)) {
		char nm[64];
		long i;

		if (sscanf(line, "%ld %63s", &i, nm) == 2 && i == id) {
			snprintf(name, len, "%s", nm);
			r = 0;
		}
	}
	free(buf);
	return r;
}

/* The current BTF object id of module name; 0 if it has none. */
static long module_btf(const char *root, const char *name)
{
	char p[FB_PATH], *buf, *line, *save = NULL;
	long id = 0;

	if (bpath(p, sizeof(p), root, ".fake/bpf/objs", NULL) < 0 || !(buf = slurp(p, NULL)))
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char nm[64];
		long i;

		if (sscanf(line, "%ld %63s", &i, nm) == 2 && !strcmp(nm, name))
			id = i;
	}
	free(buf);
	return id;
}

/* ------------------------------------------------------------------ */
/* objects and their fds */

static long next_id(const char *root, int locked)
{
	char p[FB_PATH], v[32], *buf;
	long id;
	int lk = locked ? -1 : fk_lock(root);

	if (bpath(p, sizeof(p), root, ".fake/bpf/next-id", NULL) < 0)
		return -ENAMETOOLONG;
	buf = slurp(p, NULL);
	id = buf ? atol(buf) : 0;
	free(buf);
	if (id < 100)
		id = 100;
	snprintf(v, sizeof(v), "%ld\n", id + 1);
	spit(p, v, strlen(v));
	if (!locked)
		fk_unlock(lk);
	return id;
}

static int obj_path(char *buf, size_t len, const char *root, const char *kind, long id)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%s-%ld", kind, id);
	return bpath(buf, len, root, ".fake/bpf/obj/%s", rel);
}

static int obj_create(const char *root, const char *kind, long id, const char *content)
{
	char p[FB_PATH];

	if (bpath(p, sizeof(p), root, ".fake/bpf/obj", NULL) < 0)
		return -ENAMETOOLONG;
	fk_ops->mkdir(p, 0700);
	if (obj_path(p, sizeof(p), root, kind, id) < 0)
		return -ENAMETOOLONG;
	return spit(p, content, strlen(content));
}

/*
 * An fd of the object: a memfd named KIND-ID, so that /proc/self/fd/N
 * names its kind in a few characters, as the kernel's anon inodes do
 * ("anon_inode:bpf-prog"); the object itself is ROOT/.fake/bpf/obj/KIND-ID.
 */
static int obj_open(const char *root, const char *kind, long id)
{
	char p[FB_PATH], name[64];
	struct stat st;
	int fd;

	if (obj_path(p, sizeof(p), root, kind, id) < 0)
		return -ENAMETOOLONG;
	if (fk_ops->lstat(p, &st) < 0)
		return -errno;
	snprintf(name, sizeof(name), "%s-%ld", kind, id);
	fd = memfd_create(name, MFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int obj_of_fd(int fd, struct fb_obj *o)
{
	char lnk[64], target[FB_PATH];
	const char *base;
	ssize_t n;

	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", fd);
	n = fk_ops->readlink(lnk, target, sizeof(target) - 1);
	if (n < 0)
		return -EBADF;
	target[n] = '\0';
	if (strncmp(target, "/memfd:", 7))
		return -EINVAL;
	base = target + 7;
	if (!strncmp(base, "bpf-prog-", 9))
		snprintf(o->kind, sizeof(o->kind), "bpf-prog");
	else if (!strncmp(base, "bpf-link-", 9))
		snprintf(o->kind, sizeof(o->kind), "bpf-link");
	else if (!strncmp(base, "btf-", 4))
		snprintf(o->kind, sizeof(o->kind), "btf");
	else
		return -EINVAL;
	o->id = atol(strrchr(base, '-') + 1);
	return 0;
}

struct fb_prog {
	long id;
	char mod[64];
	long btf;     /* the module instance (its BTF object id) it targets */
	long type_id; /* its function in that BTF */
	char func[FB_FUNC_LEN];
};

static int prog_read(const char *root, long id, struct fb_prog *pr)
{
	char p[FB_PATH], *buf;
	int r = -ENOENT;

	memset(pr, 0, sizeof(*pr));
	if (obj_path(p, sizeof(p), root, "bpf-prog", id) < 0 || !(buf = slurp(p, NULL)))
		return -ENOENT;
	if (sscanf(buf, "%63s %ld %ld %127s", pr->mod, &pr->btf, &pr->type_id, pr->func) == 4) {
		pr->id = id;
		r = 0;
	}
	free(buf);
	return r;
}

static long link_prog(const char *root, long id)
{
	char p[FB_PATH], *buf;
	long prog = -ENOENT;

	if (obj_path(p, sizeof(p), root, "bpf-link", id) < 0 || !(buf = slurp(p, NULL)))
		return -ENOENT;
	prog = atol(buf);
	free(buf);
	return prog;
}

/* ------------------------------------------------------------------ */
/* the bpf() commands */

static const struct {
	int cmd;
	const char *name;
} cmd_names[] = {
	{ BPF_PROG_LOAD, "prog_load" },
	{ BPF_OBJ_PIN, "obj_pin" },
	{ BPF_OBJ_GET, "obj_get" },
	{ BPF_PROG_GET_FD_BY_ID, "prog_get_fd_by_id" },
	{ BPF_OBJ_GET_INFO_BY_FD, "obj_get_info_by_fd" },
	{ BPF_RAW_TRACEPOINT_OPEN, "raw_tracepoint_open" },
	{ BPF_BTF_GET_FD_BY_ID, "btf_get_fd_by_id" },
	{ BPF_BTF_GET_NEXT_ID, "btf_get_next_id" },
};

static const char *cmd_name(int cmd)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (cmd_names[i].cmd == cmd)
			return cmd_names[i].name;
	return "other";
}

/* CAP_SYS_ADMIN (21) in the effective set: walking BTF objects and
 * loading tracing programs need it (CAP_BPF and CAP_PERFMON are not enough). */
static int cap_sys_admin(void)
{
	char *buf = slurp("/proc/self/status", NULL);
	char *s = buf ? strstr(buf, "\nCapEff:") : NULL;
	unsigned long long caps = 0;

	if (s)
		caps = strtoull(s + 8, NULL, 16);
	free(buf);
	return (caps >> 21) & 1;
}

/* A user path below /sys/fs/bpf, redirected into ROOT. */
static int bpffs_path(const char *root, const char *user, char *buf, size_t len)
{
	int n;

	if (!user || strncmp(user, "/sys/fs/bpf/", 12))
		return -EPERM;
	n = snprintf(buf, len, "%s%s", root, user);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void verifier_log(const union bpf_attr *a, const char *msg)
{
	char *log = (char *)(uintptr_t)a->log_buf;

	if (log && a->log_size > 0)
		snprintf(log, a->log_size, "%s\n", msg);
}

static int sys_prog_load(const char *root, const union bpf_attr *a, char *what, size_t wlen)
{
	struct fb_func f[FB_FUNCS];
	struct fb_obj btf;
	char mod[64], content[256], state[32], p[FB_PATH], refuse[64];
	long id;
	int n, idx, r, fd;

	if (a->prog_type != BPF_PROG_TYPE_TRACING) {
		/* libbpf's feature probes: a program nothing refers to */
		fd = fk_ops->open("/dev/null", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (!cap_sys_admin())
		return -EPERM;
	if (a->expected_attach_type != BPF_TRACE_FENTRY || !a->attach_btf_id)
		return -EINVAL;
	if (obj_of_fd((int)a->attach_btf_obj_fd, &btf) < 0 || strcmp(btf.kind, "btf"))
		return -EBADF;
	if (btf_obj_name(root, btf.id, mod, sizeof(mod)) < 0 || !strcmp(mod, "vmlinux"))
		return -EINVAL;
	n = module_funcs(root, mod, f, FB_FUNCS);
	idx = (int)a->attach_btf_id - FB_VMLINUX_TYPES;
	if (idx < 0 || idx >= n) {
		verifier_log(a, "attach_btf_id is not a function");
		return -EINVAL;
	}
	snprintf(what, wlen, "%s:%s", mod, f[idx].name);
	if (!link_mode(root)) {
		/* 6.4 and later: the verifier takes the module reference, and
		 * a module still coming is not found */
		if (bpath(p, sizeof(p), root, "sys/module/%s/initstate", mod) < 0 ||
		    fk_read_file(p, state, sizeof(state)) < 0 || strncmp(state, "live", 4))
			return -ENOENT;
		if (list_find(root, ".fake/bpf/refuse/%s", mod, f[idx].name, refuse, sizeof(refuse))) {
			r = fk_errno_parse(refuse[0] ? refuse : "EINVAL");
			verifier_log(a, "fake verifier: the function cannot be traced");
			return -(r > 0 ? r : EINVAL);
		}
	}
	id = next_id(root, 0);
	snprintf(content, sizeof(content), "%s %ld %ld %s\n", mod, btf.id, (long)a->attach_btf_id, f[idx].name);
	if ((r = obj_create(root, "bpf-prog", id, content)) < 0)
		return r;
	return obj_open(root, "bpf-prog", id);
}

static int sys_raw_tp_open(const char *root, const union bpf_attr *a, char *what, size_t wlen)
{
	struct fb_func f[FB_FUNCS];
	struct fb_obj o;
	struct fb_prog pr;
	char content[64], refuse[64];
	long id;
	int n, i, r;

	if (obj_of_fd((int)a->raw_tracepoint.prog_fd, &o) < 0 || strcmp(o.kind, "bpf-prog"))
		return -EINVAL;
	if (a->raw_tracepoint.name || prog_read(root, o.id, &pr) < 0)
		return -EINVAL;
	snprintf(what, wlen, "%s:%s", pr.mod, pr.func);
	n = module_funcs(root, pr.mod, f, FB_FUNCS);
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].name, pr.func) && f[i].notrace)
			return -EINVAL; /* ftrace cannot patch it */
	if (list_find(root, ".fake/bpf/refuse/%s", pr.mod, pr.func, refuse, sizeof(refuse))) {
		r = fk_errno_parse(refuse[0] ? refuse : "EINVAL");
		return -(r > 0 ? r : EINVAL);
	}
	id = next_id(root, 0);
	snprintf(content, sizeof(content), "%ld\n", pr.id);
	if ((r = obj_create(root, "bpf-link", id, content)) < 0)
		return r;
	return obj_open(root, "bpf-link", id);
}

/* The module instance an object holds: its prog (through a link). */
static int obj_prog(const char *root, const struct fb_obj *o, struct fb_prog *pr)
{
	long prog = o->id;

	if (!strcmp(o->kind, "bpf-link"))
		prog = link_prog(root, o->id);
	else if (strcmp(o->kind, "bpf-prog"))
		return -EINVAL;
	return prog < 0 ? (int)prog : prog_read(root, prog, pr);
}

/* Pin: the object, and its module reference, last as long as the pin. */
static int do_pin(const char *root, const struct fb_obj *o, const char *path, int locked)
{
	char content[64];
	struct fb_prog pr;
	int fd, r;

	if (!fk_bpf_mounted(root))
		return -EPERM;
	if ((r = obj_prog(root, o, &pr)) < 0)
		return r;
	fd = fk_ops->open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	snprintf(content, sizeof(content), "%s %ld\n", o->kind, o->id);
	r = write(fd, content, strlen(content)) == (ssize_t)strlen(content) ? 0 : -EIO;
	close(fd);
	if (r == 0)
		fk_mod_ref(root, pr.mod, pr.btf, 1, locked);
	return r;
}

static int sys_obj_get(const char *root, const union bpf_attr *a, char *what, size_t wlen)
{
	char p[FB_PATH], kind[16];
	long id;
	char *buf;
	int fd, r;

	if ((r = bpffs_path(root, (const char *)(uintptr_t)a->pathname, p, sizeof(p))) < 0)
		return r == -EPERM ? -ENOENT : r;
	snprintf(what, wlen, "%s", (const char *)(uintptr_t)a->pathname);
	/* the permissions of the pin and its directories, as for any file */
	fd = fk_ops->open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	if (!fk_bpf_mounted(root))
		return -EINVAL;
	buf = slurp(p, NULL);
	r = buf && sscanf(buf, "%15s %ld", kind, &id) == 2 ? 0 : -EINVAL;
	free(buf);
	return r < 0 ? r : obj_open(root, kind, id);
}

static int sys_info(const char *root, union bpf_attr *ua, const union bpf_attr *a, unsigned int size)
{
	void *uinfo = (void *)(uintptr_t)a->info.info;
	uint32_t ulen = a->info.info_len, n;
	struct fb_obj o;
	struct fb_prog pr;
	int r;

	if ((r = obj_of_fd((int)a->info.bpf_fd, &o)) < 0)
		return r;
	if (!strcmp(o.kind, "btf")) {
		struct bpf_btf_info bi;
		struct blob b;
		char name[64];
		int is_vml;

		memset(&bi, 0, sizeof(bi));
		n = ulen < sizeof(bi) ? ulen : (uint32_t)sizeof(bi);
		memcpy(&bi, uinfo, n);
		if (btf_obj_name(root, o.id, name, sizeof(name)) < 0)
			return -ENOENT;
		is_vml = !strcmp(name, "vmlinux");
		if ((r = btf_blob(root, is_vml ? NULL : name, &b)) < 0)
			return r;
		if (bi.btf && bi.btf_size)
			memcpy((void *)(uintptr_t)bi.btf, b.p, b.len < bi.btf_size ? b.len : bi.btf_size);
		bi.btf_size = (uint32_t)b.len;
		free(b.p);
		bi.id = (uint32_t)o.id;
		bi.kernel_btf = 1;
		if (!bi.name != !bi.name_len)
			return -EINVAL;
		if (bi.name) {
			snprintf((char *)(uintptr_t)bi.name, bi.name_len, "%s", name);
			r = bi.name_len < strlen(name) + 1 ? -ENOSPC : 0;
		}
		bi.name_len = (uint32_t)strlen(name);
		memcpy(uinfo, &bi, n);
	} else if (!strcmp(o.kind, "bpf-link")) {
		struct bpf_link_info li;

		memset(&li, 0, sizeof(li));
		n = ulen < sizeof(li) ? ulen : (uint32_t)sizeof(li);
		li.type = BPF_LINK_TYPE_TRACING;
		li.id = (uint32_t)o.id;
		li.prog_id = (uint32_t)link_prog(root, o.id);
		if (prog_read(root, li.prog_id, &pr) == 0) {
			li.tracing.attach_type = BPF_TRACE_FENTRY;
			li.tracing.target_obj_id = (uint32_t)pr.btf; /* never changes */
			li.tracing.target_btf_id = (uint32_t)pr.type_id;
		}
		memcpy(uinfo, &li, n);
	} else {
		struct bpf_prog_info pi;
		char name[64];

		if ((r = prog_read(root, o.id, &pr)) < 0)
			return r;
		memset(&pi, 0, sizeof(pi));
		n = ulen < sizeof(pi) ? ulen : (uint32_t)sizeof(pi);
		pi.type = BPF_PROG_TYPE_TRACING;
		pi.id = (uint32_t)o.id;
		snprintf(pi.name, sizeof(pi.name), "modctl_lock");
		/* After a forced removal the id reads 0 (kernels with the
		 * stable backport); keep_btf_id=1 is a kernel without it. */
		if (conf_get(root, "keep_btf_id") || btf_obj_name(root, pr.btf, name, sizeof(name)) == 0)
			pi.attach_btf_obj_id = (uint32_t)pr.btf;
		pi.attach_btf_id = (uint32_t)pr.type_id;
		memcpy(uinfo, &pi, n);
	}
	if (size >= offsetof(union bpf_attr, info.info_len) + sizeof(uint32_t))
		ua->info.info_len = n;
	return r;
}

static int bpf_cmd(const char *root, int cmd, union bpf_attr *ua, const union bpf_attr *a, unsigned int size,
		   char *what, size_t wlen)
{
	char p[FB_PATH], name[64];
	struct fb_obj o;
	long id;
	int r;

	switch (cmd) {
	case BPF_BTF_GET_NEXT_ID: {
		char *buf, *line, *save = NULL;
		long best = 0;

		if (!cap_sys_admin())
			return -EPERM;
		if (bpath(p, sizeof(p), root, ".fake/bpf/objs", NULL) == 0 && (buf = slurp(p, NULL))) {
			for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				if (sscanf(line, "%ld", &id) == 1 && id > (long)a->start_id && (!best || id < best))
					best = id;
			free(buf);
		}
		if (!best)
			return -ENOENT;
		if (size >= offsetof(union bpf_attr, next_id) + sizeof(uint32_t))
			ua->next_id = (uint32_t)best;
		return 0;
	}
	case BPF_BTF_GET_FD_BY_ID:
		if (!cap_sys_admin())
			return -EPERM;
		snprintf(what, wlen, "%u", a->btf_id);
		if (btf_obj_name(root, a->btf_id, name, sizeof(name)) < 0)
			return -ENOENT;
		if ((r = obj_create(root, "btf", a->btf_id, name)) < 0)
			return r;
		return obj_open(root, "btf", a->btf_id);
	case BPF_PROG_GET_FD_BY_ID:
		if (!cap_sys_admin())
			return -EPERM;
		snprintf(what, wlen, "%u", a->prog_id);
		return obj_open(root, "bpf-prog", a->prog_id);
	case BPF_OBJ_GET_INFO_BY_FD:
		return sys_info(root, ua, a, size);
	case BPF_PROG_LOAD:
		return sys_prog_load(root, a, what, wlen);
	case BPF_RAW_TRACEPOINT_OPEN:
		return sys_raw_tp_open(root, a, what, wlen);
	case BPF_OBJ_PIN:
		if ((r = bpffs_path(root, (const char *)(uintptr_t)a->pathname, p, sizeof(p))) < 0)
			return r;
		snprintf(what, wlen, "%s", (const char *)(uintptr_t)a->pathname);
		if ((r = obj_of_fd((int)a->bpf_fd, &o)) < 0)
			return r;
		return do_pin(root, &o, p, 0);
	case BPF_OBJ_GET:
		return sys_obj_get(root, a, what, wlen);
	default:
		return -EINVAL;
	}
}

long fk_sys_bpf(const char *root, int cmd, void *uattr, unsigned int size)
{
	union bpf_attr a;
	char what[FB_PATH] = "-", failv[64];
	int r;

	if (!uattr)
		return -EFAULT;
	memset(&a, 0, sizeof(a));
	memcpy(&a, uattr, size < sizeof(a) ? size : sizeof(a));
	if (list_find(root, ".fake/bpf/fail", NULL, cmd_name(cmd), failv, sizeof(failv))) {
		r = fk_errno_parse(failv);
		r = -(r > 0 ? r : EINVAL);
	} else {
		r = bpf_cmd(root, cmd, uattr, &a, size, what, sizeof(what));
	}
	if (strchr(what, ' '))
		*strchr(what, ' ') = '\0';
	fk_log_call(root, "bpf", cmd_name(cmd), 0, r < 0 ? -r : 0, what);
	return r;
}

/* ------------------------------------------------------------------ */
/* pins as files */

/* The shim unlinked ROOT/sys/fs/bpf/...: the pin's content was content.
 * The object goes, and with it the module reference; if the module it
 * held is gone (forced removal) or was loaded again, the real kernel
 * crashes or leaves the new instance at refcnt -1: recorded in oops. */
void fk_bpf_unpinned(const char *root, const char *content, const char *path, int locked)
{
	struct fb_obj o;
	struct fb_prog pr;
	char p[FB_PATH], line[FB_PATH + 200];

	memset(&o, 0, sizeof(o));
	if (!content || sscanf(content, "%15s %ld", o.kind, &o.id) != 2 || obj_prog(root, &o, &pr) < 0)
		return;
	if (module_btf(root, pr.mod) == pr.btf && fk_mod_ref(root, pr.mod, pr.btf, -1, locked) == 0)
		return;
	snprintf(line, sizeof(line), "BUG: module_put() of %s, which was removed while pinned (pin %s)\n", pr.mod,
		 path);
	if (bpath(p, sizeof(p), root, ".fake/bpf/oops", NULL) == 0) {
		int fd = fk_ops->open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			ssize_t w = write(fd, line, strlen(line));

			(void)w; /* the call log below says it too */
			close(fd);
		}
	}
	fk_log_call(root, "bpf", "oops", 0, 0, pr.mod);
}

char *fk_bpf_read_pin(const char *path)
{
	return slurp(path, NULL);
}

unsigned long fk_bpf_fs_magic(void)
{
	return FB_BPF_FS_MAGIC;
}

/* ------------------------------------------------------------------ */
/* fakectl bpf ... (lock held) */

static int on_off(const char *s)
{
	return s && (!strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "yes"));
}

/* Replace the lines of ROOT/.fake/bpf/REL (arg) whose first word is word. */
static int list_set(const char *root, const char *rel, const char *arg, const char *word, const char *line)
{
	char p[FB_PATH], *buf, *s;
	struct blob out = { 0 };
	int r;

	if (bpath(p, sizeof(p), root, rel, arg) < 0)
		return -ENAMETOOLONG;
	buf = slurp(p, NULL);
	for (s = buf; s && *s;) {
		char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s), wl = strlen(word);

		if (l && !(l >= wl && !strncmp(s, word, wl) && (s[wl] == ' ' || s[wl] == '\n' || !s[wl]))) {
			blob_add(&out, s, l);
			blob_add(&out, "\n", 1);
		}
		s = nl ? nl + 1 : s + l;
	}
	free(buf);
	if (line) {
		blob_add(&out, line, strlen(line));
		blob_add(&out, "\n", 1);
	}
	r = spit(p, out.p ? (char *)out.p : "", out.len);
	free(out.p);
	return r;
}

static int mkdirs(const char *root, const char *rel)
{
	char p[FB_PATH], *s;

	if (bpath(p, sizeof(p), root, "%s", rel) < 0)
		return -ENAMETOOLONG;
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		fk_ops->mkdir(p, 0755);
		*s = '/';
	}
	return fk_ops->mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* Pin module name as modctl does, in /sys/fs/bpf/modctl/NAME. */
static int cmd_pin(const char *root, const char *name, const char *func)
{
	struct fb_func f[FB_FUNCS];
	struct fb_obj o = { "bpf-prog", 0 };
	char content[256], p[FB_PATH];
	long btf = module_btf(root, name), prog;
	int n = module_funcs(root, name, f, FB_FUNCS), i, k = -1, r = -ENAMETOOLONG;

	if (!btf) {
		fprintf(stderr, "fakectl: bpf pin: %s is not loaded, or has no BTF\n", name);
		return 1;
	}
	for (i = 0; i < n && k < 0; i++)
		if (func ? !strcmp(f[i].name, func) : !f[i].notrace)
			k = i;
	if (k < 0) {
		fprintf(stderr, "fakectl: bpf pin: %s has no such function\n", name);
		return 1;
	}
	prog = next_id(root, 1);
	snprintf(content, sizeof(content), "%s %ld %d %s\n", name, btf, FB_VMLINUX_TYPES + k, f[k].name);
	if (obj_create(root, "bpf-prog", prog, content) < 0)
		return 1;
	o.id = prog;
	if (link_mode(root)) {
		snprintf(content, sizeof(content), "%ld\n", prog);
		o.id = next_id(root, 1);
		snprintf(o.kind, sizeof(o.kind), "bpf-link");
		if (obj_create(root, "bpf-link", o.id, content) < 0)
			return 1;
	}
	mkdirs(root, "sys/fs/bpf/modctl");
	if (bpath(p, sizeof(p), root, "sys/fs/bpf/modctl", NULL) == 0)
		chmod(p, 0700);
	if (bpath(p, sizeof(p), root, "sys/fs/bpf/modctl/%s", name) < 0 || (r = do_pin(root, &o, p, 1)) < 0) {
		fprintf(stderr, "fakectl: bpf pin %s: %s\n", name, strerror(r < 0 ? -r : ENAMETOOLONG));
		return 1;
	}
	return 0;
}

static void usage_bpf(void)
{
	fputs("usage: fakectl ROOT bpf on | mount on|off | vmlinux on|off | btf NAME on|off|corrupt\n"
	      "       | funcs NAME [FUNC[:exit][:notrace]...] | funcs NAME --default\n"
	      "       | refuse NAME FUNC|all [ERRNO] | refuse NAME clear\n"
	      "       | fail CMD ERRNO|off | keep-btf-id on|off | pin NAME [FUNC] | unpin PATH\n",
	      stderr);
}

int fk_bpf_command(const char *root, int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	char p[FB_PATH], line[512];
	int r = 0, i;

	if (!strcmp(c, "on")) {
		if (mkdirs(root, ".fake/bpf") < 0 || mkdirs(root, "sys/fs/bpf") < 0)
			return 1;
		r = conf_set(root, "mounted", 1);
		r = r ? r : conf_set(root, "vmlinux", 1);
		return r < 0 ? 1 : fk_rerender_locked(root);
	}
	if (!fk_bpf_enabled(root)) {
		fprintf(stderr, "fakectl: run 'bpf on' first\n");
		return 1;
	}
	if (!strcmp(c, "mount") && argc == 3) {
		r = conf_set(root, "mounted", on_off(argv[2]));
	} else if (!strcmp(c, "vmlinux") && argc == 3) {
		r = conf_set(root, "vmlinux", on_off(argv[2]));
	} else if (!strcmp(c, "keep-btf-id") && argc == 3) {
		r = conf_set(root, "keep_btf_id", on_off(argv[2]));
	} else if (!strcmp(c, "btf") && argc == 4) {
		int bad = !strcmp(argv[3], "corrupt");

		r = list_set(root, ".fake/bpf/nobtf", NULL, argv[2], on_off(argv[3]) || bad ? NULL : argv[2]);
		if (r == 0)
			r = list_set(root, ".fake/bpf/badbtf", NULL, argv[2], bad ? argv[2] : NULL);
	} else if (!strcmp(c, "funcs") && argc == 4 && !strcmp(argv[3], "--default")) {
		rm_file(root, ".fake/bpf/funcs/%s", argv[2]);
	} else if (!strcmp(c, "funcs") && argc >= 3) {
		struct blob b = { 0 };

		mkdirs(root, ".fake/bpf/funcs");
		for (i = 3; i < argc; i++) {
			char *s;

			snprintf(line, sizeof(line), "%s", argv[i]);
			for (s = line; (s = strchr(s, ':'));)
				*s = ' ';
			blob_add(&b, line, strlen(line));
			blob_add(&b, "\n", 1);
		}
		if (bpath(p, sizeof(p), root, ".fake/bpf/funcs/%s", argv[2]) == 0)
			r = spit(p, b.p ? (char *)b.p : "", b.len);
		free(b.p);
	} else if (!strcmp(c, "refuse") && argc >= 4) {
		mkdirs(root, ".fake/bpf/refuse");
		if (!strcmp(argv[3], "clear")) {
			rm_file(root, ".fake/bpf/refuse/%s", argv[2]);
			return 0;
		}
		snprintf(line, sizeof(line), "%s %s", argv[3], argc > 4 ? argv[4] : "EINVAL");
		r = list_set(root, ".fake/bpf/refuse/%s", argv[2], argv[3], line);
		return r < 0 ? 1 : 0;
	} else if (!strcmp(c, "fail") && argc == 4) {
		snprintf(line, sizeof(line), "%s %s", argv[2], argv[3]);
		r = list_set(root, ".fake/bpf/fail", NULL, argv[2], strcmp(argv[3], "off") ? line : NULL);
		return r < 0 ? 1 : 0;
	} else if (!strcmp(c, "pin") && (argc == 3 || argc == 4)) {
		return cmd_pin(root, argv[2], argc == 4 ? argv[3] : NULL);
	} else if (!strcmp(c, "unpin") && argc == 3) {
		char *content;

		if (bpffs_path(root, argv[2], p, sizeof(p)) < 0 || !(content = fk_bpf_read_pin(p))) {
			fprintf(stderr, "fakectl: bpf unpin: no pin %s\n", argv[2]);
			return 1;
		}
		if (fk_ops->unlink(p) == 0)
			fk_bpf_unpinned(root, content, argv[2], 1);
		free(content);
		return 0;
	} else {
		usage_bpf();
		return 2;
	}
	return r < 0 ? 1 : fk_rerender_locked(root);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BPF links attached to a module's functions (fentry, fexit...): each
 * traced function's trampoline holds one reference on the module. A link
 * is found by its target, the module's BTF object; its process, if any,
 * by the process scan (an anonymous-inode fd whose fdinfo names the link).
 *
 * And the process scan's fast path: a task_file iterator, a BPF program
 * the kernel runs on every open file of every process, which reports
 * only the files that may hold the module (its device numbers, sockets,
 * files on its superblocks...) in one read, with each file's address so
 * that fds sharing one open file are told apart without kcmp.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf-lite.h"
#include "holders-internal.h"
#include "log.h"
#include "util.h"

#if HAVE_BPF
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

/* The id of the newest kernel BTF object named NAME (a module's, or
 * "vmlinux"), 0 when there is none. */
static uint32_t kernel_btf_id(const char *name)
{
	uint32_t id = 0, best = 0;

	while (bpf_btf_get_next_id(id, &id) == 0) {
		struct bpf_btf_info info = { 0 };
		uint32_t len = sizeof(info);
		char obj[64] = "";
		_cleanup_close_ int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (uintptr_t)obj;
		info.name_len = sizeof(obj);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || !info.kernel_btf)
			continue;
		obj[sizeof(obj) - 1] = '\0';
		if (module_name_eq(obj, name) && id > best)
			best = id;
	}
	return best;
}

int holders_bpf_links(struct holders_run *run)
{
	struct holders *h = run->h;
	uint32_t btf, id = 0, *funcs = NULL;
	size_t n_funcs = 0, cap = 0;
	int r = 0;

	btf = kernel_btf_id(h->name);
	if (!btf)
		return 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info li = { 0 };
		uint32_t len = sizeof(li);
		_cleanup_close_ int fd = bpf_link_get_fd_by_id(id);
		struct holder *x;
		char obj[16];
		size_t i;
		int weight = 1;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &li, &len) < 0 || li.type != BPF_LINK_TYPE_TRACING ||
		    li.tracing.target_obj_id != btf || li.id == run->lock_link_id)
			continue;
		/* links on one function share its trampoline: one reference */
		for (i = 0; i < n_funcs; i++)
			if (funcs[i] == li.tracing.target_btf_id)
				weight = 0;
		if (weight) {
			if (n_funcs == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				uint32_t *n = realloc(funcs, ncap * sizeof(*n));

				if (!n) {
					r = -ENOMEM;
					break;
				}
				funcs = n;
				cap = ncap;
			}
			funcs[n_funcs++] = li.tracing.target_btf_id;
		}
		snprintf(obj, sizeof(obj), "%u", li.id);
		x = holders_add(h, HOLDER_BPF_LINK, weight, obj);
		if (!x || holder_set_detail(x, "program %u, BTF type %u of %s", li.prog_id, li.tracing.target_btf_id,
					    h->name) < 0) {
			r = -ENOMEM;
			break;
		}
		{
			struct unowned_link *n = realloc(run->links, (run->n_unowned_links + 1) * sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				break;
			}
			run->links = n;
			n[run->n_unowned_links].id = li.id;
			n[run->n_unowned_links].index = h->n - 1;
			run->n_unowned_links++;
		}
	}
	free(funcs);
	return r;
}

/* --- the task_file iterator ------------------------------------------------------ */

/* Where the program reads what it reports, from the running kernel's BTF. */
struct iter_layout {
	int ctx_meta, ctx_task, ctx_fd, ctx_file, meta_seq;
	int f_inode, i_mode, i_rdev, i_sb, s_dev, s_magic, tgid, comm;
	int func; /* bpf_iter_task_file, the iterator's BTF id */
};

/* The kernel's own BTF, raw: copied by the bpf() call that describes its
 * object (one copy), else read from sysfs (a page at a time). */
static int vmlinux_btf_raw(void **data, size_t *size)
{
	uint32_t id = kernel_btf_id("vmlinux");

	if (id) {
		_cleanup_close_ int fd = bpf_btf_get_fd_by_id(id);
		struct bpf_btf_info info = { 0 };
		uint32_t len = sizeof(info);
		void *buf;

		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.btf_size > 0 &&
		    (buf = malloc(info.btf_size))) {
			uint32_t want = info.btf_size;

			memset(&info, 0, sizeof(info));
			info.btf = (uintptr_t)buf;
			info.btf_size = want;
			len = sizeof(info);
			if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.btf_size == want) {
				*data = buf;
				*size = want;
				return 0;
			}
			free(buf);
		}
	}
	return read_full_file("/sys/kernel/btf/vmlinux", (char **)data, size);
}

static int iter_layout(struct iter_layout *l)
{
	/* the types: looked up in one pass */
	static const char *const names[] = { "bpf_iter__task_file", "bpf_iter_meta", "file", "inode",
					     "super_block", "task_struct", "bpf_iter_task_file" };
	static const unsigned kinds[] = { BTF_KIND_STRUCT, BTF_KIND_STRUCT, BTF_KIND_STRUCT, BTF_KIND_STRUCT,
					  BTF_KIND_STRUCT, BTF_KIND_STRUCT, BTF_KIND_FUNC };
	static const struct {
		unsigned type; /* in names[] */
		const char *member;
		size_t at;
	} want[] = {
#define M(t, m, f) { t, m, offsetof(struct iter_layout, f) }
		M(0, "meta", ctx_meta), M(0, "task", ctx_task),    M(0, "fd", ctx_fd),     M(0, "file", ctx_file),
		M(1, "seq", meta_seq),  M(2, "f_inode", f_inode),  M(3, "i_mode", i_mode), M(3, "i_rdev", i_rdev),
		M(3, "i_sb", i_sb),     M(4, "s_dev", s_dev),      M(4, "s_magic", s_magic), M(5, "tgid", tgid),
		M(5, "comm", comm),
#undef M
	};
	_cleanup_free_ void *data = NULL;
	int ids[ARRAY_SIZE(names)];
	struct btf_lite b;
	size_t size = 0, i;
	int r;

	r = vmlinux_btf_raw(&data, &size);
	if (r < 0)
		return r;
	r = btf_lite_open(&b, data, size);
	if (r < 0)
		return r;
	btf_lite_find_many(&b, names, kinds, ids, ARRAY_SIZE(names));
	for (i = 0; i < ARRAY_SIZE(want) && r >= 0; i++) {
		r = btf_lite_member_offset(&b, ids[want[i].type], want[i].member);
		if (r < 0)
			log_debug("holders: the kernel's BTF has no %s.%s", names[want[i].type], want[i].member);
		else
			*(int *)((char *)l + want[i].at) = r;
	}
	btf_lite_close(&b);
	if (r < 0)
		return r;
	l->func = ids[ARRAY_SIZE(names) - 1];
	return l->func > 0 ? 0 : -ENOENT;
}

/* A program being written: instructions, and jumps to patch. */
#define PROG_MAX 256
struct prog {
	struct bpf_insn v[PROG_MAX];
	size_t n;
	size_t to_emit[PROG_MAX], n_emit; /* jumps to "report this file" */
	size_t to_out[8], n_out;           /* jumps to "skip this file" */
	bool full;
};

static void put(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == PROG_MAX) {
		p->full = true;
		return;
	}
	p->v[p->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

static void jump(struct prog *p, bool to_emit, uint8_t code, uint8_t reg, int32_t imm)
{
	if (to_emit && p->n_emit < PROG_MAX)
		p->to_emit[p->n_emit++] = p->n;
	else if (!to_emit && p->n_out < ARRAY_SIZE(p->to_out))
		p->to_out[p->n_out++] = p->n;
	else
		p->full = true;
	put(p, code, reg, 0, 0, imm);
}

static void patch(struct prog *p, const size_t *at, size_t n, size_t target)
{
	size_t i;

	for (i = 0; i < n; i++)
		p->v[at[i]].off = (int16_t)(target - at[i] - 1);
}

#define LDX(sz, d, s, o) put(p, BPF_LDX | BPF_MEM | (sz), d, s, (int16_t)(o), 0)
#define STX(sz, d, s, o) put(p, BPF_STX | BPF_MEM | (sz), d, s, (int16_t)(o), 0)
#define MOV_X(d, s) put(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_K(d, k) put(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define ALU_K(op, d, k) put(p, BPF_ALU64 | (op) | BPF_K, d, 0, 0, k)

/*
 * The program, for each (task, fd, file): r2 file, r3 its inode, r4 the
 * inode's type bits, r5 its device number (major << 20 | minor), r7 the
 * major, r8 type and major as one key. A file any test accepts is written
 * to the seq file as one struct iter_file.
 */
static void iter_prog(struct prog *p, const struct iter_layout *l, const struct iter_filter *f)
{
	size_t i;

	MOV_X(BPF_REG_6, BPF_REG_1);
	LDX(BPF_DW, BPF_REG_2, BPF_REG_6, l->ctx_file);
	jump(p, false, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0);
	LDX(BPF_DW, BPF_REG_3, BPF_REG_2, l->f_inode);
	jump(p, false, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_3, 0);
	LDX(BPF_H, BPF_REG_4, BPF_REG_3, l->i_mode);
	ALU_K(BPF_AND, BPF_REG_4, S_IFMT);
	LDX(BPF_W, BPF_REG_5, BPF_REG_3, l->i_rdev);
	MOV_X(BPF_REG_7, BPF_REG_5);
	ALU_K(BPF_RSH, BPF_REG_7, 20);
	MOV_X(BPF_REG_8, BPF_REG_4);
	ALU_K(BPF_LSH, BPF_REG_8, 8);
	put(p, BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_8, BPF_REG_7, 0, 0);
	for (i = 0; i < f->owns->n_devs; i++) {
		const struct owned_dev *d = &f->owns->devs[i];

		int32_t key = (int32_t)(((d->block ? S_IFBLK : S_IFCHR) << 8) | d->major);

		if (d->minor < 0) {
			jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_8, key);
			continue;
		}
		/* if (key != KEY) skip one; if (rdev == RDEV) report */
		put(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_8, 0, 1, key);
		jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_5, (int32_t)((d->major << 20) | (unsigned)d->minor));
	}
	if (f->chr_all)
		jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, S_IFCHR);
	if (f->sockets)
		jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, S_IFSOCK);
	if (f->anon)
		jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, 0);
	if (f->n_magics || f->sb_devs) {
		LDX(BPF_DW, BPF_REG_9, BPF_REG_3, l->i_sb);
		jump(p, false, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_9, 0);
		LDX(BPF_DW, BPF_REG_0, BPF_REG_9, l->s_magic);
		for (i = 0; i < f->n_magics; i++)
			jump(p, true, BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, (int32_t)f->magics[i]);
		if (f->sb_devs) {
			/* a superblock on one of its block devices */
			LDX(BPF_W, BPF_REG_0, BPF_REG_9, l->s_dev);
			ALU_K(BPF_RSH, BPF_REG_0, 20);
			for (i = 0; i < f->owns->n_devs; i++)
				if (f->owns->devs[i].block)
					jump(p, true, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0,
					     (int32_t)f->owns->devs[i].major);
		}
	}
	jump(p, false, BPF_JA | BPF_JMP, 0, 0);
	/* report: the record on the stack, then bpf_seq_write() */
	patch(p, p->to_emit, p->n_emit, p->n);
#define AT(field) (-(int)sizeof(struct iter_file) + (int)offsetof(struct iter_file, field))
	LDX(BPF_W, BPF_REG_0, BPF_REG_6, l->ctx_fd);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, AT(fd));
	STX(BPF_DW, BPF_REG_10, BPF_REG_2, AT(file));
	STX(BPF_W, BPF_REG_10, BPF_REG_5, AT(rdev));
	LDX(BPF_H, BPF_REG_4, BPF_REG_3, l->i_mode);
	STX(BPF_W, BPF_REG_10, BPF_REG_4, AT(mode));
	MOV_K(BPF_REG_0, 0);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, AT(sb_dev));
	STX(BPF_W, BPF_REG_10, BPF_REG_0, AT(pad));
	STX(BPF_DW, BPF_REG_10, BPF_REG_0, AT(magic));
	LDX(BPF_DW, BPF_REG_9, BPF_REG_3, l->i_sb);
	put(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_9, 0, 4, 0); /* no superblock: skip the next four */
	LDX(BPF_W, BPF_REG_0, BPF_REG_9, l->s_dev);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, AT(sb_dev));
	LDX(BPF_DW, BPF_REG_0, BPF_REG_9, l->s_magic);
	STX(BPF_DW, BPF_REG_10, BPF_REG_0, AT(magic));
	/* the process: its id, and its name with bpf_probe_read_kernel() */
	LDX(BPF_DW, BPF_REG_8, BPF_REG_6, l->ctx_task);
	jump(p, false, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_8, 0);
	LDX(BPF_W, BPF_REG_0, BPF_REG_8, l->tgid);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, AT(pid));
	MOV_X(BPF_REG_1, BPF_REG_10);
	ALU_K(BPF_ADD, BPF_REG_1, AT(comm));
	MOV_K(BPF_REG_2, (int32_t)sizeof(((struct iter_file *)0)->comm));
	MOV_X(BPF_REG_3, BPF_REG_8);
	ALU_K(BPF_ADD, BPF_REG_3, l->comm);
	put(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
	LDX(BPF_DW, BPF_REG_1, BPF_REG_6, l->ctx_meta);
	LDX(BPF_DW, BPF_REG_1, BPF_REG_1, l->meta_seq);
	MOV_X(BPF_REG_2, BPF_REG_10);
	ALU_K(BPF_ADD, BPF_REG_2, AT(pid));
#undef AT
	MOV_K(BPF_REG_3, (int32_t)sizeof(struct iter_file));
	put(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write);
	patch(p, p->to_out, p->n_out, p->n);
	MOV_K(BPF_REG_0, 0);
	put(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int iter_load(const struct prog *p, const struct iter_layout *l)
{
	struct bpf_prog_load_opts o = {
		.sz = sizeof(o),
		.expected_attach_type = BPF_TRACE_ITER,
		.attach_btf_id = (uint32_t)l->func,
	};
	_cleanup_free_ char *vlog = NULL;
	int fd, e;

	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "modctl_holders", "GPL", p->v, p->n, &o);
	if (fd >= 0)
		return fd;
	e = errno;
	/* again, for the verifier's reason (its last line), when debugging */
	if (log_get_max_level() >= LOG_DEBUG && (vlog = calloc(1, 65536))) {
		char *last;

		o.log_buf = vlog;
		o.log_size = 65536;
		o.log_level = 1;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "modctl_holders", "GPL", p->v, p->n, &o);
		if (fd >= 0)
			close(fd);
		while (vlog[0] && vlog[strlen(vlog) - 1] == '\n')
			vlog[strlen(vlog) - 1] = '\0';
		last = strrchr(vlog, '\n');
		log_debug("holders: the file iterator: %s", last ? last + 1 : vlog);
	}
	return -e;
}

/* The init pid namespace's inode number (PROC_PID_INIT_INO): the tgid the
 * program reads is a pid there. */
#define PID_NS_INIT_INO 0xEFFFFFFCUL

int holders_bpf_files(struct holders_run *run, const struct iter_filter *f, struct iter_file **out, size_t *n)
{
	_cleanup_close_ int prog_fd = -1, link_fd = -1, iter_fd = -1;
	struct iter_file *v = NULL;
	struct iter_layout l = { 0 };
	struct stat st;
	struct prog *p;
	size_t cap = 0, len = 0;
	uint64_t t0, t1, t2;
	int r;

	*out = NULL;
	*n = 0;
	if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != PID_NS_INIT_INO)
		return -EOPNOTSUPP;
	t0 = now_usec();
	r = iter_layout(&l);
	if (r < 0)
		return r;
	t1 = now_usec();
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	iter_prog(p, &l, f);
	if (p->full) {
		free(p);
		return -E2BIG;
	}
	prog_fd = iter_load(p, &l);
	free(p);
	if (prog_fd < 0)
		return prog_fd;
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL);
	if (link_fd < 0)
		return -errno;
	iter_fd = bpf_iter_create(link_fd);
	if (iter_fd < 0)
		return -errno;
	t2 = now_usec();
	for (;;) {
		ssize_t k;

		if (cap - len < 64 * sizeof(*v)) {
			size_t ncap = cap ? cap * 2 : 256 * sizeof(*v);
			struct iter_file *nv = realloc(v, ncap);

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		k = read(iter_fd, (char *)v + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			free(v);
			return r;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (!holders_budget_left(run))
			break;
	}
	*out = v;
	*n = len / sizeof(*v);
	log_debug("holders: the file iterator: BTF read in %llu us, program loaded in %llu us, %zu files in %llu us",
		  (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1), *n,
		  (unsigned long long)(now_usec() - t2));
	return 0;
}
#else
int holders_bpf_links(struct holders_run *run)
{
	return 0;
}

int holders_bpf_files(struct holders_run *run, const struct iter_filter *f, struct iter_file **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return -EOPNOTSUPP;
}
#endif

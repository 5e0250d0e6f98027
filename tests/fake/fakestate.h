/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fake kernel state shared by the LD_PRELOAD shim (shim.c) and the test
 * control tool (fakectl.c).  Everything lives as files under a root
 * directory ROOT; see tests/fake/README for the layout.
 *
 * All file access goes through fk_ops so the shim can use the real libc
 * functions (dlsym RTLD_NEXT) instead of its own redirecting wrappers.
 * Functions return 0 (or a count) on success and -errno on failure.
 */
#ifndef FAKESTATE_H
#define FAKESTATE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct fk_ops {
	int (*open)(const char *path, int flags, ...);
	int (*mkdir)(const char *path, mode_t mode);
	int (*unlink)(const char *path);
	int (*rmdir)(const char *path);
	int (*rename)(const char *from, const char *to);
	int (*symlink)(const char *target, const char *linkpath);
	int (*lstat)(const char *path, struct stat *st);
	ssize_t (*readlink)(const char *path, char *buf, size_t len);
};

/* Set by the program that links fakestate.c (shim or fakectl). */
extern const struct fk_ops *fk_ops;

#define FK_NAME_MAX 56          /* MODULE_NAME_LEN in the kernel */

/* finit_module flags */
#define FK_MODULE_INIT_IGNORE_MODVERSIONS 1
#define FK_MODULE_INIT_IGNORE_VERMAGIC    2
#define FK_MODULE_INIT_COMPRESSED_FILE    4

/* The emulated system calls.  Return 0 or -errno; never abort. */
int fk_sys_load(const char *root, const void *image, size_t len,
		const char *file_hint, const char *args, unsigned int flags,
		const char *syscall_name);
int fk_sys_delete_module(const char *root, const char *name, unsigned int flags);

/* Apply due timers (ROOT/.fake/timers).  Cheap when there are none. */
void fk_tick(const char *root);
/* A program under the shim touched /sys/module/PATH: arm NAME's timed
 * directives with the "probe" trigger (PATH starts with NAME). */
void fk_probe(const char *root, const char *path);
/* Called by the shim after something opened ROOT/proc/modules. */
void fk_after_proc_modules_read(const char *root);

/* The release uname() reports: ROOT/.fake/uname-r or "6.1.0-fake". */
void fk_release(const char *root, char *buf, size_t len);

/* Run one fakectl command (argv[0] is the command name).  Messages go
 * to stderr, command output to stdout.  Returns a process exit code. */
int fk_command(const char *root, int argc, char **argv);

/* State changes are serialised by this lock (fk_lock returns its fd). */
int fk_lock(const char *root);
void fk_unlock(int fd);
/* Append one line to ROOT/.fake/calls/SYS and to the log. */
void fk_log_call(const char *root, const char *sys, const char *name, unsigned int flags, int err,
		 const char *args);
/* Render sysfs and /proc again (lock held); a fakectl exit code. */
int fk_rerender_locked(const char *root);
/* refcnt += delta for the instance of NAME whose BTF object is btf;
 * -ESTALE if NAME is gone or is another instance.  locked: the caller
 * holds the lock. */
int fk_mod_ref(const char *root, const char *name, long btf, int delta, int locked);

/* The BPF side (fakebpf.c): bpf(2), bpffs, module BTF, kallsyms. */
struct fk_bpf_mod {
	const char *name;
	long btf;
};
/* ROOT/.fake/bpf/conf exists: "fakectl bpf on" ran. */
int fk_bpf_enabled(const char *root);
/* bpffs is mounted on /sys/fs/bpf */
int fk_bpf_mounted(const char *root);
unsigned long fk_bpf_fs_magic(void);
/* BTF objects, /sys/kernel/btf and /proc/kallsyms for these modules. */
void fk_bpf_render(const char *root, const struct fk_bpf_mod *mods, size_t n);
/* The emulated bpf(2): a new fd, 0, or -errno. */
long fk_sys_bpf(const char *root, int cmd, void *attr, unsigned int size);
/* The content of a pin file (malloc'd), NULL if it is none. */
char *fk_bpf_read_pin(const char *path);
/* A pin with this content was unlinked from path: its module reference goes. */
void fk_bpf_unpinned(const char *root, const char *content, const char *path, int locked);
/* fakectl ROOT bpf ... (lock held) */
int fk_bpf_command(const char *root, int argc, char **argv);

/* errno <-> name ("EAGAIN", also numbers) */
const char *fk_errno_name(int e);
int fk_errno_parse(const char *s);

/* Monotonic milliseconds (CLOCK_MONOTONIC, shared by all processes). */
long long fk_now_ms(void);

/* Utilities used by the shim too. */
int fk_read_file(const char *path, char *buf, size_t len);
int fk_write_file_atomic(const char *path, const char *data, size_t len);

#endif

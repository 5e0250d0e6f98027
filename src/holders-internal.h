/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What holders.c, holders-scan.c and holders-bpf.c share. */
#pragma once

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "holders.h"
#include "macro.h"

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* A device number the module owns; minor < 0: every minor of major. */
struct owned_dev {
	bool block;
	unsigned major;
	int minor;
	int weight;        /* references one open file takes */
	char node[72];     /* "/dev/net/tun" when modules.devname names it */
};

/* What a module owns that processes can hold. */
struct owns {
	struct owned_dev *devs;
	size_t n_devs;
	char **fstypes;    /* from its fs-TYPE aliases */
	size_t n_fstypes;
	char **dm_types;   /* device-mapper target types (its dm-TYPE aliases) */
	size_t n_dm_types;
	char **qdisc_kinds; /* queueing disciplines (its net-sch-KIND aliases) */
	size_t n_qdisc_kinds;
	char **protos;     /* /proc/net/protocols names whose module it is */
	size_t n_protos;
	bool family;       /* it registers an address family (net-pf-N) */
	uint64_t ldiscs;   /* the line disciplines it registers (tty-ldisc-N): bit N */
	bool drivers;      /* it registers device drivers (hardware char devices) */
	bool crypto;       /* it provides crypto algorithms (crypto-NAME aliases) */
};

int owns_read(const char *module, struct owns *o);
void owns_free(struct owns *o);
const struct owned_dev *owns_match_dev(const struct owns *o, bool block, dev_t rdev);
bool owns_fstype(const struct owns *o, const char *type);
bool owns_scannable(const struct owns *o);

struct mount_entry {
	dev_t dev;
	char *fstype, *source, *target;
	pid_t ns_pid;         /* a process in the namespace */
	unsigned long ns_ino; /* the namespace */
	bool counted;
};

/* A BPF link no lock pin explains, waiting for its process. */
struct unowned_link {
	uint32_t id;
	size_t index;          /* its holder, in h->v */
};

struct holders_run {
	struct holders *h;
	uint64_t budget, deadline;
	bool exhausted;
	bool scanned;
	bool links_only;            /* the scan looks for BPF links' processes only */
	struct owns owns;
	uint32_t lock_link_id;      /* the lock pin's own link, not counted twice */
	/* processes, listed once */
	pid_t *pids;
	size_t n_pids;
	bool pids_read;
	/* mounts of every mount namespace */
	struct mount_entry *mounts;
	size_t n_mounts;
	bool mounts_read;
	/* BPF links whose process the scan looks for */
	struct unowned_link *links;
	size_t n_unowned_links;
};

struct holder *holders_add(struct holders *h, enum holder_kind kind, int weight, const char *object);
int holder_set_detail(struct holder *x, const char *fmt, ...) _printf_(2, 3);
void holder_set_process(struct holder *x, pid_t pid, int fd);
/* The same, with the process's name known (NULL: read it) */
void holder_set_process_named(struct holder *x, pid_t pid, int fd, const char *comm);
long holders_remaining(const struct holders *h);
bool holders_budget_left(struct holders_run *run);

/* holders-scan.c */
int procs_read_mounts(struct holders_run *run);
int procs_scan(struct holders_run *run);
void procs_free(struct holders_run *run);
char *json_string(const char *s);

/* holders-bpf.c */
int holders_bpf_links(struct holders_run *run);

/* An open file the kernel's task_file iterator reported. */
struct iter_file {
	uint32_t pid;    /* its process (thread group id) */
	uint32_t fd;
	uint64_t file;   /* the open file's address: fds that share it are one open */
	uint32_t rdev;   /* the kernel's encoding: major << 20 | minor */
	uint32_t mode;
	uint32_t sb_dev; /* its superblock's device, same encoding */
	uint32_t pad;
	uint64_t magic;  /* its superblock's magic */
	char comm[16];   /* its process's name */
};

/* Which open files the iterator reports. */
struct iter_filter {
	const struct owns *owns;        /* files of its device numbers (by major) */
	bool chr_all;                   /* every character device */
	bool sockets;
	bool anon;                      /* anonymous inodes (BPF links) */
	bool sb_devs;                   /* files on its block devices */
	const unsigned long *magics;    /* files on superblocks of these magics */
	size_t n_magics;
};

/* Every open file of every process that the filter accepts, in one read;
 * -EOPNOTSUPP (or another error) when the kernel cannot, or modctl runs
 * in a child pid namespace: the caller reads /proc instead. */
int holders_bpf_files(struct holders_run *run, const struct iter_filter *f, struct iter_file **out, size_t *n);

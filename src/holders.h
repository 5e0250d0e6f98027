/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who holds a module: the objects that account for its reference count,
 * each with the number of references it takes (its weight), and how many
 * references remain unattributed.
 *
 * The dependent modules in /sys/module/NAME/holders come first. Only the
 * references they leave unexplained are looked for, cheapest source first:
 * modctl's own lock pin, BPF links on the module's functions, persistent
 * tun/tap interfaces, bound loop devices, device-mapper devices, mounts of
 * the module's filesystem types in every mount namespace, and last, within
 * a time budget, a scan of every process (open device nodes, mappings,
 * sockets of the module's protocols, lazily unmounted filesystems kept by
 * a working directory, root or open file, ttys whose line discipline it
 * provides). The scan only runs for modules that own device nodes,
 * protocols, filesystem types or line disciplines.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "output.h"

/* The time budget's default, as the manual says: 2s. */
#define HOLDERS_BUDGET_DEFAULT_USEC (2 * 1000000ULL)
/* The environment variable that sets the budget for every command. */
#define HOLDERS_BUDGET_ENV "MODCTL_HOLDERS_BUDGET"

enum holder_kind {
	HOLDER_MODULE,       /* a module that depends on it */
	HOLDER_LOCK_PIN,     /* modctl's own lock pin */
	HOLDER_BPF_LINK,     /* a BPF link attached to one of its functions */
	HOLDER_INTERFACE,    /* a persistent tun/tap interface */
	HOLDER_LOOP,         /* a bound loop device */
	HOLDER_DM,           /* a device-mapper device */
	HOLDER_MOUNT,        /* a mounted filesystem (one per superblock) */
	HOLDER_DETACHED,     /* a lazily unmounted filesystem kept by a process */
	HOLDER_OPEN,         /* an open file of one of its device nodes */
	HOLDER_MAPPING,      /* a mapping of one of its device nodes, its fd closed */
	HOLDER_SOCKET,       /* a socket of one of its protocols */
	HOLDER_LDISC,        /* a tty whose line discipline it provides */
	HOLDER_CRYPTO,       /* users of one of its crypto algorithms */
	HOLDER_QDISC,        /* a queueing discipline of its kind */
	_HOLDER_KIND_MAX,
};

/* "module", "lock-pin", "bpf-link", "interface", "loop", "dm", "mount",
 * "detached-mount", "open", "mapping", "socket", "line-discipline" */
const char *holder_kind_name(enum holder_kind k);

struct holder {
	enum holder_kind kind;
	int weight;          /* references it takes */
	pid_t pid;           /* 0: no process */
	char comm[17];
	int fd;              /* -1: no file descriptor */
	char *object;        /* what: a module, a node, a mount point, an interface... */
	char *detail;        /* more words, or NULL */
};

struct holders {
	char name[64];
	long refcnt;
	bool has_refcnt;
	struct holder *v;
	size_t n, cap;
	long attributed;     /* sum of the weights */
	long unattributed;   /* refcnt - attributed, never below 0 */
	long overcounted;    /* attributed - refcnt when the weights overshoot */
	bool complete;       /* every source was read within the budget */
	const char *incomplete_why; /* when !complete */
	bool scanned;        /* the process scan ran */
	const char *scan_skipped;   /* why the process scan did not run, or NULL */
	const char *scan_via;       /* "iterator" (the kernel's) or "proc", when it ran */
};

struct holders_options {
	uint64_t budget_usec;        /* 0: the default (or the environment's) */
	bool budget_set;             /* budget_usec was given, even 0 */
	/* What is known already (status has read them): NULL/-1 to read. */
	char **dep_holders;          /* NULL-terminated dependent modules */
	long refcnt;
	bool refcnt_known;
	/* For the bench: scan for this device number only (no module). */
	bool node_only;
	bool node_is_block;
	unsigned node_major, node_minor;
};

/*
 * Attribute the references of module name. 0, or a negative errno when
 * the module's reference count cannot be read at all (-ENOENT: not loaded).
 * A source that fails is skipped and makes the answer incomplete.
 */
int holders_find(const char *name, const struct holders_options *o, struct holders *h);
void holders_free(struct holders *h);

/* One holder in words, without its weight. */
const char *holder_describe(const struct holder *x, char *buf, size_t size);
/* The holders as a JSON array of objects (caller frees). */
char *holders_json(const struct holders *h);

/* The budget from $MODCTL_HOLDERS_BUDGET, else the default. -EINVAL when
 * the variable is set but is no duration (said). */
int holders_budget_from_env(uint64_t *usec);

/*
 * Log who holds name at level (LOG_ERR for a failed unload, LOG_INFO for
 * wait -v): one line per holder, at most max, then "and N more", and the
 * unattributed remainder. Nothing when the module is gone.
 */
void holders_log(const char *name, int level, size_t max);
/* How many holders a message names before "and N more". */
#define HOLDERS_LOG_MAX 5

/* status: the columns held_by, unattributed, overcounted and complete,
 * appended to module_columns. */
enum {
	HOLDERS_COL_HELD_BY,
	HOLDERS_COL_UNATTRIBUTED,
	HOLDERS_COL_OVERCOUNTED,
	HOLDERS_COL_COMPLETE,
	_HOLDERS_COL_MAX,
};
extern const struct column holders_columns[_HOLDERS_COL_MAX];
/* Set the columns (their index starts at first) of a status -J row. */
void holders_set_row(struct output *out, struct libscols_line *ln, size_t first, const struct holders *h);
/* Print the status lines ("Held by:"). */
void holders_print(FILE *f, const struct holders *h);

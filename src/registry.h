/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lockdown registry: which modules modctl has locked, and whether
 * lockdown-all mode is on. This file owns its path and format, and the
 * transaction that changes it together with the modprobe guard (guard.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define REGISTRY_DIR RUNSTATEDIR "/modctl"
#define REGISTRY_NAME "locks"
#define REGISTRY_FILE REGISTRY_DIR "/" REGISTRY_NAME
#define REGISTRY_LOCK_NAME "lock"
#define REGISTRY_LOCK REGISTRY_DIR "/" REGISTRY_LOCK_NAME
/* A registry larger than this is not one modctl wrote. */
#define REGISTRY_MAX_SIZE (4L * 1024 * 1024)

struct registry {
	bool lock_all;
	char **locks;   /* sorted, unique, kernel spelling */
	size_t n;
};

/*
 * Parse the registry text. On a syntax error returns -EBADMSG and sets
 * *errline to the 1-based line number.
 */
int registry_parse(const char *buf, struct registry *reg, unsigned *errline);
/*
 * Read the registry if it exists. A missing registry is an empty one (0).
 * A registry or directory that is a symlink, not owned by root, writable
 * by group or others (see trust.h), too large or malformed is
 * refused with an error message and -EPERM, -EFBIG or -EBADMSG; it is
 * never trusted.
 */
int registry_load(struct registry *reg);
bool registry_is_locked(const struct registry *reg, const char *name);
void registry_free(struct registry *reg);

/*
 * A read-modify-write of the registry (and the modprobe guard that follows
 * it) under an exclusive flock. Every file
 * is reached through the directory fds checked when the transaction began,
 * never by its path again. Declare with REGISTRY_TXN_INIT.
 */
struct registry_txn {
	int dir_fd;       /* REGISTRY_DIR */
	int lock_fd;      /* REGISTRY_LOCK, flocked */
	int guard_fd;     /* MODPROBE_GUARD_DIR, or -1 until it exists */
	mode_t saved_umask;
	bool began;
	struct registry reg;
};
#define REGISTRY_TXN_INIT { .dir_fd = -1, .lock_fd = -1, .guard_fd = -1 }

/*
 * Create the state directory if needed, take the lock, check the modprobe
 * guard, read the registry. Files modctl creates get exact modes (0755 for
 * directories, 0644 for the registry and guard, 0600 for the lock),
 * whatever the caller's umask, which registry_end() puts back.
 */
int registry_begin(struct registry_txn *txn);
/* Lock or unlock a module in memory; returns 1 if that changed anything. */
int registry_set(struct registry *reg, const char *name, bool locked);
/* Lock many modules at once (sorting once, not per name); sets added[i]
 * for each name that was not locked before. Returns how many were added. */
int registry_set_many(struct registry *reg, const char *const *names, size_t n, bool *added);
/* Serialise the registry (human-readable). The caller frees the result. */
char *registry_format(const struct registry *reg);
/* Write the registry and the modprobe guard atomically (temp file, fsync,
 * rename). On failure the previous files stay intact. */
int registry_commit(struct registry_txn *txn);
/* Release the lock, restore the umask and free. */
void registry_end(struct registry_txn *txn);

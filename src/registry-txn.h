/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transaction that changes the lockdown registry and the modprobe
 * guard together: the only way modctl writes either.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "registry.h"

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
/* Write the registry and the modprobe guard atomically (temp file, fsync,
 * rename). On failure the previous files stay intact. */
int registry_commit(struct registry_txn *txn);
/* Release the lock, restore the umask and free. */
void registry_end(struct registry_txn *txn);

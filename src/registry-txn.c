// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registry's transaction (see registry-txn.h): take the lock, check
 * the guard, read the registry; later write both files, each through
 * atomic-file.c, so that a failure half-way changes neither.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "atomic-file.h"
#include "guard.h"
#include "log.h"
#include "macro.h"
#include "registry-txn.h"
#include "trust.h"

int registry_begin(struct registry_txn *txn)
{
	char why[128];
	int r;

	*txn = (struct registry_txn)REGISTRY_TXN_INIT;
	/* Exact modes for what modctl creates, whatever the caller's umask. */
	txn->saved_umask = umask(022);
	txn->began = true;
	txn->dir_fd = trusted_dir_open(REGISTRY_DIR, true);
	if (txn->dir_fd < 0)
		return txn->dir_fd;
	txn->lock_fd = open_trusted(txn->dir_fd, REGISTRY_LOCK_NAME, O_RDWR | O_CREAT, 0600, S_IFREG, NULL, why,
				    sizeof(why));
	if (txn->lock_fd == -EPERM && why[0])
		return trust_refuse(REGISTRY_LOCK, why);
	if (txn->lock_fd < 0)
		return log_error_errno(txn->lock_fd, "cannot open %s: %m", REGISTRY_LOCK);
	while (flock(txn->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return log_error_errno(errno, "cannot lock %s: %m", REGISTRY_LOCK);
	}
	atomic_file_remove_stale(txn->dir_fd, REGISTRY_DIR, REGISTRY_NAME);
	r = trusted_dir_open(MODPROBE_GUARD_DIR, false);
	if (r >= 0) {
		txn->guard_fd = r;
		atomic_file_remove_stale(txn->guard_fd, MODPROBE_GUARD_DIR, MODPROBE_GUARD_NAME);
		r = modprobe_guard_check(txn->guard_fd);
	}
	if (r < 0 && r != -ENOENT)
		return r;
	return registry_load_at(txn->dir_fd, &txn->reg);
}

int registry_commit(struct registry_txn *txn)
{
	_cleanup_free_ char *text = NULL, *guard = NULL;
	struct atomic_file reg = { .dir = REGISTRY_DIR, .name = REGISTRY_NAME, .path = REGISTRY_FILE };
	struct atomic_file grd = { .dir = MODPROBE_GUARD_DIR, .name = MODPROBE_GUARD_NAME, .path = MODPROBE_GUARD };
	int r;

	text = registry_format(&txn->reg);
	guard = modprobe_guard_build(&txn->reg);
	if (!text || !guard)
		return log_error_errno(ENOMEM, "out of memory");
	if (txn->guard_fd < 0) {
		r = trusted_dir_open(MODPROBE_GUARD_DIR, true);
		if (r < 0)
			return r;
		txn->guard_fd = r;
	}
	reg.dfd = txn->dir_fd;
	grd.dfd = txn->guard_fd;

	/* Both files are written in full before either replaces its old
	 * version, so a full disk or an I/O error changes nothing at all. */
	r = atomic_file_write(&reg, text);
	if (r == 0)
		r = atomic_file_write(&grd, guard);
	if (r == 0)
		r = atomic_file_install(&reg);
	if (r < 0) {
		atomic_file_discard(&reg);
		atomic_file_discard(&grd);
		log_error("nothing was changed: the registry and the modprobe guard are as they were");
		return r;
	}
	/* A rename in the same directory fails only if the system is falling
	 * apart; say plainly what is left if it does. */
	r = atomic_file_install(&grd);
	if (r < 0) {
		atomic_file_discard(&grd);
		log_error("the registry was updated but %s was not: modprobe -r does not see the change",
			  MODPROBE_GUARD);
	}
	return r;
}

void registry_end(struct registry_txn *txn)
{
	if (txn->lock_fd >= 0)
		close(txn->lock_fd); /* releases the flock */
	if (txn->dir_fd >= 0)
		close(txn->dir_fd);
	if (txn->guard_fd >= 0)
		close(txn->guard_fd);
	if (txn->began)
		umask(txn->saved_umask);
	txn->lock_fd = txn->dir_fd = txn->guard_fd = -1;
	txn->began = false;
	registry_free(&txn->reg);
}

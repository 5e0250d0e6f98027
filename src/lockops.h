/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The steps modctl lockdown, unlock and lockdown --boot share (lockops.c).
 * Each says what went wrong itself.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bootconf.h"
#include "exitcode.h"
#include "kmodctx.h"
#include "lockpin.h"
#include "registry-txn.h"

/* EXIT_NOTPERM, said, unless the caller may change locks. */
enum exit_code lock_need_privilege(const char *what);
bool lock_is_sealed(void);
/* Lock (and pin) or unlock (releasing the pin first) one module. */
int lock_set(struct registry_txn *txn, struct lockpin *lp, const char *name, bool locked, bool *changed);
/* Turn lockdown-all mode on or off. */
int lock_set_mode(struct registry_txn *txn, bool all, bool dry_run, bool *changed);
/* Lock and pin every loaded module, and turn lockdown-all mode on. */
int lock_all_loaded(struct registry_txn *txn, struct lockpin *lp, bool *changed);
/* Write the transaction if anything changed. */
enum exit_code lock_commit(struct registry_txn *txn, bool dry_run, bool changed);
/* The seal, after the preload list was loaded and everything locked. */
enum exit_code lock_seal(uint64_t timeout, bool dry_run);
/* Load the preload list of a configuration; the first failure. */
enum exit_code lock_preload(struct kmod_ctx *ctx, const struct lockdown_conf *conf, bool dry_run);

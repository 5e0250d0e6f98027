/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lockdown registry: which modules modctl has locked, and whether
 * lockdown-all mode is on. This file owns its path and format; changes go
 * through the transaction of registry-txn.h.
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
	/* How the kernel enforces a lock, for the locks that say: "NAME FUNC"
	 * (pinned on FUNC, see pin.h) or "NAME -" (registry-only by request),
	 * sorted by NAME. A lock without an entry is registry-only. */
	char **pins;
	size_t n_pins;
};

/* What registry_pin() answers for a lock the user asked to keep registry-only. */
#define REGISTRY_NO_PIN "-"

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
/* registry_load() in the directory dfd, already checked (see trust.h). */
int registry_load_at(int dfd, struct registry *reg);
bool registry_is_locked(const struct registry *reg, const char *name);
void registry_free(struct registry *reg);

/* The pin a lock records: the function pinned, REGISTRY_NO_PIN, or NULL. */
const char *registry_pin(const struct registry *reg, const char *name);
/* Record (func) or forget (NULL) the pin of a locked module. */
int registry_set_pin(struct registry *reg, const char *name, const char *func);

/* Lock or unlock a module in memory; returns 1 if that changed anything.
 * Unlocking forgets the pin it recorded. */
int registry_set(struct registry *reg, const char *name, bool locked);
/* Lock many modules at once (sorting once, not per name); sets added[i]
 * for each name that was not locked before. Returns how many were added. */
int registry_set_many(struct registry *reg, const char *const *names, size_t n, bool *added);
/* Serialise the registry (human-readable). The caller frees the result. */
char *registry_format(const struct registry *reg);

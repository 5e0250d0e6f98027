/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lockdown registry: which modules modctl has locked, and whether
 * lockdown-all mode is on. This file owns its path, format and trust rules.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define REGISTRY_DIR RUNSTATEDIR "/modctl"
#define REGISTRY_FILE REGISTRY_DIR "/locks"
/* A registry larger than this is not one modctl wrote. */
#define REGISTRY_MAX_SIZE (4 * 1024 * 1024)

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
 * A registry that is a symlink, not owned by root, writable by others,
 * too large or malformed is refused with an error message and -EPERM or
 * -EBADMSG; it is never trusted.
 */
int registry_load(struct registry *reg);
bool registry_is_locked(const struct registry *reg, const char *name);
void registry_free(struct registry *reg);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unload's guard for network interfaces: the whole plan is reviewed before
 * anything is unloaded, and an unload that would delete interfaces is
 * refused unless the user accepted it (--delete-interfaces).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "exitcode.h"
#include "netif.h"

struct netif_guard {
	struct netif_world w;
	struct kmod_ctx *ctx;
	size_t n;
	struct netif_guard_item {
		char *module;
		bool requested;   /* named by the user, not a dependency */
		bool has_kinds;   /* registers link kinds: may own interfaces */
		size_t *idx;      /* the interfaces its unload deletes */
		size_t count;
	} *items;
};

/* Review the unload of one more module of the plan; 0 or a negative errno. */
int netif_guard_add(struct netif_guard *g, const char *module, bool requested);
/*
 * The verdict on the whole plan: EXIT_OK to go on, EXIT_DESTROYS when it
 * would delete interfaces and accept is false (each module and its
 * interfaces named), or the exit status for not being able to tell
 * (a namespace that could not be inspected). A dry run is judged the same,
 * except that one without the privilege to unload only warns about
 * namespaces it could not inspect.
 */
enum exit_code netif_guard_verdict(struct netif_guard *g, bool accept, bool dry_run, bool privileged);
/* For a dry run: the interfaces the unload of module deletes. */
void netif_guard_print(const struct netif_guard *g, const char *module);
/* Before an accepted unload: say which interfaces go with the module. */
void netif_guard_announce(const struct netif_guard *g, const char *module);
void netif_guard_free(struct netif_guard *g);

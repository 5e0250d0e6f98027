// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * unload's guard for network interfaces. A module whose unload would
 * delete interfaces holds no reference for them, so the kernel would
 * unload it at once and the interfaces (with their addresses, routes,
 * bridge ports and bonds) would be gone without a word. modctl looks at
 * every module of the plan first, dependencies included, and refuses the
 * whole plan, so that nothing is half done.
 */
#include <stdio.h>

#include "kmodctx.h"
#include "log.h"
#include "netif-guard.h"

/* How many interfaces a message names before "and N more". */
#define NETIF_NAMED_MAX 5

int netif_guard_add(struct netif_guard *g, const char *module, bool requested)
{
	struct netif_guard_item *nv, *it;
	int r;

	if (!g->ctx) {
		r = kmodctx_new(&g->ctx, 0);
		if (r < 0)
			return r;
	}
	nv = realloc(g->items, (g->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	g->items = nv;
	it = &g->items[g->n];
	*it = (struct netif_guard_item){ .module = strdup(module), .requested = requested };
	if (!it->module)
		return -ENOMEM;
	g->n++;
	r = netif_destroyed_by(&g->w, g->ctx, module, &it->idx, &it->count);
	if (r < 0)
		return log_error_errno(r, "cannot tell which network interfaces unloading %s would delete: %m",
				       module);
	it->has_kinds = r > 0;
	return 0;
}

enum exit_code netif_guard_verdict(struct netif_guard *g, bool accept, bool dry_run, bool privileged)
{
	size_t i, refused = 0, unsure = 0;

	if (accept)
		return EXIT_OK;
	for (i = 0; i < g->n; i++) {
		const struct netif_guard_item *it = &g->items[i];
		_cleanup_free_ char *list = NULL;

		if (it->has_kinds && g->w.unreadable)
			unsure++;
		if (!it->count)
			continue;
		refused++;
		list = netif_describe(&g->w, it->idx, it->count, NETIF_NAMED_MAX);
		log_error("%s %s%s: it would delete %s %s", dry_run ? "would refuse to unload" : "refusing to unload",
			  it->module, it->requested ? "" : " (a dependency --with-deps would unload)",
			  it->count == 1 ? "the network interface" : "the network interfaces",
			  list ? list : "(out of memory)");
	}
	if (refused) {
		log_error("%s; --delete-interfaces accepts their deletion",
			  dry_run ? "nothing would be unloaded" : "nothing was unloaded");
		return EXIT_DESTROYS;
	}
	if (unsure && !privileged) {
		/* a dry run by a user who could not unload anyway */
		log_warning("cannot tell all the network interfaces the unload would delete: %zu network "
			    "namespace%s could not be inspected (%s)",
			    g->w.unreadable, g->w.unreadable == 1 ? "" : "s", strerror(-g->w.unreadable_err));
		return EXIT_OK;
	}
	if (unsure) {
		log_error("cannot tell which network interfaces the unload would delete: %zu network "
			  "namespace%s could not be inspected (%s); %s; --delete-interfaces unloads anyway",
			  g->w.unreadable, g->w.unreadable == 1 ? "" : "s", strerror(-g->w.unreadable_err),
			  dry_run ? "nothing would be unloaded" : "nothing was unloaded");
		return exit_code_from_errno(g->w.unreadable_err);
	}
	return EXIT_OK;
}

void netif_guard_print(const struct netif_guard *g, const char *module)
{
	const struct netif_guard_item *it = NULL;
	size_t k;

	for (k = 0; k < g->n && !it; k++)
		if (streq(g->items[k].module, module))
			it = &g->items[k];
	for (k = 0; it && k < it->count; k++) {
		const struct netif *ifc = &g->w.ifs[it->idx[k]];
		char where[128];

		netif_where(&g->w, ifc, where, sizeof(where));
		printf("  delete interface %s (%s%s%s)\n", ifc->name, ifc->kind, where[0] ? ", in " : "", where);
	}
}

void netif_guard_announce(const struct netif_guard *g, const char *module)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		const struct netif_guard_item *it = &g->items[i];
		_cleanup_free_ char *list = NULL;

		if (!it->count || !streq(it->module, module))
			continue;
		list = netif_describe(&g->w, it->idx, it->count, NETIF_NAMED_MAX);
		log_notice("unloading %s deletes %s (--delete-interfaces)", module, list ? list : "its interfaces");
	}
}

void netif_guard_free(struct netif_guard *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->items[i].module);
		free(g->items[i].idx);
	}
	free(g->items);
	netif_world_free(&g->w);
	kmod_unref(g->ctx);
	*g = (struct netif_guard){ 0 };
}

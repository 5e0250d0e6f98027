/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What unloading a module destroys: the network interfaces of the rtnl link
 * kinds it registers. Such an interface holds no reference on its module,
 * and the module's exit deletes it, in every network namespace.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libkmod.h>

/* One network namespace, told apart by its nsfs inode. */
struct netns {
	unsigned long long dev, inode;
	char *name;    /* its name in /run/netns, or NULL */
	pid_t pid;     /* the lowest PID of a process in it, or 0 */
	bool self;     /* the namespace modctl runs in */
	int fd;        /* open while scanning; -1 after */
};

/* One interface with a link kind (IFLA_INFO_KIND). */
struct netif {
	char *name;
	char *kind;
	int ifindex;
	int link;      /* IFLA_LINK: the lower interface's index, or 0 */
	bool link_elsewhere; /* the lower one is in another namespace */
	int link_nsid;       /* ... that this one's namespace calls this id */
	bool link_ns_known;  /* ... which is netif_world.ns[link_ns] */
	size_t link_ns;
	size_t ns;     /* index into netif_world.ns */
};

/* One queueing discipline (when netif_world.qdisc_wanted). */
struct netif_qdisc {
	char *kind;    /* TCA_KIND: "htb", "ingress"... */
	char *dev;     /* its interface's name, or NULL */
	int ifindex;
	uint32_t handle, parent;
	size_t ns;     /* index into netif_world.ns */
};

/* Every interface with a link kind, in every namespace modctl could see;
 * and the queueing disciplines whose kind qdisc_wanted accepts, when it is
 * set before the scan (only those get their interface's name looked up). */
struct netif_world {
	struct netns *ns;
	size_t n_ns;
	struct netif *ifs;
	size_t n_ifs;
	bool (*qdisc_wanted)(const char *kind, const void *userdata);
	const void *qdisc_userdata;
	struct netif_qdisc *qdiscs;
	size_t n_qdiscs;
	size_t unreadable;    /* namespaces that could not be inspected */
	int unreadable_err;   /* why the first one could not (negative errno) */
	bool scanned;
};

/*
 * The rtnl link kinds whose interfaces the module's exit deletes: its
 * "rtnl-link-KIND" aliases. A module whose file libkmod cannot read (gone
 * from disk since it was loaded) is taken to register the kind of its own
 * name, which is the rule for most of them (dummy, veth, vxlan, bridge),
 * and *guessed is set. Returns the number of kinds or a negative errno.
 */
int netif_module_kinds(struct kmod_ctx *ctx, const char *module, char ***kinds, bool *guessed);

/*
 * Scan every network namespace: modctl's own, those named in /run/netns
 * and those of every process. Namespaces that cannot be entered are
 * counted in unreadable. 0, or a negative errno when modctl's own cannot
 * be read.
 */
int netif_world_scan(struct netif_world *w);
void netif_world_free(struct netif_world *w);

/*
 * The interfaces an unload of module would delete, as indices into
 * w->ifs: those of its link kinds, and the ones stacked on them whose kind
 * the kernel deletes with their lower interface (vlan, macvlan, ipvlan...),
 * (*idx, freed by the caller; NULL when none). Scans the world
 * first if that was not done and the module has link kinds. Returns the
 * number of the module's link kinds (0: it owns no interfaces), or a
 * negative errno.
 */
int netif_destroyed_by(struct netif_world *w, struct kmod_ctx *ctx, const char *module, size_t **idx,
		       size_t *n);

/* Where an interface lives, for people: "" for modctl's own namespace,
 * else "netns NAME" or "the netns of PID N". */
void netif_where(const struct netif_world *w, const struct netif *i, char *buf, size_t len);
/* The same for the namespace of index ns in w. */
void netif_ns_where(const struct netif_world *w, size_t ns, char *buf, size_t len);
/* "d0 (dummy), d1 (dummy, netns blue) and 4 more": at most max named. */
char *netif_describe(const struct netif_world *w, const size_t *idx, size_t n, size_t max);
/* A JSON array of {"type":"interface","name","kind","ifindex","netns",
 * "netns_pid","netns_inode"} objects. */
char *netif_json(const struct netif_world *w, const size_t *idx, size_t n);

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The network interfaces a module's unload would delete.
 *
 * An interface of an rtnl link kind (dummy, veth, bridge, bond...) holds
 * no reference on the module that registered the kind, so nothing stops
 * the unload, and the module's exit deletes every such interface in every
 * network namespace. rtnetlink names each interface's kind
 * (IFLA_INFO_KIND); the module's "rtnl-link-KIND" aliases, which the
 * kernel itself uses to load a module for a kind, tie kinds to modules.
 *
 * A netlink socket belongs to the namespace it was created in. To read
 * another namespace, a short-lived thread enters it (setns changes only the
 * calling thread's namespace), creates the socket and ends; modctl itself
 * never leaves its own namespace.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodctx.h"
#include "log.h"
#include "macro.h"
#include "netif.h"
#include "strv.h"
#include "util.h"

#define RTNL_LINK_ALIAS "rtnl-link-"
#define NETNS_RUN_DIR "/run/netns"

int netif_module_kinds(struct kmod_ctx *ctx, const char *module, char ***kinds, bool *guessed)
{
	_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	char **v = NULL;
	size_t n = 0;
	int r;

	*kinds = NULL;
	*guessed = false;
	r = kmod_module_new_from_name(ctx, module, &mod);
	if (r < 0)
		return r;
	r = kmod_module_get_info(mod, &info);
	if (r < 0) {
		/* No file to read the aliases from: the kind is most often
		 * the module's name. */
		v = calloc(2, sizeof(*v));
		if (!v || !(v[0] = strdup(module))) {
			free(v);
			return -ENOMEM;
		}
		*kinds = v;
		*guessed = true;
		return 1;
	}
	kmod_list_foreach(l, info) {
		const char *key = kmod_module_info_get_key(l);
		const char *val = kmod_module_info_get_value(l);
		char **nv;

		if (!streq_ptr(key, "alias") || !val || strncmp(val, RTNL_LINK_ALIAS, strlen(RTNL_LINK_ALIAS)) != 0 ||
		    !val[strlen(RTNL_LINK_ALIAS)])
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			goto fail;
		}
		v = nv;
		v[n] = strdup(val + strlen(RTNL_LINK_ALIAS));
		if (!v[n]) {
			r = -ENOMEM;
			goto fail;
		}
		v[++n] = NULL;
	}
	kmod_module_info_free_list(info);
	*kinds = v;
	return (int)n;
fail:
	kmod_module_info_free_list(info);
	strv_free(v);
	return r;
}

/* --- namespaces ----------------------------------------------------------- */

/* Add the namespace of an open nsfs file, or merge it with one already
 * known; takes fd. Returns its index, or a negative errno. */
static int netns_add(struct netif_world *w, int fd, const char *name, pid_t pid, bool self)
{
	struct netns *nv, *ns;
	struct stat st;
	size_t i;

	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	for (i = 0; i < w->n_ns; i++) {
		ns = &w->ns[i];
		if (ns->dev == st.st_dev && ns->inode == st.st_ino) {
			close(fd);
			if (name && !ns->name && !(ns->name = strdup(name)))
				return -ENOMEM;
			if (pid > 0 && (ns->pid == 0 || pid < ns->pid))
				ns->pid = pid;
			ns->self = ns->self || self;
			return (int)i;
		}
	}
	nv = realloc(w->ns, (w->n_ns + 1) * sizeof(*nv));
	if (!nv) {
		close(fd);
		return -ENOMEM;
	}
	w->ns = nv;
	ns = &w->ns[w->n_ns];
	*ns = (struct netns){ .dev = st.st_dev, .inode = st.st_ino, .pid = pid, .self = self, .fd = fd };
	if (name && !(ns->name = strdup(name))) {
		close(fd);
		return -ENOMEM;
	}
	return (int)w->n_ns++;
}

static void note_unreadable(struct netif_world *w, int err)
{
	if (w->unreadable++ == 0)
		w->unreadable_err = err;
}

static int netns_collect(struct netif_world *w)
{
	DIR *d;
	struct dirent *de;
	int fd, r;

	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "cannot open this process's network namespace: %m");
	r = netns_add(w, fd, NULL, 0, true);
	if (r < 0)
		return log_error_errno(r, "cannot read this process's network namespace: %m");

	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_debug("cannot open %s: %s", path, strerror(errno));
			note_unreadable(w, -errno);
			continue;
		}
		r = netns_add(w, fd, de->d_name, 0, false);
		if (r == -ENOMEM) {
			closedir(d);
			return r;
		}
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		char path[64];
		pid_t pid = proc_entry_pid(de->d_name);

		if (!pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			/* gone, or a kernel thread's (no namespace to open) */
			if (errno != ENOENT && errno != ESRCH) {
				log_debug("cannot open %s: %s", path, strerror(errno));
				note_unreadable(w, -errno);
			}
			continue;
		}
		r = netns_add(w, fd, NULL, pid, false);
		if (r == -ENOMEM) {
			closedir(d);
			return r;
		}
	}
	if (d)
		closedir(d);
	return 0;
}

struct enter_job {
	int nsfd;
	int sock;
	int err;
};

static void *enter_and_open(void *userdata)
{
	struct enter_job *j = userdata;

	if (setns(j->nsfd, CLONE_NEWNET) < 0) {
		j->err = -errno;
		return NULL;
	}
	j->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (j->sock < 0)
		j->err = -errno;
	/* The thread ends here, and its namespace with it. */
	return NULL;
}

/* A route netlink socket in the namespace of nsfd. */
static int rtnl_socket_in(const struct netns *ns)
{
	struct enter_job j = { .nsfd = ns->fd, .sock = -1 };
	pthread_t t;
	int r;

	if (ns->self) {
		r = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		return r < 0 ? -errno : r;
	}
	r = pthread_create(&t, NULL, enter_and_open, &j);
	if (r)
		return -r;
	r = pthread_join(t, NULL);
	if (r)
		return -r;
	return j.sock >= 0 ? j.sock : j.err;
}

/* --- rtnetlink ------------------------------------------------------------ */

static int add_link(struct netif_world *w, size_t ns, const struct ifinfomsg *ifi, size_t len)
{
	const struct rtattr *a = IFLA_RTA(ifi);
	const char *name = NULL, *kind = NULL;
	struct netif *nv;
	int alen = (int)len, link = 0, link_nsid = -1;
	bool link_elsewhere = false;

	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0) {
			name = RTA_DATA(a);
		} else if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) >= sizeof(int)) {
			memcpy(&link, RTA_DATA(a), sizeof(link));
		} else if (a->rta_type == IFLA_LINK_NETNSID && RTA_PAYLOAD(a) >= sizeof(int)) {
			link_elsewhere = true;
			memcpy(&link_nsid, RTA_DATA(a), sizeof(link_nsid));
		} else if (a->rta_type == IFLA_LINKINFO) {
			const struct rtattr *b = RTA_DATA(a);
			int blen = (int)RTA_PAYLOAD(a);

			for (; RTA_OK(b, blen); b = RTA_NEXT(b, blen))
				if ((b->rta_type & NLA_TYPE_MASK) == IFLA_INFO_KIND && RTA_PAYLOAD(b) > 0)
					kind = RTA_DATA(b);
		}
	}
	if (!name || !kind || !memchr(name, 0, IFNAMSIZ) || !memchr(kind, 0, 64))
		return 0;
	nv = realloc(w->ifs, (w->n_ifs + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	w->ifs = nv;
	nv = &w->ifs[w->n_ifs];
	*nv = (struct netif){ .name = strdup(name), .kind = strdup(kind), .ifindex = ifi->ifi_index,
			       .link = link, .link_elsewhere = link_elsewhere, .link_nsid = link_nsid, .ns = ns };
	if (!nv->name || !nv->kind) {
		free(nv->name);
		free(nv->kind);
		return -ENOMEM;
	}
	w->n_ifs++;
	return 0;
}

/* What a dump hands each reply message of its type to. */
typedef int (*rtnl_msg_fn)(struct netif_world *w, size_t ns, const struct nlmsghdr *nh, void *userdata);

/*
 * One rtnetlink request on sock, numbered SEQ: TYPE with BODY (an ifinfomsg,
 * a tcmsg...), a dump when DUMP; each reply of type REPLY goes to fn. A
 * request that is no dump ends at its first reply.
 */
static int rtnl_request(struct netif_world *w, size_t ns, int sock, uint32_t seq, uint16_t type, bool dump,
			const void *body, size_t body_len, uint16_t reply, rtnl_msg_fn fn, void *userdata)
{
	struct {
		struct nlmsghdr nh;
		char body[64];
	} req = { 0 };
	_cleanup_free_ char *buf = NULL;
	const size_t bufsize = 65536;
	int r;

	if (body_len > sizeof(req.body))
		return -EINVAL;
	req.nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(body_len);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	req.nh.nlmsg_seq = seq;
	memcpy(req.body, body, body_len);
	if (send(sock, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t got = recv(sock, buf, bufsize, MSG_TRUNC);
		const struct nlmsghdr *nh;
		size_t left;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)got > bufsize)
			return -EMSGSIZE;
		if (got == 0)
			return -EPROTO;
		left = (size_t)got;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != req.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error ? e->error : -EPROTO;
			}
			if (nh->nlmsg_type != reply || nh->nlmsg_len < NLMSG_LENGTH(body_len))
				continue;
			r = fn(w, ns, nh, userdata);
			if (r < 0 || !dump)
				return r;
		}
	}
}

static int link_msg(struct netif_world *w, size_t ns, const struct nlmsghdr *nh, void *userdata)
{
	return add_link(w, ns, NLMSG_DATA(nh), nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg)));
}

/* Dump the links of one namespace into w. */
static int dump_links(struct netif_world *w, size_t ns, int sock)
{
	const struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	return rtnl_request(w, ns, sock, 1, RTM_GETLINK, true, &ifi, sizeof(ifi), RTM_NEWLINK, link_msg, NULL);
}

/* --- queueing disciplines ---------------------------------------------------- */

static int qdisc_msg(struct netif_world *w, size_t ns, const struct nlmsghdr *nh, void *userdata)
{
	const struct tcmsg *tc = NLMSG_DATA(nh);
	const struct rtattr *a = (const struct rtattr *)((const char *)tc + NLMSG_ALIGN(sizeof(*tc)));
	int alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*tc));
	struct netif_qdisc *q;

	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == TCA_KIND && RTA_PAYLOAD(a) > 0 && memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)))
			break;
	if (!RTA_OK(a, alen) || !w->qdisc_wanted(RTA_DATA(a), w->qdisc_userdata))
		return 0;
	q = realloc(w->qdiscs, (w->n_qdiscs + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	w->qdiscs = q;
	q = &w->qdiscs[w->n_qdiscs];
	*q = (struct netif_qdisc){ .kind = strdup(RTA_DATA(a)), .ifindex = tc->tcm_ifindex,
				   .handle = tc->tcm_handle, .parent = tc->tcm_parent, .ns = ns };
	if (!q->kind)
		return -ENOMEM;
	w->n_qdiscs++;
	return 0;
}

static int name_msg(struct netif_world *w, size_t ns, const struct nlmsghdr *nh, void *userdata)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *a = IFLA_RTA(ifi);
	int alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	char **name = userdata;

	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0 && memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)))
			return (*name = strdup(RTA_DATA(a))) ? 0 : -ENOMEM;
	return 0;
}

/* The wanted queueing disciplines of one namespace, with their interfaces'
 * names. */
static int dump_qdiscs(struct netif_world *w, size_t ns, int sock)
{
	const struct tcmsg tc = { .tcm_family = AF_UNSPEC };
	size_t first = w->n_qdiscs, i;
	int r;

	r = rtnl_request(w, ns, sock, 3, RTM_GETQDISC, true, &tc, sizeof(tc), RTM_NEWQDISC, qdisc_msg, NULL);
	for (i = first; r == 0 && i < w->n_qdiscs; i++) {
		const struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = w->qdiscs[i].ifindex };

		r = rtnl_request(w, ns, sock, 4, RTM_GETLINK, false, &ifi, sizeof(ifi), RTM_NEWLINK, name_msg,
				 &w->qdiscs[i].dev);
		if (r != -ENOMEM)
			r = 0; /* gone meanwhile: no name */
	}
	return r;
}

/* The id the namespace of sock gives the namespace of nsfd (RTM_GETNSID);
 * -1 when it gives none, or a negative errno below that. */
static int nsid_of(int sock, int nsfd)
{
	/* words: as aligned as a netlink header must be */
	uint32_t req[NLMSG_SPACE(NLMSG_ALIGN(sizeof(struct rtgenmsg)) + RTA_SPACE(sizeof(uint32_t))) / 4];
	struct nlmsghdr *rh = (struct nlmsghdr *)req;
	struct rtgenmsg *g = NLMSG_DATA(rh);
	struct rtattr *ra = (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof(*g)));
	uint32_t fd = (uint32_t)nsfd;
	uint32_t buf[64];
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
	ssize_t got;

	memset(req, 0, sizeof(req));
	rh->nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*g)) + RTA_LENGTH(sizeof(fd)));
	rh->nlmsg_type = RTM_GETNSID;
	rh->nlmsg_flags = NLM_F_REQUEST;
	rh->nlmsg_seq = 2;
	g->rtgen_family = AF_UNSPEC;
	ra->rta_len = RTA_LENGTH(sizeof(fd));
	ra->rta_type = NETNSA_FD;
	memcpy(RTA_DATA(ra), &fd, sizeof(fd));
	if (send(sock, req, rh->nlmsg_len, 0) < 0)
		return -errno - 1;
	do
		got = recv(sock, buf, sizeof(buf), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno - 1;
	if (!NLMSG_OK(nh, (size_t)got) || nh->nlmsg_type != RTM_NEWNSID)
		return -EPROTO - 1;
	{
		const struct rtattr *a = (const struct rtattr *)((const char *)NLMSG_DATA(nh) +
								 NLMSG_ALIGN(sizeof(struct rtgenmsg)));
		int alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)));

		for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
			if (a->rta_type == NETNSA_NSID && RTA_PAYLOAD(a) >= sizeof(int32_t)) {
				int32_t id;

				memcpy(&id, RTA_DATA(a), sizeof(id));
				return id < 0 ? -1 : id;
			}
	}
	return -1;
}

/*
 * For the interfaces of namespace ns from index first on whose lower
 * interface is in another namespace (a macvlan moved away from its lower
 * device): which namespace, by asking ns the id it gives each other one.
 */
static void resolve_lower_ns(struct netif_world *w, size_t ns, size_t first, int sock)
{
	size_t j, k;

	for (j = first; j < w->n_ifs; j++) {
		struct netif *x = &w->ifs[j];

		if (!x->link_elsewhere || x->link_nsid < 0)
			continue;
		for (k = 0; k < w->n_ns; k++)
			if (k != ns && w->ns[k].fd >= 0 && nsid_of(sock, w->ns[k].fd) == x->link_nsid) {
				x->link_ns = k;
				x->link_ns_known = true;
				break;
			}
		if (!x->link_ns_known)
			log_debug("%s: its lower interface is in a namespace modctl cannot see", x->name);
	}
}

int netif_world_scan(struct netif_world *w)
{
	size_t i;
	int r;

	w->scanned = true;
	r = netns_collect(w);
	for (i = 0; r == 0 && i < w->n_ns; i++) {
		struct netns *ns = &w->ns[i];
		int sock = rtnl_socket_in(ns), q;
		size_t first;

		if (sock < 0) {
			log_debug("cannot enter network namespace %llu: %s", ns->inode, strerror(-sock));
			/* a file left in /run/netns that is no namespace (its
			 * bind mount is gone): nothing lives there */
			if (sock == -EINVAL && ns->name && !ns->pid && !ns->self)
				continue;
			if (ns->self) {
				r = log_error_errno(sock, "cannot read the network interfaces: %m");
				break;
			}
			note_unreadable(w, sock);
			continue;
		}
		first = w->n_ifs;
		q = dump_links(w, i, sock);
		if (q == 0)
			resolve_lower_ns(w, i, first, sock);
		if (q == 0 && w->qdisc_wanted)
			q = dump_qdiscs(w, i, sock);
		close(sock);
		if (q == -ENOMEM) {
			r = q;
		} else if (q < 0) {
			log_debug("cannot list the interfaces of network namespace %llu: %s", ns->inode, strerror(-q));
			if (ns->self)
				r = log_error_errno(q, "cannot list the network interfaces: %m");
			else
				note_unreadable(w, q);
		}
	}
	for (i = 0; i < w->n_ns; i++) {
		if (w->ns[i].fd >= 0)
			close(w->ns[i].fd);
		w->ns[i].fd = -1;
	}
	return r;
}

void netif_world_free(struct netif_world *w)
{
	size_t i;

	for (i = 0; i < w->n_ns; i++) {
		if (w->ns[i].fd >= 0)
			close(w->ns[i].fd);
		free(w->ns[i].name);
	}
	for (i = 0; i < w->n_ifs; i++) {
		free(w->ifs[i].name);
		free(w->ifs[i].kind);
	}
	for (i = 0; i < w->n_qdiscs; i++) {
		free(w->qdiscs[i].kind);
		free(w->qdiscs[i].dev);
	}
	free(w->ns);
	free(w->ifs);
	free(w->qdiscs);
	*w = (struct netif_world){ 0 };
}

/*
 * Kinds of upper interfaces the kernel deletes when their lower interface
 * goes (their drivers handle NETDEV_UNREGISTER of the lower device so).
 * Bridge ports and bond slaves are only released, never deleted.
 */
static const char *const upper_deleted_kinds[] = {
	"vlan", "macvlan", "macvtap", "ipvlan", "ipvtap", "macsec",
};

static bool upper_deleted_with_lower(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(upper_deleted_kinds); i++)
		if (streq(kind, upper_deleted_kinds[i]))
			return true;
	return false;
}

/* Whether interface j sits on one of the n interfaces in v. */
static bool stacked_on(const struct netif_world *w, size_t j, const size_t *v, size_t n)
{
	const struct netif *up = &w->ifs[j];
	size_t k;

	size_t lower_ns = up->link_elsewhere ? up->link_ns : up->ns;

	if (!up->link || (up->link_elsewhere && !up->link_ns_known) || !upper_deleted_with_lower(up->kind))
		return false;
	if (!up->link_elsewhere && up->link == up->ifindex)
		return false;
	for (k = 0; k < n; k++)
		if (v[k] == j)
			return false;
	for (k = 0; k < n; k++)
		if (w->ifs[v[k]].ns == lower_ns && w->ifs[v[k]].ifindex == up->link)
			return true;
	return false;
}

int netif_destroyed_by(struct netif_world *w, struct kmod_ctx *ctx, const char *module, size_t **idx,
		       size_t *n)
{
	bool more;
	char **kinds = NULL;
	size_t *v = NULL, i;
	bool guessed;
	int nk, r;

	*idx = NULL;
	*n = 0;
	nk = netif_module_kinds(ctx, module, &kinds, &guessed);
	if (nk <= 0)
		return nk;
	if (guessed)
		log_debug("%s: no module file to read its link kinds from; taking \"%s\"", module, module);
	if (!w->scanned) {
		r = netif_world_scan(w);
		if (r < 0) {
			strv_free(kinds);
			return r;
		}
	}
	for (i = 0; i < w->n_ifs; i++) {
		char **k;

		for (k = kinds; *k; k++)
			if (streq(*k, w->ifs[i].kind))
				break;
		if (!*k)
			continue;
		if (!v && !(v = calloc(w->n_ifs, sizeof(*v)))) {
			strv_free(kinds);
			return -ENOMEM;
		}
		v[(*n)++] = i;
	}
	strv_free(kinds);
	/* and what is stacked on those, level by level */
	do {
		more = false;
		for (i = 0; v && i < w->n_ifs; i++)
			if (stacked_on(w, i, v, *n)) {
				v[(*n)++] = i;
				more = true;
			}
	} while (more);
	*idx = v;
	return nk;
}

void netif_where(const struct netif_world *w, const struct netif *i, char *buf, size_t len)
{
	netif_ns_where(w, i->ns, buf, len);
}

void netif_ns_where(const struct netif_world *w, size_t index, char *buf, size_t len)
{
	const struct netns *ns = &w->ns[index];

	if (ns->self)
		snprintf(buf, len, "%s", "");
	else if (ns->name)
		snprintf(buf, len, "netns %s", ns->name);
	else if (ns->pid > 0)
		snprintf(buf, len, "the netns of PID %d", (int)ns->pid);
	else
		snprintf(buf, len, "netns %llu", ns->inode);
}

char *netif_describe(const struct netif_world *w, const size_t *idx, size_t n, size_t max)
{
	char *s = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (i = 0; i < n && i < max; i++) {
		const struct netif *it = &w->ifs[idx[i]];
		char where[128];

		netif_where(w, it, where, sizeof(where));
		fprintf(f, "%s%s (%s%s%s)", i == 0 ? "" : (i + 1 == n ? " and " : ", "), it->name, it->kind,
			where[0] ? ", in " : "", where);
	}
	if (n > max)
		fprintf(f, " and %zu more", n - max);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

char *netif_json(const struct netif_world *w, const size_t *idx, size_t n)
{
	char *s = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fputc('[', f);
	for (i = 0; i < n; i++) {
		const struct netif *it = &w->ifs[idx[i]];
		const struct netns *ns = &w->ns[it->ns];

		fputs(i ? ", {" : "{", f);
		fputs("\"type\": \"interface\", \"name\": ", f);
		json_put_string(f, it->name);
		fputs(", \"kind\": ", f);
		json_put_string(f, it->kind);
		fprintf(f, ", \"ifindex\": %d, \"netns\": ", it->ifindex);
		if (ns->name)
			json_put_string(f, ns->name);
		else
			fputs("null", f);
		if (ns->pid > 0)
			fprintf(f, ", \"netns_pid\": %d", (int)ns->pid);
		else
			fputs(", \"netns_pid\": null", f);
		fprintf(f, ", \"netns_inode\": %llu, \"netns_self\": %s}", ns->inode, ns->self ? "true" : "false");
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vm-holder READY WHAT ARGS...: take one reference-holding object the way
 * a program does, create the file READY, then wait until killed. Busybox
 * alone cannot map a device and close its descriptor, nor open a socket of
 * a given protocol. Static, like delete-module, so the image needs nothing
 * for it.
 *
 *   open PATH                open PATH read-write (read-only if refused)
 *   mmap PATH                open PATH, map its first page, close the fd
 *   mmap-open PATH           the same, keeping the fd open
 *   socket DOMAIN TYPE PROTO socket(DOMAIN, TYPE, PROTO), numbers
 *   alg TYPE NAME            an AF_ALG socket bound to algorithm NAME of
 *                            TYPE (hash, skcipher...) and its accept()ed
 *                            operation socket
 *   qdisc IFNAME KIND        add an ingress or clsact qdisc (KIND) to
 *                            interface IFNAME (it stays when this ends)
 *   bpf-link PIN             a BPF link this process alone may hold: the
 *                            pinned object PIN when it is a link, else (a
 *                            tracing program) a new link attaching it
 *   pty LDISC SIDE           open a pty pair and set line discipline LDISC
 *                            (a number) on SIDE: slave or master, both
 *                            kept open; slave-closed: on the slave, then
 *                            close the slave. READY holds the slave's path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: vm-holder READY open|mmap|mmap-open PATH | socket DOMAIN TYPE PROTO |\n"
			"       pty LDISC slave|master|slave-closed | bpf-link PIN | alg TYPE NAME |\n"
			"       qdisc IFNAME ingress|clsact\n");
	return 2;
}

static int open_rw(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "vm-holder: %s: %s\n", path, strerror(errno));
	return fd;
}

static int bpf_link(const char *pin)
{
	union bpf_attr a;
	char self[64], what[64] = "";
	int fd;

	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)pin;
	fd = (int)syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof(a));
	if (fd < 0) {
		fprintf(stderr, "vm-holder: %s: %s\n", pin, strerror(errno));
		return -1;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (readlink(self, what, sizeof(what) - 1) < 0 || strstr(what, "link"))
		return fd;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (unsigned)fd;
	a.link_create.attach_type = BPF_TRACE_FENTRY;
	fd = (int)syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "vm-holder: attaching %s: %s\n", pin, strerror(errno));
	return fd;
}

/* A pty pair with line discipline ldisc on one side; the slave's path in
 * name. -1 when something fails (said). */
static int pty_ldisc(int ldisc, const char *side, char *name, size_t size)
{
	int m, sl;
	char *pts;

	if (strcmp(side, "slave") && strcmp(side, "master") && strcmp(side, "slave-closed"))
		return -1;
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(pts = ptsname(m))) {
		fprintf(stderr, "vm-holder: a pty: %s\n", strerror(errno));
		return -1;
	}
	snprintf(name, size, "%s", pts);
	sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0) {
		fprintf(stderr, "vm-holder: %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (ioctl(!strcmp(side, "master") ? m : sl, TIOCSETD, &ldisc) < 0) {
		fprintf(stderr, "vm-holder: TIOCSETD %d on the %s: %s\n", ldisc, side, strerror(errno));
		return -1;
	}
	if (!strcmp(side, "slave-closed"))
		close(sl);
	return 0;
}

/* RTM_NEWQDISC: an ingress or clsact qdisc (both at ffff:, no options). */
static int add_qdisc(const char *ifname, const char *kind)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
		char attrs[64];
	} req;
	struct rtattr *a = (struct rtattr *)req.attrs;
	char buf[512];
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t got;

	memset(&req, 0, sizeof(req));
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = (int)if_nametoindex(ifname);
	req.tc.tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0);
	req.tc.tcm_parent = TC_H_INGRESS;
	a->rta_type = TCA_KIND;
	a->rta_len = (unsigned short)RTA_LENGTH(strlen(kind) + 1);
	memcpy(RTA_DATA(a), kind, strlen(kind) + 1);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tc)) + RTA_ALIGN(a->rta_len);
	req.nh.nlmsg_type = RTM_NEWQDISC;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	if (s < 0 || !req.tc.tcm_ifindex || send(s, &req, req.nh.nlmsg_len, 0) < 0 ||
	    (got = recv(s, buf, sizeof(buf), 0)) < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		fprintf(stderr, "vm-holder: qdisc %s on %s: %s\n", kind, ifname, strerror(errno));
		return -1;
	}
	if (nh->nlmsg_type == NLMSG_ERROR && ((const struct nlmsgerr *)NLMSG_DATA(nh))->error) {
		fprintf(stderr, "vm-holder: qdisc %s on %s: %s\n", kind, ifname,
			strerror(-((const struct nlmsgerr *)NLMSG_DATA(nh))->error));
		return -1;
	}
	close(s);
	return 0;
}

int main(int argc, char *argv[])
{
	char text[64] = "", tmp[4096];
	int fd;

	if (argc < 4)
		return usage();
	if (!strcmp(argv[2], "open")) {
		if (open_rw(argv[3]) < 0)
			return 1;
	} else if (!strcmp(argv[2], "mmap") || !strcmp(argv[2], "mmap-open")) {
		void *p;

		fd = open_rw(argv[3]);
		if (fd < 0)
			return 1;
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "vm-holder: mmap %s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		if (!strcmp(argv[2], "mmap"))
			close(fd);
	} else if (!strcmp(argv[2], "socket") && argc == 6) {
		if (socket(atoi(argv[3]), atoi(argv[4]), atoi(argv[5])) < 0) {
			fprintf(stderr, "vm-holder: socket: %s\n", strerror(errno));
			return 1;
		}
	} else if (!strcmp(argv[2], "alg") && argc == 5) {
		struct sockaddr_alg sa = { .salg_family = AF_ALG };
		int s = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", argv[3]);
		snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", argv[4]);
		if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || accept(s, NULL, NULL) < 0) {
			fprintf(stderr, "vm-holder: AF_ALG %s %s: %s\n", argv[3], argv[4], strerror(errno));
			return 1;
		}
	} else if (!strcmp(argv[2], "qdisc") && argc == 5) {
		if (add_qdisc(argv[3], argv[4]) < 0)
			return 1;
	} else if (!strcmp(argv[2], "bpf-link")) {
		if (bpf_link(argv[3]) < 0)
			return 1;
	} else if (!strcmp(argv[2], "pty") && argc == 5) {
		if (pty_ldisc(atoi(argv[3]), argv[4], text, sizeof(text)) < 0)
			return 1;
	} else {
		return usage();
	}
	/* READY appears whole: written aside, then renamed */
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0 ||
	    rename(tmp, argv[1]) < 0)
		return 1;
	for (;;)
		pause();
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * holders-scan: the host side of bench/holders.sh. The build machines have
 * no loadable modules, so the bench measures modctl's process scan (the
 * engine behind "who holds a module") on one device node instead of a
 * module's nodes: the same code, linked from libmodctl.
 *
 *   holders-scan farm N M NODE READY [K]
 *       Starts N processes that each hold M open files, K of them (1 by
 *       default) of NODE and the others of /dev/null, then creates READY
 *       and waits for SIGTERM, which it passes on to them.
 *   holders-scan scan NODE
 *       Runs the scan once; prints ELAPSED_US OPEN_FILES MAPPINGS COMPLETE
 *       VIA (iterator: the kernel's task_file iterator; proc: /proc).
 *       MODCTL_HOLDERS_SCAN=proc makes it read /proc.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "holders.h"
#include "log.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int farm(long n, long m, long k, const char *node, const char *ready)
{
	pid_t *kids = calloc((size_t)n, sizeof(pid_t));
	struct sigaction sa = { .sa_handler = on_term };
	long i, j;
	int fd;

	if (!kids)
		return 1;
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("holders-scan: fork");
			n = i;
			break;
		}
		if (kids[i] == 0) {
			for (j = 0; j < m; j++)
				if (open(j < k ? node : "/dev/null", O_RDONLY) < 0) {
					perror("holders-scan: open");
					_exit(1);
				}
			for (;;)
				pause();
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* every child holds its files once its fd directory has them all */
	for (i = 0; i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)kids[i], m + 2);
		while (access(path, F_OK) < 0 && !stop)
			usleep(1000);
	}
	fd = open(ready, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	while (!stop)
		pause();
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return 0;
}

static int scan(const char *node)
{
	struct holders_options o = { .node_only = true, .budget_usec = DURATION_INFINITY, .budget_set = true };
	struct holders h;
	struct stat st;
	uint64_t t0, t1;
	size_t i, opens = 0, maps = 0;

	if (stat(node, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		fprintf(stderr, "holders-scan: %s: not a device node\n", node);
		return 1;
	}
	o.node_is_block = S_ISBLK(st.st_mode);
	o.node_major = major(st.st_rdev);
	o.node_minor = minor(st.st_rdev);
	if (getenv("BENCH_DEBUG"))
		log_set_max_level(LOG_DEBUG);
	t0 = now_usec();
	if (holders_find(node, &o, &h) < 0)
		return 1;
	t1 = now_usec();
	for (i = 0; i < h.n; i++) {
		if (h.v[i].kind == HOLDER_OPEN)
			opens++;
		else if (h.v[i].kind == HOLDER_MAPPING)
			maps++;
	}
	printf("%llu %zu %zu %s %s\n", (unsigned long long)(t1 - t0), opens, maps, h.complete ? "yes" : "no",
	       h.scan_via ? h.scan_via : "none");
	holders_free(&h);
	return 0;
}

int main(int argc, char *argv[])
{
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "farm"))
		return farm(atol(argv[2]), atol(argv[3]), argc == 7 ? atol(argv[6]) : 1, argv[4], argv[5]);
	if (argc == 3 && !strcmp(argv[1], "scan"))
		return scan(argv[2]);
	fprintf(stderr, "usage: holders-scan farm N M NODE READY [K] | scan NODE\n");
	return 2;
}

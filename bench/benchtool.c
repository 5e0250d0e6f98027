// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * benchtool: the guest side's stopwatch for bench/unload.sh and bench/load.sh.
 * Built on the host with `gcc -static` and put into the benchmark's own
 * initramfs overlay (the guest has no compiler, and busybox's date has no
 * sub-second clock). Every time is CLOCK_MONOTONIC in nanoseconds, the same
 * clock ftrace's "mono" trace_clock uses, so the two can be compared.
 *
 *   benchtool hold-run DELAY_US FILE -- CMD [ARG...]
 *       The holder. Opens FILE (O_RDWR, close-on-exec: /dev/net/tun takes a
 *       reference on tun), starts CMD (the unloader) while holding it, keeps
 *       holding until DELAY_US after CMD was started, reads the clock and
 *       closes the file (the reference is dropped before close returns),
 *       then waits for CMD to exit and reads the clock again. Prints
 *           START_NS RELEASE_NS EXIT_NS STATUS EXITED_EARLY
 *       STATUS is CMD's exit status (128+N if killed by signal N);
 *       EXITED_EARLY is 1 when CMD was already gone at release time.
 *   benchtool time -- CMD [ARG...]
 *       Runs CMD; prints ELAPSED_NS STATUS.
 *   benchtool now
 *       Prints the clock.
 * With BENCHTOOL_LOG=FILE in the environment, CMD's stdout and stderr go to
 * FILE (truncated), so they cannot mix with the result line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "benchtool: %s: %s\n", what, strerror(errno));
	exit(125);
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		const char *log = getenv("BENCHTOOL_LOG");

		if (log && *log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

			if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
				_exit(126);
		}
		execv(argv[0], argv);
		fprintf(stderr, "benchtool: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static int reap(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return status_of(*st);
}

static char **after_dashes(int argc, char **argv, int from)
{
	if (from >= argc || strcmp(argv[from], "--") || from + 1 >= argc) {
		fprintf(stderr, "benchtool: expected -- CMD [ARG...]\n");
		exit(125);
	}
	return argv + from + 1;
}

static int hold_run(int argc, char **argv)
{
	uint64_t delay_us, start, release, end;
	struct timespec until;
	char **cmd;
	int fd, st, early = 0, rc;
	pid_t pid, r;

	if (argc < 6) {
		fprintf(stderr, "usage: benchtool hold-run DELAY_US FILE -- CMD [ARG...]\n");
		return 125;
	}
	delay_us = strtoull(argv[2], NULL, 10);
	cmd = after_dashes(argc, argv, 4);
	fd = open(argv[3], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(argv[3]);

	start = now_ns();
	pid = spawn(cmd);
	end = start + delay_us * 1000;
	until.tv_sec = (time_t)(end / 1000000000u);
	until.tv_nsec = (long)(end % 1000000000u);
	while ((errno = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL)) == EINTR)
		;
	r = waitpid(pid, &st, WNOHANG);
	if (r == pid)
		early = 1;
	release = now_ns();
	close(fd);
	rc = early ? status_of(st) : reap(pid, &st);
	end = now_ns();
	if (early)
		end = release;
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %d %d\n", start, release, end, rc, early);
	return 0;
}

static int time_cmd(int argc, char **argv)
{
	uint64_t t0, t1;
	int st, rc;

	t0 = now_ns();
	rc = reap(spawn(after_dashes(argc, argv, 2)), &st);
	t1 = now_ns();
	printf("%" PRIu64 " %d\n", t1 - t0, rc);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hold-run"))
		return hold_run(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "time"))
		return time_cmd(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%" PRIu64 "\n", now_ns());
		return 0;
	}
	fprintf(stderr, "usage: benchtool hold-run DELAY_US FILE -- CMD...| time -- CMD... | now\n");
	return 125;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Waiting, done once. Sleeps happen in ppoll() on a signalfd, so SIGINT and
 * SIGTERM end a wait immediately and cleanly, and the monotonic clock is
 * the only clock, so changing the wall time does not stretch a timeout.
 */
#include <poll.h>
#include <sys/signalfd.h>
#include <time.h>

#include "exitcode.h"
#include "log.h"
#include "macro.h"
#include "progress.h"
#include "util.h"
#include "wait.h"

int waiter_init(struct waiter *w, uint64_t timeout, uint64_t poll_max)
{
	sigset_t mask;

	memset(w, 0, sizeof(*w));
	w->sigfd = -1;
	w->wake_fd = -1;
	w->start = now_usec();
	w->timeout = timeout;
	backoff_init(&w->b, w->start, timeout, poll_max, w->start ^ ((uint64_t)getpid() << 32));

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, &w->oldmask) < 0)
		return log_error_errno(errno, "cannot block signals: %m");
	w->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->sigfd < 0) {
		int r = -errno;

		sigprocmask(SIG_SETMASK, &w->oldmask, NULL);
		return log_error_errno(r, "cannot watch signals: %m");
	}
	return 0;
}

void waiter_done(struct waiter *w)
{
	progress_clear();
	if (w->sigfd >= 0) {
		close(w->sigfd);
		w->sigfd = -1;
		sigprocmask(SIG_SETMASK, &w->oldmask, NULL);
	}
}

uint64_t waiter_elapsed(const struct waiter *w)
{
	return now_usec() - w->start;
}

uint64_t waiter_timeout(const struct waiter *w)
{
	return w->timeout;
}

void waiter_set_wake_fd(struct waiter *w, int fd)
{
	w->wake_fd = fd;
}

int waiter_signal_fd(const struct waiter *w)
{
	return w->sigfd;
}

int waiter_signal(const struct waiter *w)
{
	return w->signo;
}

enum exit_code waiter_signal_exit(const struct waiter *w)
{
	return exit_code_from_signal(w->signo);
}

/* Sleep up to usec; returns -EINTR if a signal arrived. */
static int waiter_sleep(struct waiter *w, uint64_t usec)
{
	struct pollfd pfd[2] = {
		{ .fd = w->sigfd, .events = POLLIN },
		{ .fd = w->wake_fd, .events = POLLIN },
	};
	struct timespec ts = {
		.tv_sec = (time_t)(usec / 1000000),
		.tv_nsec = (long)(usec % 1000000) * 1000,
	};
	struct signalfd_siginfo si;
	int r;

	r = ppoll(pfd, w->wake_fd >= 0 ? 2 : 1, &ts, NULL);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r > 0 && (pfd[0].revents & POLLIN) && read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		w->signo = (int)si.ssi_signo;
		return -EINTR;
	}
	return 0;
}

int waiter_check_signal(struct waiter *w)
{
	return waiter_sleep(w, 0);
}

int waiter_run(struct waiter *w, wait_step_fn step, void *userdata)
{
	for (;;) {
		uint64_t sleep;
		int r;

		r = waiter_check_signal(w);
		if (r < 0)
			return r;
		r = step(userdata, w);
		if (r < 0)
			return r;
		if (r == STEP_DONE)
			return 0;
		sleep = backoff_next(&w->b, now_usec());
		if (sleep == 0)
			return -ETIMEDOUT;
		r = waiter_sleep(w, sleep);
		if (r < 0)
			return r;
	}
}

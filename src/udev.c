// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * udev settling through libudev's queue: the queue file's inotify fd says
 * when to look again, so settling costs no busy polling.
 */
#include <libudev.h>

#include "log.h"
#include "macro.h"
#include "udev.h"
#include "wait.h"

struct settle {
	struct udev_queue *q;
};

static int settle_step(void *userdata, const struct waiter *w)
{
	struct settle *s = userdata;

	udev_queue_flush(s->q);
	if (udev_queue_get_queue_is_empty(s->q))
		return STEP_DONE;
	progress_show("waiting for udev to settle, %.1fs", waiter_elapsed(w) / 1e6);
	return STEP_AGAIN;
}

int udev_settle(uint64_t timeout, int *signo)
{
	struct udev *udev;
	struct settle s = { 0 };
	struct waiter w;
	int r;

	udev = udev_new();
	if (!udev)
		return log_error_errno(ENOMEM, "cannot use libudev");
	s.q = udev_queue_new(udev);
	if (!s.q) {
		udev_unref(udev);
		return log_error_errno(ENOMEM, "cannot use libudev's queue");
	}
	if (!udev_queue_get_udev_is_active(s.q)) {
		log_info("udevd is not running: there are no udev events to wait for");
		r = 0;
		goto out;
	}
	r = waiter_init(&w, timeout, 50000);
	if (r < 0)
		goto out;
	r = waiter_run(&w, settle_step, &s);
	if (r == -EINTR && signo)
		*signo = w.signo;
	waiter_done(&w);
out:
	udev_queue_unref(s.q);
	udev_unref(udev);
	return r;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * udev settling through libudev's queue: the queue file's inotify fd says
 * when to look again, so settling costs no busy polling.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

#include <libudev.h>

#include "log.h"
#include "macro.h"
#include "progress.h"
#include "sysfs.h"
#include "udev.h"
#include "uevent.h"
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
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	struct settle s = { 0 };
	struct waiter w;
	int r;

	udev = udev_new();
	if (!udev)
		return log_error_errno(ENOMEM, "cannot use libudev");
	s.q = udev_queue_new(udev);
	if (!s.q)
		return log_error_errno(ENOMEM, "cannot use libudev's queue");
	if (!udev_queue_get_udev_is_active(s.q)) {
		log_info("udevd is not running: there are no udev events to wait for");
		r = 0;
		goto out;
	}
	r = waiter_init(&w, timeout, UDEV_POLL_MAX_USEC);
	if (r < 0)
		goto out;
	r = waiter_run(&w, settle_step, &s);
	if (r == -EINTR && signo)
		*signo = waiter_signal(&w);
	waiter_done(&w);
out:
	udev_queue_unref(s.q);
	return r;
}

struct settle_mods {
	struct udev_queue *q;
	struct uevent_mon *mon;
	const char *action;
	char **names;
	bool *seen;
	size_t n;
	size_t missing;
};

static int settle_mods_step(void *userdata, const struct waiter *w)
{
	struct settle_mods *s = userdata;
	struct module_uevent ev;
	size_t i;

	while (uevent_receive(s->mon, UEVENT_UDEV, &ev) > 0) {
		if (!streq(ev.action, s->action))
			continue;
		for (i = 0; i < s->n; i++)
			if (!s->seen[i] && module_name_eq(s->names[i], ev.name)) {
				s->seen[i] = true;
				log_debug("udev has processed the %s event of %s", s->action, ev.name);
			}
	}
	s->missing = 0;
	for (i = 0; i < s->n; i++)
		s->missing += !s->seen[i];
	udev_queue_flush(s->q);
	/* The module's own event is the last the load caused: once udev has
	 * passed it on and its queue is empty, the load has settled. */
	if (s->missing == 0 && udev_queue_get_queue_is_empty(s->q))
		return STEP_DONE;
	progress_show("waiting for udev to process %zu module event%s, %.1fs", s->missing,
		      s->missing == 1 ? "" : "s", waiter_elapsed(w) / 1e6);
	return STEP_AGAIN;
}

static int settle_events(struct uevent_mon *mon, const char *action, char **names, size_t n,
			 uint64_t timeout, int *signo)
{
	struct settle_mods s = { .mon = mon, .action = action, .names = names, .n = n };
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	struct waiter w;
	size_t i;
	int r;

	if (uevent_fd(mon, UEVENT_UDEV) < 0)
		return udev_settle(timeout, signo); /* no udevd when the load began */
	udev = udev_new();
	if (!udev)
		return log_error_errno(ENOMEM, "cannot use libudev");
	s.q = udev_queue_new(udev);
	s.seen = calloc(n + 1, sizeof(bool));
	if (!s.q || !s.seen) {
		r = log_error_errno(ENOMEM, "out of memory");
		goto out;
	}
	r = waiter_init(&w, timeout, UDEV_POLL_MAX_USEC);
	if (r < 0)
		goto out;
	waiter_set_wake_fd(&w, uevent_fd(mon, UEVENT_UDEV));
	r = waiter_run(&w, settle_mods_step, &s);
	if (r == -EINTR && signo)
		*signo = waiter_signal(&w);
	waiter_done(&w);
	if (r == -ETIMEDOUT)
		for (i = 0; i < n; i++)
			if (!s.seen[i])
				log_error("udev has not processed the %s event of %s", action, names[i]);
out:
	free(s.seen);
	udev_queue_unref(s.q);
	return r;
}

int udev_settle_modules(struct uevent_mon *mon, char **names, size_t n, uint64_t timeout, int *signo)
{
	return settle_events(mon, "add", names, n, timeout, signo);
}

int udev_settle_all(uint64_t timeout, int *signo)
{
	struct uevent_mon mon;
	struct proc_modules pm;
	char path[PATH_MAX], *names[1];
	int fd, r;

	/* udevd may not have read the kernel's latest events yet (a busy or
	 * stopped udevd), and then its queue looks empty. A synthetic "change"
	 * event for a loaded module is queued behind every pending one: once
	 * udev has passed it on and its queue is empty, all of them are done. */
	if (uevent_open(&mon, true) < 0)
		return udev_settle(timeout, signo);
	if (uevent_fd(&mon, UEVENT_UDEV) < 0 || proc_modules_read(&pm) < 0) {
		uevent_close(&mon);
		return udev_settle(timeout, signo);
	}
	if (pm.n == 0) {
		proc_modules_free(&pm);
		uevent_close(&mon);
		return udev_settle(timeout, signo);
	}
	names[0] = strdup(pm.mods[0].name);
	proc_modules_free(&pm);
	if (!names[0]) {
		uevent_close(&mon);
		return log_error_errno(ENOMEM, "out of memory");
	}
	snprintf(path, sizeof(path), SYS_MODULE "/%s/uevent", names[0]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "change", 6) != 6) {
		log_debug("cannot send a change event through %s: %m; watching udev's queue only", path);
		if (fd >= 0)
			close(fd);
		r = udev_settle(timeout, signo);
	} else {
		close(fd);
		log_info("waiting for udev to process every pending event (marker: %s)", names[0]);
		r = settle_events(&mon, "change", names, 1, timeout, signo);
	}
	free(names[0]);
	uevent_close(&mon);
	return r;
}

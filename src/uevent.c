// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module uevents. The kernel sends "add" once a module is live and "remove"
 * once it is freed; libudev's kernel source sees them without udevd, its
 * udev source only when udevd runs.
 */
#include <stdio.h>

#include <libudev.h>

#include "log.h"
#include "macro.h"
#include "uevent.h"

const char *uevent_source_name(enum uevent_source s)
{
	return s == UEVENT_KERNEL ? "kernel" : "udev";
}

static struct udev_monitor *open_source(struct udev *udev, const char *name)
{
	struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, name);

	if (!mon)
		return NULL;
	if (udev_monitor_filter_add_match_subsystem_devtype(mon, "module", NULL) < 0 ||
	    udev_monitor_enable_receiving(mon) < 0) {
		udev_monitor_unref(mon);
		return NULL;
	}
	return mon;
}

int uevent_open(struct uevent_mon *m, bool with_udev)
{
	memset(m, 0, sizeof(*m));
	m->udev = udev_new();
	if (!m->udev)
		return log_error_errno(ENOMEM, "cannot use libudev");
	m->mon[UEVENT_KERNEL] = open_source(m->udev, "kernel");
	if (!m->mon[UEVENT_KERNEL]) {
		int r = errno ? -errno : -EIO;

		uevent_close(m);
		return log_error_errno(r, "cannot listen to kernel uevents: %m");
	}
	if (with_udev) {
		struct udev_queue *q = udev_queue_new(m->udev);

		if (q && udev_queue_get_udev_is_active(q))
			m->mon[UEVENT_UDEV] = open_source(m->udev, "udev");
		else
			log_info("udevd is not running: only the kernel's own events can be seen");
		udev_queue_unref(q);
	}
	return 0;
}

int uevent_fd(const struct uevent_mon *m, enum uevent_source s)
{
	return m->mon[s] ? udev_monitor_get_fd(m->mon[s]) : -1;
}

int uevent_receive(struct uevent_mon *m, enum uevent_source s, struct module_uevent *ev)
{
	struct udev_device *dev;
	const char *name;

	if (!m->mon[s])
		return 0;
	if (m->last_dev[s]) {
		udev_device_unref(m->last_dev[s]);
		m->last_dev[s] = NULL;
	}
	dev = udev_monitor_receive_device(m->mon[s]);
	if (!dev)
		return 0;
	m->last_dev[s] = dev;
	name = udev_device_get_sysname(dev);
	if (!name || !streq_ptr(udev_device_get_subsystem(dev), "module"))
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->source = s;
	ev->action = udev_device_get_action(dev);
	ev->seqnum = udev_device_get_seqnum(dev);
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	return ev->action ? 1 : 0;
}

void uevent_close(struct uevent_mon *m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m->mon); i++) {
		if (m->last_dev[i]) {
			udev_device_unref(m->last_dev[i]);
			m->last_dev[i] = NULL;
		}
		udev_monitor_unref(m->mon[i]);
		m->mon[i] = NULL;
	}
	udev_unref(m->udev);
	m->udev = NULL;
}

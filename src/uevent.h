/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Module uevents (SUBSYSTEM=module) through libudev monitors. */
#pragma once

#include <stdbool.h>

#include "util.h"

enum uevent_source {
	UEVENT_KERNEL,   /* the kernel's netlink group: works without udevd */
	UEVENT_UDEV,     /* after udevd processed the event */
};

struct uevent_mon {
	struct udev *udev;
	struct udev_monitor *mon[2];
	/* Each source's last device, kept alive while its event's strings are used. */
	struct udev_device *last_dev[2];
};

struct module_uevent {
	enum uevent_source source;
	const char *action;          /* "add", "remove", ... */
	char name[MODULE_NAME_MAX + 1];
	unsigned long long seqnum;
};

/* Open the kernel source, and the udev source too if with_udev and udevd runs. */
int uevent_open(struct uevent_mon *m, bool with_udev);
/* fd of a source, or -1 if it is not open. */
int uevent_fd(const struct uevent_mon *m, enum uevent_source s);
/* Read one pending module event from a source: 1 got one, 0 nothing (or
 * not a module event), <0 error. ev->action stays valid until the next call. */
int uevent_receive(struct uevent_mon *m, enum uevent_source s, struct module_uevent *ev);
void uevent_close(struct uevent_mon *m);
const char *uevent_source_name(enum uevent_source s);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for udev to finish the events modules caused. */
#pragma once

#include <stdint.h>

#include <libudev.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_queue *, udev_queue_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_monitor *, udev_monitor_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)

/* The longest pause between two looks at udev's queue while settling
 * (its inotify fd usually says sooner). */
#define UDEV_POLL_MAX_USEC 50000ULL

/*
 * Wait until udev's event queue is empty, at most timeout microseconds.
 * Returns 0 when settled or when udevd is not running (said at -v),
 * -ETIMEDOUT, or -EINTR on SIGINT/SIGTERM (*signo set).
 */
int udev_settle(uint64_t timeout, int *signo);

struct uevent_mon;
/*
 * Wait until udev has processed the "add" event of every module in names
 * (modules this run inserted; mon must have been opened with the udev
 * source before they were loaded) and its queue is empty. Without udevd
 * it returns at once (said at -v). Same returns as udev_settle().
 */
int udev_settle_modules(struct uevent_mon *mon, char **names, size_t n, uint64_t timeout, int *signo);
/*
 * Wait until udev has processed every event the kernel has sent so far,
 * including ones udevd has not read yet (the seal's preflight). Same
 * returns as udev_settle().
 */
int udev_settle_all(uint64_t timeout, int *signo);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for udev to finish the events modules caused. */
#pragma once

#include <stdint.h>

/*
 * Wait until udev's event queue is empty, at most timeout microseconds.
 * Returns 0 when settled or when udevd is not running (said at -v),
 * -ETIMEDOUT, or -EINTR on SIGINT/SIGTERM (*signo set).
 */
int udev_settle(uint64_t timeout, int *signo);

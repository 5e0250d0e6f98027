/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sealing the kernel: kernel.modules_disabled=1, done safely (see seal.c). */
#pragma once

#include <stdint.h>

/*
 * Wait for udev to settle and for no module to be coming or going, within
 * timeout, then write kernel.modules_disabled=1 and read it back. The
 * caller has loaded what must be loaded and locked everything. Returns 0;
 * -EINTR when SIGINT or SIGTERM ended a wait (which one in *signo);
 * -ETIMEDOUT; -EPERM or -EACCES when the write is refused; -EIO for any
 * other failure. Every failure but -EINTR is said here.
 */
int seal_kernel(uint64_t timeout, int *signo);

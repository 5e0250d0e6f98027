// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel seal done safely: kernel.modules_disabled=1 is written only
 * once udev has handled every event (a module it would load could never
 * load afterwards) and no module is coming or going, and it is read back,
 * since a write that seems to work but does not is the known failure of
 * boot scripts that seal.
 */
#include <fcntl.h>
#include <stdio.h>

#include "kernel.h"
#include "log.h"
#include "macro.h"
#include "seal.h"
#include "sysfs.h"
#include "udev.h"
#include "util.h"
#include "wait.h"

/* How often the seal looks at /proc/modules for a module still loading. */
#define SEAL_POLL_MAX_USEC 10000ULL

struct transition {
	char who[MODULE_NAME_MAX + 1];   /* a module coming or going, at the last look */
};

static int transition_step(void *userdata, const struct waiter *w _unused_)
{
	struct transition *t = userdata;
	struct proc_modules pm;
	bool busy = false;
	size_t i;

	/* Whatever keeps /proc/modules from being read, the seal fails. */
	if (proc_modules_read(&pm) < 0)
		return -EIO;
	for (i = 0; i < pm.n && !busy; i++) {
		if (pm.mods[i].state != MODULE_STATE_LIVE) {
			busy = true;
			snprintf(t->who, sizeof(t->who), "%s", pm.mods[i].name);
		}
	}
	proc_modules_free(&pm);
	return busy ? STEP_AGAIN : STEP_DONE;
}

/* Wait until no module is coming or going, at most timeout: 0, -ETIMEDOUT
 * (a module's name in who), -EINTR (the signal in *signo) or -EIO when
 * /proc/modules cannot be read. */
static int wait_no_transition(uint64_t timeout, char *who, size_t size, int *signo)
{
	struct transition t = { "" };
	struct waiter w;
	int r;

	r = waiter_init(&w, timeout, SEAL_POLL_MAX_USEC);
	if (r == 0)
		r = waiter_run(&w, transition_step, &t);
	if (r == -EINTR)
		*signo = waiter_signal(&w);
	waiter_done(&w);
	snprintf(who, size, "%s", t.who);
	return r;
}

int seal_kernel(uint64_t timeout, int *signo)
{
	uint64_t start = now_usec(), elapsed;
	char who[MODULE_NAME_MAX + 1] = "", buf[16];
	int r, fd;

	r = udev_settle_all(timeout, signo);
	if (r == -ETIMEDOUT)
		log_error("not sealing: udev is still processing events after the timeout; "
			  "modules it would load could never load after a seal");
	if (r < 0)
		return r;
	/* What is left of the timeout after udev settled. */
	elapsed = now_usec() - start;
	if (timeout != DURATION_INFINITY)
		timeout -= elapsed < timeout ? elapsed : timeout;
	r = wait_no_transition(timeout, who, sizeof(who), signo);
	if (r == -ETIMEDOUT)
		log_error("not sealing: module %s is still loading or unloading", who);
	else if (r < 0 && r != -EINTR)
		log_error("not sealing: cannot read " PROC_MODULES);
	if (r < 0)
		return r;

	fd = open(PROC_MODULES_DISABLED, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		log_error_errno(r, "cannot seal: writing " PROC_MODULES_DISABLED " failed: %m");
		/* Only a refused write is about permission; a sysctl that is
		 * missing or rejects the value is a failure like any other. */
		return r == -EPERM || r == -EACCES ? r : -EIO;
	}
	close(fd);
	/* Read it back: a write that seemed to work but did not is the known
	 * failure of boot scripts that seal. */
	r = read_small_file(PROC_MODULES_DISABLED, buf, sizeof(buf));
	if (r < 0 || !streq(buf, "1")) {
		log_error("SEAL FAILED: " PROC_MODULES_DISABLED " reads '%s' after writing 1; "
			  "modules can still be loaded and unloaded", r == 0 ? buf : "(unreadable)");
		return -EIO;
	}
	return 0;
}


/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modprobe guard: a modprobe.d file, written with every change of the
 * registry, that makes kmod's `modprobe -r` refuse the modules modctl has
 * locked. kmod reads this directory itself, so its path is kmod's, not
 * configurable.
 */
#pragma once

#include "registry.h"

#define MODPROBE_GUARD_DIR "/run/modprobe.d"
#define MODPROBE_GUARD_NAME "modctl-lockdown.conf"
#define MODPROBE_GUARD MODPROBE_GUARD_DIR "/" MODPROBE_GUARD_NAME

/*
 * The modprobe.d text that refuses `modprobe -r` for every locked module,
 * and gives every module that needs a locked one (per deptext, the text of
 * modules.dep, or NULL) a remove line that runs `MODCTL unload`, so that
 * modprobe -r cannot take a locked dependency with it.
 */
char *modprobe_guard_format(const struct registry *reg, const char *deptext, const char *modctl);
/* The guard for reg on this system: modules.dep of the running kernel and
 * the modctl the remove lines run are looked up here. NULL: out of memory. */
char *modprobe_guard_build(const struct registry *reg);
/* Check the guard in its directory gfd before replacing it: 0 when it is
 * missing or modctl could have written it, else a logged -errno. */
int modprobe_guard_check(int gfd);

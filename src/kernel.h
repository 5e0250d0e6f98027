/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel allows: the system calls that change its modules, why
 * they fail, and the global policy that decides it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define PROC_MODULES_DISABLED "/proc/sys/kernel/modules_disabled"
#define SYS_LOCKDOWN "/sys/kernel/security/lockdown"
#define SYS_SIG_ENFORCE "/sys/module/module/parameters/sig_enforce"

/* delete_module(2); returns 0 or -errno. force adds O_TRUNC. */
int kernel_delete_module(const char *name, bool force);

/* Whether the effective capability set holds CAP_SYS_MODULE. */
bool have_cap_sys_module(void);

/*
 * Explain an EPERM from the kernel in words: modules_disabled, a missing
 * capability, or (for loads) signature or lockdown policy.
 */
const char *kernel_eperm_cause(bool loading);

/* Whether the running kernel honours forced unloads
 * (CONFIG_MODULE_FORCE_UNLOAD): 1 yes, 0 no, -1 unknown. */
int kernel_force_unload_supported(void);

/* Global policy knobs. Each returns -ENOENT when the file does not exist. */
int kernel_modules_disabled(bool *disabled);
/* "none", "integrity" or "confidentiality" (the bracketed choice). */
int kernel_lockdown_level(char *buf, size_t size);
int kernel_sig_enforce(bool *enforced);

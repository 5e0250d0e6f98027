/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System calls that change the kernel's modules, and why they fail. */
#pragma once

#include <stdbool.h>

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

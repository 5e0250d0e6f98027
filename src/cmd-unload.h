/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl unload (cmd-unload.c). */
#pragma once

#include "command.h"

struct unload_args {
	uint64_t timeout;
	uint64_t poll_max;
	bool with_deps;
	bool dry_run;
	bool force;
	bool kernel_force;
	bool delete_interfaces;
	struct module_words modules;
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl wait (cmd-wait.c). */
#pragma once

#include "command.h"

enum wait_for {
	FOR_LOADED,
	FOR_UNLOADED,
	FOR_UNUSED,
};

struct wait_args {
	enum wait_for what;
	uint64_t timeout;
	uint64_t poll_max;
	struct module_words modules;  /* normalised in place */
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl status (cmd-status.c). */
#pragma once

#include <stdint.h>

#include "command.h"

struct status_args {
	bool json;
	struct module_words modules;
	uint64_t holders_budget;   /* --holders-budget */
	bool holders_budget_set;
};

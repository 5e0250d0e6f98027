/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl lockdown and modctl unlock (cmd-lockdown.c). */
#pragma once

#include "command.h"

/* lockdown and unlock */
struct lock_args {
	bool all;
	bool seal;
	bool boot;
	bool dry_run;
	bool no_pin;
	uint64_t timeout;
	struct module_words modules;
};

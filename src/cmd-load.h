/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl load (cmd-load.c). */
#pragma once

#include "command.h"
#include "load.h"

struct load_args {
	struct load_opts o;
	bool lockdown;
	uint64_t settle;              /* 0: do not wait for udev */
	struct load_item *items;      /* argc entries at most */
	size_t n_items;
};

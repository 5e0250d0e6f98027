/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl status (cmd-status.c). */
#pragma once

#include "command.h"

struct status_args {
	bool json;
	struct module_words modules;
};

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl monitor (cmd-monitor.c). */
#pragma once

#include "command.h"

struct monitor_args {
	bool json;
};

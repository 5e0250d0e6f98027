/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl refcnt (cmd-refcnt.c). */
#pragma once

#include "command.h"

struct refcnt_args {
	struct module_words modules;
};

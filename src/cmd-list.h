/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arguments of modctl list (cmd-list.c). */
#pragma once

#include "command.h"
#include "output.h"

struct list_args {
	struct output_options out;
	struct output table;          /* the columns, chosen while parsing */
	struct module_words modules;
};

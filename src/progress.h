/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A one-line progress display on a terminal stderr; silent otherwise and with -q. */
#pragma once

#include "macro.h"

void progress_show(const char *fmt, ...) _printf_(1, 2);
void progress_clear(void);

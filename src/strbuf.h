/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A growing string built with printf-style appends: how the registry and
 * the modprobe guard are written before they go to disk.
 */
#pragma once

#include <stddef.h>

#include "macro.h"

struct strbuf {
	char *buf;      /* NULL until the first append */
	size_t len;
	size_t cap;
};

/* Append formatted text. 0, -ENOMEM or -EINVAL (a bad format); on failure
 * the text so far is kept. */
int strbuf_appendf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
/* Hand the text over to the caller (who frees it); sb is empty again. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

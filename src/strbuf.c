// SPDX-License-Identifier: LGPL-2.1-or-later
/* A growing string for the files modctl writes (see strbuf.h). */
#include <stdarg.h>
#include <stdio.h>

#include "strbuf.h"

int strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->buf ? sb->cap - sb->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (sb->buf && sb->len + (size_t)n < sb->cap) {
			sb->len += (size_t)n;
			return 0;
		}
		{
			size_t ncap = (sb->cap ? sb->cap : 256) * 2 + (size_t)n;
			char *nb = realloc(sb->buf, ncap);

			if (!nb)
				return -ENOMEM;
			sb->buf = nb;
			sb->cap = ncap;
		}
	}
}

char *strbuf_steal(struct strbuf *sb)
{
	char *s = sb->buf;

	*sb = (struct strbuf){ 0 };
	return s;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf){ 0 };
}

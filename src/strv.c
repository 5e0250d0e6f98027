// SPDX-License-Identifier: LGPL-2.1-or-later
/* String vectors (see strv.h). */
#include <stdlib.h>
#include <string.h>

#include "strv.h"

void strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

char *strv_join(char **v, const char *sep)
{
	size_t len = 1, sl = strlen(sep), i;
	char *s, *p;

	for (i = 0; v && v[i]; i++)
		len += strlen(v[i]) + sl;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (i = 0; v && v[i]; i++) {
		if (i) {
			memcpy(p, sep, sl);
			p += sl;
		}
		p = stpcpy(p, v[i]);
	}
	*p = '\0';
	return s;
}

int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v, size_t n)
{
	/* qsort() with a NULL array is undefined, even for zero elements. */
	if (n)
		qsort(v, n, sizeof(char *), strv_cmp);
}
